#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "release/effectiveness.h"
#include "rollback/rollbackplan.h"
#include "rollback/runjournal.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrl>

namespace Raize::Net {
class HttpClient;
}
namespace Raize::Records {
class AuditSink;
}
namespace Raize::Release {
class EffectiveConfirmer;
class ServingProbe;
} // namespace Raize::Release
namespace Raize::Services {
class FlagService;
class VercelClient;
class GitHubClient;
struct GitHubIssue;
class PrometheusClient;
class RollingReleaseClient;
} // namespace Raize::Services

namespace Raize::Rollback {

// What the executor talks to. Every pointer must outlive the executor.
struct Clients
{
    // Sends the flag steps and reads them back (its own backend's calls only;
    // Unleash also reads its client API when given the client token).
    Services::FlagService *flags = nullptr;
    Services::VercelClient *vercel = nullptr;
    Services::GitHubClient *github = nullptr;
    Services::PrometheusClient *prometheus = nullptr;
    Records::AuditSink *audit = nullptr; // optional
    // The production domain's probe (ADR 0027); null: no probe URL, or a service-scoped rollback of another
    // project (whose domain is not the probe's). Confirming production then rests on Vercel's answers and says so.
    Release::ServingProbe *probe = nullptr;
    // The project's rolling releases: a canary abort's confirm-production step reads it back and is effective
    // only once Vercel says ABORTED. Null: such a step fails, saying the abort cannot be confirmed.
    Services::RollingReleaseClient *rollingRelease = nullptr;
    // The policy's `effective` rules: how long an accepted Instant Rollback may take to serve, how many samples.
    Release::EffectiveRules effective;
    QString actor = QStringLiteral("console");
    QString journalDirectory; // docs/journal-style folder for the closing entry; empty: say so and skip
};

struct ExecOptions
{
    int confirmTimeoutMs = 30000;   // flags off where clients read them; production serves the target
    int pollMs = 250;
    int queueDrainTimeoutMs = 120000;
    int verificationTimeoutMs = 120000; // the check's 30 s window must fill with post-rollback traffic
    // Stands other consoles' in-flight markers down (their run is known to be dead).
    bool takeOver = false;
    double verificationObjective = 0.98;
    QString markerEnvironment = QStringLiteral("production-rollback");
    QString markerRef = QStringLiteral("main");
    // The operator's answer for an incident whose filing was interrupted:
    // an issue number that exists, or "new" to file it.
    QString incidentAnswer;
    // Decides "not confirmed within N s" for the waits (flags off, production
    // serves the target, queues drain, checks verify); nullptr: Clock::system().
    // Not owned. Tests move a ManualClock.
    const Clock *clock = nullptr;
    // Tests: the pause between effectiveness rounds in place of the policy's pollSeconds (-1: the policy's).
    int effectivePollMs = -1;
};

// Runs a rollback plan (playbook §7) step by step, group by group (the steps
// of a group in parallel), writing each step ahead to the journal and
// marking it done after. Resumes from the journal: a step found in flight is
// re-checked against the remote state before anything is sent again, and a
// non-idempotent step that cannot be re-checked (the incident issue) waits
// for the operator. A GitHub deployment in `markerEnvironment` is the marker
// every console sees; of two consoles on one rollback, the one whose marker
// GitHub numbered first executes and the other stands down.
class Executor : public QObject
{
    Q_OBJECT

public:
    enum class StepStatus { Pending, Running, Done, Failed, Skipped };

    Executor(RunJournal journal, Plan plan, Clients clients, ExecOptions options, QObject *parent = nullptr);
    ~Executor() override;

    const Plan &plan() const { return m_plan; }
    const RunJournal &journal() const { return m_journal; }
    QString runId() const { return m_journal.runId(); }

    // Claims the marker (or finds its own), then runs from the first step that is not done.
    void start();
    // After stepFailed: run the failed step(s) again, skip them with a reason, or stop.
    void retry();
    void skip(const QString &reason);
    void abort(const QString &reason);
    // The operator's answer for an interrupted incident filing: an existing issue number, or "new".
    void setIncidentAnswer(const QString &answer) { m_o.incidentAnswer = answer; }

    StepStatus status(int step) const { return m_status.value(step, StepStatus::Pending); }
    QString detail(int step) const { return m_detail.value(step); }
    bool running() const { return m_running; }
    bool waitingForDecision() const { return m_failedGroup >= 0; }
    Error lastError() const { return m_lastError; }
    int failedStep() const { return m_failedStep; }
    // Milliseconds from start() to the flags being off where clients read them; -1 until then.
    qint64 flagsOffMs() const { return m_flagsOffMs; }
    // The flag service's own propagation delay: last disable answered → client API shows all off.
    qint64 propagationMs() const { return m_propagationMs; }
    QString incidentUrl() const { return m_incidentUrl; }
    QString postmortemUrl() const { return m_postmortemUrl; }
    qint64 markerId() const { return m_markerId; }
    // The Instant Rollback's accepted and effective times with the evidence (ADR 0027), once the
    // confirm-production step has ended (effective or not); nullopt before.
    const std::optional<Release::EffectiveReport> &effective() const { return m_effective; }
    // Audit records this run could not write (playbook §0.3: the rollback runs anyway). Each is in the run's
    // journal ("audit-failed") and the incident names them; auditFailed() tells the window to show a banner.
    const QStringList &auditFailures() const { return m_auditFailures; }
    // Record steps (milestone comments) that failed while the run went on (§0.3): "title: error", in step order.
    QStringList recordFailures() const;

