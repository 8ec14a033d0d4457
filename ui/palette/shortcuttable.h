#pragma once

#include <QKeySequence>
#include <QList>
#include <QString>

class QObject;
class QWidget;

namespace Raize::Ui {

// One key of the console: the control it acts on (by objectName) and where
// it acts. A button or an action is pressed; any other widget (a search
// field) gets the focus.
struct ShortcutBinding
{
    QString objectName;
    QKeySequence keys;
    QString where; // "window" (menus, header, alert banner), a view name, or a dialog's objectName
    QString what;  // for a dialog's key, what the shortcut sheet says (a view's key is named by its control)
};

// What the shortcut sheet calls a dialog of the table ("rollbackDialog" → "Rollback dialog"); empty: not a dialog.
QString dialogTitle(const QString &where);

// Every key the console binds to a control, one table (issue #21 item 2).
// Rules: standard keys where Qt has one (Refresh, Open, SaveAs, New, Find);
// Ctrl+Shift+letter for what changes production (each still behind its own
// confirmation); a key is unique among the controls that can be visible at
// the same time in one window (test_keyboard checks the live window, not this table).
const QList<ShortcutBinding> &shortcutBindings();

// Binds every control of the table found under `root` (and `root` itself):
// a QShortcut child of the control (a button's own shortcut is reset by every
// setText, so it would not survive "ROLLBACK" → "RESUME ROLLBACK"), and the
// key at the end of the control's tooltip, kept there when the tooltip changes.
// Idempotent; returns how many controls it bound this time.
int applyShortcuts(QWidget *root);

// The key a control answers to: its binding from the table, else its own
// (a QAction's shortcut, a button's mnemonic). Empty: none.
QKeySequence shortcutOf(const QObject *control);

// "Review the plan (Ctrl+Shift+R)": the tooltip with its key.
QString tooltipWithKeys(const QString &tooltip, const QKeySequence &keys);

// The dynamic property that holds a control's bound key.
inline constexpr const char *BoundKeysProperty = "raize.shortcut";

} // namespace Raize::Ui
