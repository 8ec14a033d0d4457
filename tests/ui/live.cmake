# The header's live data and degraded mode, against the in-process Vercel fake.
raize_add_test(test_live_header SOURCES tst_live_header.cpp LIBS console_ui fake_vercel LABELS gui)
