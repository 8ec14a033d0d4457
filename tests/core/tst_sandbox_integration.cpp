// The whole sandbox, as the demo and later integration tests use it.

#include "sandboxfixture.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/prometheus/prometheusclient.h"

#include <QEventLoop>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QProcess>
#include <QUrlQuery>

#include <csignal>

using namespace Qt::StringLiterals;
using RaizeTest::httpCall;
using namespace Raize;

class TestSandboxIntegration : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;

    // The value of a PromQL query per cohort, from the real Prometheus.
    QHash<QString, double> query(const QString &promql)
    {
        QUrl url(m_sandbox.url(u"prometheus"_s) + u"/api/v1/query"_s);
        QUrlQuery q;
        q.addQueryItem(u"query"_s, promql);
        url.setQuery(q);
        const auto a = httpCall("GET", url);
        QHash<QString, double> out;
        const QJsonObject o = QJsonDocument::fromJson(a.body).object();
        for (const QJsonValue &r : o.value(u"data"_s).toObject().value(u"result"_s).toArray())
            out.insert(r[u"metric"_s][u"cohort"_s].toString(), r[u"value"_s][1].toString().toDouble());
        return out;
    }

    QHash<QString, double> failureRatio(const QString &window)
    {
        return query(u"1 - sum by (cohort) (rate(raize_publish_success_total[%1])) / sum by (cohort) (rate(raize_publish_attempts_total[%1]))"_s.arg(window));
    }

    void toggle(const QString &flag, bool on)
    {
        const auto a = httpCall("POST", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/%1/environments/production/%2"_s.arg(flag, on ? u"on"_s : u"off"_s)),
                                m_sandbox.token(u"unleashAdmin"_s).toUtf8());
        QCOMPARE(a.status, 200);
    }

    // Seconds until pred holds for the house cohort's ratio, or -1 after `limit` s.
    template<typename Pred>
    double secondsUntil(Pred pred, int limit)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < limit * 1000) {
            if (pred(failureRatio(u"20s"_s).value(u"house"_s, -1)))
                return t.elapsed() / 1000.0;
            QTest::qWait(500);
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_sandbox.start(u"bad-l3-release"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qInfo("sandbox all-healthy in %.1f s (goal < 60 s)", m_sandbox.healthySeconds());
        QVERIFY(m_sandbox.healthySeconds() < 60);
    }

    void pinnedUnleashVersionRuns()
    {
        QFile pkg(QStringLiteral(RAIZE_SOURCE_DIR) + u"/.cache/node/unleash/node_modules/unleash-server/package.json"_s);
        QVERIFY(pkg.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(pkg.readAll()).object().value(u"version"_s).toString(), u"8.2.0"_s);
        const auto health = httpCall("GET", QUrl(m_sandbox.url(u"unleash"_s) + u"/health"_s));
        QCOMPARE(health.status, 200);
        // The client token sees the seeded flags; no token is refused.
        const auto features = httpCall("GET", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/client/features"_s), m_sandbox.token(u"unleashClient"_s).toUtf8());
        QCOMPARE(features.status, 200);
        QVERIFY(features.body.contains("publishing.scheduler-v2"));
        QCOMPARE(httpCall("GET", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/client/features"_s)).status, 401);
    }

    void historyCoversThirtyDays()
    {
        const auto n = query(u"count_over_time(raize_publish_attempts_total{cohort=\"house\",lane=\"api\"}[30d])"_s);
        QVERIFY2(n.value(u"house"_s) >= 43000, qPrintable(QString::number(n.value(u"house"_s))));
    }

    void badReleaseBurnsHouseOnly()
    {
        for (const QString &w : {u"5m"_s, u"1h"_s}) {
            const auto burn = query(u"(1 - sum by (cohort) (increase(raize_publish_success_total[%1])) / sum by (cohort) (increase(raize_publish_attempts_total[%1]))) / (1 - 0.995)"_s.arg(w));
            QVERIFY2(burn.value(u"house"_s) > 14.4, qPrintable(w + u": "_s + QString::number(burn.value(u"house"_s))));
            QVERIFY2(burn.value(u"lowrisk"_s) < 1, qPrintable(w));
            QVERIFY2(burn.value(u"broad"_s) < 1, qPrintable(w));
        }
    }

    // The typed Prometheus client against the real Prometheus (issue #6).
    void prometheusClientQueries()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        Services::PrometheusClient prom(http, QUrl(m_sandbox.url(u"prometheus"_s)));
        const auto run = [&](auto call) {
            QEventLoop loop;
            std::optional<Result<Services::PromResult>> out;
            call([&](const Result<Services::PromResult> &r) {
                out = r;
                loop.quit();
            });
            if (!out)
                loop.exec();
            return *out;
        };
        const QString burn = u"(1 - sum by (cohort) (increase(raize_publish_success_total[1h])) / sum by (cohort) (increase(raize_publish_attempts_total[1h]))) / (1 - 0.995)"_s;
        const auto instant = run([&](auto cb) { prom.query(burn, std::nullopt, cb); });
        QVERIFY2(instant.ok(), qPrintable(instant.error().toString()));
        QCOMPARE(instant->type, Services::PromResult::Type::Vector);
        QCOMPARE(instant->vector.size(), 3);
        QVERIFY(instant->valueWhere(u"cohort"_s, u"house"_s).value_or(0) > 14.4);
        QVERIFY(instant->valueWhere(u"cohort"_s, u"broad"_s).value_or(99) < 1);

        // Three days at 1-minute resolution come from the backfilled history.
        const QDateTime end = QDateTime::currentDateTimeUtc();
        const auto range = run([&](auto cb) {
            prom.queryRange(u"sum(rate(raize_publish_attempts_total{cohort=\"house\"}[5m]))"_s, end.addDays(-3), end, 60, cb);
        });
        QVERIFY2(range.ok(), qPrintable(range.error().toString()));
        QCOMPARE(range->type, Services::PromResult::Type::Matrix);
        QCOMPARE(range->matrix.size(), 1);
        QVERIFY2(range->matrix[0].points.size() > 3 * 24 * 60 - 10, qPrintable(QString::number(range->matrix[0].points.size())));

        const auto scalar = run([&](auto cb) { prom.query(u"scalar(vector(0.25))"_s, end, cb); });
        QVERIFY2(scalar.ok(), qPrintable(scalar.error().toString()));
        QCOMPARE(scalar->type, Services::PromResult::Type::Scalar);
        QCOMPARE(scalar->vector.first().value, 0.25);

        // The API's own error type and message, and what to do.
        const auto bad = run([&](auto cb) { prom.query(u"sum(rate(raize_publish_attempts_total[5m]"_s, std::nullopt, cb); });
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().httpStatus, 400);
        QCOMPARE(bad.error().serviceCode, u"bad_data"_s);
        QVERIFY2(bad.error().message.contains(u"parse error"_s), qPrintable(bad.error().message));
        QCOMPARE(monitor.status(Service::Prometheus).state, ServiceStatus::State::Connected);
    }

    void canaryFlagDrivesTheErrorRatio()
    {
        // A 20 s rate needs a few live scrapes (every 5 s) first.
        QVERIFY2(secondsUntil([](double r) { return r > 0.05; }, 30) >= 0, "the bad release is not visible in Prometheus");
        toggle(u"publishing.scheduler-v2"_s, false);
        const double restored = secondsUntil([](double r) { return r >= 0 && r < 0.02; }, 20);
        qInfo("flag off → house publish failures back under 2%% after %.1f s", restored);
        QVERIFY2(restored >= 0, "turning the canary flag off did not restore the ratio within 20 s");
        toggle(u"publishing.scheduler-v2"_s, true);
        const double broken = secondsUntil([](double r) { return r > 0.05; }, 20);
        qInfo("flag on → house publish failures over 5%% after %.1f s", broken);
        QVERIFY2(broken >= 0, "turning the canary flag on did not raise the ratio within 20 s");
        QVERIFY(failureRatio(u"20s"_s).value(u"lowrisk"_s) < 0.01);
    }

    // The demo's scenario (issue #19): every deployment the sandbox's Vercel serves has its commit on the sandbox's
    // GitHub and a pull request with a release level (merged into it, or, for a preview, the open pull request it was
    // built from), so the deployments carry release levels and their commits and pull requests open on GitHub.
    void demoGitHubKnowsEveryDeployment()
    {
        const QByteArray vercelAuth = "Bearer " + m_sandbox.token(u"vercel"_s).toUtf8();
        const QByteArray githubAuth = "Bearer " + m_sandbox.token(u"github"_s).toUtf8();
        const QString github = m_sandbox.url(u"github"_s) + u"/repos/raize/platform"_s;
        const auto list = httpCall("GET", QUrl(m_sandbox.url(u"vercel"_s) + u"/v6/deployments?projectId=prj_raize_web&limit=100"_s), vercelAuth);
        QCOMPARE(list.status, 200);
        const QJsonArray deployments = QJsonDocument::fromJson(list.body).object().value(u"deployments"_s).toArray();
        QVERIFY(deployments.size() >= 6);
        const auto pulls = httpCall("GET", QUrl(github + u"/pulls?state=all&per_page=100"_s), githubAuth);
        QCOMPARE(pulls.status, 200);
        const QJsonArray prs = QJsonDocument::fromJson(pulls.body).array();
        for (const QJsonValue &v : deployments) {
            const QJsonObject d = v.toObject();
            const QString uid = d.value(u"uid"_s).toString();
            const QString sha = d.value(u"meta"_s).toObject().value(u"githubCommitSha"_s).toString();
            QVERIFY2(!sha.isEmpty(), qPrintable(uid + u" names no commit"_s));
            // GitHub knows the commit (the console asks through compare: gates, DORA, migrations).
            QVERIFY2(httpCall("GET", QUrl(github + u"/compare/"_s + sha + u"..."_s + sha), githubAuth).status == 200,
                     qPrintable(uid + u": commit "_s + sha + u" unknown to GitHub"_s));
            QString level;
            for (const QJsonValue &p : prs) {
                const QJsonObject pr = p.toObject();
                if (pr.value(u"merge_commit_sha"_s).toString() != sha && pr.value(u"head"_s).toObject().value(u"sha"_s).toString() != sha)
                    continue;
                QVERIFY(!pr.value(u"html_url"_s).toString().isEmpty()); // "open in GitHub"
                for (const QJsonValue &l : pr.value(u"labels"_s).toArray()) {
                    if (l.toObject().value(u"name"_s).toString().startsWith(u"risk:L"_s))
                        level = l.toObject().value(u"name"_s).toString();
                }
            }
            QVERIFY2(!level.isEmpty(), qPrintable(uid + u" (" + sha + u"): no pull request with a release level"_s));
        }
    }

    void instantRollbackRestoresHealthAndPins()
    {
        const QByteArray auth = "Bearer " + m_sandbox.token(u"vercel"_s).toUtf8();
        const QString vercel = m_sandbox.url(u"vercel"_s);
        const auto rb = httpCall("POST", QUrl(vercel + u"/v1/projects/prj_raize_web/rollback/dpl_prev?description=P1%20publish%20failures"_s), auth);
        QCOMPARE(rb.status, 201);
        const auto project = QJsonDocument::fromJson(httpCall("GET", QUrl(vercel + u"/v9/projects/prj_raize_web"_s), auth).body).object();
        QCOMPARE(project[u"targets"_s][u"production"_s][u"id"_s].toString(), u"dpl_prev"_s);
        QCOMPARE(project[u"lastRollbackTarget"_s][u"toDeploymentId"_s].toString(), u"dpl_prev"_s);
        const double restored = secondsUntil([](double r) { return r >= 0 && r < 0.02; }, 25);
        qInfo("Instant Rollback → house publish failures back under 2%% after %.1f s", restored);
        QVERIFY(restored >= 0);
        // Pinned: a new production deployment does not take the domains.
        const auto add = httpCall("POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/vercel/deployments"_s), {},
                                  R"({"uid":"dpl_hotfix","target":"production","sha":"abc"})");
        QCOMPARE(add.status, 201);
        QCOMPARE(QJsonDocument::fromJson(add.body).object().value(u"assignedToProduction"_s).toBool(true), false);
    }

    void stopLeavesNothingBehind()
    {
        const QList<qint64> pids = m_sandbox.pids();
        const QString dir = m_sandbox.stateDir();
        QVERIFY(pids.size() >= 3);
        QVERIFY(QDir(dir).exists());
        m_sandbox.stop();
        for (qint64 pid : pids)
            QVERIFY2(::kill(pid_t(pid), 0) != 0, qPrintable(u"process %1 is still alive"_s.arg(pid)));
        QVERIFY2(!QDir(dir).exists(), qPrintable(dir));
        // PostgreSQL's server, started through pg_ctl, is not in the pid list: check by its data dir.
        QProcess pgrep;
        pgrep.start(u"pgrep"_s, {u"-f"_s, dir});
        pgrep.waitForFinished(5000);
        QVERIFY2(pgrep.readAllStandardOutput().trimmed().isEmpty(), "a process still uses the sandbox's folder");
    }
};

QTEST_GUILESS_MAIN(TestSandboxIntegration)
#include "tst_sandbox_integration.moc"
