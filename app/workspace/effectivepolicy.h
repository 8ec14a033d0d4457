#pragma once

// The effective policy of a profile (issue #14, item 1; ADR 0017): the
// built-in playbook bundle, then the tenant's bundle laid over it, then the
// profile's cohort override (ADR 0006), parsed once into typed parts that
// every consumer reads: the gates, the SLO views and engine, the toggle
// matrix, auto-pacing, the flags pane, the rollback planner and the
// confirmation dialog. A tenant bundle may tighten any rule but never loosen
// the playbook's floors; a bundle that tries, or that is malformed, is
// refused as a whole, with its file, line and reason, and the profile opens
// read-only (never silently on another bundle).

#include "core/result.h"
#include "policy/confirmations.h"
#include "policy/policybundle.h"
#include "policy/sideeffectflags.h"
#include "release/canaryplan.h"
#include "release/cohortoverride.h"
#include "release/gatepolicy.h"
#include "release/rollout.h"
#include "release/rolloutmonitor.h"
#include "release/togglematrix.h"
#include "release/migrationcheck.h"
#include "release/effectiveness.h"
#include "records/recordspolicy.h"
#include "rollback/rollbackplan.h"
#include "rollback/triggerrules.h"
#include "slo/burnrule.h"
#include "slo/slospec.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Raize {

class Settings;

class EffectivePolicy
{
public:
    // A tenant's bundle as read from its file.
    struct TenantLayer
    {
        QString path;     // shown in errors and in the status line
        QByteArray text;  // the file's bytes (for the line of an error)
    };

    // The pure build: `builtin` (the base layer), then `tenant` laid over it
    // (objects merge key by key, `null` removes a key, any other value —
    // lists included — replaces the base's), then `cohortOverride` (the
    // profile's `canary/cohorts` text; empty: none). Refuses the tenant
    // layer as a whole: invalid JSON, an invalid section, a loosened floor
    // (floorViolations) or a changed cohort id; the error message reads
    // "tenant.json:12: slos[0].objective: …" and Error::fieldPath names the field.
    // An override that does not fit is not used and says why (ADR 0006).
    static Result<EffectivePolicy> build(const Policy::Bundle &builtin, const std::optional<TenantLayer> &tenant,
                                         const QString &cohortOverride = {});

    // The profile's: the tenant bundle from `policyFile` when given (`--policy`),
    // else the profile's `policy/bundlePath` setting, and its `canary/cohorts`.
    // Never fails: when the tenant bundle is refused the result is
    // read-only, says why (readOnlyReason) and carries the playbook's floors
    // (the built-in parts) so the console can show data and a rollback can
    // still turn the playbook's side-effect flags off.
    static EffectivePolicy load(const Settings &settings, const QString &policyFile = {});
    // The built-in bundle alone (tests and the `policy` subcommand's "builtin").
    static const EffectivePolicy &builtin();
    // The effective document of the tenant bundle at `path` laid over the
    // built-in, refused as build() refuses ("builtin": the built-in itself).
    // What `policy check|diff` and the policy diff dialog compare.
    static Result<Policy::Bundle> effectiveBundle(const QString &path);

    bool readOnly() const { return m_error.has_value(); }
    // The refused layer's error ("tenant.json:12: …"), empty when not read-only.
    QString readOnlyReason() const;
    const std::optional<Error> &error() const { return m_error; }

    // The layers that made it, in order: "built-in playbook-v1", "tenant bundle /etc/acme.json (acme-v3)", ...
    QStringList layers() const;
    // One line for the console: where the policy comes from, or why it is read-only.
    QString describe() const;

