# The Canary view's toggle matrix on the release sandbox's real Unleash
# (issue #8, part 3): confirmation for widening, pending until read back,
# audit records, the §4.3 rule.
raize_add_test(test_canary_matrix SOURCES tst_canary_matrix.cpp LIBS console_ui sandbox_fixture
    TIMEOUT 180 COST 18 LABELS gui sandbox)
# The cohort editor (issue #8, part 1): the profile's cohorts, validated, audited, reset.
raize_add_test(test_cohort_editor SOURCES tst_cohort_editor.cpp LIBS console_ui LABELS gui)
# The toggle matrix's cells for flags that depend on other flags (issue #18, item 1).
raize_add_test(test_toggle_matrix_model SOURCES tst_toggle_matrix_model.cpp LIBS console_ui LABELS gui)
# The two-axis canary panel: the stage plan model, the axes' reason, the canary-vs-baseline chart (issue #20).
raize_add_test(test_canary_stage_panel SOURCES tst_canary_stage_panel.cpp LIBS console_ui LABELS gui)
