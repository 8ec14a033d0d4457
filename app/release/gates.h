#pragma once

#include "release/gatepolicy.h"
#include "release/migrationcheck.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Release {

// A fact the collector tried to fetch: the value, or why it could not
// (then every gate that needs it answers "unknown", never "pass").
template<typename T>
struct Known
{
    std::optional<T> value;
    QString error;    // why it is missing, e.g. "github: HTTP 502 ..."
    QString evidence; // where a person can look (GitHub, Vercel URL)

    bool known() const { return value.has_value(); }
    const T &operator*() const { return *value; }
    const T *operator->() const { return &*value; }
    static Known of(T v, QString evidence = {}) { return Known{std::move(v), {}, std::move(evidence)}; }
    static Known missing(QString why, QString evidence = {}) { return Known{std::nullopt, std::move(why), std::move(evidence)}; }
};

struct CandidateDeployment
{
    QString id, sha, state, url, target; // state: READY, BUILDING, QUEUED, ERROR, ...
    qint64 createdMs = 0;
    QString ref; // the branch it was built from (Vercel's git meta), empty when not reported
};

struct PullFact
{
    int number = 0;
    QString title, author, url;
    QStringList labels;
    std::optional<int> approvals; // approving reviews, when the source reports them
};

struct CheckFact
{
    QString name, status, conclusion, url; // status: queued, in_progress, completed; conclusion: success, failure, ...
    qint64 startedMs = 0;
    bool passed() const;
    bool running() const;
};

struct ProtectionFact
{
    bool unprotected = false;
    QStringList contexts;
    bool strict = false;
    int requiredApprovals = 0;
    std::optional<bool> allowForcePushes = false; // §3.2 "prevent force push"; nullopt: GitHub's answer did not say
};

// Where the changelog gate read its entries (issue #17 item 3): the file at the candidate commit and the
// section of the version being released. `problems`: the playbook lint's errors inside that section, each
// with the candidate file's line ("CHANGELOG.md@5e6f708:12: ...").
struct ChangelogOrigin
{
    QString file, commit; // "CHANGELOG.md", the candidate's SHA
    QString section;      // "[Unreleased]" or "[1.5.0]"
    QStringList problems;
    QString where() const; // "CHANGELOG.md@5e6f708"
};

// §5.2: the Vercel project's Deployment Protection (each method's deploymentType; empty when off).
struct DeploymentProtectionFact
{
    QString sso, password, trustedIps;
};

// §5.3: the Vercel project's deployment retention (deploymentExpiration); nothing set: no policy on the project.
struct RetentionFact
{
    bool policySet = false;
    std::optional<int> expirationDaysProduction; // unset: production deployments are not expired by age
    std::optional<int> deploymentsToKeep;        // production deployments kept whatever their age
};

// What production is pinned to after an Instant Rollback (Vercel's lastRollbackTarget), read with the project.
struct PinFact
{
    bool pinned = false;
    QString from, to, description;
    std::optional<bool> autoAssignCustomDomains;
};

// A changelog entry of the release (playbook §8.6), as read from CHANGELOG.md.
struct ChangelogFact
{
    QString title; // the operator-facing description
    QMap<QString, QString> fields; // "Risk" → "L3", "Flags" → "`publishing.x` (new, OFF in production)", ...
    int line = 0;
};

// A commit of the compared range that no merged pull request covers (a direct push).
struct CommitFact
{
    QString sha, message; // message: the first line
    bool operator==(const CommitFact &) const = default;
};

