# Issue #8 acceptance: the engine's burn rates from range data agree with
# Prometheus' own increase() ratios within 1 % on the sandbox's data.
raize_add_test(test_slo_agreement SOURCES tst_slo_agreement.cpp LIBS core_slometrics sandbox_fixture
    RUN_SERIAL TIMEOUT 180 LABELS sandbox)
