#pragma once

#include "release/flagpoller.h"

#include <QAbstractTableModel>

namespace Raize::Ui {

// The flags of one environment: key, state, who it reaches, type. Side-effect
// flags (publishing.*, engagement.*, browser-lane.*) are marked, because they
// are the ones a rollback turns off first.
class FlagsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Key, State, Scope, Type, ColumnCount };
    enum Role { SideEffectRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const Release::FlagSnapshot &snapshot);
    const Release::FlagSnapshot &snapshot() const { return m_snapshot; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "house, lowrisk at 100 %; fallthrough off" — how each strategy reaches whom.
    static QString reach(const Services::FlagState &flag);

private:
    Release::FlagSnapshot m_snapshot;
};

} // namespace Raize::Ui
