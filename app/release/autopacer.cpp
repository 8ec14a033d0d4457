#include "release/autopacer.h"

#include "records/auditlog.h"
#include "release/flagchangerunner.h"

#include <QDateTime>

#include <algorithm>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

AutoPacer::AutoPacer(FlagChangeRunner *runner, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
{
    connect(m_runner, &FlagChangeRunner::finished, this, &AutoPacer::changeFinished);
}

AutoPacer::~AutoPacer() = default;

QStringList AutoPacer::armingPlan(const RolloutPlan &plan, int stage, const QList<Services::FlagState> &flags, const QString &environment)
{
    // Each stage's change from the flags as read back, as if every earlier stage had gone through.
    QList<Services::FlagState> simulated = flags;
    QStringList keys;
    for (const Services::FlagState &f : flags)
        keys << f.key;
    QStringList out;
    for (int i = stage + 1; i < plan.stages.size(); ++i) {
        const PlannedStage &s = plan.stages[i];
        out << u"stage %1 — %2, in %3: turn on %4 for %5"_s.arg(i + 1).arg(s.stage.name, s.environment, keys.join(u", "_s),
                                                                   s.scope.global() ? u"everyone (global)"_s : s.scope.describe());
        if (s.environment != environment) {
            out.last() += u" — not in %1: auto-pacing stops before this stage"_s.arg(environment);
            break;
        }
        for (Services::FlagState &f : simulated) {
            const ToggleChange c = planStageChange(f, s, environment);
            if (!c.refusal.isEmpty()) {
                out << u"    %1 — auto-pacing stops here"_s.arg(c.refusal);
                return out;
            }
            out << u"    "_s + c.summary;
            Services::FlagStrategy strategy;
            strategy.scope = c.scopeAfter;
            f.enabled = true;
            f.strategies = {strategy};
        }
    }
    return out;
}

Status AutoPacer::arm(const RolloutPlan &plan, bool policyAllows, int stage, const QStringList &flags, const QStringList &planLines,
                      const QString &environment, const QString &actor, qint64 nowMs)
{
    const auto refused = [](const QString &why) { return Status(Error::make(Error::Kind::Refused, u"console"_s, why)); };
    if (!policyAllows)
        return refused(u"The policy does not allow auto-pacing (canary.autoPacing is off)."_s);
    if (m_state.armed)
        return refused(u"Auto-pacing is already armed."_s);
    if (stage < 0 || stage + 1 >= plan.stages.size())
        return refused(u"There is no next stage to pace to."_s);
    if (flags.isEmpty())
        return refused(u"No canary flags are on for the current stage: there is nothing to expand."_s);
    if (plan.stages[stage + 1].environment != environment)
        return refused(u"The next stage is in %1; auto-pacing changes flags only in %2."_s.arg(plan.stages[stage + 1].environment, environment));
    if (!m_runner->configured())
        return refused(u"The flag service is not configured (Settings → Flags)."_s);
    AutoPacingState s;
    s.armed = true;
    s.actor = actor;
    s.armedAtMs = nowMs;
    s.environment = environment;
    s.flags = flags;
    s.stage = stage;
    json after = {{"stage", stage + 1}, {"environment", environment.toStdString()}, {"flags", json::array()}, {"plan", json::array()}};
    for (const QString &f : flags)
        after["flags"].push_back(f.toStdString());
    for (const QString &line : planLines)
        after["plan"].push_back(line.toStdString());
    if (!audit(u"autopacing.armed"_s, plan.level, after, u"armed from stage %1 (%2)"_s.arg(stage + 1).arg(plan.stages[stage].stage.name), actor))
        return refused(u"The audit log refused the record: auto-pacing is not armed."_s);
    m_plan = plan;
    m_state = s;
    m_waiting.clear();
    m_last = {AutoPacingAction::Kind::Wait, stage + 1, u"the next evaluation"_s};
    Q_EMIT stateChanged();
    return okStatus();
}

void AutoPacer::stop(const QString &reason, const QString &actor)
{
    if (!m_state.armed)
        return;
    m_state.armed = false;
    m_state.stopReason = reason;
    m_last = {AutoPacingAction::Kind::Idle, -1, reason};
    json after = {{"stage", m_state.stage + 1}, {"inFlightStage", m_state.inFlightStage >= 0 ? json(m_state.inFlightStage + 1) : json()}};
    audit(u"autopacing.stopped"_s, m_plan.level, after, reason, actor);
    Q_EMIT stateChanged();
}

AutoPacingAction AutoPacer::step(const AutoPacingInputs &inputs, const QList<Services::FlagState> &flags)
{
    // The runner dropped what was in flight (the flag service was reconfigured): nothing will confirm the stage.
    if (m_state.armed && m_state.inFlightStage >= 0 && !m_waiting.isEmpty()
        && std::none_of(m_waiting.cbegin(), m_waiting.cend(), [this](const QString &f) { return m_runner->pending(f); })) {
        const int stage = m_state.inFlightStage;
        m_state.inFlightStage = -1;
        m_waiting.clear();
        stop(u"the flag service was reconfigured before stage %1's flags were read back; check them in the toggle matrix"_s.arg(stage + 1),
             u"console"_s);
    }
    const AutoPacingAction action = decideAutoPacing(m_state, inputs, int(m_plan.stages.size()));
    switch (action.kind) {
    case AutoPacingAction::Kind::Idle:
        return action;
    case AutoPacingAction::Kind::Stop:
        stop(action.reason, u"console"_s);
        return action;
    case AutoPacingAction::Kind::Wait:
        if (m_last.kind != action.kind || m_last.reason != action.reason) {
            m_last = action;
            Q_EMIT stateChanged();
        }
        return action;
    case AutoPacingAction::Kind::Expand:
        break;
    }
    const PlannedStage &next = m_plan.stages[action.stage];
    if (next.environment != m_state.environment) {
        stop(u"stage %1 is in %2, auto-pacing changes flags only in %3"_s.arg(action.stage + 1).arg(next.environment, m_state.environment),
             u"console"_s);
        return {AutoPacingAction::Kind::Stop, -1, m_state.stopReason};
    }
    QList<ToggleChange> changes;
    for (const QString &key : std::as_const(m_state.flags)) {
        const auto it = std::find_if(flags.cbegin(), flags.cend(), [&](const Services::FlagState &f) { return f.key == key; });
        if (it == flags.cend()) {
            stop(u"flag %1 is not in the flag service's read-back"_s.arg(key), u"console"_s);
            return {AutoPacingAction::Kind::Stop, -1, m_state.stopReason};
        }
        const ToggleChange c = planStageChange(*it, next, m_state.environment);
        if (!c.refusal.isEmpty()) {
            stop(c.refusal, u"console"_s);
            return {AutoPacingAction::Kind::Stop, -1, m_state.stopReason};
        }
        if (c.enabledAfter != c.enabledBefore || c.scopeChanges)
            changes << c;
    }
    json after = {{"stage", action.stage + 1}, {"name", next.stage.name.toStdString()}, {"changes", json::array()}};
    for (const ToggleChange &c : std::as_const(changes))
        after["changes"].push_back(c.summary.toStdString());
    if (!audit(u"autopacing.expand"_s, next.stage.id + u'@' + m_state.environment, after, action.reason)) {
        stop(u"the audit log refused the expansion record"_s, u"console"_s);
        return {AutoPacingAction::Kind::Stop, -1, m_state.stopReason};
    }
    m_last = action;
    m_state.inFlightStage = action.stage;
    // All of the stage's flags are waited for before the first is sent: a read-back may answer at once.
    m_waiting.clear();
    for (const ToggleChange &c : std::as_const(changes))
        m_waiting.insert(c.flag);
    for (const ToggleChange &c : std::as_const(changes)) {
        const Status s = m_runner->start(c, m_state.actor, u"auto-pacing"_s);
        if (!s) {
            m_waiting.remove(c.flag);
            m_lastReport = u"Not sent: %1: %2"_s.arg(c.summary, s.error().message);
            stop(u"a flag change could not be sent: %1"_s.arg(s.error().message), u"console"_s);
            return {AutoPacingAction::Kind::Stop, -1, m_state.stopReason};
        }
        if (!m_state.armed)
            return {AutoPacingAction::Kind::Stop, -1, m_state.stopReason}; // it failed at once: no further flag is sent
    }
    if (changes.isEmpty()) {
        // Every flag already shows the stage's state: the stage is reached as it is.
        changeFinished({}, u"flag.toggle.confirmed"_s, u"stage %1's flags were already on"_s.arg(action.stage + 1));
    }
    Q_EMIT stateChanged();
    return action;
}

void AutoPacer::changeFinished(const QString &flag, const QString &action, const QString &message)
{
    if (!flag.isEmpty() && !m_waiting.remove(flag))
        return; // a change of the toggle matrix
    m_lastReport = message;
    if (action != u"flag.toggle.confirmed"_s) {
        const int stage = m_state.inFlightStage;
        m_state.inFlightStage = -1;
        if (m_state.armed)
            stop(u"a flag change of stage %1 failed: %2"_s.arg(stage + 1).arg(message), u"console"_s);
        Q_EMIT stateChanged();
        return;
    }
    if (!m_waiting.isEmpty() || m_state.inFlightStage < 0) {
        Q_EMIT stateChanged();
        return;
    }
    const int stage = m_state.inFlightStage;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_state.inFlightStage = -1;
    m_state.stage = stage;
    audit(u"autopacing.stage-confirmed"_s, m_plan.stages[stage].stage.id + u'@' + m_state.environment,
          {{"stage", stage + 1}, {"confirmedAt", QDateTime::fromMSecsSinceEpoch(now, Qt::UTC).toString(Qt::ISODateWithMs).toStdString()}},
          u"the flag service's read-back shows stage %1's flags on; its observation window starts now"_s.arg(stage + 1));
    m_last = {AutoPacingAction::Kind::Wait, stage + 1, u"the next evaluation"_s};
    Q_EMIT stageAdvanced(stage, now);
    Q_EMIT stateChanged();
}

QString AutoPacer::statusText() const
{
    return autoPacingStatus(m_state, m_last, m_plan);
}

bool AutoPacer::audit(const QString &action, const QString &target, const json &after, const QString &reason, const QString &actor)
{
    if (!m_audit)
        return false;
    Records::AuditRecord r;
    r.actor = actor.isEmpty() ? m_state.actor : actor;
    r.action = action;
    r.target = target;
    r.service = u"console"_s;
    r.after = after;
    r.reason = reason;
    return m_audit->append(r).ok();
}

} // namespace Raize::Release
