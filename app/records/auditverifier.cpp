#include "records/auditverifier.h"

#include "core/jsonutil.h"
#include "core/sha256.h"
#include "records/auditrecord.h"

#include <QFile>

#include <cstring>
#include <thread>
#include <vector>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView prevPrefix = R"({"prev":")";
constexpr QByteArrayView seqKey = R"(","seq":)";
constexpr QByteArrayView hashKey = R"(,"hash":")";
constexpr qsizetype hexLen = 64;
constexpr qsizetype suffixLen = 9 + hexLen + 2; // ,"hash":"<64>"}

bool isHex(QByteArrayView v)
{
    for (char c : v) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

struct Line
{
    qsizetype begin = 0;
    qsizetype end = 0; // exclusive, without the newline
};

struct Parsed
{
    bool shapeOk = false;
    qint64 seq = 0;
    QByteArrayView prev;
    QByteArrayView hash;
    bool hashOk = false;
};

Parsed parseShape(QByteArrayView line)
{
    Parsed p;
    if (line.size() < prevPrefix.size() + hexLen + seqKey.size() + 1 + suffixLen || !line.startsWith(prevPrefix)
        || !line.endsWith("\"}"))
        return p;
    p.prev = line.sliced(prevPrefix.size(), hexLen);
    if (!isHex(p.prev) || line.sliced(prevPrefix.size() + hexLen, seqKey.size()) != seqKey)
        return p;
    qsizetype i = prevPrefix.size() + hexLen + seqKey.size();
    if (i >= line.size() || line[i] < '0' || line[i] > '9')
        return p;
    qint64 seq = 0;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
        seq = seq * 10 + (line[i] - '0');
        if (seq > (qint64(1) << 53))
            return p;
    }
    if (i >= line.size() || line[i] != ',')
        return p;
    const QByteArrayView suffix = line.last(suffixLen);
    if (!suffix.startsWith(hashKey))
        return p;
    p.hash = suffix.sliced(hashKey.size(), hexLen);
    if (!isHex(p.hash))
        return p;
    p.seq = seq;
    p.shapeOk = true;
    return p;
}

} // namespace

QString VerifyProblem::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Malformed: return u"malformed"_s;
    case Kind::HashMismatch: return u"edited"_s;
    case Kind::PrevMismatch: return u"chain-broken"_s;
    case Kind::SeqMismatch: return u"sequence"_s;
    case Kind::Truncated: return u"truncated"_s;
    }
    return {};
}

QString VerifyReport::summary() const
{
    if (!readable)
        return u"cannot read the log: %1"_s.arg(ioError);
    QString s;
    if (firstBad)
        s = u"TAMPERED: first bad record at line %1 (seq %2, byte %3): %4. %5 record(s) before it verify."_s
                .arg(firstBad->line).arg(firstBad->seq).arg(firstBad->byteOffset).arg(firstBad->message).arg(records);
    else
        s = u"OK: %1 record(s) verify, last seq %2."_s.arg(records).arg(lastSeq);
    if (tornTail)
        s += u" TORN TAIL: line %1 (byte %2, %3 bytes) was cut by a crash; every record before it verifies."_s
                 .arg(tornTail->line).arg(tornTail->byteOffset).arg(tornTail->bytes);
    if (!note.isEmpty())
        s += u' ' + note;
    return s;
}

VerifyReport AuditVerifier::verify(const QString &path, Sha256::Backend backend)
{
    VerifyReport r;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        r.readable = false;
        r.ioError = f.errorString();
        return r;
    }
    std::optional<QPair<qint64, QString>> head;
    QFile hf(path + u".head"_s);
    if (hf.open(QIODevice::ReadOnly)) {
        const nlohmann::json j = Json::parse(hf.readAll());
        if (j.is_object() && j.contains("seq") && j["seq"].is_number_integer() && j.contains("hash") && j["hash"].is_string())
            head = qMakePair(j["seq"].get<qint64>(), QString::fromStdString(j["hash"].get<std::string>()));
    }
    const qint64 size = f.size();
    if (size == 0)
        return verifyBytes({}, head, backend);
    uchar *map = f.map(0, size);
    if (map) {
        // A read-only view of the mapping: no copy of a large log.
        const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(map), size);
        VerifyReport out = verifyBytes(bytes, head, backend);
        f.unmap(map);
        return out;
    }
    return verifyBytes(f.readAll(), head, backend);
}

