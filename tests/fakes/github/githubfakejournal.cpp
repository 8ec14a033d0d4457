// The GitHub fake's writes on files (issue #19 item 4): branches (git refs), the contents API's
// PUT with its sha guard, and pull requests opened from a branch. Kept apart from the rest of the
// fake so the other parts of it can change without touching this.

#include "github/githubfake.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRegularExpressionMatch>
#include <QUrl>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

std::string hashOf(const std::string &seed)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(seed), QCryptographicHash::Sha1).toHex().toStdString();
}

std::string blobSha(const std::string &path, const std::string &text)
{
    return hashOf("blob:" + path + ":" + text);
}

std::string stripHeads(std::string ref)
{
    for (const char *prefix : {"refs/heads/", "heads/"}) {
        if (ref.rfind(prefix, 0) == 0)
            return ref.substr(std::strlen(prefix));
    }
    return ref;
}

} // namespace

const json *GitHubFake::branch(const std::string &name) const
{
    const auto it = m_branches.find(stripHeads(name));
    return it == m_branches.end() ? nullptr : &*it;
}

json GitHubFake::branchFile(const QString &branchName, const QString &path) const
{
    const json *b = branch(branchName.toStdString());
    if (!b || !(*b)["files"].contains(path.toStdString()))
        return nullptr;
    return (*b)["files"][path.toStdString()];
}

void GitHubFake::raceNextPut(const QString &path, const QString &text)
{
    m_putRaces[path.toStdString()] = text.toStdString();
}

json GitHubFake::refJson(const std::string &name, const std::string &sha) const
{
    const std::string ref = "refs/heads/" + name;
    return {{"ref", ref}, {"node_id", "REF_" + hashOf(ref).substr(0, 12)}, {"url", repoApi() + "/git/" + ref},
            {"object", {{"type", "commit"}, {"sha", sha}, {"url", repoApi() + "/git/commits/" + sha}}}};
}

std::optional<HttpResponse> GitHubFake::branchContent(const std::string &ref, const std::string &path) const
{
    const json *b = branch(ref);
    if (!b || !(*b)["files"].contains(path))
        return std::nullopt;
    const std::string text = (*b)["files"][path];
    const std::string sha = blobSha(path, text), head = (*b)["head"];
    const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    const std::string url = repoApi() + "/contents/" + path + "?ref=" + ref;
    const QByteArray b64 = QByteArray::fromStdString(text).toBase64();
    std::string wrapped;
    for (qsizetype i = 0; i < b64.size(); i += 60)
        wrapped += b64.mid(i, 60).toStdString() + "\n";
    return HttpResponse::json(200, {{"type", "file"}, {"name", base}, {"path", path}, {"sha", sha}, {"size", int(text.size())}, {"url", url},
                                    {"html_url", repoHtml() + "/blob/" + head + "/" + path}, {"git_url", repoApi() + "/git/blobs/" + sha},
                                    {"download_url", "https://raw.githubusercontent.com/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/" + head + "/" + path},
                                    {"_links", {{"self", url}, {"git", repoApi() + "/git/blobs/" + sha}, {"html", repoHtml() + "/blob/" + head + "/" + path}}},
                                    {"content", wrapped}, {"encoding", "base64"}});
}

// Commits `text` as `path` on a branch; returns the file-commit answer's body.
json GitHubFake::commitToBranch(const std::string &name, const std::string &path, const std::string &text, const std::string &message)
{
    json &b = m_branches[name];
    const std::string parent = b["head"];
    const std::string sha = hashOf("branch-commit:" + name + ":" + parent + ":" + path + ":" + text);
    b["head"] = sha;
    b["files"][path] = text;
    b["log"].push_back({{"sha", sha}, {"path", path}, {"message", message}, {"author", m_caller}, {"date", now()}});
    const std::string blob = blobSha(path, text);
    const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    const json person = {{"date", now()}, {"name", m_caller}, {"email", m_caller + "@users.noreply.github.com"}};
    return {{"content", {{"name", base}, {"path", path}, {"sha", blob}, {"size", int(text.size())},
                         {"url", repoApi() + "/contents/" + path + "?ref=" + name}, {"html_url", repoHtml() + "/blob/" + name + "/" + path},
                         {"git_url", repoApi() + "/git/blobs/" + blob},
                         {"download_url", "https://raw.githubusercontent.com/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/" + sha + "/" + path},
                         {"type", "file"},
                         {"_links", {{"self", repoApi() + "/contents/" + path + "?ref=" + name}, {"git", repoApi() + "/git/blobs/" + blob},
                                     {"html", repoHtml() + "/blob/" + name + "/" + path}}}}},
            {"commit", {{"sha", sha}, {"node_id", "C_" + sha.substr(0, 12)}, {"url", repoApi() + "/git/commits/" + sha},
                        {"html_url", repoHtml() + "/commit/" + sha}, {"author", person}, {"committer", person}, {"message", message},
                        {"tree", {{"url", repoApi() + "/git/trees/" + hashOf("tree:" + sha)}, {"sha", hashOf("tree:" + sha)}}},
                        {"parents", json::array({{{"url", repoApi() + "/git/commits/" + parent}, {"html_url", repoHtml() + "/commit/" + parent}, {"sha", parent}}})},
                        {"verification", {{"verified", false}, {"reason", "unsigned"}, {"signature", nullptr}, {"payload", nullptr}, {"verified_at", nullptr}}}}}};
}

