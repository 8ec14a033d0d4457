#include "timeline/whatchangedmodel.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

WhatChangedModel::WhatChangedModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void WhatChangedModel::setRanking(QList<Release::RankedChange> ranking)
{
    beginResetModel();
    m_ranking = std::move(ranking);
    endResetModel();
}

int WhatChangedModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ranking.size());
}

int WhatChangedModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WhatChangedModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Release::RankedChange &r = m_ranking.at(index.row());
    const Release::Change &c = r.change;
    if (role == UrlRole)
        return c.url;
    if (role == Qt::ToolTipRole)
        return c.detail.isEmpty() ? r.reason() : QString(r.reason() + u"\n\n"_s + c.detail);
    if (role == Qt::TextAlignmentRole && (index.column() == Rank || index.column() == Score))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Rank:
        return index.row() + 1;
    case Score:
        return r.score;
    case Time:
        return QDateTime::fromMSecsSinceEpoch(c.timeMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss"_s);
    case Kind:
        return QString(Release::Change::kindName(c.kind) + (c.service.isEmpty() ? QString() : QString(u" · "_s + c.service)));
    case What:
        return c.title;
    case Who:
        return c.actor.isEmpty() ? Release::Change::originName(c.origin) : c.actor;
    case Why:
        return r.reason();
    }
    return {};
}

QVariant WhatChangedModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    static const char *const names[] = {"#", "Score", "Time (UTC)", "Kind", "What", "Who", "Why this rank"};
    return QString::fromLatin1(names[section]);
}

} // namespace Raize::Ui
