#pragma once

#include "core/result.h"

#include <QList>
#include <QString>
#include <QVariant>

#include <memory>

class QSettings;

namespace Raize {

// Every setting the console knows, with its default (KeePassXC's Config).
// Tokens are not settings: they live in the keychain (TokenStore).
enum class SettingKey {
    ProfileIsSandbox,
    VercelBaseUrl,
    VercelTeamId,
    VercelProjectId,
    // The other services' Vercel projects, "runner=prj_runner, tools=prj_tools"
    // (Workspace::parseServiceProjects): the timeline's lanes, and a
    // service-scoped rollback rolls back that project only (issue #16 item 1).
    VercelServiceProjects,
    // The production domain's probe URL (ADR 0027): it names the deployment that serves it
    // (X-Raize-Deployment header or {"deploymentId"}); empty: effectiveness is confirmed without a probe.
    VercelProductionProbeUrl,
    // The production domain whose alias must point at the expected deployment; empty: the probe URL's host.
    VercelProductionDomain,
    GitHubApiUrl,
    GitHubOwner,
    GitHubRepo,
    FlagsKind,
    FlagsUrl,
    FlagsProject,
    FlagsEnvironment,
    PrometheusUrl,
    NetTimeoutMs,
    AuditLogPath,
    PolicyBundlePath,
    // The profile's canary cohorts (a JSON `cohorts` array) in place of the
    // policy bundle's; empty: the policy's (Release::effectiveCohorts).
    CanaryCohorts,
    // The pause between two GitHub mutations (GitHub's guidance: at least a second). Below 1000 ms only on a
    // profile marked `profile/sandbox` (the sandbox's GitHub has no secondary limit); a real profile keeps 1 s.
    GitHubMutationSpacingMs,
};

struct SettingSpec
{
    SettingKey key;
    QLatin1StringView name;   // the key in the INI file
    QVariant defaultValue;
    QLatin1StringView label;  // shown in the settings dialog and `--help`
};

// The services the console holds a token for.
// FlagsClient is the flag service's client (SDK) token: the rollback reads
// back what clients are served with it. It has no settings or status of its
// own, so allServices() leaves it out; tokenServices() has it.
// VercelBypass is the production domain's Deployment Protection bypass secret
// (sent as x-vercel-protection-bypass by the effectiveness probe, ADR 0027);
// it lives on the Vercel page, so allServices() leaves it out too.
enum class Service { Vercel, GitHub, Flags, Prometheus, FlagsClient, VercelBypass };
QString serviceId(Service service);          // "vercel", "github", "flags", "prometheus"
QString serviceDisplayName(Service service); // "Vercel", "GitHub", "Flag service", "Prometheus"
QList<Service> allServices();
QList<Service> tokenServices(); // allServices(), FlagsClient and VercelBypass

class Settings
{
public:
    static constexpr int SchemaVersion = 2;

    static const QList<SettingSpec> &specs();
    static const SettingSpec &spec(SettingKey key);

    // The folder that holds one INI file per profile: $XDG_CONFIG_HOME/raize-console.
    static QString defaultDirectory();
    // $XDG_STATE_HOME/raize-console (logs, rollback journals); Qt 6.4 has no
    // QStandardPaths::GenericStateLocation.
    static QString stateDirectory();
    // $XDG_DATA_HOME/raize-console (audit logs).
    static QString dataDirectory();
    static bool isValidProfileName(const QString &profile);

    // Opens (and migrates, see migrate()) <dir>/<profile>.ini.
    explicit Settings(const QString &profile = QStringLiteral("default"), const QString &directory = {});
    ~Settings();
    Settings(const Settings &) = delete;
    Settings &operator=(const Settings &) = delete;

    QString profile() const { return m_profile; }
    QString filePath() const;

    QVariant value(SettingKey key) const;
    QString string(SettingKey key) const { return value(key).toString(); }
    int integer(SettingKey key) const { return value(key).toInt(); }
    bool boolean(SettingKey key) const { return value(key).toBool(); }
    void setValue(SettingKey key, const QVariant &value);
    void reset(SettingKey key);

    int storedSchemaVersion() const;

    // What migrate() did: human-readable steps, and any plaintext tokens it
    // took out of an old file. The caller hands those to the TokenStore; the
    // file no longer contains them.
    struct Migration
    {
        int fromVersion = 0;
        QStringList steps;
        QList<QPair<Service, QString>> legacyTokens;
    };
    const Migration &lastMigration() const { return m_migration; }

    // Writes to disk; reports a read-only or unwritable file as an Error.
    Status sync();

private:
    Migration migrate();

    QString m_profile;
    QString m_directory;
    std::unique_ptr<QSettings> m_settings;
    Migration m_migration;
};

} // namespace Raize
