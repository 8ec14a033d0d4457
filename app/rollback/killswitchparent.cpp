#include "rollback/killswitchparent.h"

#include <algorithm>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

bool dependsOn(const Services::FlagState &flag, const QString &parent)
{
    return std::any_of(flag.dependencies.cbegin(), flag.dependencies.cend(),
                       [&](const Services::FlagDependency &d) { return d.feature == parent && d.enabled && d.variants.isEmpty(); });
}

ParentCheck checkKillSwitchParent(const QString &parent, const Policy::SideEffectFlags &sideEffects, const QList<Services::FlagState> &flags)
{
    ParentCheck c;
    c.parent = parent;
    if (parent.isEmpty())
        return c;
    for (const Services::FlagState &f : flags) {
        if (f.key == parent) {
            c.parentFound = true;
            c.parentHasParent = !f.dependencies.isEmpty();
            continue;
        }
        if (!sideEffects.matches(f.key))
            continue;
        // A listing that cannot say (dependenciesKnown false) is not taken on trust.
        (f.dependenciesKnown && dependsOn(f, parent) ? c.dependent : c.missing) << f.key;
    }
    c.dependent.sort();
    c.missing.sort();
    return c;
}

QString ParentCheck::describe() const
{
    if (!configured())
        return u"no kill-switch parent is named (rollback.killSwitchParent): a P0 turns the side-effect flags off one by one"_s;
    if (!parentFound)
        return u"the kill-switch parent %1 does not exist in the flag service: a P0 turns every side-effect flag off one by one. "
               u"Create it (on, global) and make every side-effect flag depend on it."_s.arg(parent);
    if (parentHasParent)
        return u"the kill-switch parent %1 depends on another flag itself, which Unleash refuses for a parent: remove its dependency."_s.arg(parent);
    if (!missing.isEmpty())
        return u"%1 side-effect flag%2 do%3 not depend on the kill-switch parent %4: %5 — a P0 turns %6 off one by one. Add the dependency "
               u"(Unleash refuses a child that has children of its own, and a parent in another project)."_s
            .arg(missing.size())
            .arg(missing.size() == 1 ? QString() : u"s"_s, missing.size() == 1 ? u"es"_s : QString(), parent, missing.join(u", "_s),
                 missing.size() == 1 ? u"it"_s : u"them"_s);
    return u"every side-effect flag (%1) depends on the kill-switch parent %2: turning it off is one call"_s.arg(dependent.size()).arg(parent);
}

json ParentCheck::toJson() const
{
    json dep = json::array(), miss = json::array();
    for (const QString &d : dependent)
        dep.push_back(d.toStdString());
    for (const QString &m : missing)
        miss.push_back(m.toStdString());
    return {{"parent", parent.toStdString()}, {"found", parentFound}, {"parentHasParent", parentHasParent}, {"dependent", dep},
            {"missing", miss}, {"ok", ok()}, {"text", describe().toStdString()}};
}

} // namespace Raize::Rollback
