#include "rollback/rollbacksession.h"

#include "net/httpclient.h"
#include "rollback/runjournal.h"
#include "services/flags/unleashclient.h"
#include "services/vercel/vercelclient.h"
#include "workspace/workspace.h"

using namespace Qt::StringLiterals;

namespace Raize::Rollback {

Result<std::unique_ptr<Session>> Session::open(const QString &profile, const QString &keychainService)
{
    std::unique_ptr<Workspace> ws = Workspace::forProfile(profile, keychainService);
    ws->openSync();
    Workspace &ref = *ws;
    Result<std::unique_ptr<Session>> s = fromWorkspace(ref);
    if (!s)
        return s.error();
    s.value()->m_owned = std::move(ws);
    return s;
}

Result<std::unique_ptr<Session>> Session::fromWorkspace(Workspace &workspace)
{
    workspace.waitUntilReady();
    for (Service s : {Service::Vercel, Service::Flags}) {
        if (!workspace.hasToken(s)) {
            const std::optional<Error> why = workspace.tokenError(s);
            if (why && why->kind != Error::Kind::Auth)
                return *why; // the keychain could not be read
            return Error::make(Error::Kind::Auth, serviceId(s), u"no %1 token stored"_s.arg(serviceDisplayName(s)),
                               u"Store one with `raize-console token set %1 --stdin` (or in Settings)."_s.arg(serviceId(s)));
        }
    }
    const auto clients = workspace.clients();
    if (!clients->vercel)
        return Error::make(Error::Kind::Config, u"vercel"_s, u"Vercel is not configured for profile %1"_s.arg(workspace.profile()),
                           u"Set vercel/baseUrl and vercel/projectId (Settings, or `raize-console settings set`)."_s);
    if (!clients->flags)
        return clients->flagsError ? *clients->flagsError
                                   : Error::make(Error::Kind::Config, u"flags"_s, u"the flag service is not configured for profile %1"_s.arg(workspace.profile()),
                                                 u"Set flags/url (Settings, or `raize-console settings set flags/url URL`)."_s);
    return std::unique_ptr<Session>(new Session(workspace, nullptr));
}

Session::Session(Workspace &workspace, std::unique_ptr<Workspace> owned)
    : m_owned(std::move(owned))
    , m_workspace(workspace)
    , m_generation(workspace.clients())
    , m_profile(workspace.profile())
{
    const Settings &settings = workspace.settings();
    // Up to 48 flag calls in flight at once (the kill switch's fan-out); GitHub stays serial.
    workspace.http().setParallelConnections(48);
    m_target.flagProject = settings.string(SettingKey::FlagsProject);
    m_target.flagEnvironment = settings.string(SettingKey::FlagsEnvironment);
    m_target.vercelProjectId = settings.string(SettingKey::VercelProjectId);
    m_target.githubOwner = settings.string(SettingKey::GitHubOwner);
    m_target.githubRepo = settings.string(SettingKey::GitHubRepo);
    // The workspace's effective policy (ADR 0017): the side-effect list, the rollback rules and the cohorts.
    m_target.policy = workspace.policy().rollback();
    m_target.cohorts = workspace.policy().cohorts();
    // Where migrations live and how they are marked: Option B's check reads them from GitHub (issue #16, item 7).
    m_target.migrations = workspace.policy().migrations();

    m_clients.flags = m_generation->flags.get();
    // The read-back also asks what SDKs are served (§7.2), with the client token, on the same HTTP client.
    if (auto *unleash = dynamic_cast<Services::UnleashClient *>(m_generation->flags.get()); unleash && workspace.hasToken(Service::FlagsClient))
        unleash->setClientApi(&workspace.http());
    m_clients.vercel = m_generation->vercel.get();
    // Without a GitHub token the marker and the incident are reported as not possible (as before).
    m_clients.github = workspace.hasToken(Service::GitHub) ? m_generation->github.get() : nullptr;
    m_clients.prometheus = m_generation->prometheus.get();
    m_clients.audit = &workspace.audit();
    m_clients.actor = workspace.actor();
    m_clients.probe = m_generation->servingProbe.get();
    m_clients.rollingRelease = m_generation->rollingRelease.get(); // a canary abort confirms ABORTED from it
    m_clients.effective = workspace.policy().effective();
    m_journalDir = RunJournal::defaultDirectory(m_profile);
    // The profile's operations journal (YYYY-MM-DD.md, append-only); the CLI's --journal-dir points it at docs/journal.
    m_clients.journalDirectory = Settings::dataDirectory() + u'/' + m_profile + u"/journal"_s;
}

Session::~Session() = default;

Status Session::scopeToService(const QString &service)
{
    const Settings &settings = m_workspace.settings();
    if (service.isEmpty()) { // back to the profile's own project
        m_clients.vercel = m_generation->vercel.get();
        m_clients.probe = m_generation->servingProbe.get();
        m_clients.rollingRelease = m_generation->rollingRelease.get();
        m_target.vercelProjectId = settings.string(SettingKey::VercelProjectId);
        m_serviceVercel.reset();
        return okStatus();
    }
    // One parser for the setting: the timeline's lanes read it the same way.
    const Result<QList<QPair<QString, QString>>> services = Workspace::parseServiceProjects(settings.string(SettingKey::VercelServiceProjects));
    if (!services)
        return services.error();
    QString project;
    for (const auto &[name, serviceProject] : *services) {
        if (name == service)
            project = serviceProject;
    }
    if (project.isEmpty())
        return Error::make(Error::Kind::Config, u"console"_s, u"service %1 has no Vercel project: a service scope rolls back that project only"_s.arg(service),
                           u"Map it with `raize-console settings set vercel/serviceProjects %1=PROJECT,…` (Settings), or use another scope."_s.arg(service));
    if (project == settings.string(SettingKey::VercelProjectId))
        return scopeToService({}); // the profile's own project
    m_serviceVercel = std::make_unique<Services::VercelClient>(m_workspace.http(), QUrl(settings.string(SettingKey::VercelBaseUrl)), project,
                                                               settings.string(SettingKey::VercelTeamId));
    m_clients.vercel = m_serviceVercel.get();
    m_clients.probe = nullptr; // the probe URL is web's production domain, not this project's
    m_clients.rollingRelease = nullptr; // the canary's rolling release is web's project's, not this one's
    m_target.vercelProjectId = project;
    return okStatus();
}

void Session::setPolicy(const RollbackRules &rules, const QList<Release::Cohort> &cohorts)
{
    m_target.policy = rules;
    m_target.cohorts = cohorts;
}

} // namespace Raize::Rollback
