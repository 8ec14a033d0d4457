// The promotion as a core session (issue #14, item 2), without a sandbox:
// the facts come from a fake PromotionServices, the audit log is in memory
// and time is a ManualClock. Rows: every gate state → the decision,
// approvals lapsing when the review digest changes (with the reason), the
// author rule and the L3 two-person rule, overrides allowed / forbidden /
// with a too-short reason / unrecorded, promote refused while blocked or
// when the digest moved, a failing Vercel promote (clear error, audited),
// stuck states moved by the clock, and the candidate selection.

#include "core/clock.h"
#include "fakes/fakepromotionservices.h"
#include "fakes/memoryflagservice.h"
#include "release/promotion.h"
#include "release/promotionservices.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

using Mutation = std::function<void(ReleaseFacts &)>;
Q_DECLARE_METATYPE(Mutation)

namespace {

using namespace RaizeTest::PromotionFakes;

struct Rig
{
    explicit Rig(GatePolicy p = policy())
        : session(std::move(p))
    {
        Promotion::Dependencies deps;
        deps.services = &services;
        deps.audit = &audit;
        deps.records = [this] { return audit.records; };
        deps.clock = &clock;
        session.setDependencies(deps);
    }
    FakeServices services;
    RaizeTest::MemoryAudit audit;
    ManualClock clock;
    Promotion session;

    // Each returns the signal's (ok, message).
    std::pair<bool, QString> review(const QString &id = {})
    {
        QSignalSpy spy(&session, &Promotion::reviewed);
        session.review(id);
        return wait(spy);
    }
    // `who` approves with their own token: the fake GitHub names them as the token's user (blank: a token GitHub refuses).
    std::pair<bool, QString> approve(const QString &who, const QString &digest = {})
    {
        services.login = who.trimmed().isEmpty()
                             ? Result<QString>(Error::make(Error::Kind::Auth, u"github"_s, u"HTTP 401: Bad credentials"_s))
                             : Result<QString>(who);
        QSignalSpy spy(&session, &Promotion::approved);
        session.approve({}, {}, digest);
        return wait(spy);
    }
    std::pair<bool, QString> promote(const QString &digest = {})
    {
        QSignalSpy spy(&session, &Promotion::promoted);
        session.promote({}, digest);
        return wait(spy);
    }
    static std::pair<bool, QString> wait(QSignalSpy &spy)
    {
        if (spy.isEmpty() && !spy.wait(5000))
            return {false, u"(no signal)"_s};
        return {spy.first().at(0).toBool(), spy.first().at(1).toString()};
    }
};

} // namespace

class TestPromotionSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every gate in every state it can take, reviewed and approved once: the decision and its reason.
    void gateStateToDecision_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("gate");
        QTest::addColumn<QString>("status");
        QTest::addColumn<bool>("allowed");
        const auto row = [](const char *name, Mutation m, const QString &gate, const QString &status, bool allowed) {
            QTest::newRow(name) << std::move(m) << gate << status << allowed;
        };
        const auto none = [](ReleaseFacts &) {};
        for (const QString &gate : gateIds())
            row(qPrintable(gate + u": pass"_s), none, gate, u"pass"_s, true);
        row(
            "deployment-ready: fail", [](ReleaseFacts &f) { f.deployment.value->state = u"ERROR"_s; }, u"deployment-ready"_s,
            u"fail"_s, false);
        row(
            "status-checks: fail", [](ReleaseFacts &f) { findCheck(f.checks, u"lint"_s)->conclusion = u"failure"_s; },
            u"status-checks"_s, u"fail"_s, false);
        row(
            "status-checks: unknown",
            [](ReleaseFacts &f) { f.checks = Known<QList<CheckFact>>::missing(u"github: rate limited"_s); }, u"status-checks"_s,
            u"unknown"_s, false);
        row(
            "branch-protection: fail", [](ReleaseFacts &f) { f.protection.value->strict = false; }, u"branch-protection"_s,
            u"fail"_s, false);
        row(
            "branch-protection: unknown",
            [](ReleaseFacts &f) { f.protection = Known<ProtectionFact>::missing(u"github: HTTP 403"_s); }, u"branch-protection"_s,
            u"unknown"_s, false);
        row(
            "l3-checks: fail",
            [](ReleaseFacts &f) {
            makeL3(f);
            findCheck(f.checks, policy().l3Checks.first())->conclusion = u"failure"_s;
            },
            u"l3-checks"_s, u"fail"_s, false);
        row(
            "l3-checks: unknown", [](ReleaseFacts &f) { f.pulls = Known<QList<PullFact>>::missing(u"github: timeout"_s); },
            u"l3-checks"_s, u"unknown"_s, false);
        row(
            "reviews: fail", [](ReleaseFacts &f) { f.pulls.value->first().approvals = 0; }, u"reviews"_s, u"fail"_s, false);
        row(
            "reviews: unknown (a direct push)",
            [](ReleaseFacts &f) {
            f.unmappedCommits = {{u"d1e2f3a4b5c6"_s, u"hotfix: typo"_s}};
            },
            u"reviews"_s, u"unknown"_s, false);
        row("deployment-checks: fail", failDeploymentCheck, u"deployment-checks"_s, u"fail"_s, false);
        row(
            "deployment-checks: unknown",
            [](ReleaseFacts &f) { f.deploymentChecks = Known<QList<CheckFact>>::missing(u"vercel: 429"_s); },
            u"deployment-checks"_s, u"unknown"_s, false);
        row(
            "l3-flags-off: fail",
            [](ReleaseFacts &f) {
            f.changelog.value->first().fields[u"Flags"_s] = u"`engagement.auto-reply` (new, OFF in production)"_s;
            f.productionFlags.value->insert(u"engagement.auto-reply"_s, true);
            },
            u"l3-flags-off"_s, u"fail"_s, false);
        row(
            "l3-flags-off: unknown",
            [](ReleaseFacts &f) {
            f.changelog.value->first().fields[u"Flags"_s] = u"`publishing.x` (new, OFF in production)"_s;
            f.productionFlags = Known<QMap<QString, bool>>::missing(u"unleash: connection refused"_s);
            },
            u"l3-flags-off"_s, u"unknown"_s, false);
        row(
            "changelog: fail", [](ReleaseFacts &f) { f.changelog.value->clear(); }, u"changelog"_s, u"fail"_s, false);
        row(
            "changelog: unknown",
            [](ReleaseFacts &f) { f.changelog = Known<QList<ChangelogFact>>::missing(u"no CHANGELOG.md"_s); }, u"changelog"_s,
            u"unknown"_s, false);
        row(
            "runbooks: fail", [](ReleaseFacts &f) { f.changedFiles.value->append(u"alerts/queue-stuck.yml"_s); }, u"runbooks"_s,
            u"fail"_s, false);
        row(
            "runbooks: unknown", [](ReleaseFacts &f) { f.changedFiles = Known<QStringList>::missing(u"github: 404"_s); },
            u"runbooks"_s, u"unknown"_s, false);
        row(
            "migrations: fail", [](ReleaseFacts &f) { f.changedFiles.value->append(u"migrations/0042_drop_column.sql"_s); },
            u"migrations"_s, u"fail"_s, false);
        row(
            "migrations: unknown",
            [](ReleaseFacts &f) {
            f.changedFiles.value->append(u"migrations/0042_drop_column.sql"_s);
            f.pulls = Known<QList<PullFact>>::missing(u"github: 503"_s);
            },
            u"migrations"_s, u"unknown"_s, false);
    }

    void gateStateToDecision()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, gate);
        QFETCH(QString, status);
        QFETCH(bool, allowed);
        Rig rig;
        mutate(rig.services.collected.facts);
        const auto [ok, message] = rig.review();
        QVERIFY2(ok, qPrintable(message));
        const GateResult *result = rig.session.verdict().result(gate);
        QVERIFY(result);
        QCOMPARE(GateResult::statusName(result->status), status); // the row causes the state it names
        QVERIFY(rig.approve(u"oncall-lead"_s, rig.session.digest()).first);
        const PromotionDecision &d = rig.session.decision();
        QCOMPARE(d.allowed, allowed);
        if (!allowed) {
            const QString expected = u"%1 (%2): %3"_s.arg(result->title, status, result->reason);
            QVERIFY2(d.reasons.contains(expected), qPrintable(d.reasons.join(u'\n')));
        } else {
            QCOMPARE(d.approvers, QStringList{u"oncall-lead"_s});
        }
        // The headless path and the view read the same decision: exactly what decide() says for these facts.
        const PromotionDecision direct =
            decide(policy(), rig.session.facts().facts, rig.session.verdict(), rig.session.approvals(), {});
        QCOMPARE(direct.allowed, d.allowed);
        QCOMPARE(direct.reasons, d.reasons);
    }

    // An approval holds for the review digest it was given for; when any part changes it lapses, and says why.
    void approvalsLapseOnAChangedDigest_data()
    {
        QTest::addColumn<Mutation>("change");
        QTest::addColumn<QString>("lapse"); // empty: the approval still holds
        QTest::newRow("nothing changed") << Mutation([](ReleaseFacts &) {}) << QString();
        QTest::newRow("a new commit and deployment") << Mutation([](ReleaseFacts &f) {
            f.deployment.value->id = u"dpl_stage2"_s;
            f.deployment.value->sha = u"9f8e7d6c5b4a"_s;
        }) << u"oncall-lead's approval lapsed: the deployment changed (dpl_stage → dpl_stage2); the commit changed (5e6f708 → 9f8e7d6)"_s;
        QTest::newRow("a pull request added") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->append(
                PullFact{502, u"Typo"_s, u"dev-bo"_s, u"https://github.test/pull/502"_s, {u"risk:L1"_s}, std::nullopt});
        }) << u"oncall-lead's approval lapsed: the pull requests changed (added #502)"_s;
        QTest::newRow("a gate result changed")
            << Mutation(failDeploymentCheck)
            << u"oncall-lead's approval lapsed: the gate results changed (deployment-checks pass → fail)"_s;
        QTest::newRow("a gate's data went missing")
            << Mutation([](ReleaseFacts &f) { f.changelog = Known<QList<ChangelogFact>>::missing(u"no CHANGELOG.md"_s); })
            << u"the gate results changed (l3-flags-off pass → unknown, changelog pass → unknown)"_s;
    }

    void approvalsLapseOnAChangedDigest()
    {
        QFETCH(Mutation, change);
        QFETCH(QString, lapse);
        Rig rig;
        QVERIFY(rig.review().first);
        const QString before = rig.session.digest();
        QVERIFY(rig.approve(u"oncall-lead"_s, before).first);
        QVERIFY(rig.session.decision().allowed);
        change(rig.services.collected.facts);
        const QString id = rig.services.collected.facts.deployment->id;
        QVERIFY(rig.review(id).first); // the approval is read back from the audit log
        QCOMPARE(rig.session.digest() == before, lapse.isEmpty());
        if (lapse.isEmpty()) {
            QVERIFY(rig.session.decision().lapsed.isEmpty());
            QVERIFY(rig.session.decision().allowed);
            return;
        }
        QCOMPARE(rig.session.decision().lapsed.size(), 1);
        QVERIFY2(rig.session.decision().lapsed.first().contains(lapse), qPrintable(rig.session.decision().lapsed.first()));
        QVERIFY(!rig.session.decision().allowed);
        QVERIFY(rig.session.decision().approvers.isEmpty());
        // Approving the old digest is refused: the reviewer saw something else.
        const auto [ok, message] = rig.approve(u"oncall-lead"_s, before.left(12));
        QVERIFY(!ok);
        QVERIFY2(message.contains(u"The review changed since it was reviewed"_s), qPrintable(message));
    }

    // Who may approve, and how many: the author rule and the L3 two-person rule (§3.2).
    void approvers_data()
    {
        QTest::addColumn<bool>("l3");
        QTest::addColumn<QStringList>("reviewers");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("refusal"); // the message of the last refused approval, empty when none is refused
        QTest::addColumn<QString>("reason"); // a reason of the decision when blocked
        QTest::newRow("L2, one reviewer") << false << QStringList{u"oncall-lead"_s} << true << QString() << QString();
        QTest::newRow("L2, the author") << false << QStringList{u"dev-ana"_s} << false
                                        << u"dev-ana authored #501 and cannot approve"_s << u"0 of 1 approval(s)"_s;
        QTest::newRow("L2, the author in capitals")
            << false << QStringList{u"DEV-ANA"_s} << false << u"DEV-ANA authored #501"_s << u"0 of 1 approval(s)"_s;
        QTest::newRow("L2, a token GitHub names no one for")
            << false << QStringList{u"  "_s} << false << u"GitHub could not say who this profile's token belongs to"_s << u"0 of 1"_s;
        QTest::newRow("L3, one reviewer") << true << QStringList{u"oncall-lead"_s} << false << QString()
                                          << u"1 of 2 approval(s) from different people (release is L3)"_s;
        QTest::newRow("L3, the same reviewer twice")
            << true << QStringList{u"oncall-lead"_s, u"Oncall-Lead"_s} << false
            << u"Oncall-Lead already approved this review on GitHub (production)"_s << u"1 of 2 approval(s) from different people"_s;
        QTest::newRow("L3, two reviewers") << true << QStringList{u"oncall-lead"_s, u"sre-kim"_s} << true << QString()
                                           << QString();
        QTest::newRow("L3, a reviewer and the author")
            << true << QStringList{u"oncall-lead"_s, u"dev-ana"_s} << false << u"dev-ana authored #501"_s << u"1 of 2"_s;
    }

    void approvers()
    {
        QFETCH(bool, l3);
        QFETCH(QStringList, reviewers);
        QFETCH(bool, allowed);
        QFETCH(QString, refusal);
        QFETCH(QString, reason);
        Rig rig;
        if (l3)
            makeL3(rig.services.collected.facts);
        QVERIFY(rig.review().first);
        QCOMPARE(rig.session.verdict().scope.level, std::optional<Level>(l3 ? Level::L3 : Level::L2));
        QString lastRefusal;
        int recorded = 0;
        for (const QString &who : reviewers) {
            const auto [ok, message] = rig.approve(who, rig.session.digest());
            if (ok)
                ++recorded;
            else
                lastRefusal = message;
        }
        QCOMPARE(rig.audit.actions().count(u"promotion.approve"_s), recorded); // a refused approval writes nothing
        QCOMPARE(rig.services.count(u"approveEnvironment"_s), recorded);
        if (refusal.isEmpty())
            QVERIFY2(lastRefusal.isEmpty(), qPrintable(lastRefusal));
        else
            QVERIFY2(lastRefusal.contains(refusal), qPrintable(lastRefusal));
        QCOMPARE(rig.session.decision().allowed, allowed);
        if (!reason.isEmpty())
            QVERIFY2(rig.session.decision().reasons.join(u'\n').contains(reason),
                     qPrintable(rig.session.decision().reasons.join(u'\n')));
        QCOMPARE(rig.session.decision().neededApprovals, l3 ? 2 : 1);
    }

    // The approval goes to GitHub's pending environment review with the reviewer's own token, recorded first; a refusal is
    // audited and does not count; nothing is sent when the reviewer is not eligible or the record cannot be written first.
    void approvalThroughGitHub_data()
    {
        QTest::addColumn<bool>("listed"); // a required reviewer of the environment
        QTest::addColumn<bool>("githubAccepts");
        QTest::addColumn<bool>("auditRefuses");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QStringList>("actions");
        QTest::addColumn<int>("kind");
        const QStringList both{u"promotion.approve.requested"_s, u"promotion.approve"_s};
        QTest::newRow("GitHub approves") << true << true << false << true
                                         << u"Approved on GitHub as oncall-lead (environment production): 1 of 1"_s << both
                                         << int(Error::Kind::None);
        QTest::newRow("GitHub refuses") << true << false << false << false
                                        << u"GitHub refused the approval of production: github: HTTP 422"_s << both
                                        << int(Error::Kind::Http);
        QTest::newRow("not a required reviewer")
            << false << true << false << false << u"oncall-lead is not a required reviewer of production (required reviewers: sre-sam)"_s
            << QStringList{} << int(Error::Kind::Refused);
        QTest::newRow("the record cannot be written first")
            << true << true << true << false << u"the approval could not be recorded first, so it was not sent to GitHub: "_s
            << QStringList{} << int(Error::Kind::Io);
    }

    void approvalThroughGitHub()
    {
        QFETCH(bool, listed);
        QFETCH(bool, githubAccepts);
        QFETCH(bool, auditRefuses);
        QFETCH(bool, ok);
        QFETCH(QString, message);
        QFETCH(QStringList, actions);
        QFETCH(int, kind);
        Rig rig;
        rig.services.gitHub->pending = {EnvironmentGate{9102, 7, u"production"_s, {listed ? u"oncall-lead"_s : u"sre-sam"_s}, listed}};
        if (!githubAccepts)
            rig.services.approveAnswer = Error::make(Error::Kind::Http, u"github"_s, u"HTTP 422"_s);
        QVERIFY(rig.review().first);
        rig.audit.refuse = auditRefuses;
        const auto [approvedOk, text] = rig.approve(u"oncall-lead"_s);
        QCOMPARE(approvedOk, ok);
        QVERIFY2(text.contains(message), qPrintable(text));
        QCOMPARE(int(rig.session.failureKind()), kind);
        QCOMPARE(rig.services.count(u"approveEnvironment 9102 production"_s), listed && !auditRefuses ? 1 : 0);
        QCOMPARE(rig.audit.actions(), actions);
        for (const auto &r : rig.audit.records) {
            QCOMPARE(r.service, u"github"_s);
            QCOMPARE(r.actor, u"oncall-lead"_s);
            // The request carries the console's own id; GitHub's answer its X-GitHub-Request-Id, linked by the correlation.
            const bool answered = r.action == u"promotion.approve"_s && githubAccepts;
            QCOMPARE(r.requestId, answered ? rig.services.approveRequestId : rig.audit.records.first().requestId);
            QVERIFY(answered || r.requestId.startsWith(u"console:"_s));
            if (r.action == u"promotion.approve"_s)
                QCOMPARE(QString::fromStdString(r.after.value("correlation", "")), rig.audit.records.first().requestId);
        }
        if (!githubAccepts)
            QVERIFY(rig.audit.records.last().after.contains("error"));
        QCOMPARE(rig.session.decision().allowed, ok);
        QCOMPARE(rig.session.state(), Promotion::State::Reviewed);
        // Read back from GitHub on the next review: a refused approval never counts.
        rig.audit.refuse = false;
        QVERIFY(rig.review().first);
        QCOMPARE(rig.session.decision().allowed, ok);
        QCOMPARE(rig.session.approvals().size(), ok ? 1 : 0);
    }

    // Under a policy without GitHub environments the console's log is where approvals live: still the token's user.
    void approvalInTheConsole()
    {
        GatePolicy p = policy();
        p.viaGitHubEnvironment = false;
        Rig rig(p);
        QVERIFY(rig.review().first);
        QCOMPARE(rig.services.count(u"reviewState"_s), 0);
        auto [ok, text] = rig.approve(u"oncall-lead"_s);
        QVERIFY2(ok, qPrintable(text));
        QCOMPARE(rig.audit.actions(), QStringList{u"promotion.approve"_s});
        QCOMPARE(rig.audit.records.last().service, u"console"_s);
        QCOMPARE(rig.services.count(u"approveEnvironment"_s), 0);
        std::tie(ok, text) = rig.approve(u"viewer-vic"_s);
        QVERIFY(!ok);
        QVERIFY2(text.contains(u"viewer-vic holds only read on raize/platform"_s), qPrintable(text));
        QVERIFY(rig.review().first);
        QCOMPARE(rig.session.decision().approvers, QStringList{u"oncall-lead"_s});
    }

    // Overrides: only gates the policy allows, with a typed reason of the policy's length, recorded before they count.
    // The error-budget gate's "two-reviewers" override through the session: the first reviewer's override is recorded
    // but does not count alone, the same reviewer cannot give the second, a different reviewer's completes it.
    void twoReviewerOverrideInTheSession()
    {
        Rig rig;
        ReleaseFacts &f = rig.services.collected.facts;
        makeL3(f);
        f.changelog.value->first().fields[u"Flags"_s] = u"`publishing.scheduler-v3` (new, OFF in production)"_s;
        f.sloBudgets.value->insert(u"publish_success"_s, 0.05);
        QVERIFY(rig.review().first);
        QCOMPARE(rig.session.verdict().result(u"error-budget"_s)->status, GateResult::Status::Fail);
        const QString reason = u"the burn was the provider outage of 03:00, now over"_s;
        QVERIFY(rig.session.applyOverride(u"error-budget"_s, reason, u"oncall-lead"_s).ok());
        QVERIFY2(rig.session.message().contains(u"needs a second, different reviewer"_s), qPrintable(rig.session.message()));
        QVERIFY(rig.session.decision().reasons.join(u'\n').contains(u"needs two different reviewers"_s));
        QCOMPARE(rig.session.overridableGates().size(), 1); // still offered: to another reviewer
        const Status again = rig.session.applyOverride(u"error-budget"_s, reason, u"Oncall-Lead"_s);
        QVERIFY(!again.ok());
        QVERIFY2(again.error().message.contains(u"already overrode error-budget"_s), qPrintable(again.error().message));
        // Who overrides is who the token belongs to: typing another name is refused, the second reviewer
        // reviews with their own token and finds the first override in the audit log.
        const Status typed = rig.session.applyOverride(u"error-budget"_s, reason, u"sre-bo"_s);
        QVERIFY(!typed.ok());
        QVERIFY2(typed.error().message.contains(u"belongs to oncall-lead, not sre-bo"_s), qPrintable(typed.error().message));
        rig.services.login = QString(u"sre-bo"_s);
        QVERIFY(rig.review().first);
        QVERIFY(rig.session.decision().reasons.join(u'\n').contains(u"overridden by oncall-lead only"_s));
        QVERIFY(rig.session.applyOverride(u"error-budget"_s, reason, u"sre-bo"_s).ok());
        QCOMPARE(rig.session.decision().overrides.size(), 2);
        QVERIFY(rig.session.overridableGates().isEmpty());
        QVERIFY(!rig.session.decision().reasons.join(u'\n').contains(u"Error budget"_s));
        QCOMPARE(rig.audit.actions().count(u"gate.override"_s), 2); // the refused one is not recorded
    }

    void overrides_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("gate");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("auditRefuses");
        QTest::addColumn<bool>("offered"); // in overridableGates(), what the view's list offers
        QTest::addColumn<QString>("error"); // empty: applied
        const QString good = u"rollback notes land with the hotfix PR today"_s;
        const Mutation noChangelog = [](ReleaseFacts &f) { f.changelog.value->clear(); };
        QTest::newRow("allowed") << noChangelog << u"changelog"_s << good << false << true << QString();
        QTest::newRow("allowed, reason exactly 20 characters")
            << noChangelog << u"changelog"_s << u"12345678901234567890"_s << false << true << QString();
        QTest::newRow("reason 19 characters") << noChangelog << u"changelog"_s << u"1234567890123456789"_s << false << true
                                              << u"the reason must have at least 20 characters"_s;
        QTest::newRow("reason of spaces") << noChangelog << u"changelog"_s << QString(30, u' ') << false << true
                                          << u"at least 20 characters"_s;
        QTest::newRow("forbidden by the policy")
            << Mutation(failDeploymentCheck) << u"deployment-checks"_s << good << false << false
            << u"cannot override deployment-checks: the policy (playbook-v1) forbids overriding it"_s;
        QTest::newRow("a passing gate") << Mutation([](ReleaseFacts &) {}) << u"changelog"_s << good << false << false
                                        << u"it passes"_s;
        QTest::newRow("an unknown gate") << Mutation([](ReleaseFacts &f) {
            f.changelog = Known<QList<ChangelogFact>>::missing(u"x"_s);
        }) << u"changelog"_s << good << false
                                         << false << u"unknown is never overridden"_s;
        QTest::newRow("no such gate") << noChangelog << u"vibes"_s << good << false << false << u"no such gate"_s;
        QTest::newRow("the audit log refuses") << noChangelog << u"changelog"_s << good << true << true
                                               << u"The override was not recorded, so it is not applied: disk full"_s;
    }

    void overrides()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, gate);
        QFETCH(QString, reason);
        QFETCH(bool, auditRefuses);
        QFETCH(bool, offered);
        QFETCH(QString, error);
        Rig rig;
        mutate(rig.services.collected.facts);
        QVERIFY(rig.review().first);
        QVERIFY(rig.approve(u"oncall-lead"_s).first);
        const GateResult *result = rig.session.verdict().result(gate);
        QCOMPARE(rig.session.overridableGates().contains(OverridableGate{gate, result ? result->title : QString()}), offered);
        rig.audit.refuse = auditRefuses;
        const int before = int(rig.audit.records.size());
        const Status st = rig.session.applyOverride(gate, reason, u"oncall-lead"_s);
        if (!error.isEmpty()) {
            QVERIFY(!st);
            QVERIFY2(st.error().message.contains(error), qPrintable(st.error().message));
            QCOMPARE(rig.session.message(), st.error().message);
            QVERIFY(rig.session.messageIsError());
            QCOMPARE(int(rig.audit.records.size()), before);
            QCOMPARE(rig.session.decision().overrides.size(), 0);
            return;
        }
        QVERIFY2(st, qPrintable(st ? QString() : st.error().toString()));
        const auto &r = rig.audit.records.last();
        QCOMPARE(r.action, u"gate.override"_s);
        QCOMPARE(r.target, gate + u"@dpl_stage"_s);
        QCOMPARE(r.reason, reason.trimmed());
        QCOMPARE(r.actor, u"oncall-lead"_s);
        QVERIFY(rig.session.decision().allowed);
        QVERIFY(rig.session.overridableGates().isEmpty());
        // Read back on the next review of the same commit; a new commit does not carry it.
        QVERIFY(rig.review().first);
        QCOMPARE(rig.session.decision().overrides.size(), 1);
        rig.services.collected.facts.deployment.value->sha = u"0badc0ffee"_s;
        QVERIFY(rig.review().first);
        QVERIFY(rig.session.decision().overrides.isEmpty());
        QVERIFY(!rig.session.decision().allowed);
    }

    // Pinned production after an Instant Rollback (issue #17 item 4): the review says so and names the way out;
    // after a promote the project is read back and the message says what happened to the pin and to
    // autoAssignCustomDomains.
    void pinAndDomainsAfterPromote_data()
    {
        QTest::addColumn<bool>("pinnedBefore");
        QTest::addColumn<bool>("readBackFails");
        QTest::addColumn<bool>("pinnedAfter");
        QTest::addColumn<int>("autoAssignAfter"); // -1: not reported, 0 off, 1 on
        QTest::addColumn<QString>("message");
        QTest::newRow("pin lifted, domains follow again") << true << false << false << 1
                                                         << u"The rollback pin is lifted. autoAssignCustomDomains changed: off → on"_s;
        QTest::newRow("not pinned, unchanged") << false << false << false << 1 << u"autoAssignCustomDomains unchanged (on)."_s;
        QTest::newRow("still pinned") << true << false << true << 0
                                      << u"Production is still pinned by an Instant Rollback (to dpl_prev). autoAssignCustomDomains unchanged (off)"_s;
        QTest::newRow("turned off by the promote") << false << false << false << 0 << u"autoAssignCustomDomains changed: on → off"_s;
        QTest::newRow("not reported") << false << false << false << -1 << u"does not say whether custom domains are assigned"_s;
        QTest::newRow("read-back fails") << true << true << false << 1 << u"could not be read back to check the pin"_s;
    }

    void pinAndDomainsAfterPromote()
    {
        QFETCH(bool, pinnedBefore);
        QFETCH(bool, readBackFails);
        QFETCH(bool, pinnedAfter);
        QFETCH(int, autoAssignAfter);
        QFETCH(QString, message);
        Rig rig;
        rig.services.collected.facts.pin = PinFact{pinnedBefore, u"dpl_bad"_s, u"dpl_prev"_s, u"P1: publish failures"_s, !pinnedBefore};
        rig.services.pinAfter =
            readBackFails ? Result<PinFact>(Error::make(Error::Kind::Network, u"vercel"_s, u"connection refused"_s))
                          : Result<PinFact>(PinFact{pinnedAfter, u"dpl_bad"_s, u"dpl_prev"_s, {},
                                                    autoAssignAfter < 0 ? std::nullopt : std::optional<bool>(autoAssignAfter == 1)});
        QVERIFY(rig.review().first);
        // The review names the pin and the way out.
        QCOMPARE(Promotion::pinText(rig.session.facts().facts.pin).contains(u"promoting this candidate lifts the pin"_s), pinnedBefore);
        QVERIFY(rig.approve(u"oncall-lead"_s).first);
        const auto [ok, text] = rig.promote(rig.session.digest());
        QVERIFY2(ok, qPrintable(text));
        // Both times first (ADR 0027), then what the read-back says about the pin and the domains.
        QVERIFY2(text.startsWith(u"dpl_stage promoted to production: accepted at 2023-11-14T22:13:20.000Z, effective at "
                                 u"2023-11-14T22:13:21.500Z (1.5 s later; effective: 5 of 5 samples on dpl_stage). "_s),
                 qPrintable(text));
        QVERIFY2(text.contains(message), qPrintable(text));
        QVERIFY2(text.endsWith(u". "_s + rig.session.pinReadBack()), qPrintable(text));
        QCOMPARE(rig.services.count(u"readPin"_s), 1);
        QCOMPARE(rig.audit.records.last().after.value("pinnedBefore", !pinnedBefore), pinnedBefore);
    }

    // Accepted but not effective (ADR 0027): each round before the last is shown as progress; the promotion fails
    // with the evidence, is recorded as not effective, and says what to do.
    void promoteAcceptedNotEffective()
    {
        Rig rig;
        EffectiveVerdict pending;
        pending.state = EffectiveVerdict::State::Pending;
        pending.summary = u"accepted, not yet effective: the alias job is in-progress"_s;
        pending.evidence = {u"alias job (promote dpl_prod → dpl_stage): in-progress"_s, u"app.raize.example does not point at dpl_stage (its aliases: none)"_s,
                            u"probe: 0 of 5 samples on dpl_stage; 5 on dpl_prod (the policy needs 5)"_s};
        rig.services.effectiveRounds = {pending, pending};
        QVERIFY(rig.review().first);
        QVERIFY(rig.approve(u"oncall-lead"_s).first);
        QStringList seen;
        connect(&rig.session, &Promotion::changed, &rig.session, [&] { seen << rig.session.message(); });
        const auto [ok, text] = rig.promote(rig.session.digest());
        QVERIFY(!ok);
        QVERIFY2(text.contains(u"dpl_stage was accepted but is not effective: the promote to dpl_stage was accepted at 2023-11-14T22:13:20.000Z "
                               u"but is not effective after 120 s"_s),
                 qPrintable(text));
        QVERIFY2(text.contains(u"app.raize.example does not point at dpl_stage"_s) && text.contains(u"0 of 5 samples on dpl_stage; 5 on dpl_prod"_s),
                 qPrintable(text));
        QVERIFY2(text.contains(u"look at the project's domains in Vercel"_s, Qt::CaseInsensitive), qPrintable(text));
        QCOMPARE(rig.session.failureKind(), Error::Kind::Conflict);
        QVERIFY2(seen.contains(u"dpl_stage accepted by Vercel at 2023-11-14T22:13:20.000Z; confirming that production serves it…"_s), qPrintable(seen.join(u'\n')));
        QVERIFY2(seen.contains(u"dpl_stage accepted at 2023-11-14T22:13:20.000Z, accepted, not yet effective: the alias job is in-progress"_s),
                 qPrintable(seen.join(u'\n')));
        QCOMPARE(rig.audit.actions().last(), u"promotion.promote.not-effective"_s);
        QVERIFY(rig.audit.records.last().after["effective"]["effectiveAt"].is_null());
        QCOMPARE(QString::fromStdString(rig.audit.records.last().after["effective"]["acceptedAt"]), u"2023-11-14T22:13:20.000Z"_s);
        QVERIFY(rig.session.effective() && !rig.session.effective()->effective());
        QCOMPARE(rig.session.state(), Promotion::State::Reviewed);
    }

    // The promotion: refused while blocked or when the review moved, a Vercel failure is clear and audited, a success spends the approvals.
    void promote_data()
    {
        QTest::addColumn<Mutation>("mutate"); // before the review
        QTest::addColumn<Mutation>("meanwhile"); // after the approval, before promoting
        QTest::addColumn<bool>("vercelFails");
        QTest::addColumn<bool>("promoted");
        QTest::addColumn<int>("promoteCalls");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QStringList>("actions");
        const Mutation none = [](ReleaseFacts &) {};
        const QStringList approved{u"promotion.approve.requested"_s, u"promotion.approve"_s};
        const QStringList promotedToo = approved + QStringList{u"promotion.promote.requested"_s, u"promotion.promote"_s};
        QTest::newRow("allowed") << none << none << false << true << 1 << u"dpl_stage promoted to production: accepted at "_s
                                 << promotedToo + QStringList{u"promotion.promote.effective"_s};
        QTest::newRow("blocked") << Mutation(failDeploymentCheck) << none << false << false << 0
                                 << u"Not promoted: the promotion is blocked: Vercel Deployment Checks (§5.1) (fail)"_s << approved;
        QTest::newRow("the review moved") << none << Mutation(failDeploymentCheck) << false << false << 0
                                          << u"the review changed since it was reviewed"_s << approved;
        QTest::newRow("Vercel refuses") << none << none << true << false << 1
                                        << u"Vercel did not promote dpl_stage: vercel: HTTP 500"_s << promotedToo;
    }

    void promote()
    {
        QFETCH(Mutation, mutate);
        QFETCH(Mutation, meanwhile);
        QFETCH(bool, vercelFails);
        QFETCH(bool, promoted);
        QFETCH(int, promoteCalls);
        QFETCH(QString, message);
        QFETCH(QStringList, actions);
        Rig rig;
        if (vercelFails)
            rig.services.promoteAnswer = Error::make(Error::Kind::Http, u"vercel"_s, u"HTTP 500"_s);
        mutate(rig.services.collected.facts);
        QVERIFY(rig.review().first);
        QVERIFY(rig.approve(u"oncall-lead"_s).first);
        const QString digest = rig.session.digest();
        meanwhile(rig.services.collected.facts);
        const int collects = rig.services.count(u"collect"_s);
        const auto [ok, text] = rig.promote(digest.left(12));
        QCOMPARE(ok, promoted);
        QVERIFY2(text.contains(message), qPrintable(text));
        QCOMPARE(rig.session.message(), text);
        QCOMPARE(rig.session.messageIsError(), !promoted);
        QCOMPARE(rig.session.failureKind(),
                 promoted          ? Error::Kind::None
                     : vercelFails ? Error::Kind::Http
                                   : Error::Kind::Refused);
        QCOMPARE(rig.services.count(u"collect"_s), collects + 1); // everything is read again first
        QCOMPARE(rig.services.count(u"promote dpl_stage"_s), promoteCalls);
        QCOMPARE(rig.audit.actions(), actions);
        QCOMPARE(rig.session.state(), Promotion::State::Reviewed);
        if (promoteCalls) {
            const auto &r = rig.audit.records.last();
            QCOMPARE(r.service, u"vercel"_s);
            QCOMPARE(QString::fromStdString(r.after.value("digest", "")), digest);
            QCOMPARE(QString::fromStdString(r.after.value("productionBefore", "")), u"dpl_prod"_s);
            QCOMPARE(r.after.contains("error"), vercelFails);
            // Complete: actor, before (what production served), after, and Vercel's request id of the promote (its
            // x-vercel-id), linked to the request record's correlation id; a refusal without one keeps the correlation.
            QCOMPARE(r.actor, u"oncall-lead"_s);
            QCOMPARE(QString::fromStdString(r.before.value("production", "")), u"dpl_prod"_s);
            QString correlation;
            for (const auto &rec : rig.audit.records) {
                if (rec.action == u"promotion.promote.requested"_s)
                    correlation = rec.requestId;
            }
            QVERIFY(correlation.startsWith(u"console:"_s));
            QCOMPARE(r.requestId, vercelFails ? correlation : rig.services.promoteRequestId);
            for (const auto &rec : rig.audit.records) {
                if (rec.action == u"promotion.promote"_s)
                    QCOMPARE(QString::fromStdString(rec.after.value("correlation", "")), correlation);
            }
        }
        // After a promotion the approvals are spent; after a failed one they still hold, so promoting again needs no new approval.
        QVERIFY(rig.review().first);
        QCOMPARE(rig.session.decision().allowed, vercelFails);
        if (vercelFails) {
            rig.services.promoteAnswer = okStatus();
            QVERIFY(rig.promote(rig.session.digest()).first);
        }
    }

    // The policy says the GitHub environment approval is the promotion: the console never calls Vercel.
    void promoteThroughGitHubOnly()
    {
        GatePolicy p = policy();
        p.viaVercel = false;
        Rig rig(p);
        QVERIFY(rig.review().first);
        QVERIFY(rig.approve(u"oncall-lead"_s).first);
        const auto [ok, text] = rig.promote();
        QVERIFY2(ok, qPrintable(text));
        QVERIFY(text.contains(u"deploy workflow promotes dpl_stage (the console does not promote too)"_s));
        QCOMPARE(rig.services.count(u"promote"_s), 0);
        QCOMPARE(rig.audit.records.last().service, u"github"_s);
    }

    // Without an audit log nothing is approved, overridden or promoted: no unrecorded action.
    void noAuditLogNoAction()
    {
        Rig rig;
        Promotion::Dependencies deps = rig.session.dependencies();
        deps.audit = nullptr;
        rig.session.setDependencies(deps);
        QVERIFY(rig.review().first);
        const auto [ok, text] = rig.approve(u"oncall-lead"_s);
        QVERIFY(!ok);
        QVERIFY2(text.contains(u"No audit log is configured"_s), qPrintable(text));
        QVERIFY(!rig.promote().first);
        QCOMPARE(rig.services.count(u"promote"_s), 0);
        QCOMPARE(rig.services.count(u"approveEnvironment"_s), 0);
    }

    // Stuck states by the session's clock: the review is not fetched again, the clock moves.
    void stuckStates_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<qint64>("minutesBefore"); // how long it has been in that state at the review
        QTest::addColumn<QString>("stuck");
        QTest::newRow("building, 30 min allowed") << Mutation([](ReleaseFacts &f) { f.deployment.value->state = u"BUILDING"_s; })
                                                  << qint64(30) << u"dpl_stage has been building for 31 min (policy allows 30)"_s;
        QTest::newRow("queued, 20 min allowed") << Mutation([](ReleaseFacts &f) { f.deployment.value->state = u"QUEUED"_s; })
                                                << qint64(20) << u"dpl_stage has been queued for 21 min (policy allows 20)"_s;
        QTest::newRow("a check running, 45 min allowed")
            << Mutation([](ReleaseFacts &f) { findCheck(f.checks, u"lint"_s)->status = u"in_progress"_s; }) << qint64(45)
            << u"check lint has been in_progress for 46 min (policy allows 45)"_s;
        QTest::newRow("pending review, 240 min allowed")
            << Mutation([](ReleaseFacts &) {}) << qint64(240)
            << u"the production deployment has waited for review for 241 min (policy allows 240)"_s;
    }

    void stuckStates()
    {
        QFETCH(Mutation, mutate);
        QFETCH(qint64, minutesBefore);
        QFETCH(QString, stuck);
        Rig rig;
        const qint64 since = rig.clock.nowMs() - minutesBefore * 60000;
        ReleaseFacts &f = rig.services.collected.facts;
        mutate(f);
        f.deployment.value->createdMs = since;
        findCheck(f.checks, u"lint"_s)->startedMs = since;
        if (stuck.contains(u"waited for review"_s))
            rig.services.collected.pending = PendingReview{9102, {7}, u"production"_s, since, {u"oncall-lead"_s}, true, {}};
        QVERIFY(rig.review().first);
        QVERIFY2(rig.session.stuck().isEmpty(), qPrintable(rig.session.stuck().join(u'\n'))); // at the limit: not stuck yet
        rig.clock.advanceMs(60000);
        QCOMPARE(rig.session.stuck(), QStringList{stuck});
        QCOMPARE(rig.services.count(u"collect"_s), 1);
    }

    // The candidate: the newest staging deployment, or the one named; what could not be read says so.
    void candidate_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("noStaging");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QStringList>("calls");
        // The approvals are read from GitHub for the candidate's commit; who the token belongs to is asked with every review.
        QTest::newRow("newest staging") << QString() << false << true << QString()
                                        << QStringList{u"newestStaging"_s, u"collect dpl_stage"_s, u"reviewState 5e6f708"_s, u"identity"_s};
        QTest::newRow("named") << u"dpl_stage"_s << false << true << QString()
                               << QStringList{u"collect dpl_stage"_s, u"reviewState 5e6f708"_s, u"identity"_s};
        QTest::newRow("named, not found") << u"dpl_gone"_s << false << false
                                          << u"Cannot read the candidate: vercel: HTTP 404 — deployment dpl_gone not found"_s
                                          << QStringList{u"collect dpl_gone"_s, u"identity"_s};
        QTest::newRow("no staging deployment")
            << QString() << true << false << u"No candidate to review: vercel: "_s << QStringList{u"newestStaging"_s};
    }

    void candidate()
    {
        QFETCH(QString, id);
        QFETCH(bool, noStaging);
        QFETCH(bool, ok);
        QFETCH(QString, message);
        QFETCH(QStringList, calls);
        Rig rig;
        if (noStaging)
            rig.services.newest = Error::make(Error::Kind::Conflict, u"vercel"_s, u"there is no staging deployment to review"_s);
        const auto [reviewed, text] = rig.review(id);
        QCOMPARE(reviewed, ok);
        QVERIFY2(text.startsWith(message), qPrintable(text));
        QCOMPARE(rig.services.calls, calls);
        QCOMPARE(rig.session.busy(), false);
        QCOMPARE(rig.session.hasReview(), !noStaging);
        if (!ok) {
            QVERIFY(rig.session.messageIsError());
            QVERIFY(!rig.session.decision().allowed);
            QVERIFY(!rig.approve(u"oncall-lead"_s).first);
        }
    }

    // One thing at a time; a session without services says what to set up.
    void busyAndUnconnected()
    {
        Rig rig;
        QSignalSpy spy(&rig.session, &Promotion::reviewed);
        rig.session.review();
        QVERIFY(rig.session.busy());
        rig.session.review();
        QCOMPARE(spy.size(), 1);
        QVERIFY(!spy.first().at(0).toBool());
        QVERIFY(spy.first().at(1).toString().contains(u"already running"_s));
        QVERIFY(spy.wait(5000));
        QVERIFY(spy.last().at(0).toBool());

        Promotion lonely(policy());
        QSignalSpy none(&lonely, &Promotion::reviewed);
        lonely.review();
        QCOMPARE(none.size(), 1);
        QVERIFY(none.first().at(1).toString().contains(u"Vercel is not connected"_s));
    }
};

QTEST_GUILESS_MAIN(TestPromotionSession)
#include "tst_promotion_session.moc"
