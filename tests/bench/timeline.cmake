# The release timeline: 100,000 events, model load and zoom/pan frame times (issue #7).
raize_add_bench(bench_timeline SOURCES bench_timeline.cpp LIBS console_ui)
