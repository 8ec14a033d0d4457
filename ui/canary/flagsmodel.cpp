#include "flagsmodel.h"


#include <QBrush>
#include <QColor>
#include <QFont>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

void FlagsModel::setSnapshot(const Release::FlagSnapshot &snapshot)
{
    // The list is small (tens of flags): a reset keeps it simple and exact.
    beginResetModel();
    m_snapshot = snapshot;
    endResetModel();
}

void FlagsModel::setSideEffectFlags(const Policy::SideEffectFlags &flags)
{
    m_sideEffects = flags;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int FlagsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_snapshot.flags.size());
}

int FlagsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FlagsModel::reach(const Services::FlagState &flag)
{
    QStringList parts;
    for (const Services::FlagStrategy &s : flag.strategies) {
        if (s.disabled)
            continue;
        QString part = s.scope.describe();
        if (s.rolloutPercent >= 0 && s.rolloutPercent < 100)
            part += u" at %1 %"_s.arg(s.rolloutPercent);
        parts << part;
    }
    QString out = parts.isEmpty() ? u"no strategy: nobody"_s : parts.join(u"; "_s);
    QStringList parents;
    for (const Services::FlagDependency &d : flag.dependencies) {
        QString p = d.enabled ? d.feature : d.feature + u" off"_s;
        if (!d.variants.isEmpty())
            p += u" (variant "_s + d.variants.join(u", "_s) + u')';
        parents << p;
    }
    if (!parents.isEmpty())
        out += u" · only when "_s + parents.join(u" and "_s);
    return out;
}

QVariant FlagsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const Services::FlagState &f = m_snapshot.flags.at(index.row());
    const bool sideEffect = m_sideEffects.matches(f.key);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Key:
            return f.key;
        case State:
            return f.enabled ? u"ON"_s : u"off"_s;
        case Scope:
            return f.enabled ? reach(f) : u"—"_s;
        case Type:
            return sideEffect ? f.type + u" · side effect"_s : f.type;
        }
        break;
    case Qt::ToolTipRole:
        return f.description.isEmpty() ? QVariant() : QVariant(f.description);
    case Qt::ForegroundRole:
        if (m_snapshot.stale)
            return QBrush(QColor(0x80, 0x80, 0x80)); // old data never looks current
        if (index.column() == State && f.enabled && sideEffect)
            return QBrush(QColor(0xb0, 0x3a, 0x00));
        break;
    case Qt::FontRole:
        if (index.column() == State && f.enabled) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        break;
    case SideEffectRole:
        return sideEffect;
    }
    return {};
}

QVariant FlagsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Key:
        return u"Flag"_s;
    case State:
        return u"State"_s;
    case Scope:
        return u"Reaches"_s;
    case Type:
        return u"Type"_s;
    }
    return {};
}

} // namespace Raize::Ui
