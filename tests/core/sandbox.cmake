# The release sandbox (issue #5). test_sandbox_integration starts the real
# PostgreSQL, Unleash and Prometheus; the others run in-process.
raize_add_test(test_sandbox_integration SOURCES tst_sandbox_integration.cpp LIBS sandbox_fixture core_prometheus Qt6::Network
    RUN_SERIAL TIMEOUT 180 LABELS sandbox)
raize_add_test(test_fake_faults SOURCES tst_fake_faults.cpp LIBS fake_platform)
