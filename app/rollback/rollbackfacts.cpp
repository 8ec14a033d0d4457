#include "rollback/rollbackfacts.h"

#include "release/migrationsource.h"
#include "services/flags/flagservice.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include "core/clock.h"

#include <QCoreApplication>
#include <QTimer>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Rollback {

namespace {

// cohort id → (client ids, platform account ids): the profile's cohorts.
QHash<QString, QPair<QStringList, QStringList>> cohortMap(const QList<Release::Cohort> &cohorts)
{
    QHash<QString, QPair<QStringList, QStringList>> out;
    for (const Release::Cohort &c : std::as_const(cohorts))
        out.insert(c.id, {c.clientIds, c.platformAccountIds});
    return out;
}

FlagFact toFact(const Services::FlagState &f, const QHash<QString, QPair<QStringList, QStringList>> &cohortMap)
{
    FlagFact out;
    out.key = f.key;
    out.enabled = f.enabled;
    bool everyone = false;
    QStringList lanes;
    for (const Services::FlagStrategy &st : f.strategies) {
        if (st.disabled || st.rolloutPercent == 0)
            continue;
        Services::FlagScope scope = st.scope;
        for (const QString &c : std::as_const(scope.cohorts)) {
            const auto ids = cohortMap.value(c);
            if (ids.first.contains(u"*"_s))
                everyone = true;
            scope.clientIds << ids.first;
            scope.platformAccountIds << ids.second;
        }
        if (scope.clientIds.isEmpty() && scope.platformAccountIds.isEmpty() && scope.lane.isEmpty())
            everyone = true;
        out.clientIds << scope.clientIds;
        out.platformAccountIds << scope.platformAccountIds;
        if (!scope.lane.isEmpty())
            lanes << scope.lane;
    }
    if (everyone) {
        out.clientIds.clear();
        out.platformAccountIds.clear();
    }
    out.clientIds.removeDuplicates();
    out.platformAccountIds.removeDuplicates();
    lanes.removeDuplicates();
    out.lane = lanes.size() == 1 && !everyone ? lanes.front() : QString();
    return out;
}

} // namespace

Result<Scope> parseScope(const QString &text, const QList<Release::Cohort> &cohorts)
{
    Scope s;
    if (text.startsWith(u"cohort:"_s)) {
        const QString id = text.mid(7);
        for (const Release::Cohort &c : cohorts) {
            if (c.id != id)
                continue;
            if (c.everyone())
                return s; // the broad cohort: everyone the others do not list
            s.kind = Scope::Kind::Tenant;
            s.clientIds = c.clientIds;
            s.platformAccountIds = c.platformAccountIds;
            s.cohorts = {c.id};
            return s;
        }
        QStringList ids;
        for (const Release::Cohort &c : cohorts)
            ids << c.id;
        return Error::make(Error::Kind::Config, u"console"_s, u"unknown cohort \"%1\""_s.arg(id),
                           ids.isEmpty() ? u"The profile has no cohorts."_s : u"Use one of: "_s + ids.join(u", "_s) + u'.');
    }
    if (const int plus = text.indexOf(u"+account:"_s); plus > 0 && (text.startsWith(u"client:"_s) || text.startsWith(u"tenant:"_s))) {
        const Result<Scope> clients = parseScope(text.left(plus));
        if (!clients)
            return clients;
        s = clients.value();
        s.platformAccountIds = text.mid(plus + 9).split(u',', Qt::SkipEmptyParts);
        if (s.platformAccountIds.isEmpty())
            return Error::make(Error::Kind::Config, u"console"_s, u"scope \"%1\" names no accounts"_s.arg(text),
                               u"List them after account:, e.g. client:house+account:acct-house-ig."_s);
        return s;
    }
    const QString kind = text.section(u':', 0, 0).trimmed();
    const QStringList values = text.section(u':', 1).split(u',', Qt::SkipEmptyParts);
    if (kind == u"global"_s || text.isEmpty()) {
        s.kind = Scope::Kind::Global;
    } else if (kind == u"client"_s || kind == u"tenant"_s) {
        s.kind = Scope::Kind::Tenant;
        s.clientIds = values;
    } else if (kind == u"account"_s) {
        s.kind = Scope::Kind::PlatformAccount;
        s.platformAccountIds = values;
    } else if (kind == u"lane"_s && values.size() == 1 && (values[0] == u"api"_s || values[0] == u"browser"_s)) {
        s.kind = Scope::Kind::Lane;
        s.lane = values[0];
    } else if (kind == u"service"_s && values.size() == 1) {
        s.kind = Scope::Kind::Service;
        s.service = values[0];
    } else {
        return Error::make(Error::Kind::Config, u"console"_s, u"unknown scope \"%1\""_s.arg(text),
                           u"Use global, client:ID[,ID], account:ID[,ID], lane:api|browser or service:NAME."_s);
    }
    if ((s.kind == Scope::Kind::Tenant || s.kind == Scope::Kind::PlatformAccount) && values.isEmpty())
        return Error::make(Error::Kind::Config, u"console"_s, u"scope \"%1\" names no ids"_s.arg(text),
                           u"List them after the colon, e.g. client:client-bloom."_s);
    return s;
}

