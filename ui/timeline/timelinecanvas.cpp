#include "timeline/timelinecanvas.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QUrl>
#include <QWheelEvent>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

std::function<void(const QUrl &)> &urlOpener()
{
    static std::function<void(const QUrl &)> opener = [](const QUrl &url) { QDesktopServices::openUrl(url); };
    return opener;
}

// Marker colours, in priority order: when several events share a pixel
// column the highest one is drawn (an error is never hidden by a success).
const QColor &paletteColor(int index)
{
    static const QColor colors[] = {
        QColor(0x2e, 0x7d, 0x32), // 0 deployment, check: ok
        QColor(0x61, 0x61, 0x61), // 1 journal
        QColor(0x15, 0x65, 0xc0), // 2 canary step
        QColor(0x00, 0x83, 0x8f), // 3 flag change
        QColor(0x6a, 0x1b, 0x9a), // 4 promotion
        QColor(0xf9, 0xa8, 0x25), // 5 building, queued, running, pending, unknown
        QColor(0xe6, 0x51, 0x00), // 6 rollback
        QColor(0xc6, 0x28, 0x28), // 7 error, failure, incident
    };
    return colors[std::clamp(index, 0, 7)];
}

void drawMarker(QPainter &p, TimelineEvent::Kind kind, int x, const QRect &lane, int s)
{
    const int cy = lane.center().y();
    switch (kind) {
    case TimelineEvent::Kind::Promotion:
    case TimelineEvent::Kind::Rollback: {
        QPainterPath d;
        d.moveTo(x, cy - s - 2);
        d.lineTo(x + s + 2, cy);
        d.lineTo(x, cy + s + 2);
        d.lineTo(x - s - 2, cy);
        d.closeSubpath();
        p.drawPath(d);
        break;
    }
    case TimelineEvent::Kind::FlagChange:
    case TimelineEvent::Kind::CanaryStep:
        p.drawRect(QRect(x - s + 1, cy - s + 1, 2 * s - 2, 2 * s - 2));
        break;
    case TimelineEvent::Kind::Incident:
    case TimelineEvent::Kind::Journal:
    case TimelineEvent::Kind::CheckResult:
        p.drawRect(QRect(x - 1, lane.top() + 5, 3, lane.height() - 10));
        break;
    default:
        p.drawEllipse(QPoint(x, cy), s, s);
    }
}

} // namespace

void TimelineCanvas::setUrlOpener(std::function<void(const QUrl &)> opener)
{
    // An empty opener restores the desktop's.
    urlOpener() = opener ? std::move(opener) : [](const QUrl &url) { QDesktopServices::openUrl(url); };
}

void TimelineCanvas::openUrl(const QUrl &url)
{
    urlOpener()(url);
}

TimelineCanvas::TimelineCanvas(TimelineModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    setObjectName(u"timelineCanvas"_s);
    setAccessibleName(tr("Timeline"));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    // The lanes have a fixed height; the list below takes the rest.
    setFixedHeight(AxisPx + LanePx * int(timelineLanes().size()) + 4);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(model, &TimelineModel::eventsChanged, this, [this] {
        if (!m_fitted && m_model->rowCount() > 0)
            fitAll();
        update();
    });
}

QSize TimelineCanvas::sizeHint() const
{
    return {900, AxisPx + LanePx * int(timelineLanes().size()) + 4};
}

void TimelineCanvas::setScale(const Timeline::TimeScale &scale)
{
    if (scale == m_scale)
        return;
    m_scale = scale;
    m_fitted = true;
    update();
    Q_EMIT scaleChanged();
}

