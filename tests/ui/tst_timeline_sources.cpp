// The timeline's sources (issue #19 item 1) against small in-process
// services: flag changes made outside the console appear from the flag
// service's event log with who, before and after, once (the audit log's
// record of the same change takes the row over, whichever arrives first);
// the event log is polled with conditional requests; deployments of the
// runner's Vercel project land in the runner lane, a production change made
// outside the console is shown as such; a failed or late poll marks the
// timeline "stale since" (issue #19 item 2). Then "what changed": the panel's
// model under QAbstractItemModelTester, its rows opening where the change
// lives, and the page banner's button.

#include "testutil.h"

#include "alerts/pagebanner.h"
#include "core/clock.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "records/auditlog.h"
#include "release/alertcenter.h"
#include "release/staleness.h"
#include "services/flags/flageventlog.h"
#include "services/vercel/vercelclient.h"
#include "slo/sloview.h"
#include "timeline/timelinecanvas.h"
#include "timeline/timelinefeed.h"
#include "timeline/timelineview.h"
#include "timeline/whatchangedmodel.h"
#include "timeline/whatchangedpanel.h"
#include "widgets/stalelabel.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;
using json = nlohmann::json;
using Raize::Sandbox::HttpResponse;

namespace {

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

json toggleEvent(int id, const QString &type, qint64 ms, const QString &by)
{
    return {{"id", id}, {"type", type.toStdString()}, {"createdBy", by.toStdString()}, {"createdAt", iso(ms).toStdString()},
            {"featureName", "publishing.v2"}, {"project", "default"}, {"environment", "production"}, {"data", nullptr}, {"preData", nullptr}};
}

json vercelDeployment(const QString &id, const QString &target, qint64 created, const QString &pr = {})
{
    return {{"uid", id.toStdString()}, {"name", "raize-runner"}, {"url", QString(id + u".vercel.app"_s).toStdString()}, {"created", created},
            {"state", "READY"}, {"readyState", "READY"}, {"target", target.isEmpty() ? json(nullptr) : json(target.toStdString())},
            {"meta", {{"githubCommitSha", "abc1234def"}, {"githubCommitRef", "main"}, {"githubPrId", pr.toStdString()}}}};
}

void shot(QWidget *w, const QString &name)
{
    const QString dir = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QApplication::processEvents();
    QVERIFY(w->grab().save(dir + u'/' + name));
}

int rowsOf(const TimelineModel &model, TimelineEvent::Kind kind)
{
    int n = 0;
    for (const TimelineEvent &e : model.events())
        n += e.kind == kind ? 1 : 0;
    return n;
}

const TimelineEvent *find(const TimelineModel &model, const QString &titlePart)
{
    for (const TimelineEvent &e : model.events()) {
        if (e.title.contains(titlePart))
            return &e;
    }
    return nullptr;
}

} // namespace

