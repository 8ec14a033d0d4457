# SLO burn-rate engine (issue #8, part 4): windows, burn rates, alert rules, budget, LTTB.
raize_add_test(test_slo_engine SOURCES tst_slo_engine.cpp LIBS core_slo)
# Issue #15, item 1: the SLO table (policy slos[].series, docs/slo-labels.md)
# that the console's queries and the platform simulator both follow; every
# SLO burns above the page with its fault and stays under 1x without it
# (in-process, fake clock); scenario faults are checked, unknown kinds refused.
raize_add_test(test_slo_labels SOURCES tst_slo_labels.cpp LIBS core_slometrics fake_platform fake_github)
add_dependencies(test_slo_labels raize-sandbox-service)