void TimelineCanvas::fitAll()
{
    if (!m_model || m_model->rowCount() == 0)
        return;
    const qint64 from = m_model->firstTime(), to = m_model->lastTime();
    const qint64 margin = std::max<qint64>((to - from) / 40, 60'000);
    setScale(Timeline::TimeScale::fit(from - margin, to + margin, plotWidth()));
}

void TimelineCanvas::centerOn(qint64 timeMs)
{
    Timeline::TimeScale s = m_scale;
    s.startMs = timeMs - qint64(s.msPerPixel * plotWidth() / 2);
    setScale(s);
}

void TimelineCanvas::setFilter(const TimelineFilter &filter)
{
    m_filter = filter;
    m_hover = -1;
    update();
}

QRect TimelineCanvas::laneRect(int lane) const
{
    return QRect(0, AxisPx + lane * LanePx, width(), LanePx);
}

void TimelineCanvas::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.base());
    const int w = plotWidth();
    // Axis and grid.
    p.fillRect(QRect(0, 0, width(), AxisPx), pal.alternateBase());
    const QColor grid = pal.color(QPalette::Mid);
    p.setPen(pal.color(QPalette::Text));
    const auto ticks = m_scale.ticks(w);
    for (const auto &t : ticks) {
        const int x = GutterPx + int(std::lround(t.x));
        p.setPen(grid);
        p.drawLine(x, AxisPx - 6, x, height());
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(x + 3, 0, 120, AxisPx - 4), Qt::AlignLeft | Qt::AlignVCenter, t.label);
    }
    // Lanes.
    const QStringList &lanes = timelineLanes();
    for (int i = 0; i < lanes.size(); ++i) {
        const QRect r = laneRect(i);
        if (i % 2 == 1)
            p.fillRect(r.adjusted(GutterPx, 0, 0, 0), QColor(127, 127, 127, 18));
        p.setPen(grid);
        p.drawLine(0, r.bottom(), width(), r.bottom());
        if (i == 3) { // environments above, services below
            p.setPen(QPen(pal.color(QPalette::Dark), 2));
            p.drawLine(0, r.top(), width(), r.top());
        }
        paintLane(p, i);
        p.fillRect(QRect(0, r.top(), GutterPx - 1, r.height() - 1), pal.window());
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(r.adjusted(8, 0, 0, 0).intersected(QRect(0, r.top(), GutterPx - 8, r.height())), Qt::AlignVCenter | Qt::AlignLeft,
                   lanes[i]);
    }
    p.setPen(grid);
    p.drawLine(GutterPx - 1, 0, GutterPx - 1, height());
    if (!m_model || m_model->rowCount() == 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(GutterPx, AxisPx, 0, 0), Qt::AlignCenter, tr("No events yet"));
    }
}

void TimelineCanvas::paintLane(QPainter &p, int lane) const
{
    if (!m_model)
        return;
    const QString &name = timelineLanes().at(lane);
    const QList<int> &rows = m_model->laneRows(name);
    if (rows.isEmpty())
        return;
    const int w = plotWidth();
    const QRect r = laneRect(lane);
    constexpr int Margin = 8; // markers just outside the plot still show their edge
    const qint64 from = m_scale.toTime(-Margin), to = m_scale.toTime(w + Margin);
    // One pass over the visible events: per pixel column the highest-priority
    // colour and its event, so that a frame costs at most one marker per
    // column whatever the number of events.
    std::vector<qint8> color(std::size_t(w + 2 * Margin + 1), -1);
    std::vector<int> rowAt(color.size(), -1);
    int visible = 0;
    const QList<qint64> &times = m_model->laneTimes(name);
    const TimelineFilter::Compiled filter = m_filter.compiled();
    const double start = double(m_scale.startMs), perPx = m_scale.msPerPixel;
    for (qsizetype i = m_model->lowerBound(name, from); i < rows.size(); ++i) {
        const qint64 t = times[i];
        if (t > to)
            break;
        const TimelineFilter::Key &k = m_model->key(rows[i]);
        if (!filter.accepts(k))
            continue;
        const long col = std::lround((double(t) - start) / perPx) + Margin;
        if (col < 0 || col >= long(color.size()))
            continue;
        ++visible;
        const int c = k.color;
        if (c > color[std::size_t(col)]) {
            color[std::size_t(col)] = qint8(c);
            rowAt[std::size_t(col)] = rows[i];
        }
    }
    const bool dense = visible > w / 4;
    p.setPen(Qt::NoPen);
    p.setRenderHint(QPainter::Antialiasing, !dense);
    for (std::size_t col = 0; col < color.size(); ++col) {
        if (color[col] < 0)
            continue;
        const int x = GutterPx + int(col) - Margin;
        if (dense) {
            // Many events per pixel: a density strip, worst colour on top.
            p.fillRect(QRect(x, r.top() + 8, 1, r.height() - 16), paletteColor(color[col]));
        } else {
            p.setBrush(paletteColor(color[col]));
            drawMarker(p, m_model->event(rowAt[col]).kind, x, r, 5);
        }
    }
    if (m_hover >= 0) {
        const TimelineEvent &e = m_model->event(m_hover);
        if ((e.environment == name || e.service == name) && m_filter.accepts(e)) {
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(QPen(palette().color(QPalette::Text), 1.5));
            p.setBrush(paletteColor(m_model->colorClass(m_hover)));
            drawMarker(p, e.kind, GutterPx + int(std::lround(m_scale.toX(e.timeMs))), r, 7);
        }
    }
    p.setRenderHint(QPainter::Antialiasing, false);
}

