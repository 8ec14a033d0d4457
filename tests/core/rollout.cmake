# Cohorts, SLOs and burn alerts from the policy bundle; the rollout plan and
# its recommendation (issue #8, parts 1, 2, 6).
raize_add_test(test_rollout SOURCES tst_rollout.cpp LIBS core_rollout)
# The profile's cohorts in place of the policy's: load, override, reset, malformed settings.
raize_add_test(test_cohort_override SOURCES tst_cohort_override.cpp LIBS core_rollout core_base)
# Auto-pacing (issue #8, part 6): the pure decision, a stage's flag change, and
# the AutoPacer on an in-memory flag service (arm, expand, stop, page alert, failure).
raize_add_test(test_auto_pacing SOURCES tst_auto_pacing.cpp LIBS core_rollout core_release)
# The rollout monitor (issue #14, item 2) without a sandbox: series fed
# directly, a ManualClock; burn over/under each rule, not enough data, page
# onset and clear, stale flags, expand/wait/blocked, auto-pacing.
raize_add_test(test_rollout_monitor SOURCES tst_rollout_monitor.cpp LIBS core_rollout core_release)
# `rollout status|advance` against the release sandbox (bad-l3-release): the
# paging canary blocked and refused, bad input, the healthy beta advanced
# (audited, read back from Unleash), unreachable services. Two entries, each
# with its own sandbox, so neither comes near the 180 s limit on a loaded
# machine; a new test function must be added to one of the ARGS lists.
raize_add_test(test_rollout_cli SOURCES tst_rollout_cli.cpp LIBS sandbox_fixture core_records Qt6::Network nlohmann_json::nlohmann_json
    TIMEOUT 180 COST 26 LABELS sandbox
    ARGS pagingCanaryIsBlocked unreachablePrometheusSaysWhatToDo demoReviewsForReal)
raize_add_test(test_rollout_cli_advance EXECUTABLE test_rollout_cli
    TIMEOUT 180 COST 22 LABELS sandbox
    ARGS badInputIsRefused healthyBetaAdvancesAudited)
add_dependencies(test_rollout_cli raize-console)
# Time in the flag path (issue #14, item 6): the read-back deadline and the pollers' fresh/stale times on a ManualClock.
raize_add_test(test_flag_clock SOURCES tst_flag_clock.cpp LIBS core_rollout core_release)
