#pragma once

#include "core/result.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackplan.h"

#include "release/cohorts.h"

#include <functional>

namespace Raize::Rollback {

// What the operator says; the rest of Inputs is read from the services.
struct Request
{
    Trigger trigger = Trigger::ElevatedErrors;
    Checklist checklist;
    Scope scope;
    QString reason;
    QString migrationRollbackPlan;
    QList<MigrationFact> migrations; // recorded by the operator (--migration); the console never runs them
};

struct Target
{
    QString flagProject, flagEnvironment;
    QString vercelProjectId;
    QString githubOwner, githubRepo;
    // The profile's cohorts and rollback rules, from its effective policy
    // (Session::setPolicy); a cohort constraint on a flag resolves through them.
    QList<Release::Cohort> cohorts;
    RollbackRules policy;
    // Where migrations live and how an incompatible one is marked (the
    // effective policy's); with GitHub configured, the Option B candidate's
    // migrations are read from it (issue #16, item 7). Unset: not checked.
    std::optional<Release::MigrationPolicy> migrations;
};

// Reads the current state (side-effect flags and their scopes, production
// deployments with their checks, and the migrations between the Instant
// Rollback candidate and production from GitHub) and fills in Inputs for
// buildPlan. A migration source that cannot be read is "unknown" in the
// inputs (Inputs::migrationCheck), never a failure of the whole read: a P0
// still turns its flags off (issue #16, item 9). Cohort
// constraints on flags are resolved to client and account ids through the
// target's cohorts. Fails, and says which service, when any part
// cannot be read: a rollback is never planned on a guess.
void gatherInputs(const Clients &clients, const Target &target, const Request &request,
                  std::function<void(const Result<Inputs> &)> done);

// The blast radius of `plan` (issue #16 item 2), asked of the flag
// service's own evaluator: the known clients and accounts are the target's
// cohorts' members, the scope's ids, and the `client` and `account` label
// values Prometheus saw in the 7 days before `clock`'s now. Never fails: a
// service that does not answer within `deadlineMs` (or at all) makes the
// radius unknown, saying why, and the plan stays executable (a P0 flags-off
// is never blocked by a precheck). Answers the plan with the radius attached
// (attachBlastRadius).
struct BlastOptions
{
    int deadlineMs = 8000;
    QString clientLabel = QStringLiteral("client");
    QString accountLabel = QStringLiteral("account");
    const Clock *clock = nullptr; // nullptr: Clock::system()
};
void askBlastRadius(const Clients &clients, const Target &target, const Inputs &inputs, Plan plan, const BlastOptions &options,
                    std::function<void(const Plan &)> done);

// Renders each intent's requests with the client that will send it: the
// flag service's own calls (Unleash or LaunchDarkly), Vercel's, GitHub's,
// Prometheus's. An intent whose client is not configured renders nothing.
// The clients must outlive the renderer.
CallRenderer renderWith(const Clients &clients);

// "global", "client:a,b", "account:x,y", "lane:browser", "service:web";
// "client:a+account:x,y" (a cohort's clients and accounts, as scopeText writes
// it); "cohort:ID" resolves through `cohorts` (the profile's).
Result<Scope> parseScope(const QString &text, const QList<Release::Cohort> &cohorts = {});
QString scopeText(const Scope &scope);

} // namespace Raize::Rollback
