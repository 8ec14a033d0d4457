// Migrations from a real source in the rollback (issue #16, items 7 and 9), in-process and offline:
// the incompatible-migration scenario's Vercel and GitHub fakes over loopback HTTP, its flags in
// memory, a fake Prometheus. gatherInputs reads the migrations between the Instant Rollback
// candidate and production from GitHub (compare + contents): Option B is refused with the
// migration named; with a linked migration rollback plan Option C runs end to end (recorded, never
// run). The control (#409's commit taken out) plans Option B. A full audit disk and an unreadable
// GitHub do not stop a P0's flags-off.

#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"
#include "rollback/runjournal.h"
#include "workspace/effectivepolicy.h"

#include "core/servicemonitor.h"
#include "fakes/memoryflagservice.h"
#include "net/httpclient.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include "scenariosim.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Rollback;
using RaizeTest::json;

namespace {

const QString kMigration = u"db/migrations/0042_drop_legacy_schedule.sql"_s;
const QString kPlanLink = u"https://github.com/raize/platform/issues/430"_s;

json scenario(bool withMigration)
{
    json s = RaizeTest::readScenario(u"incompatible-migration"_s);
    if (!withMigration) {
        json commits = json::array();
        for (const json &c : s["github"]["commits"]) {
            if (c.value("sha", "") != "c0ffee0042d1e2f3a4b5c6d7e8f90a1b2c3d4e5f")
                commits.push_back(c);
        }
        s["github"]["commits"] = commits;
    }
    return s;
}

// The scenario's flags as the flag service lists them.
QList<Services::FlagState> flagsOf(const json &scenario)
{
    QList<Services::FlagState> out;
    for (const json &f : scenario["flags"]) {
        Services::FlagState s;
        s.key = QString::fromStdString(f["name"].get<std::string>());
        s.environment = u"production"_s;
        s.enabled = f.value("enabled", false);
        Services::FlagStrategy st;
        st.rolloutPercent = 100;
        s.strategies = {st};
        out << s;
    }
    return out;
}

} // namespace

class TestRollbackMigrations : public QObject
{
    Q_OBJECT

    struct World
    {
        explicit World(bool withMigration)
            : sim(scenario(withMigration), 1.78e9)
            , prom(u"prometheus"_s, &faults, &log)
        {
            QVERIFY(sim.vercelServer().listen(0));
            QVERIFY(sim.githubServer().listen(0));
            // Prometheus: the queues drained; no verification event since the rollback (publishing is off).
            prom.route("POST", u"/api/v1/query"_s, [](const Sandbox::HttpRequest &req, const QRegularExpressionMatch &) {
                json result = json::array();
                if (req.body.contains("raize_queue_depth"))
                    result.push_back({{"metric", {{"cohort", "house"}, {"lane", "api"}}}, {"value", json::array({1780000000.0, "0"})}});
                return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}});
            });
            QVERIFY(prom.listen(0));
            http.setToken(Service::Vercel, u"vt"_s);
            http.setToken(Service::GitHub, u"gt"_s);
            http.setRetryPolicy({1, 10, 50, 1000});
            http.setGitHubMutationSpacing(0);
            vercel = std::make_unique<Services::VercelClient>(http, QUrl(sim.vercelServer().baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
            github = std::make_unique<Services::GitHubClient>(http, QUrl(sim.githubServer().baseUrl()), u"raize"_s, u"platform"_s);
            prometheus = std::make_unique<Services::PrometheusClient>(http, QUrl(prom.baseUrl()));
            flags.flags = flagsOf(sim.scenario());
            clients.flags = &flags;
            clients.vercel = vercel.get();
            clients.github = github.get();
            clients.prometheus = prometheus.get();
            clients.audit = &audit;
            clients.journalDirectory = dir.path();
            target.flagProject = u"default"_s;
            target.flagEnvironment = u"production"_s;
            target.vercelProjectId = u"prj_raize_web"_s;
            target.githubOwner = u"raize"_s;
            target.githubRepo = u"platform"_s;
            target.cohorts = EffectivePolicy::builtin().cohorts();
            target.policy = EffectivePolicy::builtin().rollback();
            target.migrations = EffectivePolicy::builtin().migrations();
        }

        Result<Inputs> gather(const Request &request)
        {
            std::optional<Result<Inputs>> out;
            gatherInputs(clients, target, request, [&](const Result<Inputs> &r) { out = r; });
            if (!QTest::qWaitFor([&] { return out.has_value(); }, 10000))
                return Error::make(Error::Kind::Timeout, u"test"_s, u"gatherInputs never answered"_s);
            return *out;
        }

        RaizeTest::ScenarioSim sim;
        Sandbox::FaultInjector faults{1};
        Sandbox::RequestLog log;
        Sandbox::HttpServer prom;
        ServiceMonitor monitor;
        Net::HttpClient http{&monitor};
        std::unique_ptr<Services::VercelClient> vercel;
        std::unique_ptr<Services::GitHubClient> github;
        std::unique_ptr<Services::PrometheusClient> prometheus;
        RaizeTest::MemoryFlagService flags;
        RaizeTest::MemoryAudit audit;
        QTemporaryDir dir;
        Clients clients;
        Target target;
    };

    static Request publishFailures(const QString &planLink = {})
    {
        Request r;
        r.trigger = Trigger::PublishFailureBreach;
        r.checklist.flagsAloneStopHarm = false; // §7.3 Q2: the code must go back
        r.migrationRollbackPlan = planLink;
        r.reason = u"publish failures after #412"_s;
        return r;
    }

