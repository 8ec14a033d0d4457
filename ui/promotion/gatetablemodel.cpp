#include "promotion/gatetablemodel.h"

#include <QColor>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

GateTableModel::GateTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int GateTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

int GateTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant GateTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Release::GateResult &r = m_results.at(index.row());
    const bool overridden = m_overridden.contains(r.id);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Gate:
            return r.title;
        case Status: {
            QString s = Release::GateResult::statusName(r.status).toUpper();
            if (overridden)
                s += tr(" (overridden)");
            else if (r.status != Release::GateResult::Status::Pass && !r.overridable)
                s += tr(" · no override");
            return s;
        }
        case Reason:
            return r.reason;
        case Evidence:
            return r.evidence;
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == Evidence && !r.evidence.isEmpty() ? tr("Double-click to open %1").arg(r.evidence) : r.reason;
    case Qt::ForegroundRole:
        if (index.column() != Status)
            return {};
        if (overridden)
            return QColor(0xe6, 0x51, 0x00);
        switch (r.status) {
        case Release::GateResult::Status::Pass:
            return QColor(0x2e, 0x7d, 0x32);
        case Release::GateResult::Status::Fail:
            return QColor(0xc6, 0x28, 0x28);
        case Release::GateResult::Status::Unknown:
            return QColor(0xb2, 0x6a, 0x00);
        }
        return {};
    case UrlRole:
        return r.evidence;
    default:
        return {};
    }
}

QVariant GateTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    static const char *const names[] = {"Gate", "Status", "Reason", "Evidence"};
    return QString::fromLatin1(names[section]);
}

void GateTableModel::setResults(const QList<Release::GateResult> &results, const QStringList &overridden)
{
    beginResetModel();
    m_results = results;
    m_overridden = overridden;
    endResetModel();
}

} // namespace Raize::Ui
