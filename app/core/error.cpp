#include "core/error.h"

namespace Raize {

QString Error::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None: return QStringLiteral("none");
    case Kind::Network: return QStringLiteral("network");
    case Kind::Timeout: return QStringLiteral("timeout");
    case Kind::Http: return QStringLiteral("http");
    case Kind::RateLimited: return QStringLiteral("rate-limited");
    case Kind::Auth: return QStringLiteral("auth");
    case Kind::Parse: return QStringLiteral("parse");
    case Kind::Config: return QStringLiteral("config");
    case Kind::Keychain: return QStringLiteral("keychain");
    case Kind::Io: return QStringLiteral("io");
    case Kind::Conflict: return QStringLiteral("conflict");
    case Kind::Refused: return QStringLiteral("refused");
    case Kind::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

QString Error::toString() const
{
    if (!isError())
        return {};
    QString out = service.isEmpty() ? QString() : service + QStringLiteral(": ");
    if (httpStatus > 0)
        out += QStringLiteral("HTTP %1 — ").arg(httpStatus);
    out += message;
    if (!serviceCode.isEmpty())
        out += QStringLiteral(" [%1]").arg(serviceCode);
    if (!fieldPath.isEmpty())
        out += QStringLiteral(" at %1").arg(fieldPath);
    if (!requestId.isEmpty())
        out += QStringLiteral(" (request %1)").arg(requestId);
    if (!remedy.isEmpty())
        out += QStringLiteral(". What to do: ") + remedy;
    return out;
}

Error Error::make(Kind kind, const QString &service, const QString &message, const QString &remedy)
{
    Error e;
    e.kind = kind;
    e.service = service;
    e.message = message;
    e.remedy = remedy;
    return e;
}

} // namespace Raize
