# The release timeline's time→pixel mapping (issue #7, part 1): a value type
# with its own unit tests; painting and mouse handling only ask it.
raize_core_library(core_timeline
    SOURCES timescale.cpp timescale.h
    DEPS core_base)
