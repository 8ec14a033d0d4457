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
