#pragma once

#include "core/error.h"
#include "core/settings.h"

#include <QStringList>
#include <QUrl>

#include <functional>

namespace Raize::Net {
class HttpClient;
}

namespace Raize::Services {

// What to test: the values as typed in Settings (not necessarily saved yet).
struct ConnectionTarget
{
    Service service = Service::Vercel;
    QUrl url;
    QString token;
    QString project, team;          // Vercel: project id and team id; flags: project
    QString owner, repo;            // GitHub
    QString flagsKind, environment; // flags: "unleash" or "launchdarkly", and the environment
};

struct ConnectionReport
{
    bool ok = false;          // reachable, and the token does what the console needs
    QString identity;         // who or what answered, e.g. "token for raize/platform (classic, scopes repo, workflow)"
    QStringList granted;      // what the token was seen to allow
    QStringList missing;      // each: the permission, what needs it, and how to grant it
    QStringList notes;
    Error error;              // when the service could not be asked at all
    QString summary() const;  // one paragraph for the Settings dialog
};

// Reads what each service offers about the token (never changes anything):
// Vercel: the project and its production deployment's checks;
// GitHub: /rate_limit and the repository's environments, with the token's
//   scopes from X-OAuth-Scopes (classic tokens; fine-grained tokens do not
//   report theirs, so the needed permissions are listed instead);
// flag service: health and the project's flags with the given token;
// Prometheus: build information.
void checkConnection(Net::HttpClient &http, const ConnectionTarget &target, std::function<void(const ConnectionReport &)> done);

} // namespace Raize::Services
