#include "release/stagingpromotion.h"

#include "core/writeguard.h"
#include "records/auditlog.h"
#include "release/promotion.h"
#include "release/promotionservices.h"

#include <QPointer>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

QString StagingDecision::outcomeName(Outcome o)
{
    switch (o) {
    case Outcome::Allowed: return u"allowed"_s;
    case Outcome::Blocked: return u"blocked"_s;
    case Outcome::Unknown: return u"unknown"_s;
    case Outcome::NotConfigured: return u"not-configured"_s;
    }
    return {};
}

StagingDecision decideStaging(const GatePolicy &policy, const GateVerdict &staging, const Known<CandidateDeployment> &candidate)
{
    StagingDecision d;
    d.domain = policy.stagingDomain.trimmed();
    if (d.domain.isEmpty()) {
        d.outcome = StagingDecision::Outcome::NotConfigured;
        d.reasons << u"the policy names no staging domain (promotion.staging.domain): set it in the policy bundle"_s;
        return d;
    }
    if (!candidate.known()) {
        d.outcome = StagingDecision::Outcome::Unknown;
        d.reasons << u"the deployment could not be read: "_s + candidate.error;
        return d;
    }
    if (candidate->target == u"production"_s) {
        d.outcome = StagingDecision::Outcome::Blocked;
        d.reasons << u"%1 is a production deployment: the staging domain takes a preview (or staging) deployment"_s.arg(candidate->id);
        return d;
    }
    if (staging.results.isEmpty()) {
        d.outcome = StagingDecision::Outcome::NotConfigured;
        d.reasons << u"the policy's promotion.staging.gates names no gate: a promote to staging is never made unchecked"_s;
        return d;
    }
    bool failing = false, unknown = false;
    for (const GateResult &r : staging.results) {
        if (r.status == GateResult::Status::Pass)
            continue;
        (r.status == GateResult::Status::Fail ? failing : unknown) = true;
        d.reasons << u"%1 (%2): %3"_s.arg(r.id, GateResult::statusName(r.status), r.reason);
    }
    // A failing gate is a rule (refused); only unknowns left means the data is missing (never a pass).
    d.outcome = failing ? StagingDecision::Outcome::Blocked : unknown ? StagingDecision::Outcome::Unknown : StagingDecision::Outcome::Allowed;
    return d;
}

StagingPromotion::StagingPromotion(GatePolicy policy, QObject *parent)
    : StagingPromotion(std::move(policy), Dependencies{}, parent)
{ }

StagingPromotion::StagingPromotion(GatePolicy policy, Dependencies deps, QObject *parent)
    : QObject(parent)
    , m_policy(std::move(policy))
    , m_deps(deps)
{ }

StagingPromotion::~StagingPromotion() = default;

void StagingPromotion::setDependencies(Dependencies deps)
{
    m_deps = deps;
    ++m_generation;
    m_busy = false;
    Q_EMIT changed();
}

void StagingPromotion::finishReview(bool ok, const QString &message, Error::Kind kind)
{
    m_busy = false;
    m_message = message;
    m_failureKind = ok ? Error::Kind::None : kind;
    Q_EMIT changed();
    Q_EMIT reviewed(ok, message);
}

void StagingPromotion::finishPromote(bool ok, const QString &message, Error::Kind kind)
{
    m_busy = false;
    m_message = message;
    m_failureKind = ok ? Error::Kind::None : kind;
    Q_EMIT changed();
    Q_EMIT promoted(ok, message);
}

void StagingPromotion::collect(const QString &deploymentId, std::function<void()> then)
{
    QPointer<StagingPromotion> self(this);
    const quint64 generation = m_generation;
    m_deps.services->collect(deploymentId, [self, generation, then](const CollectedFacts &facts) {
        if (!self || self->m_generation != generation)
            return;
        self->m_facts = facts;
        self->m_verdict = evaluateStaging(self->m_policy, facts.facts);
        self->m_decision = decideStaging(self->m_policy, self->m_verdict, facts.facts.deployment);
        then();
    });
}

void StagingPromotion::review(const QString &deploymentId)
{
    if (m_busy)
        return finishReview(false, tr("A review or a promote to staging is already running: wait for it to finish."), Error::Kind::Refused);
    if (!m_deps.services)
        return finishReview(false, tr("Vercel is not connected: set it up in Settings to promote to staging."), Error::Kind::Config);
    if (deploymentId.trimmed().isEmpty())
        return finishReview(false, tr("Name the preview deployment to promote to staging."), Error::Kind::Refused);
    m_busy = true;
    m_message = tr("Reading %1 and the staging gates…").arg(deploymentId.trimmed());
    Q_EMIT changed();
    QPointer<StagingPromotion> self(this);
    collect(deploymentId.trimmed(), [self] {
        const Known<CandidateDeployment> &d = self->m_facts.facts.deployment;
        if (!d.known())
            return self->finishReview(false, tr("Cannot read the candidate: %1").arg(d.error), Error::Kind::Network);
        self->finishReview(true, {}, Error::Kind::None);
    });
}

