#pragma once

// The rollout plan of a release and the pacing decision (issue #8, parts 2
// and 6; playbook §4.4 and §6.2): staging on sandbox accounts → production
// house accounts → 1–2 low-risk clients → broad. The stages, the minimum
// observation window per release level and the expansion criteria are the
// policy bundle's `rollout` section; recommend() is a pure function of the
// plan, the SLO verdicts of the stage's cohort and the time.

#include "release/cohorts.h"
#include "slo/sloengine.h"

#include "core/result.h"
#include "policy/policybundle.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Release {

struct RolloutStage
{
    QString id;          // "house"
    QString name;        // "Production: house accounts"
    QString environment; // "staging", "production"
    // The cohort the stage exposes; empty for the staging stage (sandbox
    // accounts, no production SLO data).
    QString cohortId;
    // Where the stage's flags are turned on: "global" (everyone in the
    // environment) or "cohort" (the cohort's clients and platform accounts).
    QString scopeKind = QStringLiteral("global");
    int maxClients = 0; // 0: no limit; the low-risk stage allows 1–2 clients
    // What the operator confirms before expanding (things no metric shows),
    // e.g. "no enforcement friction (rate limits, checkpoints, restrictions)".
    QStringList confirmations;
};

struct RolloutPolicy
{
    QList<RolloutStage> stages;
    QMap<QString, int> observationMinutes; // by release level: "L3" → 120
    // The SLOs whose health is "publish verification healthy" (§6.2 Phase C).
    QStringList verificationSlos;
    // The console may expand by itself only when this is on (policy `canary.autoPacing`).
    bool autoPacing = false;
};

// The bundle's `rollout` and `canary` sections. Stage cohorts must be cohorts
// of `cohorts`; every level L0–L3 needs an observation window.
Result<RolloutPolicy> rolloutFromPolicy(const Policy::Bundle &bundle, const QList<Cohort> &cohorts);

// One stage of one release: which flags it turns on, where, and for how long
// it must be watched before the next stage.
struct PlannedStage
{
    RolloutStage stage;
    QString environment;
    Services::FlagScope scope; // what the flags are set to in this stage
    QStringList flags;
    int observeMinutes = 0;
};

struct RolloutPlan
{
    QString level; // "L0".."L3"
    QStringList flags;
    QList<PlannedStage> stages;
    QStringList verificationSlos;
};

Result<RolloutPlan> planRelease(const RolloutPolicy &policy, const QList<Cohort> &cohorts, const QString &level,
                                const QStringList &flags);

struct Recommendation
{
    enum class Kind { ExpandAllowed, Wait, Blocked };
    Kind kind = Kind::Blocked;
    int waitMinutes = 0;
    int nextStage = -1; // index into RolloutPlan::stages, -1 when there is none
    QString headline;   // "expand allowed to Production: 1–2 low-risk clients", "wait 75 min", "blocked because …"
    QStringList evidence;

    static QString kindName(Kind kind); // "expand-allowed", "wait", "blocked"
};

struct StageObservation
{
    int stage = 0;              // the stage the release is in now
    qint64 stageStartedMs = 0;  // when its flags were confirmed on
    qint64 nowMs = 0;
    // The SLO verdicts of the stage's cohort (sloengine evaluate()), one per
    // SLO of the policy; a missing SLO counts as "no data".
    QList<Slo::AlertVerdict> verdicts;
    QList<Slo::SloSpec> slos;   // titles and minimum events for the evidence
    QSet<QString> confirmed;    // the stage's confirmations the operator gave
};

// In this order: a fired burn alert blocks (even inside the observation
// window); then the observation window makes it wait; then an SLO without
// enough data blocks (low traffic is never "healthy"); then a missing
// confirmation blocks; otherwise the next stage is allowed.
Recommendation recommend(const RolloutPlan &plan, const StageObservation &observation);

// A page-level burn on a cohort that has canary flags on (issue #8, part 7):
// what the console must not let an operator miss, with what a rollback of
// that cohort's flags needs.
struct PageAlert
{
    Cohort cohort;
    QStringList flags;    // the canary flags on for the cohort (canaryFlagsOn)
    QStringList evidence; // "Publish success: page 14.4× 1h/5m fired — 16.2× over 1h, 16.3× over 5m"
};

// Cohorts in policy order whose verdicts hold a fired page rule and that
// have canary flags on. verdictsByCohort: cohort id → one verdict per SLO.
QList<PageAlert> pageAlerts(const QList<Cohort> &cohorts, const QHash<QString, QList<Slo::AlertVerdict>> &verdictsByCohort,
                            const QList<Slo::SloSpec> &slos, const QList<Services::FlagState> &flags);

} // namespace Raize::Release
