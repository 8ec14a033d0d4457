#pragma once

#include "core/result.h"
#include "net/requestpreview.h"
#include "policy/sideeffectflags.h"
#include "rollback/blastradius.h"
#include "release/cohorts.h"
#include "release/migrationcheck.h"
#include "services/flags/flagservice.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <variant>

namespace Raize::Rollback {

// Playbook §7.1: what happened, and how urgent that makes it.
enum class Trigger {
    WrongAccountSideEffect, // P0
    DuplicatePosts,         // P0
    KillSwitchIgnored,      // P0
    SecuritySuspicion,      // P0
    PublishFailureBreach,   // P1
    VerificationFailureBreach, // P1
    QueueStuck,             // P1
    ElevatedErrors,         // P2
    UiRegression,           // P2
};
enum class Priority { P0, P1, P2 };
Priority priorityOf(Trigger trigger);
QString triggerName(Trigger trigger);            // "wrong-account side effect"
std::optional<Trigger> triggerFromId(const QString &id); // "wrong-account", "duplicate-posts", ...
QString priorityName(Priority p);

// Playbook §7.3; an unanswered question stays unknown and is treated conservatively.
// Each one decides something in buildPlan (issue #16, item 6):
//  Q1 sideEffectsIncorrect: yes takes the P0 path (immediate, flags first, code back), whatever the trigger;
//  Q2 flagsAloneStopHarm:   Option A (flags, patch forward) against B (Instant Rollback);
//  Q3 isolatedToTenant:     no widens a narrower scope to global; yes keeps the operator's scope;
//  Q4 migrationMismatch:    yes makes the migration check fail (Option C needs a linked plan); no
//                           vouches for a migration source that could not be read (never over one
//                           that found an incompatible migration: the stricter answer wins).
struct Checklist
{
    std::optional<bool> sideEffectsIncorrect;
    std::optional<bool> flagsAloneStopHarm;
    std::optional<bool> isolatedToTenant;
    std::optional<bool> migrationMismatch;
};
QString answerText(const std::optional<bool> &answer); // "yes", "no", "unknown"

struct Scope
{
    enum class Kind { Global, Tenant, PlatformAccount, Lane, Service };
    Kind kind = Kind::Global;
    QStringList clientIds;
    QStringList platformAccountIds;
    QString lane;    // "api" or "browser"
    QString service; // "web", "runner", ...
    // Set when the scope is canary cohorts (a page's): their ids, the `cohort`
    // context field and metrics label. The flag steps exclude them too, and
    // the queue check reads their queues only.
    QStringList cohorts;
    QString describe() const;
};

// What a flag step stops serving for a rollback scope (issue #16): its
// clients and platform accounts, or its lane; anyone the scope names stops.
// Global and service scopes change the flags for the whole environment (a
// service has no flag context field; its rollback is its Vercel project).
Services::FlagScope flagScopeOf(const Scope &scope);

// A flag as the flag service reports it in production.
struct FlagFact
{
    QString key;
    bool enabled = false;
    // Where it is on: empty lists and lane mean "everyone" for that dimension.
    QStringList clientIds, platformAccountIds;
    QString lane;
};

struct DeploymentFact
{
    QString id;
    QString state;          // READY, ERROR, BUILDING, ...
    bool production = false; // target production
    bool current = false;   // serves production now
    qint64 createdMs = 0;
    bool checksPassed = false;
    bool deleted = false;
    QString sha;
};

struct MigrationFact
{
    QString id;
    qint64 appliedMs = 0;
    bool backwardCompatible = true;
};

// The migration source's answer for the Instant Rollback candidate (issue
// #16, item 7): the migration files changed between the candidate's commit
// and production's, read from GitHub (Release::MigrationSource). No report
// means it could not be read, and `error` says why ("unknown", never a pass).
struct MigrationCheck
{
    QString deploymentId; // the candidate checked (base of the comparison)
    QString base, head;   // its commit and production's
    std::optional<Release::MigrationReport> report;
    QString error;
};

// A request as the plan shows it: rendered by the client that sends it.
using Call = Net::RequestPreview;

// ---- what each step does, as typed intents (issue #14 item 3) ----
// The executor acts on these; the calls a plan shows are rendered from them
// by the clients, never read back out of a preview.

// Vercel Instant Rollback of the project's production to a deployment.
struct InstantRollbackIntent
{
    QString projectId, deploymentId;
    QString description; // the operator-facing reason Vercel stores (≤ 250 characters)
    bool operator==(const InstantRollbackIntent &) const = default;
};
// Production serves the deployment (read the project until it does).
struct ProductionServesIntent
{
    QString projectId, deploymentId;
    // A canary abort (canaryAbortPlan): the canary whose rolling release the Instant Rollback ended. The step is
    // effective only once Vercel's rolling release says ABORTED, on top of the production checks. Empty: a rollback.
    QString abortsCanary = {};
    bool operator==(const ProductionServesIntent &) const = default;
};
// The deployment's checks all passed.
struct DeploymentChecksIntent
{
    QString deploymentId;
    bool operator==(const DeploymentChecksIntent &) const = default;
};
// A PromQL check of §7.5 and what its answer must show.
struct PromCheckIntent
{
    enum class Expect {
        QueuesEmpty,      // every series 0 (no pending side effects)
        RatioAtObjective, // one ratio ≥ the verification objective (or no traffic: safely disabled)
    };
    Expect expect = Expect::QueuesEmpty;
    QString promql;
    // Verification (§7.5, issue #16 item 8): "${since}" in the query stands for the seconds since the
    // check began, so only events after the rollback count; the answer is judged once this many
    // seconds have passed (0: at once). No event then is "not enough data", never a pass.
    int windowSeconds = 0;
    QString scopeServed; // the part still served the events come from ("clients outside house"; empty: nothing is)
    bool operator==(const PromCheckIntent &) const = default;
};
// The incident issue.
struct IncidentIntent
{
    QString owner, repo, title;
    QStringList labels;
    bool operator==(const IncidentIntent &) const = default;
};
// An incident milestone (issue #19 item 6): a comment on the run's incident issue when the flags
// are off, when the rollback is effective and when the post-checks are over, with the measured
// times from the run journal. The text is written when the step runs, from the journal only.
struct MilestoneIntent
{
    enum class Milestone { FlagsOff, Effective, ChecksDone };
    Milestone milestone = Milestone::FlagsOff;
    QString owner, repo;
    bool operator==(const MilestoneIntent &) const = default;
};
QString milestoneId(MilestoneIntent::Milestone milestone); // "flags-off", "effective", "checks"
std::optional<MilestoneIntent::Milestone> milestoneFromId(const QString &id);

// After the flag changes: the flag service's own evaluator must answer what
// the blast radius predicted (issue #16 item 2). `stillOn` holds the
// "contextKey|flag" pairs predicted on; everything else asked is predicted off.
struct BlastCheckIntent
{
    Services::EvaluationQuery query;
    QStringList stillOn;
    bool operator==(const BlastCheckIntent &) const = default;
};
// Something the console records and people do (the journal entry, a migration rollback plan).
struct RecordIntent
{
    enum class What { JournalEntry, MigrationPlan };
    What what = What::JournalEntry;
    QString link; // the migration rollback plan
    bool operator==(const RecordIntent &) const = default;
};

using Intent = std::variant<std::monostate, Services::ServeChange, Services::ServedQuery, InstantRollbackIntent, ProductionServesIntent,
                            DeploymentChecksIntent, PromCheckIntent, IncidentIntent, RecordIntent, BlastCheckIntent, MilestoneIntent>;

nlohmann::json intentToJson(const Intent &intent);
// Null when the record is not an intent this version knows.
std::optional<Intent> intentFromJson(const nlohmann::json &j);
QString intentType(const Intent &intent); // "flag.serve", "flag.served", "vercel.rollback", ...

// Renders the exact requests an intent becomes, by the client that will send
// them (see rollbackfacts.h: renderWith(Clients)).
using CallRenderer = std::function<QList<Call>(const Intent &)>;

// What the effective policy says about rollbacks (ADR 0017): the one
// side-effect flag list and the bundle's `rollback` section. Empty until the
// caller hands the profile's policy in; a plan without a side-effect list is
// refused rather than built on a guess.
struct RollbackRules
{
    Policy::SideEffectFlags sideEffects;
    QStringList sideEffectQueues;          // rollback.postChecks.sideEffectQueues: whose queues must drain (§7.5)
    int queueDrainSeconds = 120;           // rollback.postChecks.queueDrainSeconds
    int deploymentChecksTimeoutSeconds = 300; // rollback.postChecks.deploymentChecksTimeoutSeconds
    int verificationWindowSeconds = 30;    // rollback.postChecks.verificationWindowSeconds: events after the rollback (§7.5)
    // rollback.postChecks.stableWindowSeconds: "system is stable" (§7.5) when every burn rate of the
    // rollback's scope stays under 1× for this long after the run (StabilityCheck).
    int stableWindowSeconds = 300;
    QStringList incidentLabels;            // rollback.incident.labels, besides "incident" and the priority
    // rollback.killSwitchParent: the flag every side-effect flag depends on; a
    // global P0 turns it off first, in one call (issue #16 item 3). Empty: none.
    QString killSwitchParent;
    // rollback.restore.withoutFix: "allowed" (the built-in) lets an operator start the way back
    // before production contains the fix-forward pull request, with a typed reason; "forbidden" refuses (ADR 0034).
    bool restoreWithoutFixAllowed = true;
    bool operator==(const RollbackRules &o) const = default;
};

struct Inputs
{
    Trigger trigger = Trigger::ElevatedErrors;
    Checklist checklist;
    Scope scope;
    QList<FlagFact> flags;
    // The flags each flag needs on (or off), as the flag service says (by
    // key); a flag listed in dependenciesUnknown could not say. A flag that
    // needs the kill-switch parent on is stopped by turning the parent off.
    QHash<QString, QList<Services::FlagDependency>> flagDependencies;
    QStringList dependenciesUnknown;
    QList<DeploymentFact> deployments;
    QList<MigrationFact> migrations;     // recorded by the operator (--migration)
    std::optional<MigrationCheck> migrationCheck; // read from the source; nullopt: not checked (no GitHub, no candidate)
    QString migrationRollbackPlan; // a link; Option C needs one
    // What could not be read (a P0 plans without it, issue #16 item 9): "Vercel: connection refused".
    QStringList unknown;
    // The profile's cohorts: which `cohort` label values a client or account scope covers (the queue and verification checks).
    QList<Release::Cohort> cohorts;
    // Where the calls go.
    QString flagProject = QStringLiteral("default");
    QString flagEnvironment = QStringLiteral("production");
    QString vercelProjectId;
    QString githubOwner, githubRepo;
    QString reason; // the operator's words, sent as the rollback description
    RollbackRules policy;
    // Renders each step's calls (the clients that will send them); unset: the
    // plan holds intents only and shows no calls.
    CallRenderer render;
};


struct Step
{
    // OpenPostmortem (issue #16, item 8): the postmortem issue from resources/templates/postmortem.md, naming the incident.
    // IncidentMilestone (issue #19, item 6): a comment on the incident (MilestoneIntent). New kinds go last: the
    // plan's JSON stores the number.
    enum class Kind { DisableFlag, ConfirmFlagsOff, InstantRollback, ConfirmProduction, PostCheck, OpenIncident, JournalEntry, MigrationGuide,
                      OpenPostmortem, IncidentMilestone };
    Kind kind = Kind::DisableFlag;
    QString title;
    Intent intent;     // what the executor does
    QList<Call> calls; // what the operator sees: the requests the intent becomes (empty: no renderer, or nothing is sent)
    int group = 0;          // steps of one group run in parallel; groups run in order
    bool idempotent = true; // repeating it leaves the same state
    QString target;         // flag key, deployment id, ...

