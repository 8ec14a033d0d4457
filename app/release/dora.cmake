# DORA's five delivery metrics from the release's records (issue #19, part 3):
# a pure function of deployments, pull requests, rollbacks and incidents.
raize_core_library(core_dora
    SOURCES dora.cpp dora.h
    DEPS core_base)

# Collects those records from Vercel, GitHub and the profile's run journals.
raize_core_library(core_doracollect
    SOURCES doracollector.cpp doracollector.h
    DEPS core_dora core_vercel core_github core_rollback)
