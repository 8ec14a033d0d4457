raize_add_bench(bench_audit_verify SOURCES audit_verify.cpp LIBS core_records bench_util)
raize_add_bench(bench_audit_append SOURCES audit_append.cpp LIBS core_records bench_util)
# Opening a 1,000,000-record log in the audit viewer (issue #15).
raize_add_bench(bench_audit_view SOURCES audit_view.cpp LIBS console_ui Qt6::Test bench_util)
