#include "canary/cohorttablemodel.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Ui {

namespace {

json list(const QString &text)
{
    json out = json::array();
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        if (const QString s = part.trimmed(); !s.isEmpty())
            out.push_back(s.toStdString());
    }
    return out;
}

} // namespace

void CohortTableModel::setCohorts(const QList<Release::Cohort> &cohorts)
{
    beginResetModel();
    m_rows.clear();
    for (const Release::Cohort &c : cohorts)
        m_rows.append(Row{{c.id, c.name, c.clientIds.join(u", "_s), c.platformAccountIds.join(u", "_s)}});
    endResetModel();
}

json CohortTableModel::toJson() const
{
    json out = json::array();
    for (const Row &r : m_rows) {
        json o = {{"id", r.cells[IdColumn].trimmed().toStdString()},
                  {"clientIds", list(r.cells[ClientsColumn])},
                  {"platformAccounts", list(r.cells[AccountsColumn])}};
        if (const QString name = r.cells[NameColumn].trimmed(); !name.isEmpty())
            o["name"] = name.toStdString();
        out.push_back(o);
    }
    return out;
}

int CohortTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CohortTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CohortTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QString &text = m_rows[index.row()].cells[index.column()];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return text;
    case Qt::ToolTipRole:
        if (index.column() == ClientsColumn || index.column() == AccountsColumn)
            return u"Comma-separated ids; \"*\" alone means everyone the other cohorts do not list."_s;
        return {};
    default:
        return {};
    }
}

bool CohortTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !index.isValid())
        return false;
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    QString &cell = m_rows[index.row()].cells[index.column()];
    if (cell == value.toString())
        return true;
    cell = value.toString();
    Q_EMIT dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole});
    return true;
}

Qt::ItemFlags CohortTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable;
}

QVariant CohortTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const QString titles[ColumnCount] = {u"Id"_s, u"Name"_s, u"Client ids"_s, u"Platform account ids"_s};
    return titles[section];
}

bool CohortTableModel::insertRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || row > m_rows.size() || count <= 0)
        return false;
    beginInsertRows(parent, row, row + count - 1);
    for (int i = 0; i < count; ++i)
        m_rows.insert(row, Row{});
    endInsertRows();
    return true;
}

bool CohortTableModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count <= 0 || row + count > m_rows.size())
        return false;
    beginRemoveRows(parent, row, row + count - 1);
    m_rows.remove(row, count);
    endRemoveRows();
    return true;
}

} // namespace Raize::Ui
