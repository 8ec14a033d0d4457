#pragma once

#include "core/result.h"

#include <QList>
#include <QString>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

namespace Raize::Policy {

struct Bundle;

// The dangerous actions the console confirms before it acts (issue #14,
// item 5). Each has a row in the policy's "confirmations" table.
enum class ConfirmAction {
    Promote,          // Promote to production (PromotionView, `promote`)
    Rollback,         // execute a rollback plan (RollbackDialog, `rollback execute`)
    KillSwitch,       // the flags-only rollback (`kill-switch`)
    ProductionToggle, // a toggle that widens exposure in production (CanaryMatrix, `rollout advance`)
    CohortSave,       // store the profile's cohorts (CohortEditor, `cohorts set|reset`)
    AutoPacing,       // arm auto-pacing (AutoPacingPanel)
    Arm,              // arm a read-only profile for changes (the header's Arm…, ADR 0028)
    StagingPromote,   // the manual Preview → Staging promote (Promotion's "Promote to staging…", `promote staging`)
};

// What the operator must type: nothing (the plan is shown and a button
// confirms it), the environment's name, or a given word. A typed answer is
// compared exactly: no trimming, no case folding.
enum class ConfirmRequirement { None, EnvironmentName, Word };

struct ConfirmRule
{
    ConfirmRequirement requirement = ConfirmRequirement::EnvironmentName;
    QString word; // only for Word

    bool typed() const { return requirement != ConfirmRequirement::None; }
    // The exact text that confirms; empty for None (and for an unknown environment).
    QString expected(const QString &environment) const;
    // Whether `answer` confirms (None: always; typed: exactly expected(), never an empty text).
    bool accepts(const QString &environment, const QString &answer) const;
    // "Type production to confirm." / "" for None.
    QString prompt(const QString &environment) const;

    bool operator==(const ConfirmRule &) const = default;
};

// The table, one rule per action. Every action has a rule: the built-in
// bundle lists them all, a tenant bundle refines it.
struct Confirmations
{
    std::map<ConfirmAction, ConfirmRule> rules;

    ConfirmRule rule(ConfirmAction action) const;
    nlohmann::json toJson() const;
};

QList<ConfirmAction> allConfirmActions();
// "promote", "rollback", "killSwitch", "productionToggle", "cohortSave", "autoPacing", "arm", "stagingPromote".
QString confirmActionKey(ConfirmAction action);
std::optional<ConfirmAction> confirmActionFromKey(const QString &key);
// "none", "environment", "word".
QString confirmRequirementKey(ConfirmRequirement requirement);

// The playbook's floor: actions that need at least a typed confirmation
// whatever a tenant bundle says (§7.2: rollback and the kill switch stop
// harm in production; §0; arming opens production to every change, ADR 0028). The effective policy refuses a bundle that
// loosens one of them.
QList<ConfirmAction> typedConfirmationFloor();

// Parses a "confirmations" section (an object: action key → {"require":
// "none"|"environment"|"word", "word": "..."}) over `base`, the table it
// refines (empty for the built-in bundle, which must then name every
// action). Refused, with the field path ("confirmations.rollback.require"):
// an unknown action or requirement, an unknown member, a word that is
// missing, empty, or holds whitespace, a word where none is required, an
// action left without a rule, and a rule that loosens the floor above.
// A null section returns `base` unchanged (after the same checks).
Result<Confirmations> parseConfirmations(const nlohmann::json &section, const Confirmations &base = {});

// The bundle's table: the built-in bundle's own, or a tenant bundle's over
// the built-in one. Errors name the bundle file and the field.
Result<Confirmations> confirmationsFromBundle(const Bundle &bundle);
// The built-in bundle's table (resources/policy/playbook-v1.json).
const Confirmations &builtinConfirmations();
// The table of the bundle at `bundlePath` (a profile's policy.bundlePath
// setting), or the built-in one when the path is empty. An unreadable or
// invalid bundle is an error, never a silent fall-back.
Result<Confirmations> loadConfirmations(const QString &bundlePath);

// The headless guard (`--confirm TEXT`): ok when `answer` confirms the
// action under `rule`; otherwise a Refused error that says what to type.
Status checkTypedConfirmation(ConfirmAction action, const ConfirmRule &rule, const QString &environment, const QString &answer);

} // namespace Raize::Policy
