#pragma once

// Auto-pacing of one rollout (issue #8, part 6): armed by an operator when
// the policy allows it, it turns on each next stage's flags through the
// FlagChangeRunner (the toggle matrix's path: audited, pending until read
// back) whenever decideAutoPacing() says "expand", and stops at once, by the
// operator or by itself (page alert, failed change, policy change). Arming,
// every expansion, every confirmed stage and stopping go to the audit log.

#include "release/autopacing.h"

#include "core/result.h"

#include <QObject>
#include <QSet>

namespace Raize::Records {
class AuditSink;
}

namespace Raize::Release {

class FlagChangeRunner;

class AutoPacer : public QObject
{
    Q_OBJECT

public:
    // runner: not owned, shared with the toggle matrix.
    explicit AutoPacer(FlagChangeRunner *runner, QObject *parent = nullptr);
    ~AutoPacer() override;

    void setAudit(Records::AuditSink *audit) { m_audit = audit; }

    // What arming will do, for the confirmation and the audit record: per
    // stage, the flags and the stage's scope, then each flag's exact change
    // ("flag in production: ON for cohorts house → ON for cohorts house, lowrisk"),
    // computed from `flags` (the read-back) as if every earlier stage had gone through.
    static QStringList armingPlan(const RolloutPlan &plan, int stage, const QList<Services::FlagState> &flags,
                                  const QString &environment);

    // Arms for `plan` from `stage` (the stage the release is in), for
    // `flags`; `planLines` (armingPlan) go into the audit record. Refused
    // when the policy does not allow it, there are no flags, the next stage
    // is in another environment, or the audit log refuses the record.
    Status arm(const RolloutPlan &plan, bool policyAllows, int stage, const QStringList &flags, const QStringList &planLines,
               const QString &environment, const QString &actor, qint64 nowMs);
    // Sends nothing new from now on; a change in flight finishes and is reported. Audited.
    void stop(const QString &reason, const QString &actor);

    // Decides and acts on the current inputs; `flags` is the flag service's
    // last read-back in the armed environment.
    AutoPacingAction step(const AutoPacingInputs &inputs, const QList<Services::FlagState> &flags);

    const AutoPacingState &state() const { return m_state; }
    bool armed() const { return m_state.armed; }
    const RolloutPlan &plan() const { return m_plan; }
    // The panel's line (autoPacingStatus) with the last action.
    QString statusText() const;
    // The outcome of the last flag change auto-pacing sent, in words (also after it stopped).
    QString lastReport() const { return m_lastReport; }

Q_SIGNALS:
    // The flags of `stage` were read back on: the release is in that stage since confirmedAtMs.
    void stageAdvanced(int stage, qint64 confirmedAtMs);
    void stateChanged();

private:
    void changeFinished(const QString &flag, const QString &action, const QString &message);
    bool audit(const QString &action, const QString &target, const nlohmann::json &after, const QString &reason,
               const QString &actor = {});

    FlagChangeRunner *m_runner;
    Records::AuditSink *m_audit = nullptr;
    RolloutPlan m_plan;
    AutoPacingState m_state;
    AutoPacingAction m_last;
    QSet<QString> m_waiting; // flags of the stage in flight not yet read back
    QString m_lastReport;
};

} // namespace Raize::Release
