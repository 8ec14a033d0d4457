#include "timeline/timelinemodel.h"

#include <QDateTime>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

QString TimelineEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Deployment:
        return u"deployment"_s;
    case Kind::Promotion:
        return u"promotion"_s;
    case Kind::Rollback:
        return u"rollback"_s;
    case Kind::FlagChange:
        return u"flag change"_s;
    case Kind::CanaryStep:
        return u"canary step"_s;
    case Kind::CheckResult:
        return u"check"_s;
    case Kind::Incident:
        return u"incident"_s;
    case Kind::Journal:
        return u"journal"_s;
    case Kind::Merge:
        return u"merge"_s;
    }
    return {};
}

const QStringList &timelineLanes()
{
    static const QStringList lanes = {u"Preview"_s, u"Staging"_s, u"Production"_s, u"web"_s, u"runner"_s, u"tools"_s};
    return lanes;
}

bool TimelineFilter::accepts(const TimelineEvent &e) const
{
    // Services and environments outside the lanes count as one "other" value each.
    const QStringList &lanes = timelineLanes();
    const auto matches = [&lanes](const QStringList &wanted, const QString &value, qsizetype first) {
        const bool known = lanes.indexOf(value, first) >= first && lanes.indexOf(value, first) < first + 3;
        if (known)
            return wanted.contains(value);
        return std::any_of(wanted.cbegin(), wanted.cend(), [&](const QString &w) {
            const qsizetype i = lanes.indexOf(w, first);
            return i < first || i >= first + 3;
        });
    };
    if (!services.isEmpty() && !e.service.isEmpty() && !matches(services, e.service, 3))
        return false;
    if (!services.isEmpty() && e.service.isEmpty() && e.environment.isEmpty())
        return false;
    if (!environments.isEmpty() && !e.environment.isEmpty() && !matches(environments, e.environment, 0))
        return false;
    if (minLevel && e.level && *e.level < *minLevel)
        return false;
    return true;
}

TimelineFilter::Compiled TimelineFilter::compiled() const
{
    Compiled c;
    c.byService = !services.isEmpty();
    c.byEnvironment = !environments.isEmpty();
    const QStringList &lanes = timelineLanes();
    for (int i = 0; i < 3; ++i) {
        if (services.contains(lanes[3 + i]))
            c.services |= quint8(1u << i);
        if (environments.contains(lanes[i]))
            c.environments |= quint8(1u << i);
    }
    // Bit 3: names outside the lanes.
    for (const QString &s : services) {
        const qsizetype i = lanes.indexOf(s);
        if (i < 3)
            c.services |= quint8(1u << 3);
    }
    for (const QString &e : environments) {
        const qsizetype i = lanes.indexOf(e);
        if (i < 0 || i >= 3)
            c.environments |= quint8(1u << 3);
    }
    c.minLevel = minLevel ? qint8(*minLevel) : qint8(-1);
    return c;
}

TimelineFilter::Key TimelineFilter::keyOf(const TimelineEvent &e)
{
    const QStringList &lanes = timelineLanes();
    Key k;
    if (!e.environment.isEmpty()) {
        const qsizetype i = lanes.indexOf(e.environment);
        k.environment = qint8(i >= 0 && i < 3 ? i : 3);
    }
    if (!e.service.isEmpty()) {
        const qsizetype i = lanes.indexOf(e.service);
        k.service = qint8(i >= 3 ? i - 3 : 3);
    }
    k.level = e.level ? qint8(*e.level) : qint8(-1);
    k.color = qint8(TimelineModel::colorClassOf(e));
    return k;
}

TimelineModel::TimelineModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TimelineEvent &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return QDateTime::fromMSecsSinceEpoch(e.timeMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case Lane:
            return e.service.isEmpty() ? e.environment : e.environment.isEmpty() ? e.service : e.environment + u" · "_s + e.service;
        case Kind:
            return QString(TimelineEvent::kindName(e.kind) + (e.level ? QString(u" ("_s + Release::levelName(*e.level) + u')') : QString()));
        case Title:
            return e.title;
        case State:
            return e.state;
        }
        return {};
    case Qt::ToolTipRole:
        return e.detail.isEmpty() ? e.title : e.title + u'\n' + e.detail;
    case TimeRole:
        return e.timeMs;
    case UrlRole:
        return e.url;
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    static const char *const names[] = {"Time (UTC)", "Lane", "Kind", "What", "State"};
    return QString::fromLatin1(names[section]);
}

void TimelineModel::append(QList<TimelineEvent> events)
{
    if (events.isEmpty())
        return;
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(events.size()) - 1);
    m_events.append(std::move(events));
    indexRows(first);
    endInsertRows();
    Q_EMIT eventsChanged();
}

