# Headless subcommands (issue #14): --help on every subcommand and
# sub-subcommand touches no service (a local recording server stands in for
# each one the profile names), `cohorts list|set|reset`, and where
# subcommands live.
raize_add_test(test_cli_help SOURCES tst_cli_help.cpp LIBS core_cli fake_http TIMEOUT 180)
add_dependencies(test_cli_help raize-console)
raize_add_test(test_cli_cohorts SOURCES tst_cli_cohorts.cpp LIBS core_rollout core_records fake_github)
add_dependencies(test_cli_cohorts raize-console)
raize_add_test(test_cli_layout SOURCES tst_cli_layout.cpp LIBS core_cli)
