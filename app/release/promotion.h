#pragma once

#include "core/result.h"
#include "records/auditrecord.h"
#include "release/approval.h"
#include "release/effectiveness.h"
#include "release/factscollector.h"
#include "release/githubreview.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Raize {
class Clock;
class WriteGuard;
}
namespace Raize::Records {
class AuditSink;
}

namespace Raize::Release {

class PromotionServices;

// A gate a reviewer may override now: failing (or unknown only because
// commits map to no merged pull request), allowed by the policy, not yet
// overridden.
struct OverridableGate
{
    QString id, title;
    bool operator==(const OverridableGate &) const = default;
};

// The staging → production promotion as a core session (issue #14, item 2;
// playbook §2.2, §3, §5, §6.1, §8.6): the candidate (newest staging
// deployment or a given id), its facts, the gates, approvals bound to the
// review digest (they lapse when it changes, with the reason), overrides the
// policy allows (typed reason, minimum length, audited), stuck states, and
// the promotion itself (GitHub environment approval and/or Vercel promote,
// as the policy says). Every action is written to the audit sink. The
// Promotion view only displays it; `raize-console promote` drives it
// headless. Time comes from the Clock it is given.
class Promotion : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Reviewing, Reviewed, Approving, Promoting };
    Q_ENUM(State)

    struct Dependencies
    {
        PromotionServices *services = nullptr; // null: nothing can be reviewed ("Vercel is not connected")
        Records::AuditSink *audit = nullptr; // null: approvals, overrides and promotions are refused (nothing unaudited)
        // The audit log read back: approvals and overrides given since the last promotion survive a restart. Null: only this session's.
        std::function<QList<Records::AuditRecord>()> records;
        const Clock *clock = nullptr; // null: the system clock
        // Asked before an approval, an override or a promotion (the profile's arming, ADR 0028). Null: not gated.
        WriteGuard *guard = nullptr;
    };

    explicit Promotion(GatePolicy policy, QObject *parent = nullptr);
    Promotion(GatePolicy policy, Dependencies deps, QObject *parent = nullptr);
    ~Promotion() override;

    // Replaces the services (a profile's connections changed); a review in flight is dropped.
    void setDependencies(Dependencies deps);
    const Dependencies &dependencies() const { return m_deps; }
    const GatePolicy &policy() const { return m_policy; }

    State state() const { return m_state; }
    bool busy() const { return m_state == State::Reviewing || m_state == State::Approving || m_state == State::Promoting; }
    bool hasReview() const { return m_reviewed; }
    int reviews() const { return m_reviews; } // completed reviews
    // The last outcome in words (what was done, or what failed and what to do); error() says which.
    QString message() const { return m_message; }
    bool messageIsError() const { return m_messageIsError; }
    // Why the last review or action failed: None when it did not, Refused when a rule (policy, digest, state)
    // said no, else the kind of the service's or the audit log's error (the CLI's exit 1 versus 2).
    Error::Kind failureKind() const { return m_failureKind; }

    const CollectedFacts &facts() const { return m_facts; }
    const GateVerdict &verdict() const { return m_verdict; }
    const PromotionDecision &decision() const { return m_decision; }
    const QList<Approval> &approvals() const { return m_approvals; }
    const QList<OverrideRequest> &overrides() const { return m_overrides; }
    ReviewBinding binding() const;
    // The review digest ("plan digest" in `promote`): SHA-256 of what was reviewed; approvals bind to it.
    QString digest() const;
    // Stuck states now, by the session's clock.
    QStringList stuck() const;
    QList<OverridableGate> overridableGates() const;

    // Collects the facts, evaluates the gates and reads approvals and overrides back. Empty id: the newest
    // staging deployment. Ends with reviewed(ok): false when the candidate could not be read.
    void review(const QString &deploymentId = {});
    // Approves the current review as the user the profile's GitHub token belongs to (GET /user; never a typed
    // name): an author of a pull request in it may not; the user must hold write, maintain or admin. Under a
    // policy that approves through GitHub, the approval is the pending environment review of the user's token
    // (the promotion environment, or the second one of an L3 release), bound to the digest in its comment, and
    // is read back from GitHub; the local log records it. `reviewer`, when given, must be that login.
    // `reviewedDigest` (may be a prefix): the review the reviewer saw; refused when the current one differs.
    // Ends with approved(ok).
    void approve(const QString &reviewer = {}, const QString &reason = {}, const QString &reviewedDigest = {});
    // Applies an override the policy allows, recorded in the audit log before it counts.
    Status applyOverride(const QString &gateId, const QString &reason, const QString &actor);
    // Reads everything again and promotes when the decision still allows it and (when given) the review
    // digest is still `reviewedDigest`. Ends with promoted(ok).
    void promote(const QString &actor, const QString &reviewedDigest = {});

    // Who acts: the login the profile's GitHub token belongs to, read at the last review; "unknown" when
    // GitHub could not say (identityError() says why). Never a typed name, never $USER.
    QString actorName() const;
    QString identity() const { return m_identity; }
    QString identityError() const { return m_identityError; }
    // The candidate's environment reviews as GitHub answered at the last review (the approvals' source).
    const GitHubReviewState &gitHubReviews() const { return m_review; }
    // Reviews read back that do not count, each with why (rejected, no digest in the comment, ...).
    QStringList ignoredApprovals() const { return m_ignoredApprovals; }
    // The GitHub environment each of approvals() was given in (same order; empty when recorded in the console).
    QString approvalEnvironment(qsizetype i) const { return m_approvalEnvironments.value(i); }
    // A correlation id of the console's own, marked as such ("console:<uuid>"), for records no service id names.
    static QString correlationId();
    // Production pinned by an Instant Rollback, in words ("" when not pinned): the promotion is the way out.
    static QString pinText(const PinFact &pin);
    // What a promote did to the pin and to autoAssignCustomDomains, read back from the project after it.
    static QString pinChange(const PinFact &before, const Result<PinFact> &after);
    // The last read-back after a promote (empty before the first).
    QString pinReadBack() const { return m_pinReadBack; }
    // The last promote's acceptance and effectiveness (ADR 0027): accepted at, effective at (or the evidence of
    // why not), or of the round in progress while it is not yet effective. Nullopt before the first promote via Vercel.
    const std::optional<EffectiveReport> &effective() const { return m_effective; }

