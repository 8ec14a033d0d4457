# The SLO engine's metrics adapter: Prometheus range data → counter series
# by cohort and by cohort × lane (issue #8, parts 4 and 5).
raize_core_library(core_slometrics
    SOURCES slometrics.cpp slometrics.h
    DEPS core_slo core_prometheus)
