#pragma once

// The two-axis stage plan as a table (issue #20, item 5): one row per stage of
// the plan — the canary deployment's share of web traffic, the cohorts the
// release's flags are served to, the window — and where the run is: done,
// active (with the verdict), or to come. A thin model over plain data.

#include "release/canaryplan.h"

#include <QAbstractTableModel>

namespace Raize::Ui {

class CanaryStageModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Stage, Traffic, Cohorts, Window, Status, ColumnCount };

    explicit CanaryStageModel(QObject *parent = nullptr);

    // The plan, the active stage (-1: not started) and the active stage's verdict.
    void setPlan(const QList<Release::CanaryStage> &plan);
    void setProgress(int activeStage, const Release::StageVerdict &verdict, bool complete);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The status text of a row, as the table shows it.
    QString statusText(int row) const;

private:
    QList<Release::CanaryStage> m_plan;
    int m_active = -1;
    bool m_complete = false;
    Release::StageVerdict m_verdict;
};

} // namespace Raize::Ui
