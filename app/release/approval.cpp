#include "release/approval.h"

#include <QCryptographicHash>

#include <algorithm>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

ReviewBinding ReviewBinding::of(const ReleaseFacts &facts, const GateVerdict &verdict)
{
    ReviewBinding b;
    if (facts.deployment.known()) {
        b.deploymentId = facts.deployment->id;
        b.sha = facts.deployment->sha;
    }
    if (facts.pulls.known()) {
        for (const PullFact &p : *facts.pulls)
            b.pulls << p.number;
    }
    std::sort(b.pulls.begin(), b.pulls.end());
    for (const GateResult &r : verdict.results)
        b.gates << qMakePair(r.id, GateResult::statusName(r.status));
    return b;
}

json ReviewBinding::toJson() const
{
    json gateArr = json::array();
    for (const auto &g : gates)
        gateArr.push_back({g.first.toStdString(), g.second.toStdString()});
    json pullArr = json::array();
    for (int p : pulls)
        pullArr.push_back(p);
    // Keys sorted (nlohmann's object is a std::map), so the dump is canonical.
    return {{"deployment", deploymentId.toStdString()}, {"sha", sha.toStdString()}, {"pulls", pullArr}, {"gates", gateArr}};
}

std::optional<ReviewBinding> ReviewBinding::fromJson(const json &j)
{
    if (!j.is_object() || !j.contains("deployment") || !j["deployment"].is_string() || !j.contains("sha") || !j["sha"].is_string()
        || !j.contains("pulls") || !j["pulls"].is_array() || !j.contains("gates") || !j["gates"].is_array())
        return std::nullopt;
    ReviewBinding b;
    b.deploymentId = QString::fromStdString(j["deployment"].get<std::string>());
    b.sha = QString::fromStdString(j["sha"].get<std::string>());
    for (const json &p : j["pulls"]) {
        if (!p.is_number_integer())
            return std::nullopt;
        b.pulls << p.get<int>();
    }
    for (const json &g : j["gates"]) {
        if (!g.is_array() || g.size() != 2 || !g[0].is_string() || !g[1].is_string())
            return std::nullopt;
        b.gates << qMakePair(QString::fromStdString(g[0].get<std::string>()), QString::fromStdString(g[1].get<std::string>()));
    }
    return b;
}

QString ReviewBinding::digest() const
{
    const std::string canonical = toJson().dump();
    return QString::fromLatin1(QCryptographicHash::hash(QByteArray::fromStdString(canonical), QCryptographicHash::Sha256).toHex());
}

QStringList lapseReasons(const ReviewBinding &approved, const ReviewBinding &current)
{
    QStringList out;
    if (approved.deploymentId != current.deploymentId)
        out << u"the deployment changed (%1 → %2)"_s.arg(approved.deploymentId, current.deploymentId);
    if (approved.sha != current.sha)
        out << u"the commit changed (%1 → %2)"_s.arg(approved.sha.left(7), current.sha.left(7));
    if (approved.pulls != current.pulls) {
        QStringList added, removed;
        for (int p : current.pulls) {
            if (!approved.pulls.contains(p))
                added << u"#%1"_s.arg(p);
        }
        for (int p : approved.pulls) {
            if (!current.pulls.contains(p))
                removed << u"#%1"_s.arg(p);
        }
        QStringList parts;
        if (!added.isEmpty())
            parts << u"added "_s + added.join(u", "_s);
        if (!removed.isEmpty())
            parts << u"removed "_s + removed.join(u", "_s);
        out << u"the pull requests changed (%1)"_s.arg(parts.join(u"; "_s));
    }
    if (approved.gates != current.gates) {
        QStringList changes;
        for (const auto &g : current.gates) {
            const auto it = std::find_if(approved.gates.cbegin(), approved.gates.cend(), [&](const auto &a) { return a.first == g.first; });
            if (it == approved.gates.cend())
                changes << u"%1 new (%2)"_s.arg(g.first, g.second);
            else if (it->second != g.second)
                changes << u"%1 %2 → %3"_s.arg(g.first, it->second, g.second);
        }
        for (const auto &a : approved.gates) {
            if (std::none_of(current.gates.cbegin(), current.gates.cend(), [&](const auto &g) { return g.first == a.first; }))
                changes << u"%1 gone"_s.arg(a.first);
        }
        out << u"the gate results changed (%1)"_s.arg(changes.join(u", "_s));
    }
    return out;
}

Status checkReviewer(const GatePolicy &policy, const ReleaseFacts &facts, const QString &reviewer, std::optional<bool> gitHubMayApprove,
                     const QStringList &gitHubReviewers)
{
    const auto refuse = [](const QString &why) { return Status(Error::make(Error::Kind::Refused, u"policy"_s, why)); };
    if (reviewer.trimmed().isEmpty())
        return refuse(u"Type your GitHub login: the approval is recorded under it."_s);
    if (!policy.authorsMayApprove && facts.pulls.known()) {
        for (const PullFact &p : *facts.pulls) {
            if (p.author.compare(reviewer.trimmed(), Qt::CaseInsensitive) == 0)
                return refuse(u"%1 authored #%2 and cannot approve this release (policy %3)."_s.arg(reviewer.trimmed()).arg(p.number).arg(policy.bundleId));
        }
    }
    if (gitHubMayApprove && !*gitHubMayApprove)
        return refuse(u"GitHub says the GitHub token in this profile may not approve the %1 environment (required reviewers: %2; or the "
                      u"environment prevents self-review). Approve with your own token: Settings → GitHub token."_s
                          .arg(policy.promotionEnvironment, gitHubReviewers.isEmpty() ? u"none listed"_s : gitHubReviewers.join(u", "_s)));
    return okStatus();
}

