# Contract test (issue #5): the clients' calls to the fakes through Prism's
# validating proxy, against the official descriptions in tests/contract/specs.
raize_add_test(test_contract SOURCES tst_contract.cpp LIBS core_vercel core_github fake_vercel fake_github
    TIMEOUT 180 COST 6 LABELS sandbox contract)
