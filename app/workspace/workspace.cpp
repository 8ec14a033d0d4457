#include "workspace/workspace.h"

#include "core/servicemonitor.h"
#include "core/tokenstore.h"
#include "net/httpclient.h"
#include "records/auditlog.h"
#include "services/github/auditheadpublisher.h"
#include "release/environmentpoller.h"
#include "release/flagpoller.h"
#include "workspace/canarysession.h"
#include "release/servingprobe.h"
#include "services/connection/connectioncheck.h"
#include "services/flags/flagbackend.h"
#include "services/flags/flageventlog.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/prometheus/slometrics.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include <QEventLoop>
#include <QPointer>
#include <QTimer>

namespace Raize {

using namespace Qt::StringLiterals;

namespace {

constexpr int EnvironmentPollMs = 15000;
constexpr int FlagPollMs = 10000;

// "RAIZE_GITHUB_TOKEN", "RAIZE_FLAGS_CLIENT_TOKEN".
QByteArray tokenVariable(Service service)
{
    return "RAIZE_" + serviceId(service).toUpper().replace(u'-', u'_').toLatin1() + "_TOKEN";
}

// "https://api.github.com" → "https://github.com/owner/repo"; elsewhere (GitHub Enterprise, the sandbox) the API host.
QString githubHtml(const QString &apiUrl, const QString &owner, const QString &repo)
{
    const QUrl u(apiUrl);
    if (u.host() == u"api.github.com"_s)
        return u"https://github.com/%1/%2"_s.arg(owner, repo);
    return u.toString(QUrl::StripTrailingSlash) + u'/' + owner + u'/' + repo;
}

} // namespace

WorkspaceClients::WorkspaceClients() = default;
WorkspaceClients::~WorkspaceClients() = default;

Workspace::Workspace(Settings &settings, TokenStore &tokens, ServiceMonitor *monitor, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_tokens(tokens)
    , m_monitor(monitorOrOwn(monitor, m_ownMonitor))
    , m_http(std::make_unique<Net::HttpClient>(m_monitor))
{
    // The audit sink and its actor: a settings change of the log's path takes effect at the next open.
    m_auditPath = Records::AuditLog::defaultPath(m_settings.profile(), m_settings.string(SettingKey::AuditLogPath));
    m_audit = std::make_unique<Records::AuditLog>(m_auditPath);
    m_actor = unknownActor(); // until GitHub names the token's user (resolveIdentity)
    m_arming = std::make_unique<Arming>();
    m_arming->setAudit(m_audit.get());
    m_arming->setProfile(m_settings.profile(), m_settings.boolean(SettingKey::ProfileIsSandbox));
    m_canary = std::make_unique<CanarySession>(*this);
}

QString Workspace::unknownActor()
{
    return u"unknown"_s;
}

std::unique_ptr<Services::AuditHeadPublisher> Workspace::makeAuditPublisher(const QString &logPath) const
{
    Services::GitHubClient *gh = github();
    if (!gh)
        return nullptr;
    // The policy names the audit issue (ADR 0031): "audit": {"issue": {"number": 812, "title": "..."}}; both optional.
    const nlohmann::json &audit = policyBundle().section("audit");
    const nlohmann::json issue = audit.is_object() ? audit.value("issue", nlohmann::json::object()) : nlohmann::json::object();
    const int number = issue.is_object() && issue.value("number", nlohmann::json()).is_number_integer() ? issue["number"].get<int>() : 0;
    const QString title = issue.is_object() && issue.value("title", nlohmann::json()).is_string()
        ? QString::fromStdString(issue["title"].get<std::string>())
        : QString();
    return std::make_unique<Services::AuditHeadPublisher>(*gh, logPath, m_settings.profile(), title, number);
}

Identity Workspace::identity() const
{
    if (identityKnown())
        return Identity{m_actor, {}};
    return Identity{{}, m_identityError ? m_identityError->message : (m_identityPending ? u"GitHub has not answered GET /user yet"_s : QString())};
}

void Workspace::resolveIdentity()
{
    m_actor = unknownActor();
    m_identityPending = false;
    Services::GitHubClient *gh = github();
    if (!gh) {
        m_identityError = Error::make(Error::Kind::Config, u"github"_s, u"GitHub is not configured, so nobody can be named as the actor"_s,
                                      u"set GitHub's URL, owner and repository in Settings, and store your own GitHub token"_s);
        Q_EMIT identityChanged();
        return;
    }
    if (!hasToken(Service::GitHub)) {
        m_identityError = tokenError(Service::GitHub).value_or(
            Error::make(Error::Kind::Auth, u"github"_s, u"no GitHub token is stored"_s, u"store your own GitHub token in Settings"_s));
        Q_EMIT identityChanged();
        return;
    }
    m_identityError.reset();
    m_identityPending = true;
    QPointer<Workspace> self(this);
    const int generation = m_generation;
    gh->currentUser([self, generation](const Result<Services::GitHubUser> &user) {
        if (!self || self->m_generation != generation)
            return; // a later open asks again
        self->m_identityPending = false;
        if (user) {
            self->m_actor = user->login;
            self->m_identityError.reset();
        } else {
            self->m_actor = unknownActor();
            self->m_identityError = user.error();
        }
        Q_EMIT self->identityChanged();
    }, IdentityWaitMs);
}

ServiceMonitor *Workspace::monitorOrOwn(ServiceMonitor *given, std::unique_ptr<ServiceMonitor> &own)
{
    if (given)
        return given;
    own = std::make_unique<ServiceMonitor>();
    return own.get();
}

Workspace::Workspace(std::unique_ptr<Settings> settings, std::unique_ptr<TokenStore> tokens)
    : Workspace(*settings, *tokens, nullptr, nullptr)
{
    m_ownSettings = std::move(settings);
    m_ownTokens = std::move(tokens);
}

std::unique_ptr<Workspace> Workspace::forProfile(const QString &profile, const QString &keychainService)
{
    return std::unique_ptr<Workspace>(new Workspace(std::make_unique<Settings>(profile), std::make_unique<TokenStore>(profile, keychainService)));
}

Workspace::~Workspace()
{
    m_canary.reset();
    m_auditPublisher.reset();
    closeClients();
    // The HTTP client goes before the clients: its unfinished replies die with it and call no client back.
    m_probe.reset();
    m_http.reset();
}

QString Workspace::profile() const
{
    return m_settings.profile();
}

void Workspace::closeClients()
{
    // Pollers and feeds hold references into the clients: they go first.
    m_environmentPoller.reset();
    m_flagPoller.reset();
    m_sloRecent.reset();
    m_sloHistory.reset();
    // A generation is retired, not destroyed: a request in flight on the one
    // HTTP client may still call back into its client (pagination, read-backs).
    // Settings are saved a handful of times per run, so this stays small.
    if (m_clients)
        m_retired.push_back(std::move(m_clients));
    m_ready = false;
}

void Workspace::open()
{
    readTokens(TokenSource::Keychain, false);
}

void Workspace::openSync(TokenSource source)
{
    readTokens(source, true);
    resolveIdentity();
    if (!m_identityPending)
        return;
    // A subcommand records who acts: wait a little for GitHub's answer, never long (a rollback must not wait on it).
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &Workspace::identityChanged, &loop, &QEventLoop::quit);
    timer.start(IdentityWaitMs);
    if (m_identityPending)
        loop.exec();
}

void Workspace::readTokens(TokenSource source, bool synchronous)
{
    const int generation = ++m_generation;
    m_opening = true;
    const QList<Service> services = tokenServices();
    auto tokens = std::make_shared<QHash<Service, QString>>();
    auto errors = std::make_shared<QHash<Service, Error>>();
    auto pending = std::make_shared<int>(int(services.size()));
    QPointer<Workspace> self(this);
    const auto answered = [self, generation, tokens, errors, pending](Service s, const Result<QString> &token) {
        if (token && !token->isEmpty())
            tokens->insert(s, token.value());
        else
            errors->insert(s, token ? Error::make(Error::Kind::Auth, serviceId(s), u"no %1 token is stored"_s.arg(serviceDisplayName(s)),
                                                  u"Store one in Settings or with `raize-console token set %1 --stdin`."_s.arg(serviceId(s)))
                                    : token.error());
        // A later open() supersedes this one: its answers are dropped.
        if (--*pending == 0 && self && self->m_generation == generation)
            self->openWithTokens(*tokens, *errors);
    };
    for (Service s : services) {
        if (source == TokenSource::EnvironmentFirst) {
            const QString fromEnv = qEnvironmentVariable(tokenVariable(s).constData());
            if (!fromEnv.isEmpty()) {
                answered(s, fromEnv);
                continue;
            }
        }
        if (synchronous)
            answered(s, m_tokens.readSync(s));
        else
            m_tokens.read(s, [answered, s](const Result<QString> &token) { answered(s, token); });
    }
}

void Workspace::openWithTokens(const QHash<Service, QString> &tokens, const QHash<Service, Error> &tokenErrors)
{
    Q_EMIT aboutToReopen();
    m_auditPublisher.reset(); // it holds the closing generation's GitHub client
    closeClients();
    m_opening = false;
    m_tokenErrors = tokenErrors;
    m_tokenServices.clear();
    for (Service s : tokenServices()) {
        // An empty token clears one read by an earlier open.
        m_http->setToken(s, tokens.value(s));
        if (tokens.contains(s))
            m_tokenServices.insert(s);
    }
    m_http->setDefaultTimeout(m_settings.integer(SettingKey::NetTimeoutMs));
    // GitHub asks for a second between mutations; only the sandbox's GitHub may be written to faster.
    const int spacing = m_settings.integer(SettingKey::GitHubMutationSpacingMs);
    m_http->setGitHubMutationSpacing(m_settings.boolean(SettingKey::ProfileIsSandbox) ? qMax(0, spacing) : qMax(1000, spacing));
    m_monitor->initFrom(m_settings);
    m_arming->setProfile(m_settings.profile(), m_settings.boolean(SettingKey::ProfileIsSandbox));

    auto c = std::make_shared<WorkspaceClients>();
    const QString vercelUrl = m_settings.string(SettingKey::VercelBaseUrl);
    const QString project = m_settings.string(SettingKey::VercelProjectId);
    if (!vercelUrl.isEmpty() && !project.isEmpty()) {
        c->vercel = std::make_unique<Services::VercelClient>(*m_http, QUrl(vercelUrl), project, m_settings.string(SettingKey::VercelTeamId));
        c->rollingRelease = std::make_unique<Services::RollingReleaseClient>(*m_http, QUrl(vercelUrl), project,
                                                                             m_settings.string(SettingKey::VercelTeamId));
    }
    if (const QString probe = m_settings.string(SettingKey::VercelProductionProbeUrl); !probe.isEmpty())
        c->servingProbe = std::make_unique<Release::HttpServingProbe>(*m_http, QUrl(probe), m_settings.string(SettingKey::VercelProductionDomain));
    const QString githubUrl = m_settings.string(SettingKey::GitHubApiUrl);
    const QString owner = m_settings.string(SettingKey::GitHubOwner), repo = m_settings.string(SettingKey::GitHubRepo);
    if (!githubUrl.isEmpty() && !owner.isEmpty() && !repo.isEmpty()) {
        c->github = std::make_unique<Services::GitHubClient>(*m_http, QUrl(githubUrl), owner, repo);
        c->githubHtml = githubHtml(githubUrl, owner, repo);
    }
    c->flagEnvironment = m_settings.string(SettingKey::FlagsEnvironment);
    if (const QString flagsUrl = m_settings.string(SettingKey::FlagsUrl); !flagsUrl.isEmpty()) {
        Result<std::unique_ptr<Services::FlagService>> flags = Services::makeFlagService(
            *m_http, {m_settings.string(SettingKey::FlagsKind), QUrl(flagsUrl), m_settings.string(SettingKey::FlagsProject), c->flagEnvironment});
        if (flags)
            c->flags = std::move(flags).value();
        else
            c->flagsError = flags.error();
        c->flagsKind = m_settings.string(SettingKey::FlagsKind);
        if (c->flags)
            c->flagEvents = std::make_unique<Services::FlagEventLog>(*m_http, c->flagsKind, QUrl(flagsUrl), m_settings.string(SettingKey::FlagsProject));
    }
    if (!vercelUrl.isEmpty()) {
        const Result<QList<QPair<QString, QString>>> services = parseServiceProjects(m_settings.string(SettingKey::VercelServiceProjects));
        if (!services) {
            c->serviceProjectsError = services.error();
        } else {
            for (const auto &[service, serviceProject] : *services) {
                if (service == u"web"_s && c->vercel)
                    continue; // vercel/projectId is web's
                c->serviceVercel.emplace_back(service, std::make_unique<Services::VercelClient>(*m_http, QUrl(vercelUrl), serviceProject,
                                                                                                 m_settings.string(SettingKey::VercelTeamId)));
            }
        }
    }
    if (const QString prometheusUrl = m_settings.string(SettingKey::PrometheusUrl); !prometheusUrl.isEmpty())
        c->prometheus = std::make_unique<Services::PrometheusClient>(*m_http, QUrl(prometheusUrl));
    m_clients = c;
    // The audit log's path is read again: SettingsAudit carried the chain on to a new file before it stored the change.
    if (const QString path = Records::AuditLog::defaultPath(m_settings.profile(), m_settings.string(SettingKey::AuditLogPath));
        path != m_auditPath) {
        m_auditPath = path;
        m_audit->setPath(path);
    }
    m_auditPublisher = makeAuditPublisher(m_auditPath);

    if (c->vercel)
        m_environmentPoller = std::make_unique<Release::EnvironmentPoller>(*c->vercel, EnvironmentPollMs);
    if (c->flags)
        m_flagPoller = std::make_unique<Release::FlagPoller>(*c->flags, c->flagEnvironment, FlagPollMs);
    if (c->prometheus) {
        const QList<Slo::SloSpec> specs = slos();
        m_sloRecent = std::make_unique<Slo::SloFeed>(*c->prometheus, specs);
        m_sloHistory = std::make_unique<Slo::SloFeed>(*c->prometheus, specs);
    }
    m_ready = true;
    // Who acts is asked by whoever shows or records it (resolveIdentity): a request here would sit in
    // GitHub's serial queue ahead of everything else, a rollback's calls included.
    m_actor = unknownActor();
    m_identityPending = false;
    m_identityError = Error::make(Error::Kind::Config, u"github"_s, u"GitHub has not been asked who the token belongs to yet"_s);
    Q_EMIT ready();
}

void Workspace::waitUntilReady()
{
    if (m_ready)
        return;
    if (!m_opening) {
        openSync();
        return;
    }
    QEventLoop loop;
    connect(this, &Workspace::ready, &loop, &QEventLoop::quit);
    loop.exec();
}

std::optional<Error> Workspace::tokenError(Service service) const
{
    if (const auto it = m_tokenErrors.constFind(service); it != m_tokenErrors.cend())
        return it.value();
    return std::nullopt;
}

Services::VercelClient *Workspace::vercel() const
{
    return m_clients ? m_clients->vercel.get() : nullptr;
}

Services::GitHubClient *Workspace::github() const
{
    return m_clients ? m_clients->github.get() : nullptr;
}

Result<QList<QPair<QString, QString>>> Workspace::parseServiceProjects(const QString &text)
{
    QList<QPair<QString, QString>> out;
    const auto refuse = [](const QString &what) {
        return Error::make(Error::Kind::Config, u"settings"_s, u"vercel/serviceProjects: %1"_s.arg(what),
                           u"Settings → Vercel → Projects per service (vercel/serviceProjects): write service=project pairs, e.g. “runner=prj_runner, tools=prj_tools”; the timeline's lanes and a service-scoped rollback both read it."_s);
    };
    for (const QString &raw : text.split(u',', Qt::SkipEmptyParts)) {
        const QString pair = raw.trimmed();
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf(u'=');
        const QString service = pair.left(eq).trimmed(), project = eq < 0 ? QString() : pair.mid(eq + 1).trimmed();
        if (eq < 0 || service.isEmpty() || project.isEmpty())
            return refuse(u"“%1” is not service=project"_s.arg(pair));
        for (const auto &known : out) {
            if (known.first == service)
                return refuse(u"%1 is named twice"_s.arg(service));
        }
        out.append({service, project});
    }
    return out;
}

Services::FlagService *Workspace::flags() const
{
    return m_clients ? m_clients->flags.get() : nullptr;
}

Services::PrometheusClient *Workspace::prometheus() const
{
    return m_clients ? m_clients->prometheus.get() : nullptr;
}

Records::AuditSink &Workspace::audit() const
{
    return *m_audit;
}

// ---- Policy ---------------------------------------------------------------
// Every policy read of the workspace is in this block: the effective policy
// (built-in → tenant bundle → profile override, issue #14 item 1, ADR 0017).

const EffectivePolicy &Workspace::policy() const
{
    if (!m_policy)
        m_policy = EffectivePolicy::load(m_settings);
    return *m_policy;
}

void Workspace::reloadPolicy()
{
    m_policy = EffectivePolicy::load(m_settings);
}

EffectivePolicy &Workspace::editablePolicy()
{
    policy();
    return *m_policy;
}

const Policy::Bundle &Workspace::policyBundle() const
{
    return policy().bundle();
}

Result<Release::GatePolicy> Workspace::gatePolicy(const QString &bundleFile) const
{
    if (!bundleFile.isEmpty()) {
        const EffectivePolicy given = EffectivePolicy::load(m_settings, bundleFile);
        if (given.readOnly())
            return *given.error();
        return given.gates();
    }
    if (readOnly())
        return *policy().error();
    return policy().gates();
}

Result<Release::EffectiveCohorts> Workspace::cohorts() const
{
    return policy().cohortSource();
}

QList<Slo::SloSpec> Workspace::slos() const
{
    return policy().slos();
}

// ---- Read-only until armed (ADR 0028) --------------------------------------

Status Workspace::arm(const QString &reason, const QString &actor, const QString &scope)
{
    if (readOnly())
        return Error::make(Error::Kind::Refused, u"console"_s,
                           u"The profile's policy bundle is refused, so the profile stays read-only: %1"_s.arg(policy().readOnlyReason()),
                           u"Fix the bundle (raize-console policy check FILE shows the first problem), then arm."_s);
    return m_arming->arm(reason, actor.isEmpty() ? m_actor : actor, policy().armingWindowMinutes(), scope);
}

Status Workspace::disarm(const QString &actor)
{
    return m_arming->disarm(actor.isEmpty() ? m_actor : actor);
}

Status Workspace::setSandboxMarker(bool sandbox, const QString &actor)
{
    const bool before = m_settings.boolean(SettingKey::ProfileIsSandbox);
    if (before == sandbox)
        return okStatus();
    // A sandbox profile needs no arming: who turned the marker on or off, and when, is on record before it counts.
    Records::AuditRecord r;
    r.actor = actor.isEmpty() ? m_actor : actor;
    r.action = u"settings.change"_s;
    r.target = QString(Settings::spec(SettingKey::ProfileIsSandbox).name);
    r.service = u"console"_s;
    r.reason = sandbox ? u"profile “%1” marked sandbox: it no longer needs arming"_s.arg(profile())
                       : u"profile “%1” no longer marked sandbox: it is read-only until armed"_s.arg(profile());
    r.before = {{"profile", profile().toStdString()}, {"value", before}};
    r.after = {{"profile", profile().toStdString()}, {"value", sandbox}};
    if (const Status s = m_audit->append(r); !s)
        return Error::make(Error::Kind::Io, u"audit"_s,
                           u"The audit log refused the record of the sandbox marker: %1 — the marker is unchanged."_s.arg(s.error().message),
                           s.error().remedy);
    m_settings.setValue(SettingKey::ProfileIsSandbox, sandbox);
    if (const Status s = m_settings.sync(); !s)
        return s;
    m_arming->setProfile(profile(), sandbox);
    return okStatus();
}

// ---- Connection check -----------------------------------------------------

void Workspace::checkConnection(const Services::ConnectionTarget &target, int timeoutMs,
                                std::function<void(const Services::ConnectionReport &)> done)
{
    // A fresh probe per check: the previous check's token and answers are gone.
    m_probe = std::make_unique<Net::HttpClient>();
    m_probe->setDefaultTimeout(timeoutMs > 0 ? timeoutMs : m_settings.integer(SettingKey::NetTimeoutMs));
    m_probe->setRetryPolicy({1, 100, 100, 0}); // an answer now, not after retries
    Services::checkConnection(*m_probe, target, std::move(done));
}

} // namespace Raize
