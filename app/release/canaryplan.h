#pragma once

// One stage plan, two axes (issue #20, items 3–5; ADR 0029): the policy's
// `rollout.deploymentAxis` section, the choice of axes for a release (the
// deployment axis only when the policy turns it on and the project's
// rolling-release billing allows it; flag-only otherwise, with the reason),
// and the verdict on one stage: advance only when the canary deployment's
// burn (against the current deployment's) and every enabled cohort's burn
// are inside the policy with enough requests to judge.
//
// Pure functions of data: no clock, no network. The deployment axis splits
// web requests only; publishing and DMs run in the runner and its queues, so
// L3 side effects stay on the flag axis (the cohorts of each stage).

#include "core/result.h"
#include "policy/policybundle.h"
#include "release/cohorts.h"
#include "release/stageevidence.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Release {

// One stage of the plan: the canary deployment's share of web traffic, the
// cohorts the release's flags are on for, and how long it is watched.
struct CanaryStage
{
    double trafficPercent = 0;
    QStringList cohorts;
    double windowMinutes = 0; // a test policy may give fractions (seconds)
    bool operator==(const CanaryStage &) const = default;
};

struct DeploymentAxisPolicy
{
    bool enabled = false;          // off by default: rolling releases are a paid Vercel feature
    QString slo = QStringLiteral("http_errors"); // the SLO the deployment axis is judged on (the web tier's errors)
    double objective = 0.995;      // that SLO's objective (filled from the policy's SLO table)
    QString cohortSlo = QStringLiteral("publish_success"); // the SLO the flag cohorts are judged on (side effects: publish success)
    double cohortObjective = 0.995;
    double maxBurnRate = 1.0;      // the canary's and each cohort's burn must stay at or under it
    double maxCanaryToBaseline = 2.0; // the canary's error ratio at most this many times the current deployment's
    double pageBurnRate = 14.4;    // a burn at or over it pages (the policy's fastest page rule)
    double minRequests = 500;      // per axis in the stage's window; fewer: "not enough data"
    bool autoAdvance = false;      // the console may send approve-stage itself (armed like auto-pacing)
    FrictionPolicy friction;       // enforcement friction that holds a stage (§6.2 Phase C)
    QStringList smokeChecks;       // check runs / commit statuses on the staging commit that must pass (§6.2 Phase A)
    QMap<QString, QList<CanaryStage>> stages; // by release level: "L3" → the stages, the last at 100 %
    bool operator==(const DeploymentAxisPolicy &) const = default;
};

// The bundle's `rollout.deploymentAxis` (absent: off, with the playbook's
// defaults). `objectives` maps SLO ids to objectives; `cohorts` are the
// policy's. Refuses stages that do not rise to 100 %, unknown cohorts or an
// unknown SLO, naming the field.
Result<DeploymentAxisPolicy> deploymentAxisFromPolicy(const Policy::Bundle &bundle, const QMap<QString, double> &objectives,
                                                      const QList<Cohort> &cohorts);

// What Vercel's billing answered for the project (nullopt: it could not be read).
struct BillingFacts
{
    bool allowed = false;
    QString reason;  // Vercel's reason code
    QString message; // Vercel's sentence
};

struct AxisChoice
{
    bool deploymentAxis = false;
    QString reason; // why the deployment axis is off, or "deployment and flag axes"
};
// The axes of a release: the deployment axis only when the policy turns it on,
// has stages for the level, and billing says yes. Otherwise flag-only, saying why.
AxisChoice chooseAxes(const DeploymentAxisPolicy &policy, const QString &level, const std::optional<BillingFacts> &billing,
                      const QString &billingError = {});

// Requests and errors seen on one axis during the stage's window.
struct AxisCount
{
    QString name; // "canary dpl_x", "baseline dpl_y", "cohort house"
    double requests = 0;
    double errors = 0;
    double ratio() const { return requests > 0 ? errors / requests : 0.0; }
};

struct StageFacts
{
    int stageIndex = 0;          // the active stage of the plan
    double elapsedSeconds = 0;   // since the stage began
    AxisCount canary, baseline;  // by deployment (web requests)
    QList<AxisCount> cohorts;    // the cohorts the stage's flags are on for
    // Read as evidence, never ticked by hand (stageevidence.h). nullopt: not read, so unknown — the stage
    // is "not enough data" until it is read (the smoke checks only when the policy names some).
    std::optional<FrictionFacts> friction;
    std::optional<SmokeFacts> smoke;
};

struct StageVerdict
{
    enum class Kind {
        Advance,       // inside the policy, window over: approve the next stage
        Wait,          // inside the policy so far; the window is not over
        NotEnoughData, // an axis has fewer requests than the policy asks
        Hold,          // an axis burns over the policy: never advance
        Done,          // the last stage (100 %) is reached
    };
    Kind kind = Kind::Wait;
    int nextStage = -1;   // Advance: the stage index to approve
    bool page = false;    // Hold at or over the page burn rate
    double canaryBurn = 0, baselineBurn = 0;
    QStringList reasons;  // one line per axis that holds or lacks data, or why it may advance
    QList<StageEvidence> evidence; // friction and smoke rows, each with what was read (query, since, URL)
    static QString kindName(Kind kind);
};

double burnRate(const AxisCount &axis, double objective);

// The verdict on the active stage of `plan`. A burn over the policy holds
// whatever the window (and pages at pageBurnRate), and so do enforcement
// friction over the policy and a failing or missing smoke check (with the
// evidence); a stage is judged only with minRequests on every axis and its
// friction and smoke checks read; it advances once its window is over.
StageVerdict judgeStage(const DeploymentAxisPolicy &policy, const QList<CanaryStage> &plan, const StageFacts &facts);

// The plan as lines ("stage 1: 5 % traffic, cohorts house, 30 min"), for the CLI, the view and tests.
QStringList describePlan(const QList<CanaryStage> &plan);

} // namespace Raize::Release
