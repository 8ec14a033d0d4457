#include "release/promotion.h"

#include "core/writeguard.h"

#include "core/clock.h"
#include "records/auditlog.h"
#include "release/promotionservices.h"

#include <QPointer>
#include <QSet>
#include <QUuid>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

Promotion::Promotion(GatePolicy policy, QObject *parent)
    : Promotion(std::move(policy), Dependencies{}, parent)
{ }

Promotion::Promotion(GatePolicy policy, Dependencies deps, QObject *parent)
    : QObject(parent)
    , m_policy(std::move(policy))
    , m_deps(std::move(deps))
{ }

Promotion::~Promotion() = default;

void Promotion::setDependencies(Dependencies deps)
{
    m_deps = std::move(deps);
    ++m_generation;
    if (busy())
        m_state = m_reviewed ? State::Reviewed : State::Idle;
    Q_EMIT changed();
}

QString Promotion::actorName() const
{
    // Never a guess: the token's login, or "unknown" when GitHub could not say.
    return m_identity.isEmpty() ? u"unknown"_s : m_identity;
}

std::optional<QString> Promotion::typedActorMismatch(const QString &typed) const
{
    if (typed.trimmed().isEmpty() || m_identity.isEmpty() || typed.trimmed().compare(m_identity, Qt::CaseInsensitive) == 0)
        return std::nullopt;
    return tr("This profile's GitHub token belongs to %1, not %2: each person acts with their own profile and token.")
        .arg(m_identity, typed.trimmed());
}

qint64 Promotion::nowMs() const
{
    return (m_deps.clock ? *m_deps.clock : Clock::system()).nowMs();
}

ReviewBinding Promotion::binding() const
{
    return ReviewBinding::of(m_facts.facts, m_verdict);
}

QString Promotion::digest() const
{
    return m_reviewed ? binding().digest() : QString();
}

bool Promotion::digestMatches(const QString &reviewed) const
{
    const QString d = digest();
    return !reviewed.trimmed().isEmpty() && !d.isEmpty() && d.startsWith(reviewed.trimmed(), Qt::CaseInsensitive);
}

QStringList Promotion::stuck() const
{
    if (!m_reviewed)
        return {};
    return stuckStates(m_policy, m_facts.facts, m_facts.pending.sinceMs, nowMs());
}

QList<OverridableGate> Promotion::overridableGates() const
{
    QList<OverridableGate> out;
    if (!m_reviewed)
        return out;
    for (const GateResult &r : m_verdict.results) {
        const bool acceptable =
            r.status == GateResult::Status::Fail || (r.status == GateResult::Status::Unknown && r.unmappedCommits);
        const bool applied = std::any_of(m_decision.overrides.cbegin(), m_decision.overrides.cend(),
                                         [&](const OverrideRequest &o) { return o.gateId == r.id; });
        if (acceptable && r.overridable && !applied)
            out << OverridableGate{r.id, r.title};
    }
    return out;
}

void Promotion::finish(State state, const QString &message, bool error, Error::Kind kind)
{
    m_state = state;
    m_message = message;
    m_messageIsError = error;
    m_failureKind = error ? kind : Error::Kind::None;
    Q_EMIT changed();
}

void Promotion::refuseWith(const QString &message, Error::Kind kind)
{
    // The state stays: a refusal changes nothing but what is said.
    finish(m_state, message, true, kind);
}

void Promotion::review(const QString &deploymentId)
{
    const auto refuse = [this](const QString &why) {
        refuseWith(why, m_deps.services ? Error::Kind::Refused : Error::Kind::Config);
        Q_EMIT reviewed(false, why);
    };
    if (busy())
        return refuse(tr("A review or an action is already running: wait for it to finish, then review again."));
    if (!m_deps.services)
        return refuse(tr("Vercel is not connected: set it up in Settings to review a candidate."));
    finish(State::Reviewing, tr("Reading Vercel, GitHub, the flag service and the changelog…"), false);
    const auto done = [this] {
        m_reviewed = true;
        ++m_reviews;
        const Known<CandidateDeployment> &d = m_facts.facts.deployment;
        const QString message = d.known() ? QString() : tr("Cannot read the candidate: %1").arg(d.error);
        finish(State::Reviewed, message, !d.known(), Error::Kind::Network);
        Q_EMIT reviewed(d.known(), message);
    };
    const QString id = deploymentId.trimmed();
    if (!id.isEmpty())
        return collect(id, done);
    QPointer<Promotion> self(this);
    const quint64 generation = m_generation;
    m_deps.services->newestStaging([self, generation, done](const Result<QString> &candidate) {
        if (!self || self->m_generation != generation)
            return;
        if (!candidate) {
            const QString message = tr("No candidate to review: %1").arg(candidate.error().toString());
            self->finish(self->m_reviewed ? State::Reviewed : State::Idle, message, true, candidate.error().kind);
            Q_EMIT self->reviewed(false, message);
            return;
        }
        self->collect(candidate.value(), done);
    });
}

