# Kill-switch fan-out: 30 flags vs one call with 100 ms injected latency (issue #9; goal ≤ 1.5×).
raize_add_bench(bench_killswitch SOURCES killswitch.cpp LIBS core_rollback sandbox_fixture)
