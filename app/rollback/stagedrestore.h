#pragma once

// The way back through the canary (issue #16 item 10, playbook §7.4 Option A
// "patch forward", §4.4): a Restore that re-serves what a flag rollback turned
// off stage by stage along the rollout's canary stages (house → low-risk →
// broad), each stage ending where the rollback's before-state was and never
// wider; a stage advances only when the burn rates of the cohorts already
// served are inside the policy with enough data; the whole way is linked to
// the fix-forward pull request, which must be merged and deployed to
// production before the first stage (ADR 0034).
//
// Pure parts (the plan, the judgement of a stage, the judgement of the fix)
// are functions of data; runRestoreStage() and readFixForward() talk to the
// services through the rollback's Clients.

#include "core/result.h"
#include "release/cohorts.h"
#include "release/rollout.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackrestore.h"
#include "rollback/runjournal.h"
#include "slo/sloengine.h"
#include "slo/slospec.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

namespace Raize::Rollback {

// One canary stage of the way back: the rollout stage it follows and what it re-serves.
struct RestoreStage
{
    QString id, name; // the rollout stage's ("house", "Production: house accounts")
    QString cohortId; // the cohort the stage serves again
    // Scoped steps carry forward edits (before: the bodies the previous stage
    // left, after: this stage's); global steps turn the flag back on.
    QList<RestoreStep> steps;
    // What this stage serves again, in words: "client house", "account acct-house-ig", "cohort house", "lane browser".
    QStringList members;

    bool empty() const { return steps.isEmpty(); }
};

struct StagedRestorePlan
{
    QString runId;
    QString scope;       // the run's scope, in words
    QString environment; // where the flags are restored
    QList<RestoreStage> stages;
    QStringList refusals; // why it cannot run; empty: it can
    QStringList notes;

    bool executable() const { return refusals.isEmpty(); }
    // The index of the last stage that re-serves something (-1: none).
    int lastStageWithSteps() const;
    // The cohorts served again once stages 0..stage are done (stages without steps serve nothing new).
    QStringList servedCohorts(int stage) const;
    // Compact text fixture: one line per stage and per step.
    QString describe() const;
    nlohmann::json toJson() const;
    static std::optional<StagedRestorePlan> fromJson(const nlohmann::json &j);
};

// Pure: spreads `plan` (restorePlan(journal)) over the canary stages of the
// rollout policy that name a cohort, in policy order.
// - A scoped step (Unleash edits) is split value by value: a client, account
//   or cohort the rollback excluded is served again at the stage whose cohort
//   holds it (a client no cohort lists: the "*" cohort's stage, else the last);
//   a lane exclusion is lifted at the last stage only. Each strategy reaches
//   its body before the rollback exactly at the stage of its last value.
// - A scoped step of another backend (LaunchDarkly's rules) is undone whole at
//   the stage of its last member.
// - A global step (the flag was turned off for the whole environment) comes
//   back on at the stage whose cohorts, with the earlier ones, hold everyone
//   its strategies (as `flagsNow` shows them: a global off keeps them) reach;
//   a strategy for everyone, or a flag not in `flagsNow`, at the last stage.
// - A flag other restored flags depend on (the kill-switch parent) comes back
//   at the first stage of a flag that depends on it (`flagsNow` dependencies).
StagedRestorePlan stagedRestorePlan(const RestorePlan &plan, const QList<Release::RolloutStage> &stages,
                                    const QList<Release::Cohort> &cohorts, const QList<Services::FlagState> &flagsNow);

// Reads the strategies of the flags the plan's global steps turned off (the
// flag service keeps them while the environment is off), then builds the
// staged plan. A flag that cannot be read comes back at the last stage (a note says so).
void prepareStagedRestore(const RestorePlan &plan, const QList<Release::RolloutStage> &stages, const QList<Release::Cohort> &cohorts,
                          const Clients &clients, std::function<void(const StagedRestorePlan &)> done);

// Whether the way back may go on after the served cohorts' burn rates.
struct StageJudgement
{
    enum class Kind { Advance, Hold, NotEnoughData };
    Kind kind = Kind::NotEnoughData;
    QString headline;
    QStringList evidence;

