// "System is stable" after a rollback (issue #16, item 8; playbook §7.5):
// every burn rate of the rollback's scope under 1× for the policy's window.
// - judgeStability, a table: watching, stable, a window that ends burning
//   starts again, still burning after three windows fails, no events in the
//   scope (or Prometheus down) is "not enough data", never a pass;
// - the queries: one per SLO of the effective policy, narrowed to the scope;
// - StabilityCheck's rounds against a fake Prometheus on a fake clock: the
//   window's seconds in each query, a pass only after a whole window;
// - `rollback stable` (the CLI) against the same fake Prometheus: verdict,
//   exit code and the audit record.

#include "rollback/stabilitycheck.h"
#include "workspace/effectivepolicy.h"

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "net/httpclient.h"
#include "services/prometheus/prometheusclient.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>

#include <nlohmann/json.hpp>

#include "testutil.h"

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Rollback;
using json = nlohmann::json;

Q_DECLARE_METATYPE(QList<Raize::Rollback::BurnReading>)

namespace {

BurnReading reading(const QString &slo, std::optional<double> burn, const QString &error = {})
{
    return BurnReading{slo, slo, burn, error};
}

} // namespace

class TestStability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void judge_data()
    {
        QTest::addColumn<QList<BurnReading>>("readings");
        QTest::addColumn<int>("elapsedS");      // since the window began
        QTest::addColumn<int>("sinceCheckS");   // since the check began
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("windowRestarts");
        QTest::addColumn<QString>("says");
        QTest::newRow("under 1x, window not over") << QList<BurnReading>{reading(u"publish"_s, 0.2)} << 120 << 120 << u"watching"_s << false
                                                    << u"120 s of a 300 s window"_s;
        QTest::newRow("burning early does not decide") << QList<BurnReading>{reading(u"publish"_s, 4.0)} << 10 << 10 << u"watching"_s << false
                                                        << u"publish 4.00×"_s;
        QTest::newRow("whole window under 1x: stable") << QList<BurnReading>{reading(u"publish"_s, 0.4), reading(u"http"_s, 0.0)} << 300 << 300
                                                        << u"stable"_s << false << u"under 1× over 300 s"_s;
        QTest::newRow("exactly 1x is not under") << QList<BurnReading>{reading(u"publish"_s, 1.0)} << 300 << 300 << u"watching"_s << true
                                                  << u"publish 1.00×; watching a new window"_s;
        QTest::newRow("window ends burning: starts again") << QList<BurnReading>{reading(u"publish"_s, 0.3), reading(u"http"_s, 2.5)} << 300 << 300
                                                            << u"watching"_s << true << u"http 2.50×"_s;
        QTest::newRow("still burning after three windows") << QList<BurnReading>{reading(u"http"_s, 1.7)} << 300 << 900 << u"burning"_s << false
                                                            << u"NOT STABLE"_s;
        QTest::newRow("no events in the scope") << QList<BurnReading>{reading(u"publish"_s, std::nullopt), reading(u"http"_s, 0.1)} << 300 << 300
                                                 << u"not-enough-data"_s << false << u"no event in the scope for publish"_s;
        QTest::newRow("nothing at all") << QList<BurnReading>{reading(u"publish"_s, std::nullopt)} << 300 << 300 << u"not-enough-data"_s << false
                                         << u"not a pass"_s;
        QTest::newRow("Prometheus down: keeps asking") << QList<BurnReading>{reading(u"publish"_s, std::nullopt, u"HTTP 503"_s)} << 300 << 300
                                                        << u"watching"_s << false << u"asking again"_s;
        QTest::newRow("Prometheus down for three windows") << QList<BurnReading>{reading(u"publish"_s, std::nullopt, u"HTTP 503"_s)} << 300 << 900
                                                            << u"not-enough-data"_s << false << u"Prometheus did not answer"_s;
        QTest::newRow("no SLO in the policy") << QList<BurnReading>{} << 300 << 300 << u"not-enough-data"_s << false << u"names no SLO"_s;
    }

    void judge()
    {
        QFETCH(QList<BurnReading>, readings);
        QFETCH(int, elapsedS);
        QFETCH(int, sinceCheckS);
        QFETCH(QString, kind);
        QFETCH(bool, windowRestarts);
        QFETCH(QString, says);
        const qint64 now = 1'780'000'000'000;
        const qint64 windowStart = now - qint64(elapsedS) * 1000;
        const StabilityVerdict v = judgeStability(readings, windowStart, now - qint64(sinceCheckS) * 1000, now, 300, 900);
        QCOMPARE(stabilityKindName(v.kind), kind);
        QVERIFY2(v.summary.contains(says), qPrintable(v.summary));
        QCOMPARE(v.windowStartMs, windowRestarts ? now : windowStart);
        QCOMPARE(v.passed(), kind == u"stable"_s);
    }

    // One query per SLO of the effective policy, narrowed to the scope, as a burn rate (bad fraction / budget).
    void queriesPerSloInTheScope()
    {
        const EffectivePolicy &p = EffectivePolicy::builtin();
        QCOMPARE(p.rollback().stableWindowSeconds, 300); // rollback.postChecks.stableWindowSeconds
        const QList<BurnQuery> q = stabilityQueries(p.slos(), {u"cohort=~\"house\""_s});
        QCOMPARE(q.size(), p.slos().size());
        QCOMPARE(q[0].sloId, u"publish_success"_s);
        QCOMPARE(q[0].promql, u"(1 - clamp_max(sum(increase(raize_publish_success_total{service=\"runner\",cohort=~\"house\"}[${since}s])) / "
                               u"sum(increase(raize_publish_attempts_total{service=\"runner\",cohort=~\"house\"}[${since}s])), 1)) / 0.005"_s);
        for (const BurnQuery &b : q)
            QVERIFY2(b.promql.count(u"cohort=~\"house\""_s) == 2, qPrintable(b.promql));
        // Global: no matcher.
        QVERIFY(!stabilityQueries(p.slos(), {}).first().promql.contains(u"cohort"_s));
    }

    // The check's rounds on a fake clock against a fake Prometheus.
    void roundsOnAFakeClock()
    {
        Sandbox::FaultInjector faults(1);
        Sandbox::RequestLog log;
        Sandbox::HttpServer prom(u"prometheus"_s, &faults, &log);
        QHash<QString, QString> burn; // metric fragment → the burn Prometheus answers ("" : no series)
        int status = 200;
        QStringList asked;
        prom.route("POST", u"/api/v1/query"_s, [&](const Sandbox::HttpRequest &req, const QRegularExpressionMatch &) {
            const QString q = QUrl::fromPercentEncoding(req.body.mid(req.body.indexOf("query=") + 6).split('&').first()).replace(u'+', u' ');
            asked << q;
            if (status != 200)
                return Sandbox::HttpResponse::json(status, {{"status", "error"}, {"errorType", "internal"}, {"error", "tsdb unavailable"}});
            json result = json::array();
            for (auto it = burn.cbegin(); it != burn.cend(); ++it) {
                if (q.contains(it.key()) && !it.value().isEmpty())
                    result.push_back({{"metric", json::object()}, {"value", json::array({1780000000.0, it.value().toStdString()})}});
            }
            return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}});
        });
        QVERIFY(prom.listen(0));
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setRetryPolicy({1, 10, 50, 1000});
        Services::PrometheusClient client(http, QUrl(prom.baseUrl()));
        ManualClock clock(QDateTime::fromSecsSinceEpoch(1'780'000'000, Qt::UTC));
        const QList<BurnQuery> queries{{u"publish"_s, u"Publish success"_s, u"publish_burn[${since}s]"_s},
                                       {u"http"_s, u"HTTP errors"_s, u"http_burn[${since}s]"_s}};
        StabilityCheck check(client, queries, 300, clock);
        check.setPollMs(3'600'000); // rounds by hand
        QSignalSpy progressed(&check, &StabilityCheck::progressed);
        QSignalSpy finished(&check, &StabilityCheck::finished);
        const auto round = [&] {
            const qsizetype before = progressed.size();
            check.evaluate();
            QTRY_VERIFY(progressed.size() > before);
        };
        check.start();
        burn = {{u"publish_burn"_s, u"0.3"_s}, {u"http_burn"_s, u"0.1"_s}};
        clock.advanceMs(60'000);
        round();
        QVERIFY2(asked.contains(u"publish_burn[60s]"_s), qPrintable(asked.join(u'\n'))); // the window's seconds so far
        QCOMPARE(check.verdict().kind, StabilityVerdict::Kind::Watching);
        // The window ends with HTTP errors burning: not stable yet, a new window from here.
        burn[u"http_burn"_s] = u"1.8"_s;
        clock.advanceMs(240'000);
        round();
        QVERIFY(asked.contains(u"http_burn[300s]"_s));
        QCOMPARE(check.verdict().kind, StabilityVerdict::Kind::Watching);
        QCOMPARE(check.verdict().windowStartMs, clock.nowMs());
        QVERIFY(check.verdict().summary.contains(u"HTTP errors 1.80×"_s));
        QCOMPARE(finished.size(), 0);
        // Prometheus fails at the end of the next window: unknown is not a pass, asked again.
        burn[u"http_burn"_s] = u"0.2"_s;
        status = 503;
        clock.advanceMs(300'000);
        round();
        QCOMPARE(check.verdict().kind, StabilityVerdict::Kind::Watching);
        QVERIFY2(check.verdict().summary.contains(u"did not answer"_s), qPrintable(check.verdict().summary));
        // Answered: a whole window under 1× since the burn: stable, and the check stops.
        status = 200;
        clock.advanceMs(5'000);
        round();
        QVERIFY(asked.contains(u"publish_burn[305s]"_s));
        QCOMPARE(check.verdict().kind, StabilityVerdict::Kind::Stable);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().toBool(), true);
        const qsizetype askedBefore = asked.size();
        check.evaluate(); // final: asks nothing more
        QCOMPARE(asked.size(), askedBefore);

        // No events in the scope over a whole window: "not enough data", not a pass.
        StabilityCheck quiet(client, queries, 300, clock);
        quiet.setPollMs(3'600'000);
        QSignalSpy quietDone(&quiet, &StabilityCheck::finished);
        QSignalSpy quietRounds(&quiet, &StabilityCheck::progressed);
        quiet.start();
        burn = {{u"http_burn"_s, u"0.1"_s}}; // publishing is off in the scope: no series
        clock.advanceMs(300'000);
        quiet.evaluate();
        QTRY_COMPARE(quietDone.size(), 1);
        QCOMPARE(quietDone.first().first().toBool(), false);
        QCOMPARE(quiet.verdict().kind, StabilityVerdict::Kind::NotEnoughData);
        QVERIFY2(quiet.verdict().summary.contains(u"no event in the scope for Publish success"_s), qPrintable(quiet.verdict().summary));
    }

    // The CLI: `rollback stable` waits its window, prints the verdict, exits 0 only when stable, and audits it.
    void cliStable_data()
    {
        QTest::addColumn<QString>("httpBurn"); // what Prometheus answers for the HTTP errors SLO ("": no series)
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("verdict");
        QTest::newRow("every burn rate under 1x") << u"0.2"_s << 0 << u"stable"_s;
        QTest::newRow("an SLO without events") << QString() << 1 << u"not-enough-data"_s;
    }

    void cliStable()
    {
        QFETCH(QString, httpBurn);
        QFETCH(int, exitCode);
        QFETCH(QString, verdict);
        Sandbox::FaultInjector faults(1);
        Sandbox::RequestLog log;
        Sandbox::HttpServer prom(u"prometheus"_s, &faults, &log);
        QStringList asked;
        prom.route("POST", u"/api/v1/query"_s, [&](const Sandbox::HttpRequest &req, const QRegularExpressionMatch &) {
            const QString q = QUrl::fromPercentEncoding(req.body.mid(req.body.indexOf("query=") + 6).split('&').first()).replace(u'+', u' ');
            asked << q;
            // Every SLO of the built-in policy reads its runner series at 0.3×; HTTP errors (the web service) as the row says.
            const QString value = q.contains(u"raize_http_requests_total"_s) ? httpBurn : u"0.3"_s;
            json result = json::array();
            if (!value.isEmpty())
                result.push_back({{"metric", json::object()}, {"value", json::array({1780000000.0, value.toStdString()})}});
            return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}});
        });
        QVERIFY(prom.listen(0));
        const QString profile = u"stablecli"_s;
        {
            Settings settings(profile);
            settings.setValue(SettingKey::PrometheusUrl, prom.baseUrl());
            settings.sync();
        }
        QProcess p;
        p.start(RaizeTest::consoleBinary(), {u"rollback"_s, u"stable"_s, u"--scope"_s, u"cohort:house"_s, u"--window-seconds"_s, u"1"_s,
                                            u"--json"_s, u"--profile"_s, profile});
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 60000); // the fake answers from this process's event loop
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), exitCode);
        const json out = json::parse(p.readAllStandardOutput().toStdString(), nullptr, false);
        QVERIFY2(out.is_object(), qPrintable(err));
        QCOMPARE(QString::fromStdString(out.value("verdict", "")), verdict);
        QCOMPARE(out.value("windowSeconds", 0), 1);
        QVERIFY(!asked.isEmpty());
        for (const QString &q : std::as_const(asked))
            QVERIFY2(q.contains(u"cohort=~\"house\""_s), qPrintable(q)); // the scope's series only
        bool audited = false;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(Records::AuditLog::defaultPath(profile, {})))
            audited = audited || (r.action == u"rollback.stable"_s && r.after.value("verdict", "") == verdict.toStdString());
        QVERIFY(audited);
    }
};

QTEST_GUILESS_MAIN(TestStability)
#include "tst_stability.moc"
