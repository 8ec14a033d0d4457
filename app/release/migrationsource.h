#pragma once

#include "release/migrationcheck.h"

#include <QObject>

#include <functional>

namespace Raize::Services {
class GitHubClient;
}

namespace Raize::Release {

// Reads the migration files that changed between two commits from GitHub: one
// comparison (base...head) for the file list, then each migration file's
// content at `head` through the contents API, and classifies them
// (classifyMigrations). Used by the rollback's Option B check (base: the
// rollback target's commit, head: production's) and the promotion's
// migrations gate (base: production, head: the candidate). A file GitHub
// cannot give is Unknown with its reason; a failed comparison is an error.
class MigrationSource : public QObject
{
    Q_OBJECT

public:
    MigrationSource(Services::GitHubClient &github, MigrationPolicy policy, QObject *parent = nullptr);

    // `labels`/`pullRequests`: what the caller knows of the pull requests
    // that brought each file (the gates' facts); may be empty.
    void check(const QString &base, const QString &head, std::function<void(const Result<MigrationReport> &)> done,
               QHash<QString, QStringList> labels = {}, QHash<QString, int> pullRequests = {});

    const MigrationPolicy &policy() const { return m_policy; }

private:
    Services::GitHubClient &m_github;
    MigrationPolicy m_policy;
};

} // namespace Raize::Release
