#pragma once

#include "core/identity.h"

#include "release/togglematrix.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace Raize::Records {
class AuditSink;
}
namespace Raize::Release {
class FlagChangeRunner;
class FlagPoller;
}
namespace Raize::Services {
class FlagService;
}

namespace Raize::Ui {

// Flags (rows) × scopes (columns): the effective state as last read back
// from the flag service; a cell with a change in flight says "pending…"
// until a read-back shows the change.
class ToggleMatrixModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role { CellStateRole = Qt::UserRole + 1, PendingRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setColumns(const QList<Release::MatrixColumn> &columns, const QList<Release::Cohort> &cohorts);
    void setFlags(const QList<Services::FlagState> &flags);
    void setPending(const QString &flag, const Release::MatrixColumn &column, bool pending);
    const QList<Services::FlagState> &flags() const { return m_flags; }
    const QList<Release::MatrixColumn> &columns() const { return m_columns; }
    int rowOf(const QString &flag) const;
    int columnOf(const Release::MatrixColumn &column) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Release::MatrixColumn> m_columns;
    QList<Release::Cohort> m_cohorts;
    QList<Services::FlagState> m_flags;
    QHash<QString, QList<int>> m_pending; // flag → pending columns
};

// The canary toggle matrix (issue #8, part 3). Turning a cell on or off goes
// to the flag service; a change that widens exposure in production is
// confirmed first in a dialog that shows exactly what changes; the cell stays
// "pending…" until the flag service's read-back shows the change; every
// request and its outcome go to the audit log. The §4.3 rule and scopes the
// console cannot edit are refused with the reason.
class CanaryMatrix : public QWidget
{
    Q_OBJECT

public:
    explicit CanaryMatrix(QWidget *parent = nullptr);
    ~CanaryMatrix() override;

    // Not owned; nullptrs: not configured.
    void setService(Services::FlagService *service, Release::FlagPoller *poller, const QString &environment,
                    Records::AuditSink *audit);
    void setRules(const Release::ToggleRules &rules, const QList<Release::Cohort> &cohorts);
    // Who turns cells (the GitHub login of the profile's token); unknown: every change is refused with the reason.
    void setIdentity(const Identity &identity) { m_identity = identity; }

    ToggleMatrixModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QString message() const;
    bool pending() const { return !m_pendingCells.isEmpty(); }
    // The one path by which the console changes flags (requests, read-backs,
    // audit records); auto-pacing in the SLOs view sends through it too.
    Release::FlagChangeRunner *changeRunner() const { return m_runner; }

    // Turns the current cell on or off (the buttons call these).
    void turnCurrent(bool on);

private:
    void refresh();
    void finished(const QString &flag, const QString &action, const QString &message);
    void setMessage(const QString &text, bool error);

    Services::FlagService *m_service = nullptr;
    Release::FlagPoller *m_poller = nullptr;
    Records::AuditSink *m_audit = nullptr;
    Identity m_identity;
    QString m_environment;
    Release::ToggleRules m_rules;
    ToggleMatrixModel *m_model;
    QTableView *m_table;
    QLabel *m_status;
    QLabel *m_message;
    QPushButton *m_on;
    QPushButton *m_off;
    Release::FlagChangeRunner *m_runner;
    QHash<QString, Release::MatrixColumn> m_pendingCells; // flag → the cell this matrix changed
};

} // namespace Raize::Ui
