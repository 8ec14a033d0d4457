#pragma once

// The one list of side-effect flags (playbook §0.2, §1, §7.2): the flags a
// rollback turns off first, that production keeps OFF until a canary earns
// them (§4.3), and that the flags pane marks. Read from the bundle's
// `sideEffectFlags` section (ADR 0017); every consumer gets it from the
// effective policy.

#include "core/result.h"
#include "policy/policybundle.h"

#include <QString>
#include <QStringList>

namespace Raize::Policy {

struct SideEffectFlags
{
    QStringList prefixes; // "publishing.", "engagement.", "browser-lane.", "tokens."
    QStringList keys;     // single flags a tenant names ("crm.sync-contacts")

    bool matches(const QString &flagKey) const;
    // "prefixes publishing., engagement. …; flags crm.sync-contacts"
    QString describe() const;
    bool operator==(const SideEffectFlags &o) const = default;
};

// The bundle's list. Bundles written before ADR 0017 carry it twice, as
// `levels.sideEffectFlagPrefixes` and `rollback.sideEffectFlagPrefixes`:
// those are accepted only when they agree with each other and with
// `sideEffectFlags.prefixes` (when given); otherwise the bundle is refused
// with the field at fault and what differs. Errors name the field path.
Result<SideEffectFlags> sideEffectFlagsFromBundle(const Bundle &bundle);

} // namespace Raize::Policy
