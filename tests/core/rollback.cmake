# The rollback plan builder (issue #9): pure, data-driven.
raize_add_test(test_rollback_plan SOURCES tst_rollback_plan.cpp LIBS core_rollback)
# The rollback against the whole sandbox through the CLI (real Unleash, Prometheus, gnome-keyring):
# the P0 run, two consoles and the crash test in one, the fault matrix in the other (each its own sandbox).
raize_add_test(test_rollback_sandbox SOURCES tst_rollback_sandbox.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 1500 LABELS sandbox keyring ENV "QTEST_FUNCTION_TIMEOUT=1200000"
    ARGS planNamesEveryCall p0WrongAccountEndToEnd twoConsolesOneExecutes crashAtEveryBoundary crashInTheMiddleOfACall)
raize_add_test(test_rollback_faults SOURCES tst_rollback_sandbox.cpp LIBS sandbox_fixture
    KEYRING TIMEOUT 1500 LABELS sandbox keyring ENV "QTEST_FUNCTION_TIMEOUT=1200000"
    ARGS faultOnEachCall)
