#include "services/github/githubclient.h"

#include "core/jsonutil.h"
#include "net/endpoint.h"
#include "net/jsonreader.h"

#include <QRegularExpression>

#include <memory>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;

namespace {
QDateTime readTime(const JsonReader::Node &n)
{
    const QString text = n.optStr();
    return text.isEmpty() ? QDateTime() : QDateTime::fromString(text, Qt::ISODate);
}

GitHubRelease readRelease(const JsonReader::Node &r)
{
    return {r["id"].integer(), r["tag_name"].str(), r["name"].optStr(), r["html_url"].str(), r["draft"].boolean(), readTime(r["published_at"])};
}

// A ref or branch name as one path segment: feat/x becomes feat%2Fx, as GitHub's own clients send it
// (and as the description's single-segment {ref} and {branch} parameters need).
QString segment(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// A user's login, or a team's slug (environment reviewers can be either).
QString reviewerName(const JsonReader::Node &r)
{
    const JsonReader::Node reviewer = r["reviewer"];
    return reviewer["login"].exists() ? reviewer["login"].str() : reviewer["slug"].optStr(reviewer["name"].optStr());
}

// The changed files of a comparison; absent on later pages.
void readFiles(const JsonReader::Node &root, QStringList &out, QHash<QString, QString> *status = nullptr,
               bool *complete = nullptr)
{
    const JsonReader::Node files = root["files"];
    if (!files.isArray())
        return;
    const std::size_t n = files.size();
    for (std::size_t i = 0; i < n; ++i) {
        const QString name = files.at(i)["filename"].str();
        if (!out.contains(name))
            out << name;
        if (status)
            status->insert(name, files.at(i)["status"].optStr());
    }
    if (complete && n >= std::size_t(GitHubComparison::MaxListedFiles))
        *complete = false;
}

GitHubCommit readCommit(const JsonReader::Node &c)
{
    const QString gitAuthor = c["commit"]["author"]["name"].optStr();
    GitHubCommit out{c["sha"].str(), c["commit"]["message"].str(), c["author"]["login"].optStr(gitAuthor), {}, {}};
    if (const JsonReader::Node parents = c["parents"]; parents.isArray()) {
        const std::size_t n = parents.size();
        for (std::size_t i = 0; i < n; ++i)
            out.parents << parents.at(i)["sha"].str();
    }
    out.date = readTime(c["commit"]["author"]["date"]);
    return out;
}

GitHubPullRequest readPull(const JsonReader::Node &p)
{
    GitHubPullRequest out;
    out.number = int(p["number"].integer());
    out.title = p["title"].str();
    out.state = p["state"].str();
    const JsonReader::Node labels = p["labels"];
    const std::size_t n = labels.size();
    for (std::size_t i = 0; i < n; ++i)
        out.labels.append({labels.at(i)["name"].str(), labels.at(i)["color"].optStr()});
    out.mergeCommitSha = p["merge_commit_sha"].optStr();
    out.headSha = p["head"]["sha"].str();
    out.headRef = p["head"]["ref"].str();
    out.baseRef = p["base"]["ref"].str();
    out.author = p["user"]["login"].optStr();
    out.mergedAt = readTime(p["merged_at"]);
    return out;
}

GitHubDeployment readDeployment(const JsonReader::Node &d)
{
    return {d["id"].integer(),          d["sha"].str(),         d["ref"].str(),
            d["task"].str(),            d["environment"].str(), d["description"].optStr(),
            d["creator"]["login"].optStr(), QDateTime::fromString(d["created_at"].str(), Qt::ISODate)};
}

GitHubDeploymentStatus readDeploymentStatus(const JsonReader::Node &s)
{
    return {s["id"].integer(),
            s["state"].str(),
            s["description"].optStr(),
            s["environment"].optStr(),
            s["environment_url"].optStr(),
            s["log_url"].optStr(s["target_url"].optStr()),
            QDateTime::fromString(s["created_at"].str(), Qt::ISODate)};
}

// rel="next" of a Link header (RFC 8288), resolved against the page's URL. A next link on another
// origin than the API's is never followed (the token goes with it), and neither is one that cannot
// be read: both leave `problem` set, so the list is reported incomplete instead of ending early.
struct NextLink
{
    QUrl url;        // empty: no next page (or a problem)
    QString problem; // why the next page cannot be followed
};

NextLink nextLink(const QByteArray &header, const QUrl &page, const QUrl &api)
{
    static const QRegularExpression relNext(u"(?:^|;)\\s*rel\\s*=\\s*(?:\"[^\"]*\\bnext\\b[^\"]*\"|next(?:\\s|;|$))"_s,
                                            QRegularExpression::CaseInsensitiveOption);
    for (const QByteArray &part : header.split(',')) {
        const QByteArray p = part.trimmed();
        const qsizetype close = p.indexOf('>');
        const QString params = QString::fromLatin1(close < 0 ? p : p.mid(close + 1));
        if (!relNext.match(params).hasMatch())
            continue;
        if (!p.startsWith('<') || close < 0)
            return {{}, u"its rel=\"next\" link has no <URL>: \"%1\""_s.arg(QString::fromLatin1(p.left(200)))};
        const QUrl target = page.resolved(QUrl::fromEncoded(p.mid(1, close - 1), QUrl::StrictMode));
        if (!target.isValid() || target.host().isEmpty() || (target.scheme() != u"https"_s && target.scheme() != u"http"_s))
            return {{}, u"its rel=\"next\" link is not an http(s) URL: \"%1\""_s.arg(QString::fromLatin1(p.mid(1, close - 1).left(200)))};
        if (target.scheme() != api.scheme() || target.host().compare(api.host(), Qt::CaseInsensitive) != 0
            || target.port(api.scheme() == u"https"_s ? 443 : 80) != api.port(api.scheme() == u"https"_s ? 443 : 80))
            return {{}, u"its next page is on another origin (%1, not %2), which the console does not follow with the token"_s.arg(
                            target.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery),
                            api.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery))};
        return {target, {}};
    }
    return {};
}

