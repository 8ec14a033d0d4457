// The SLO charts' time range linked to the release timeline, both ways
// (issue #8, part 5), and what the SLO view draws when the linked range is
// narrower or wider than the data it read. Prometheus is a small in-process
// fake answering /api/v1/query_range with steady counters per cohort × lane.

#include "testutil.h"

#include "slo/sloview.h"
#include "timeline/timelinecanvas.h"
#include "timeline/timelinemodel.h"
#include "timeline/timerangelink.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/prometheus/slometrics.h"
#include "slo/slopolicy.h"

#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;
using json = nlohmann::json;

namespace {

constexpr qint64 T0 = 1'700'000'000'000; // counters start here

// Steady counters: 120 events a minute per cohort × lane; a fraction bad per cohort.
double badFraction(const QString &cohort)
{
    return cohort == u"house"_s ? 0.08 : 0.001;
}

Sandbox::HttpResponse queryRange(const Sandbox::HttpRequest &r)
{
    const QUrlQuery form(QString::fromUtf8(r.body));
    const QString q = form.queryItemValue(u"query"_s, QUrl::FullyDecoded);
    const qint64 start = qint64(form.queryItemValue(u"start"_s).toDouble() * 1000);
    const qint64 end = qint64(form.queryItemValue(u"end"_s).toDouble() * 1000);
    const qint64 step = form.queryItemValue(u"step"_s).toLongLong() * 1000;
    const bool bad = q.contains(u"drift"_s) || q.contains(u"code=~"_s);
    const bool good = !bad && (q.contains(u"success"_s) || q.contains(u"bucket"_s) || q.contains(u"received"_s));
    json result = json::array();
    for (const char *cohort : {"house", "lowrisk", "broad"}) {
        for (const char *lane : {"api", "browser"}) {
            const double f = badFraction(QString::fromLatin1(cohort));
            const double share = bad ? f : good ? 1 - f : 1;
            json values = json::array();
            for (qint64 t = start - start % step; t <= end; t += step) {
                if (t < start)
                    continue;
                const double total = 120.0 * double(t - T0) / 60'000.0;
                values.push_back({double(t) / 1000.0, QString::number(total * share, 'f', 3).toStdString()});
            }
            result.push_back({{"metric", {{"cohort", cohort}, {"lane", lane}}}, {"values", values}});
        }
    }
    return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "matrix"}, {"result", result}}}});
}

QList<QLineSeries *> cohortLines(QChart *chart)
{
    QList<QLineSeries *> out;
    for (QAbstractSeries *s : chart->series()) {
        auto *line = qobject_cast<QLineSeries *>(s);
        if (line && !line->name().startsWith(u"page "_s))
            out << line;
    }
    return out;
}

} // namespace

