# Two-axis canary (issue #20): Vercel rolling releases in the simulated Vercel and
# the platform's traffic split, driven in-process by RollingReleaseClient; and the
# pure stage plan (policy, axis choice, stage verdicts).
raize_add_test(test_rolling_release SOURCES tst_rolling_release.cpp LIBS core_vercel core_base fake_vercel fake_platform TIMEOUT 90 COST 5)
add_dependencies(test_rolling_release raize-console) # rollout axes
raize_add_test(test_canary_plan SOURCES tst_canary_plan.cpp LIBS core_effectivepolicy core_rollout TIMEOUT 60)
# The two-axis canary end to end in-process (good canary to 100 %, bad canary held, paged and aborted).
raize_add_test(test_canary_run SOURCES tst_canary_run.cpp LIBS core_canary core_rollback fake_vercel fake_platform fake_github TIMEOUT 120 COST 5)
# The split on the real sandbox: served-by, the control state, Prometheus' scrape, the abort.
# And the good canary through the workspace (time-compressed, every stage to 100 %, the timeline's stages).
raize_add_test(test_canary_sandbox SOURCES tst_canary_sandbox.cpp LIBS sandbox_fixture core_effective core_vercel Qt6::Network core_workspace console_ui
    TIMEOUT 180 COST 60 LABELS sandbox)
# The workspace's canary session in-process (ADR 0033): refusals that send and record nothing, a service's error,
# never started twice, advance refused on not enough data, pages into the AlertCenter, an abort seen once; the CLI's bad input.
raize_add_test(test_canary_session SOURCES tst_canary_session.cpp LIBS core_workspace core_changes fake_vercel fake_github Qt6::Network TIMEOUT 90 COST 4)
add_dependencies(test_canary_session raize-console) # canary status|start|advance