    static QString statusName(StepStatus s);

Q_SIGNALS:
    void stepChanged(int step);
    void stepFailed(int step, const Raize::Error &error);
    // Another console holds the marker: nothing was executed.
    void refused(const Raize::Error &error);
    void finished(bool completed);
    // An audit record could not be written; the run goes on (its journal and the incident hold what happened).
    void auditFailed(const Raize::Error &error);

private:
    using Done = std::function<void(const Result<nlohmann::json> &)>;

    void claimMarker();
    void decideMarker(qint64 mine);
    void runFrom(int group);
    void runGroup(int group);
    void runStep(int step, Done done);
    void stepFinished(int group, int step, const Result<nlohmann::json> &result);
    void finish();
    // Stands down markers of this run other than the one it holds, then calls `then`.
    void standDownLateDuplicates(std::function<void()> then);
    // then() runs once GitHub answered (or at once without a marker): a process may exit right after.
    void setMarkerStatus(const QString &state, const QString &description, const QString &logUrl = {}, std::function<void()> then = {});

    void disableFlag(int step, const Step &s, Done done);
    void confirmFlagsOff(const Step &s, Done done);
    void instantRollback(const Step &s, bool resumed, Done done);
    // Effective, not just accepted (ADR 0027): the target serves the production domain, by the project, its
    // alias job, the domain's alias and the probe, within the policy's deadline after the Instant Rollback's acceptance.
    void confirmProduction(int step, const Step &s, Done done);
    // When Vercel accepted the plan's Instant Rollback to `target` (from this run's journal; 0: not recorded).
    qint64 acceptedAtMs(const QString &target) const;
    void postCheck(const Step &s, Done done);
    void openIncident(const Step &s, bool resumed, Done done);
    void openPostmortem(const Step &s, bool resumed, Done done);
    // A milestone comment on the run's incident (issue #19, item 6), its text from the journal's
    // measured times. Resumed, it asks GitHub for the issue's comments first: one that carries the
    // run and the milestone (milestoneMark) was posted before the interruption.
    void incidentMilestone(const Step &s, bool resumed, Done done);
    QString milestoneText(const MilestoneIntent &m) const;
    QString milestoneMark(const MilestoneIntent &m) const;
    // A record step that failed on the way (the incident) waits for the operator once the rollback's own
    // steps are done: before the postmortem's group (which names it), or at the end. True when it now waits.
    bool holdDeferredFailure(int beforeGroup);
    // After an interruption: the issue with `label` this run filed, asked of GitHub (its body
    // names the run), or nullopt when GitHub lists none; an error when it cannot be asked.
    using FoundIssue = std::function<void(const Result<std::optional<Services::GitHubIssue>> &)>;
    void findFiledIssue(const QString &label, FoundIssue then);
    void journalEntry(Done done);
    // Calls `attempt` every pollMs until it answers a value or the deadline passes.
    void poll(int timeoutMs, std::function<void(std::function<void(std::optional<Result<nlohmann::json>>)>)> attempt, Done done);

    // `requestId` empty: the log gives the record the console's own id ("console:<uuid>").
    void audit(const QString &action, const QString &target, const QString &service, const nlohmann::json &after,
               const QString &reason = {}, const nlohmann::json &before = {}, const QString &requestId = {});
    QString incidentBody() const;
    // The postmortem issue's text: resources/templates/postmortem.md filled from the run.
    Result<QString> postmortemBody() const;
    QString timelineLines() const;
    QString describeRun() const;

    RunJournal m_journal;
    Plan m_plan;
    Clients m_c;
    ExecOptions m_o;
    QHash<int, StepStatus> m_status;
    QHash<int, QString> m_detail;
    QSet<int> m_unclear; // steps an earlier attempt may have applied: a failure now does not settle them
    QList<int> m_groups;
    int m_pendingInGroup = 0;
    int m_failedGroup = -1;
    int m_failedStep = -1;
    Error m_lastError;
    bool m_running = false;
    bool m_aborted = false;
    qint64 m_markerId = 0;
    QSet<qint64> m_stoodDown; // this run's duplicate markers already stood down
    QElapsedTimer m_clock;
    qint64 m_flagsOffMs = -1;
    qint64 m_propagationMs = -1;
    qint64 m_lastDisableAtMs = -1;
    QString m_incidentUrl;
    QString m_postmortemUrl;
    bool m_incidentLookedUp = false;   // GitHub asked once per resume for the run's incident
    bool m_postmortemLookedUp = false; // and for its postmortem
    std::unique_ptr<Release::EffectiveConfirmer> m_confirmer;
    std::optional<Release::EffectiveReport> m_effective;
    QStringList m_auditFailures;
    QHash<int, Error> m_recordErrors; // record steps that failed without stopping the run (the incident, milestones)
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace Raize::Rollback
