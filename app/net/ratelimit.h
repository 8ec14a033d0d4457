#pragma once

#include "core/settings.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <optional>

namespace Raize::Net {

// RFC 9110 §5.6.7: an HTTP-date in any of its three forms — IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), obsolete RFC 850 ("Sunday, 06-Nov-94
// 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). Invalid when it is
// none of them. RFC 850's two-digit year is read as the most recent year with
// those digits that is not more than 50 years after `nowUtc`.
QDateTime parseHttpDate(QByteArrayView text, const QDateTime &nowUtc);

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as a wait in
// ms from `nowUtc`; 0 for a date in the past; nullopt when absent or unreadable
// (the caller then applies its own default).
std::optional<qint64> parseRetryAfter(QByteArrayView value, const QDateTime &nowUtc);

// Which rate limit an answer reports (GitHub's "Rate limits for the REST API").
enum class RateLimitKind {
    None,
    Primary,   // the hourly budget: x-ratelimit-remaining 0, wait until x-ratelimit-reset
    Secondary, // GitHub's secondary limit (or its older "abuse detection" wording), or any 429 with Retry-After
};

// `message`: the service's own message (GitHub's "You have exceeded a secondary
// rate limit…", "You have triggered an abuse detection mechanism…").
RateLimitKind rateLimitKind(Service service, int status, const QString &message, const QString &code,
                            const QHash<QByteArray, QByteArray> &headers);

struct RateLimitWait
{
    RateLimitKind kind = RateLimitKind::None;
    qint64 waitMs = 0;
    QDateTime until;  // nowUtc + waitMs
    QString basis;    // "Retry-After", "x-ratelimit-reset", "no Retry-After: GitHub asks for at least a minute", "backoff"

    // "GitHub asks us to wait until 08:50:37 UTC (secondary rate limit)"
    QString describe(Service service) const;
};

struct RateLimitRules
{
    qint64 secondaryMinimumMs = 60000; // GitHub: without Retry-After, wait at least a minute
    qint64 backoffMs = 1000;           // a limit that names no time at all
};

// The wait a rate-limited answer asks for. Retry-After wins when readable;
// else a primary limit waits until x-ratelimit-reset (past it, never 0 ms);
// a secondary limit without Retry-After waits secondaryMinimumMs, doubled for
// every further hit of the same request (`secondaryHits` counts this one).
RateLimitWait rateLimitWait(Service service, RateLimitKind kind, const QHash<QByteArray, QByteArray> &headers, int secondaryHits,
                            const RateLimitRules &rules, const QDateTime &nowUtc);

} // namespace Raize::Net
