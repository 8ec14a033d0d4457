#include "core/settings.h"

#include "core/logging.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

namespace Raize {

using namespace Qt::StringLiterals;

QString serviceId(Service service)
{
    switch (service) {
    case Service::Vercel: return u"vercel"_s;
    case Service::GitHub: return u"github"_s;
    case Service::Flags: return u"flags"_s;
    case Service::Prometheus: return u"prometheus"_s;
    case Service::FlagsClient: return u"flags-client"_s;
    case Service::VercelBypass: return u"vercel-bypass"_s;
    }
    return {};
}

QString serviceDisplayName(Service service)
{
    switch (service) {
    case Service::Vercel: return u"Vercel"_s;
    case Service::GitHub: return u"GitHub"_s;
    case Service::Flags: return u"Flag service"_s;
    case Service::Prometheus: return u"Prometheus"_s;
    case Service::FlagsClient: return u"Flag service (client token)"_s;
    case Service::VercelBypass: return u"Vercel protection bypass"_s;
    }
    return {};
}

QList<Service> allServices()
{
    return {Service::Vercel, Service::GitHub, Service::Flags, Service::Prometheus};
}

QList<Service> tokenServices()
{
    return allServices() << Service::FlagsClient << Service::VercelBypass;
}

const QList<SettingSpec> &Settings::specs()
{
    static const QList<SettingSpec> table = {
        {SettingKey::ProfileIsSandbox, "profile/sandbox"_L1, false, "Profile points at the local sandbox"_L1},
        {SettingKey::VercelBaseUrl, "vercel/baseUrl"_L1, u"https://api.vercel.com"_s, "Vercel API base URL"_L1},
        {SettingKey::VercelTeamId, "vercel/teamId"_L1, QString(), "Vercel team id"_L1},
        {SettingKey::VercelProjectId, "vercel/projectId"_L1, QString(), "Vercel project id or name"_L1},
        {SettingKey::VercelServiceProjects, "vercel/serviceProjects"_L1, QString(),
         "Vercel projects per service, e.g. runner=prj_runner, tools=prj_tools (web: the project above)"_L1},
        {SettingKey::VercelProductionProbeUrl, "vercel/productionProbeUrl"_L1, QString(),
         "Production probe URL (names the serving deployment; ADR 0027)"_L1},
        {SettingKey::VercelProductionDomain, "vercel/productionDomain"_L1, QString(),
         "Production domain (whose alias must point at the deployment; empty: the probe URL's host)"_L1},
        {SettingKey::GitHubApiUrl, "github/apiUrl"_L1, u"https://api.github.com"_s, "GitHub API URL"_L1},
        {SettingKey::GitHubOwner, "github/owner"_L1, QString(), "GitHub owner"_L1},
        {SettingKey::GitHubRepo, "github/repo"_L1, QString(), "GitHub repository"_L1},
        {SettingKey::FlagsKind, "flags/kind"_L1, u"unleash"_s, "Flag service kind (unleash or launchdarkly)"_L1},
        {SettingKey::FlagsUrl, "flags/url"_L1, QString(), "Flag service URL"_L1},
        {SettingKey::FlagsProject, "flags/project"_L1, u"default"_s, "Flag service project"_L1},
        {SettingKey::FlagsEnvironment, "flags/environment"_L1, u"production"_s, "Flag service environment"_L1},
        {SettingKey::PrometheusUrl, "prometheus/url"_L1, QString(), "Prometheus URL"_L1},
        {SettingKey::NetTimeoutMs, "net/timeoutMs"_L1, 15000, "Request timeout (ms)"_L1},
        {SettingKey::GitHubMutationSpacingMs, "github/mutationSpacingMs"_L1, 1000,
         "Pause between GitHub mutations (ms; below 1000 only on a sandbox profile)"_L1},
        {SettingKey::AuditLogPath, "audit/logPath"_L1, QString(), "Audit log file (empty: the profile's data folder)"_L1},
        {SettingKey::PolicyBundlePath, "policy/bundlePath"_L1, QString(), "Policy bundle (empty: the built-in playbook-v1)"_L1},
        {SettingKey::CanaryCohorts, "canary/cohorts"_L1, QString(), "Canary cohorts, a JSON array (empty: the policy bundle's)"_L1},
    };
    return table;
}

const SettingSpec &Settings::spec(SettingKey key)
{
    for (const SettingSpec &s : specs()) {
        if (s.key == key)
            return s;
    }
    Q_UNREACHABLE();
}

QString Settings::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + u"/raize-console"_s;
}

QString Settings::stateDirectory()
{
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + u"/.local/state"_s;
    return base + u"/raize-console"_s;
}

QString Settings::dataDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/raize-console"_s;
}

bool Settings::isValidProfileName(const QString &profile)
{
    static const QRegularExpression re(u"^[a-z0-9][a-z0-9_-]{0,39}$"_s);
    return re.match(profile).hasMatch();
}

