#include "palette/palettemodel.h"

#include "palette/fuzzymatch.h"

#include <QFont>

#include <algorithm>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

QString PaletteEntry::kindName(Kind kind)
{
    switch (kind) {
    case Kind::View:
        return u"view"_s;
    case Kind::Action:
        return u"action"_s;
    case Kind::Target:
        break;
    }
    return u"target"_s;
}

PaletteModel::PaletteModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void PaletteModel::setEntries(QList<PaletteEntry> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    m_rows.clear();
    endResetModel();
    refilter();
}

void PaletteModel::setFilterText(const QString &text)
{
    if (text == m_filter)
        return;
    m_filter = text;
    refilter();
}

void PaletteModel::refilter()
{
    QList<Row> rows;
    for (int i = 0; i < m_entries.size(); ++i) {
        const PaletteEntry &e = m_entries.at(i);
        QList<int> positions;
        std::optional<int> score = fuzzyScore(m_filter, e.title, &positions);
        if (!score) {
            // The shortcut's text and the detail also find an entry ("ctrl+k", "production"), ranked lower.
            score = fuzzyScore(m_filter, e.shortcut.toString(QKeySequence::NativeText));
            if (!score)
                score = fuzzyScore(m_filter, e.detail);
            if (!score)
                continue;
            *score -= 50;
            positions.clear();
        }
        rows.append({i, *score, positions});
    }
    std::stable_sort(rows.begin(), rows.end(), [this](const Row &a, const Row &b) {
        if (a.score != b.score)
            return a.score > b.score;
        const PaletteEntry &ea = m_entries.at(a.entry), &eb = m_entries.at(b.entry);
        if (ea.kind != eb.kind)
            return int(ea.kind) < int(eb.kind);
        return ea.title.localeAwareCompare(eb.title) < 0;
    });
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int PaletteModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant PaletteModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const PaletteEntry &e = m_entries.at(row.entry);
    switch (role) {
    case Qt::DisplayRole: {
        QString text = e.title;
        if (e.changesProduction)
            text += u"   ⚠ changes production"_s;
        if (!e.shortcut.isEmpty())
            text += u"   ["_s + e.shortcut.toString(QKeySequence::NativeText) + u']';
        return text;
    }
    case Qt::ToolTipRole:
        return e.detail.isEmpty() ? e.title : QString(e.title + u'\n' + e.detail);
    case Qt::AccessibleTextRole:
        return QString(e.title + (e.changesProduction ? u", changes production"_s : QString())
                       + (e.shortcut.isEmpty() ? QString() : QString(u", shortcut "_s + e.shortcut.toString(QKeySequence::NativeText)))
                       + (e.enabled ? QString() : QString(u", disabled: "_s + e.detail)));
    case Qt::FontRole:
        if (e.changesProduction) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case ShortcutRole:
        return e.shortcut.toString(QKeySequence::NativeText);
    case KindRole:
        return PaletteEntry::kindName(e.kind);
    case ChangesProductionRole:
        return e.changesProduction;
    case IdRole:
        return e.id;
    case DetailRole:
        return e.detail;
    case MatchPositionsRole:
        return QVariant::fromValue(row.positions);
    default:
        return {};
    }
}

Qt::ItemFlags PaletteModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    const PaletteEntry &e = m_entries.at(m_rows.at(index.row()).entry);
    return e.enabled ? Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren : Qt::ItemNeverHasChildren;
}

const PaletteEntry *PaletteModel::entry(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return nullptr;
    return &m_entries.at(m_rows.at(row).entry);
}

bool PaletteModel::run(int row) const
{
    const PaletteEntry *e = entry(row);
    if (!e || !e->enabled || !e->run)
        return false;
    e->run();
    return true;
}

} // namespace Raize::Ui
