#include "services/github/githubjournalpublisher.h"

#include <memory>

namespace Raize::Services {

using namespace Qt::StringLiterals;

namespace {

struct Run
{
    Records::JournalEntry entry;
    QDate date;
    JournalPublication out;
    GitHubClient::Callback<JournalPublication> done;
};

bool shaMismatch(const Error &e)
{
    // GitHub: 409 "… does not match <sha>", or 422 "sha wasn't supplied" / "Invalid request" about the sha.
    return e.httpStatus == 409 || (e.httpStatus == 422 && e.message.contains(u"sha"_s, Qt::CaseInsensitive));
}

bool unclear(const Error &e)
{
    return e.httpStatus == 0 || e.httpStatus >= 500 || e.kind == Error::Kind::Timeout || e.kind == Error::Kind::Network;
}

Error withRemedy(Error e, const QString &what, const QString &repo)
{
    e.message = what + u": "_s + e.message;
    if (e.httpStatus == 401)
        e.remedy = u"the GitHub token was refused: set a valid one (raize-console token set github)"_s;
    else if (e.httpStatus == 403 || e.httpStatus == 404)
        e.remedy = u"the token needs Contents and Pull requests write access on %1, and the policy's "
                   u"records.journal branches must exist there; then run raize-console validate again"_s.arg(repo);
    else if (e.remedy.isEmpty() || e.httpStatus == 0 || e.httpStatus >= 500 || e.httpStatus == 429)
        e.remedy = u"GitHub did not answer as it should: run raize-console validate again (the console retries every minute); "
                   u"the entry is written once, whatever happened before"_s;
    return e;
}

struct Ctx
{
    GitHubClient *gh;
    JournalTarget target;
    QString repo;
    std::shared_ptr<Run> run;
};

// Step 4: the one open pull request from the branch.
void pullRequest(const Ctx &c)
{
    c.gh->openPullsFrom(c.target.branch, c.target.base, [c](const Result<QList<GitHubPullRef>> &open) {
        const auto &run = c.run;
        if (!open)
            return run->done(withRemedy(open.error(), u"looking for the journal's pull request"_s, c.repo));
        if (!open->isEmpty()) {
            run->out.pull = open->first();
            return run->done(run->out);
        }
        const QString title = u"Journal: %1"_s.arg(run->date.toString(Qt::ISODate));
        const QString body = u"Entries the release console appended to `%1` (post-release validation, playbook §6.3). "
                             u"Append-only: merge as is."_s.arg(run->out.file);
        c.gh->createPullRequest(c.target.branch, c.target.base, title, body, [c](const Result<GitHubPullRef> &pull) {
            if (!pull)
                return c.run->done(withRemedy(pull.error(), u"opening the journal's pull request"_s, c.repo));
            c.run->out.pull = *pull;
            c.run->done(c.run->out);
        });
    });
}

// Steps 2 and 3: read the file on the branch, append, write with its sha; again when it moved on.
void readAndWrite(const Ctx &c)
{
    c.gh->contents(c.run->out.file, c.target.branch, [c](const Result<GitHubContent> &file) {
        const auto &run = c.run;
        QString existing, sha;
        if (file) {
            if (file->tooLarge)
                return run->done(Error::make(Error::Kind::Refused, u"github"_s,
                                             u"%1 on %2 is over 1 MB: the contents API cannot append to it"_s.arg(run->out.file, c.target.branch),
                                             u"merge the journal's pull request and start a new day's file"_s));
            existing = QString::fromUtf8(file->content);
            sha = file->sha;
        } else if (file.error().httpStatus != 404) {
            return run->done(withRemedy(file.error(), u"reading %1 on %2"_s.arg(run->out.file, c.target.branch), c.repo));
        }
        if (Records::Journal::containsEntry(existing, run->entry.id)) {
            run->out.alreadyThere = run->out.commitSha.isEmpty() && run->out.writes == 0;
            return pullRequest(c);
        }
        if (run->out.writes >= GitHubJournalPublisher::MaxWrites) {
            return run->done(Error::make(Error::Kind::Conflict, u"github"_s,
                                         u"%1 on %2 moved on %3 times while the entry was appended"_s.arg(run->out.file, c.target.branch)
                                             .arg(GitHubJournalPublisher::MaxWrites),
                                         u"run raize-console validate again in a minute"_s));
        }
        ++run->out.writes;
        const QByteArray text = Records::Journal::appendedText(existing, run->date, run->entry).toUtf8();
        const QString message = u"journal: %1"_s.arg(run->entry.title);
        c.gh->putContents(run->out.file, c.target.branch, text, sha, message, [c](const Result<GitHubFileCommit> &put) {
            if (put) {
                c.run->out.commitSha = put->commitSha;
                c.run->out.commitUrl = put->htmlUrl;
                return pullRequest(c);
            }
            // The file moved on (someone appended meanwhile), or the answer was lost: read it again;
            // the entry's marker tells whether it is in.
            if (shaMismatch(put.error()) || unclear(put.error()))
                return readAndWrite(c);
            c.run->done(withRemedy(put.error(), u"writing %1"_s.arg(c.run->out.file), c.repo));
        });
    });
}

} // namespace

GitHubJournalPublisher::GitHubJournalPublisher(GitHubClient &github, JournalTarget target)
    : m_github(github)
    , m_target(std::move(target))
{
}

QString GitHubJournalPublisher::fileFor(const QDate &date) const
{
    QString dir = m_target.directory;
    while (dir.endsWith(u'/'))
        dir.chop(1);
    return dir + u'/' + date.toString(Qt::ISODate) + u".md"_s;
}

void GitHubJournalPublisher::append(const Records::JournalEntry &entry, GitHubClient::Callback<JournalPublication> done)
{
    if (m_target.branch.isEmpty() || m_target.branch == m_target.base) {
        return done(Error::make(Error::Kind::Config, u"github"_s,
                                u"the journal branch \"%1\" is the pull request's base: the entry would go straight to it"_s.arg(m_target.branch),
                                u"name a branch of its own in the policy's records.journal.branch"_s));
    }
    auto run = std::make_shared<Run>();
    run->entry = entry;
    if (!run->entry.time.isValid())
        run->entry.time = QDateTime::currentDateTimeUtc();
    run->date = run->entry.time.toUTC().date();
    run->out.file = fileFor(run->date);
    run->out.branch = m_target.branch;
    run->done = std::move(done);
    const Ctx c{&m_github, m_target, m_github.fullName(), run};

    // Step 1: the branch, from base's head when it is not there yet.
    m_github.branchHead(c.target.branch, [c](const Result<GitHubRef> &head) {
        if (head)
            return readAndWrite(c);
        if (head.error().httpStatus != 404)
            return c.run->done(withRemedy(head.error(), u"reading the journal branch %1"_s.arg(c.target.branch), c.repo));
        c.gh->branchHead(c.target.base, [c](const Result<GitHubRef> &base) {
            if (!base)
                return c.run->done(withRemedy(base.error(), u"reading the base branch %1"_s.arg(c.target.base), c.repo));
            c.gh->createBranch(c.target.branch, base->sha, [c](const Result<GitHubRef> &created) {
                // 422 "Reference already exists": another console created it meanwhile.
                if (!created && created.error().httpStatus != 422)
                    return c.run->done(withRemedy(created.error(), u"creating the journal branch %1"_s.arg(c.target.branch), c.repo));
                readAndWrite(c);
            });
        });
    });
}

} // namespace Raize::Services
