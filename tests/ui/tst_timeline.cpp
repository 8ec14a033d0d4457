// The release timeline (issue #7, part 1): the model under
// QAbstractItemModelTester with batched inserts, lanes in time order,
// filters, zoom and pan with mouse and keyboard, hover details and the click
// that opens GitHub or Vercel.

#include "testutil.h"

#include "records/auditlog.h"
#include "timeline/timelinecanvas.h"
#include "timeline/timelinefeed.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;

namespace {
constexpr qint64 Minute = 60'000;
const qint64 T0 = QDateTime(QDate(2026, 11, 25), QTime(9, 0), Qt::UTC).toMSecsSinceEpoch();

TimelineEvent ev(qint64 t, TimelineEvent::Kind kind, const QString &env, const QString &service, std::optional<Release::Level> level,
                 const QString &title, const QString &url = {})
{
    TimelineEvent e;
    e.timeMs = t;
    e.kind = kind;
    e.environment = env;
    e.service = service;
    e.level = level;
    e.title = title;
    e.url = url;
    e.detail = u"commit a1b2c3d · #412"_s;
    e.state = u"READY"_s;
    return e;
}

QList<TimelineEvent> sample()
{
    using K = TimelineEvent::Kind;
    return {
        ev(T0 + 30 * Minute, K::Promotion, u"Production"_s, u"web"_s, Release::Level::L3, u"dpl_rc promoted"_s, u"https://vercel.test/dpl_rc"_s),
        ev(T0, K::Deployment, u"Staging"_s, u"web"_s, Release::Level::L2, u"dpl_stage READY"_s, u"https://vercel.test/dpl_stage"_s),
        ev(T0 + 10 * Minute, K::FlagChange, u"Production"_s, u"runner"_s, Release::Level::L3, u"publishing.x ON for house"_s),
        ev(T0 + 20 * Minute, K::Deployment, u"Preview"_s, u"tools"_s, Release::Level::L1, u"dpl_pr430 READY"_s,
           u"https://github.test/pull/430"_s),
    };
}
} // namespace

class TestTimeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A rollback's audit records become timeline events of the right kind (issue #7 part 1: rollbacks, incidents, checks).
    void rollbackRecordsOnTheTimeline()
    {
        QTemporaryDir dir;
        Records::AuditLog log(dir.filePath(u"audit.jsonl"_s));
        const QList<std::tuple<QString, QString, nlohmann::json>> records = {
            {u"rollback.start"_s, u"run1"_s, {{"priority", "P0"}}},
            {u"flag.disable"_s, u"publishing.enabled"_s, {{"enabled", false}}},
            {u"vercel.instant-rollback"_s, u"dpl_prev"_s, {{"summary", "accepted"}}},
            {u"rollback.post-check"_s, u"checks"_s, {{"summary", "7 passed"}}},
            {u"github.incident"_s, u"P0 incident"_s, {{"number", 7}, {"url", "https://github.test/raize/platform/issues/7"}}},
            {u"journal.entry"_s, u"2026-11-25"_s, {{"summary", "appended"}}},
            {u"settings.change"_s, u"net/timeoutMs"_s, {{"value", 3000}}},
        };
        for (const auto &[action, target, after] : records) {
            Records::AuditRecord r;
            r.actor = u"oncall"_s;
            r.action = action;
            r.target = target;
            r.service = u"console"_s;
            r.after = after;
            QVERIFY(log.append(r));
        }
        const QList<TimelineEvent> events = TimelineFeed::fromAudit(log.path());
        using K = TimelineEvent::Kind;
        QList<K> kinds;
        for (const TimelineEvent &e : events)
            kinds << e.kind;
        QCOMPARE(kinds, (QList<K>{K::Rollback, K::FlagChange, K::Rollback, K::CheckResult, K::Incident, K::Journal}));
        QCOMPARE(events[4].url, u"https://github.test/raize/platform/issues/7"_s);
        QCOMPARE(events[4].environment, u"Production"_s);
        QVERIFY(events[1].detail.contains(u"oncall"_s));
    }

    // The feed reads the audit log from where it stopped: appended records come
    // in on the next poll once each, a half-written last line waits until it is
    // whole, and a replaced log is read again without duplicating what is shown.
    void feedReadsTheAuditLogIncrementally()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"audit.jsonl"_s);
        const auto appendFlag = [](Records::AuditLog &log, const QString &flag) {
            Records::AuditRecord r;
            r.actor = u"oncall"_s;
            r.action = u"flag.disable"_s;
            r.target = flag;
            r.service = u"unleash"_s;
            r.reason = u"P1 publish failures"_s;
            r.after = {{"enabled", false}};
            return bool(log.append(r));
        };
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TimelineFeed feed(&model, nullptr, path, QString(), 3600000);
        feed.refresh();
        QCOMPARE(model.rowCount(), 0); // no log yet

        Records::AuditLog log(path);
        QVERIFY(appendFlag(log, u"publishing.a"_s));
        QVERIFY(appendFlag(log, u"publishing.b"_s));
        feed.refresh();
        QCOMPARE(model.rowCount(), 2);
        feed.refresh();
        QCOMPARE(model.rowCount(), 2); // nothing new: nothing added twice

        QVERIFY(appendFlag(log, u"publishing.c"_s));
        // A record being written: its first half now, the rest later.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        f.close();
        const QByteArray last = all.mid(all.lastIndexOf('\n', all.size() - 2) + 1);
        QVERIFY(f.resize(all.size() - last.size() / 2));
        feed.refresh();
        QCOMPARE(model.rowCount(), 2); // the torn line waits
        QVERIFY(f.open(QIODevice::Append));
        f.write(last.mid(last.size() - last.size() / 2));
        f.close();
        feed.refresh();
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.event(2).title, u"flag.disable publishing.c"_s);
        // Repeated texts share one string.
        QVERIFY(model.event(0).detail.constData() == model.event(1).detail.constData());

        // Replaced by another log (restored from a backup with one more record): read again, shown once each.
        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::remove(path + u".head"_s) || true);
        {
            Records::AuditLog other(path);
            QVERIFY(appendFlag(other, u"publishing.z"_s));
        }
        feed.refresh();
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.event(3).title, u"flag.disable publishing.z"_s);
    }

    void modelBatchesAndLanes()
    {
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TimelineFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.append(sample());
        QCOMPARE(inserted.count(), 1); // one batch, one insert
        QCOMPARE(model.rowCount(), 4);
        // A second batch, out of time order, merges into the lanes' time order.
        model.append({ev(T0 - Minute, TimelineEvent::Kind::Rollback, u"Production"_s, u"web"_s, {}, u"rollback"_s)});
        QCOMPARE(inserted.count(), 2);
        const QList<int> &prod = model.laneRows(u"Production"_s);
        QCOMPARE(prod.size(), 3);
        for (qsizetype i = 1; i < prod.size(); ++i)
            QVERIFY(model.event(prod[i - 1]).timeMs <= model.event(prod[i]).timeMs);
        QCOMPARE(model.laneRows(u"web"_s).size(), 3);
        QCOMPARE(model.firstTime(), T0 - Minute);
        QCOMPARE(model.lastTime(), T0 + 30 * Minute);
        QCOMPARE(model.lowerBound(u"Production"_s, T0), 1);
        QCOMPARE(model.data(model.index(1, TimelineModel::Lane)).toString(), u"Staging · web"_s);
        QCOMPARE(model.data(model.index(0, TimelineModel::Kind)).toString(), u"promotion (L3)"_s);
        QCOMPARE(model.data(model.index(1, TimelineModel::Time)).toString(), u"2026-11-25 09:00:00"_s);

        // Filters by service, environment and level.
        TimelineFilter f;
        f.services = {u"web"_s};
        filter.setTimelineFilter(f);
        QCOMPARE(filter.rowCount(), 3);
        f = {};
        f.environments = {u"Production"_s};
        filter.setTimelineFilter(f);
        QCOMPARE(filter.rowCount(), 3);
        f.minLevel = Release::Level::L3;
        filter.setTimelineFilter(f);
        QCOMPARE(filter.rowCount(), 3); // the rollback has no level and stays
        f = {};
        f.minLevel = Release::Level::L2;
        filter.setTimelineFilter(f);
        QCOMPARE(filter.rowCount(), 4); // the L1 preview is out
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(filter.rowCount(), 0);
    }

    // The canvas paints with the compact key; it must agree with the list's predicate.
    void compiledFilterAgrees()
    {
        QList<TimelineEvent> events = sample();
        events << ev(T0, TimelineEvent::Kind::Journal, {}, {}, {}, u"journal"_s)
               << ev(T0, TimelineEvent::Kind::Incident, u"Production"_s, {}, Release::Level::L0, u"incident"_s)
               << ev(T0, TimelineEvent::Kind::CanaryStep, {}, u"runner"_s, Release::Level::L3, u"canary"_s)
               << ev(T0, TimelineEvent::Kind::Deployment, u"Sandbox"_s, u"billing"_s, Release::Level::L2, u"other lanes"_s);
        QList<TimelineFilter> filters;
        for (const QStringList &svc : {QStringList{}, QStringList{u"web"_s}, QStringList{u"runner"_s, u"tools"_s}, QStringList{u"billing"_s}}) {
            for (const QStringList &env : {QStringList{}, QStringList{u"Production"_s}, QStringList{u"Preview"_s, u"Staging"_s}, QStringList{u"Sandbox"_s}}) {
                for (const std::optional<Release::Level> &lvl : {std::optional<Release::Level>{}, std::optional(Release::Level::L1),
                                                                 std::optional(Release::Level::L3)}) {
                    TimelineFilter f;
                    f.services = svc;
                    f.environments = env;
                    f.minLevel = lvl;
                    filters << f;
                }
            }
        }
        int accepted = 0, rejected = 0;
        for (const TimelineFilter &f : filters) {
            const TimelineFilter::Compiled c = f.compiled();
            for (const TimelineEvent &e : events) {
                QCOMPARE(c.accepts(TimelineFilter::keyOf(e)), f.accepts(e));
                (f.accepts(e) ? accepted : rejected)++;
            }
        }
        QVERIFY(accepted > 0 && rejected > 0);
        QCOMPARE(TimelineFilter::keyOf(events.last()).service, qint8(3)); // a service the lanes do not show
    }

    void zoomPanHoverClick()
    {
        TimelineView view;
        view.resize(1000, 520);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.model()->append(sample());
        TimelineCanvas *canvas = view.findChild<TimelineCanvas *>(u"timelineCanvas"_s);
        QVERIFY(canvas);
        auto *list = view.findChild<QTreeView *>(u"timelineList"_s);
        QVERIFY(list->uniformRowHeights());
        // The list is newest first, whatever order the events came in.
        QCOMPARE(list->model()->index(0, TimelineModel::Title).data().toString(), u"dpl_rc promoted"_s);
        QCOMPARE(list->model()->index(3, TimelineModel::Title).data().toString(), u"dpl_stage READY"_s);
        // Fitted to all events on first data.
        const auto fitted = canvas->scale();
        QVERIFY(fitted.toX(T0) >= 0 && fitted.toX(T0 + 30 * Minute) <= canvas->plotWidth());

        // Keyboard: + zooms in around the centre, - out, arrows pan, Home fits again.
        canvas->setFocus();
        QTest::keyClick(canvas, Qt::Key_Plus);
        QCOMPARE(canvas->scale().msPerPixel, std::max(fitted.msPerPixel / 1.5, Raize::Timeline::TimeScale::MinMsPerPixel));
        QTest::keyClick(canvas, Qt::Key_Minus);
        QVERIFY(std::abs(canvas->scale().msPerPixel - fitted.msPerPixel) < 1e-6);
        const qint64 before = canvas->scale().startMs;
        QTest::keyClick(canvas, Qt::Key_Right);
        QVERIFY(canvas->scale().startMs > before);
        QTest::keyClick(canvas, Qt::Key_Left);
        QVERIFY(std::abs(canvas->scale().startMs - before) <= 1);
        QTest::keyClick(canvas, Qt::Key_Home);
        QCOMPARE(canvas->scale(), fitted);

        // Mouse: the wheel zooms around the pointer, a drag pans.
        const QPoint at(TimelineCanvas::GutterPx + 200, TimelineCanvas::AxisPx + 5);
        const qint64 under = canvas->scale().toTime(200);
        QWheelEvent wheel(at, canvas->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(canvas, &wheel);
        QVERIFY(canvas->scale().msPerPixel < fitted.msPerPixel);
        QVERIFY(std::abs(canvas->scale().toTime(200) - under) <= qint64(canvas->scale().msPerPixel) + 1);
        const auto zoomed = canvas->scale();
        QTest::mousePress(canvas, Qt::LeftButton, {}, at);
        QTest::mouseMove(canvas, at + QPoint(40, 0));
        QTest::mouseMove(canvas, at + QPoint(120, 0));
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, at + QPoint(120, 0));
        QCOMPARE(canvas->scale().startMs, zoomed.panned(120).startMs);

        // Hover and click on the promotion in the Production lane.
        QTest::keyClick(canvas, Qt::Key_Home);
        const int prodLane = 2;
        const QPoint promo(TimelineCanvas::GutterPx + int(std::lround(canvas->scale().toX(T0 + 30 * Minute))),
                           TimelineCanvas::AxisPx + prodLane * TimelineCanvas::LanePx + TimelineCanvas::LanePx / 2);
        QSignalSpy hovered(canvas, &TimelineCanvas::hovered);
        QTest::mouseMove(canvas, promo);
        QTRY_VERIFY(!hovered.isEmpty());
        const int row = canvas->hoveredRow();
        QVERIFY(row >= 0);
        QCOMPARE(view.model()->event(row).title, u"dpl_rc promoted"_s);
        QVERIFY(canvas->detailText(row).contains(u"promotion"_s));
        QVERIFY(canvas->detailText(row).contains(u"commit a1b2c3d"_s));
        QVERIFY(canvas->detailText(row).contains(u"Click to open https://vercel.test/dpl_rc"_s));
        QList<QUrl> opened;
        TimelineCanvas::setUrlOpener([&](const QUrl &u) { opened << u; });
        QTest::mouseClick(canvas, Qt::LeftButton, {}, promo);
        QCOMPARE(opened, QList<QUrl>{QUrl(u"https://vercel.test/dpl_rc"_s)});
        // Nothing under the pointer: no hit, nothing opened.
        QCOMPARE(canvas->eventAt(QPoint(TimelineCanvas::GutterPx + 3, TimelineCanvas::AxisPx + 5 * TimelineCanvas::LanePx + 3)), -1);

        // The filter reaches the canvas: hidden events cannot be hovered.
        auto *env = view.findChild<QComboBox *>(u"timelineEnvironment"_s);
        env->setCurrentIndex(env->findData(u"Staging"_s));
        QCOMPARE(canvas->eventAt(promo), -1);
        QCOMPARE(view.filterModel()->rowCount(), 1);
        TimelineCanvas::setUrlOpener({});
    }
};

RAIZE_GUI_TEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
