#pragma once

#include "core/result.h"
#include "core/settings.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"

#include <QHash>

#include <memory>

namespace Raize::Records {
class AuditLog;
}

namespace Raize::Rollback {

// The clients a rollback needs, built from a profile's settings and tokens;
// the CLI and the console's rollback dialog share it.
class Session
{
public:
    // Reads the profile's settings and its tokens from the keychain.
    static Result<std::unique_ptr<Session>> open(const QString &profile, const QString &keychainService);
    Session(const Settings &settings, const QHash<Service, QString> &tokens, const QString &profile);
    ~Session();

    const Clients &clients() const { return m_clients; }
    const Target &target() const { return m_target; }
    // The profile's effective policy's parts (ADR 0012): its rollback rules
    // and cohorts. Until set, a plan is refused (no side-effect list).
    void setPolicy(const RollbackRules &rules, const QList<Release::Cohort> &cohorts);
    QString journalDirectory() const { return m_journalDir; }
    QString profile() const { return m_profile; }
    // Up to 48 flag calls in flight at once (the kill switch's fan-out).
    Net::HttpClient &http() { return *m_http; }

private:
    QString m_profile;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Net::HttpClient> m_clientHttp;
    std::unique_ptr<Services::FlagService> m_flags;
    std::unique_ptr<Services::VercelClient> m_vercel;
    std::unique_ptr<Services::GitHubClient> m_github;
    std::unique_ptr<Services::PrometheusClient> m_prometheus;
    std::unique_ptr<Records::AuditLog> m_audit;
    Clients m_clients;
    Target m_target;
    QString m_journalDir;
};

} // namespace Raize::Rollback