template<typename T>
using PageReader = std::function<void(const JsonReader::Node &root, QList<T> &out)>;
template<typename T>
using PagesDone = std::function<void(const Result<QList<T>> &items, bool truncated)>;

// Sends `request`, then follows rel="next" until the last page or `pagesLeft` pages. With a cache
// base, every page is a conditional request of its own.
template<typename T>
void fetchPages(Net::HttpClient &http, const QUrl &api, Net::Request request, const QString &cacheBase, PageReader<T> read,
                int pagesLeft, std::shared_ptr<QList<T>> items, PagesDone<T> done)
{
    if (!cacheBase.isEmpty())
        request.cacheKey = cacheBase + u'#' + request.url.toString(QUrl::FullyEncoded);
    http.send(request, [&http, api, request, cacheBase, read, pagesLeft, items, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error, false);
        JsonReader reader(u"github"_s, resp.body);
        read(reader.root(), *items);
        if (!reader.ok())
            return done(reader.error(), false);
        const NextLink next = nextLink(resp.header("link"), request.url, api);
        if (!next.problem.isEmpty())
            return done(Error::make(Error::Kind::Parse, u"github"_s,
                                    u"the list is incomplete: %1 item(s) read, then %2"_s.arg(items->size()).arg(next.problem),
                                    u"nothing after those items was read; check the GitHub API URL in Settings (a proxy or GitHub "
                                    u"Enterprise may rewrite links), then refresh"_s),
                        false);
        if (next.url.isEmpty())
            return done(*items, false);
        if (pagesLeft <= 1)
            return done(*items, true);
        Net::Request following = request;
        following.url = next.url;
        fetchPages<T>(http, api, following, cacheBase, read, pagesLeft - 1, items, done);
    });
}

template<typename T>
void fetchAll(Net::HttpClient &http, const QUrl &api, const Net::Request &request, const QString &cacheBase, PageReader<T> read,
              PagesDone<T> done)
{
    fetchPages<T>(http, api, request, cacheBase, std::move(read), GitHubClient::MaxPages, std::make_shared<QList<T>>(), std::move(done));
}

// Reads a JSON array of T.
template<typename T>
PageReader<T> arrayOf(std::function<T(const JsonReader::Node &)> one, const char *key = nullptr)
{
    return [one, key](const JsonReader::Node &root, QList<T> &out) {
        const JsonReader::Node list = key ? root[key] : root;
        const std::size_t n = list.size();
        for (std::size_t i = 0; i < n; ++i)
            out.append(one(list.at(i)));
    };
}

// A Result<QList<T>> without the truncation flag, for lists where the cap is far away.
template<typename T>
PagesDone<T> ignoreTruncation(GitHubClient::Callback<QList<T>> done)
{
    return [done](const Result<QList<T>> &items, bool) { done(items); };
}
} // namespace

GitHubClient::GitHubClient(Net::HttpClient &http, QUrl apiUrl, QString owner, QString repo)
    : m_http(http)
    , m_api(std::move(apiUrl))
    , m_owner(std::move(owner))
    , m_repo(std::move(repo))
{
}

QUrl GitHubClient::url(const QString &path, const Net::QueryItems &query) const
{
    return Net::endpoint(m_api, path, query);
}

QString GitHubClient::repoPath(const QString &rest) const
{
    return u"/repos/%1/%2"_s.arg(segment(m_owner), segment(m_repo)) + rest;
}

// `path` is already encoded (see segment()): Net::endpoint would encode its '%' once more.
QUrl GitHubClient::repoUrl(const QString &path, const Net::QueryItems &query) const
{
    QUrl u = url(QString(), query);
    QString prefix = u.path(QUrl::FullyEncoded);
    if (prefix.endsWith(u'/'))
        prefix.chop(1);
    u.setPath(prefix + repoPath(path), QUrl::TolerantMode);
    return u;
}

QString GitHubClient::cacheKey(const QString &what) const
{
    return u"github:%1/%2:%3"_s.arg(m_owner, m_repo, what);
}

Error GitHubClient::forgetCache(const Error &error)
{
    // A body that does not parse may sit in the ETag cache (a proxy broke it, the ETag is the real
    // one's), and every 304 would hand it back: drop this repository's entries.
    if (error.kind == Error::Kind::Parse)
        m_http.forgetCached(cacheKey(QString()));
    return error;
}

Net::Request GitHubClient::get(const QString &path, const Net::QueryItems &query, const QString &cacheKey) const
{
    Net::Request r;
    r.service = Service::GitHub;
    r.url = repoUrl(path, query);
    r.cacheKey = cacheKey;
    return r;
}

