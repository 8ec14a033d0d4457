#include "release/githubreview.h"

#include "core/jsonutil.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

namespace {
const QString kDigestTag = u"raize-digest:"_s;
const QString kBindingTag = u"raize-binding:"_s;

bool sameLogin(const QString &a, const QString &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}
} // namespace

QList<Approval> ReadBackApprovals::plain() const
{
    QList<Approval> out;
    for (const GitHubApproval &a : approvals)
        out << a.approval;
    return out;
}

QStringList approvalEnvironments(const GatePolicy &policy)
{
    QStringList out{policy.promotionEnvironment};
    if (!policy.secondApprovalEnvironment.isEmpty() && !out.contains(policy.secondApprovalEnvironment))
        out << policy.secondApprovalEnvironment;
    return out;
}

QString approvalComment(const ReviewBinding &binding, const QString &login, const QString &reason)
{
    QStringList lines;
    lines << u"Approved in Raize console by %1%2"_s.arg(login, reason.trimmed().isEmpty() ? QString() : u": "_s + reason.trimmed());
    lines << kDigestTag + u' ' + binding.digest();
    lines << kBindingTag + u' ' + QString::fromStdString(binding.toJson().dump());
    return lines.join(u'\n');
}

std::optional<ReviewBinding> bindingFromComment(const QString &comment, QString *why)
{
    const auto fail = [why](const QString &text) -> std::optional<ReviewBinding> {
        if (why)
            *why = text;
        return std::nullopt;
    };
    QString digest, bindingText;
    for (const QString &raw : comment.split(u'\n')) {
        const QString line = raw.trimmed();
        if (line.startsWith(kDigestTag))
            digest = line.mid(kDigestTag.size()).trimmed();
        else if (line.startsWith(kBindingTag))
            bindingText = line.mid(kBindingTag.size()).trimmed();
    }
    if (digest.isEmpty() || bindingText.isEmpty())
        return fail(u"its comment names no review digest (approved outside the console)"_s);
    QString parseError;
    const json j = Json::parse(bindingText.toUtf8(), &parseError);
    const std::optional<ReviewBinding> b = j.is_discarded() ? std::nullopt : ReviewBinding::fromJson(j);
    if (!b)
        return fail(u"its comment's review binding cannot be read"_s);
    if (b->digest() != digest)
        return fail(u"its comment's digest %1 is not the digest of the binding it names"_s.arg(digest.left(12)));
    return b;
}

ReadBackApprovals approvalsFrom(const GatePolicy &policy, const GitHubReviewState &state)
{
    ReadBackApprovals out;
    const QStringList environments = approvalEnvironments(policy);
    for (const RecordedReview &r : state.reviews) {
        QStringList named;
        for (const QString &e : r.environments) {
            if (environments.contains(e))
                named << e;
        }
        if (named.isEmpty())
            continue; // another environment's review (staging, say)
        if (r.state != u"approved"_s) {
            out.ignored << u"%1 %2 %3 (run %4)"_s.arg(r.login, r.state, named.join(u", "_s)).arg(r.runId);
            continue;
        }
        QString why;
        const std::optional<ReviewBinding> b = bindingFromComment(r.comment, &why);
        if (!b) {
            out.ignored << u"%1's approval of %2 (run %3) does not count: %4"_s.arg(r.login, named.join(u", "_s)).arg(r.runId).arg(why);
            continue;
        }
        out.approvals << GitHubApproval{Approval{r.login, 0, *b}, named.join(u", "_s)};
    }
    return out;
}

Result<EnvironmentGate> approvalTarget(const GatePolicy &policy, const GitHubReviewState &state, const ReviewBinding &current,
                                       const QString &login)
{
    const auto refuse = [](const QString &why) { return Result<EnvironmentGate>(Error::make(Error::Kind::Refused, u"policy"_s, why)); };
    if (!state.read)
        return Error::make(Error::Kind::Network, u"github"_s,
                           u"the environment reviews of the candidate cannot be read from GitHub: %1"_s.arg(state.error),
                           u"approve again when GitHub answers"_s);
    const QStringList environments = approvalEnvironments(policy);
    for (const GitHubApproval &a : approvalsFrom(policy, state).approvals) {
        if (sameLogin(a.approval.reviewer, login) && lapseReasons(a.approval.binding, current).isEmpty())
            return refuse(u"%1 already approved this review on GitHub (%2); %3"_s.arg(
                login, a.environment,
                policy.approvalsL3 > 1 ? u"a second approval must come from a different person, with their own token"_s
                                       : u"one approval per person counts"_s));
    }
    QStringList waiting, notReviewer;
    for (const QString &env : environments) {
        for (const EnvironmentGate &g : state.pending) {
            if (g.environment != env)
                continue;
            waiting << env;
            const bool listed = std::any_of(g.reviewers.cbegin(), g.reviewers.cend(), [&](const QString &r) { return sameLogin(r, login); });
            if (listed || g.currentUserCanApprove)
                return g;
            notReviewer << u"%1 (required reviewers: %2)"_s.arg(env, g.reviewers.isEmpty() ? u"none listed"_s : g.reviewers.join(u", "_s));
        }
    }
    if (!notReviewer.isEmpty())
        return refuse(u"%1 is not a required reviewer of %2: an eligible reviewer is one of the environment's required reviewers "
                      u"(Settings → Environments → Required reviewers on GitHub) who holds write, maintain or admin."_s
                          .arg(login, notReviewer.join(u"; "_s)));
    return refuse(u"No GitHub environment review of %1 is waiting for the candidate's commit%2: start its deploy workflow (a run "
                  u"waiting on the environment), then approve."_s
                      .arg(environments.join(u" or "_s),
                           policy.secondApprovalEnvironment.isEmpty() ? QString()
                                                                      : u" (an L3 release's second approval goes to %1)"_s.arg(
                                                                            policy.secondApprovalEnvironment)));
}

Status checkRole(const QString &login, const QString &role, const QString &repository)
{
    if (role == u"admin"_s || role == u"maintain"_s || role == u"write"_s)
        return okStatus();
    const QString held = role.isEmpty() || role == u"none"_s ? u"is no collaborator of %1"_s.arg(repository)
                                                             : u"holds only %1 on %2"_s.arg(role, repository);
    return Error::make(Error::Kind::Refused, u"github"_s,
                       u"%1 %2: approving a promotion needs write, maintain or admin (playbook §2.2)"_s.arg(login, held),
                       u"ask a repository admin for write access, or let an eligible reviewer approve with their own token"_s);
}

} // namespace Raize::Release
