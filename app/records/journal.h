#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QStringList>

namespace Raize::Records {

struct JournalEntry
{
    QDateTime time;        // UTC; now when invalid
    QString title;         // e.g. "Release v1.4.0 — post-release validation"
    QString author;
    QStringList shipped;   // What shipped
    QStringList observed;  // What was observed
    QStringList anomalies; // Anomalies (empty: "none")
    QStringList links;
};

// docs/journal/YYYY-MM-DD.md, append-only (playbook §0.4, §6.3): an entry is
// appended as a new section; existing text is never rewritten.
class Journal
{
public:
    explicit Journal(QString directory);

    QString fileFor(const QDate &date) const;
    // Returns the file written.
    Result<QString> append(const JournalEntry &entry) const;
    static QString render(const JournalEntry &entry);

private:
    QString m_dir;
};

} // namespace Raize::Records
