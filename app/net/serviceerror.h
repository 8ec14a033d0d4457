#pragma once

#include "core/error.h"
#include "core/settings.h"

#include <QByteArray>
#include <QHash>

namespace Raize::Net {

// Turns a failed answer into an Error that names the service, carries the
// service's own message and code, and says what to do.
// Vercel: {"error":{"code","message"}}; GitHub: {"message","documentation_url"};
// Unleash: {"name","message","details":[{"message"}]}; LaunchDarkly: {"code","message"};
// Prometheus: {"status":"error","errorType","error"}.
Error errorFromResponse(Service service, int status, const QByteArray &body, const QHash<QByteArray, QByteArray> &headers,
                        const QString &requestId);

} // namespace Raize::Net
