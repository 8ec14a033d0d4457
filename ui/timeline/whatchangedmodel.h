#pragma once

#include "release/whatchanged.h"

#include <QAbstractTableModel>

namespace Raize::Ui {

// "What changed" as a table (issue #19 item 2): one row per candidate cause,
// best match first, with its score and the reasons for it.
class WhatChangedModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Rank, Score, Time, Kind, What, Who, Why, ColumnCount };
    static constexpr int UrlRole = Qt::UserRole + 1;

    explicit WhatChangedModel(QObject *parent = nullptr);

    void setRanking(QList<Release::RankedChange> ranking);
    const QList<Release::RankedChange> &ranking() const { return m_ranking; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Release::RankedChange> m_ranking;
};

} // namespace Raize::Ui
