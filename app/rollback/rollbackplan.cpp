#include "rollback/rollbackplan.h"

#include "core/jsonutil.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

struct TriggerInfo
{
    Trigger trigger;
    const char *id;
    const char *name;
    Priority priority;
};

constexpr TriggerInfo kTriggers[] = {
    {Trigger::WrongAccountSideEffect, "wrong-account", "wrong-account side effects", Priority::P0},
    {Trigger::DuplicatePosts, "duplicate-posts", "duplicate posts/DMs", Priority::P0},
    {Trigger::KillSwitchIgnored, "kill-switch-ignored", "failure to respect kill switch", Priority::P0},
    {Trigger::SecuritySuspicion, "security", "security incident suspicion", Priority::P0},
    {Trigger::PublishFailureBreach, "publish-failures", "publish failure rate breach", Priority::P1},
    {Trigger::VerificationFailureBreach, "verification-failures", "verification failure rate breach", Priority::P1},
    {Trigger::QueueStuck, "queue-stuck", "queue stuck in a way that blocks operations", Priority::P1},
    {Trigger::ElevatedErrors, "elevated-errors", "elevated error rates, but contained", Priority::P2},
    {Trigger::UiRegression, "ui-regression", "non-critical UI regression", Priority::P2},
};

const TriggerInfo &info(Trigger t)
{
    for (const TriggerInfo &i : kTriggers) {
        if (i.trigger == t)
            return i;
    }
    return kTriggers[0];
}

bool intersects(const QStringList &flagList, const QStringList &scopeList)
{
    if (flagList.isEmpty() || scopeList.isEmpty())
        return true; // the flag is on for everyone in that dimension, or the scope is everyone
    return std::any_of(scopeList.cbegin(), scopeList.cend(), [&](const QString &id) { return flagList.contains(id); });
}

// Is the flag on somewhere inside the rollback's scope?
bool inScope(const FlagFact &f, const Scope &s)
{
    switch (s.kind) {
    case Scope::Kind::Global:
    case Scope::Kind::Service:
        return true;
    case Scope::Kind::Tenant:
        return intersects(f.clientIds, s.clientIds);
    case Scope::Kind::PlatformAccount:
        return intersects(f.platformAccountIds, s.platformAccountIds);
    case Scope::Kind::Lane:
        return f.lane.isEmpty() || f.lane == s.lane || (s.lane == u"browser"_s && f.key.startsWith(u"browser-lane."_s));
    }
    return true;
}

} // namespace

Priority priorityOf(Trigger trigger)
{
    return info(trigger).priority;
}

QString triggerName(Trigger trigger)
{
    return QString::fromLatin1(info(trigger).name);
}

std::optional<Trigger> triggerFromId(const QString &id)
{
    for (const TriggerInfo &i : kTriggers) {
        if (id == QLatin1StringView(i.id))
            return i.trigger;
    }
    return std::nullopt;
}

QString priorityName(Priority p)
{
    return p == Priority::P0 ? u"P0"_s : p == Priority::P1 ? u"P1"_s : u"P2"_s;
}

QString Scope::describe() const
{
    switch (kind) {
    case Kind::Global:
        return u"global"_s;
    case Kind::Tenant:
        return (cohorts.isEmpty() ? QString() : u"cohort "_s + cohorts.join(u", "_s) + u": "_s) + u"clients "_s + clientIds.join(u", "_s)
               + (platformAccountIds.isEmpty() ? QString() : u" · platform accounts "_s + platformAccountIds.join(u", "_s));
    case Kind::PlatformAccount:
        return u"platform accounts "_s + platformAccountIds.join(u", "_s);
    case Kind::Lane:
        return lane + u" lane"_s;
    case Kind::Service:
        return u"service "_s + service;
    }
    return {};
}

Services::FlagScope flagScopeOf(const Scope &scope)
{
    Services::FlagScope f;
    switch (scope.kind) {
    case Scope::Kind::Global:
    case Scope::Kind::Service:
        break;
    case Scope::Kind::Tenant:
        f.clientIds = scope.clientIds;
        f.platformAccountIds = scope.platformAccountIds;
        f.cohorts = scope.cohorts;
        break;
    case Scope::Kind::PlatformAccount:
        f.platformAccountIds = scope.platformAccountIds;
        break;
    case Scope::Kind::Lane:
        f.lane = scope.lane;
        break;
    }
    return f;
}

QString Plan::optionName(Option option)
{
    switch (option) {
    case Option::A_Flags:
        return u"A — flag rollback"_s;
    case Option::B_InstantRollback:
        return u"B — Instant Rollback"_s;
    case Option::C_FullWithMigrations:
        return u"C — full rollback with migrations"_s;
    }
    return {};
}

namespace {

// "db/migrations/0042_drop.sql (first lines say raize:incompatible)", each incompatible file with its reason.
QString incompatibleText(const Release::MigrationReport &report)
{
    QStringList out;
    for (const Release::MigrationFile &f : report.files) {
        if (f.compatibility == Release::Compatibility::Incompatible)
            out << (f.reason.isEmpty() ? f.path : u"%1 (%2)"_s.arg(f.path, f.reason));
    }
    return out.join(u", "_s);
}

} // namespace

QString milestoneId(MilestoneIntent::Milestone milestone)
{
    switch (milestone) {
    case MilestoneIntent::Milestone::FlagsOff: return u"flags-off"_s;
    case MilestoneIntent::Milestone::Effective: return u"effective"_s;
    case MilestoneIntent::Milestone::ChecksDone: return u"checks"_s;
    }
    return {};
}

std::optional<MilestoneIntent::Milestone> milestoneFromId(const QString &id)
{
    for (const auto m : {MilestoneIntent::Milestone::FlagsOff, MilestoneIntent::Milestone::Effective, MilestoneIntent::Milestone::ChecksDone}) {
        if (milestoneId(m) == id)
            return m;
    }
    return std::nullopt;
}

QString answerText(const std::optional<bool> &answer)
{
    return !answer ? u"unknown"_s : *answer ? u"yes"_s : u"no"_s;
}

