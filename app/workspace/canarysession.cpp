#include "workspace/canarysession.h"

#include "records/auditlog.h"
#include "records/auditrecord.h"
#include "release/alertcenter.h"
#include "release/canaryrun.h"
#include "release/clientcanaryservices.h"
#include "services/flags/flagservice.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/rollingreleaseclient.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QPointer>

#include <nlohmann/json.hpp>

namespace Raize {

using namespace Qt::StringLiterals;
using json = nlohmann::json;
using Release::CanaryRun;
using Release::StageVerdict;
using Services::RollingRelease;

namespace {

Error refused(const QString &message, const QString &remedy)
{
    return Error::make(Error::Kind::Refused, u"console"_s, message, remedy);
}

json stringList(const QStringList &list)
{
    json out = json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

QStringList listOf(const json &j, const char *key)
{
    QStringList out;
    if (j.is_object() && j.contains(key) && j[key].is_array()) {
        for (const json &v : j[key]) {
            if (v.is_string())
                out << QString::fromStdString(v.get<std::string>());
        }
    }
    return out;
}

json stageJson(const QList<Release::CanaryStage> &plan, int stage)
{
    if (stage < 0 || stage >= plan.size())
        return json(nullptr);
    const Release::CanaryStage &s = plan.at(stage);
    return {{"stage", stage + 1}, {"trafficPercent", s.trafficPercent}, {"cohorts", stringList(s.cohorts)}};
}

} // namespace

CanarySession::CanarySession(Workspace &workspace, QObject *parent)
    : QObject(parent)
    , m_ws(workspace)
{
    m_timer.setObjectName(u"canaryPollTimer"_s);
    connect(&m_timer, &QTimer::timeout, this, &CanarySession::poll);
}

CanarySession::~CanarySession() = default;

Status CanarySession::record(Records::AuditRecord &r)
{
    r.actor = m_ws.actor();
    if (r.service.isEmpty())
        r.service = u"vercel"_s;
    return m_ws.audit().append(r);
}

Status CanarySession::mayChange(const QString &action) const
{
    if (!m_ws.identityKnown())
        return refused(m_ws.identity().refusal(action), u"Store your own GitHub token for this profile."_s);
    return m_ws.mayChange(action);
}

Release::DeploymentAxisPolicy CanarySession::deploymentAxis() const
{
    return m_ws.policy().deploymentAxis();
}

void CanarySession::chooseAxes(const QString &level, std::function<void(const Release::AxisChoice &)> done)
{
    const Release::DeploymentAxisPolicy policy = m_ws.policy().deploymentAxis();
    const auto finish = [this, policy, level, done](const std::optional<Release::BillingFacts> &billing, const QString &error) {
        m_choice = Release::chooseAxes(policy, level, billing, error);
        Q_EMIT updated();
        if (done)
            done(*m_choice);
    };
    if (!policy.enabled || !policy.stages.contains(level))
        return finish(std::nullopt, {});
    const auto clients = m_ws.clients();
    if (!clients || !clients->rollingRelease)
        return finish(std::nullopt, u"Vercel is not configured for profile %1 (vercel/baseUrl, vercel/projectId)"_s.arg(m_ws.profile()));
    QPointer<CanarySession> self(this);
    clients->rollingRelease->billing([self, clients, finish](const Result<Services::RollingReleaseBilling> &b) {
        if (!self)
            return;
        if (b)
            finish(Release::BillingFacts{b->allowed, b->reason, b->message}, {});
        else
            finish(std::nullopt, b.error().toString());
    });
}

void CanarySession::makeRun(const CanaryTarget &target)
{
    dropRun();
    m_target = target;
    if (m_testServices) {
        m_clients.reset();
    } else {
        m_clients = m_ws.clients();
        QList<Release::Cohort> cohorts;
        if (const auto c = m_ws.cohorts())
            cohorts = c->cohorts;
        auto services = std::make_unique<Release::ClientCanaryServices>(*m_clients->rollingRelease, *m_clients->flags, *m_clients->prometheus,
                                                                        cohorts, m_clients->flagEnvironment);
        // The staging smoke checks (ADR 0032): Vercel names the canary's commit, GitHub its checks. Without
        // GitHub they are unknown and a policy that names smoke checks never starts (the reason says so).
        services->setSmokeSources(m_clients->vercel.get(), m_clients->github.get());
        m_services = std::move(services);
    }
    CanaryRun::Options o;
    o.policy = m_ws.policy().deploymentAxis();
    o.plan = o.policy.stages.value(target.level);
    o.flags = target.flags;
    o.clock = m_clock;
    m_run = std::make_unique<CanaryRun>(m_testServices ? *m_testServices : *m_services, std::move(o));
    m_wasActive = false;
    m_recordedStage = -1;
    connect(m_run.get(), &CanaryRun::updated, this, &CanarySession::runUpdated);
    connect(m_run.get(), &CanaryRun::advanced, this, &CanarySession::stageReached);
    connect(m_run.get(), &CanaryRun::failed, this, &CanarySession::failed);
    connect(m_run.get(), &CanaryRun::paged, this, [this](const QString &) {
        if (m_alerts && m_run && m_run->rollingRelease())
            m_alerts->update(u"canary"_s, {pageAlert(m_target, m_run->rollingRelease()->canaryPercent(), m_run->verdict())});
    });
    Q_EMIT runChanged();
}

void CanarySession::dropRun()
{
    if (!m_run)
        return;
    m_run->disconnect(this);
    // Kept until the session goes: a reply under way may still call the run (and it its services) back.
    m_retiredRuns.push_back(std::move(m_run));
    if (m_services)
        m_retiredServices.push_back(std::move(m_services));
    if (m_clients)
        m_retiredClients.push_back(std::move(m_clients));
    if (m_alerts)
        m_alerts->update(u"canary"_s, {});
    Q_EMIT runChanged();
}

Status CanarySession::setArmed(bool armed, const QString &reason)
{
    if (!m_run)
        return refused(u"no canary to arm"_s, u"Start or resume a canary first."_s);
    if (armed) {
        if (const Status st = mayChange(u"arm the canary's automatic advance of %1"_s.arg(m_target.canaryDeployment)); !st)
            return st;
        if (!m_run->policy().autoAdvance)
            return m_run->setArmed(true); // the run's own refusal names the policy
    }
    Records::AuditRecord r;
    r.action = u"rollout.canary.arm"_s;
    r.target = m_target.canaryDeployment;
    r.before = {{"armed", m_run->armed()}, {"stage", m_run->stageIndex() + 1}};
    r.after = {{"armed", armed}, {"stage", m_run->stageIndex() + 1}};
    r.reason = reason;
    if (const Status st = record(r); !st)
        return st;
    return m_run->setArmed(armed);
}

Status CanarySession::advance(int nextStage, const QString &reason)
{
    if (!m_run)
        return refused(u"no canary to advance"_s, u"Start or resume a canary first."_s);
    const auto &rr = m_run->rollingRelease();
    if (m_run->busy())
        return Error::make(Error::Kind::Conflict, u"console"_s, u"the canary is being read or moved right now"_s, u"Try again in a moment."_s);
    if (!rr || rr->state != RollingRelease::State::Active)
        return Error::make(Error::Kind::Conflict, u"console"_s, u"no active rolling release to advance"_s, u"Refresh the canary."_s);
    if (nextStage != m_run->stageIndex() + 1 || nextStage >= m_run->plan().size())
        return Error::make(Error::Kind::Conflict, u"console"_s,
                           u"stage %1 does not follow the active stage %2"_s.arg(nextStage + 1).arg(m_run->stageIndex() + 1),
                           u"Refresh the canary: it moved since you looked."_s);
    const StageVerdict &v = m_run->verdict();
    if (v.kind != StageVerdict::Kind::Advance && v.kind != StageVerdict::Kind::Wait)
        return refused(u"the stage cannot advance (%1): %2"_s.arg(StageVerdict::kindName(v.kind), v.reasons.join(u"; "_s)),
                       v.kind == StageVerdict::Kind::Hold ? u"Abort the canary, or wait for the burn to end."_s
                                                          : u"Wait until both axes have enough requests to judge."_s);
    if (const Status st = mayChange(u"advance the canary of %1 to stage %2"_s.arg(m_target.canaryDeployment).arg(nextStage + 1)); !st)
        return st;
    Records::AuditRecord r;
    r.action = u"rollout.canary.advance"_s;
    r.target = m_target.canaryDeployment;
    r.before = stageJson(m_run->plan(), m_run->stageIndex());
    r.after = stageJson(m_run->plan(), nextStage);
    r.after["verdict"] = StageVerdict::kindName(v.kind).toStdString();
    r.after["flags"] = stringList(m_target.flags);
    r.reason = reason;
    if (const Status st = record(r); !st)
        return st;
    return m_run->advance(nextStage);
}

void CanarySession::start(const CanaryTarget &target, const QString &reason, std::function<void(const Status &)> done)
{
    const auto finish = [done](const Status &st) {
        if (done)
            done(st);
    };
    m_startResumed = false;
    if (target.canaryDeployment.isEmpty())
        return finish(Error::make(Error::Kind::Config, u"console"_s, u"no canary deployment named"_s, u"Name the deployment to canary."_s));
    if (const Status st = mayChange(u"start the canary of %1"_s.arg(target.canaryDeployment)); !st)
        return finish(st);
    const auto clients = m_ws.clients();
    if (!m_testServices && (!clients || !clients->rollingRelease || !clients->flags || !clients->prometheus))
        return finish(Error::make(Error::Kind::Config, u"console"_s,
                                  u"a two-axis canary needs Vercel, the flag service and Prometheus configured for profile %1"_s.arg(m_ws.profile()),
                                  u"Set vercel/baseUrl, vercel/projectId, flags/url and prometheus/url (Settings, or raize-console settings set)."_s));
    QPointer<CanarySession> self(this);
    chooseAxes(target.level, [self, target, reason, finish](const Release::AxisChoice &choice) {
        if (!self)
            return;
        if (!choice.deploymentAxis)
            return finish(refused(choice.reason, u"Run the release as a flag-only canary (the toggle matrix and the rollout stages)."_s));
        // Never twice: what Vercel has now decides.
        self->resume([self, target, reason, finish](const Status &read) {
            if (!self)
                return;
            if (!read)
                return finish(read);
            if (!self->m_activeCanary.isEmpty()) {
                if (self->m_activeCanary == target.canaryDeployment) {
                    self->m_startResumed = true;
                    return finish(okStatus()); // already running: resumed, nothing sent
                }
                return finish(Error::make(Error::Kind::Conflict, u"vercel"_s,
                                          u"a rolling release of %1 is active on the project"_s.arg(self->m_activeCanary),
                                          u"Advance or abort that canary first; Vercel runs one rolling release per project."_s));
            }
            self->makeRun(target);
            Records::AuditRecord r;
            r.action = u"rollout.canary.start"_s;
            r.target = target.canaryDeployment;
            r.before = json(nullptr);
            r.after = stageJson(self->m_run->plan(), 0);
            r.after["level"] = target.level.toStdString();
            r.after["flags"] = stringList(target.flags);
            r.after["stages"] = self->m_run->plan().size();
            r.reason = reason;
            if (const Status st = self->record(r); !st) {
                self->dropRun();
                return finish(st);
            }
            // The outcome: the first stage reached, or the run's failure.
            auto once = std::make_shared<bool>(false);
            const auto report = [once, finish](const Status &st) {
                if (*once)
                    return;
                *once = true;
                finish(st);
            };
            CanaryRun *run = self->m_run.get();
            connect(run, &CanaryRun::advanced, self.data(), [report](int) { report(okStatus()); });
            connect(run, &CanaryRun::failed, self.data(), [report](const Error &e) { report(e); });
            run->start(target.canaryDeployment);
        });
    });
}

void CanarySession::resume(std::function<void(const Status &)> done)
{
    const auto finish = [done](const Status &st) {
        if (done)
            done(st);
    };
    const auto clients = m_ws.clients();
    if (!m_testServices && (!clients || !clients->rollingRelease))
        return finish(okStatus()); // no Vercel: no rolling release to pick up
    QPointer<CanarySession> self(this);
    const auto got = [self, finish](const Result<std::optional<RollingRelease>> &rr) {
        if (!self)
            return;
        if (!rr)
            return finish(rr.error());
        const bool active = rr->has_value() && (*rr)->state == RollingRelease::State::Active;
        self->m_activeCanary = active ? (*rr)->canaryDeployment : QString();
        if (!active) {
            if (self->m_run && self->m_run->rollingRelease() && self->m_run->rollingRelease()->state == RollingRelease::State::Active)
                self->poll(); // it ended since the last round: the run records how
            return finish(okStatus());
        }
        if (!self->m_run || self->m_target.canaryDeployment != (*rr)->canaryDeployment) {
            if (!self->m_testServices && !(self->m_ws.clients() && self->m_ws.clients()->flags && self->m_ws.clients()->prometheus))
                return finish(Error::make(Error::Kind::Config, u"console"_s,
                                          u"a rolling release of %1 is active, but the flag service or Prometheus is not configured"_s.arg((*rr)->canaryDeployment),
                                          u"Set flags/url and prometheus/url to judge it."_s));
            self->makeRun(self->targetFromLog((*rr)->canaryDeployment));
            // The stage it is at is Vercel's, not a new one: no stage record for it.
            self->m_recordedStage = (*rr)->activeStage ? (*rr)->activeStage->index : 0;
            self->m_wasActive = true;
        }
        self->m_run->poll();
        finish(okStatus());
    };
    if (m_testServices)
        m_testServices->rollingRelease(got);
    else
        clients->rollingRelease->rollingRelease(got);
}

CanaryTarget CanarySession::targetFromLog(const QString &canary) const
{
    // The level and flags the canary was started with: its latest rollout.canary.start record.
    CanaryTarget t;
    t.canaryDeployment = canary;
    QFile f(m_ws.auditLogPath());
    if (!f.open(QIODevice::ReadOnly))
        return t;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        if (!line.contains("\"rollout.canary.start\""))
            continue;
        Records::AuditRecord r;
        if (!Records::AuditRecord::fromLine(line.trimmed(), &r) || r.action != u"rollout.canary.start"_s || r.target != canary)
            continue;
        if (r.after.is_object() && r.after.contains("level") && r.after["level"].is_string())
            t.level = QString::fromStdString(r.after["level"].get<std::string>());
        t.flags = listOf(r.after, "flags");
    }
    return t;
}

void CanarySession::poll()
{
    if (m_run)
        m_run->poll();
}

void CanarySession::setPollInterval(int ms)
{
    if (ms <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(ms);
}

void CanarySession::stageReached(int stage)
{
    if (!m_run || stage <= m_recordedStage)
        return;
    m_recordedStage = stage;
    const auto &rr = m_run->rollingRelease();
    const QString state = rr ? RollingRelease::stateName(rr->state) : u"ACTIVE"_s;
    Records::AuditRecord r = stageRecord(m_target, m_run->plan(), stage, state, rr ? rr->currentDeployment : QString());
    if (const Status st = record(r); !st)
        Q_EMIT failed(st.error()); // the change is made; its stage record is what failed
}

void CanarySession::runUpdated()
{
    if (!m_run)
        return;
    const auto &rr = m_run->rollingRelease();
    const bool active = rr && rr->state == RollingRelease::State::Active;
    if (active) {
        m_wasActive = true;
    } else if (m_wasActive && rr) {
        // Seen active, now ended: completed (the last approve) or aborted (the rollback). One record.
        m_wasActive = false;
        const bool complete = rr->state == RollingRelease::State::Complete;
        if (!complete || m_recordedStage < m_run->plan().size() - 1) {
            Records::AuditRecord r = stageRecord(m_target, m_run->plan(), complete ? int(m_run->plan().size()) - 1 : m_run->stageIndex(),
                                                 RollingRelease::stateName(rr->state), rr->currentDeployment);
            m_recordedStage = int(m_run->plan().size());
            if (const Status st = record(r); !st)
                Q_EMIT failed(st.error());
        }
    }
    if (m_alerts) {
        const StageVerdict &v = m_run->verdict();
        if (active && v.page)
            m_alerts->update(u"canary"_s, {pageAlert(m_target, rr->canaryPercent(), v)});
        else if (!(active && v.kind == StageVerdict::Kind::Hold))
            m_alerts->update(u"canary"_s, {}); // a hold without the page keeps no page; any other verdict clears it
    }
    Q_EMIT updated();
}

Result<Rollback::CanaryAbortInputs> CanarySession::abortInputs(const QString &reason) const
{
    if (!m_run || !m_run->rollingRelease() || m_run->rollingRelease()->state != RollingRelease::State::Active)
        return Error::make(Error::Kind::Conflict, u"console"_s, u"no active canary to abort"_s, u"Refresh the canary."_s);
    const RollingRelease &rr = *m_run->rollingRelease();
    Rollback::CanaryAbortInputs in;
    in.vercelProjectId = m_ws.settings().string(SettingKey::VercelProjectId);
    in.currentDeployment = rr.currentDeployment;
    in.canaryDeployment = rr.canaryDeployment;
    in.canaryPercent = rr.canaryPercent();
    in.flags = m_target.flags;
    QList<Release::Cohort> cohorts;
    if (const auto c = m_ws.cohorts())
        cohorts = c->cohorts;
    in.scope = Release::ClientCanaryServices::scopeFor(m_run->plan().value(m_run->stageIndex()).cohorts, cohorts);
    if (const auto clients = m_ws.clients(); clients && !clients->flagEnvironment.isEmpty())
        in.flagEnvironment = clients->flagEnvironment;
    in.reason = reason.isEmpty() ? m_run->verdict().reasons.join(u"; "_s) : reason;
    return in;
}

Records::AuditRecord CanarySession::stageRecord(const CanaryTarget &target, const QList<Release::CanaryStage> &plan, int stage,
                                                const QString &state, const QString &currentDeployment)
{
    Records::AuditRecord r;
    r.action = u"canary.stage"_s;
    r.target = target.canaryDeployment;
    r.service = u"vercel"_s;
    r.before = json(nullptr);
    r.after = stageJson(plan, stage);
    if (r.after.is_null())
        r.after = json::object();
    r.after["stages"] = plan.size();
    r.after["state"] = state.toStdString();
    r.after["level"] = target.level.toStdString();
    r.after["flags"] = stringList(target.flags);
    r.after["current"] = currentDeployment.toStdString();
    r.after["service"] = "web";
    r.after["environment"] = "Production";
    return r;
}

Release::Alert CanarySession::pageAlert(const CanaryTarget &target, double canaryPercent, const StageVerdict &verdict)
{
    Release::Alert a;
    a.id = u"canary:"_s + target.canaryDeployment;
    a.severity = u"page"_s;
    a.trigger = u"canary %1 burning at page level at %2 % of web traffic (canary %3×, baseline %4×)"_s.arg(target.canaryDeployment)
                    .arg(canaryPercent)
                    .arg(QString::number(verdict.canaryBurn, 'f', 1), QString::number(verdict.baselineBurn, 'f', 1));
    a.scope = u"web traffic on %1; the release's flags %2"_s.arg(target.canaryDeployment,
                                                                  target.flags.isEmpty() ? u"(none named)"_s : target.flags.join(u", "_s));
    a.evidence = verdict.reasons;
    return a;
}

} // namespace Raize