Result<GitHubRelease> GitHubClient::parseRelease(const QByteArray &body)
{
    JsonReader reader(u"github"_s, body);
    const GitHubRelease r = readRelease(reader.root());
    if (!reader.ok())
        return reader.error();
    return r;
}

void GitHubClient::releases(Callback<QList<GitHubRelease>> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.url = url(u"/repos/%1/%2/releases"_s.arg(m_owner, m_repo), {{u"per_page"_s, u"100"_s}});
    r.cacheKey = cacheKey(u"releases"_s);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        QList<GitHubRelease> out;
        const std::size_t n = root.size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i)
            out.append(readRelease(root.at(i)));
        if (!reader.ok())
            return done(reader.error());
        done(out);
    });
}

void GitHubClient::createRelease(const QString &tag, const QString &name, const QString &body, bool draft, Callback<GitHubRelease> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = url(u"/repos/%1/%2/releases"_s.arg(m_owner, m_repo));
    r.body = Json::dump({{"tag_name", tag.toStdString()}, {"name", name.toStdString()}, {"body", body.toStdString()}, {"draft", draft}});
    r.readBack = [this, tag](std::function<void(std::optional<bool>)> answer) {
        releases([answer, tag](const Result<QList<GitHubRelease>> &list) {
            if (!list)
                return answer(std::nullopt);
            answer(std::any_of(list->cbegin(), list->cend(), [&](const GitHubRelease &r) { return r.tag == tag; }));
        });
    };
    m_http.send(r, [this, tag, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        if (resp.appliedByReadBack) {
            // The answer was lost but the release exists: return it.
            return releases([tag, done](const Result<QList<GitHubRelease>> &list) {
                if (!list)
                    return done(list.error());
                for (const GitHubRelease &r : list.value()) {
                    if (r.tag == tag)
                        return done(r);
                }
                done(Error::make(Error::Kind::Conflict, u"github"_s, u"the release %1 vanished after it was created"_s.arg(tag)));
            });
        }
        done(parseRelease(resp.body));
    });
}

void GitHubClient::generateNotes(const QString &tag, const QString &previousTag, Callback<QString> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.idempotent = true; // generates text, changes nothing
    r.url = url(u"/repos/%1/%2/releases/generate-notes"_s.arg(m_owner, m_repo));
    nlohmann::json body = {{"tag_name", tag.toStdString()}};
    if (!previousTag.isEmpty())
        body["previous_tag_name"] = previousTag.toStdString();
    r.body = Json::dump(body);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const QString text = reader.root()["body"].str();
        if (!reader.ok())
            return done(reader.error());
        done(text);
    });
}

void GitHubClient::rateLimit(Callback<GitHubRateLimit> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.url = url(u"/rate_limit"_s);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto core = reader.root()["resources"]["core"];
        GitHubRateLimit l{int(core["limit"].integer()), int(core["remaining"].integer()),
                          QDateTime::fromSecsSinceEpoch(core["reset"].integer(), Qt::UTC)};
        if (!reader.ok())
            return done(reader.error());
        done(l);
    });
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<GitHubComparison> GitHubClient::parseComparison(const QByteArray &body)
{
    JsonReader reader(u"github"_s, body);
    const auto root = reader.root();
    GitHubComparison out;
    out.status = root["status"].str();
    out.aheadBy = int(root["ahead_by"].integer());
    out.behindBy = int(root["behind_by"].integer());
    out.totalCommits = int(root["total_commits"].integer());
    arrayOf<GitHubCommit>(readCommit, "commits")(root, out.commits);
    readFiles(root, out.files, &out.fileStatus, &out.filesComplete);
    if (!reader.ok())
        return reader.error();
    return out;
}

QString GitHubPermission::role() const
{
    static const QStringList roles = {u"admin"_s, u"maintain"_s, u"write"_s, u"triage"_s, u"read"_s};
    return roles.contains(roleName) ? roleName : permission;
}

bool GitHubPermission::maySubmit() const
{
    const QString r = role();
    return collaborator && (r == u"admin"_s || r == u"maintain"_s || r == u"write"_s);
}

void GitHubClient::currentUser(Callback<GitHubUser> done, int timeoutMs)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.url = url(u"/user"_s);
    r.timeoutMs = timeoutMs;
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        GitHubUser u{root["id"].integer(), root["login"].str(), root["type"].optStr()};
        if (!reader.ok())
            return done(reader.error());
        if (u.login.trimmed().isEmpty())
            return done(Error::make(Error::Kind::Parse, u"github"_s, u"GitHub named no login for this token"_s));
        done(u);
    });
}

void GitHubClient::collaboratorPermission(const QString &login, Callback<GitHubPermission> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.url = repoUrl(u"/collaborators/%1/permission"_s.arg(segment(login)));
    m_http.send(r, [login, done](const Net::Response &resp) {
        if (resp.status == 404) // not a collaborator: an answer
            return done(GitHubPermission{login, false, u"none"_s, QString()});
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        GitHubPermission p{root["user"]["login"].optStr(login), true, root["permission"].str(), root["role_name"].optStr()};
        if (!reader.ok())
            return done(reader.error());
        done(p);
    });
}

Result<QList<GitHubPullRequest>> GitHubClient::parsePullRequests(const QByteArray &body)
{
    JsonReader reader(u"github"_s, body);
    QList<GitHubPullRequest> out;
    arrayOf<GitHubPullRequest>(readPull)(reader.root(), out);
    if (!reader.ok())
        return reader.error();
    return out;
}

