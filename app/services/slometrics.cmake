# The SLO engine's metrics adapter: Prometheus range data → counter series
# by cohort and by cohort × lane (issue #8, parts 4 and 5). It lives with the
# Prometheus client, not in app/slo/: the burn-rate code there is a pure
# function of series and includes no service client (issue #14).
raize_core_library(core_slometrics
    SOURCES prometheus/slometrics.cpp prometheus/slometrics.h
    DEPS core_slo core_prometheus)
