# DORA's five metrics on a hand-computed fixture of records (issue #19, part 3).
raize_add_test(test_dora SOURCES tst_dora.cpp LIBS core_dora)
# The records collected from Vercel, GitHub and the run journals: in-process
# fakes on loopback, no sandbox; GitHub failures become warnings, Vercel's fail.
raize_add_test(test_dora_collector SOURCES tst_dora_collector.cpp LIBS core_doracollect fake_vercel fake_github)
