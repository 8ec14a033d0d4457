#pragma once

#include "core/result.h"
#include "release/factscollector.h"
#include "release/gates.h"

#include <QObject>
#include <QString>
#include <QStringList>

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

// The decision on a manual Preview → Staging promote, from the policy's
// lighter gate set (promotion.staging.gates, evaluateStaging): allowed when
// every gate passes; a failing gate blocks it (a rule: refused); a gate whose
// data could not be read blocks it too, as unknown (never a pass).
struct StagingDecision
{
    enum class Outcome { Allowed, Blocked, Unknown, NotConfigured };
    Outcome outcome = Outcome::Unknown;
    QStringList reasons; // "status-checks: ..." for each gate that is not a pass, or what is not configured
    QString domain;      // the policy's staging domain

    bool allowed() const { return outcome == Outcome::Allowed; }
    static QString outcomeName(Outcome o); // "allowed", "blocked", "unknown", "not-configured"
};

// Pure: the policy's staging domain and gate set over the staging verdict. A candidate that is a production
// deployment is refused (the staging domain never points at what production serves by way of this promote).
StagingDecision decideStaging(const GatePolicy &policy, const GateVerdict &staging, const Known<CandidateDeployment> &candidate);

// The manual Preview → Staging promote (playbook §2.2, issue #17 item 5) as a
// core session: assigns the policy's staging domain to a preview deployment
// (Vercel assignAlias) behind the lighter gate set, as the user the profile's
// GitHub token belongs to, armed like every change (WriteGuard), recorded
// first ("promotion.staging.requested") and then with Vercel's answer
// ("promotion.staging": actor, x-vercel-id, before = the deployment the
// domain pointed at, after = the candidate), and effective only once the
// domain is read back on the candidate. The typed confirmation is the
// caller's (the Promotion view's Confirmation, `promote staging --confirm`),
// from the policy's confirmations table (stagingPromote).
class StagingPromotion : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        PromotionServices *services = nullptr; // null: "Vercel is not connected"
        Records::AuditSink *audit = nullptr;   // null: refused (nothing unaudited)
        WriteGuard *guard = nullptr;           // the profile's arming (ADR 0028); null: not gated
    };

    explicit StagingPromotion(GatePolicy policy, QObject *parent = nullptr);
    StagingPromotion(GatePolicy policy, Dependencies deps, QObject *parent = nullptr);
    ~StagingPromotion() override;

    void setDependencies(Dependencies deps);
    const GatePolicy &policy() const { return m_policy; }
    bool busy() const { return m_busy; }

    // Reads the candidate's facts and evaluates the staging gates. Ends with reviewed(ok): false when the candidate
    // could not be read.
    void review(const QString &deploymentId);
    // Reviews again, then assigns the staging domain when the decision allows it. Ends with promoted(ok).
    void promote(const QString &deploymentId);

    const CollectedFacts &facts() const { return m_facts; }
    const GateVerdict &verdict() const { return m_verdict; }
    const StagingDecision &decision() const { return m_decision; }
    QString identity() const { return m_identity; }
    QString message() const { return m_message; }
    // None when the last action did not fail; Refused for a rule (a gate, the confirmation, arming, identity); else the
    // kind of the service's or the audit log's error (the CLI's exit 1 versus 2).
    Error::Kind failureKind() const { return m_failureKind; }
    // After a promote: the deployment the domain pointed at before, the request id recorded, and whether the domain
    // was read back on the candidate.
    QString previousDeployment() const { return m_previous; }
    QString requestId() const { return m_requestId; }
    bool effective() const { return m_effective; }
    bool alreadyAssigned() const { return m_alreadyAssigned; }

Q_SIGNALS:
    void changed();
    void reviewed(bool ok, const QString &message);
    void promoted(bool ok, const QString &message);

private:
    void collect(const QString &deploymentId, std::function<void()> then);
    void assign(const QString &actor);
    void finishReview(bool ok, const QString &message, Error::Kind kind);
    void finishPromote(bool ok, const QString &message, Error::Kind kind = Error::Kind::Refused);
    Status audit(const QString &actor, const QString &action, const nlohmann::json &before, const nlohmann::json &after,
                 const QString &reason, const QString &requestId);

    GatePolicy m_policy;
    Dependencies m_deps;
    quint64 m_generation = 0;
    bool m_busy = false;
    CollectedFacts m_facts;
    GateVerdict m_verdict;
    StagingDecision m_decision;
    QString m_identity;
    QString m_message;
    Error::Kind m_failureKind = Error::Kind::None;
    QString m_previous, m_requestId;
    bool m_effective = false;
    bool m_alreadyAssigned = false;
};

} // namespace Raize::Release
