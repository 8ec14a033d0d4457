#pragma once

#include "http/httpserver.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>

namespace Raize::Sandbox {

// A stateful simulation of the GitHub REST endpoints for one repository
// (shared/api-specs/ENDPOINTS.md): releases (list, latest, create,
// generate-notes), issues (list, create) and their comments (list, create, edit), pull requests, compare, contents at a ref, check runs,
// combined status, branch protection, environments, workflow runs and their
// pending deployments (review), deployments and deployment statuses, and
// /rate_limit. Every answer carries X-RateLimit-* headers; GETs carry an ETag
// and a matching If-None-Match gets a 304 that costs no budget; lists page
// with per_page/page and a Link header (rel="next"/"last").
//
// The scenario's "github" part (every key optional; an empty object serves a
// plausible repository):
//   "releases":     [{"tag", "name", "body", "draft"}]
//   "commits":      [{"sha"?, "message", "author", "tags": ["v1.4.0"], "files": [path],
//                     "contents": {path: text}}]      oldest first; the last one is main's head;
//                   the contents API serves a file as the last commit up to the ref wrote it
//   "pulls":        [{"number", "title", "state", "labels": ["bug" | {"name","color"}], "head", "headSha"?,
//                     "base", "mergeCommitSha"?, "mergedAt"?, "author", "body"}]
//   "checkRuns":    [{"ref" | "sha", "name", "status", "conclusion"}]
//   "statuses":     [{"ref" | "sha", "context", "state", "description"}]
//   "protection":   {"main": {"strict", "contexts": [...], "requiredApprovals", "allowForcePushes"}}
//   "environments": [{"id", "name", "reviewers": ["login"], "waitTimer", "protectedBranches"}]
//   "runs":         [{"id", "name", "headBranch", "headSha"?, "status", "conclusion", "event", "pending": [environment id]}]
//   "deployments":  [{"id"?, "ref", "sha"?, "environment", "task", "description",
//                     "statuses": [{"state", "description", "logUrl", "environmentUrl"}]}]
// Writes on files (githubfakejournal.cpp): branches made with POST git/refs hold their own files
// (GET git/ref/heads/{branch}; GET contents?ref={branch} serves a branch's file, else main's at the
// branch's start); PUT contents commits to a branch with GitHub's sha guard (409 on a stale sha,
// 422 without one, 409 on protected main); POST pulls opens a pull request from a branch.
//   "users":        [{"login", "token", "permission": "admin|maintain|write|triage|read" | null}]
//                   further people with their own tokens (GET /user names them; null: no collaborator).
//                   The constructor's token is release-bot's (admin). Without "users": oncall-lead,
//                   sre-sam (write), dev-ana (write, an author), viewer-vic (read), each with the
//                   token "<login>-token".
// An environment review is made by the token's user: current_user_can_approve and the review need
// a required reviewer with write, maintain or admin; GET runs/{id}/approvals lists them by login.
// A "ref" is a branch (main, a pull request's head), a tag or a commit SHA.
class GitHubFake : public QObject
{
    Q_OBJECT

public:
    // The classic token's scopes the fake reports (X-OAuth-Scopes); empty: a fine-grained token.
    void setScopes(const QStringList &scopes) { m_scopes = scopes; }
    GitHubFake(HttpServer *server, QString token, QString owner = QStringLiteral("raize"), QString repo = QStringLiteral("platform"),
               QObject *parent = nullptr);

    void load(const nlohmann::json &scenario); // the scenario's "github" part
    nlohmann::json state() const;
    // Control surface: a commit pushed to main (it becomes main's head), with
    // optional successful check runs {"sha"?, "message", "author", "files": [...], "contents": {path: text}, "checks": ["lint", ...]}.
    nlohmann::json addCommit(const nlohmann::json &spec);
    // Control surface: forgets the deployments of an environment (with their
    // statuses); returns how many. The soak (tools/dev.sh soak) clears the
    // rollback markers between runs, so run 900 reads as few markers as run 1.
    int forgetDeployments(const QString &environment);
    // Control surface: a new workflow run {"name"?, "headSha", "headBranch"?, "pending": [environment name or id]}
    // waiting on those environments (a re-run of the deploy workflow after an approval lapsed). Returns the run.
    nlohmann::json addRun(const nlohmann::json &spec);
    int remaining() const { return m_remaining; }
    // A fresh hour of the primary rate limit (the soak spends GitHub's 5,000 an hour in ~500 rollbacks).
    void resetBudget();
    // Control surface (journal): the file `path` of a branch as committed (null when absent), and a
    // colleague's append of `text` that lands just before the next PUT of `path` (its sha goes stale).
    nlohmann::json branchFile(const QString &branch, const QString &path) const;
    void raceNextPut(const QString &path, const QString &text);
    // The token a login uses (empty when the fake knows no such user).
    QString tokenOf(const QString &login) const;

private:
    void routes();
    void releaseRoutes(const QString &repoPath);
    void pullAndCommitRoutes(const QString &repoPath);
    void environmentAndRunRoutes(const QString &repoPath);
    void deploymentRoutes(const QString &repoPath);
    void journalRoutes(const QString &repoPath);
    const nlohmann::json *branch(const std::string &name) const;
    nlohmann::json refJson(const std::string &name, const std::string &sha) const;
    std::optional<HttpResponse> branchContent(const std::string &ref, const std::string &path) const;
    nlohmann::json commitToBranch(const std::string &name, const std::string &path, const std::string &text, const std::string &message);
    void issueCommentRoutes(const QString &repoPath);
    nlohmann::json issueCommentJson(const nlohmann::json &c) const;
    HttpServer::Handler guarded(HttpServer::Handler handler);

