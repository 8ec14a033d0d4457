# The LaunchDarkly backend: parsing, evaluation, semantic patch, and a contract test on Prism's mock.
raize_add_test(test_launchdarkly_client SOURCES tst_launchdarkly_client.cpp LIBS core_launchdarkly TIMEOUT 180 LABELS contract)