QString scopeText(const Scope &s)
{
    switch (s.kind) {
    case Scope::Kind::Global: return u"global"_s;
    case Scope::Kind::Tenant:
        if (s.cohorts.size() == 1)
            return u"cohort:"_s + s.cohorts.first(); // its clients and accounts are the profile's cohort's
        return u"client:"_s + s.clientIds.join(u',') + (s.platformAccountIds.isEmpty() ? QString() : u"+account:"_s + s.platformAccountIds.join(u','));
    case Scope::Kind::PlatformAccount: return u"account:"_s + s.platformAccountIds.join(u',');
    case Scope::Kind::Lane: return u"lane:"_s + s.lane;
    case Scope::Kind::Service: return u"service:"_s + s.service;
    }
    return {};
}

CallRenderer renderWith(const Clients &clients)
{
    return [c = clients](const Intent &intent) -> QList<Call> {
        if (const auto *off = std::get_if<Services::ServeChange>(&intent))
            return c.flags ? c.flags->previewServe(*off) : QList<Call>();
        if (const auto *q = std::get_if<Services::ServedQuery>(&intent))
            return c.flags ? c.flags->previewServed(*q) : QList<Call>();
        if (const auto *b = std::get_if<BlastCheckIntent>(&intent))
            return c.flags ? c.flags->previewEvaluateContexts(b->query) : QList<Call>();
        if (const auto *rb = std::get_if<InstantRollbackIntent>(&intent))
            return c.vercel ? QList<Call>{c.vercel->previewInstantRollback(rb->deploymentId, rb->description)} : QList<Call>();
        if (const auto *serves = std::get_if<ProductionServesIntent>(&intent)) // and the probe's GETs of the domain (ADR 0027)
            return c.vercel ? QList<Call>{c.vercel->previewProject(), c.vercel->previewDeploymentAliases(serves->deploymentId)} : QList<Call>();
        if (const auto *checks = std::get_if<DeploymentChecksIntent>(&intent))
            return c.vercel ? QList<Call>{c.vercel->previewChecks(checks->deploymentId)} : QList<Call>();
        if (const auto *prom = std::get_if<PromCheckIntent>(&intent))
            return c.prometheus ? QList<Call>{c.prometheus->previewQuery(prom->promql)} : QList<Call>();
        if (const auto *issue = std::get_if<IncidentIntent>(&intent)) {
            // The body is the run's own record (trigger, scope, timeline), written when the step runs.
            return c.github ? QList<Call>{c.github->previewCreateIssue(issue->title, u"<the run's trigger, scope, plan and timeline>"_s, issue->labels)}
                            : QList<Call>();
        }
        if (std::holds_alternative<MilestoneIntent>(intent)) {
            // The incident's number is known once it is filed; the text comes from the run journal when the step runs.
            return c.github ? QList<Call>{c.github->previewCreateIssueComment(u"{incident}"_s, u"<the milestone with its times from the run journal>"_s)}
                            : QList<Call>();
        }
        return {}; // recorded by the console: no request
    };
}

