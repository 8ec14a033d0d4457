# The promotion as a core session (issue #14, item 2): data-driven, no sandbox (fake services, in-memory audit, ManualClock).
raize_add_test(test_promotion_session SOURCES tst_promotion_session.cpp LIBS core_promotion)
# `raize-console promote review|approve|override|run` against the release sandbox (scenario promotion-review).
raize_add_test(test_promote_cli SOURCES tst_promote_cli.cpp LIBS sandbox_fixture core_records Qt6::Network nlohmann_json::nlohmann_json
    TIMEOUT 180 COST 21 LABELS sandbox)
add_dependencies(test_promote_cli raize-console)
