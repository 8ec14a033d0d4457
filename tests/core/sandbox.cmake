# The release sandbox (issue #5). test_sandbox_integration starts the real
# PostgreSQL, Unleash and Prometheus; the others run in-process.
raize_add_test(test_sandbox_integration SOURCES tst_sandbox_integration.cpp LIBS sandbox_fixture core_prometheus Qt6::Network
    TIMEOUT 180 COST 66 LABELS sandbox)
raize_add_test(test_fake_faults SOURCES tst_fake_faults.cpp LIBS fake_platform)
# Issue #15, item 2: a scenario for every story, each checked on what the
# sandbox's services expose (the platform's /metrics in-process on a fake
# clock, the GitHub fake's compare and contents over loopback), each with a
# negative control row on the same scenario without its fault; the promotion
# family through the console's FactsCollector and evaluate().
raize_add_test(test_story_scenarios SOURCES tst_story_scenarios.cpp LIBS core_slometrics core_gatefacts fake_platform fake_github sandbox_fixture)
# The wrong-account P0 from the sandbox's real signals (issue #16, item 4): dormant first (the live
# control), then raised within two scrape intervals of the simulator's first event; the plan it opens
# is P0 and global. One sandbox for the binary.
raize_add_test(test_triggers_sandbox SOURCES tst_triggers_sandbox.cpp
    LIBS sandbox_fixture core_rollback core_effectivepolicy fake_platform fake_github
    TIMEOUT 150 LABELS sandbox)
