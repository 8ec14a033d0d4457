#pragma once

#include "release/gates.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace Raize::Release {

// What a reviewer looked at (issue #7, part 4): the deployment, its commit,
// the pull requests and the gate results. An approval is bound to it; when
// any part changes before promotion the approval lapses.
struct ReviewBinding
{
    QString deploymentId;
    QString sha;
    QList<int> pulls;                       // sorted
    QList<QPair<QString, QString>> gates;   // (gate id, "pass"/"fail"/"unknown"), in gate order

    static ReviewBinding of(const ReleaseFacts &facts, const GateVerdict &verdict);
    // SHA-256 (hex) of the canonical JSON of the four parts.
    QString digest() const;
    nlohmann::json toJson() const;
    static std::optional<ReviewBinding> fromJson(const nlohmann::json &j);
    bool operator==(const ReviewBinding &) const = default;
};

// Why an approval given for `approved` no longer holds for `current`;
// empty when it still holds.
QStringList lapseReasons(const ReviewBinding &approved, const ReviewBinding &current);

struct Approval
{
    QString reviewer; // GitHub login of the reviewer's own token
    qint64 atMs = 0;
    ReviewBinding binding;
};

struct OverrideRequest
{
    QString gateId;
    QString reason; // typed by the operator
    QString actor;
};

// Whether an override may be applied to a gate of this verdict; the error
// says why not (forbidden by the policy, reason too short, gate passes,
// gate unknown: unknown data is fetched again, never overridden — except a
// gate unknown because commits map to no merged pull request, which a
// reviewer may accept when the policy's overrides.unmappedCommits allows).
Status checkOverride(const GatePolicy &policy, const GateVerdict &verdict, const OverrideRequest &request);

// Whether `reviewer` may approve this release now (before anything is sent):
// a login is needed; an author of a pull request in it may not (unless the
// policy allows); and when the approval goes through a GitHub environment
// review, GitHub's own answer for the reviewer's token
// (`current_user_can_approve`) must be yes — the typed login alone proves
// nothing, the token's user is who GitHub records. `gitHubMayApprove` is
// empty when no GitHub review is pending.
Status checkReviewer(const GatePolicy &policy, const ReleaseFacts &facts, const QString &reviewer, std::optional<bool> gitHubMayApprove,
                     const QStringList &gitHubReviewers = {});

struct PromotionDecision
{
    bool allowed = false;
    QStringList reasons;        // why promotion is blocked (empty when allowed)
    QStringList lapsed;         // "oncall-lead's approval lapsed: the commit changed (a1b2c3d → 9f8e7d6)"
    QStringList approvers;      // approvals that count
    int neededApprovals = 1;
    QList<OverrideRequest> overrides; // the ones that were applied
};

// Gates, overrides and approvals together (playbook §2.2, §3.2): every gate
// passes or is overridden as the policy allows; enough approvals from
// different people, none by an author of a pull request in the release
// (when the policy says so), all bound to what is promoted now.
PromotionDecision decide(const GatePolicy &policy, const ReleaseFacts &facts, const GateVerdict &verdict,
                         const QList<Approval> &approvals, const QList<OverrideRequest> &overrides);

} // namespace Raize::Release
