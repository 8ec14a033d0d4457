# The one confirmation of a dangerous action (issue #14, item 5): the plan, the
# policy's rule, exact typing, the test hook.
raize_add_test(test_confirmation SOURCES tst_confirmation.cpp LIBS console_ui LABELS gui)
