# The rollback plan builder (issue #9): pure, data-driven.
raize_add_test(test_rollback_plan SOURCES tst_rollback_plan.cpp LIBS core_rollback)
# Typed intents (issue #14 item 3): calls rendered by the backend's own client, the plan's JSON
# schema, a previous version's journal upgraded and resumed (offline: in-memory flag service).
raize_add_test(test_rollback_intents SOURCES tst_rollback_intents.cpp LIBS core_rollback)
# The rollback against the whole sandbox through the CLI (real Unleash, Prometheus, gnome-keyring).
# One executable, several ctest entries (issue #15: none over 180 s): each entry starts its own
# sandbox and runs a group of functions or rows on it, resetting the sandbox's state between cases.
raize_add_test(test_rollback_sandbox SOURCES tst_rollback_sandbox.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 180 LABELS sandbox keyring
    ARGS planNamesEveryCall p0WrongAccountEndToEnd twoConsolesOneExecutes)
# SIGKILL right after each record of the marker phase, and where a marker call was answered but not
# journalled (its creation, look-ups, statuses), then resume (issue #15): nine rows in two shards.
foreach(shard RANGE 1)
    raize_add_test(test_rollback_crash_marker_${shard} EXECUTABLE test_rollback_sandbox
        KEYRING TIMEOUT 180 LABELS sandbox keyring
        ENV "RAIZE_TEST_SHARD=${shard}/2"
        ARGS crashInTheMarkerPhase)
endforeach()
# SIGKILL at every later journal boundary, one phase of the run per entry.
raize_add_test(test_rollback_crash_flags EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 LABELS sandbox keyring
    ARGS crashAtEveryBoundary:flags)
raize_add_test(test_rollback_crash_production EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 LABELS sandbox keyring
    ARGS crashAtEveryBoundary:production)
raize_add_test(test_rollback_crash_checks EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 LABELS sandbox keyring
    ARGS crashAtEveryBoundary:checks "crashAtEveryBoundary:incident and journal")
# SIGKILL while a call hangs in the service: six rows in two shards (RAIZE_TEST_SHARD=i/n, read by the
# data function, so a new row always runs in some entry).
foreach(shard RANGE 1)
    raize_add_test(test_rollback_crash_midcall_${shard} EXECUTABLE test_rollback_sandbox
        KEYRING TIMEOUT 180 LABELS sandbox keyring
        ENV "RAIZE_TEST_SHARD=${shard}/2"
        ARGS crashInTheMiddleOfACall)
endforeach()
# 429, 500 and a timeout on each call in turn: the 24 rows in six shards.
foreach(shard RANGE 5)
    raize_add_test(test_rollback_faults_${shard} EXECUTABLE test_rollback_sandbox
        KEYRING TIMEOUT 180 LABELS sandbox keyring
        ENV "RAIZE_TEST_SHARD=${shard}/6"
        ARGS faultOnEachCall)
endforeach()
# The crash seam is in raize-console-crashtest only, never in the shipped binary (issue #15, item 5).
raize_add_test(test_kill_seam SOURCES tst_kill_seam.cpp LIBS Qt6::Core)
add_dependencies(test_kill_seam raize-console raize-console-crashtest)
add_dependencies(test_rollback_sandbox raize-console-crashtest)
# A LaunchDarkly profile on the sandbox (issue #14 item 3): the plan, the kill switch and its
# read-back are LaunchDarkly calls only, through Prism's validating proxy to the stateful fake.
raize_add_test(test_rollback_launchdarkly SOURCES tst_rollback_launchdarkly.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 180 LABELS sandbox keyring contract)
# §7.1 triggers from signals (issue #16, item 4): the policy's rules, each against the platform
# simulator's own metrics with a negative control, and the detector's rounds on a fake Prometheus.
raize_add_test(test_triggers SOURCES tst_triggers.cpp LIBS core_rollback core_effectivepolicy fake_platform fake_github)
# Migrations from a real source (issue #16, items 7 and 9), in-process: the incompatible-migration
# scenario's Vercel and GitHub fakes on loopback; Option B refused with the migration named, Option C
# end to end with a linked plan, and a P0's flags-off with GitHub down and the audit disk full.
raize_add_test(test_rollback_migrations SOURCES tst_rollback_migrations.cpp LIBS core_rollback core_effectivepolicy fake_platform fake_github)
