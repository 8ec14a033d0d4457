#include "timeline/timerangelink.h"

#include "slo/sloview.h"
#include "timeline/timelinecanvas.h"

#include <QScopedValueRollback>

namespace Raize::Ui {

TimeRangeLink::TimeRangeLink(TimelineCanvas *timeline, SloView *slo, QObject *parent)
    : QObject(parent)
    , m_timeline(timeline)
    , m_slo(slo)
{
    m_fromTimeline.setSingleShot(true);
    m_fromTimeline.setInterval(CoalesceMs);
    connect(&m_fromTimeline, &QTimer::timeout, this, &TimeRangeLink::applyTimeline);
    connect(timeline, &TimelineCanvas::scaleChanged, this, &TimeRangeLink::timelineChanged);
    connect(slo, &SloView::timeRangeChanged, this, &TimeRangeLink::sloChanged);
}

QPair<qint64, qint64> TimeRangeLink::visibleRange(const TimelineCanvas *timeline)
{
    const Timeline::TimeScale &s = timeline->scale();
    return {s.startMs, s.endMs(timeline->plotWidth())};
}

void TimeRangeLink::timelineChanged()
{
    // Only what the operator sees: the timeline fits itself to its events
    // when they arrive, also while another view is shown, and that must not
    // take the SLO charts off the range chosen there.
    if (!m_applying && m_timeline && m_timeline->isVisible() && !m_fromTimeline.isActive())
        m_fromTimeline.start();
}

void TimeRangeLink::applyTimeline()
{
    if (m_applying || !m_timeline || !m_slo)
        return;
    const auto [from, to] = visibleRange(m_timeline);
    if (m_slo->timeRange() == qMakePair(from, to))
        return;
    const QScopedValueRollback guard(m_applying, true);
    m_slo->setTimeRange(from, to);
}

void TimeRangeLink::sloChanged(qint64 fromMs, qint64 toMs)
{
    if (m_applying || !m_timeline || !m_slo || toMs <= fromMs)
        return;
    m_fromTimeline.stop(); // the operator's latest choice wins over a timeline change not yet applied
    if (visibleRange(m_timeline) == qMakePair(fromMs, toMs))
        return;
    const Timeline::TimeScale fitted = Timeline::TimeScale::fit(fromMs, toMs, m_timeline->plotWidth());
    if (fitted == m_timeline->scale())
        return;
    const QScopedValueRollback guard(m_applying, true);
    m_timeline->setScale(fitted);
}

} // namespace Raize::Ui
