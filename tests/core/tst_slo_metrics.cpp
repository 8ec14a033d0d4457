// The metrics adapter (issue #8, part 4): range series of raw counters as
// Prometheus answers them become one cumulative counter per cohort (and per
// cohort × lane), each series' restarts and gaps handled on its own.

#include "services/prometheus/slometrics.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Slo;

namespace {

constexpr qint64 T0 = 1'767'225'600'000;

Services::PromSeries series(const QString &cohort, const QString &lane, const QList<double> &values, int skipFrom = -1, int skipTo = -1)
{
    Services::PromSeries s;
    s.labels = {{u"cohort"_s, cohort}, {u"lane"_s, lane}};
    for (int i = 0; i < values.size(); ++i) {
        if (i >= skipFrom && i < skipTo)
            continue;
        s.points.append({QDateTime::fromMSecsSinceEpoch(T0 + i * MinuteMs, Qt::UTC), values[i]});
    }
    return s;
}

QList<double> values(const QList<QPair<qint64, double>> &cumulative)
{
    QList<double> out;
    for (const auto &p : cumulative)
        out << p.second;
    return out;
}

} // namespace

class TestSloMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sumsIncreasesNotCounters()
    {
        // api counts 10 a minute; browser restarts at minute 3 (7 → 2: 2 new events).
        const QList<Services::PromSeries> in = {series(u"house"_s, u"api"_s, {100, 110, 120, 130, 140}),
                                                series(u"house"_s, u"browser"_s, {5, 6, 7, 2, 4}),
                                                series(u"lowrisk"_s, u"api"_s, {0, 1, 2, 3, 4})};
        const auto byCohort = cumulativeByGroup(in, {u"cohort"_s}, 5 * MinuteMs);
        // house per minute: 0, 10+1, 10+1, 10+2 (restart), 10+2
        QCOMPARE(values(byCohort.value(u"house"_s)), (QList<double>{0, 11, 22, 34, 46}));
        QCOMPARE(values(byCohort.value(u"lowrisk"_s)), (QList<double>{0, 1, 2, 3, 4}));
        // Summing the raw counters would have read 105, 116, 127, 132, 144: a fall at minute 3.
        const auto byLane = cumulativeByGroup(in, {u"cohort"_s, u"lane"_s}, 5 * MinuteMs);
        QCOMPARE(values(byLane.value(u"house/browser"_s)), (QList<double>{0, 1, 2, 4, 6}));
        QCOMPARE(byLane.size(), 3);
    }

    void gapsAddNothing()
    {
        // Minutes 1..6 missing: a 7-minute hole, longer than 5 minutes, adds nothing.
        QList<double> v;
        for (int i = 0; i < 10; ++i)
            v << 10.0 * i;
        const auto out = cumulativeByGroup({series(u"house"_s, u"api"_s, v, 1, 7)}, {u"cohort"_s}, 5 * MinuteMs);
        QCOMPARE(values(out.value(u"house"_s)), (QList<double>{0, 0, 10, 20}));
        // A 5-minute hole still counts.
        const auto short_ = cumulativeByGroup({series(u"house"_s, u"api"_s, v, 1, 5)}, {u"cohort"_s}, 5 * MinuteMs);
        QCOMPARE(values(short_.value(u"house"_s)), (QList<double>{0, 50, 60, 70, 80, 90}));
    }

    void staleMarkersAndUnlabelledSeriesAreSkipped()
    {
        Services::PromSeries noCohort;
        noCohort.labels = {{u"lane"_s, u"api"_s}};
        noCohort.points.append({QDateTime::fromMSecsSinceEpoch(T0, Qt::UTC), 5});
        const auto out = cumulativeByGroup({series(u"house"_s, u"api"_s, {1, qQNaN(), 3, -1, 4}), noCohort}, {u"cohort"_s}, 5 * MinuteMs);
        QCOMPARE(out.size(), 1);
        QCOMPARE(values(out.value(u"house"_s)), (QList<double>{0, 2, 3}));
    }

    void goodFromBad()
    {
        // 100 requests a minute, 5 of them 5xx.
        const auto total = series(u"house"_s, u"api"_s, {0, 100, 200, 300});
        const auto bad = series(u"house"_s, u"api"_s, {0, 5, 10, 15});
        const auto counters = countersByGroup({bad}, {total}, true, {u"cohort"_s}, 5 * MinuteMs);
        const QList<CounterSample> house = counters.value(u"house"_s);
        QCOMPARE(house.size(), 4);
        QCOMPARE(house[3].total, 300.0);
        QCOMPARE(house[3].good, 285.0);
        const WindowStats w = errorRatio(house, T0 + 3 * MinuteMs, 3 * MinuteMs);
        QCOMPARE(w.ratio, 0.05);
        // Given as good: the same numbers.
        const auto good = series(u"house"_s, u"api"_s, {0, 95, 190, 285});
        QCOMPARE(countersByGroup({good}, {total}, false, {u"cohort"_s}, 5 * MinuteMs).value(u"house"_s)[3].good, 285.0);
    }
};

QTEST_GUILESS_MAIN(TestSloMetrics)
#include "tst_slo_metrics.moc"
