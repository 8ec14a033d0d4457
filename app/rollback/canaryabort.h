#pragma once

// Aborting a two-axis canary (issue #20, item 4; ADR 0029) as one planned,
// journalled rollback: the stage's flags off where the canary serves them
// (read back), then Vercel's Instant Rollback to the current deployment —
// how Vercel ends an active rolling release, all traffic back to current —
// and production confirmed. The rollback executor runs it like any plan
// (write-ahead journal, marker, resume), so an interrupted abort resumes.

#include "rollback/rollbackplan.h"

namespace Raize::Rollback {

struct CanaryAbortInputs
{
    QString vercelProjectId;
    QString currentDeployment; // what served production before the canary
    QString canaryDeployment;
    double canaryPercent = 0;  // the active stage's share, for the record
    QStringList flags;         // the release's flags (the flag axis)
    Services::FlagScope scope; // where the stage serves them (global: everyone)
    QString flagEnvironment = QStringLiteral("production");
    QString reason;            // why: the verdict or the operator's words
    CallRenderer render;       // optional: the calls each step becomes
};

// Pure: the same inputs give the same plan and digest. Refuses (Plan::refusals)
// without a current deployment or a project.
Plan canaryAbortPlan(const CanaryAbortInputs &in);

} // namespace Raize::Rollback
