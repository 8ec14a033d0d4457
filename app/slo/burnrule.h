#pragma once

#include <QList>
#include <QString>

namespace Raize::Slo {

// Ordered: a larger value is the more urgent answer (Page > Ticket > not
// enough data > nothing to do).
enum class Severity { None, NotEnoughData, Ticket, Page };

QString severityName(Severity severity); // "none", "not-enough-data", "ticket", "page"

// One multiwindow, multi-burn-rate alert (Google SRE Workbook, ch. 5
// "Alerting on SLOs", §6 "Multiwindow, Multi-Burn-Rate Alerts",
// https://sre.google/workbook/alerting-on-slos/): it fires when the burn
// rate exceeds burnRate over the long window AND over the short window.
// The long window makes it significant (a share of the budget is gone),
// the short one (1/12 of it) makes it stop soon after the burn stops.
struct BurnRule
{
    Severity severity = Severity::Page;
    double burnRate = 14.4;
    qint64 longWindowMs = 0;
    qint64 shortWindowMs = 0;

    QString name() const; // "page 14.4× 1h/5m"
    // Share of a budget window spent by the time the long window fires:
    // burnRate × longWindow / budgetWindow (14.4 × 1 h / 30 d = 2 %).
    double budgetConsumed(qint64 budgetWindowMs) const;
};

// The built-in policy bundle's `burnAlerts` (burnRulesFromPolicy in
// slopolicy.h); docs/contracts.md and the Workbook's Table 5-8:
// page at 14.4× over 1 h and 5 min (2 % of a 30-day budget), page at 6× over
// 6 h and 30 min (5 %), ticket at 1× over 3 d and 6 h (10 %).
QList<BurnRule> defaultBurnRules();

} // namespace Raize::Slo
