// The SLO burn-rate engine (issue #8, part 4): windows over cumulative
// counters, burn rates, the SRE Workbook's multiwindow multi-burn-rate rules,
// the error budget and the chart helpers. Every expected number in the
// tables is worked out by hand in the comment next to it.

#include "slo/burnrule.h"
#include "slo/counterseries.h"
#include "slo/lttb.h"
#include "slo/sloengine.h"
#include "slo/slospec.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using namespace Raize::Slo;

Q_DECLARE_METATYPE(Raize::Slo::CounterSample)
Q_DECLARE_METATYPE(Raize::Slo::SloSpec)

namespace {

constexpr qint64 T0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z, minute 0 of every series
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

qint64 at(double minutes)
{
    return T0 + qint64(minutes * double(MinuteMs));
}

// `minutes` minutes in a row, each adding `total` events of which `bad` are bad.
struct Phase
{
    int minutes;
    double total;
    double bad;
};

// Cumulative counters sampled every minute from T0 (0 events at T0).
QList<CounterSample> phases(const QList<Phase> &list)
{
    QList<CounterSample> out;
    double total = 0, good = 0;
    qint64 t = T0;
    out.append({t, 0, 0});
    for (const Phase &p : list) {
        for (int i = 0; i < p.minutes; ++i) {
            total += p.total;
            good += p.total - p.bad;
            t += MinuteMs;
            out.append({t, good, total});
        }
    }
    return out;
}

// Samples at the given minutes with the given cumulative values.
QList<CounterSample> samples(const QList<std::tuple<double, double, double>> &minuteGoodTotal)
{
    QList<CounterSample> out;
    for (const auto &[m, good, total] : minuteGoodTotal)
        out.append({at(m), good, total});
    return out;
}

// The process restarted at sample k: from there on the counters count from
// zero again, so sample k holds only the events of its own interval.
QList<CounterSample> withResetAt(QList<CounterSample> s, qsizetype k)
{
    const CounterSample before = s[k - 1];
    for (qsizetype i = k; i < s.size(); ++i) {
        s[i].good -= before.good;
        s[i].total -= before.total;
    }
    return s;
}

bool near(double actual, double expected, double tolerance = 1e-9)
{
    if (std::isnan(expected))
        return std::isnan(actual);
    if (std::isinf(expected))
        return actual == expected;
    return std::abs(actual - expected) <= tolerance * std::max(1.0, std::abs(expected));
}

#define COMPARE_NEAR(actual, expected)                                                                                 \
    QVERIFY2(near((actual), (expected)),                                                                               \
             qPrintable(u"%1 = %2, expected %3"_s.arg(QLatin1StringView(#actual)).arg((actual), 0, 'g', 17)            \
                            .arg((expected), 0, 'g', 17)))

// A publish-success-like SLO with the policy bundle's minimums
// (docs/contracts.md): 5m 20, 30m 60, 1h 100, 6h 300, 3d 1000, 30d 3000.
SloSpec spec(double objective)
{
    SloSpec s;
    s.id = u"publish_success"_s;
    s.title = u"Publish success"_s;
    s.objective = objective;
    s.minEvents = 20;
    s.minEventsByWindowMs = {{5 * MinuteMs, 20},  {30 * MinuteMs, 60}, {HourMs, 100},
                             {6 * HourMs, 300},   {3 * DayMs, 1000},   {30 * DayMs, 3000}};
    return s;
}

QChar stateLetter(RuleState s)
{
    switch (s) {
    case RuleState::Fired:
        return u'F';
    case RuleState::NotFired:
        return u'N';
    case RuleState::NotEnoughData:
        return u'D';
    }
    return u'?';
}

} // namespace

class TestSloEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- windows over cumulative counters ---------------------------------

    void errorRatio_data()
    {
        QTest::addColumn<QList<CounterSample>>("series");
        QTest::addColumn<qint64>("endMs");
        QTest::addColumn<qint64>("windowMs");
        QTest::addColumn<int>("minEvents");
        QTest::addColumn<double>("events");
        QTest::addColumn<double>("bad");
        QTest::addColumn<double>("ratio");
        QTest::addColumn<bool>("enough");
        QTest::addColumn<int>("coveredMinutes");
        QTest::addColumn<int>("resets");
        QTest::addColumn<int>("gaps");

        // 60 minutes of 100 events/min, 1 bad each.
        const QList<CounterSample> steady = phases({{60, 100, 1}});
        // 5 intervals (minutes 56..60) × 100 = 500 events, × 1 = 5 bad; 5/500 = 0.01.
        QTest::newRow("steady 5m") << steady << at(60) << 5 * MinuteMs << 20 << 500.0 << 5.0 << 0.01 << true << 5 << 0 << 0;
        // 60 × 100 = 6000 events, 60 bad; 0.01.
        QTest::newRow("steady 1h") << steady << at(60) << HourMs << 100 << 6000.0 << 60.0 << 0.01 << true << 60 << 0 << 0;
        // [25.5, 30.5] holds samples 26..30: 4 whole intervals, nothing
        // extrapolated to the edges: 400 events, 4 bad.
        QTest::newRow("end between samples") << steady << at(30.5) << 5 * MinuteMs << 20 << 400.0 << 4.0 << 0.01 << true << 4 << 0 << 0;
        // 3 days asked, 60 minutes there: everything, 6000/60, partial.
        QTest::newRow("window longer than data") << steady << at(60) << 3 * DayMs << 1000 << 6000.0 << 60.0 << 0.01 << true << 60 << 0 << 0;

        // Minute by minute:  1    2    3    4    5    6    7    8    9   10
        //   total           100  100  100  100  100  200  200  200  200  200
        //   bad               0    0   10    0    0    0   20    0    0   30
        const QList<CounterSample> mixed = phases({{2, 100, 0}, {1, 100, 10}, {2, 100, 0}, {1, 200, 0},
                                                   {1, 200, 20}, {2, 200, 0}, {1, 200, 30}});
        // Minutes 6..10: 5 × 200 = 1000 events; 0+20+0+0+30 = 50 bad; 50/1000 = 0.05.
        QTest::newRow("mixed 5m") << mixed << at(10) << 5 * MinuteMs << 20 << 1000.0 << 50.0 << 0.05 << true << 5 << 0 << 0;
        // Minutes 1..10: 500 + 1000 = 1500 events; 10 + 50 = 60 bad; 60/1500 = 0.04.
        QTest::newRow("mixed 10m") << mixed << at(10) << 10 * MinuteMs << 20 << 1500.0 << 60.0 << 0.04 << true << 10 << 0 << 0;
        // [4, 7]: minutes 5..7: 100 + 200 + 200 = 500 events; 0 + 0 + 20 = 20 bad; 0.04.
        QTest::newRow("mixed 3m inside") << mixed << at(7) << 3 * MinuteMs << 20 << 500.0 << 20.0 << 0.04 << true << 3 << 0 << 0;

        // Counters that do not move: no events, no ratio, never enough.
        const QList<CounterSample> flat = samples({{0, 500, 500}, {1, 500, 500}, {2, 500, 500}, {3, 500, 500},
                                                   {4, 500, 500}, {5, 500, 500}});
        QTest::newRow("no traffic") << flat << at(5) << 5 * MinuteMs << 20 << 0.0 << 0.0 << 0.0 << false << 5 << 0 << 0;
        // minEvents 0 does not make "no events" enough.
        QTest::newRow("no traffic, minimum 0") << flat << at(5) << 5 * MinuteMs << 0 << 0.0 << 0.0 << 0.0 << false << 5 << 0 << 0;
        // 5 × 3 = 15 events < 20: the ratio 5/15 is reported, but not enough.
        QTest::newRow("below minimum") << phases({{10, 3, 1}}) << at(10) << 5 * MinuteMs << 20 << 15.0 << 5.0 << 1.0 / 3.0
                                       << false << 5 << 0 << 0;
        // Exactly at the minimum is enough: 4 × 5 = 20 events.
        QTest::newRow("at minimum") << phases({{10, 4, 0}}) << at(10) << 5 * MinuteMs << 20 << 20.0 << 0.0 << 0.0 << true << 5 << 0 << 0;

        // Restart between minutes 2 and 3: both counters start again from 0.
        //   minute   good  total   increase (total/good/bad)
        //     0       990   1000
        //     1      1089   1100   100 / 99 / 1
        //     2      1188   1200   100 / 99 / 1
        //     3        45     50    50 / 45 / 5   (reset: the new value is the increase)
        //     4       140    150   100 / 95 / 5
        //     5       230    250   100 / 90 / 10
        // 450 events, 22 bad, 22/450 = 0.04888…
        QTest::newRow("counter reset")
            << samples({{0, 990, 1000}, {1, 1089, 1100}, {2, 1188, 1200}, {3, 45, 50}, {4, 140, 150}, {5, 230, 250}})
            << at(5) << 5 * MinuteMs << 20 << 450.0 << 22.0 << 22.0 / 450.0 << true << 5 << 1 << 0;
        // Only "good" restarts (as increase() on each counter would see it):
        //   0 → 1: 100 / 100 / 0;  1 → 2: total +100, good reset to 40 → 100 / 40 / 60;  2 → 3: 100 / 100 / 0.
        // 300 events, 60 bad, 0.2.
        QTest::newRow("reset of good only") << samples({{0, 500, 500}, {1, 600, 600}, {2, 40, 700}, {3, 140, 800}})
                                            << at(3) << 3 * MinuteMs << 20 << 300.0 << 60.0 << 0.2 << true << 3 << 1 << 0;

        // Samples at 0, 1, 2, 7, 8: the 5-minute hole is the longest that
        // still counts (maxGapSteps 5): 100 + 100 + 500 + 100 = 800 events, 8 bad.
        QTest::newRow("gap of 5 minutes counts")
            << samples({{0, 0, 0}, {1, 99, 100}, {2, 198, 200}, {7, 693, 700}, {8, 792, 800}}) << at(8) << 10 * MinuteMs
            << 20 << 800.0 << 8.0 << 0.01 << true << 8 << 0 << 0;
        // Samples at 0, 1, 2, 8, 9: the 6-minute hole is left out (its 600
        // events cannot be placed): 100 + 100 + 100 = 300 events, 3 bad, 3 min covered.
        QTest::newRow("gap of 6 minutes dropped")
            << samples({{0, 0, 0}, {1, 99, 100}, {2, 198, 200}, {8, 792, 800}, {9, 891, 900}}) << at(9) << 10 * MinuteMs
            << 20 << 300.0 << 3.0 << 0.01 << true << 3 << 0 << 1;

        // Reversed, with a stale marker (NaN) and a duplicate: the same as "steady 5m".
        QList<CounterSample> messy(steady.crbegin(), steady.crend());
        messy.insert(3, {at(58.5), NaN, NaN});
        messy.insert(5, steady[59]);
        QTest::newRow("unsorted, NaN, duplicate") << messy << at(60) << 5 * MinuteMs << 20 << 500.0 << 5.0 << 0.01 << true << 5 << 0 << 0;
        QTest::newRow("empty") << QList<CounterSample>() << at(60) << 5 * MinuteMs << 20 << 0.0 << 0.0 << 0.0 << false << 0 << 0 << 0;
    }

    void errorRatio()
    {
        QFETCH(QList<CounterSample>, series);
        QFETCH(qint64, endMs);
        QFETCH(qint64, windowMs);
        QFETCH(int, minEvents);
        QFETCH(double, events);
        QFETCH(double, bad);
        QFETCH(double, ratio);
        QFETCH(bool, enough);
        QFETCH(int, coveredMinutes);
        QFETCH(int, resets);
        QFETCH(int, gaps);

        const WindowStats w = Raize::Slo::errorRatio(series, endMs, windowMs, minEvents);
        COMPARE_NEAR(w.events, events);
        COMPARE_NEAR(w.bad, bad);
        COMPARE_NEAR(w.ratio, ratio);
        QCOMPARE(w.enoughData, enough);
        QCOMPARE(w.coveredMs, coveredMinutes * MinuteMs);
        QCOMPARE(w.partial(), w.coveredMs < windowMs);
        QCOMPARE(w.resets, resets);
        QCOMPARE(w.gaps, gaps);
        QCOMPARE(w.endMs, endMs);
        QCOMPARE(w.startMs, endMs - windowMs);
        QCOMPARE(w.minEvents, minEvents);
    }

    void windowsPartitionTheSeries()
    {
        // Back-to-back windows share a sample but no interval: the 5-minute
        // windows of an hour add up to the hour.
        const CounterSeries s(phases({{20, 100, 1}, {20, 50, 5}, {20, 300, 30}}));
        double events = 0, bad = 0;
        for (int m = 5; m <= 60; m += 5) {
            const WindowStats w = s.window(at(m), 5 * MinuteMs);
            events += w.events;
            bad += w.bad;
        }
        const WindowStats hour = s.window(at(60), HourMs);
        // 20 × 100 + 20 × 50 + 20 × 300 = 9000 events; 20 + 100 + 600 = 720 bad.
        QCOMPARE(hour.events, 9000.0);
        QCOMPARE(hour.bad, 720.0);
        QCOMPARE(events, hour.events);
        QCOMPARE(bad, hour.bad);
    }

    void evaluationEnd()
    {
        const CounterSeries s(phases({{60, 100, 1}}));
        QCOMPARE(s.evaluationEnd(at(60)), at(60));
        QCOMPARE(s.evaluationEnd(at(60.5)), at(60)); // mid-minute: the newest sample
        QCOMPARE(s.evaluationEnd(at(65)), at(60));   // one gap old: still the newest sample
        QCOMPARE(s.evaluationEnd(at(65.5)), at(65.5)); // older: stale, the windows end now
        QCOMPARE(s.evaluationEnd(at(30.2)), at(30));
        QCOMPARE(s.evaluationEnd(at(-1)), at(-1));
        QCOMPARE(CounterSeries().evaluationEnd(at(10)), at(10));
    }

    // ---- burn rate and the boundary ----------------------------------------

    void burnRate_data()
    {
        QTest::addColumn<double>("ratio");
        QTest::addColumn<double>("objective");
        QTest::addColumn<double>("burn");
        QTest::newRow("at budget") << 0.01 << 0.99 << 1.0;          // 0.01 / 0.01
        QTest::newRow("14.4 at 99%") << 0.144 << 0.99 << 14.4;      // 0.144 / 0.01
        QTest::newRow("6 at 99%") << 0.06 << 0.99 << 6.0;           // 0.06 / 0.01
        QTest::newRow("14.4 at 99.5%") << 0.072 << 0.995 << 14.4;   // 0.072 / 0.005
        QTest::newRow("no errors") << 0.0 << 0.99 << 0.0;
        QTest::newRow("all errors at 98%") << 1.0 << 0.98 << 50.0;  // 1 / 0.02
        QTest::newRow("no budget, errors") << 0.5 << 1.0 << std::numeric_limits<double>::infinity();
        QTest::newRow("no budget, no errors") << 0.0 << 1.0 << 0.0;
    }

    void burnRate()
    {
        QFETCH(double, ratio);
        QFETCH(double, objective);
        QFETCH(double, burn);
        COMPARE_NEAR(Raize::Slo::burnRate(ratio, objective), burn);
    }

    void exceedsThreshold_data()
    {
        QTest::addColumn<double>("burn");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<bool>("fires");
        // Strictly greater, as the Workbook's `ratio_rate1h > (14.4*0.001)`.
        QTest::newRow("exactly 14.4") << 14.4 << 14.4 << false;
        // 72 bad of 10,000 at 99.95 %: 0.0072 / 0.0005 computes to 14.400000000001585.
        QTest::newRow("14.4 plus rounding") << (72.0 / 10000.0) / (1.0 - 0.9995) << 14.4 << false;
        // 420 bad of 1,000 at 93 %: 0.42 / 0.07 computes to 6.0000000000000036.
        QTest::newRow("6 plus rounding") << 0.42 / (1.0 - 0.93) << 6.0 << false;
        QTest::newRow("just above 14.4") << 14.41 << 14.4 << true;
        QTest::newRow("above 14.4") << 14.5 << 14.4 << true;
        QTest::newRow("below 14.4") << 14.39 << 14.4 << false;
        QTest::newRow("exactly 1") << 1.0 << 1.0 << false;
        QTest::newRow("above 1") << 1.001 << 1.0 << true;
        QTest::newRow("infinite") << std::numeric_limits<double>::infinity() << 14.4 << true;
    }

    void exceedsThreshold()
    {
        QFETCH(double, burn);
        QFETCH(double, threshold);
        QFETCH(bool, fires);
        QCOMPARE(Raize::Slo::exceedsThreshold(burn, threshold), fires);
    }

    // ---- multiwindow, multi-burn-rate rules --------------------------------

    void defaultRules()
    {
        const QList<BurnRule> rules = defaultBurnRules();
        QCOMPARE(rules.size(), 3);
        QCOMPARE(rules[0].severity, Severity::Page);
        QCOMPARE(rules[0].burnRate, 14.4);
        QCOMPARE(rules[0].longWindowMs, HourMs);
        QCOMPARE(rules[0].shortWindowMs, 5 * MinuteMs);
        QCOMPARE(rules[1].severity, Severity::Page);
        QCOMPARE(rules[1].burnRate, 6.0);
        QCOMPARE(rules[1].longWindowMs, 6 * HourMs);
        QCOMPARE(rules[1].shortWindowMs, 30 * MinuteMs);
        QCOMPARE(rules[2].severity, Severity::Ticket);
        QCOMPARE(rules[2].burnRate, 1.0);
        QCOMPARE(rules[2].longWindowMs, 3 * DayMs);
        QCOMPARE(rules[2].shortWindowMs, 6 * HourMs);
        // Table 5-8: 2 %, 5 %, 10 % of a 30-day budget.
        COMPARE_NEAR(rules[0].budgetConsumed(30 * DayMs), 0.02);
        COMPARE_NEAR(rules[1].budgetConsumed(30 * DayMs), 0.05);
        COMPARE_NEAR(rules[2].budgetConsumed(30 * DayMs), 0.10);
        QCOMPARE(rules[0].name(), u"page 14.4× 1h/5m"_s);
        QCOMPARE(rules[2].name(), u"ticket 1× 3d/6h"_s);
    }

    void evaluate_data()
    {
        QTest::addColumn<SloSpec>("slo");
        QTest::addColumn<QList<CounterSample>>("series");
        QTest::addColumn<qint64>("nowMs");
        QTest::addColumn<qint64>("evaluatedAtMs");
        QTest::addColumn<QString>("states");   // rule by rule: F fired, N not fired, D not enough data
        QTest::addColumn<int>("severity");     // Severity
        QTest::addColumn<QList<double>>("burns"); // long, short of the 1h/5m, 6h/30m, 3d/6h rules

        const int page = int(Severity::Page), ticket = int(Severity::Ticket), none = int(Severity::None),
                  noData = int(Severity::NotEnoughData);
        // Four days of minutes (5760) so that the 3-day window is full; the
        // windows end at minute 5760.
        const qint64 end = at(5760);

        // 1000/min, 1 bad: ratio 0.001, burn 0.001 / 0.01 = 0.1 everywhere.
        const QList<CounterSample> healthy = phases({{5760, 1000, 1}});
        QTest::newRow("healthy") << spec(0.99) << healthy << end << end << u"NNN"_s << none
                                 << QList<double>{0.1, 0.1, 0.1, 0.1, 0.1, 0.1};

        // The last hour at 200 bad/1000: 1h and 5m: 0.2 / 0.01 = 20 > 14.4 → page.
        // 6h: (300 × 1 + 60 × 200) / 360,000 = 12,300 / 360,000 = 0.034166… → 3.41666…
        // 30m: 20.  3d: (4260 × 1 + 60 × 200) / 4,320,000 = 16,260 / 4,320,000 → 0.376388…
        const QList<CounterSample> fast = phases({{5700, 1000, 1}, {60, 1000, 200}});
        const QList<double> fastBurns{20, 20, 12300.0 / 360000 / 0.01, 20, 16260.0 / 4320000 / 0.01, 12300.0 / 360000 / 0.01};
        QTest::newRow("fast burn pages") << spec(0.99) << fast << end << end << u"FNN"_s << page << fastBurns;
        // Evaluated 30 s after the last scrape: the windows end on it, same answer.
        QTest::newRow("mid-minute now") << spec(0.99) << fast << end + 30'000 << end << u"FNN"_s << page << fastBurns;
        // The process restarted 30 minutes ago: increase() semantics give the same events.
        QTest::newRow("reset during the burn") << spec(0.99) << withResetAt(fast, 5730) << end << end << u"FNN"_s << page
                                               << fastBurns;

        // The burst ended 10 minutes ago: 1h still high, 5m low → the AND holds it off.
        // 1h: (10 × 1 + 50 × 200) / 60,000 = 10,010 / 60,000 = 0.166833… → 16.6833…
        // 5m: 5 / 5000 = 0.001 → 0.1.   6h: (300 × 1 + 60 × 200) / 360,000 → 3.41666…
        // 30m: (10 × 1 + 20 × 200) / 30,000 = 4010 / 30,000 → 13.3666… (< 14.4 anyway, and 6h is 3.4166…)
        // 3d: 16,260 / 4,320,000 → 0.376388…
        QTest::newRow("burst over: short window clears")
            << spec(0.99) << phases({{5690, 1000, 1}, {60, 1000, 200}, {10, 1000, 1}}) << end << end << u"NNN"_s << none
            << QList<double>{10010.0 / 60000 / 0.01, 0.1, 12300.0 / 360000 / 0.01, 4010.0 / 30000 / 0.01,
                             16260.0 / 4320000 / 0.01, 12300.0 / 360000 / 0.01};

        // Six hours at 8 %: 8× in 1h, 5m, 6h, 30m → the 6× rule pages, the 14.4× rule does not.
        // 3d: (3960 × 1 + 360 × 80) / 4,320,000 = 32,760 / 4,320,000 = 0.0075833… → 0.75833…
        QTest::newRow("slow burn pages at 6x")
            << spec(0.99) << phases({{5400, 1000, 1}, {360, 1000, 80}}) << end << end << u"NFN"_s << page
            << QList<double>{8, 8, 8, 8, 32760.0 / 4320000 / 0.01, 8};

        // Three days at 2 %: 2× everywhere → ticket only.
        QTest::newRow("ticket at 2x for 3 days") << spec(0.99) << phases({{1440, 1000, 1}, {4320, 1000, 20}}) << end << end
                                                 << u"NNF"_s << ticket << QList<double>{2, 2, 2, 2, 2, 2};

        // Exactly 14.4: 1440 bad of 10,000/min at 99 % → 0.144 / 0.01. Not fired (strict >).
        // 6h: (300 × 10 + 60 × 1440) / 3,600,000 = 89,400 / 3,600,000 → 2.48333…
        // 3d: (4260 × 10 + 60 × 1440) / 43,200,000 = 129,000 / 43,200,000 → 0.298611…
        QTest::newRow("exactly 14.4 at 99% does not page")
            << spec(0.99) << phases({{5700, 10000, 10}, {60, 10000, 1440}}) << end << end << u"NNN"_s << none
            << QList<double>{14.4, 14.4, 89400.0 / 3600000 / 0.01, 14.4, 129000.0 / 43200000 / 0.01, 89400.0 / 3600000 / 0.01};
        // Exactly 14.4 where float rounding lands above it: 72 bad of 10,000 at
        // 99.95 % → 0.0072 / 0.0005 = 14.400000000001585. A plain `>` or a `>=` pages here.
        // 6h: (300 × 1 + 60 × 72) / 3,600,000 = 4620 / 3,600,000 / 0.0005 → 2.5666…
        // 3d: (4260 × 1 + 60 × 72) / 43,200,000 = 8580 / 43,200,000 / 0.0005 → 0.397222…
        QTest::newRow("exactly 14.4 at 99.95% does not page")
            << spec(0.9995) << phases({{5700, 10000, 1}, {60, 10000, 72}}) << end << end << u"NNN"_s << none
            << QList<double>{14.4, 14.4, 4620.0 / 3600000 / 0.0005, 14.4, 8580.0 / 43200000 / 0.0005, 4620.0 / 3600000 / 0.0005};
        // 1450 bad of 10,000: 14.5 > 14.4 → page.
        // 6h: (3000 + 60 × 1450) / 3,600,000 = 90,000 / 3,600,000 → 2.5;  3d: (42,600 + 87,000) / 43,200,000 → 0.3.
        QTest::newRow("just above 14.4 pages")
            << spec(0.99) << phases({{5700, 10000, 10}, {60, 10000, 1450}}) << end << end << u"FNN"_s << page
            << QList<double>{14.5, 14.5, 2.5, 14.5, 0.3, 2.5};

        // Exactly 6× where rounding lands above: 420 bad of 1000 at 93 % → 0.42 / 0.07 = 6.0000000000000036.
        // 3d: (3960 × 1 + 360 × 420) / 4,320,000 = 155,160 / 4,320,000 / 0.07 → 0.513095…
        QTest::newRow("exactly 6x at 93% does not page")
            << spec(0.93) << phases({{5400, 1000, 1}, {360, 1000, 420}}) << end << end << u"NNN"_s << none
            << QList<double>{6, 6, 6, 6, 155160.0 / 4320000 / 0.07, 6};
        // 430 bad: 0.43 / 0.07 = 6.142857… → page.  3d: (3960 + 360 × 430) / 4,320,000 = 158,760 / 4,320,000 / 0.07 = 0.525.
        QTest::newRow("above 6x at 93% pages")
            << spec(0.93) << phases({{5400, 1000, 1}, {360, 1000, 430}}) << end << end << u"NFN"_s << page
            << QList<double>{0.43 / 0.07, 0.43 / 0.07, 0.43 / 0.07, 0.43 / 0.07, 0.525, 0.43 / 0.07};
        // Exactly 1× for three days at 93 % (70 bad of 1000 → 1.0000000000000009): no ticket.
        QTest::newRow("exactly 1x at 93% no ticket")
            << spec(0.93) << phases({{1440, 1000, 0}, {4320, 1000, 70}}) << end << end << u"NNN"_s << none
            << QList<double>{1, 1, 1, 1, 1, 1};

        // 3 events/min, all good: the 5-minute window has 15 < 20 events, so the
        // 14.4× rule cannot say anything; the others can (30m: 90 ≥ 60, 6h: 1080 ≥ 300,
        // 3d: 12,960 ≥ 1000). Overall: not enough data, never "healthy".
        QTest::newRow("low traffic: not enough data")
            << spec(0.99) << phases({{5760, 3, 0}}) << end << end << u"DNN"_s << noData << QList<double>{0, 0, 0, 0, 0, 0};
        // The same traffic, the last hour all failing: 1h 180/180 → 100×, 5m 15/15 → 100× but
        // below its minimum; 6h 180 / 1080 → 16.666…; 30m 90/90 → 100; 3d 180 / 12,960 → 1.3888….
        QTest::newRow("low traffic failing: the other rules page")
            << spec(0.99) << phases({{5700, 3, 0}, {60, 3, 3}}) << end << end << u"DFF"_s << page
            << QList<double>{100, 100, 180.0 / 1080 / 0.01, 100, 180.0 / 12960 / 0.01, 180.0 / 1080 / 0.01};
        QTest::newRow("no traffic") << spec(0.99) << phases({{5760, 0, 0}}) << end << end << u"DDD"_s << noData
                                    << QList<double>{0, 0, 0, 0, 0, 0};
        QTest::newRow("no samples") << spec(0.99) << QList<CounterSample>() << end << end << u"DDD"_s << noData
                                    << QList<double>{0, 0, 0, 0, 0, 0};
        // Scrapes stopped 2 h ago: the windows end now. 1h, 5m and 30m are empty; 6h holds
        // 4 h of healthy data (0.1); 3d and its 6h short window are healthy (0.1).
        QTest::newRow("stale data") << spec(0.99) << healthy << end + 2 * HourMs << end + 2 * HourMs << u"DDN"_s << noData
                                    << QList<double>{0, 0, 0.1, 0, 0.1, 0.1};
    }

    void evaluate()
    {
        QFETCH(SloSpec, slo);
        QFETCH(QList<CounterSample>, series);
        QFETCH(qint64, nowMs);
        QFETCH(QString, states);
        QFETCH(QList<double>, burns);
        QFETCH(qint64, evaluatedAtMs);
        QFETCH(int, severity);

        const AlertVerdict v = Raize::Slo::evaluate(slo, series, nowMs);
        QCOMPARE(v.sloId, slo.id);
        QCOMPARE(v.evaluatedAtMs, evaluatedAtMs);
        QCOMPARE(v.rules.size(), 3);
        QString got;
        for (const RuleVerdict &r : v.rules)
            got += stateLetter(r.state);
        QCOMPARE(got, states);
        QCOMPARE(severityName(v.severity), severityName(Severity(severity)));
        for (int i = 0; i < 3; ++i) {
            const RuleVerdict &r = v.rules[i];
            COMPARE_NEAR(r.longBurn, burns[2 * i]);
            COMPARE_NEAR(r.shortBurn, burns[2 * i + 1]);
            QCOMPARE(r.longWindow.endMs, v.evaluatedAtMs);
            QCOMPARE(r.longWindow.windowMs(), r.rule.longWindowMs);
            QCOMPARE(r.shortWindow.windowMs(), r.rule.shortWindowMs);
            QCOMPARE(r.longWindow.minEvents, slo.minEventsFor(r.rule.longWindowMs));
        }
        // The prepared-series overload answers the same.
        const AlertVerdict again = Raize::Slo::evaluate(slo, CounterSeries(series), nowMs);
        QCOMPARE(again.severity, v.severity);
    }

    void evaluateCustomRules()
    {
        // The rules come from the policy bundle later; the engine takes any list.
        const QList<BurnRule> rules{{Severity::Ticket, 3.0, 24 * HourMs, 2 * HourMs}};
        // Two days at 4 %: 4× over 24h and 2h → ticket.
        const AlertVerdict v = Raize::Slo::evaluate(spec(0.99), phases({{2880, 1000, 40}}), at(2880), rules);
        QCOMPARE(v.rules.size(), 1);
        QCOMPARE(v.rules[0].state, RuleState::Fired);
        QCOMPARE(v.severity, Severity::Ticket);
        COMPARE_NEAR(v.rules[0].longBurn, 4.0);
        // No rules: nothing to say.
        QCOMPARE(Raize::Slo::evaluate(spec(0.99), phases({{60, 1000, 40}}), at(60), {}).severity, Severity::None);
    }

    // ---- error budget -------------------------------------------------------

    void budgetRemaining_data()
    {
        QTest::addColumn<QList<CounterSample>>("series");
        QTest::addColumn<qint64>("nowMs");
        QTest::addColumn<double>("remaining");
        QTest::addColumn<bool>("enough");
        QTest::addColumn<double>("events");

        const int month = 30 * 1440; // 43,200 minutes
        // 31 days; the first day all bad, then 30 days at 5 bad/1000. The 30-day
        // window sees only the last 30 days: 43,200,000 events, 216,000 bad.
        // Budget: 0.01 × 43,200,000 = 432,000 bad; 1 − 216,000 / 432,000 = 0.5.
        QTest::newRow("half left") << phases({{1440, 1000, 1000}, {month, 1000, 5}}) << at(1440 + month) << 0.5 << true
                                   << 43'200'000.0;
        // 10 bad/1000 for 30 days: 432,000 bad of 432,000 allowed → 0.
        QTest::newRow("exactly spent") << phases({{month, 1000, 10}}) << at(month) << 0.0 << true << 43'200'000.0;
        // 20 bad/1000: 864,000 of 432,000 → 1 − 2 = −1 (overspent by one budget).
        QTest::newRow("overspent") << phases({{month, 1000, 20}}) << at(month) << -1.0 << true << 43'200'000.0;
        // Two days of a new service at 2 bad/1000: 2,880,000 events, 5760 bad,
        // allowed 28,800 → 1 − 0.2 = 0.8 (over the data there is).
        QTest::newRow("young service") << phases({{2880, 1000, 2}}) << at(2880) << 0.8 << true << 2'880'000.0;
        // 2880 events < 3000: not enough data, NaN rather than a full budget.
        QTest::newRow("below minimum") << phases({{2880, 1, 0}}) << at(2880) << NaN << false << 2880.0;
        QTest::newRow("no traffic") << phases({{2880, 0, 0}}) << at(2880) << NaN << false << 0.0;
    }

    void budgetRemaining()
    {
        QFETCH(QList<CounterSample>, series);
        QFETCH(qint64, nowMs);
        QFETCH(double, remaining);
        QFETCH(bool, enough);
        QFETCH(double, events);
        const BudgetStatus b = Raize::Slo::budgetRemaining(spec(0.99), series, nowMs);
        COMPARE_NEAR(b.remaining, remaining);
        QCOMPARE(b.enoughData, enough);
        COMPARE_NEAR(b.window.events, events);
        QCOMPARE(b.window.windowMs(), 30 * DayMs);
        COMPARE_NEAR(b.allowedBad, (1.0 - 0.99) * b.window.events);
        QCOMPARE(b.window.minEvents, 3000);
    }

    // ---- charting helpers --------------------------------------------------

    void burnSeries()
    {
        // An hour at 1 bad/100, then an hour at 10 bad/100; 5-minute windows at 99 %.
        const QList<CounterSample> s = phases({{60, 100, 1}, {60, 100, 10}});
        const QList<QPointF> coarse = Raize::Slo::burnSeries(s, 0.99, 5 * MinuteMs, 30 * MinuteMs, at(30), at(120));
        // 30, 60: 0.01 / 0.01 = 1; 90, 120: 0.1 / 0.01 = 10.
        QCOMPARE(coarse.size(), 4);
        const QList<double> coarseY{1, 1, 10, 10};
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(coarse[i].x(), double(at(30 + 30 * i)));
            COMPARE_NEAR(coarse[i].y(), coarseY[i]);
        }
        // Minute by minute across the step: t = 61: (4 × 1 + 1 × 10) / 500 = 0.028 → 2.8;
        // 62: (3 + 20) / 500 → 4.6; 63: (2 + 30) / 500 → 6.4.
        const QList<QPointF> fine = Raize::Slo::burnSeries(s, 0.99, 5 * MinuteMs, MinuteMs, at(60), at(63));
        QCOMPARE(fine.size(), 4);
        const QList<double> fineY{1.0, 2.8, 4.6, 6.4};
        for (int i = 0; i < 4; ++i)
            COMPARE_NEAR(fine[i].y(), fineY[i]);

        // No traffic from minute 30 to 60: those windows are left out, not zero.
        // t = 10, 20, 30 have events; 40, 50, 60 do not; 70, 80, 90 do.
        const QList<QPointF> holes = Raize::Slo::burnSeries(phases({{30, 100, 1}, {30, 0, 0}, {30, 100, 1}}), 0.99,
                                                            5 * MinuteMs, 10 * MinuteMs, at(10), at(90));
        QList<double> xs;
        for (const QPointF &p : holes)
            xs << (p.x() - double(T0)) / double(MinuteMs);
        QCOMPARE(xs, (QList<double>{10, 20, 30, 70, 80, 90}));

        QVERIFY(Raize::Slo::burnSeries(s, 0.99, 5 * MinuteMs, 0, at(0), at(10)).isEmpty()); // no step: no loop
        QVERIFY(Raize::Slo::burnSeries(s, 0.99, 5 * MinuteMs, MinuteMs, at(10), at(0)).isEmpty());
    }

