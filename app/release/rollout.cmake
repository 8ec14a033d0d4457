# Canary cohorts, the rollout plan and its pacing (issue #8, parts 1, 2, 6):
# pure functions of the policy bundle, the flags and the SLO verdicts; and
# RolloutMonitor, the session that ties them together (issue #14, item 2).
raize_core_library(core_rollout
    SOURCES
        cohorts.cpp cohorts.h
        cohortoverride.cpp cohortoverride.h
        rollout.cpp rollout.h
        canaryplan.cpp canaryplan.h
        stageevidence.cpp stageevidence.h
        togglematrix.cpp togglematrix.h
        autopacing.cpp autopacing.h
        flagchangerunner.cpp flagchangerunner.h
        autopacer.cpp autopacer.h
        rolloutmonitor.cpp rolloutmonitor.h
        alertcenter.cpp alertcenter.h
    DEPS core_base core_policy core_slo core_flags core_flagevents core_records core_release)
