# The workspace (issue #14, item 1; ADR 0014): one HTTP client shared by every
# caller, one flag-backend factory, what the rollback session takes from it.
# A loopback server of its own; no sandbox, no keyring (tokens are handed in).
raize_add_test(test_workspace SOURCES tst_workspace.cpp LIBS core_workspace core_rollback fake_github)
# Acceptance line 1 of issue #14: ui/ builds no connection, one flag-backend
# factory, app/slo/ includes no service client.
raize_add_test(test_workspace_layout SOURCES tst_workspace_layout.cpp)