Scope effectiveScope(const Inputs &in, QString *note)
{
    if (in.scope.kind != Scope::Kind::Global && in.checklist.isolatedToTenant == false) {
        if (note)
            *note = u"§7.3 Q3: the failure is not isolated to %1, so the plan acts globally"_s.arg(in.scope.describe());
        Scope global;
        return global;
    }
    if (note && in.scope.kind == Scope::Kind::Global && in.checklist.isolatedToTenant == true)
        *note = u"§7.3 Q3 says the failure is isolated, but no scope was named: the plan acts globally (name the scope to narrow it)"_s;
    return in.scope;
}

TargetChoice chooseTarget(const Inputs &in, bool allowMigrations)
{
    TargetChoice out;
    qint64 currentCreated = std::numeric_limits<qint64>::max();
    for (const DeploymentFact &d : in.deployments) {
        if (d.current)
            currentCreated = d.createdMs;
    }
    QList<DeploymentFact> candidates;
    for (const DeploymentFact &d : in.deployments) {
        if (d.production && !d.current)
            candidates << d;
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto &a, const auto &b) {
        return a.createdMs != b.createdMs ? a.createdMs > b.createdMs : a.id < b.id;
    });
    for (const DeploymentFact &d : candidates) {
        QString why;
        if (d.deleted)
            why = u"deleted"_s;
        else if (d.state != u"READY"_s)
            why = d.state;
        else if (d.createdMs > currentCreated)
            why = u"newer than what serves production"_s;
        else if (!d.checksPassed)
            why = u"its deployment checks did not pass"_s;
        else if (!allowMigrations) {
            for (const MigrationFact &m : in.migrations) {
                if (m.appliedMs > d.createdMs && !m.backwardCompatible) {
                    why = u"migration %1 since it is not backward-compatible"_s.arg(m.id);
                    break;
                }
            }
            // The source compared the newest candidate with production; every older one is older than the same migration.
            if (why.isEmpty() && in.migrationCheck && in.migrationCheck->report
                && in.migrationCheck->report->overall() == Release::Compatibility::Incompatible) {
                const auto checked = std::find_if(in.deployments.cbegin(), in.deployments.cend(),
                                                  [&](const DeploymentFact &c) { return c.id == in.migrationCheck->deploymentId; });
                if (checked != in.deployments.cend() && d.createdMs <= checked->createdMs)
                    why = u"older than the incompatible migration %1"_s.arg(incompatibleText(*in.migrationCheck->report));
            }
        }
        if (why.isEmpty()) {
            out.target = d;
            return out;
        }
        out.rejected << d.id + u": "_s + why;
    }
    return out;
}

namespace {

// The `cohort` label values a scope covers: the cohorts it names, and the profile's
// cohorts its clients or accounts are in (empty: it names no cohort the metrics know).
QStringList scopeCohorts(const Scope &scope, const QList<Release::Cohort> &cohorts)
{
    // A page's scope names its canary cohorts (Scope::cohorts): those first.
    QStringList out = scope.kind == Scope::Kind::Tenant ? scope.cohorts : QStringList();
    for (const Release::Cohort &c : cohorts) {
        const bool hit = (scope.kind == Scope::Kind::Tenant && std::any_of(scope.clientIds.cbegin(), scope.clientIds.cend(), [&](const QString &id) {
                              return c.clientIds.contains(id);
                          }))
                         || (scope.kind == Scope::Kind::PlatformAccount
                             && std::any_of(scope.platformAccountIds.cbegin(), scope.platformAccountIds.cend(),
                                            [&](const QString &id) { return c.platformAccountIds.contains(id); }));
        if (hit && !out.contains(c.id))
            out << c.id;
    }
    return out;
}

QString alternation(const QStringList &values)
{
    QStringList escaped;
    for (const QString &v : values)
        escaped << QRegularExpression::escape(v);
    return escaped.join(u'|');
}

// Label matchers for inside (true) or outside (false) the scope; nullopt: that part cannot be told apart by labels.
std::optional<QStringList> scopeMatchers(const Scope &scope, const QList<Release::Cohort> &cohorts, bool inside)
{
    switch (scope.kind) {
    case Scope::Kind::Global:
    case Scope::Kind::Service:
        return inside ? std::optional<QStringList>(QStringList()) : std::nullopt; // everything, or nothing outside it
    case Scope::Kind::Lane:
        return QStringList{u"lane%1\"%2\""_s.arg(inside ? u"="_s : u"!="_s, scope.lane)};
    case Scope::Kind::Tenant:
    case Scope::Kind::PlatformAccount: {
        const QStringList ids = scopeCohorts(scope, cohorts);
        if (ids.isEmpty())
            return inside ? std::optional<QStringList>(QStringList()) : std::nullopt; // not a cohort the metrics know: read all of it
        return QStringList{u"cohort%1\"%2\""_s.arg(inside ? u"=~"_s : u"!~"_s, alternation(ids))};
    }
    }
    return std::nullopt;
}

QString selector(const QString &metric, QStringList matchers)
{
    matchers.removeAll(QString());
    return matchers.isEmpty() ? metric : metric + u'{' + matchers.join(u',') + u'}';
}

// §7.5 "no pending side effects in queues": the depth of the queues the policy names, in the scope
// (a scope of cohorts drains only its own queues: everyone else keeps publishing, issue #16).
QString queueQuery(const QStringList &queues, const QStringList &inScope)
{
    QStringList matchers = inScope;
    if (queues.size() == 1)
        matchers << u"service=\"%1\""_s.arg(queues.first());
    else if (!queues.isEmpty())
        matchers << u"service=~\"%1\""_s.arg(alternation(queues));
    return u"sum by (cohort, lane) (%1)"_s.arg(selector(u"raize_queue_depth"_s, matchers));
}

// "incident", the policy's labels, then the priority ("p1").
QStringList incidentLabels(const RollbackRules &rules, Priority priority)
{
    QStringList labels{u"incident"_s};
    for (const QString &l : rules.incidentLabels) {
        if (!labels.contains(l))
            labels << l;
    }
    labels << priorityName(priority).toLower();
    return labels;
}

} // namespace

