#pragma once

#include "core/error.h"
#include "core/settings.h"

#include <QByteArray>
#include <QHash>

namespace Raize::Net {

// Turns a failed answer into an Error that names the service, carries the
// service's own message and code, and says what to do.
// Vercel: {"error":{"code","message"}}, {"err":{...}} or {"err":"text"}, and a bare {"code","message"};
// GitHub: {"message","errors":[{"resource","field","code","message"}],"documentation_url"} (every
// errors[] entry is kept in the message, the documentation in the remedy);
// Unleash: {"name","message","details":[{"message"|"description"}]} (details only when they add to the message);
// LaunchDarkly: {"code","message"}; Prometheus: {"status":"error","errorType","error"}.
// A 403/429 that is a rate limit (net/ratelimit.h) is RateLimited; any other 403 is Auth.
Error errorFromResponse(Service service, int status, const QByteArray &body, const QHash<QByteArray, QByteArray> &headers,
                        const QString &requestId);

} // namespace Raize::Net
