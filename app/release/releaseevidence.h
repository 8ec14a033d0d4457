#pragma once

// The evidence of a promoted release, for its release notes (playbook §9.2, issue #19 item 5):
// from the promotion's review (facts, gates, scope), the canary plan the policy makes for its level
// and flags, the rollback that would run, and the open incidents. Pure.

#include "records/evidencenotes.h"
#include "release/gates.h"
#include "release/rollout.h"

#include <optional>

namespace Raize::Release {

struct OpenIncident
{
    int number = 0;
    QString title, url;
};

struct EvidenceSources
{
    ReleaseFacts facts;
    GateVerdict verdict;
    QString digest;
    RolloutPolicy rollout;
    QList<Cohort> cohorts;
    // nullopt: the incidents could not be read (incidentsError says why).
    std::optional<QList<OpenIncident>> openIncidents;
    QString incidentsError;
};

Records::ReleaseEvidence releaseEvidenceFrom(const EvidenceSources &sources);

} // namespace Raize::Release
