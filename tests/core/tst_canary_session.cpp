// The workspace's two-axis canary session (issue #20; ADR 0033), in-process:
// the simulated Vercel (billing, the rolling release, faults) and GitHub (who
// acts) behind the workspace's own clients, the counts scripted. Each way a
// start is refused sends nothing and records nothing; a service's failure is
// reported; the same canary is resumed, never started twice; an advance on
// "not enough data" is refused before its record; a page reaches the
// AlertCenter and clears; an abort seen by a poll is one stage record; and
// `raize-console canary` refuses bad input before it touches a service.

#include "testutil.h"

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "records/auditrecord.h"
#include "release/alertcenter.h"
#include "release/canaryrun.h"
#include "release/change.h"
#include "services/vercel/rollingreleaseclient.h"
#include "workspace/canarysession.h"
#include "workspace/workspace.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "scriptedcanaryservices.h"
#include "vercel/vercelfake.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

const QString kVercelToken = u"vercel-canary-session-token"_s;
const QString kGitHubToken = u"github-canary-session-token"_s;

json scenario(const QString &name)
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/%1.json"_s.arg(name));
    if (!f.open(QIODevice::ReadOnly))
        return json::object();
    return Json::parse(f.readAll());
}

const QByteArray kTwoAxes = R"({"schema": "raize.policy", "version": 1, "id": "canary-session-test", "title": "Two axes",
    "rollout": {"deploymentAxis": {"enabled": true, "stages": {"L3": [
    {"trafficPercent": 5, "cohorts": ["house"], "windowMinutes": 1},
    {"trafficPercent": 25, "cohorts": ["house", "lowrisk"], "windowMinutes": 1},
    {"trafficPercent": 50, "cohorts": ["house", "lowrisk"], "windowMinutes": 1},
    {"trafficPercent": 100, "cohorts": ["house", "lowrisk", "broad"], "windowMinutes": 0}]}}}})";

} // namespace

