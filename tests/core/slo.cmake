# SLO burn-rate engine (issue #8, part 4): windows, burn rates, alert rules, budget, LTTB.
raize_add_test(test_slo_engine SOURCES tst_slo_engine.cpp LIBS core_slo)
