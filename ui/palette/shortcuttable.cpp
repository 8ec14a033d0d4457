#include "palette/shortcuttable.h"

#include "palette/commandcollector.h"

#include <QAbstractButton>
#include <QAction>
#include <QEvent>
#include <QHash>
#include <QLineEdit>
#include <QPointer>
#include <QShortcut>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

namespace {

// The platform's standard key, or the common one where the platform has none (offscreen has no SaveAs).
QKeySequence keys(QKeySequence::StandardKey standard, QKeyCombination fallback)
{
    const QKeySequence platform(standard);
    return platform.isEmpty() ? QKeySequence(fallback) : platform;
}

QKeySequence keys(QKeyCombination combination)
{
    return QKeySequence(combination);
}

// A control's key: presses the button (or focuses the field) while the
// control is visible and enabled in the active window, and keeps the key at
// the end of the control's tooltip when the control changes its tooltip.
class BoundShortcut : public QShortcut
{
public:
    BoundShortcut(const QKeySequence &keys, QWidget *control)
        : QShortcut(keys, control)
    {
        setObjectName(u"shortcut_"_s + control->objectName());
        setContext(Qt::WindowShortcut);
        QPointer<QWidget> target(control);
        connect(this, &QShortcut::activated, control, [target] {
            if (!target || !target->isEnabled() || !target->isVisible())
                return;
            if (auto *button = qobject_cast<QAbstractButton *>(target.data())) {
                button->setFocus(Qt::ShortcutFocusReason);
                button->animateClick();
                return;
            }
            target->setFocus(Qt::ShortcutFocusReason);
            if (auto *edit = qobject_cast<QLineEdit *>(target.data()))
                edit->selectAll();
        });
        control->installEventFilter(this);
        markTooltip(control);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::ToolTipChange)
            markTooltip(static_cast<QWidget *>(watched));
        return QShortcut::eventFilter(watched, event);
    }

private:
    void markTooltip(QWidget *control) const
    {
        QString base = control->toolTip();
        if (base.isEmpty()) {
            if (auto *button = qobject_cast<QAbstractButton *>(control))
                base = plainText(button->text());
            if (base.isEmpty())
                base = control->accessibleName();
        }
        const QString suffix = tooltipWithKeys({}, key());
        if (!control->toolTip().endsWith(suffix))
            control->setToolTip(tooltipWithKeys(base, key()));
    }
};

} // namespace

