// `raize-console validate` (issue #19 item 4): the post-release validation resumed headless, as
// after a closed console: a run started earlier is read from its state file, its SLOs from
// Prometheus (a local stub answering query_range with clean counters), and its journal entry goes
// to the GitHub fake's journal branch with a pull request; a second run appends; a run whose
// window is still open is only reported; a damaged state file says what to do. Token from a real
// gnome-keyring, as an operator's.

#include "testutil.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
const QString kToken = u"ghp_validateclitestvalidateclitest0123"_s;
const QString kProfile = u"validatetest"_s;
const QString kKeychain = u"raize-console-validatetest"_s;
const QString kFile = QDateTime::currentDateTimeUtc().toString(u"'docs/journal/'yyyy-MM-dd'.md'"_s);
} // namespace

class TestValidateCli : public QObject
{
    Q_OBJECT

    Raize::Sandbox::FaultInjector m_faults{23};
    Raize::Sandbox::RequestLog m_log;
    std::unique_ptr<Raize::Sandbox::HttpServer> m_server, m_prometheus;
    std::unique_ptr<Raize::Sandbox::GitHubFake> m_github;
    int m_queries = 0;

    struct Run
    {
        int code = -1;
        QString out, err;
    };

    // The fakes answer in this process, so the event loop runs while the CLI works.
    Run run(const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RAIZE_KEYCHAIN_SERVICE"_s, kKeychain);
        p.setProcessEnvironment(env);
        QSignalSpy done(&p, &QProcess::finished);
        p.start(RaizeTest::consoleBinary(), QStringList{args} << u"--profile"_s << kProfile);
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!done.wait(60000))
            p.kill();
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    QString journal() const
    {
        const json f = m_github->branchFile(u"raize/journal"_s, kFile);
        return f.is_string() ? QString::fromStdString(f.get<std::string>()) : QString();
    }

    int puts() const
    {
        int n = 0;
        for (const auto &e : m_log.entries())
            n += e.method == u"PUT"_s;
        return n;
    }

