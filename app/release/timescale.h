#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

namespace Raize::Timeline {

// Maps time to pixels for the release timeline (STYLE.md §3, Hotspot's
// TimeLineDelegate): painting code and the view's mouse handling only ask
// this value. x = (t - startMs) / msPerPixel, in logical pixels.
struct TimeScale
{
    // Zoom range: from minutes (1 minute over 240 px) to months (a year over
    // 800 px), whatever the widget's width.
    static constexpr double MinMsPerPixel = 60'000.0 / 240.0;
    static constexpr double MaxMsPerPixel = 366.0 * 86'400'000.0 / 800.0;

    qint64 startMs = 0;        // the time at x = 0
    double msPerPixel = 60'000; // one minute per pixel

    double toX(qint64 timeMs) const { return double(timeMs - startMs) / msPerPixel; }
    qint64 toTime(double x) const { return startMs + qint64(x * msPerPixel); }
    qint64 endMs(int widthPx) const { return toTime(widthPx); }
    qint64 spanMs(int widthPx) const { return qint64(widthPx * msPerPixel); }

    // The range [fromMs, toMs] across widthPx (clamped to the zoom range, centred).
    static TimeScale fit(qint64 fromMs, qint64 toMs, int widthPx);
    // Zoomed by factor (> 1 zooms in) around pixel x: the time under x stays under x.
    TimeScale zoomedAt(double x, double factor) const;
    // Moved by dx pixels: positive dx shows earlier time (the content follows the mouse).
    TimeScale panned(double dx) const;

    // Grid lines: a "nice" step (1 min … 1 year) so that labels are at least minSpacingPx apart,
    // aligned to whole steps in UTC (calendar months and years for those steps).
    struct Tick
    {
        qint64 timeMs = 0;
        double x = 0;
        QString label;
    };
    qint64 tickStepMs(double minSpacingPx = 90) const;
    QList<Tick> ticks(int widthPx, double minSpacingPx = 90) const;

    bool operator==(const TimeScale &) const = default;
};

} // namespace Raize::Timeline
