// The timeline on the release sandbox (issue #19, acceptance): a flag toggled
// directly through Unleash's admin API (not the console) appears within one
// poll with who, before and after; a deployment of the runner service appears
// in the runner lane; stopping Unleash (SIGSTOP: it stops answering, as a hung
// server does) marks the timeline and the SLOs view "stale since", and they
// clear when it answers again. One sandbox for the whole binary.
// With RAIZE_SCREENSHOT_DIR set it writes the timeline with external events.

#include "livedata.h"
#include "mainwindow.h"
#include "slo/sloview.h"
#include "timeline/timelinecanvas.h"
#include "timeline/timelinefeed.h"
#include "timeline/timelineview.h"
#include "widgets/stalelabel.h"

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "workspace/workspace.h"

#include "sandboxfixture.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {
constexpr int PollMs = 3000; // the Vercel fake allows 120 calls a minute; a round makes 4

const Ui::TimelineEvent *findEvent(const Ui::TimelineModel &model, const QString &title)
{
    for (const Ui::TimelineEvent &e : model.events()) {
        if (e.title == title)
            return &e;
    }
    return nullptr;
}
} // namespace

class TestTimelineSandbox : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    QTemporaryDir m_dir;
    qint64 m_unleashPid = 0;
    bool m_unleashStopped = false;

    void shot(QWidget *w, const QString &name)
    {
        const QString dir = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QApplication::processEvents();
        QVERIFY(w->grab().save(dir + u'/' + name));
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString err = m_sandbox.start(u"good-canary"_s);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        // The first of the sandbox's pids is Unleash (tools/sandbox/sandbox.sh).
        QVERIFY(!m_sandbox.pids().isEmpty());
        m_unleashPid = m_sandbox.pids().first();
    }

    void cleanupTestCase()
    {
        if (m_unleashStopped)
            ::kill(pid_t(m_unleashPid), SIGCONT);
        m_sandbox.stop();
    }

    void changesFromTheirSources()
    {
        Settings settings(u"timeline-sandbox"_s, m_dir.path());
        settings.setValue(SettingKey::ProfileIsSandbox, true);
        settings.setValue(SettingKey::VercelBaseUrl, m_sandbox.url(u"vercel"_s));
        settings.setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        settings.setValue(SettingKey::VercelServiceProjects, u"runner=prj_raize_runner"_s);
        settings.setValue(SettingKey::GitHubApiUrl, m_sandbox.url(u"github"_s));
        settings.setValue(SettingKey::GitHubOwner, u"raize"_s);
        settings.setValue(SettingKey::GitHubRepo, u"platform"_s);
        settings.setValue(SettingKey::FlagsUrl, m_sandbox.url(u"unleash"_s));
        settings.setValue(SettingKey::PrometheusUrl, m_sandbox.url(u"prometheus"_s));
        settings.setValue(SettingKey::NetTimeoutMs, 1500);
        settings.setValue(SettingKey::AuditLogPath, m_dir.filePath(u"audit.jsonl"_s));
        TokenStore tokens(u"timeline-sandbox"_s, u"raize-console-timelinetest"_s);
        ServiceMonitor monitor;
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow window(workspace);
        Ui::TimelineView timeline;
        QAbstractItemModelTester tester(timeline.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Ui::SloView slo;
        Ui::LiveData live(workspace, window, nullptr);
        live.setTimelineView(&timeline);
        live.setSloView(&slo);
        live.setTimelineIntervalMs(PollMs);
        workspace.openWithTokens({{Service::Vercel, m_sandbox.token(u"vercel"_s)},
                                  {Service::GitHub, m_sandbox.token(u"github"_s)},
                                  {Service::Flags, m_sandbox.token(u"unleashAdmin"_s)},
                                  {Service::FlagsClient, m_sandbox.token(u"unleashClient"_s)}});
        QVERIFY(live.timelineFeed());
        QTRY_VERIFY_WITH_TIMEOUT(live.timelineFeed()->rounds() >= 1, 20000);
        QVERIFY2(live.timelineFeed()->lastError().isEmpty(), qPrintable(live.timelineFeed()->lastError()));
        QVERIFY(timeline.staleLabel()->isHidden());

        // A flag turned on straight through Unleash's admin API, as a colleague would.
        const QString flag = u"engagement.auto-reply"_s;
        const QString title = flag + u": off → on (production)"_s;
        QVERIFY(!findEvent(*timeline.model(), title));
        const auto on = RaizeTest::httpCall("POST", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/"_s + flag
                                                         + u"/environments/production/on"_s),
                                            m_sandbox.token(u"unleashAdmin"_s).toUtf8());
        QVERIFY2(on.status == 200, qPrintable(u"%1 %2"_s.arg(on.status).arg(QString::fromUtf8(on.body))));
        QElapsedTimer toggled;
        toggled.start();
        const int roundsAtToggle = live.timelineFeed()->rounds();
        QTRY_VERIFY_WITH_TIMEOUT(findEvent(*timeline.model(), title), 3 * PollMs);
        // Within one poll: at most the round under way when it was toggled and the next one.
        QVERIFY2(live.timelineFeed()->rounds() <= roundsAtToggle + 2, qPrintable(u"%1 rounds"_s.arg(live.timelineFeed()->rounds() - roundsAtToggle)));
        qInfo("flag toggled outside the console: on the timeline after %lld ms (poll every %d ms)", toggled.elapsed(), PollMs);
        const Ui::TimelineEvent *event = findEvent(*timeline.model(), title);
        QCOMPARE(event->kind, Ui::TimelineEvent::Kind::FlagChange);
        QCOMPARE(event->environment, u"Production"_s);
        QVERIFY2(event->detail.startsWith(u"by "_s) && !event->detail.contains(u"did not say"_s), qPrintable(event->detail));
        QVERIFY2(event->url.endsWith(u"/projects/default/features/"_s + flag), qPrintable(event->url));
        bool inChanges = false;
        for (const Release::Change &c : live.timelineFeed()->changes())
            inChanges = inChanges || (c.flag == flag && c.before == u"off"_s && c.after == u"on"_s && c.origin == Release::Change::Origin::FlagService);
        QVERIFY(inChanges);

        // A deployment of the runner service, in the runner lane.
        const auto deployed = RaizeTest::httpCall(
            "POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/vercel/deployments"_s), {},
            R"({"uid":"dpl_runner_7","project":"prj_raize_runner","target":"production","state":"READY","sha":"7a7b7c7d","ref":"main"})");
        QCOMPARE(deployed.status, 201);
        QTRY_VERIFY_WITH_TIMEOUT(findEvent(*timeline.model(), u"dpl_runner_7 READY"_s), 3 * PollMs);
        const Ui::TimelineEvent *runner = findEvent(*timeline.model(), u"dpl_runner_7 READY"_s);
        QCOMPARE(runner->service, u"runner"_s);
        QCOMPARE(runner->environment, u"Production"_s);
        bool inLane = false;
        for (int row : timeline.model()->laneRows(u"runner"_s))
            inLane = inLane || timeline.model()->event(row).title == runner->title;
        QVERIFY(inLane);
        for (int row : timeline.model()->laneRows(u"web"_s))
            QVERIFY(!timeline.model()->event(row).title.startsWith(u"dpl_runner_7"_s));
        timeline.resize(1400, 800);
        timeline.show();
        QVERIFY(QTest::qWaitForWindowExposed(&timeline));
        timeline.canvas()->fitAll();
        shot(&timeline, u"timeline-external-events.png"_s);

        // Unleash stops answering: the timeline and the SLOs view say since when their data is stale.
        auto *sloStale = slo.findChild<Ui::StaleLabel *>(u"sloStale"_s);
        QVERIFY(sloStale && sloStale->isHidden());
        QVERIFY(::kill(pid_t(m_unleashPid), SIGSTOP) == 0);
        m_unleashStopped = true;
        QElapsedTimer stopped;
        stopped.start();
        QTRY_VERIFY_WITH_TIMEOUT(!timeline.staleLabel()->isHidden(), 20000);
        QVERIFY2(timeline.staleLabel()->text().startsWith(u"Stale since "_s), qPrintable(timeline.staleLabel()->text()));
        qInfo("timeline stale %lld ms after Unleash stopped: %s", stopped.elapsed(), qPrintable(timeline.staleLabel()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!sloStale->isHidden(), 40000);
        QVERIFY2(sloStale->text().startsWith(u"Stale since "_s), qPrintable(sloStale->text()));
        QVERIFY2(sloStale->toolTip().contains(u"flag service"_s), qPrintable(sloStale->toolTip()));
        qInfo("SLOs view stale %lld ms after Unleash stopped: %s", stopped.elapsed(), qPrintable(sloStale->text()));

        // It answers again: current again.
        QVERIFY(::kill(pid_t(m_unleashPid), SIGCONT) == 0);
        m_unleashStopped = false;
        QTRY_VERIFY_WITH_TIMEOUT(timeline.staleLabel()->isHidden(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(sloStale->isHidden(), 40000);
    }
};

QTEST_MAIN(TestTimelineSandbox)
#include "tst_timeline_sandbox.moc"
