#pragma once

#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

namespace Raize::Sandbox {

// Seeds a fresh Unleash with the platform's context fields and flags through
// the Admin API. flags: [{"name", "type", "enabled", "scope": {"kind": "global"|"client"|
// "account"|"lane"|"cohort", "values": [...]}, "dependsOn": "parent"}]: a flag with "dependsOn"
// depends on that flag being on (Unleash flag dependencies, added once every flag exists).
// Returns an error message, or empty.
QString seedUnleash(const QUrl &url, const QString &adminToken, const nlohmann::json &flags);

} // namespace Raize::Sandbox
