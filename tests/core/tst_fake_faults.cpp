// The simulated service in-process: every fault mode, the request log, the
// control surface, and the Vercel fake's semantics (auth, pagination,
// promote, Instant Rollback and its production pin, checks).

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "platform/flagevaluator.h"
#include "platform/trafficmodel.h"
#include "vercel/vercelfake.h"

#include "core/jsonutil.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Sandbox;
using json = nlohmann::json;

namespace {

struct Answer
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QByteArray contentType;
    QByteArray retryAfter;
    qint64 ms = 0;
};

Answer call(QNetworkAccessManager &nam, const QByteArray &method, const QString &url, const QByteArray &auth = "Bearer vt",
            const QByteArray &body = {}, int timeoutMs = 5000)
{
    QNetworkRequest req{QUrl(url)};
    req.setTransferTimeout(timeoutMs);
    if (!auth.isEmpty())
        req.setRawHeader("Authorization", auth);
    if (!body.isEmpty())
        req.setRawHeader("Content-Type", "application/json");
    QElapsedTimer t;
    t.start();
    QNetworkReply *reply = nam.sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer a;
    a.ms = t.elapsed();
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.error = reply->error();
    a.body = reply->readAll();
    a.contentType = reply->rawHeader("Content-Type");
    a.retryAfter = reply->rawHeader("Retry-After");
    reply->deleteLater();
    return a;
}

json scenario()
{
    return json::parse(R"({
      "project": {"id": "prj_t", "name": "web", "teamId": "team_t"},
      "production": "dpl_b",
      "deployments": [
        {"uid": "dpl_c", "target": "staging", "state": "READY", "sha": "ccc", "minutesAgo": 5},
        {"uid": "dpl_b", "target": "production", "state": "READY", "sha": "bbb", "minutesAgo": 50,
         "checks": [{"name": "health check endpoint"}]},
        {"uid": "dpl_e", "target": "production", "state": "ERROR", "sha": "eee", "minutesAgo": 70},
        {"uid": "dpl_a", "target": "production", "state": "READY", "sha": "aaa", "minutesAgo": 100}
      ]})");
}

} // namespace

class TestFakeFaults : public QObject
{
    Q_OBJECT

    FaultInjector m_faults{7};
    RequestLog m_log;
    std::unique_ptr<HttpServer> m_server;
    std::unique_ptr<VercelFake> m_vercel;
    QNetworkAccessManager m_nam;
    QString m_base;

