// The typed GitHub client against the stateful GitHub fake, in-process: every
// operation once, pagination, conditional requests, read-backs of unclear
// mutations and defensive parsing.

#include "waitfor.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/github/githubclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QEventLoop>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::wait;
using RaizeTest::waitStatus;
using namespace Raize::Services;
using json = nlohmann::json;

namespace {

QString q(const json &j)
{
    return QString::fromStdString(j.get<std::string>());
}

QStringList labelNames(const GitHubPullRequest &p)
{
    QStringList out;
    for (const GitHubLabel &l : p.labels)
        out << l.name;
    return out;
}

} // namespace

class TestGitHubClient : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{7};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<GitHubClient> m_gh;

    void fault(const json &rule)
    {
        QString err;
        const auto r = Sandbox::FaultRule::fromJson(rule, &err);
        QVERIFY2(r, qPrintable(err));
        m_faults.add(*r);
    }

    QList<Sandbox::LoggedRequest> requests(const QString &pathPart, const QString &method = {}) const
    {
        QList<Sandbox::LoggedRequest> out;
        for (const auto &e : m_log.entries()) {
            if (e.path.contains(pathPart) && (method.isEmpty() || e.method == method))
                out << e;
        }
        return out;
    }
    int count(const QString &pathPart, const QString &method = {}) const { return int(requests(pathPart, method).size()); }

    json state() const { return m_github->state(); }
    QString mainHead() const { return q(state()["commits"].back()["sha"]); }
    QString commitSha(int index) const { return q(state()["commits"][size_t(index)]["sha"]); }
    json deployment(qint64 id) const
    {
        const json s = state();
        for (const json &d : s["deployments"]) {
            if (d["id"].get<qint64>() == id)
                return d;
        }
        return json();
    }
    QList<qint64> pendingEnvironments(qint64 runId) const
    {
        QList<qint64> out;
        const json s = state();
        for (const json &r : s["runs"]) {
            if (r["id"].get<qint64>() == runId) {
                for (const json &id : r["pending"])
                    out << id.get<qint64>();
            }
        }
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_server = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_server.get(), u"ghp_testtokentesttokentesttoken"_s);
        QVERIFY(m_server->listen(0));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::GitHub, u"ghp_testtokentesttokentesttoken"_s);
        m_http->setRetryPolicy({4, 50, 400, 120000});
        m_http->setGitHubMutationSpacing(0);
        m_gh = std::make_unique<GitHubClient>(*m_http, QUrl(m_server->baseUrl()), u"raize"_s, u"platform"_s);
    }

    void cleanup()
    {
        m_gh.reset();
        m_http.reset();
        m_github.reset();
        m_server.reset();
    }

    // --- compare --------------------------------------------------------------------------

    void compareListsTheCommitsBetweenTwoRefs()
    {
        const auto c = wait<GitHubComparison>([&](auto cb) { m_gh->compare(u"v1.4.0"_s, u"main"_s, cb); });
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QCOMPARE(c->status, u"ahead"_s);
        QCOMPARE(c->aheadBy, 5);
        QCOMPARE(c->behindBy, 0);
        QCOMPARE(c->totalCommits, 5);
        QCOMPARE(c->commits.size(), 5);
        // Oldest first: the commit after the tag, up to main's head.
        QCOMPARE(c->commits.first().sha, commitSha(1));
        QVERIFY(c->commits.first().message.startsWith(u"feat(scheduler)"_s));
        QCOMPARE(c->commits.last().sha, mainHead());
        QCOMPARE(c->commits[3].author, u"dependabot[bot]"_s);
        // Every file the range touched, once (the path rules of the promotion gates read them).
        QCOMPARE(c->files, (QStringList{u"src/scheduler/v2.ts"_s, u"src/flags.ts"_s, u"src/dm/dedupe.ts"_s, u"src/accounts/house.ts"_s,
                                        u"package-lock.json"_s, u"src/publish/retry.ts"_s}));

        const auto back = wait<GitHubComparison>([&](auto cb) { m_gh->compare(u"main"_s, u"v1.4.0"_s, cb); });
        QVERIFY(back.ok());
        QCOMPARE(back->status, u"behind"_s);
        QCOMPARE(back->behindBy, 5);
        QVERIFY(back->commits.isEmpty());

        const auto unknown = wait<GitHubComparison>([&](auto cb) { m_gh->compare(u"v0.0.1"_s, u"main"_s, cb); });
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().httpStatus, 404);
    }

    void compareFollowsPagesOfCommits()
    {
        m_gh->setPageSize(2);
        const auto c = wait<GitHubComparison>([&](auto cb) { m_gh->compare(u"v1.4.0"_s, mainHead(), cb); });
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QCOMPARE(c->commits.size(), 5);
        QCOMPARE(count(u"/compare/"_s, u"GET"_s), 3); // 2 + 2 + 1
        QCOMPARE(c->files.size(), 6); // listed on the first page only, read once
        QStringList shas;
        for (const GitHubCommit &commit : c->commits)
            shas << commit.sha;
        QCOMPARE(shas, (QStringList{commitSha(1), commitSha(2), commitSha(3), commitSha(4), commitSha(5)}));
    }

    // --- pull requests --------------------------------------------------------------------

    void pullRequestsByState()
    {
        const auto open = wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"open"_s, cb); });
        QVERIFY2(open.ok(), qPrintable(open.error().toString()));
        QCOMPARE(open->items.size(), 2);
        for (const GitHubPullRequest &p : open->items) {
            QCOMPARE(p.state, u"open"_s);
            QVERIFY(!p.merged());
        }
        const auto closed = wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"closed"_s, cb); });
        QCOMPARE(closed->items.size(), 6);
        const auto all = wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"all"_s, cb); });
        QCOMPARE(all->items.size(), 8);
        QVERIFY(!all->truncated);

        const auto it = std::find_if(all->items.cbegin(), all->items.cend(), [](const GitHubPullRequest &p) { return p.number == 412; });
        QVERIFY(it != all->items.cend());
        QCOMPARE(labelNames(*it), (QStringList{u"feature"_s, u"risk:L3"_s}));
        QCOMPARE(it->labels.first().color, u"a2eeef"_s);
        QCOMPARE(it->mergeCommitSha, commitSha(1));
        QVERIFY(it->merged());
        QCOMPARE(it->headRef, u"feat/scheduler-v2"_s);
        const json s = state();
        for (const json &p : s["pulls"]) {
            if (p["number"] == 412)
                QCOMPARE(it->headSha, q(p["head_sha"]));
        }
        const auto unmerged = std::find_if(all->items.cbegin(), all->items.cend(), [](const GitHubPullRequest &p) { return p.number == 419; });
        QVERIFY(unmerged != all->items.cend());
        QVERIFY(!unmerged->merged());
    }

    void pullRequestPaginationFollowsLinkToTheLastPage()
    {
        m_gh->setPageSize(3);
        const auto all = wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"all"_s, cb); });
        QVERIFY2(all.ok(), qPrintable(all.error().toString()));
        QCOMPARE(all->items.size(), 8);
        QVERIFY(!all->truncated);
        const auto pages = requests(u"/pulls"_s, u"GET"_s);
        QCOMPARE(pages.size(), 3);
        QVERIFY2(pages.last().query.contains(u"page=3"_s), qPrintable(pages.last().query));
        QVERIFY(pages.last().query.contains(u"state=all"_s)); // the filter survives the Link
        QSet<int> numbers;
        for (const GitHubPullRequest &p : all->items)
            numbers.insert(p.number);
        QCOMPARE(numbers.size(), 8); // no page twice, none skipped
    }

    void pullRequestPaginationStopsAtTheCap()
    {
        json pulls = json::array();
        for (int i = 0; i < 25; ++i)
            pulls.push_back({{"number", 500 + i}, {"title", "PR " + std::to_string(i)}, {"state", "open"}});
        m_github->load({{"pulls", pulls}});
        m_gh->setPageSize(2);
        const auto all = wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"open"_s, cb); });
        QVERIFY2(all.ok(), qPrintable(all.error().toString()));
        QCOMPARE(all->items.size(), GitHubClient::MaxPages * 2);
        QVERIFY(all->truncated);
        QCOMPARE(count(u"/pulls"_s, u"GET"_s), GitHubClient::MaxPages);
    }

    // A next page on another origin, or a Link that cannot be read: an error that says the list is incomplete,
    // and the token never goes to that other host.
    void paginationLinkProblems_data()
    {
        QTest::addColumn<QString>("link"); // %1: this server's origin, %2: another server's
        QTest::addColumn<QString>("problem"); // empty: followed
        QTest::addColumn<int>("items");
        QTest::newRow("same origin: followed") << u"<%1/repos/raize/platform/pulls?page=2>; rel=\"next\", <%1/repos/raize/platform/pulls?page=2>; rel=\"last\""_s
                                               << QString() << 2;
        QTest::newRow("relative: followed") << u"</repos/raize/platform/pulls?page=2>; rel=\"next\""_s << QString() << 2;
        QTest::newRow("unquoted rel: followed") << u"<%1/repos/raize/platform/pulls?page=2>; rel=next"_s << QString() << 2;
        QTest::newRow("prev only: the end") << u"<%1/repos/raize/platform/pulls?page=1>; rel=\"prev\""_s << QString() << 1;
        QTest::newRow("another port") << u"<%2/repos/raize/platform/pulls?page=2>; rel=\"next\""_s
                                      << u"its next page is on another origin"_s << 1;
        QTest::newRow("another host") << u"<http://localhost.test/repos/raize/platform/pulls?page=2>; rel=\"next\""_s
                                      << u"its next page is on another origin (http://localhost.test"_s << 1;
        QTest::newRow("another scheme") << u"<https://127.0.0.1/repos/raize/platform/pulls?page=2>; rel=\"next\""_s
                                        << u"another origin (https://127.0.0.1"_s << 1;
        QTest::newRow("no angle brackets") << u"%1/repos/raize/platform/pulls?page=2; rel=\"next\""_s << u"has no <URL>"_s << 1;
        QTest::newRow("not a URL") << u"<ftp://files.test/x>; rel=\"next\""_s << u"is not an http(s) URL"_s << 1;
    }

    void paginationLinkProblems()
    {
        QFETCH(QString, link);
        QFETCH(QString, problem);
        QFETCH(int, items);
        Sandbox::RequestLog otherLog;
        Sandbox::HttpServer other(u"github"_s, nullptr, &otherLog);
        other.route("GET", u".*"_s, [](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) { return Sandbox::HttpResponse::json(200, json::array()); });
        QVERIFY(other.listen(0));
        Sandbox::HttpServer server(u"github"_s, nullptr, &m_log);
        QString origin;
        server.route("GET", u"/repos/raize/platform/pulls"_s, [&](const Sandbox::HttpRequest &r, const QRegularExpressionMatch &) {
            const int page = r.queryValue(u"page"_s, u"1"_s).toInt();
            const json pull = {{"number", 500 + page}, {"title", "t"}, {"state", "closed"}, {"labels", json::array()},
                               {"merge_commit_sha", nullptr}, {"head", {{"sha", "abc"}, {"ref", "feat"}}}, {"base", {{"ref", "main"}}},
                               {"user", {{"login", "dev"}}}, {"merged_at", nullptr}};
            Sandbox::HttpResponse resp = Sandbox::HttpResponse::json(200, json::array({pull}));
            if (page == 1) {
                QString h = link;
                h.replace(u"%1"_s, origin).replace(u"%2"_s, other.baseUrl());
                resp.setHeader("Link", h.toUtf8());
            }
            return resp;
        });
        QVERIFY(server.listen(0));
        origin = server.baseUrl();
        if (origin.endsWith(u'/'))
            origin.chop(1);
        GitHubClient gh(*m_http, QUrl(server.baseUrl()), u"raize"_s, u"platform"_s);
        const auto all = wait<GitHubPullRequests>([&](auto cb) { gh.pullRequests(u"closed"_s, cb); });
        QCOMPARE(otherLog.entries().size(), 0); // never followed to another host
        if (problem.isEmpty()) {
            QVERIFY2(all.ok(), qPrintable(all.error().toString()));
            QCOMPARE(all->items.size(), items);
            return;
        }
        QVERIFY(!all.ok());
        QCOMPARE(all.error().kind, Error::Kind::Parse);
        QVERIFY2(all.error().message.startsWith(u"the list is incomplete: %1 item(s) read, then "_s.arg(items)), qPrintable(all.error().message));
        QVERIFY2(all.error().message.contains(problem), qPrintable(all.error().message));
        QVERIFY(!all.error().toString().contains(u"ghp_testtoken"_s));
    }

    void pullRequestDetail()
    {
        const auto p = wait<GitHubPullRequest>([&](auto cb) { m_gh->pullRequest(427, cb); });
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QCOMPARE(p->number, 427);
        QCOMPARE(p->title, u"Canary dashboard for rolling releases"_s);
        QCOMPARE(p->state, u"open"_s);
        QCOMPARE(p->headRef, u"feat/canary-dashboard"_s);
        QCOMPARE(p->baseRef, u"main"_s);
        QCOMPARE(p->author, u"dev-cy"_s);
        QVERIFY(!p->merged());

        const auto merged = wait<GitHubPullRequest>([&](auto cb) { m_gh->pullRequest(425, cb); });
        QVERIFY(merged->merged());
        QCOMPARE(merged->mergeCommitSha, mainHead());
        QCOMPARE(merged->mergedAt.timeSpec(), Qt::UTC);

        const auto missing = wait<GitHubPullRequest>([&](auto cb) { m_gh->pullRequest(9999, cb); });
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, Error::Kind::Http);
        QCOMPARE(missing.error().httpStatus, 404);
    }

    // --- checks and statuses --------------------------------------------------------------

    void checkRunsForARef()
    {
        const auto runs = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"main"_s, cb); });
        QVERIFY2(runs.ok(), qPrintable(runs.error().toString()));
        QStringList names;
        for (const GitHubCheckRun &r : runs.value()) {
            names << r.name;
            QCOMPARE(r.status, u"completed"_s);
            QCOMPARE(r.conclusion, u"success"_s);
            QCOMPARE(r.headSha, mainHead());
        }
        names.sort();
        QCOMPARE(names, (QStringList{u"build"_s, u"lint"_s, u"test"_s}));

        // An open pull request's head: one still running, without a conclusion.
        const auto pr = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"feat/canary-dashboard"_s, cb); });
        QVERIFY(pr.ok());
        QCOMPARE(pr->size(), 2);
        const auto test = std::find_if(pr->cbegin(), pr->cend(), [](const GitHubCheckRun &r) { return r.name == u"test"_s; });
        QVERIFY(test != pr->cend());
        QCOMPARE(test->status, u"in_progress"_s);
        QVERIFY(test->conclusion.isEmpty());
    }

    void checkRunsNotModifiedCostsNoBudget()
    {
        const int before = m_github->remaining();
        QList<GitHubCheckRun> first;
        for (int i = 0; i < 3; ++i) {
            const auto runs = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(mainHead(), cb); });
            QVERIFY2(runs.ok(), qPrintable(runs.error().toString()));
            QCOMPARE(runs->size(), 3); // the cached body, parsed again
            if (i == 0)
                first = runs.value();
            else
                QCOMPARE(runs->first().id, first.first().id);
        }
        QCOMPARE(m_github->remaining(), before - 1);
        const auto log = requests(u"/check-runs"_s);
        QCOMPARE(log.size(), 3);
        QCOMPARE(log[0].status, 200);
        QCOMPARE(log[1].status, 304);
        QCOMPARE(log[2].status, 304);
    }

    void aBrokenAnswerDoesNotStickInTheETagCache()
    {
        // The body is broken on the way (the ETag is still the real one's): the next poll must not
        // get the broken body back from a 304.
        fault({{"mode", "malformed_json"}, {"path", "/check-runs"}, {"count", 1}, {"service", "github"}});
        const auto broken = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"main"_s, cb); });
        QCOMPARE(broken.error().kind, Error::Kind::Parse);
        const auto healed = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"main"_s, cb); });
        QVERIFY2(healed.ok(), qPrintable(healed.error().toString()));
        QCOMPARE(healed->size(), 3);
        const auto cached = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"main"_s, cb); });
        QVERIFY(cached.ok());
        QCOMPARE(cached->size(), 3);
        const auto log = requests(u"/check-runs"_s);
        QCOMPARE(log.size(), 3);
        QCOMPARE(log[1].status, 200); // unconditional
        QCOMPARE(log[2].status, 304); // and conditional again
    }

    void combinedStatus()
    {
        const auto s = wait<GitHubCombinedStatus>([&](auto cb) { m_gh->combinedStatus(u"main"_s, cb); });
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(s->state, u"success"_s);
        QCOMPARE(s->sha, mainHead());
        QCOMPARE(s->totalCount, 1);
        QCOMPARE(s->contexts.size(), 1);
        QCOMPARE(s->contexts.first().context, u"deploy/vercel"_s);
        QCOMPARE(s->contexts.first().state, u"success"_s);

        const auto pending = wait<GitHubCombinedStatus>([&](auto cb) { m_gh->combinedStatus(u"feat/canary-dashboard"_s, cb); });
        QCOMPARE(pending->state, u"pending"_s);

        // The latest status of a context counts: a failure after a success fails the commit.
        m_github->load({{"statuses", {{{"ref", "main"}, {"context", "ci/e2e"}, {"state", "success"}},
                                      {{"ref", "main"}, {"context", "ci/e2e"}, {"state", "failure"}, {"description", "3 failed"}},
                                      {{"ref", "main"}, {"context", "security"}, {"state", "success"}}}}});
        const auto failed = wait<GitHubCombinedStatus>([&](auto cb) { m_gh->combinedStatus(u"main"_s, cb); });
        QVERIFY(failed.ok());
        QCOMPARE(failed->state, u"failure"_s);
        QCOMPARE(failed->totalCount, 2);
        const auto e2e = std::find_if(failed->contexts.cbegin(), failed->contexts.cend(),
                                      [](const GitHubStatusContext &c) { return c.context == u"ci/e2e"_s; });
        QVERIFY(e2e != failed->contexts.cend());
        QCOMPARE(e2e->state, u"failure"_s);
        QCOMPARE(e2e->description, u"3 failed"_s);
    }

    // --- branch protection ----------------------------------------------------------------

    void requiredChecksOfAProtectedBranch()
    {
        const auto c = wait<GitHubRequiredChecks>([&](auto cb) { m_gh->requiredChecks(u"main"_s, cb); });
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QVERIFY(!c->unprotected);
        QVERIFY(c->strict);
        QCOMPARE(c->contexts, (QStringList{u"build"_s, u"test"_s}));
        QCOMPARE(c->requiredApprovals, 1);
    }

    void branchWithoutProtectionIsUnprotectedNotAnError()
    {
        const auto c = wait<GitHubRequiredChecks>([&](auto cb) { m_gh->requiredChecks(u"feat/canary-dashboard"_s, cb); });
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QVERIFY(c->unprotected);
        QVERIFY(c->contexts.isEmpty());
        // The branch name (with its slash) reached GitHub, which said 404.
        const auto log = requests(u"/protection"_s);
        QCOMPARE(log.size(), 1);
        QCOMPARE(log.first().status, 404);

        // A branch that does not exist is a real error, not "unprotected".
        const auto missing = wait<GitHubRequiredChecks>([&](auto cb) { m_gh->requiredChecks(u"no-such-branch"_s, cb); });
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().httpStatus, 404);

        // Protected, but with no status checks required.
        m_github->load({{"protection", json::object({{"main", json::object({{"requiredApprovals", 2}})}})}});
        const auto reviewsOnly = wait<GitHubRequiredChecks>([&](auto cb) { m_gh->requiredChecks(u"main"_s, cb); });
        QVERIFY2(reviewsOnly.ok(), qPrintable(reviewsOnly.error().toString()));
        QVERIFY(!reviewsOnly->unprotected);
        QVERIFY(reviewsOnly->contexts.isEmpty());
        QCOMPARE(reviewsOnly->requiredApprovals, 2);
    }

    // --- environments and workflow runs ---------------------------------------------------

    void environments()
    {
        const auto envs = wait<QList<GitHubEnvironment>>([&](auto cb) { m_gh->environments(cb); });
        QVERIFY2(envs.ok(), qPrintable(envs.error().toString()));
        QCOMPARE(envs->size(), 2);
        QCOMPARE(envs->at(0).name, u"staging"_s);
        QVERIFY(envs->at(0).reviewers.isEmpty());
        QCOMPARE(envs->at(1).name, u"production"_s);
        QCOMPARE(envs->at(1).id, qint64(1202));
        QCOMPARE(envs->at(1).reviewers, (QStringList{u"release-bot"_s, u"oncall-lead"_s}));
        QCOMPARE(envs->at(1).waitTimer, 0);

        m_github->load({{"environments", json::array({{{"id", 77}, {"name", "canary"}, {"waitTimer", 15}, {"reviewers", json::array({"sre-lead"})}}})}});
        const auto canary = wait<QList<GitHubEnvironment>>([&](auto cb) { m_gh->environments(cb); });
        QVERIFY(canary.ok());
        QCOMPARE(canary->size(), 1);
        QCOMPARE(canary->first().id, qint64(77));
        QCOMPARE(canary->first().waitTimer, 15);
        QCOMPARE(canary->first().reviewers, QStringList{u"sre-lead"_s});
    }

    void workflowRunsForACommit()
    {
        const auto runs = wait<QList<GitHubWorkflowRun>>([&](auto cb) { m_gh->workflowRuns(mainHead(), cb); });
        QVERIFY2(runs.ok(), qPrintable(runs.error().toString()));
        QCOMPARE(runs->size(), 2);
        QCOMPARE(runs->at(0).id, qint64(9001)); // newest first
        QCOMPARE(runs->at(0).name, u"Deploy"_s);
        QCOMPARE(runs->at(0).status, u"waiting"_s);
        QCOMPARE(runs->at(1).id, qint64(9000));
        QCOMPARE(runs->at(1).conclusion, u"success"_s);
        for (const GitHubWorkflowRun &r : runs.value()) {
            QCOMPARE(r.headSha, mainHead());
            QCOMPARE(r.headBranch, u"main"_s);
        }
        const auto older = wait<QList<GitHubWorkflowRun>>([&](auto cb) { m_gh->workflowRuns(commitSha(4), cb); });
        QVERIFY(older.ok());
        QCOMPARE(older->size(), 1);
        QCOMPARE(older->first().id, qint64(8990));
    }

    void pendingDeployments()
    {
        const auto pending = wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(9001, cb); });
        QVERIFY2(pending.ok(), qPrintable(pending.error().toString()));
        QCOMPARE(pending->size(), 1);
        QCOMPARE(pending->first().environmentId, qint64(1202));
        QCOMPARE(pending->first().environment, u"production"_s);
        QVERIFY(pending->first().currentUserCanApprove);
        QVERIFY(pending->first().reviewers.contains(u"oncall-lead"_s));
        QVERIFY(!pending->first().waitTimerStartedAt.isValid()); // no wait timer on production

        const auto none = wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(8990, cb); });
        QVERIFY(none.ok());
        QVERIFY(none->isEmpty());

        const auto noRun = wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(1, cb); });
        QCOMPARE(noRun.error().httpStatus, 404);
    }

    void reviewApprovesOnceAndGitHubRefusesASecondReview()
    {
        const auto review = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, true, u"ship it"_s, cb); });
        QVERIFY2(review.ok(), qPrintable(review.error().toString()));
        QVERIFY(!review->confirmedByReadBack);
        QCOMPARE(review->deployments.size(), 1);
        QCOMPARE(review->deployments.first().environment, u"production"_s);
        QCOMPARE(review->deployments.first().sha, mainHead());
        QVERIFY(pendingEnvironments(9001).isEmpty());
        QVERIFY(!deployment(review->deployments.first().id).is_null());

        const auto again = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, true, u"ship it"_s, cb); });
        QVERIFY(!again.ok());
        QCOMPARE(again.error().httpStatus, 422);
        QCOMPARE(count(u"/pending_deployments"_s, u"POST"_s), 2);
    }

    // --- identity, permission and approvals (issue #17) ---------------------------------------------

    // Who a token belongs to, and that user's role: each person's own token names them.
    void identityAndPermission_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("login"); // empty: GitHub refuses the token
        QTest::addColumn<QString>("role");
        QTest::addColumn<bool>("maySubmit");
        QTest::newRow("the profile's bot token") << u"ghp_testtokentesttokentesttoken"_s << u"release-bot"_s << u"admin"_s << true;
        QTest::newRow("a writer") << u"oncall-lead-token"_s << u"oncall-lead"_s << u"write"_s << true;
        QTest::newRow("a maintainer (GitHub says write, role_name maintain)") << u"sre-sam-token"_s << u"sre-sam"_s << u"maintain"_s << true;
        QTest::newRow("a reader") << u"viewer-vic-token"_s << u"viewer-vic"_s << u"read"_s << false;
        QTest::newRow("a revoked token") << u"ghp_revoked"_s << QString() << QString() << false;
    }
    void identityAndPermission()
    {
        QFETCH(QString, token);
        QFETCH(QString, login);
        QFETCH(QString, role);
        QFETCH(bool, maySubmit);
        json users = json::array({{{"login", "oncall-lead"}, {"permission", "write"}},
                                  {{"login", "sre-sam"}, {"permission", "maintain"}},
                                  {{"login", "viewer-vic"}, {"permission", "read"}}});
        m_github->load({{"users", users}});
        m_http->setToken(Service::GitHub, token);
        const auto me = wait<GitHubUser>([&](auto cb) { m_gh->currentUser(cb); });
        if (login.isEmpty()) {
            QVERIFY(!me.ok());
            QCOMPARE(me.error().kind, Error::Kind::Auth);
            QCOMPARE(me.error().httpStatus, 401);
            return;
        }
        QVERIFY2(me.ok(), qPrintable(me.error().toString()));
        QCOMPARE(me->login, login);
        const auto p = wait<GitHubPermission>([&](auto cb) { m_gh->collaboratorPermission(me->login, cb); });
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QVERIFY(p->collaborator);
        QCOMPARE(p->role(), role);
        QCOMPARE(p->maySubmit(), maySubmit);
        // Someone who is no collaborator: GitHub's 404 is an answer ("none"), not an error.
        const auto stranger = wait<GitHubPermission>([&](auto cb) { m_gh->collaboratorPermission(u"dependabot[bot]"_s, cb); });
        QVERIFY2(stranger.ok(), qPrintable(stranger.error().toString()));
        QVERIFY(!stranger->collaborator);
        QCOMPARE(stranger->role(), u"none"_s);
        QVERIFY(!stranger->maySubmit());
    }

    // The run's approvals name who approved which environment, with the comment: what every console reads back.
    void runApprovalsNameTheReviewer()
    {
        m_github->load({{"users", json::array({{{"login", "oncall-lead"}, {"permission", "write"}}})}});
        const auto before = wait<QList<GitHubRunApproval>>([&](auto cb) { m_gh->runApprovals(9001, cb); });
        QVERIFY2(before.ok(), qPrintable(before.error().toString()));
        QVERIFY(before->isEmpty());
        m_http->setToken(Service::GitHub, u"oncall-lead-token"_s);
        const auto pending = wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(9001, cb); });
        QVERIFY(pending.ok() && pending->first().currentUserCanApprove);
        const auto review = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, true, u"ship it\nraize-digest: x"_s, cb); });
        QVERIFY2(review.ok(), qPrintable(review.error().toString()));
        QVERIFY(deployment(review->deployments.first().id)["creator"] == "oncall-lead");
        m_http->setToken(Service::GitHub, u"ghp_testtokentesttokentesttoken"_s); // another console reads it back
        const auto after = wait<QList<GitHubRunApproval>>([&](auto cb) { m_gh->runApprovals(9001, cb); });
        QVERIFY2(after.ok(), qPrintable(after.error().toString()));
        QCOMPARE(after->size(), 1);
        QCOMPARE(after->first().login, u"oncall-lead"_s);
        QCOMPARE(after->first().state, u"approved"_s);
        QCOMPARE(after->first().comment, u"ship it\nraize-digest: x"_s);
        QCOMPARE(after->first().environments, QStringList{u"production"_s});
        QCOMPARE(after->first().environmentIds, QList<qint64>{1202});
        const auto noRun = wait<QList<GitHubRunApproval>>([&](auto cb) { m_gh->runApprovals(1, cb); });
        QCOMPARE(noRun.error().httpStatus, 404);
    }

    // A reader (no write) is no eligible reviewer: GitHub says so and refuses the review.
    void aReaderCannotReview()
    {
        m_github->load({{"environments", json::array({{{"id", 1202}, {"name", "production"}, {"reviewers", {"viewer-vic"}}}})},
                        {"users", json::array({{{"login", "viewer-vic"}, {"permission", "read"}}})}});
        m_http->setToken(Service::GitHub, u"viewer-vic-token"_s);
        const auto pending = wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(9001, cb); });
        QVERIFY2(pending.ok(), qPrintable(pending.error().toString()));
        QVERIFY(!pending->first().currentUserCanApprove);
        const auto review = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, true, u"ship it"_s, cb); });
        QVERIFY(!review.ok());
        QCOMPARE(review.error().httpStatus, 422);
        QVERIFY2(review.error().message.contains(u"viewer-vic is not a required reviewer with write access"_s), qPrintable(review.error().message));
    }

    // Malformed approvals are a parse error that names the field, never an empty list.
    void brokenApprovalsAreParseErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("not a list") << QByteArray(R"({"approvals":[]})") << QString();
        QTest::newRow("no user") << QByteArray(R"([{"state":"approved","comment":"","environments":[]}])") << u"user"_s;
        QTest::newRow("no state") << QByteArray(R"([{"user":{"login":"a"},"comment":"","environments":[]}])") << u"state"_s;
        QTest::newRow("not JSON") << QByteArray("<html>") << QString();
    }
    void brokenApprovalsAreParseErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const auto parsed = GitHubClient::parseRunApprovals(body);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().kind, Error::Kind::Parse);
        if (!field.isEmpty())
            QVERIFY2(parsed.error().fieldPath.contains(field) || parsed.error().message.contains(field), qPrintable(parsed.error().toString()));
    }

    void reviewRejects()
    {
        const auto review = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, false, u"error budget spent"_s, cb); });
        QVERIFY2(review.ok(), qPrintable(review.error().toString()));
        QVERIFY(review->deployments.isEmpty());
        QVERIFY(pendingEnvironments(9001).isEmpty());
        const json s = state();
        for (const json &r : s["runs"]) {
            if (r["id"] == 9001)
                QVERIFY(r["conclusion"] == "failure");
        }
        // The request carried what the spec requires.
        const json body = json::parse(requests(u"/pending_deployments"_s, u"POST"_s).first().body.toStdString());
        QVERIFY(body["environment_ids"] == json::array({1202}));
        QVERIFY(body["state"] == "rejected");
        QVERIFY(body["comment"] == "error budget spent");
    }

    void reviewAfterResetIsReadBackNotResent()
    {
        // Applied, then the connection drops: the client must look, not send it again.
        fault({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}, {"service", "github"}});
        const auto review = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, true, u"ship it"_s, cb); });
        QVERIFY2(review.ok(), qPrintable(review.error().toString()));
        QVERIFY(review->confirmedByReadBack);
        QCOMPARE(count(u"/pending_deployments"_s, u"POST"_s), 1);
        QVERIFY(count(u"/pending_deployments"_s, u"GET"_s) >= 1); // the read-back
        QVERIFY(pendingEnvironments(9001).isEmpty());
    }

    void reviewLostBeforeItArrivedIsSentAgainAfterLooking()
    {
        // Dropped before the fake applied it: still pending, so the client sends it again.
        fault({{"mode", "reset"}, {"method", "POST"}, {"count", 1}, {"service", "github"}});
        const auto review = wait<GitHubReview>([&](auto cb) { m_gh->reviewPendingDeployment(9001, {1202}, true, u"ship it"_s, cb); });
        QVERIFY2(review.ok(), qPrintable(review.error().toString()));
        QVERIFY(!review->confirmedByReadBack);
        QCOMPARE(review->deployments.size(), 1);
        QStringList sequence;
        for (const auto &e : requests(u"/pending_deployments"_s))
            sequence << e.method;
        QCOMPARE(sequence, (QStringList{u"POST"_s, u"GET"_s, u"POST"_s}));
    }

    // --- deployments ----------------------------------------------------------------------

    void deploymentsFilteredByEnvironmentAndSha()
    {
        const auto staging = wait<QList<GitHubDeployment>>([&](auto cb) { m_gh->deployments(u"staging"_s, {}, cb); });
        QVERIFY2(staging.ok(), qPrintable(staging.error().toString()));
        QCOMPARE(staging->size(), 2);
        QCOMPARE(staging->at(0).id, qint64(7003)); // newest first
        QCOMPARE(staging->at(1).id, qint64(7002));
        for (const GitHubDeployment &d : staging.value())
            QCOMPARE(d.environment, u"staging"_s);

        const auto atHead = wait<QList<GitHubDeployment>>([&](auto cb) { m_gh->deployments({}, mainHead(), cb); });
        QCOMPARE(atHead->size(), 1);
        QCOMPARE(atHead->first().id, qint64(7003));

        const auto production = wait<QList<GitHubDeployment>>([&](auto cb) { m_gh->deployments(u"production"_s, {}, cb); });
        QCOMPARE(production->size(), 1);
        QCOMPARE(production->first().ref, u"v1.4.0"_s);
        QCOMPARE(production->first().sha, commitSha(0));
        QCOMPARE(production->first().creator, u"release-bot"_s);
        QVERIFY(production->first().createdAt.isValid());
    }

    void createDeploymentRecordsIt()
    {
        const auto d = wait<GitHubDeployment>([&](auto cb) { m_gh->createDeployment(u"main"_s, u"production"_s, u"Release v1.5.0"_s, cb); });
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(d->ref, u"main"_s);
        QCOMPARE(d->sha, mainHead());
        QCOMPARE(d->environment, u"production"_s);
        QCOMPARE(d->description, u"Release v1.5.0"_s);
        const json stored = deployment(d->id);
        QVERIFY(!stored.is_null());
        QVERIFY(stored["environment"] == "production");
        QVERIFY(stored["sha"] == mainHead().toStdString());
        // auto_merge is off so the deployment never merges the default branch into the ref.
        const json body = json::parse(requests(u"/deployments"_s, u"POST"_s).first().body.toStdString());
        QVERIFY(body["auto_merge"] == false);
    }

    void createDeploymentIsRefusedWhileChecksFail()
    {
        m_github->load({{"checkRuns", {{{"ref", "main"}, {"name", "build"}}, {{"ref", "main"}, {"name", "test"}, {"conclusion", "failure"}}}}});
        const std::size_t before = state()["deployments"].size();
        const auto d = wait<GitHubDeployment>([&](auto cb) { m_gh->createDeployment(u"main"_s, u"production"_s, u"Release v1.5.0"_s, cb); });
        QVERIFY(!d.ok());
        QCOMPARE(d.error().kind, Error::Kind::Conflict);
        QCOMPARE(d.error().httpStatus, 409);
        QVERIFY2(d.error().message.contains(u"status checks failed"_s), qPrintable(d.error().message));
        QCOMPARE(state()["deployments"].size(), before);
        QCOMPARE(count(u"/deployments"_s, u"POST"_s), 1); // a refusal is an answer: not retried
    }

    void createDeploymentAfterResetIsReadBackNotResent()
    {
        m_github->load({{"deployments", json::array()}});
        fault({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}, {"service", "github"}});
        const auto d = wait<GitHubDeployment>([&](auto cb) { m_gh->createDeployment(u"main"_s, u"production"_s, u"Release v1.5.0"_s, cb); });
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(state()["deployments"].size(), std::size_t(1));
        QCOMPARE(count(u"/deployments"_s, u"POST"_s), 1);
        QVERIFY(count(u"/deployments"_s, u"GET"_s) >= 1); // the read-back
        QCOMPARE(d->id, state()["deployments"][0]["id"].get<qint64>()); // the one the lost answer was about
        QCOMPARE(d->environment, u"production"_s);
    }

    void createDeploymentLostBeforeItArrivedIsSentAgain()
    {
        m_github->load({{"deployments", json::array()}});
        fault({{"mode", "reset"}, {"method", "POST"}, {"count", 1}, {"service", "github"}});
        const auto d = wait<GitHubDeployment>([&](auto cb) { m_gh->createDeployment(u"main"_s, u"production"_s, u"Release v1.5.0"_s, cb); });
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(state()["deployments"].size(), std::size_t(1));
        QCOMPARE(count(u"/deployments"_s, u"POST"_s), 2);
    }

    void olderDeploymentsDoNotCountAsTheReadBack()
    {
        // A deployment of the same ref and environment from before the call is not this call's.
        m_github->load({{"deployments", json::array({{{"ref", "main"}, {"environment", "production"}}})}});
        fault({{"mode", "reset"}, {"method", "POST"}, {"count", 1}, {"service", "github"}});
        const auto d = wait<GitHubDeployment>([&](auto cb) { m_gh->createDeployment(u"main"_s, u"production"_s, u"Release v1.5.0"_s, cb); });
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(state()["deployments"].size(), std::size_t(2));
        QCOMPARE(count(u"/deployments"_s, u"POST"_s), 2);
    }

    void deploymentStatuses()
    {
        const auto statuses = wait<QList<GitHubDeploymentStatus>>([&](auto cb) { m_gh->deploymentStatuses(7001, cb); });
        QVERIFY2(statuses.ok(), qPrintable(statuses.error().toString()));
        QCOMPARE(statuses->size(), 2);
        QCOMPARE(statuses->at(0).state, u"success"_s); // newest first
        QCOMPARE(statuses->at(0).environmentUrl, u"https://raize.example"_s);
        QCOMPARE(statuses->at(1).state, u"in_progress"_s);

        const auto missing = wait<QList<GitHubDeploymentStatus>>([&](auto cb) { m_gh->deploymentStatuses(1, cb); });
        QCOMPARE(missing.error().httpStatus, 404);
    }

    void createDeploymentStatusAppendsOne()
    {
        const QString longText = QString(200, u'x');
        const auto s = wait<GitHubDeploymentStatus>([&](auto cb) {
            m_gh->createDeploymentStatus(7003, u"in_progress"_s, longText, u"https://ci.example/runs/1"_s, cb);
        });
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(s->state, u"in_progress"_s);
        QCOMPARE(s->description.size(), 140); // cut to GitHub's limit instead of a 422
        QCOMPARE(s->logUrl, u"https://ci.example/runs/1"_s);
        QCOMPARE(s->environment, u"staging"_s);
        const json stored = deployment(7003)["statuses"];
        QCOMPARE(stored.size(), std::size_t(2));
        QVERIFY(stored.back()["state"] == "in_progress");

        const auto bad = wait<GitHubDeploymentStatus>([&](auto cb) { m_gh->createDeploymentStatus(7003, u"done"_s, {}, {}, cb); });
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().httpStatus, 422);
        QCOMPARE(deployment(7003)["statuses"].size(), std::size_t(2));
    }

    void createDeploymentStatusAfterResetIsReadBackNotResent()
    {
        const std::size_t before = deployment(7001)["statuses"].size();
        fault({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}, {"service", "github"}});
        const auto s = wait<GitHubDeploymentStatus>([&](auto cb) { m_gh->createDeploymentStatus(7001, u"inactive"_s, u"rolled back"_s, {}, cb); });
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(s->state, u"inactive"_s);
        QCOMPARE(deployment(7001)["statuses"].size(), before + 1);
        QCOMPARE(count(u"/statuses"_s, u"POST"_s), 1);
    }

    // --- issues ---------------------------------------------------------------------------

    void createIssueFilesIt()
    {
        const auto i = wait<GitHubIssue>([&](auto cb) { m_gh->createIssue(u"P1: publish failures"_s, u"details"_s, {u"incident"_s}, cb); });
        QVERIFY2(i.ok(), qPrintable(i.error().toString()));
        QCOMPARE(i->number, 400);
        QCOMPARE(i->title, u"P1: publish failures"_s);
        QVERIFY(i->htmlUrl.endsWith(u"/issues/400"_s));
        QCOMPARE(state()["issues"].size(), std::size_t(1));
        QVERIFY(state()["issues"][0]["labels"] == json::array({"incident"}));
    }

    void unclearIssueCreationIsReportedNotResent()
    {
        fault({{"mode", "reset"}, {"method", "POST"}, {"afterHandler", true}, {"count", 1}, {"service", "github"}});
        const auto i = wait<GitHubIssue>([&](auto cb) { m_gh->createIssue(u"P1: publish failures"_s, u"details"_s, {}, cb); });
        QVERIFY(!i.ok());
        QVERIFY2(i.error().remedy.contains(u"issues of raize/platform"_s), qPrintable(i.error().remedy));
        QVERIFY(i.error().remedy.contains(u"P1: publish failures"_s));
        QVERIFY(i.error().message.contains(u"unknown whether the issue was created"_s));
        QCOMPARE(count(u"/issues"_s, u"POST"_s), 1);
        QCOMPARE(state()["issues"].size(), std::size_t(1)); // it did happen; the operator is told to look
    }

    // --- defensive parsing ----------------------------------------------------------------

    void brokenAnswersAreParseErrors_data()
    {
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expectedPath");
        QTest::newRow("check runs without head_sha") << u"checkRuns"_s << u"schema_break"_s << u"head_sha"_s << u"check_runs[0].head_sha"_s;
        QTest::newRow("environments without name") << u"environments"_s << u"schema_break"_s << u"name"_s << u"environments[0].name"_s;
        QTest::newRow("deployments without sha") << u"deployments"_s << u"schema_break"_s << u"sha"_s << u"[0].sha"_s;
        QTest::newRow("pending without approval flag")
            << u"pendingDeployments"_s << u"schema_break"_s << u"current_user_can_approve"_s << u"[0].current_user_can_approve"_s;
        QTest::newRow("combined status without state") << u"combinedStatus"_s << u"schema_break"_s << u"state"_s << u"state"_s;
        QTest::newRow("pull request without title") << u"pullRequest"_s << u"schema_break"_s << u"title"_s << u"title"_s;
        QTest::newRow("compare without ahead_by") << u"compare"_s << u"schema_break"_s << u"ahead_by"_s << u"ahead_by"_s;
        QTest::newRow("compare malformed") << u"compare"_s << u"malformed_json"_s << QString() << QString();
        QTest::newRow("pulls truncated") << u"pullRequests"_s << u"truncated_json"_s << QString() << QString();
        QTest::newRow("workflow runs truncated") << u"workflowRuns"_s << u"truncated_json"_s << QString() << QString();
        QTest::newRow("check runs malformed") << u"checkRuns"_s << u"malformed_json"_s << QString() << QString();
    }

    void brokenAnswersAreParseErrors()
    {
        QFETCH(QString, operation);
        QFETCH(QString, mode);
        QFETCH(QString, field);
        QFETCH(QString, expectedPath);
        fault({{"mode", mode.toStdString()}, {"field", field.toStdString()}, {"method", "GET"}, {"count", 1}, {"service", "github"}});
        Error e;
        const auto check = [&e](const auto &result) {
            QVERIFY2(!result.ok(), "a broken answer was accepted");
            e = result.error();
        };
        if (operation == u"checkRuns"_s)
            check(wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"main"_s, cb); }));
        else if (operation == u"environments"_s)
            check(wait<QList<GitHubEnvironment>>([&](auto cb) { m_gh->environments(cb); }));
        else if (operation == u"deployments"_s)
            check(wait<QList<GitHubDeployment>>([&](auto cb) { m_gh->deployments({}, {}, cb); }));
        else if (operation == u"pendingDeployments"_s)
            check(wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(9001, cb); }));
        else if (operation == u"combinedStatus"_s)
            check(wait<GitHubCombinedStatus>([&](auto cb) { m_gh->combinedStatus(u"main"_s, cb); }));
        else if (operation == u"pullRequest"_s)
            check(wait<GitHubPullRequest>([&](auto cb) { m_gh->pullRequest(412, cb); }));
        else if (operation == u"pullRequests"_s)
            check(wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"all"_s, cb); }));
        else if (operation == u"compare"_s)
            check(wait<GitHubComparison>([&](auto cb) { m_gh->compare(u"v1.4.0"_s, u"main"_s, cb); }));
        else if (operation == u"workflowRuns"_s)
            check(wait<QList<GitHubWorkflowRun>>([&](auto cb) { m_gh->workflowRuns({}, cb); }));
        else
            QFAIL("unknown operation");
        QCOMPARE(e.kind, Error::Kind::Parse);
        QCOMPARE(e.service, u"github"_s);
        QVERIFY(!e.remedy.isEmpty());
        if (expectedPath.isEmpty())
            QVERIFY2(e.message.contains(u"not valid JSON"_s), qPrintable(e.message));
        else
            QCOMPARE(e.fieldPath, expectedPath);
        // Only the one broken answer: a parse error is not retried.
        int gets = 0;
        for (const auto &entry : m_log.entries())
            gets += entry.method == u"GET"_s ? 1 : 0;
        QCOMPARE(gets, 1);
    }
};

QTEST_GUILESS_MAIN(TestGitHubClient)
#include "tst_github_client.moc"