void GitHubFake::journalRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    m_server->route("GET", repoPath + u"/git/ref/(.+)"_s, guarded([this](const HttpRequest &, const M &m) {
        const std::string ref = QUrl::fromPercentEncoding(m.captured(1).toUtf8()).toStdString();
        if (ref.rfind("heads/", 0) != 0)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        const std::string name = stripHeads(ref);
        if (const json *b = branch(name))
            return HttpResponse::json(200, refJson(name, (*b)["head"]));
        const std::string sha = name == "main" ? resolveRef("main") : std::string();
        if (sha.empty())
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        return HttpResponse::json(200, refJson(name, sha));
    }));

    m_server->route("POST", repoPath + u"/git/refs"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("ref") || !body["ref"].is_string() || !body.contains("sha") || !body["sha"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Invalid request. \"ref\" and \"sha\" are required."_s);
        const std::string ref = body["ref"];
        if (ref.rfind("refs/heads/", 0) != 0 || ref.size() <= std::strlen("refs/heads/"))
            return m_server->error(422, u"unprocessable"_s, u"Reference name is invalid (refs/heads/<branch>)"_s);
        const std::string name = stripHeads(ref);
        if (branch(name) || name == "main")
            return m_server->error(422, u"unprocessable"_s, u"Reference already exists"_s);
        const std::string sha = body["sha"];
        if (commitIndex(sha) < 0)
            return m_server->error(422, u"unprocessable"_s, u"Object does not exist"_s);
        m_branches[name] = {{"base", sha}, {"head", sha}, {"files", json::object()}, {"log", json::array()}};
        return HttpResponse::json(201, refJson(name, sha));
    }));

    m_server->route("PUT", repoPath + u"/contents/(.+)"_s, guarded([this](const HttpRequest &r, const M &m) {
        const std::string path = QUrl::fromPercentEncoding(m.captured(1).toUtf8()).toStdString();
        const json body = r.json();
        if (!body.is_object() || !body.value("message", json()).is_string() || !body.value("content", json()).is_string())
            return m_server->error(422, u"unprocessable"_s, u"Invalid request. \"message\" and \"content\" are required."_s);
        const std::string name = body.value("branch", "main");
        if (name == "main" && m_protection.contains("main"))
            return m_server->error(409, u"conflict"_s, u"Changes must be made through a pull request (main is protected)."_s);
        if (!branch(name))
            return m_server->error(404, u"not_found"_s, u"Branch %1 not found"_s.arg(QString::fromStdString(name)));
        // A colleague's append that lands between this caller's read and its write.
        if (const auto race = m_putRaces.find(path); race != m_putRaces.end()) {
            const std::string before = m_branches[name]["files"].value(path, std::string());
            commitToBranch(name, path, before + race->second, "journal: a concurrent append");
            m_putRaces.erase(race);
        }
        const json &files = m_branches[name]["files"];
        const QByteArray decoded = QByteArray::fromBase64(QByteArray::fromStdString(body["content"].get<std::string>()),
                                                          QByteArray::AbortOnBase64DecodingErrors);
        if (decoded.isEmpty() && !body["content"].get<std::string>().empty())
            return m_server->error(422, u"unprocessable"_s, u"content is not valid Base64"_s);
        const bool exists = files.contains(path);
        if (exists) {
            const std::string current = blobSha(path, files[path]);
            if (!body.contains("sha") || !body["sha"].is_string())
                return m_server->error(422, u"unprocessable"_s, u"Invalid request.\n\n\"sha\" wasn't supplied."_s);
            if (body["sha"] != current)
                return m_server->error(409, u"conflict"_s, u"%1 does not match %2"_s.arg(QString::fromStdString(path), QString::fromStdString(body["sha"].get<std::string>())));
        }
        return HttpResponse::json(exists ? 200 : 201, commitToBranch(name, path, decoded.toStdString(), body["message"]));
    }));

    m_server->route("POST", repoPath + u"/pulls"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.value("head", json()).is_string() || !body.value("base", json()).is_string()
            || !body.value("title", json()).is_string())
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: title, head and base are required"_s);
        std::string head = body["head"];
        if (const auto colon = head.find(':'); colon != std::string::npos)
            head = head.substr(colon + 1);
        const std::string base = body["base"];
        const json *b = branch(head);
        if (!b || base != "main")
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: head or base is not a branch of this repository"_s);
        if ((*b)["head"] == (*b)["base"])
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: No commits between main and %1"_s.arg(QString::fromStdString(head)));
        for (const json &p : m_pulls) {
            if (p["head_ref"] == head && p["base_ref"] == base && p["state"] == "open")
                return m_server->error(422, u"unprocessable"_s, u"Validation Failed: A pull request already exists for %1:%2."_s.arg(m_owner, QString::fromStdString(head)));
        }
        int number = 500;
        for (const json &p : m_pulls)
            number = std::max(number, p["number"].get<int>() + 1);
        const json pull = {{"number", number}, {"title", body["title"]}, {"state", "open"}, {"body", body.value("body", json(nullptr))},
                           {"labels", json::array()}, {"head_ref", head}, {"head_sha", (*b)["head"]}, {"base_ref", base},
                           {"merge_commit_sha", nullptr}, {"merged", false}, {"merged_at", nullptr}, {"closed_at", nullptr},
                           {"author", m_caller}, {"created_at", now()}, {"updated_at", now()}};
        m_pulls.push_back(pull);
        return HttpResponse::json(201, pullJson(pull, true));
    }));
}

} // namespace Raize::Sandbox