class TestCanarySession : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{5};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    QTemporaryDir m_dir;
    int m_profiles = 0;

    // One profile on the fakes: its settings, token store, workspace (opened) and the canary's scripted services.
    struct Profile
    {
        std::unique_ptr<Settings> settings;
        std::unique_ptr<TokenStore> tokens;
        std::unique_ptr<ServiceMonitor> monitor;
        std::unique_ptr<Workspace> ws;
        std::unique_ptr<RaizeTest::ScriptedCanaryServices> services;
        ManualClock clock{QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC)};
    };
    std::unique_ptr<Profile> open(bool github = true, const QString &auditPath = {})
    {
        auto p = std::make_unique<Profile>();
        const QString name = u"canary-session-%1"_s.arg(++m_profiles);
        p->settings = std::make_unique<Settings>(name, m_dir.path());
        p->settings->setValue(SettingKey::ProfileIsSandbox, true);
        p->settings->setValue(SettingKey::VercelBaseUrl, m_vercelServer->baseUrl());
        p->settings->setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        p->settings->setValue(SettingKey::NetTimeoutMs, 2000);
        p->settings->setValue(SettingKey::GitHubApiUrl, m_githubServer->baseUrl());
        p->settings->setValue(SettingKey::GitHubOwner, u"raize"_s);
        p->settings->setValue(SettingKey::GitHubRepo, u"platform"_s);
        p->settings->setValue(SettingKey::AuditLogPath, auditPath.isEmpty() ? m_dir.filePath(name + u".jsonl"_s) : auditPath);
        QFile bundle(m_dir.filePath(name + u"-policy.json"_s));
        if (bundle.open(QIODevice::WriteOnly))
            bundle.write(kTwoAxes);
        bundle.close();
        p->settings->setValue(SettingKey::PolicyBundlePath, bundle.fileName());
        p->tokens = std::make_unique<TokenStore>(name, u"raize-console-canarysessiontest"_s);
        p->monitor = std::make_unique<ServiceMonitor>();
        p->ws = std::make_unique<Workspace>(*p->settings, *p->tokens, p->monitor.get());
        QHash<Service, QString> tokens{{Service::Vercel, kVercelToken}};
        if (github)
            tokens.insert(Service::GitHub, kGitHubToken);
        p->ws->openWithTokens(tokens);
        if (github) {
            p->ws->resolveIdentity();
            if (!QTest::qWaitFor([&p] { return p->ws->identityKnown(); }, 5000))
                qWarning("GitHub did not name the token's user: the canary is refused");
        }
        p->services = std::make_unique<RaizeTest::ScriptedCanaryServices>(*p->ws->clients()->rollingRelease);
        p->ws->canary().setClock(p->clock);
        p->ws->canary().setServices(p->services.get());
        return p;
    }
    int calls(const QString &method, const QString &pathEnd) const
    {
        int n = 0;
        for (const Sandbox::LoggedRequest &e : m_log.entries(u"vercel"_s))
            n += e.method == method && e.path.endsWith(pathEnd) ? 1 : 0;
        return n;
    }
    static QList<Records::AuditRecord> records(const Workspace &ws, const QString &prefix)
    {
        QList<Records::AuditRecord> out;
        QFile f(ws.auditLogPath());
        if (!f.open(QIODevice::ReadOnly))
            return out;
        while (!f.atEnd()) {
            Records::AuditRecord r;
            if (Records::AuditRecord::fromLine(f.readLine().trimmed(), &r) && r.action.startsWith(prefix))
                out << r;
        }
        return out;
    }
    static Status startOf(CanarySession &s, const QString &canary)
    {
        std::optional<Status> out;
        s.start({canary, u"L3"_s, {u"publishing.scheduler-v2"_s}}, u"test"_s, [&out](const Status &st) { out = st; });
        if (!QTest::qWaitFor([&out] { return out.has_value(); }, 15000))
            return Error::make(Error::Kind::Timeout, u"test"_s, u"start did not answer"_s);
        return *out;
    }
    static void pollOnce(CanarySession &s)
    {
        QSignalSpy updated(&s, &CanarySession::updated);
        s.poll();
        QVERIFY(updated.wait(5000));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), kVercelToken);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), kGitHubToken);
        m_github->load(json::object());
        QVERIFY(m_vercelServer->listen(0));
        QVERIFY(m_githubServer->listen(0));
    }

    void init()
    {
        m_vercel->load(scenario(u"canary-deployment-good"_s)["vercel"]);
        m_faults.clear();
        m_log.clear();
        m_vercel->resetBudget();
    }

    void startIsRefusedOrReportsWhy_data()
    {
        QTest::addColumn<QString>("billing");
        QTest::addColumn<bool>("github");
        QTest::addColumn<QString>("active");      // a rolling release already active (its canary), or none
        QTest::addColumn<QString>("canary");      // what the session is asked to start
        QTest::addColumn<int>("fault");           // HTTP status the start call gets (0: none)
        QTest::addColumn<bool>("auditWritable");
        QTest::addColumn<QString>("outcome");     // "ok", "resumed", or the error's words
        QTest::addColumn<int>("startCalls");      // POST …/rolling-release/start the fake saw
        QTest::addColumn<QStringList>("recorded"); // the canary's audit records, in order

        const QStringList none;
        QTest::newRow("started") << u"available_slots"_s << true << QString() << u"dpl_canary"_s << 0 << true << u"ok"_s << 1
                                 << QStringList{u"rollout.canary.start"_s, u"canary.stage"_s};
        QTest::newRow("billing says no") << u"plan_not_supported"_s << true << QString() << u"dpl_canary"_s << 0 << true
                                         << u"plan_not_supported"_s << 0 << none;
        QTest::newRow("who acts is unknown") << u"available_slots"_s << false << QString() << u"dpl_canary"_s << 0 << true
                                             << u"who you are is unknown"_s << 0 << none;
        QTest::newRow("another canary is active") << u"available_slots"_s << true << u"dpl_canary"_s << u"dpl_pr418"_s << 0 << true
                                                  << u"a rolling release of dpl_canary is active"_s << 1 << none;
        QTest::newRow("the same canary: resumed") << u"available_slots"_s << true << u"dpl_canary"_s << u"dpl_canary"_s << 0 << true
                                                  << u"resumed"_s << 1 << none;
        QTest::newRow("Vercel refuses the start (403)") << u"available_slots"_s << true << QString() << u"dpl_canary"_s << 403 << true
                                                        << u"403"_s << 1 << QStringList{u"rollout.canary.start"_s};
        QTest::newRow("the audit log refuses") << u"available_slots"_s << true << QString() << u"dpl_canary"_s << 0 << false
                                               << u"audit"_s << 0 << none;
    }
    void startIsRefusedOrReportsWhy()
    {
        QFETCH(QString, billing);
        QFETCH(bool, github);
        QFETCH(QString, active);
        QFETCH(QString, canary);
        QFETCH(int, fault);
        QFETCH(bool, auditWritable);
        QFETCH(QString, outcome);
        QFETCH(int, startCalls);
        QFETCH(QStringList, recorded);
        json s = scenario(u"canary-deployment-good"_s)["vercel"];
        s["rollingRelease"]["billing"] = billing.toStdString();
        m_vercel->load(s);
        // An audit log whose folder is a file: every append fails.
        QFile blocker(m_dir.filePath(u"not-a-folder"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        auto p = open(github, auditWritable ? QString() : blocker.fileName() + u"/audit.jsonl"_s);
        if (!active.isEmpty()) {
            std::optional<Result<Services::RollingRelease>> started;
            p->ws->clients()->rollingRelease->start(active, [&started](const Result<Services::RollingRelease> &rr) { started = rr; });
            QTRY_VERIFY(started.has_value());
            QVERIFY(started->ok());
        }
        if (fault) {
            QString err;
            const auto rule = Sandbox::FaultRule::fromJson({{"service", "vercel"}, {"path", "/rolling-release/start"}, {"mode", "error"},
                                                            {"status", fault}}, &err);
            QVERIFY2(rule, qPrintable(err));
            m_faults.add(*rule);
        }
        CanarySession &session = p->ws->canary();
        const Status st = startOf(session, canary);
        if (outcome == u"ok"_s || outcome == u"resumed"_s) {
            QVERIFY2(st, qPrintable(st.ok() ? QString() : st.error().toString()));
            QCOMPARE(session.startResumed(), outcome == u"resumed"_s);
            QVERIFY(session.run());
        } else {
            QVERIFY(!st);
            QVERIFY2(QString(st.error().message + st.error().remedy + QString::number(st.error().httpStatus)).contains(outcome),
                     qPrintable(st.error().toString()));
        }
        QCOMPARE(calls(u"POST"_s, u"/rolling-release/start"_s), startCalls);
        QStringList actions;
        for (const Records::AuditRecord &r : records(*p->ws, u""_s)) {
            if (r.action.contains(u"canary"_s))
                actions << r.action;
        }
        QCOMPARE(actions, recorded);
        if (recorded.contains(u"canary.stage"_s)) {
            const Records::AuditRecord stage = records(*p->ws, u"canary.stage"_s).first();
            QCOMPARE(stage.actor, u"release-bot"_s);
            const std::optional<Release::Change> c = Release::Change::fromAudit(stage);
            QVERIFY(c);
            QCOMPARE(c->kind, Release::Change::Kind::CanaryStage);
            QCOMPARE(c->service, u"web"_s);
            QCOMPARE(c->title, u"Canary dpl_canary: stage 1 of 4 — 5 % of web traffic, cohorts house"_s);
            QCOMPARE(p->services->served, QStringList({u"publishing.scheduler-v2 → house"_s}));
        }
    }

    void advanceIsRefusedWithoutEnoughData()
    {
        auto p = open();
        CanarySession &session = p->ws->canary();
        QVERIFY(startOf(session, u"dpl_canary"_s));
        p->services->cohortRequests = 20; // the house cohort's publishes: under the policy's 500
        p->clock.advanceMs(61'000);
        pollOnce(session);
        QCOMPARE(session.run()->verdict().kind, Release::StageVerdict::Kind::NotEnoughData);
        const Status st = session.advance(1);
        QVERIFY(!st);
        QCOMPARE(st.error().kind, Error::Kind::Refused);
        QVERIFY2(st.error().message.contains(u"not enough data"_s), qPrintable(st.error().message));
        QCOMPARE(calls(u"POST"_s, u"/approve-stage"_s), 0);
        QVERIFY(records(*p->ws, u"rollout.canary.advance"_s).isEmpty());
        // A stage that does not follow the active one is refused too, whatever the verdict.
        p->services->cohortRequests = 2000;
        pollOnce(session);
        QCOMPARE(session.run()->verdict().kind, Release::StageVerdict::Kind::Advance);
        QCOMPARE(session.advance(2).error().kind, Error::Kind::Conflict);
        QVERIFY(session.advance(1));
        QTRY_COMPARE(session.run()->stageIndex(), 1);
        QCOMPARE(calls(u"POST"_s, u"/approve-stage"_s), 1);
        const QList<Records::AuditRecord> advanced = records(*p->ws, u"rollout.canary.advance"_s);
        QCOMPARE(advanced.size(), 1);
        QCOMPARE(advanced.first().before.value("stage", 0), 1);
        QCOMPARE(advanced.first().after.value("stage", 0), 2);
        QCOMPARE(advanced.first().after.value("trafficPercent", 0.0), 25.0);
    }

    void pageReachesTheAlertCenterAndClears()
    {
        auto p = open();
        Release::AlertCenter alerts(p->clock);
        CanarySession &session = p->ws->canary();
        session.setAlertCenter(&alerts);
        QVERIFY(startOf(session, u"dpl_canary"_s));
        p->services->canaryErrors = 1000; // 20 % of the canary's requests fail: far over the page burn rate
        p->clock.advanceMs(10'000);
        pollOnce(session);
        QCOMPARE(session.run()->verdict().kind, Release::StageVerdict::Kind::Hold);
        QVERIFY(session.run()->verdict().page);
        const Release::AlertCenter::State *page = alerts.find(u"canary:dpl_canary"_s);
        QVERIFY(page);
        QCOMPARE(page->alert.severity, u"page"_s);
        QVERIFY2(page->alert.trigger.contains(u"5 % of web traffic"_s), qPrintable(page->alert.trigger));
        QVERIFY(!session.advance(1)); // never on hold
        p->services->canaryErrors = 2;
        pollOnce(session);
        QVERIFY(!alerts.find(u"canary:dpl_canary"_s));
        QCOMPARE(calls(u"POST"_s, u"/approve-stage"_s), 0);
    }

    void abortSeenIsOneStageRecord()
    {
        auto p = open();
        CanarySession &session = p->ws->canary();
        QVERIFY(startOf(session, u"dpl_canary"_s));
        pollOnce(session);
        // The abort is Vercel's Instant Rollback to current (the rollback executor sends it; here straight to the fake).
        QNetworkAccessManager nam;
        QNetworkRequest req(QUrl(m_vercelServer->baseUrl() + u"/v1/projects/prj_raize_web/rollback/dpl_cand"_s));
        req.setRawHeader("Authorization", "Bearer " + kVercelToken.toUtf8());
        QNetworkReply *reply = nam.post(req, QByteArray());
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
        reply->deleteLater();
        pollOnce(session);
        pollOnce(session);
        const QList<Records::AuditRecord> stages = records(*p->ws, u"canary.stage"_s);
        QCOMPARE(stages.size(), 2);
        const std::optional<Release::Change> aborted = Release::Change::fromAudit(stages.last());
        QVERIFY(aborted);
        QCOMPARE(aborted->title, u"Canary dpl_canary aborted at stage 1 of 4 (5 % of web traffic): all traffic back to dpl_cand"_s);
        QVERIFY(!session.abortInputs({})); // nothing left to abort
    }

    void cliRefusesBadInputBeforeAnyService_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("words");
        QTest::newRow("no subcommand") << QStringList{u"canary"_s} << 2 << u"usage: raize-console canary status"_s;
        QTest::newRow("start without a deployment") << QStringList{u"canary"_s, u"start"_s} << 2 << u"--deployment is required"_s;
        QTest::newRow("advance without a stage") << QStringList{u"canary"_s, u"advance"_s, u"--confirm"_s, u"production"_s} << 2
                                                 << u"--stage N is required"_s;
        QTest::newRow("advance, confirmation not exact") << QStringList{u"canary"_s, u"advance"_s, u"--stage"_s, u"2"_s, u"--confirm"_s,
                                                                        u"Production"_s}
                                                         << 1 << u"production"_s;
        QTest::newRow("status, bad level") << QStringList{u"canary"_s, u"status"_s, u"--level"_s, u"L9"_s} << 2 << u"--level must be"_s;
    }
    void cliRefusesBadInputBeforeAnyService()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, words);
        QProcess proc;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/raize-canary-session"_s);
        proc.setProcessEnvironment(env);
        QSignalSpy finished(&proc, &QProcess::finished);
        proc.start(RaizeTest::consoleBinary(), args);
        QVERIFY(proc.waitForStarted(30000));
        QVERIFY(finished.wait(60000));
        const QString err = QString::fromUtf8(proc.readAllStandardError()) + QString::fromUtf8(proc.readAllStandardOutput());
        QCOMPARE(proc.exitCode(), code);
        QVERIFY2(err.contains(words), qPrintable(err));
    }

    // `canary status` on the in-process Vercel as the default profile's (the token from $RAIZE_VERCEL_TOKEN).
    void cliStatusOnTheFake_data()
    {
        QTest::addColumn<bool>("active");
        QTest::addColumn<bool>("json");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("words");
        QTest::newRow("no canary") << false << false << 1 << u"Two axes (L3): deployment and flag axes"_s;
        QTest::newRow("no canary, json") << false << true << 1 << u"\"canary\": null"_s;
        QTest::newRow("active, nothing to count with") << true << false << 2 << u"Prometheus"_s;
    }
    void cliStatusOnTheFake()
    {
        QFETCH(bool, active);
        QFETCH(bool, json);
        QFETCH(int, code);
        QFETCH(QString, words);
        QFile bundle(m_dir.filePath(u"cli-policy.json"_s));
        QVERIFY(bundle.open(QIODevice::WriteOnly));
        bundle.write(kTwoAxes);
        bundle.close();
        Settings settings;
        settings.setValue(SettingKey::VercelBaseUrl, m_vercelServer->baseUrl());
        settings.setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        settings.setValue(SettingKey::NetTimeoutMs, 3000);
        settings.setValue(SettingKey::PolicyBundlePath, bundle.fileName());
        QVERIFY(settings.sync());
        if (active) {
            auto p = open(false);
            std::optional<Result<Services::RollingRelease>> started;
            p->ws->clients()->rollingRelease->start(u"dpl_canary"_s, [&started](const Result<Services::RollingRelease> &rr) { started = rr; });
            QTRY_VERIFY(started.has_value());
            QVERIFY(started->ok());
        }
        QProcess proc;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RAIZE_VERCEL_TOKEN"_s, kVercelToken);
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/raize-canary-session"_s);
        proc.setProcessEnvironment(env);
        QSignalSpy finished(&proc, &QProcess::finished);
        QStringList args{u"canary"_s, u"status"_s};
        if (json)
            args << u"--json"_s;
        proc.start(RaizeTest::consoleBinary(), args);
        QVERIFY(proc.waitForStarted(30000));
        QVERIFY(finished.wait(60000)); // the event loop runs: the fake answers the child
        const QString out = QString::fromUtf8(proc.readAllStandardOutput()) + QString::fromUtf8(proc.readAllStandardError());
        QCOMPARE(proc.exitCode(), code);
        QVERIFY2(out.contains(words), qPrintable(out));
        QCOMPARE(calls(u"POST"_s, u"/rolling-release/start"_s), active ? 1 : 0); // status never starts anything
    }
};

QTEST_GUILESS_MAIN(TestCanarySession)
#include "tst_canary_session.moc"
