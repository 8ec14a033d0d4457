#pragma once

#include "burnrule.h"
#include "slospec.h"

#include "core/result.h"
#include "policy/policybundle.h"

#include <QList>

namespace Raize::Slo {

// Window lengths as the policy writes them: "5m", "1h", "3d", "30s".
// Errors on anything else (no unit, a zero or negative length).
Result<qint64> parseDuration(const QString &text);

// The policy bundle's `slos` section (docs/contracts.md). Every SLO needs an
// id, a name, an objective in (0, 1), a total metric and exactly one of
// good/bad; windowDays defaults to 30. `minEvents` maps window lengths to
// the minimum number of events below which that window says "not enough
// data"; windows it does not list use its smallest value (1 without it).
// Errors name the field at fault ("slos[2].objective").
Result<QList<SloSpec>> slosFromPolicy(const Policy::Bundle &bundle);

// The bundle's `burnAlerts` section: severity page|ticket, burnRate > 0,
// longWindow > shortWindow.
Result<QList<BurnRule>> burnRulesFromPolicy(const Policy::Bundle &bundle);

} // namespace Raize::Slo
