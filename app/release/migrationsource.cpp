#include "release/migrationsource.h"

#include "services/github/githubclient.h"

#include <QPointer>

#include <memory>

namespace Raize::Release {

using namespace Qt::StringLiterals;

MigrationSource::MigrationSource(Services::GitHubClient &github, MigrationPolicy policy, QObject *parent)
    : QObject(parent)
    , m_github(github)
    , m_policy(std::move(policy))
{
}

void MigrationSource::check(const QString &base, const QString &head, std::function<void(const Result<MigrationReport> &)> done,
                            QHash<QString, QStringList> labels, QHash<QString, int> pullRequests)
{
    if (base.isEmpty() || head.isEmpty()) {
        done(Error::make(Error::Kind::Config, u"github"_s, u"the migration check needs both commits (base %1, head %2)"_s.arg(base, head),
                         u"Wait until both deployments name their commit, or check the migrations by hand."_s));
        return;
    }
    auto in = std::make_shared<MigrationInputs>();
    in->base = base;
    in->head = head;
    in->labels = std::move(labels);
    in->pullRequest = std::move(pullRequests);
    QPointer<MigrationSource> self(this);
    m_github.compare(base, head, [self, in, done](const Result<Services::GitHubComparison> &cmp) {
        if (!self)
            return;
        if (!cmp) {
            Error e = cmp.error();
            e.message = u"cannot list the files changed between %1 and %2: %3"_s.arg(in->base.left(12), in->head.left(12), e.message);
            return done(e);
        }
        in->changedFiles = cmp->files;
        in->fileStatus = cmp->fileStatus;
        in->listComplete = cmp->filesComplete;
        // Read the migration files still there at head, at most maxFilesRead of them.
        QStringList toRead;
        for (const QString &f : std::as_const(in->changedFiles)) {
            if (self->m_policy.isMigration(f) && in->fileStatus.value(f) != u"removed"_s && toRead.size() < self->m_policy.maxFilesRead)
                toRead << f;
        }
        if (toRead.isEmpty())
            return done(classifyMigrations(*in, self->m_policy));
        auto pending = std::make_shared<int>(int(toRead.size()));
        for (const QString &path : std::as_const(toRead)) {
            self->m_github.contents(path, in->head, [self, in, path, pending, done](const Result<Services::GitHubContent> &c) {
                if (!self)
                    return;
                if (!c) {
                    in->contents.insert(path, std::nullopt);
                    in->readErrors.insert(path, c.error().toString());
                } else if (c->tooLarge) {
                    in->contents.insert(path, std::nullopt);
                    in->readErrors.insert(path, u"over 1 MB: GitHub does not send its content"_s);
                } else {
                    in->contents.insert(path, c->content);
                }
                if (--*pending == 0)
                    done(classifyMigrations(*in, self->m_policy));
            });
        }
    });
}

} // namespace Raize::Release
