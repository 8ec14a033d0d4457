#include "release/autopacing.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Raize::Release {

namespace {

QStringList united(QStringList a, const QStringList &b)
{
    for (const QString &s : b) {
        if (!a.contains(s))
            a << s;
    }
    return a;
}

} // namespace

QString AutoPacingAction::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Idle:
        return u"idle"_s;
    case Kind::Wait:
        return u"wait"_s;
    case Kind::Expand:
        return u"expand"_s;
    case Kind::Stop:
        return u"stop"_s;
    }
    return {};
}

AutoPacingAction decideAutoPacing(const AutoPacingState &state, const AutoPacingInputs &in, int stageCount)
{
    using Kind = AutoPacingAction::Kind;
    if (!state.armed)
        return {Kind::Idle, -1, state.stopReason.isEmpty() ? u"not armed"_s : state.stopReason};
    if (!in.policyAllows)
        return {Kind::Stop, -1, u"the policy no longer allows auto-pacing (canary.autoPacing is off)"_s};
    if (in.policyChanged)
        return {Kind::Stop, -1, u"the policy or the cohorts changed since auto-pacing was armed"_s};
    if (!in.pageAlerts.isEmpty())
        return {Kind::Stop, -1, u"page-level burn alert: "_s + in.pageAlerts.first()};
    if (state.inFlightStage >= 0)
        return {Kind::Wait, state.inFlightStage, u"the flag service's read-back of stage %1's flags"_s.arg(state.inFlightStage + 1)};
    if (state.stage + 1 >= stageCount)
        return {Kind::Stop, -1, u"the rollout reached its last stage: nothing is left to expand"_s};
    const Recommendation &r = in.recommendation;
    if (r.nextStage < 0) // no recommendation yet (no SLO data read, a plan error)
        return {Kind::Wait, state.stage + 1, u"a recommendation (%1)"_s.arg(r.headline)};
    if (r.nextStage != state.stage + 1)
        return {Kind::Stop, -1, u"the recommendation is not for the stage after the one auto-pacing is in (stage %1); it never skips a stage"_s.arg(state.stage + 1)};
    switch (r.kind) {
    case Recommendation::Kind::ExpandAllowed:
        return {Kind::Expand, r.nextStage, r.headline};
    case Recommendation::Kind::Wait:
        return {Kind::Wait, r.nextStage, u"the observation window (%1)"_s.arg(r.headline)};
    case Recommendation::Kind::Blocked:
        break;
    }
    // Not enough data, a missing operator confirmation, a burn: the same words as the panel's headline.
    return {Kind::Wait, r.nextStage, u"the recommendation to allow it (%1)"_s.arg(r.headline)};
}

std::optional<Services::FlagScope> expandedScope(const Services::FlagState &flag, const PlannedStage &next)
{
    if (next.scope.global())
        return Services::FlagScope{};
    const std::optional<Services::FlagScope> now = editableScope(flag);
    if (!flag.enabled || !now)
        return next.scope;
    if (now->global())
        return Services::FlagScope{}; // already everyone: expanding never narrows
    // The service ANDs the dimensions: only a scope restricted the same way can take the stage's subjects.
    if (!now->lane.isEmpty() || !now->other.isEmpty())
        return std::nullopt;
    Services::FlagScope s = *now;
    const bool byCohort = !s.cohorts.isEmpty() && s.clientIds.isEmpty() && s.platformAccountIds.isEmpty();
    const bool bySubject = s.cohorts.isEmpty();
    if (byCohort && !next.stage.cohortId.isEmpty()) {
        s.cohorts = united(s.cohorts, {next.stage.cohortId});
        return s;
    }
    if (!bySubject)
        return std::nullopt;
    const auto dimension = [](const QStringList &have, const QStringList &add) {
        return have.isEmpty() == add.isEmpty();
    };
    if (!dimension(s.clientIds, next.scope.clientIds) || !dimension(s.platformAccountIds, next.scope.platformAccountIds))
        return std::nullopt;
    s.clientIds = united(s.clientIds, next.scope.clientIds);
    s.platformAccountIds = united(s.platformAccountIds, next.scope.platformAccountIds);
    return s;
}

ToggleChange planStageChange(const Services::FlagState &flag, const PlannedStage &next, const QString &environment)
{
    ToggleChange c = beginChange(flag, environment, u"auto-pacing does not change it"_s);
    if (!c.refusal.isEmpty())
        return c;
    const std::optional<Services::FlagScope> after = expandedScope(flag, next);
    if (!after) {
        c.refusal = u"%1 is scoped to %2; adding %3 would need a second strategy — auto-pacing does not change it"_s.arg(
            flag.key, c.scopeBefore.describe(), next.scope.describe());
        return c;
    }
    c.enabledAfter = true;
    c.scopeAfter = *after;
    c.scopeChanges = c.scopeAfter != c.scopeBefore;
    c.widens = !c.enabledBefore || c.scopeChanges;
    const auto state = [](bool on, const Services::FlagScope &s) { return on ? u"ON for "_s + s.describe() : u"OFF"_s; };
    c.summary = u"%1 in %2: %3 → %4"_s.arg(flag.key, environment, state(c.enabledBefore, c.scopeBefore), state(true, c.scopeAfter));
    return c;
}

QString autoPacingStatus(const AutoPacingState &state, const AutoPacingAction &action, const RolloutPlan &plan)
{
    if (!state.armed)
        return state.stopReason.isEmpty() ? u"Auto-pacing: not armed."_s : u"Auto-pacing: stopped: %1."_s.arg(state.stopReason);
    const QString at = QDateTime::fromMSecsSinceEpoch(state.armedAtMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm"_s);
    const int next = state.inFlightStage >= 0 ? state.inFlightStage : state.stage + 1;
    const QString nextName = next < plan.stages.size() ? plan.stages[next].stage.name : u"none"_s;
    QString doing;
    switch (action.kind) {
    case AutoPacingAction::Kind::Expand:
        doing = u"expanding now"_s;
        break;
    case AutoPacingAction::Kind::Stop:
        doing = u"stopping: "_s + action.reason;
        break;
    case AutoPacingAction::Kind::Idle:
    case AutoPacingAction::Kind::Wait:
        doing = u"waiting for "_s + action.reason;
        break;
    }
    return u"Auto-pacing: armed by %1 at %2 UTC, next: %3, %4"_s.arg(state.actor, at, nextName, doing);
}

} // namespace Raize::Release