bool TimelineModel::replace(int row, TimelineEvent event)
{
    if (row < 0 || row >= m_events.size())
        return false;
    const TimelineEvent &old = m_events.at(row);
    if (old.timeMs != event.timeMs || old.environment != event.environment || old.service != event.service)
        return false; // the lane index would be wrong
    m_events[row] = std::move(event);
    m_keys[row] = TimelineFilter::keyOf(m_events.at(row));
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT eventsChanged();
    return true;
}

void TimelineModel::clear()
{
    if (m_events.isEmpty())
        return;
    beginResetModel();
    m_events.clear();
    m_keys.clear();
    m_lanes.clear();
    endResetModel();
    Q_EMIT eventsChanged();
}

void TimelineModel::indexRows(int firstRow)
{
    // The new rows of each lane, sorted by (time, row), merged into the lane's
    // sorted arrays: one sequential O(n) pass per lane and batch.
    QHash<QString, std::vector<std::pair<qint64, int>>> added;
    m_keys.reserve(m_events.size());
    for (int row = firstRow; row < m_events.size(); ++row) {
        const TimelineEvent &e = m_events.at(row);
        m_keys.append(TimelineFilter::keyOf(e));
        if (!e.environment.isEmpty())
            added[e.environment].emplace_back(e.timeMs, row);
        if (!e.service.isEmpty())
            added[e.service].emplace_back(e.timeMs, row);
    }
    for (auto it = added.begin(); it != added.end(); ++it) {
        auto &fresh = it.value();
        std::sort(fresh.begin(), fresh.end());
        LaneIndex &lane = m_lanes[it.key()];
        LaneIndex merged;
        merged.rows.reserve(lane.rows.size() + qsizetype(fresh.size()));
        merged.times.reserve(merged.rows.capacity());
        qsizetype i = 0;
        std::size_t j = 0;
        while (i < lane.rows.size() || j < fresh.size()) {
            // Existing rows have smaller row numbers: on equal times they come first.
            if (j == fresh.size() || (i < lane.rows.size() && lane.times[i] <= fresh[j].first)) {
                merged.times.append(lane.times[i]);
                merged.rows.append(lane.rows[i]);
                ++i;
            } else {
                merged.times.append(fresh[j].first);
                merged.rows.append(fresh[j].second);
                ++j;
            }
        }
        lane = std::move(merged);
    }
}

int TimelineModel::colorClassOf(const TimelineEvent &e)
{
    const QString &s = e.state;
    const auto is = [&s](QLatin1StringView w) { return s.compare(w, Qt::CaseInsensitive) == 0; };
    if (e.kind == TimelineEvent::Kind::Incident || is("error"_L1) || is("fail"_L1) || is("failed"_L1) || is("failure"_L1))
        return 7;
    if (e.kind == TimelineEvent::Kind::Rollback)
        return 6;
    if (is("building"_L1) || is("queued"_L1) || is("running"_L1) || is("pending"_L1) || is("unknown"_L1))
        return 5;
    switch (e.kind) {
    case TimelineEvent::Kind::Promotion:
        return 4;
    case TimelineEvent::Kind::FlagChange:
        return 3;
    case TimelineEvent::Kind::CanaryStep:
        return 2;
    case TimelineEvent::Kind::Journal:
        return 1;
    default:
        return 0;
    }
}

const QList<int> &TimelineModel::laneRows(const QString &lane) const
{
    static const QList<int> none;
    const auto it = m_lanes.constFind(lane);
    return it == m_lanes.cend() ? none : it->rows;
}

const QList<qint64> &TimelineModel::laneTimes(const QString &lane) const
{
    static const QList<qint64> none;
    const auto it = m_lanes.constFind(lane);
    return it == m_lanes.cend() ? none : it->times;
}

qint64 TimelineModel::firstTime() const
{
    qint64 t = std::numeric_limits<qint64>::max();
    for (const LaneIndex &lane : m_lanes) {
        if (!lane.times.isEmpty())
            t = std::min(t, lane.times.first());
    }
    return t == std::numeric_limits<qint64>::max() ? 0 : t;
}

qint64 TimelineModel::lastTime() const
{
    qint64 t = std::numeric_limits<qint64>::min();
    for (const LaneIndex &lane : m_lanes) {
        if (!lane.times.isEmpty())
            t = std::max(t, lane.times.last());
    }
    return t == std::numeric_limits<qint64>::min() ? 0 : t;
}

qsizetype TimelineModel::lowerBound(const QString &lane, qint64 timeMs) const
{
    const QList<qint64> &times = laneTimes(lane);
    return std::lower_bound(times.cbegin(), times.cend(), timeMs) - times.cbegin();
}

TimelineFilterModel::TimelineFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void TimelineFilterModel::setTimelineFilter(const TimelineFilter &filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateFilter();
}

bool TimelineFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto *model = qobject_cast<const TimelineModel *>(sourceModel());
    if (!model || sourceParent.isValid())
        return false;
    return m_filter.accepts(model->event(sourceRow));
}

} // namespace Raize::Ui
