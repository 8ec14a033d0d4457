#include "records/auditlog.h"

#include "core/jsonutil.h"
#include "core/logging.h"
#include "core/redactor.h"
#include "core/settings.h"
#include "records/auditheadqueue.h"
#include "records/auditpublication.h"
#include "records/auditverifier.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QUuid>

#include <fcntl.h>
#include <unistd.h>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

Error ioError(const QString &what, const QString &path, const QString &detail)
{
    return Error::make(Error::Kind::Io, u"audit"_s, u"%1 %2: %3"_s.arg(what, path, detail),
                       u"check that the folder exists, is writable and has free space; nothing was recorded"_s);
}

nlohmann::json redactJson(const nlohmann::json &value)
{
    if (value.is_null())
        return value;
    const QByteArray redacted = Redactor::redact(Json::dump(value));
    nlohmann::json out = Json::parse(redacted);
    return out.is_discarded() ? nlohmann::json(redacted.toStdString()) : out;
}

bool fsyncPath(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

AuditLog::AuditLog(QString path)
    : m_path(std::move(path))
{
}

QString AuditLog::defaultPath(const QString &profile, const QString &configured)
{
    if (!configured.isEmpty())
        return configured;
    return Settings::dataDirectory() + u'/' + profile + u"/audit.jsonl"_s;
}

Result<AuditLog::Tail> AuditLog::readTail() const
{
    QFile f(m_path);
    if (!f.exists())
        return Tail{0, AuditRecord::genesisHash()};
    if (!f.open(QIODevice::ReadOnly))
        return ioError(u"cannot read"_s, m_path, f.errorString());
    const qint64 size = f.size();
    if (size == 0)
        return Tail{0, AuditRecord::genesisHash()};
    // A record is far smaller than this; read backwards until a full line is found.
    qint64 chunk = 64 * 1024;
    for (;;) {
        const qint64 start = qMax<qint64>(0, size - chunk);
        f.seek(start);
        const QByteArray buf = f.read(size - start);
        if (!buf.endsWith('\n')) {
            Error e = Error::make(Error::Kind::Io, u"audit"_s,
                                  u"the audit log %1 ends in a torn record (a crash cut its last line)"_s.arg(m_path),
                                  u"run `raize-console audit verify` to see what is intact, then "
                                  "`raize-console audit repair --truncate-torn-tail` (it keeps a copy)"_s);
            return e;
        }
        const qsizetype prevNl = buf.lastIndexOf('\n', buf.size() - 2);
        if (prevNl < 0 && start > 0) {
            chunk *= 4;
            continue;
        }
        const QByteArray line = buf.mid(prevNl + 1, buf.size() - prevNl - 2);
        AuditRecord last;
        QString err;
        if (!AuditRecord::fromLine(line, &last, &err))
            return Error::make(Error::Kind::Io, u"audit"_s, u"the last record of %1 is unreadable: %2"_s.arg(m_path, err),
                               u"run `raize-console audit verify` and follow docs/runbooks/audit-verify.md"_s);
        return Tail{last.seq, last.hash};
    }
}

Status AuditLog::writeHead(const Tail &tail) const
{
    const QString tmp = headPath() + u".tmp"_s;
    QFile f(tmp);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return ioError(u"cannot write"_s, tmp, f.errorString());
    nlohmann::json head = {{"seq", tail.seq}, {"hash", tail.hash.toStdString()}};
    f.write(Json::dump(head) + '\n');
    f.flush();
    ::fsync(f.handle());
    f.close();
    if (::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(headPath()).constData()) != 0)
        return ioError(u"cannot replace"_s, headPath(), QString::fromLocal8Bit(strerror(errno)));
    fsyncPath(QFileInfo(m_path).absolutePath());
    return okStatus();
}

