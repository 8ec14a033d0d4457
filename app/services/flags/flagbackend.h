#pragma once

// The one flag-backend factory (issue #14): every place that needs a flag
// service (the workspace, the settings dialog's connection check) asks here,
// so a profile's flags kind picks the backend in one place. No other code
// constructs an UnleashClient or a LaunchDarklyClient (test_workspace_layout).

#include "core/result.h"
#include "services/flags/flagservice.h"

#include <QString>
#include <QUrl>

#include <memory>

namespace Raize::Net {
class HttpClient;
}

namespace Raize::Services {

struct FlagBackendConfig
{
    QString kind;        // "unleash" (also when empty) or "launchdarkly": the settings' flags/kind
    QUrl url;            // the service's base URL
    QString project;     // Unleash project / LaunchDarkly project key
    QString environment; // the default environment of calls that name none
};

// The kinds makeFlagService knows, in the order the settings dialog offers them.
QStringList flagBackendKinds();

// A client for the configured backend on `http` (which must outlive it).
// Fails with a Config error that names the setting when the kind is unknown
// or the URL is missing or invalid.
Result<std::unique_ptr<FlagService>> makeFlagService(Net::HttpClient &http, const FlagBackendConfig &config);

} // namespace Raize::Services
