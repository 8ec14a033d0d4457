raize_add_test(test_auditviewer SOURCES tst_auditviewer.cpp LIBS console_ui LABELS gui)
