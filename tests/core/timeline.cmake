# The timeline's time→pixel value type (issue #7, part 1).
raize_add_test(test_timescale SOURCES tst_timescale.cpp LIBS core_timeline)
