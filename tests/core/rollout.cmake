# Cohorts, SLOs and burn alerts from the policy bundle; the rollout plan and
# its recommendation (issue #8, parts 1, 2, 6).
raize_add_test(test_rollout SOURCES tst_rollout.cpp LIBS core_rollout)
# The profile's cohorts in place of the policy's: load, override, reset, malformed settings.
raize_add_test(test_cohort_override SOURCES tst_cohort_override.cpp LIBS core_rollout core_base)
# Auto-pacing (issue #8, part 6): the pure decision, a stage's flag change, and
# the AutoPacer on an in-memory flag service (arm, expand, stop, page alert, failure).
raize_add_test(test_auto_pacing SOURCES tst_auto_pacing.cpp LIBS core_rollout core_release)
# Time in the flag path (issue #14, item 6): the read-back deadline and the pollers' fresh/stale times on a ManualClock.
raize_add_test(test_flag_clock SOURCES tst_flag_clock.cpp LIBS core_rollout core_release)
