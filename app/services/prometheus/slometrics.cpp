#include "services/prometheus/slometrics.h"

#include "slo/sloengine.h"

#include <QMap>
#include <QPointer>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

namespace Raize::Slo {

QHash<QString, QList<QPair<qint64, double>>> cumulativeByGroup(const QList<Services::PromSeries> &series,
                                                              const QStringList &group, qint64 gapMs)
{
    // group → time → summed increase at that time (0 marks a sample without an increase)
    QHash<QString, QMap<qint64, double>> increases;
    for (const Services::PromSeries &s : series) {
        QStringList parts;
        for (const QString &label : group) {
            const QString v = s.labels.value(label);
            if (v.isEmpty())
                break;
            parts << v;
        }
        if (parts.size() != group.size())
            continue;
        QMap<qint64, double> &inc = increases[parts.join(u'/')];
        qint64 prevT = 0;
        double prev = 0;
        bool have = false;
        for (const auto &[time, value] : s.points) {
            if (!std::isfinite(value) || value < 0)
                continue; // stale markers
            const qint64 t = time.toMSecsSinceEpoch();
            if (have && t <= prevT)
                continue;
            double add = 0;
            if (have && t - prevT <= gapMs)
                add = value >= prev ? value - prev : value; // down: the counter restarted from zero
            inc[t] += add;
            prevT = t;
            prev = value;
            have = true;
        }
    }
    QHash<QString, QList<QPair<qint64, double>>> out;
    for (auto it = increases.cbegin(); it != increases.cend(); ++it) {
        QList<QPair<qint64, double>> &cum = out[it.key()];
        cum.reserve(it->size());
        double sum = 0;
        for (auto p = it->cbegin(); p != it->cend(); ++p) {
            sum += p.value();
            cum.append({p.key(), sum});
        }
    }
    return out;
}

QHash<QString, QList<CounterSample>> countersByGroup(const QList<Services::PromSeries> &goodOrBad,
                                                     const QList<Services::PromSeries> &total, bool badIsGiven,
                                                     const QStringList &group, qint64 gapMs)
{
    const auto part = cumulativeByGroup(goodOrBad, group, gapMs);
    const auto all = cumulativeByGroup(total, group, gapMs);
    QHash<QString, QList<CounterSample>> out;
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        const QList<QPair<qint64, double>> &p = part.value(it.key());
        QList<CounterSample> &samples = out[it.key()];
        samples.reserve(it->size());
        // Walk both on the total's timestamps; the part's value is its latest at or before t.
        qsizetype j = 0;
        double partValue = 0;
        for (const auto &[t, totalValue] : *it) {
            while (j < p.size() && p[j].first <= t)
                partValue = p[j++].second;
            const double good = badIsGiven ? totalValue - partValue : partValue;
            samples.append({t, good, totalValue});
        }
    }
    return out;
}

SloFeed::SloFeed(Services::PrometheusClient &prometheus, QList<SloSpec> slos, QObject *parent)
    : QObject(parent)
    , m_prometheus(prometheus)
    , m_slos(std::move(slos))
{
}

QString SloFeed::goodOrBadSelector(const SloSpec &spec)
{
    return withServices(spec.badMetric.isEmpty() ? spec.goodMetric : spec.badMetric, spec.services);
}

QString SloFeed::totalSelector(const SloSpec &spec)
{
    return withServices(spec.totalMetric, spec.services);
}

QString SloFeed::withServices(const QString &selector, const QStringList &services)
{
    if (services.isEmpty())
        return selector;
    // The SLO table names the services that export the SLO; series of other services are not its events.
    const QString matcher = services.size() == 1 ? u"service=\"%1\""_s.arg(services.first())
                                                 : u"service=~\"%1\""_s.arg(services.join(u'|'));
    const qsizetype brace = selector.indexOf(u'{');
    if (brace < 0)
        return selector + u'{' + matcher + u'}';
    const qsizetype close = selector.lastIndexOf(u'}');
    const bool empty = selector.mid(brace + 1, close - brace - 1).trimmed().isEmpty();
    return selector.left(close) + (empty ? QString() : u","_s) + matcher + selector.mid(close);
}

