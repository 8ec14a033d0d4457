#include "release/timescale.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Raize::Timeline {

namespace {

constexpr qint64 Minute = 60'000, Hour = 60 * Minute, Day = 24 * Hour;
// The shortest calendar month and year: ticks of these steps follow the calendar,
// so their spacing is never below what the step promises.
constexpr qint64 Month = 28 * Day, Year = 365 * Day;

const qint64 Steps[] = {Minute,   5 * Minute, 15 * Minute, 30 * Minute, Hour,      3 * Hour, 6 * Hour,
                        12 * Hour, Day,       2 * Day,     7 * Day,     Month,     3 * Month, Year};

double clampScale(double msPerPixel)
{
    return std::clamp(msPerPixel, TimeScale::MinMsPerPixel, TimeScale::MaxMsPerPixel);
}

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace

TimeScale TimeScale::fit(qint64 fromMs, qint64 toMs, int widthPx)
{
    const int width = std::max(1, widthPx);
    const qint64 span = std::max<qint64>(1, toMs - fromMs);
    TimeScale s;
    s.msPerPixel = clampScale(double(span) / width);
    const qint64 centre = fromMs + span / 2;
    s.startMs = centre - qint64(s.msPerPixel * width / 2);
    return s;
}

TimeScale TimeScale::zoomedAt(double x, double factor) const
{
    if (!(factor > 0) || !std::isfinite(factor))
        return *this;
    const qint64 anchor = toTime(x);
    TimeScale s;
    s.msPerPixel = clampScale(msPerPixel / factor);
    s.startMs = anchor - qint64(std::llround(x * s.msPerPixel));
    return s;
}

TimeScale TimeScale::panned(double dx) const
{
    TimeScale s = *this;
    s.startMs = startMs - qint64(std::llround(dx * msPerPixel));
    return s;
}

qint64 TimeScale::tickStepMs(double minSpacingPx) const
{
    for (qint64 step : Steps) {
        if (double(step) / msPerPixel >= minSpacingPx)
            return step;
    }
    return Year * qint64(std::ceil(minSpacingPx * msPerPixel / double(Year)));
}

QList<TimeScale::Tick> TimeScale::ticks(int widthPx, double minSpacingPx) const
{
    QList<Tick> out;
    const qint64 step = tickStepMs(minSpacingPx);
    const qint64 end = endMs(widthPx);
    const auto label = [step](const QDateTime &t) -> QString {
        if (step >= Year)
            return t.toString(u"yyyy"_s);
        if (step >= Month)
            return t.toString(u"MMM yyyy"_s);
        if (step >= Day)
            return t.toString(u"d MMM"_s);
        if (t.time() == QTime(0, 0))
            return t.toString(u"d MMM"_s);
        return t.toString(u"HH:mm"_s);
    };
    if (step >= Month) {
        // Calendar months (1, 3) or years.
        const int months = step >= Year ? 12 * int(step / Year) : int(step / Month);
        const QDate first = utc(startMs).date();
        int monthIndex = first.year() * 12 + (first.month() - 1);
        monthIndex -= monthIndex % months;
        for (;; monthIndex += months) {
            const QDateTime t(QDate(monthIndex / 12, monthIndex % 12 + 1, 1), QTime(0, 0), Qt::UTC);
            const qint64 ms = t.toMSecsSinceEpoch();
            if (ms > end)
                break;
            if (ms >= startMs)
                out.append({ms, toX(ms), label(t)});
        }
        return out;
    }
    // Whole steps since the epoch (UTC); weeks start on Monday (the epoch was a Thursday).
    const qint64 offset = step == 7 * Day ? 4 * Day : 0;
    qint64 t = startMs - offset;
    t = (t >= 0 ? t / step : -((-t + step - 1) / step)) * step + offset;
    if (t < startMs)
        t += step;
    for (; t <= end; t += step)
        out.append({t, toX(t), label(utc(t))});
    return out;
}

} // namespace Raize::Timeline
