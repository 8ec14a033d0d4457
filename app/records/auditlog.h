#pragma once

#include "core/result.h"
#include "records/auditrecord.h"

#include <QString>

namespace Raize::Records {

// Where every subsystem writes its audit records. Tests and callers that do
// not care where records go can implement this.
class AuditSink
{
public:
    virtual ~AuditSink() = default;
    // Assigns seq, time (when unset), prev and hash, and persists the record
    // durably before returning. The record is filled in on success.
    virtual Status append(AuditRecord &record) = 0;
};

// The append-only JSONL audit log (ADR 0004). Each append takes a lock file
// (several consoles may share a log), re-reads the tail, writes one whole
// line with O_APPEND and fsyncs it, then updates the "<log>.head" checkpoint
// that lets `verify` notice records cut off the end.
class AuditLog final : public AuditSink
{
public:
    explicit AuditLog(QString path);

    // Settings' AuditLogPath, or <data dir>/<profile>/audit.jsonl.
    static QString defaultPath(const QString &profile, const QString &configured = {});

    QString path() const { return m_path; }
    // Appends go to `path` from now on (the profile's audit/logPath changed; SettingsAudit carried the chain on).
    void setPath(QString path) { m_path = std::move(path); }
    QString headPath() const { return m_path + QStringLiteral(".head"); }

    Status append(AuditRecord &record) override;

    // Cuts a torn last line off (after copying the log to "<log>.torn-<time>"),
    // so that appends can resume. Refuses when the rest does not verify.
    Result<QString> repairTornTail();

private:
    struct Tail
    {
        qint64 seq = 0;
        QString hash;
    };
    Result<Tail> readTail() const;
    Status writeHead(const Tail &tail) const;

    QString m_path;
};

} // namespace Raize::Records
