#pragma once

#include "core/result.h"
#include "records/changelog.h"

#include <QStringList>

#include <nlohmann/json.hpp>

namespace Raize::Records {

// What the release notes are filled from besides the changelog. Each part is
// optional; the gate, canary and rollback engines produce them.
struct ReleaseNotesInput
{
    QStringList newChecks;        // gates/checks added in this release
    QStringList gateSummary;      // "lint: pass", ...
    QStringList runbooksUpdated;
    QStringList canaryPlan;       // stage by stage
    QString flagRollback;         // "disable publishing.* for house accounts", ...
    QString deploymentRollback;   // "Instant Rollback to dpl_prev (READY, checks passed)"
    QStringList knownIssues;

    // {"newChecks": [...], "gates": [...], "runbooks": [...], "canary": [...],
    //  "rollback": {"flags": "...", "deployment": "..."}, "knownIssues": [...]}
    static Result<ReleaseNotesInput> fromJson(const nlohmann::json &j);
};

struct ReleaseNotes
{
    QString tag;      // "v1.4.0"
    QString title;    // "v1.4.0 — <summary>"
    QString body;     // Markdown, the playbook §9.2 template
    QString releaseLevel;
};

class ReleaseNotesBuilder
{
public:
    // Fills the §9.2 template from the changelog section of `version`.
    static Result<ReleaseNotes> build(const ChangelogDocument &doc, const QString &version, const ReleaseNotesInput &input);
};

// Creates a GitHub Release draft (implemented on the GitHub client).
class ReleasePublisher
{
public:
    virtual ~ReleasePublisher() = default;
    // Returns the draft's URL.
    virtual Result<QString> createDraft(const ReleaseNotes &notes) = 0;
};

} // namespace Raize::Records
