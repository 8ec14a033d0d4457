#pragma once

#include "records/releasenotes.h"
#include "services/github/githubclient.h"

namespace Raize::Services {

// Creates the GitHub Release draft for release notes (issue #10).
class GitHubReleasePublisher final : public Records::ReleasePublisher
{
public:
    explicit GitHubReleasePublisher(GitHubClient &client) : m_client(client) {}
    Result<QString> createDraft(const Records::ReleaseNotes &notes) override;

private:
    GitHubClient &m_client;
};

} // namespace Raize::Services
