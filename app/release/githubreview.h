#pragma once

#include "core/result.h"
#include "release/approval.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Release {

// One environment gate of a workflow run that waits for a review (GitHub's
// pending deployments of the candidate commit's run).
struct EnvironmentGate
{
    qint64 runId = 0;
    qint64 environmentId = 0;
    QString environment;
    QStringList reviewers;             // the environment's required reviewers: logins, or team slugs
    bool currentUserCanApprove = false; // GitHub's word for the asking token
};

// A review GitHub recorded for a run (GET runs/{id}/approvals): the approvals every console sees.
struct RecordedReview
{
    qint64 runId = 0;
    QString login;
    QString state; // approved, rejected
    QString comment;
    QStringList environments;
};

// What GitHub says about the candidate commit's environment reviews.
struct GitHubReviewState
{
    bool read = false; // false: error says why (then no approval is known, none is guessed)
    QString error;
    QList<EnvironmentGate> pending;
    QList<RecordedReview> reviews;
};

// The environments whose approvals count for a promotion: the policy's
// promotion environment, and the one that carries the second approval of an
// L3 release (promotion.secondApprovalEnvironment) when the policy names one.
QStringList approvalEnvironments(const GatePolicy &policy);

// The comment an approval carries on GitHub. It names the review digest and
// the binding it hashes, so any console reading it back knows what was
// approved, and an approval lapses when the review changes, as before.
QString approvalComment(const ReviewBinding &binding, const QString &login, const QString &reason = {});
// The binding an approval's comment names; nullopt, with why, when it names
// none or the digest it states is not the digest of its binding.
std::optional<ReviewBinding> bindingFromComment(const QString &comment, QString *why = nullptr);

// An approval read back from GitHub, with the environment(s) it was given in.
struct GitHubApproval
{
    Approval approval;
    QString environment;
};

struct ReadBackApprovals
{
    QList<GitHubApproval> approvals; // approved reviews of the policy's environments, bound by their comment
    QStringList ignored;             // reviews that do not count, each with why
    QList<Approval> plain() const;
};
ReadBackApprovals approvalsFrom(const GatePolicy &policy, const GitHubReviewState &state);

// The gate `login` approves now: the first of the policy's environments that
// waits and that `login` may review (a required reviewer, by login, or by
// GitHub's word when reviewers are teams). Refused with the reason when
// `login` already gave an approval that still holds (L3 needs a second,
// different person), or when nothing waits for them.
Result<EnvironmentGate> approvalTarget(const GatePolicy &policy, const GitHubReviewState &state, const ReviewBinding &current,
                                       const QString &login);

// Whether `role` (GitHub's role of the reviewer on the repository: admin,
// maintain, write, triage, read, none) may approve a promotion: write or more.
Status checkRole(const QString &login, const QString &role, const QString &repository);

} // namespace Raize::Release