    // What the scenario says, in the fake's own (state()) shape.
    void loadCommits(const nlohmann::json &scenario);
    void loadPulls(const nlohmann::json &scenario);
    void loadChecks(const nlohmann::json &scenario);
    void loadEnvironmentsAndRuns(const nlohmann::json &scenario);
    void loadDeployments(const nlohmann::json &scenario);
    void loadUsers(const nlohmann::json &scenario);
    void userRoutes(const QString &repoPath);
    // The permission of a login on the repository ("none" when no collaborator).
    std::string permissionOf(const std::string &login) const;
    bool mayReview(const nlohmann::json &env, const std::string &login) const;

    // The SHA a ref names, or empty when the repository has no such ref.
    std::string resolveRef(const std::string &ref) const;
    int commitIndex(const std::string &sha) const;
    const nlohmann::json *environment(qint64 id) const;
    nlohmann::json *deploymentById(qint64 id);
    // Failing contexts of a commit (statuses and check runs not in success), limited to `required` unless empty.
    QStringList failingContexts(const std::string &sha, const nlohmann::json &required) const;
    std::string now() const;

    // The API's shapes (github.trimmed.json).
    std::string repoApi() const;
    std::string repoHtml() const;
    nlohmann::json user(const std::string &login = "release-bot") const;
    nlohmann::json repository() const;
    nlohmann::json releaseJson(const nlohmann::json &r) const;
    nlohmann::json pullJson(const nlohmann::json &p, bool detail) const;
    nlohmann::json commitJson(const nlohmann::json &c) const;
    nlohmann::json checkRunJson(const nlohmann::json &c) const;
    nlohmann::json statusJson(const nlohmann::json &s) const;
    nlohmann::json environmentJson(const nlohmann::json &e) const;
    nlohmann::json runJson(const nlohmann::json &r) const;
    nlohmann::json deploymentJson(const nlohmann::json &d) const;
    nlohmann::json deploymentStatusJson(const nlohmann::json &d, const nlohmann::json &s) const;
    nlohmann::json issueJson(const nlohmann::json &i) const;
    // One page of `items` (per_page/page from the query) with Link rel="next"/"last"; `wrap` builds the body from the page.
    HttpResponse page(const HttpRequest &r, const nlohmann::json &items,
                      const std::function<nlohmann::json(const nlohmann::json &pageItems)> &wrap = {}) const;

    HttpServer *m_server;
    QString m_token, m_owner, m_repo;
    QStringList m_scopes = {QStringLiteral("repo"), QStringLiteral("workflow")};
    nlohmann::json m_releases = nlohmann::json::array();
    nlohmann::json m_issues = nlohmann::json::array();
    nlohmann::json m_comments = nlohmann::json::array(); // {"id", "issue", "body", "user", "created_at", "updated_at"}
    nlohmann::json m_commits = nlohmann::json::array();
    nlohmann::json m_pulls = nlohmann::json::array();
    nlohmann::json m_checkRuns = nlohmann::json::array();
    nlohmann::json m_statuses = nlohmann::json::array();
    nlohmann::json m_protection = nlohmann::json::object();
    nlohmann::json m_environments = nlohmann::json::array();
    nlohmann::json m_runs = nlohmann::json::array();
    nlohmann::json m_deployments = nlohmann::json::array();
    nlohmann::json m_users = nlohmann::json::array(); // {"login", "token", "permission"}
    nlohmann::json m_branches = nlohmann::json::object(); // name → {"base", "head", "files": {path: text}, "log"}
    std::map<std::string, std::string> m_putRaces;          // path → text appended before the next PUT
    std::string m_caller = "release-bot";              // the login of the request being answered
    int m_limit = 5000;
    int m_remaining = 5000;
    qint64 m_reset = 0;
    int m_nextId = 1000;
    qint64 m_nextObjectId = 50000; // check runs, statuses, deployments, deployment statuses
};

} // namespace Raize::Sandbox
