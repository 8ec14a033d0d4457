# The Metrics view (issue #19, part 3): DORA's figures agree with `metrics dora --json`;
# live records through in-process Vercel and GitHub fakes (no sandbox).
raize_add_test(test_dora_view SOURCES tst_dora_view.cpp LIBS console_ui fake_vercel fake_github LABELS gui)
add_dependencies(test_dora_view raize-console)
