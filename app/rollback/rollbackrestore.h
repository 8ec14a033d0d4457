#pragma once

// Restore (issue #16 item 10, playbook §7.4 Option A: patch forward): after a
// flag rollback, re-enable exactly what the run turned off. Scoped steps undo
// the strategy edits the run journal wrote ahead (each strategy re-read
// first: one that moved since stops the restore, saying what changed);
// global steps turn the environment back on. Linked to the fix-forward pull
// request, audited, recorded in the run's own journal. The canary stages
// then go on from the restored state: the rollout monitor watches the burn
// rates of every cohort again as soon as the flags are served.

#include "core/result.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/runjournal.h"
#include "services/flags/flagservice.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Raize::Rollback {

struct RestoreStep
{
    QString flag;
    // Scoped: the edits to undo (from the journal). Unset: the run turned the
    // flag off for the whole environment, and `on` turns it back on.
    std::optional<Services::ServeEdits> edits;
    Services::ServeChange on;
    // The edits go forward (before → after: a stage of the way back through
    // the canary, stagedrestore.h) rather than being undone (after → before).
    bool forward = false;
};

struct RestorePlan
{
    QString runId;
    QString scope; // the run's scope, in words
    QList<RestoreStep> steps;
    QStringList refusals; // why it cannot run; empty: it can
    QStringList notes;

    bool executable() const { return refusals.isEmpty(); }
    // "1. publishing.enabled — undo 2 strategy edits (clients house …)" lines.
    QString describe() const;
    nlohmann::json toJson() const;
};

// Pure: what restoring the run would do, from its journal alone.
RestorePlan restorePlan(const RunJournal &journal);

// A fix-forward pull request link: empty (none given) or https://github.com/OWNER/REPO/pull/N.
Status checkPullRequestUrl(const QString &url);

// Runs the plan: each step in order, a "restore" record in the run's journal
// before ("restore-intent") and after ("restored" / "restore-failed"), an
// audit record per flag and one for the restore. Stops at the first failure.
void runRestore(RunJournal &journal, const RestorePlan &plan, const Clients &clients, const QString &pullRequest,
                std::function<void(const Result<nlohmann::json> &)> done);

} // namespace Raize::Rollback
