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

QString enc(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
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
        return u"clients "_s + clientIds.join(u", "_s);
    case Kind::PlatformAccount:
        return u"platform accounts "_s + platformAccountIds.join(u", "_s);
    case Kind::Lane:
        return lane + u" lane"_s;
    case Kind::Service:
        return u"service "_s + service;
    }
    return {};
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

// §7.5 "no pending side effects in queues": the depth of the queues the policy names.
QString queueQuery(const QStringList &queues)
{
    if (queues.isEmpty())
        return u"sum by (cohort, lane) (raize_queue_depth)"_s;
    QStringList escaped;
    for (const QString &q : queues)
        escaped << QRegularExpression::escape(q);
    const QString selector = queues.size() == 1 ? u"service=\"%1\""_s.arg(queues.first())
                                                : u"service=~\"%1\""_s.arg(escaped.join(u'|'));
    return u"sum by (cohort, lane) (raize_queue_depth{%1})"_s.arg(selector);
}

// "incident", the policy's labels, then the priority ("p1").
json incidentLabels(const RollbackRules &rules, Priority priority)
{
    QStringList labels{u"incident"_s};
    for (const QString &l : rules.incidentLabels) {
        if (!labels.contains(l))
            labels << l;
    }
    labels << priorityName(priority).toLower();
    json out = json::array();
    for (const QString &l : std::as_const(labels))
        out.push_back(l.toStdString());
    return out;
}

} // namespace

Plan buildPlan(const Inputs &in)
{
    Plan plan;
    plan.priority = priorityOf(in.trigger);
    plan.immediate = plan.priority == Priority::P0;
    const Checklist &c = in.checklist;
    int group = 0;

    if (in.policy.sideEffects.prefixes.isEmpty() && in.policy.sideEffects.keys.isEmpty())
        plan.refusals << u"no side-effect flag list: the profile's effective policy was not handed to the planner (a console bug; report it)"_s;

    // Step 1, always (§7.2): disable the side-effect flags that are on in scope, in parallel.
    ++group;
    QStringList disabled;
    QList<FlagFact> flags = in.flags;
    std::sort(flags.begin(), flags.end(), [](const auto &a, const auto &b) { return a.key < b.key; });
    for (const FlagFact &f : flags) {
        if (!f.enabled || !in.policy.sideEffects.matches(f.key) || !inScope(f, in.scope))
            continue;
        Step s;
        s.kind = Step::Kind::DisableFlag;
        s.title = u"Disable %1 in %2"_s.arg(f.key, in.flagEnvironment);
        s.call = {u"flags"_s, u"POST"_s,
                  u"/api/admin/projects/%1/features/%2/environments/%3/off"_s.arg(enc(in.flagProject), enc(f.key), enc(in.flagEnvironment)),
                  nullptr};
        s.group = group;
        s.idempotent = true; // turning off an off flag changes nothing
        s.target = f.key;
        plan.steps << s;
        disabled << f.key;
    }
    if (!disabled.isEmpty()) {
        Step confirm;
        confirm.kind = Step::Kind::ConfirmFlagsOff;
        confirm.title = u"Confirm flags off (admin API and as clients are served)"_s;
        confirm.call = {u"flags"_s, u"GET"_s, u"/api/client/features"_s, nullptr};
        confirm.group = ++group;
        confirm.target = disabled.join(u',');
        plan.steps << confirm;
    } else {
        plan.notes << u"no side-effect flag is on in scope (%1): nothing to disable"_s.arg(in.scope.describe());
    }

    // Which option (§7.3, §7.4). Unknown answers are read the cautious way.
    const bool migrationMismatch = c.migrationMismatch.value_or(false)
                                   || std::any_of(in.migrations.cbegin(), in.migrations.cend(), [](const auto &m) { return !m.backwardCompatible; });
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
        // Option C restores the data by its own plan, so migrations do not disqualify a target there.
        const TargetChoice choice = chooseTarget(in, migrationMismatch);
        if (migrationMismatch) {
            plan.option = Plan::Option::C_FullWithMigrations;
            if (in.migrationRollbackPlan.isEmpty())
                plan.refusals << u"a migration since the target makes a data mismatch: Option C needs a linked migration rollback plan (--migration-plan URL)"_s;
        } else {
            plan.option = Plan::Option::B_InstantRollback;
        }
        if (!choice.target) {
            plan.refusals << (choice.rejected.isEmpty() ? u"no earlier production deployment exists to roll back to"_s
                                                        : u"no safe Instant Rollback target: "_s + choice.rejected.join(u"; "_s));
        }
        if (plan.refusals.isEmpty()) {
            plan.rollbackTarget = choice.target->id;
            if (plan.option == Plan::Option::C_FullWithMigrations) {
                Step guide;
                guide.kind = Step::Kind::MigrationGuide;
                guide.title = u"Run the migration rollback plan by hand (the console records it, never runs migrations): %1"_s.arg(in.migrationRollbackPlan);
                guide.call = {u"console"_s, u"RECORD"_s, in.migrationRollbackPlan, nullptr};
                guide.group = ++group;
                plan.steps << guide;
            }
            Step rb;
            rb.kind = Step::Kind::InstantRollback;
            rb.title = u"Instant Rollback production to %1"_s.arg(choice.target->id);
            QString path = u"/v1/projects/%1/rollback/%2"_s.arg(enc(in.vercelProjectId), enc(choice.target->id));
            QString description = priorityName(plan.priority) + u": "_s + triggerName(in.trigger);
            if (!in.reason.isEmpty())
                description += u" — "_s + in.reason;
            description.truncate(250); // Vercel's limit for a rollback description
            path += u"?description="_s + enc(description);
            rb.call = {u"vercel"_s, u"POST"_s, path, nullptr};
            rb.group = ++group;
            rb.idempotent = false; // read the project back before ever sending it again
            rb.target = choice.target->id;
            plan.steps << rb;

            Step confirm;
            confirm.kind = Step::Kind::ConfirmProduction;
            confirm.title = u"Confirm production serves %1 (and is pinned)"_s.arg(choice.target->id);
            confirm.call = {u"vercel"_s, u"GET"_s, u"/v9/projects/%1"_s.arg(enc(in.vercelProjectId)), nullptr};
            confirm.group = ++group;
            confirm.target = choice.target->id;
            plan.steps << confirm;
            plan.notes << u"after the Instant Rollback production is pinned: new production deployments are not assigned to the domains until a promotion"_s;
        }
    }

    // §7.5: checks, then the incident and the records.
    const int checks = ++group;
    const auto check = [&](const QString &title, Call call, const QString &target) {
        Step s;
        s.kind = Step::Kind::PostCheck;
        s.title = title;
        s.call = std::move(call);
        s.group = checks;
        s.target = target;
        plan.steps << s;
    };
    if (!plan.rollbackTarget.isEmpty())
        check(u"Deployment checks of %1 passed"_s.arg(plan.rollbackTarget),
              {u"vercel"_s, u"GET"_s, u"/v1/deployments/%1/checks"_s.arg(enc(plan.rollbackTarget)), nullptr}, plan.rollbackTarget);
    check(u"No pending side effects in the queues"_s,
          {u"prometheus"_s, u"POST"_s, u"/api/v1/query"_s, {{"query", queueQuery(in.policy.sideEffectQueues).toStdString()}}}, {});
    check(u"Verification passes"_s,
          {u"prometheus"_s, u"POST"_s, u"/api/v1/query"_s,
           {{"query", "sum(increase(raize_verification_seconds_bucket{le=\"60\"}[30s])) / sum(increase(raize_verification_seconds_count[30s]))"}}},
          {});

    Step incident;
    incident.kind = Step::Kind::OpenIncident;
    incident.title = u"Open the incident issue"_s;
    const QString title = priorityName(plan.priority) + u" incident: "_s + triggerName(in.trigger);
    incident.call = {u"github"_s, u"POST"_s, u"/repos/%1/%2/issues"_s.arg(enc(in.githubOwner), enc(in.githubRepo)),
                     json{{"title", title.toStdString()}, {"labels", incidentLabels(in.policy, plan.priority)}}};
    incident.group = ++group;
    incident.idempotent = false; // never retried blindly: remember the number once created
    plan.steps << incident;

    Step journal;
    journal.kind = Step::Kind::JournalEntry;
    journal.title = u"Append the journal entry and link everything in the audit log"_s;
    journal.call = {u"console"_s, u"RECORD"_s, u"journal"_s, nullptr};
    journal.group = ++group;
    plan.steps << journal;

    plan.digest = plan.computeDigest();
    return plan;
}

