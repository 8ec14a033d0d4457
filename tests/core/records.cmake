# Records: audit log, changelog, journal, release notes (issue #10).
raize_add_test(test_audit_log SOURCES tst_audit.cpp LIBS core_records)
raize_add_test(test_changelog SOURCES tst_changelog.cpp LIBS core_records)
raize_add_test(test_journal_notes SOURCES tst_journal_notes.cpp LIBS core_records)
raize_add_test(test_records_cli SOURCES tst_records_cli.cpp LIBS core_records)
