# The flag service's Unleash backend (issue #6, part 2c) against the REAL
# unleash-server of the release sandbox; fake_http provides a pass-through
# proxy with the sandbox's fault injector (resets, truncated bodies, 503s).
raize_add_test(test_unleash_client SOURCES tst_unleash_client.cpp LIBS core_flags sandbox_fixture fake_http Qt6::Network
    RUN_SERIAL TIMEOUT 180 LABELS sandbox)
