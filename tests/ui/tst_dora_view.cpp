// The Metrics view (issue #19, part 3): its five tiles show what
// `raize-console metrics dora --json` prints for the same records and window
// (the hand-computed fixture, tests/data/dora/records.json), it reads live
// records through a DoraCollector (in-process Vercel and GitHub fakes), and it
// says what to do when Vercel is missing or down.

#include "metrics/doraview.h"

#include "release/dora.h"
#include "release/doracollector.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include "core/servicemonitor.h"
#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "net/httpclient.h"
#include "testutil.h"
#include "vercel/vercelfake.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

const QString kVercelToken = u"vercel_test_token_0123456789"_s;
const QString kGitHubToken = u"ghp_testtokentesttokentesttoken"_s;

QDateTime utc(const char *s)
{
    return QDateTime::fromString(QString::fromLatin1(s), Qt::ISODate).toUTC();
}

Release::Dora::Records fixture()
{
    QFile f(QStringLiteral(RAIZE_TEST_DATA_DIR "/dora/records.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const auto r = Release::Dora::Records::fromJson(json::parse(f.readAll().toStdString()));
    return r ? r.value() : Release::Dora::Records{};
}

QString plain(const QString &html)
{
    QString s = html;
    s.replace(u"<br>"_s, u"\n"_s);
    static const QRegularExpression tags(u"<[^>]*>"_s);
    s.remove(tags);
    return s;
}

} // namespace

class TestDoraView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The CLI and the view agree: the same records and window give the same five figures.
    void viewAndCliAgree()
    {
        Ui::DoraView view(nullptr);
        view.resize(1200, 700);
        view.showRecords(fixture(), utc("2026-11-01T00:00:00Z"), utc("2026-11-08T00:00:00Z"));

        QProcess cli;
        cli.start(RaizeTest::consoleBinary(), {u"metrics"_s, u"dora"_s, u"--since"_s, u"2026-11-01"_s, u"--until"_s, u"2026-11-08"_s,
                                          u"--records"_s, QStringLiteral(RAIZE_TEST_DATA_DIR "/dora/records.json"), u"--json"_s});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const json j = json::parse(cli.readAllStandardOutput().toStdString());

        const auto secs = [](const json &v) { return Release::Dora::formatDuration(v.get<double>()); };
        const auto pct = [](const json &v) { return u"%1 %"_s.arg(v.get<double>() * 100.0, 0, 'f', 1); };
        QVERIFY(plain(view.tileText(u"frequency"_s)).contains(u"\n%1\n"_s.arg(j["deploymentFrequency"]["deployments"].get<int>())));
        QVERIFY(plain(view.tileText(u"lead"_s)).contains(secs(j["leadTimeForChanges"]["medianSecs"])));
        QVERIFY(plain(view.tileText(u"lead"_s)).contains(u"merge→prod "_s + secs(j["mergeToProduction"]["medianSecs"])));
        QVERIFY(plain(view.tileText(u"fail"_s)).contains(pct(j["changeFailRate"]["rate"])));
        QVERIFY(plain(view.tileText(u"recovery"_s)).contains(secs(j["failedDeploymentRecoveryTime"]["medianSecs"])));
        QVERIFY(plain(view.tileText(u"rework"_s)).contains(pct(j["deploymentReworkRate"]["rate"])));
        // And those are the hand-computed values (tst_dora.cpp).
        QVERIFY(plain(view.tileText(u"lead"_s)).contains(u"6 h 30 min"_s));
        QVERIFY(plain(view.tileText(u"fail"_s)).contains(u"16.7 %"_s));
        QVERIFY(plain(view.tileText(u"recovery"_s)).contains(u"20 min 00 s"_s));
        QVERIFY(plain(view.tileText(u"rework"_s)).contains(u"33.3 %"_s));

        // A week is charted per day: seven bars of deployments, one of them failed.
        auto *chart = view.findChild<QChartView *>(u"doraDeployChart"_s);
        QVERIFY(chart && chart->chart());
        QCOMPARE(chart->chart()->series().size(), 1);
        auto *notes = view.findChild<QLabel *>(u"doraNotes"_s);
        QVERIFY(notes->text().contains(u"Failed: dpl_a: rolled back by run-1"_s));
        QVERIFY(notes->text().contains(u"Note: 1 incident(s) with no effective rollback"_s));
    }

    void noDeploymentIsNotZeroPercent()
    {
        Ui::DoraView view(nullptr);
        view.showRecords(fixture(), utc("2026-10-01T00:00:00Z"), utc("2026-10-02T00:00:00Z"));
        QVERIFY(plain(view.tileText(u"fail"_s)).contains(u"n/a"_s));
        QVERIFY(!plain(view.tileText(u"fail"_s)).contains(u"0.0 %"_s));
    }

    void withoutVercelItSaysWhatToSet()
    {
        Ui::DoraView view(nullptr);
        QVERIFY(view.findChild<QLabel *>(u"doraStatus"_s)->text().contains(u"set the Vercel token and project in Settings"_s));
    }

    // Live: the collector reads the fakes when the view is first shown; Vercel down says so and keeps the last figures.
    void liveRecordsAndAFailure()
    {
        Sandbox::FaultInjector faults;
        Sandbox::RequestLog log;
        Sandbox::HttpServer vercelServer(u"vercel"_s, &faults, &log), githubServer(u"github"_s, &faults, &log);
        Sandbox::VercelFake vercel(&vercelServer, kVercelToken);
        Sandbox::GitHubFake github(&githubServer, kGitHubToken);
        QVERIFY(vercelServer.listen(0) && githubServer.listen(0));
        vercel.load({{"project", {{"id", "prj_raize_web"}, {"name", "raize-web"}}},
                     {"deployments",
                      json::array({{{"uid", "dpl_1"}, {"target", "production"}, {"sha", std::string(40, 'a')}, {"minutesAgo", 600}},
                                   {{"uid", "dpl_2"}, {"target", "production"}, {"sha", std::string(40, 'b')}, {"minutesAgo", 300}}})}});
        github.load({{"commits", json::array({{{"sha", std::string(40, 'a')}, {"date", "2026-12-01T00:00:00Z"}},
                                              {{"sha", std::string(40, 'b')}, {"date", "2026-12-01T01:00:00Z"}}})},
                     {"pulls", json::array()}});
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Vercel, kVercelToken);
        http.setToken(Service::GitHub, kGitHubToken);
        http.setRetryPolicy({1, 50, 200, 10000});
        Services::VercelClient vc(http, QUrl(vercelServer.baseUrl()), u"prj_raize_web"_s);
        Services::GitHubClient gc(http, QUrl(githubServer.baseUrl()), u"raize"_s, u"platform"_s);
        QTemporaryDir journals;
        Release::DoraCollector::Sources sources;
        sources.vercel = &vc;
        sources.github = &gc;
        sources.journalDirectory = journals.path();
        Release::DoraCollector collector(sources);

        Ui::DoraView view(&collector);
        QSignalSpy refreshed(&view, &Ui::DoraView::refreshed);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 30000);
        QCOMPARE(view.report().deployments, 2);
        QVERIFY(plain(view.tileText(u"frequency"_s)).contains(u"\n2\n"_s));
        // dpl_2 is a direct push: its commit bbbb… is one commit after dpl_1's.
        QCOMPARE(view.report().leadTime.samples.size(), 1);

        QString err;
        faults.add(*Sandbox::FaultRule::fromJson({{"service", "vercel"}, {"mode", "error"}, {"status", 503}}, &err));
        auto *refresh = view.findChild<QPushButton *>(u"doraRefresh"_s);
        QVERIFY(refresh->isEnabled());
        QTest::mouseClick(refresh, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 2, 30000);
        QVERIFY2(view.findChild<QLabel *>(u"doraStatus"_s)->text().contains(u"could not be read"_s),
                 qPrintable(view.findChild<QLabel *>(u"doraStatus"_s)->text()));
        QCOMPARE(view.report().deployments, 2); // the last figures stay
        QVERIFY(refresh->isEnabled());
    }
};

QTEST_MAIN(TestDoraView)
#include "tst_dora_view.moc"