    template<typename T>
    const T *as() const { return std::get_if<T>(&intent); }
};

struct Plan
{
    // 1: steps held only their preview call, which the executor parsed (before issue #14).
    // 2: steps hold a typed intent and the calls rendered from it.
    // 3: the incident is filed right after the flags are confirmed off, and milestone steps
    //    (IncidentMilestone) comment on it (issue #19, item 6). A schema-2 plan is read and runs in its own order.
    static constexpr int SchemaVersion = 3;
    // The schema this plan is written in: a journal's plan keeps the one it was written in, so its digest does not change.
    int schema = SchemaVersion;

    enum class Option { A_Flags, B_InstantRollback, C_FullWithMigrations };
    Priority priority = Priority::P2;
    Option option = Option::A_Flags;
    bool immediate = false;      // P0: execute without waiting for a decision
    QList<Step> steps;
    QString rollbackTarget;      // Option B/C
    QStringList refusals;        // why the plan cannot execute; empty: executable
    // What a P0 plan leaves out rather than be blocked by (issue #16, item 9):
    // the code rollback when its prechecks fail or cannot be read. The
    // flags-off and the checks still run behind the typed confirmation.
    QStringList withheld;
    QStringList notes;           // what the operator should know (e.g. production will be pinned)
    QString digest;              // SHA-256 of the canonical plan; execute --plan-digest checks it
    // Who stops being served each flag, as the flag service's evaluator
    // answered before execution (attachBlastRadius). For people: not part of
    // the digest (its check step, when known, is).
    std::optional<BlastRadius> blastRadius;