void askBlastRadius(const Clients &clients, const Target &target, const Inputs &in, Plan plan, const BlastOptions &options,
                    std::function<void(const Plan &)> done)
{
    // Called once: by the answer, or by the deadline, whichever comes first. The check step it may add
    // shows its calls like every other step (rendered by the flag service's client).
    auto finished = std::make_shared<bool>(false);
    const CallRenderer render = in.render;
    auto finish = [finished, done, render](const Plan &p) {
        if (*finished)
            return;
        *finished = true;
        if (!render)
            return done(p);
        Plan rendered = p;
        rendered.renderCalls(render);
        done(rendered);
    };
    const QList<Services::ServeChange> changes = flagChanges(plan);
    QStringList flags;
    for (const Services::ServeChange &c : changes) {
        if (!flags.contains(c.flag))
            flags << c.flag;
    }
    if (flags.isEmpty()) {
        BlastRadius none;
        none.known = true;
        none.source = u"no flag changes"_s;
        attachBlastRadius(plan, none, {}, {});
        return finish(plan);
    }
    if (!clients.flags) {
        attachBlastRadius(plan, BlastRadius::unknown(u"no flag service configured"_s), {}, {});
        return finish(plan);
    }
    auto subjects = std::make_shared<KnownSubjects>();
    subjects->cohorts = target.cohorts;
    subjects->scopeClients = in.scope.clientIds;
    subjects->scopeAccounts = in.scope.platformAccountIds;
    const QHash<QString, QList<Services::FlagDependency>> dependencies = in.flagDependencies;
    const QString environment = in.flagEnvironment;
    QTimer::singleShot(options.deadlineMs, QCoreApplication::instance(), [finish, plan] {
        Plan p = plan;
        attachBlastRadius(p, BlastRadius::unknown(u"the flag service did not answer in time"_s), {}, {});
        finish(p);
    });
    Services::FlagService *service = clients.flags;
    auto promNote = std::make_shared<QString>();
    // Then the flag service's own evaluator over everyone known.
    auto evaluate = [service, subjects, flags, environment, changes, dependencies, plan, promNote, finish, finished]() mutable {
        if (*finished)
            return;
        const Services::EvaluationQuery query = blastQuery(*subjects, flags, environment);
        const QString backend = service->backendName();
        const int calls = int(service->previewEvaluateContexts(query).size());
        service->evaluateContexts(query, [=](const Result<QList<Services::ContextAnswer>> &now) mutable {
            if (*finished)
                return;
            if (!now) {
                attachBlastRadius(plan, BlastRadius::unknown(u"%1's evaluator did not answer: %2"_s.arg(backend, now.error().toString())), {}, {});
                return finish(plan);
            }
            const QList<Services::ContextAnswer> after = predictAfter(now.value(), changes, dependencies);
            BlastRadius radius = blastRadius(now.value(), after, flags, *subjects);
            radius.source = u"%1's evaluator: %2 call(s), %3 contexts; known: the cohorts' members%4"_s.arg(backend)
                                .arg(calls)
                                .arg(now->size())
                                .arg(*promNote);
            attachBlastRadius(plan, radius, query, onPairs(after, flags));
            finish(plan);
        });
    };
    if (!clients.prometheus) {
        *promNote = u" (no Prometheus configured: no client or account seen in the metrics)"_s;
        return evaluate();
    }
    // The client and account label values Prometheus saw in the last 7 days.
    Services::PrometheusClient *prom = clients.prometheus;
    const QDateTime since = (options.clock ? *options.clock : Clock::system()).nowUtc().addDays(-7);
    const QString clientLabel = options.clientLabel, accountLabel = options.accountLabel;
    prom->labelValues(clientLabel, since, [=](const Result<QStringList> &seenClients) mutable {
        if (*finished)
            return;
        prom->labelValues(accountLabel, since, [=](const Result<QStringList> &seenAccounts) mutable {
            if (*finished)
                return;
            if (seenClients)
                subjects->seenClients = seenClients.value();
            if (seenAccounts)
                subjects->seenAccounts = seenAccounts.value();
            if (!seenClients || !seenAccounts)
                *promNote = u" (Prometheus did not answer: %1)"_s.arg((!seenClients ? seenClients.error() : seenAccounts.error()).message);
            else
                *promNote = u" and %1 client(s), %2 account(s) Prometheus saw in 7 days"_s.arg(subjects->seenClients.size()).arg(subjects->seenAccounts.size());
            evaluate();
        });
    });
}

