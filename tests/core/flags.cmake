# The flag service's Unleash backend (issue #6, part 2c) against the REAL
# unleash-server of the release sandbox; fake_http provides a pass-through
# proxy with the sandbox's fault injector (resets, truncated bodies, 503s).
raize_add_test(test_unleash_client SOURCES tst_unleash_client.cpp LIBS core_flags sandbox_fixture fake_http Qt6::Network
    TIMEOUT 180 COST 21 LABELS sandbox)

# The local evaluator (issue #18, item 1) against Unleash's conformance suite
# for client SDKs (npm @unleash/client-specification, pinned, installed by
# tools/sandbox/install-deps.sh) and hand-made payloads. No sandbox needed;
# the test fails when the suite is not installed.
raize_add_test(test_unleash_evaluator SOURCES tst_unleash_evaluator.cpp LIBS core_flags core_rollout)
target_compile_definitions(test_unleash_evaluator PRIVATE
    RAIZE_CLIENT_SPEC_DIR="${PROJECT_SOURCE_DIR}/.cache/node/client-spec/node_modules/@unleash/client-specification/specifications")