VerifyReport AuditVerifier::verifyBytes(const QByteArray &bytes, std::optional<QPair<qint64, QString>> head,
                                        Sha256::Backend backend)
{
    VerifyReport r;
    r.lastHash = AuditRecord::genesisHash();

    // Everything but the chain walk is independent per line: finding the
    // lines, checking their shape and hashing them (one SHA-256 each, the
    // expensive part). Each core takes a slice of the bytes that starts after
    // a newline, then the chain is walked in order over the slices.
    const qsizetype size = bytes.size();
    const size_t threads = size > (8 << 20) ? std::max(1u, std::min(8u, std::thread::hardware_concurrency())) : 1;
    std::vector<qsizetype> cuts{0};
    for (size_t t = 1; t < threads; ++t) {
        const qsizetype at = std::max(cuts.back(), qsizetype(size * qint64(t) / qint64(threads)));
        const void *nl = at < size ? std::memchr(bytes.constData() + at, '\n', size_t(size - at)) : nullptr;
        cuts.push_back(nl ? static_cast<const char *>(nl) - bytes.constData() + 1 : size);
    }
    cuts.push_back(size);

    struct Slice
    {
        std::vector<Line> lines;
        std::vector<Parsed> parsed;
    };
    std::vector<Slice> slices(threads);
    const auto work = [&](size_t t) {
        Sha256 hasher(backend); // one digest context per thread (ADR 0010)
        Slice &slice = slices[t];
        const qsizetype end = cuts[t + 1];
        slice.lines.reserve(size_t((end - cuts[t]) / 256 + 1));
        for (qsizetype pos = cuts[t]; pos < end;) {
            const void *found = std::memchr(bytes.constData() + pos, '\n', size_t(end - pos));
            if (!found) { // only the last slice can end without a newline: a torn tail
                slice.lines.push_back({pos, -1});
                break;
            }
            const qsizetype nl = static_cast<const char *>(found) - bytes.constData();
            slice.lines.push_back({pos, nl});
            pos = nl + 1;
        }
        slice.parsed.resize(slice.lines.size());
        for (size_t i = 0; i < slice.lines.size(); ++i) {
            if (slice.lines[i].end < 0)
                continue;
            const QByteArrayView line(bytes.constData() + slice.lines[i].begin, slice.lines[i].end - slice.lines[i].begin);
            Parsed p = parseShape(line);
            if (p.shapeOk)
                p.hashOk = hasher.matchesHex(line.first(line.size() - suffixLen), p.hash);
            slice.parsed[i] = p;
        }
    };
    if (threads > 1) {
        std::vector<std::thread> pool;
        for (size_t t = 0; t < threads; ++t)
            pool.emplace_back(work, t);
        for (std::thread &th : pool)
            th.join();
    } else {
        work(0);
    }

    // The chain walk is sequential: it compares views into `bytes` and
    // allocates nothing per record (the last hash is copied once, at the end).
    const QByteArray genesis = r.lastHash.toLatin1();
    QByteArrayView expectedPrev = genesis;
    qint64 lineNo = 0;
    for (const Slice &slice : slices) {
        for (size_t i = 0; i < slice.lines.size(); ++i) {
            const Line &l = slice.lines[i];
            ++lineNo;
            if (l.end < 0) {
                r.tornTail = TornTail{lineNo, l.begin, size - l.begin};
                break;
            }
            const Parsed &p = slice.parsed[i];
            VerifyProblem bad;
            bad.line = lineNo;
            bad.byteOffset = l.begin;
            bad.seq = p.seq;
            const qint64 expectedSeq = r.lastSeq + 1;
            if (!p.shapeOk) {
                bad.kind = VerifyProblem::Kind::Malformed;
                bad.message = u"the line is not an audit record (edited or corrupted)"_s;
            } else if (!p.hashOk) {
                bad.kind = VerifyProblem::Kind::HashMismatch;
                bad.message = u"its content does not match its hash: the record was edited"_s;
            } else if (p.prev != expectedPrev) {
                bad.kind = VerifyProblem::Kind::PrevMismatch;
                bad.message = p.seq > expectedSeq
                    ? u"it does not follow the record before it: %1 record(s) before it were deleted"_s.arg(p.seq - expectedSeq)
                    : u"it does not follow the record before it: records were deleted, inserted or reordered"_s;
            } else if (p.seq != expectedSeq) {
                bad.kind = VerifyProblem::Kind::SeqMismatch;
                bad.message = u"seq %1 where %2 was expected"_s.arg(p.seq).arg(expectedSeq);
            } else {
                r.records++;
                r.lastSeq = p.seq;
                expectedPrev = p.hash;
                continue;
            }
            r.firstBad = bad;
            r.lastHash = QString::fromLatin1(expectedPrev);
            return r;
        }
    }
    r.lastHash = QString::fromLatin1(expectedPrev);

    // Every line before here verified, so record k is line k.
    const auto parsedAt = [&slices](qint64 index) -> std::pair<const Line *, const Parsed *> {
        for (const Slice &slice : slices) {
            if (index < qint64(slice.lines.size()))
                return {&slice.lines[size_t(index)], &slice.parsed[size_t(index)]};
            index -= qint64(slice.lines.size());
        }
        return {nullptr, nullptr};
    };
    if (head) {
        r.headPresent = true;
        r.headSeq = head->first;
        if (head->first > r.lastSeq) {
            VerifyProblem bad;
            bad.kind = VerifyProblem::Kind::Truncated;
            bad.line = r.records + 1;
            bad.seq = r.lastSeq + 1;
            bad.byteOffset = r.tornTail ? r.tornTail->byteOffset : bytes.size();
            bad.message = u"the log ends at seq %1 but its head checkpoint names seq %2: %3 record(s) were cut off the end"_s
                              .arg(r.lastSeq).arg(head->first).arg(head->first - r.lastSeq);
            r.firstBad = bad;
        } else if (head->first == r.lastSeq && head->second != r.lastHash) {
            VerifyProblem bad;
            bad.kind = VerifyProblem::Kind::HashMismatch;
            bad.line = r.records;
            bad.seq = r.lastSeq;
            bad.message = u"the last record differs from the one the head checkpoint names: it was replaced"_s;
            r.firstBad = bad;
        } else if (head->first >= 1 && head->first < r.lastSeq
                   && parsedAt(head->first - 1).second->hash != QByteArrayView(head->second.toLatin1())) {
            VerifyProblem bad;
            bad.kind = VerifyProblem::Kind::HashMismatch;
            bad.line = head->first;
            bad.seq = head->first;
            bad.byteOffset = parsedAt(head->first - 1).first->begin;
            bad.message = u"the record the head checkpoint names differs from it: the log was rewritten from there"_s;
            r.firstBad = bad;
        } else if (head->first < r.lastSeq) {
            r.note = u"The head checkpoint is %1 record(s) behind (a crash between append and checkpoint); the chain itself verifies."_s
                         .arg(r.lastSeq - head->first);
        }
    }
    return r;
}

} // namespace Raize::Records
