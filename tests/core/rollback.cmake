# The rollback plan builder (issue #9): pure, data-driven.
raize_add_test(test_rollback_plan SOURCES tst_rollback_plan.cpp LIBS core_rollback)
# The default scope of a plan (issue #16 item 1): pure, data-driven.
raize_add_test(test_default_scope SOURCES tst_default_scope.cpp LIBS core_rollback)
# Scoped flag rollbacks and Restore (issue #16 items 1, 10) against an in-process Unleash: no sandbox.
raize_add_test(test_scoped_flags SOURCES tst_scoped_flags.cpp LIBS core_rollback fake_http fake_launchdarkly Qt6::Network)
# Typed intents (issue #14 item 3): calls rendered by the backend's own client, the plan's JSON
# schema, a previous version's journal upgraded and resumed (offline: in-memory flag service).
raize_add_test(test_rollback_intents SOURCES tst_rollback_intents.cpp LIBS core_rollback)
# The rollback against the whole sandbox through the CLI (real Unleash, Prometheus, gnome-keyring).
# One executable, nine ctest entries (issue #15: none over 180 s). Each entry starts one sandbox
# (~20 s on 2 cores) and runs every case of its share on it, resetting the sandbox's state between
# cases (reset(): faults off, Vercel budget, flags on, production back, markers stood down, request
# log and journals emptied), which costs about a second. Nine starts instead of thirteen.
# The plan, the P0 end to end, two consoles.
raize_add_test(test_rollback_sandbox SOURCES tst_rollback_sandbox.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 180 COST 40 LABELS sandbox keyring
    ARGS planNamesEveryCall p0WrongAccountEndToEnd twoConsolesOneExecutes)
# SIGKILL after each record of the marker phase and where a marker call was answered but not
# journalled (its creation, look-ups, statuses), then resume: all nine rows.
raize_add_test(test_rollback_crash_marker EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 COST 50 LABELS sandbox keyring
    ARGS crashInTheMarkerPhase)
# SIGKILL at every later journal boundary, two phases per entry (the uninterrupted run that finds
# the boundaries runs once per entry). crashAtEveryBoundary fails on a boundary of no known phase,
# so a new phase cannot go unrun: it needs a row, and the row an entry here.
# The milestone comments on the incident (issue #19 item 6) are boundaries too: their own phase, here, killed
# as one chain (one run killed at each milestone boundary in turn, ~5 s for the six).
raize_add_test(test_rollback_crash_flags EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 COST 52 LABELS sandbox keyring
    ARGS crashAtEveryBoundary:flags crashAtEveryBoundary:production crashAtEveryBoundary:milestones)
raize_add_test(test_rollback_crash_checks EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 COST 50 LABELS sandbox keyring
    ARGS crashAtEveryBoundary:checks "crashAtEveryBoundary:incident and journal")
# SIGKILL while a call hangs in the service: all seven rows.
raize_add_test(test_rollback_crash_midcall EXECUTABLE test_rollback_sandbox
    KEYRING TIMEOUT 180 COST 55 LABELS sandbox keyring
    ARGS crashInTheMiddleOfACall)
# 429, 500 and a timeout on each call in turn: the 24 rows in four shards (RAIZE_TEST_SHARD=i/n, read
# by the data function: every 4th row from the i-th, so each shard has every kind of fault and a
# new row always runs in some entry).
foreach(shard RANGE 3)
    raize_add_test(test_rollback_faults_${shard} EXECUTABLE test_rollback_sandbox
        KEYRING TIMEOUT 180 COST 55 LABELS sandbox keyring
        ENV "RAIZE_TEST_SHARD=${shard}/4"
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
# The blast radius and the kill-switch parent (issue #16 items 2, 3), offline: grids, prediction,
# table, comparison after execution, both backends' requests and answers, parent-first plans.
raize_add_test(test_blast_radius SOURCES tst_blast_radius.cpp LIBS core_rollback core_launchdarkly)
# The same against the sandbox's real Unleash (issue #16 items 2, 3): the dry-run table with a
# negative control, the dependency check naming a flag, the parent's off as the first call, and the
# radius asked again after execution agreeing with the prediction. One sandbox.
raize_add_test(test_blast_sandbox SOURCES tst_blast_sandbox.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 180 LABELS sandbox keyring)
# Issue #16 items 1 and 10 on the sandbox: the house page's plan is scoped to the house cohort; Unleash's
# playground and the platform simulator show house stopped and client-bloom served; Restore brings back
# exactly the previous strategies. One sandbox for the binary.
raize_add_test(test_scoped_rollback_sandbox SOURCES tst_scoped_rollback_sandbox.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 180 LABELS sandbox keyring)
# §7.1 triggers from signals (issue #16, item 4): the policy's rules, each against the platform
# simulator's own metrics with a negative control, and the detector's rounds on a fake Prometheus.
raize_add_test(test_triggers SOURCES tst_triggers.cpp LIBS core_rollback core_effectivepolicy fake_platform fake_github)
# Migrations from a real source (issue #16, items 7 and 9), in-process: the incompatible-migration
# scenario's Vercel and GitHub fakes on loopback; Option B refused with the migration named, Option C
# end to end with a linked plan, and a P0's flags-off with GitHub down and the audit disk full.
raize_add_test(test_rollback_migrations SOURCES tst_rollback_migrations.cpp LIBS core_rollback core_effectivepolicy fake_platform fake_github)
# "System is stable" after a rollback (issue #16, item 8): the judgement table, the burn-rate queries of the
# scope, and the check's rounds on a fake clock against a fake Prometheus. No sandbox.
# `rollback stable` (the CLI) runs against the same fake Prometheus with a 1 s window (~5 s).
raize_add_test(test_stability SOURCES tst_stability.cpp LIBS core_rollback core_effectivepolicy fake_http)
add_dependencies(test_stability raize-console)
# Incident milestones as they happen (issue #19 item 6), in-process: the order (incident right after the
# flags, a comment per stage with the journal's times), GitHub failing the comments or the incident (the
# rollback completes), and a resumed run that never posts a milestone twice. No sandbox processes (~12 s: 11 runs).
raize_add_test(test_incident_milestones SOURCES tst_incident_milestones.cpp LIBS core_rollback core_effectivepolicy fake_platform fake_github
    COST 12)
