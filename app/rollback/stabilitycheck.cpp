#include "rollback/stabilitycheck.h"

#include "services/prometheus/prometheusclient.h"
#include "services/prometheus/slometrics.h"

#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

namespace Raize::Rollback {

namespace {

// Adds label matchers to a selector ("m" or "m{a=\"b\"}").
QString withMatchers(const QString &selector, const QStringList &matchers)
{
    if (matchers.isEmpty())
        return selector;
    const qsizetype brace = selector.indexOf(u'{');
    if (brace < 0)
        return selector + u'{' + matchers.join(u',') + u'}';
    const qsizetype close = selector.lastIndexOf(u'}');
    const bool empty = selector.mid(brace + 1, close - brace - 1).trimmed().isEmpty();
    return selector.left(close) + (empty ? QString() : u","_s) + matchers.join(u',') + selector.mid(close);
}

QString burnText(double burn)
{
    return u"%1×"_s.arg(burn, 0, 'f', burn < 10 ? 2 : 1);
}

} // namespace

QList<BurnQuery> stabilityQueries(const QList<Slo::SloSpec> &slos, const QStringList &scopeMatchers)
{
    QList<BurnQuery> out;
    for (const Slo::SloSpec &spec : slos) {
        if (spec.errorBudget() <= 0)
            continue; // a 100 % objective has no burn rate
        const QString part = withMatchers(Slo::SloFeed::goodOrBadSelector(spec), scopeMatchers);
        const QString total = withMatchers(Slo::SloFeed::totalSelector(spec), scopeMatchers);
        const QString ratio = u"sum(increase(%1[${since}s])) / sum(increase(%2[${since}s]))"_s.arg(part, total);
        // The bad fraction over the window, divided by the error budget: 1× spends the budget exactly at its pace.
        const QString bad = spec.badMetric.isEmpty() ? u"(1 - clamp_max(%1, 1))"_s.arg(ratio) : u"clamp_max(%1, 1)"_s.arg(ratio);
        out << BurnQuery{spec.id, spec.title, u"%1 / %2"_s.arg(bad).arg(spec.errorBudget(), 0, 'g', 6)};
    }
    return out;
}

QString stabilityKindName(StabilityVerdict::Kind kind)
{
    switch (kind) {
    case StabilityVerdict::Kind::Watching: return u"watching"_s;
    case StabilityVerdict::Kind::Stable: return u"stable"_s;
    case StabilityVerdict::Kind::NotEnoughData: return u"not-enough-data"_s;
    case StabilityVerdict::Kind::Burning: return u"burning"_s;
    }
    return {};
}

StabilityVerdict judgeStability(const QList<BurnReading> &readings, qint64 windowStartMs, qint64 checkStartMs, qint64 nowMs, int windowSeconds,
                                int maxWaitSeconds)
{
    StabilityVerdict v;
    v.windowStartMs = windowStartMs;
    QStringList burning, under, noData, failed;
    for (const BurnReading &r : readings) {
        if (!r.error.isEmpty())
            failed << u"%1 (%2)"_s.arg(r.title, r.error);
        else if (!r.burn)
            noData << r.title;
        else if (*r.burn >= 1.0)
            burning << u"%1 %2"_s.arg(r.title, burnText(*r.burn));
        else
            under << u"%1 %2"_s.arg(r.title, burnText(*r.burn));
    }
    const qint64 windowMs = qint64(windowSeconds) * 1000;
    const qint64 elapsedS = std::max<qint64>(0, (nowMs - windowStartMs) / 1000);
    const bool givenUp = nowMs - checkStartMs >= qint64(maxWaitSeconds) * 1000;
    if (readings.isEmpty()) {
        v.kind = StabilityVerdict::Kind::NotEnoughData;
        v.summary = u"NOT ENOUGH DATA — not a pass: the policy names no SLO to read a burn rate from"_s;
        return v;
    }
    if (nowMs - windowStartMs < windowMs) {
        if (givenUp && !failed.isEmpty()) {
            v.kind = StabilityVerdict::Kind::NotEnoughData;
            v.summary = u"NOT ENOUGH DATA — not a pass: Prometheus did not answer: %1"_s.arg(failed.join(u"; "_s));
            return v;
        }
        v.summary = u"watching: %1 s of a %2 s window; so far %3"_s.arg(elapsedS).arg(windowSeconds).arg(
            (burning + under).isEmpty() ? u"no events"_s : (burning + under).join(u", "_s));
        if (!failed.isEmpty())
            v.summary += u"; unknown: "_s + failed.join(u"; "_s);
        return v;
    }
    // The window is over: judged whole.
    if (!failed.isEmpty()) {
        if (givenUp) {
            v.kind = StabilityVerdict::Kind::NotEnoughData;
            v.summary = u"NOT ENOUGH DATA — not a pass: Prometheus did not answer: %1"_s.arg(failed.join(u"; "_s));
            return v;
        }
        v.summary = u"the window is over but Prometheus did not answer (%1): asking again"_s.arg(failed.join(u"; "_s));
        return v;
    }
    if (!burning.isEmpty()) {
        if (givenUp) {
            v.kind = StabilityVerdict::Kind::Burning;
            v.summary = u"NOT STABLE: still burning at 1× or more %1 s after the rollback: %2"_s.arg((nowMs - checkStartMs) / 1000).arg(burning.join(u", "_s));
            return v;
        }
        v.windowStartMs = nowMs;
        v.summary = u"burning over the last %1 s: %2; watching a new window"_s.arg(elapsedS).arg(burning.join(u", "_s));
        return v;
    }
    if (!noData.isEmpty()) {
        v.kind = StabilityVerdict::Kind::NotEnoughData;
        v.summary = u"NOT ENOUGH DATA — not a pass: no event in the scope for %1 over the %2 s window%3"_s.arg(noData.join(u", "_s))
                        .arg(windowSeconds)
                        .arg(under.isEmpty() ? QString() : u" (under 1×: "_s + under.join(u", "_s) + u')');
        return v;
    }
    v.kind = StabilityVerdict::Kind::Stable;
    v.summary = u"stable: every burn rate of the scope under 1× over %1 s: %2"_s.arg(elapsedS).arg(under.join(u", "_s));
    return v;
}

StabilityCheck::StabilityCheck(Services::PrometheusClient &prometheus, QList<BurnQuery> queries, int windowSeconds, const Clock &clock,
                               QObject *parent)
    : QObject(parent)
    , m_prometheus(prometheus)
    , m_queries(std::move(queries))
    , m_windowSeconds(std::max(1, windowSeconds))
    , m_clock(clock)
{
}

StabilityCheck::~StabilityCheck()
{
    ++m_generation; // answers still in flight find the check gone
}

void StabilityCheck::start()
{
    m_checkStartMs = m_clock.nowMs();
    m_verdict = {};
    m_verdict.windowStartMs = m_checkStartMs;
    m_verdict.summary = u"watching: 0 s of a %1 s window"_s.arg(m_windowSeconds);
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &StabilityCheck::evaluate);
    }
    m_timer->start(m_pollMs);
    Q_EMIT progressed();
}

