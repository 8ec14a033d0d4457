# Every change from its source (issue #19 items 1, 2): the flag services'
# event logs parsed, the sources merged without duplicates, "what changed"
# ranked against a page (the bad-L3 table), "stale since", the per-service
# Vercel projects setting.
raize_add_test(test_changes SOURCES tst_changes.cpp LIBS core_changes core_workspace)
