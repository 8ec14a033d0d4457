# The two-axis canary (issue #20, item 4): CanaryRun, the session that drives
# Vercel's rolling release and the flag cohorts from one stage plan, over the
# narrow CanaryServices; ClientCanaryServices on the profile's clients.
raize_core_library(core_canary
    SOURCES
        canaryservices.h
        canaryrun.cpp canaryrun.h
        clientcanaryservices.cpp clientcanaryservices.h
    DEPS core_base core_rollout core_vercel core_github core_flags core_prometheus)
