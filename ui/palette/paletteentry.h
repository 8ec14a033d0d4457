#pragma once

#include <QKeySequence>
#include <QString>

#include <functional>

namespace Raize::Ui {

// One thing the command palette can do: open a view, run an action, or go to
// a recent target (a deployment, a flag, a cohort, an incident).
struct PaletteEntry
{
    enum class Kind { View, Action, Target };

    QString id;          // stable: "view:canary", "action:promotionPromote", "target:deployment:dpl_x"
    QString title;       // what the operator reads and searches: "Promotion: Promote to production"
    QString detail;      // one line under it (where it lives, why it is disabled)
    Kind kind = Kind::Action;
    QKeySequence shortcut;
    bool changesProduction = false; // marked in the list; still behind its own confirmation
    bool enabled = true;
    std::function<void()> run;

    static QString kindName(Kind kind);
};

} // namespace Raize::Ui