private Q_SLOTS:
    void optionBNamesTheMigration_data()
    {
        QTest::addColumn<bool>("withMigration");
        QTest::newRow("incompatible-migration") << true;
        QTest::newRow("incompatible-migration/control") << false; // #409 taken out: nothing between the target and production
    }
    void optionBNamesTheMigration()
    {
        QFETCH(bool, withMigration);
        World w(withMigration);
        const Result<Inputs> in = w.gather(publishFailures());
        QVERIFY2(in.ok(), qPrintable(in.error().toString()));
        QVERIFY(in->migrationCheck.has_value());
        QCOMPARE(in->migrationCheck->deploymentId, u"dpl_prev"_s);
        QVERIFY2(in->migrationCheck->report.has_value(), qPrintable(in->migrationCheck->error));
        const Plan p = buildPlan(in.value());
        QCOMPARE(p.option, Plan::Option::B_InstantRollback);
        if (withMigration) {
            QCOMPARE(in->migrationCheck->report->incompatible(), QStringList{kMigration});
            QVERIFY(!p.executable());
            QVERIFY2(p.refusals.join(u' ').contains(u"Option B refused: dpl_prev is older than the incompatible migration "_s + kMigration),
                     qPrintable(p.refusals.join(u'\n')));
            QVERIFY(p.refusals.join(u' ').contains(u"--migration-plan"_s)); // and how Option C is reached
        } else {
            QCOMPARE(in->migrationCheck->report->overall(), Release::Compatibility::Compatible);
            QVERIFY2(p.executable(), qPrintable(p.refusals.join(u'\n')));
            QCOMPARE(p.rollbackTarget, u"dpl_prev"_s);
        }
    }

    // Option C from the button's path: the linked plan is recorded (journal, incident), the code goes back, nothing runs migrations.
    void optionCEndToEnd()
    {
        World w(true);
        const Result<Inputs> in = w.gather(publishFailures(kPlanLink));
        QVERIFY2(in.ok(), qPrintable(in.error().toString()));
        const Plan plan = buildPlan(in.value());
        QCOMPARE(plan.option, Plan::Option::C_FullWithMigrations);
        QVERIFY2(plan.executable(), qPrintable(plan.refusals.join(u'\n')));
        QCOMPARE(plan.rollbackTarget, u"dpl_prev"_s);
        Result<RunJournal> journal = RunJournal::create(w.dir.path(), {{"kind", "rollback"}, {"trigger", "publish failure rate breach"},
                                                                       {"scope", "global"}, {"plan", plan.toJson()}, {"digest", plan.digest.toStdString()}});
        QVERIFY(journal.ok());
        ExecOptions options;
        options.pollMs = 10;
        Executor ex(std::move(journal).value(), plan, w.clients, options);
        QSignalSpy finished(&ex, &Executor::finished);
        QSignalSpy failed(&ex, &Executor::stepFailed);
        ex.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1 || failed.size() == 1, 20000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).value<Error>().toString()));
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(w.sim.vercel().productionDeploymentId(), u"dpl_prev"_s);
        // The migration plan is recorded, in order, before the code went back.
        int guide = -1, rollback = -1;
        for (int i = 0; i < plan.steps.size(); ++i) {
            if (plan.steps[i].kind == Step::Kind::MigrationGuide)
                guide = i;
            if (plan.steps[i].kind == Step::Kind::InstantRollback)
                rollback = i;
        }
        QVERIFY(guide >= 0 && rollback > guide);
        QVERIFY2(ex.detail(guide).contains(kPlanLink), qPrintable(ex.detail(guide)));
        QVERIFY(w.audit.actions().contains(u"migration.guide"_s));
        // The incident says so, and the postmortem issue names the incident.
        const json issues = w.sim.github().state().value("issues", json::array());
        QCOMPARE(issues.size(), size_t(2));
        const QString incident = QString::fromStdString(issues[0].value("body", ""));
        QVERIFY2(incident.contains(kPlanLink) && incident.contains(u"never runs migrations"_s), qPrintable(incident));
        const QString postmortem = QString::fromStdString(issues[1].value("body", ""));
        QVERIFY2(postmortem.contains(ex.incidentUrl()) && postmortem.contains(u"## What stopped it"_s), qPrintable(postmortem));
        // Verification after a global rollback: nothing in scope is served, which is "not enough data", not a pass.
        bool notEnough = false;
        for (int i = 0; i < plan.steps.size(); ++i)
            notEnough = notEnough || ex.detail(i).startsWith(u"NOT ENOUGH DATA"_s);
        QVERIFY(notEnough);
    }

    // Item 9: GitHub down (no migration answer) and the audit disk full; a P0 still turns every flag off.
    void p0NotBlockedByFailedPrechecks()
    {
        World w(true);
        w.sim.githubServer().close(); // the migration source cannot be read
        w.audit.refuse = true;        // every audit record fails: "disk full"
        Request r;
        r.trigger = Trigger::WrongAccountSideEffect;
        const Result<Inputs> in = w.gather(r);
        QVERIFY2(in.ok(), qPrintable(in.error().toString()));
        QVERIFY(in->migrationCheck.has_value());
        QVERIFY(!in->migrationCheck->report.has_value()); // unknown, with the reason
        QVERIFY(!in->migrationCheck->error.isEmpty());
        const Plan plan = buildPlan(in.value());
        QVERIFY(plan.executable());
        QVERIFY2(plan.notes.join(u' ').contains(u"UNKNOWN"_s), qPrintable(plan.notes.join(u'\n')));
        // The flags-off alone (the kill switch's path): it completes although nothing can be audited.
        Plan flagsOff;
        flagsOff.priority = plan.priority;
        flagsOff.immediate = true;
        for (const Step &s : plan.steps) {
            if (s.kind == Step::Kind::DisableFlag || s.kind == Step::Kind::ConfirmFlagsOff)
                flagsOff.steps << s;
        }
        flagsOff.digest = flagsOff.computeDigest();
        QVERIFY(flagsOff.steps.size() >= 2);
        Result<RunJournal> journal = RunJournal::create(w.dir.path(), {{"kind", "kill-switch"}});
        QVERIFY(journal.ok());
        Clients clients = w.clients;
        clients.github = nullptr;
        ExecOptions options;
        options.pollMs = 10;
        Executor ex(std::move(journal).value(), flagsOff, clients, options);
        QSignalSpy finished(&ex, &Executor::finished);
        ex.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(finished.first().first().toBool(), true);
        for (const Services::FlagState &f : std::as_const(w.flags.flags)) {
            if (EffectivePolicy::builtin().sideEffectFlags().matches(f.key))
                QVERIFY2(!f.enabled, qPrintable(f.key));
        }
        QVERIFY(w.audit.records.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRollbackMigrations)
#include "tst_rollback_migrations.moc"
