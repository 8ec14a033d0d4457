#pragma once

#include <QString>

namespace Raize {

// An error the operator can act on: which service, what failed, what the
// service itself said, and what to do next (STYLE.md §2).
struct Error
{
    enum class Kind {
        None,
        Network,        // connection refused, reset, DNS, TLS
        Timeout,        // no answer within the configured bound
        Http,           // the service answered with a 4xx/5xx
        RateLimited,    // 429 or a secondary rate limit
        Auth,           // 401/403: missing or wrong token, missing permission
        Parse,          // the body did not have the expected shape
        Config,         // a setting is missing or invalid
        Keychain,       // the secret store refused or is missing
        Io,             // a local file could not be read or written
        Conflict,       // the remote state disagrees with what we expected
        Refused,        // a rule (policy, plan digest, guard) refused the action
        Cancelled,
    };

    Kind kind = Kind::None;
    QString service;     // "vercel", "github", "unleash", "prometheus", "keychain", ...
    QString message;     // what happened, in words
    QString remedy;      // what the operator can do next
    int httpStatus = 0;
    QString serviceCode; // the service's own error code, e.g. Vercel's "rate_limited"
    QString requestId;
    QString fieldPath;   // for Parse errors: where in the body, e.g. "deployments[3].url"

    bool isError() const { return kind != Kind::None; }
    // One line for logs and status bars, e.g. "github: HTTP 403 — ... (request 1A2B). Fix: ..."
    QString toString() const;
    static QString kindName(Kind kind);

    static Error make(Kind kind, const QString &service, const QString &message, const QString &remedy = {});
};

} // namespace Raize
