#pragma once

// Collects DORA's records (release/dora.h) from where they live (issue #19,
// part 3): production deployments from Vercel; the pull requests each one
// shipped first, and when their first commit was made, from GitHub (one
// comparison between consecutive production deployments, one per pull
// request between the main line before its merge and its head); rollbacks
// from this profile's run journals; incidents from GitHub issues labelled
// "incident". What cannot be read is a warning next to the records, never a
// guess: a pull request whose commits cannot be read is left out of lead time.

#include "core/result.h"
#include "release/dora.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace Raize::Services {
class GitHubClient;
class VercelClient;
} // namespace Raize::Services

namespace Raize::Release {

class DoraCollector : public QObject
{
    Q_OBJECT

public:
    struct Sources
    {
        Services::VercelClient *vercel = nullptr; // required
        Services::GitHubClient *github = nullptr; // none: deployments and rollbacks only
        QString journalDirectory;                 // the profile's rollback run journals
        QString service;                          // the lane the Vercel project's deployments belong to
        QString incidentLabel = QStringLiteral("incident");
        int deploymentLimit = 100;                // the newest N production deployments
    };

    struct Collected
    {
        Dora::Records records;
        QStringList warnings; // what could not be read, in words
    };
    using Done = std::function<void(const Result<Collected> &)>;

    explicit DoraCollector(Sources sources, QObject *parent = nullptr);
    // The sources as they are when a collection starts (the console's
    // workspace builds its clients when the tokens are read, and again on reopen).
    explicit DoraCollector(std::function<Sources()> provider, QObject *parent = nullptr);

    // The clients are about to go (the workspace reopens): a collection in
    // flight ends with "cancelled" and touches them no more.
    void invalidate();

    // Collects what DORA needs for [from, to): deployments before `from` are
    // read as the base of the first comparison and to tell which pull requests
    // shipped earlier. Fails only when Vercel cannot be read.
    void collect(const QDateTime &from, const QDateTime &to, Done done);

    // The rollbacks this profile's run journals record, oldest first (public
    // for tests): requested at the journal's first record, effective when its
    // production confirmation step (or, for a flag rollback, its flags-off
    // confirmation) was done, and the incident it opened.
    static QList<Dora::Rollback> rollbacksFromJournals(const QString &directory, QStringList *warnings = nullptr);
    // Which deployment served production when each rollback was requested: the
    // newest production deployment made before it, unless an earlier rollback
    // moved production back since (then that rollback's target).
    static void attributeProduction(QList<Dora::Rollback> &rollbacks, const QList<Dora::Deployment> &deployments);

private:
    struct Run;
    void compareNext(const std::shared_ptr<Run> &run);
    void firstCommits(const std::shared_ptr<Run> &run);
    void incidents(const std::shared_ptr<Run> &run);
    void finish(const std::shared_ptr<Run> &run);

    bool stale(const std::shared_ptr<Run> &run) const;

    std::function<Sources()> m_provider;
    Sources m_sources; // of the collection in flight
    int m_generation = 0;
    std::shared_ptr<Run> m_inFlight;
};

} // namespace Raize::Release