Plan buildPlan(const Inputs &in)
{
    Plan plan;
    plan.priority = priorityOf(in.trigger);
    const Checklist &c = in.checklist;
    // §7.3 Q1: side effects happening incorrectly is the P0 path, whatever the trigger was called.
    if (c.sideEffectsIncorrect == true && plan.priority != Priority::P0) {
        plan.priority = Priority::P0;
        plan.notes << u"§7.3 Q1: side effects are happening incorrectly: the P0 path (immediate, flags first, then the code)"_s;
    } else if (c.sideEffectsIncorrect == false && plan.priority == Priority::P0) {
        plan.notes << u"§7.3 Q1 answered no, but %1 is a P0 trigger (§7.1): the P0 path stays"_s.arg(triggerName(in.trigger));
    }
    plan.immediate = plan.priority == Priority::P0;
    QString scopeNote;
    const Scope scope = effectiveScope(in, &scopeNote);
    if (!scopeNote.isEmpty())
        plan.notes << scopeNote;
    // What the flag steps write and read back: the effective scope (§7.3 Q3 may widen it to global).
    const Services::FlagScope flagScope = flagScopeOf(scope);
    int group = 0;

    if (in.policy.sideEffects.prefixes.isEmpty() && in.policy.sideEffects.keys.isEmpty())
        plan.refusals << u"no side-effect flag list: the profile's effective policy was not handed to the planner (a console bug; report it)"_s;

    // Step 1, always (§7.2): disable the side-effect flags that are on in scope, in parallel.
    ++group;
    QStringList disabled;
    QList<FlagFact> flags = in.flags;
    std::sort(flags.begin(), flags.end(), [](const auto &a, const auto &b) { return a.key < b.key; });
    // A global P0 turns the kill-switch parent off first (issue #16 item 3): one call stops every
    // side-effect flag that depends on it; the flags follow one by one, for the record.
    const QString parent = in.policy.killSwitchParent;
    bool parentFirst = false;
    if (!parent.isEmpty() && plan.priority == Priority::P0 && scope.kind == Scope::Kind::Global) {
        const auto it = std::find_if(flags.cbegin(), flags.cend(), [&](const FlagFact &f) { return f.key == parent; });
        if (it == flags.cend()) {
            plan.notes << u"the kill-switch parent %1 is not in the flag service: every side-effect flag is turned off one by one"_s.arg(parent);
        } else {
            parentFirst = true;
            Step s;
            s.kind = Step::Kind::DisableFlag;
            s.title = u"Turn the kill-switch parent %1 off in %2: one call stops every side-effect flag that depends on it"_s.arg(parent, in.flagEnvironment);
            Services::ServeChange off;
            off.flag = parent;
            off.environment = in.flagEnvironment;
            off.on = false;
            s.intent = off;
            s.group = group++;
            s.target = parent;
            plan.steps << s;
            disabled << parent;
            QStringList alone;
            for (const FlagFact &f : std::as_const(flags)) {
                const QList<Services::FlagDependency> deps = in.flagDependencies.value(f.key);
                const bool needsParent = !in.dependenciesUnknown.contains(f.key)
                                         && std::any_of(deps.cbegin(), deps.cend(), [&](const Services::FlagDependency &d) {
                                                return d.feature == parent && d.enabled && d.variants.isEmpty();
                                            });
                if (f.key != parent && f.enabled && in.policy.sideEffects.matches(f.key) && !needsParent)
                    alone << f.key;
            }
            plan.notes << (alone.isEmpty()
                               ? u"every side-effect flag that is on depends on the kill-switch parent %1: turning it off stops them all; "
                                 u"they are then turned off one by one for the record"_s.arg(parent)
                               : u"%1 side-effect flag(s) do not depend on the kill-switch parent %2 and are stopped only by their own step: %3"_s
                                     .arg(alone.size())
                                     .arg(parent, alone.join(u", "_s)));
        }
    }
    for (const FlagFact &f : flags) {
        if (!f.enabled || !in.policy.sideEffects.matches(f.key) || !inScope(f, scope) || (parentFirst && f.key == parent))
            continue;
        Step s;
        s.kind = Step::Kind::DisableFlag;
        s.title = flagScope.global() ? u"Disable %1 in %2"_s.arg(f.key, in.flagEnvironment)
                                     : u"Disable %1 in %2 for %3 only"_s.arg(f.key, in.flagEnvironment, flagScope.describe());
        // Off for the scope only (issue #16): everyone outside keeps being served.
        Services::ServeChange off;
        off.flag = f.key;
        off.environment = in.flagEnvironment;
        off.scope = flagScope;
        off.on = false;
        s.intent = off;
        s.group = group;
        s.idempotent = true; // turning off an off flag changes nothing
        s.target = f.key;
        plan.steps << s;
        disabled << f.key;
    }
    if (!disabled.isEmpty()) {
        Step confirm;
        confirm.kind = Step::Kind::ConfirmFlagsOff;
        confirm.title = u"Confirm flags off (read back from the flag service)"_s;
        Services::ServedQuery readBack;
        readBack.flags = disabled;
        readBack.environment = in.flagEnvironment;
        readBack.scope = flagScope;
        confirm.intent = readBack;
        confirm.group = ++group;
        confirm.target = disabled.join(u',');
        plan.steps << confirm;
    } else {
        plan.notes << u"no side-effect flag is on in scope (%1): nothing to disable"_s.arg(scope.describe());
    }

    // The incident right after the flags are confirmed off (issue #19, item 6): never before them (a P0
    // does not wait for GitHub), and early enough that people follow the rollback on it. Each milestone
    // is a comment on it, written from the run journal's measured times when the step runs.
    Step incident;
    incident.kind = Step::Kind::OpenIncident;
    incident.title = u"Open the incident issue"_s;
    const QString incidentTitle = priorityName(plan.priority) + u" incident: "_s + triggerName(in.trigger);
    incident.intent = IncidentIntent{in.githubOwner, in.githubRepo, incidentTitle, incidentLabels(in.policy, plan.priority)};
    incident.group = ++group;
    incident.idempotent = false; // never retried blindly: remember the number once created
    plan.steps << incident;
    const auto milestone = [&](MilestoneIntent::Milestone which, const QString &title) {
        Step m;
        m.kind = Step::Kind::IncidentMilestone;
        m.title = title;
        m.intent = MilestoneIntent{which, in.githubOwner, in.githubRepo};
        m.group = ++group;
        m.idempotent = false; // a comment: on resume, GitHub's comments are asked before it is posted again
        m.target = milestoneId(which);
        plan.steps << m;
    };
    if (!disabled.isEmpty())
        milestone(MilestoneIntent::Milestone::FlagsOff, u"Comment on the incident: flags off (times from the run journal)"_s);

    // Which option (§7.3, §7.4). Unknown answers are read the cautious way.
    // Q4: the operator's answer, the migrations they recorded and the migration source; the stricter wins.
    const bool recordedIncompatible = std::any_of(in.migrations.cbegin(), in.migrations.cend(), [](const auto &m) { return !m.backwardCompatible; });
    const bool sourceIncompatible = in.migrationCheck && in.migrationCheck->report
                                    && in.migrationCheck->report->overall() == Release::Compatibility::Incompatible;
    const bool migrationMismatch = c.migrationMismatch.value_or(false) || recordedIncompatible || sourceIncompatible;
    if (sourceIncompatible && c.migrationMismatch == false)
        plan.notes << u"§7.3 Q4 answered no, but the migration source found %1: the stricter answer wins"_s.arg(
            incompatibleText(*in.migrationCheck->report));
    bool flagsSuffice;
    if (c.flagsAloneStopHarm.has_value())
        flagsSuffice = *c.flagsAloneStopHarm;
    else
        flagsSuffice = plan.priority == Priority::P2; // P0/P1 with an unknown answer: restore code too
    if (plan.priority == Priority::P0 && flagsSuffice) {
        flagsSuffice = false; // §7.1: P0 means immediate rollback, flags first, then code
        plan.notes << u"P0: the deployment is rolled back even though flags may stop the harm (§7.1)"_s;
    }
    if (flagsSuffice && disabled.isEmpty() && plan.priority != Priority::P2) {
        flagsSuffice = false; // no flag to turn off cannot stop the harm
        plan.notes << u"the checklist says flags suffice, but no side-effect flag is on in scope: restoring the deployment instead"_s;
    }

    if (flagsSuffice) {
        plan.option = Plan::Option::A_Flags;
        plan.notes << u"keep the code deployed and patch forward (§7.4 Option A)"_s;
    } else {
        // What stops the code rollback; a P0 withholds it instead and still stops the harm with the flags (item 9).
        QStringList codeRefusals;
        const bool optionC = migrationMismatch && !in.migrationRollbackPlan.isEmpty();
        // Option C restores the data by its own plan, so migrations do not disqualify a target there.
        const TargetChoice choice = chooseTarget(in, optionC);
        // The newest target but for migrations: what Option B would have used.
        const TargetChoice candidate = optionC ? choice : chooseTarget(in, true);
        plan.option = optionC ? Plan::Option::C_FullWithMigrations : Plan::Option::B_InstantRollback;
        if (migrationMismatch && !optionC && candidate.target) {
            QString which;
            if (sourceIncompatible)
                which = u"the incompatible migration "_s + incompatibleText(*in.migrationCheck->report);
            else if (recordedIncompatible) {
                QStringList ids;
                for (const MigrationFact &m : in.migrations) {
                    if (!m.backwardCompatible)
                        ids << m.id;
                }
                which = u"the incompatible migration "_s + ids.join(u", "_s) + u" (recorded by the operator)"_s;
            } else {
                which = u"a migration the operator reports as a data mismatch (§7.3 Q4)"_s;
            }
            codeRefusals << u"Option B refused: %1 is older than %2; an Instant Rollback would run code against the changed data. "
                            u"Link the migration rollback plan (--migration-plan URL, or the dialog's field) for Option C"_s.arg(candidate.target->id, which);
        } else if (!choice.target) {
            codeRefusals << (choice.rejected.isEmpty() ? u"no earlier production deployment exists to roll back to"_s
                                                       : u"no safe Instant Rollback target: "_s + choice.rejected.join(u"; "_s));
        } else if (!optionC && in.migrationCheck && in.migrationCheck->deploymentId == choice.target->id
                   && (!in.migrationCheck->report || in.migrationCheck->report->overall() == Release::Compatibility::Unknown)) {
            const QString why = in.migrationCheck->report ? in.migrationCheck->report->summary() : in.migrationCheck->error;
            if (c.migrationMismatch == false)
                plan.notes << u"migrations since %1: unknown (%2); the operator answered §7.3 Q4 no"_s.arg(choice.target->id, why);
            else if (plan.priority == Priority::P0)
                // A P0 is not held up by a source it cannot read (item 9): it goes ahead, and says what is unknown.
                plan.notes << u"migrations since %1: UNKNOWN (%2) — P0 goes ahead; check db migrations between %3 and %4 by hand"_s.arg(
                    choice.target->id, why, in.migrationCheck->base.left(7), in.migrationCheck->head.left(7));
            else
                codeRefusals << u"migrations since %1: unknown (%2). Check db migrations between %3 and %4 by hand, then answer §7.3 Q4 "
                                u"(--migration-mismatch no), or link a migration rollback plan for Option C"_s.arg(
                                    choice.target->id, why, in.migrationCheck->base.left(7), in.migrationCheck->head.left(7));
        } else if (in.migrationCheck && in.migrationCheck->deploymentId == choice.target->id && in.migrationCheck->report) {
            plan.notes << u"migrations since %1: %2"_s.arg(choice.target->id, in.migrationCheck->report->summary());
        }
        if (!codeRefusals.isEmpty() && !in.unknown.isEmpty())
            codeRefusals << u"unknown: "_s + in.unknown.join(u"; "_s);
        if (!codeRefusals.isEmpty() && plan.priority == Priority::P0 && !disabled.isEmpty()) {
            plan.withheld << codeRefusals;
            plan.notes << u"P0: the code rollback is withheld (see below); the side-effect flags still go off now (§7.2)"_s;
        } else {
            plan.refusals << codeRefusals;
        }
        if (codeRefusals.isEmpty()) {
            plan.rollbackTarget = choice.target->id;
            if (plan.option == Plan::Option::C_FullWithMigrations) {
                plan.notes << u"§7.4 Option C: the migration rollback plan %1 is recorded before the code goes back and run by people; "
                              u"the console never runs migrations"_s.arg(in.migrationRollbackPlan);
                Step guide;
                guide.kind = Step::Kind::MigrationGuide;
                guide.title = u"Run the migration rollback plan by hand (the console records it, never runs migrations): %1"_s.arg(in.migrationRollbackPlan);
                guide.intent = RecordIntent{RecordIntent::What::MigrationPlan, in.migrationRollbackPlan};
                guide.group = ++group;
                plan.steps << guide;
            }
            Step rb;
            rb.kind = Step::Kind::InstantRollback;
            rb.title = u"Instant Rollback production to %1"_s.arg(choice.target->id);
            QString description = priorityName(plan.priority) + u": "_s + triggerName(in.trigger);
            if (!in.reason.isEmpty())
                description += u" — "_s + in.reason;
            description.truncate(250); // Vercel's limit for a rollback description
            rb.intent = InstantRollbackIntent{in.vercelProjectId, choice.target->id, description};
            rb.group = ++group;
            rb.idempotent = false; // read the project back before ever sending it again
            rb.target = choice.target->id;
            plan.steps << rb;

            Step confirm;
            confirm.kind = Step::Kind::ConfirmProduction;
            confirm.title = u"Confirm production serves %1 (and is pinned)"_s.arg(choice.target->id);
            confirm.intent = ProductionServesIntent{in.vercelProjectId, choice.target->id};
            confirm.group = ++group;
            confirm.target = choice.target->id;
            plan.steps << confirm;
            plan.notes << u"after the Instant Rollback production is pinned: new production deployments are not assigned to the domains until a promotion"_s;
            milestone(MilestoneIntent::Milestone::Effective,
                      u"Comment on the incident: rollback effective (accepted and effective times from the run journal)"_s);
        }
    }

    // §7.5: the checks, their milestone, then the postmortem and the journal.
    const int checks = ++group;
    const auto check = [&](const QString &title, Intent intent, const QString &target) {
        Step s;
        s.kind = Step::Kind::PostCheck;
        s.title = title;
        s.intent = std::move(intent);
        s.group = checks;
        s.target = target;
        plan.steps << s;
    };
    if (!plan.rollbackTarget.isEmpty())
        check(u"Deployment checks of %1 passed"_s.arg(plan.rollbackTarget),
              DeploymentChecksIntent{plan.rollbackTarget}, plan.rollbackTarget);
    const QStringList inScope = scopeMatchers(scope, in.cohorts, true).value_or(QStringList());
    check(u"No pending side effects in the queues of %1"_s.arg(scope.describe()),
          PromCheckIntent{PromCheckIntent::Expect::QueuesEmpty, queueQuery(in.policy.sideEffectQueues, inScope), 0, {}}, {});
    // §7.5 "verification passes": events after the rollback, where side effects are still served
    // (outside the scope); a global scope leaves nothing served, which is "not enough data", not a pass.
    const std::optional<QStringList> served = scopeMatchers(scope, in.cohorts, false);
    PromCheckIntent verify;
    verify.expect = PromCheckIntent::Expect::RatioAtObjective;
    const QStringList outside = served.value_or(QStringList());
    verify.promql = u"sum(increase(%1[${since}s])) / sum(increase(%2[${since}s]))"_s.arg(
        selector(u"raize_verification_seconds_bucket"_s, QStringList{u"le=\"60\""_s} + outside), selector(u"raize_verification_seconds_count"_s, outside));
    verify.windowSeconds = served ? in.policy.verificationWindowSeconds : 0;
    verify.scopeServed = served ? u"outside %1"_s.arg(scope.describe()) : QString();
    check(served ? u"Verification passes outside %1 (events after the rollback)"_s.arg(scope.describe())
                 : u"Verification (%1: nothing in scope is still served)"_s.arg(scope.describe()),
          verify, {});

    milestone(MilestoneIntent::Milestone::ChecksDone, u"Comment on the incident: post-checks over (each check's outcome and time)"_s);

    // §7.5 "start postmortem process": its issue names the incident, so GitHub links the two both ways.
    Step postmortem;
    postmortem.kind = Step::Kind::OpenPostmortem;
    postmortem.title = u"Open the postmortem issue (template: timeline, impact, trigger, what stopped it, follow-ups)"_s;
    postmortem.intent =
        IncidentIntent{in.githubOwner, in.githubRepo, u"Postmortem: "_s + incidentTitle, {u"postmortem"_s, priorityName(plan.priority).toLower()}};
    postmortem.group = ++group;
    postmortem.idempotent = false;
    plan.steps << postmortem;

    Step journal;
    journal.kind = Step::Kind::JournalEntry;
    journal.title = u"Append the journal entry and link everything in the audit log"_s;
    journal.intent = RecordIntent{RecordIntent::What::JournalEntry, {}};
    journal.group = ++group;
    plan.steps << journal;

    if (in.render)
        plan.renderCalls(in.render);
    plan.digest = plan.computeDigest();
    return plan;
}

