#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace Raize::Records {

// The chain heads waiting to be published (ADR 0031): "<log>.publish", one
// JSON object a line, appended by AuditLog::append when a record earns a
// head (AuditPublication::wantsHead) and emptied by the publisher as GitHub
// takes each one. On disk, so a head queued before a crash or a restart is
// published at the next start; publishing never runs inside an append, so it
// never delays a rollback step.
class AuditHeadQueue
{
public:
    struct Entry
    {
        qint64 seq = 0;
        QString hash;
        QString action;
        QDateTime queuedAt;
    };

    explicit AuditHeadQueue(const QString &logPath);
    QString path() const { return m_path; }

    Status enqueue(const Entry &entry);
    // Oldest first; a line that does not parse (a torn write) is skipped and named in *problem.
    Result<QList<Entry>> pending(QString *problem = nullptr) const;
    // Drops the entries up to and including `seq` (they are published).
    Status dropThrough(qint64 seq);

private:
    QString m_path;
};

} // namespace Raize::Records
