#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace Raize::Net {
class HttpClient;
}

namespace Raize::Services {

// One change the flag service recorded, whoever made it (issue #19 item 1):
// a flag turned on or off, or its strategies (who it reaches) changed.
struct FlagEvent
{
    QString id;          // the service's own id
    qint64 timeMs = 0;   // UTC
    QString actor;       // as the service records it (a shared admin token's name, a member's e-mail)
    QString type;        // the service's word: "feature-environment-enabled", "updateOn", ...
    QString flag, environment;
    QString before, after; // "off" → "on"; a scope in words for a strategy change; empty: unknown
    QStringList cohorts;   // the cohorts the change's strategy names (before or after)
    QStringList clients;   // the client and platform account ids it names (before or after)
    QString lane;          // the lane the change's strategy names
    QString url;           // the flag in the service's own UI

    bool operator==(const FlagEvent &) const = default;
};

// The flag service's event log, polled for the timeline: Unleash's event
// search (GET /api/admin/search/events) or LaunchDarkly's audit log
// (GET /api/v2/auditlog). Both are conditional requests on the HTTP client's
// ETag cache: an unchanged log costs a 304. Events that are not flag changes
// (tags, projects, users, metrics) are skipped.
class FlagEventLog
{
public:
    using Callback = std::function<void(const Result<QList<FlagEvent>> &)>;

    // `kind`: "unleash" (also when empty) or "launchdarkly", as makeFlagService.
    // `uiBase`: where the service's pages live (empty: the API base).
    FlagEventLog(Net::HttpClient &http, QString kind, QUrl baseUrl, QString project, QUrl uiBase = {});

    QString kind() const { return m_kind; }
    // The flag changes from `since` (UTC) on, oldest first.
    void changes(const QDateTime &since, Callback done);

    // ---- pure parts, public for tests ----
    static Result<QList<FlagEvent>> parseUnleash(const QByteArray &body, const QUrl &uiBase, const QString &project);
    static Result<QList<FlagEvent>> parseLaunchDarkly(const QByteArray &body, const QUrl &uiBase);

private:
    Net::HttpClient &m_http;
    QString m_kind, m_project;
    QUrl m_base, m_ui;
};

} // namespace Raize::Services
