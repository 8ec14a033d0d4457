# SLO burn-rate engine (issue #8, part 4): value types and pure functions,
# QtCore only (the UI and the metrics client build on it). The SLOs and the
# burn alerts come from the policy bundle (slopolicy.h).
raize_core_library(core_slo
    SOURCES
        burnrule.cpp burnrule.h
        counterseries.cpp counterseries.h
        lttb.cpp lttb.h
        sloengine.cpp sloengine.h
        slopolicy.cpp slopolicy.h
        slospec.h
    DEPS core_base core_policy)