QStringList scopeMetricMatchers(const Scope &scope, const QList<Release::Cohort> &cohorts)
{
    return scopeMatchers(scope, cohorts, true).value_or(QStringList());
}

QList<Services::ServeChange> flagChanges(const Plan &plan)
{
    QList<Services::ServeChange> out;
    for (const Step &s : plan.steps) {
        if (const auto *c = s.as<Services::ServeChange>(); c && s.kind == Step::Kind::DisableFlag)
            out << *c;
    }
    return out;
}

void attachBlastRadius(Plan &plan, const BlastRadius &radius, const Services::EvaluationQuery &query, const QStringList &predictedOn)
{
    plan.blastRadius = radius;
    if (radius.known && !query.flags.isEmpty()) {
        // With the other checks, after the read-back that the flags are off; a kill switch has no
        // other checks: its own group after the read-back.
        int confirmGroup = 0;
        for (const Step &s : std::as_const(plan.steps)) {
            if (s.kind == Step::Kind::ConfirmFlagsOff || s.kind == Step::Kind::DisableFlag)
                confirmGroup = std::max(confirmGroup, s.group);
        }
        int group = confirmGroup + 1;
        qsizetype at = plan.steps.size();
        for (qsizetype i = 0; i < plan.steps.size(); ++i) {
            if (plan.steps[i].kind == Step::Kind::PostCheck && plan.steps[i].group > confirmGroup) {
                group = plan.steps[i].group;
                at = i;
                break;
            }
        }
        Step check;
        check.kind = Step::Kind::PostCheck;
        check.title = u"The flag service serves what the blast radius predicted (asked again: %1 contexts)"_s.arg(query.contexts());
        check.intent = BlastCheckIntent{query, predictedOn};
        check.group = group;
        check.target = query.flags.join(u',');
        plan.steps.insert(at, check);
    } else if (!radius.known) {
        plan.notes << u"blast radius unknown (%1): the flags-off still runs behind the typed confirmation"_s.arg(radius.unknownReason);
    }
    plan.digest = plan.computeDigest();
}

