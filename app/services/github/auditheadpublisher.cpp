#include "services/github/auditheadpublisher.h"

#include "core/logging.h"
#include "records/auditheadqueue.h"
#include "services/github/githubclient.h"

namespace Raize::Services {

using namespace Qt::StringLiterals;

QString AuditHeadPublisher::defaultIssueTitle()
{
    return u"Audit chain heads (raize-console)"_s;
}

AuditHeadPublisher::AuditHeadPublisher(GitHubClient &github, QString logPath, QString profile, QString issueTitle, int issueNumber,
                                       QObject *parent)
    : QObject(parent)
    , m_github(github)
    , m_logPath(std::move(logPath))
    , m_profile(std::move(profile))
    , m_title(issueTitle.trimmed().isEmpty() ? defaultIssueTitle() : issueTitle.trimmed())
    , m_issue(issueNumber > 0 ? issueNumber : 0)
{
}

void AuditHeadPublisher::findIssue(bool create, std::function<void(const Result<int> &)> done)
{
    if (m_issue > 0)
        return done(m_issue);
    QPointer<AuditHeadPublisher> self(this);
    m_github.issues({QString::fromLatin1(Label)}, u"all"_s, {}, [self, create, done](const Result<QList<GitHubIssue>> &issues) {
        if (!self)
            return;
        if (!issues)
            return done(issues.error());
        // The oldest issue of that title: a second one filed by a race is never the one read.
        int found = 0;
        for (const GitHubIssue &i : *issues) {
            if (i.title == self->m_title && (found == 0 || i.number < found))
                found = i.number;
        }
        if (found > 0) {
            self->m_issue = found;
            return done(found);
        }
        if (!create)
            return done(0);
        const QString body =
            u"Each raize-console profile publishes the head (sequence and hash) of its hash-chained audit log here at every "
            u"promotion and rollback and every %1 records, so a truncated, rewritten or replaced local log is found by "
            u"`raize-console audit verify --published`. Pin this issue; never edit or delete its comments (an edited head "
            u"is not trusted)."_s.arg(Records::AuditPublication::PublishEvery);
        self->m_github.createIssue(self->m_title, body, {QString::fromLatin1(Label)}, [self, done](const Result<GitHubIssue> &issue) {
            if (!self)
                return;
            if (!issue)
                return done(issue.error());
            self->m_issue = issue->number;
            done(issue->number);
        });
    });
}

void AuditHeadPublisher::publishPending(std::function<void(const Result<int> &)> done)
{
    m_waiters << std::move(done);
    if (m_busy)
        return; // the run under way answers every waiter
    m_busy = true;
    const Result<QList<Records::AuditHeadQueue::Entry>> queued = Records::AuditHeadQueue(m_logPath).pending();
    if (!queued)
        return finish(queued.error());
    if (queued->isEmpty())
        return finish(0);
    QPointer<AuditHeadPublisher> self(this);
    findIssue(true, [self](const Result<int> &issue) {
        if (!self)
            return;
        if (!issue)
            return self->finish(issue.error());
        self->postNext(*issue, 0);
    });
}

void AuditHeadPublisher::postNext(int issue, int posted)
{
    QString problem;
    const Result<QList<Records::AuditHeadQueue::Entry>> queued = Records::AuditHeadQueue(m_logPath).pending(&problem);
    if (!queued)
        return finish(queued.error());
    if (queued->isEmpty())
        return finish(posted);
    const Records::AuditHeadQueue::Entry next = queued->first();
    QPointer<AuditHeadPublisher> self(this);
    m_github.createIssueComment(issue, Records::AuditPublication::commentBody(next.seq, next.hash, m_profile, next.action),
                                [self, issue, next, posted](const Result<GitHubIssueComment> &c) {
        if (!self)
            return;
        if (!c)
            return self->finish(c.error());
        if (const Status dropped = Records::AuditHeadQueue(self->m_logPath).dropThrough(next.seq); !dropped)
            return self->finish(dropped.error());
        qCInfo(lcAudit, "published audit head #%lld as %s (request %s)", next.seq, qUtf8Printable(c->htmlUrl),
               qUtf8Printable(c->requestId));
        Q_EMIT self->published(next.seq, c->htmlUrl);
        self->postNext(issue, posted + 1);
    });
}

void AuditHeadPublisher::finish(const Result<int> &result)
{
    m_busy = false;
    if (!result)
        Q_EMIT failed(result.error().message);
    const auto waiters = std::exchange(m_waiters, {});
    for (const auto &w : waiters)
        w(result);
}

void AuditHeadPublisher::publishedHeads(
    const QString &login, std::function<void(const Result<QList<Records::PublishedHead>> &, const QStringList &ignored)> done)
{
    QPointer<AuditHeadPublisher> self(this);
    findIssue(false, [self, login, done](const Result<int> &issue) {
        if (!self)
            return;
        if (!issue)
            return done(issue.error(), {});
        if (*issue == 0)
            return done(QList<Records::PublishedHead>{}, {});
        self->m_github.issueComments(*issue, [login, done](const Result<QList<GitHubIssueComment>> &comments) {
            if (!comments)
                return done(comments.error(), {});
            QList<Records::HeadComment> mapped;
            for (const GitHubIssueComment &c : *comments)
                mapped << Records::HeadComment{c.id, c.body, c.author, c.htmlUrl, c.createdAt, c.updatedAt};
            QStringList ignored;
            const QList<Records::PublishedHead> heads = Records::AuditPublication::headsBy(mapped, login, &ignored);
            done(heads, ignored);
        });
    });
}

} // namespace Raize::Services
