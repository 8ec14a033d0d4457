# Foundation: settings, redaction, keychain, the ui link rule, packaging.
raize_add_test(test_settings SOURCES tst_settings.cpp LIBS core_base)
raize_add_test(test_redactor SOURCES tst_redactor.cpp LIBS core_base)
raize_add_test(test_keychain SOURCES tst_keychain.cpp LIBS core_base KEYRING LABELS keyring)
# The same store with no D-Bus session at all: the no-keyring path.
raize_add_test(test_keychain_missing SOURCES tst_keychain_missing.cpp LIBS core_base
    ENV "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/raize-no-bus")
raize_add_test(test_cli_token SOURCES tst_cli_token.cpp LIBS core_base KEYRING LABELS keyring)

# console_core must never pull in Widgets or Gui: a probe linked only against
# it is checked with readelf.
add_executable(core_link_probe core_link_probe.cpp)
target_link_libraries(core_link_probe PRIVATE console_core)
raize_add_test(test_core_links_no_widgets SOURCES tst_core_links.cpp LIBS Qt6::Core
    ENV "RAIZE_CORE_PROBE=$<TARGET_FILE:core_link_probe>")
add_dependencies(test_core_links_no_widgets core_link_probe)

# installedPackageRuns installs the .deb with apt-get and purges it again
# (label `root`: it needs root and QSKIPs without it; tests/core/package-guard.sh
# purges the package if the test dies midway).
raize_add_test(test_packaging SOURCES tst_packaging.cpp LIBS Qt6::Core Qt6::Gui
    TIMEOUT 180 COST 14 LABELS packaging root)
raize_add_test(test_cli_settings SOURCES tst_cli_settings.cpp LIBS core_records)
# Every ctest entry's TIMEOUT at most RAIZE_TEST_TIMEOUT_MAX, read from `ctest --show-only=json-v1` (issue #15, item 4).
raize_add_test(test_suite_limits SOURCES tst_suite_limits.cpp LIBS Qt6::Core
    ENV "RAIZE_TEST_TIMEOUT_MAX=${RAIZE_TEST_TIMEOUT_MAX}")
