# The promotion as a core session (issue #14, item 2): data-driven, no sandbox (fake services, in-memory audit, ManualClock).
raize_add_test(test_promotion_session SOURCES tst_promotion_session.cpp LIBS core_promotion)
# `raize-console promote review|approve|override|run` against the release sandbox (scenario promotion-review).
raize_add_test(test_promote_cli SOURCES tst_promote_cli.cpp LIBS sandbox_fixture core_records Qt6::Network nlohmann_json::nlohmann_json
    TIMEOUT 180 COST 21 LABELS sandbox)
add_dependencies(test_promote_cli raize-console)
# Reviewers are who their tokens say; approvals every console sees (issue #17, items 1 and 2): two consoles with
# two GitHub tokens on the in-process Vercel and GitHub fakes (no sandbox processes).
raize_add_test(test_promotion_identity SOURCES tst_promotion_identity.cpp LIBS core_promotion fake_vercel fake_github TIMEOUT 120)
# The pure rules of approvals through GitHub: the digest in the approval comment, approvals read back by login,
# the environment a reviewer approves (L3's second person: the policy's second environment), who may approve.
raize_add_test(test_github_review SOURCES tst_github_review.cpp LIBS core_promotion)
# Effective, not just accepted (issue #20 item 6, ADR 0027): the verdict table, the policy's rules, the probe's
# answers, and the confirmer against the in-process Vercel fake and platform simulator with faults (no sandbox processes).
raize_add_test(test_effective SOURCES tst_effective.cpp LIBS core_effective fake_platform TIMEOUT 60 COST 5)
# The manual Preview → Staging promote (§2.2, issue #17 item 5): the lighter gate set row by row, the session
# (identity, arming, records with Vercel's request id, before/after, read-back), and assignAlias against the
# in-process Vercel fake with 4xx/409/429 and a reset. No sandbox processes.
raize_add_test(test_staging_promotion SOURCES tst_staging_promotion.cpp LIBS core_promotion fake_vercel COST 2)
