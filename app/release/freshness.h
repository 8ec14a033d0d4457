#pragma once

#include "core/error.h"

#include <QDateTime>

namespace Raize::Release {

// Degraded mode, shared by every polled view (issue #6): the last good data
// stays, marked stale since the first failure, and becomes current again on
// the next good answer. Nothing stale is ever shown as current.
struct Freshness
{
    QDateTime fetchedAt; // when the data was current (UTC); invalid: never read
    bool stale = false;
    QDateTime staleSince;
    Error lastError;

    bool hasData() const { return fetchedAt.isValid(); }

    void markFresh(const QDateTime &now = QDateTime::currentDateTimeUtc())
    {
        fetchedAt = now;
        stale = false;
        staleSince = {};
        lastError = {};
    }

    void markFailed(const Error &error, const QDateTime &now = QDateTime::currentDateTimeUtc())
    {
        if (!stale) {
            stale = true;
            staleSince = now;
        }
        lastError = error;
    }
};

} // namespace Raize::Release
