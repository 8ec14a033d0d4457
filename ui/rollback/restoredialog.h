#pragma once

#include "rollback/stagedrestore.h"

#include <QDialog>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace Raize {
class Workspace;
}
namespace Raize::Release {
class RolloutMonitor;
}
namespace Raize::Rollback {
class Session;
}

namespace Raize::Ui {

// The way back through the canary (issue #16 item 10, ADR 0034): the staged
// restore of one rollback run. Shows the fix-forward pull request (and
// whether production contains it), the stages with what each serves again,
// and where the way back is; Advance runs the next stage after its checks
// (the fix before stage 1, the served cohorts' burn verdicts from the rollout
// monitor before the others) and the typed confirmation; Abort stops it
// where it is. The core does the work (Rollback::runRestoreStage); this only
// shows and forwards.
class RestoreDialog : public QDialog
{
    Q_OBJECT

public:
    // monitor: the SLOs view's rollout monitor (the burn verdicts), not owned; null: every later stage holds.
    RestoreDialog(QString journalPath, Workspace &workspace, const Release::RolloutMonitor *monitor, QWidget *parent = nullptr);
    ~RestoreDialog() override;

    const Rollback::StagedRestorePlan &plan() const { return m_plan; }
    bool ready() const { return m_ready; }
    QString statusText() const;

    // What the buttons call (public for the palette and tests).
    void advance();
    void abortRestore();

Q_SIGNALS:
    // The staged plan is read (the global steps' strategies asked of the flag service).
    void planReady();
    // A stage ran (ok), or Advance stopped before or during it (the reason is in statusText()).
    void stageFinished(bool ok);

private:
    void load();
    void showPlan();
    void runStage(int stage, const Rollback::FixForward &fix);
    void finish(bool ok, const QString &text);

    QString m_path;
    Workspace &m_workspace;
    const Release::RolloutMonitor *m_monitor;
    std::unique_ptr<Rollback::Session> m_session;
    std::unique_ptr<Rollback::RunJournal> m_journal;
    Rollback::StagedRestorePlan m_plan;
    Rollback::RestoreProgress m_progress;
    bool m_ready = false;
    bool m_busy = false;

    QLineEdit *m_pullRequest;
    QLabel *m_fixStatus;
    QLineEdit *m_overrideReason;
    QTreeWidget *m_stages;
    QLabel *m_judgement;
    QPushButton *m_advance;
    QPushButton *m_abort;
    QLabel *m_status;
};

} // namespace Raize::Ui