    // The merged document (for `policy show` and the diff).
    const Policy::Bundle &bundle() const { return *m_bundle; }
    const Release::GatePolicy &gates() const { return m_gates; }
    const QList<Slo::SloSpec> &slos() const { return m_slos; }
    const QList<Slo::BurnRule> &burnRules() const { return m_burnRules; }
    const QList<Release::Cohort> &cohorts() const { return m_cohorts.cohorts; }
    const Release::EffectiveCohorts &cohortSource() const { return m_cohorts; }
    const Release::RolloutPolicy &rollout() const { return m_rollout; }
    bool autoPacing() const { return m_rollout.autoPacing; }
    // The two-axis canary (`rollout.deploymentAxis`, issue #20, ADR 0029): off unless the policy turns it on;
    // off as well when read-only (a refused bundle never starts a rolling release).
    Release::DeploymentAxisPolicy deploymentAxis() const;
    const Release::ToggleRules &toggleRules() const { return m_toggleRules; }
    const Policy::SideEffectFlags &sideEffectFlags() const { return m_rollback.sideEffects; }
    const Policy::Confirmations &confirmations() const { return m_confirmations; }
    const Rollback::RollbackRules &rollback() const { return m_rollback; }
    // §7.1 triggers from signals (the bundle's `triggers` section, issue #16 item 4).
    const Rollback::TriggerRules &triggers() const { return m_triggers; }
    // Where migrations live and how an incompatible one is marked (`migrations`, `pathRules`, the gates' labels).
    const Release::MigrationPolicy &migrations() const { return m_migrations; }
    // When a promote, rollback or abort counts as effective (`effective`, ADR 0027): the deadline after the
    // acceptance, the probe's samples and the share of them that must come from the expected deployment.
    const Release::EffectiveRules &effective() const { return m_effective; }
    // How long an arming lasts (the bundle's `arming.windowMinutes`, ADR 0028): a profile not marked
    // sandbox is read-only until armed, then for this many minutes. A tenant may shorten it only.
    int armingWindowMinutes() const { return m_armingWindowMinutes; }
    static constexpr int DefaultArmingWindowMinutes = 15;
    static constexpr int MaxArmingWindowMinutes = 240;
    // Post-release validation, the platform repository's journal and the client's release notes (`records`, issue #19).
    const Records::RecordsPolicy &records() const { return m_records; }
    // What the rollout monitor (SloView, AutoPacingPanel) reads: the typed parts above, the
    // bundle's rollout overrides; auto-pacing off when read-only.
    Release::RolloutMonitorPolicy rolloutMonitor() const;
    // Changes when anything auto-pacing was armed under changes (rollout, canary, cohorts, source).
    QString fingerprint() const;

    // The same policy with `cohorts` in place (an edit saved in the console):
    // the rollout and the toggle rules follow. Fails when they do not fit.
    Result<EffectivePolicy> withCohorts(const QList<Release::Cohort> &cohorts) const;

    // What a tenant's effective policy does worse than the playbook's: each a
    // field path and the reason (ADR 0017 lists the floors). Empty: none.
    struct Violation
    {
        QString field;
        QString reason;
    };
    static QList<Violation> floorViolations(const EffectivePolicy &floor, const EffectivePolicy &candidate);

private:
    static Result<EffectivePolicy> parse(std::shared_ptr<const Policy::Bundle> bundle, const QString &cohortOverride);

    std::shared_ptr<const Policy::Bundle> m_bundle;
    QStringList m_layers;
    std::optional<Error> m_error;
    Release::GatePolicy m_gates;
    QList<Slo::SloSpec> m_slos;
    QList<Slo::BurnRule> m_burnRules;
    Release::EffectiveCohorts m_cohorts;
    Release::RolloutPolicy m_rollout;
    Release::DeploymentAxisPolicy m_deploymentAxis;
    Release::ToggleRules m_toggleRules;
    Policy::Confirmations m_confirmations;
    Rollback::RollbackRules m_rollback;
    Rollback::TriggerRules m_triggers;
    Release::MigrationPolicy m_migrations;
    Release::EffectiveRules m_effective;
    Records::RecordsPolicy m_records;
    QString m_newL3FlagsDefault;
    int m_armingWindowMinutes = DefaultArmingWindowMinutes;
};

} // namespace Raize
