#pragma once

#include "core/result.h"
#include "records/auditrecord.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Records {

// A chain head (sequence and hash) published outside this machine: a comment
// on the platform repository's audit issue (issue #17 item 7, ADR 0031).
struct PublishedHead
{
    qint64 seq = 0;
    QString hash;
    QString author;    // the GitHub login that posted it
    qint64 commentId = 0;
    QDateTime createdAt, updatedAt;
    QString url;
};

// An issue comment as the check needs it (the GitHub client's comments, mapped).
struct HeadComment
{
    qint64 id = 0;
    QString body, author, url;
    QDateTime createdAt, updatedAt;
};

// The verdict of `audit verify --published`: the local chain against every
// head this login published.
struct PublishedCheck
{
    bool passed = false;
    qint64 headsChecked = 0;   // heads compared
    qint64 lastMatchedSeq = 0; // the highest published head the log still holds
    qint64 firstMissingSeq = 0; // 0 when passed: the first record the log no longer holds as published
    QString summary;            // one line an operator can act on
    QStringList ignored;        // comments not taken, with why (another login, edited, not a head)
};

// Publishing chain heads: the comment's text, which records earn one, and
// the comparison with the local log. Pure functions; the queue and the
// publisher live in AuditHeadQueue and Services::AuditHeadPublisher.
namespace AuditPublication {

// Every 100th record gets its head published, and every promotion and rollback.
constexpr qint64 PublishEvery = 100;
bool wantsHead(const AuditRecord &record);

// The comment: a line for people and a machine-readable marker (an HTML comment, invisible on GitHub).
QString commentBody(qint64 seq, const QString &hash, const QString &profile, const QString &action);
// The head in a comment body; nullopt when the body carries none (or a malformed one).
std::optional<PublishedHead> parseCommentBody(const QString &body);

// The heads `login` published, in sequence order. A comment by another login,
// an edited one (updated_at != created_at: a published head is never edited,
// so an edit is not trusted) or one without a head is left out and named in *ignored.
QList<PublishedHead> headsBy(const QList<HeadComment> &comments, const QString &login, QStringList *ignored = nullptr);

// The local log's bytes against the published heads: a truncated, rewritten
// or replaced log fails with the first sequence it no longer holds as published.
PublishedCheck check(const QByteArray &logBytes, const QList<PublishedHead> &heads);

} // namespace AuditPublication

} // namespace Raize::Records
