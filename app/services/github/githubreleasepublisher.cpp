#include "services/github/githubreleasepublisher.h"

#include <QEventLoop>

namespace Raize::Services {

Result<QString> GitHubReleasePublisher::createDraft(const Records::ReleaseNotes &notes)
{
    QEventLoop loop;
    std::optional<Result<QString>> out;
    m_client.createRelease(notes.tag, notes.title, notes.body, true, [&](const Result<GitHubRelease> &r) {
        out = r ? Result<QString>(r->htmlUrl) : Result<QString>(r.error());
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

} // namespace Raize::Services
