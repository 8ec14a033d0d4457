#pragma once

#include "core/error.h"
#include "core/identity.h"
#include "core/result.h"
#include "core/settings.h"
#include "policy/policybundle.h"
#include "release/cohortoverride.h"
#include "release/gatepolicy.h"
#include "slo/slospec.h"
#include "workspace/arming.h"
#include "workspace/effectivepolicy.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Raize {
class CanarySession;
class ServiceMonitor;
class TokenStore;
namespace Net {
class HttpClient;
}
namespace Services {
class FlagEventLog;
class FlagService;
class GitHubClient;
class PrometheusClient;
class VercelClient;
class RollingReleaseClient;
class AuditHeadPublisher;
struct ConnectionReport;
struct ConnectionTarget;
} // namespace Services
namespace Release {
class EnvironmentPoller;
class FlagPoller;
class ServingProbe;
} // namespace Release
namespace Slo {
class SloFeed;
}
namespace Records {
class AuditLog;
class AuditSink;
}
} // namespace Raize

namespace Raize {

// The service clients built from one reading of the profile's settings. A
// caller that must keep its clients across a reopen (a rollback in progress
// while the operator saves new settings) holds this by shared_ptr; every
// client of every generation sends through the workspace's one HttpClient.
struct WorkspaceClients
{
    WorkspaceClients();
    ~WorkspaceClients();
    WorkspaceClients(const WorkspaceClients &) = delete;
    WorkspaceClients &operator=(const WorkspaceClients &) = delete;

    std::unique_ptr<Services::VercelClient> vercel;         // null: Vercel URL or project not set
    // The web project's Rolling Releases (issue #20, ADR 0029); null exactly when vercel is.
    std::unique_ptr<Services::RollingReleaseClient> rollingRelease;
    std::unique_ptr<Services::GitHubClient> github;         // null: GitHub URL, owner or repository not set
    std::unique_ptr<Services::FlagService> flags;           // null: see flagsError
    std::unique_ptr<Services::PrometheusClient> prometheus; // null: Prometheus URL not set
    // The production domain's probe (ADR 0027): which deployment serves it. Null: vercel/productionProbeUrl
    // not set (a change is then confirmed from Vercel's answers alone, and says it was not probed).
    std::unique_ptr<Release::ServingProbe> servingProbe;
    std::optional<Error> flagsError;                        // why flags is null although a URL is set
    // The flag service's event log (the timeline's flag changes, whoever made
    // them); null when flags is. flagsKind: "unleash" or "launchdarkly".
    std::unique_ptr<Services::FlagEventLog> flagEvents;
    QString flagsKind;
    // The other services' Vercel projects (vercel/serviceProjects: runner,
    // tools), each in its timeline lane; `vercel` is web's project.
    std::vector<std::pair<QString, std::unique_ptr<Services::VercelClient>>> serviceVercel;
    std::optional<Error> serviceProjectsError; // the setting does not parse
    QString flagEnvironment;
    QString githubHtml; // the repository's web address, for evidence links
};

// One per profile (issue #14, ADR 0014): the profile's connections, built
// once from the settings and the token store, with no widget in sight. It
// owns the process' one Net::HttpClient (wired to the service monitor, so
// GitHub's serial queue, the ETag caches and the budgets are shared by every
// caller), the service clients (one flag-backend factory:
// Services::makeFlagService), the environment and flag pollers, the SLO
// feeds, the audit sink with its actor, and the profile's policy. The console
// window (LiveData), the settings dialog's connection check, the rollback
// session and every subcommand that talks to a service use it.
class Workspace : public QObject
{
    Q_OBJECT

public:
    enum class TokenSource {
        Keychain,         // the profile's keychain entries
        EnvironmentFirst, // $RAIZE_<SERVICE>_TOKEN when set (CI has no keyring), else the keychain
    };

    // The window's workspace: settings, token store and monitor outlive it
    // (without a monitor it keeps its own). Nothing is read or sent until open().
    Workspace(Settings &settings, TokenStore &tokens, ServiceMonitor *monitor = nullptr, QObject *parent = nullptr);
    // A subcommand's workspace: owns the profile's settings and token store.
    // Nothing is read until openSync() (a subcommand that needs no service,
    // `cohorts list`, reads only the policy and never touches the keychain).
    static std::unique_ptr<Workspace> forProfile(const QString &profile, const QString &keychainService);
    ~Workspace() override;

    Settings &settings() const { return m_settings; }
    TokenStore &tokens() const { return m_tokens; }
    ServiceMonitor &monitor() const { return *m_monitor; }
    QString profile() const;