QString Plan::computeDigest() const
{
    return QString::fromLatin1(QCryptographicHash::hash(Json::dump(toJson()), QCryptographicHash::Sha256).toHex());
}

std::optional<Plan> Plan::fromJson(const json &j)
{
    if (!j.is_object() || !j.contains("steps") || !j["steps"].is_array())
        return std::nullopt;
    const auto str = [](const json &o, const char *k) {
        return o.contains(k) && o[k].is_string() ? QString::fromStdString(o[k].get<std::string>()) : QString();
    };
    Plan p;
    const QString prio = str(j, "priority");
    p.priority = prio == u"P0"_s ? Priority::P0 : prio == u"P1"_s ? Priority::P1 : Priority::P2;
    const QString option = str(j, "option");
    for (Option o : {Option::A_Flags, Option::B_InstantRollback, Option::C_FullWithMigrations}) {
        if (optionName(o) == option)
            p.option = o;
    }
    p.immediate = j.value("immediate", false);
    p.rollbackTarget = str(j, "target");
    for (const json &r : j.value("refusals", json::array()))
        p.refusals << QString::fromStdString(r.get<std::string>());
    for (const json &s : j["steps"]) {
        if (!s.is_object() || !s.contains("call") || !s["kind"].is_number_integer())
            return std::nullopt;
        Step st;
        const int kind = s["kind"].get<int>();
        if (kind < 0 || kind > int(Step::Kind::MigrationGuide))
            return std::nullopt;
        st.kind = Step::Kind(kind);
        st.title = str(s, "title");
        st.group = s.value("group", 0);
        st.idempotent = s.value("idempotent", true);
        st.target = str(s, "target");
        const json &c = s["call"];
        st.call = {str(c, "service"), str(c, "method"), str(c, "path"), c.value("body", json())};
        p.steps << st;
    }
    p.digest = p.computeDigest();
    return p;
}

json Plan::toJson() const
{
    json steps = json::array();
    for (const Step &s : this->steps) {
        steps.push_back({{"kind", int(s.kind)}, {"title", s.title.toStdString()}, {"group", s.group}, {"idempotent", s.idempotent},
                         {"target", s.target.toStdString()},
                         {"call", {{"service", s.call.service.toStdString()}, {"method", s.call.method.toStdString()},
                                   {"path", s.call.path.toStdString()}, {"body", s.call.body}}}});
    }
    json refusalsJson = json::array();
    for (const QString &r : refusals)
        refusalsJson.push_back(r.toStdString());
    // The digest covers what would be executed; notes are for people.
    return {{"priority", priorityName(priority).toStdString()}, {"option", optionName(option).toStdString()},
            {"immediate", immediate}, {"target", rollbackTarget.toStdString()}, {"steps", steps}, {"refusals", refusalsJson}};
}

} // namespace Raize::Rollback