Result<QList<GitHubDeployment>> GitHubClient::parseDeployments(const QByteArray &body)
{
    JsonReader reader(u"github"_s, body);
    QList<GitHubDeployment> out;
    arrayOf<GitHubDeployment>(readDeployment)(reader.root(), out);
    if (!reader.ok())
        return reader.error();
    return out;
}

void GitHubClient::compare(const QString &base, const QString &head, Callback<GitHubComparison> done)
{
    auto summary = std::make_shared<GitHubComparison>();
    const Net::Request r = get(u"/compare/"_s + segment(base) + u"..."_s + segment(head), {{u"per_page"_s, QString::number(m_pageSize)}});
    PageReader<GitHubCommit> read = [summary](const JsonReader::Node &root, QList<GitHubCommit> &out) {
        summary->status = root["status"].str();
        summary->aheadBy = int(root["ahead_by"].integer());
        summary->behindBy = int(root["behind_by"].integer());
        summary->totalCommits = int(root["total_commits"].integer());
        readFiles(root, summary->files, &summary->fileStatus, &summary->filesComplete);
        arrayOf<GitHubCommit>(readCommit, "commits")(root, out);
    };
    fetchAll<GitHubCommit>(m_http, m_api, r, {}, read, [summary, done](const Result<QList<GitHubCommit>> &commits, bool) {
        if (!commits)
            return done(commits.error());
        GitHubComparison out = *summary;
        out.commits = commits.value();
        done(out);
    });
}

void GitHubClient::contents(const QString &path, const QString &ref, Callback<GitHubContent> done)
{
    // The path as one segment, its slashes encoded (docs%2Fjournal%2Fx.md), as Octokit sends it: the
    // description's {path} is one segment, and GitHub reads both forms.
    QString trimmed = path;
    while (trimmed.startsWith(u'/'))
        trimmed.remove(0, 1);
    const Net::Request r = get(u"/contents/"_s + segment(trimmed), {{u"ref"_s, ref}});
    m_http.send(r, [path, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseContent(resp.body, path));
    });
}

Result<GitHubContent> GitHubClient::parseContent(const QByteArray &body, const QString &path)
{
    JsonReader reader(u"github"_s, body);
    const auto root = reader.root();
    if (root.isArray())
        return Error::make(Error::Kind::Parse, u"github"_s, u"%1 is a folder at that commit, not a file"_s.arg(path),
                           u"Check the path in the policy (a file is expected)."_s);
    GitHubContent out;
    const QString type = root["type"].str();
    out.path = root["path"].optStr(path);
    out.sha = root["sha"].optStr();
    out.size = root["size"].integer();
    const QString encoding = root["encoding"].optStr();
    const QString content = root["content"].optStr();
    if (!reader.ok())
        return reader.error();
    if (type != u"file"_s)
        return Error::make(Error::Kind::Parse, u"github"_s, u"%1 is a %2 at that commit, not a file"_s.arg(path, type),
                           u"Check the path in the policy (a file is expected)."_s);
    if (encoding == u"base64"_s) {
        // GitHub wraps the base64 text at 60 columns.
        QByteArray b64 = content.toLatin1();
        b64.replace('\n', QByteArray()).replace('\r', QByteArray());
        const auto decoded = QByteArray::fromBase64Encoding(b64, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return Error::make(Error::Kind::Parse, u"github"_s, u"GitHub sent %1 with content that is not valid base64"_s.arg(path),
                               u"Retry; if it persists, read the file on GitHub."_s);
        out.content = *decoded;
    } else if (encoding == u"none"_s || (content.isEmpty() && out.size > 0)) {
        out.tooLarge = true; // over 1 MB: GitHub does not send it in this form
    } else if (!encoding.isEmpty()) {
        return Error::make(Error::Kind::Parse, u"github"_s, u"GitHub sent %1 in an encoding the console does not read: %2"_s.arg(path, encoding),
                           u"Read the file on GitHub."_s);
    }
    return out;
}

void GitHubClient::pullRequests(const QString &state, Callback<GitHubPullRequests> done)
{
    const Net::Request r = get(u"/pulls"_s, {{u"state"_s, state}, {u"per_page"_s, QString::number(m_pageSize)}});
    fetchAll<GitHubPullRequest>(m_http, m_api, r, {}, arrayOf<GitHubPullRequest>(readPull),
                                [done](const Result<QList<GitHubPullRequest>> &items, bool truncated) {
                                    if (!items)
                                        return done(items.error());
                                    done(GitHubPullRequests{items.value(), truncated});
                                });
}

void GitHubClient::pullRequest(int number, Callback<GitHubPullRequest> done)
{
    const Net::Request r = get(u"/pulls/%1"_s.arg(number), {}, cacheKey(u"pull#%1"_s.arg(number)));
    m_http.send(r, [this, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const GitHubPullRequest p = readPull(reader.root());
        if (!reader.ok())
            return done(forgetCache(reader.error()));
        done(p);
    });
}

void GitHubClient::checkRuns(const QString &ref, Callback<QList<GitHubCheckRun>> done)
{
    const Net::Request r = get(u"/commits/%1/check-runs"_s.arg(segment(ref)), {{u"per_page"_s, QString::number(m_pageSize)}});
    const auto one = [](const JsonReader::Node &c) {
        return GitHubCheckRun{c["id"].integer(), c["name"].str(), c["status"].str(), c["conclusion"].optStr(), c["head_sha"].str(), c["html_url"].optStr()};
    };
    fetchAll<GitHubCheckRun>(m_http, m_api, r, cacheKey(u"check-runs"_s), arrayOf<GitHubCheckRun>(one, "check_runs"),
                             [this, done](const Result<QList<GitHubCheckRun>> &runs, bool) {
                                 if (!runs)
                                     return done(forgetCache(runs.error()));
                                 done(runs);
                             });
}

void GitHubClient::combinedStatus(const QString &ref, Callback<GitHubCombinedStatus> done)
{
    const Net::Request r = get(u"/commits/%1/status"_s.arg(segment(ref)), {{u"per_page"_s, u"100"_s}},
                               cacheKey(u"status#"_s + ref));
    m_http.send(r, [this, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        GitHubCombinedStatus out{root["state"].str(), root["sha"].str(), int(root["total_count"].integer()), {}};
        const auto statuses = root["statuses"];
        const std::size_t n = statuses.size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i) {
            const auto s = statuses.at(i);
            out.contexts.append({s["context"].str(), s["state"].str(), s["description"].optStr(), s["target_url"].optStr()});
        }
        if (!reader.ok())
            return done(forgetCache(reader.error()));
        done(out);
    });
}

