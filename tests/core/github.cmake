# The typed GitHub client against the stateful GitHub fake, in-process: pull requests, compare,
# checks, protection, environments, workflow runs and their gates, deployments, issues.
raize_add_test(test_github_client SOURCES tst_github_client.cpp LIBS core_github fake_github TIMEOUT 120)
