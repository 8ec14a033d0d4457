#pragma once

#include "release/gates.h"

#include <QAbstractTableModel>

namespace Raize::Ui {

// The gate results of one review: gate, status, reason, evidence.
class GateTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Gate, Status, Reason, Evidence, ColumnCount };
    static constexpr int UrlRole = Qt::UserRole + 1;

    explicit GateTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setResults(const QList<Release::GateResult> &results, const QStringList &overridden);
    const QList<Release::GateResult> &results() const { return m_results; }

private:
    QList<Release::GateResult> m_results;
    QStringList m_overridden;
};

} // namespace Raize::Ui
