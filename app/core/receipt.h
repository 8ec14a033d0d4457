#pragma once

#include <QString>

namespace Raize {

// What a service answered when it accepted a change (issue #17 item 6): its
// own request id for the call, for the audit record. Vercel sends x-vercel-id,
// GitHub x-github-request-id; a service that sends none leaves it empty, and
// the record then carries the console's own correlation id, marked as such
// ("console:<uuid>"), never an id that looks like the service's.
struct Receipt
{
    QString requestId;              // the service's own id of the call; empty: it sent none
    bool appliedByReadBack = false; // the answer was lost and a read-back found the change made: no id of the service's

    // The audit record's request id: the service's, else `fallback` (the console's correlation id).
    QString idOr(const QString &fallback) const { return requestId.isEmpty() ? fallback : requestId; }
};

} // namespace Raize
