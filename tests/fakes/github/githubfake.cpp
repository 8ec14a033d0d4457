#include "githubfake.h"

#include "http/httpserver.h"

#include <QCryptographicHash>
#include <QDateTime>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

GitHubFake::GitHubFake(HttpServer *server, QString token, QString owner, QString repo, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_token(std::move(token))
    , m_owner(std::move(owner))
    , m_repo(std::move(repo))
{
    m_reset = QDateTime::currentSecsSinceEpoch() + 3600;
    m_server->setErrorBody([](int, const QString &, const QString &message) {
        return json{{"message", message.toStdString()}, {"documentation_url", "https://docs.github.com/rest"}, {"status", "error"}};
    });
    routes();
}

void GitHubFake::load(const json &scenario)
{
    m_releases = json::array();
    for (const json &r : scenario.value("releases", json::array()))
        m_releases.push_back({{"id", m_nextId++}, {"tag_name", r.value("tag", "v0.0.0")}, {"name", r.value("name", "")},
                              {"body", r.value("body", "")}, {"draft", r.value("draft", false)}, {"prerelease", false},
                              {"created_at", "2026-11-01T10:00:00Z"}, {"published_at", "2026-11-01T10:00:00Z"},
                              {"target_commitish", "main"}});
}

json GitHubFake::user() const
{
    const std::string base = "https://api.github.com/users/release-bot";
    return {{"login", "release-bot"}, {"id", 4242}, {"node_id", "MDQ6VXNlcjQyNDI="}, {"avatar_url", "https://avatars.githubusercontent.com/u/4242"},
            {"gravatar_id", ""}, {"url", base}, {"html_url", "https://github.com/release-bot"}, {"followers_url", base + "/followers"},
            {"following_url", base + "/following{/other_user}"}, {"gists_url", base + "/gists{/gist_id}"},
            {"starred_url", base + "/starred{/owner}{/repo}"}, {"subscriptions_url", base + "/subscriptions"},
            {"organizations_url", base + "/orgs"}, {"repos_url", base + "/repos"}, {"events_url", base + "/events{/privacy}"},
            {"received_events_url", base + "/received_events"}, {"type", "Bot"}, {"site_admin", false}};
}

json GitHubFake::releaseJson(const json &r) const
{
    const std::string repoUrl = "https://api.github.com/repos/" + m_owner.toStdString() + "/" + m_repo.toStdString();
    const std::string id = std::to_string(r["id"].get<int>());
    const std::string tag = r["tag_name"];
    json out = r;
    out["url"] = repoUrl + "/releases/" + id;
    out["html_url"] = "https://github.com/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/releases/" + (r.value("draft", false) ? "untagged-" + id : "tag/" + tag);
    out["assets_url"] = repoUrl + "/releases/" + id + "/assets";
    out["upload_url"] = "https://uploads.github.com/repos/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/releases/" + id + "/assets{?name,label}";
    out["tarball_url"] = repoUrl + "/tarball/" + tag;
    out["zipball_url"] = repoUrl + "/zipball/" + tag;
    out["node_id"] = "RE_" + id;
    out["author"] = user();
    out["assets"] = json::array();
    if (r.value("draft", false))
        out["published_at"] = nullptr;
    return out;
}

json GitHubFake::state() const
{
    return {{"releases", m_releases}, {"issues", m_issues}, {"rateLimit", {{"limit", m_limit}, {"remaining", m_remaining}}}};
}

void GitHubFake::routes()
{
    using M = QRegularExpressionMatch;
    const QString repoPath = u"/repos/%1/%2"_s.arg(m_owner, m_repo);
    // Auth, budget and conditional requests, as GitHub does them.
    const auto guarded = [this](HttpServer::Handler h) {
        return [this, h](const HttpRequest &r, const M &m) {
            const QByteArray auth = r.header("authorization");
            if (auth != "Bearer " + m_token.toUtf8() && auth != "token " + m_token.toUtf8())
                return m_server->error(401, u"unauthorized"_s, u"Bad credentials"_s);
            if (QDateTime::currentSecsSinceEpoch() > m_reset) {
                m_reset = QDateTime::currentSecsSinceEpoch() + 3600;
                m_remaining = m_limit;
            }
            HttpResponse resp;
            if (m_remaining <= 0) {
                resp = m_server->error(403, u"rate_limited"_s, u"API rate limit exceeded for user ID 4242."_s);
            } else {
                resp = h(r, m);
                if (r.method == "GET" && resp.status == 200) {
                    const QByteArray etag = "W/\"" + QCryptographicHash::hash(resp.body, QCryptographicHash::Sha1).toHex() + '"';
                    resp.setHeader("ETag", etag);
                    if (r.header("if-none-match") == etag) {
                        resp = HttpResponse::empty(304); // a 304 costs no budget
                        resp.setHeader("ETag", etag);
                    } else {
                        --m_remaining;
                    }
                } else {
                    --m_remaining;
                }
            }
            resp.setHeader("X-RateLimit-Limit", QByteArray::number(m_limit));
            resp.setHeader("X-RateLimit-Remaining", QByteArray::number(qMax(0, m_remaining)));
            resp.setHeader("X-RateLimit-Reset", QByteArray::number(m_reset));
            resp.setHeader("X-RateLimit-Used", QByteArray::number(m_limit - m_remaining));
            resp.setHeader("X-RateLimit-Resource", "core");
            return resp;
        };
    };

    m_server->route("GET", u"/rate_limit"_s, [this](const HttpRequest &r, const M &) {
        if (r.header("authorization").isEmpty())
            return m_server->error(401, u"unauthorized"_s, u"Requires authentication"_s);
        const json core = {{"limit", m_limit}, {"remaining", m_remaining}, {"reset", m_reset}, {"used", m_limit - m_remaining}};
        const json search = {{"limit", 30}, {"remaining", 30}, {"reset", m_reset}, {"used", 0}};
        return HttpResponse::json(200, {{"resources", {{"core", core}, {"search", search}}}, {"rate", core}});
    });

    m_server->route("GET", repoPath + u"/releases"_s, guarded([this](const HttpRequest &r, const M &) {
        const int perPage = qBound(1, r.queryValue(u"per_page"_s, u"30"_s).toInt(), 100);
        const int page = qMax(1, r.queryValue(u"page"_s, u"1"_s).toInt());
        json out = json::array();
        const int total = int(m_releases.size());
        for (int i = total - 1 - (page - 1) * perPage, n = 0; i >= 0 && n < perPage; --i, ++n)
            out.push_back(releaseJson(m_releases[size_t(i)]));
        HttpResponse resp = HttpResponse::json(200, out);
        if (page * perPage < total) {
            const QByteArray next = m_server->baseUrl().toUtf8() + r.path.toUtf8() + "?per_page=" + QByteArray::number(perPage) + "&page=" + QByteArray::number(page + 1);
            resp.setHeader("Link", '<' + next + ">; rel=\"next\"");
        }
        return resp;
    }));

    m_server->route("GET", repoPath + u"/releases/latest"_s, guarded([this](const HttpRequest &, const M &) {
        for (auto it = m_releases.rbegin(); it != m_releases.rend(); ++it) {
            if (!(*it).value("draft", false))
                return HttpResponse::json(200, releaseJson(*it));
        }
        return m_server->error(404, u"not_found"_s, u"Not Found"_s);
    }));

    m_server->route("POST", repoPath + u"/releases"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("tag_name") || !body["tag_name"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: tag_name is missing"_s);
        for (const json &existing : m_releases) {
            if (existing["tag_name"] == body["tag_name"] && !existing.value("draft", false))
                return m_server->error(422, u"already_exists"_s, u"Validation Failed: tag_name already_exists"_s);
        }
        json rel = {{"id", m_nextId++}, {"tag_name", body["tag_name"]}, {"name", body.value("name", "")}, {"body", body.value("body", "")},
                    {"draft", body.value("draft", false)}, {"prerelease", body.value("prerelease", false)},
                    {"target_commitish", body.value("target_commitish", "main")},
                    {"created_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()},
                    {"published_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()}};
        m_releases.push_back(rel);
        return HttpResponse::json(201, releaseJson(rel));
    }));

    m_server->route("POST", repoPath + u"/releases/generate-notes"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("tag_name"))
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: tag_name is missing"_s);
        const std::string tag = body["tag_name"];
        return HttpResponse::json(200, {{"name", tag}, {"body", "## What's Changed\n* scheduler v2 by @dev in #412\n* DM dedupe by @dev in #418\n"}});
    }));

    m_server->route("POST", repoPath + u"/issues"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("title") || !body["title"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: title is missing"_s);
        const int number = int(m_issues.size()) + 400;
        json issue = {{"id", m_nextId++}, {"number", number}, {"title", body["title"]}, {"body", body.value("body", "")},
                      {"labels", body.value("labels", json::array())}, {"state", "open"},
                      {"html_url", "https://github.com/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/issues/" + std::to_string(number)}};
        m_issues.push_back(issue);
        return HttpResponse::json(201, issue);
    }));
}

} // namespace Raize::Sandbox