void GitHubClient::requiredChecks(const QString &branch, Callback<GitHubRequiredChecks> done)
{
    const Net::Request r = get(u"/branches/%1/protection"_s.arg(segment(branch)));
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok()) {
            // GitHub's way of saying "no rules": an answer, not a failure.
            if (resp.error.httpStatus == 404 && resp.error.message.contains(u"Branch not protected"_s, Qt::CaseInsensitive)) {
                GitHubRequiredChecks none;
                none.unprotected = true;
                return done(none);
            }
            return done(resp.error);
        }
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        GitHubRequiredChecks out;
        const auto checks = root["required_status_checks"];
        if (!checks.isNull()) {
            out.strict = checks["strict"].optBoolean(false);
            // `checks` replaces the older `contexts`; both name the same requirements.
            if (checks["checks"].isArray()) {
                const auto list = checks["checks"];
                const std::size_t n = list.size();
                for (std::size_t i = 0; i < n; ++i)
                    out.contexts.append(list.at(i)["context"].str());
            }
            if (checks["contexts"].exists()) {
                const auto list = checks["contexts"];
                const std::size_t n = list.size();
                for (std::size_t i = 0; i < n; ++i)
                    out.contexts.append(list.at(i).str());
            }
            out.contexts.removeDuplicates();
        }
        out.requiredApprovals = int(root["required_pull_request_reviews"]["required_approving_review_count"].optInteger(0));
        if (!root["allow_force_pushes"].isNull())
            out.allowForcePushes = root["allow_force_pushes"]["enabled"].boolean();
        if (!reader.ok())
            return done(reader.error());
        done(out);
    });
}

void GitHubClient::environments(Callback<QList<GitHubEnvironment>> done)
{
    const Net::Request r = get(u"/environments"_s, {{u"per_page"_s, QString::number(m_pageSize)}});
    const auto one = [](const JsonReader::Node &e) {
        GitHubEnvironment out{e["id"].integer(), e["name"].str(), {}, 0};
        const auto rules = e["protection_rules"];
        if (rules.isArray()) {
            const std::size_t n = rules.size();
            for (std::size_t i = 0; i < n; ++i) {
                const auto rule = rules.at(i);
                const QString type = rule["type"].str();
                if (type == u"wait_timer"_s) {
                    out.waitTimer = int(rule["wait_timer"].optInteger(0));
                } else if (type == u"required_reviewers"_s && rule["reviewers"].isArray()) {
                    const auto reviewers = rule["reviewers"];
                    const std::size_t m = reviewers.size();
                    for (std::size_t k = 0; k < m; ++k)
                        out.reviewers.append(reviewerName(reviewers.at(k)));
                }
            }
        }
        return out;
    };
    fetchAll<GitHubEnvironment>(m_http, m_api, r, {}, arrayOf<GitHubEnvironment>(one, "environments"), ignoreTruncation(done));
}

void GitHubClient::workflowRuns(const QString &headSha, Callback<QList<GitHubWorkflowRun>> done)
{
    Net::QueryItems query{{u"per_page"_s, QString::number(m_pageSize)}};
    if (!headSha.isEmpty())
        query.prepend({u"head_sha"_s, headSha});
    const Net::Request r = get(u"/actions/runs"_s, query);
    const auto one = [](const JsonReader::Node &w) {
        GitHubWorkflowRun out;
        out.id = w["id"].integer();
        out.name = w["name"].optStr();
        out.headBranch = w["head_branch"].optStr();
        out.headSha = w["head_sha"].str();
        out.status = w["status"].optStr();
        out.conclusion = w["conclusion"].optStr();
        out.event = w["event"].str();
        out.htmlUrl = w["html_url"].str();
        out.runNumber = int(w["run_number"].integer());
        return out;
    };
    fetchAll<GitHubWorkflowRun>(m_http, m_api, r, {}, arrayOf<GitHubWorkflowRun>(one, "workflow_runs"), ignoreTruncation(done));
}