    static QString minutesAgo(int minutes)
    {
        return QDateTime::currentDateTimeUtc().addSecs(-60 * minutes).toString(Qt::ISODate);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The profile's runs from an earlier run of this test (its HOME outlives it).
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/raize-console/"_s + kProfile + u"/validations"_s)
            .removeRecursively();
        m_server = std::make_unique<Raize::Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_github = std::make_unique<Raize::Sandbox::GitHubFake>(m_server.get(), kToken);
        QVERIFY(m_server->listen(0));
        // Prometheus: every counter grows by 100 a minute over the asked range; the "bad" counters stay 0.
        m_prometheus = std::make_unique<Raize::Sandbox::HttpServer>(u"prometheus"_s, &m_faults, &m_log);
        m_prometheus->route("POST", u"/api/v1/query_range"_s, [this](const Raize::Sandbox::HttpRequest &r, const QRegularExpressionMatch &) {
            ++m_queries;
            const QUrlQuery form(QString::fromUtf8(r.body));
            const QString query = form.queryItemValue(u"query"_s, QUrl::FullyDecoded);
            const double start = form.queryItemValue(u"start"_s).toDouble(), end = form.queryItemValue(u"end"_s).toDouble();
            const double step = qMax(1.0, form.queryItemValue(u"step"_s).toDouble());
            const bool bad = query.contains(u"drift_total"_s) || query.contains(u"code=~"_s);
            json values = json::array();
            for (double t = start; t <= end; t += step)
                values.push_back({t, QString::number(bad ? 0.0 : 100.0 * (t - start) / 60.0, 'f', 0).toStdString()});
            const json series = {{"metric", {{"cohort", "house"}, {"lane", "api"}, {"service", "runner"}}}, {"values", values}};
            return Raize::Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "matrix"}, {"result", {series}}}}});
        });
        QVERIFY(m_prometheus->listen(0));
        for (const auto &[key, value] : {std::pair{u"github/apiUrl"_s, m_server->baseUrl()}, std::pair{u"github/owner"_s, u"raize"_s},
                                         std::pair{u"github/repo"_s, u"platform"_s}, std::pair{u"prometheus/url"_s, m_prometheus->baseUrl()},
                                         std::pair{u"profile/sandbox"_s, u"true"_s}}) {
            const Run r = run({u"settings"_s, u"set"_s, key, value});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        const Run stored = run({u"token"_s, u"set"_s, u"github"_s, u"--stdin"_s, u"--keychain-service"_s, kKeychain}, kToken.toUtf8());
        QVERIFY2(stored.code == 0, qPrintable(stored.err));
    }

    // A run started 20 minutes ago (L0: a 15-minute window) is observed and written by `validate`.
    void resumeWritesTheEntryOfAnEndedWindow()
    {
        const Run started = run({u"validate"_s, u"start"_s, u"--deployment"_s, u"dpl_one"_s, u"--level"_s, u"L0"_s, u"--tag"_s, u"v1.4.0"_s,
                                 u"--shipped"_s, u"v1.4.0: #421 Route house accounts through the new publisher"_s, u"--promoted-at"_s,
                                 minutesAgo(20), u"--json"_s});
        QVERIFY2(started.code == 0, qPrintable(started.out + started.err));
        QVERIFY(json::parse(started.out.toStdString())["phase"] == "watching");

        const Run resumed = run({u"validate"_s, u"--no-wait"_s, u"--json"_s});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.out + resumed.err));
        const json out = json::parse(resumed.out.toStdString());
        QCOMPARE(out.size(), std::size_t(1));
        QVERIFY2(out[0]["phase"] == "written", qPrintable(resumed.out));
        QVERIFY2(out[0]["passed"] == true, qPrintable(resumed.out));
        QVERIFY(m_queries > 0);
        const QString text = journal();
        QVERIFY2(text.contains(u"Post-release validation of v1.4.0 (dpl_one) — passed"_s), qPrintable(text));
        QVERIFY(text.contains(u"#421 Route house accounts"_s));
        for (const QString &check : {u"publish_success"_s, u"verification_ttv"_s, u"queue_delay"_s, u"runner_availability"_s, u"browser_drift"_s})
            QVERIFY2(text.contains(check + u" ("_s), qPrintable(check + u" missing:\n"_s + text));
        QVERIFY(QString::fromStdString(out[0]["pullUrl"].get<std::string>()).contains(u"/pull/"_s));
    }

    // A window still open is reported with the time it has left; nothing is written.
    void openWindowIsOnlyReported()
    {
        const Run started = run({u"validate"_s, u"start"_s, u"--deployment"_s, u"dpl_open"_s, u"--level"_s, u"L3"_s});
        QVERIFY2(started.code == 0, qPrintable(started.err));
        const int before = puts();
        const Run r = run({u"validate"_s, u"resume"_s, u"--id"_s, u"dpl_open"_s, u"--no-wait"_s});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"dpl_open: watching, 120 min left"_s), qPrintable(r.out));
        QCOMPARE(puts(), before);
    }

    // A second run appends to the same day's file; the first entry stays as it was.
    void secondRunAppends()
    {
        const QString first = journal();
        QVERIFY(!first.isEmpty());
        QVERIFY(run({u"validate"_s, u"start"_s, u"--deployment"_s, u"dpl_two"_s, u"--level"_s, u"L1"_s, u"--promoted-at"_s, minutesAgo(40)}).code == 0);
        const Run r = run({u"validate"_s, u"resume"_s, u"--id"_s, u"dpl_two"_s});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const QString text = journal();
        QVERIFY(text.startsWith(first));
        QVERIFY(text.mid(first.size()).contains(u"(dpl_two)"_s) || text.mid(first.size()).contains(u"dpl_two"_s));
        const Run list = run({u"validate"_s, u"list"_s, u"--json"_s});
        QVERIFY2(list.code == 0, qPrintable(list.err));
        QCOMPARE(json::parse(list.out.toStdString()).size(), std::size_t(3));
    }

    // A state file cut short is named with what to do; the others still run.
    void damagedStateFileSaysWhatToDo()
    {
        // Settings::dataDirectory(): the CLI runs with this test's HOME and XDG folders.
        const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/raize-console"_s;
        QVERIFY(QFile::exists(base + u'/' + kProfile + u"/validations/dpl_one.json"_s));
        QFile f(base + u'/' + kProfile + u"/validations/dpl_half.json"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"schema\": 1, \"id\": \"dpl_half\", \"pha");
        f.close();
        const Run r = run({u"validate"_s, u"--no-wait"_s});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(u"dpl_half.json"_s) && r.err.contains(u"validate start"_s), qPrintable(r.err));
        QVERIFY(f.remove());
    }

    // DORA's change-fail window is the policy's (records.dora.changeFailWindowHours) unless given.
    void doraChangeFailWindowIsThePolicys()
    {
        QTemporaryDir dir;
        const QString records = dir.filePath(u"records.json"_s), tenant = dir.filePath(u"tenant.json"_s);
        QFile r(records);
        QVERIFY(r.open(QIODevice::WriteOnly));
        r.write("{\"deployments\": [], \"pullRequests\": [], \"rollbacks\": [], \"incidents\": []}");
        r.close();
        QFile t(tenant);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("{\"schema\": \"raize.policy\", \"version\": 1, \"id\": \"t-1\", \"title\": \"t\", \"tenant\": \"t\",\n"
                    "                    \"records\": {\"dora\": {\"changeFailWindowHours\": 36}}}");
        t.close();
        const auto window = [&](const QStringList &extra) {
            const Run m = run(QStringList{u"metrics"_s, u"dora"_s, u"--since"_s, u"30d"_s, u"--records"_s, records, u"--json"_s} + extra);
            if (m.code != 0)
                qWarning("%s", qPrintable(m.out + m.err));
            return m.code == 0 ? json::parse(m.out.toStdString()).value("changeFailWindowHours", -1.0) : -1.0;
        };
        QCOMPARE(window({}), 24.0);
        QVERIFY(run({u"settings"_s, u"set"_s, u"policy/bundlePath"_s, tenant}).code == 0);
        QCOMPARE(window({}), 36.0);
        QCOMPARE(window({u"--change-fail-window"_s, u"12"_s}), 12.0);
        QVERIFY(run({u"settings"_s, u"set"_s, u"policy/bundlePath"_s, QString()}).code == 0);
    }
};

QTEST_GUILESS_MAIN(TestValidateCli)
#include "tst_validate_cli.moc"
