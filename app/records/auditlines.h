#pragma once

#include "records/auditexport.h"

#include <QByteArrayView>

#include <vector>

namespace Raize::Records {

// What the audit viewer needs to show a log of a million records without
// parsing it first (issue #15: first rows within 200 ms): the complete lines,
// found from the end of the file backwards (newest first), and a cheap test
// on a line's raw bytes that rejects most records a filter does not match.
class AuditLines
{
public:
    struct Span
    {
        qsizetype begin = 0;
        qsizetype end = 0; // exclusive, without the newline
    };

    // Finds up to `maxLines` complete lines that end before `*cursor`,
    // walking backwards; moves `*cursor` to the start of the last one found
    // (0 when the file is done). Start with *cursor = startCursor(bytes),
    // which skips a torn last line (a crash mid-append; verify reports it).
    static qsizetype startCursor(QByteArrayView bytes);
    static std::vector<Span> scanBackward(QByteArrayView bytes, qsizetype *cursor, qsizetype maxLines);

    // False only when the record on this raw line certainly does not match
    // `filter` (AuditFilter::matches is the truth; this never disagrees with
    // it in that direction). True means "parse it and ask matches()".
    static bool mayMatch(QByteArrayView line, const AuditFilter &filter);
};

} // namespace Raize::Records
