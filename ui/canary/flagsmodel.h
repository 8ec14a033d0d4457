#pragma once

#include "policy/sideeffectflags.h"
#include "release/flagpoller.h"

#include <QAbstractTableModel>

namespace Raize::Ui {

// The flags of one environment: key, state, who it reaches, type. Side-effect
// flags (the effective policy's one list, ADR 0017) are marked, because they
// are the ones a rollback turns off first. Until the console hands it the
// list, no flag is marked.
class FlagsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Key, State, Scope, Type, ColumnCount };
    enum Role { SideEffectRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const Release::FlagSnapshot &snapshot);
    // The effective policy's side-effect flags; repaints the marks.
    void setSideEffectFlags(const Policy::SideEffectFlags &flags);
    const Policy::SideEffectFlags &sideEffectFlags() const { return m_sideEffects; }
    const Release::FlagSnapshot &snapshot() const { return m_snapshot; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "house, lowrisk at 100 %; fallthrough off" — how each strategy reaches whom.
    static QString reach(const Services::FlagState &flag);

private:
    Release::FlagSnapshot m_snapshot;
    Policy::SideEffectFlags m_sideEffects;
};

} // namespace Raize::Ui
