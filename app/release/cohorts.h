#pragma once

// Canary cohorts (issue #8, part 1; playbook §4.4): who a rollout stage
// exposes. A cohort is a set of client ids and platform account ids, taken
// from the policy bundle's `cohorts` section (docs/contracts.md).

#include "core/result.h"
#include "policy/policybundle.h"
#include "services/flags/flagservice.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace Raize::Release {

struct Cohort
{
    QString id;   // "house", the `cohort` label of the platform's metrics
    QString name; // "House accounts"
    // "*" alone: everyone the other cohorts do not list (the broad rollout).
    QStringList clientIds;
    QStringList platformAccountIds;

    bool everyone() const;
    // The flag scope that reaches exactly this cohort: its clients and
    // platform accounts, or global for "*".
    Services::FlagScope scope() const;

    bool operator==(const Cohort &o) const = default;
};

// Parses a `cohorts` array (the policy bundle's, or an edited copy). Ids are
// unique and non-empty; every cohort lists at least one client or account.
// `where` names the source in errors ("playbook-v1.json: cohorts[1].id").
Result<QList<Cohort>> cohortsFromJson(const nlohmann::json &array, const QString &where);
Result<QList<Cohort>> cohortsFromPolicy(const Policy::Bundle &bundle);
nlohmann::json cohortsToJson(const QList<Cohort> &cohorts);

// Whether a strategy scope reaches (some of) `cohort`. Every dimension the
// scope restricts must match (the service ANDs them): `cohort IN` by id,
// clients and accounts by overlap; for a "*" cohort, by a value no other
// cohort lists. A lane restriction does not narrow who is reached.
bool scopeReaches(const Services::FlagScope &scope, const Cohort &cohort, const QList<Cohort> &all);

// Flags that are "canaried" on a cohort: on, not a kill switch, with an
// active strategy that reaches the cohort through a client, account or
// cohort restriction (a global strategy is a full rollout, not a canary).
QStringList canaryFlagsOn(const QList<Services::FlagState> &flags, const Cohort &cohort, const QList<Cohort> &all);

} // namespace Raize::Release
