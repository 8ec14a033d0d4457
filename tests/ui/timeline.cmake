# The release timeline (issue #7, part 1).
raize_add_test(test_timeline SOURCES tst_timeline.cpp LIBS console_ui LABELS gui)
