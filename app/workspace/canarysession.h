#pragma once

// The profile's two-axis canary (issue #20; ADR 0029, ADR 0033): the one
// CanaryRun of a workspace, on the workspace's clients (ClientCanaryServices:
// the rolling release, Prometheus, the flag cohorts) and its effective
// policy. The console's SLOs view and `raize-console canary` drive the same
// session.
//
// - Axes: the deployment axis only where the policy turns it on, has stages
//   for the release's level and Vercel's billing says yes (chooseAxes);
//   otherwise the canary is flag-only and the session says why.
// - Never twice: start() reads Vercel's rolling release first; an active one
//   of the same canary is resumed, another canary's is refused. resume()
//   picks up an active rolling release (the console's start, a CLI run, a
//   restart), with the level and flags its canary.start record named.
// - Recorded: an intent record before every change (rollout.canary.start,
//   rollout.canary.advance, rollout.canary.arm; actor from the token,
//   stage before and after), refused when the log refuses it; and one
//   canary.stage record per stage reached (start, each approved stage, the
//   completion, an abort seen), which the timeline shows as a CanaryStage
//   change in the web lane (Release::Change::fromAudit).
// - Paged: a hold at the policy's page burn rate is an alert in the
//   AlertCenter (source "canary"), cleared when the stage no longer pages.

#include "core/clock.h"
#include "core/error.h"
#include "core/result.h"
#include "release/canaryplan.h"
#include "rollback/canaryabort.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Raize {

class Workspace;
struct WorkspaceClients;
namespace Records {
struct AuditRecord;
}
namespace Release {
class AlertCenter;
class CanaryRun;
class CanaryServices;
struct Alert;
} // namespace Release

// What a canary is of: the deployment, the release's level and its flags.
struct CanaryTarget
{
    QString canaryDeployment;
    QString level = QStringLiteral("L3");
    QStringList flags;
    bool operator==(const CanaryTarget &) const = default;
};

class CanarySession : public QObject
{
    Q_OBJECT

public:
    explicit CanarySession(Workspace &workspace, QObject *parent = nullptr);
    ~CanarySession() override;

    // Which axes a release of `level` runs on: the policy, then Vercel's billing (asked once per call).
    void chooseAxes(const QString &level, std::function<void(const Release::AxisChoice &)> done);
    // The last choice (nullopt: not asked yet).
    const std::optional<Release::AxisChoice> &axisChoice() const { return m_choice; }
    // The effective policy's deployment axis (its stage plans by level).
    Release::DeploymentAxisPolicy deploymentAxis() const;

    // Starts the canary of `target` (refused without two axes, while not writable, while the identity is
    // unknown, or while another canary's rolling release is active; resumed when it is this canary's).
    // `done` gets the outcome of the start itself (the rolling release at stage 1 and its cohorts served).
    void start(const CanaryTarget &target, const QString &reason, std::function<void(const Status &)> done = {});
    // Reads Vercel's rolling release: an active one becomes this session's run (nothing is sent).
    // `done` gets ok with or without one (run() says which), an error when it could not be read.
    void resume(std::function<void(const Status &)> done = {});
    // One round of the run (read, count, judge); nothing without a run.
    void poll();
    // Polls every `ms` (the console: the workspace's SLO poll cadence); 0 stops.
    void setPollInterval(int ms);
    int pollInterval() const { return m_timer.isActive() ? m_timer.interval() : 0; }
    // The operator's advance to `nextStage` (0-based), after the typed confirmation: refused (nothing
    // recorded, nothing sent) unless the run may advance now; then recorded, then sent (updated/advanced
    // or failed follow).
    Status advance(int nextStage, const QString &reason = {});
    // Automatic advance (the policy's autoAdvance), armed like auto-pacing; recorded.
    Status setArmed(bool armed, const QString &reason = {});

    Release::CanaryRun *run() const { return m_run.get(); }
    // The last start() found this canary's rolling release already active and resumed it (nothing sent).
    bool startResumed() const { return m_startResumed; }
    const CanaryTarget &target() const { return m_target; }
    // The abort of the active canary as the rollback's plan inputs: the release's flags off where the stage
    // serves them, all traffic back to the current deployment. Error without an active rolling release.
    Result<Rollback::CanaryAbortInputs> abortInputs(const QString &reason) const;

    void setAlertCenter(Release::AlertCenter *alerts) { m_alerts = alerts; }
    // The run's clock (tests move a ManualClock). Not owned; set before start()/resume().
    void setClock(const Clock &clock) { m_clock = &clock; }
    // A test seam: the run's services (in-process fakes). Not owned. Null: the workspace's clients.
    void setServices(Release::CanaryServices *services) { m_testServices = services; }

    // The record of a stage reached (action canary.stage, target the canary deployment; after: stage,
    // stages, trafficPercent, cohorts, flags, state, service "web", environment "Production").
    static Records::AuditRecord stageRecord(const CanaryTarget &target, const QList<Release::CanaryStage> &plan, int stage,
                                            const QString &state, const QString &currentDeployment);
    // The page alert of a held stage (id "canary:<deployment>").
    static Release::Alert pageAlert(const CanaryTarget &target, double canaryPercent, const Release::StageVerdict &verdict);

Q_SIGNALS:
    void runChanged(); // a run began (start, resume) or was dropped
    void updated();    // the run polled or moved (forwarded), or the axes were chosen
    void failed(const Raize::Error &error);

private:
    Status record(Records::AuditRecord &r);
    Status mayChange(const QString &action) const;
    void makeRun(const CanaryTarget &target);
    void dropRun();
    void runUpdated();
    void stageReached(int stage);
    CanaryTarget targetFromLog(const QString &canary) const;

    Workspace &m_ws;
    const Clock *m_clock = nullptr;
    Release::AlertCenter *m_alerts = nullptr;
    Release::CanaryServices *m_testServices = nullptr;
    std::optional<Release::AxisChoice> m_choice;
    CanaryTarget m_target;
    QString m_activeCanary; // what the last read of Vercel found active (empty: none)
    // The generation of clients the run's services use (a reopen does not pull them from under it).
    // Destroyed in reverse: the run, then its services, then their clients; a replaced run is retired, not
    // deleted (a reply under way may still call it back).
    std::vector<std::shared_ptr<const WorkspaceClients>> m_retiredClients;
    std::shared_ptr<const WorkspaceClients> m_clients;
    std::vector<std::unique_ptr<Release::CanaryServices>> m_retiredServices;
    std::unique_ptr<Release::CanaryServices> m_services;
    std::vector<std::unique_ptr<Release::CanaryRun>> m_retiredRuns;
    std::unique_ptr<Release::CanaryRun> m_run;
    bool m_wasActive = false;
    bool m_startResumed = false;
    int m_recordedStage = -1;
    QTimer m_timer;
};

} // namespace Raize
