#pragma once

#include "timeline/timelinemodel.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTreeView;

namespace Raize::Ui {

class StaleLabel;
class TimelineCanvas;

// The release timeline (issue #7, part 1): lanes per environment and per
// service, zoom from minutes to months, filters by service, environment and
// release level, and the same events as a list (uniform rows).
class TimelineView : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineView(QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }
    TimelineFilterModel *filterModel() const { return m_filterModel; }
    TimelineCanvas *canvas() const { return m_canvas; }
    QTreeView *list() const { return m_list; }

    // What the feed says about where the events come from ("live · polled 12:03:04", an error, ...).
    void setSourceStatus(const QString &text);
    // "Stale since HH:MM zone" after a failed poll or when the data is older
    // than twice its poll interval; invalid: current.
    void setStaleSince(const QDateTime &since);
    StaleLabel *staleLabel() const { return m_stale; }

private:
    void applyFilter();
    void updateRange();

    TimelineModel *m_model = nullptr;
    TimelineFilterModel *m_filterModel = nullptr;
    TimelineCanvas *m_canvas = nullptr;
    QTreeView *m_list = nullptr;
    QComboBox *m_service = nullptr;
    QComboBox *m_environment = nullptr;
    QComboBox *m_level = nullptr;
    QLabel *m_range = nullptr;
    QLabel *m_source = nullptr;
    StaleLabel *m_stale = nullptr;
};

} // namespace Raize::Ui