    QString add(const json &rule)
    {
        QString err;
        const auto r = FaultRule::fromJson(rule, &err);
        if (!r)
            qFatal("%s", qPrintable(err));
        return m_faults.add(*r);
    }

private Q_SLOTS:
    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_server = std::make_unique<HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<VercelFake>(m_server.get(), u"vt"_s);
        m_vercel->load(scenario());
        QVERIFY(m_server->listen(0));
        m_base = m_server->baseUrl();
    }

    void cleanup()
    {
        m_vercel.reset();
        m_server.reset();
    }

    void authAndErrorShape()
    {
        const Answer none = call(m_nam, "GET", m_base + u"/v6/deployments"_s, {});
        QCOMPARE(none.status, 401);
        const Answer wrong = call(m_nam, "GET", m_base + u"/v6/deployments"_s, "Bearer nope");
        QCOMPARE(wrong.status, 403);
        const json body = json::parse(wrong.body.toStdString());
        QVERIFY((body["error"]["code"]) == ("forbidden"));
        QVERIFY(body["error"].contains("message"));
        QCOMPARE(call(m_nam, "GET", m_base + u"/v13/deployments/dpl_zzz"_s).status, 404);
    }

    void listingFiltersAndPages()
    {
        const Answer a = call(m_nam, "GET", m_base + u"/v6/deployments?projectId=prj_t&target=production&limit=2"_s);
        QCOMPARE(a.status, 200);
        json j = json::parse(a.body.toStdString());
        QVERIFY((j["deployments"].size()) == (2u));
        QVERIFY((j["deployments"][0]["uid"]) == ("dpl_b"));
        QVERIFY(j["pagination"]["next"].is_number());
        const qint64 next = j["pagination"]["next"].get<qint64>();
        j = json::parse(call(m_nam, "GET", m_base + u"/v6/deployments?projectId=prj_t&target=production&limit=2&until=%1"_s.arg(next)).body.toStdString());
        QVERIFY((j["deployments"].size()) == (1u));
        QVERIFY((j["deployments"][0]["uid"]) == ("dpl_a"));
        QVERIFY(j["pagination"]["next"].is_null());
        j = json::parse(call(m_nam, "GET", m_base + u"/v6/deployments?rollbackCandidate=true"_s).body.toStdString());
        QCOMPARE(j["deployments"].size(), 2u); // READY production deployments only
    }

    void instantRollbackPinsUntilPromotion()
    {
        QSignalSpy changed(m_vercel.get(), &VercelFake::productionChanged);
        QCOMPARE(call(m_nam, "POST", m_base + u"/v1/projects/prj_t/rollback/dpl_e"_s).status, 422); // not READY
        QCOMPARE(call(m_nam, "POST", m_base + u"/v1/projects/prj_t/rollback/dpl_c"_s).status, 422); // not production
        QCOMPARE(call(m_nam, "POST", m_base + u"/v1/projects/prj_t/rollback/dpl_b"_s).status, 409); // already current
        QCOMPARE(call(m_nam, "POST", m_base + u"/v1/projects/prj_t/rollback/dpl_a?description=P0"_s).status, 201);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_a"_s);
        QVERIFY(m_vercel->productionPinned());
        json p = json::parse(call(m_nam, "GET", m_base + u"/v9/projects/prj_t"_s).body.toStdString());
        QVERIFY((p["targets"]["production"]["id"]) == ("dpl_a"));
        QVERIFY((p["lastRollbackTarget"]["fromDeploymentId"]) == ("dpl_b"));
        QVERIFY((p["rollbackDescription"]["description"]) == ("P0"));
        // While pinned a new production deployment is not assigned.
        QVERIFY((m_vercel->addDeployment({{"uid", "dpl_n"}, {"target", "production"}})["assignedToProduction"]) == (false));
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_a"_s);
        // A promotion undoes the pin.
        QCOMPARE(call(m_nam, "POST", m_base + u"/v10/projects/prj_t/promote/dpl_n"_s).status, 201);
        QVERIFY(!m_vercel->productionPinned());
        p = json::parse(call(m_nam, "GET", m_base + u"/v9/projects/prj_t"_s).body.toStdString());
        QVERIFY(p["lastRollbackTarget"].is_null());
        QVERIFY((p["targets"]["production"]["id"]) == ("dpl_n"));
        // Production deployments are never deleted.
        const json all = json::parse(call(m_nam, "GET", m_base + u"/v6/deployments?target=production&limit=100"_s).body.toStdString());
        QVERIFY((all["deployments"].size()) == (4u));
    }

    void checks()
    {
        QCOMPARE(call(m_nam, "POST", m_base + u"/v1/deployments/dpl_c/checks"_s, "Bearer vt", R"({"name":"x"})").status, 400);
        const Answer created = call(m_nam, "POST", m_base + u"/v1/deployments/dpl_c/checks"_s, "Bearer vt", R"({"name":"console gates","blocking":true})");
        QCOMPARE(created.status, 200);
        const std::string id = json::parse(created.body.toStdString())["id"];
        const Answer updated = call(m_nam, "PATCH", m_base + u"/v1/deployments/dpl_c/checks/"_s + QString::fromStdString(id), "Bearer vt",
                                    R"({"status":"completed","conclusion":"failed"})");
        QVERIFY((json::parse(updated.body.toStdString())["conclusion"]) == ("failed"));
        const json list = json::parse(call(m_nam, "GET", m_base + u"/v1/deployments/dpl_c/checks"_s).body.toStdString());
        QVERIFY((list["checks"].size()) == (1u));
        QCOMPARE(call(m_nam, "PATCH", m_base + u"/v1/deployments/nope/checks/x"_s, "Bearer vt", "{}").status, 404);
    }

    void latency()
    {
        add({{"mode", "latency"}, {"latencyMs", 400}, {"path", "/v13/"}});
        const Answer a = call(m_nam, "GET", m_base + u"/v13/deployments/dpl_a"_s);
        QCOMPARE(a.status, 200);
        QVERIFY2(a.ms >= 390, qPrintable(QString::number(a.ms)));
        QCOMPARE(m_log.entries().last().fault, u"latency"_s);
    }

    void errorAndCount()
    {
        add({{"mode", "error"}, {"status", 503}, {"count", 2}});
        QCOMPARE(call(m_nam, "GET", m_base + u"/v13/deployments/dpl_a"_s).status, 503);
        QCOMPARE(call(m_nam, "GET", m_base + u"/v13/deployments/dpl_a"_s).status, 503);
        QCOMPARE(call(m_nam, "GET", m_base + u"/v13/deployments/dpl_a"_s).status, 200);
    }

    void rateLimit()
    {
        add({{"mode", "rate_limit"}, {"retryAfter", 2}, {"method", "GET"}});
        const Answer a = call(m_nam, "GET", m_base + u"/v6/deployments"_s);
        QCOMPARE(a.status, 429);
        QCOMPARE(a.retryAfter, QByteArray("2"));
        QVERIFY((json::parse(a.body.toStdString())["error"]["code"]) == ("rate_limited"));
        m_faults.clear();
        add({{"mode", "rate_limit"}, {"secondary", true}});
        const Answer s = call(m_nam, "GET", m_base + u"/v6/deployments"_s);
        QCOMPARE(s.status, 403);
        QVERIFY(s.body.contains("secondary rate limit"));
    }

    void resetBeforeAndAfterTheChange()
    {
        // Raw HTTP over a socket: what the fake does, without a client library in between.
        const auto raw = [&](const QByteArray &path) {
            QTcpSocket sock;
            sock.connectToHost(QHostAddress::LocalHost, m_server->port());
            if (!sock.waitForConnected(3000))
                return QByteArray("no connection");
            sock.write("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer vt\r\nContent-Length: 0\r\n\r\n");
            QByteArray got;
            QElapsedTimer t;
            t.start();
            while (sock.state() == QAbstractSocket::ConnectedState && t.elapsed() < 3000) {
                QTest::qWait(20);
                got += sock.readAll();
                if (got.contains("\r\n\r\n"))
                    break;
            }
            return got;
        };
        add({{"mode", "reset"}, {"method", "POST"}, {"count", 1}});
        QCOMPARE(raw("/v1/projects/prj_t/rollback/dpl_a"), QByteArray()); // dropped, no answer
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_b"_s);      // and nothing happened
        add({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}});
        QCOMPARE(raw("/v1/projects/prj_t/rollback/dpl_a"), QByteArray());
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_a"_s);      // it happened; the client never heard
        const auto resets = std::count_if(m_log.entries().cbegin(), m_log.entries().cend(), [](const LoggedRequest &e) {
            return e.path.contains(u"/rollback/"_s) && e.fault == u"reset"_s && e.status == 0;
        });
        QCOMPARE(resets, 2);
    }

    // QNetworkAccessManager re-sends a request once when its connection is
    // dropped before an answer, POSTs included: the HTTP core (issue #6) must
    // not rely on a reset meaning "not applied". The request log shows it.
    void qnamResendsAfterReset()
    {
        add({{"mode", "reset"}, {"method", "POST"}, {"count", 1}});
        QNetworkAccessManager fresh;
        const Answer a = call(fresh, "POST", m_base + u"/v1/projects/prj_t/rollback/dpl_a"_s);
        const auto posts = std::count_if(m_log.entries().cbegin(), m_log.entries().cend(),
                                         [](const LoggedRequest &e) { return e.path.contains(u"/rollback/"_s); });
        QCOMPARE(posts, 2);
        QCOMPARE(a.status, 201);
    }

    // ...unless the body cannot be rewound: with an unbuffered, sequential
    // upload device Qt cannot re-send, and the reset reaches the caller.
    // The HTTP core sends every non-idempotent request this way.
    void sequentialBodyIsNotResent()
    {
        class OneShot : public QIODevice
        {
        public:
            explicit OneShot(QByteArray d) : m_data(std::move(d)) { open(QIODevice::ReadOnly); }
            bool isSequential() const override { return true; }
            qint64 bytesAvailable() const override { return m_data.size() - m_pos + QIODevice::bytesAvailable(); }
        protected:
            qint64 readData(char *out, qint64 max) override
            {
                const qint64 n = qMin(max, qint64(m_data.size() - m_pos));
                memcpy(out, m_data.constData() + m_pos, size_t(n));
                m_pos += n;
                return n;
            }
            qint64 writeData(const char *, qint64) override { return -1; }
        private:
            QByteArray m_data;
            qsizetype m_pos = 0;
        };
        add({{"mode", "reset"}, {"method", "POST"}, {"count", 1}});
        QNetworkAccessManager fresh;
        QNetworkRequest req{QUrl(m_base + u"/v1/projects/prj_t/rollback/dpl_a"_s)};
        req.setRawHeader("Authorization", "Bearer vt");
        req.setRawHeader("Content-Type", "application/json");
        req.setHeader(QNetworkRequest::ContentLengthHeader, 2);
        req.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        OneShot body("{}");
        QNetworkReply *reply = fresh.post(req, &body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(5000));
        QVERIFY(reply->error() != QNetworkReply::NoError);
        delete reply;
        const auto posts = std::count_if(m_log.entries().cbegin(), m_log.entries().cend(),
                                         [](const LoggedRequest &e) { return e.path.contains(u"/rollback/"_s); });
        QCOMPARE(posts, 1);
        QCOMPARE(m_vercel->productionDeploymentId(), u"dpl_b"_s);
    }

    void stall()
    {
        add({{"mode", "stall"}, {"latencyMs", 3000}});
        const Answer a = call(m_nam, "GET", m_base + u"/v13/deployments/dpl_a"_s, "Bearer vt", {}, 800);
        QCOMPARE(a.error, QNetworkReply::OperationCanceledError); // the transfer timeout fired mid-body
        QVERIFY(a.ms < 2500);
    }

    void bodyFaults_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("malformed") << u"malformed_json"_s;
        QTest::newRow("truncated") << u"truncated_json"_s;
        QTest::newRow("wrong content type") << u"wrong_content_type"_s;
        QTest::newRow("schema break") << u"schema_break"_s;
    }

    void bodyFaults()
    {
        QFETCH(QString, mode);
        add({{"mode", mode.toStdString()}, {"field", "readyState"}});
        const Answer a = call(m_nam, "GET", m_base + u"/v13/deployments/dpl_a"_s);
        QCOMPARE(a.status, 200);
        const json j = Raize::Json::parse(a.body);
        if (mode == u"wrong_content_type"_s) {
            QVERIFY(a.contentType.startsWith("text/html"));
        } else if (mode == u"schema_break"_s) {
            QVERIFY(j.is_object());
            QVERIFY(!j.contains("readyState"));
            QVERIFY(j.contains("id"));
        } else {
            QVERIFY(j.is_discarded());
        }
    }

    void faultRulesAreValidated()
    {
        QString err;
        QVERIFY(!FaultRule::fromJson({{"mode", "explode"}}, &err));
        QVERIFY(err.contains(u"unknown fault mode"_s));
        QVERIFY(!FaultRule::fromJson({{"mode", "error"}, {"path", "("}}, &err));
        QVERIFY(!FaultRule::fromJson({{"mode", "error"}, {"status", "five hundred"}}, &err));
        QVERIFY(!FaultRule::fromJson(json::array(), &err));
    }

    void requestLogRedactsTokens()
    {
        call(m_nam, "GET", m_base + u"/v6/deployments"_s, "Bearer very-secret-vercel-token");
        const json e = m_log.entries().last().toJson();
        QVERIFY((e["headers"]["authorization"]) == ("[REDACTED]"));
        QVERIFY((e["status"]) == (403));
    }

    void flagEvaluation_data()
    {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<QString>("cohort");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<bool>("enabled");
        const QString cohortIn = uR"({"name":"flexibleRollout","parameters":{"rollout":"100"},"constraints":[{"contextName":"cohort","operator":"IN","values":["house"]}]})"_s;
        const QString laneNotIn = uR"({"name":"flexibleRollout","parameters":{"rollout":"100"},"constraints":[{"contextName":"lane","operator":"NOT_IN","values":["browser"]}]})"_s;
        QTest::newRow("cohort IN match") << cohortIn << u"house"_s << u"api"_s << true;
        QTest::newRow("cohort IN miss") << cohortIn << u"broad"_s << u"api"_s << false;
        QTest::newRow("lane NOT_IN api") << laneNotIn << u"house"_s << u"api"_s << true;
        QTest::newRow("lane NOT_IN browser") << laneNotIn << u"house"_s << u"browser"_s << false;
        QTest::newRow("default") << uR"({"name":"default"})"_s << u"broad"_s << u"browser"_s << true;
        QTest::newRow("rollout 0") << uR"({"name":"flexibleRollout","parameters":{"rollout":"0"}})"_s << u"house"_s << u"api"_s << false;
        QTest::newRow("inverted") << uR"({"name":"flexibleRollout","parameters":{"rollout":"100"},"constraints":[{"contextName":"cohort","operator":"IN","values":["house"],"inverted":true}]})"_s << u"house"_s << u"api"_s << false;
    }

    void flagEvaluation()
    {
        QFETCH(QString, strategy);
        QFETCH(QString, cohort);
        QFETCH(QString, lane);
        QFETCH(bool, enabled);
        FlagEvaluator ev;
        QVERIFY(ev.load(json{{"features", json::array({{{"name", "f"}, {"enabled", true}, {"strategies", json::array({json::parse(strategy.toStdString())})}}})}}));
        QCOMPARE(ev.isEnabled(u"f"_s, FlagContext{u"c"_s, u"a"_s, lane, cohort}), enabled);
        // A switched-off flag is off whatever its strategies say.
        QVERIFY(ev.load(json{{"features", json::array({{{"name", "f"}, {"enabled", false}, {"strategies", json::array({json::parse(strategy.toStdString())})}}})}}));
        QVERIFY(!ev.isEnabled(u"f"_s, FlagContext{u"c"_s, u"a"_s, lane, cohort}));
        QVERIFY(!ev.load(json{{"nope", 1}}));
        QCOMPARE(ev.featureCount(), 1); // a bad body keeps the last good flags, as an SDK does
    }

    // The sandbox keeps the TSDB blocks of "plain" history days between
    // starts (tools/sandbox/sandbox.sh), named by the day alone: a whole day
    // that ends before every incident began. Three days ending at 10:00 on
    // day 3 (so day 0 is partial too), an incident at various times: which
    // days are plain (the cache has them all here, so only the others are
    // written).
    void backfillPlainDays_data()
    {
        QTest::addColumn<qint64>("incidentAt"); // seconds after day 0 began; 0: no incident
        QTest::addColumn<QString>("expected");  // the manifest, days as d0..d3
        constexpr qint64 h = 3600, d = 86400;
        QTest::newRow("no incident") << qint64(0) << u"scenario d0|cached d1|cached d2|scenario d3"_s;
        QTest::newRow("incident in day 2") << 2 * d + 6 * h << u"scenario d0|cached d1|scenario d2|scenario d3"_s;
        QTest::newRow("incident as day 2 begins") << 2 * d << u"scenario d0|cached d1|scenario d2|scenario d3"_s;
        QTest::newRow("incident after day 2's last sample") << 2 * d + d - 60 << u"scenario d0|cached d1|cached d2|scenario d3"_s;
        QTest::newRow("incident in today's part") << 3 * d + 2 * h << u"scenario d0|cached d1|cached d2|scenario d3"_s;
        QTest::newRow("incident before the window") << qint64(1) << u"scenario d0|scenario d1|scenario d2|scenario d3"_s;
    }

    void backfillPlainDays()
    {
        QFETCH(qint64, incidentAt);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QStringList manifest;
        QString err;
        QVERIFY2(TrafficModel::writeBackfill(dir.path(), kDay0 + 3 * 86400 + 10 * 3600, 3, incidentFrom(incidentAt), &err,
                                             [](const QString &) { return true; }, &manifest),
                 qPrintable(err));
        QCOMPARE(dayNames(manifest), expected);
        for (int i = 0; i < 4; ++i) {
            const bool cached = expected.contains(u"cached d%1"_s.arg(i));
            QCOMPARE(QFile::exists(dir.filePath(u"history-%1.om"_s.arg(kDayNames[i]))), !cached);
        }
    }

    // A plain day is byte for byte what another start, with another end and
    // other incidents, writes for it; and (the control) a day an incident
    // touches is not.
    void backfillPlainDayIsTheSameEveryStart()
    {
        QTemporaryDir a, b;
        QStringList manifest;
        QString err;
        QVERIFY2(TrafficModel::writeBackfill(a.path(), kDay0 + 3 * 86400 + 10 * 3600, 3, incidentFrom(2 * 86400 + 6 * 3600), &err, {},
                                             &manifest),
                 qPrintable(err));
        QCOMPARE(dayNames(manifest), u"scenario d0|plain d1|scenario d2|scenario d3"_s);
        QVERIFY(TrafficModel::writeBackfill(b.path(), kDay0 + 3 * 86400 + 15 * 3600, 3, {}, &err));
        const auto bytes = [](const QTemporaryDir &dir, int day) {
            QFile f(dir.filePath(u"history-%1.om"_s.arg(kDayNames[day])));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        QVERIFY(bytes(a, 1).size() > 1'000'000);
        QVERIFY2(bytes(a, 1) == bytes(b, 1), "the plain day differs between two starts");
        QVERIFY(!bytes(a, 2).isEmpty());
        QVERIFY2(bytes(a, 2) != bytes(b, 2), "the day the incident touches is the same without it");
    }

private:
    static constexpr qint64 kDay0 = 1'794'096'000; // a UTC midnight: 2026-11-08
    static inline const QString kDayNames[] = {u"20261108"_s, u"20261109"_s, u"20261110"_s, u"20261111"_s};

    static QList<TrafficModel::Incident> incidentFrom(qint64 secondsAfterDay0)
    {
        if (secondsAfterDay0 <= 0)
            return {};
        return {{u"house"_s, u"api"_s, u"runner"_s, PlatformFault::Kind::PublishFailure, double(kDay0 + secondsAfterDay0), 0.5, 0.0}};
    }

    // "plain history-20261109.om 20261109" → "plain d1".
    static QString dayNames(const QStringList &manifest)
    {
        QString out = manifest.join(u'|');
        for (int i = 0; i < 4; ++i)
            out.replace(u"history-%1.om %1"_s.arg(kDayNames[i]), u"d%1"_s.arg(i))
                .replace(u"history-%1.om"_s.arg(kDayNames[i]), u"d%1"_s.arg(i))
                .replace(kDayNames[i], u"d%1"_s.arg(i));
        return out;
    }
};

QTEST_GUILESS_MAIN(TestFakeFaults)
#include "tst_fake_faults.moc"
