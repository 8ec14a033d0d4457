# Promotion gates (issue #7): policy sections, one row per playbook gate rule, approvals.
raize_add_test(test_release_gates SOURCES tst_release_gates.cpp LIBS core_gates core_gatefacts)
# `gates check` against the release sandbox (scenario promotion-review): pass, blocked, service errors.
raize_add_test(test_gates_cli SOURCES tst_gates_cli.cpp LIBS sandbox_fixture Qt6::Network nlohmann_json::nlohmann_json
    TIMEOUT 180 COST 20 LABELS sandbox)
add_dependencies(test_gates_cli raize-console)
# Policy bundles per tenant: diff, and `policy check|diff`.
raize_add_test(test_policy_diff SOURCES tst_policy_diff.cpp LIBS core_policy)
add_dependencies(test_policy_diff raize-console)
# Migrations from GitHub (issues #16 item 7, #17 item 3): the file list of a comparison, each file's marker read
# at the head commit, its pull request's labels; unknown where nothing says.
raize_add_test(test_migrations SOURCES tst_migrations.cpp LIBS core_gates core_gatefacts fake_http)
