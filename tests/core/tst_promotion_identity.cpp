// Reviewers are who their tokens say, and approvals every console sees
// (issue #17, items 1 and 2): two consoles (each its own HTTP client and
// GitHub token, its own audit log) on one in-process Vercel and GitHub fake
// (the promotion-review scenario). A approves through GitHub's environment
// review; B reads A's approval back by login in one review; the author's
// token, a read-only collaborator's, a non-reviewer's, a bad token and a
// typed name that is not the token's user are refused with the reason; an
// L3 candidate needs two distinct identities (the second approves the
// policy's second environment); approvals GitHub cannot answer block the
// promotion. No sandbox processes: 0 s of sandbox time.

#include "fakes/memoryflagservice.h"
#include "release/clientpromotionservices.h"
#include "release/promotion.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString kCandidate = u"dpl_rc"_s;
const QString kSha = u"5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"_s;
const QString kBotToken = u"gh-release-bot-token"_s;

json scenario()
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/promotion-review.json"_s);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read the promotion-review scenario");
    json s = json::parse(f.readAll().toStdString());
    json &gh = s["github"];
    const json reviewers = {"oncall-lead", "sre-sam", "dev-ana", "viewer-vic"};
    gh["environments"] = json::array({{{"id", 1201}, {"name", "staging"}},
                                      {{"id", 1202}, {"name", "production"}, {"reviewers", reviewers}, {"protectedBranches", true}},
                                      {{"id", 1203}, {"name", "production-second-approval"}, {"reviewers", reviewers}}});
    for (json &run : gh["runs"]) {
        if (run["id"] == 9102)
            run["pending"] = {1202, 1203};
    }
    // ops-olga writes to the repository but is no required reviewer.
    gh["users"] = json::array({{{"login", "oncall-lead"}, {"permission", "write"}},
                               {{"login", "sre-sam"}, {"permission", "maintain"}},
                               {{"login", "dev-ana"}, {"permission", "write"}},
                               {{"login", "ops-olga"}, {"permission", "write"}},
                               {{"login", "viewer-vic"}, {"permission", "read"}}});
    return s;
}

// One console: its own HTTP client with its own GitHub token, its own clients, audit log and session.
struct Console
{
    Console(const QString &vercelUrl, const QString &githubUrl, const QString &githubToken, const GatePolicy &policy)
        : http(&monitor)
        , vercel(http, QUrl(vercelUrl), u"prj_raize_web"_s, u"team_raize"_s)
        , github(http, QUrl(githubUrl), u"raize"_s, u"platform"_s)
        , session(policy)
    {
        http.setToken(Service::Vercel, u"vercel-token"_s);
        http.setToken(Service::GitHub, githubToken);
        http.setRetryPolicy({1, 10, 10, 0});
        http.setGitHubMutationSpacing(0);
        FactsCollector::Sources sources;
        sources.vercel = &vercel;
        sources.github = &github;
        sources.githubHtml = githubUrl + u"/raize/platform"_s;
        services = std::make_unique<ClientPromotionServices>(policy, sources);
        Promotion::Dependencies deps;
        deps.services = services.get();
        deps.audit = &audit;
        deps.records = [this] { return audit.records; };
        session.setDependencies(deps);
    }

    bool review()
    {
        QSignalSpy spy(&session, &Promotion::reviewed);
        session.review(kCandidate);
        return (!spy.isEmpty() || spy.wait(15000)) && spy.first().at(0).toBool();
    }
    std::pair<bool, QString> approve(const QString &typed = {})
    {
        QSignalSpy spy(&session, &Promotion::approved);
        session.approve(typed, {}, session.digest());
        if (spy.isEmpty() && !spy.wait(15000))
            return {false, u"no answer"_s};
        return {spy.first().at(0).toBool(), spy.first().at(1).toString()};
    }
    QStringList approvers() const { return session.decision().approvers; }

    ServiceMonitor monitor;
    Net::HttpClient http;
    Services::VercelClient vercel;
    Services::GitHubClient github;
    RaizeTest::MemoryAudit audit;
    std::unique_ptr<ClientPromotionServices> services;
    Promotion session;
};

} // namespace

