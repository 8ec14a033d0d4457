raize_add_test(test_policy_bundle SOURCES tst_policy_bundle.cpp LIBS core_policy)
# The policy's confirmations table (issue #14, item 5): parser, floor, exact-text rule.
raize_add_test(test_confirmation_policy SOURCES tst_confirmation_policy.cpp LIBS core_policy)
