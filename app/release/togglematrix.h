#pragma once

// The canary toggle matrix (issue #8, part 3): flags × scopes (global, per
// client, per platform account, per lane; playbook §4.2), the effective
// state of each cell as read back from the flag service, and what turning a
// cell on or off changes. Pure functions; the view asks the flag service and
// shows a change as pending until a read-back shows it.

#include "policy/sideeffectflags.h"
#include "release/cohorts.h"
#include "services/flags/flagservice.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Raize::Release {

struct MatrixColumn
{
    enum class Kind { Global, Client, Account, Lane };
    Kind kind = Kind::Global;
    QString value; // client id, account id, "api"/"browser"; empty for global

    QString label() const; // "global", "client client-bloom", "account acct-house-ig", "lane api"
    bool operator==(const MatrixColumn &o) const = default;
};

// Global, then every client and platform account the cohorts list (not "*"), then the two lanes.
QList<MatrixColumn> matrixColumns(const QList<Cohort> &cohorts);

enum class CellState { Off, On, Partial, Unknown };
QString cellStateName(CellState state); // "off", "ON", "partial", "unknown"

// Whether the flag is on for everyone in the column's scope (On), for some of
// it (Partial: a narrower dimension, a rollout below 100 %), or for none.
// Unknown when a strategy has constraints the console does not model.
// `cohorts` relate clients, accounts and cohort ids: a `cohort IN [house]`
// strategy covers the house client and its accounts and nobody else; an
// account restriction reaches only the clients of that account's cohort.
// A flag that depends on other flags (Unleash dependencies) is only on where
// its parents let it be: with `all` (the flags listed with it) the parents'
// cells decide (a parent off makes it Off; a parent that is not listed, has
// parents of its own the SDKs would not follow, or whose variant matters
// makes it Unknown unless the flag is Off by itself). Without `all`, a
// dependent flag is Unknown wherever it is not Off by itself.
CellState cellState(const Services::FlagState &flag, const MatrixColumn &column, const QList<Cohort> &cohorts = {},
                    const QList<Services::FlagState> &all = {});

// The single scope the flag has now, when the console can edit it: one
// active strategy at 100 % without foreign constraints (or none: on for
// everyone). std::nullopt otherwise.
std::optional<Services::FlagScope> editableScope(const Services::FlagState &flag);

struct ToggleChange;
// The start of every change the console plans for a flag (the matrix's, auto-pacing's):
// flag, environment, state before and its editable scope; or a refusal, ending in
// `otherwise` ("change it in the flag service"), when the console does not edit its scope.
ToggleChange beginChange(const Services::FlagState &flag, const QString &environment, const QString &otherwise);

struct ToggleRules
{
    Policy::SideEffectFlags sideEffects; // the effective policy's one list (ADR 0017)
    Services::FlagScope firstCanary; // the first production stage's scope (house accounts)
    QString firstCanaryCohort;       // its cohort id ("house")
    QList<Cohort> cohorts;           // for the cells' states (cellState)
    bool production = true;          // the environment is production
};

struct ToggleChange
{
    QString flag, environment;
    bool enabledBefore = false, enabledAfter = false;
    Services::FlagScope scopeBefore, scopeAfter;
    bool scopeChanges = false;
    bool widens = false;   // more subjects exposed afterwards than before
    QString summary;       // exactly what changes, in words
    QString refusal;       // non-empty: the change is not allowed (why)

    bool needsConfirmation(const ToggleRules &rules) const { return rules.production && widens; }
};

// What turning `column` on or off for `flag` does. Refused: a scope the
// console cannot edit, turning one client/account/lane off of a global flag
// (a NOT_IN rule the console does not write), and §4.3: a side-effect flag
// that is off in production may only be turned on inside the first canary
// (house accounts), never wider.
ToggleChange planToggle(const Services::FlagState &flag, const MatrixColumn &column, bool turnOn, const QString &environment,
                        const ToggleRules &rules);

// Whether a read-back of the flag shows the change in effect.
bool readBackShows(const Services::FlagState &readBack, const ToggleChange &change);

} // namespace Raize::Release
