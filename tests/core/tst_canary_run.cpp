// The two-axis canary end to end, in-process (issue #20, items 4 and 5): the
// simulated Vercel with its rolling release and the platform's traffic split
// (tests/fakes/scenarios/canary-deployment-{good,bad}.json), driven by
// CanaryRun through the real RollingReleaseClient over loopback HTTP; the
// flag cohorts in a MemoryFlagService through ClientCanaryServices; time on a
// ManualClock that also moves the simulator, so a 30-minute stage plan runs in
// a second of wall time.
//
// Acceptance: the bad canary at 5 % is never approved (the fake's request log
// has no approve-stage), it pages, and the abort plan run by the rollback
// executor returns 100 % of the traffic to the current deployment with the
// flags off; the good canary advances through every stage to 100 % with the
// cohorts in step.

#include "waitfor.h"

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "release/canaryrun.h"
#include "release/clientcanaryservices.h"
#include "rollback/canaryabort.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/runjournal.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "memoryflagservice.h"
#include "simcanaryservices.h"
#include "platform/platformsim.h"
#include "vercel/vercelfake.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString kToken = u"vercel-canary-token-1234"_s;
const QString kFlag = u"publishing.scheduler-v2"_s;

json scenario(const QString &name)
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/%1.json"_s.arg(name));
    if (!f.open(QIODevice::ReadOnly))
        return json::object();
    return Json::parse(f.readAll());
}

QList<Cohort> cohorts()
{
    return {{u"house"_s, u"House"_s, {u"house"_s}, {}}, {u"lowrisk"_s, u"Low-risk"_s, {u"client-bloom"_s}, {}}, {u"broad"_s, u"Broad"_s, {u"*"_s}, {u"*"_s}}};
}

// The test policy: the playbook's judgement, windows of a minute.
DeploymentAxisPolicy policy()
{
    DeploymentAxisPolicy p;
    p.enabled = true;
    p.autoAdvance = true;
    p.minRequests = 100;
    p.stages.insert(u"L3"_s, {{5, {u"house"_s}, 1}, {25, {u"house"_s, u"lowrisk"_s}, 1}, {50, {u"house"_s, u"lowrisk"_s}, 1},
                              {100, {u"house"_s, u"lowrisk"_s, u"broad"_s}, 0}});
    return p;
}

} // namespace

