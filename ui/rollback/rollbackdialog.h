#pragma once

#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"
#include "rollback/rollbackplan.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTreeWidget;

namespace Raize {
class EffectivePolicy;
class Settings;
class Workspace;
} // namespace Raize

namespace Raize::Rollback {
class Session;
class StabilityCheck;
} // namespace Raize::Rollback

namespace Raize::Ui {

struct ConfirmationRequest;

// The big red button's dialog (playbook §7): choose the trigger and scope,
// read the live state, preview every call of the plan, execute through the
// one confirmation (Ui::Confirmation: the plan once more, and what the
// policy's rule for rollback asks, the environment's name by default), and
// follow each step live. A failed step shows the service's error with
// retry / skip with a reason / abort. Opened on an unfinished run, it resumes it.
class RollbackDialog : public QDialog
{
    Q_OBJECT

public:
    // The session takes its clients from the profile's workspace (issue #14).
    explicit RollbackDialog(Workspace &workspace, QWidget *parent = nullptr);
    ~RollbackDialog() override;

    // Prefills trigger and scope (the SLO page alert passes its cohort), and the §7.3
    // answers the signal already implies (a detected P0: side effects incorrect, not isolated).
    void prefill(Rollback::Trigger trigger, const Rollback::Scope &scope, const QString &reason = {},
                 const Rollback::Checklist &implied = {});
    // Reads the live state and shows the plan.
    void buildPlan();
    // The profile's effective policy: the side-effect list, the rollback
    // section and the cohorts the plan uses (ADR 0017). A read-only policy
    // still plans (a rollback path always exists, §0.3) on the playbook's
    // list, and says so.
    void setPolicy(const EffectivePolicy &policy);
    // Continues the unfinished run in `journalPath`.
    void resume(const QString &journalPath);
    // Opens on a plan built elsewhere (the two-axis canary's abort, Rollback::canaryAbortPlan; ADR 0033):
    // its calls rendered by this dialog's session, shown as it is, then confirmed, journalled and executed
    // like any plan. `scope` and `reason` go into the journal's begin record.
    void showPrepared(Rollback::Plan plan, const Rollback::Scope &scope, const QString &reason);

    const Rollback::Plan &plan() const { return m_plan; }
    Rollback::Executor *executor() const { return m_executor.get(); }

Q_SIGNALS:
    void planReady();
    void runStarted();
    void runFinished(bool completed);

private:
    void showPlan();
    // The blast radius table (issue #16 item 2): one row per flag the plan changes.
    void showBlastRadius();
    void refreshStep(int step);
    void execute();
    void startExecutor(Rollback::RunJournal journal, const Rollback::Plan &plan);
    void onFailed(int step, const Raize::Error &error);
    // §7.5 "system is stable" after a completed run (ADR 0025): every burn rate of the scope under 1× for the policy's window.
    void startStabilityCheck();
    void setMessage(const QString &html, const QString &tone);
    bool openSession();
    ConfirmationRequest confirmationRequest() const;

    Workspace &m_workspace;
    Settings &m_settings;
    QString m_profile;
    std::unique_ptr<Rollback::Session> m_session;
    std::unique_ptr<Rollback::Executor> m_executor;
    std::unique_ptr<Rollback::StabilityCheck> m_stability;
    Rollback::Inputs m_inputs;
    Rollback::Plan m_plan;

    QComboBox *m_trigger;
    QLineEdit *m_scope;
    QComboBox *m_flagsSuffice;
    QComboBox *m_sideEffectsIncorrect; // §7.3 Q1
    QComboBox *m_isolated;             // §7.3 Q3
    QComboBox *m_migrationMismatch;    // §7.3 Q4
    QLineEdit *m_migrationPlan;        // Option C's linked migration rollback plan
    QLineEdit *m_reason;
    QPushButton *m_planButton;
    QLabel *m_summary;
    QTreeWidget *m_steps;
    QLabel *m_blastTitle = nullptr;
    QTableWidget *m_blast = nullptr;
    QLabel *m_digest;
    QLabel *m_message;
    QLabel *m_stable = nullptr;
    QLabel *m_policyNote = nullptr;
    Rollback::RollbackRules m_rules;
    QList<Release::Cohort> m_cohorts;
    QPushButton *m_execute;
    QPushButton *m_retry;
    QPushButton *m_skip;
    QPushButton *m_abort;
    QLineEdit *m_skipReason;
    QLineEdit *m_incidentAnswer;
};

} // namespace Raize::Ui