void Promotion::collect(const QString &deploymentId, std::function<void()> then)
{
    QPointer<Promotion> self(this);
    const quint64 generation = m_generation;
    m_deps.services->collect(deploymentId, [self, generation, then](const CollectedFacts &facts) {
        if (!self || self->m_generation != generation)
            return;
        const auto evaluateNow = [self, generation, then, facts] {
            // Who this profile's token belongs to, asked once by the services: the actor of every record.
            self->m_deps.services->identity([self, generation, then, facts](const Result<QString> &who) {
                if (!self || self->m_generation != generation)
                    return;
                self->m_identity = who ? who.value() : QString();
                self->m_identityError = who ? QString() : who.error().toString();
                self->evaluateFacts(facts);
                then();
            });
        };
        const bool viaGitHub = self->m_policy.viaGitHubEnvironment && facts.facts.deployment.known() && !facts.facts.deployment->sha.isEmpty();
        if (!viaGitHub) {
            self->m_review = {};
            if (self->m_policy.viaGitHubEnvironment && facts.facts.deployment.known())
                self->m_review.error = tr("the candidate deployment carries no commit, so its GitHub runs cannot be found");
            return evaluateNow();
        }
        // Approvals are GitHub's: read back by login from the commit's runs, the same for every console.
        self->m_deps.services->reviewState(facts.facts.deployment->sha, [self, generation, evaluateNow](const GitHubReviewState &state) {
            if (!self || self->m_generation != generation)
                return;
            self->m_review = state;
            evaluateNow();
        });
    });
}

void Promotion::redecide()
{
    m_decision = decide(m_policy, m_facts.facts, m_verdict, m_approvals, m_overrides);
    if (m_policy.viaGitHubEnvironment && m_facts.facts.deployment.known() && !m_review.read) {
        m_decision.reasons << tr("the approvals cannot be read from GitHub (%1): review again when GitHub answers").arg(m_review.error);
        m_decision.allowed = false;
    }
}

void Promotion::evaluateFacts(const CollectedFacts &facts)
{
    m_facts = facts;
    m_verdict = evaluate(m_policy, facts.facts);
    readRecords();
    redecide();
}

void Promotion::readRecords()
{
    // Approvals and overrides since the last promotion, read back from the audit log (they survive a restart).
    // Without a reader, the records this session wrote stand in for the log.
    const bool viaGitHub = m_policy.viaGitHubEnvironment;
    if (viaGitHub) {
        // GitHub is the source of truth for approvals; the local log only records them.
        const ReadBackApprovals read = approvalsFrom(m_policy, m_review);
        m_approvals = read.plain();
        m_approvalEnvironments.clear();
        for (const GitHubApproval &a : read.approvals)
            m_approvalEnvironments << a.environment;
        m_ignoredApprovals = read.ignored;
    }
    if (!m_deps.records)
        return;
    if (!viaGitHub)
        m_approvals.clear();
    m_overrides.clear();
    const QList<Records::AuditRecord> records = m_deps.records();
    if (viaGitHub) {
        // A promotion spends the approvals of what it promoted: GitHub keeps them on the run, this log says they were used.
        QSet<QString> promoted;
        for (const Records::AuditRecord &r : records) {
            if (r.action == u"promotion.promote"_s && r.after.is_object() && !r.after.contains("error"))
                promoted.insert(QString::fromStdString(r.after.value("digest", "")));
        }
        for (qsizetype i = m_approvals.size() - 1; i >= 0; --i) {
            if (promoted.contains(m_approvals[i].binding.digest())) {
                m_approvals.removeAt(i);
                if (i < m_approvalEnvironments.size())
                    m_approvalEnvironments.removeAt(i);
            }
        }
    }
    qsizetype from = 0;
    for (qsizetype i = 0; i < records.size(); ++i) {
        if (records[i].action == u"promotion.promote"_s && records[i].after.is_object() && !records[i].after.contains("error"))
            from = i + 1;
    }
    const ReleaseFacts &f = m_facts.facts;
    for (qsizetype i = from; i < records.size(); ++i) {
        const Records::AuditRecord &r = records[i];
        if (!r.after.is_object() || r.after.contains("error"))
            continue;
        if (r.action == u"promotion.approve"_s && !viaGitHub) {
            const auto binding = ReviewBinding::fromJson(r.after.value("binding", json()));
            if (binding)
                m_approvals << Approval{QString::fromStdString(r.after.value("reviewer", r.actor.toStdString())),
                                        r.time.toMSecsSinceEpoch(), *binding};
        } else if (r.action == u"gate.override"_s && f.deployment.known() &&
                   r.after.value("deployment", "") == f.deployment->id.toStdString() &&
                   r.after.value("sha", "") == f.deployment->sha.toStdString()) {
            // An override holds for the commit it was given for, nothing else.
            m_overrides << OverrideRequest{QString::fromStdString(r.after.value("gate", "")), r.reason, r.actor};
        }
    }
}

