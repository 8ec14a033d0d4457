# The promotion as a core session (issue #14, item 2): data-driven, no sandbox (fake services, in-memory audit, ManualClock).
raize_add_test(test_promotion_session SOURCES tst_promotion_session.cpp LIBS core_promotion)
