#pragma once

#include "burnrule.h"
#include "counterseries.h"
#include "slospec.h"

#include <QList>
#include <QPointF>

namespace Raize::Slo {

// How fast a window spends the error budget: ratio ÷ (1 − objective).
// 1 spends exactly the budget over the SLO window; 14.4 spends a 30-day
// budget in 50 hours. Objective 1 (no budget): 0 without errors, +inf with.
double burnRate(double ratio, double objective);

// Whether a burn rate fires a rule with this threshold. Strictly greater,
// as the SRE Workbook's rules (`ratio_rate1h > (14.4*0.001)`, "when you
// exceed the 14.4x burn rate"): burning at exactly the threshold spends the
// budget at exactly the rate the rule tolerates. A burn within 1e-9
// (relative) of the threshold counts as equal, so that float rounding of
// ratio ÷ (1 − objective) cannot decide the boundary (72 bad of 10,000 at
// 99.95 % computes to 14.400000000001585).
bool exceedsThreshold(double burn, double threshold);

enum class RuleState { NotFired, Fired, NotEnoughData };
QString ruleStateName(RuleState state); // "not-fired", "fired", "not-enough-data"

struct RuleVerdict
{
    BurnRule rule;
    WindowStats longWindow;
    WindowStats shortWindow;
    double longBurn = 0;
    double shortBurn = 0;
    // NotEnoughData as soon as either window is below its minimum events:
    // a quiet window is never reported as healthy.
    RuleState state = RuleState::NotEnoughData;
};

struct AlertVerdict
{
    QString sloId;
    qint64 evaluatedAtMs = 0; // end of every window (CounterSeries::evaluationEnd)
    QList<RuleVerdict> rules; // in the order of the rules given
    // Page if a page rule fired, else Ticket if a ticket rule fired, else
    // NotEnoughData if a rule lacked data, else None.
    Severity severity = Severity::NotEnoughData;
};

AlertVerdict evaluate(const SloSpec &spec, const CounterSeries &series, qint64 nowMs,
                      const QList<BurnRule> &rules = defaultBurnRules());
AlertVerdict evaluate(const SloSpec &spec, const QList<CounterSample> &series, qint64 nowMs,
                      const QList<BurnRule> &rules = defaultBurnRules());

// The error budget over the SLO's window (spec.windowDays) ending at nowMs.
struct BudgetStatus
{
    WindowStats window;
    double allowedBad = 0; // (1 − objective) × events
    // 1 − bad ÷ allowedBad: 1 untouched, 0 spent, negative overspent (−1:
    // twice the budget). NaN when !enoughData, so that a quiet window never
    // reads as a full budget.
    double remaining = 0;
    bool enoughData = false;
};

BudgetStatus budgetRemaining(const SloSpec &spec, const CounterSeries &series, qint64 nowMs);
BudgetStatus budgetRemaining(const SloSpec &spec, const QList<CounterSample> &series, qint64 nowMs);

// Burn rate over [t − windowMs, t] for t = fromMs, fromMs + stepMs, ... ≤ toMs,
// for charts: x = t in ms since the epoch, y = burn rate. Points whose
// window has no events are left out (the chart shows a hole, not a zero).
QList<QPointF> burnSeries(const CounterSeries &series, double objective, qint64 windowMs, qint64 stepMs,
                          qint64 fromMs, qint64 toMs);
QList<QPointF> burnSeries(const QList<CounterSample> &series, double objective, qint64 windowMs, qint64 stepMs,
                          qint64 fromMs, qint64 toMs);

} // namespace Raize::Slo
