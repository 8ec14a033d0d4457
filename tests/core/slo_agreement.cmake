# Issue #8 acceptance: the engine's burn rates from range data agree with
# Prometheus' own increase() ratios within 1 % on the sandbox's data.
raize_add_test(test_slo_agreement SOURCES tst_slo_agreement.cpp LIBS core_slometrics sandbox_fixture
    TIMEOUT 180 LABELS sandbox)
# Issue #15, item 1, on the real sandbox (every-slo-burns): each SLO of the
# table burns above 14.4x with its fault (house) and stays under 1x without
# it (low-risk, broad), read with the console's selectors from Prometheus.
raize_add_test(test_slo_burn SOURCES tst_slo_burn.cpp LIBS core_slometrics sandbox_fixture
    TIMEOUT 180 LABELS sandbox)