void Plan::renderCalls(const CallRenderer &render)
{
    for (Step &st : steps)
        st.calls = render ? render(st.intent) : QList<Call>();
    digest = computeDigest();
}

QString Plan::computeDigest() const
{
    return QString::fromLatin1(QCryptographicHash::hash(Json::dump(toJson()), QCryptographicHash::Sha256).toHex());
}

namespace {

QString jstr(const json &o, const char *k)
{
    return o.is_object() && o.contains(k) && o[k].is_string() ? QString::fromStdString(o[k].get<std::string>()) : QString();
}

json strings(const QStringList &l)
{
    json a = json::array();
    for (const QString &v : l)
        a.push_back(v.toStdString());
    return a;
}

QString dec(const QString &s)
{
    return QUrl::fromPercentEncoding(s.toUtf8());
}

Error planError(const QString &message)
{
    return Error::make(Error::Kind::Parse, u"console"_s, message,
                       u"The journal's plan cannot be executed by this version: finish the rollback by hand (docs/runbooks/rollback.md)."_s);
}

// A schema-1 step (before issue #14): its intent, read from the call that
// version wrote for it. Those calls were always Unleash, Vercel, Prometheus
// and GitHub calls in the shapes below; anything else is refused.
std::optional<Intent> intentFromV1(Step::Kind kind, const Call &c, const QString &target, const QString &flagEnvironment)
{
    static const QRegularExpression flagOff(u"^/api/admin/projects/[^/]+/features/([^/]+)/environments/([^/]+)/off$"_s);
    static const QRegularExpression rollback(u"^/v1/projects/([^/?]+)/rollback/([^/?]+)(?:\\?description=(.*))?$"_s);
    static const QRegularExpression project(u"^/v9/projects/([^/?]+)$"_s);
    static const QRegularExpression issues(u"^/repos/([^/]+)/([^/]+)/issues$"_s);
    switch (kind) {
    case Step::Kind::DisableFlag: {
        const auto m = flagOff.match(c.path);
        if (!m.hasMatch())
            return std::nullopt;
        Services::ServeChange off;
        off.flag = dec(m.captured(1));
        off.environment = dec(m.captured(2));
        return off;
    }
    case Step::Kind::ConfirmFlagsOff: {
        Services::ServedQuery q;
        q.flags = target.split(u',', Qt::SkipEmptyParts);
        q.environment = flagEnvironment;
        if (q.flags.isEmpty())
            return std::nullopt;
        return q;
    }
    case Step::Kind::InstantRollback: {
        const auto m = rollback.match(c.path);
        if (!m.hasMatch())
            return std::nullopt;
        return InstantRollbackIntent{dec(m.captured(1)), dec(m.captured(2)), dec(m.captured(3))};
    }
    case Step::Kind::ConfirmProduction: {
        const auto m = project.match(c.path);
        if (!m.hasMatch() || target.isEmpty())
            return std::nullopt;
        return ProductionServesIntent{dec(m.captured(1)), target};
    }
    case Step::Kind::PostCheck: {
        if (c.service == u"vercel"_s && !target.isEmpty())
            return DeploymentChecksIntent{target};
        const QString query = jstr(c.body, "query");
        if (c.service != u"prometheus"_s || query.isEmpty())
            return std::nullopt;
        return PromCheckIntent{query.contains(u"raize_queue_depth"_s) ? PromCheckIntent::Expect::QueuesEmpty : PromCheckIntent::Expect::RatioAtObjective,
                               query, 0, {}};
    }
    case Step::Kind::OpenIncident: {
        const auto m = issues.match(c.path);
        if (!m.hasMatch() || jstr(c.body, "title").isEmpty())
            return std::nullopt;
        QStringList labels;
        for (const json &l : c.body.value("labels", json::array())) {
            if (l.is_string())
                labels << QString::fromStdString(l.get<std::string>());
        }
        return IncidentIntent{dec(m.captured(1)), dec(m.captured(2)), jstr(c.body, "title"), labels};
    }
    case Step::Kind::JournalEntry:
        return RecordIntent{RecordIntent::What::JournalEntry, {}};
    case Step::Kind::MigrationGuide:
        return RecordIntent{RecordIntent::What::MigrationPlan, c.path};
    case Step::Kind::OpenPostmortem:
    case Step::Kind::IncidentMilestone:
        return std::nullopt; // schema 1 had none
    }
    return std::nullopt;
}

// The step kind an intent belongs to: a plan whose step says otherwise was not written by a console.
bool fits(Step::Kind kind, const Intent &intent)
{
    switch (kind) {
    case Step::Kind::DisableFlag: return std::holds_alternative<Services::ServeChange>(intent);
    case Step::Kind::ConfirmFlagsOff: return std::holds_alternative<Services::ServedQuery>(intent);
    case Step::Kind::InstantRollback: return std::holds_alternative<InstantRollbackIntent>(intent);
    case Step::Kind::ConfirmProduction: return std::holds_alternative<ProductionServesIntent>(intent);
    case Step::Kind::PostCheck:
        return std::holds_alternative<DeploymentChecksIntent>(intent) || std::holds_alternative<PromCheckIntent>(intent)
               || std::holds_alternative<BlastCheckIntent>(intent);
    case Step::Kind::OpenIncident:
    case Step::Kind::OpenPostmortem: return std::holds_alternative<IncidentIntent>(intent);
    case Step::Kind::IncidentMilestone: return std::holds_alternative<MilestoneIntent>(intent);
    case Step::Kind::JournalEntry:
    case Step::Kind::MigrationGuide: return std::holds_alternative<RecordIntent>(intent);
    }
    return false;
}

} // namespace

