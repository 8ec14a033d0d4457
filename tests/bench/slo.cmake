# SLO engine: 30 days × 1-minute samples × 6 SLOs × 3 cohorts (goal < 50 ms), LTTB 43,200 → 1,000.
raize_add_bench(bench_slo SOURCES bench_slo.cpp LIBS core_slo)
