#pragma once

// The kill-switch parent (issue #16 item 3): one flag that every side-effect
// flag depends on (Unleash flag dependencies, LaunchDarkly prerequisites),
// so that turning it off is one call that stops every side effect. Unleash
// refuses some dependencies (a child that already has children, a parent
// that has a parent, a flag of another project): this check names the
// side-effect flags that do not really depend on the parent, which a P0
// then turns off one by one. Pure.

#include "policy/sideeffectflags.h"
#include "services/flags/flagservice.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace Raize::Rollback {

struct ParentCheck
{
    QString parent;            // the policy's rollback.killSwitchParent; empty: none named
    bool parentFound = false;  // the flag service has it
    bool parentHasParent = false; // it depends on another flag itself (Unleash refuses it as a parent)
    QStringList dependent;     // side-effect flags that need the parent on
    QStringList missing;       // side-effect flags that do not (or whose dependencies are unknown)

    bool configured() const { return !parent.isEmpty(); }
    // Named, found, and every side-effect flag depends on it.
    bool ok() const { return !configured() || (parentFound && !parentHasParent && missing.isEmpty()); }
    // One sentence for the status bar, the flags pane and `gates check`.
    QString describe() const;
    nlohmann::json toJson() const;
};

// Does `flag` need `parent` on (a dependency with enabled true)?
bool dependsOn(const Services::FlagState &flag, const QString &parent);

ParentCheck checkKillSwitchParent(const QString &parent, const Policy::SideEffectFlags &sideEffects, const QList<Services::FlagState> &flags);

} // namespace Raize::Rollback
