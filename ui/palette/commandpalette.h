#pragma once

#include "palette/paletteentry.h"

#include <QDialog>

#include <functional>

class QLabel;
class QLineEdit;
class QListView;

namespace Raize::Ui {

class PaletteModel;

// Ctrl+K: every view, action and recent target by fuzzy search, with its
// shortcut; entries that change production are marked. Typing filters, Up and
// Down move, Enter runs the entry (after the palette closed, so a dialog it
// opens gets the focus), Escape closes. Entries are collected anew each time it
// opens, so a disabled action shows as disabled with the reason.
class CommandPalette : public QDialog
{
    Q_OBJECT

public:
    using Source = std::function<QList<PaletteEntry>()>;

    explicit CommandPalette(Source source, QWidget *parent = nullptr);

    // Collects the entries, clears the filter and shows the palette with the focus in the search field.
    void open() override;
    PaletteModel *model() const { return m_model; }
    QLineEdit *searchField() const { return m_search; }
    QListView *list() const { return m_list; }

Q_SIGNALS:
    void entryRun(const QString &id);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void runCurrent();
    void selectRow(int row);

    Source m_source;
    PaletteModel *m_model;
    QLineEdit *m_search;
    QListView *m_list;
    QLabel *m_hint;
};

} // namespace Raize::Ui
