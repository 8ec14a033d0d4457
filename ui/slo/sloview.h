#pragma once

#include "release/cohorts.h"
#include "release/rollout.h"
#include "release/rolloutmonitor.h"
#include "release/whatchanged.h"
#include "rollback/rollbackplan.h"
#include "slo/slospec.h"

#include "core/clock.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QDateTimeEdit;
class QFrame;
class QLabel;
class QLineEdit;
class QLineSeries;
class QListWidget;
class QPushButton;
class QTableView;
class QVBoxLayout;

namespace Raize {
class CanarySession;
class EffectivePolicy;
}
namespace Raize::Policy {
struct Bundle;
}
namespace Raize::Records {
class AuditSink;
}
namespace Raize::Release {
class FlagChangeRunner;
class FlagPoller;
}
namespace Raize::Slo {
class SloFeed;
}

namespace Raize::Ui {

class AutoPacingPanel;
class CanaryStagePanel;
class SloVerdictModel;
class StaleLabel;
class WhatChangedPanel;

// The SLOs view (issue #8, parts 5–7): every cohort's burn verdicts, the burn
// rate per cohort over time with the page thresholds, the error budget left,
// the split by lane, the next stage's recommendation, and the page alert for
// a cohort whose canary flags are on. The verdicts, pages, recommendation and
// auto-pacing are the RolloutMonitor's (issue #14, item 2): the view hands it
// the feeds' data and the operator's input and displays what it decides; the
// charts are drawn from the feeds' range data. Nothing is invented when a
// feed has no data yet.
class SloView : public QWidget
{
    Q_OBJECT

public:
    // clock: the monitor's time (observation windows, staleness); not owned.
    explicit SloView(QWidget *parent = nullptr, const Clock &clock = Clock::system());
    ~SloView() override;

    // SLOs, burn rules, cohorts, the rollout plan and auto-pacing: the
    // profile's effective policy (ConsoleApp builds it once). A read-only
    // policy is shown with its reason and auto-pacing cannot be armed.
    void setPolicy(const EffectivePolicy &effective);
    // A bundle alone (tests): parsed as the base layer of an effective
    // policy. Returns the policy error and keeps what it had when the
    // bundle is malformed.
    Status setPolicy(const Policy::Bundle &bundle);
    // The same with these cohorts in place of the bundle's.
    Status setPolicy(const Policy::Bundle &bundle, const QList<Release::Cohort> &cohorts);
    QString policyNote() const;
    const QList<Release::Cohort> &cohorts() const { return m_cohorts; }
    // recent: the last 3 days and more at 1-minute steps (verdicts, burn
    // charts up to 3 days); history: 30 days at a coarser step (budget, 30-day
    // chart). flags: production flags (canary flags per cohort). Not owned.
    void setSources(Slo::SloFeed *recent, Slo::SloFeed *history, Release::FlagPoller *flags);

    // Auto-pacing's path for flag changes: the toggle matrix's runner
    // (CanaryMatrix::changeRunner) and the audit log. Not owned.
    void setChangePath(Release::FlagChangeRunner *runner, Records::AuditSink *audit);
    AutoPacingPanel *autoPacing() const { return m_pacing; }
    // The release's current stage and since when its flags are on (the
    // operator sets them; auto-pacing advances them).
    int currentStage() const;
    void setCurrentStage(int stage, qint64 flagsOnSinceMs);

    // The charts' time range (linked to the timeline view).
    void setTimeRange(qint64 fromMs, qint64 toMs);
    QPair<qint64, qint64> timeRange() const { return {m_fromMs, m_toMs}; }

    // At most this many points per line after LTTB (default 1,000).
    void setMaxPointsPerLine(int points);
    static int maxPointsDefault() { return 1000; }

    // The session the view displays (what `raize-console rollout` drives headless).
    Release::RolloutMonitor *monitor() const { return m_monitor; }

    // State for tests and the status bar.
    bool alertShown() const;
    QString alertText() const;
    QList<Release::PageAlert> alerts() const { return m_monitor->alerts(); }
    const QHash<QString, QList<Slo::AlertVerdict>> &verdicts() const { return m_monitor->verdicts(); }
    Release::Recommendation recommendation() const { return m_monitor->recommendation(); }
    SloVerdictModel *verdictModel() const { return m_model; }
    QChart *burnChart() const;
    QString statusText() const;