void GitHubClient::pendingDeployments(qint64 runId, Callback<QList<GitHubPendingDeployment>> done)
{
    const Net::Request r = get(u"/actions/runs/%1/pending_deployments"_s.arg(runId), {},
                               cacheKey(u"pending-deployments#%1"_s.arg(runId)));
    m_http.send(r, [this, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        QList<GitHubPendingDeployment> out;
        const std::size_t n = root.size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i) {
            const auto p = root.at(i);
            GitHubPendingDeployment d;
            d.environmentId = p["environment"]["id"].integer();
            d.environment = p["environment"]["name"].str();
            d.waitTimer = int(p["wait_timer"].integer());
            d.waitTimerStartedAt = readTime(p["wait_timer_started_at"]);
            d.currentUserCanApprove = p["current_user_can_approve"].boolean();
            const auto reviewers = p["reviewers"];
            const std::size_t m = reviewers.size();
            for (std::size_t k = 0; k < m; ++k)
                d.reviewers.append(reviewerName(reviewers.at(k)));
            out.append(d);
        }
        if (!reader.ok())
            return done(forgetCache(reader.error()));
        done(out);
    });
}

Result<QList<GitHubRunApproval>> GitHubClient::parseRunApprovals(const QByteArray &body)
{
    JsonReader reader(u"github"_s, body);
    const auto root = reader.root();
    QList<GitHubRunApproval> out;
    if (!root.isArray())
        return Error::make(Error::Kind::Parse, u"github"_s, u"the run's approvals are not a list"_s);
    const std::size_t n = root.size();
    for (std::size_t i = 0; i < n && reader.ok(); ++i) {
        const auto a = root.at(i);
        GitHubRunApproval r;
        r.state = a["state"].str();
        r.login = a["user"]["login"].str();
        r.comment = a["comment"].optStr();
        const auto envs = a["environments"];
        const std::size_t m = envs.size();
        for (std::size_t k = 0; k < m; ++k) {
            r.environmentIds.append(envs.at(k)["id"].integer());
            r.environments.append(envs.at(k)["name"].optStr());
        }
        out.append(r);
    }
    if (!reader.ok())
        return reader.error();
    return out;
}

void GitHubClient::runApprovals(qint64 runId, Callback<QList<GitHubRunApproval>> done)
{
    const Net::Request r = get(u"/actions/runs/%1/approvals"_s.arg(runId), {}, cacheKey(u"run-approvals#%1"_s.arg(runId)));
    m_http.send(r, [this, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        Result<QList<GitHubRunApproval>> parsed = parseRunApprovals(resp.body);
        if (!parsed)
            return done(forgetCache(parsed.error()));
        done(parsed);
    });
}

void GitHubClient::deployments(const QString &environment, const QString &sha, Callback<QList<GitHubDeployment>> done)
{
    Net::QueryItems filter;
    if (!environment.isEmpty())
        filter.append({u"environment"_s, environment});
    if (!sha.isEmpty())
        filter.append({u"sha"_s, sha});
    listDeployments(filter, true, std::move(done));
}

void GitHubClient::listDeployments(const Net::QueryItems &filter, bool allPages, Callback<QList<GitHubDeployment>> done)
{
    Net::QueryItems query = filter;
    query.append({u"per_page"_s, QString::number(allPages ? m_pageSize : 100)});
    const Net::Request r = get(u"/deployments"_s, query);
    // A read-back must stay one request, sent before readBack returns: it runs while its mutation
    // holds GitHub's serial queue, and only a request sent then may jump it (a later one waits for
    // the mutation, which waits for the read-back: forever). ADR 0005, second amendment of 2026-12-06.
    fetchPages<GitHubDeployment>(m_http, m_api, r, {}, arrayOf<GitHubDeployment>(readDeployment), allPages ? MaxPages : 1,
                                 std::make_shared<QList<GitHubDeployment>>(), ignoreTruncation(done));
}

void GitHubClient::deploymentStatuses(qint64 deploymentId, Callback<QList<GitHubDeploymentStatus>> done)
{
    listDeploymentStatuses(deploymentId, true, std::move(done));
}

void GitHubClient::listDeploymentStatuses(qint64 deploymentId, bool allPages, Callback<QList<GitHubDeploymentStatus>> done)
{
    const Net::Request r = get(u"/deployments/%1/statuses"_s.arg(deploymentId), {{u"per_page"_s, QString::number(allPages ? m_pageSize : 100)}});
    fetchPages<GitHubDeploymentStatus>(m_http, m_api, r, {}, arrayOf<GitHubDeploymentStatus>(readDeploymentStatus), allPages ? MaxPages : 1,
                                       std::make_shared<QList<GitHubDeploymentStatus>>(), ignoreTruncation(done));
}

// ---------------------------------------------------------------------------------------------
// Mutations

