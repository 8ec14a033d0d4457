#pragma once

#include "mainwindow.h"
#include "palette/paletteentry.h"

#include <QList>
#include <QStringList>

namespace Raize::Ui {

class FlagsPane;
class MainWindow;
class TimelineView;

// The controls that change production, by objectName: the command palette and
// the shortcut sheet mark them (they still ask for their own confirmation).
// One table, checked by a test against the window so a rename cannot drop a mark.
const QStringList &productionControls();
// Sets the ChangesProductionProperty on every control of productionControls() under `window`;
// returns the names it did not find.
QStringList markProductionControls(MainWindow &window);

// Recent targets from the timeline (deployments, rollbacks, incidents, the newest first, at most `limit`)
// and the flags the flag service serves; choosing one shows its view with it selected.
MainWindow::PaletteSource timelineTargets(MainWindow &window, TimelineView *timeline, int limit = 30);
MainWindow::PaletteSource flagTargets(MainWindow &window, FlagsPane *flags);

} // namespace Raize::Ui
