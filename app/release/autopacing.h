#pragma once

// Auto-pacing (issue #8, part 6): when the policy turns it on
// (`canary.autoPacing`) and an operator arms it for one rollout, the console
// turns on the next stage's flags by itself whenever the recommendation says
// "expand allowed". Pure decisions here; the flag changes go through the
// same path as the toggle matrix (FlagChangeRunner).

#include "release/rollout.h"
#include "release/togglematrix.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Release {

struct AutoPacingState
{
    bool armed = false;
    QString actor;             // who armed it
    qint64 armedAtMs = 0;
    QString environment;       // where its flag changes go ("production")
    QStringList flags;         // the release's canary flags, fixed when armed
    int stage = 0;             // the stage the release is in (its flags confirmed on)
    int inFlightStage = -1;    // a stage whose flags were sent and are not yet read back
    QString stopReason;        // why it stopped (empty: never armed, or armed)
};

struct AutoPacingInputs
{
    bool policyAllows = false;      // canary.autoPacing of the effective policy
    bool policyChanged = false;     // policy or cohorts changed since it was armed
    QStringList pageAlerts;         // fired page-level burn alerts (cohort: evidence), empty when none
    Recommendation recommendation;  // recommend() for the armed stage
};

struct AutoPacingAction
{
    enum class Kind {
        Idle,   // not armed: nothing to do
        Wait,   // armed, nothing to send now (reason says why)
        Expand, // turn on `stage`'s flags
        Stop,   // disarm, audited with the reason
    };
    Kind kind = Kind::Idle;
    int stage = -1;
    QString reason;

    static QString kindName(Kind kind); // "idle", "wait", "expand", "stop"
};

// In this order: not armed → idle; the policy no longer allows it, the policy
// or cohorts changed, or a page alert fired → stop; a change in flight → wait
// for its read-back; the last stage reached → stop; no recommendation yet →
// wait; a recommendation for any stage but the next one → stop (never skip a
// stage: the operator moved the current stage); "expand allowed" →
// expand to exactly the next stage; "wait"/"blocked" (observation window, not
// enough data, a missing operator confirmation, a burn) → wait, saying why.
AutoPacingAction decideAutoPacing(const AutoPacingState &state, const AutoPacingInputs &inputs, int stageCount);

// The scope a flag has after expanding to `next`: global when the stage is
// global; exactly the stage's scope when the flag is off; else the flag's
// scope now with the stage's subjects added, so the earlier stages stay
// exposed: its cohort added to a `cohort IN` scope, its clients and platform
// accounts added to a scope of clients and accounts. std::nullopt when the
// scope restricts other dimensions (a lane, constraints): the service ANDs
// them, so no single strategy reaches both.
std::optional<Services::FlagScope> expandedScope(const Services::FlagState &flag, const PlannedStage &next);

// The change that turns `flag` on for `next` in `environment`, as the toggle
// matrix would send it. Refused (refusal set) when the flag's scope is not one
// the console edits; a flag already in that state gives a change with
// enabledBefore == enabledAfter and no scope change (nothing to send).
ToggleChange planStageChange(const Services::FlagState &flag, const PlannedStage &next, const QString &environment);

// "Auto-pacing: armed by ada at 23:40 UTC, next: Production: low-risk clients, waiting for …" / "Auto-pacing: stopped: …"
QString autoPacingStatus(const AutoPacingState &state, const AutoPacingAction &action, const RolloutPlan &plan);

} // namespace Raize::Release
