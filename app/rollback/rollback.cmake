raize_core_library(core_rollback
    SOURCES
        rollbackplan.cpp rollbackplan.h
    DEPS core_base)
