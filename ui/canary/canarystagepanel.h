#pragma once

// The two-axis canary in the SLOs view (issue #20, item 5): which axes the
// release runs on and why, the stage plan with the active stage's verdict,
// and the canary deployment's error ratio against the current deployment's
// (the baseline) through the stage. Advance and Abort are requests: the
// owner asks the typed confirmation and acts (CanaryRun::advance, the abort
// plan through the rollback dialog).

#include "core/clock.h"
#include "release/canaryplan.h"

#include <QWidget>

class QLabel;
class QLineSeries;
class QPushButton;
class QTableView;
class QValueAxis;
class QChartView;

namespace Raize::Release {
class CanaryRun;
}

namespace Raize::Ui {

class CanaryStageModel;

class CanaryStagePanel : public QWidget
{
    Q_OBJECT

public:
    explicit CanaryStagePanel(QWidget *parent = nullptr);

    void setAxisChoice(const Release::AxisChoice &choice);
    // Follows the run: the plan, every poll's verdict and counts. `clock` dates the samples (nullptr: the system's).
    void setRun(const Release::CanaryRun *run, const Clock *clock = nullptr);
    // The verdict's evidence rows (enforcement friction, smoke checks; issue #20 item 4), one line each with its
    // state, what was read (query, since when) and a link to the check. setRun's updates call it.
    void showEvidence(const QList<Release::StageEvidence> &rows);
    // The lines showEvidence() shows, as plain text (the label holds them with links).
    static QStringList evidenceLines(const QList<Release::StageEvidence> &rows);
    // One point per series: the error ratio (%) of each axis since the stage began, at `secondsSinceStart`.
    void addSample(double secondsSinceStart, const Release::AxisCount &canary, const Release::AxisCount &baseline);

    CanaryStageModel *model() const { return m_model; }
    QLineSeries *canarySeries() const { return m_canary; }
    QLineSeries *baselineSeries() const { return m_baseline; }

Q_SIGNALS:
    void advanceRequested(int nextStage);
    void abortRequested();

private:
    void refresh();

    const Release::CanaryRun *m_run = nullptr;
    const Clock *m_clock = nullptr;
    qint64 m_startMs = -1;
    CanaryStageModel *m_model;
    QLabel *m_axes, *m_verdict;
    QLabel *m_evidence;
    QTableView *m_table;
    QChartView *m_chart;
    QLineSeries *m_canary, *m_baseline;
    QValueAxis *m_x, *m_y;
    QPushButton *m_advance, *m_abort;
};

} // namespace Raize::Ui