class TestPromotionIdentity : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{17};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;

    std::unique_ptr<Console> console(const QString &login, const GatePolicy &policy = GatePolicy::builtin())
    {
        const QString token = login.startsWith(u"token:"_s) ? login.mid(6) : m_github->tokenOf(login);
        return std::make_unique<Console>(m_vercelServer->baseUrl(), m_githubServer->baseUrl(), token, policy);
    }
    int reviewPosts() const
    {
        int n = 0;
        for (const auto &e : m_log.entries())
            n += e.method == u"POST"_s && e.path.endsWith(u"/pending_deployments"_s) ? 1 : 0;
        return n;
    }
    json run9102() const
    {
        const json state = m_github->state();
        for (const json &r : state["runs"]) {
            if (r["id"] == 9102)
                return r;
        }
        return {};
    }

private Q_SLOTS:
    void init()
    {
        // A fresh repository per case: nothing approved, both environments waiting.
        m_faults.clear();
        m_log.clear();
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), u"vercel-token"_s);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), kBotToken);
        const json s = scenario();
        m_vercel->load(s["vercel"]);
        m_github->load(s["github"]);
        QVERIFY(m_vercelServer->listen(0) && m_githubServer->listen(0));
    }
    void cleanup()
    {
        m_github.reset();
        m_vercel.reset();
        m_githubServer.reset();
        m_vercelServer.reset();
    }

    // Acceptance: A approves; B shows A's approval by GitHub login within one poll (one review).
    void twoConsolesSeeOneApproval()
    {
        auto a = console(u"oncall-lead"_s);
        auto b = console(u"sre-sam"_s);
        QVERIFY(a->review());
        QVERIFY(b->review());
        QCOMPARE(a->session.identity(), u"oncall-lead"_s);
        QCOMPARE(b->session.identity(), u"sre-sam"_s);
        QVERIFY(b->approvers().isEmpty());

        const auto [ok, message] = a->approve();
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(message.contains(u"Approved on GitHub as oncall-lead (environment production)"_s), qPrintable(message));
        // GitHub recorded it under the token's user, bound to the digest in its comment.
        const json run = run9102();
        QCOMPARE(run["approvals"].size(), std::size_t(1));
        QVERIFY(run["approvals"][0]["user"] == "oncall-lead");
        QVERIFY(QString::fromStdString(run["approvals"][0]["comment"]).contains(u"raize-digest: "_s + a->session.digest()));

        // B's next review reads it back from GitHub (B's audit log knows nothing of it).
        QVERIFY(b->review());
        QCOMPARE(b->approvers(), QStringList{u"oncall-lead"_s});
        QCOMPARE(b->session.approvalEnvironment(0), u"production"_s);
        QVERIFY(b->audit.records.isEmpty());
        // A's log records it (first the request, then GitHub's answer), with actor, before, after and a request id.
        QCOMPARE(a->audit.actions(), (QStringList{u"promotion.approve.requested"_s, u"promotion.approve"_s}));
        const Records::AuditRecord &rec = a->audit.records.last();
        QCOMPARE(rec.actor, u"oncall-lead"_s);
        // The request: the console's own id (nothing was sent yet); the outcome: GitHub's X-GitHub-Request-Id of the
        // review, linked to the request by its correlation id.
        QVERIFY(a->audit.records.first().requestId.startsWith(u"console:"_s));
        QVERIFY2(rec.requestId.startsWith(u"5A5B:0000:"_s), qPrintable(rec.requestId));
        QCOMPARE(QString::fromStdString(rec.after.value("correlation", "")), a->audit.records.first().requestId);
        QVERIFY(rec.before.is_object() && rec.before.contains("approvers"));
        QVERIFY(rec.after.value("state", "") == "approved");
    }

    void refused_data()
    {
        QTest::addColumn<QString>("who"); // a login, or "token:<raw token>"
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("expected");
        QTest::newRow("the author's token") << u"dev-ana"_s << QString() << u"dev-ana authored #431 and cannot approve"_s;
        QTest::newRow("read-only collaborator")
            << u"viewer-vic"_s << QString()
            << u"viewer-vic holds only read on raize/platform: approving a promotion needs write, maintain or admin"_s;
        QTest::newRow("writer who is no required reviewer")
            << u"ops-olga"_s << QString() << u"ops-olga is not a required reviewer of production (required reviewers: oncall-lead"_s;
        QTest::newRow("a typed name is not the token's user")
            << u"oncall-lead"_s << u"sre-sam"_s << u"This profile's GitHub token belongs to oncall-lead, not sre-sam"_s;
        QTest::newRow("a token GitHub does not know")
            << u"token:ghp_revoked0000"_s << QString() << u"GitHub could not say who this profile's token belongs to"_s;
    }
    void refused()
    {
        QFETCH(QString, who);
        QFETCH(QString, typed);
        QFETCH(QString, expected);
        auto c = console(who);
        c->review(); // a bad token cannot read GitHub's facts either; the candidate comes from Vercel
        QVERIFY(c->session.hasReview());
        const auto [ok, message] = c->approve(typed);
        QVERIFY(!ok);
        QVERIFY2(message.contains(expected), qPrintable(message));
        // Nothing reached GitHub, and GitHub holds no approval.
        QCOMPARE(reviewPosts(), 0);
        QCOMPARE(run9102()["approvals"].size(), std::size_t(0));
        QVERIFY(c->approvers().isEmpty());
    }

    // Acceptance: an L3 candidate needs two distinct identities.
    void l3NeedsTwoDistinctIdentities()
    {
        // #431 becomes an L3 pull request.
        json s = scenario();
        for (json &p : s["github"]["pulls"]) {
            if (p["number"] == 431)
                p["labels"] = {"feature", "risk:L3"};
        }
        m_github->load(s["github"]);
        auto a = console(u"oncall-lead"_s);
        auto b = console(u"sre-sam"_s);
        QVERIFY(a->review());
        QCOMPARE(a->session.decision().neededApprovals, 2);

        auto [ok, message] = a->approve();
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(message.contains(u"1 of 2 approval(s)"_s), qPrintable(message));
        QVERIFY(a->session.decision().reasons.join(u'\n').contains(u"1 of 2 approval(s) from different people"_s));
        // The same person again is refused before anything is sent.
        const int posts = reviewPosts();
        std::tie(ok, message) = a->approve();
        QVERIFY(!ok);
        QVERIFY2(message.contains(u"oncall-lead already approved this review on GitHub (production)"_s), qPrintable(message));
        QCOMPARE(reviewPosts(), posts);

        // The second person approves the policy's second environment.
        QVERIFY(b->review());
        QCOMPARE(b->approvers(), QStringList{u"oncall-lead"_s});
        std::tie(ok, message) = b->approve();
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(message.contains(u"(environment production-second-approval): 2 of 2"_s), qPrintable(message));
        QVERIFY(a->review());
        QCOMPARE(a->approvers(), (QStringList{u"oncall-lead"_s, u"sre-sam"_s}));
        QVERIFY(!a->session.decision().reasons.join(u'\n').contains(u"approval(s)"_s));
    }

    // An approval made on GitHub without the console's digest (say, in GitHub's own page) is listed, not counted.
    void approvalWithoutDigestDoesNotCount()
    {
        auto a = console(u"oncall-lead"_s);
        QVERIFY(a->review());
        Services::GitHubClient &gh = a->github;
        bool done = false;
        gh.reviewPendingDeployment(9102, {1202}, true, u"LGTM"_s, [&](const Result<Services::GitHubReview> &r) {
            QVERIFY(r.ok());
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY(a->review());
        QVERIFY(a->approvers().isEmpty());
        QCOMPARE(a->session.ignoredApprovals().size(), 1);
        QVERIFY2(a->session.ignoredApprovals().first().contains(u"names no review digest"_s), qPrintable(a->session.ignoredApprovals().first()));
    }

    // GitHub's approvals unreadable: nothing is guessed, the promotion is blocked with the reason.
    void unreadableApprovalsBlock()
    {
        auto a = console(u"oncall-lead"_s);
        QVERIFY(a->review());
        QVERIFY(a->approve().first);
        QString err;
        const auto rule = Sandbox::FaultRule::fromJson({{"service", "github"}, {"path", "/approvals$"}, {"mode", "error"}, {"status", 502}}, &err);
        QVERIFY2(rule, qPrintable(err));
        m_faults.add(*rule);
        auto b = console(u"sre-sam"_s);
        QVERIFY(b->review());
        QVERIFY(b->approvers().isEmpty());
        QVERIFY(!b->session.decision().allowed);
        QVERIFY2(b->session.decision().reasons.join(u'\n').contains(u"the approvals cannot be read from GitHub"_s),
                 qPrintable(b->session.decision().reasons.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestPromotionIdentity)
#include "tst_promotion_identity.moc"
