#pragma once

#include "core/result.h"
#include "release/gatepolicy.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Policy {
struct Bundle;
}

namespace Raize::Release {

// Which migrations changed between two commits and whether each one is
// backward-compatible (playbook §6.1, §7.3 Q4, §7.4 Option B/C). Pure: the
// file list, the files' contents and the pull requests' labels come in as
// data (MigrationSource reads them from GitHub). Where the sources do not say,
// the answer is Unknown with the reason, never a guess.
struct MigrationPolicy
{
    QList<PathRule> rules;        // the path rules of kind "migration" (policy `pathRules`)
    QString compatibleMarker = QStringLiteral("raize:backward-compatible");
    QString incompatibleMarker = QStringLiteral("raize:incompatible");
    int markerLines = 20;         // the marker is a comment in the first lines of the file
    int maxFilesRead = 50;        // more migration files than this: the rest are Unknown
    QString compatibleLabel;      // gates.migrationLabels.backwardCompatible
    QString maintenanceLabelPrefix; // gates.migrationLabels.maintenanceWindow: a scheduled breaking migration

    bool isMigration(const QString &path) const;
};

// The policy's `migrations` section (optional; defaults above) with the
// migration path rules and labels the gates already read.
Result<MigrationPolicy> migrationPolicyFromBundle(const Policy::Bundle &bundle, const GatePolicy &gates);

enum class Compatibility { Compatible, Incompatible, Unknown };
QString compatibilityName(Compatibility c); // "compatible", "incompatible", "unknown"

struct MigrationFile
{
    QString path;
    QString status;   // GitHub's file status: added, modified, removed, renamed, ...
    Compatibility compatibility = Compatibility::Unknown;
    QString reason;   // why: the marker line, the label, or what could not be read
};

struct MigrationReport
{
    QString base, head;            // base...head (e.g. rollback target...production)
    QList<MigrationFile> files;    // the migration files among the changed ones
    bool listComplete = true;      // false: GitHub may have left files out of the comparison
    Compatibility overall() const; // Incompatible if any is; else Unknown if any is or the list is incomplete; else Compatible
    QStringList incompatible() const;
    bool none() const { return listComplete && files.isEmpty(); }
    // One line for a plan, a gate's evidence or a refusal.
    QString summary() const;
};

// What a file's own marker says (nullopt: no marker in its first lines).
std::optional<Compatibility> markerIn(const QByteArray &content, const MigrationPolicy &policy, QString *line = nullptr);

struct MigrationInputs
{
    QString base, head;
    QStringList changedFiles;
    QHash<QString, QString> fileStatus;
    bool listComplete = true;
    // A migration file's content at `head` (nullopt: could not be read, with the reason in readErrors).
    QHash<QString, std::optional<QByteArray>> contents;
    QHash<QString, QString> readErrors;
    // The labels of the pull request that brought each file in, with its number (when known).
    QHash<QString, QStringList> labels;
    QHash<QString, int> pullRequest;
};

// The file's marker wins over its pull request's label when they disagree,
// because it is the stricter source: a file marked incompatible stays
// incompatible even under a `migration:backward-compatible` label, and the
// reason says both. A maintenance-window label marks a breaking migration.
MigrationReport classifyMigrations(const MigrationInputs &in, const MigrationPolicy &policy);

} // namespace Raize::Release
