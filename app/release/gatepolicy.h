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

enum class Override { Allowed, Forbidden };

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
    int stuckBuildingMinutes = 30, stuckQueuedMinutes = 20, stuckPendingReviewMinutes = 240, stuckCheckRunningMinutes = 45;

    int requiredReviews(Level level) const { return level == Level::L3 ? minReviewsL3 : minReviews; }
    int requiredApprovals(Level level) const { return level == Level::L3 ? approvalsL3 : approvals; }
    bool overridable(const QString &gateId) const { return overrides.value(gateId, Override::Forbidden) == Override::Allowed; }

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
