#pragma once

#include "records/auditexport.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace Raize::Ui {

// The audit log as a table. Records are appended in batches (Wireshark's
// packet list), so a large log never blocks the event loop.
class AuditModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Seq, Time, Actor, Action, Target, Service, Reason, RequestId, ColumnCount };
    static constexpr int RecordRole = Qt::UserRole + 1;

    explicit AuditModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the contents with `records`, inserted `batchSize` at a time
    // from the event loop. loaded() is emitted when all are in.
    void load(QList<Records::AuditRecord> records, int batchSize = 2000);
    bool isLoading() const { return m_next < m_pending.size(); }
    const Records::AuditRecord &record(int row) const { return m_rows.at(row); }
    QList<Records::AuditRecord> records() const { return m_rows; }

Q_SIGNALS:
    void loaded();

private:
    void insertBatch();

    QList<Records::AuditRecord> m_rows;
    QList<Records::AuditRecord> m_pending;
    qsizetype m_next = 0;
    int m_batch = 2000;
    quint64 m_generation = 0;
};

class AuditFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit AuditFilterModel(QObject *parent = nullptr);
    void setAuditFilter(const Records::AuditFilter &filter);
    const Records::AuditFilter &auditFilter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Records::AuditFilter m_filter;
};

} // namespace Raize::Ui
