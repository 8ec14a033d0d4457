#pragma once

#include "records/evidencenotes.h"
#include "release/releaseevidence.h"
#include "release/validationsession.h"

#include <memory>

namespace Raize {

class Workspace;
namespace Release {
class Promotion;
}

// The validation of what a promotion just sent to production: its candidate, level, pull requests.
Release::ValidationRun validationSeedFrom(const Release::Promotion &promotion, const QString &actor);

// The post-release validation of a profile, on its workspace's Prometheus (the SLO counters, read
// with an SloFeed) and GitHub (the journal, through GitHubJournalPublisher on the policy's branch).
// A service the profile does not have leaves its function empty: the session says what to set.
// The evidence of what a promotion just sent to production (its review as it was at the promote), for
// its release notes; incidents are read when the notes are drafted (withOpenIncidents).
Records::ReleaseEvidence releaseEvidenceOf(const Release::Promotion &promotion, const Workspace &workspace);
// Records it (EvidenceStore of the profile) and starts its post-release validation: what a promote does
// after it succeeded, in the console and in `promote run`. Returns what to tell the operator.
QString recordPromotion(const Release::Promotion &promotion, Workspace &workspace, Release::ValidationSession &validations);
// The evidence with its known issues: the repository's open incidents (label "incident"), or why they
// could not be read (no GitHub, or its error).
void withOpenIncidents(Workspace &workspace, Records::ReleaseEvidence evidence, std::function<void(const Records::ReleaseEvidence &)> done);

std::unique_ptr<Release::ValidationSession> validationSessionFor(Workspace &workspace, const Clock &clock = Clock::system(),
                                                                 QObject *parent = nullptr);
Release::ValidationServices validationServicesFor(Workspace &workspace);

} // namespace Raize
