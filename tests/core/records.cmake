# Records: audit log, changelog, journal, release notes (issue #10).
raize_add_test(test_audit_log SOURCES tst_audit.cpp LIBS core_records)
# The audit chain's SHA-256: OpenSSL and Qt agree (ADR 0010).
raize_add_test(test_sha256 SOURCES tst_sha256.cpp LIBS core_records)
raize_add_test(test_changelog SOURCES tst_changelog.cpp LIBS core_records)
raize_add_test(test_journal_notes SOURCES tst_journal_notes.cpp LIBS core_records)
raize_add_test(test_records_cli SOURCES tst_records_cli.cpp LIBS core_records)
# release-notes --publish against the GitHub fake, token from a real gnome-keyring.
raize_add_test(test_publish_cli SOURCES tst_publish_cli.cpp LIBS core_records fake_github KEYRING LABELS keyring)
# Post-release validation (issue #19 item 4): the checks, the run's state file, the records policy.
raize_add_test(test_post_release_validation SOURCES tst_post_release_validation.cpp LIBS core_validation core_records core_policy COST 2)
# Its journal entry on the platform repository: the GitHub fake behind Prism's validating proxy.
raize_add_test(test_validation_journal SOURCES tst_validation_journal.cpp LIBS core_validation core_github fake_github
    TIMEOUT 120 COST 8 LABELS contract)
# Release notes from the promoted release's evidence, operator and client versions (issue #19 item 5).
raize_add_test(test_evidence_notes SOURCES tst_evidence_notes.cpp LIBS core_releaseevidence core_records core_policy COST 2)
# `raize-console validate` resumed headless: the GitHub fake and a Prometheus stub in the test, token from a keyring.
raize_add_test(test_validate_cli SOURCES tst_validate_cli.cpp LIBS core_records fake_github KEYRING LABELS keyring COST 10)
# The published chain head (issue #17 item 7, ADR 0031): heads queued by the log, published as comments on the
# audit issue, `audit verify --published` (data-driven: truncated, edited, rewritten, replaced, forged, edited
# comments), the queue across a restart and a failing GitHub; on an in-process GitHub fake, no sandbox processes.
raize_add_test(test_audit_published SOURCES tst_audit_published.cpp LIBS core_records core_github fake_github TIMEOUT 120 COST 6)
add_dependencies(test_audit_published raize-console)
# Settings changes audited (issue #17 item 6): before/after, no record no change, a new log carries the chain on.
raize_add_test(test_settings_audit SOURCES tst_settings_audit.cpp LIBS core_records core_workspace)
# Every action's record complete (issue #17, acceptance of item 6): a flag toggle, a promotion (approval, promote,
# effective), a rollback step and a settings change, each with actor, request id (x-vercel-id, X-GitHub-Request-Id,
# the flag service's event id, else "console:<uuid>"), before and after; in-process fakes, no sandbox processes.
raize_add_test(test_audit_records SOURCES tst_audit_records.cpp
    LIBS core_promotion core_rollback core_rollout core_release core_flagevents core_records fake_vercel fake_github TIMEOUT 120 COST 2)