Status StagingPromotion::audit(const QString &actor, const QString &action, const json &before, const json &after, const QString &reason,
                               const QString &requestId)
{
    if (!m_deps.audit)
        return Error::make(Error::Kind::Config, u"audit"_s, tr("no audit log is configured"),
                           tr("set the audit log path in Settings (raize-console settings set audit/logPath FILE)"));
    Records::AuditRecord r;
    r.actor = actor;
    r.action = action;
    r.target = m_decision.domain + u"→"_s + (m_facts.facts.deployment.known() ? m_facts.facts.deployment->id : QString());
    r.service = u"vercel"_s;
    r.before = before;
    r.after = after;
    r.reason = reason;
    r.requestId = requestId;
    return m_deps.audit->append(r);
}

void StagingPromotion::promote(const QString &deploymentId)
{
    const QString id = deploymentId.trimmed();
    if (m_busy)
        return finishPromote(false, tr("A review or a promote to staging is already running: wait for it to finish."));
    if (id.isEmpty())
        return finishPromote(false, tr("Name the preview deployment to promote to staging."));
    if (m_deps.guard) {
        if (const Status armed = m_deps.guard->mayChange(u"promoting %1 to staging"_s.arg(id)); !armed)
            return finishPromote(false, armed.error().message + u' ' + armed.error().remedy);
    }
    if (!m_deps.services)
        return finishPromote(false, tr("Vercel is not connected: set it up in Settings to promote to staging."), Error::Kind::Config);
    if (!m_deps.audit)
        return finishPromote(false, tr("No audit log is configured: a promote to staging is never made unrecorded. Set the audit log "
                                       "path in Settings."),
                             Error::Kind::Config);
    m_busy = true;
    m_effective = false;
    m_alreadyAssigned = false;
    m_previous.clear();
    m_requestId.clear();
    m_message = tr("Asking GitHub who this profile's token belongs to…");
    Q_EMIT changed();
    QPointer<StagingPromotion> self(this);
    const quint64 generation = m_generation;
    // Who acts: the token's user (GET /user), never a typed name; unknown, nothing is changed.
    m_deps.services->identity([self, generation, id](const Result<QString> &who) {
        if (!self || self->m_generation != generation)
            return;
        if (!who)
            return self->finishPromote(false,
                                       tr("Not promoted to staging: GitHub could not say who this profile's token belongs to (%1). Every "
                                          "change is recorded with that login: check the GitHub token (Settings → Test connection).")
                                           .arg(who.error().toString()),
                                       who.error().kind == Error::Kind::Refused ? Error::Kind::Auth : who.error().kind);
        self->m_identity = who.value();
        self->m_message = tr("Checking the staging gates of %1…").arg(id);
        Q_EMIT self->changed();
        // Read everything now: the gates hold for what is there when the domain moves.
        self->collect(id, [self] { self->assign(self->m_identity); });
    });
}

