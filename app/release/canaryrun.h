#pragma once

// A two-axis canary as a core session (issue #20, item 4; ADR 0029): one
// stage plan drives Vercel's rolling release (web traffic) and the release's
// flag cohorts (side effects). Each poll reads the rolling release, counts
// both axes since the stage began and judges the stage (judgeStage): a burn
// holds it (and pages at the policy's page burn rate), too few requests is
// "not enough data", a stage inside the policy for its window may advance.
// It advances by itself only when the policy allows automatic advance and an
// operator armed it; otherwise advance() is the operator's, after the typed
// confirmation. approve-stage always carries the stage it expects, so a stale
// or repeated advance is refused by Vercel as well.
//
// Abort is not done here: it is a rollback plan (Rollback::canaryAbortPlan),
// journalled and executed by the rollback executor like any other.

#include "core/clock.h"
#include "core/error.h"
#include "release/canaryplan.h"
#include "release/canaryservices.h"

#include <QObject>

#include <optional>

namespace Raize::Release {

class CanaryRun : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        DeploymentAxisPolicy policy;
        QList<CanaryStage> plan;
        QStringList flags;            // the release's flags (the flag axis)
        const Clock *clock = nullptr; // nullptr: Clock::system()
    };

    CanaryRun(CanaryServices &services, Options options, QObject *parent = nullptr);

    // Starts the rolling release of `canaryDeploymentId` at stage 1 and serves the flags to its cohorts — only
    // once the policy's smoke checks passed on the commit it was built from: a failing, missing or unreadable
    // one refuses the start (failed(), and the verdict holds the evidence), and nothing is sent to Vercel.
    void start(const QString &canaryDeploymentId);
    // One round: read, count, judge; advance when armed and the verdict says so.
    void poll();
    // The operator's advance (after the typed confirmation): refused unless the verdict is "advance",
    // or "wait" (the operator ends the window early) — never on "hold" or "not enough data".
    Status advance(int expectedNextStage);
    // Automatic advance: only where the policy allows it (rollout.deploymentAxis.autoAdvance).
    Status setArmed(bool armed);
    bool armed() const { return m_armed; }

    bool busy() const { return m_busy; }
    const std::optional<Services::RollingRelease> &rollingRelease() const { return m_rr; }
    const StageVerdict &verdict() const { return m_verdict; }
    const std::optional<StageCounts> &counts() const { return m_counts; }
    // The evidence last read: enforcement friction since the stage began, the smoke checks of the canary's commit.
    const std::optional<FrictionFacts> &friction() const { return m_friction; }
    const std::optional<SmokeFacts> &smoke() const { return m_smoke; }
    int stageIndex() const { return m_stage; }
    const QList<CanaryStage> &plan() const { return m_o.plan; }
    const DeploymentAxisPolicy &policy() const { return m_o.policy; }
    // Stages this run sent approve-stage for ("2", "3", ...), in order.
    const QList<int> &approved() const { return m_approved; }

Q_SIGNALS:
    void updated();                          // after every poll, start or advance (ok or not)
    void advanced(int stageIndex);           // approve-stage answered and the stage's cohorts are served
    void paged(const QString &reason);       // a hold at or over the page burn rate (once per stage)
    void failed(const Raize::Error &error);  // a service did not answer, or refused

private:
    const Clock &clock() const;
    void judge(const Services::RollingRelease &rr);
    // The smoke checks when the policy names some and they have not all passed yet (a re-run may fix them), then `then`.
    void readSmoke(const QString &canary, std::function<void()> then);
    void startRollingRelease(const QString &canaryDeploymentId);
    void decide(const Services::RollingRelease &rr, int index, double seconds);
    void doAdvance(int next);
    void fail(const Error &e);

    CanaryServices &m_s;
    Options m_o;
    std::optional<Services::RollingRelease> m_rr;
    std::optional<StageCounts> m_counts;
    std::optional<FrictionFacts> m_friction;
    std::optional<SmokeFacts> m_smoke;
    StageVerdict m_verdict;
    int m_stage = -1;
    qint64 m_stageSinceMs = 0;
    int m_pagedStage = -1;
    bool m_armed = false;
    bool m_busy = false;
    QList<int> m_approved;
};

} // namespace Raize::Release
