#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace Raize {
class Workspace;
}
namespace Raize::Rollback {
class Session;
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
    // Restore (playbook §7.4 Option A): re-enables exactly what the selected
    // run turned off, linked to the fix-forward pull request, through the
    // typed confirmation for widening production exposure. Public for tests
    // and the palette; the button calls it.
    void restoreSelected();

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
    QLineEdit *m_pullRequest;
    QPushButton *m_restore;
    Workspace *m_workspace = nullptr;
    std::unique_ptr<Rollback::Session> m_session; // while a restore runs
};

} // namespace Raize::Ui
