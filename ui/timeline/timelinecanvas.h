#pragma once

#include "release/timescale.h"
#include "timeline/timelinemodel.h"

#include <QPointer>
#include <QWidget>

#include <functional>

namespace Raize::Ui {

// The lanes of the release timeline, painted from the model's time index
// through a TimeScale. Zoom with the wheel or +/-, pan by dragging or with
// the arrow keys, Home fits everything; hovering shows an event's details,
// a click opens it in GitHub or Vercel.
class TimelineCanvas : public QWidget
{
    Q_OBJECT

public:
    static constexpr int GutterPx = 96;
    static constexpr int AxisPx = 26;
    static constexpr int LanePx = 34;

    explicit TimelineCanvas(TimelineModel *model, QWidget *parent = nullptr);

    const Timeline::TimeScale &scale() const { return m_scale; }
    void setScale(const Timeline::TimeScale &scale);
    void fitAll();
    void centerOn(qint64 timeMs);
    void setFilter(const TimelineFilter &filter);
    const TimelineFilter &filter() const { return m_filter; }
    // Width of the time area (without the lane names).
    int plotWidth() const { return std::max(1, width() - GutterPx); }

    // The event under a point in widget coordinates, or -1.
    int eventAt(const QPoint &pos) const;
    int hoveredRow() const { return m_hover; }
    // The text the tooltip shows for a row.
    QString detailText(int row) const;

    // Opens URLs; tests replace it (like KeePassXC's MessageBox::setNextAnswer).
    static void setUrlOpener(std::function<void(const QUrl &)> opener);
    static void openUrl(const QUrl &url);

    QSize sizeHint() const override;

Q_SIGNALS:
    void scaleChanged();
    void hovered(int row);
    void activated(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRect laneRect(int lane) const;
    void paintLane(QPainter &p, int lane) const;

    QPointer<TimelineModel> m_model;
    Timeline::TimeScale m_scale;
    TimelineFilter m_filter;
    bool m_fitted = false;
    int m_hover = -1;
    QPoint m_pressPos;
    Timeline::TimeScale m_pressScale;
    bool m_dragging = false;
    bool m_pressed = false;
};

} // namespace Raize::Ui
