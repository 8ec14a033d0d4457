#pragma once

#include "palette/paletteentry.h"

#include <QDialog>

class QTreeWidget;

namespace Raize::Ui {

// F1 (QKeySequence::HelpContents) or "?" outside a text field: every shortcut
// of the console, grouped by where it acts, read from the same entries as the
// command palette (so the sheet cannot drift from the menus).
class ShortcutSheet : public QDialog
{
    Q_OBJECT

public:
    explicit ShortcutSheet(QWidget *parent = nullptr);

    void setEntries(const QList<PaletteEntry> &entries);
    QTreeWidget *table() const { return m_table; }

private:
    QTreeWidget *m_table;
};

} // namespace Raize::Ui
