#pragma once

#include "slospec.h"

#include <QList>

namespace Raize::Slo {

// One scrape of a cohort's two cumulative counters, as Prometheus stores
// them (1-minute resolution from query_range). For SLOs defined by a "bad"
// counter the metrics adapter passes good = total − bad.
struct CounterSample
{
    qint64 tMs = 0;
    double good = 0;
    double total = 0;
};

// How samples become events. The engine never extrapolates: an interval
// between two consecutive samples counts when the samples are at most
// maxGapSteps × stepMs apart, and a window counts only the intervals that lie
// wholly inside it (both samples in [end − window, end]). With samples on
// the minute and the window ending on a sample, a 5-minute window is exactly
// five 1-minute intervals; Prometheus' increase() would stretch the same
// data to the window's edges instead.
struct GapRule
{
    qint64 stepMs = MinuteMs;
    int maxGapSteps = 5; // a 5-minute hole (4 missed scrapes) still counts; 6 minutes does not
    qint64 maxGapMs() const { return stepMs * maxGapSteps; }
};

// Events in one window [startMs, endMs].
struct WindowStats
{
    qint64 startMs = 0;
    qint64 endMs = 0;
    double events = 0; // increase of the total counter
    double bad = 0;    // increase of total − good
    double ratio = 0;  // bad / events; 0 without events (then enoughData is false)
    qint64 coveredMs = 0; // time covered by the counted intervals
    int resets = 0;       // counter resets inside the window (handled, see CounterSeries)
    int gaps = 0;         // intervals inside the window left out as gaps
    int minEvents = 1;
    bool enoughData = false; // events > 0 and events >= minEvents

    qint64 windowMs() const { return endMs - startMs; }
    // Less data than the window asks for: it reaches before the first
    // sample, or has gaps. The ratio is over the data that is there.
    bool partial() const { return coveredMs < windowMs(); }
};

// A counter series prepared for window queries: prefix sums of the counted
// increases, so any window costs two binary searches over the timestamps
// instead of a rescan (30 days of minutes × 6 SLOs × 3 cohorts evaluate in
// a few milliseconds, tests/bench/bench_slo.cpp).
//
// Rules for the increases, interval by interval (sample i−1 → i):
// - counter reset: a counter that goes down restarted from zero, so its
//   increase is its new value (Prometheus' increase() rule, applied to each
//   counter on its own, as `increase(good) / increase(total)` would);
// - gap: an interval longer than GapRule::maxGapMs() counts nothing — its
//   events cannot be placed in time and a reset inside it cannot be seen;
//   the windows around it have less coverage and fewer events, which the
//   minimum-events rule turns into "not enough data";
// - good is clamped to [0, total] per interval (float counters, scrape
//   skew, a reset of one counter only);
// - samples with a NaN, infinite or negative value are skipped (stale
//   markers); samples are sorted by time and the first of equal times kept.
class CounterSeries
{
public:
    CounterSeries() = default;
    explicit CounterSeries(const QList<CounterSample> &samples, GapRule rule = {});

    // Events in [endMs − windowMs, endMs].
    WindowStats window(qint64 endMs, qint64 windowMs, int minEvents = 1) const;

    // The end of the windows when evaluating at nowMs: the newest sample at
    // or before nowMs, when it is at most one gap old, so that a 5-minute
    // window evaluated at 12:00:40 holds the five intervals up to 12:00
    // rather than four; otherwise nowMs itself (stale data: the short
    // windows are empty and say "not enough data").
    qint64 evaluationEnd(qint64 nowMs) const;

    qsizetype size() const { return m_t.size(); }
    bool isEmpty() const { return m_t.isEmpty(); }
    qint64 firstMs() const { return m_t.isEmpty() ? 0 : m_t.first(); }
    qint64 lastMs() const { return m_t.isEmpty() ? 0 : m_t.last(); }
    const GapRule &gapRule() const { return m_rule; }

private:
    // Per kept sample i: sums over the counted intervals ending at samples 1..i.
    struct Prefix
    {
        double total;
        double bad;
        qint64 coveredMs;
        int resets;
        int gaps;
    };

    GapRule m_rule;
    QList<qint64> m_t; // kept sample times, ascending (searched on their own)
    QList<Prefix> m_prefix;
};

// Convenience for one query; prepare a CounterSeries to ask several.
WindowStats errorRatio(const QList<CounterSample> &series, qint64 endMs, qint64 windowMs, int minEvents = 1);
WindowStats errorRatio(const CounterSeries &series, qint64 endMs, qint64 windowMs, int minEvents = 1);

} // namespace Raize::Slo