class TestTimelineSources : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults;
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_flags, m_vercel;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    json m_events = json::array();
    int m_eventStatus = 200;
    int m_eventRequests = 0, m_notModified = 0;
    json m_runnerDeployments = json::array();
    json m_runnerProduction = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        m_flags = std::make_unique<Sandbox::HttpServer>(u"flags"_s, &m_faults, &m_log);
        // Unleash's event search, newest first, with an ETag as Express sends one.
        m_flags->route("GET", u"/api/admin/search/events"_s, [this](const Sandbox::HttpRequest &r, const QRegularExpressionMatch &) {
            ++m_eventRequests;
            if (m_eventStatus != 200)
                return m_flags->error(m_eventStatus, u"InternalError"_s, u"the database is not answering"_s);
            if (r.queryValue(u"project"_s) != u"IS:default"_s)
                return m_flags->error(400, u"ValidationError"_s, u"project must be IS:<project>"_s);
            const QByteArray body = QByteArray::fromStdString(json{{"events", m_events}, {"total", m_events.size()}}.dump());
            const QByteArray etag = "W/\"" + QByteArray::number(qHash(body), 16) + '"';
            if (r.header("if-none-match") == etag) {
                ++m_notModified;
                HttpResponse notModified = HttpResponse::empty(304);
                notModified.setHeader("ETag", etag);
                return notModified;
            }
            HttpResponse ok = HttpResponse::json(200, json::parse(body.toStdString()));
            ok.setHeader("ETag", etag);
            return ok;
        });
        QVERIFY(m_flags->listen());
        m_vercel = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_vercel->route("GET", u"/v6/deployments"_s, [this](const Sandbox::HttpRequest &r, const QRegularExpressionMatch &) {
            const json list = r.queryValue(u"projectId"_s) == u"prj_runner"_s ? m_runnerDeployments : json::array();
            return HttpResponse::json(200, {{"deployments", list}, {"pagination", {{"count", list.size()}, {"next", nullptr}, {"prev", nullptr}}}});
        });
        m_vercel->route("GET", u"/v9/projects/([^/]+)"_s, [this](const Sandbox::HttpRequest &, const QRegularExpressionMatch &m) {
            const bool runner = m.captured(1) == u"prj_runner"_s;
            return HttpResponse::json(200, {{"id", m.captured(1).toStdString()}, {"name", m.captured(1).toStdString()},
                                            {"targets", {{"production", runner ? m_runnerProduction : json(nullptr)}}}});
        });
        QVERIFY(m_vercel->listen());
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        Net::RetryPolicy fast;
        fast.maxAttempts = 1; // a failed poll fails now; the next poll is the retry
        m_http->setRetryPolicy(fast);
    }

    void init()
    {
        m_events = json::array();
        m_eventStatus = 200;
        m_eventRequests = m_notModified = 0;
        m_runnerDeployments = json::array();
        m_runnerProduction = nullptr;
        m_http->forgetCached(QString());
    }

    // A flag turned on outside the console: who, before and after, from the event log; then the
    // console's own audit record of a change takes its row (its actor wins), and an unchanged log costs a 304.
    void flagChangesFromTheEventLog()
    {
        QTemporaryDir dir;
        const QString auditPath = dir.filePath(u"audit.jsonl"_s);
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Services::FlagEventLog log(*m_http, u"unleash"_s, QUrl(m_flags->baseUrl()), u"default"_s, QUrl(u"http://unleash.test"_s));
        TimelineFeed feed(&model, nullptr, auditPath, QString(), 200);
        feed.setFlagEventLog(&log, log.kind());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_events = json::array({toggleEvent(7, u"feature-environment-enabled"_s, now - 60000, u"admin-token"_s)});
        feed.start();
        QTRY_COMPARE(rowsOf(model, TimelineEvent::Kind::FlagChange), 1);
        const TimelineEvent *outside = find(model, u"publishing.v2"_s);
        QVERIFY(outside);
        QCOMPARE(outside->title, u"publishing.v2: off → on (production)"_s);
        QVERIFY2(outside->detail.startsWith(u"by admin-token"_s), qPrintable(outside->detail));
        QCOMPARE(outside->environment, u"Production"_s); // in the Production lane
        QCOMPARE(outside->url, u"http://unleash.test/projects/default/features/publishing.v2"_s);
        QCOMPARE(feed.changes().size(), 1);

        // Unchanged: the next polls are answered 304 from the ETag cache, and add nothing.
        QTRY_VERIFY(m_notModified >= 2);
        QCOMPARE(model.rowCount(), 1);

        // The console's audit record of the same change, a second later: one row, the operator's name.
        {
            Records::AuditLog audit(auditPath);
            Records::AuditRecord r;
            r.time = QDateTime::fromMSecsSinceEpoch(now - 59000, Qt::UTC);
            r.actor = u"ana@raize.example"_s;
            r.action = u"flag.toggle.confirmed"_s;
            r.target = u"publishing.v2@production"_s;
            r.service = u"unleash"_s;
            r.before = {{"enabled", false}, {"scope", "global"}};
            r.after = {{"enabled", true}, {"scope", "global"}};
            QVERIFY(audit.append(r));
        }
        QTRY_VERIFY(model.event(0).detail.contains(u"ana@raize.example"_s));
        QCOMPARE(model.rowCount(), 1);
        QVERIFY2(model.event(0).detail.contains(u"also recorded by the flag service (as admin-token)"_s), qPrintable(model.event(0).detail));
        QCOMPARE(model.event(0).url, u"http://unleash.test/projects/default/features/publishing.v2"_s); // still opens the flag service
        QCOMPARE(feed.changes().size(), 1);
        QCOMPARE(feed.changes().first().actor, u"ana@raize.example"_s);

        // The other order: the console's record first, the event log's 2 s later: still one row.
        {
            Records::AuditLog audit(auditPath);
            Records::AuditRecord r;
            r.time = QDateTime::fromMSecsSinceEpoch(now - 30000, Qt::UTC);
            r.actor = u"ana@raize.example"_s;
            r.action = u"flag.toggle.confirmed"_s;
            r.target = u"publishing.v2@production"_s;
            r.service = u"unleash"_s;
            r.before = {{"enabled", true}};
            r.after = {{"enabled", false}};
            QVERIFY(audit.append(r));
        }
        QTRY_COMPARE(rowsOf(model, TimelineEvent::Kind::FlagChange), 2);
        const int requests = m_eventRequests;
        m_events.insert(m_events.begin(), toggleEvent(8, u"feature-environment-disabled"_s, now - 28000, u"admin-token"_s));
        QTRY_VERIFY(m_eventRequests >= requests + 2);
        QCOMPARE(rowsOf(model, TimelineEvent::Kind::FlagChange), 2);
        QCOMPARE(feed.changes().size(), 2);

        // A third change nobody in the console made: a row of its own.
        m_events.insert(m_events.begin(), toggleEvent(9, u"feature-environment-enabled"_s, now - 5000, u"ops-script"_s));
        QTRY_COMPARE(rowsOf(model, TimelineEvent::Kind::FlagChange), 3);
        QVERIFY(find(model, u"publishing.v2: off → on"_s));
        QCOMPARE(feed.changes().size(), 3);
        QVERIFY(feed.lastError().isEmpty());
        QVERIFY(!feed.staleSince().isValid());
    }

    // The runner's Vercel project in the runner lane; production changed outside the console.
    void runnerDeploymentsInTheirLane()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_runnerDeployments = json::array({vercelDeployment(u"dpl_run1"_s, u"production"_s, now - 600000)});
        m_runnerProduction = vercelDeployment(u"dpl_run1"_s, u"production"_s, now - 600000);
        m_runnerProduction["id"] = "dpl_run1";
        Services::VercelClient web(*m_http, QUrl(m_vercel->baseUrl()), u"prj_web"_s);
        Services::VercelClient runner(*m_http, QUrl(m_vercel->baseUrl()), u"prj_runner"_s);
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TimelineFeed feed(&model, &web, QString(), u"https://vercel.test/raize"_s, 200);
        feed.addServiceProject(u"runner"_s, &runner);
        feed.start();
        QTRY_COMPARE(model.laneRows(u"runner"_s).size(), 1);
        QVERIFY(model.laneRows(u"web"_s).isEmpty());
        const TimelineEvent &run1 = model.event(model.laneRows(u"runner"_s).first());
        QCOMPARE(run1.title, u"dpl_run1 READY"_s);
        QCOMPARE(run1.environment, u"Production"_s);
        QCOMPARE(run1.url, u"https://vercel.test/raize/dpl_run1"_s);

        // Someone promotes dpl_run2 from Vercel's dashboard: a promotion "by: outside the console".
        m_runnerDeployments.insert(m_runnerDeployments.begin(), vercelDeployment(u"dpl_run2"_s, u"production"_s, now - 1000));
        m_runnerProduction = vercelDeployment(u"dpl_run2"_s, u"production"_s, now - 1000);
        m_runnerProduction["id"] = "dpl_run2";
        QTRY_COMPARE(rowsOf(model, TimelineEvent::Kind::Promotion), 1);
        const TimelineEvent *promotion = find(model, u"production now dpl_run2"_s);
        QVERIFY(promotion);
        QCOMPARE(promotion->title, u"runner production now dpl_run2 (was dpl_run1)"_s);
        QCOMPARE(promotion->service, u"runner"_s);
        QVERIFY(promotion->detail.contains(u"by: outside the console"_s));
        QVERIFY(promotion->detail.contains(u"two changes between two polls show as one"_s));
        QCOMPARE(model.laneRows(u"runner"_s).size(), 3); // two deployments and the promotion
    }

    // A failed poll marks the timeline stale since then; a good one clears it; data older than
    // twice the interval is stale too (a poll that never ends).
    void staleSinceAfterAFailedOrLatePoll()
    {
        ManualClock clock(QDateTime::currentDateTimeUtc());
        TimelineView view;
        Services::FlagEventLog log(*m_http, u"unleash"_s, QUrl(m_flags->baseUrl()), u"default"_s);
        TimelineFeed feed(view.model(), nullptr, QString(), QString(), 60000); // polls only when the test says so
        feed.setClock(clock);
        feed.setFlagEventLog(&log, log.kind());
        connect(&feed, &TimelineFeed::staleChanged, &view, &TimelineView::setStaleSince);
        connect(&feed, &TimelineFeed::polled, &view, &TimelineView::setSourceStatus);
        QSignalSpy polled(&feed, &TimelineFeed::polled);
        QSignalSpy stale(&feed, &TimelineFeed::staleChanged);
        feed.refresh();
        QTRY_COMPARE(polled.size(), 1);
        QVERIFY(!feed.staleSince().isValid());
        QVERIFY(view.staleLabel()->isHidden());

        m_eventStatus = 500;
        clock.advanceMs(5000);
        const QDateTime failedAt = clock.nowUtc();
        feed.refresh();
        QTRY_COMPARE(polled.size(), 2);
        QCOMPARE(feed.staleSince(), failedAt);
        QCOMPARE(stale.size(), 1);
        QVERIFY(!view.staleLabel()->isHidden());
        QCOMPARE(view.staleLabel()->text(), Release::staleSinceText(failedAt));
        QVERIFY2(view.staleLabel()->toolTip().contains(u"flag service"_s), qPrintable(view.staleLabel()->toolTip()));
        // Still failing later: stale since the first failure.
        clock.advanceMs(5000);
        feed.refresh();
        QTRY_COMPARE(polled.size(), 3);
        QCOMPARE(feed.staleSince(), failedAt);

        m_eventStatus = 200;
        feed.refresh();
        QTRY_COMPARE(polled.size(), 4);
        QVERIFY(!feed.staleSince().isValid());
        QVERIFY(view.staleLabel()->isHidden());

        // No answer for over twice the interval (the clock moves, nothing polls): stale since then.
        const QDateTime lastGood = clock.nowUtc();
        clock.advanceMs(2 * 60000 + 1000);
        m_eventStatus = 503;
        feed.refresh(); // checks the age first, then polls (and fails)
        QCOMPARE(feed.staleSince(), lastGood.addMSecs(2 * 60000));
        QTRY_COMPARE(polled.size(), 5);
        QCOMPARE(feed.staleSince(), lastGood.addMSecs(2 * 60000)); // the failure does not move it
    }

    // "What changed" as a table: ranked, under the model tester; a row opens where the change lives.
    void whatChangedPanel()
    {
        const qint64 onset = QDateTime(QDate(2026, 11, 25), QTime(10, 0), Qt::UTC).toMSecsSinceEpoch();
        Release::Change culprit;
        culprit.timeMs = onset - 20 * 60000;
        culprit.kind = Release::Change::Kind::FlagChange;
        culprit.origin = Release::Change::Origin::FlagService;
        culprit.actor = u"admin-token"_s;
        culprit.flag = u"publishing.v2"_s;
        culprit.environment = u"production"_s;
        culprit.cohorts = {u"house"_s};
        culprit.title = u"publishing.v2: off → on (production)"_s;
        culprit.url = u"http://unleash.test/projects/default/features/publishing.v2"_s;
        Release::Change other = culprit;
        other.timeMs = onset - 5 * 60000;
        other.flag = u"editor.autosave"_s;
        other.cohorts = {u"lowrisk"_s};
        other.title = u"editor.autosave: off → on (production)"_s;
        other.url = u"http://unleash.test/projects/default/features/editor.autosave"_s;
        Release::PageScope scope;
        scope.cohorts = {u"house"_s};
        scope.flags = {u"publishing.v2"_s};

        WhatChangedPanel panel;
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.resize(1000, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(panel.model()->rowCount(), 0);
        panel.rank({other, culprit}, scope, onset, 3600000, u"the page for House accounts"_s);
        QCOMPARE(panel.model()->rowCount(), 2);
        QCOMPARE(panel.model()->index(0, WhatChangedModel::What).data().toString(), culprit.title);
        QCOMPARE(panel.model()->index(0, WhatChangedModel::Who).data().toString(), u"admin-token"_s);
        QCOMPARE(panel.model()->index(0, WhatChangedModel::Why).data().toString(),
                 u"same flag publishing.v2 · same cohort house · 20 min before the onset"_s);
        QCOMPARE(panel.model()->index(1, WhatChangedModel::What).data().toString(), other.title);
        QVERIFY2(panel.caption().contains(u"2 changes"_s) && panel.caption().contains(u"2026-11-25 10:00"_s), qPrintable(panel.caption()));
        if (!qEnvironmentVariable("RAIZE_SCREENSHOT_DIR").isEmpty()) {
            // The bad-L3 page with its distractors, for docs/screenshots.
            Release::Change tools;
            tools.timeMs = onset - 2 * 60000;
            tools.kind = Release::Change::Kind::Deployment;
            tools.origin = Release::Change::Origin::Vercel;
            tools.environment = u"Production"_s;
            tools.service = u"tools"_s;
            tools.deploymentId = u"dpl_tools_9"_s;
            tools.title = u"dpl_tools_9 READY"_s;
            tools.actor = u"release-bot"_s;
            Release::Change early = culprit;
            early.timeMs = onset - 61 * 60000;
            Release::Change promoted;
            promoted.timeMs = onset - 45 * 60000;
            promoted.kind = Release::Change::Kind::Promotion;
            promoted.origin = Release::Change::Origin::AuditLog;
            promoted.environment = u"Production"_s;
            promoted.service = u"runner"_s;
            promoted.deploymentId = u"dpl_live"_s;
            promoted.actor = u"ana@raize.example"_s;
            promoted.title = u"vercel.promote dpl_live"_s;
            Release::PageScope page = scope;
            page.service = u"runner"_s;
            page.deploymentId = u"dpl_live"_s;
            WhatChangedPanel full;
            full.resize(1300, 260);
            full.rank({other, tools, culprit, early, promoted}, page, onset, 3600000, u"the page for House accounts"_s);
            full.show();
            QVERIFY(QTest::qWaitForWindowExposed(&full));
            shot(&full, u"what-changed.png"_s);
        }

        QList<QUrl> opened;
        TimelineCanvas::setUrlOpener([&opened](const QUrl &url) { opened << url; });
        QTableView *table = panel.table();
        // Enter on a row (a double-click activates the same way).
        table->setCurrentIndex(panel.model()->index(0, WhatChangedModel::What));
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(opened.value(0), QUrl(culprit.url));

        // The timeline's list opens a row where it lives too.
        TimelineView view;
        TimelineEvent e;
        e.timeMs = onset;
        e.kind = TimelineEvent::Kind::FlagChange;
        e.environment = u"Production"_s;
        e.title = culprit.title;
        e.url = culprit.url;
        view.model()->append({e});
        view.resize(1000, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.list()->setCurrentIndex(view.list()->model()->index(0, TimelineModel::Title));
        QTest::keyClick(view.list(), Qt::Key_Return);
        QCOMPARE(opened.size(), 2);
        QCOMPARE(opened.value(1), QUrl(culprit.url));
        TimelineCanvas::setUrlOpener({});

        panel.rank({other, culprit}, scope, onset + 24 * 3600000LL, 3600000, u"a later page"_s);
        QCOMPARE(panel.model()->rowCount(), 0);
        QVERIFY2(panel.caption().contains(u"Nothing the console can see changed then"_s), qPrintable(panel.caption()));
    }

    // The page banner offers "What changed…" where a view listens, and names the alert.
    void pageBannerAsksWhatChanged()
    {
        ManualClock clock;
        Release::AlertCenter alerts(clock);
        PageBanner banner(alerts);
        banner.resize(900, 80);
        banner.show();
        Release::Alert a;
        a.id = u"page:house"_s;
        a.severity = u"page"_s;
        a.trigger = u"error budget burning at page level"_s;
        a.scope = u"cohort House accounts"_s;
        alerts.update(u"slo"_s, {a});
        QVERIFY(banner.whatChangedButton()->isHidden()); // nobody listens: no button that does nothing
        QSignalSpy asked(&banner, &PageBanner::whatChangedRequested);
        alerts.update(u"slo"_s, {});
        alerts.update(u"slo"_s, {a});
        QVERIFY(!banner.whatChangedButton()->isHidden());
        QTest::mouseClick(banner.whatChangedButton(), Qt::LeftButton);
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.first().first().toString(), u"page:house"_s);
    }

    // The SLOs and Promotion views' marks are the same label.
    void sloViewStaleMark()
    {
        SloView slo;
        auto *label = slo.findChild<StaleLabel *>(u"sloStale"_s);
        QVERIFY(label);
        QVERIFY(label->isHidden());
        const QDateTime since(QDate(2026, 11, 25), QTime(9, 58), Qt::UTC);
        label->setTimeZone(QTimeZone("Europe/Berlin"));
        slo.setStaleSince(since, u"flag service: connection refused"_s);
        QVERIFY(!label->isHidden());
        QCOMPARE(label->text(), u"Stale since 10:58 CET"_s);
        QVERIFY(label->toolTip().contains(u"connection refused"_s));
        slo.setStaleSince({});
        QVERIFY(label->isHidden());
    }
};

QTEST_MAIN(TestTimelineSources)
#include "tst_timeline_sources.moc"