Status Promotion::audit(const QString &actor, const QString &action, const QString &target, const QString &service,
                        const json &before, const json &after, const QString &reason, const QString &requestId)
{
    if (!m_deps.audit)
        return Error::make(Error::Kind::Config, u"audit"_s, tr("no audit log is configured"),
                           tr("set the audit log path in Settings (raize-console settings set audit/logPath FILE)"));
    Records::AuditRecord record;
    record.time = QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC);
    record.actor = actor.trimmed().isEmpty() ? actorName() : actor.trimmed();
    record.before = before;
    record.requestId = requestId.isEmpty() ? correlationId() : requestId;
    record.action = action;
    record.target = target;
    record.service = service;
    record.after = after;
    record.reason = reason;
    return m_deps.audit->append(record);
}

void Promotion::finishApprove(bool ok, const QString &message, Error::Kind kind)
{
    finish(m_reviewed ? State::Reviewed : State::Idle, message, !ok, kind);
    Q_EMIT approved(ok, message);
}

void Promotion::approve(const QString &reviewer, const QString &reason, const QString &reviewedDigest)
{
    const auto refuse = [this](const QString &why, Error::Kind kind = Error::Kind::Refused) {
        refuseWith(why, kind);
        Q_EMIT approved(false, why);
    };
    if (busy())
        return refuse(tr("A review or an action is already running: wait for it to finish."));
    if (const std::optional<QString> why = guardRefusal(u"approving the production deployment"_s))
        return refuse(*why);
    const ReleaseFacts &f = m_facts.facts;
    if (!m_reviewed || !f.deployment.known())
        return refuse(tr("Review a candidate first: there is nothing to approve."));
    if (!reviewedDigest.trimmed().isEmpty() && !digestMatches(reviewedDigest))
        return refuse(tr("The review changed since it was reviewed (digest now %1, reviewed %2): review it again and approve "
                         "what is shown.")
                          .arg(digest().left(12), reviewedDigest.trimmed()));
    if (!m_deps.audit)
        return refuse(
            tr("No audit log is configured: an approval counts only once it is recorded. Set the audit log path in Settings."),
            Error::Kind::Config);
    if (!m_deps.services)
        return refuse(tr("GitHub is not connected: the reviewer is who the profile's GitHub token belongs to."), Error::Kind::Config);

    finish(State::Approving, tr("Asking GitHub who this profile's token belongs to…"), false);
    QPointer<Promotion> self(this);
    const quint64 generation = m_generation;
    const QString typed = reviewer.trimmed();
    const QString note = reason.trimmed();
    m_deps.services->identity([self, generation, typed, note](const Result<QString> &who) {
        if (!self || self->m_generation != generation)
            return;
        if (!who)
            return self->finishApprove(
                false,
                tr("GitHub could not say who this profile's token belongs to (%1). An approval is made as the token's own "
                   "user, never a typed name: check the GitHub token (Settings → Test connection) and approve again.")
                    .arg(who.error().toString()),
                who.error().kind == Error::Kind::Refused ? Error::Kind::Auth : who.error().kind);
        self->m_identity = who.value();
        self->m_identityError.clear();
        const QString login = who.value();
        if (!typed.isEmpty() && typed.compare(login, Qt::CaseInsensitive) != 0)
            return self->finishApprove(false, tr("This profile's GitHub token belongs to %1, not %2: each reviewer approves with "
                                                 "their own profile and token.")
                                                  .arg(login, typed));
        if (const Status may = checkReviewer(self->m_policy, self->m_facts.facts, login, std::nullopt); !may)
            return self->finishApprove(false, may.error().message);
        self->m_deps.services->permission(login, [self, generation, login, note](const Result<QString> &role) {
            if (!self || self->m_generation != generation)
                return;
            if (!role)
                return self->finishApprove(false,
                                           tr("GitHub could not say whether %1 may approve (%2): approve again when GitHub answers.")
                                               .arg(login, role.error().toString()),
                                           role.error().kind);
            if (const Status ok = checkRole(login, role.value(), self->m_deps.services->repository()); !ok)
                return self->finishApprove(false, ok.error().toString());
            self->approveAs(login, note);
        });
    });
}

