#pragma once

#include <QByteArray>
#include <QString>

namespace Raize {

// The one place where secrets are scrubbed from text that leaves the process
// (logs, error messages, request dumps). Every secret the console loads is
// registered here; well-known token shapes and Authorization headers are
// scrubbed even when nobody registered them.
class Redactor
{
public:
    static constexpr QLatin1StringView mask{"[REDACTED]"};

    // Remember a secret for the rest of the process. Short values (< 6
    // characters) are ignored: masking them would mangle ordinary words.
    static void registerSecret(const QString &secret);
    static void forgetAll(); // tests only

    static QString redact(const QString &text);
    static QByteArray redact(const QByteArray &text);

    // For request logs: the value of a header, or "[REDACTED]" for
    // Authorization, Cookie, Set-Cookie, X-Api-Key and other credential headers.
    static QByteArray redactHeader(const QByteArray &name, const QByteArray &value);
    static bool isSensitiveHeader(const QByteArray &name);
};

} // namespace Raize