class TestTimeRangeLink : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults;
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::PrometheusClient> m_prometheus;
    std::unique_ptr<Slo::SloFeed> m_recent, m_history;
    qint64 m_now = 0;

    // The timeline and the SLO view as the console links them.
    struct Linked
    {
        TimelineModel model;
        TimelineCanvas canvas{&model};
        SloView slo;
        TimeRangeLink link{&canvas, &slo};
        Linked()
        {
            canvas.resize(1000 + TimelineCanvas::GutterPx, 300);
            slo.resize(1400, 900);
            canvas.show();
        }
    };

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<Sandbox::HttpServer>(u"prometheus"_s, &m_faults, &m_log);
        m_server->route("POST", u"/api/v1/query_range"_s, [](const Sandbox::HttpRequest &r, const QRegularExpressionMatch &) { return queryRange(r); });
        QVERIFY(m_server->listen());
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_prometheus = std::make_unique<Services::PrometheusClient>(*m_http, QUrl(u"http://127.0.0.1:%1"_s.arg(m_server->port())));
        const QList<Slo::SloSpec> slos = Slo::defaultSlos();
        m_recent = std::make_unique<Slo::SloFeed>(*m_prometheus, slos);
        m_history = std::make_unique<Slo::SloFeed>(*m_prometheus, slos);
        m_now = T0 + 10 * Slo::DayMs;
        QSignalSpy recent(m_recent.get(), &Slo::SloFeed::loaded), history(m_history.get(), &Slo::SloFeed::loaded);
        QSignalSpy recentFailed(m_recent.get(), &Slo::SloFeed::failed);
        m_recent->load(m_now, 6 * Slo::HourMs, Slo::MinuteMs);
        m_history->load(m_now, 3 * Slo::DayMs, 10 * Slo::MinuteMs);
        QTRY_COMPARE_WITH_TIMEOUT(recent.size() + recentFailed.size(), 1, 20000);
        QVERIFY(recentFailed.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(history.size(), 1, 20000);
        QVERIFY(m_recent->data().byCohort.value(u"publish_success"_s).contains(u"house"_s));
    }

    void timelineZoomAndPanMoveTheSloRange()
    {
        Linked l;
        l.slo.setSources(m_recent.get(), m_history.get(), nullptr);
        QSignalSpy sloRange(&l.slo, &SloView::timeRangeChanged);
        QSignalSpy scale(&l.canvas, &TimelineCanvas::scaleChanged);

        l.canvas.setScale(Timeline::TimeScale::fit(m_now - 4 * Slo::HourMs, m_now, l.canvas.plotWidth()));
        QCOMPARE(scale.size(), 1);
        QTRY_COMPARE(sloRange.size(), 1);
        QCOMPARE(l.slo.timeRange(), TimeRangeLink::visibleRange(&l.canvas));
        QVERIFY(l.slo.findChild<QLabel *>(u"sloRangeLabel"_s)->isVisibleTo(&l.slo));

        // Zoom in with the keyboard, pan with the arrow keys: the charts follow, once per change.
        QTest::keyClick(&l.canvas, Qt::Key_Plus);
        QTRY_COMPARE(l.slo.timeRange(), TimeRangeLink::visibleRange(&l.canvas));
        QTest::keyClick(&l.canvas, Qt::Key_Left);
        QTRY_COMPARE(l.slo.timeRange(), TimeRangeLink::visibleRange(&l.canvas));
        QCOMPARE(scale.size(), 3);
        QCOMPARE(sloRange.size(), 3);

        // A drag's many small pans reach the charts as one change.
        for (int i = 0; i < 10; ++i)
            QTest::keyClick(&l.canvas, Qt::Key_Right);
        QCOMPARE(scale.size(), 13);
        QTRY_COMPARE(l.slo.timeRange(), TimeRangeLink::visibleRange(&l.canvas));
        QVERIFY(sloRange.size() < 13);
        const QDateTimeAxis *x = nullptr;
        for (QAbstractAxis *a : l.slo.burnChart()->axes(Qt::Horizontal))
            x = qobject_cast<QDateTimeAxis *>(a);
        QVERIFY(x);
        QCOMPARE(x->min().toMSecsSinceEpoch(), l.slo.timeRange().first);
        QCOMPARE(x->max().toMSecsSinceEpoch(), l.slo.timeRange().second);
    }

    void aHiddenTimelineLeavesTheSloRangeAlone()
    {
        // The timeline fits itself to its events while another view is shown: the charts keep their range.
        Linked l;
        l.canvas.hide();
        l.slo.setSources(m_recent.get(), m_history.get(), nullptr);
        const auto before = l.slo.timeRange();
        QSignalSpy sloRange(&l.slo, &SloView::timeRangeChanged);
        l.canvas.setScale(Timeline::TimeScale::fit(m_now - 20 * Slo::DayMs, m_now, l.canvas.plotWidth()));
        QTest::qWait(3 * TimeRangeLink::CoalesceMs);
        QVERIFY(sloRange.isEmpty());
        QCOMPARE(l.slo.timeRange(), before);
        // The operator's choice in the SLO view still moves the timeline.
        auto *combo = l.slo.findChild<QComboBox *>(u"rangeCombo"_s);
        combo->setCurrentIndex(combo->findData(6 * Slo::HourMs));
        QVERIFY(qAbs(TimeRangeLink::visibleRange(&l.canvas).second - m_now) <= qint64(l.canvas.scale().msPerPixel) + 1);
    }

    void sloRangeMovesTheTimeline()
    {
        Linked l;
        l.slo.setSources(m_recent.get(), m_history.get(), nullptr);
        QSignalSpy sloRange(&l.slo, &SloView::timeRangeChanged);
        QSignalSpy scale(&l.canvas, &TimelineCanvas::scaleChanged);
        auto *combo = l.slo.findChild<QComboBox *>(u"rangeCombo"_s);
        combo->setCurrentIndex(combo->findData(6 * Slo::HourMs));
        QCOMPARE(sloRange.size(), 1);
        QCOMPARE(scale.size(), 1); // once, no echo
        QTest::qWait(3 * TimeRangeLink::CoalesceMs);
        QCOMPARE(sloRange.size(), 1);
        const auto [from, to] = l.slo.timeRange();
        QCOMPARE(to - from, 6 * Slo::HourMs);
        const auto [tFrom, tTo] = TimeRangeLink::visibleRange(&l.canvas);
        const qint64 slack = qint64(l.canvas.scale().msPerPixel) + 1;
        QVERIFY(qAbs(tFrom - from) <= slack);
        QVERIFY(qAbs(tTo - to) <= slack);
        // The SLO view keeps the range it chose (the timeline rounds to whole pixels).
        QCOMPARE(l.slo.timeRange(), qMakePair(from, to));
        QVERIFY(!l.slo.findChild<QLabel *>(u"sloRangeLabel"_s)->isVisibleTo(&l.slo));

        // The same range again changes nothing on either side.
        l.slo.setTimeRange(from, to);
        QCOMPARE(sloRange.size(), 1);
        QCOMPARE(scale.size(), 1);
    }

    void narrowerRangeDrawsOnlyThatRange()
    {
        Linked l;
        l.slo.setSources(m_recent.get(), m_history.get(), nullptr);
        const qint64 from = m_now - 2 * Slo::HourMs, to = from + 30 * Slo::MinuteMs;
        l.slo.setTimeRange(from, to);
        const QList<QLineSeries *> lines = cohortLines(l.slo.burnChart());
        QCOMPARE(lines.size(), 3);
        for (QLineSeries *s : lines) {
            QVERIFY(s->count() >= 25); // 1-minute data: every minute of the half hour
            QVERIFY(s->at(0).x() >= double(from) && s->at(s->count() - 1).x() <= double(to));
        }
        // House burns at 0.08 / 0.005 = 16×.
        QVERIFY(qAbs(lines[0]->at(0).y() - 16.0) < 0.5);
        QVERIFY2(!l.slo.burnChart()->title().contains(u"data only"_s), qPrintable(l.slo.burnChart()->title()));
    }

    void widerRangeDrawsTheDataThereIs()
    {
        Linked l;
        l.slo.setSources(m_recent.get(), m_history.get(), nullptr);
        // The timeline zoomed out to 60 days: the history (3 days read) is drawn where it is.
        l.canvas.setScale(Timeline::TimeScale::fit(m_now - 60 * Slo::DayMs, m_now + Slo::DayMs, l.canvas.plotWidth()));
        QTRY_COMPARE(l.slo.timeRange(), TimeRangeLink::visibleRange(&l.canvas));
        const auto [from, to] = l.slo.timeRange();
        QVERIFY(to - from > 55 * Slo::DayMs);
        const QList<QLineSeries *> lines = cohortLines(l.slo.burnChart());
        QCOMPARE(lines.size(), 3);
        for (QLineSeries *s : lines) {
            QVERIFY(s->count() > 10);
            QVERIFY(s->at(0).x() >= double(m_history->data().fromMs));
            QVERIFY(s->at(s->count() - 1).x() <= double(m_history->data().toMs));
        }
        QVERIFY2(l.slo.burnChart()->title().contains(u"data only"_s), qPrintable(l.slo.burnChart()->title()));

        // Panned to where nothing was read: no lines, and the chart says so.
        l.slo.setTimeRange(m_now + 2 * Slo::DayMs, m_now + 3 * Slo::DayMs);
        QVERIFY(cohortLines(l.slo.burnChart()).isEmpty());
        QVERIFY2(l.slo.burnChart()->title().contains(u"no data in this range"_s), qPrintable(l.slo.burnChart()->title()));

        // Choosing a range in the combo follows the newest data again (also the item already shown).
        auto *combo = l.slo.findChild<QComboBox *>(u"rangeCombo"_s);
        Q_EMIT combo->activated(combo->currentIndex());
        QCOMPARE(l.slo.timeRange().second, m_now);
        QCOMPARE(cohortLines(l.slo.burnChart()).size(), 3);
    }
};

RAIZE_GUI_TEST_MAIN(TestTimeRangeLink)
#include "tst_time_range_link.moc"
