# The flag service (issue #6, part 2c): the FlagService interface and its Unleash backend.
raize_core_library(core_flags
    SOURCES flags/flagservice.h flags/contextevaluation.cpp flags/contextevaluation.h flags/unleashclient.cpp flags/unleashclient.h
    DEPS core_base core_net)
