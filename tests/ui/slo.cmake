# The SLOs view on the release sandbox's real Prometheus and Unleash
# (issue #8, acceptance "bad L3 release"): burn per cohort, the page alert and
# its rollback hook.
raize_add_test(test_slo_view SOURCES tst_slo_view.cpp LIBS console_ui sandbox_fixture
    RUN_SERIAL TIMEOUT 600 LABELS gui sandbox)
