#pragma once

// In-process test double for the promotion session (issue #14, item 2): a
// PromotionServices that answers from ReleaseFacts built in code on the next
// turn of the event loop and records every call, and an L2 release that
// passes every gate. Header only: core and UI tests include it without a
// library (test_promotion_session, test_promotion_view).

#include "release/promotionservices.h"

#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <optional>

namespace RaizeTest::PromotionFakes {

using namespace Raize;
using namespace Raize::Release;
using namespace Qt::StringLiterals;

inline const GatePolicy &policy()
{
    return GatePolicy::builtin();
}

inline QList<CheckFact> passing(const QStringList &names)
{
    QList<CheckFact> out;
    for (const QString &n : names)
        out << CheckFact{n, u"completed"_s, u"success"_s, u"https://github.test/checks/"_s + n, 0};
    return out;
}

inline CheckFact *findCheck(Known<QList<CheckFact>> &list, const QString &name)
{
    for (CheckFact &c : *list.value) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

inline const QString kSha = u"5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"_s;

// An L2 release (one pull request by dev-ana) that passes every gate.
inline ReleaseFacts goodFacts()
{
    ReleaseFacts f;
    f.deployment = Known<CandidateDeployment>::of({u"dpl_stage"_s, kSha, u"READY"_s, u"stage.vercel.test"_s, u"staging"_s, 1000, u"main"_s},
                                                  u"https://vercel.test/dpl_stage"_s);
    f.productionDeploymentId = u"dpl_prod"_s;
    f.productionSha = u"a1b2c3d"_s;
    f.pulls = Known<QList<PullFact>>::of(
        {PullFact{501, u"Storage retries"_s, u"dev-ana"_s, u"https://github.test/pull/501"_s, {u"risk:L2"_s}, std::nullopt}});
    f.changedFiles = Known<QStringList>::of({u"src/storage/retry.ts"_s}, u"https://github.test/compare"_s);
    f.checks =
        Known<QList<CheckFact>>::of(passing(policy().requiredChecks + policy().l3Checks), u"https://github.test/commit/checks"_s);
    f.protection = Known<ProtectionFact>::of({false, policy().requiredChecks + policy().l3Checks, true, 2, false});
    f.deploymentChecks = Known<QList<CheckFact>>::of(passing(policy().deploymentChecks));
    f.productionFlags = Known<QMap<QString, bool>>::of({{u"publishing.enabled"_s, true}});
    ChangelogFact e;
    e.title = u"Storage retries back off"_s;
    e.fields = {{u"Risk"_s, u"L2"_s},
                {u"Flags"_s, u"none"_s},
                {u"Migration"_s, u"none"_s},
                {u"Rollback"_s, u"redeploy the previous release"_s}};
    e.line = 10;
    f.changelog = Known<QList<ChangelogFact>>::of({e});
    f.deploymentProtection = Known<DeploymentProtectionFact>::of({u"prod_deployment_urls_and_all_previews"_s, {}, {}});
    f.retention = Known<RetentionFact>::of({true, 365, 10});
    f.sloBudgets = Known<QMap<QString, double>>::of({{u"publish_success"_s, 0.8}, {u"queue_delay"_s, 0.9}});
    return f;
}

inline void makeL3(ReleaseFacts &f)
{
    f.pulls.value->first().labels = {u"risk:L3"_s};
    f.changelog.value->first().fields[u"Risk"_s] = u"L3"_s;
}

inline void failDeploymentCheck(ReleaseFacts &f)
{
    CheckFact *c = findCheck(f.deploymentChecks, policy().deploymentChecks.first());
    c->conclusion = u"failed"_s;
}

// GitHub's side of the environment reviews, shared by several FakeServices (several consoles, one
// repository): what waits, and every review made, by login.
struct FakeGitHub
{
    QList<EnvironmentGate> pending = {EnvironmentGate{9102, 1202, u"production"_s, {u"oncall-lead"_s, u"sre-sam"_s, u"sre-kim"_s, u"dev-ana"_s, u"viewer-vic"_s}, true},
                                      EnvironmentGate{9102, 1203, u"production-second-approval"_s,
                                                      {u"oncall-lead"_s, u"sre-sam"_s, u"sre-kim"_s, u"dev-ana"_s, u"viewer-vic"_s}, true}};
    QList<RecordedReview> reviews;
    // Lower-case logins (GitHub's logins are case-insensitive) → role on the repository.
    QMap<QString, QString> roles = {{u"oncall-lead"_s, u"write"_s}, {u"sre-sam"_s, u"maintain"_s}, {u"sre-kim"_s, u"admin"_s},
                                    {u"dev-ana"_s, u"write"_s}, {u"viewer-vic"_s, u"read"_s}};
    std::optional<QString> reviewStateError; // the approvals cannot be read
};

// PromotionServices that answers from `facts` on the next turn of the event loop and records every call.
class FakeServices final : public PromotionServices
{
public:
    explicit FakeServices(std::shared_ptr<FakeGitHub> github = std::make_shared<FakeGitHub>(), QString login = u"oncall-lead"_s)
        : gitHub(std::move(github))
        , login(std::move(login))
    { }
    std::shared_ptr<FakeGitHub> gitHub;
    Result<QString> login; // who the token belongs to
    CollectedFacts collected{goodFacts(), {}};
    Result<QString> newest = QString(u"dpl_stage"_s);
    Status approveAnswer = okStatus();
    Status promoteAnswer = okStatus();
    // The services' request ids of an accepted approval and promote (GitHub's X-GitHub-Request-Id, Vercel's x-vercel-id).
    QString approveRequestId = u"5A5B:0000:00A1B2:00C3D4:6571E1A3"_s;
    QString promoteRequestId = u"fra1::iad1::fake-1700000000000-abc123"_s;
    // The project read back after a promote: not pinned, custom domains assigned automatically.
    Result<PinFact> pinAfter = PinFact{false, {}, {}, {}, true};
    QStringList calls;

    void newestStaging(std::function<void(const Result<QString> &)> done) override
    {
        calls << u"newestStaging"_s;
        QTimer::singleShot(0, [done, a = newest] { done(a); });
    }
    void collect(const QString &deploymentId, std::function<void(const CollectedFacts &)> done) override
    {
        calls << u"collect "_s + deploymentId;
        CollectedFacts c = collected;
        if (c.facts.deployment.known() && c.facts.deployment->id != deploymentId)
            c.facts.deployment =
                Known<CandidateDeployment>::missing(u"vercel: HTTP 404 — deployment %1 not found"_s.arg(deploymentId));
        QTimer::singleShot(0, [done, c] { done(c); });
    }
    void approveEnvironment(const PendingReview &pending, const QString &comment, std::function<void(const Result<Receipt> &)> done) override
    {
        calls << u"approveEnvironment %1 %2"_s.arg(pending.runId).arg(pending.environment);
        if (approveAnswer.ok()) {
            // GitHub releases the gate and records the review under the token's user.
            gitHub->reviews << RecordedReview{pending.runId, login.value(), u"approved"_s, comment, {pending.environment}};
            gitHub->pending.removeIf([&](const EnvironmentGate &g) { return pending.environmentIds.contains(g.environmentId); });
        }
        QTimer::singleShot(0, [done, a = approveAnswer, id = approveRequestId] {
            done(a ? Result<Receipt>(Receipt{id}) : Result<Receipt>(a.error()));
        });
    }
    void identity(std::function<void(const Result<QString> &)> done) override
    {
        calls << u"identity"_s;
        QTimer::singleShot(0, [done, a = login] { done(a); });
    }
    void permission(const QString &who, std::function<void(const Result<QString> &)> done) override
    {
        calls << u"permission "_s + who;
        QTimer::singleShot(0, [done, r = gitHub->roles.value(who.toLower(), u"none"_s)] { done(r); });
    }
    void reviewState(const QString &sha, std::function<void(const GitHubReviewState &)> done) override
    {
        calls << u"reviewState "_s + sha.left(7);
        GitHubReviewState s;
        s.read = !gitHub->reviewStateError;
        s.error = gitHub->reviewStateError.value_or(QString());
        if (s.read) {
            s.pending = gitHub->pending;
            s.reviews = gitHub->reviews;
        }
        QTimer::singleShot(0, [done, s] { done(s); });
    }
    QString repository() const override { return u"raize/platform"_s; }
    void promoteDeployment(const QString &deploymentId, std::function<void(const Result<Receipt> &)> done) override
    {
        calls << u"promote "_s + deploymentId;
        QTimer::singleShot(0, [done, a = promoteAnswer, id = promoteRequestId] {
            done(a ? Result<Receipt>(Receipt{id}) : Result<Receipt>(a.error()));
        });
    }
    void readPin(std::function<void(const Result<PinFact> &)> done) override
    {
        calls << u"readPin"_s;
        QTimer::singleShot(0, [done, a = pinAfter] { done(a); });
    }
    // The effectiveness rounds after a promote (ADR 0027): each pending one is reported as progress, the last
    // decides. Default: effective in the first round, `effectiveAfterMs` after the acceptance.
    QList<EffectiveVerdict> effectiveRounds = {effectiveVerdict()};
    qint64 effectiveAfterMs = 1500;
    static EffectiveVerdict effectiveVerdict()
    {
        EffectiveVerdict v;
        v.state = EffectiveVerdict::State::Effective;
        v.summary = u"effective: 5 of 5 samples on dpl_stage"_s;
        v.evidence = {u"production target: dpl_stage"_s, u"app.raize.example → dpl_stage"_s};
        v.onExpected = v.sampled = 5;
        v.probed = true;
        return v;
    }
    void confirmEffective(const QString &deploymentId, qint64 acceptedAtMs, std::optional<bool>, std::function<void(const EffectiveVerdict &)> progress,
                          std::function<void(const EffectiveReport &)> done) override
    {
        calls << u"confirmEffective "_s + deploymentId;
        EffectiveReport r;
        r.kind = ChangeKind::Promote;
        r.expected = deploymentId;
        r.acceptedAtMs = acceptedAtMs;
        for (int i = 0; i < effectiveRounds.size(); ++i) {
            r.last = effectiveRounds[i];
            r.rounds = i + 1;
            if (i + 1 < effectiveRounds.size())
                QTimer::singleShot(0, [progress, v = effectiveRounds[i]] { progress(v); });
        }
        if (r.last.state == EffectiveVerdict::State::Effective)
            r.effectiveAtMs = acceptedAtMs + effectiveAfterMs;
        QTimer::singleShot(0, [done, r] { done(r); });
    }
    EffectiveRules effectiveRules() const override { return {}; }
    // The manual staging promote: Vercel's answer to the alias assignment and the domain read back afterwards.
    Result<DomainAssignment> assignAnswer = DomainAssignment{u"dpl_stage_auto"_s, false, Receipt{u"fra1::iad1::fake-assign-1700000000000"_s}};
    Result<bool> pointsAnswer = true;
    void assignDomain(const QString &deploymentId, const QString &domain, std::function<void(const Result<DomainAssignment> &)> done) override
    {
        calls << u"assignDomain %1 %2"_s.arg(deploymentId, domain);
        QTimer::singleShot(0, [done, a = assignAnswer] { done(a); });
    }
    void domainPointsAt(const QString &deploymentId, const QString &domain, std::function<void(const Result<bool> &)> done) override
    {
        calls << u"domainPointsAt %1 %2"_s.arg(deploymentId, domain);
        QTimer::singleShot(0, [done, a = pointsAnswer] { done(a); });
    }
    int count(const QString &prefix) const
    {
        return int(std::count_if(calls.cbegin(), calls.cend(), [&](const QString &c) { return c.startsWith(prefix); }));
    }
};

} // namespace RaizeTest::PromotionFakes
