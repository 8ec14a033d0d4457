# tests/bench/startup: process start → main window shown, fresh and configured profile, median of 10 runs.
raize_add_bench(bench_startup SOURCES startup.cpp LIBS Qt6::Core bench_util)
target_compile_definitions(bench_startup PRIVATE RAIZE_CONSOLE_PATH="$<TARGET_FILE:raize-console>")
add_dependencies(bench_startup raize-console)
