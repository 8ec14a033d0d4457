#pragma once

#include "core/error.h"

#include <QDateTime>

namespace Raize::Release {

// Degraded mode, shared by every polled view (issue #6): the last good data
// stays, marked stale since the first failure, and becomes current again on
// the next good answer. Nothing stale is ever shown as current. The time is
// always given (the poller's Clock, issue #14 item 6), never read here.
struct Freshness
{
    QDateTime fetchedAt; // when the data was current (UTC); invalid: never read
    bool stale = false;
    QDateTime staleSince;
    Error lastError;

    bool hasData() const { return fetchedAt.isValid(); }

    void markFresh(const QDateTime &now)
    {
        fetchedAt = now;
        stale = false;
        staleSince = {};
        lastError = {};
    }

    void markFailed(const Error &error, const QDateTime &now)
    {
        if (!stale) {
            stale = true;
            staleSince = now;
        }
        lastError = error;
    }
};

} // namespace Raize::Release