Q_SIGNALS:
    void changed(); // any part of the state above
    void reviewed(bool ok, const QString &message);
    void approved(bool ok, const QString &message);
    void promoted(bool ok, const QString &message);

private:
    void collect(const QString &deploymentId, std::function<void()> then);
    void evaluateFacts(const CollectedFacts &facts);
    void readRecords();
    Status audit(const QString &actor, const QString &action, const QString &target, const QString &service,
                 const nlohmann::json &before, const nlohmann::json &after, const QString &reason, const QString &requestId = {});
    void approveAs(const QString &login, const QString &note);
    void redecide();
    std::optional<QString> typedActorMismatch(const QString &typed) const;
    void finish(State state, const QString &message, bool error, Error::Kind kind = Error::Kind::Refused);
    void finishApprove(bool ok, const QString &message, Error::Kind kind = Error::Kind::Refused);
    void finishPromote(bool ok, const QString &message, Error::Kind kind = Error::Kind::Refused);
    void refuseWith(const QString &message, Error::Kind kind = Error::Kind::Refused);
    qint64 nowMs() const;
    // The guard's refusal of `action` (message and how to arm); nullopt when it may run.
    std::optional<QString> guardRefusal(const QString &action) const;
    bool digestMatches(const QString &reviewed) const;

    GatePolicy m_policy;
    Dependencies m_deps;
    State m_state = State::Idle;
    quint64 m_generation = 0; // answers of an older generation (before setDependencies) are dropped
    bool m_reviewed = false;
    int m_reviews = 0;
    QString m_message;
    bool m_messageIsError = false;
    Error::Kind m_failureKind = Error::Kind::None;
    CollectedFacts m_facts;
    GateVerdict m_verdict;
    PromotionDecision m_decision;
    QList<Approval> m_approvals;
    QList<OverrideRequest> m_overrides;
    GitHubReviewState m_review;
    QStringList m_ignoredApprovals;
    QStringList m_approvalEnvironments;
    QString m_identity, m_identityError;
    QString m_pinReadBack;
    std::optional<EffectiveReport> m_effective;
};

} // namespace Raize::Release
