#pragma once

// The rollout monitor (issue #14, item 2; playbook §4.4, §6.2, §7.1): the
// use case behind the SLOs view's verdicts, its page banner, its "next
// rollout stage" panel and auto-pacing, as a core session without a screen,
// so that `raize-console rollout status|advance`, the view and the tests
// drive the same code.
//
// It takes data, never a client: the SLO counter series by SLO and cohort
// (what the feeds read), the flag poller's snapshot, the policy's typed
// parts, and the time from a Raize::Clock. From them it produces the cohort
// × SLO verdicts, the page alerts with their onset and clear, the expand /
// wait / blocked recommendation with its reasons (stale flags and stale SLO
// data block an expansion), and auto-pacing through the FlagChangeRunner
// (the toggle matrix's checked, audited path).

#include "core/clock.h"
#include "core/result.h"
#include "policy/policybundle.h"
#include "release/autopacer.h"
#include "release/cohorts.h"
#include "release/flagpoller.h"
#include "release/rollout.h"
#include "slo/burnrule.h"
#include "slo/counterseries.h"
#include "slo/sloengine.h"
#include "slo/slospec.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <nlohmann/json_fwd.hpp>

namespace Raize {
class WriteGuard;
}
namespace Raize::Records {
class AuditSink;
}

namespace Raize::Release {

class FlagChangeRunner;

// The policy's typed parts the monitor reads (the effective policy hands
// them over; rolloutMonitorPolicy() builds them from a bundle until then).
struct RolloutMonitorPolicy
{
    QList<Slo::SloSpec> slos;
    QList<Slo::BurnRule> rules;
    QList<Cohort> cohorts;
    RolloutPolicy rollout;
    // `overrides.rolloutAdvance` == "allowed": an operator may advance with a
    // reason while the recommendation says wait or blocked (never past a
    // fired burn rule). Off unless the bundle says so.
    bool advanceOverrideAllowed = false;
    int minReasonChars = 20; // `overrides.minReasonChars`
    // A change of the policy or the cohorts stops an armed auto-pacing.
    QString fingerprint;
};

// The bundle's `slos`, `burnAlerts`, `rollout`, `canary` and `overrides`
// sections with `cohorts` (the effective cohorts) in place of the bundle's.
Result<RolloutMonitorPolicy> rolloutMonitorPolicy(const Policy::Bundle &bundle, const QList<Cohort> &cohorts);

// The SLO counters as the feeds read them: SLO id → cohort id → series, up to toMs.
struct SloSeriesByCohort
{
    QHash<QString, QHash<QString, Slo::CounterSeries>> byCohort;
    qint64 toMs = 0;
    bool isEmpty() const { return byCohort.isEmpty(); }
};

// A page alert with the time the monitor first saw it (its onset).
struct RaisedPage
{
    PageAlert alert;
    qint64 sinceMs = 0;
};

class RolloutMonitor : public QObject
{
    Q_OBJECT

public:
    // clock: not owned, outlives the monitor.
    explicit RolloutMonitor(const Clock &clock, QObject *parent = nullptr);
    ~RolloutMonitor() override;

    // Flags whose read-back is older than this (by the clock) count as stale,
    // as do flags the poller marked stale (its last call failed).
    static constexpr qint64 DefaultFlagsMaxAgeMs = 60'000;
    // SLO data whose newest sample is older than this cannot judge a stage.
    static constexpr qint64 DefaultSeriesMaxAgeMs = 5 * Slo::MinuteMs;
    void setMaxAges(qint64 flagsMs, qint64 seriesMs);

    // Inputs. Each re-evaluates (and steps an armed auto-pacing).
    void setPolicy(const RolloutMonitorPolicy &policy);
    void setSeries(const SloSeriesByCohort &series);
    void setFlags(const FlagSnapshot &flags);
    void setLevel(const QString &level); // "L0".."L3" (default L3, the strictest window)
    // The stage the release is in (index into the plan) and since when its
    // flags are on; another stage's confirmations start unticked.
    void setStage(int stage, qint64 flagsOnSinceMs);
    void setConfirmed(const QSet<QString> &confirmed);
    // The release's flags: empty means the canary flags on for the current
    // stage's cohort (what auto-pacing arms with).
    void setReleaseFlags(const QStringList &flags);
    // Auto-pacing's path: the toggle matrix's runner and the audit log. Not owned.
    void setChangePath(FlagChangeRunner *runner, Records::AuditSink *audit);
    // The profile's arming (ADR 0028): arming auto-pacing needs it, and an armed auto-pacing stops at
    // its next step once the profile is disarmed or its window ended (it must be armed again). Not owned; null: not gated.
    void setWriteGuard(WriteGuard *guard) { m_guard = guard; }

