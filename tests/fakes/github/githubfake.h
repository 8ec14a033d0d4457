#pragma once

#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Sandbox {

class HttpServer;

// A stateful simulation of the GitHub REST endpoints for one repository:
// releases (list, latest, create, generate-notes), issues (create), and
// /rate_limit, with X-RateLimit-* headers on every answer, ETag + 304 that
// costs no budget, and Link pagination.
class GitHubFake : public QObject
{
    Q_OBJECT

public:
    GitHubFake(HttpServer *server, QString token, QString owner = QStringLiteral("raize"), QString repo = QStringLiteral("platform"),
               QObject *parent = nullptr);

    void load(const nlohmann::json &scenario); // the scenario's "github" part: {"releases": [...]}
    nlohmann::json state() const;
    int remaining() const { return m_remaining; }

private:
    void routes();
    nlohmann::json user() const;
    nlohmann::json releaseJson(const nlohmann::json &r) const;

    HttpServer *m_server;
    QString m_token, m_owner, m_repo;
    nlohmann::json m_releases = nlohmann::json::array();
    nlohmann::json m_issues = nlohmann::json::array();
    int m_limit = 5000;
    int m_remaining = 5000;
    qint64 m_reset = 0;
    int m_nextId = 1000;
};

} // namespace Raize::Sandbox
