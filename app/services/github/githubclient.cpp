#include "services/github/githubclient.h"

#include "core/jsonutil.h"
#include "net/endpoint.h"
#include "net/jsonreader.h"

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;

namespace {
GitHubRelease readRelease(const JsonReader::Node &r)
{
    return {r["id"].integer(), r["tag_name"].str(), r["name"].optStr(), r["html_url"].str(), r["draft"].boolean()};
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
    r.cacheKey = u"github:releases:%1/%2"_s.arg(m_owner, m_repo);
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

} // namespace Raize::Services