void GitHubClient::reviewPendingDeployment(qint64 runId, const QList<qint64> &environmentIds, bool approve, const QString &comment,
                                           Callback<GitHubReview> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = repoUrl(u"/actions/runs/%1/pending_deployments"_s.arg(runId));
    nlohmann::json ids = nlohmann::json::array();
    for (const qint64 id : environmentIds)
        ids.push_back(id);
    r.body = Json::dump({{"environment_ids", ids}, {"state", approve ? "approved" : "rejected"}, {"comment", comment.toStdString()}});
    r.readBack = [this, runId, environmentIds](std::function<void(std::optional<bool>)> answer) {
        pendingDeployments(runId, [answer, environmentIds](const Result<QList<GitHubPendingDeployment>> &pending) {
            if (!pending)
                return answer(std::nullopt);
            int stillPending = 0;
            for (const GitHubPendingDeployment &p : pending.value())
                stillPending += environmentIds.contains(p.environmentId) ? 1 : 0;
            if (stillPending == 0)
                return answer(true); // reviewed: GitHub would refuse a second review
            if (stillPending == environmentIds.size())
                return answer(false);
            answer(std::nullopt); // some reviewed, some not: not ours to guess
        });
    };
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        GitHubReview review;
        if (resp.appliedByReadBack) {
            review.confirmedByReadBack = true;
            return done(review);
        }
        review.requestId = resp.requestId;
        JsonReader reader(u"github"_s, resp.body);
        arrayOf<GitHubDeployment>(readDeployment)(reader.root(), review.deployments);
        if (!reader.ok())
            return done(reader.error());
        done(review);
    });
}

void GitHubClient::createDeployment(const QString &ref, const QString &environment, const QString &description, Callback<GitHubDeployment> done,
                                    const QString &task, bool checkStatuses)
{
    // created_at has whole seconds.
    const QDateTime started = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch(), Qt::UTC);
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = repoUrl(u"/deployments"_s);
    // auto_merge off: recording a deployment must never merge the default branch into the ref (a 202).
    nlohmann::json body = {{"ref", ref.toStdString()}, {"environment", environment.toStdString()}, {"description", description.toStdString()},
                           {"task", task.toStdString()}, {"auto_merge", false}};
    if (!checkStatuses)
        body["required_contexts"] = nlohmann::json::array();
    r.body = Json::dump(body);
    auto found = std::make_shared<std::optional<GitHubDeployment>>();
    r.readBack = [this, ref, environment, started, found](std::function<void(std::optional<bool>)> answer) {
        listDeployments({{u"ref"_s, ref}, {u"environment"_s, environment}}, false,
                        [answer, ref, environment, started, found](const Result<QList<GitHubDeployment>> &list) {
                            if (!list)
                                return answer(std::nullopt);
                            for (const GitHubDeployment &d : list.value()) {
                                if (d.ref == ref && d.environment == environment && d.createdAt >= started) {
                                    *found = d;
                                    return answer(true);
                                }
                            }
                            answer(false);
                        });
    };
    m_http.send(r, [done, found, ref, environment](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        if (resp.appliedByReadBack) {
            if (*found)
                return done(**found);
            return done(Error::make(Error::Kind::Conflict, u"github"_s,
                                    u"the deployment of %1 to %2 was created but could not be read back"_s.arg(ref, environment),
                                    u"check the repository's deployments before recording it again"_s));
        }
        JsonReader reader(u"github"_s, resp.body);
        const GitHubDeployment d = readDeployment(reader.root());
        if (!reader.ok())
            return done(reader.error());
        done(d);
    });
}

void GitHubClient::createDeploymentStatus(qint64 deploymentId, const QString &state, const QString &description, const QString &logUrl,
                                          Callback<GitHubDeploymentStatus> done)
{
    const QDateTime started = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch(), Qt::UTC);
    const QString text = description.left(140); // GitHub's limit
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = repoUrl(u"/deployments/%1/statuses"_s.arg(deploymentId));
    nlohmann::json body = {{"state", state.toStdString()}, {"description", text.toStdString()}};
    if (!logUrl.isEmpty())
        body["log_url"] = logUrl.toStdString();
    r.body = Json::dump(body);
    auto found = std::make_shared<std::optional<GitHubDeploymentStatus>>();
    r.readBack = [this, deploymentId, state, text, started, found](std::function<void(std::optional<bool>)> answer) {
        listDeploymentStatuses(deploymentId, false, [answer, state, text, started, found](const Result<QList<GitHubDeploymentStatus>> &list) {
            if (!list)
                return answer(std::nullopt);
            for (const GitHubDeploymentStatus &s : list.value()) {
                if (s.state == state && s.description == text && s.createdAt >= started) {
                    *found = s;
                    return answer(true);
                }
            }
            answer(false);
        });
    };
    m_http.send(r, [done, found](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        if (resp.appliedByReadBack) {
            if (*found)
                return done(**found);
            return done(Error::make(Error::Kind::Conflict, u"github"_s, u"the deployment status was created but could not be read back"_s,
                                    u"check the deployment's statuses before adding it again"_s));
        }
        JsonReader reader(u"github"_s, resp.body);
        const GitHubDeploymentStatus s = readDeploymentStatus(reader.root());
        if (!reader.ok())
            return done(reader.error());
        done(s);
    });
}

Net::Request GitHubClient::issueRequest(const QString &title, const QString &body, const QStringList &labels) const
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.idempotent = false; // and no read-back: issues cannot be listed through the endpoints the console uses
    r.url = repoUrl(u"/issues"_s);
    nlohmann::json names = nlohmann::json::array();
    for (const QString &l : labels)
        names.push_back(l.toStdString());
    r.body = Json::dump({{"title", title.toStdString()}, {"body", body.toStdString()}, {"labels", names}});
    return r;
}

Net::RequestPreview GitHubClient::previewCreateIssue(const QString &title, const QString &body, const QStringList &labels) const
{
    return Net::RequestPreview::from(issueRequest(title, body, labels), m_api, u"github"_s);
}

