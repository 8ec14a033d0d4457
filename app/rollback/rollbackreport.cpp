// The rollback plan as people and journals read it; shared by the CLI and the dialog.

#include "rollback/rollbackreport.h"

#include <algorithm>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

QString describePlan(const Plan &plan, const Inputs &in)
{
    QString out;
    out += u"Rollback plan — %1 (%2), scope %3\n"_s.arg(priorityName(plan.priority), triggerName(in.trigger), in.scope.describe());
    out += u"Option %1%2\n"_s.arg(Plan::optionName(plan.option), plan.immediate ? u", immediate (P0)"_s : QString());
    if (!plan.rollbackTarget.isEmpty())
        out += u"Instant Rollback target: %1\n"_s.arg(plan.rollbackTarget);
    int group = -1;
    for (int i = 0; i < plan.steps.size(); ++i) {
        const Step &s = plan.steps[i];
        if (s.group != group) {
            group = s.group;
            out += u"\n  group %1%2\n"_s.arg(group).arg(
                std::count_if(plan.steps.cbegin(), plan.steps.cend(), [&](const Step &o) { return o.group == group; }) > 1 ? u" (in parallel)"_s
                                                                                                                          : QString());
        }
        out += u"  %1. %2\n"_s.arg(i + 1).arg(s.title);
        // The requests as the client that sends them renders them.
        for (const Call &c : s.calls)
            out += u"      %1\n"_s.arg(c.describe());
        if (s.calls.isEmpty())
            out += u"      (%1: no request%2)\n"_s.arg(intentType(s.intent),
                                                   std::holds_alternative<RecordIntent>(s.intent) ? u", recorded by the console"_s : u", its client is not configured"_s);
    }
    if (plan.blastRadius)
        out += u"\n"_s + plan.blastRadius->describeLines().join(u'\n') + u'\n';
    for (const QString &n : plan.notes)
        out += u"\nnote: "_s + n;
    for (const QString &w : plan.withheld)
        out += u"\nWITHHELD (the flags still go off): "_s + w;
    for (const QString &r : plan.refusals)
        out += u"\nREFUSED: "_s + r;
    out += u"\n\nplan digest: %1\n"_s.arg(plan.digest);
    return out;
}

json planReport(const Plan &plan, const Inputs &in)
{
    json j = plan.toJson();
    j["digest"] = plan.digest.toStdString();
    j["trigger"] = triggerName(in.trigger).toStdString();
    j["scope"] = scopeText(in.scope).toStdString();
    json notes = json::array();
    for (const QString &n : plan.notes)
        notes.push_back(n.toStdString());
    j["notes"] = notes;
    j["executable"] = plan.executable();
    if (plan.blastRadius)
        j["blastRadius"] = plan.blastRadius->toJson();
    return j;
}

json beginRecord(const Plan &plan, const Inputs &in, const QString &actor, const QString &kind)
{
    return {{"kind", kind.toStdString()}, {"plan", plan.toJson()}, {"digest", plan.digest.toStdString()},
            {"trigger", triggerName(in.trigger).toStdString()}, {"priority", priorityName(plan.priority).toStdString()},
            {"scope", scopeText(in.scope).toStdString()}, {"reason", in.reason.toStdString()}, {"actor", actor.toStdString()},
            {"blastRadius", plan.blastRadius ? plan.blastRadius->toJson() : json()}};
}

Plan killSwitchPlan(const Plan &full)
{
    Plan p;
    p.priority = full.priority;
    p.option = Plan::Option::A_Flags;
    p.immediate = true;
    for (const Step &s : full.steps) {
        if (s.kind == Step::Kind::DisableFlag || s.kind == Step::Kind::ConfirmFlagsOff)
            p.steps << s;
    }
    p.notes << u"kill switch: the side-effect flags in scope only; no deployment change, no incident"_s;
    for (const QString &n : full.notes) {
        if (n.contains(u"kill-switch parent"_s) || n.startsWith(u"blast radius"_s))
            p.notes << n;
    }
    if (full.blastRadius)
        p.blastRadius = full.blastRadius;
    p.digest = p.computeDigest();
    return p;
}

} // namespace Raize::Rollback
