# The SLOs view on the release sandbox's real Prometheus and Unleash
# (issue #8, acceptance "bad L3 release"; issue #15 item 3): on bad-canary,
# enabling the canary through Unleash pages the house cohort (the control row
# first: without enabling it, no page); the page alert and its rollback hook.
raize_add_test(test_slo_view SOURCES tst_slo_view.cpp LIBS console_ui sandbox_fixture
    TIMEOUT 180 COST 60 LABELS gui sandbox)
# Auto-pacing in the SLOs view (issue #8, part 6), offscreen on an in-memory
# flag service: policy off → nothing to arm; armed → exactly the next stage,
# audited; stop; page alert, policy change and a failed change stop it.
raize_add_test(test_auto_pacing_panel SOURCES tst_auto_pacing_panel.cpp LIBS console_ui LABELS gui)
# The effective policy's GUI consumers (ADR 0017): SLOs view, toggle matrix,
# auto-pacing, flags pane honour a tenant bundle; a refused bundle is read-only.
raize_add_test(test_effective_policy_views SOURCES tst_effective_policy_views.cpp LIBS console_ui LABELS gui)
# The two-axis canary in the SLOs view (issue #20, ADR 0033), offscreen on the in-process Vercel and GitHub
# fakes: the stage panel follows the axes' choice (a note says why when flag-only), Advance asks the typed
# confirmation and sends approve-stage only when it is answered exactly, Abort asks the console.
raize_add_test(test_canary_slo_view SOURCES tst_canary_slo_view.cpp LIBS console_ui fake_vercel fake_github LABELS gui COST 3)