// Everything the gates look at, gathered by the collector (or a test).
struct ReleaseFacts
{
    Known<CandidateDeployment> deployment;
    QString productionDeploymentId, productionSha; // what production serves (the compare base)
    Known<QList<PullFact>> pulls;
    // With `pulls`: the commits of the range that map to no merged pull request (direct pushes). While any is
    // listed, the level and the reviews gate are unknown (no vacuous pass), overridable per the policy's
    // overrides.unmappedCommits. Empty when every commit maps, or when the range has none.
    QList<CommitFact> unmappedCommits;
    Known<QStringList> changedFiles;
    Known<QList<CheckFact>> checks;           // GitHub check runs and commit statuses of the candidate's commit
    Known<ProtectionFact> protection;         // of GatePolicy::branch
    Known<QList<CheckFact>> deploymentChecks; // Vercel Deployment Checks of the candidate
    Known<QMap<QString, bool>> productionFlags; // flag key → enabled in GatePolicy::flagEnvironment
    Known<QList<ChangelogFact>> changelog;    // the entries of the release (its version's section, or [Unreleased])
    ChangelogOrigin changelogOrigin;          // which file at which commit, which section, its lint errors
    // The migration files of production...candidate with their contents at the candidate (MigrationSource). Not read
    // (no GitHub, or no migration changed): missing with the reason, and the gate uses the changed files and labels.
    Known<MigrationReport> migrationReport;
    Known<DeploymentProtectionFact> deploymentProtection; // §5.2
    Known<RetentionFact> retention;                       // §5.3
    Known<QMap<QString, double>> sloBudgets;              // SLO id → share of its 30-day error budget left (0..1, <0 overspent)
    PinFact pin;                                          // production pinned after an Instant Rollback
    QString maintenanceWindow;                // recorded outside the labels (console input), empty when none
};

// A flag the release touches: from changelog Flags fields and `flag:` labels.
struct TouchedFlag
{
    QString key;
    bool isNew = false;    // the changelog says "(new"
    bool sideEffect = false; // key has a side-effect prefix
    QString source;        // "changelog line 12", "label on #412"
};

// What the release contains, derived from the facts (issue #7, part 2).
struct ReleaseScope
{
    std::optional<Level> level; // unknown when the PRs or files are unknown, or commits map to no PR (unless L3 already)
    QStringList unmappedCommits;    // "1a2b3c4 Hotfix typo", for the gates and the review
    QMap<int, Level> pullLevels;
    QMap<int, QString> pullLevelWhy; // "label risk:L3", "unlabelled: policy default L2"
    QStringList levelReasons;        // why the release has its level
    QStringList migrations, alertFiles, runbooks; // changed files by path-rule kind
    QList<TouchedFlag> flags;
};

ReleaseScope scopeOf(const GatePolicy &policy, const ReleaseFacts &facts);
// The SLO ids a release affects (gates.errorBudget.slos): by its touched flags and changed files, with why.
QMap<QString, QString> affectedSlos(const GatePolicy &policy, const ReleaseScope &scope, const ReleaseFacts &facts);
// The level a file's path rules give it (the highest matching rule), if any.
std::optional<Level> pathLevel(const GatePolicy &policy, const QString &path);

struct GateResult
{
    enum class Status { Pass, Fail, Unknown };
    QString id;       // "status-checks", ...
    QString title;    // "Required status checks (§3.3)"
    Status status = Status::Unknown;
    QString reason;   // one sentence an operator can act on
    QString evidence; // a URL, or empty
    bool overridable = false;
    // Unknown because commits of the range map to no merged pull request, not because data is missing:
    // then a reviewer may accept it with a reason when `overridable` (policy overrides.unmappedCommits).
    bool unmappedCommits = false;

    static QString statusName(Status s); // "pass", "fail", "unknown"
    bool operator==(const GateResult &) const = default;
};

struct GateVerdict
{
    ReleaseScope scope;
    QList<GateResult> results; // one per gate, in gateIds() order
    bool blocked() const;      // any result that is not Pass
    QStringList blockingReasons() const; // "status-checks: ..." for every result that is not Pass
    const GateResult *result(const QString &id) const;
    nlohmann::json toJson() const;
};

// The gates of playbook §3.3, §5.1, §4.3, §6.1 and §8.6. Pure: no network,
// no clock. "Unknown" (the data could not be fetched) never counts as a pass.
GateVerdict evaluate(const GatePolicy &policy, const ReleaseFacts &facts);
// The lighter gate set of the manual Preview → Staging promote (policy promotion.staging.gates, §2.2):
// the same rules, only the gates the policy names, in its order.
GateVerdict evaluateStaging(const GatePolicy &policy, const ReleaseFacts &facts);

// Stuck states (issue #7, part 4): a deployment building or queued, a
// pending deployment waiting for review, or a check running for longer than
// the policy allows. pendingSinceMs: when the GitHub environment review
// started waiting (0: not waiting).
QStringList stuckStates(const GatePolicy &policy, const ReleaseFacts &facts, qint64 pendingSinceMs, qint64 nowMs);

} // namespace Raize::Release
