// The HTTP core's behaviour under the sandbox's faults, and the Vercel and
// GitHub clients against the stateful fakes.

#include "waitfor.h"

#include "core/clock.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "net/jsonreader.h"
#include "net/ratelimit.h"
#include "net/serviceerror.h"
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
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::wait;
using RaizeTest::waitStatus;
using namespace Raize::Services;
using json = nlohmann::json;

Q_DECLARE_METATYPE(Raize::Service)
Q_DECLARE_METATYPE(Raize::Error::Kind)

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

// The fixed "now" of the rate-limit tables: Sunday 6 December 2026, 08:00:00 UTC.
const QDateTime kNow(QDate(2026, 12, 6), QTime(8, 0), Qt::UTC);

// "name: value" lines → lower-case header map, as Response keeps them.
QHash<QByteArray, QByteArray> headersOf(const QStringList &lines)
{
    QHash<QByteArray, QByteArray> out;
    for (const QString &l : lines)
        out.insert(l.section(u':', 0, 0).trimmed().toLower().toLatin1(), l.section(u':', 1).trimmed().toLatin1());
    return out;
}

QString kindName(Net::RateLimitKind k)
{
    switch (k) {
    case Net::RateLimitKind::None:
        return u"none"_s;
    case Net::RateLimitKind::Primary:
        return u"primary"_s;
    case Net::RateLimitKind::Secondary:
        return u"secondary"_s;
    }
    return {};
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
        QVERIFY2(p.error().requestId.startsWith(u"sbx1::sbx1::sandbox-"_s), qPrintable(p.error().requestId)); // x-vercel-id
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

    // --- Issue #18, item 4: HTTP answers as services really send them -------------------------

    // RFC 9110 §5.6.7: the three forms of an HTTP-date, and what is not one.
    void httpDates_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QDateTime>("expected"); // invalid: not a date
        const QDateTime rfcExample(QDate(1994, 11, 6), QTime(8, 49, 37), Qt::UTC);
        QTest::newRow("IMF-fixdate") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << rfcExample;
        QTest::newRow("RFC 850") << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << rfcExample;
        QTest::newRow("asctime") << QByteArray("Sun Nov  6 08:49:37 1994") << rfcExample;
        QTest::newRow("asctime two-digit day") << QByteArray("Sun Dec 13 08:49:37 2026")
                                               << QDateTime(QDate(2026, 12, 13), QTime(8, 49, 37), Qt::UTC);
        QTest::newRow("RFC 850 year this century") << QByteArray("Sunday, 06-Dec-26 08:01:00 GMT")
                                                   << QDateTime(QDate(2026, 12, 6), QTime(8, 1), Qt::UTC);
        QTest::newRow("RFC 850 year 50+ ahead is last century") << QByteArray("Friday, 01-Jan-99 00:00:00 GMT")
                                                                << QDateTime(QDate(1999, 1, 1), QTime(0, 0), Qt::UTC);
        QTest::newRow("not GMT") << QByteArray("Sun, 06 Nov 1994 08:49:37 UTC") << QDateTime();
        QTest::newRow("no such day") << QByteArray("Sun, 31 Feb 2026 08:00:00 GMT") << QDateTime();
        QTest::newRow("no such month") << QByteArray("Sun, 06 Foo 1994 08:49:37 GMT") << QDateTime();
        QTest::newRow("hour 25") << QByteArray("Sun, 06 Nov 1994 25:49:37 GMT") << QDateTime();
        QTest::newRow("ISO 8601") << QByteArray("2026-12-06T08:00:00Z") << QDateTime();
        QTest::newRow("empty") << QByteArray() << QDateTime();
    }

    void httpDates()
    {
        QFETCH(QByteArray, text);
        QFETCH(QDateTime, expected);
        const QDateTime got = Net::parseHttpDate(text, kNow);
        QCOMPARE(got.isValid(), expected.isValid());
        if (expected.isValid())
            QCOMPARE(got, expected);
    }

    // Retry-After: delay-seconds or an HTTP-date; a past date is 0; garbage is "not given" (the caller's default).
    void retryAfter_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("ms"); // -1: not readable
        QTest::newRow("seconds") << QByteArray("120") << qint64(120000);
        QTest::newRow("zero") << QByteArray("0") << qint64(0);
        QTest::newRow("padded") << QByteArray(" 5 ") << qint64(5000);
        QTest::newRow("IMF-fixdate ahead") << QByteArray("Sun, 06 Dec 2026 08:01:30 GMT") << qint64(90000);
        QTest::newRow("RFC 850 ahead") << QByteArray("Sunday, 06-Dec-26 08:00:45 GMT") << qint64(45000);
        QTest::newRow("asctime ahead") << QByteArray("Sun Dec  6 08:02:00 2026") << qint64(120000);
        QTest::newRow("IMF-fixdate past") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << qint64(0);
        QTest::newRow("RFC 850 past") << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << qint64(0);
        QTest::newRow("asctime past") << QByteArray("Sun Nov  6 08:49:37 1994") << qint64(0);
        QTest::newRow("a second ago") << QByteArray("Sun, 06 Dec 2026 07:59:59 GMT") << qint64(0);
        QTest::newRow("huge is a day") << QByteArray("99999999999999999999") << qint64(86400000);
        QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
        QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
        QTest::newRow("fraction") << QByteArray("1.5") << qint64(-1);
        QTest::newRow("empty") << QByteArray() << qint64(-1);
    }

    void retryAfter()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, ms);
        const std::optional<qint64> got = Net::parseRetryAfter(value, kNow);
        QCOMPARE(got.value_or(-1), ms);
    }

    // Which limit an answer is, and how long it asks us to wait (GitHub's "Rate limits for the REST API").
    void rateLimits_data()
    {
        QTest::addColumn<Service>("service");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QStringList>("headers");
        QTest::addColumn<int>("hits"); // secondary limits this request met, this one included
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("waitMs");
        QTest::addColumn<Error::Kind>("errorKind");
        const QByteArray secondary = "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits\"}";
        const QByteArray abuse = "{\"message\":\"You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.\",\"documentation_url\":\"https://developer.github.com/v3/#abuse-rate-limits\"}";
        const QByteArray primary = "{\"message\":\"API rate limit exceeded for user ID 4242.\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}";
        const QString reset = u"x-ratelimit-reset: %1"_s.arg(kNow.toSecsSinceEpoch() + 30);
        const auto row = [](const char *name, Service s, int status, const QByteArray &body, const QStringList &h, int hits, const char *kind,
                            qint64 ms, Error::Kind ek) { QTest::newRow(name) << s << status << body << h << hits << QString::fromLatin1(kind) << ms << ek; };
        using K = Error::Kind;
        const Service gh = Service::GitHub, vc = Service::Vercel;
        row("primary 403: until the reset", gh, 403, primary, {u"x-ratelimit-remaining: 0"_s, reset}, 0, "primary", 31000, K::RateLimited);
        row("primary 429: until the reset", gh, 429, primary, {u"x-ratelimit-remaining: 0"_s, reset}, 0, "primary", 31000, K::RateLimited);
        row("primary reset passed: a second", gh, 403, primary, {u"x-ratelimit-remaining: 0"_s, u"x-ratelimit-reset: 1000"_s}, 0, "primary",
            1000, K::RateLimited);
        row("secondary 403, Retry-After seconds", gh, 403, secondary, {u"retry-after: 30"_s}, 1, "secondary", 30000, K::RateLimited);
        row("secondary 429, Retry-After IMF-fixdate", gh, 429, secondary, {u"retry-after: Sun, 06 Dec 2026 08:00:45 GMT"_s}, 1, "secondary",
            45000, K::RateLimited);
        row("secondary, Retry-After RFC 850", gh, 403, secondary, {u"retry-after: Sunday, 06-Dec-26 08:00:20 GMT"_s}, 1, "secondary", 20000,
            K::RateLimited);
        row("secondary, Retry-After asctime", gh, 403, secondary, {u"retry-after: Sun Dec  6 08:00:10 2026"_s}, 1, "secondary", 10000,
            K::RateLimited);
        row("secondary, Retry-After in the past", gh, 403, secondary, {u"retry-after: Sun, 06 Nov 1994 08:49:37 GMT"_s}, 1, "secondary", 0,
            K::RateLimited);
        row("secondary, Retry-After garbage: the minute", gh, 403, secondary, {u"retry-after: later"_s}, 1, "secondary", 60000, K::RateLimited);
        row("secondary without Retry-After: the minute", gh, 403, secondary, {}, 1, "secondary", 60000, K::RateLimited);
        row("secondary again: two minutes", gh, 403, secondary, {}, 2, "secondary", 120000, K::RateLimited);
        row("secondary a third time: four minutes", gh, 429, secondary, {}, 3, "secondary", 240000, K::RateLimited);
        row("secondary with the budget also at 0: still the minute", gh, 403, secondary,
            {u"x-ratelimit-remaining: 0"_s, reset}, 1, "secondary", 60000, K::RateLimited);
        row("abuse detection, older wording", gh, 403, abuse, {}, 1, "secondary", 60000, K::RateLimited);
        row("abuse detection with Retry-After", gh, 403, abuse, {u"retry-after: 7"_s}, 1, "secondary", 7000, K::RateLimited);
        row("403 with only a Retry-After", gh, 403, "{\"message\":\"Forbidden\"}", {u"retry-after: 10"_s}, 1, "secondary", 10000,
            K::RateLimited);
        row("429 with nothing else: the minute", gh, 429, "{\"message\":\"Too Many Requests\"}", {}, 1, "secondary", 60000, K::RateLimited);
        row("permission 403 is not a limit", gh, 403, "{\"message\":\"Resource not accessible by personal access token\"}",
            {u"x-ratelimit-remaining: 4990"_s}, 0, "none", -1, K::Auth);
        row("bad token 401 is not a limit", gh, 401, "{\"message\":\"Bad credentials\"}", {}, 0, "none", -1, K::Auth);
        row("Vercel 429, Retry-After", vc, 429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"Rate limit exceeded\"}}", {u"retry-after: 5"_s},
            1, "secondary", 5000, K::RateLimited);
        row("Vercel 429, reset only", vc, 429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"Rate limit exceeded\"}}",
            {u"x-ratelimit-remaining: 0"_s, reset}, 0, "primary", 31000, K::RateLimited);
        row("Vercel 403 forbidden", vc, 403, "{\"error\":{\"code\":\"forbidden\",\"message\":\"Not authorized\"}}", {}, 0, "none", -1, K::Auth);
    }

    void rateLimits()
    {
        QFETCH(Service, service);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QStringList, headers);
        QFETCH(int, hits);
        QFETCH(QString, kind);
        QFETCH(qint64, waitMs);
        QFETCH(Error::Kind, errorKind);
        const auto h = headersOf(headers);
        const Error e = Net::errorFromResponse(service, status, body, h, {});
        QCOMPARE(Error::kindName(e.kind), Error::kindName(errorKind));
        const Net::RateLimitKind k = Net::rateLimitKind(service, status, e.message, e.serviceCode, h);
        QCOMPARE(kindName(k), kind);
        if (k == Net::RateLimitKind::None)
            return;
        const Net::RateLimitWait w = Net::rateLimitWait(service, k, h, hits, {60000, 1000}, kNow);
        QCOMPARE(w.waitMs, waitMs);
        QCOMPARE(w.until, kNow.addMSecs(waitMs));
        const QString said = w.describe(service);
        QVERIFY2(said.startsWith(u"%1 asks us to wait until %2 UTC ("_s.arg(serviceDisplayName(service), kNow.addMSecs(waitMs).toString(u"HH:mm:ss"_s))),
                 qPrintable(said));
        if (service == Service::GitHub)
            QVERIFY2(said.contains(k == Net::RateLimitKind::Secondary ? u"(secondary rate limit"_s : u"(rate limit budget used up"_s), qPrintable(said));
    }

    // What the operator reads: every detail the service gave, once.
    void serviceErrors_data()
    {
        QTest::addColumn<Service>("service");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("remedy"); // must contain
        const Service gh = Service::GitHub, vc = Service::Vercel, fl = Service::Flags;
        QTest::newRow("GitHub 422 errors[]")
            << gh << 422
            << QByteArray("{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"Issue\",\"field\":\"title\",\"code\":\"missing_field\"},{\"resource\":\"Label\",\"field\":\"name\",\"code\":\"already_exists\"},{\"resource\":\"Release\",\"code\":\"custom\",\"field\":\"tag_name\",\"message\":\"tag_name is not a valid tag\"},{\"message\":\"Only one deployment may be pending\"},{\"code\":\"invalid\"}],\"documentation_url\":\"https://docs.github.com/rest/issues/issues#create-an-issue\"}")
            << u"Validation Failed: Issue.title: missing_field; Label.name: already_exists; Release.tag_name: tag_name is not a valid tag; "
               u"Only one deployment may be pending; invalid"_s
            << QString() << u"correct the fields named above (see https://docs.github.com/rest/issues/issues#create-an-issue)"_s;
        QTest::newRow("GitHub 422 errors as text") << gh << 422
                                                  << QByteArray("{\"message\":\"Validation Failed\",\"errors\":[\"Could not resolve to a node\"]}")
                                                  << u"Validation Failed: Could not resolve to a node"_s << QString() << u"correct the fields"_s;
        json manyErrors = {{"message", "Validation Failed"}, {"errors", json::array()}};
        for (int i = 0; i < 25; ++i)
            manyErrors["errors"].push_back({{"resource", "Check"}, {"field", "f" + std::to_string(i)}, {"code", "invalid"}});
        const QByteArray many = QByteArray::fromStdString(manyErrors.dump());
        QTest::newRow("GitHub 422, 25 errors: 20 and a count") << gh << 422 << many
                                                                << u"Validation Failed: Check.f0: invalid; Check.f1: invalid; Check.f2: invalid; Check.f3: invalid; Check.f4: invalid; Check.f5: invalid; Check.f6: invalid; Check.f7: invalid; Check.f8: invalid; Check.f9: invalid; Check.f10: invalid; Check.f11: invalid; Check.f12: invalid; Check.f13: invalid; Check.f14: invalid; Check.f15: invalid; Check.f16: invalid; Check.f17: invalid; Check.f18: invalid; Check.f19: invalid; and 5 more"_s
                                                                << QString() << u"correct the fields"_s;
        QTest::newRow("GitHub 404 documentation") << gh << 404
                                                  << QByteArray("{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest/repos/repos#get-a-repository\"}")
                                                  << u"Not Found"_s << QString() << u"see https://docs.github.com/rest/repos/repos#get-a-repository"_s;
        QTest::newRow("GitHub not JSON") << gh << 502 << QByteArray("<html>Bad gateway</html>") << u"HTTP 502 with a body that is not JSON"_s
                                         << QString() << u"try again shortly"_s;
        QTest::newRow("Vercel error envelope") << vc << 400 << QByteArray("{\"error\":{\"code\":\"bad_request\",\"message\":\"Invalid request: `target` should be one of production, staging\"}}")
                                               << u"Invalid request: `target` should be one of production, staging"_s << u"bad_request"_s
                                               << u"check the request's settings"_s;
        QTest::newRow("Vercel err envelope") << vc << 404 << QByteArray("{\"err\":{\"code\":\"not_found\",\"message\":\"Project not found\"}}")
                                             << u"Project not found"_s << u"not_found"_s << u"check the request's settings"_s;
        QTest::newRow("Vercel err text") << vc << 400 << QByteArray("{\"err\":\"Deployment is not ready\"}") << u"Deployment is not ready"_s
                                         << QString() << u"check the request's settings"_s;
        QTest::newRow("Vercel bare object") << vc << 403 << QByteArray("{\"code\":\"forbidden\",\"message\":\"Not authorized\",\"invalidToken\":true}")
                                            << u"Not authorized"_s << u"forbidden"_s << u"lacks a permission"_s;
        QTest::newRow("Vercel error text") << vc << 500 << QByteArray("{\"error\":\"Internal error\"}") << u"Internal error"_s << QString()
                                           << u"try again shortly"_s;
        QTest::newRow("Vercel envelope with a link") << vc << 402 << QByteArray("{\"error\":{\"code\":\"payment_required\",\"message\":\"Upgrade to Pro\",\"link\":\"https://vercel.com/pricing\"}}")
                                                     << u"Upgrade to Pro"_s << u"payment_required"_s << u"see https://vercel.com/pricing"_s;
        QTest::newRow("Unleash repeats its message") << fl << 404
                                                     << QByteArray("{\"id\":\"e1\",\"name\":\"NotFoundError\",\"message\":\"Could not find feature publishing.x\",\"details\":[{\"message\":\"Could not find feature publishing.x\"}]}")
                                                     << u"Could not find feature publishing.x"_s << u"NotFoundError"_s << u"check the request's settings"_s;
        QTest::newRow("Unleash details say more") << fl << 400
                                                  << QByteArray("{\"id\":\"e2\",\"name\":\"BadDataError\",\"message\":\"Request validation failed\",\"details\":[{\"message\":\"Request validation failed\"},{\"description\":\"strategies[0].parameters.rollout must be a string\"},{\"message\":\"name is required\"}]}")
                                                  << u"Request validation failed (strategies[0].parameters.rollout must be a string; name is required)"_s
                                                  << u"BadDataError"_s << u"check the request's settings"_s;
        QTest::newRow("LaunchDarkly") << fl << 409 << QByteArray("{\"code\":\"optimistic_locking_error\",\"message\":\"Conflict: the flag changed\"}")
                                      << u"Conflict: the flag changed"_s << u"optimistic_locking_error"_s << u"reload and review"_s;
        QTest::newRow("Prometheus") << Service::Prometheus << 400
                                    << QByteArray("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\"\"}")
                                    << u"invalid parameter \"query\""_s << u"bad_data"_s << u"check the request's settings"_s;
    }

    void serviceErrors()
    {
        QFETCH(Service, service);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        QFETCH(QString, code);
        QFETCH(QString, remedy);
        const Error e = Net::errorFromResponse(service, status, body, {}, u"req-1"_s);
        QCOMPARE(e.message, message);
        QCOMPARE(e.serviceCode, code);
        QVERIFY2(e.remedy.contains(remedy), qPrintable(e.remedy));
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(e.service, serviceId(service));
        QVERIFY(e.toString().contains(message)); // what the operator's line shows
    }

    // Without Retry-After, a secondary limit waits GitHub's minute (shortened here), and says so while waiting.
    void githubSecondaryLimitWithoutRetryAfterWaits()
    {
        m_http->setRetryPolicy({4, 50, 400, 120000, 700});
        fault({{"mode", "rate_limit"}, {"secondary", true}, {"retryAfter", nullptr}, {"count", 1}, {"service", "github"}});
        QStringList said;
        QString monitorDetail;
        connect(m_http.get(), &Net::HttpClient::waitingForRateLimit, this,
                [&](Service s, const QDateTime &, const QString &message, bool retrying) {
                    QCOMPARE(s, Service::GitHub);
                    QVERIFY(retrying);
                    said << message;
                    monitorDetail = m_monitor->status(Service::GitHub).detail;
                });
        QElapsedTimer t;
        t.start();
        const auto r = wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); });
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QVERIFY2(t.elapsed() >= 650, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(said.size(), 1);
        QVERIFY2(said.first().startsWith(u"GitHub asks us to wait until "_s), qPrintable(said.first()));
        QVERIFY2(said.first().contains(u"(secondary rate limit; no Retry-After"_s), qPrintable(said.first()));
        QVERIFY2(monitorDetail.contains(said.first()), qPrintable(monitorDetail)); // the status bar shows the wait
        QCOMPARE(count(u"/releases"_s), 2);
        QCOMPARE(m_monitor->status(Service::GitHub).state, ServiceStatus::State::Connected);
    }

    // GitHub's older wording is a rate limit too, never "the token is wrong"; a wait beyond the policy is reported with its time.
    void abuseDetectionIsARateLimitNotABadToken_data()
    {
        QTest::addColumn<QString>("wording");
        QTest::addColumn<int>("status");
        QTest::newRow("abuse detection 403") << u"abuse"_s << 403;
        QTest::newRow("secondary 403") << u"secondary"_s << 403;
        QTest::newRow("secondary 429") << u"secondary"_s << 429;
    }

    void abuseDetectionIsARateLimitNotABadToken()
    {
        QFETCH(QString, wording);
        QFETCH(int, status);
        ManualClock clock(kNow);
        m_http->setClock(clock);
        fault({{"mode", "rate_limit"}, {"secondary", true}, {"wording", wording.toStdString()}, {"status", status}, {"retryAfter", 600},
               {"service", "github"}});
        QElapsedTimer t;
        t.start();
        const auto r = wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); });
        QVERIFY(t.elapsed() < 5000); // reported, not slept
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, Error::Kind::RateLimited);
        QCOMPARE(r.error().httpStatus, status);
        QVERIFY2(r.error().remedy.contains(u"GitHub asks us to wait until 08:10:00 UTC (secondary rate limit; Retry-After)"_s),
                 qPrintable(r.error().remedy));
        QCOMPARE(m_monitor->status(Service::GitHub).state, ServiceStatus::State::RateLimited);
        QCOMPARE(count(u"/releases"_s), 1);
    }

    // Retry-After as an HTTP date, read against the client's clock.
    void retryAfterHttpDate_data()
    {
        QTest::addColumn<QString>("retryAfter");
        QTest::addColumn<int>("minMs");
        QTest::addColumn<int>("maxMs");
        QTest::newRow("IMF-fixdate, a second ahead") << u"Sun, 06 Dec 2026 08:00:01 GMT"_s << 900 << 3000;
        QTest::newRow("asctime, a second ahead") << u"Sun Dec  6 08:00:01 2026"_s << 900 << 3000;
        QTest::newRow("RFC 850, in the past: at once") << u"Sunday, 06-Nov-94 08:49:37 GMT"_s << 0 << 800;
    }

    void retryAfterHttpDate()
    {
        QFETCH(QString, retryAfter);
        QFETCH(int, minMs);
        QFETCH(int, maxMs);
        ManualClock clock(kNow);
        m_http->setClock(clock);
        fault({{"mode", "rate_limit"}, {"retryAfter", retryAfter.toStdString()}, {"count", 1}, {"path", "/v9/"}});
        QElapsedTimer t;
        t.start();
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QVERIFY2(t.elapsed() >= minMs && t.elapsed() <= maxMs, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(count(u"/v9/projects"_s), 2);
    }

    // A GitHub request waiting out a limit holds GitHub's queue only: Vercel (and the flag service) go on.
    void aGitHubWaitDoesNotHoldUpOtherServices()
    {
        fault({{"mode", "rate_limit"}, {"secondary", true}, {"retryAfter", 3}, {"count", 1}, {"service", "github"}});
        bool githubDone = false, secondGithubDone = false;
        m_gh->releases([&](const Result<QList<GitHubRelease>> &r) {
            QVERIFY(r.ok());
            githubDone = true;
        });
        m_gh->releases([&](const Result<QList<GitHubRelease>> &) { secondGithubDone = true; });
        QTRY_COMPARE(count(u"/releases"_s), 1); // the limited answer is in; GitHub now waits
        QElapsedTimer t;
        t.start();
        const auto p = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        const Status rolledBack = waitStatus([&](auto cb) { m_vc->instantRollback(u"dpl_p2"_s, u"P0"_s, cb); });
        QVERIFY2(p.ok() && rolledBack.ok(), qPrintable(p.ok() ? rolledBack.error().toString() : p.error().toString()));
        QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(!githubDone);        // still waiting...
        QVERIFY(!secondGithubDone);  // ...and GitHub stays serial per token behind it
        QCOMPARE(m_monitor->status(Service::GitHub).state, ServiceStatus::State::RateLimited);
        QTRY_VERIFY_WITH_TIMEOUT(githubDone && secondGithubDone, 10000);
    }

    // A next cursor that cannot be read, or does not move, is an incomplete list, never a short one.
    void vercelPaginationProblemsSayTheListIsIncomplete_data()
    {
        QTest::addColumn<QByteArray>("secondNext"); // pagination.next of the second page, as JSON
        QTest::addColumn<QString>("message");
        QTest::newRow("cursor is text") << QByteArray("\"tomorrow\"") << u"the list is incomplete: 2 deployment(s) read, then pagination.next could not be read"_s;
        QTest::newRow("cursor is an object") << QByteArray("{\"at\":1}") << u"the list is incomplete: 2 deployment(s) read, then pagination.next could not be read"_s;
        QTest::newRow("cursor does not move") << QByteArray("1700000000000") << u"the list is incomplete: 3 deployment(s) read, then pagination.next (1700000000000) did not move past the previous page (1700000000000)"_s;
    }

    void vercelPaginationProblemsSayTheListIsIncomplete()
    {
        QFETCH(QByteArray, secondNext);
        QFETCH(QString, message);
        Sandbox::HttpServer server(u"vercel"_s, nullptr, &m_log);
        server.route("GET", u"/v6/deployments"_s, [secondNext](const Sandbox::HttpRequest &r, const QRegularExpressionMatch &) {
            const json item = {{"uid", "dpl_x"}, {"url", "x.vercel.test"}, {"state", "READY"}, {"target", "production"}, {"created", 1}};
            if (r.queryValue(u"until"_s).isEmpty())
                return Sandbox::HttpResponse::json(200, {{"deployments", {item, item}}, {"pagination", {{"count", 2}, {"next", 1700000000000}}}});
            return Sandbox::HttpResponse::json(200, {{"deployments", {item}}, {"pagination", {{"count", 1}, {"next", json::parse(secondNext.toStdString())}}}});
        });
        QVERIFY(server.listen(0));
        VercelClient vc(*m_http, QUrl(server.baseUrl()), u"prj_t"_s);
        const auto all = wait<QList<VercelDeployment>>([&](auto cb) { vc.deployments(u"production"_s, 100, cb); });
        QVERIFY(!all.ok());
        QCOMPARE(all.error().kind, Error::Kind::Parse);
        QVERIFY2(all.error().message.startsWith(message), qPrintable(all.error().message));
        QVERIFY2(all.error().remedy.contains(u"nothing after those deployments was read"_s), qPrintable(all.error().remedy));
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
