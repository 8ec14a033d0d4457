#pragma once

#include "core/sha256.h"

#include <QString>

#include <optional>

namespace Raize::Records {

struct VerifyProblem
{
    enum class Kind {
        Malformed,      // a complete line that is not a record
        HashMismatch,   // the record was edited
        PrevMismatch,   // a record before it was deleted, inserted or reordered
        SeqMismatch,    // sequence numbers skip or go back
        Truncated,      // the head checkpoint names records that are gone
    };
    Kind kind = Kind::Malformed;
    qint64 line = 0;        // 1-based line number
    qint64 seq = 0;         // the record's own seq, when readable
    qint64 byteOffset = 0;  // where the line starts
    QString message;

    static QString kindName(Kind kind);
};

struct TornTail
{
    qint64 line = 0;
    qint64 byteOffset = 0;  // where the torn line starts: truncating here repairs the log
    qint64 bytes = 0;
};

struct VerifyReport
{
    bool readable = true;       // false: the file could not be opened
    QString ioError;
    qint64 records = 0;         // records that verified, in order, from the first
    qint64 lastSeq = 0;
    QString lastHash;
    std::optional<VerifyProblem> firstBad;
    std::optional<TornTail> tornTail;
    bool headPresent = false;
    qint64 headSeq = 0;
    QString note;               // e.g. "the head checkpoint is one record behind (crash after append)"

    // Intact: every record verifies, nothing is missing. A torn tail alone
    // (a crash mid-append) is not tampering but still needs a repair.
    bool intact() const { return readable && !firstBad && !tornTail; }
    QString summary() const;
};

// Checks the hash chain of an audit log (ADR 0004) without parsing JSON: one
// SHA-256 per record over the bytes up to its "hash" key.
class AuditVerifier
{
public:
    // `backend` is for benchmarks and tests; the default is this CPU's best.
    static VerifyReport verify(const QString &path, Sha256::Backend backend = Sha256::preferredBackend());
    // `slices`: how many parts the bytes are cut into, one thread each; 0
    // picks one per core for a large log (tests pass more to put slice
    // boundaries where they want them: the verdict never depends on it).
    static VerifyReport verifyBytes(const QByteArray &bytes, std::optional<QPair<qint64, QString>> head = std::nullopt,
                                    Sha256::Backend backend = Sha256::preferredBackend(), int slices = 0);
};

} // namespace Raize::Records
