#include "counterseries.h"

#include <algorithm>
#include <cmath>

namespace Raize::Slo {

namespace {

bool usable(const CounterSample &s)
{
    return std::isfinite(s.good) && std::isfinite(s.total) && s.good >= 0 && s.total >= 0;
}

// Prometheus' increase() between two samples: a drop is a reset, after
// which the counter counted up from zero to its new value.
double increase(double before, double after)
{
    return after >= before ? after - before : after;
}

bool earlier(const CounterSample &a, const CounterSample &b)
{
    return a.tMs < b.tMs;
}

} // namespace

CounterSeries::CounterSeries(const QList<CounterSample> &input, GapRule rule)
    : m_rule(rule)
{
    if (m_rule.stepMs <= 0)
        m_rule.stepMs = MinuteMs;
    m_rule.maxGapSteps = std::max(1, m_rule.maxGapSteps);
    const qint64 maxGap = m_rule.maxGapMs();

    QList<CounterSample> sortedCopy;
    const bool sorted = std::is_sorted(input.cbegin(), input.cend(), earlier);
    if (!sorted) {
        sortedCopy = input;
        std::stable_sort(sortedCopy.begin(), sortedCopy.end(), earlier);
    }
    const QList<CounterSample> &samples = sorted ? input : sortedCopy;

    // Written through raw pointers and trimmed at the end: this loop is the
    // whole cost of an evaluation (tests/bench/bench_slo.cpp).
    m_t.resize(samples.size());
    m_prefix.resize(samples.size());
    qint64 *t = m_t.data();
    Prefix *p = m_prefix.data();
    qsizetype kept = 0;
    const CounterSample *prev = nullptr;
    Prefix sum{0, 0, 0, 0, 0};
    for (const CounterSample &s : samples) {
        if (!usable(s) || (prev && s.tMs == prev->tMs))
            continue;
        if (prev) {
            const qint64 dt = s.tMs - prev->tMs;
            if (dt > maxGap) {
                ++sum.gaps;
            } else {
                const double dTotal = increase(prev->total, s.total);
                const double dGood = std::clamp(increase(prev->good, s.good), 0.0, dTotal);
                sum.total += dTotal;
                sum.bad += dTotal - dGood;
                sum.coveredMs += dt;
                sum.resets += (s.total < prev->total || s.good < prev->good) ? 1 : 0;
            }
        }
        t[kept] = s.tMs;
        p[kept] = sum;
        ++kept;
        prev = &s;
    }
    m_t.resize(kept);
    m_prefix.resize(kept);
}

WindowStats CounterSeries::window(qint64 endMs, qint64 windowMs, int minEvents) const
{
    WindowStats w;
    w.endMs = endMs;
    w.startMs = endMs - std::max<qint64>(0, windowMs);
    w.minEvents = minEvents;
    // a: first sample at or after the start; b: last sample at or before the
    // end. The intervals ending at samples a+1..b lie wholly inside.
    const auto first = std::lower_bound(m_t.cbegin(), m_t.cend(), w.startMs);
    const auto last = std::upper_bound(first, m_t.cend(), endMs);
    const qsizetype a = first - m_t.cbegin();
    const qsizetype b = (last - m_t.cbegin()) - 1;
    if (a < b) {
        const Prefix &from = m_prefix[a], &to = m_prefix[b];
        w.events = std::max(0.0, to.total - from.total);
        w.bad = std::clamp(to.bad - from.bad, 0.0, w.events);
        w.coveredMs = to.coveredMs - from.coveredMs;
        w.resets = to.resets - from.resets;
        w.gaps = to.gaps - from.gaps;
    }
    w.ratio = w.events > 0 ? w.bad / w.events : 0.0;
    w.enoughData = w.events > 0 && w.events >= double(minEvents);
    return w;
}

qint64 CounterSeries::evaluationEnd(qint64 nowMs) const
{
    const auto after = std::upper_bound(m_t.cbegin(), m_t.cend(), nowMs);
    if (after == m_t.cbegin())
        return nowMs;
    const qint64 newest = *(after - 1);
    return nowMs - newest <= m_rule.maxGapMs() ? newest : nowMs;
}

WindowStats errorRatio(const QList<CounterSample> &series, qint64 endMs, qint64 windowMs, int minEvents)
{
    return CounterSeries(series).window(endMs, windowMs, minEvents);
}

WindowStats errorRatio(const CounterSeries &series, qint64 endMs, qint64 windowMs, int minEvents)
{
    return series.window(endMs, windowMs, minEvents);
}

} // namespace Raize::Slo
