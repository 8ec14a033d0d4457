#pragma once

#include "palette/paletteentry.h"

#include <QList>

class QWidget;

namespace Raize::Ui {

class MainWindow;

// What the command palette and the shortcut sheet list, read from the window
// itself so nothing can be left out: every view (Go menu), every action of the
// menu bar, and every button of every view and of the header, each with its
// shortcut, enabled state (and why not, from its tooltip) and whether it
// changes production (the "raize.changesProduction" property, set by
// markChangesProduction). Plus the recent targets the window's sources give.
QList<PaletteEntry> collectCommands(MainWindow &window);

// The buttons and actions of `root` (a view or a dialog) as palette entries;
// `area` prefixes each title ("Promotion: Promote to production").
QList<PaletteEntry> collectButtons(QWidget *root, const QString &area, const std::function<void()> &before = {});

// Marks a button or action as one that changes production.
inline constexpr const char *ChangesProductionProperty = "raize.changesProduction";

// The text a person reads on a control: "&Promote" → "Promote".
QString plainText(const QString &text);

} // namespace Raize::Ui
