# The post-release validation on a profile's workspace (issue #19 item 4): its
# Prometheus for the SLO counters, its GitHub for the journal entry.
raize_core_library(core_validationwiring
    SOURCES validationwiring.cpp validationwiring.h
    DEPS core_validation core_workspace core_github core_slometrics core_prometheus core_promotion core_gates core_releaseevidence core_records)