void GitHubClient::issues(const QStringList &labels, const QString &state, const QDateTime &since, Callback<QList<GitHubIssue>> done)
{
    Net::QueryItems q{{u"state"_s, state}, {u"per_page"_s, QString::number(m_pageSize)}};
    if (!labels.isEmpty())
        q.append({u"labels"_s, labels.join(u',')});
    if (since.isValid())
        q.append({u"since"_s, since.toUTC().toString(Qt::ISODate)});
    const Net::Request r = get(u"/issues"_s, q);
    const auto one = [](const JsonReader::Node &i) {
        GitHubIssue out;
        out.number = int(i["number"].integer());
        out.title = i["title"].str();
        out.htmlUrl = i["html_url"].str();
        out.state = i["state"].str();
        out.body = i["body"].optStr();
        out.createdAt = readTime(i["created_at"]);
        out.closedAt = readTime(i["closed_at"]);
        if (const JsonReader::Node ls = i["labels"]; ls.isArray()) {
            for (std::size_t k = 0; k < ls.size(); ++k) {
                // A label is an object with a name, or (in older answers) a plain string.
                const JsonReader::Node l = ls.at(k);
                out.labels << (l["name"].isNull() ? l.optStr() : l["name"].str());
            }
        }
        // A pull request is an issue too; it carries "pull_request".
        if (!i["pull_request"].isNull())
            out.number = -out.number;
        return out;
    };
    fetchAll<GitHubIssue>(m_http, m_api, r, {}, arrayOf<GitHubIssue>(one),
                          [done](const Result<QList<GitHubIssue>> &items, bool) {
                              if (!items)
                                  return done(items.error());
                              QList<GitHubIssue> out;
                              for (const GitHubIssue &i : items.value()) {
                                  if (i.number > 0)
                                      out << i;
                              }
                              done(out);
                          });
}

void GitHubClient::createIssue(const QString &title, const QString &body, const QStringList &labels, Callback<GitHubIssue> done)
{
    const Net::Request r = issueRequest(title, body, labels);
    const QString repo = m_owner + u'/' + m_repo;
    m_http.send(r, [done, title, repo](const Net::Response &resp) {
        if (!resp.ok()) {
            Error e = resp.error;
            if (resp.status == 0 || resp.status >= 500) {
                // No answer, or a failure after the request arrived: it may have been filed.
                e.message += u"; it is unknown whether the issue was created"_s;
                e.remedy = u"check the issues of %1 on GitHub for \"%2\" before filing it again; the console does not re-send it"_s.arg(repo, title);
            }
            return done(e);
        }
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        GitHubIssue issue;
        issue.number = int(root["number"].integer());
        issue.title = root["title"].str();
        issue.htmlUrl = root["html_url"].str();
        issue.requestId = resp.requestId;
        if (!reader.ok())
            return done(reader.error());
        done(issue);
    });
}

namespace {

GitHubIssueComment readIssueComment(const JsonReader::Node &c)
{
    GitHubIssueComment out;
    out.id = c["id"].integer();
    out.body = c["body"].optStr();
    out.author = c["user"]["login"].str();
    out.htmlUrl = c["html_url"].str();
    out.createdAt = readTime(c["created_at"]);
    out.updatedAt = readTime(c["updated_at"]);
    return out;
}

} // namespace

Result<GitHubIssueComment> GitHubClient::parseIssueComment(const QByteArray &body)
{
    JsonReader reader(u"github"_s, body);
    GitHubIssueComment c = readIssueComment(reader.root());
    if (!reader.ok())
        return reader.error();
    return c;
}

void GitHubClient::issueComments(int number, Callback<QList<GitHubIssueComment>> done)
{
    const Net::Request r = get(u"/issues/%1/comments"_s.arg(number), {{u"per_page"_s, QString::number(m_pageSize)}});
    fetchAll<GitHubIssueComment>(m_http, m_api, r, {}, arrayOf<GitHubIssueComment>(readIssueComment),
                                 [done](const Result<QList<GitHubIssueComment>> &items, bool) { done(items); });
}

Net::RequestPreview GitHubClient::previewCreateIssueComment(const QString &issue, const QString &body) const
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = repoUrl(u"/issues/0/comments"_s);
    r.body = Json::dump({{"body", body.toStdString()}});
    Net::RequestPreview p = Net::RequestPreview::from(r, m_api, u"github"_s);
    p.path.replace(u"/issues/0/comments"_s, u"/issues/%1/comments"_s.arg(issue));
    return p;
}

void GitHubClient::createIssueComment(int number, const QString &body, Callback<GitHubIssueComment> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.idempotent = false;
    r.url = repoUrl(u"/issues/%1/comments"_s.arg(number));
    r.body = Json::dump({{"body", body.toStdString()}});
    const QString repo = m_owner + u'/' + m_repo;
    m_http.send(r, [done, number, repo](const Net::Response &resp) {
        if (!resp.ok()) {
            Error e = resp.error;
            if (resp.status == 0 || resp.status >= 500) {
                e.message += u"; it is unknown whether the comment was posted"_s;
                e.remedy = u"check the comments of %1#%2 on GitHub; the console does not re-send it"_s.arg(repo).arg(number);
            }
            return done(e);
        }
        const Result<GitHubIssueComment> parsed = parseIssueComment(resp.body);
        if (!parsed)
            return done(parsed.error());
        GitHubIssueComment c = parsed.value();
        c.requestId = resp.requestId;
        done(c);
    });
}

} // namespace Raize::Services
