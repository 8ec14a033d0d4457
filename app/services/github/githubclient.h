#pragma once

#include "core/result.h"
#include "net/endpoint.h"
#include "net/httpclient.h"
#include "net/requestpreview.h"

#include <QDateTime>
#include <QHash>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Raize::Services {

struct GitHubRelease
{
    qint64 id = 0;
    QString tag;
    QString name;
    QString htmlUrl;
    bool draft = false;
    QDateTime publishedAt; // invalid for a draft
};

struct GitHubRateLimit
{
    int limit = 0, remaining = 0;
    QDateTime reset;
};

struct GitHubCommit
{
    QString sha;
    QString message;
    QString author; // the GitHub login, or the git author's name when the commit is not linked to an account
    QStringList parents; // parent SHAs, first parent first (empty when the answer lists none)
    QDateTime date;      // the git author date (commit.author.date); invalid when not sent
};

// base...head: what head has that base has not.
struct GitHubComparison
{
    QString status; // ahead, behind, identical, diverged
    int aheadBy = 0, behindBy = 0, totalCommits = 0;
    QList<GitHubCommit> commits; // oldest first; at most MaxPages pages of them (totalCommits counts them all)
    QStringList files;           // changed file names; GitHub lists them on the first page only (at most 300)
    QHash<QString, QString> fileStatus; // file → added, removed, modified, renamed, copied, changed, unchanged
    // False when GitHub may have left files out: it lists at most 300 files of a comparison.
    bool filesComplete = true;
    static constexpr int MaxListedFiles = 300;
};

// A file read at a commit (GET /repos/{owner}/{repo}/contents/{path}?ref=).
struct GitHubContent
{
    QString path;
    QString sha;       // the blob's sha
    qint64 size = 0;
    QByteArray content; // decoded
    // GitHub sends the content of files up to 1 MB only; larger ones come with
    // encoding "none" and no content: then this is true and content is empty.
    bool tooLarge = false;
};

struct GitHubLabel
{
    QString name, color;
};

struct GitHubPullRequest
{
    int number = 0;
    QString title;
    QString state; // open, closed
    QList<GitHubLabel> labels;
    QString mergeCommitSha;
    QString headSha, headRef, baseRef;
    QString author;
    QDateTime mergedAt; // invalid unless merged
    bool merged() const { return mergedAt.isValid(); }
};

struct GitHubPullRequests
{
    QList<GitHubPullRequest> items;
    bool truncated = false; // more pages than GitHubClient::MaxPages
};

struct GitHubCheckRun
{
    qint64 id = 0;
    QString name;
    QString status;     // queued, in_progress, completed, ...
    QString conclusion; // empty until completed
    QString headSha;
    QString htmlUrl = {}; // the run's page on GitHub (html_url)
};

struct GitHubStatusContext
{
    QString context, state, description, targetUrl;
};

struct GitHubCombinedStatus
{
    QString state; // success, pending, failure
    QString sha;
    int totalCount = 0;
    QList<GitHubStatusContext> contexts;
};

struct GitHubRequiredChecks
{
    QStringList contexts;      // status checks required before merging
    bool strict = false;       // the branch must be up to date
    bool unprotected = false;  // the branch has no protection at all (GitHub's 404 "Branch not protected")
    int requiredApprovals = 0;
    std::optional<bool> allowForcePushes; // allow_force_pushes.enabled; nullopt when the answer does not say
};

struct GitHubEnvironment
{
    qint64 id = 0;
    QString name;
    QStringList reviewers; // logins (users) or slugs (teams) of required reviewers
    int waitTimer = 0;     // minutes
};

struct GitHubWorkflowRun
{
    qint64 id = 0;
    QString name, headBranch, headSha, status, conclusion, event, htmlUrl;
    int runNumber = 0;
};

struct GitHubPendingDeployment
{
    qint64 environmentId = 0;
    QString environment;
    int waitTimer = 0;
    QDateTime waitTimerStartedAt;
    bool currentUserCanApprove = false;
    QStringList reviewers;
};