void Promotion::approveAs(const QString &login, const QString &note)
{
    const ReviewBinding bound = binding();
    const QString digestText = bound.digest();
    const QString level = m_verdict.scope.level ? levelName(*m_verdict.scope.level) : u"unknown"_s;
    const QString why = note.isEmpty() ? u"approved review digest %1"_s.arg(digestText.left(12))
                                       : u"%1 (review digest %2)"_s.arg(note, digestText.left(12));
    const QString correlation = correlationId();
    json after = {{"reviewer", login.toStdString()},
                  {"binding", bound.toJson()},
                  {"digest", digestText.toStdString()},
                  {"environment", "Production"},
                  {"level", level.toStdString()}};

    if (!m_policy.viaGitHubEnvironment) {
        // The console is where approvals live under this policy: the record is the approval.
        for (const Approval &a : std::as_const(m_approvals)) {
            if (a.reviewer.compare(login, Qt::CaseInsensitive) == 0 && lapseReasons(a.binding, bound).isEmpty())
                return finishApprove(false, tr("%1 already approved this review; a second approval must come from a different "
                                               "person, with their own token.")
                                                .arg(login));
        }
        const Status logged = audit(login, u"promotion.approve"_s, bound.deploymentId, u"console"_s, json(), after, why, correlation);
        if (!logged)
            return finishApprove(false, tr("The approval was not recorded, so it does not count: %1").arg(logged.error().toString()),
                                 logged.error().kind);
        m_approvals << Approval{login, nowMs(), bound};
        redecide();
        return finishApprove(true, tr("Approved as %1 and recorded.").arg(login));
    }

    const Result<EnvironmentGate> target = approvalTarget(m_policy, m_review, bound, login);
    if (!target)
        return finishApprove(false, target.error().message, target.error().kind);
    const EnvironmentGate gate = target.value();
    after["githubEnvironment"] = gate.environment.toStdString(); // "environment" stays the console's lane, Production
    after["run"] = gate.runId;
    // The record goes first: an approval the log cannot hold is not made.
    const json before = {{"approvers", [this] {
                              json a = json::array();
                              for (const QString &x : m_decision.approvers)
                                  a.push_back(x.toStdString());
                              return a;
                          }()},
                         {"pending", gate.environment.toStdString()}};
    json requested = after;
    requested["state"] = "requested";
    if (const Status first = audit(login, u"promotion.approve.requested"_s, bound.deploymentId, u"github"_s, before, requested, why,
                                   correlation);
        !first)
        return finishApprove(false,
                             tr("Not approved: the approval could not be recorded first, so it was not sent to GitHub: %1")
                                 .arg(first.error().toString()),
                             first.error().kind);
    finish(State::Approving, tr("Approving the %1 environment on GitHub as %2…").arg(gate.environment, login), false);
    PendingReview pending;
    pending.runId = gate.runId;
    pending.environmentIds = {gate.environmentId};
    pending.environment = gate.environment;
    pending.reviewers = gate.reviewers;
    QPointer<Promotion> self(this);
    const quint64 generation = m_generation;
    const QString sha = m_facts.facts.deployment->sha;
    m_deps.services->approveEnvironment(pending, approvalComment(bound, login, note),
                                        [self, generation, login, bound, before, after, why, correlation, gate, sha](const Result<Receipt> &st) {
        if (!self || self->m_generation != generation)
            return;
        json result = after;
        result["state"] = st ? "approved" : "failed";
        if (!st)
            result["error"] = st.error().toString().toStdString();
        // GitHub's X-GitHub-Request-Id of the review; the requested record's correlation id links the two.
        result["correlation"] = correlation.toStdString();
        const QString requestId = st ? st->idOr(correlation) : (st.error().requestId.isEmpty() ? correlation : st.error().requestId);
        const Status logged = self->audit(login, u"promotion.approve"_s, bound.deploymentId, u"github"_s, before, result,
                                          st ? why : u"GitHub refused the environment approval"_s, requestId);
        if (!st)
            return self->finishApprove(false, tr("GitHub refused the approval of %1: %2").arg(gate.environment, st.error().toString()),
                                       st.error().kind);
        // Read it back as every other console will: from GitHub, by login.
        self->m_deps.services->reviewState(sha, [self, generation, login, gate, logged](const GitHubReviewState &state) {
            if (!self || self->m_generation != generation)
                return;
            self->m_review = state;
            self->readRecords();
            self->redecide();
            const bool seen = std::any_of(self->m_approvals.cbegin(), self->m_approvals.cend(), [&](const Approval &a) {
                return a.reviewer.compare(login, Qt::CaseInsensitive) == 0;
            });
            QString message = seen ? tr("Approved on GitHub as %1 (environment %2): %3 of %4 approval(s).")
                                         .arg(login, gate.environment)
                                         .arg(self->m_decision.approvers.size())
                                         .arg(self->m_decision.neededApprovals)
                                   : tr("GitHub accepted the approval as %1 (environment %2), but does not list it yet%3: "
                                        "review again in a moment.")
                                         .arg(login, gate.environment,
                                              state.read ? QString() : u" ("_s + state.error + u')');
            if (!logged)
                message += tr(" The local audit record failed (GitHub holds the approval): %1").arg(logged.error().toString());
            self->finishApprove(true, message);
        });
    });
}

