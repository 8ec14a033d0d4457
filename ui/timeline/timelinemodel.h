#pragma once

#include "release/gatepolicy.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Ui {

// One thing that happened to a release (issue #7, part 1).
struct TimelineEvent
{
    enum class Kind { Deployment, Promotion, Rollback, FlagChange, CanaryStep, CheckResult, Incident, Journal, Merge };
    qint64 timeMs = 0;
    Kind kind = Kind::Deployment;
    QString environment; // "Preview", "Staging", "Production" (empty: none)
    QString service;     // "web", "runner", "tools" (empty: none)
    std::optional<Release::Level> level;
    QString title;       // "dpl_rc READY", "publishing.x ON for house"
    QString detail;      // state, commit, pull requests, who, scope, check result
    QString url;         // GitHub or Vercel
    QString state;       // READY, ERROR, pass, fail, ...

    static QString kindName(Kind kind);
};

// The lanes, top to bottom: environments, then services (playbook §2, §11).
const QStringList &timelineLanes(); // "Preview", "Staging", "Production", "web", "runner", "tools"

// Which events are shown; the canvas and the list use the same predicate.
struct TimelineFilter
{
    QStringList services;     // empty: all
    QStringList environments; // empty: all
    std::optional<Release::Level> minLevel; // events without a level always pass

    bool accepts(const TimelineEvent &e) const;
    bool operator==(const TimelineFilter &) const = default;

    // The same predicate on a row's compact key, for painting 100,000 events
    // without touching the events themselves (cache misses, not arithmetic,
    // are what a frame costs).
    struct Key
    {
        qint8 environment = -1; // index in Preview, Staging, Production; 3: another; -1: none
        qint8 service = -1;     // index in web, runner, tools; 3: another; -1: none
        qint8 level = -1;       // 0..3; -1: none
        qint8 color = 0;        // the canvas' colour class
    };
    struct Compiled
    {
        bool byService = false, byEnvironment = false;
        quint8 services = 0, environments = 0; // bit i: index i accepted
        qint8 minLevel = -1;
        bool accepts(const Key &k) const
        {
            if (byService && ((k.service >= 0 && !(services & (1u << k.service))) || (k.service < 0 && k.environment < 0)))
                return false;
            if (byEnvironment && k.environment >= 0 && !(environments & (1u << k.environment)))
                return false;
            return !(minLevel >= 0 && k.level >= 0 && k.level < minLevel);
        }
    };
    Compiled compiled() const;
    static Key keyOf(const TimelineEvent &e);
};

// The events as a table, appended in batches (one beginInsertRows per
// batch), plus an index sorted by time for the canvas: the rows in time
// order and, per lane, the rows of that lane in time order.
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Lane, Kind, Title, State, ColumnCount };
    static constexpr int TimeRole = Qt::UserRole + 1;
    static constexpr int UrlRole = Qt::UserRole + 2;

    explicit TimelineModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends one batch; events need not be in time order.
    void append(QList<TimelineEvent> events);
    void clear();
    // Replaces one row's event with another at the same time in the same
    // lanes (the audit log's record of a change the flag service showed
    // first; a deployment that learnt its release level). False otherwise.
    bool replace(int row, TimelineEvent event);
    const TimelineEvent &event(int row) const { return m_events.at(row); }
    // The marker colour class of a row (computed once, when the row arrives):
    // 0 ok … 7 error, in the priority the canvas paints them.
    int colorClass(int row) const { return m_keys.at(row).color; }
    const TimelineFilter::Key &key(int row) const { return m_keys.at(row); }
    static int colorClassOf(const TimelineEvent &e);
    // Times of laneRows(lane), in the same order.
    const QList<qint64> &laneTimes(const QString &lane) const;
    const QList<TimelineEvent> &events() const { return m_events; }
    // Rows of `lane` in time order (a lane is an environment or a service).
    const QList<int> &laneRows(const QString &lane) const;
    qint64 firstTime() const;
    qint64 lastTime() const;
    // The first position in laneRows(lane) whose time is >= timeMs.
    qsizetype lowerBound(const QString &lane, qint64 timeMs) const;

Q_SIGNALS:
    void eventsChanged();

private:
    void indexRows(int firstRow);

    QList<TimelineEvent> m_events;
    QList<TimelineFilter::Key> m_keys;
    struct LaneIndex
    {
        QList<int> rows;
        QList<qint64> times;
    };
    QHash<QString, LaneIndex> m_lanes;
};

class TimelineFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TimelineFilterModel(QObject *parent = nullptr);
    void setTimelineFilter(const TimelineFilter &filter);
    const TimelineFilter &timelineFilter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    TimelineFilter m_filter;
};

} // namespace Raize::Ui
