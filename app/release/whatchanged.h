#pragma once

#include "release/change.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Raize::Release {

// What a page is about (issue #19 item 2): where the burn is.
struct PageScope
{
    QString environment = QStringLiteral("production"); // compared without case
    QStringList cohorts;  // the paging cohort(s)
    QStringList clients;  // their client and platform account ids (a cohort's flag scope names these)
    QStringList flags;    // the flags on for that cohort (the canary's flags)
    QString lane;         // "api", "browser" (empty: every lane)
    QString service;      // "web", "runner", "tools" (empty: unknown)
    QString deploymentId; // the production deployment serving when the burn began
};

// One candidate cause with its rank and the reasons for it, in words.
struct RankedChange
{
    Change change;
    int score = 0;
    QStringList reasons; // "same flag publishing.v2", "12 min before the onset", ...

    QString reason() const { return reasons.join(QStringLiteral(" · ")); }
};

// "What changed" when a page fires: the changes in [onset − window, onset]
// (a change after the onset cannot have started the burn; one before the
// window is too old to be shown), ranked by how well they match the page's
// scope (same flag, cohort, lane, service or deployment; another cohort,
// service or environment counts against), then by nearness to the onset,
// then newest first. Pure: the same changes, scope and onset give the same list.
QList<RankedChange> whatChanged(const QList<Change> &changes, const PageScope &scope, qint64 onsetMs, qint64 windowMs);

// The list as lines, one per change: "1. [score] title — reasons" (tests, the CLI, the clipboard).
QString describeRanking(const QList<RankedChange> &ranked);

} // namespace Raize::Release
