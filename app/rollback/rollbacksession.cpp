#include "rollback/rollbacksession.h"

#include "core/tokenstore.h"
#include "net/httpclient.h"
#include "records/auditlog.h"
#include "rollback/runjournal.h"
#include "services/flags/unleashclient.h"
#include "services/github/githubclient.h"
#include "services/launchdarkly/launchdarklyclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

using namespace Qt::StringLiterals;

namespace Raize::Rollback {

Result<std::unique_ptr<Session>> Session::open(const QString &profile, const QString &keychainService)
{
    Settings settings(profile);
    TokenStore store(profile, keychainService);
    QHash<Service, QString> tokens;
    for (Service s : tokenServices()) {
        const Result<QString> t = store.readSync(s);
        if (t && !t->isEmpty())
            tokens.insert(s, t.value());
        else if (s == Service::Vercel || s == Service::Flags)
            return t ? Error::make(Error::Kind::Auth, serviceId(s), u"no %1 token stored"_s.arg(serviceDisplayName(s)),
                                   u"Store one with `raize-console token set %1 --stdin`."_s.arg(serviceId(s)))
                     : t.error();
    }
    return std::make_unique<Session>(settings, tokens, profile);
}

Session::Session(const Settings &settings, const QHash<Service, QString> &tokens, const QString &profile)
    : m_profile(profile)
    , m_http(std::make_unique<Net::HttpClient>())
{
    const int timeout = settings.integer(SettingKey::NetTimeoutMs);
    m_http->setDefaultTimeout(timeout);
    m_http->setParallelConnections(48);
    for (auto it = tokens.cbegin(); it != tokens.cend(); ++it) {
        if (it.key() != Service::FlagsClient)
            m_http->setToken(it.key(), it.value());
    }
    m_target.flagProject = settings.string(SettingKey::FlagsProject);
    m_target.flagEnvironment = settings.string(SettingKey::FlagsEnvironment);
    m_target.vercelProjectId = settings.string(SettingKey::VercelProjectId);
    m_target.githubOwner = settings.string(SettingKey::GitHubOwner);
    m_target.githubRepo = settings.string(SettingKey::GitHubRepo);

    const QUrl flagsUrl(settings.string(SettingKey::FlagsUrl));
    if (settings.string(SettingKey::FlagsKind) == u"launchdarkly"_s)
        m_flags = std::make_unique<Services::LaunchDarklyClient>(*m_http, flagsUrl, m_target.flagProject, m_target.flagEnvironment);
    else
        m_flags = std::make_unique<Services::UnleashClient>(*m_http, flagsUrl, m_target.flagProject, m_target.flagEnvironment);
    if (tokens.contains(Service::FlagsClient)) {
        m_clientHttp = std::make_unique<Net::HttpClient>();
        m_clientHttp->setDefaultTimeout(timeout);
        m_clientHttp->setToken(Service::FlagsClient, tokens.value(Service::FlagsClient));
    }
    m_vercel = std::make_unique<Services::VercelClient>(*m_http, QUrl(settings.string(SettingKey::VercelBaseUrl)), m_target.vercelProjectId,
                                                        settings.string(SettingKey::VercelTeamId));
    if (!m_target.githubOwner.isEmpty() && tokens.contains(Service::GitHub))
        m_github = std::make_unique<Services::GitHubClient>(*m_http, QUrl(settings.string(SettingKey::GitHubApiUrl)), m_target.githubOwner,
                                                            m_target.githubRepo);
    if (!settings.string(SettingKey::PrometheusUrl).isEmpty())
        m_prometheus = std::make_unique<Services::PrometheusClient>(*m_http, QUrl(settings.string(SettingKey::PrometheusUrl)));
    m_audit = std::make_unique<Records::AuditLog>(Records::AuditLog::defaultPath(profile, settings.string(SettingKey::AuditLogPath)));

    QUrl base = flagsUrl;
    if (!base.path().endsWith(u'/'))
        base.setPath(base.path() + u'/');
    m_clients.flags = m_flags.get();
    m_clients.flagsClientHttp = m_clientHttp.get();
    m_clients.flagsUrl = base;
    m_clients.vercel = m_vercel.get();
    m_clients.github = m_github.get();
    m_clients.prometheus = m_prometheus.get();
    m_clients.audit = m_audit.get();
    m_clients.actor = qEnvironmentVariable("USER", u"console"_s);
    m_journalDir = RunJournal::defaultDirectory(profile);
    // The profile's operations journal (YYYY-MM-DD.md, append-only); the CLI's --journal-dir points it at docs/journal.
    m_clients.journalDirectory = Settings::dataDirectory() + u'/' + profile + u"/journal"_s;
}

Session::~Session() = default;

void Session::setPolicy(const RollbackRules &rules, const QList<Release::Cohort> &cohorts)
{
    m_target.policy = rules;
    m_target.cohorts = cohorts;
}

} // namespace Raize::Rollback
