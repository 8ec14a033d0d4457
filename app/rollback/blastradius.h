#pragma once

// The blast radius of a rollback's flag changes (issue #16 item 2): for each
// flag, which clients, platform accounts and lanes stop being served it.
// Asked of the flag service's own evaluator for the state now (Unleash's
// playground, LaunchDarkly's evaluate); the state after is the state now
// with the planned changes applied (predictAfter), and the rollback asks the
// service again after execution and reports any difference as a failed step.
// Pure: no network, no clock.

#include "release/cohorts.h"
#include "services/flags/contextevaluation.h"
#include "services/flags/flagservice.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Rollback {

// Who the console knows: the cohorts' explicit members, and the client and
// account label values Prometheus has seen in the last 7 days.
struct KnownSubjects
{
    QList<Release::Cohort> cohorts;
    QStringList seenClients, seenAccounts;
    QStringList lanes = {QStringLiteral("api"), QStringLiteral("browser")};
    // Ids the operator's scope names that no cohort and no metric knows: asked about too.
    QStringList scopeClients, scopeAccounts;

    // A client or account named by a cohort (not only matched by its wildcard) or by the scope.
    bool named(const QString &id) const;
};

// The context fields the sandbox platform's SDK passes.
namespace ContextField {
inline const QString Client = QStringLiteral("clientId");
inline const QString Account = QStringLiteral("platformAccount");
inline const QString Lane = QStringLiteral("lane");
inline const QString Cohort = QStringLiteral("cohort");
} // namespace ContextField

// One grid per cohort: its clients and accounts (for a wildcard cohort the
// seen values no explicit cohort names), every lane, and the cohort's id; a
// last grid for the scope's own ids. A dimension nobody is known in is left
// unset in that grid (the SDK would not pass it either).
Services::EvaluationQuery blastQuery(const KnownSubjects &subjects, const QStringList &flags, const QString &environment);

// Does turning a flag off for `scope` reach this context? Global reaches
// everyone; otherwise anyone the scope names in any dimension — its clients,
// its accounts, its lane, its cohorts — stops (a union), as the backends
// write a scoped off (ADR 0021: Unleash's NOT_IN exclusions on every
// strategy, LaunchDarkly's off rules). A scope with parts the console does
// not model is never claimed to reach anyone.
bool offReaches(const Services::FlagScope &scope, const Services::ContextFields &context);

// The state after `changes`, from the state now: a flag turned off for a
// scope is off where offReaches() holds, on where a change turns it on and it
// was served before a narrower change (never more than before); a flag that
// needs a parent on (`dependencies`) is off wherever that parent is off after.
QList<Services::ContextAnswer> predictAfter(const QList<Services::ContextAnswer> &now, const QList<Services::ServeChange> &changes,
                                            const QHash<QString, QList<Services::FlagDependency>> &dependencies);

struct BlastRow
{
    QString flag;
    // Who stops being served the flag: named clients and accounts, and those
    // known only through a wildcard cohort (shown as "+N others").
    QStringList clients, accounts, lanes;
    QStringList otherClients, otherAccounts;

    bool empty() const;
    // "clients house, client-bloom · accounts acct-house-ig +3 others (matched by a wildcard) · lanes api, browser", or "nobody".
    QString describe() const;
    bool operator==(const BlastRow &) const = default;
};

struct BlastRadius
{
    bool known = false;
    QString unknownReason; // why not known: "the flag service's playground did not answer: …"
    QString source;        // "unleash: 4 calls, 42 contexts"
    int contexts = 0;
    QList<BlastRow> rows; // one per flag asked about, in the plan's order

    bool empty() const; // known, and nobody stops being served anything
    // Lines for the CLI and the confirmation: a header, then one line per flag.
    QStringList describeLines() const;
    nlohmann::json toJson() const;
    static std::optional<BlastRadius> fromJson(const nlohmann::json &j);
    static BlastRadius unknown(const QString &reason);
};

// Who stops being served each flag of `flags` between `now` and `after`.
BlastRadius blastRadius(const QList<Services::ContextAnswer> &now, const QList<Services::ContextAnswer> &after, const QStringList &flags,
                        const KnownSubjects &subjects);

// "flag on for ctx" pairs that stay on after the change ("contextKey|flag"), the
// compact form a post-check carries (everything else of the query must be off).
QStringList onPairs(const QList<Services::ContextAnswer> &answers, const QStringList &flags);
// The differences between what the service answers and the prediction, in
// words: "publishing.enabled: still served to cohort=house lane=api …", empty when none.
QStringList compareWithPrediction(const QStringList &predictedOn, const QList<Services::ContextAnswer> &actual, const QStringList &flags);

} // namespace Raize::Rollback
