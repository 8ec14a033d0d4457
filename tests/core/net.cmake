# The HTTP core and the service clients (issue #6), against the sandbox's fakes in-process.
raize_add_test(test_net_client SOURCES tst_net_client.cpp LIBS core_vercel core_github core_prometheus fake_vercel fake_github TIMEOUT 180 COST 29)
# 10,000 seeded mutations of recorded bodies through every parser (also under asan-ubsan).
raize_add_test(test_parser_mutation SOURCES tst_parser_mutation.cpp LIBS core_vercel core_github core_prometheus core_flags core_launchdarkly TIMEOUT 180)
