# Every change from its source, merged without duplicates, "what changed"
# when a page fires, and "stale since" (issue #19 items 1, 2).
raize_core_library(core_changes
    SOURCES
        change.cpp change.h
        whatchanged.cpp whatchanged.h
        staleness.cpp staleness.h
    DEPS core_base core_gates core_records core_flagevents core_github)