struct GitHubDeployment
{
    qint64 id = 0;
    QString sha, ref, task, environment, description, creator;
    QDateTime createdAt;
};

struct GitHubReview
{
    QList<GitHubDeployment> deployments; // what the approval started (empty when read back or rejected)
    bool confirmedByReadBack = false;    // the answer was lost; the environments are no longer pending
    QString requestId;                   // X-GitHub-Request-Id of the answer (empty when confirmed by read-back)
};

struct GitHubDeploymentStatus
{
    qint64 id = 0;
    QString state, description, environment, environmentUrl, logUrl;
    QDateTime createdAt;
};

// Who a token belongs to (GET /user).
struct GitHubUser
{
    qint64 id = 0;
    QString login;
    QString type; // User, Bot, Organization
};

// A user's permission on the repository (GET collaborators/{username}/permission).
struct GitHubPermission
{
    QString login;
    bool collaborator = true; // false: GitHub's 404, the user is no collaborator (permission "none")
    QString permission;       // admin, write, read, none (GitHub folds maintain into write, triage into read)
    QString roleName;         // admin, maintain, write, triage, read, or a custom role's name
    // The finer of the two: role_name when it is one of GitHub's five roles, else permission.
    QString role() const;
    // write, maintain or admin: may approve a deployment (playbook §2.2).
    bool maySubmit() const;
};

// One review of an environment gate of a workflow run, as GitHub recorded it (GET runs/{id}/approvals).
struct GitHubRunApproval
{
    QString state; // approved, rejected
    QString login; // the reviewer
    QString comment;
    QList<qint64> environmentIds;
    QStringList environments;
};

struct GitHubIssue
{
    int number = 0;
    QString title, htmlUrl;
    // Read from listings (issues()); a created issue fills only the above.
    QString state; // open, closed
    QString body;
    QStringList labels;
    QDateTime createdAt, closedAt; // closedAt invalid while open
    QString requestId;             // X-GitHub-Request-Id of the answer that created it (createIssue only)
};


// A branch's head (GET git/ref/heads/{branch}).
struct GitHubRef
{
    QString ref; // "refs/heads/raize/journal"
    QString sha;
};

// What a contents PUT committed.
struct GitHubFileCommit
{
    QString path;
    QString blobSha;   // the file's new blob sha (the next PUT's guard)
    QString commitSha;
    QString htmlUrl;   // the commit on GitHub
};

// A pull request as created or found (the fields the journal needs).
struct GitHubPullRef
{
    int number = 0;
    QString htmlUrl, headRef, baseRef, state;
};

// A comment on an issue (issues/list-comments, issues/create-comment).
struct GitHubIssueComment
{
    qint64 id = 0;
    QString body;
    QString author; // user.login
    QString htmlUrl;
    QDateTime createdAt, updatedAt; // equal unless the comment was edited
    QString requestId;              // x-github-request-id of the answer that created it (createIssueComment only)
};

// The GitHub REST endpoints the console uses (shared/api-specs/ENDPOINTS.md).
// Requests are serial per token and mutations at least 1 s apart (HttpClient).
class GitHubClient
{
public:
    GitHubClient(Net::HttpClient &http, QUrl apiUrl, QString owner, QString repo);

    // "owner/repo".
    QString fullName() const { return m_owner + u'/' + m_repo; }

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;

    void releases(Callback<QList<GitHubRelease>> done);
    // Creates a release (a draft unless draft is false). Not idempotent:
    // after an unclear outcome it lists the releases and retries only if
    // none carries the tag.
    void createRelease(const QString &tag, const QString &name, const QString &body, bool draft, Callback<GitHubRelease> done);
    void generateNotes(const QString &tag, const QString &previousTag, Callback<QString> done);
    void rateLimit(Callback<GitHubRateLimit> done);
    // Who the token belongs to: the reviewer's own identity (401: a bad token). timeoutMs 0: the client's default.
    void currentUser(Callback<GitHubUser> done, int timeoutMs = 0);
    // The user's permission on the repository; a user who is no collaborator (404) is an answer, not an error.
    void collaboratorPermission(const QString &login, Callback<GitHubPermission> done);

