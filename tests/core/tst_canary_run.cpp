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
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

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

    void load(const QString &name)
    {
        const json s = scenario(name);
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
        for (int i = 0; i < 50; ++i)
            QCOMPARE(m_sim->servedBy()["deployment"].get<std::string>(), std::string("dpl_cand"));
        QVERIFY(!m_flags.flags.first().enabled);
        QCOMPARE(approveCalls(), 0);
        QFile f(ex.journal().path());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("abort canary dpl_canary"));
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