const QList<ShortcutBinding> &shortcutBindings()
{
    using Qt::ALT;
    using Qt::CTRL;
    using Qt::SHIFT;
    static const QList<ShortcutBinding> table = {
        // Always there: the header and the alert banner above every view (the menus carry their own keys).
        {u"rollbackButton"_s, keys(CTRL | SHIFT | Qt::Key_R), u"window"_s, {}},
        {u"raiseSecuritySuspicion"_s, keys(CTRL | ALT | Qt::Key_P), u"window"_s, {}},
        {u"alertAcknowledge"_s, keys(CTRL | SHIFT | Qt::Key_K), u"window"_s, {}},
        {u"alertRollbackPlan"_s, keys(CTRL | SHIFT | Qt::Key_O), u"window"_s, {}},
        {u"alertWhatChanged"_s, keys(CTRL | SHIFT | Qt::Key_W), u"window"_s, {}},
        // Canary.
        {u"matrixTurnOnButton"_s, keys(CTRL | SHIFT | Qt::Key_N), u"canary"_s, {}},
        {u"matrixTurnOffButton"_s, keys(CTRL | SHIFT | Qt::Key_F), u"canary"_s, {}},
        {u"editCohortsButton"_s, keys(CTRL | Qt::Key_E), u"canary"_s, {}},
        {u"flagsTable"_s, keys(CTRL | Qt::Key_L), u"canary"_s, {}},
        {u"canaryMatrixTable"_s, keys(CTRL | Qt::Key_M), u"canary"_s, {}},
        // SLOs.
        {u"autoPacingArmButton"_s, keys(CTRL | SHIFT | Qt::Key_G), u"slos"_s, {}},
        {u"autoPacingStopButton"_s, keys(CTRL | Qt::Key_Period), u"slos"_s, {}},
        {u"canaryStart"_s, keys(CTRL | SHIFT | Qt::Key_J), u"slos"_s, {}},
        {u"canaryAdvance"_s, keys(CTRL | SHIFT | Qt::Key_U), u"slos"_s, {}},
        {u"canaryAbort"_s, keys(CTRL | SHIFT | Qt::Key_B), u"slos"_s, {}},
        // Promotion.
        {u"promotionRefresh"_s, keys(QKeySequence::Refresh, Qt::Key_F5), u"promotion"_s, {}},
        {u"promotionPolicyDiff"_s, keys(CTRL | Qt::Key_D), u"promotion"_s, {}},
        {u"promotionApprove"_s, keys(CTRL | SHIFT | Qt::Key_Y), u"promotion"_s, {}},
        {u"promotionOverride"_s, keys(CTRL | ALT | Qt::Key_O), u"promotion"_s, {}},
        {u"promotionPromote"_s, keys(CTRL | SHIFT | Qt::Key_M), u"promotion"_s, {}},
        {u"promotionDraftNotes"_s, keys(CTRL | ALT | Qt::Key_N), u"promotion"_s, {}},
        {u"promotionStagingPromote"_s, keys(CTRL | ALT | Qt::Key_S), u"promotion"_s, {}},
        // Rollback.
        {u"openRollback"_s, keys(QKeySequence::Open, CTRL | Qt::Key_O), u"rollback"_s, {}},
        {u"restoreRun"_s, keys(CTRL | SHIFT | Qt::Key_T), u"rollback"_s, {}},
        {u"rollbackRuns"_s, keys(CTRL | Qt::Key_L), u"rollback"_s, {}},
        // Audit.
        {u"auditReload"_s, keys(QKeySequence::Refresh, Qt::Key_F5), u"audit"_s, {}},
        {u"auditExport"_s, keys(QKeySequence::SaveAs, CTRL | SHIFT | Qt::Key_S), u"audit"_s, {}},
        {u"auditVerify"_s, keys(CTRL | SHIFT | Qt::Key_V), u"audit"_s, {}},
        {u"auditSearch"_s, keys(QKeySequence::Find, CTRL | Qt::Key_F), u"audit"_s, {}},
        // Metrics.
        {u"doraRefresh"_s, keys(QKeySequence::Refresh, Qt::Key_F5), u"metrics"_s, {}},
        // The one confirmation: Enter alone never confirms, Ctrl+Enter does once the typed text matches.
        {u"confirmationAccept"_s, keys(CTRL | Qt::Key_Return), u"confirmation"_s, u"Confirm (once the typed text matches)"_s},
        // The rollback dialog.
        {u"buildPlan"_s, keys(CTRL | Qt::Key_B), u"rollbackDialog"_s, u"Read live state and build the plan"_s},
        {u"execute"_s, keys(CTRL | SHIFT | Qt::Key_X), u"rollbackDialog"_s, u"Execute the rollback (asks for its confirmation)"_s},
        {u"retry"_s, keys(CTRL | Qt::Key_R), u"rollbackDialog"_s, u"Retry the failed step"_s},
        {u"skip"_s, keys(CTRL | Qt::Key_J), u"rollbackDialog"_s, u"Skip the failed step with the reason typed"_s},
        {u"abort"_s, keys(CTRL | SHIFT | Qt::Key_Q), u"rollbackDialog"_s, u"Abort the rollback"_s},
        {u"scope"_s, keys(CTRL | Qt::Key_L), u"rollbackDialog"_s, u"Go to the scope"_s},
        // The way back through the canary stages (issue #16 item 10).
        {u"restoreAdvance"_s, keys(CTRL | SHIFT | Qt::Key_X), u"restoreDialog"_s, u"Advance to the next stage (asks for its confirmation)"_s},
        {u"restoreAbort"_s, keys(CTRL | SHIFT | Qt::Key_Q), u"restoreDialog"_s, u"Abort the way back where it is"_s},
        {u"restorePullRequest"_s, keys(CTRL | Qt::Key_L), u"restoreDialog"_s, u"Go to the fix-forward pull request"_s},
        // The cohort editor.
        {u"addCohortButton"_s, keys(QKeySequence::New, CTRL | Qt::Key_N), u"cohortEditor"_s, u"Add a cohort"_s},
        {u"removeCohortButton"_s, keys(CTRL | Qt::Key_Delete), u"cohortEditor"_s, u"Remove the selected cohort"_s},
        {u"resetCohortsButton"_s, keys(CTRL | ALT | Qt::Key_R), u"cohortEditor"_s, u"Reset to the policy's cohorts"_s},
        {u"cohortSaveButton"_s, keys(CTRL | Qt::Key_Return), u"cohortEditor"_s, u"Save (asks for its confirmation)"_s},
        // Comparing policy bundles.
        {u"policyDiffCompare"_s, keys(CTRL | Qt::Key_Return), u"policyDiffDialog"_s, u"Compare"_s},
        {u"policyDiffFromBrowse"_s, keys(CTRL | Qt::Key_O), u"policyDiffDialog"_s, u"Browse for the \"from\" bundle"_s},
        {u"policyDiffToBrowse"_s, keys(CTRL | SHIFT | Qt::Key_O), u"policyDiffDialog"_s, u"Browse for the \"to\" bundle"_s},
        // Settings: one "Test connection" per service page; only the shown page's answers.
        {u"vercelTestConnection"_s, keys(CTRL | Qt::Key_T), u"settingsDialog"_s, u"Test connection (the page shown)"_s},
        {u"githubTestConnection"_s, keys(CTRL | Qt::Key_T), u"settingsDialog"_s, u"Test connection (the page shown)"_s},
        {u"flagsTestConnection"_s, keys(CTRL | Qt::Key_T), u"settingsDialog"_s, u"Test connection (the page shown)"_s},
        {u"prometheusTestConnection"_s, keys(CTRL | Qt::Key_T), u"settingsDialog"_s, u"Test connection (the page shown)"_s},
        {u"settingsOk"_s, keys(CTRL | Qt::Key_Return), u"settingsDialog"_s, u"Save the settings"_s},
    };
    return table;
}