void StagingPromotion::assign(const QString &actor)
{
    const Known<CandidateDeployment> &candidate = m_facts.facts.deployment;
    switch (m_decision.outcome) {
    case StagingDecision::Outcome::Allowed:
        break;
    case StagingDecision::Outcome::Blocked:
        return finishPromote(false, tr("Not promoted to staging: %1").arg(m_decision.reasons.join(u"; "_s)));
    case StagingDecision::Outcome::NotConfigured:
        return finishPromote(false, tr("Not promoted to staging: %1").arg(m_decision.reasons.join(u"; "_s)), Error::Kind::Config);
    case StagingDecision::Outcome::Unknown:
        return finishPromote(false,
                             tr("Not promoted to staging: a gate could not be checked, and an unknown gate never passes: %1. "
                                "Try again when the service answers.")
                                 .arg(m_decision.reasons.join(u"; "_s)),
                             Error::Kind::Network);
    }
    const QString id = candidate->id;
    const QString domain = m_decision.domain;
    const QString correlation = Promotion::correlationId();
    json gates = json::array();
    for (const GateResult &r : m_verdict.results)
        gates.push_back(r.id.toStdString());
    const json after = {{"domain", domain.toStdString()},
                        {"deployment", id.toStdString()},
                        {"sha", candidate->sha.toStdString()},
                        {"ref", candidate->ref.toStdString()},
                        {"target", candidate->target.isEmpty() ? "preview" : candidate->target.toStdString()},
                        {"gates", gates},
                        {"policy", m_policy.bundleId.toStdString()}};
    json requested = after;
    requested["state"] = "requested";
    // The record goes first: a change the log cannot hold is not made. Vercel names the previous deployment in its answer.
    const json unknownBefore = {{"domain", domain.toStdString()}, {"deployment", nullptr}, {"note", "named by Vercel's answer (oldDeploymentId)"}};
    if (const Status first = audit(actor, u"promotion.staging.requested"_s, unknownBefore, requested,
                                   u"manual Preview → Staging promote after the staging gates passed"_s, correlation);
        !first)
        return finishPromote(false,
                             tr("Not promoted to staging: the promote could not be recorded first, so Vercel was not asked: %1")
                                 .arg(first.error().toString()),
                             first.error().kind);
    m_message = tr("Assigning %1 to %2…").arg(domain, id);
    Q_EMIT changed();
    QPointer<StagingPromotion> self(this);
    const quint64 generation = m_generation;
    m_deps.services->assignDomain(id, domain, [self, generation, id, domain, actor, after, correlation](const Result<DomainAssignment> &a) {
        if (!self || self->m_generation != generation)
            return;
        if (!a) {
            json logged = after;
            logged["error"] = a.error().toString().toStdString();
            logged["effective"] = false;
            logged["correlation"] = correlation.toStdString();
            self->m_requestId = a.error().requestId.isEmpty() ? correlation : a.error().requestId;
            const Status written = self->audit(actor, u"promotion.staging"_s, json{{"domain", domain.toStdString()}}, logged,
                                               u"Vercel refused the alias assignment"_s, self->m_requestId);
            QString message = tr("Vercel did not assign %1 to %2: %3").arg(domain, id, a.error().toString());
            if (!written)
                message += tr(" The audit record of the failure could not be written either: %1").arg(written.error().toString());
            return self->finishPromote(false, message, a.error().kind == Error::Kind::Refused ? Error::Kind::Http : a.error().kind);
        }
        const DomainAssignment assigned = a.value();
        self->m_alreadyAssigned = assigned.alreadyAssigned;
        self->m_previous = assigned.alreadyAssigned ? id : assigned.previousDeployment;
        self->m_requestId = assigned.receipt.idOr(correlation);
        self->m_message = tr("%1 accepted by Vercel; reading the domain back…").arg(domain);
        Q_EMIT self->changed();
        // Effective, not just accepted: the domain is read back on the candidate.
        self->m_deps.services->domainPointsAt(id, domain, [self, generation, id, domain, actor, after, correlation, assigned](const Result<bool> &points) {
            if (!self || self->m_generation != generation)
                return;
            self->m_effective = points && *points;
            json logged = after;
            logged["effective"] = self->m_effective;
            logged["alreadyAssigned"] = assigned.alreadyAssigned;
            logged["correlation"] = correlation.toStdString();
            if (!points)
                logged["readBackError"] = points.error().toString().toStdString();
            const json before = {{"domain", domain.toStdString()},
                                 {"deployment", self->m_previous.isEmpty() ? json(nullptr) : json(self->m_previous.toStdString())}};
            const Status written = self->audit(actor, u"promotion.staging"_s, before, logged,
                                               self->m_effective ? u"the staging domain serves the promoted deployment"_s
                                                                 : u"accepted, the domain was not read back on the deployment"_s,
                                               self->m_requestId);
            const QString was = self->m_previous.isEmpty() ? tr("no deployment") : self->m_previous;
            if (!self->m_effective)
                return self->finishPromote(false,
                                           tr("Vercel accepted %1 → %2, but the domain does not read back on it (%3). Look at the domain in "
                                              "Vercel, then promote again.")
                                               .arg(domain, id, points ? tr("not among its aliases") : points.error().toString()),
                                           Error::Kind::Conflict);
            QString message = assigned.alreadyAssigned ? tr("%1 already served %2: nothing moved.").arg(domain, id)
                                                       : tr("%1 now serves %2 (before: %3).").arg(domain, id, was);
            if (!written) {
                // Done, but not recorded: said as an error (the CLI's exit 2), the domain has moved all the same.
                self->m_busy = false;
                self->m_message = message + tr(" The audit record failed: %1").arg(written.error().toString());
                self->m_failureKind = written.error().kind;
                Q_EMIT self->changed();
                Q_EMIT self->promoted(true, self->m_message);
                return;
            }
            self->finishPromote(true, message);
        });
    });
}

} // namespace Raize::Release