Status AuditLog::append(AuditRecord &record)
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return ioError(u"cannot create the folder for"_s, m_path, u"mkdir failed"_s);
    QLockFile lock(m_path + u".lock"_s);
    lock.setStaleLockTime(30000);
    if (!lock.tryLock(10000))
        return Error::make(Error::Kind::Io, u"audit"_s, u"the audit log %1 is locked by another process"_s.arg(m_path),
                           u"wait for the other console to finish, or remove a stale %1.lock"_s.arg(m_path));

    const Result<Tail> tail = readTail();
    if (!tail)
        return tail.error();

    AuditRecord r = record;
    r.seq = tail->seq + 1;
    r.prev = tail->hash;
    if (!r.time.isValid())
        r.time = QDateTime::currentDateTimeUtc();
    r.time = r.time.toUTC();
    // Every record names a request: the service's id when the caller has one, else the console's own, marked as such.
    if (r.requestId.trimmed().isEmpty())
        r.requestId = u"console:"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.reason = Redactor::redact(r.reason);
    r.target = Redactor::redact(r.target);
    r.before = redactJson(r.before);
    r.after = redactJson(r.after);
    r.hash = AuditRecord::sha256Hex(AuditRecord::contentFor(r));
    const QByteArray line = r.toLine() + '\n';

    const bool created = !info.exists();
    // O_APPEND: one write() of the whole line lands at the end, even with other writers.
    const int fd = ::open(QFile::encodeName(m_path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return ioError(u"cannot open"_s, m_path, QString::fromLocal8Bit(strerror(errno)));
    qsizetype written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd, line.constData() + written, size_t(line.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const QString why = QString::fromLocal8Bit(strerror(errno));
            ::close(fd);
            return ioError(u"cannot append to"_s, m_path, why);
        }
        written += n;
    }
    if (::fsync(fd) != 0) {
        const QString why = QString::fromLocal8Bit(strerror(errno));
        ::close(fd);
        return ioError(u"cannot flush"_s, m_path, why);
    }
    ::close(fd);
    if (created)
        fsyncPath(info.absolutePath());
    const Status head = writeHead(Tail{r.seq, r.hash});
    if (!head)
        return head.error();
    qCDebug(lcAudit, "recorded #%lld %s %s", r.seq, qUtf8Printable(r.action), qUtf8Printable(r.target));
    // A promotion, a rollback and every 100th record queue their head for publishing (ADR 0031). Only queued here:
    // the publisher sends it later, so no append (no rollback step) waits for GitHub. The record itself is durable,
    // so a queue that cannot be written is said, not turned into a failed append.
    if (AuditPublication::wantsHead(r)) {
        if (const Status q = AuditHeadQueue(m_path).enqueue({r.seq, r.hash, r.action, r.time}); !q)
            qCWarning(lcAudit, "%s", qUtf8Printable(q.error().toString()));
    }
    record = r;
    return okStatus();
}

Result<QString> AuditLog::repairTornTail()
{
    QLockFile lock(m_path + u".lock"_s);
    if (!lock.tryLock(10000))
        return Error::make(Error::Kind::Io, u"audit"_s, u"the audit log is locked by another process"_s,
                           u"close the other console and try again"_s);
    const VerifyReport report = AuditVerifier::verify(m_path);
    if (!report.tornTail)
        return Error::make(Error::Kind::Refused, u"audit"_s, u"the log has no torn tail; nothing to repair"_s);
    if (report.firstBad)
        return Error::make(Error::Kind::Refused, u"audit"_s,
                           u"the log has a bad record before its torn tail (%1); it is not repaired"_s.arg(report.firstBad->message),
                           u"keep the file as evidence and start a new log (see docs/runbooks/audit-verify.md)"_s);
    const QString backup = m_path + u".torn-"_s + QDateTime::currentDateTimeUtc().toString(u"yyyyMMddTHHmmssZ"_s);
    if (!QFile::copy(m_path, backup))
        return ioError(u"cannot copy"_s, m_path, u"to "_s + backup);
    if (::truncate(QFile::encodeName(m_path).constData(), report.tornTail->byteOffset) != 0)
        return ioError(u"cannot truncate"_s, m_path, QString::fromLocal8Bit(strerror(errno)));
    fsyncPath(m_path);
    const Status head = writeHead(Tail{report.lastSeq, report.lastHash});
    if (!head)
        return head.error();
    return backup;
}

} // namespace Raize::Records
