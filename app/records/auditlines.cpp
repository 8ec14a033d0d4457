#include "records/auditlines.h"

#include <cstring>

namespace Raize::Records {

namespace {

bool isAscii(QByteArrayView v)
{
    for (char c : v) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    }
    return true;
}

// Characters a JSON string may not hold as they are: a needle containing one
// is written differently in the raw line, so the raw test cannot be used.
bool jsonPlain(const QByteArray &s)
{
    for (char c : s) {
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
            return false;
    }
    return true;
}

bool containsAsciiCaseInsensitive(QByteArrayView haystack, const QByteArray &lowerNeedle)
{
    const qsizetype n = lowerNeedle.size();
    if (n == 0)
        return true;
    const char first = lowerNeedle[0];
    const char firstUpper = (first >= 'a' && first <= 'z') ? char(first - 32) : first;
    for (qsizetype i = 0; i + n <= haystack.size(); ++i) {
        const char c = haystack[i];
        if (c != first && c != firstUpper)
            continue;
        qsizetype k = 1;
        for (; k < n; ++k) {
            char h = haystack[i + k];
            if (h >= 'A' && h <= 'Z')
                h = char(h + 32);
            if (h != lowerNeedle[k])
                break;
        }
        if (k == n)
            return true;
    }
    return false;
}

} // namespace

qsizetype AuditLines::startCursor(QByteArrayView bytes)
{
    // Everything after the last newline is a torn tail (or nothing).
    for (qsizetype i = bytes.size(); i > 0; --i) {
        if (bytes[i - 1] == '\n')
            return i;
    }
    return 0;
}

std::vector<AuditLines::Span> AuditLines::scanBackward(QByteArrayView bytes, qsizetype *cursor, qsizetype maxLines)
{
    std::vector<Span> out;
    out.reserve(size_t(qMin<qsizetype>(maxLines, 65536)));
    qsizetype end = *cursor; // one past the newline that ends the next line to report
    while (end > 0 && qsizetype(out.size()) < maxLines) {
        const qsizetype lineEnd = end - 1; // the newline
        const void *prev = lineEnd > 0 ? memrchr(bytes.data(), '\n', size_t(lineEnd)) : nullptr;
        const qsizetype begin = prev ? static_cast<const char *>(prev) - bytes.data() + 1 : 0;
        if (lineEnd > begin) // an empty line is no record
            out.push_back({begin, lineEnd});
        end = begin;
    }
    *cursor = end;
    return out;
}

bool AuditLines::mayMatch(QByteArrayView line, const AuditFilter &filter)
{
    // Each field filter needs its exact JSON text in the line (the writer
    // uses no spaces: "actor":"x"). A value JSON would escape is not tested.
    const auto needs = [&](const char *key, const QString &value, bool prefixOnly) {
        const QByteArray v = value.toUtf8();
        if (!jsonPlain(v))
            return true;
        const QByteArray pattern = "\"" + QByteArray(key) + "\":\"" + v + (prefixOnly ? "" : "\"");
        return line.indexOf(pattern) >= 0;
    };
    if (!filter.actor.isEmpty() && !needs("actor", filter.actor, false))
        return false;
    if (!filter.service.isEmpty() && !needs("service", filter.service, false))
        return false;
    if (!filter.actionPrefix.isEmpty() && !needs("action", filter.actionPrefix, true))
        return false;
    if (!filter.text.isEmpty()) {
        // matches() folds case the Unicode way; ASCII folding on the raw
        // bytes agrees with it only when both sides are ASCII.
        const QByteArray needle = filter.text.toUtf8().toLower();
        if (jsonPlain(needle) && isAscii(needle) && isAscii(line) && !containsAsciiCaseInsensitive(line, needle))
            return false;
    }
    return true;
}

} // namespace Raize::Records