    bool executable() const { return refusals.isEmpty(); }
    nlohmann::json toJson() const;
    // Reads toJson() back (a journal's plan); the digest is recomputed, so a
    // changed file does not pass as the reviewed plan. A schema-1 plan (an
    // earlier console's journal) is upgraded: its intents are read from its
    // calls, which that version wrote itself, and its digest is the one of
    // the plan as written. Fails, saying why, on what it cannot read.
    static Result<Plan> fromJson(const nlohmann::json &j);
    // Fills every step's calls through `render` and recomputes the digest.
    void renderCalls(const CallRenderer &render);
    QString computeDigest() const;
    static QString optionName(Option option);
};


// The deterministic plan (playbook §7): always disable the side-effect flags
// in scope first and confirm them off; then the incident, with a milestone
// comment for each of: flags off, rollback effective (Option B/C), post-checks
// over; then Option A, B or C, the checks of §7.5, the postmortem and the
// journal. Pure: the same inputs always give the same plan and digest.
Plan buildPlan(const Inputs &inputs);

// The flag changes of a plan, in step order (the parent first).
QList<Services::ServeChange> flagChanges(const Plan &plan);
// The Prometheus label matchers of what a scope covers (`cohort=~"house"`,
// `lane="browser"`; none: everything) — the queue check's, and "system is stable"'s (StabilityCheck).
QStringList scopeMetricMatchers(const Scope &scope, const QList<Release::Cohort> &cohorts);
// Adds the blast radius to the plan: the table, and when it is known a
// post-check that asks the flag service again after execution and fails on
// any difference from `predictedOn` (onPairs of the predicted state).
// Recomputes the digest.
void attachBlastRadius(Plan &plan, const BlastRadius &radius, const Services::EvaluationQuery &query, const QStringList &predictedOn);

// The newest safe Instant Rollback target, or why there is none:
// production, READY, not deleted, checks passed, older than what serves now,
// and no backward-incompatible migration applied since it was created.
struct TargetChoice
{
    std::optional<DeploymentFact> target;
    QStringList rejected; // "dpl_x: ERROR", ...
};
// allowMigrations: Option C, whose migration rollback plan restores the data.
// Without it, a candidate the migration check found older than an
// incompatible migration is rejected with the migration named.
TargetChoice chooseTarget(const Inputs &inputs, bool allowMigrations = false);

// The scope the plan acts on: the operator's, widened to global when §7.3 Q3
// says the failure is not isolated (and why, in `note`).
Scope effectiveScope(const Inputs &inputs, QString *note = nullptr);

} // namespace Raize::Rollback
