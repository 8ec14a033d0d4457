#pragma once

#include "palette/paletteentry.h"

#include <QAbstractListModel>

namespace Raize::Ui {

// The palette's list: every entry that matches the filter text, best match
// first (fuzzyScore), then views before actions before targets, then by title.
class PaletteModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        ShortcutRole = Qt::UserRole + 1, // QString, native text
        KindRole,                        // QString: view, action, target
        ChangesProductionRole,           // bool
        IdRole,                          // QString
        DetailRole,                      // QString
        MatchPositionsRole,              // QList<int>: matched characters of the title
    };

    explicit PaletteModel(QObject *parent = nullptr);

    void setEntries(QList<PaletteEntry> entries);
    void setFilterText(const QString &text);
    QString filterText() const { return m_filter; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    const PaletteEntry *entry(int row) const;
    const QList<PaletteEntry> &allEntries() const { return m_entries; }
    // Runs the entry of `row` if it is enabled; false otherwise.
    bool run(int row) const;

private:
    void refilter();

    struct Row
    {
        int entry = 0;
        int score = 0;
        QList<int> positions;
    };
    QList<PaletteEntry> m_entries;
    QList<Row> m_rows;
    QString m_filter;
};

} // namespace Raize::Ui
