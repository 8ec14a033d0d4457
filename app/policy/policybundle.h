#pragma once

#include "core/result.h"

#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Policy {

// A versioned policy bundle: the playbook encoded as data
// (resources/policy/playbook-v1.json; per-tenant bundles, playbook §11.4).
// The loader checks the envelope and hands each subsystem the raw section it
// owns; a subsystem that finds its section malformed reports the section's
// path. A bundle is applied whole or not at all: loading never returns a
// partly read document.
struct Bundle
{
    QString id;          // "playbook-v1"
    int version = 0;     // schema version of the bundle format
    QString title;
    QString tenant;      // empty for the default bundle
    QString source;      // file path, or ":/policy/playbook-v1.json"
    nlohmann::json doc;  // the whole document

    // The named top-level section, or null when the bundle has none.
    const nlohmann::json &section(const char *name) const;
};

inline constexpr int SupportedVersion = 1;
inline constexpr const char *BuiltinPath = ":/policy/playbook-v1.json";

// Parses bundle text. Errors name the source, the line and the column
// ("tenant.json:12:7: expected ',' or '}'"), or the envelope field at fault.
Result<Bundle> parseBundle(const QByteArray &text, const QString &source);
Result<Bundle> loadBundleFile(const QString &path);
// The bundle compiled into the console (playbook v1).
const Bundle &builtinBundle();

// A section's field is wrong: names the bundle and the field path. The caller
// refuses the whole bundle (nothing is half applied).
Error fieldError(const Bundle &bundle, const QString &field, const QString &message);
// A string member of a JSON object, or empty.
QString stringField(const nlohmann::json &object, const char *key);

// 1-based line and column of a byte offset in text (for parse errors).
std::pair<int, int> lineColumn(const QByteArray &text, std::size_t byteOffset);

} // namespace Raize::Policy