    // (Re)reads the tokens from the keychain (asynchronously) and rebuilds the
    // clients, pollers and feeds from the settings; emits ready() when done.
    // aboutToReopen() comes first: pointers taken from this object until then
    // are invalid afterwards (a holder of clients() keeps its generation).
    void open();
    // The same, blocking in a local event loop (the CLI, the rollback dialog).
    void openSync(TokenSource source = TokenSource::Keychain);
    // Builds from tokens already read (tests, and open()/openSync() themselves).
    void openWithTokens(const QHash<Service, QString> &tokens, const QHash<Service, Error> &tokenErrors = {});
    bool isReady() const { return m_ready; }
    bool isOpening() const { return m_opening; }
    // Returns at once when ready; waits for an open() under way; else openSync().
    void waitUntilReady();

    bool hasToken(Service service) const { return m_tokenServices.contains(service); }
    // Why a token could not be read (none stored, keychain error); nullopt when it was read.
    std::optional<Error> tokenError(Service service) const;

    // The one HTTP client of the process. Lives as long as the workspace.
    Net::HttpClient &http() const { return *m_http; }
    // The current generation of clients (null before the first ready()).
    std::shared_ptr<const WorkspaceClients> clients() const { return m_clients; }
    Services::VercelClient *vercel() const;
    Services::GitHubClient *github() const;
    Services::FlagService *flags() const;
    Services::PrometheusClient *prometheus() const;

    // Built with the clients, started by whoever shows them (the CLI never does).
    Release::EnvironmentPoller *environmentPoller() const { return m_environmentPoller.get(); }
    Release::FlagPoller *flagPoller() const { return m_flagPoller.get(); }
    // The SLO counters: the recent days at 1-minute steps and 30 days at 10 minutes.
    Slo::SloFeed *sloRecent() const { return m_sloRecent.get(); }
    Slo::SloFeed *sloHistory() const { return m_sloHistory.get(); }

    // The profile's audit log and who writes to it. The actor is the login the
    // profile's GitHub token belongs to (GET /user), asked once per open;
    // "unknown" until GitHub answers, or when it cannot (identityError() says
    // why) — never a guess such as $USER.
    Records::AuditSink &audit() const;
    // The log's file: audit/logPath, read again at every open (a changed path carries the chain on: SettingsAudit).
    QString auditLogPath() const { return m_auditPath; }
    // Publishes the log's queued chain heads on the repository's audit issue (ADR 0031); null without GitHub.
    // Built with each generation of clients; whoever runs it decides when (never in the middle of a rollback).
    Services::AuditHeadPublisher *auditPublisher() const { return m_auditPublisher.get(); }
    // A publisher for another log file (`audit publish FILE`), on the audit issue the policy names (the bundle's
    // audit.issue {number, title}; default: found by AuditHeadPublisher::defaultIssueTitle()). Null without GitHub.
    std::unique_ptr<Services::AuditHeadPublisher> makeAuditPublisher(const QString &logPath) const;
    QString actor() const { return m_actor; }
    bool identityKnown() const { return m_actor != unknownActor(); }
    // The same as a value the views and subcommands take: the login, or unknown with identityError()'s text.
    Identity identity() const;
    // Asks GitHub who the profile's token belongs to (GET /user, IdentityWaitMs per attempt); identityChanged()
    // follows. openSync() asks and waits at most IdentityWaitMs; the window asks once it is ready.
    void resolveIdentity();
    std::optional<Error> identityError() const { return m_identityError; }
    static QString unknownActor();
    // How long openSync() waits for GitHub to name the token's user before it goes on with "unknown".
    static constexpr int IdentityWaitMs = 3000;

    // The profile's effective policy (ADR 0017): the built-in bundle, the
    // tenant's bundle and the profile's cohort override, parsed once; every
    // consumer reads it here. Loaded at the first read, again by reloadPolicy();
    // never fails: a refused bundle makes the profile read-only.
    const EffectivePolicy &policy() const;
    bool readOnly() const { return policy().readOnly(); }
    // Re-reads the profile's bundle and cohort override (the settings changed).
    void reloadPolicy();
    // The console's cohort editor lays what it saved over it (EffectivePolicy::withCohorts).
    EffectivePolicy &editablePolicy();
    // The effective document.
    const Policy::Bundle &policyBundle() const;
    // The promotion gates: `bundleFile` (a subcommand's --policy) laid over the
    // built-in playbook, else the profile's effective policy; never half-applied,
    // an error when the bundle is refused (the profile is read-only).
    Result<Release::GatePolicy> gatePolicy(const QString &bundleFile = {}) const;
    // The canary cohorts: the profile's override, else the effective policy's.
    Result<Release::EffectiveCohorts> cohorts() const;
    QList<Slo::SloSpec> slos() const;

