#pragma once

#include "policy/confirmations.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace Raize::Ui {

// What a dangerous action asks the operator to confirm.
struct ConfirmationRequest
{
    Policy::ConfirmAction action = Policy::ConfirmAction::Rollback;
    QString environment; // the environment the action changes (the typed name, when the rule asks for it)
    QString title;       // one line: "Promote dpl_123 to production?"
    QString plan;        // the exact plan: every call or change that will be made, one per line
    QString acceptLabel; // the confirming button: "Promote to production"
    // Non-empty: the action also needs a reason, asked under this label (arming, ADR 0028);
    // the confirming button stays disabled while it is blank. lastReason() holds what was given.
    QString reasonLabel;
};

// The one way the console confirms a dangerous action (issue #14, item 5;
// STYLE.md §3): shows the exact plan and asks for what the policy's
// confirmations table requires for the action (nothing, the environment's
// name, or a word, typed exactly). The confirming button stays disabled
// until the typed text matches.
//
// Tests answer it through one hook, as KeePassXC's MessageBox::setNextAnswer:
// a queued answer is consumed by the next ask(), which then shows no dialog;
// a typed answer is still judged by the rule, so a near miss is refused
// exactly as it would be in the dialog.
class Confirmation : public QDialog
{
    Q_OBJECT

public:
    Confirmation(const ConfirmationRequest &request, const Policy::ConfirmRule &rule, QWidget *parent = nullptr);
    ~Confirmation() override;

    // Asks under the table's rule for request.action; true when confirmed.
    static bool ask(QWidget *parent, const ConfirmationRequest &request);

    // The table ask() reads (the profile's policy; the built-in bundle's until set).
    static void setTable(const Policy::Confirmations &table);
    static const Policy::Confirmations &table();

    // The test hook: the next ask() returns without showing anything,
    // confirming when `confirm` is true and `typed` satisfies the rule
    // (ignored for a rule that needs no typing). Answers queue up.
    static void setNextAnswer(bool confirm, const QString &typed = {}, const QString &reason = {});
    // The reason given with the last confirmed ask() that asked for one (trimmed).
    static QString lastReason();
    // Every request ask() was given since the last reset, oldest first
    // (answered by the hook or by the operator): what a test inspects.
    static const QList<ConfirmationRequest> &asked();
    // Forgets queued answers and asked requests.
    static void resetHook();

    const Policy::ConfirmRule &rule() const { return m_rule; }
    QString typedText() const;
    QString reasonText() const;
    // Whether the current input satisfies the rule (the confirming button's state).
    bool confirmable() const;

private:
    void refreshState();

    ConfirmationRequest m_request;
    Policy::ConfirmRule m_rule;
    QPlainTextEdit *m_plan;
    QLabel *m_prompt;
    QLineEdit *m_input;
    QLineEdit *m_reason = nullptr;
    QLabel *m_hint;
    QPushButton *m_accept;
    QPushButton *m_cancel;
};

} // namespace Raize::Ui
