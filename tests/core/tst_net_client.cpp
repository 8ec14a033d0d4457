// The HTTP core's behaviour under the sandbox's faults, and the Vercel and
// GitHub clients against the stateful fakes.

#include "waitfor.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "net/jsonreader.h"
#include "services/github/githubclient.h"
#include "services/github/githubreleasepublisher.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::wait;
using RaizeTest::waitStatus;
using namespace Raize::Services;
using json = nlohmann::json;

namespace {

json vercelScenario()
{
    json deployments = json::array();
    for (int i = 0; i < 7; ++i)
        deployments.push_back({{"uid", "dpl_p" + std::to_string(i)}, {"target", "production"}, {"state", "READY"},
                               {"sha", std::string(40, char('a' + i))}, {"minutesAgo", 100 + i * 10}});
    deployments.push_back({{"uid", "dpl_stage"}, {"target", "staging"}, {"state", "READY"}, {"minutesAgo", 5}});
    return {{"project", {{"id", "prj_t"}, {"name", "web"}}}, {"production", "dpl_p0"}, {"deployments", deployments}};
}

QStringList g_log;
void captureLog(QtMsgType, const QMessageLogContext &, const QString &msg)
{
    g_log << msg;
}

} // namespace

class TestNetClient : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{3};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<VercelClient> m_vc;
    std::unique_ptr<GitHubClient> m_gh;

    void fault(const json &rule)
    {
        QString err;
        m_faults.add(*Sandbox::FaultRule::fromJson(rule, &err));
    }

    int count(const QString &pathPart, const QString &method = {}) const
    {
        int n = 0;
        for (const auto &e : m_log.entries()) {
            if (e.path.contains(pathPart) && (method.isEmpty() || e.method == method))
                ++n;
        }
        return n;
    }

