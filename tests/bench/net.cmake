# The HTTP core's per-request overhead over raw QNetworkAccessManager (issue #6).
raize_add_bench(bench_http_overhead SOURCES http_overhead.cpp LIBS core_net fake_http Qt6::Network)
target_include_directories(bench_http_overhead PRIVATE "${PROJECT_SOURCE_DIR}/tests/fakes")
# Parsing a 5 MB GitHub compare answer into typed commits (issue #6).
raize_add_bench(bench_compare_parse SOURCES compare_parse.cpp LIBS core_github)