    // Evaluates again at the clock's time (what a timer or a test calls).
    void evaluate();

    // Outputs.
    const RolloutMonitorPolicy &policy() const { return m_policy; }
    const QString &level() const { return m_level; }
    int stage() const { return m_stage; }
    qint64 stageSinceMs() const { return m_stageSinceMs; }
    const QSet<QString> &confirmed() const { return m_confirmed; }
    const SloSeriesByCohort &series() const { return m_series; }
    const FlagSnapshot &flags() const { return m_flags; }
    // Cohort id → one verdict per SLO that has counters for the cohort.
    const QHash<QString, QList<Slo::AlertVerdict>> &verdicts() const { return m_verdicts; }
    QList<PageAlert> alerts() const;
    const QList<RaisedPage> &pages() const { return m_pages; }
    const Recommendation &recommendation() const { return m_recommendation; }
    // The plan for the level (error text in planError() when the policy has none).
    const RolloutPlan &plan() const { return m_plan; }
    QString planError() const { return m_planError; }
    // Empty when the flags are current; else why not ("the flag read-back is stale since …").
    QString staleFlags() const { return m_staleFlags; }
    // The flags the next stage turns on: setReleaseFlags, else the canary flags on for the stage's cohort.
    QStringList releaseFlags() const;
    // Each flag's exact change to reach the next stage, from the read-back.
    QList<ToggleChange> nextStageChanges() const;
    // A digest of what `advance` would do now (level, stage, next stage, flags
    // and their changes): `rollout advance --plan-digest` must match it.
    QString advanceDigest() const;
    nlohmann::json toJson() const;

    // Auto-pacing.
    AutoPacer *pacer() const { return m_pacer; }
    bool autoPacingAllowed() const { return m_policy.rollout.autoPacing; }
    // The confirmation text of arming (every stage, flag and scope).
    QStringList armingPlan() const;
    Status arm(const QString &actor);
    void stop(const QString &actor);
    QString autoPacingStatus() const;

Q_SIGNALS:
    void evaluated();
    // A cohort's page-level burn while its canary flags are on: raised, and cleared again.
    void pageRaised(const Raize::Release::PageAlert &alert);
    void pageCleared(const QString &cohortId);
    // The release moved to `stage` (auto-pacing's read-back, or setStage).
    void stageChanged(int stage, qint64 sinceMs);
    void autoPacingChanged();

private:
    void replan();
    void computeVerdicts();
    void computePages();
    void computeRecommendation();
    void stepPacing();
    QStringList canaryFlagsOfStage(int stage) const;

    const Clock &m_clock;
    qint64 m_flagsMaxAgeMs = DefaultFlagsMaxAgeMs;
    qint64 m_seriesMaxAgeMs = DefaultSeriesMaxAgeMs;
    RolloutMonitorPolicy m_policy;
    SloSeriesByCohort m_series;
    FlagSnapshot m_flags;
    QString m_level = QStringLiteral("L3");
    int m_stage = 1;
    qint64 m_stageSinceMs = 0;
    QSet<QString> m_confirmed;
    QStringList m_releaseFlags;
    RolloutPlan m_plan;
    QString m_planError;
    QHash<QString, QList<Slo::AlertVerdict>> m_verdicts;
    QList<RaisedPage> m_pages;
    Recommendation m_recommendation;
    QString m_staleFlags;
    FlagChangeRunner *m_runner = nullptr;
    Records::AuditSink *m_audit = nullptr;
    WriteGuard *m_guard = nullptr;
    AutoPacer *m_pacer = nullptr;
    QString m_armedFingerprint;
    bool m_evaluating = false;
    bool m_again = false;
};

} // namespace Raize::Release
