# The release timeline (issue #7, part 1).
raize_add_test(test_timeline SOURCES tst_timeline.cpp LIBS console_ui LABELS gui)
# The promotion review on the release sandbox, end to end: blocked → lapse → override → approved → promoted (timeline).
raize_add_test(test_promotion_review SOURCES tst_promotion_review.cpp LIBS console_ui sandbox_fixture
    TIMEOUT 180 COST 17 LABELS gui sandbox)
# Comparing policy bundles (built-in against a tenant's).
raize_add_test(test_policy_diff_dialog SOURCES tst_policy_diff_dialog.cpp LIBS console_ui LABELS gui)
# The SLO charts' range linked to the timeline both ways, against a small in-process Prometheus (issue #8, part 5).
raize_add_test(test_time_range_link SOURCES tst_time_range_link.cpp LIBS console_ui fake_http LABELS gui)
# The Promotion view without a sandbox: it shows a Promotion session fed by fake services and forwards the input.
raize_add_test(test_promotion_view SOURCES tst_promotion_view.cpp LIBS console_ui LABELS gui)
# The timeline's sources against in-process services (issue #19): flag changes
# from the event log once (the audit log's actor wins), conditional polling,
# the runner lane, production changed outside the console, "stale since",
# "what changed" and the page banner's button.
raize_add_test(test_timeline_sources SOURCES tst_timeline_sources.cpp LIBS console_ui fake_http LABELS gui)
# The timeline on the release sandbox (issue #19 acceptance): a flag toggled
# through Unleash's admin API appears within one poll with who, before and
# after; a runner deployment in the runner lane; Unleash stopped → "stale since".
raize_add_test(test_timeline_sandbox SOURCES tst_timeline_sandbox.cpp LIBS console_ui sandbox_fixture
    RUN_SERIAL TIMEOUT 180 LABELS gui sandbox)
