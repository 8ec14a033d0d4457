#include "records/auditpublication.h"

#include "records/auditverifier.h"

#include <QRegularExpression>

#include <algorithm>

namespace Raize::Records::AuditPublication {

using namespace Qt::StringLiterals;

namespace {

constexpr auto markerPrefix = "<!-- raize-audit-head seq="_L1;

// The hash of a verified line: fixed width, just before the closing `"}` (ADR 0004).
QString lineHash(QByteArrayView line)
{
    return QString::fromLatin1(line.sliced(line.size() - 66, 64));
}

} // namespace

bool wantsHead(const AuditRecord &record)
{
    static const QStringList moments{u"promotion.promote"_s, u"promotion.promoted"_s, u"rollback.start"_s,
                                     u"rollback.complete"_s, u"rollback.aborted"_s, u"rollback.restore"_s};
    return (record.seq > 0 && record.seq % PublishEvery == 0) || moments.contains(record.action);
}

QString commentBody(qint64 seq, const QString &hash, const QString &profile, const QString &action)
{
    return u"Audit chain head of profile `%1`: record **#%2**, hash `%3` (after `%4`).\n\n"
           u"Published by raize-console so that a truncated, rewritten or replaced local audit log is found "
           u"(`raize-console audit verify --published`). Do not edit this comment: an edited head is not trusted.\n\n"
           u"%5%2 hash=%3 -->"_s.arg(profile, QString::number(seq), hash, action, QString(markerPrefix));
}

std::optional<PublishedHead> parseCommentBody(const QString &body)
{
    static const QRegularExpression marker(u"<!-- raize-audit-head seq=([1-9][0-9]{0,17}) hash=([0-9a-f]{64}) -->"_s);
    const QRegularExpressionMatch m = marker.match(body);
    if (!m.hasMatch())
        return std::nullopt;
    PublishedHead h;
    h.seq = m.captured(1).toLongLong();
    h.hash = m.captured(2);
    return h;
}

QList<PublishedHead> headsBy(const QList<HeadComment> &comments, const QString &login, QStringList *ignored)
{
    QList<PublishedHead> out;
    const auto skip = [&](const HeadComment &c, const QString &why) {
        if (ignored)
            ignored->append(u"comment %1 by %2: %3"_s.arg(c.id).arg(c.author, why));
    };
    for (const HeadComment &c : comments) {
        std::optional<PublishedHead> h = parseCommentBody(c.body);
        if (!h) {
            skip(c, u"no chain head in it"_s);
            continue;
        }
        if (c.author.compare(login, Qt::CaseInsensitive) != 0) {
            skip(c, u"posted by another login than %1"_s.arg(login));
            continue;
        }
        if (!c.createdAt.isValid() || c.createdAt != c.updatedAt) {
            skip(c, u"edited after it was posted (created %1, updated %2)"_s.arg(c.createdAt.toString(Qt::ISODate),
                                                                                 c.updatedAt.toString(Qt::ISODate)));
            continue;
        }
        h->author = c.author;
        h->commentId = c.id;
        h->createdAt = c.createdAt;
        h->updatedAt = c.updatedAt;
        h->url = c.url;
        out << *h;
    }
    std::stable_sort(out.begin(), out.end(), [](const PublishedHead &a, const PublishedHead &b) { return a.seq < b.seq; });
    return out;
}

PublishedCheck check(const QByteArray &logBytes, const QList<PublishedHead> &heads)
{
    PublishedCheck out;
    // The records that verify, from the first: a published head must be one of them.
    const VerifyReport local = AuditVerifier::verifyBytes(logBytes);
    const qint64 intact = local.records; // seqs 1..intact, each line n holding seq n
    QList<PublishedHead> sorted = heads;
    std::stable_sort(sorted.begin(), sorted.end(), [](const PublishedHead &a, const PublishedHead &b) { return a.seq < b.seq; });

    qsizetype lineStart = 0;
    qint64 lineNo = 0; // the line that starts at lineStart is lineNo + 1
    const auto hashAt = [&](qint64 seq) {
        // Walks forward only: the heads are sorted.
        while (lineNo + 1 < seq) {
            lineStart = logBytes.indexOf('\n', lineStart) + 1;
            ++lineNo;
        }
        const qsizetype end = logBytes.indexOf('\n', lineStart);
        return lineHash(QByteArrayView(logBytes).sliced(lineStart, end - lineStart));
    };
    for (const PublishedHead &h : sorted) {
        ++out.headsChecked;
        if (h.seq > intact) {
            out.firstMissingSeq = intact + 1; // every head before this one matched, so records up to `intact` are the published ones
            const QString why = local.firstBad ? u"the log breaks at record #%1 (%2)"_s.arg(local.firstBad->seq ? local.firstBad->seq : intact + 1)
                                                     .arg(local.firstBad->message)
                                               : u"the log ends at record #%1"_s.arg(intact);
            out.summary = u"record #%1 is missing: head #%2 (%3…) was published by %4 at %5, but %6 — the log was truncated or "
                          u"rewritten after the head was published"_s.arg(out.firstMissingSeq)
                              .arg(h.seq)
                              .arg(h.hash.left(12), h.author, h.createdAt.toString(Qt::ISODate), why);
            return out;
        }
        const QString mine = hashAt(h.seq);
        if (mine != h.hash) {
            out.firstMissingSeq = out.lastMatchedSeq + 1;
            out.summary = u"record #%1 is missing: head #%2 was published by %3 at %4 with hash %5…, but the log's record #%2 has "
                          u"%6… — the records from #%1 to #%2 were rewritten or the log was replaced"_s.arg(out.firstMissingSeq)
                              .arg(h.seq)
                              .arg(h.author, h.createdAt.toString(Qt::ISODate), h.hash.left(12), mine.left(12));
            return out;
        }
        out.lastMatchedSeq = h.seq;
    }
    out.passed = true;
    out.summary = out.headsChecked == 0
        ? u"no chain head published yet: only the local chain was checked"_s
        : u"every published head (%1, the last #%2) is in the log"_s.arg(out.headsChecked).arg(out.lastMatchedSeq);
    return out;
}

} // namespace Raize::Records::AuditPublication
