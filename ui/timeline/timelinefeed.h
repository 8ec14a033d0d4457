#pragma once

#include "release/change.h"
#include "release/freshness.h"
#include "timeline/timelinemodel.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QIODevice;

namespace Raize {
class Clock;
}
namespace Raize::Services {
class FlagEventLog;
class GitHubClient;
class VercelClient;
struct VercelDeployment;
struct VercelProject;
} // namespace Raize::Services

namespace Raize::Ui {

// Feeds the timeline with every change from its source (issue #7, issue #19
// item 1): Vercel deployments of every target, per service in its lane (the
// settings map web, runner and tools to their Vercel projects), and the
// promotions and rollbacks Vercel's projects show, whoever made them; flag
// changes from the flag service's event log (who, before, after); merged pull
// requests from GitHub, whose release level the deployments built from them
// carry; and the audit log's promotions, approvals, overrides, rollbacks, flag
// changes and incidents. A flag change that both the flag service and the
// audit log recorded is shown once, as the audit log's (Release::mergeChanges'
// rule: the console's actor wins). Every poll appends only the events the
// model does not have yet, as one batch; the HTTP client's ETag cache makes an
// unchanged answer a 304.
//
// The audit log is read from where the last poll stopped (a log that shrank
// or was replaced is read again from the start), one line at a time, and
// repeated texts (actors, reasons, targets) share one string: 100,000 events
// stay small (issue #15).
//
// A failed poll, or a last good answer older than twice the interval, makes
// the data stale (staleSince(), staleChanged()).
class TimelineFeed : public QObject
{
    Q_OBJECT

public:
    TimelineFeed(TimelineModel *model, Services::VercelClient *vercel, QString auditLogPath, QString vercelDashboard,
                 int intervalMs = 15000, QObject *parent = nullptr);
    ~TimelineFeed() override;

    // The other sources, set before start(); none is owned.
    // Vercel projects of the other services (runner, tools); the constructor's client is `web`'s.
    void addServiceProject(const QString &service, Services::VercelClient *client);
    void setFlagEventLog(Services::FlagEventLog *log, QString backend);
    // `repositoryHtml`: the repository's web address, for links to its pull requests.
    void setGitHub(Services::GitHubClient *github, QString repositoryHtml);
    void setClock(const Clock &clock);

    void start();
    void refresh();
    int rounds() const { return m_rounds; }
    int intervalMs() const { return m_timer.interval(); }
    QString lastError() const { return m_error; }
    // Invalid while current.
    QDateTime staleSince() const { return m_staleSince; }

    // The changes to what is served (flag changes, deployments, promotions,
    // rollbacks, merges) seen so far, without duplicates, in the order they
    // arrived: what "what changed" ranks (Release::whatChanged).
    const QList<Release::Change> &changes() const { return m_changes; }

    // Audit records as timeline events (pure; tests use it).
    static QList<TimelineEvent> fromAudit(const QString &path);
    // The events of the complete lines from byte `*offset` on; moves `*offset`
    // past the last complete line (a half-written last line waits for the next
    // poll). With `changes`, the records that changed something are added there too.
    static QList<TimelineEvent> fromAudit(QIODevice &log, qint64 *offset, QSet<QString> *pool = nullptr,
                                          QList<Release::Change> *changes = nullptr);

    // A change from a source as a timeline event (pure; tests use it).
    static TimelineEvent eventOf(const Release::Change &change);

Q_SIGNALS:
    void polled(const QString &status);
    void staleChanged(const QDateTime &since);
    void changesAdded();

private:
    struct Lane
    {
        QString service;
        Services::VercelClient *client = nullptr;
        QString production; // the deployment serving at the last poll
        bool pinned = false;
        bool known = false; // production read once
    };

    void add(QList<TimelineEvent> events);
    void readAudit();
    void pollLane(int lane);
    void pollFlags();
    void pollGitHub();
    void pollGitHubRecords();
    void oneDone(const std::optional<Error> &error);
    void finishRound();
    void checkStale();
    QDateTime now() const;
    // Adds changes from a source: flag changes the audit log already has are dropped (and the
    // other way round: an audit record replaces the flag service's row); returns the events to show.
    QList<TimelineEvent> takeChanges(QList<Release::Change> fresh);
    // Appends to m_changes and indexes it for its twins.
    void keep(Release::Change change);
    QList<TimelineEvent> deploymentEvents(const Lane &lane, const QList<Services::VercelDeployment> &list);
    QList<TimelineEvent> productionEvents(Lane &lane, const Services::VercelProject &project);

    QPointer<TimelineModel> m_model;
    QString m_auditPath, m_dashboard;
    QList<Lane> m_lanes;
    Services::FlagEventLog *m_flagEvents = nullptr;
    QString m_flagBackend;
    Services::GitHubClient *m_github = nullptr;
    QString m_githubHtml;
    const Clock *m_clock = nullptr;
    QTimer m_timer;
    QSet<quint64> m_seen;    // a 64-bit key per event: time, kind, title, state
    QSet<QString> m_strings; // one copy of each repeated text
    qint64 m_auditOffset = 0;
    QByteArray m_auditFirstLine; // a different first line: the log was replaced
    QDateTime m_flagsSince;
    QHash<int, Release::Level> m_pullLevels; // pull request number → its release level (labels)
    QHash<QString, int> m_shaPulls;          // merge commit → pull request number
    QList<Release::Change> m_changes;
    QMultiHash<QString, int> m_twins; // twin key (flag@environment, deployment) → index in m_changes
    QSet<quint64> m_seenChanges;      // origin, time and title of each change a service reported
    QHash<int, int> m_flagRows; // index in m_changes → model row, for changes a service showed before the audit log
    QHash<QString, int> m_deploymentRows; // "service/id/state" → model row
    Release::Freshness m_freshness;
    QDateTime m_staleSince;
    QStringList m_roundErrors;
    std::optional<Error> m_roundError;
    int m_pending = 0;
    int m_rounds = 0;
    bool m_busy = false;
    QString m_error;
};

} // namespace Raize::Ui
