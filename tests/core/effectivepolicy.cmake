# The effective policy (issue #14, item 1; ADR 0017): layers, floors, refusals
# with their line, read-only, and the core consumers honouring a tenant bundle.
raize_add_test(test_effective_policy SOURCES tst_effective_policy.cpp LIBS core_effectivepolicy core_base)
add_dependencies(test_effective_policy raize-console)
