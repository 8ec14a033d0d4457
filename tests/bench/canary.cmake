# The two-axis canary: burn onset of a bad canary at 5 % → the stage held (issue #20), in-process.
raize_add_bench(bench_canary_hold SOURCES canary_hold.cpp LIBS core_canary fake_vercel fake_platform)
target_include_directories(bench_canary_hold PRIVATE "${PROJECT_SOURCE_DIR}/tests/fakes")
