// The GitHub client's writes on the platform repository's files (issue #19 item 4): a branch for
// the journal, the file itself through the contents API, and the pull request that takes it to main.

#include "services/github/githubclient.h"

#include "core/jsonutil.h"
#include "net/jsonreader.h"

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;

namespace {

QString encoded(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

GitHubRef readRef(const JsonReader::Node &r)
{
    return {r["ref"].str(), r["object"]["sha"].str()};
}

GitHubPullRef readPullRef(const JsonReader::Node &p)
{
    return {int(p["number"].integer()), p["html_url"].str(), p["head"]["ref"].str(), p["base"]["ref"].str(), p["state"].str()};
}

} // namespace

void GitHubClient::branchHead(const QString &branch, Callback<GitHubRef> done)
{
    // One {ref} segment, slashes encoded, as for the other branch endpoints.
    const Net::Request r = get(u"/git/ref/"_s + encoded(u"heads/"_s + branch));
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const GitHubRef ref = readRef(reader.root());
        if (!reader.ok())
            return done(reader.error());
        done(ref);
    });
}

void GitHubClient::createBranch(const QString &branch, const QString &sha, Callback<GitHubRef> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = repoUrl(u"/git/refs"_s);
    r.body = Json::dump({{"ref", QString(u"refs/heads/"_s + branch).toStdString()}, {"sha", sha.toStdString()}});
    // After an unclear outcome: the branch is there (created) or not (send again).
    r.readBack = [this, branch](std::function<void(std::optional<bool>)> answer) {
        branchHead(branch, [answer](const Result<GitHubRef> &head) {
            if (head)
                return answer(true);
            answer(head.error().httpStatus == 404 ? std::optional<bool>(false) : std::nullopt);
        });
    };
    m_http.send(r, [this, done, branch](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        if (resp.appliedByReadBack)
            return branchHead(branch, done);
        JsonReader reader(u"github"_s, resp.body);
        const GitHubRef ref = readRef(reader.root());
        if (!reader.ok())
            return done(reader.error());
        done(ref);
    });
}

void GitHubClient::putContents(const QString &path, const QString &branch, const QByteArray &content, const QString &blobSha,
                               const QString &message, Callback<GitHubFileCommit> done)
{
    QString trimmed = path;
    while (trimmed.startsWith(u'/'))
        trimmed.remove(0, 1);
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "PUT";
    r.idempotent = false; // a second PUT with the same sha is refused, one with a new sha writes twice: the caller re-reads
    // One segment, slashes encoded, as contents() reads it (Octokit's form; the description's {path} is one segment).
    r.url = repoUrl(u"/contents/"_s + encoded(trimmed));
    nlohmann::json body = {{"message", message.toStdString()}, {"content", content.toBase64().toStdString()}, {"branch", branch.toStdString()}};
    if (!blobSha.isEmpty())
        body["sha"] = blobSha.toStdString();
    r.body = Json::dump(body);
    m_http.send(r, [done, path](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        GitHubFileCommit c;
        c.path = root["content"]["path"].optStr(path);
        c.blobSha = root["content"]["sha"].str();
        c.commitSha = root["commit"]["sha"].str();
        c.htmlUrl = root["commit"]["html_url"].optStr();
        if (!reader.ok())
            return done(reader.error());
        done(c);
    });
}

void GitHubClient::openPullsFrom(const QString &head, const QString &base, Callback<QList<GitHubPullRef>> done)
{
    const Net::Request r = get(u"/pulls"_s, {{u"state"_s, u"open"_s}, {u"head"_s, m_owner + u':' + head}, {u"base"_s, base},
                                             {u"sort"_s, u"created"_s}, {u"direction"_s, u"asc"_s}});
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"github"_s, resp.body);
        const auto root = reader.root();
        QList<GitHubPullRef> out;
        if (!root.isArray())
            root.reject(u"a list of pull requests"_s);
        else
            for (std::size_t i = 0; i < root.size(); ++i)
                out << readPullRef(root.at(i));
        if (!reader.ok())
            return done(reader.error());
        done(out);
    });
}

void GitHubClient::createPullRequest(const QString &head, const QString &base, const QString &title, const QString &body,
                                     Callback<GitHubPullRef> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.method = "POST";
    r.url = repoUrl(u"/pulls"_s);
    r.body = Json::dump({{"title", title.toStdString()}, {"head", head.toStdString()}, {"base", base.toStdString()},
                         {"body", body.toStdString()}});
    // After an unclear outcome: an open pull request from head into base means it was created.
    r.readBack = [this, head, base](std::function<void(std::optional<bool>)> answer) {
        openPullsFrom(head, base, [answer](const Result<QList<GitHubPullRef>> &open) {
            if (!open)
                return answer(std::nullopt);
            answer(!open->isEmpty());
        });
    };
    m_http.send(r, [this, done, head, base](const Net::Response &resp) {
        if (resp.ok() && !resp.appliedByReadBack) {
            JsonReader reader(u"github"_s, resp.body);
            const GitHubPullRef pull = readPullRef(reader.root());
            if (!reader.ok())
                return done(reader.error());
            return done(pull);
        }
        // Applied according to the read-back (the answer itself was lost): the pull request is the open one.
        if (resp.ok() || resp.status == 0 || resp.status >= 500) {
            return openPullsFrom(head, base, [done, error = resp.error](const Result<QList<GitHubPullRef>> &open) {
                if (open && !open->isEmpty())
                    return done(open->first());
                done(error);
            });
        }
        done(resp.error);
    });
}

} // namespace Raize::Services