    // "Stale since HH:MM zone" when the SLO counters or the canary flags could
    // not be read, or are older than twice their poll interval; invalid: current.
    void setStaleSince(const QDateTime &since, const QString &reason = {});
    StaleLabel *staleLabel() const { return m_stale; }
    // "What changed" before the page's onset (issue #19 item 2), under the page alert.
    WhatChangedPanel *whatChanged() const { return m_whatChanged; }
    // What a page alert is about: its cohort (id, clients, platform accounts) and canary flags, in production.
    static Release::PageScope pageScope(const Release::PageAlert &alert);

    // The rollback scope for a cohort: its clients and platform accounts
    // (Scope::Kind::Tenant), or global for the broad cohort.
    static Rollback::Scope rollbackScope(const Release::Cohort &cohort);

    // Redraws every chart from the data already loaded (public for the benchmark).
    void redraw();

    // The two-axis canary (issue #20, ADR 0033): the stage panel follows the workspace's CanarySession.
    // It is shown when the release runs on two axes; otherwise a note says why the canary is flag-only.
    // Advance asks the typed confirmation (productionToggle) and then CanarySession::advance; Abort is
    // canaryAbortRequested (the console opens the rollback dialog on the abort plan). Not owned.
    void setCanary(CanarySession *session);
    CanaryStagePanel *canaryPanel() const { return m_canaryPanel; }
    QString canaryNote() const;

Q_SIGNALS:
    // The operator asked for the rollback plan of a cohort with a page-level
    // burn: its scope and the canary flags on for it (the rollback dialog
    // connects here).
    void rollbackPlanRequested(const Raize::Rollback::Scope &scope, const QStringList &flagKeys);
    void timeRangeChanged(qint64 fromMs, qint64 toMs);
    // The page alerts changed (raised, cleared or their evidence moved on): alerts().
    void alertsChanged();
    // The operator asked to abort the active canary (the stage panel's Abort).
    void canaryAbortRequested();

private:
    void feedLoaded();
    void showVerdicts();
    void updateAlert();
    void showRecommendation();
    void stageChosen();
    void confirmationsChanged();
    void stageMoved(int stage, qint64 sinceMs);
    void updateConfirmations();
    void rangeChosen();
    void updateRangeLabel();
    void drawBurnChart();
    void drawBudgetChart();
    void drawLaneChart();
    const Slo::SloSpec *selectedSlo() const;
    qint64 nowMs() const;

    QList<Slo::SloSpec> m_slos;
    QList<Slo::BurnRule> m_rules;
    QList<Release::Cohort> m_cohorts;
    Release::RolloutMonitor *m_monitor;
    Slo::SloFeed *m_recent = nullptr;
    Slo::SloFeed *m_history = nullptr;
    Release::FlagPoller *m_flags = nullptr;
    bool m_alertWasShown = false;
    qint64 m_fromMs = 0, m_toMs = 0;
    bool m_followNow = true; // the range ends at the newest data
    int m_maxPoints = 1000;

    QFrame *m_banner;
    QLabel *m_bannerText;
    QVBoxLayout *m_bannerButtons;
    QLabel *m_status;
    StaleLabel *m_stale;
    WhatChangedPanel *m_whatChanged;
    QLabel *m_policyNote = nullptr;
    QComboBox *m_sloCombo;
    QComboBox *m_rangeCombo;
    QLabel *m_rangeLabel;
    QComboBox *m_laneCohortCombo;
    SloVerdictModel *m_model;
    QTableView *m_table;
    QChartView *m_burnView;
    QChartView *m_budgetView;
    QChartView *m_laneView;
    QComboBox *m_levelCombo;
    QComboBox *m_stageCombo;
    QDateTimeEdit *m_stageStart;
    QWidget *m_confirmBox;
    QVBoxLayout *m_confirmLayout;
    QList<QCheckBox *> m_confirmChecks;
    QLabel *m_headline;
    QListWidget *m_evidence;
    QLabel *m_autoPacing;
    AutoPacingPanel *m_pacing;
    void showCanary();
    void advanceCanary(int nextStage);
    void startCanary();
    CanarySession *m_canary = nullptr;
    int m_canaryAdvancing = -1; // the stage an advance was sent for, until it is reached
    QWidget *m_canaryBox;
    QLabel *m_canaryNote;
    QLabel *m_canaryMessage;
    CanaryStagePanel *m_canaryPanel;
    QWidget *m_canaryStartRow;
    QLineEdit *m_canaryDeployment;
    QLineEdit *m_canaryFlags;
    QPushButton *m_canaryStart;
};

} // namespace Raize::Ui
