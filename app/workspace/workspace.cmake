# The workspace (issue #14, item 1; ADR 0014): one per profile, the profile's
# connections (the one HTTP client, the service clients, the pollers and SLO
# feeds), its audit sink and its policy, for the console and every subcommand.
raize_core_library(core_workspace
    SOURCES workspace.cpp workspace.h arming.cpp arming.h canarysession.cpp canarysession.h
    DEPS core_base core_net core_policy core_records core_vercel core_github core_flags core_flagbackend core_flagevents
         core_prometheus core_slo core_slometrics core_release core_gates core_rollout core_connection core_effectivepolicy core_effective core_canary)
