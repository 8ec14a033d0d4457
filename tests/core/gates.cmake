# Promotion gates (issue #7): policy sections, one row per playbook gate rule, approvals.
raize_add_test(test_release_gates SOURCES tst_release_gates.cpp LIBS core_gates)