    void lttb_data()
    {
        QTest::addColumn<QList<QPointF>>("points");
        QTest::addColumn<int>("threshold");
        QTest::addColumn<QList<QPointF>>("expected");

        // Five points into three: one bucket {1, 2, 3} between the ends; the
        // next "bucket" averages to the last point (4, 0). Triangle areas
        // (twice) with a = (0, 0), c = (4, 0): |x_c·y_b − x_b·y_c| = 4·y_b:
        // b = (1, 1) → 4, (2, 5) → 20, (3, 2) → 8. Keeps (2, 5).
        const QList<QPointF> five{{0, 0}, {1, 1}, {2, 5}, {3, 2}, {4, 0}};
        QTest::newRow("hand-computed") << five << 3 << QList<QPointF>{{0, 0}, {2, 5}, {4, 0}};
        QTest::newRow("threshold = size") << five << 5 << five;
        QTest::newRow("threshold > size") << five << 50 << five;
        QTest::newRow("threshold 0: no limit") << five << 0 << five;
        QTest::newRow("threshold 2: the ends") << five << 2 << QList<QPointF>{{0, 0}, {4, 0}};
        QTest::newRow("threshold 1: the ends") << five << 1 << QList<QPointF>{{0, 0}, {4, 0}};
        QTest::newRow("empty") << QList<QPointF>() << 10 << QList<QPointF>();
    }

