#pragma once

#include "core/result.h"

#include <QMap>
#include <QStringList>

namespace Raize::Policy {
struct Bundle;
}

namespace Raize::Records {

// The policy's `records` section (issue #19 items 4–6): what the post-release validation watches
// and for how long, where its journal entry goes, and what a client may read of the release notes.
struct RecordsPolicy
{
    // records.validation: the SLO ids checked after a production promotion (playbook §6.3) and the
    // window per release level ("L3": 120 minutes, the playbook's longest).
    QStringList validationChecks{QStringLiteral("publish_success"), QStringLiteral("verification_ttv"), QStringLiteral("queue_delay"),
                                 QStringLiteral("runner_availability"), QStringLiteral("browser_drift")};
    QMap<QString, qint64> validationWindowSecs{{QStringLiteral("L0"), 15 * 60},
                                              {QStringLiteral("L1"), 30 * 60},
                                              {QStringLiteral("L2"), 60 * 60},
                                              {QStringLiteral("L3"), 120 * 60}};
    // records.journal: the platform repository's journal, on a branch of its own (main is protected, §3.2).
    QString journalBranch = QStringLiteral("raize/journal");
    QString journalBase = QStringLiteral("main");
    QString journalDirectory = QStringLiteral("docs/journal");
    // records.releaseNotes.clientSections: the sections of the release notes a client version shows (§11.2).
    QStringList clientSections{QStringLiteral("highlights"), QStringLiteral("knownIssues")};

    // records.dora.changeFailWindowHours: a production deployment followed within this window by a rollback
    // or an incident that links it failed (DORA's change fail rate).
    qint64 changeFailWindowSecs = 24 * 3600;

    // The window for a level; the longest one for an unknown level (the stricter reading).
    qint64 windowSecsFor(const QString &level) const;
};

// The section from a bundle; the defaults above where it says nothing. A wrong type, an unknown
// check or section, a window of zero or a journal branch equal to its base is refused with its path.
Result<RecordsPolicy> recordsPolicyFromBundle(const Policy::Bundle &bundle);

// Every section name of the release notes, in order (records.releaseNotes.clientSections picks from these).
QStringList releaseNoteSections();

} // namespace Raize::Records
