#pragma once

#include "core/result.h"
#include "rollback/rollbackplan.h"
#include "rollback/rollbackfacts.h"

#include <QStringList>

namespace Raize::Rollback {

// The plan as people read it: every step with its exact call.
QString describePlan(const Plan &plan, const Inputs &inputs);
nlohmann::json planReport(const Plan &plan, const Inputs &inputs);
// The journal's first record for a run.
nlohmann::json beginRecord(const Plan &plan, const Inputs &inputs, const QString &actor, const QString &kind);
// Only the kill switch of a plan: its flag steps (§7.2), nothing else.
Plan killSwitchPlan(const Plan &full);

} // namespace Raize::Rollback