Status checkOverride(const GatePolicy &policy, const GateVerdict &verdict, const OverrideRequest &request)
{
    const auto refuse = [&](const QString &why) {
        return Status(Error::make(Error::Kind::Refused, u"policy"_s, u"cannot override %1: %2"_s.arg(request.gateId, why)));
    };
    const GateResult *r = verdict.result(request.gateId);
    if (!r)
        return refuse(u"no such gate"_s);
    if (r->status == GateResult::Status::Pass)
        return refuse(u"it passes"_s);
    if (r->status == GateResult::Status::Unknown && !r->unmappedCommits)
        return refuse(u"its data could not be fetched; refresh instead (unknown is never overridden)"_s);
    if (r->unmappedCommits) {
        // Not missing data: commits without a merged pull request, which a reviewer may accept.
        if (!r->overridable)
            return refuse(u"the policy (%1) forbids accepting commits that map to no merged pull request (overrides.unmappedCommits)"_s.arg(
                policy.bundleId));
    } else if (!policy.overridable(request.gateId)) {
        return refuse(u"the policy (%1) forbids overriding it"_s.arg(policy.bundleId));
    }
    if (request.actor.trimmed().isEmpty())
        return refuse(u"no actor"_s);
    if (request.reason.trimmed().size() < policy.minOverrideReasonChars)
        return refuse(u"the reason must have at least %1 characters"_s.arg(policy.minOverrideReasonChars));
    return okStatus();
}

PromotionDecision decide(const GatePolicy &policy, const ReleaseFacts &facts, const GateVerdict &verdict,
                         const QList<Approval> &approvals, const QList<OverrideRequest> &overrides)
{
    PromotionDecision d;
    for (const GateResult &r : verdict.results) {
        if (r.status == GateResult::Status::Pass)
            continue;
        // A "two-reviewers" gate (the error budget) is overridden only when two different people each recorded one.
        const int needed = policy.overrideKind(r.id) == Override::TwoReviewers && !r.unmappedCommits ? 2 : 1;
        QList<OverrideRequest> valid;
        QStringList actors; // lower case
        for (const OverrideRequest &o : overrides) {
            if (o.gateId != r.id || !checkOverride(policy, verdict, o).ok() || actors.contains(o.actor.trimmed().toLower()))
                continue;
            actors << o.actor.trimmed().toLower();
            valid << o;
        }
        if (valid.size() >= needed) {
            d.overrides << valid.mid(0, needed);
            continue;
        }
        if (!valid.isEmpty())
            d.reasons << u"%1 (%2): %3; overridden by %4 only, and the policy needs two different reviewers to override it"_s.arg(
                r.title, GateResult::statusName(r.status), r.reason, valid.first().actor);
        else
            d.reasons << u"%1 (%2): %3"_s.arg(r.title, GateResult::statusName(r.status), r.reason);
    }

    // An unknown level counts as L3: the strictest rule applies until the data is in.
    const Level level = verdict.scope.level.value_or(Level::L3);
    d.neededApprovals = policy.requiredApprovals(level);
    const ReviewBinding current = ReviewBinding::of(facts, verdict);
    QMap<QString, QList<int>> authored; // login (lower case) → pull requests
    if (facts.pulls.known()) {
        for (const PullFact &p : *facts.pulls)
            authored[p.author.toLower()] << p.number;
    }
    QStringList counted; // lower-case logins
    for (const Approval &a : approvals) {
        const QStringList lapse = lapseReasons(a.binding, current);
        if (!lapse.isEmpty()) {
            d.lapsed << u"%1's approval lapsed: %2"_s.arg(a.reviewer, lapse.join(u"; "_s));
            continue;
        }
        const QString who = a.reviewer.toLower();
        if (!policy.authorsMayApprove && authored.contains(who)) {
            QStringList prs;
            for (int n : authored.value(who))
                prs << u"#%1"_s.arg(n);
            d.reasons << u"%1 authored %2 and cannot approve this release"_s.arg(a.reviewer, prs.join(u", "_s));
            continue;
        }
        if (!policy.authorsMayApprove && !facts.pulls.known()) {
            d.reasons << u"%1's approval cannot be checked against the pull request authors: %2"_s.arg(a.reviewer, facts.pulls.error);
            continue;
        }
        if (policy.distinctApprovers && counted.contains(who))
            continue; // the same person twice counts once
        counted << who;
        d.approvers << a.reviewer;
    }
    if (d.approvers.size() < d.neededApprovals)
        d.reasons << u"%1 of %2 approval(s)%3 (%4)"_s.arg(d.approvers.size())
                         .arg(d.neededApprovals)
                         .arg(policy.distinctApprovers && d.neededApprovals > 1 ? u" from different people"_s : QString())
                         .arg(verdict.scope.level ? u"release is "_s + levelName(level) : u"level unknown, counted as L3"_s);
    d.allowed = d.reasons.isEmpty();
    return d;
}

} // namespace Raize::Release
