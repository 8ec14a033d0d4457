# Foundation GUI: the shell, the settings dialog, and the token-leak check.
raize_add_test(test_mainwindow SOURCES tst_mainwindow.cpp widgettext.h LIBS console_ui KEYRING LABELS gui keyring)
raize_add_test(test_token_leak SOURCES tst_token_leak.cpp widgettext.h LIBS console_ui KEYRING LABELS gui keyring
    ENV "RAIZE_KEYCHAIN_SERVICE=raize-console-leaktest" TIMEOUT 180 COST 20)
# Test connection in Settings, per service (issue #6).
raize_add_test(test_test_connection SOURCES tst_test_connection.cpp LIBS console_ui fake_vercel fake_github KEYRING LABELS gui keyring)
# The command palette (Ctrl+K) and the shortcut sheet (F1, "?") (issue #21, items 1 and 2).
raize_add_test(test_palette SOURCES tst_palette.cpp LIBS console_ui LABELS gui)
# The keyboard-first console (issue #21, items 1, 2, 4, 5): keys unique per window, every button with a key and in
# its palette (dialogs too), dialog → focus table, accessible names, promote / toggle / acknowledge with keys only.
raize_add_test(test_keyboard SOURCES tst_keyboard.cpp LIBS console_ui TIMEOUT 120 COST 15 LABELS gui)
# Read-only until armed, on screen (issue #21 item 3, ADR 0028): controls off with the reason, Ctrl+Shift+A,
# the header's countdown on the workspace's clock, the window's end.
raize_add_test(test_arming_header SOURCES tst_arming_header.cpp LIBS console_ui LABELS gui COST 4)
# Alerts nobody can miss (issue #16, item 5): banner on every view, title, status bar, desktop notification (D-Bus).
raize_add_test(test_alerts SOURCES tst_alerts.cpp LIBS console_ui Qt6::DBus fake_http KEYRING LABELS gui keyring)
