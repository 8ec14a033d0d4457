#pragma once

// The scope a rollback plan opens with (issue #16 item 1, playbook §7.2, §7.3 Q3).
// A P0 is always global. Otherwise the plan narrows to the scope that paged
// only when the signals show the failure isolated to it: every other scope
// healthy, and each of them (and the paging one) with enough data to say so.
// Anything less is global, and the reason says why. The operator can still
// narrow or widen the scope in the dialog (and `rollback plan --scope`) after
// seeing the plan, before the typed confirmation.
//
// Pure: plain structs in, a decision out; no clock, no network. Callers (the
// trigger detectors, the page banner, the SLO view) fill ScopeHealth from
// what the rollout monitor already computed.

#include "release/cohorts.h"
#include "rollback/rollbackplan.h"
#include "slo/sloengine.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace Raize::Rollback {

// One scope's health, as the burn-rate engine sees it over the page windows.
struct ScopeHealth
{
    QString id;          // "house", "lowrisk", "broad", "lane:browser": how the reason names it
    Scope scope;         // the rollback scope that reaches exactly this scope (global for "everyone")
    double burnRate = 0; // the worst page-window burn rate, × the error budget (1 = burning exactly the budget)
    qint64 events = 0;   // the events (requests, publishes) the page windows counted for it
    bool paging = false; // this scope raised the page
};

struct ScopeSignals
{
    QList<ScopeHealth> scopes;
    double healthyBelow = 1.0; // a scope burning under this is healthy
    qint64 minEvents = 50;     // fewer events than this: not enough data to call a scope healthy
};

struct ScopeDecision
{
    enum class Why {
        P0,            // §7.2: a P0 stops harm everywhere
        Isolated,      // the paging scope alone burns; every other scope is healthy with enough data
        NotEnoughData, // a scope has too few events to tell
        OthersBurning, // more than one scope burns
        NoPagingScope, // nothing paged for one scope (or the paging scope is everyone)
    };
    Scope scope; // what the plan opens with
    Why why = Why::NoPagingScope;
    QString reason; // in words, for the dialog and `rollback plan`

    static QString whyId(Why why); // "p0", "isolated", "not-enough-data", "others-burning", "no-paging-scope"
};

ScopeDecision defaultScope(Trigger trigger, const ScopeSignals &signals_);

// The rollback scope that reaches exactly a cohort: its clients and platform
// accounts (Scope::Kind::Tenant), or global for the "*" cohort.
Scope scopeOfCohort(const Release::Cohort &cohort);

// ScopeSignals from the rollout monitor's verdicts (cohort id → one verdict
// per SLO): per cohort, the worst long-window burn over its rules, the events
// of its thinnest long window, paging when its id is in `pagingCohorts`;
// minEvents is the largest minimum the SLO rules themselves ask for.
ScopeSignals scopeSignalsFrom(const QList<Release::Cohort> &cohorts, const QHash<QString, QList<Slo::AlertVerdict>> &verdictsByCohort,
                              const QStringList &pagingCohorts);

} // namespace Raize::Rollback
