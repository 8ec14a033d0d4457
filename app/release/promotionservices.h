#pragma once

#include "core/receipt.h"
#include "core/result.h"
#include "release/effectiveness.h"
#include "release/factscollector.h"
#include "release/githubreview.h"

#include <QString>

#include <functional>

namespace Raize::Release {

// What assigning a domain to a deployment did (the manual staging promote): the deployment it pointed at before
// (empty: none, or this one already), and Vercel's request id.
struct DomainAssignment
{
    QString previousDeployment;
    bool alreadyAssigned = false;
    Receipt receipt;
};

// What the promotion session needs from the services, as one narrow
// interface (issue #14, item 2): the candidate, its facts, GitHub's
// environment approval and Vercel's promote. ClientPromotionServices
// answers it with the profile's clients; tests answer it with fakes, so the
// session's rules are tested without a sandbox.
class PromotionServices
{
public:
    virtual ~PromotionServices() = default;

    // The newest deployment of the staging target (the default candidate); an error when there is none.
    virtual void newestStaging(std::function<void(const Result<QString> &)> done) = 0;
    // Every fact of one candidate. A fetch that fails is an unknown fact, never a guess.
    virtual void collect(const QString &deploymentId, std::function<void(const CollectedFacts &)> done) = 0;
    // Who the profile's GitHub token belongs to (GET /user): the reviewer, never a typed name.
    virtual void identity(std::function<void(const Result<QString> &)> done) = 0;
    // A login's role on the repository: admin, maintain, write, triage, read, or none (no collaborator).
    virtual void permission(const QString &login, std::function<void(const Result<QString> &)> done) = 0;
    // The environment reviews of the candidate commit's workflow runs, read from GitHub: what waits and
    // who reviewed (by login). Never fails: an unreadable answer is read = false with the reason.
    virtual void reviewState(const QString &sha, std::function<void(const GitHubReviewState &)> done) = 0;
    // "owner/repo", for messages.
    virtual QString repository() const = 0;
    // Approves the pending GitHub environment review with the profile's token. The receipt: GitHub's X-GitHub-Request-Id.
    virtual void approveEnvironment(const PendingReview &pending, const QString &comment,
                                    std::function<void(const Result<Receipt> &)> done) = 0;
    // Points production at the candidate (Vercel promote). The receipt: Vercel's x-vercel-id of the accepted call.
    virtual void promoteDeployment(const QString &deploymentId, std::function<void(const Result<Receipt> &)> done) = 0;
    // Reads the project back after a promote (issue #17 item 4): whether production is still pinned by an
    // Instant Rollback and whether custom domains are assigned automatically again.
    virtual void readPin(std::function<void(const Result<PinFact> &)> done)
    {
        done(Error::make(Error::Kind::Config, QStringLiteral("vercel"), QStringLiteral("the project cannot be read back here"),
                         QStringLiteral("check autoAssignCustomDomains in the Vercel project's settings")));
    }
    // After Vercel accepted the promote at `acceptedAtMs` (ADR 0027): confirms from the project, its alias job,
    // the domain's alias and the probe that `deploymentId` serves, calling `progress` for each round that is not
    // yet effective and `done` once it is, once it cannot become so, or at the policy's deadline.
    // `autoAssignBefore`: the project's setting before the promote (a promote turns it back on, vercel/vercel#15095).
    virtual void confirmEffective(const QString &deploymentId, qint64 acceptedAtMs, std::optional<bool> autoAssignBefore,
                                  std::function<void(const EffectiveVerdict &)> progress, std::function<void(const EffectiveReport &)> done) = 0;
    // The policy's `effective` rules the confirmation runs under (for messages).
    virtual EffectiveRules effectiveRules() const = 0;

    // The manual Preview → Staging promote (playbook §2.2): points `domain` (the policy's promotion.staging.domain) at
    // the deployment (Vercel assignAlias). The answer names the deployment the domain pointed at before and carries
    // Vercel's x-vercel-id. Default: not available here.
    virtual void assignDomain(const QString &deploymentId, const QString &domain, std::function<void(const Result<DomainAssignment> &)> done)
    {
        Q_UNUSED(deploymentId)
        Q_UNUSED(domain)
        done(Error::make(Error::Kind::Config, QStringLiteral("vercel"), QStringLiteral("a domain cannot be assigned here"),
                         QStringLiteral("connect Vercel in Settings")));
    }
    // Whether `domain` points at the deployment now (its aliases read back): the staging promote is effective.
    virtual void domainPointsAt(const QString &deploymentId, const QString &domain, std::function<void(const Result<bool> &)> done)
    {
        Q_UNUSED(deploymentId)
        Q_UNUSED(domain)
        done(Error::make(Error::Kind::Config, QStringLiteral("vercel"), QStringLiteral("the domain cannot be read back here"),
                         QStringLiteral("connect Vercel in Settings")));
    }
};

} // namespace Raize::Release
