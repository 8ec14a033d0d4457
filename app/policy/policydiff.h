#pragma once

#include "policy/policybundle.h"

#include <QList>
#include <QString>

namespace Raize::Policy {

// One difference between two policy bundles (issue #7, part 5: how a
// tenant's bundle differs from the playbook's).
struct BundleChange
{
    enum class Kind { Added, Removed, Changed };
    Kind kind = Kind::Changed;
    QString path; // "gates.minReviews.L3", "cohorts[id=house].clientIds", "pathRules[3].level"
    nlohmann::json before, after;

    // "changed gates.minReviews.L3: 2 → 3"
    QString describe() const;
};

// Every difference, in document order of `from` then additions of `to`.
// Arrays of objects that carry an "id" are matched by id, others by position.
QList<BundleChange> diffBundles(const Bundle &from, const Bundle &to);

} // namespace Raize::Policy
