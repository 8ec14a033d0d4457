#pragma once

#include "slo/sloengine.h"

#include <QAbstractTableModel>
#include <QHash>

namespace Raize::Ui {

// The burn verdicts of every cohort (rows) for every SLO (columns): the
// first rule's windows ("16.2× 1h · 16.3× 5m") and the severity; page
// cells red, ticket amber, "not enough data" grey and never green.
class SloVerdictModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role { SeverityRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setVerdicts(const QList<Slo::SloSpec> &slos, const QStringList &cohortIds, const QStringList &cohortNames,
                     const QHash<QString, QList<Slo::AlertVerdict>> &byCohort);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString cellText(const Slo::AlertVerdict &verdict);

private:
    const Slo::AlertVerdict *verdict(int row, int column) const;

    QList<Slo::SloSpec> m_slos;
    QStringList m_cohortIds, m_cohortNames;
    QHash<QString, QList<Slo::AlertVerdict>> m_byCohort;
};

} // namespace Raize::Ui
