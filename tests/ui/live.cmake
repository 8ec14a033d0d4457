# The header's live data and degraded mode, against the in-process Vercel fake.
raize_add_test(test_live_header SOURCES tst_live_header.cpp LIBS console_ui fake_vercel LABELS gui)
# The Canary view's flags pane with degraded mode, against recorded Unleash answers.
raize_add_test(test_flags_pane SOURCES tst_flags_pane.cpp LIBS console_ui fake_http LABELS gui)
target_include_directories(test_flags_pane PRIVATE "${PROJECT_SOURCE_DIR}/tests/fakes")
# The big red button on the sandbox's wrong-account scenario (P0), tokens in a real gnome-keyring; then Restore from the
# Rollback view and a scoped plan (issue #16). ~43 s on a loaded machine.
raize_add_test(test_rollback_dialog SOURCES tst_rollback_dialog.cpp LIBS console_ui sandbox_fixture KEYRING TIMEOUT 180 COST 45
    LABELS gui sandbox keyring ARGS pressConfirmAndRollBack restoreFromTheButton scopedPlanAndItsBlastRadius)
# A scoped rollback with key events only (issue #21 item 4), on a sandbox of its own.
raize_add_test(test_rollback_keyboard EXECUTABLE test_rollback_dialog KEYRING TIMEOUT 180 COST 30
    LABELS gui sandbox keyring ARGS scopedRollbackWithKeysOnly)
# The way back through the canary stages (issue #16 item 10, ADR 0034), offscreen against in-process fakes (the
# bad-L3 scenario's Vercel and GitHub, a small Unleash): stages, the fix-forward refusal, stage 1, a held stage 2, Abort. ~2 s.
raize_add_test(test_restore_dialog SOURCES tst_restore_dialog.cpp LIBS console_ui fake_vercel fake_github LABELS gui COST 3)
