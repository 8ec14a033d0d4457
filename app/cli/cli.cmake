# Every headless subcommand lives here, one file per subcommand (docs/HACKING.md,
# "Headless subcommands"). core_cli links the core libraries it drives; no core
# library links core_cli (checked in app/CMakeLists.txt).
raize_core_library(core_cli
    SOURCES
        cli.cpp cli.h
        auditcommand.cpp
        canarycommand.cpp
        changelogcommand.cpp
        cohortscommand.cpp
        gatescommand.cpp
        journalcommand.cpp
        killswitchcommand.cpp
        metricscommand.cpp
        policycommand.cpp
        promotecommand.cpp
        releasenotescommand.cpp
        rollbackcommand.cpp
        rolloutcommand.cpp
        settingscommand.cpp
        tokencommand.cpp
        validatecommand.cpp
    DEPS core_base core_records core_net core_github core_vercel core_rollback core_gatefacts core_gates core_promotion core_policy core_rollout core_release core_slometrics core_prometheus core_flags core_flagbackend core_launchdarkly core_workspace core_effectivepolicy core_dora core_doracollect core_validation core_validationwiring)