void StabilityCheck::stop()
{
    if (m_timer)
        m_timer->stop();
    ++m_generation;
    m_pending = 0;
}

void StabilityCheck::evaluate()
{
    if (m_verdict.final() || m_pending > 0)
        return;
    const qint64 now = m_clock.nowMs();
    const qint64 sinceS = std::max<qint64>(1, (now - m_verdict.windowStartMs + 999) / 1000);
    auto round = std::make_shared<QList<BurnReading>>();
    for (const BurnQuery &q : std::as_const(m_queries))
        *round << BurnReading{q.sloId, q.title, std::nullopt, {}};
    m_pending = int(m_queries.size());
    const int generation = m_generation;
    const auto judge = [this, round, now] {
        m_readings = *round;
        m_verdict = judgeStability(m_readings, m_verdict.windowStartMs, m_checkStartMs, now, m_windowSeconds, maxWaitSeconds());
        Q_EMIT progressed();
        if (m_verdict.final()) {
            if (m_timer)
                m_timer->stop();
            Q_EMIT finished(m_verdict.passed());
        }
    };
    if (m_queries.isEmpty())
        return judge();
    for (int i = 0; i < m_queries.size(); ++i) {
        QString promql = m_queries[i].promql;
        promql.replace(u"${since}"_s, QString::number(sinceS));
        QPointer<StabilityCheck> self(this);
        m_prometheus.query(promql, std::nullopt, [self, generation, round, i, judge](const Result<Services::PromResult> &r) {
            if (!self || self->m_generation != generation)
                return;
            BurnReading &reading = (*round)[i];
            if (!r) {
                reading.error = r.error().message;
            } else {
                for (const Services::PromSample &s : r->vector) {
                    if (std::isfinite(s.value)) // 0/0 (no events) is NaN
                        reading.burn = std::max(reading.burn.value_or(0.0), s.value);
                }
            }
            if (--self->m_pending == 0)
                judge();
        });
    }
}

} // namespace Raize::Rollback
