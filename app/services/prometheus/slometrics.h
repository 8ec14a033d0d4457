#pragma once

// From Prometheus range data to the engine's counter series (issue #8,
// part 4): the metrics adapter and the feed that reads an SLO's counters for
// every cohort and every cohort × lane.

#include "slo/counterseries.h"
#include "slo/slospec.h"

#include "core/error.h"
#include "core/result.h"
#include "services/prometheus/prometheusclient.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QObject>

#include <functional>

namespace Raize::Slo {

// Cumulative counters of one group (e.g. cohort="house") built from the raw
// series of a range query: each series' increases are taken on their own
// (a counter that goes down restarted from zero, Prometheus' rule), an
// interval longer than gapMs adds nothing, and the increases of every series
// of the group are summed on the union of their timestamps. Summing the raw
// counters instead (`sum by (cohort)`) would turn one series' restart into a
// fall of the sum.
// `group` names the labels that form the key, joined with '/'
// ("house/api" for {"cohort", "lane"}); series without them are left out.
QHash<QString, QList<QPair<qint64, double>>> cumulativeByGroup(const QList<Services::PromSeries> &series,
                                                              const QStringList &group, qint64 gapMs);

// good/total (or bad/total when badIsGiven) into CounterSample lists, by group.
QHash<QString, QList<CounterSample>> countersByGroup(const QList<Services::PromSeries> &goodOrBad,
                                                     const QList<Services::PromSeries> &total, bool badIsGiven,
                                                     const QStringList &group, qint64 gapMs);

// The counters of every SLO for one time range, by cohort and by cohort/lane.
struct SloData
{
    qint64 fromMs = 0, toMs = 0, stepMs = 0;
    QHash<QString, QHash<QString, CounterSeries>> byCohort;     // slo id → cohort → series
    QHash<QString, QHash<QString, CounterSeries>> byCohortLane; // slo id → "cohort/lane" → series
    bool isEmpty() const { return byCohort.isEmpty(); }
};

// Reads the counters of the SLOs from Prometheus with range queries over
// [to − range, to] at `step` (split into queries of at most 10,000 points,
// under Prometheus' 11,000-point limit). One load at a time; a load that
// fails leaves the last good data in place.
class SloFeed : public QObject
{
    Q_OBJECT

public:
    SloFeed(Services::PrometheusClient &prometheus, QList<SloSpec> slos, QObject *parent = nullptr);

    void load(qint64 toMs, qint64 rangeMs, qint64 stepMs);
    bool busy() const { return m_pending > 0; }
    const SloData &data() const { return m_data; }
    const QList<SloSpec> &slos() const { return m_slos; }

    // The PromQL selectors an SLO's counters are read with: the policy's
    // metric, limited to the services of the SLO table (docs/slo-labels.md).
    static QString goodOrBadSelector(const SloSpec &spec);
    static QString totalSelector(const SloSpec &spec);
    static QString withServices(const QString &selector, const QStringList &services);

Q_SIGNALS:
    void loaded();
    void failed(const Raize::Error &error);

private:
    Services::PrometheusClient &m_prometheus;
    QList<SloSpec> m_slos;
    SloData m_next, m_data;
    QHash<QString, QList<Services::PromSeries>> m_raw; // "slo id|good" / "slo id|total" → series (chunks appended)
    int m_pending = 0;
    int m_generation = 0;
    Error m_error;
};

// The share of each SLO's error budget left over its window (spec.windowDays) at the data's end, as the
// lowest of its cohorts (the stricter reading: a budget one cohort has spent is spent). 1 untouched, 0 spent,
// below 0 overspent. SLOs with too little data in the window are left out (never read as a full budget).
QMap<QString, double> lowestCohortBudgets(const SloData &data, const QList<SloSpec> &slos);

// The budgets above from `feed` over the longest SLO window ending at nowMs: its data when recent and whole,
// else after a load (10-minute steps, as the console's history), or the feed's error (the error-budget
// promotion gate, issue #17 item 5).
void readBudgets(SloFeed &feed, qint64 nowMs, std::function<void(const Result<QMap<QString, double>> &)> done);

} // namespace Raize::Slo
