# The SLO chart redraw: a 30-day, 1-minute burn series (43,200 points) LTTB-downsampled and drawn (goal < 16 ms).
raize_add_bench(bench_slo_chart SOURCES bench_slo_chart.cpp LIBS core_slo Qt6::Widgets Qt6::Charts)
