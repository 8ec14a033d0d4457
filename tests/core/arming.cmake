# Read-only until armed (issue #21 item 3, ADR 0028): the workspace's arming on a ManualClock, each
# use case refused disarmed / allowed armed / refused after the window, the audit records, the exceptions.
raize_add_test(test_arming SOURCES tst_arming.cpp LIBS core_workspace core_promotion core_rollout core_rollback core_records COST 3)
# The CLI: --arm REASON on `cohorts set|reset` (no service needed), exit codes, help texts, the audited sandbox marker.
raize_add_test(test_arming_cli SOURCES tst_arming_cli.cpp LIBS core_rollout core_records core_policy COST 4)
add_dependencies(test_arming_cli raize-console)