private Q_SLOTS:
    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), u"vercel-token-abcdef"_s);
        m_vercel->load(vercelScenario());
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), u"ghp_testtokentesttokentesttoken"_s);
        QVERIFY(m_vercelServer->listen(0));
        QVERIFY(m_githubServer->listen(0));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::Vercel, u"vercel-token-abcdef"_s);
        m_http->setToken(Service::GitHub, u"ghp_testtokentesttokentesttoken"_s);
        m_http->setRetryPolicy({4, 50, 400, 120000});
        m_http->setGitHubMutationSpacing(0);
        m_vc = std::make_unique<VercelClient>(*m_http, QUrl(m_vercelServer->baseUrl()), u"prj_t"_s);
        m_vc->setReadBackSettle(200);
        m_gh = std::make_unique<GitHubClient>(*m_http, QUrl(m_githubServer->baseUrl()), u"raize"_s, u"platform"_s);
    }

    void cleanup()
    {
        m_vc.reset();
        m_gh.reset();
        m_http.reset();
        m_vercel.reset();
        m_github.reset();
        m_vercelServer.reset();
        m_githubServer.reset();
    }

    void vercelReads()
    {
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QCOMPARE(p->production->id, u"dpl_p0"_s);
        QVERIFY(!p->pinned);
        // 7 production deployments through 3 pages of at most... the client asks for the rest each time.
        const auto all = wait<QList<VercelDeployment>>([&](auto cb) { m_vc->deployments(u"production"_s, 100, cb); });
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 7);
        QCOMPARE(all->first().id, u"dpl_p0"_s);
        const auto d = wait<VercelDeployment>([&](auto cb) { m_vc->deployment(u"dpl_stage"_s, cb); });
        QCOMPARE(d->target, u"staging"_s);
        QCOMPARE(d->state, u"READY"_s);
        // The budget reaches the status bar's monitor.
        QVERIFY(m_monitor->status(Service::Vercel).budgetLimit > 0);
        QCOMPARE(m_monitor->status(Service::Vercel).state, ServiceStatus::State::Connected);
    }

    void paginationFollowsNext()
    {
        m_http->setRetryPolicy({1, 10, 10, 1000});
        // limit 3 per page: the fake pages with pagination.next → until.
        const auto some = wait<QList<VercelDeployment>>([&](auto cb) { m_vc->deployments(u"production"_s, 3, cb); });
        QCOMPARE(some->size(), 3);
        QCOMPARE(count(u"/v6/deployments"_s), 1);
    }

    void serverErrorsAreRetriedWithBackoff()
    {
        fault({{"mode", "error"}, {"status", 502}, {"count", 2}, {"path", "/v9/"}});
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QCOMPARE(count(u"/v9/projects"_s), 3);
    }

    void retryBudgetRunsOut()
    {
        fault({{"mode", "error"}, {"status", 500}, {"path", "/v9/"}});
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY(!p.ok());
        QCOMPARE(p.error().kind, Error::Kind::Http);
        QCOMPARE(p.error().httpStatus, 500);
        QCOMPARE(p.error().service, u"vercel"_s);
        QVERIFY(p.error().message.contains(u"injected error"_s)); // the service's own message
        QVERIFY(p.error().requestId.startsWith(u"sandbox-"_s));
        QCOMPARE(count(u"/v9/projects"_s), 4);
        QCOMPARE(m_monitor->status(Service::Vercel).state, ServiceStatus::State::Down);
    }

    void retryAfterIsWaitedOut()
    {
        fault({{"mode", "rate_limit"}, {"retryAfter", 2}, {"count", 1}, {"path", "/v9/"}});
        QElapsedTimer t;
        t.start();
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        const qint64 ms = t.elapsed();
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QVERIFY2(ms >= 1800 && ms <= 2400, qPrintable(QString::number(ms))); // 2 s ± 10 % (plus the request)
        qInfo("Retry-After: 2 waited out in %lld ms", ms);
    }

    void timeoutIsATypedErrorWithinTheBound()
    {
        m_http->setRetryPolicy({1, 10, 10, 1000});
        m_http->setDefaultTimeout(600);
        fault({{"mode", "latency"}, {"latencyMs", 5000}, {"path", "/v9/"}});
        QElapsedTimer t;
        t.start();
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY(!p.ok());
        QCOMPARE(p.error().kind, Error::Kind::Timeout);
        QVERIFY2(t.elapsed() < 1200, qPrintable(QString::number(t.elapsed())));
        QVERIFY(p.error().message.contains(u"600 ms"_s));
    }

    void rollbackAfterResetIsReadBackNotResent()
    {
        // The change happens, the connection drops: the client must look, not resend.
        fault({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}});
        const Status s = waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_p2"_s, u"P0 wrong account"_s, cb); });
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_p2"_s);
        QVERIFY(m_vercel->productionPinned());
        QCOMPARE(count(u"/rollback/"_s, u"POST"_s), 1); // at most one rollback call
        QVERIFY(count(u"/v9/projects"_s) >= 1);          // the read-back
    }

    void rollbackNotAppliedIsRetriedAfterLooking()
    {
        fault({{"mode", "reset"}, {"method", "POST"}, {"count", 1}});
        const Status s = waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_p3"_s, {}, cb); });
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_p3"_s);
        // One dropped, one applied; the read-back (a look, and a second look after it settles) came between them.
        const auto entries = m_log.entries();
        QStringList sequence;
        for (const auto &e : entries)
            sequence << e.method + u' ' + (e.path.contains(u"/rollback/"_s) ? u"rollback"_s : u"read"_s);
        QCOMPARE(sequence, (QStringList{u"POST rollback"_s, u"GET read"_s, u"GET read"_s, u"POST rollback"_s}));
    }

    void mutationIsNotRetriedOnServerError()
    {
        fault({{"mode", "error"}, {"status", 500}, {"method", "POST"}, {"count", 1}});
        const Status s = waitStatus([&](auto cb) { m_vc->promote(u"dpl_stage"_s, cb); });
        QVERIFY(!s.ok());
        QCOMPARE(s.error().httpStatus, 500);
        QCOMPARE(count(u"/promote/"_s, u"POST"_s), 1);
    }

    void promotionUnpins()
    {
        QVERIFY(waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_p1"_s, {}, cb); }).ok());
        auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY(p->pinned);
        QCOMPARE(p->rollbackTo, u"dpl_p1"_s);
        QVERIFY(waitStatus([&](auto cb) { m_vc->promote(u"dpl_stage"_s, cb); }).ok());
        p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY(!p->pinned);
        QCOMPARE(p->production->id, u"dpl_stage"_s);
        // Promoting something that is not READY is the service's 409, typed.
        m_vercel->addDeployment({{"uid", "dpl_building"}, {"target", "staging"}, {"state", "BUILDING"}});
        const Status refused = waitStatus([&](auto cb) { m_vc->promote(u"dpl_building"_s, cb); });
        QCOMPARE(refused.error().kind, Error::Kind::Conflict);
        QCOMPARE(refused.error().serviceCode, u"deployment_not_ready"_s);
    }

    void malformedAnswersNameTheField_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expectedPath");
        QTest::newRow("malformed") << u"malformed_json"_s << QString() << QString();
        QTest::newRow("truncated") << u"truncated_json"_s << QString() << QString();
        QTest::newRow("html") << u"wrong_content_type"_s << QString() << QString();
        QTest::newRow("missing id") << u"schema_break"_s << u"id"_s << u"id"_s;
        QTest::newRow("missing name") << u"schema_break"_s << u"name"_s << u"name"_s;
    }

    void malformedAnswersNameTheField()
    {
        QFETCH(QString, mode);
        QFETCH(QString, field);
        QFETCH(QString, expectedPath);
        fault({{"mode", mode.toStdString()}, {"field", field.toStdString()}, {"path", "/v9/"}});
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY(!p.ok());
        QCOMPARE(p.error().kind, Error::Kind::Parse);
        QCOMPARE(p.error().service, u"vercel"_s);
        if (!expectedPath.isEmpty())
            QCOMPARE(p.error().fieldPath, expectedPath);
        QVERIFY(!p.error().remedy.isEmpty());
    }

    // Every Prometheus answer shape, and what a broken one becomes.
    void prometheusParserTable_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("fieldPath");
        QTest::newRow("vector") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"cohort":"house"},"value":[1795600000.5,"0.08"]}]}})") << true << QString();
        QTest::newRow("matrix NaN Inf") << QByteArray(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"NaN"],[2,"+Inf"],[3,"1e-3"]]}]}})") << true << QString();
        QTest::newRow("scalar") << QByteArray(R"({"status":"success","data":{"resultType":"scalar","result":[1,"0.25"]}})") << true << QString();
        QTest::newRow("string") << QByteArray(R"({"status":"success","data":{"resultType":"string","result":[1,"hello"]}})") << true << QString();
        QTest::newRow("warnings") << QByteArray(R"({"status":"success","warnings":["partial"],"data":{"resultType":"vector","result":[]}})") << true << QString();
        QTest::newRow("no status") << QByteArray(R"({"data":{"resultType":"vector","result":[]}})") << false << u"status"_s;
        QTest::newRow("error status") << QByteArray(R"({"status":"error","data":{}})") << false << QString();
        QTest::newRow("no data") << QByteArray(R"({"status":"success"})") << false << u"data.resultType"_s;
        QTest::newRow("result not array") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":{}}})") << false << u"data.result"_s;
        QTest::newRow("value not pair") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}})") << false << u"data.result[0].value"_s;
        QTest::newRow("value not text") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,0.5]}]}})") << false << u"data.result[0].value[1]"_s;
        QTest::newRow("value not number") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}})") << false << u"data.result[0].value"_s;
        QTest::newRow("time not number") << QByteArray(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[["x","1"]]}]}})") << false << u"data.result[0].values[0][0]"_s;
        QTest::newRow("unknown type") << QByteArray(R"({"status":"success","data":{"resultType":"histogram","result":[]}})") << false << QString();
        QTest::newRow("truncated") << QByteArray("{\"status\":\"success\",\"data\":{\"resultType\":\"vec") << false << QString(); // not a raw string: moc miscounts braces in one
        QTest::newRow("empty") << QByteArray() << false << QString();
        QTest::newRow("array root") << QByteArray("[]") << false << u"status"_s;
    }

    void prometheusParserTable()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QFETCH(QString, fieldPath);
        const auto r = Services::PrometheusClient::parse(body);
        QCOMPARE(r.ok(), ok);
        if (!ok) {
            QCOMPARE(r.error().kind, Error::Kind::Parse);
            QCOMPARE(r.error().service, u"prometheus"_s);
            if (!fieldPath.isEmpty())
                QCOMPARE(r.error().fieldPath, fieldPath);
        }
    }

    void jsonReaderPaths()
    {
        Net::JsonReader r(u"vercel"_s, R"({"deployments":[{"uid":"a","created":1},{"uid":7}]})");
        const auto items = r.root()["deployments"];
        QCOMPARE(items.size(), std::size_t(2));
        QCOMPARE(items.at(0)["uid"].str(), u"a"_s);
        items.at(1)["uid"].str();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().fieldPath, u"deployments[1].uid"_s);
        QVERIFY(r.error().message.contains(u"expected text, found number"_s));
        Net::JsonReader huge(u"github"_s, QByteArray(2048, ' '), 1024);
        QVERIFY(!huge.ok());
        Net::JsonReader deep(u"github"_s, QByteArray(100000, '[') + QByteArray(100000, ']'));
        QVERIFY(!deep.ok());
        QVERIFY2(deep.error().message.contains(u"nested deeper"_s), qPrintable(deep.error().message));
        Net::JsonReader empty(u"github"_s, QByteArray());
        QVERIFY(empty.error().message.contains(u"empty"_s));
    }

    void authErrorsSayWhatToDo()
    {
        m_http->setToken(Service::Vercel, u"wrong-token-123456"_s);
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QCOMPARE(p.error().kind, Error::Kind::Auth);
        QCOMPARE(p.error().httpStatus, 403);
        QVERIFY(p.error().remedy.contains(u"permission"_s));
        QCOMPARE(m_monitor->status(Service::Vercel).state, ServiceStatus::State::AuthFailed);
    }

    void etagMakesPollingFree()
    {
        const int before = m_github->remaining();
        QVERIFY(wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); }).ok());
        QVERIFY(wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); }).ok());
        QVERIFY(wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); }).ok());
        QCOMPARE(m_github->remaining(), before - 1); // the 304s cost nothing
        int notModified = 0;
        for (const auto &e : m_log.entries())
            notModified += e.status == 304 ? 1 : 0;
        QCOMPARE(notModified, 2);
    }

    void releaseDraftThroughThePublisher()
    {
        Records::ReleaseNotes notes{u"v1.4.0"_s, u"v1.4.0 — Canary for house accounts"_s, u"**Title:** v1.4.0\n"_s, u"L3"_s};
        GitHubReleasePublisher publisher(*m_gh);
        const auto url = publisher.createDraft(notes);
        QVERIFY2(url.ok(), qPrintable(url.error().toString()));
        QVERIFY(url->contains(u"/releases/untagged-"_s));
        const json state = m_github->state();
        QCOMPARE(state["releases"].size(), std::size_t(1));
        QVERIFY(state["releases"][0]["draft"] == true);
        QVERIFY(state["releases"][0]["tag_name"] == "v1.4.0");
        // A lost answer: the release exists, so the client reads it back instead of creating a second one.
        fault({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}, {"service", "github"}});
        Records::ReleaseNotes second{u"v1.5.0"_s, u"v1.5.0"_s, u"x"_s, u"L1"_s};
        QVERIFY(publisher.createDraft(second).ok());
        QCOMPARE(m_github->state()["releases"].size(), std::size_t(2));
        QCOMPARE(count(u"/releases"_s, u"POST"_s), 2);
    }

    // GitHub's best practice: requests serial per token, mutations at least 1 s apart.
    void githubMutationsAreSerialAndSpaced()
    {
        m_http->setGitHubMutationSpacing(1000);
        int done = 0;
        for (int i = 0; i < 20; ++i) {
            m_gh->createRelease(u"v9.%1.0"_s.arg(i), u"r"_s, u"b"_s, true, [&](const Result<GitHubRelease> &r) {
                QVERIFY(r.ok());
                ++done;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, 20, 40000);
        QList<qint64> starts;
        for (const auto &e : m_log.entries()) {
            if (e.method == u"POST"_s && e.path.endsWith(u"/releases"_s))
                starts << e.monotonicMs;
        }
        QCOMPARE(starts.size(), 20);
        for (int i = 1; i < starts.size(); ++i)
            QVERIFY2(starts[i] - starts[i - 1] >= 995, qPrintable(u"calls %1 and %2 were %3 ms apart"_s.arg(i - 1).arg(i).arg(starts[i] - starts[i - 1])));
    }

    void noTokenInAnyLogLine()
    {
        g_log.clear();
        QLoggingCategory::setFilterRules(u"raize.*.debug=true"_s);
        const QtMessageHandler old = qInstallMessageHandler(captureLog);
        fault({{"mode", "error"}, {"status", 500}, {"count", 1}});
        wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); });
        m_http->setToken(Service::Vercel, u"wrong-token-123456"_s);
        const auto bad = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        qInstallMessageHandler(old);
        QLoggingCategory::setFilterRules(QString());
        QVERIFY2(g_log.size() >= 3, "control: the client logged its requests");
        const QString all = g_log.join(u'\n') + bad.error().toString();
        for (const QString &secret : {u"vercel-token-abcdef"_s, u"ghp_testtokentesttokentesttoken"_s, u"wrong-token-123456"_s})
            QVERIFY2(!all.contains(secret), qPrintable(secret));
    }
};

QTEST_GUILESS_MAIN(TestNetClient)
#include "tst_net_client.moc"