void gatherInputs(const Clients &clients, const Target &target, const Request &request, std::function<void(const Result<Inputs> &)> done)
{
    auto in = std::make_shared<Inputs>();
    in->trigger = request.trigger;
    in->checklist = request.checklist;
    in->scope = request.scope;
    in->reason = request.reason;
    in->migrationRollbackPlan = request.migrationRollbackPlan;
    in->migrations = request.migrations;
    in->flagProject = target.flagProject;
    in->flagEnvironment = target.flagEnvironment;
    in->vercelProjectId = target.vercelProjectId;
    in->githubOwner = target.githubOwner;
    in->githubRepo = target.githubRepo;
    in->policy = target.policy;
    in->cohorts = target.cohorts;
    in->render = renderWith(clients);
    if (!clients.flags || !clients.vercel)
        return done(Error::make(Error::Kind::Config, u"console"_s, u"the rollback needs the flag service and Vercel configured"_s,
                                u"Set both in Settings (or `raize-console settings set`)."_s));
    Services::VercelClient *vercel = clients.vercel;
    const auto cohorts = cohortMap(target.cohorts);
    // Last: the migrations between the Instant Rollback candidate and production (Option B's check).
    const std::function<void(const Inputs &)> finish = [github = clients.github, migrations = target.migrations, in, done](const Inputs &) {
        const TargetChoice choice = chooseTarget(*in, true);
        const auto current = std::find_if(in->deployments.cbegin(), in->deployments.cend(), [](const DeploymentFact &d) { return d.current; });
        if (!choice.target || current == in->deployments.cend() || !migrations)
            return done(*in);
        MigrationCheck check;
        check.deploymentId = choice.target->id;
        check.base = choice.target->sha;
        check.head = current->sha;
        if (!github) {
            check.error = u"GitHub is not configured, so the migrations since %1 cannot be read"_s.arg(choice.target->id);
            in->migrationCheck = check;
            return done(*in);
        }
        auto source = std::make_shared<Release::MigrationSource>(*github, *migrations);
        source->check(check.base, check.head, [in, done, check, source](const Result<Release::MigrationReport> &report) mutable {
            if (report)
                check.report = report.value();
            else
                check.error = report.error().toString();
            in->migrationCheck = check;
            done(*in);
            QMetaObject::invokeMethod(source.get(), [source] {}, Qt::QueuedConnection); // released after the callback returns
        });
    };
    // A P0 is never blocked by what cannot be read (issue #16, item 9): when Vercel does not answer, the
    // flags still go off and the code rollback is withheld with the reason ("unknown").
    const bool p0 = priorityOf(request.trigger) == Priority::P0 || request.checklist.sideEffectsIncorrect == true;
    const std::function<void(const Result<Inputs> &)> next = [finish, done, in, p0](const Result<Inputs> &r) {
        if (r)
            return finish(*in);
        if (!p0 || r.error().service != u"vercel"_s)
            return done(r);
        in->unknown << u"Vercel: "_s + r.error().toString();
        in->deployments.clear();
        finish(*in);
    };
    clients.flags->listFlags(target.flagEnvironment, [in, vercel, cohorts, done = next](const Result<QList<Services::FlagState>> &flags) {
        if (!flags)
            return done(flags.error());
        for (const auto &f : flags.value()) {
            in->flags << toFact(f, cohorts);
            if (!f.dependencies.isEmpty())
                in->flagDependencies.insert(f.key, f.dependencies);
            if (!f.dependenciesKnown)
                in->dependenciesUnknown << f.key;
        }
        vercel->project([in, vercel, done](const Result<Services::VercelProject> &project) {
            if (!project)
                return done(project.error());
            const QString current = project->production ? project->production->id : QString();
            vercel->deployments(u"production"_s, 10, [in, vercel, current, done](const Result<QList<Services::VercelDeployment>> &list) {
                if (!list)
                    return done(list.error());
                QList<Services::VercelDeployment> deps = list.value();
                auto left = std::make_shared<int>(0);
                auto failed = std::make_shared<std::optional<Error>>();
                for (const auto &d : deps) {
                    DeploymentFact f;
                    f.id = d.id;
                    f.state = d.state;
                    f.production = true;
                    f.current = d.id == current;
                    f.createdMs = d.created.toMSecsSinceEpoch();
                    f.sha = d.sha;
                    f.checksPassed = false;
                    in->deployments << f;
                }
                // Deployment checks of the candidates (READY, not current), newest five.
                QList<int> ask;
                for (int i = 0; i < in->deployments.size() && ask.size() < 5; ++i) {
                    if (!in->deployments[i].current && in->deployments[i].state == u"READY"_s)
                        ask << i;
                }
                if (ask.isEmpty())
                    return done(*in);
                *left = int(ask.size());
                for (int i : ask) {
                    vercel->checks(in->deployments[i].id, [in, i, left, failed, done](const Result<QList<Services::VercelCheck>> &checks) {
                        if (!checks) {
                            *failed = checks.error();
                        } else {
                            bool ok = true;
                            for (const auto &c : checks.value()) {
                                if (c.blocking && !c.passed())
                                    ok = false;
                            }
                            in->deployments[i].checksPassed = ok;
                        }
                        if (--*left == 0) {
                            if (*failed)
                                return done(**failed);
                            done(*in);
                        }
                    });
                }
            });
        });
    });
}

} // namespace Raize::Rollback
