#pragma once

#include "records/auditrecord.h"

#include <QDateTime>
#include <QList>

namespace Raize::Records {

// One filter for the CLI's `audit export` and the audit viewer.
struct AuditFilter
{
    QString actionPrefix;  // "flag." matches flag.disable, flag.enable
    QString actor;         // exact
    QString service;       // exact
    QString text;          // case-insensitive, anywhere in the record
    QDateTime since, until;

    bool isEmpty() const;
    bool matches(const AuditRecord &record) const;
};

class AuditExport
{
public:
    enum class Format { Json, Csv };
    static QByteArray render(const QList<AuditRecord> &records, Format format);
    // Reads every complete record (a torn tail is skipped; verify reports it).
    static QList<AuditRecord> readAll(const QString &path, QString *error = nullptr);
};

} // namespace Raize::Records
