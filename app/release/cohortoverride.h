#pragma once

// Where the console's canary cohorts come from (issue #8, part 1): the
// profile's settings (SettingKey::CanaryCohorts, edited in the console) in
// preference to the policy bundle's `cohorts`. Every view and the rollback
// read cohorts through effectiveCohorts(), so there is one place.

#include "release/cohorts.h"

#include "core/result.h"
#include "policy/policybundle.h"

#include <QList>
#include <QString>

#include <optional>

namespace Raize {
class Settings;
class WriteGuard;
}
namespace Raize::Records {
class AuditSink;
}

namespace Raize::Release {

struct EffectiveCohorts
{
    QList<Cohort> cohorts;
    bool fromSettings = false; // the profile's override; else the policy bundle's
    // A stored override that cannot be used: the policy's cohorts are used
    // instead and the stored text is left as it is (nothing is lost).
    std::optional<Error> overrideError;
    QString source; // "the profile's settings (canary/cohorts)" or the bundle's source

    QString describe() const; // one line for the console: where they come from, and why
};

// Whether `cohorts` fit the bundle: every rollout stage finds its cohort and
// every release level's plan fits (a stage's maximum number of clients).
Status checkCohortsAgainstPolicy(const QList<Cohort> &cohorts, const Policy::Bundle &bundle);

// Parses an edited or stored `cohorts` array and checks it against the bundle.
Result<QList<Cohort>> cohortsFromOverride(const nlohmann::json &array, const Policy::Bundle &bundle, const QString &where);

// The cohorts the console works with. Fails only when there is no stored
// override and the policy's own cohorts are malformed (or when both are).
Result<EffectiveCohorts> effectiveCohorts(const Settings &settings, const Policy::Bundle &bundle);

// Stores `cohorts` as the profile's override (or clears it when they are the
// policy's own), after writing the audit record (action "cohorts.edit" or
// "cohorts.reset", before and after in full). Checks first and changes
// nothing when the cohorts do not fit the bundle, the audit log refuses the
// record or the settings cannot be written. Saving what is already in
// effect changes nothing and writes no record. `reason` is the record's
// reason (empty: "cohorts edited in the console" / "cohorts reset to the
// policy bundle's"); the editor and `raize-console cohorts set` share this path.
// `guard` (the profile's arming, ADR 0028) is asked before anything is
// written, when the save would change something; null: not gated.
Result<EffectiveCohorts> saveCohorts(Settings &settings, const Policy::Bundle &bundle, const QList<Cohort> &cohorts,
                                     Records::AuditSink &audit, const QString &actor, const QString &reason = {},
                                     WriteGuard *guard = nullptr);

} // namespace Raize::Release