QString intentType(const Intent &intent)
{
    struct V
    {
        QString operator()(std::monostate) const { return u"none"_s; }
        QString operator()(const Services::ServeChange &) const { return u"flag.serve"_s; }
        QString operator()(const Services::ServedQuery &) const { return u"flag.served"_s; }
        QString operator()(const InstantRollbackIntent &) const { return u"vercel.rollback"_s; }
        QString operator()(const ProductionServesIntent &) const { return u"vercel.production"_s; }
        QString operator()(const DeploymentChecksIntent &) const { return u"vercel.checks"_s; }
        QString operator()(const PromCheckIntent &) const { return u"prometheus.check"_s; }
        QString operator()(const IncidentIntent &) const { return u"github.incident"_s; }
        QString operator()(const RecordIntent &) const { return u"console.record"_s; }
        QString operator()(const BlastCheckIntent &) const { return u"flag.blast-check"_s; }
        QString operator()(const MilestoneIntent &) const { return u"github.milestone"_s; }
    };
    return std::visit(V{}, intent);
}

json intentToJson(const Intent &intent)
{
    struct V
    {
        json operator()(std::monostate) const { return json::object(); }
        json operator()(const Services::ServeChange &c) const { return c.toJson(); }
        json operator()(const Services::ServedQuery &q) const { return q.toJson(); }
        json operator()(const InstantRollbackIntent &i) const
        {
            return {{"projectId", i.projectId.toStdString()}, {"deploymentId", i.deploymentId.toStdString()}, {"description", i.description.toStdString()}};
        }
        json operator()(const ProductionServesIntent &i) const
        {
            json j = {{"projectId", i.projectId.toStdString()}, {"deploymentId", i.deploymentId.toStdString()}};
            if (!i.abortsCanary.isEmpty()) // only when set: earlier plans keep their digest
                j["abortsCanary"] = i.abortsCanary.toStdString();
            return j;
        }
        json operator()(const DeploymentChecksIntent &i) const { return {{"deploymentId", i.deploymentId.toStdString()}}; }
        json operator()(const PromCheckIntent &i) const
        {
            json j = {{"expect", i.expect == PromCheckIntent::Expect::QueuesEmpty ? "queues-empty" : "ratio-at-objective"},
                      {"query", i.promql.toStdString()}};
            if (i.windowSeconds > 0) // only when set: earlier plans keep their digest
                j["windowSeconds"] = i.windowSeconds;
            if (!i.scopeServed.isEmpty())
                j["scopeServed"] = i.scopeServed.toStdString();
            return j;
        }
        json operator()(const IncidentIntent &i) const
        {
            return {{"owner", i.owner.toStdString()}, {"repo", i.repo.toStdString()}, {"title", i.title.toStdString()}, {"labels", strings(i.labels)}};
        }
        json operator()(const RecordIntent &i) const
        {
            return {{"what", i.what == RecordIntent::What::JournalEntry ? "journal" : "migration-plan"}, {"link", i.link.toStdString()}};
        }
        json operator()(const BlastCheckIntent &i) const { return {{"query", i.query.toJson()}, {"stillOn", strings(i.stillOn)}}; }
        json operator()(const MilestoneIntent &i) const
        {
            return {{"milestone", milestoneId(i.milestone).toStdString()}, {"owner", i.owner.toStdString()}, {"repo", i.repo.toStdString()}};
        }
    };
    json j = std::visit(V{}, intent);
    j["type"] = intentType(intent).toStdString();
    return j;
}

