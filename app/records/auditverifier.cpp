#include "records/auditverifier.h"

#include "core/jsonutil.h"
#include "core/sha256.h"
#include "records/auditrecord.h"

#include <QFile>

#include <cstring>
#include <optional>
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

// Called only when a line has already failed a check (a hash that does not
// match, a prev that does not follow), to tell a malformed line from an edited
// one: a line that verifies is hex by construction, so the hot path never
// inspects its 128 hex characters one by one.
bool isHex(QByteArrayView v)
{
    for (char c : v) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

struct Parsed
{
    bool shapeOk = false; // the keys in place; prev and hash 64 characters each (not yet known to be hex)
    qint64 seq = 0;
    QByteArrayView prev;
    QByteArrayView hash;
};

Parsed parseShape(QByteArrayView line)
{
    Parsed p;
    if (line.size() < prevPrefix.size() + hexLen + seqKey.size() + 1 + suffixLen || !line.startsWith(prevPrefix)
        || !line.endsWith("\"}"))
        return p;
    p.prev = line.sliced(prevPrefix.size(), hexLen);
    if (line.sliced(prevPrefix.size() + hexLen, seqKey.size()) != seqKey)
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
    p.seq = seq;
    p.shapeOk = true;
    return p;
}

std::optional<VerifyProblem> problem(VerifyProblem::Kind kind, QString message)
{
    VerifyProblem bad;
    bad.kind = kind;
    bad.message = std::move(message);
    return bad;
}

std::optional<VerifyProblem> malformed()
{
    return problem(VerifyProblem::Kind::Malformed, u"the line is not an audit record (edited or corrupted)"_s);
}

// The checks a line passes on its own: its shape and its hash.
std::optional<VerifyProblem> ownProblem(QByteArrayView line, const Parsed &p, Sha256 &hasher)
{
    if (!p.shapeOk)
        return malformed();
    if (hasher.matchesHex(line.first(line.size() - suffixLen), p.hash))
        return std::nullopt;
    if (!isHex(p.prev) || !isHex(p.hash))
        return malformed();
    return problem(VerifyProblem::Kind::HashMismatch, u"its content does not match its hash: the record was edited"_s);
}

// The checks against the record before it. `expectedPrev` is always 64
// lower-case hex characters (the genesis hash or a hash that verified).
std::optional<VerifyProblem> chainProblem(const Parsed &p, QByteArrayView expectedPrev, qint64 expectedSeq)
{
    if (p.prev != expectedPrev) {
        if (!isHex(p.prev))
            return malformed();
        return problem(VerifyProblem::Kind::PrevMismatch,
                       p.seq > expectedSeq
                           ? u"it does not follow the record before it: %1 record(s) before it were deleted"_s.arg(p.seq - expectedSeq)
                           : u"it does not follow the record before it: records were deleted, inserted or reordered"_s);
    }
    if (p.seq != expectedSeq)
        return problem(VerifyProblem::Kind::SeqMismatch, u"seq %1 where %2 was expected"_s.arg(p.seq).arg(expectedSeq));
    return std::nullopt;
}

// What one slice of the log says about itself, found in one pass over its
// bytes: every line checked on its own and against the line before it in the
// slice. Only the slice's first line waits for the slice before it.
struct SliceResult
{
    qint64 verified = 0;            // complete lines that passed, from the slice's first
    bool hasFirst = false;          // the slice has a complete line
    Parsed first;
    qsizetype firstBegin = 0;
    QByteArrayView lastHash;        // of the last line that passed
    qint64 lastSeq = 0;
    std::optional<VerifyProblem> bad; // the first line that failed: line = its index in the slice
    qsizetype tornBegin = -1;       // a last line without a newline (only the last slice)
    QByteArrayView headHash;        // the line whose seq the head checkpoint names, if it passed here
    qsizetype headBegin = -1;
};

SliceResult checkSlice(const char *base, qsizetype begin, qsizetype end, qint64 headSeq, Sha256 &hasher)
{
    SliceResult s;
    qint64 index = 0;
    for (qsizetype pos = begin; pos < end; ++index) {
        const void *found = std::memchr(base + pos, '\n', size_t(end - pos));
        if (!found) {
            s.tornBegin = pos;
            break;
        }
        const qsizetype nl = static_cast<const char *>(found) - base;
        const QByteArrayView line(base + pos, nl - pos);
        const Parsed p = parseShape(line);
        std::optional<VerifyProblem> bad = ownProblem(line, p, hasher);
        if (!bad && index > 0)
            bad = chainProblem(p, s.lastHash, s.lastSeq + 1);
        if (index == 0) {
            s.hasFirst = true;
            s.first = p;
            s.firstBegin = pos;
        }
        if (bad) {
            bad->line = index;
            bad->seq = p.seq;
            bad->byteOffset = pos;
            s.bad = std::move(bad);
            break;
        }
        ++s.verified;
        s.lastHash = p.hash;
        s.lastSeq = p.seq;
        if (p.seq == headSeq) {
            s.headHash = p.hash;
            s.headBegin = pos;
        }
        pos = nl + 1;
    }
    return s;
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
                                        Sha256::Backend backend, int slices)
{
    VerifyReport r;
    r.lastHash = AuditRecord::genesisHash();

    // Everything but the link between slices is independent of what came
    // before: each core takes a slice of the bytes that starts after a
    // newline and checks it in one pass (shape, one SHA-256 per line, prev
    // and seq against the line before), keeping nothing per line. Then the
    // slices are joined in order: each slice's first line against the last
    // line of the slice before it.
    const qsizetype size = bytes.size();
    if (slices <= 0)
        slices = size > (8 << 20) ? int(std::max(1u, std::min(8u, std::thread::hardware_concurrency()))) : 1;
    std::vector<qsizetype> cuts{0};
    for (int t = 1; t < slices; ++t) {
        const qsizetype at = std::max(cuts.back(), qsizetype(size * qint64(t) / qint64(slices)));
        const void *nl = at < size ? std::memchr(bytes.constData() + at, '\n', size_t(size - at)) : nullptr;
        cuts.push_back(nl ? static_cast<const char *>(nl) - bytes.constData() + 1 : size);
    }
    cuts.push_back(size);

    const qint64 headSeq = head ? head->first : -1;
    std::vector<SliceResult> results(static_cast<size_t>(slices));
    const auto work = [&](size_t t) {
        Sha256 hasher(backend); // one digest context per thread (ADR 0010)
        results[t] = checkSlice(bytes.constData(), cuts[t], cuts[t + 1], headSeq, hasher);
    };
    if (slices > 1) {
        std::vector<std::thread> pool;
        for (size_t t = 0; t < size_t(slices); ++t)
            pool.emplace_back(work, t);
        for (std::thread &th : pool)
            th.join();
    } else {
        work(0);
    }

    const QByteArray genesis = r.lastHash.toLatin1();
    QByteArrayView expectedPrev = genesis;
    QByteArrayView headHash;
    qsizetype headBegin = -1;
    for (const SliceResult &s : results) {
        std::optional<VerifyProblem> bad;
        if (s.hasFirst && !(s.bad && s.bad->line == 0)) {
            bad = chainProblem(s.first, expectedPrev, r.lastSeq + 1);
            if (bad) {
                bad->line = 0;
                bad->seq = s.first.seq;
                bad->byteOffset = s.firstBegin;
            }
        }
        if (!bad && s.bad)
            bad = s.bad;
        if (bad) {
            if (bad->line > 0) { // the slice's lines before it passed
                r.records += s.verified;
                r.lastSeq = s.lastSeq;
                expectedPrev = s.lastHash;
            }
            bad->line = r.records + 1;
            r.firstBad = std::move(bad);
            r.lastHash = QString::fromLatin1(expectedPrev);
            return r;
        }
        if (s.verified > 0) {
            r.records += s.verified;
            r.lastSeq = s.lastSeq;
            expectedPrev = s.lastHash;
        }
        if (s.headBegin >= 0) {
            headHash = s.headHash;
            headBegin = s.headBegin;
        }
        if (s.tornBegin >= 0)
            r.tornTail = TornTail{r.records + 1, s.tornBegin, size - s.tornBegin};
    }
    r.lastHash = QString::fromLatin1(expectedPrev);

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
        } else if (head->first >= 1 && head->first < r.lastSeq && headHash != QByteArrayView(head->second.toLatin1())) {
            // Every record verified, so seq k is line k and exactly one line carried the head's seq.
            VerifyProblem bad;
            bad.kind = VerifyProblem::Kind::HashMismatch;
            bad.line = head->first;
            bad.seq = head->first;
            bad.byteOffset = headBegin;
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
