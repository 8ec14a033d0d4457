#pragma once

#include <QPointer>
#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Raize {
class Workspace;
}
namespace Raize::Release {
class RolloutMonitor;
}

namespace Raize::Ui {
class RestoreDialog;
}

namespace Raize::Ui {

// The Rollback view: the runs of this profile (from their journals), newest
// first, with their outcome and steps, and the way to the big red button.
class RollbackHistory : public QWidget
{
    Q_OBJECT

public:
    explicit RollbackHistory(QString journalDirectory, QWidget *parent = nullptr);

    ~RollbackHistory() override;

    // Reads the journals again (after a run, and when the view is shown).
    void refresh();
    // Where Restore sends its flag calls and audit records (issue #16 item 10);
    // without one the Restore button explains that it needs the profile's services.
    void setWorkspace(Workspace *workspace) { m_workspace = workspace; }
    // The burn verdicts the way back judges its stages by (the SLOs view's monitor); not owned.
    void setMonitor(const Release::RolloutMonitor *monitor) { m_monitor = monitor; }
    // Restore (playbook §7.4 Option A): opens the way back through the canary
    // stages for the selected run (RestoreDialog: the fix-forward pull
    // request, the stages, Advance and Abort). Public for tests and the
    // palette; the button calls it.
    void restoreSelected();
    // The open restore dialog, if any.
    RestoreDialog *restoreDialog() const;

Q_SIGNALS:
    void openRequested();
    // A restore finished: ok, or stopped with the reason in statusText().
    void restoreFinished(bool ok);

protected:
    void showEvent(QShowEvent *event) override;

public:
    QString statusText() const;

private:
    void updateRestore();

    QString m_dir;
    QLabel *m_status;
    QTreeWidget *m_runs;
    QPushButton *m_open;
    QPushButton *m_restore;
    Workspace *m_workspace = nullptr;
    const Release::RolloutMonitor *m_monitor = nullptr;
    QPointer<RestoreDialog> m_dialog;
};

} // namespace Raize::Ui
