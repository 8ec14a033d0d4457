# The SLO metrics adapter: Prometheus range series → counters per cohort and lane.
raize_add_test(test_slo_metrics SOURCES tst_slo_metrics.cpp LIBS core_slometrics)