std::optional<Intent> intentFromJson(const json &j)
{
    const QString type = jstr(j, "type");
    if (type == u"flag.serve"_s) {
        if (const auto c = Services::ServeChange::fromJson(j))
            return *c;
        return std::nullopt;
    }
    if (type == u"flag.served"_s) {
        if (const auto q = Services::ServedQuery::fromJson(j))
            return *q;
        return std::nullopt;
    }
    if (type == u"flag.blast-check"_s) {
        const auto q = Services::EvaluationQuery::fromJson(j.value("query", json()));
        if (!q || !j.contains("stillOn") || !j["stillOn"].is_array())
            return std::nullopt;
        BlastCheckIntent b;
        b.query = *q;
        for (const json &v : j["stillOn"]) {
            if (!v.is_string())
                return std::nullopt;
            b.stillOn << QString::fromStdString(v.get<std::string>());
        }
        return b;
    }
    if (type == u"vercel.rollback"_s && !jstr(j, "deploymentId").isEmpty())
        return InstantRollbackIntent{jstr(j, "projectId"), jstr(j, "deploymentId"), jstr(j, "description")};
    if (type == u"vercel.production"_s && !jstr(j, "deploymentId").isEmpty())
        return ProductionServesIntent{jstr(j, "projectId"), jstr(j, "deploymentId"), jstr(j, "abortsCanary")};
    if (type == u"vercel.checks"_s && !jstr(j, "deploymentId").isEmpty())
        return DeploymentChecksIntent{jstr(j, "deploymentId")};
    if (type == u"prometheus.check"_s && !jstr(j, "query").isEmpty()) {
        const QString expect = jstr(j, "expect");
        if (expect != u"queues-empty"_s && expect != u"ratio-at-objective"_s)
            return std::nullopt;
        PromCheckIntent check{expect == u"queues-empty"_s ? PromCheckIntent::Expect::QueuesEmpty : PromCheckIntent::Expect::RatioAtObjective,
                              jstr(j, "query"), 0, {}};
        check.windowSeconds = j.contains("windowSeconds") && j["windowSeconds"].is_number_integer() ? j["windowSeconds"].get<int>() : 0;
        check.scopeServed = jstr(j, "scopeServed");
        return check;
    }
    if (type == u"github.incident"_s && !jstr(j, "title").isEmpty()) {
        const auto labels = Services::Detail::jsonStrings(j, "labels");
        if (!labels)
            return std::nullopt;
        return IncidentIntent{jstr(j, "owner"), jstr(j, "repo"), jstr(j, "title"), *labels};
    }
    if (type == u"github.milestone"_s) {
        const auto milestone = milestoneFromId(jstr(j, "milestone"));
        if (!milestone)
            return std::nullopt;
        return MilestoneIntent{*milestone, jstr(j, "owner"), jstr(j, "repo")};
    }
    if (type == u"console.record"_s) {
        const QString what = jstr(j, "what");
        if (what != u"journal"_s && what != u"migration-plan"_s)
            return std::nullopt;
        return RecordIntent{what == u"journal"_s ? RecordIntent::What::JournalEntry : RecordIntent::What::MigrationPlan, jstr(j, "link")};
    }
    return std::nullopt;
}

