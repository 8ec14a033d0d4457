#pragma once

// Evidence a canary stage is judged on besides the burn rates (issue #20,
// item 4; playbook §6.2 Phase C: expand only with "no enforcement friction";
// Phase A: the staging smoke tests passed): read from the services, never
// ticked by hand. Pure types and judgements; CanaryRun reads the facts
// through CanaryServices and judgeStage() holds the stage on them.
//
// - Enforcement friction: the platform's rate-limit and checkpoint counters
//   (raize_platform_rate_limits_total, raize_platform_checkpoints_total by
//   cohort, platform account and lane; docs/slo-labels.md) since the stage
//   began, as a ratio to the cohort's publish attempts. Over the policy's
//   ratio with at least its minimum count: the stage is held.
// - Smoke checks: the check runs and commit statuses the policy names, on
//   the commit the canary deployment was built from (the one staging ran).
//   Failing or missing: the stage is held (stage 1 does not start); still
//   running, or GitHub could not answer: unknown — never a pass.

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Release {

struct FrictionPolicy
{
    double maxRatio = 0.002; // friction events per publish attempt, per cohort and kind; over it: hold
    double minCount = 5;     // fewer events than this never hold (one rate limit in 300 attempts is noise)
    bool operator==(const FrictionPolicy &) const = default;
};

// Friction of one kind in one cohort since the stage began.
struct FrictionCount
{
    QString cohort;
    QString kind;           // "rate limit", "checkpoint"
    double events = 0;
    QString worst;          // where most of them were: "acct-house-ig (api lane): 9"
    bool operator==(const FrictionCount &) const = default;
};

struct FrictionFacts
{
    QStringList queries;    // the PromQL read, one per kind
    qint64 sinceMs = 0;     // the stage's start: what the counters were read since
    QList<FrictionCount> counts;
    QString error;          // not empty: Prometheus could not answer (the friction is unknown)
};

struct SmokeCheck
{
    QString name;
    QString state;          // success, failure or pending (smokeState())
    QString result;         // GitHub's own word: the check run's conclusion or status, the commit status's state
    QString url;            // the check run's page or the status's target URL
    bool operator==(const SmokeCheck &) const = default;
};

struct SmokeFacts
{
    QString commit;         // the commit the checks were read on
    QString deployment;     // the canary deployment built from it
    QList<SmokeCheck> checks; // every check run and status on the commit, newest first per name
    QString error;          // not empty: GitHub (or Vercel, for the commit) could not answer: unknown
};

// One row of a verdict's evidence, for the CLI, the stage panel and the audit.
struct StageEvidence
{
    enum class State { Ok, Hold, Unknown };
    State state = State::Ok;
    QString kind;           // "friction", "smoke"
    QString subject;        // "house: rate limit", "smoke: dry-run publish"
    QString detail;         // what was read and what the policy says
    QString query;          // the PromQL (friction)
    QString since;          // ISO time the counters were read since (friction)
    QString url;            // the check's page (smoke)
    static QString stateName(State state); // "ok", "hold", "unknown"
    QString line() const;   // one line with everything in it
};

// The friction rows of a stage: one per cohort and kind read. `attempts` maps each cohort to its publish
// attempts since the stage began (the flag axis' counts). nullopt facts: not read, unknown.
QList<StageEvidence> judgeFriction(const FrictionPolicy &policy, const QStringList &cohorts, const QHash<QString, double> &attempts,
                                   const std::optional<FrictionFacts> &facts);

// The smoke rows: one per check the policy names (none when it names none). nullopt facts: not read, unknown.
QList<StageEvidence> judgeSmoke(const QStringList &required, const std::optional<SmokeFacts> &facts);

// A check run's status and conclusion, or a commit status's state (status empty), as a smoke state: only
// "success" passes; not completed (queued, in_progress, pending) is "pending"; anything else (failure,
// error, cancelled, timed_out, skipped, neutral, action_required) is "failure": a smoke test that did not
// pass has not shown the release works.
QString smokeState(const QString &status, const QString &conclusion);

} // namespace Raize::Release
