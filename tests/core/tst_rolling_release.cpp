// Vercel Rolling Releases (issue #20, items 1 and 2): the simulated Vercel's
// rolling release and the platform's traffic split, driven by the console's
// RollingReleaseClient in-process (no sandbox processes): start, approve-stage
// guarded by the stage index, complete, abort by Instant Rollback; read-back
// before any retry; Vercel's error shapes, 4xx, 429 and malformed answers.

#include "waitfor.h"

#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "testutil.h"
#include "net/httpclient.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "platform/platformsim.h"
#include "vercel/vercelfake.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Services;
using RaizeTest::wait;
using RaizeTest::waitStatus;
using json = nlohmann::json;

namespace {
const QString kToken = u"vercel-rr-token-1234"_s;

json scenario(const QString &name)
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/%1.json"_s.arg(name));
    if (!f.open(QIODevice::ReadOnly))
        return json::object();
    return Json::parse(f.readAll());
}
} // namespace

class TestRollingRelease : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{11};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server, m_platformServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<RollingReleaseClient> m_rr;
    std::unique_ptr<VercelClient> m_vc;

    void load(const QString &name, const json &patch = json::object())
    {
        json s = scenario(name);
        QVERIFY2(s.contains("vercel"), qPrintable(name));
        s["vercel"].merge_patch(patch);
        m_vercel->load(s["vercel"]);
        m_faults.clear();
        m_log.clear();
        m_vercel->resetBudget();
    }
    void fault(const json &rule)
    {
        QString err;
        const auto r = Sandbox::FaultRule::fromJson(rule, &err);
        QVERIFY2(r, qPrintable(err));
        m_faults.add(*r);
    }
    int calls(const QString &method, const QString &pathEnd) const
    {
        int n = 0;
        for (const Sandbox::LoggedRequest &e : m_log.entries(u"vercel"_s))
            n += e.method == method && e.path.endsWith(pathEnd) ? 1 : 0;
        return n;
    }
    RollingRelease started()
    {
        const auto rr = wait<RollingRelease>([&](auto cb) { m_rr->start(u"dpl_canary"_s, cb); });
        if (!rr)
            qWarning("%s", qPrintable(rr.error().toString()));
        return rr ? rr.value() : RollingRelease{};
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
        m_http->setRetryPolicy({3, 20, 100, 5000});
        m_http->setDefaultTimeout(3000);
        m_rr = std::make_unique<RollingReleaseClient>(*m_http, QUrl(m_server->baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
        m_rr->setReadBackSettle(0);
        m_vc = std::make_unique<VercelClient>(*m_http, QUrl(m_server->baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
        m_vc->setReadBackSettle(0);
    }

    void billing_data()
    {
        QTest::addColumn<QString>("billing");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("reason");
        QTest::newRow("available") << u"available_slots"_s << true << u"available_slots"_s;
        QTest::newRow("unlimited") << u"unlimited_slots"_s << true << u"unlimited_slots"_s;
        QTest::newRow("plan") << u"plan_not_supported"_s << false << u"plan_not_supported"_s;
        QTest::newRow("slots") << u"no_available_slots"_s << false << u"no_available_slots"_s;
    }
    void billing()
    {
        QFETCH(QString, billing);
        QFETCH(bool, allowed);
        QFETCH(QString, reason);
        load(u"canary-deployment-good"_s, {{"rollingRelease", {{"billing", billing.toStdString()}}}});
        const auto b = wait<RollingReleaseBilling>([&](auto cb) { m_rr->billing(cb); });
        QVERIFY2(b.ok(), qPrintable(b.error().toString()));
        QCOMPARE(b->allowed, allowed);
        QCOMPARE(b->reason, reason);
        QVERIFY(!b->message.isEmpty());
        // Billing "no": starting is refused with Vercel's own 402.
        const auto rr = wait<RollingRelease>([&](auto cb) { m_rr->start(u"dpl_canary"_s, cb); });
        QCOMPARE(rr.ok(), allowed);
        if (!allowed) {
            QCOMPARE(rr.error().httpStatus, 402);
            QCOMPARE(rr.error().serviceCode, u"payment_required"_s);
        }
    }

    void configRoundTrip()
    {
        load(u"canary-deployment-good"_s);
        const auto before = wait<RollingReleaseConfig>([&](auto cb) { m_rr->config(cb); });
        QVERIFY2(before.ok(), qPrintable(before.error().toString()));
        QCOMPARE(before->stages.size(), 4);
        QCOMPARE(before->stages.last().targetPercent, 100.0);
        RollingReleaseConfig two;
        two.stages = {{10, true, std::nullopt}, {100, false, std::nullopt}};
        const auto set = wait<RollingReleaseConfig>([&](auto cb) { m_rr->setConfig(two, cb); });
        QVERIFY2(set.ok(), qPrintable(set.error().toString()));
        QCOMPARE(set->stages.size(), 2);
        // A config that does not end at 100 % is refused with Vercel's message.
        RollingReleaseConfig bad;
        bad.stages = {{10, true, std::nullopt}, {50, true, std::nullopt}};
        const auto refused = wait<RollingReleaseConfig>([&](auto cb) { m_rr->setConfig(bad, cb); });
        QCOMPARE(refused.error().httpStatus, 400);
        QVERIFY2(refused.error().message.contains(u"100"_s), qPrintable(refused.error().toString()));
        // Off: nothing configured, and start says so.
        const auto off = wait<RollingReleaseConfig>([&](auto cb) { m_rr->setConfig(RollingReleaseConfig{}, cb); });
        QVERIFY2(off.ok(), qPrintable(off.error().toString()));
        QVERIFY(off->stages.isEmpty());
        const auto rr = wait<RollingRelease>([&](auto cb) { m_rr->start(u"dpl_canary"_s, cb); });
        QCOMPARE(rr.error().httpStatus, 400);
        QCOMPARE(rr.error().serviceCode, u"rolling_release_not_configured"_s);
    }

    void startApproveComplete()
    {
        load(u"canary-deployment-good"_s);
        const auto none = wait<std::optional<RollingRelease>>([&](auto cb) { m_rr->rollingRelease(cb); });
        QVERIFY2(none.ok(), qPrintable(none.error().toString()));
        QVERIFY(!none->has_value());

        const RollingRelease rr = started();
        QCOMPARE(rr.state, RollingRelease::State::Active);
        QCOMPARE(rr.currentDeployment, u"dpl_cand"_s);
        QCOMPARE(rr.canaryDeployment, u"dpl_canary"_s);
        QCOMPARE(rr.canaryPercent(), 5.0);
        QCOMPARE(rr.stages.size(), 4);
        QVERIFY(!rr.automatic);
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, 5.0);

        // A second start while one is active: Vercel's 409.
        const auto twice = wait<RollingRelease>([&](auto cb) { m_rr->start(u"dpl_canary"_s, cb); });
        QCOMPARE(twice.error().httpStatus, 409);

        const auto second = wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_canary"_s, 1, cb); });
        QVERIFY2(second.ok(), qPrintable(second.error().toString()));
        QCOMPARE(second->canaryPercent(), 25.0);
        // The guard: approving stage 1 again (a double advance) is refused, and nothing moves.
        const auto again = wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_canary"_s, 1, cb); });
        QCOMPARE(again.error().httpStatus, 400);
        QCOMPARE(again.error().serviceCode, u"invalid_stage_index"_s);
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, 25.0);
        // Another deployment is not the canary.
        const auto other = wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_cand"_s, 2, cb); });
        QCOMPARE(other.error().serviceCode, u"canary_mismatch"_s);

        const auto third = wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_canary"_s, 2, cb); });
        QVERIFY2(third.ok(), qPrintable(third.error().toString()));
        QCOMPARE(third->canaryPercent(), 50.0);
        const auto done = wait<RollingRelease>([&](auto cb) { m_rr->complete(u"dpl_canary"_s, cb); });
        QVERIFY2(done.ok(), qPrintable(done.error().toString()));
        QCOMPARE(done->state, RollingRelease::State::Complete);
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_canary"_s);
        QVERIFY(m_vercel->trafficSplit().canary.isEmpty());
    }

    void finalApprovalCompletes()
    {
        load(u"canary-deployment-good"_s);
        QCOMPARE(started().canaryPercent(), 5.0);
        for (int next = 1; next <= 3; ++next) {
            const auto rr = wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_canary"_s, next, cb); });
            QVERIFY2(rr.ok(), qPrintable(rr.error().toString()));
        }
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_canary"_s);
        const auto rr = wait<std::optional<RollingRelease>>([&](auto cb) { m_rr->rollingRelease(cb); });
        QVERIFY(rr.ok() && rr->has_value());
        QCOMPARE((*rr)->state, RollingRelease::State::Complete);
    }

    // Abort is Vercel's Instant Rollback: it ends the active rolling release and all traffic goes back to current.
    void rollbackAbortsTheRollingRelease()
    {
        load(u"canary-deployment-bad"_s);
        QCOMPARE(started().canaryPercent(), 5.0);
        // The documented abort: an Instant Rollback to the current deployment, which the split serves only in part.
        const Status back = waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_cand"_s, u"canary burns"_s, cb); });
        QVERIFY2(back.ok(), qPrintable(back.error().toString()));
        const auto rr = wait<std::optional<RollingRelease>>([&](auto cb) { m_rr->rollingRelease(cb); });
        QVERIFY(rr.ok() && rr->has_value());
        QCOMPARE((*rr)->state, RollingRelease::State::Aborted);
        QVERIFY(m_vercel->trafficSplit().canary.isEmpty());
        QCOMPARE(m_vercel->trafficSplit().current, u"dpl_cand"_s);
        // Once nothing is split, dpl_cand simply serves production: a second rollback to it is Vercel's 409.
        const Status twice = waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_cand"_s, u"again"_s, cb); });
        QCOMPARE(twice.error().httpStatus, 409);
    }

    // After an unclear outcome the client reads the rolling release back before it sends approve-stage again.
    void approveReadsBackBeforeRetry_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("approveCalls");
        QTest::addColumn<double>("percent");
        // Applied, answer lost: the read-back sees stage 1, no second call.
        QTest::newRow("reset after handler") << uR"({"mode":"reset","afterHandler":true,"count":1})"_s << true << 1 << 25.0;
        // Dropped before the handler: the read-back sees stage 0, the call goes again once.
        QTest::newRow("reset before handler") << uR"({"mode":"reset","count":1})"_s << true << 2 << 25.0;
        // An answer is an answer (ADR 0002): a 500 is reported with Vercel's words, never sent again blindly.
        QTest::newRow("500") << uR"({"mode":"error","status":500,"count":1})"_s << false << 1 << 5.0;
        // Rate limited: not applied, sent again after Retry-After.
        QTest::newRow("429") << uR"({"mode":"rate_limit","retryAfter":1,"count":1})"_s << true << 2 << 25.0;
        // A 4xx is Vercel's word: reported, never retried.
        QTest::newRow("403") << uR"({"mode":"error","status":403,"count":1})"_s << false << 1 << 5.0;
    }
    void approveReadsBackBeforeRetry()
    {
        QFETCH(QString, rule);
        QFETCH(bool, ok);
        QFETCH(int, approveCalls);
        QFETCH(double, percent);
        load(u"canary-deployment-good"_s);
        QCOMPARE(started().canaryPercent(), 5.0);
        json r = Json::parse(rule.toUtf8());
        r["service"] = "vercel";
        r["method"] = "POST";
        r["path"] = "/rolling-release/approve-stage";
        fault(r);
        const auto rr = wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_canary"_s, 1, cb); });
        QVERIFY2(rr.ok() == ok, qPrintable(rr.ok() ? u"ok"_s : rr.error().toString()));
        if (!ok)
            QVERIFY2(!rr.error().message.isEmpty(), "an error says what failed");
        QCOMPARE(calls(u"POST"_s, u"/approve-stage"_s), approveCalls);
        // After a dropped connection the rolling release was read back before anything was sent again.
        if (rule.contains(u"reset"_s)) {
            QStringList order;
            for (const Sandbox::LoggedRequest &e : m_log.entries(u"vercel"_s)) {
                if (e.path.endsWith(u"/approve-stage"_s) || e.path.endsWith(u"/rolling-release"_s))
                    order << e.method + u' ' + e.path.section(u'/', -1);
            }
            // Applied: the read-back, then the state it reports. Not applied: believed after a second look, then sent again.
            QStringList expected = {u"POST approve-stage"_s, u"GET rolling-release"_s, u"GET rolling-release"_s};
            if (approveCalls == 2)
                expected << u"POST approve-stage"_s;
            QCOMPARE(order, expected);
        }
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, percent);
        if (ok)
            QCOMPARE(rr->canaryPercent(), percent);
    }

    void malformedAnswers_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("not json") << QByteArray("<html>") << QString();
        QTest::newRow("no rollingRelease") << QByteArray(R"({"other":1})") << u"rollingRelease"_s;
        QTest::newRow("unknown state") << QByteArray(R"({"rollingRelease":{"state":"PAUSED","stages":[]}})") << u"rollingRelease.state"_s;
        QTest::newRow("active without stage")
            << QByteArray(R"({"rollingRelease":{"state":"ACTIVE","canaryDeployment":{"id":"dpl_x"},"currentDeployment":{"id":"dpl_y"},"stages":[],"activeStage":null}})")
            << u"rollingRelease.activeStage"_s;
        QTest::newRow("stage without percent")
            << QByteArray(R"({"rollingRelease":{"state":"COMPLETE","stages":[{"index":0,"isFinalStage":true}]}})")
            << u"rollingRelease.stages[0].targetPercentage"_s;
    }
    void malformedAnswers()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const auto rr = RollingReleaseClient::parseRollingRelease(body);
        QVERIFY(!rr.ok());
        QCOMPARE(rr.error().kind, Error::Kind::Parse);
        QCOMPARE(rr.error().service, u"vercel"_s);
        if (!field.isEmpty())
            QVERIFY2(rr.error().fieldPath.startsWith(field), qPrintable(rr.error().fieldPath + u" / "_s + rr.error().toString()));
    }

    void malformedBilling_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("no reason") << QByteArray(R"({"availableSlots":1,"message":"x"})") << u"reason"_s;
        QTest::newRow("no slots") << QByteArray(R"({"reason":"available_slots","message":"x"})") << u"availableSlots"_s;
    }
    void malformedBilling()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const auto b = RollingReleaseClient::parseBilling(body);
        QVERIFY(!b.ok());
        QVERIFY2(b.error().fieldPath.startsWith(field), qPrintable(b.error().toString()));
    }

    // `raize-console rollout axes`: billing "no" (or unreadable) falls back to the flag axis and says why.
    void axesCli_data()
    {
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("billing");
        QTest::addColumn<bool>("fail");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("words");
        QTest::newRow("policy off") << false << u"available_slots"_s << false << 1 << u"Flag axis only (L3): flag-only canary: the policy keeps the deployment axis off"_s;
        QTest::newRow("billing yes") << true << u"available_slots"_s << false << 0 << u"Two axes (L3): deployment and flag axes"_s;
        QTest::newRow("billing no") << true << u"plan_not_supported"_s << false << 1
                                    << u"Flag axis only (L3): flag-only canary: Vercel's rolling-release billing says no (plan_not_supported: Rolling Releases are available on Pro and Enterprise plans.)"_s;
        QTest::newRow("no slots") << true << u"no_available_slots"_s << false << 1 << u"billing says no (no_available_slots"_s;
        QTest::newRow("billing unreadable") << true << u"available_slots"_s << true << 1 << u"billing could not be read (vercel: HTTP 500"_s;
    }
    void axesCli()
    {
        QFETCH(bool, enabled);
        QFETCH(QString, billing);
        QFETCH(bool, fail);
        QFETCH(int, code);
        QFETCH(QString, words);
        load(u"canary-deployment-good"_s, {{"rollingRelease", {{"billing", billing.toStdString()}}}});
        if (fail)
            fault({{"service", "vercel"}, {"path", "/rolling-release/billing"}, {"mode", "error"}, {"status", 500}});
        QTemporaryDir dir;
        QFile tenant(dir.path() + u"/tenant.json"_s);
        QVERIFY(tenant.open(QIODevice::WriteOnly));
        tenant.write(Json::dump({{"schema", "raize.policy"}, {"version", 1}, {"id", "canary-test"},
                                 {"rollout", {{"deploymentAxis", {{"enabled", enabled}}}}}}));
        tenant.close();
        Settings settings;
        settings.setValue(SettingKey::VercelBaseUrl, m_server->baseUrl());
        settings.setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        settings.setValue(SettingKey::VercelTeamId, u"team_raize"_s);
        settings.setValue(SettingKey::NetTimeoutMs, 5000);
        settings.setValue(SettingKey::PolicyBundlePath, tenant.fileName());
        QVERIFY(settings.sync());
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RAIZE_VERCEL_TOKEN"_s, kToken);
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/raize-rolling-release"_s);
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(RaizeTest::consoleBinary(), {u"rollout"_s, u"axes"_s, u"--level"_s, u"L3"_s});
        QVERIFY(p.waitForStarted(30000));
        QVERIFY(finished.wait(60000)); // the event loop runs: the fake answers the child
        const QString out = QString::fromUtf8(p.readAllStandardOutput()), err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), code);
        QVERIFY2(out.contains(words), qPrintable(out + err));
        // Billing is asked only when the policy turns the axis on; a 500 on a read is retried before it gives up.
        const int asked = calls(u"GET"_s, u"/rolling-release/billing"_s);
        if (!enabled || !fail)
            QCOMPARE(asked, enabled ? 1 : 0);
        else
            QVERIFY2(asked > 1, qPrintable(QString::number(asked)));
        if (code == 0)
            QVERIFY2(out.contains(u"stage 1: 5 % traffic, cohorts house, 30 min"_s), qPrintable(out));
    }

    // The platform: web traffic split by the active stage, counted by the deployment that served it.
    void platformSplitsWebTraffic()
    {
        json s = scenario(u"canary-deployment-bad"_s);
        load(u"canary-deployment-bad"_s);
        Sandbox::PlatformSim sim(m_platformServer.get(), m_vercel.get(), s["platform"]);
        const double t0 = 1800000000;
        sim.start(t0, false);
        sim.tick(t0 + 1);
        // Before the rolling release: everything is dpl_cand's.
        QCOMPARE(sim.servedBy()["deployment"].get<std::string>(), std::string("dpl_cand"));
        QVERIFY(!sim.deploymentCounters().contains("dpl_canary"));

        QCOMPARE(started().canaryPercent(), 5.0);
        int canary = 0;
        for (int i = 0; i < 100; ++i)
            canary += sim.servedBy()["deployment"] == "dpl_canary" ? 1 : 0;
        QCOMPARE(canary, 5);
        const json before = sim.deploymentCounters();
        for (int i = 2; i <= 61; ++i)
            sim.tick(t0 + i);
        const json after = sim.deploymentCounters();
        const double cur = after["dpl_cand"]["requests"].get<double>() - before["dpl_cand"]["requests"].get<double>();
        const double can = after["dpl_canary"]["requests"].get<double>();
        QVERIFY2(qAbs(can / (can + cur) - 0.05) < 1e-6, qPrintable(QString::number(can / (can + cur))));
        // The bad canary fails a fifth of its requests; the current deployment stays at the baseline.
        QVERIFY(qAbs(after["dpl_canary"]["errors"].get<double>() / can - 0.2005) < 1e-6);
        const double curErrors = after["dpl_cand"]["errors"].get<double>() - before["dpl_cand"]["errors"].get<double>();
        QVERIFY(qAbs(curErrors / cur - 0.0005) < 1e-6);
        const QByteArray text = sim.metricsText(t0 + 61);
        QVERIFY(text.contains("raize_http_requests_by_deployment_total{code=\"500\",cohort=\"house\",deployment=\"dpl_canary\",lane=\"api\",service=\"web\"}"));
        QVERIFY(text.contains("raize_http_requests_by_deployment_total{code=\"200\",cohort=\"broad\",deployment=\"dpl_cand\",lane=\"browser\",service=\"web\"}"));

        // The split follows the stage; after an abort everything is current's again.
        QVERIFY(wait<RollingRelease>([&](auto cb) { m_rr->approveStage(u"dpl_canary"_s, 1, cb); }).ok());
        canary = 0;
        for (int i = 0; i < 100; ++i)
            canary += sim.servedBy()["deployment"] == "dpl_canary" ? 1 : 0;
        QCOMPARE(canary, 25);
        QVERIFY(waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_cand"_s, u"abort"_s, cb); }).ok());
        for (int i = 0; i < 100; ++i)
            QCOMPARE(sim.servedBy()["deployment"].get<std::string>(), std::string("dpl_cand"));
        const double frozen = sim.deploymentCounters()["dpl_canary"]["requests"].get<double>();
        sim.tick(t0 + 62);
        sim.tick(t0 + 63);
        QCOMPARE(sim.deploymentCounters()["dpl_canary"]["requests"].get<double>(), frozen); // a counter that holds still
    }
};

QTEST_GUILESS_MAIN(TestRollingRelease)
#include "tst_rolling_release.moc"
