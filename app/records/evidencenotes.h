#pragma once

// Release notes written from the release's evidence (playbook §9.2, §11.2; issue #19 item 5): no
// hand-written input. Every list is a fact of the release; an empty list reads "none" only because
// its source said none, and a source that could not be read says so instead (never "none").

#include "records/recordspolicy.h"
#include "records/releasenotes.h"

#include <QDateTime>

#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Records {

// One part of the evidence: the lines, or why its source could not be read.
struct EvidencePart
{
    std::optional<QStringList> lines; // nullopt: unknown
    QString unknownWhy;               // "github: HTTP 502 …"
    static EvidencePart of(QStringList lines) { return {std::move(lines), {}}; }
    static EvidencePart unknown(QString why) { return {std::nullopt, std::move(why)}; }
};

struct ReleaseEvidence
{
    QString deploymentId, sha, version; // version: the changelog's, when the candidate cuts one
    QString level;                      // "L3"; empty when the review could not tell
    QString digest;                     // the review's digest
    EvidencePart highlights;            // changelog entries of the release, else its pull requests' titles
    QStringList flags;                  // flag keys the release touches (never shown to a client)
    EvidencePart gates;                 // "status-checks: pass", one per gate of the review
    EvidencePart newChecks;             // alert and check files the candidate adds or changes
    EvidencePart runbooks;              // runbook files the candidate adds or changes
    EvidencePart migrations;            // migration files of the candidate
    EvidencePart canaryPlan;            // the stages, with where and how long each is watched
    EvidencePart flagRollback;          // what the rollback turns off
    EvidencePart deploymentRollback;    // where the Instant Rollback goes
    EvidencePart knownIssues;           // open incidents
    QDateTime promotedAt;               // UTC

    nlohmann::json toJson() const;
    static Result<ReleaseEvidence> fromJson(const nlohmann::json &j, const QString &source);
};

// The evidence of each production promotion, kept so that notes can be drafted after the promote
// (a review after it compares production with itself): <data>/<profile>/releases/<deployment>.json.
class EvidenceStore
{
public:
    explicit EvidenceStore(QString directory);
    static QString defaultDirectory(const QString &profile);
    Status save(const ReleaseEvidence &evidence) const;
    // The deployment's evidence; empty id: the newest promotion's.
    Result<ReleaseEvidence> load(const QString &deploymentId = {}) const;

private:
    QString m_dir;
};

enum class NotesAudience { Operator, Client };

class EvidenceNotes
{
public:
    // The §9.2 sections the audience may see: an operator everything, a client only the policy's
    // records.releaseNotes.clientSections, with every flag key taken out of the text.
    static ReleaseNotes build(const ReleaseEvidence &evidence, const RecordsPolicy &policy, NotesAudience audience);
    // Text with every flag key replaced by "a feature flag" (the client version's rule, §11.2).
    static QString withoutFlagNames(QString text, const QStringList &flags);
};

} // namespace Raize::Records
