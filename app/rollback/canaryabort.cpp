#include "rollback/canaryabort.h"

namespace Raize::Rollback {

using namespace Qt::StringLiterals;

Plan canaryAbortPlan(const CanaryAbortInputs &in)
{
    Plan plan;
    plan.priority = Priority::P1;
    plan.option = Plan::Option::B_InstantRollback;
    plan.rollbackTarget = in.currentDeployment;
    if (in.vercelProjectId.isEmpty())
        plan.refusals << u"no Vercel project: the rolling release cannot be aborted from here"_s;
    if (in.currentDeployment.isEmpty())
        plan.refusals << u"the rolling release names no current deployment to return to"_s;
    int group = 0;
    // 1. The flag axis first: the release's flags off where the stage serves them.
    for (const QString &flag : in.flags) {
        Step s;
        s.kind = Step::Kind::DisableFlag;
        s.title = in.scope.global() ? u"Disable %1 in %2"_s.arg(flag, in.flagEnvironment)
                                    : u"Disable %1 in %2 for %3 only"_s.arg(flag, in.flagEnvironment, in.scope.describe());
        Services::ServeChange off;
        off.flag = flag;
        off.environment = in.flagEnvironment;
        off.scope = in.scope;
        off.on = false;
        s.intent = off;
        s.group = group;
        s.target = flag;
        plan.steps << s;
    }
    if (!in.flags.isEmpty()) {
        Step confirm;
        confirm.kind = Step::Kind::ConfirmFlagsOff;
        confirm.title = u"Confirm flags off (read back from the flag service)"_s;
        Services::ServedQuery readBack;
        readBack.flags = in.flags;
        readBack.environment = in.flagEnvironment;
        readBack.scope = in.scope;
        confirm.intent = readBack;
        confirm.group = ++group;
        confirm.target = in.flags.join(u',');
        plan.steps << confirm;
    }
    // 2. The deployment axis: the Instant Rollback to current ends the rolling release.
    Step rb;
    rb.kind = Step::Kind::InstantRollback;
    rb.title = u"Abort the rolling release: Instant Rollback production to %1 (the canary %2 served %3 %)"_s.arg(in.currentDeployment, in.canaryDeployment)
                   .arg(in.canaryPercent);
    QString description = u"abort canary %1"_s.arg(in.canaryDeployment);
    if (!in.reason.isEmpty())
        description += u" — "_s + in.reason;
    description.truncate(250); // Vercel's limit for a rollback description
    rb.intent = InstantRollbackIntent{in.vercelProjectId, in.currentDeployment, description};
    rb.group = ++group;
    rb.idempotent = false;
    rb.target = in.currentDeployment;
    plan.steps << rb;
    Step confirm;
    confirm.kind = Step::Kind::ConfirmProduction;
    confirm.title = u"Confirm production serves %1 and Vercel's rolling release of %2 is ABORTED"_s.arg(in.currentDeployment, in.canaryDeployment);
    confirm.intent = ProductionServesIntent{in.vercelProjectId, in.currentDeployment, in.canaryDeployment};
    confirm.group = ++group;
    confirm.target = in.currentDeployment;
    plan.steps << confirm;
    plan.notes << u"after the Instant Rollback production is pinned to %1: new production deployments are not assigned until a promotion"_s.arg(
        in.currentDeployment);
    if (in.render)
        plan.renderCalls(in.render);
    plan.digest = plan.computeDigest();
    return plan;
}

} // namespace Raize::Rollback
