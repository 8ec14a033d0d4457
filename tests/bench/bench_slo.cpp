// The SLO engine over what the console evaluates on every refresh: 30 days of
// 1-minute samples for 6 SLOs × 3 cohorts (goal: the whole evaluation under
// 50 ms), and the chart path: a 30-day burn series LTTB-downsampled from
// 43,200 points to 1,000. Deterministic data (fixed seed); median of 5 runs.
// Prints figures, never fails on time.
//
//   build/release/bench/bench_slo

#include "slo/counterseries.h"
#include "slo/lttb.h"
#include "slo/sloengine.h"
#include "slo/slospec.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numbers>
#include <numeric>
#include <random>

using namespace Qt::StringLiterals;
using namespace Raize::Slo;

namespace {

constexpr qint64 T0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z
constexpr int Minutes = 30 * 1440;       // 43,200 one-minute intervals

struct Cohort
{
    const char *id;
    double eventsPerMinute; // at the mean of the daily cycle
};

// Sized like the sandbox's TrafficModel (house ~0.45 publishes/s, broad ~6/s).
const Cohort cohorts[] = {{"house", 27}, {"lowrisk", 54}, {"broad", 360}};

// Cumulative counters for one SLO and cohort, fractional like the sandbox's
// fluid model: a daily cycle of ±30 %, ±10 % noise, the SLO's baseline bad
// ratio, and what the engine must survive: an incident (house publishes
// failing at 20 % for the last 70 minutes: a page), a process restart and
// an 11-minute scrape gap in every series.
QList<CounterSample> generate(int sloIndex, int cohortIndex, double badRatio, std::minstd_rand &rng)
{
    std::uniform_real_distribution<double> noise(0.9, 1.1);
    const double rate = cohorts[cohortIndex].eventsPerMinute * (1.0 + 0.5 * sloIndex);
    const bool incident = cohortIndex == 0 && sloIndex == 0;
    const int resetAt = 10'000 + 3'000 * sloIndex + 500 * cohortIndex;
    const int gapFrom = 20'000 + 1'000 * cohortIndex, gapTo = gapFrom + 12;
    QList<CounterSample> out;
    out.reserve(Minutes + 1);
    double good = 0, total = 0;
    for (int m = 0; m <= Minutes; ++m) {
        if (m > 0) {
            const double cycle = 1.0 + 0.3 * std::sin(2 * std::numbers::pi * m / 1440.0);
            const double events = rate * cycle * noise(rng);
            const double ratio = incident && m > Minutes - 70 ? 0.20 : badRatio * noise(rng);
            total += events;
            good += events * (1.0 - ratio);
        }
        if (m == resetAt) // the runner restarted: both counters from zero
            good = total = 0;
        if (m > gapFrom && m < gapTo) // 11 scrapes missing
            continue;
        out.append({T0 + m * MinuteMs, good, total});
    }
    return out;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double timeMs(const std::function<void()> &work)
{
    QElapsedTimer t;
    t.start();
    work();
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QList<SloSpec> slos = defaultSlos();
    const double baseline[] = {0.001, 0.005, 0.002, 0.0005, 0.002, 0.0005}; // TrafficModel's healthy ratios

    std::minstd_rand rng(20260101);
    QList<QList<CounterSample>> series; // [slo × 3 + cohort]
    QElapsedTimer gen;
    gen.start();
    for (int s = 0; s < slos.size(); ++s) {
        for (int c = 0; c < 3; ++c)
            series.append(generate(s, c, baseline[s], rng));
    }
    const qint64 samples = std::accumulate(series.cbegin(), series.cend(), qint64(0),
                                           [](qint64 n, const QList<CounterSample> &l) { return n + l.size(); });
    const qint64 now = T0 + Minutes * MinuteMs + 20'000; // 20 s after the last scrape

    // One refresh: prepare each series once, then every rule and the budget.
    QList<AlertVerdict> verdicts(series.size());
    QList<BudgetStatus> budgets(series.size());
    const auto evaluateAll = [&]() {
        for (qsizetype i = 0; i < series.size(); ++i) {
            const CounterSeries prepared(series[i]);
            verdicts[i] = evaluate(slos[i / 3], prepared, now);
            budgets[i] = budgetRemaining(slos[i / 3], prepared, now);
        }
    };
    // The convenience overloads on raw lists prepare the series per call.
    const auto evaluateAllRaw = [&]() {
        for (qsizetype i = 0; i < series.size(); ++i) {
            verdicts[i] = evaluate(slos[i / 3], series[i], now);
            budgets[i] = budgetRemaining(slos[i / 3], series[i], now);
        }
    };
    QList<CounterSeries> prepared(series.size());
    const auto prepareAll = [&]() {
        for (qsizetype i = 0; i < series.size(); ++i)
            prepared[i] = CounterSeries(series[i]);
    };
    const auto queryAll = [&]() {
        for (qsizetype i = 0; i < series.size(); ++i) {
            verdicts[i] = evaluate(slos[i / 3], prepared[i], now);
            budgets[i] = budgetRemaining(slos[i / 3], prepared[i], now);
        }
    };

    QList<double> full, raw, prep, query;
    evaluateAll(); // warm-up
    for (int run = 0; run < 5; ++run) {
        full.append(timeMs(evaluateAll));
        raw.append(timeMs(evaluateAllRaw));
        prep.append(timeMs(prepareAll));
        query.append(timeMs(queryAll));
    }

    // The chart path: 30 days of 1h-window burn at 1-minute steps, then LTTB.
    const CounterSeries house(series[0]);
    QList<QPointF> burn;
    QList<double> burnTimes, lttbTimes;
    QList<QPointF> reduced;
    for (int run = 0; run < 5; ++run) {
        burnTimes.append(timeMs([&] { burn = burnSeries(house, slos[0].objective, HourMs, MinuteMs, T0 + MinuteMs, T0 + Minutes * MinuteMs); }));
        lttbTimes.append(timeMs([&] { reduced = lttb(burn, 1000); }));
    }
    // LTTB on exactly 43,200 points, whatever the burn series kept.
    QList<QPointF> wave;
    wave.reserve(Minutes);
    for (int i = 0; i < Minutes; ++i)
        wave.append(QPointF(double(T0 + i * MinuteMs), std::sin(i / 300.0) + (i % 997 == 0 ? 5.0 : 0.0)));
    QList<double> waveTimes;
    QList<QPointF> waveReduced;
    for (int run = 0; run < 5; ++run)
        waveTimes.append(timeMs([&] { waveReduced = lttb(wave, 1000); }));

    const double fullMs = median(full);
    std::printf("data: %d SLOs x 3 cohorts x %d minutes = %lld samples (generated in %lld ms)\n", int(slos.size()),
                Minutes, qlonglong(samples), qlonglong(gen.elapsed()));
    std::printf("slo evaluate: %.2f ms (goal < 50 ms) %s; median of 5, min %.2f, max %.2f\n", fullMs,
                fullMs < 50 ? "met" : "NOT met", *std::min_element(full.cbegin(), full.cend()),
                *std::max_element(full.cbegin(), full.cend()));
    std::printf("  measured apart: prepare 18 series (prefix sums) %.2f ms; then 18 x (3 rules x 2 windows + budget) %.3f ms\n",
                median(prep), median(query));
    std::printf("  raw-list overloads (prepare per call, 2 per series): %.2f ms\n", median(raw));
    std::printf("burn series: 30 d of 1h burn at 1-min steps, %lld points: %.2f ms\n", qlonglong(burn.size()),
                median(burnTimes));
    std::printf("lttb: %lld -> %lld points: %.2f ms\n", qlonglong(burn.size()), qlonglong(reduced.size()),
                median(lttbTimes));
    std::printf("lttb: %lld -> %lld points (synthetic, exactly 43,200): %.2f ms\n", qlonglong(wave.size()),
                qlonglong(waveReduced.size()), median(waveTimes));

    // What it found, so the figures are of real work.
    for (qsizetype i = 0; i < series.size(); ++i) {
        const AlertVerdict &v = verdicts[i];
        QString rules;
        for (const RuleVerdict &r : v.rules)
            rules += u" %1:%2/%3"_s.arg(ruleStateName(r.state)).arg(r.longBurn, 0, 'f', 2).arg(r.shortBurn, 0, 'f', 2);
        std::printf("  %-20s %-8s %-15s budget %6.1f %%%s\n", qPrintable(v.sloId), cohorts[i % 3].id,
                    qPrintable(severityName(v.severity)), budgets[i].remaining * 100, qPrintable(rules));
    }
    return 0;
}
