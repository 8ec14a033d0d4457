#include "sloengine.h"

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace Raize::Slo {

double burnRate(double ratio, double objective)
{
    const double budget = 1.0 - objective;
    if (budget <= 0)
        return ratio > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return ratio / budget;
}

bool exceedsThreshold(double burn, double threshold)
{
    return burn > threshold + 1e-9 * std::abs(threshold);
}

QString ruleStateName(RuleState state)
{
    switch (state) {
    case RuleState::NotFired:
        return u"not-fired"_s;
    case RuleState::Fired:
        return u"fired"_s;
    case RuleState::NotEnoughData:
        return u"not-enough-data"_s;
    }
    return {};
}

AlertVerdict evaluate(const SloSpec &spec, const CounterSeries &series, qint64 nowMs, const QList<BurnRule> &rules)
{
    AlertVerdict verdict;
    verdict.sloId = spec.id;
    verdict.evaluatedAtMs = series.evaluationEnd(nowMs);
    verdict.rules.reserve(rules.size());
    Severity fired = Severity::None;
    bool lacking = false;
    for (const BurnRule &rule : rules) {
        RuleVerdict r;
        r.rule = rule;
        r.longWindow = series.window(verdict.evaluatedAtMs, rule.longWindowMs, spec.minEventsFor(rule.longWindowMs));
        r.shortWindow = series.window(verdict.evaluatedAtMs, rule.shortWindowMs, spec.minEventsFor(rule.shortWindowMs));
        r.longBurn = burnRate(r.longWindow.ratio, spec.objective);
        r.shortBurn = burnRate(r.shortWindow.ratio, spec.objective);
        if (!r.longWindow.enoughData || !r.shortWindow.enoughData) {
            r.state = RuleState::NotEnoughData;
            lacking = true;
        } else if (exceedsThreshold(r.longBurn, rule.burnRate) && exceedsThreshold(r.shortBurn, rule.burnRate)) {
            r.state = RuleState::Fired;
            fired = std::max(fired, rule.severity);
        } else {
            r.state = RuleState::NotFired;
        }
        verdict.rules.append(r);
    }
    verdict.severity = fired != Severity::None ? fired : lacking ? Severity::NotEnoughData : Severity::None;
    return verdict;
}

AlertVerdict evaluate(const SloSpec &spec, const QList<CounterSample> &series, qint64 nowMs, const QList<BurnRule> &rules)
{
    return evaluate(spec, CounterSeries(series), nowMs, rules);
}

BudgetStatus budgetRemaining(const SloSpec &spec, const CounterSeries &series, qint64 nowMs)
{
    BudgetStatus b;
    const qint64 windowMs = spec.windowMs();
    b.window = series.window(series.evaluationEnd(nowMs), windowMs, spec.minEventsFor(windowMs));
    b.enoughData = b.window.enoughData;
    b.allowedBad = std::max(0.0, spec.errorBudget()) * b.window.events;
    b.remaining = b.enoughData ? 1.0 - burnRate(b.window.ratio, spec.objective)
                               : std::numeric_limits<double>::quiet_NaN();
    return b;
}

BudgetStatus budgetRemaining(const SloSpec &spec, const QList<CounterSample> &series, qint64 nowMs)
{
    return budgetRemaining(spec, CounterSeries(series), nowMs);
}

QList<QPointF> burnSeries(const CounterSeries &series, double objective, qint64 windowMs, qint64 stepMs,
                          qint64 fromMs, qint64 toMs)
{
    QList<QPointF> points;
    if (stepMs <= 0 || toMs < fromMs)
        return points;
    points.reserve(qsizetype((toMs - fromMs) / stepMs + 1));
    for (qint64 t = fromMs; t <= toMs; t += stepMs) {
        const WindowStats w = series.window(t, windowMs);
        if (w.events > 0)
            points.append(QPointF(double(t), burnRate(w.ratio, objective)));
    }
    return points;
}

QList<QPointF> burnSeries(const QList<CounterSample> &series, double objective, qint64 windowMs, qint64 stepMs,
                          qint64 fromMs, qint64 toMs)
{
    return burnSeries(CounterSeries(series), objective, windowMs, stepMs, fromMs, toMs);
}

} // namespace Raize::Slo