int applyShortcuts(QWidget *root)
{
    if (!root)
        return 0;
    int bound = 0;
    for (const ShortcutBinding &b : shortcutBindings()) {
        QList<QWidget *> controls = root->findChildren<QWidget *>(b.objectName);
        if (root->objectName() == b.objectName)
            controls.prepend(root);
        for (QWidget *control : std::as_const(controls)) {
            if (control->property(BoundKeysProperty).value<QKeySequence>() == b.keys)
                continue;
            control->setProperty(BoundKeysProperty, QVariant::fromValue(b.keys));
            new BoundShortcut(b.keys, control);
            ++bound;
        }
    }
    return bound;
}

QKeySequence shortcutOf(const QObject *control)
{
    if (!control)
        return {};
    const QVariant bound = control->property(BoundKeysProperty);
    if (bound.isValid())
        return bound.value<QKeySequence>();
    if (const auto *action = qobject_cast<const QAction *>(control))
        return action->shortcut();
    if (const auto *button = qobject_cast<const QAbstractButton *>(control))
        return button->shortcut();
    return {};
}

QString dialogTitle(const QString &where)
{
    static const QHash<QString, QString> titles = {
        {u"confirmation"_s, u"Confirmation"_s},       {u"rollbackDialog"_s, u"Rollback dialog"_s},
        {u"restoreDialog"_s, u"Restore dialog"_s},
        {u"cohortEditor"_s, u"Cohort editor"_s},      {u"policyDiffDialog"_s, u"Compare policy bundles"_s},
        {u"settingsDialog"_s, u"Settings"_s},
    };
    return titles.value(where);
}

QString tooltipWithKeys(const QString &tooltip, const QKeySequence &keys)
{
    if (keys.isEmpty())
        return tooltip;
    const QString suffix = u"(%1)"_s.arg(keys.toString(QKeySequence::NativeText));
    return tooltip.isEmpty() ? suffix : tooltip + u' ' + suffix;
}

} // namespace Raize::Ui
