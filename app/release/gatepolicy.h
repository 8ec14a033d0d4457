#pragma once

#include "core/result.h"
#include "policy/policybundle.h"
#include "policy/sideeffectflags.h"

#include <QList>
#include <QMap>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Release {

// Playbook §1: what kind of release this is. Ordered: a higher level is riskier.
enum class Level { L0 = 0, L1 = 1, L2 = 2, L3 = 3 };
QString levelName(Level level); // "L2"
std::optional<Level> levelFromName(const QString &name); // "L2", "l2"

// A path rule of the policy (section `pathRules`): a changed file matching
// `glob` makes the release at least `level`; `kind` marks migrations, alert
// definitions and runbooks (playbook §6.1).
struct PathRule
{
    enum class Kind { Code, Migration, Alert, Runbook };
    QString glob;
    Level level = Level::L2;
    Kind kind = Kind::Code;
    QRegularExpression regex;

    bool matches(const QString &path) const;
};
// "**" crosses folders, "*" and "?" stay inside one.
QRegularExpression globToRegex(const QString &glob);

// How a failing gate may be overridden: by one reviewer with a reason
// ("allowed"), never ("forbidden"), or only when two different reviewers
// each record one ("two-reviewers": the error-budget gate, issue #17 item 5).
enum class Override { Allowed, Forbidden, TwoReviewers };

// An SLO a release affects (gates.errorBudget.slos): when a flag the release
// touches matches one of `flags`, or a changed file one of `paths` (globs).
struct SloMapping
{
    QString slo;
    QStringList flags, paths;
    QList<QRegularExpression> flagRegex, pathRegex;
    bool matchesFlag(const QString &key) const;
    bool matchesPath(const QString &path) const;
};

// The release sections of a policy bundle, typed: `levels`, `pathRules`,
// `gates`, `overrides`, `promotion`. Built whole or not at all.
struct GatePolicy
{
    QString bundleId;
    // levels
    QString labelPrefix = QStringLiteral("risk:");
    Level unlabelled = Level::L2;
    Policy::SideEffectFlags sideEffects; // the bundle's one list (sideEffectFlags, ADR 0017)
    QString flagLabelPrefix = QStringLiteral("flag:");
    // pathRules
    QList<PathRule> pathRules;
    // gates
    QString branch = QStringLiteral("main");
    QStringList requiredChecks;
    QStringList l3Checks;
    int minReviews = 1, minReviewsL3 = 2;
    QStringList deploymentChecks;
    QStringList changelogFields;
    QString flagEnvironment = QStringLiteral("production");
    QString backwardCompatibleLabel, maintenanceWindowLabelPrefix;
    QString changelogPath = QStringLiteral("CHANGELOG.md"); // read at the candidate commit (gates.changelogPath)
    // §3.2 (gates.branchProtection): the branch forbids force pushes and requires an up-to-date branch.
    bool forbidForcePushes = true, requireUpToDate = true;
    // §2.2 (gates.staging): the automatic staging deployment is of `branch`, on this Vercel target.
    QString stagingTarget = QStringLiteral("staging");
    // §5.2 (gates.deploymentProtection.passing): Vercel protection deploymentTypes that cover production
    // deployment URLs and every preview.
    QStringList protectionTypes = {QStringLiteral("all"), QStringLiteral("prod_deployment_urls_and_all_previews"),
                                   QStringLiteral("all_except_custom_domains")};
    // §5.3 (gates.rollbackTargets.keepProduction): the project's retention keeps at least this many production deployments.
    int keepProductionDeployments = 3;
    // gates.errorBudget: an L3 promotion needs every affected SLO's 30-day budget at or above `floor` (0..1 remaining).
    double errorBudgetFloor = 0.25;
    QList<SloMapping> sloMappings;
    // overrides
    int minOverrideReasonChars = 20;
    QMap<QString, Override> overrides; // gate id → allowed/forbidden; a gate not listed is forbidden
    // The level and reviews gates when commits of the range map to no merged pull request (direct
    // pushes): "allowed" lets a reviewer accept them with a reason; not given: forbidden.
    Override unmappedCommits = Override::Forbidden;
    // promotion
    bool viaGitHubEnvironment = true;
    bool viaVercel = true;
    QString promotionEnvironment = QStringLiteral("production");
    // The GitHub environment that carries an L3 release's second approval: GitHub releases a waiting job on the
    // first approval and cannot demand two distinct approvers, so the console counts approvals by login across
    // both environments. Empty: none (a second approver then has no gate to approve).
    QString secondApprovalEnvironment;
    int approvals = 1, approvalsL3 = 2;
    bool distinctApprovers = true;
    bool authorsMayApprove = false;
    // promotion.staging: the manual Preview → Staging promote (assigning the staging domain) and its lighter gate set.
    QString stagingDomain;
    QStringList stagingGates = {QStringLiteral("deployment-ready"), QStringLiteral("status-checks"), QStringLiteral("deployment-checks")};
    int stuckBuildingMinutes = 30, stuckQueuedMinutes = 20, stuckPendingReviewMinutes = 240, stuckCheckRunningMinutes = 45;

    int requiredReviews(Level level) const { return level == Level::L3 ? minReviewsL3 : minReviews; }
    int requiredApprovals(Level level) const { return level == Level::L3 ? approvalsL3 : approvals; }
    bool overridable(const QString &gateId) const { return overrides.value(gateId, Override::Forbidden) != Override::Forbidden; }
    Override overrideKind(const QString &gateId) const { return overrides.value(gateId, Override::Forbidden); }

    // The sections of `bundle`. Errors name the bundle and the field path
    // ("gates.minReviews.L3"); nothing is returned when any part is wrong.
    static Result<GatePolicy> fromBundle(const Policy::Bundle &bundle);
    // The built-in bundle's sections (the effective policy's base layer;
    // checked by test_release_gates).
    static const GatePolicy &builtin();
};

// The gate ids, in the order the review shows them.
const QStringList &gateIds();

} // namespace Raize::Release
