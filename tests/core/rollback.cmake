# The rollback plan builder (issue #9): pure, data-driven.
raize_add_test(test_rollback_plan SOURCES tst_rollback_plan.cpp LIBS core_rollback)
# The rollback against the whole sandbox through the CLI (real Unleash, Prometheus, gnome-keyring).
raize_add_test(test_rollback_sandbox SOURCES tst_rollback_sandbox.cpp LIBS sandbox_fixture
    KEYRING RUN_SERIAL TIMEOUT 1500 LABELS sandbox keyring)
