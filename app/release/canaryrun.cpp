#include "release/canaryrun.h"

#include <algorithm>
#include <utility>

namespace Raize::Release {

using namespace Qt::StringLiterals;
using Services::RollingRelease;

CanaryRun::CanaryRun(CanaryServices &services, Options options, QObject *parent)
    : QObject(parent)
    , m_s(services)
    , m_o(std::move(options))
{
}

const Clock &CanaryRun::clock() const
{
    return m_o.clock ? *m_o.clock : Clock::system();
}

void CanaryRun::fail(const Error &e)
{
    m_busy = false;
    Q_EMIT failed(e);
    Q_EMIT updated();
}

Status CanaryRun::setArmed(bool armed)
{
    if (armed && !m_o.policy.autoAdvance)
        return Error::make(Error::Kind::Refused, u"console"_s, u"the policy does not allow automatic stage advance"_s,
                           u"Advance each stage by hand, or set rollout.deploymentAxis.autoAdvance in the policy bundle."_s);
    m_armed = armed;
    return okStatus();
}

void CanaryRun::start(const QString &canaryDeploymentId)
{
    if (m_busy)
        return;
    if (m_o.plan.isEmpty())
        return fail(Error::make(Error::Kind::Config, u"console"_s, u"the policy has no deployment stages for this release"_s,
                                u"Add rollout.deploymentAxis.stages for the release's level, or run a flag-only canary."_s));
    m_busy = true;
    m_smoke.reset();
    readSmoke(canaryDeploymentId, [this, canaryDeploymentId] {
        // Stage 1 starts only on passed smoke checks (§6.2 Phase A): the verdict shows what blocks it.
        const QList<StageEvidence> smoke = judgeSmoke(m_o.policy.smokeChecks, m_smoke);
        QStringList blocking;
        bool failedOrMissing = false;
        for (const StageEvidence &e : smoke) {
            if (e.state == StageEvidence::State::Ok)
                continue;
            failedOrMissing = failedOrMissing || e.state == StageEvidence::State::Hold;
            blocking << u"%1 — %2%3"_s.arg(e.subject, e.detail, e.url.isEmpty() ? QString() : u" <%1>"_s.arg(e.url));
        }
        if (!blocking.isEmpty()) {
            m_verdict = StageVerdict{};
            m_verdict.kind = failedOrMissing ? StageVerdict::Kind::Hold : StageVerdict::Kind::NotEnoughData;
            m_verdict.reasons = blocking;
            m_verdict.evidence = smoke;
            return fail(Error::make(Error::Kind::Refused, u"console"_s,
                                    u"stage 1 of %1 not started: %2"_s.arg(canaryDeploymentId, blocking.join(u"; "_s)),
                                    failedOrMissing ? u"Fix the release on staging until its smoke checks pass, then start the canary again."_s
                                                    : u"Wait for the smoke checks to finish (or for GitHub to answer), then start the canary again."_s));
        }
        startRollingRelease(canaryDeploymentId);
    });
}

void CanaryRun::readSmoke(const QString &canary, std::function<void()> then)
{
    bool passed = m_smoke.has_value();
    for (const StageEvidence &e : judgeSmoke(m_o.policy.smokeChecks, m_smoke))
        passed = passed && e.state == StageEvidence::State::Ok;
    if (m_o.policy.smokeChecks.isEmpty() || passed)
        return then();
    m_s.smokeChecks(canary, [this, then](const Result<SmokeFacts> &facts) {
        if (facts) {
            m_smoke = *facts;
        } else {
            SmokeFacts unknown;
            unknown.error = facts.error().toString();
            m_smoke = unknown;
        }
        then();
    });
}

void CanaryRun::startRollingRelease(const QString &canaryDeploymentId)
{
    m_s.start(canaryDeploymentId, [this](const Result<RollingRelease> &rr) {
        if (!rr)
            return fail(rr.error());
        m_rr = *rr;
        m_stage = rr->activeStage ? rr->activeStage->index : 0;
        m_stageSinceMs = clock().nowMs();
        m_s.serveCohorts(m_o.flags, m_o.plan.value(m_stage).cohorts, [this](const Status &st) {
            m_busy = false;
            if (!st)
                return fail(st.error());
            Q_EMIT advanced(m_stage);
            Q_EMIT updated();
        });
    });
}

void CanaryRun::poll()
{
    if (m_busy)
        return;
    m_busy = true;
    m_s.rollingRelease([this](const Result<std::optional<RollingRelease>> &rr) {
        if (!rr)
            return fail(rr.error());
        m_rr = *rr;
        if (!rr->has_value() || (*rr)->state != RollingRelease::State::Active) {
            // Nothing to judge: no rolling release, or it ended (complete, or aborted by a rollback).
            m_busy = false;
            m_verdict = StageVerdict{};
            m_verdict.kind = rr->has_value() && (*rr)->state == RollingRelease::State::Complete ? StageVerdict::Kind::Done : StageVerdict::Kind::Hold;
            m_verdict.reasons = {rr->has_value() ? u"the rolling release is %1"_s.arg(RollingRelease::stateName((*rr)->state).toLower())
                                                 : u"no rolling release on the project"_s};
            Q_EMIT updated();
            return;
        }
        judge(**rr);
    });
}

void CanaryRun::judge(const RollingRelease &rr)
{
    const int index = rr.activeStage ? rr.activeStage->index : 0;
    if (index != m_stage) {
        // A stage this run has not seen begin (another console advanced it, or the run restarted): its window starts now.
        m_stage = index;
        m_stageSinceMs = clock().nowMs();
    }
    if (rr.stages.size() != m_o.plan.size() || (rr.activeStage && m_o.plan.value(index).trafficPercent != rr.activeStage->targetPercent)) {
        m_busy = false;
        m_verdict = StageVerdict{};
        m_verdict.kind = StageVerdict::Kind::Hold;
        m_verdict.reasons = {u"Vercel's rolling release (%1 stages, %2 % now) is not the policy's plan (%3 stages, %4 %): fix the project's "
                             u"rolling-release configuration before advancing"_s.arg(rr.stages.size())
                                 .arg(rr.canaryPercent())
                                 .arg(m_o.plan.size())
                                 .arg(m_o.plan.value(index).trafficPercent)};
        Q_EMIT updated();
        return;
    }
    const double seconds = std::max(0.0, (clock().nowMs() - m_stageSinceMs) / 1000.0);
    const QStringList cohorts = m_o.plan.value(index).cohorts;
    m_s.counts(rr.canaryDeployment, rr.currentDeployment, cohorts, seconds, [this, seconds, index, rr, cohorts](const Result<StageCounts> &counts) {
        if (!counts)
            return fail(counts.error());
        m_counts = *counts;
        // The evidence besides the burn: friction since the stage began (a failed read is unknown, not a failed
        // poll: the verdict says what could not be read), then the smoke checks until they have all passed.
        m_s.friction(cohorts, seconds, m_stageSinceMs, [this, seconds, index, rr](const Result<FrictionFacts> &friction) {
            if (friction) {
                m_friction = *friction;
            } else {
                FrictionFacts unknown;
                unknown.sinceMs = m_stageSinceMs;
                unknown.error = friction.error().toString();
                m_friction = unknown;
            }
            readSmoke(rr.canaryDeployment, [this, seconds, index, rr] { decide(rr, index, seconds); });
        });
    });
}

void CanaryRun::decide(const RollingRelease &rr, int index, double seconds)
{
    StageFacts facts;
    facts.stageIndex = index;
    facts.elapsedSeconds = seconds;
    facts.canary = m_counts->canary;
    facts.baseline = m_counts->baseline;
    facts.cohorts = m_counts->cohorts;
    facts.friction = m_friction;
    facts.smoke = m_smoke;
    m_verdict = judgeStage(m_o.policy, m_o.plan, facts);
    if (m_verdict.page && m_pagedStage != index) {
        m_pagedStage = index;
        Q_EMIT paged(u"canary %1 at %2 %: %3"_s.arg(rr.canaryDeployment).arg(rr.canaryPercent()).arg(m_verdict.reasons.join(u"; "_s)));
    }
    if (m_verdict.kind == StageVerdict::Kind::Advance && m_armed)
        return doAdvance(m_verdict.nextStage);
    m_busy = false;
    Q_EMIT updated();
}

Status CanaryRun::advance(int expectedNextStage)
{
    if (m_busy)
        return Error::make(Error::Kind::Conflict, u"console"_s, u"the canary is being read or moved right now"_s, u"Try again in a moment."_s);
    if (!m_rr || m_rr->state != RollingRelease::State::Active)
        return Error::make(Error::Kind::Conflict, u"console"_s, u"no active rolling release to advance"_s, u"Refresh the canary."_s);
    if (expectedNextStage != m_stage + 1)
        return Error::make(Error::Kind::Conflict, u"console"_s,
                           u"stage %1 does not follow the active stage %2"_s.arg(expectedNextStage + 1).arg(m_stage + 1),
                           u"Refresh the canary: it moved since you looked."_s);
    if (m_verdict.kind != StageVerdict::Kind::Advance && m_verdict.kind != StageVerdict::Kind::Wait)
        return Error::make(Error::Kind::Refused, u"console"_s,
                           u"the stage cannot advance (%1): %2"_s.arg(StageVerdict::kindName(m_verdict.kind), m_verdict.reasons.join(u"; "_s)),
                           m_verdict.kind == StageVerdict::Kind::Hold
                               ? u"Abort the canary, or wait until what holds it (a burn, enforcement friction, a smoke check) has ended."_s
                               : u"Wait until both axes have enough requests and the friction and smoke checks can be read."_s);
    m_busy = true;
    doAdvance(expectedNextStage);
    return okStatus();
}

void CanaryRun::doAdvance(int next)
{
    const QString canary = m_rr ? m_rr->canaryDeployment : QString();
    m_s.approveStage(canary, next, [this, next](const Result<RollingRelease> &rr) {
        if (!rr)
            return fail(rr.error());
        m_approved.append(next);
        m_rr = *rr;
        m_stage = next;
        m_stageSinceMs = clock().nowMs();
        m_s.serveCohorts(m_o.flags, m_o.plan.value(next).cohorts, [this, next](const Status &st) {
            m_busy = false;
            if (!st)
                return fail(st.error());
            Q_EMIT advanced(next);
            Q_EMIT updated();
        });
    });
}

} // namespace Raize::Release
