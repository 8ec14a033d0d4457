#pragma once

#include "release/gates.h"
#include "release/migrationcheck.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

namespace Raize::Services {
class FlagService;
class GitHubClient;
class VercelClient;
struct GitHubCommit;
struct GitHubPullRequest;
} // namespace Raize::Services

namespace Raize::Slo {
class SloFeed;
}

namespace Raize::Release {

// The GitHub environment review a candidate is waiting on (workflow run
// with a pending deployment for the policy's promotion environment).
struct PendingReview
{
    qint64 runId = 0;
    QList<qint64> environmentIds;
    QString environment;
    qint64 sinceMs = 0;
    QStringList reviewers;
    bool currentUserCanApprove = false;
    QString error; // why it could not be read; empty when read (runId 0: nothing pending)
};

struct CollectedFacts
{
    ReleaseFacts facts;
    PendingReview pending;
};

// Gathers the gate facts for one candidate deployment (issue #7, part 2):
// Vercel (the deployment, what production serves, Deployment Checks),
// GitHub (compare against production, pull requests and their labels, check
// runs and statuses, branch protection, the pending environment review),
// the flag service (flags in the policy's flag environment) and the
// changelog file. A fetch that fails becomes an unknown fact with the
// service's error; nothing is guessed.
class FactsCollector : public QObject
{
    Q_OBJECT

public:
    struct Sources
    {
        Services::VercelClient *vercel = nullptr; // required
        Services::GitHubClient *github = nullptr; // null: every GitHub fact unknown ("GitHub is not configured")
        Services::FlagService *flags = nullptr;   // null: production flags unknown
        QString githubHtml;    // "https://github.com/owner/repo", for evidence links
        // The changelog's path in the repository, read at the candidate commit (and at production's, to tell which
        // version the candidate cuts). Empty: the policy's gates.changelogPath.
        QString changelogPath;
        QString maintenanceWindow;
        // How migrations are recognised and marked (the bundle's `migrations` section); unset: from the gate policy.
        std::optional<MigrationPolicy> migrations;
        // The 30-day error budgets by SLO id (the error-budget gate); null: unknown ("no SLO source").
        std::function<void(std::function<void(const Known<QMap<QString, double>> &)>)> sloBudgets; // see sloBudgetsFrom()
        QString vercelProjectUrl; // the project's settings page, for evidence links (may be empty)
    };

    // The entries of the release in a changelog read at the candidate commit (issue #17 item 3): [Unreleased] when
    // it has entries, else the newest version section that the production commit's file does not have yet (the
    // version being released). `productionText` nullopt: the file did not exist at production. The origin names
    // file@commit, the section, and the playbook lint's errors inside it with the candidate file's lines.
    struct ChangelogRead
    {
        QList<ChangelogFact> entries;
        ChangelogOrigin origin;
    };
    // The error budgets from an SLO feed over 30 days (Prometheus; the workspace's sloHistory()), for
    // Sources::sloBudgets. A null feed: no provider (the gate says "no SLO source").
    using BudgetSource = std::function<void(std::function<void(const Known<QMap<QString, double>> &)>)>;
    static BudgetSource sloBudgetsFrom(Slo::SloFeed *feed);

    static ChangelogRead releaseEntries(const QString &candidateText, const std::optional<QString> &productionText, const QString &file,
                                        const QString &commit);

    FactsCollector(GatePolicy policy, Sources sources, QObject *parent = nullptr);
    ~FactsCollector() override;

    // Calls done once, on this object's thread, when every fetch has answered.
    void collect(const QString &deploymentId, std::function<void(const CollectedFacts &)> done);
    bool busy() const;

    // The entries of the [Unreleased] section of a changelog text.
    static QList<ChangelogFact> unreleasedEntries(const QString &changelogText);

    // The commits of a compared range (oldest first, head last) that no merged pull request covers:
    // a commit is covered when it is a merged pull request's merge commit or head, when its first line
    // names one ("(#123)", GitHub's squash title), or when it came in through a later parent of a
    // covered merge commit on the head's first-parent line. `merged`: the merged pull requests read.
    // Known limit, on the safe side: of a rebase merge of several commits only the last (GitHub's
    // merge_commit_sha) maps; the others are listed, so the reviews gate asks a reviewer to accept them.
    static QList<CommitFact> unmappedCommits(const QList<Services::GitHubCommit> &commits, const QList<Services::GitHubPullRequest> &merged);

private:
    struct Run;
    void afterDeployment(const std::shared_ptr<Run> &run);
    void compareAndPulls(const std::shared_ptr<Run> &run);
    void readChangelog(const std::shared_ptr<Run> &run);
    void readMigrations(const std::shared_ptr<Run> &run);
    void finishOne(const std::shared_ptr<Run> &run);

    GatePolicy m_policy;
    Sources m_sources;
    std::shared_ptr<Run> m_current;
};

} // namespace Raize::Release