    // Lists follow the Link header's rel="next" up to MaxPages pages of pageSize() items.
    static constexpr int MaxPages = 10;
    void setPageSize(int perPage) { m_pageSize = qBound(1, perPage, 100); }
    int pageSize() const { return m_pageSize; }

    // The commits between two refs (a tag, a branch or a SHA), e.g. the last release tag and the candidate.
    void compare(const QString &base, const QString &head, Callback<GitHubComparison> done);
    // A file's content at `ref` (a commit SHA, branch or tag). A folder, a
    // symlink or a submodule is an error that says so; 404 says the file is not there at that ref.
    void contents(const QString &path, const QString &ref, Callback<GitHubContent> done);
    static Result<GitHubContent> parseContent(const QByteArray &body, const QString &path);
    // state: open, closed or all.
    void pullRequests(const QString &state, Callback<GitHubPullRequests> done);
    void pullRequest(int number, Callback<GitHubPullRequest> done);
    // Polling endpoints: conditional requests, so an unchanged answer costs no rate budget.
    void checkRuns(const QString &ref, Callback<QList<GitHubCheckRun>> done);
    void combinedStatus(const QString &ref, Callback<GitHubCombinedStatus> done);
    // A branch without protection is an answer (unprotected = true), not an error.
    void requiredChecks(const QString &branch, Callback<GitHubRequiredChecks> done);
    void environments(Callback<QList<GitHubEnvironment>> done);
    void workflowRuns(const QString &headSha, Callback<QList<GitHubWorkflowRun>> done);
    void pendingDeployments(qint64 runId, Callback<QList<GitHubPendingDeployment>> done);
    // Every review of the run's environment gates (approvals and rejections), by login: what every console reads back.
    void runApprovals(qint64 runId, Callback<QList<GitHubRunApproval>> done);
    // Approves or rejects environment gates of a workflow run. After an unclear outcome it reads the
    // pending deployments back: environments no longer pending mean the review was applied (GitHub
    // refuses a second review with 422), still pending means it was not and it is sent again.
    void reviewPendingDeployment(qint64 runId, const QList<qint64> &environmentIds, bool approve, const QString &comment,
                                 Callback<GitHubReview> done);
    // environment and sha filter when not empty; newest first.
    void deployments(const QString &environment, const QString &sha, Callback<QList<GitHubDeployment>> done);
    // Records a deployment. GitHub refuses (409) while the ref's status checks are not all green.
    // Not idempotent: after an unclear outcome it looks for a deployment of that ref and
    // environment created since the call started and sends again only if there is none.
    // A marker deployment (task "rollback", say) passes checkStatuses = false: required_contexts [] records it
    // whatever the ref's checks say.
    void createDeployment(const QString &ref, const QString &environment, const QString &description, Callback<GitHubDeployment> done,
                          const QString &task = QStringLiteral("deploy"), bool checkStatuses = true);
    void deploymentStatuses(qint64 deploymentId, Callback<QList<GitHubDeploymentStatus>> done);
    // Appends a status (error, failure, inactive, in_progress, queued, pending, success); every call
    // appends one, so an unclear outcome is read back before sending again. The description is cut to 140 characters.
    void createDeploymentStatus(qint64 deploymentId, const QString &state, const QString &description, const QString &logUrl,
                                Callback<GitHubDeploymentStatus> done);
    // Files an issue. Never sent twice: the API the console uses cannot list issues, so an unclear
    // outcome is reported with what to check.
    // Issues (not pull requests, which GitHub lists here too) with every one of
    // `labels`, in `state` (open, closed, all), updated at or after `since`
    // when valid; all pages up to MaxPages.
    void issues(const QStringList &labels, const QString &state, const QDateTime &since, Callback<QList<GitHubIssue>> done);
    void createIssue(const QString &title, const QString &body, const QStringList &labels, Callback<GitHubIssue> done);
    // GET /repos/{owner}/{repo}/issues/{number}/comments, every page, oldest first. Not in the pinned description:
    // modelled on GitHub's documentation (docs/contracts.md, "Issue comments").
    void issueComments(int number, Callback<QList<GitHubIssueComment>> done);
    // POST /repos/{owner}/{repo}/issues/{number}/comments. Not idempotent: never re-sent on an unclear answer.
    void createIssueComment(int number, const QString &body, Callback<GitHubIssueComment> done);
    static Result<GitHubIssueComment> parseIssueComment(const QByteArray &body);
    // The exact request createIssueComment sends, for a plan's preview (no network); `issue` names the issue
    // in the path where its number is not known yet ("{incident}").
    Net::RequestPreview previewCreateIssueComment(const QString &issue, const QString &body) const;
    // The exact request createIssue sends, for a plan's preview (no network).
    Net::RequestPreview previewCreateIssue(const QString &title, const QString &body, const QStringList &labels) const;

