#pragma once

// Playbook §7.1 triggers detected from signals (issue #16, item 4), as pure
// functions: the policy's `triggers` section (which platform metric means
// which trigger), the PromQL each rule asks, and the alerts an answer
// raises. TriggerDetector asks Prometheus on a timer and hands the alerts to
// the AlertCenter; tests hand the answers in directly.

#include "core/result.h"
#include "release/alertcenter.h"
#include "release/cohorts.h"
#include "rollback/rollbackplan.h"
#include "services/prometheus/prometheusclient.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace Raize::Policy {
struct Bundle;
}

namespace Raize::Rollback {

struct TriggerRule
{
    enum class Kind {
        Counter,      // the counter rose in the window (or a new series starts above zero)
        Gauge,        // the gauge is above the threshold
        WhileFlagOff, // the counter rose while `flag` was off (after its grace for SDK refresh)
    };
    Trigger trigger = Trigger::WrongAccountSideEffect;
    Kind kind = Kind::Counter;
    QString metric;        // a PromQL selector: raize_side_effects_total{outcome="wrong_account"}
    int windowSeconds = 120;
    double threshold = 0;  // fires when the value is above it
    QStringList by;        // the labels that name where: cohort, lane, account
    QString flag;          // WhileFlagOff: the kill switch
    int graceSeconds = 30; // WhileFlagOff: SDKs refresh their flags this late (real SDKs: 15 s)

    QString id() const; // the trigger's id ("wrong-account")
    bool operator==(const TriggerRule &) const = default;
};

struct TriggerRules
{
    int evaluateSeconds = 5;
    QList<TriggerRule> rules;
    // SLO id → the trigger its page means ("publish_success" → publish-failures); "*": any other.
    QHash<QString, Trigger> pages;
    bool operator==(const TriggerRules &) const = default;

    // The trigger a burn-rate page of `sloId` means (§7.1 P1 breaches; elevated errors otherwise).
    Trigger pageTrigger(const QString &sloId) const;
};

// The bundle's `triggers` section; refused with the field and the reason.
Result<TriggerRules> triggerRulesFromBundle(const Policy::Bundle &bundle);

// The instant query a rule asks. WhileFlagOff asks over `windowSeconds` (the
// time since the flag went off plus its grace, at most the rule's window).
QString triggerQuery(const TriggerRule &rule, int windowSeconds = 0);

// What one answer raises: an alert per group (the rule's `by` labels) whose
// value is above the threshold, naming the trigger, the evidence (query,
// value, since when) and the scope it affects, with the scope and the §7.3
// answers the plan opens with. `firstSeenMs`: when the console first saw
// each alert id active (the onset it reports); `nowMs` for the ones new now.
// A P0 plan is global (§7.2); a P1 plan is scoped to the group's cohort when
// the cohort is known.
QList<Release::Alert> triggerAlerts(const TriggerRule &rule, const QString &query, const QList<Services::PromSample> &samples,
                                    const QList<Release::Cohort> &cohorts, const QHash<QString, qint64> &firstSeenMs, qint64 nowMs);

// The alert the operator raises by hand: security incident suspicion (P0, global).
Release::Alert securitySuspicionAlert(const QString &actor, const QString &reason, qint64 nowMs);

// The §7.3 answers an alert implies, laid over `checklist` (the operator's answers win).
Checklist impliedChecklist(const QStringList &implies, Checklist checklist = {});

} // namespace Raize::Rollback
