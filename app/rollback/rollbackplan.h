#pragma once

#include "policy/sideeffectflags.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

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
struct Checklist
{
    std::optional<bool> sideEffectsIncorrect;
    std::optional<bool> flagsAloneStopHarm;
    std::optional<bool> isolatedToTenant;
    std::optional<bool> migrationMismatch;
};

struct Scope
{
    enum class Kind { Global, Tenant, PlatformAccount, Lane, Service };
    Kind kind = Kind::Global;
    QStringList clientIds;
    QStringList platformAccountIds;
    QString lane;    // "api" or "browser"
    QString service; // "web", "runner", ...
    QString describe() const;
};

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

// What the effective policy says about rollbacks (ADR 0016): the one
// side-effect flag list and the bundle's `rollback` section. Empty until the
// caller hands the profile's policy in; a plan without a side-effect list is
// refused rather than built on a guess.
struct RollbackRules
{
    Policy::SideEffectFlags sideEffects;
    QStringList sideEffectQueues;          // rollback.postChecks.sideEffectQueues: whose queues must drain (§7.5)
    int queueDrainSeconds = 120;           // rollback.postChecks.queueDrainSeconds
    int deploymentChecksTimeoutSeconds = 300; // rollback.postChecks.deploymentChecksTimeoutSeconds
    QStringList incidentLabels;            // rollback.incident.labels, besides "incident" and the priority
    bool operator==(const RollbackRules &o) const = default;
};

struct Inputs
{
    Trigger trigger = Trigger::ElevatedErrors;
    Checklist checklist;
    Scope scope;
    QList<FlagFact> flags;
    QList<DeploymentFact> deployments;
    QList<MigrationFact> migrations;
    QString migrationRollbackPlan; // a link; Option C needs one
    // Where the calls go.
    QString flagProject = QStringLiteral("default");
    QString flagEnvironment = QStringLiteral("production");
    QString vercelProjectId;
    QString githubOwner, githubRepo;
    QString reason; // the operator's words, sent as the rollback description
    RollbackRules policy;
};

struct Call
{
    QString service; // "flags", "vercel", "github", "prometheus", "console"
    QString method;  // GET, POST, ...
    QString path;    // relative to the service's base URL, with query
    nlohmann::json body;
    bool operator==(const Call &) const = default;
};

struct Step
{
    enum class Kind { DisableFlag, ConfirmFlagsOff, InstantRollback, ConfirmProduction, PostCheck, OpenIncident, JournalEntry, MigrationGuide };
    Kind kind = Kind::DisableFlag;
    QString title;
    Call call;
    int group = 0;          // steps of one group run in parallel; groups run in order
    bool idempotent = true; // repeating it leaves the same state
    QString target;         // flag key, deployment id, ...
};

struct Plan
{
    enum class Option { A_Flags, B_InstantRollback, C_FullWithMigrations };
    Priority priority = Priority::P2;
    Option option = Option::A_Flags;
    bool immediate = false;      // P0: execute without waiting for a decision
    QList<Step> steps;
    QString rollbackTarget;      // Option B/C
    QStringList refusals;        // why the plan cannot execute; empty: executable
    QStringList notes;           // what the operator should know (e.g. production will be pinned)
    QString digest;              // SHA-256 of the canonical plan; execute --plan-digest checks it

    bool executable() const { return refusals.isEmpty(); }
    nlohmann::json toJson() const;
    // Reads toJson() back (a journal's plan); the digest is recomputed, so a
    // changed file does not pass as the reviewed plan.
    static std::optional<Plan> fromJson(const nlohmann::json &j);
    QString computeDigest() const;
    static QString optionName(Option option);
};


// The deterministic plan (playbook §7): always disable the side-effect flags
// in scope first, then Option A, B or C, then the checks of §7.5 and the
// incident. Pure: the same inputs always give the same plan and digest.
Plan buildPlan(const Inputs &inputs);

// The newest safe Instant Rollback target, or why there is none:
// production, READY, not deleted, checks passed, older than what serves now,
// and no backward-incompatible migration applied since it was created.
struct TargetChoice
{
    std::optional<DeploymentFact> target;
    QStringList rejected; // "dpl_x: ERROR", ...
};
// allowMigrations: Option C, whose migration rollback plan restores the data.
TargetChoice chooseTarget(const Inputs &inputs, bool allowMigrations = false);

} // namespace Raize::Rollback
