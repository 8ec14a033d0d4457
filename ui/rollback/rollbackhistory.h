#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Raize::Ui {

// The Rollback view: the runs of this profile (from their journals), newest
// first, with their outcome and steps, and the way to the big red button.
class RollbackHistory : public QWidget
{
    Q_OBJECT

public:
    explicit RollbackHistory(QString journalDirectory, QWidget *parent = nullptr);

    // Reads the journals again (after a run, and when the view is shown).
    void refresh();

Q_SIGNALS:
    void openRequested();

protected:
    void showEvent(QShowEvent *event) override;

private:
    QString m_dir;
    QLabel *m_status;
    QTreeWidget *m_runs;
    QPushButton *m_open;
};

} // namespace Raize::Ui
