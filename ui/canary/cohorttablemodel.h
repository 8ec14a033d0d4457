#pragma once

#include "release/cohorts.h"

#include <QAbstractTableModel>

#include <nlohmann/json.hpp>

namespace Raize::Ui {

// The cohort editor's rows: id, name, client ids and platform account ids,
// the lists as comma-separated text. Rows hold the text as typed, so an
// incomplete row is kept while the operator works on it; toJson() gives the
// `cohorts` array that Release::cohortsFromJson judges.
class CohortTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IdColumn, NameColumn, ClientsColumn, AccountsColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setCohorts(const QList<Release::Cohort> &cohorts);
    nlohmann::json toJson() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool insertRows(int row, int count, const QModelIndex &parent = {}) override;
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;

private:
    struct Row
    {
        QString cells[ColumnCount];
    };
    QList<Row> m_rows;
};

} // namespace Raize::Ui
