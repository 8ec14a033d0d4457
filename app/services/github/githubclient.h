#pragma once

#include "core/result.h"
#include "net/endpoint.h"
#include "net/httpclient.h"

#include <QUrl>

#include <functional>

namespace Raize::Services {

struct GitHubRelease
{
    qint64 id = 0;
    QString tag;
    QString name;
    QString htmlUrl;
    bool draft = false;
};

struct GitHubRateLimit
{
    int limit = 0, remaining = 0;
    QDateTime reset;
};

// The GitHub REST endpoints the console uses (shared/api-specs/ENDPOINTS.md).
// Requests are serial per token and mutations at least 1 s apart (HttpClient).
class GitHubClient
{
public:
    GitHubClient(Net::HttpClient &http, QUrl apiUrl, QString owner, QString repo);

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;

    void releases(Callback<QList<GitHubRelease>> done);
    // Creates a release (a draft unless draft is false). Not idempotent:
    // after an unclear outcome it lists the releases and retries only if
    // none carries the tag.
    void createRelease(const QString &tag, const QString &name, const QString &body, bool draft, Callback<GitHubRelease> done);
    void generateNotes(const QString &tag, const QString &previousTag, Callback<QString> done);
    void rateLimit(Callback<GitHubRateLimit> done);

    static Result<GitHubRelease> parseRelease(const QByteArray &body);

private:
    QUrl url(const QString &path, const Net::QueryItems &query = {}) const;

    Net::HttpClient &m_http;
    QUrl m_api;
    QString m_owner, m_repo;
};

} // namespace Raize::Services