    void lttb()
    {
        QFETCH(QList<QPointF>, points);
        QFETCH(int, threshold);
        QFETCH(QList<QPointF>, expected);
        QCOMPARE(Raize::Slo::lttb(points, threshold), expected);
    }

    void lttbKeepsEndsAndCount()
    {
        QList<QPointF> wave;
        for (int i = 0; i < 43'200; ++i)
            wave.append(QPointF(i, std::sin(i / 300.0) + 0.001 * (i % 7)));
        for (int threshold : {3, 10, 100, 1000, 43'199}) {
            const QList<QPointF> out = Raize::Slo::lttb(wave, threshold);
            QCOMPARE(out.size(), threshold);
            QCOMPARE(out.first(), wave.first());
            QCOMPARE(out.last(), wave.last());
            for (qsizetype i = 1; i < out.size(); ++i)
                QVERIFY2(out[i].x() > out[i - 1].x(), "points stay in order, no point twice");
        }
    }

    void lttbKeepsTheSpike()
    {
        // A flat line with one spike: every-nth decimation would miss it.
        QList<QPointF> flat;
        for (int i = 0; i < 1000; ++i)
            flat.append(QPointF(i, i == 537 ? 100.0 : 0.0));
        const QList<QPointF> out = Raize::Slo::lttb(flat, 20);
        QCOMPARE(out.size(), 20);
        QVERIFY(out.contains(QPointF(537, 100)));
        // A dip is kept as well.
        flat[537].setY(0);
        flat[212].setY(-50);
        QVERIFY(Raize::Slo::lttb(flat, 20).contains(QPointF(212, -50)));
    }

    // ---- the six SLOs --------------------------------------------------------

    void defaultSlos()
    {
        const QList<SloSpec> slos = Raize::Slo::defaultSlos();
        QStringList ids;
        for (const SloSpec &s : slos) {
            ids << s.id;
            QVERIFY2(s.objective > 0.9 && s.objective < 1.0, qPrintable(s.id));
            QCOMPARE(s.windowDays, 30);
            QVERIFY2(!s.title.isEmpty() && !s.totalMetric.isEmpty(), qPrintable(s.id));
            QVERIFY2(s.goodMetric.isEmpty() != s.badMetric.isEmpty(), qPrintable(s.id + u": exactly one of good/bad"_s));
            // The page rule must be able to fire at all: a 100 % outage burns 1/(1 − objective).
            QVERIFY2(Raize::Slo::burnRate(1.0, s.objective) > 14.4, qPrintable(s.id));
            for (const BurnRule &r : defaultBurnRules()) {
                QVERIFY(s.minEventsFor(r.longWindowMs) >= s.minEventsFor(r.shortWindowMs));
                QVERIFY(s.minEventsFor(r.shortWindowMs) > 0);
            }
            QVERIFY(s.minEventsFor(s.windowMs()) >= s.minEventsFor(3 * DayMs));
        }
        QCOMPARE(ids, (QStringList{u"publish_success"_s, u"verification_ttv"_s, u"queue_delay"_s,
                                   u"runner_availability"_s, u"browser_drift"_s, u"http_errors"_s}));
        // Latency SLOs carry their threshold.
        QCOMPARE(slos[1].thresholdSeconds, 60.0);
        QCOMPARE(slos[2].thresholdSeconds, 30.0);
        // docs/contracts.md
        QCOMPARE(slos[0].objective, 0.995); // side effects on client accounts: the scenario-sized objective
        QCOMPARE(slos[0].minEventsFor(5 * MinuteMs), 20);
        QCOMPARE(slos[0].minEventsFor(3 * DayMs), 1000);
        QCOMPARE(slos[5].objective, 0.995);
    }
};

QTEST_GUILESS_MAIN(TestSloEngine)
#include "tst_slo_engine.moc"
