# The sandbox's start to all-healthy, the console's first live data on it and its memory
# with 100,000 timeline events and 30 days of SLO data (issue #15).
raize_add_bench(bench_sandbox SOURCES sandbox.cpp LIBS Qt6::Core Qt6::Network bench_util sandbox_fixture)
target_compile_definitions(bench_sandbox PRIVATE RAIZE_CONSOLE_PATH="$<TARGET_FILE:raize-console>")
add_dependencies(bench_sandbox raize-console)