QString Promotion::correlationId()
{
    // The console's own id, marked as such: a service that sends none leaves the record without one otherwise.
    return u"console:"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

std::optional<QString> Promotion::guardRefusal(const QString &action) const
{
    if (!m_deps.guard)
        return std::nullopt;
    const Status s = m_deps.guard->mayChange(action);
    if (s)
        return std::nullopt;
    return s.error().message + u' ' + s.error().remedy;
}

Status Promotion::applyOverride(const QString &gateId, const QString &reason, const QString &actor)
{
    const auto refuse = [this](const Error &e) {
        refuseWith(e.message, e.kind);
        return Status(e);
    };
    if (busy())
        return refuse(Error::make(Error::Kind::Refused, u"console"_s,
                                  tr("A review or an action is already running: wait for it to finish.")));
    if (m_deps.guard) {
        if (const Status armed = m_deps.guard->mayChange(u"overriding the %1 gate"_s.arg(gateId)); !armed)
            return refuse(Error::make(armed.error().kind, armed.error().service, armed.error().message + u' ' + armed.error().remedy));
    }
    const ReleaseFacts &f = m_facts.facts;
    if (!m_reviewed || !f.deployment.known())
        return refuse(
            Error::make(Error::Kind::Refused, u"console"_s, tr("Review a candidate first: there is nothing to override.")));
    if (const std::optional<QString> wrong = typedActorMismatch(actor))
        return refuse(Error::make(Error::Kind::Refused, u"github"_s, *wrong));
    const OverrideRequest request{gateId.trimmed(), reason.trimmed(), actorName()};
    if (const Status ok = checkOverride(m_policy, m_verdict, request); !ok)
        return refuse(ok.error());
    const bool twoReviewers = m_policy.overrideKind(request.gateId) == Override::TwoReviewers;
    const bool sameActorAgain = std::any_of(m_overrides.cbegin(), m_overrides.cend(), [&](const OverrideRequest &o) {
        return o.gateId == request.gateId && o.actor.compare(request.actor, Qt::CaseInsensitive) == 0;
    });
    if (twoReviewers && sameActorAgain)
        return refuse(Error::make(Error::Kind::Refused, u"policy"_s,
                                  tr("%1 already overrode %2: the policy needs a second, different reviewer to override it too.")
                                      .arg(request.actor, request.gateId)));
    const GateResult *gate = m_verdict.result(request.gateId);
    const json before = {{"gate", request.gateId.toStdString()},
                         {"status", gate ? GateResult::statusName(gate->status).toStdString() : "unknown"},
                         {"reason", gate ? gate->reason.toStdString() : ""}};
    const Status logged = audit(request.actor, u"gate.override"_s, request.gateId + u'@' + f.deployment->id, u"console"_s, before,
                                json{{"gate", request.gateId.toStdString()},
                                     {"deployment", f.deployment->id.toStdString()},
                                     {"sha", f.deployment->sha.toStdString()},
                                     {"environment", "Production"}},
                                request.reason);
    if (!logged) {
        Error e = logged.error();
        e.message = tr("The override was not recorded, so it is not applied: %1").arg(logged.error().message);
        return refuse(e);
    }
    m_overrides << request;
    redecide();
    const bool applied = std::any_of(m_decision.overrides.cbegin(), m_decision.overrides.cend(),
                                     [&](const OverrideRequest &o) { return o.gateId == request.gateId; });
    finish(m_state,
           twoReviewers && !applied
               ? tr("Override of %1 by %2 recorded in the audit log; the policy needs a second, different reviewer to override it too.")
                     .arg(request.gateId, request.actor)
               : tr("Override of %1 recorded in the audit log.").arg(request.gateId),
           false);
    return okStatus();
}

void Promotion::finishPromote(bool ok, const QString &message, Error::Kind kind)
{
    finish(m_reviewed ? State::Reviewed : State::Idle, message, !ok, kind);
    Q_EMIT promoted(ok, message);
}

void Promotion::promote(const QString &actor, const QString &reviewedDigest)
{
    const auto refuse = [this](const QString &why, Error::Kind kind = Error::Kind::Refused) {
        refuseWith(why, kind);
        Q_EMIT promoted(false, why);
    };
    if (busy())
        return refuse(tr("A review or an action is already running: wait for it to finish."));
    if (const std::optional<QString> why = guardRefusal(u"promoting to production"_s))
        return refuse(*why);
    if (!m_reviewed || !m_facts.facts.deployment.known())
        return refuse(tr("Review a candidate first: there is nothing to promote."));
    if (!m_deps.services)
        return refuse(tr("Vercel is not connected: set it up in Settings to promote."), Error::Kind::Config);
    if (!m_deps.audit)
        return refuse(tr("No audit log is configured: a promotion is never made unrecorded. Set the audit log path in Settings."),
                      Error::Kind::Config);
    if (const std::optional<QString> wrong = typedActorMismatch(actor))
        return refuse(*wrong);
    const ReviewBinding before = binding();
    const QString id = m_facts.facts.deployment->id;
    const QString expected = reviewedDigest.trimmed();
    // Read everything again: the approvals hold only for what is still there.
    finish(State::Promoting, tr("Checking the gates once more before promoting %1…").arg(id), false);
    QPointer<Promotion> self(this);
    collect(id, [self, before, id, expected] {
        Promotion *p = self.data();
        const QString actor = p->actorName();
        if (!expected.isEmpty() && !p->digestMatches(expected)) {
            QStringList what;
            if (before.digest().startsWith(expected, Qt::CaseInsensitive))
                what = lapseReasons(before, p->binding());
            return p->finishPromote(
                false,
                tr("Not promoted: the review changed since it was reviewed (digest now %1, reviewed %2)%3. Review it "
                   "again and approve what is shown.")
                    .arg(p->digest().left(12), expected, what.isEmpty() ? QString() : u": "_s + what.join(u"; "_s)));
        }
        if (!p->m_facts.facts.deployment.known())
            return p->finishPromote(false,
                                    tr("Not promoted: %1 cannot be read now (%2). Try again when Vercel answers.")
                                        .arg(id, p->m_facts.facts.deployment.error),
                                    Error::Kind::Network);
        if (!p->m_decision.allowed)
            return p->finishPromote(false,
                                    tr("Not promoted: the promotion is blocked: %1").arg(p->m_decision.reasons.join(u"; "_s)));
        const ReleaseFacts &f = p->m_facts.facts;
        const ReviewBinding bound = p->binding();
        json after = {{"environment", "Production"},
                      {"deployment", id.toStdString()},
                      {"sha", f.deployment->sha.toStdString()},
                      {"digest", bound.digest().toStdString()},
                      {"level", p->m_verdict.scope.level ? levelName(*p->m_verdict.scope.level).toStdString() : "unknown"},
                      {"url", f.deployment.evidence.toStdString()},
                      {"productionBefore", f.productionDeploymentId.toStdString()},
                      {"pinnedBefore", f.pin.pinned}};
        json overrides = json::array();
        for (const OverrideRequest &o : p->m_decision.overrides)
            overrides.push_back(o.gateId.toStdString());
        after["overrides"] = overrides;
        json approvers = json::array();
        for (const QString &a : p->m_decision.approvers)
            approvers.push_back(a.toStdString());
        after["approvers"] = approvers;
        const json productionWas = {{"production", f.productionDeploymentId.toStdString()}, {"sha", f.productionSha.toStdString()}};
        const QString correlation = correlationId();
        const auto consumed = [p] {
            // Approvals and overrides are spent by the promotion (the audit log starts counting again after it).
            p->m_approvals.clear();
            p->m_overrides.clear();
            p->redecide();
        };
        if (!p->m_policy.viaVercel) {
            // GitHub's environment approval is the promotion: the deploy workflow continues.
            const Status written = p->audit(actor, u"promotion.promote"_s, id, u"github"_s, productionWas, after,
                                            u"GitHub environment approved; the platform's workflow deploys"_s, correlation);
            if (!written)
                return p->finishPromote(
                    false, tr("Not promoted: the promotion could not be recorded: %1").arg(written.error().toString()),
                    written.error().kind);
            consumed();
            return p->finishPromote(true, tr("Approved on GitHub; the platform's deploy workflow promotes %1 (the console does not "
                                             "promote too).")
                                              .arg(id));
        }
        // The record goes first: a promotion the log cannot hold is not made.
        json requested = after;
        requested["state"] = "requested";
        if (const Status first = p->audit(actor, u"promotion.promote.requested"_s, id, u"vercel"_s, productionWas, requested,
                                          u"promotion requested after review"_s, correlation);
            !first)
            return p->finishPromote(false,
                                    tr("Not promoted: the promotion could not be recorded first, so Vercel was not asked: %1")
                                        .arg(first.error().toString()),
                                    first.error().kind);
        const QString productionBefore = f.productionDeploymentId;
        const quint64 generation = p->m_generation;
        p->m_deps.services->promoteDeployment(id,
                                              [self, generation, id, after, actor, consumed, productionBefore, productionWas,
                                               correlation](const Result<Receipt> &st) {
            if (!self || self->m_generation != generation)
                return;
            json logged = after;
            if (!st)
                logged["error"] = st.error().toString().toStdString();
            // Vercel's x-vercel-id of the promote (or of its refusal); the requested record's correlation id links them.
            logged["correlation"] = correlation.toStdString();
            const QString requestId = st ? st->idOr(correlation) : (st.error().requestId.isEmpty() ? correlation : st.error().requestId);
            const Status written = self->audit(actor, u"promotion.promote"_s, id, u"vercel"_s, productionWas, logged,
                                               st ? u"promoted after review"_s : u"Vercel refused the promotion"_s, requestId);
            if (!st) {
                QString message =
                    tr("Vercel did not promote %1: %2. Production still serves %3; the review and its approvals still hold, "
                       "so promote again once Vercel answers.")
                        .arg(id, st.error().toString(), productionBefore.isEmpty() ? tr("what it served") : productionBefore);
                if (!written)
                    message +=
                        tr(" The audit record of the failure could not be written either: %1").arg(written.error().toString());
                return self->finishPromote(false, message, st.error().kind);
            }
            consumed();
            // Accepted is not effective (ADR 0027): Vercel moves the domains after it answers.
            const qint64 acceptedAt = self->nowMs();
            EffectiveReport accepted;
            accepted.kind = ChangeKind::Promote;
            accepted.expected = id;
            accepted.acceptedAtMs = acceptedAt;
            accepted.last.summary = tr("accepted, not yet confirmed effective");
            self->m_effective = accepted;
            self->finish(State::Promoting, tr("%1 accepted by Vercel at %2; confirming that production serves it…").arg(id, isoMs(acceptedAt)),
                         false);
            // Read the project back: did the promotion lift a rollback pin, are custom domains assigned again?
            const PinFact pinBefore = self->m_facts.facts.pin;
            self->m_deps.services->readPin([self, generation, id, written, pinBefore, acceptedAt, actor, productionWas, after,
                                            requestId](const Result<PinFact> &pin) {
                if (!self || self->m_generation != generation)
                    return;
                self->m_pinReadBack = pinChange(pinBefore, pin);
                self->m_deps.services->confirmEffective(
                    id, acceptedAt, pinBefore.autoAssignCustomDomains,
                    [self, generation, id](const EffectiveVerdict &v) {
                        if (!self || self->m_generation != generation || !self->m_effective)
                            return;
                        self->m_effective->last = v;
                        ++self->m_effective->rounds;
                        self->finish(State::Promoting, tr("%1 accepted at %2, %3").arg(id, isoMs(self->m_effective->acceptedAtMs), v.summary), false);
                    },
                    [self, generation, id, written, actor, productionWas, after, requestId](const EffectiveReport &report) {
                        if (!self || self->m_generation != generation)
                            return;
                        self->m_effective = report;
                        // The audit record of the outcome: both times, and the evidence when it did not serve.
                        json logged = after;
                        logged["effective"] = report.toJson();
                        const Status recorded = self->audit(actor, report.effective() ? u"promotion.promote.effective"_s : u"promotion.promote.not-effective"_s,
                                                            id, u"vercel"_s, productionWas, logged,
                                                            report.effective() ? u"production serves the promoted deployment"_s
                                                                               : u"accepted, not effective within the policy's deadline"_s,
                                                            requestId);
                        QStringList auditFailures;
                        for (const Status *st : {&written, &recorded}) {
                            if (!*st)
                                auditFailures << st->error().toString();
                        }
                        const QString warnings = report.last.warnings.isEmpty() ? QString() : u" "_s + report.last.warnings.join(u" "_s);
                        if (!report.effective()) {
                            const Error e = notEffectiveError(report, self->m_deps.services->effectiveRules());
                            self->finishPromote(false, tr("%1 was accepted but is not effective: %2 %3").arg(id, e.message, e.remedy) + warnings,
                                                Error::Kind::Conflict);
                            return;
                        }
                        if (!auditFailures.isEmpty()) {
                            self->finish(self->m_reviewed ? State::Reviewed : State::Idle,
                                         tr("%1 promoted to production (%2), but the audit record failed: %3. %4")
                                             .arg(id, report.describe(), auditFailures.join(u"; "_s), self->m_pinReadBack),
                                         true, Error::Kind::Io);
                            Q_EMIT self->promoted(true, self->m_message);
                            return;
                        }
                        self->finishPromote(true, tr("%1 promoted to production: %2. %3").arg(id, report.describe(), self->m_pinReadBack) + warnings);
                    });
            });
        });
    });
}

QString Promotion::pinText(const PinFact &pin)
{
    if (!pin.pinned)
        return {};
    QString text = tr("Production is pinned to %1 by an Instant Rollback (from %2)")
                       .arg(pin.to.isEmpty() ? tr("an earlier deployment") : pin.to, pin.from.isEmpty() ? tr("an unknown deployment") : pin.from);
    if (!pin.description.isEmpty())
        text += tr(": \"%1\"").arg(pin.description);
    text += tr(". New production deployments do not get the domains until a promotion; promoting this candidate lifts the pin.");
    return text;
}

QString Promotion::pinChange(const PinFact &before, const Result<PinFact> &after)
{
    if (!after)
        return tr("The project could not be read back to check the pin and the domain assignment (%1): check "
                  "autoAssignCustomDomains in the Vercel project's settings.")
            .arg(after.error().toString());
    const auto onOff = [](std::optional<bool> v) { return !v ? tr("not reported") : *v ? tr("on") : tr("off"); };
    QStringList out;
    if (before.pinned && !after->pinned)
        out << tr("The rollback pin is lifted.");
    else if (after->pinned)
        out << tr("Production is still pinned by an Instant Rollback (to %1).").arg(after->to);
    if (!after->autoAssignCustomDomains)
        out << tr("Vercel's answer does not say whether custom domains are assigned automatically (autoAssignCustomDomains).");
    else if (before.autoAssignCustomDomains != after->autoAssignCustomDomains)
        out << tr("autoAssignCustomDomains changed: %1 → %2%3.")
                   .arg(onOff(before.autoAssignCustomDomains), onOff(after->autoAssignCustomDomains),
                        *after->autoAssignCustomDomains ? tr(" (custom domains follow new production deployments again)")
                                                        : tr(" (new production deployments no longer get the custom domains)"));
    else
        out << tr("autoAssignCustomDomains unchanged (%1)%2.")
                   .arg(onOff(after->autoAssignCustomDomains),
                        *after->autoAssignCustomDomains ? QString() : tr(": new production deployments do not get the custom domains"));
    return out.join(u' ');
}

} // namespace Raize::Release
