raize_core_library(core_cli
    SOURCES
        cli.cpp cli.h
        settingscommand.cpp
        tokencommand.cpp
    DEPS core_base core_records)