Settings::Settings(const QString &profile, const QString &directory)
    : m_profile(isValidProfileName(profile) ? profile : u"default"_s)
    , m_directory(directory.isEmpty() ? defaultDirectory() : directory)
{
    QDir().mkpath(m_directory);
    m_settings = std::make_unique<QSettings>(m_directory + u'/' + m_profile + u".ini"_s, QSettings::IniFormat);
    m_migration = migrate();
    for (const QString &step : std::as_const(m_migration.steps))
        qCInfo(lcSettings, "%s: %s", qUtf8Printable(m_profile), qUtf8Printable(step));
}

Settings::~Settings() = default;

QString Settings::filePath() const
{
    return m_settings->fileName();
}

QVariant Settings::value(SettingKey key) const
{
    const SettingSpec &s = spec(key);
    QVariant v = m_settings->value(s.name, s.defaultValue);
    // INI files store everything as text: give callers the default's type.
    if (s.defaultValue.isValid() && v.metaType() != s.defaultValue.metaType())
        v.convert(s.defaultValue.metaType());
    return v;
}

void Settings::setValue(SettingKey key, const QVariant &value)
{
    m_settings->setValue(spec(key).name, value);
}

void Settings::reset(SettingKey key)
{
    m_settings->remove(spec(key).name);
}

int Settings::storedSchemaVersion() const
{
    return m_settings->value("schema/version"_L1, 0).toInt();
}

Status Settings::sync()
{
    m_settings->setValue("schema/version"_L1, SchemaVersion);
    m_settings->sync();
    switch (m_settings->status()) {
    case QSettings::NoError:
        break;
    case QSettings::AccessError:
        return Error::make(Error::Kind::Io, u"settings"_s,
                           u"cannot write %1"_s.arg(filePath()),
                           u"check that the folder exists and that you may write to it"_s);
    case QSettings::FormatError:
        return Error::make(Error::Kind::Io, u"settings"_s,
                           u"%1 is not a valid settings file"_s.arg(filePath()),
                           u"fix or move the file aside; the console will write a fresh one"_s);
    }
    QFile::setPermissions(filePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return okStatus();
}

// Schema history:
//   (no file)  nothing to do; written at version 2 on the first sync().
//   1          the prototype: [vercel] url, [github] url, [unleash] url/project/env,
//              [prometheus] url, and plaintext tokens under <service>/token.
//   2          today's table above; tokens only in the keychain.
Settings::Migration Settings::migrate()
{
    Migration m;
    QSettings &s = *m_settings;
    if (s.status() == QSettings::FormatError) {
        m.steps << u"the settings file is unreadable; defaults are used and the file is left as it was"_s;
        return m;
    }
    const bool empty = s.allKeys().isEmpty();
    int version = s.value("schema/version"_L1, empty ? SchemaVersion : 1).toInt();
    m.fromVersion = version;
    if (version > SchemaVersion) {
        m.steps << u"settings were written by a newer console (schema %1); they are read as is"_s.arg(version);
        return m;
    }
    if (version < 2) {
        const auto rename = [&](QLatin1StringView from, QLatin1StringView to) {
            if (s.contains(from)) {
                if (!s.contains(to))
                    s.setValue(to, s.value(from));
                s.remove(from);
                m.steps << u"renamed %1 to %2"_s.arg(from, to);
            }
        };
        rename("vercel/url"_L1, "vercel/baseUrl"_L1);
        rename("vercel/team"_L1, "vercel/teamId"_L1);
        rename("vercel/project"_L1, "vercel/projectId"_L1);
        rename("github/url"_L1, "github/apiUrl"_L1);
        if (s.contains("unleash/url"_L1) && !s.contains("flags/kind"_L1)) {
            s.setValue("flags/kind"_L1, u"unleash"_s);
            m.steps << u"flag service kind set to unleash (the only kind in schema 1)"_s;
        }
        rename("unleash/url"_L1, "flags/url"_L1);
        rename("unleash/project"_L1, "flags/project"_L1);
        rename("unleash/env"_L1, "flags/environment"_L1);

        const QList<QPair<QLatin1StringView, Service>> tokenKeys = {
            {"vercel/token"_L1, Service::Vercel},
            {"github/token"_L1, Service::GitHub},
            {"unleash/token"_L1, Service::Flags},
            {"prometheus/token"_L1, Service::Prometheus},
        };
        for (const auto &[key, service] : tokenKeys) {
            if (s.contains(key)) {
                const QString token = s.value(key).toString();
                s.remove(key);
                if (!token.isEmpty())
                    m.legacyTokens.append({service, token});
                m.steps << u"removed the plaintext %1 token from the settings file; it moves to the keychain"_s.arg(serviceDisplayName(service));
            }
        }
        s.setValue("schema/version"_L1, SchemaVersion);
        s.sync();
        m.steps << u"migrated settings from schema %1 to %2"_s.arg(version).arg(SchemaVersion);
    }
    return m;
}

} // namespace Raize
