#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace Raize::Ui {

class SloView;
class TimelineCanvas;

// Links the SLO charts' time range to the release timeline, both ways (issue
// #8, part 5): zooming or panning the timeline while it is shown sets the
// charts' range to the time the timeline shows; choosing a range in the SLO view fits the
// timeline to it. A change made on behalf of one side does not come back
// from the other (no feedback loop), and nothing is set when the range is
// already the same. Either side may be destroyed first. The timeline's
// changes reach the charts coalesced (a drag pans many times a second and a
// redraw computes burn series), after at most CoalesceMs.
class TimeRangeLink : public QObject
{
    Q_OBJECT

public:
    TimeRangeLink(TimelineCanvas *timeline, SloView *slo, QObject *parent = nullptr);

    // The timeline's visible range [from, to] in ms since the epoch.
    static QPair<qint64, qint64> visibleRange(const TimelineCanvas *timeline);
    static constexpr int CoalesceMs = 40;

private:
    void timelineChanged();
    void applyTimeline();
    void sloChanged(qint64 fromMs, qint64 toMs);

    QPointer<TimelineCanvas> m_timeline;
    QPointer<SloView> m_slo;
    QTimer m_fromTimeline;
    bool m_applying = false;
};

} // namespace Raize::Ui
