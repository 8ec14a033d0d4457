#pragma once

#include "core/result.h"
#include "records/auditpublication.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace Raize::Services {

class GitHubClient;

// Publishes the audit log's queued chain heads as comments on the platform
// repository's audit issue, and reads back the heads a login published
// (issue #17 item 7, ADR 0031). The issue is found by its number (the
// policy's audit.issue.number) or by its title among the issues labelled
// `raize-audit`, and filed when there is none. Heads go one comment each,
// oldest first, through GitHub's serial queue; a head leaves the queue only
// once GitHub took it. Nothing here runs inside an audit append.
class AuditHeadPublisher : public QObject
{
    Q_OBJECT

public:
    static constexpr auto Label = "raize-audit";
    static QString defaultIssueTitle();

    // github: not owned, outlives this object. issueNumber 0: find it by title (or file it).
    AuditHeadPublisher(GitHubClient &github, QString logPath, QString profile, QString issueTitle = {}, int issueNumber = 0,
                       QObject *parent = nullptr);

    // Posts every queued head; done(how many were posted) or the first error (the rest stay queued).
    void publishPending(std::function<void(const Result<int> &)> done);
    bool busy() const { return m_busy; }
    // The audit issue's number: done(0) when there is none and `create` is false.
    void findIssue(bool create, std::function<void(const Result<int> &)> done);
    // The heads `login` published on the audit issue, with the comments left out and why.
    void publishedHeads(const QString &login,
                        std::function<void(const Result<QList<Records::PublishedHead>> &, const QStringList &ignored)> done);

Q_SIGNALS:
    void published(qint64 seq, const QString &url);
    void failed(const QString &message);

private:
    void postNext(int issue, int posted);
    void finish(const Result<int> &result);

    GitHubClient &m_github;
    QString m_logPath, m_profile, m_title;
    int m_issue;
    bool m_busy = false;
    QList<std::function<void(const Result<int> &)>> m_waiters;
};

} // namespace Raize::Services
