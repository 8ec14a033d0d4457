// The pure rules of approvals through GitHub (issue #17, items 1 and 2): the
// approval comment that binds a GitHub review to the review digest, the
// approvals read back by login, the environment a reviewer approves (the
// second one for an L3 release's second person), and who may approve.

#include "release/githubreview.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;

namespace {

ReviewBinding binding(const QString &sha = u"5e6f708192a3"_s)
{
    ReviewBinding b;
    b.deploymentId = u"dpl_rc"_s;
    b.sha = sha;
    b.pulls = {431, 432};
    b.gates = {{u"deployment-ready"_s, u"pass"_s}, {u"changelog"_s, u"fail"_s}};
    return b;
}

GatePolicy policy(const QString &second = u"production-second-approval"_s)
{
    GatePolicy p = GatePolicy::builtin();
    p.secondApprovalEnvironment = second;
    return p;
}

const QStringList kReviewers{u"oncall-lead"_s, u"sre-sam"_s};

EnvironmentGate gate(const QString &env, qint64 id, const QStringList &reviewers = kReviewers, bool canApprove = false)
{
    return EnvironmentGate{9102, id, env, reviewers, canApprove};
}

RecordedReview approvedBy(const QString &login, const QString &env, const ReviewBinding &b = binding())
{
    return RecordedReview{9102, login, u"approved"_s, approvalComment(b, login), {env}};
}

} // namespace

Q_DECLARE_METATYPE(GitHubReviewState)

class TestGitHubReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void comment_data()
    {
        QTest::addColumn<QString>("comment");
        QTest::addColumn<bool>("bound");
        QTest::addColumn<QString>("why");
        const QString good = approvalComment(binding(), u"oncall-lead"_s, u"smoke fixed"_s);
        QTest::newRow("the console's comment") << good << true << QString();
        QTest::newRow("approved in GitHub's page") << u"LGTM"_s << false << u"names no review digest"_s;
        QTest::newRow("a digest without its binding")
            << u"raize-digest: %1"_s.arg(binding().digest()) << false << u"names no review digest"_s;
        QString tampered = good;
        tampered.replace(u"\"dpl_rc\""_s, u"\"dpl_other\""_s);
        QTest::newRow("the binding edited, the digest not") << tampered << false << u"is not the digest of the binding"_s;
        QString garbage = good;
        garbage.replace(u"raize-binding: {"_s, u"raize-binding: {{"_s);
        QTest::newRow("an unreadable binding") << garbage << false << u"cannot be read"_s;
    }
    void comment()
    {
        QFETCH(QString, comment);
        QFETCH(bool, bound);
        QFETCH(QString, why);
        QString reason;
        const std::optional<ReviewBinding> b = bindingFromComment(comment, &reason);
        QCOMPARE(b.has_value(), bound);
        if (bound) {
            QCOMPARE(*b, binding());
            QVERIFY(comment.startsWith(u"Approved in Raize console by oncall-lead: smoke fixed\n"_s));
        } else {
            QVERIFY2(reason.contains(why), qPrintable(reason));
        }
    }

    void readBack_data()
    {
        QTest::addColumn<QList<RecordedReview>>("reviews");
        QTest::addColumn<QStringList>("approvers");
        QTest::addColumn<int>("ignored");
        QTest::newRow("none") << QList<RecordedReview>{} << QStringList{} << 0;
        QTest::newRow("one, production") << QList<RecordedReview>{approvedBy(u"oncall-lead"_s, u"production"_s)}
                                         << QStringList{u"oncall-lead"_s} << 0;
        QTest::newRow("two people, both environments")
            << QList<RecordedReview>{approvedBy(u"oncall-lead"_s, u"production"_s),
                                     approvedBy(u"sre-sam"_s, u"production-second-approval"_s)}
            << QStringList{u"oncall-lead"_s, u"sre-sam"_s} << 0;
        QTest::newRow("another environment's review does not count")
            << QList<RecordedReview>{approvedBy(u"oncall-lead"_s, u"staging"_s)} << QStringList{} << 0;
        QTest::newRow("a rejection is listed, not counted")
            << QList<RecordedReview>{RecordedReview{9102, u"sre-sam"_s, u"rejected"_s, u"no"_s, {u"production"_s}}} << QStringList{} << 1;
        QTest::newRow("an approval without the digest is listed, not counted")
            << QList<RecordedReview>{RecordedReview{9102, u"sre-sam"_s, u"approved"_s, u"LGTM"_s, {u"production"_s}}} << QStringList{}
            << 1;
    }
    void readBack()
    {
        QFETCH(QList<RecordedReview>, reviews);
        QFETCH(QStringList, approvers);
        QFETCH(int, ignored);
        GitHubReviewState state;
        state.read = true;
        state.reviews = reviews;
        const ReadBackApprovals read = approvalsFrom(policy(), state);
        QStringList logins;
        for (const GitHubApproval &a : read.approvals) {
            logins << a.approval.reviewer;
            QCOMPARE(a.approval.binding, binding());
        }
        QCOMPARE(logins, approvers);
        QCOMPARE(read.ignored.size(), ignored);
    }

    void target_data()
    {
        QTest::addColumn<GitHubReviewState>("state");
        QTest::addColumn<QString>("login");
        QTest::addColumn<QString>("second");
        QTest::addColumn<QString>("environment"); // empty: refused
        QTest::addColumn<QString>("refusal");
        GitHubReviewState both;
        both.read = true;
        both.pending = {gate(u"production"_s, 1202), gate(u"production-second-approval"_s, 1203)};
        QTest::newRow("the first approval goes to production") << both << u"oncall-lead"_s << u"production-second-approval"_s
                                                               << u"production"_s << QString();
        QTest::newRow("logins are case-insensitive") << both << u"Oncall-Lead"_s << u"production-second-approval"_s << u"production"_s
                                                     << QString();
        GitHubReviewState afterFirst = both;
        afterFirst.pending.removeFirst();
        afterFirst.reviews = {approvedBy(u"oncall-lead"_s, u"production"_s)};
        QTest::newRow("the second person approves the second environment")
            << afterFirst << u"sre-sam"_s << u"production-second-approval"_s << u"production-second-approval"_s << QString();
        QTest::newRow("the same person twice is refused")
            << afterFirst << u"oncall-lead"_s << u"production-second-approval"_s << QString()
            << u"oncall-lead already approved this review on GitHub (production); a second approval must come from a different person"_s;
        GitHubReviewState lapsed = afterFirst;
        lapsed.reviews = {approvedBy(u"oncall-lead"_s, u"production"_s, binding(u"0badc0ffee"_s))};
        QTest::newRow("after a lapse the same person may approve again")
            << lapsed << u"oncall-lead"_s << u"production-second-approval"_s << u"production-second-approval"_s << QString();
        QTest::newRow("no second environment in the policy")
            << afterFirst << u"sre-sam"_s << QString() << QString()
            << u"No GitHub environment review of production is waiting for the candidate's commit"_s;
        QTest::newRow("not a required reviewer") << both << u"dev-bo"_s << u"production-second-approval"_s << QString()
                                                 << u"dev-bo is not a required reviewer of production (required reviewers: oncall-lead, sre-sam)"_s;
        GitHubReviewState team;
        team.read = true;
        team.pending = {gate(u"production"_s, 1202, {u"release-managers"_s}, true)};
        QTest::newRow("a team reviewer, by GitHub's word") << team << u"dev-bo"_s << QString() << u"production"_s << QString();
        GitHubReviewState nothing;
        nothing.read = true;
        QTest::newRow("nothing waits") << nothing << u"oncall-lead"_s << u"production-second-approval"_s << QString()
                                       << u"No GitHub environment review of production or production-second-approval is waiting"_s;
        GitHubReviewState unreadable;
        unreadable.error = u"github: HTTP 502"_s;
        QTest::newRow("GitHub cannot answer") << unreadable << u"oncall-lead"_s << QString() << QString()
                                              << u"cannot be read from GitHub: github: HTTP 502"_s;
    }
    void target()
    {
        QFETCH(GitHubReviewState, state);
        QFETCH(QString, login);
        QFETCH(QString, second);
        QFETCH(QString, environment);
        QFETCH(QString, refusal);
        const Result<EnvironmentGate> t = approvalTarget(policy(second), state, binding(), login);
        if (environment.isEmpty()) {
            QVERIFY(!t.ok());
            QVERIFY2(t.error().message.contains(refusal), qPrintable(t.error().message));
        } else {
            QVERIFY2(t.ok(), qPrintable(t.error().message));
            QCOMPARE(t->environment, environment);
        }
    }

    void role_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("refusal"); // empty: may approve
        QTest::newRow("admin") << u"admin"_s << QString();
        QTest::newRow("maintain") << u"maintain"_s << QString();
        QTest::newRow("write") << u"write"_s << QString();
        QTest::newRow("triage") << u"triage"_s << u"ana holds only triage on raize/platform"_s;
        QTest::newRow("read") << u"read"_s << u"ana holds only read on raize/platform"_s;
        QTest::newRow("no collaborator") << u"none"_s << u"ana is no collaborator of raize/platform"_s;
    }
    void role()
    {
        QFETCH(QString, role);
        QFETCH(QString, refusal);
        const Status st = checkRole(u"ana"_s, role, u"raize/platform"_s);
        QCOMPARE(st.ok(), refusal.isEmpty());
        if (!refusal.isEmpty()) {
            QVERIFY2(st.error().message.contains(refusal), qPrintable(st.error().message));
            QVERIFY(st.error().message.contains(u"needs write, maintain or admin"_s));
        }
    }

    // The policy names the second environment; it must differ from the promotion environment.
    void policySecondEnvironment()
    {
        QCOMPARE(GatePolicy::builtin().secondApprovalEnvironment, u"production-second-approval"_s);
        QCOMPARE(approvalEnvironments(policy()), (QStringList{u"production"_s, u"production-second-approval"_s}));
        QCOMPARE(approvalEnvironments(policy(QString())), QStringList{u"production"_s});
    }
};

QTEST_GUILESS_MAIN(TestGitHubReview)
#include "tst_github_review.moc"
