#include "services/flags/flagbackend.h"

#include "services/flags/unleashclient.h"
#include "services/launchdarkly/launchdarklyclient.h"

namespace Raize::Services {

using namespace Qt::StringLiterals;

QStringList flagBackendKinds()
{
    return {u"unleash"_s, u"launchdarkly"_s};
}

Result<std::unique_ptr<FlagService>> makeFlagService(Net::HttpClient &http, const FlagBackendConfig &config)
{
    if (config.url.isEmpty() || !config.url.isValid())
        return Error::make(Error::Kind::Config, u"flags"_s, u"no valid flag-service URL is set"_s,
                           u"Set it in Settings → Flag service, or `raize-console settings set flags/url URL`."_s);
    const QString kind = config.kind.isEmpty() ? u"unleash"_s : config.kind;
    if (kind == u"unleash"_s)
        return std::unique_ptr<FlagService>(std::make_unique<UnleashClient>(http, config.url, config.project, config.environment));
    if (kind == u"launchdarkly"_s)
        return std::unique_ptr<FlagService>(std::make_unique<LaunchDarklyClient>(http, config.url, config.project, config.environment));
    return Error::make(Error::Kind::Config, u"flags"_s, u"unknown flag-service kind \"%1\""_s.arg(kind),
                       u"Use one of %1: `raize-console settings set flags/kind unleash`."_s.arg(flagBackendKinds().join(u", "_s)));
}

} // namespace Raize::Services
