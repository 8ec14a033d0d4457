// The header's live data (issues #5/#6): what is live in each environment,
// read from the Vercel fake through the real client; and degraded mode: when
// Vercel fails, the last good data stays, marked stale, and recovers by itself.

#include "environmentcard.h"
#include "mainwindow.h"

#include "core/clock.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "workspace/workspace.h"
#include "net/httpclient.h"
#include "release/environmentpoller.h"
#include "services/vercel/vercelclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

class TestLiveHeader : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{5};
    Sandbox::RequestLog m_log;

    static json scenario()
    {
        return {{"project", {{"id", "prj_h"}, {"name", "web"}}},
                {"production", "dpl_prod"},
                {"deployments",
                 {{{"uid", "dpl_prev"}, {"target", "production"}, {"state", "READY"}, {"sha", std::string(40, 'b')}, {"minutesAgo", 300}},
                  {{"uid", "dpl_prod"}, {"target", "production"}, {"state", "READY"}, {"sha", std::string(40, 'a')}, {"ref", "main"}, {"minutesAgo", 30}},
                  {{"uid", "dpl_stage"}, {"target", "staging"}, {"state", "READY"}, {"sha", std::string(40, 'c')}, {"minutesAgo", 10}},
                  {{"uid", "dpl_pr7"}, {"target", ""}, {"state", "BUILDING"}, {"sha", std::string(40, 'd')}, {"ref", "feat/x"}, {"minutesAgo", 2}}}}};
    }

private Q_SLOTS:
    void headerShowsWhatIsLiveAndGoesStale()
    {
        Sandbox::HttpServer server(u"vercel"_s, &m_faults, &m_log);
        Sandbox::VercelFake vercel(&server, u"header-token-123456"_s);
        vercel.load(scenario());
        QVERIFY(server.listen(0));

        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Vercel, u"header-token-123456"_s);
        http.setRetryPolicy({2, 20, 50, 1000});
        Services::VercelClient client(http, QUrl(server.baseUrl()), u"prj_h"_s);
        Release::EnvironmentPoller poller(client, 200);
        ManualClock clock(QDateTime::currentDateTimeUtc()); // the snapshot's times: moved by hand below
        poller.setClock(clock);

        Settings settings(u"livehdr"_s);
        TokenStore tokens(u"livehdr"_s, u"raize-console-livehdr"_s);
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        connect(&poller, &Release::EnvironmentPoller::updated, &w, [&] { w.showEnvironments(poller.snapshot()); });
        w.show();
        QSignalSpy updates(&poller, &Release::EnvironmentPoller::updated);
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().hasData(), 5000);

        QVERIFY2(w.environmentCard(u"Production"_s)->liveText().startsWith(u"dpl_prod · aaaaaaa · READY"_s),
                 qPrintable(w.environmentCard(u"Production"_s)->liveText()));
        QVERIFY(w.environmentCard(u"Staging"_s)->liveText().startsWith(u"dpl_stage"_s));
        QVERIFY(w.environmentCard(u"Preview"_s)->liveText().startsWith(u"dpl_pr7 · ddddddd · BUILDING"_s));
        QVERIFY(!poller.snapshot().stale);

        // Vercel goes down: the cards keep the last data and say since when it is stale.
        m_faults.add(*Sandbox::FaultRule::fromJson({{"mode", "error"}, {"status", 503}}, nullptr));
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().stale, 5000);
        QCOMPARE(w.environmentCard(u"Production"_s)->liveText().left(8), u"dpl_prod"_s);
        auto *detail = w.environmentCard(u"Production"_s)->findChild<QLabel *>(u"liveDetail"_s);
        QVERIFY(detail);
        QTRY_VERIFY_WITH_TIMEOUT(detail->text().contains(u"stale since "_s), 2000);
        QCOMPARE(monitor.status(Service::Vercel).state, ServiceStatus::State::Down);
        QCOMPARE(poller.snapshot().lastError.httpStatus, 503);
        const QDateTime staleSince = poller.snapshot().staleSince;
        QCOMPARE(staleSince, clock.nowUtc());
        // A minute later, another failed round: still stale since the first failure, not the latest.
        clock.advanceMs(60'000);
        const int rounds = poller.rounds();
        QTRY_VERIFY_WITH_TIMEOUT(poller.rounds() > rounds, 5000);
        QVERIFY(poller.snapshot().stale);
        QCOMPARE(poller.snapshot().staleSince, staleSince);

        // A rollback happens meanwhile; when Vercel returns, the header catches up by itself.
        m_faults.clear();
        QTRY_VERIFY_WITH_TIMEOUT(!poller.snapshot().stale, 5000);
        QVERIFY(!detail->text().contains(u"stale"_s));
        QCOMPARE(monitor.status(Service::Vercel).state, ServiceStatus::State::Connected);
        QVERIFY(updates.count() >= 3);
    }

    void pinnedProductionIsSaid()
    {
        Sandbox::HttpServer server(u"vercel"_s, &m_faults, &m_log);
        Sandbox::VercelFake vercel(&server, u"header-token-123456"_s);
        vercel.load(scenario());
        QVERIFY(server.listen(0));
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Vercel, u"header-token-123456"_s);
        Services::VercelClient client(http, QUrl(server.baseUrl()), u"prj_h"_s);
        std::optional<Status> rolled;
        client.instantRollback(u"dpl_prev"_s, u"test"_s, [&](const Status &s) { rolled = s; });
        QTRY_VERIFY(rolled.has_value());
        QVERIFY2(rolled->ok(), qPrintable(rolled->error().toString()));

        Release::EnvironmentPoller poller(client, 60000);
        Settings settings(u"livehdr"_s);
        TokenStore tokens(u"livehdr"_s, u"raize-console-livehdr"_s);
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        connect(&poller, &Release::EnvironmentPoller::updated, &w, [&] { w.showEnvironments(poller.snapshot()); });
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().hasData(), 5000);
        QVERIFY(w.environmentCard(u"Production"_s)->liveText().startsWith(u"dpl_prev"_s));
        auto *detail = w.environmentCard(u"Production"_s)->findChild<QLabel *>(u"liveDetail"_s);
        QVERIFY2(detail->text().contains(u"PINNED after rollback from dpl_prod"_s), qPrintable(detail->text()));
    }

    void nothingInventedBeforeTheFirstAnswer()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setRetryPolicy({1, 10, 10, 10});
        // Nothing listens here: the header must say why it knows nothing.
        Services::VercelClient client(http, QUrl(u"http://127.0.0.1:9"_s), u"prj_h"_s);
        Release::EnvironmentPoller poller(client, 60000);
        Settings settings(u"livehdr"_s);
        TokenStore tokens(u"livehdr"_s, u"raize-console-livehdr"_s);
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        connect(&poller, &Release::EnvironmentPoller::updated, &w, [&] { w.showEnvironments(poller.snapshot()); });
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.rounds() > 0, 5000);
        QVERIFY(!poller.snapshot().hasData());
        QCOMPARE(w.environmentCard(u"Production"_s)->liveText(), u"unknown"_s);
        auto *detail = w.environmentCard(u"Production"_s)->findChild<QLabel *>(u"liveDetail"_s);
        QVERIFY2(detail->text().contains(u"Settings"_s), qPrintable(detail->text()));
    }
};

QTEST_MAIN(TestLiveHeader)
#include "tst_live_header.moc"
