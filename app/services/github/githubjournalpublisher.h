#pragma once

#include "records/journal.h"
#include "services/github/githubclient.h"

namespace Raize::Services {

// Where the journal lives in the platform repository (the policy's `records.journal`).
struct JournalTarget
{
    QString branch = QStringLiteral("raize/journal"); // never main: main is protected (playbook §3.2)
    QString base = QStringLiteral("main");           // what the pull request goes into
    QString directory = QStringLiteral("docs/journal");
};

struct JournalPublication
{
    QString file;      // docs/journal/2026-12-06.md
    QString branch;
    QString commitSha; // empty when the entry was there already
    QString commitUrl;
    GitHubPullRef pull;
    int writes = 0;          // PUTs sent (a moved file costs one more)
    bool alreadyThere = false; // the entry's marker was in the file: nothing written
};

// Appends a journal entry to docs/journal/YYYY-MM-DD.md (the entry's UTC date) in the platform
// repository (issue #19 item 4): on its own branch (created from base when missing), through the
// contents API with the file's sha as guard, and with one open pull request from that branch.
// Append-only: the file is re-read and the entry appended to what is there; a PUT refused because
// the file moved on (409, or 422 about the sha) is re-read and re-appended, up to MaxWrites times.
// An entry with an id is written once: when its marker is in the file already (a lost answer, a
// resumed run), nothing is written again.
class GitHubJournalPublisher
{
public:
    static constexpr int MaxWrites = 4;

    GitHubJournalPublisher(GitHubClient &github, JournalTarget target);

    void append(const Records::JournalEntry &entry, GitHubClient::Callback<JournalPublication> done);
    QString fileFor(const QDate &date) const;

private:
    GitHubClient &m_github;
    JournalTarget m_target;
};

} // namespace Raize::Services
