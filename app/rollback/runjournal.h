#pragma once

#include "core/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>

namespace Raize::Rollback {

// Where a step of a run stands, from the journal's last record for it.
enum class StepPhase { Pending, Intent, Done, Failed, Skipped };

// The rollback's write-ahead journal: one JSON object per line, appended and
// fsync'ed before a step's call ("intent") and after it ("done", "failed",
// "skipped"); records of an idempotent call may be written without their own
// fsync (Durability::Buffered, ADR 0025). Never rewritten. A torn last line (the machine died mid-write)
// is ignored when read and cut off before the next append, so every line
// stays whole. The first record ("begin") holds the plan and its inputs.
class RunJournal
{
public:
    // 1: before issue #14 (no "schema" in the begin record; steps' calls only).
    // 2: the plan's steps are typed intents, and each "intent" record carries the step's intent.
    static constexpr int SchemaVersion = 2;

    // <data>/<profile>/rollbacks
    static QString defaultDirectory(const QString &profile);
    static Result<RunJournal> create(const QString &directory, const nlohmann::json &begin);
    static Result<RunJournal> open(const QString &path);
    // Journal files in the directory, newest first.
    static QStringList list(const QString &directory);
    // The newest run that neither completed nor was aborted, if any.
    static QString unfinished(const QString &directory);

    // Synced: written and fsync'ed before append() returns. Buffered: written
    // (a killed process keeps it: it is in the kernel's page cache) and made
    // durable by the next synced record; only for records whose loss in a
    // power cut is safe: a step that resumes as "pending" sends the same
    // idempotent call again (a global flag off), never a different one.
    enum class Durability { Synced, Buffered };
    Status append(nlohmann::json record, Durability durability = Durability::Synced);

    // Called after every record is written (fsync'ed unless Buffered), before append() returns.
    // A test seam, not a feature: raize-console-crashtest (tests/crashtest/)
    // installs one that SIGKILLs the process at a chosen record, as a power cut
    // between two steps would. The shipped binary installs none, so it reads
    // no crash-test variable (issue #15, item 5).
    using AppendHook = std::function<void(const RunJournal &journal, const nlohmann::json &record)>;
    static void setAppendHook(AppendHook hook);

    QString path() const { return m_path; }
    QString runId() const;
    const QList<nlohmann::json> &records() const { return m_records; }
    const nlohmann::json &begin() const;
    // The begin record's schema (1 when it names none: an earlier console's journal).
    int schema() const;
    StepPhase phase(int step) const;
    // The last record for a step (its "done" record carries the result).
    nlohmann::json last(int step) const;
    // The scoped flag edits written ahead for a step ("edits" record,
    // Services::ServeEdits::toJson() under "edits"), or null (issue #16).
    nlohmann::json editsFor(int step) const;
    // The last record of a kind ("marker", "complete", ...), or null.
    nlohmann::json lastOf(const char *event) const;
    bool finished() const;
    QString outcome() const; // "completed", "aborted", "refused" or empty while in progress
    bool hadTornTail() const { return m_tornBytes > 0; }

private:
    QString m_path;
    QList<nlohmann::json> m_records;
    qint64 m_goodSize = 0;  // bytes up to the end of the last whole line
    qint64 m_tornBytes = 0; // bytes after it
};

QString stepPhaseName(StepPhase phase);

} // namespace Raize::Rollback
