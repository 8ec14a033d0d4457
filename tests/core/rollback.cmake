# The rollback plan builder (issue #9): pure, data-driven.
raize_add_test(test_rollback_plan SOURCES tst_rollback_plan.cpp LIBS core_rollback)