    // The setting vercel/serviceProjects: "runner=prj_runner, tools=prj_tools"
    // (service=project pairs, comma separated; web is vercel/projectId). A
    // malformed or repeated pair is a Config error that says which. The one
    // parser of that setting: the timeline's lanes and a service-scoped
    // rollback's Vercel project (Rollback::Session::scopeToService) use it.
    static Result<QList<QPair<QString, QString>>> parseServiceProjects(const QString &text);

    // Read-only until armed (issue #21 item 3, ADR 0028). A profile whose
    // sandbox marker (profile/sandbox) is off opens read-only: every use case
    // that changes something asks writeGuard() first (Promotion, the flag
    // change runner, auto-pacing, cohort saves), so the console and every
    // subcommand obey it alike; the rollback and the kill switch do not ask.
    Arming &arming() const { return *m_arming; }
    WriteGuard &writeGuard() const { return *m_arming; }
    bool sandbox() const { return m_arming->sandbox(); }
    bool armed() const { return m_arming->armed(); }
    bool writable() const { return m_arming->writable(); }
    QDateTime armedUntil() const { return m_arming->armedUntil(); }
    // Arms for the policy's arming.windowMinutes (refused with the policy's
    // reason when the bundle is refused: a read-only policy stays read-only).
    // `actor` empty: actor(), the token's user. `scope`: "console", or the
    // subcommand a CLI's --arm arms for.
    Status arm(const QString &reason, const QString &actor = {}, const QString &scope = QStringLiteral("console"));
    Status disarm(const QString &actor = {});
    // Ok when `action` may start now; else why not and how to arm (WriteGuard).
    Status mayChange(const QString &action) { return m_arming->mayChange(action); }
    // The arming's clock (tests move a ManualClock). Not owned.
    void setClock(const Clock &clock) { m_arming->setClock(clock); }
    // Sets the sandbox marker with an audit record ("settings.change",
    // target profile/sandbox, before and after); nothing is written when the
    // record is refused. `actor` empty: actor().
    Status setSandboxMarker(bool sandbox, const QString &actor = {});

    // The profile's two-axis canary (issue #20, ADR 0033): one CanaryRun on this workspace's clients and
    // policy, started from the console or `raize-console canary`, resumed from Vercel's active rolling
    // release, recorded in the audit log; polled by whoever shows it (CanarySession::setPollInterval).
    CanarySession &canary() const { return *m_canary; }

    // Settings → Test connection: the values as typed, on a probe client of
    // this workspace that never takes a retry and never touches the shared
    // client's tokens (an unsaved token must not reach live traffic).
    void checkConnection(const Services::ConnectionTarget &target, int timeoutMs,
                         std::function<void(const Services::ConnectionReport &)> done);

Q_SIGNALS:
    void aboutToReopen();
    void ready();
    void identityChanged(); // actor() or identityError() changed

private:
    Workspace(std::unique_ptr<Settings> settings, std::unique_ptr<TokenStore> tokens);
    void readTokens(TokenSource source, bool synchronous);
    void closeClients();
    static ServiceMonitor *monitorOrOwn(ServiceMonitor *given, std::unique_ptr<ServiceMonitor> &own);

    std::unique_ptr<Settings> m_ownSettings;
    std::unique_ptr<TokenStore> m_ownTokens;
    std::unique_ptr<ServiceMonitor> m_ownMonitor;
    Settings &m_settings;
    TokenStore &m_tokens;
    ServiceMonitor *m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Net::HttpClient> m_probe;
    std::shared_ptr<WorkspaceClients> m_clients;
    std::vector<std::shared_ptr<WorkspaceClients>> m_retired;
    std::unique_ptr<Release::EnvironmentPoller> m_environmentPoller;
    std::unique_ptr<Release::FlagPoller> m_flagPoller;
    std::unique_ptr<Slo::SloFeed> m_sloRecent;
    std::unique_ptr<Slo::SloFeed> m_sloHistory;
    std::unique_ptr<Records::AuditLog> m_audit;
    std::unique_ptr<Arming> m_arming;
    QString m_auditPath;
    QString m_actor;
    std::optional<Error> m_identityError;
    bool m_identityPending = false;
    mutable std::optional<EffectivePolicy> m_policy;
    QSet<Service> m_tokenServices;
    QHash<Service, Error> m_tokenErrors;
    int m_generation = 0;
    bool m_ready = false;
    bool m_opening = false;
    // Last: it holds a reference to a generation's GitHub client and goes before the clients.
    std::unique_ptr<Services::AuditHeadPublisher> m_auditPublisher;
    // Holds its run's generation of clients; goes first.
    std::unique_ptr<CanarySession> m_canary;
};

} // namespace Raize
