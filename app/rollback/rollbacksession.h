#pragma once

#include "core/result.h"
#include "core/settings.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"

#include <QHash>

#include <memory>

namespace Raize {
class Workspace;
struct WorkspaceClients;
} // namespace Raize

namespace Raize::Rollback {

// What a rollback talks to, taken from the profile's workspace (issue #14):
// its clients send through the workspace's one HTTP client, so the GitHub
// marker and incident calls share GitHub's serial queue and budget with the
// console's other callers, and every call reports to the service monitor.
// The CLI's `rollback`/`kill-switch` open a workspace for the profile; the
// console's rollback dialog uses the window's.
class Session
{
public:
    // The CLI: opens a workspace for the profile (tokens read synchronously).
    static Result<std::unique_ptr<Session>> open(const QString &profile, const QString &keychainService);
    // Fails (Auth) when the workspace has no Vercel or flag-service token, or
    // (Config) when a service the rollback needs is not configured. The
    // workspace must be ready and outlive the session.
    static Result<std::unique_ptr<Session>> fromWorkspace(Workspace &workspace);
    ~Session();

    const Clients &clients() const { return m_clients; }
    const Target &target() const { return m_target; }
    // The profile's effective policy's parts (ADR 0017): its rollback rules
    // and cohorts; the workspace's by default, this replaces them.
    void setPolicy(const RollbackRules &rules, const QList<Release::Cohort> &cohorts);
    // A service-scoped rollback (issue #16 item 1): Vercel calls go to that
    // service's project only, from the vercel/serviceProjects setting
    // (Workspace::parseServiceProjects). Fails,
    // saying how to map it, when the service has no project. Empty: back to
    // the profile's own project.
    Status scopeToService(const QString &service);
    QString journalDirectory() const { return m_journalDir; }
    QString profile() const { return m_profile; }
    Workspace &workspace() const { return m_workspace; }

private:
    Session(Workspace &workspace, std::unique_ptr<Workspace> owned);

    std::unique_ptr<Workspace> m_owned; // the CLI's; the console's lives in the window
    Workspace &m_workspace;
    // The generation of clients the session started with: a settings change
    // during a rollback does not pull its clients away.
    std::shared_ptr<const WorkspaceClients> m_generation;
    QString m_profile;
    Clients m_clients;
    Target m_target;
    std::unique_ptr<Services::VercelClient> m_serviceVercel; // a service scope's project
    QString m_journalDir;
};

} // namespace Raize::Rollback