int TimelineCanvas::eventAt(const QPoint &pos) const
{
    if (!m_model || pos.x() < GutterPx || pos.y() < AxisPx)
        return -1;
    const int lane = (pos.y() - AxisPx) / LanePx;
    if (lane < 0 || lane >= timelineLanes().size())
        return -1;
    const QString &name = timelineLanes().at(lane);
    const QList<int> &rows = m_model->laneRows(name);
    const double x = pos.x() - GutterPx;
    const qint64 from = m_scale.toTime(x - 6), to = m_scale.toTime(x + 6);
    int best = -1;
    double bestDist = 1e9;
    for (qsizetype i = m_model->lowerBound(name, from); i < rows.size(); ++i) {
        const TimelineEvent &e = m_model->event(rows[i]);
        if (e.timeMs > to)
            break;
        if (!m_filter.accepts(e))
            continue;
        const double d = std::abs(m_scale.toX(e.timeMs) - x);
        if (d < bestDist) {
            bestDist = d;
            best = rows[i];
        }
    }
    return best;
}

QString TimelineCanvas::detailText(int row) const
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return {};
    const TimelineEvent &e = m_model->event(row);
    QString s = u"%1 — %2\n%3"_s.arg(QDateTime::fromMSecsSinceEpoch(e.timeMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s),
                                      TimelineEvent::kindName(e.kind), e.title);
    if (!e.detail.isEmpty())
        s += u'\n' + e.detail;
    if (!e.url.isEmpty())
        s += u"\nClick to open "_s + e.url;
    return s;
}

void TimelineCanvas::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    setScale(m_scale.zoomedAt(event->position().x() - GutterPx, std::pow(1.25, steps)));
    event->accept();
}

void TimelineCanvas::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_pressScale = m_scale;
}

void TimelineCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_pressed && (event->buttons() & Qt::LeftButton)) {
        if (!m_dragging && (pos - m_pressPos).manhattanLength() > 3)
            m_dragging = true;
        if (m_dragging) {
            setCursor(Qt::ClosedHandCursor);
            setScale(m_pressScale.panned(pos.x() - m_pressPos.x()));
            return;
        }
    }
    const int row = eventAt(pos);
    if (row != m_hover) {
        m_hover = row;
        update();
        Q_EMIT hovered(row);
    }
    if (row >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), detailText(row), this);
    else
        QToolTip::hideText();
    setCursor(row >= 0 && !m_model->event(row).url.isEmpty() ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void TimelineCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed)
        return;
    m_pressed = false;
    unsetCursor();
    if (m_dragging) {
        m_dragging = false;
        return;
    }
    const int row = eventAt(event->position().toPoint());
    if (row < 0)
        return;
    Q_EMIT activated(row);
    const QString url = m_model->event(row).url;
    if (!url.isEmpty())
        urlOpener()(QUrl(url));
}

void TimelineCanvas::keyPressEvent(QKeyEvent *event)
{
    const int w = plotWidth();
    switch (event->key()) {
    case Qt::Key_Left:
        setScale(m_scale.panned(w / 10.0));
        break;
    case Qt::Key_Right:
        setScale(m_scale.panned(-w / 10.0));
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        setScale(m_scale.zoomedAt(w / 2.0, 1.5));
        break;
    case Qt::Key_Minus:
        setScale(m_scale.zoomedAt(w / 2.0, 1 / 1.5));
        break;
    case Qt::Key_Home:
        fitAll();
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void TimelineCanvas::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (!m_fitted)
        fitAll();
}

void TimelineCanvas::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    if (m_hover >= 0) {
        m_hover = -1;
        update();
        Q_EMIT hovered(-1);
    }
}

} // namespace Raize::Ui