void SloFeed::load(qint64 toMs, qint64 rangeMs, qint64 stepMs)
{
    if (m_pending > 0)
        return;
    ++m_generation;
    m_next = {};
    m_next.fromMs = toMs - rangeMs;
    m_next.toMs = toMs;
    m_next.stepMs = stepMs;
    m_raw.clear();
    m_error = {};
    const qint64 chunkMs = 10'000 * stepMs;
    QList<QPair<QString, QString>> queries; // key, selector
    for (const SloSpec &spec : std::as_const(m_slos)) {
        queries.append({spec.id + u"|part"_s, goodOrBadSelector(spec)});
        queries.append({spec.id + u"|total"_s, totalSelector(spec)});
    }
    QPointer<SloFeed> self(this);
    const int generation = m_generation;
    for (const auto &[key, selector] : queries) {
        for (qint64 from = m_next.fromMs; from < toMs; from += chunkMs) {
            // Chunks share their edge sample so that no interval is lost between them.
            const qint64 to = std::min(toMs, from + chunkMs);
            ++m_pending;
            m_prometheus.queryRange(selector, QDateTime::fromMSecsSinceEpoch(from, Qt::UTC), QDateTime::fromMSecsSinceEpoch(to, Qt::UTC),
                                    int(stepMs / 1000), [self, generation, key](const Result<Services::PromResult> &r) {
                                        if (!self || generation != self->m_generation)
                                            return;
                                        if (!r)
                                            self->m_error = r.error();
                                        else
                                            self->m_raw[key].append(r->matrix);
                                        if (--self->m_pending > 0)
                                            return;
                                        if (self->m_error.isError()) {
                                            Q_EMIT self->failed(self->m_error);
                                            return;
                                        }
                                        // Chunks of one series: merge them by labels, in time order.
                                        for (auto it = self->m_raw.begin(); it != self->m_raw.end(); ++it) {
                                            QList<Services::PromSeries> merged;
                                            for (const Services::PromSeries &s : std::as_const(*it)) {
                                                auto same = std::find_if(merged.begin(), merged.end(),
                                                                         [&](const Services::PromSeries &m) { return m.labels == s.labels; });
                                                if (same == merged.end())
                                                    merged.append(s);
                                                else
                                                    same->points.append(s.points);
                                            }
                                            for (Services::PromSeries &s : merged)
                                                std::stable_sort(s.points.begin(), s.points.end(),
                                                                 [](const auto &a, const auto &b) { return a.first < b.first; });
                                            *it = merged;
                                        }
                                        const GapRule rule{self->m_next.stepMs, 5};
                                        for (const SloSpec &spec : std::as_const(self->m_slos)) {
                                            const auto &part = self->m_raw.value(spec.id + u"|part"_s);
                                            const auto &total = self->m_raw.value(spec.id + u"|total"_s);
                                            const bool bad = !spec.badMetric.isEmpty();
                                            const auto cohorts = countersByGroup(part, total, bad, {u"cohort"_s}, rule.maxGapMs());
                                            for (auto c = cohorts.cbegin(); c != cohorts.cend(); ++c)
                                                self->m_next.byCohort[spec.id].insert(c.key(), CounterSeries(*c, rule));
                                            const auto lanes = countersByGroup(part, total, bad, {u"cohort"_s, u"lane"_s}, rule.maxGapMs());
                                            for (auto c = lanes.cbegin(); c != lanes.cend(); ++c)
                                                self->m_next.byCohortLane[spec.id].insert(c.key(), CounterSeries(*c, rule));
                                        }
                                        self->m_raw.clear();
                                        self->m_data = std::move(self->m_next);
                                        self->m_next = {};
                                        Q_EMIT self->loaded();
                                    });
        }
    }
}

QMap<QString, double> lowestCohortBudgets(const SloData &data, const QList<SloSpec> &slos)
{
    QMap<QString, double> out;
    for (const SloSpec &spec : slos) {
        const auto byCohort = data.byCohort.value(spec.id);
        for (auto it = byCohort.cbegin(); it != byCohort.cend(); ++it) {
            const BudgetStatus b = budgetRemaining(spec, it.value(), data.toMs);
            if (b.enoughData && (!out.contains(spec.id) || b.remaining < out.value(spec.id)))
                out.insert(spec.id, b.remaining);
        }
    }
    return out;
}

void readBudgets(SloFeed &feed, qint64 nowMs, std::function<void(const Result<QMap<QString, double>> &)> done)
{
    int days = 1;
    for (const SloSpec &s : feed.slos())
        days = std::max(days, s.windowDays);
    const qint64 rangeMs = qint64(days) * 24 * 3600 * 1000, stepMs = 10 * 60 * 1000;
    // Data the feed already holds (the SLO view's 30-day history) answers at once when it is recent and whole.
    const SloData &have = feed.data();
    if (!feed.busy() && !have.isEmpty() && nowMs - have.toMs <= 15 * 60 * 1000 && have.toMs - have.fromMs >= rangeMs)
        return done(lowestCohortBudgets(have, feed.slos()));
    // One answer: the connections go with the first signal.
    auto connections = std::make_shared<QList<QMetaObject::Connection>>();
    const auto disconnectAll = [connections] {
        for (const QMetaObject::Connection &c : std::as_const(*connections))
            QObject::disconnect(c);
    };
    QPointer<SloFeed> guard(&feed);
    *connections << QObject::connect(&feed, &SloFeed::loaded, &feed, [guard, done, disconnectAll] {
        disconnectAll();
        if (guard)
            done(lowestCohortBudgets(guard->data(), guard->slos()));
    });
    *connections << QObject::connect(&feed, &SloFeed::failed, &feed, [done, disconnectAll](const Raize::Error &e) {
        disconnectAll();
        done(e);
    });
    feed.load(nowMs, rangeMs, stepMs); // the same range and step as the console's history (LiveData); a load in flight is awaited
}

} // namespace Raize::Slo
