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
    // A stable id for the entry ("validation/dpl_123"), written as an HTML comment so that a writer
    // that cannot tell whether its append landed (a lost answer, a resumed run) finds it in the file.
    QString id;
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

    // The file's new text with the entry appended: `existing` unchanged as its prefix (a new file
    // starts with the day's heading). For a journal kept elsewhere (the platform repository).
    static QString appendedText(const QString &existing, const QDate &date, const JournalEntry &entry);
    // The comment line that marks an entry with an id; empty without one.
    static QString marker(const QString &id);
    static bool containsEntry(const QString &text, const QString &id);

private:
    QString m_dir;
};

} // namespace Raize::Records
