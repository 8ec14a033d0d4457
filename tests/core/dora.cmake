# DORA's five metrics on a hand-computed fixture of records (issue #19, part 3).
raize_add_test(test_dora SOURCES tst_dora.cpp LIBS core_dora)