class TestCanaryRun : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{5};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server, m_platformServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::PlatformSim> m_sim;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::RollingReleaseClient> m_rr;
    std::unique_ptr<Services::VercelClient> m_vc;
    std::unique_ptr<Services::PrometheusClient> m_prom; // never asked: the counts come from the simulator
    RaizeTest::MemoryFlagService m_flags;
    std::unique_ptr<ClientCanaryServices> m_client;
    std::unique_ptr<RaizeTest::SimCanaryServices> m_services;
    ManualClock m_clock{QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC)};

    std::unique_ptr<Sandbox::HttpServer> m_githubServer;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    std::unique_ptr<Net::HttpClient> m_githubHttp; // one attempt: a fault row is seen as it is
    std::unique_ptr<Services::GitHubClient> m_gh;

    void addFault(const json &rule)
    {
        QString err;
        const auto r = Sandbox::FaultRule::fromJson(rule, &err);
        QVERIFY2(r, qPrintable(err));
        m_faults.add(*r);
    }

    // `platformFaults`: the scenario's platform faults replaced (null: as written).
    void load(const QString &name, const json &platformFaults = nullptr)
    {
        json s = scenario(name);
        if (!platformFaults.is_null())
            s["platform"]["faults"] = platformFaults;
        QVERIFY2(s.contains("vercel"), qPrintable(name));
        m_vercel->load(s["vercel"]);
        m_log.clear();
        m_vercel->resetBudget();
        m_sim = std::make_unique<Sandbox::PlatformSim>(m_platformServer.get(), m_vercel.get(), s["platform"]);
        m_sim->start(m_clock.nowMs() / 1000.0, false);
        Services::FlagState flag;
        flag.key = kFlag;
        flag.project = u"default"_s;
        flag.environment = u"production"_s;
        flag.type = u"release"_s;
        m_flags.flags = {flag};
        m_flags.calls.clear();
        m_services->history.clear();
        snapshot();
    }
    // The simulator at the clock's time, recorded as a scrape would.
    void snapshot()
    {
        m_services->history.append(RaizeTest::snapshotOf(*m_sim, m_clock.nowMs()));
    }
    // Moves time by `seconds`, a scrape every second, and polls the run every `pollEvery` seconds.
    void run(CanaryRun &r, int seconds, int pollEvery = 5)
    {
        for (int i = 1; i <= seconds; ++i) {
            m_clock.advanceMs(1000);
            snapshot();
            if (i % pollEvery == 0) {
                // Simulated minutes pass in wall-clock milliseconds: give each poll the fresh rate-limit
                // window (120 a minute) those minutes would have had.
                m_vercel->resetBudget();
                QSignalSpy updated(&r, &CanaryRun::updated);
                r.poll();
                QVERIFY(updated.wait(5000));
            }
        }
    }
    int approveCalls(QList<int> *indexes = nullptr) const
    {
        int n = 0;
        for (const Sandbox::LoggedRequest &e : m_log.entries(u"vercel"_s)) {
            if (e.method != u"POST"_s || !e.path.endsWith(u"/approve-stage"_s))
                continue;
            ++n;
            if (indexes)
                indexes->append(Json::parse(e.body.toUtf8()).value("nextStageIndex", -1));
        }
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_platformServer = std::make_unique<Sandbox::HttpServer>(u"platform"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_server.get(), kToken);
        QVERIFY(m_server->listen(0));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::Vercel, kToken);
        m_http->setDefaultTimeout(3000);
        m_rr = std::make_unique<Services::RollingReleaseClient>(*m_http, QUrl(m_server->baseUrl()), u"prj_raize_web"_s);
        m_vc = std::make_unique<Services::VercelClient>(*m_http, QUrl(m_server->baseUrl()), u"prj_raize_web"_s);
        m_prom = std::make_unique<Services::PrometheusClient>(*m_http, QUrl(u"http://127.0.0.1:9"_s));
        m_client = std::make_unique<ClientCanaryServices>(*m_rr, m_flags, *m_prom, cohorts());
        m_services = std::make_unique<RaizeTest::SimCanaryServices>(*m_rr, *m_client, m_clock);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), u"ghp_canarytokencanarytokencanary"_s);
        QVERIFY(m_githubServer->listen(0));
        m_githubHttp = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_githubHttp->setToken(Service::GitHub, u"ghp_canarytokencanarytokencanary"_s);
        m_githubHttp->setRetryPolicy({1, 10, 10, 0});
        m_gh = std::make_unique<Services::GitHubClient>(*m_githubHttp, QUrl(m_githubServer->baseUrl()), u"raize"_s, u"platform"_s);
    }

    void init()
    {
        m_faults.clear();
        m_services->smoke.reset();
        m_services->smokeReads = 0;
        m_services->frictionError.clear();
        m_client->setSmokeSources(nullptr, nullptr);
    }

    void goodCanaryAdvancesThroughEveryStage()
    {
        load(u"canary-deployment-good"_s);
        CanaryRun r(*m_services, {policy(), policy().stages.value(u"L3"_s), {kFlag}, &m_clock});
        QVERIFY(r.setArmed(true));
        QSignalSpy advanced(&r, &CanaryRun::advanced);
        QSignalSpy paged(&r, &CanaryRun::paged);
        QSignalSpy failed(&r, &CanaryRun::failed);
        r.start(u"dpl_canary"_s);
        QTRY_COMPARE(advanced.size(), 1);
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, 5.0);
        // Stage 1 waits for enough data on both axes, then its window, before anything is approved.
        run(r, 30);
        QCOMPARE(StageVerdict::kindName(r.verdict().kind), u"not enough data"_s);
        QCOMPARE(approveCalls(), 0);
        for (int round = 0; round < 200 && m_vercel->productionDeploymentId() != u"dpl_canary"_s; ++round)
            run(r, 10);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        QVERIFY(paged.isEmpty());
        QList<int> indexes;
        QCOMPARE(approveCalls(&indexes), 3);
        QCOMPARE(indexes, QList<int>({1, 2, 3}));
        QCOMPARE(r.approved(), QList<int>({1, 2, 3}));
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_canary"_s);
        QVERIFY(m_vercel->trafficSplit().canary.isEmpty());
        // The flag axis moved in step: each stage served the flag to exactly its cohorts, the last to everyone.
        QCOMPARE(m_flags.calls, QStringList({u"setScope %1 production cohorts house"_s.arg(kFlag), u"setEnabled %1 production on"_s.arg(kFlag),
                                             u"setScope %1 production cohorts house, lowrisk"_s.arg(kFlag), u"setEnabled %1 production on"_s.arg(kFlag),
                                             u"setScope %1 production cohorts house, lowrisk"_s.arg(kFlag), u"setEnabled %1 production on"_s.arg(kFlag),
                                             u"setScope %1 production global"_s.arg(kFlag), u"setEnabled %1 production on"_s.arg(kFlag)}));
    }

    void badCanaryIsHeldPagedAndAborted()
    {
        load(u"canary-deployment-bad"_s);
        CanaryRun r(*m_services, {policy(), policy().stages.value(u"L3"_s), {kFlag}, &m_clock});
        QVERIFY(r.setArmed(true));
        QSignalSpy paged(&r, &CanaryRun::paged);
        r.start(u"dpl_canary"_s);
        QTRY_COMPARE(r.stageIndex(), 0);
        QTRY_VERIFY(!r.busy());
        // Ten minutes at 5 %: far past the window, and the canary burns the whole time.
        run(r, 600);
        QCOMPARE(StageVerdict::kindName(r.verdict().kind), u"hold"_s);
        QVERIFY2(r.verdict().canaryBurn > 14.4, qPrintable(QString::number(r.verdict().canaryBurn)));
        QVERIFY(r.verdict().baselineBurn < 1);
        QCOMPARE(paged.size(), 1);
        QVERIFY2(paged.first().first().toString().contains(u"canary dpl_canary at 5 %"_s), qPrintable(paged.first().first().toString()));
        QCOMPARE(approveCalls(), 0);
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, 5.0);
        // The operator cannot advance it either.
        const Status manual = r.advance(1);
        QCOMPARE(manual.error().kind, Error::Kind::Refused);
        QCOMPARE(approveCalls(), 0);

        // Abort: one plan, journalled and run by the rollback executor.
        Rollback::CanaryAbortInputs in;
        in.vercelProjectId = u"prj_raize_web"_s;
        in.currentDeployment = r.rollingRelease()->currentDeployment;
        in.canaryDeployment = r.rollingRelease()->canaryDeployment;
        in.canaryPercent = r.rollingRelease()->canaryPercent();
        in.flags = {kFlag};
        in.reason = r.verdict().reasons.join(u"; "_s);
        const Rollback::Plan plan = Rollback::canaryAbortPlan(in);
        QVERIFY(plan.executable());
        QTemporaryDir dir;
        auto journal = Rollback::RunJournal::create(dir.path(), {{"kind", "canary-abort"}, {"plan", plan.toJson()}});
        QVERIFY(journal);
        Rollback::Clients clients;
        clients.flags = &m_flags;
        clients.vercel = m_vc.get();
        clients.rollingRelease = m_rr.get(); // the abort is confirmed by Vercel's rolling release: ABORTED
        Rollback::ExecOptions options;
        options.pollMs = 10;
        Rollback::Executor ex(std::move(journal).value(), plan, clients, options);
        QSignalSpy finished(&ex, &Rollback::Executor::finished);
        QSignalSpy stepFailed(&ex, &Rollback::Executor::stepFailed);
        ex.start();
        QTRY_VERIFY(!finished.isEmpty() || !stepFailed.isEmpty());
        QVERIFY2(stepFailed.isEmpty(), stepFailed.isEmpty() ? "" : qPrintable(stepFailed.first().at(1).value<Error>().toString()));
        QVERIFY(finished.first().first().toBool());
        // All traffic back on current, the rolling release ended, the flag off, still no approve-stage.
        QVERIFY(m_vercel->trafficSplit().canary.isEmpty());
        QCOMPARE(m_vercel->trafficSplit().current, u"dpl_cand"_s);
        QCOMPARE(m_vercel->rollingReleaseState()["rollingRelease"]["state"].get<std::string>(), std::string("ABORTED"));
        // Effective, not just accepted: the confirm step read Vercel's rolling release back as ABORTED.
        QVERIFY(ex.effective() && ex.effective()->effective());
        QCOMPARE(ex.effective()->kind, ChangeKind::Abort);
        QVERIFY2(ex.effective()->last.evidence.join(u'\n').contains(u"rolling release of dpl_canary: ABORTED"_s),
                 qPrintable(ex.effective()->last.evidence.join(u'\n')));
        for (int i = 0; i < 50; ++i)
            QCOMPARE(m_sim->servedBy()["deployment"].get<std::string>(), std::string("dpl_cand"));
        QVERIFY(!m_flags.flags.first().enabled);
        QCOMPARE(approveCalls(), 0);
        QFile f(ex.journal().path());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("abort canary dpl_canary"));
    }

    // Enforcement friction (§6.2 Phase C) read from the platform's counters holds the stage with its evidence:
    // a rate-limit storm on the house accounts (10 % of their publishes) keeps a healthy canary at 5 %, never
    // approved; the same canary without it advances (goodCanaryAdvancesThroughEveryStage).
    void frictionHoldsTheStage()
    {
        load(u"canary-deployment-good"_s, json::array({{{"kind", "rateLimited"}, {"cohort", "house"}, {"ratio", 0.1}}}));
        CanaryRun r(*m_services, {policy(), policy().stages.value(u"L3"_s), {kFlag}, &m_clock});
        QVERIFY(r.setArmed(true));
        r.start(u"dpl_canary"_s);
        QTRY_VERIFY(!r.busy() && r.stageIndex() == 0);
        const qint64 stageBegan = m_clock.nowMs();
        run(r, 600, 10);
        QCOMPARE(StageVerdict::kindName(r.verdict().kind), u"hold"_s);
        QVERIFY(!r.verdict().page); // friction holds, it does not page
        QCOMPARE(approveCalls(), 0);
        const auto row = std::find_if(r.verdict().evidence.cbegin(), r.verdict().evidence.cend(), [](const StageEvidence &e) {
            return e.subject == u"house: rate limits"_s;
        });
        QVERIFY(row != r.verdict().evidence.cend());
        QCOMPARE(row->state, StageEvidence::State::Hold);
        QVERIFY2(row->detail.contains(u"most on acct-house-ig"_s), qPrintable(row->line()));
        QVERIFY2(row->query.startsWith(u"sum by (cohort, account, lane) (increase(raize_platform_rate_limits_total{service=\"runner\",cohort=~\"house\"}"_s),
                 qPrintable(row->query));
        QCOMPARE(row->since, QDateTime::fromMSecsSinceEpoch(stageBegan, Qt::UTC).toString(Qt::ISODate));
        QVERIFY2(r.verdict().reasons.join(u'\n').contains(u"house: rate limits"_s), qPrintable(r.verdict().reasons.join(u'\n')));
        // The checkpoints of the same cohort are read too, and are fine.
        QVERIFY(std::any_of(r.verdict().evidence.cbegin(), r.verdict().evidence.cend(), [](const StageEvidence &e) {
            return e.subject == u"house: checkpoints"_s && e.state == StageEvidence::State::Ok;
        }));
        // The operator cannot tick it away.
        QCOMPARE(r.advance(1).error().kind, Error::Kind::Refused);
        QCOMPARE(approveCalls(), 0);
    }

    // Prometheus not answering the friction counters is unknown friction: "not enough data", never an advance.
    void unknownFrictionNeverAdvances()
    {
        load(u"canary-deployment-good"_s);
        m_services->frictionError = u"prometheus: HTTP 503 — service unavailable"_s;
        CanaryRun r(*m_services, {policy(), policy().stages.value(u"L3"_s), {kFlag}, &m_clock});
        QVERIFY(r.setArmed(true));
        r.start(u"dpl_canary"_s);
        QTRY_VERIFY(!r.busy() && r.stageIndex() == 0);
        run(r, 300, 10);
        QCOMPARE(StageVerdict::kindName(r.verdict().kind), u"not enough data"_s);
        QVERIFY2(r.verdict().reasons.join(u'\n').contains(u"Prometheus could not answer (prometheus: HTTP 503"_s), qPrintable(r.verdict().reasons.join(u'\n')));
        QCOMPARE(approveCalls(), 0);
    }

    // The staging smoke tests (§6.2 Phase A) read from GitHub on the canary's commit (Vercel names it): stage 1
    // starts only when every check the policy names passed; a failing or missing one blocks it with its name
    // and URL, and GitHub not answering (404, 429, 5xx) is unknown, never a pass. Nothing is sent to Vercel then.
    void smokeChecksGateStageOne_data()
    {
        QTest::addColumn<QString>("runs");     // JSON: the check runs on the canary's commit
        QTest::addColumn<QString>("statuses"); // JSON: the commit statuses on it
        QTest::addColumn<QString>("fault");    // a fault rule, empty: none
        QTest::addColumn<bool>("starts");
        QTest::addColumn<QString>("kind");     // the verdict when it does not start
        QTest::addColumn<QString>("says");
        const QString all = uR"([{"name":"smoke/plan-create-schedule"},{"name":"smoke/dry-run-publish"}])"_s;
        const QString jobOk = uR"([{"context":"smoke/verification-job","state":"success","targetUrl":"https://ci.raize.example/jobs/77"}])"_s;
        QTest::newRow("all passed") << all << jobOk << QString() << true << QString() << QString();
        QTest::newRow("a check run failed")
            << uR"([{"name":"smoke/plan-create-schedule"},{"name":"smoke/dry-run-publish","status":"completed","conclusion":"failure"}])"_s << jobOk
            << QString() << false << u"hold"_s << u"smoke check \"smoke/dry-run-publish\" — failed on commit c0ffee0 (dpl_canary) (failure) <https://github.com/raize/platform/actions/runs/9000/job/"_s;
        QTest::newRow("a check run missing") << uR"([{"name":"smoke/plan-create-schedule"}])"_s << jobOk << QString() << false << u"hold"_s
                                             << u"smoke check \"smoke/dry-run-publish\" — missing on commit c0ffee0 (dpl_canary)"_s;
        QTest::newRow("a check run still running")
            << uR"([{"name":"smoke/plan-create-schedule"},{"name":"smoke/dry-run-publish","status":"in_progress","conclusion":null}])"_s << jobOk
            << QString() << false << u"not enough data"_s << u"still running on commit c0ffee0 (dpl_canary) (in_progress)"_s;
        QTest::newRow("a commit status failed")
            << all << uR"([{"context":"smoke/verification-job","state":"failure","targetUrl":"https://ci.raize.example/jobs/78"}])"_s << QString()
            << false << u"hold"_s << u"smoke check \"smoke/verification-job\" — failed on commit c0ffee0 (dpl_canary) (failure) <https://ci.raize.example/jobs/78>"_s;
        QTest::newRow("skipped is not a pass")
            << uR"([{"name":"smoke/plan-create-schedule","conclusion":"skipped"},{"name":"smoke/dry-run-publish"}])"_s << jobOk << QString() << false
            << u"hold"_s << u"failed on commit c0ffee0 (dpl_canary) (skipped)"_s;
        QTest::newRow("GitHub 404") << all << jobOk << uR"({"service":"github","path":"/check-runs","mode":"error","status":404})"_s << false
                                    << u"not enough data"_s << u"never a pass"_s;
        QTest::newRow("GitHub 429") << all << jobOk << uR"({"service":"github","path":"/check-runs","mode":"rate_limit","retryAfter":1})"_s << false
                                    << u"not enough data"_s << u"never a pass"_s;
        QTest::newRow("GitHub 500 on the statuses") << all << jobOk << uR"({"service":"github","path":"/status$","mode":"error","status":500})"_s << false
                                                    << u"not enough data"_s << u"never a pass"_s;
        QTest::newRow("Vercel cannot name the commit") << all << jobOk
                                                       << uR"({"service":"vercel","method":"GET","path":"/deployments/dpl_canary$","mode":"error","status":500})"_s
                                                       << false << u"not enough data"_s << u"Vercel did not name the deployment's commit"_s;
    }
    void smokeChecksGateStageOne()
    {
        QFETCH(QString, runs);
        QFETCH(QString, statuses);
        QFETCH(QString, fault);
        QFETCH(bool, starts);
        QFETCH(QString, kind);
        QFETCH(QString, says);
        load(u"canary-deployment-good"_s);
        const std::string sha = "c0ffee00112233445566778899aabbccddeeff00"; // dpl_canary's commit in the scenario
        json checkRuns = json::parse(runs.toStdString()), commitStatuses = json::parse(statuses.toStdString());
        for (json &c : checkRuns)
            c["sha"] = sha;
        for (json &c : commitStatuses)
            c["sha"] = sha;
        m_github->load({{"checkRuns", checkRuns}, {"statuses", commitStatuses}});
        m_client->setSmokeSources(m_vc.get(), m_gh.get());
        if (!fault.isEmpty())
            addFault(json::parse(fault.toStdString()));
        DeploymentAxisPolicy p = policy();
        p.smokeChecks = {u"smoke/plan-create-schedule"_s, u"smoke/dry-run-publish"_s, u"smoke/verification-job"_s};
        CanaryRun r(*m_services, {p, p.stages.value(u"L3"_s), {kFlag}, &m_clock});
        QSignalSpy advanced(&r, &CanaryRun::advanced);
        QSignalSpy failed(&r, &CanaryRun::failed);
        r.start(u"dpl_canary"_s);
        QTRY_VERIFY(!advanced.isEmpty() || !failed.isEmpty());
        const auto starts_ = [&] {
            for (const Sandbox::LoggedRequest &e : m_log.entries(u"vercel"_s)) {
                if (e.method == u"POST"_s && e.path.endsWith(u"/rolling-release/start"_s))
                    return true;
            }
            return false;
        };
        QCOMPARE(starts_(), starts);
        if (starts) {
            QVERIFY(failed.isEmpty());
            QCOMPARE(m_vercel->trafficSplit().canaryPercent, 5.0);
            QCOMPARE(r.smoke()->commit, QString::fromStdString(sha));
            return;
        }
        const Error e = failed.first().first().value<Error>();
        QCOMPARE(e.kind, Error::Kind::Refused);
        QVERIFY2(e.message.startsWith(u"stage 1 of dpl_canary not started: "_s), qPrintable(e.message));
        QVERIFY2(e.message.contains(says), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(says, e.message)));
        QVERIFY(!e.remedy.isEmpty());
        QCOMPARE(StageVerdict::kindName(r.verdict().kind), kind);
        QVERIFY(!r.verdict().evidence.isEmpty());
        QVERIFY(m_vercel->trafficSplit().canary.isEmpty());
        QVERIFY(m_flags.calls.isEmpty()); // no flag served either
    }

    // With the policy's automatic advance off, nothing is approved without the operator.
    void manualAdvanceOnly()
    {
        load(u"canary-deployment-good"_s);
        DeploymentAxisPolicy p = policy();
        p.autoAdvance = false;
        CanaryRun r(*m_services, {p, p.stages.value(u"L3"_s), {kFlag}, &m_clock});
        QCOMPARE(r.setArmed(true).error().kind, Error::Kind::Refused);
        r.start(u"dpl_canary"_s);
        QTRY_VERIFY(!r.busy() && r.stageIndex() == 0);
        run(r, 300, 10);
        QCOMPARE(StageVerdict::kindName(r.verdict().kind), u"advance"_s);
        QCOMPARE(approveCalls(), 0);
        // A stale expectation is refused before anything is sent.
        QCOMPARE(r.advance(2).error().kind, Error::Kind::Conflict);
        QSignalSpy advanced(&r, &CanaryRun::advanced);
        QVERIFY(r.advance(1));
        QTRY_COMPARE(advanced.size(), 1);
        QCOMPARE(approveCalls(), 1);
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, 25.0);
    }
};

QTEST_GUILESS_MAIN(TestCanaryRun)
#include "tst_canary_run.moc"