Result<Plan> Plan::fromJson(const json &j)
{
    if (!j.is_object() || !j.contains("steps") || !j["steps"].is_array())
        return planError(u"the plan has no steps list"_s);
    const int schema = j.contains("schema") ? (j["schema"].is_number_integer() ? j["schema"].get<int>() : -1) : 1;
    if (schema < 1)
        return planError(u"the plan's schema version is not a number"_s);
    if (schema > SchemaVersion)
        return Error::make(Error::Kind::Refused, u"console"_s,
                           u"the plan was written by a newer console (plan schema %1; this version reads up to %2)"_s.arg(schema).arg(SchemaVersion),
                           u"Resume it with the console version that started it, or finish it by hand (docs/runbooks/rollback.md)."_s);
    Plan p;
    // Schema 1 is upgraded to 2 (its steps get intents); 2 and 3 are kept, and so is their digest.
    p.schema = std::max(schema, 2);
    const QString prio = jstr(j, "priority");
    p.priority = prio == u"P0"_s ? Priority::P0 : prio == u"P1"_s ? Priority::P1 : Priority::P2;
    const QString option = jstr(j, "option");
    for (Option o : {Option::A_Flags, Option::B_InstantRollback, Option::C_FullWithMigrations}) {
        if (optionName(o) == option)
            p.option = o;
    }
    p.immediate = j.value("immediate", false);
    p.rollbackTarget = jstr(j, "target");
    for (const json &r : j.value("refusals", json::array()))
        p.refusals << QString::fromStdString(r.get<std::string>());
    for (const json &r : j.value("withheld", json::array())) {
        if (r.is_string())
            p.withheld << QString::fromStdString(r.get<std::string>());
    }
    // Schema 1 named the flag environment only in the disable calls.
    QString v1Environment;
    int index = 0;
    for (const json &s : j["steps"]) {
        ++index;
        if (!s.is_object() || !s["kind"].is_number_integer())
            return planError(u"step %1 of the plan has no kind"_s.arg(index));
        const int kind = s["kind"].get<int>();
        if (kind < 0 || kind > int(Step::Kind::IncidentMilestone))
            return planError(u"step %1 of the plan has an unknown kind (%2)"_s.arg(index).arg(kind));
        Step st;
        st.kind = Step::Kind(kind);
        st.title = jstr(s, "title");
        st.group = s.value("group", 0);
        st.idempotent = s.value("idempotent", true);
        st.target = jstr(s, "target");
        if (schema == 1) {
            if (!s.contains("call") || !s["call"].is_object())
                return planError(u"step %1 (%2) of the plan has no call"_s.arg(index).arg(st.title));
            const Call c = Call::fromJson(s["call"]);
            const auto intent = intentFromV1(st.kind, c, st.target, v1Environment);
            if (!intent)
                return planError(u"step %1 (%2) of an earlier console's plan has a call this version cannot read: %3"_s.arg(index).arg(
                    st.title, c.describe()));
            st.intent = *intent;
            if (const auto *off = st.as<Services::ServeChange>(); off && v1Environment.isEmpty())
                v1Environment = off->environment;
            st.calls = {c};
        } else {
            const auto intent = intentFromJson(s.value("intent", json()));
            if (!intent || !fits(st.kind, *intent))
                return planError(u"step %1 (%2) of the plan has no intent this version can execute"_s.arg(index).arg(st.title));
            st.intent = *intent;
            for (const json &c : s.value("calls", json::array()))
                st.calls << Call::fromJson(c);
        }
        p.steps << st;
    }
    // Schema 1's digest covers the plan as that version wrote it (its key order is nlohmann's, so dump() gives it back).
    p.digest = schema == 1 ? QString::fromLatin1(QCryptographicHash::hash(Json::dump(j), QCryptographicHash::Sha256).toHex()) : p.computeDigest();
    return p;
}

json Plan::toJson() const
{
    json steps = json::array();
    for (const Step &s : this->steps) {
        json calls = json::array();
        for (const Call &c : s.calls)
            calls.push_back(c.toJson());
        steps.push_back({{"kind", int(s.kind)}, {"title", s.title.toStdString()}, {"group", s.group}, {"idempotent", s.idempotent},
                         {"target", s.target.toStdString()}, {"intent", intentToJson(s.intent)}, {"calls", calls}});
    }
    json refusalsJson = json::array();
    for (const QString &r : refusals)
        refusalsJson.push_back(r.toStdString());
    // The digest covers what would be executed and the calls shown for it; notes are for people.
    json out = {{"schema", schema}, {"priority", priorityName(priority).toStdString()}, {"option", optionName(option).toStdString()},
                {"immediate", immediate}, {"target", rollbackTarget.toStdString()}, {"steps", steps}, {"refusals", refusalsJson}};
    if (!withheld.isEmpty()) {
        json w = json::array();
        for (const QString &r : withheld)
            w.push_back(r.toStdString());
        out["withheld"] = w; // only when there is any: earlier plans keep their digest
    }
    return out;
}

} // namespace Raize::Rollback
