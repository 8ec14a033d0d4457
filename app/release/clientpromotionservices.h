#pragma once

#include "core/clock.h"
#include "release/promotionservices.h"

#include <memory>
#include <optional>

namespace Raize::Release {

class EffectiveConfirmer;
class ServingProbe;

// PromotionServices over the profile's clients (Vercel, GitHub, the flag
// service) and the FactsCollector. It builds no client: the caller (the
// workspace, for now the view's setSources and `promote`'s one local
// function) owns them and keeps them alive longer than this object.
class ClientPromotionServices final : public PromotionServices
{
public:
    ClientPromotionServices(GatePolicy policy, FactsCollector::Sources sources);
    ~ClientPromotionServices() override;

    void newestStaging(std::function<void(const Result<QString> &)> done) override;
    void collect(const QString &deploymentId, std::function<void(const CollectedFacts &)> done) override;
    void approveEnvironment(const PendingReview &pending, const QString &comment,
                            std::function<void(const Result<Receipt> &)> done) override;
    void promoteDeployment(const QString &deploymentId, std::function<void(const Result<Receipt> &)> done) override;
    void identity(std::function<void(const Result<QString> &)> done) override;
    void permission(const QString &login, std::function<void(const Result<QString> &)> done) override;
    void reviewState(const QString &sha, std::function<void(const GitHubReviewState &)> done) override;
    QString repository() const override;
    void readPin(std::function<void(const Result<PinFact> &)> done) override;
    void confirmEffective(const QString &deploymentId, qint64 acceptedAtMs, std::optional<bool> autoAssignBefore,
                          std::function<void(const EffectiveVerdict &)> progress, std::function<void(const EffectiveReport &)> done) override;
    EffectiveRules effectiveRules() const override { return m_effectiveRules; }
    void assignDomain(const QString &deploymentId, const QString &domain, std::function<void(const Result<DomainAssignment> &)> done) override;
    void domainPointsAt(const QString &deploymentId, const QString &domain, std::function<void(const Result<bool> &)> done) override;
    // The production probe (null: none configured) and the policy's `effective` rules (ADR 0027).
    // `clock` null: the system clock; `pollMs` ≥ 0: the pause between rounds (tests).
    void setEffective(ServingProbe *probe, EffectiveRules rules, const Clock *clock = nullptr, int pollMs = -1);

    // Workflow runs of a commit whose reviews are read (newest first).
    static constexpr int MaxReviewedRuns = 5;

private:
    GatePolicy m_policy;
    FactsCollector::Sources m_sources;
    std::unique_ptr<FactsCollector> m_collector;
    ServingProbe *m_probe = nullptr;
    EffectiveRules m_effectiveRules;
    const Clock *m_clock = nullptr;
    int m_effectivePollMs = -1;
    std::unique_ptr<EffectiveConfirmer> m_confirmer;
    // The token's user, asked once (shared: an answer may come after this object is gone).
    std::shared_ptr<std::optional<QString>> m_login = std::make_shared<std::optional<QString>>();
};

} // namespace Raize::Release