    // Writes on the platform repository (the post-release journal, issue #19 item 4); in githubcontents.cpp.
    // A branch's head; 404 (no such branch) is an error with httpStatus 404.
    void branchHead(const QString &branch, Callback<GitHubRef> done);
    // Creates refs/heads/{branch} at sha; 422 "Reference already exists" when it does.
    void createBranch(const QString &branch, const QString &sha, Callback<GitHubRef> done);
    // Creates or updates one file on `branch` (PUT contents). blobSha: the file's current blob sha,
    // empty to create it. GitHub answers 409 (or 422) when the sha is not the file's current one: the
    // caller re-reads and writes again. Not idempotent: never re-sent by the HTTP layer.
    void putContents(const QString &path, const QString &branch, const QByteArray &content, const QString &blobSha,
                     const QString &message, Callback<GitHubFileCommit> done);
    // The open pull requests from head into base (owner:head), oldest first.
    void openPullsFrom(const QString &head, const QString &base, Callback<QList<GitHubPullRef>> done);
    void createPullRequest(const QString &head, const QString &base, const QString &title, const QString &body,
                           Callback<GitHubPullRef> done);

    static Result<GitHubRelease> parseRelease(const QByteArray &body);
    // One page of each, as the client reads it (tests, benchmarks).
    static Result<GitHubComparison> parseComparison(const QByteArray &body);
    static Result<QList<GitHubPullRequest>> parsePullRequests(const QByteArray &body);
    static Result<QList<GitHubDeployment>> parseDeployments(const QByteArray &body);
    static Result<QList<GitHubRunApproval>> parseRunApprovals(const QByteArray &body);

private:
    Net::Request issueRequest(const QString &title, const QString &body, const QStringList &labels) const;
    QUrl url(const QString &path, const Net::QueryItems &query = {}) const;
    QString repoPath(const QString &rest) const;
    QUrl repoUrl(const QString &encodedPath, const Net::QueryItems &query = {}) const;
    // ETag cache keys of the polling endpoints.
    QString cacheKey(const QString &what) const;
    Error forgetCache(const Error &error);
    Net::Request get(const QString &path, const Net::QueryItems &query = {}, const QString &cacheKey = {}) const;
    void listDeployments(const Net::QueryItems &filter, bool allPages, Callback<QList<GitHubDeployment>> done);
    void listDeploymentStatuses(qint64 deploymentId, bool allPages, Callback<QList<GitHubDeploymentStatus>> done);

    Net::HttpClient &m_http;
    QUrl m_api;
    QString m_owner, m_repo;
    int m_pageSize = 100;
};

} // namespace Raize::Services