    bool advance() const { return kind == Kind::Advance; }
    static QString kindName(Kind kind); // "advance", "hold", "not-enough-data"
};

// Pure: every SLO of every served cohort must have a verdict without a fired
// burn rule (any severity: outside the policy holds) and with enough data
// (missing or NotEnoughData holds too: low traffic is never healthy).
// verdicts: cohort id → one verdict per SLO (RolloutMonitor::verdicts()).
StageJudgement judgeRestoreStage(const QStringList &servedCohorts, const QHash<QString, QList<Slo::AlertVerdict>> &verdicts,
                                 const QList<Slo::SloSpec> &slos);

// The fix-forward pull request as read from GitHub and Vercel.
struct FixForward
{
    int number = 0;
    QString repo;  // "owner/repo"
    QString title;
    bool read = false; // the pull request was read
    bool missing = false; // GitHub answered that there is no such pull request (404): no override links to nothing
    bool merged = false;
    QString mergeSha;
    QString productionDeployment, productionSha;
    // GitHub's compare(mergeSha...productionSha).status: "identical" or "ahead"
    // mean production contains the merge commit; empty: not compared.
    QString comparison;
    QString error; // what could not be read, in words (empty: everything was read)

    QString url() const;
    bool deployed() const { return comparison == QStringLiteral("identical") || comparison == QStringLiteral("ahead"); }
    nlohmann::json toJson() const;
};

// "431", "#431" or https://github.com/OWNER/REPO/pull/431 of `repo` ("owner/repo"; empty: any).
Result<int> parsePullRequestRef(const QString &text, const QString &repo);

struct FixForwardVerdict
{
    bool ok = false;
    bool overridden = false;
    QString reason; // why it may (not) start
    QString remedy;
};

// Pure: stage 1 starts only with the fix merged and in production's
// deployment; otherwise refused with the reason, unless the policy allows an
// override (rollback.restore.withoutFix) and the operator typed a reason of
// at least minReasonChars.
FixForwardVerdict judgeFixForward(const FixForward &fix, bool overrideAllowed, const QString &overrideReason, int minReasonChars);

// Reads the pull request, production's deployment and the comparison.
// Never fails: what cannot be read is in FixForward::error.
void readFixForward(const Clients &clients, int number, std::function<void(const FixForward &)> done);

// The way back as its journal records it ("restore-plan", "restore-stage", ...).
struct RestoreProgress
{
    std::optional<StagedRestorePlan> plan; // the plan written ahead at stage 1; nullopt: not started
    int pullRequest = 0;
    QSet<int> done;     // stages done
    bool complete = false; // every stage with steps is done ("restored"; also a run restored in one go before ADR 0034)
    bool aborted = false;  // the operator stopped the way back ("restore-aborted")
    int next = -1;      // the next stage with steps, -1 when none is left
};
RestoreProgress restoreProgress(const RunJournal &journal);

// Runs one stage: writes the plan ahead with the pull request at the first
// stage ("restore-plan"), then "restore-stage-intent", each step (forward
// edits re-read before every write, so a resumed stage skips what it wrote),
// "restore-stage" done; an audit record per flag and per stage, each naming
// the pull request; after the last stage with steps, "restored" and
// `rollback.restore`. A stage without steps is recorded done at once.
void runRestoreStage(RunJournal &journal, const StagedRestorePlan &plan, int stage, const Clients &clients, const FixForward &fix,
                     const QString &overrideReason, std::function<void(const Result<nlohmann::json> &)> done);

// The operator stops the way back where it is: what earlier stages re-served stays served. Journaled and audited.
Status abortRestore(RunJournal &journal, const Clients &clients, int pullRequest, const QString &reason);

} // namespace Raize::Rollback
