#include "auditmodel.h"

#include "core/jsonutil.h"

#include <QPointer>
#include <QTimer>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using Raize::Records::AuditRecord;

AuditModel::AuditModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Seq: return u"#"_s;
    case Time: return u"Time (UTC)"_s;
    case Actor: return u"Actor"_s;
    case Action: return u"Action"_s;
    case Target: return u"Target"_s;
    case Service: return u"Service"_s;
    case Reason: return u"Reason"_s;
    case RequestId: return u"Request id"_s;
    }
    return {};
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditRecord &r = m_rows.at(index.row());
    if (role == RecordRole)
        return QVariant::fromValue(r.seq);
    if (role == Qt::ToolTipRole) {
        return u"Reason: %1\nBefore: %2\nAfter: %3\nHash: %4"_s.arg(r.reason.isEmpty() ? u"—"_s : r.reason,
                                                                   QString::fromUtf8(Json::dump(r.before)),
                                                                   QString::fromUtf8(Json::dump(r.after)), r.hash);
    }
    if (role == Qt::TextAlignmentRole && index.column() == Seq)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Seq: return r.seq;
    case Time: return r.time.toUTC().toString(u"yyyy-MM-dd HH:mm:ss"_s);
    case Actor: return r.actor;
    case Action: return r.action;
    case Target: return r.target;
    case Service: return r.service;
    case Reason: return r.reason;
    case RequestId: return r.requestId;
    }
    return {};
}

void AuditModel::load(QList<AuditRecord> records, int batchSize)
{
    beginResetModel();
    m_rows.clear();
    m_pending = std::move(records);
    m_next = 0;
    m_batch = qMax(1, batchSize);
    ++m_generation;
    endResetModel();
    if (m_pending.isEmpty()) {
        Q_EMIT loaded();
        return;
    }
    insertBatch();
}

void AuditModel::insertBatch()
{
    const qsizetype end = qMin(m_pending.size(), m_next + m_batch);
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + (end - m_next) - 1));
    for (qsizetype i = m_next; i < end; ++i)
        m_rows.append(std::move(m_pending[i]));
    endInsertRows();
    m_next = end;
    if (m_next >= m_pending.size()) {
        m_pending.clear();
        m_next = 0;
        Q_EMIT loaded();
        return;
    }
    const quint64 generation = m_generation;
    QTimer::singleShot(0, this, [this, generation] {
        if (generation == m_generation)
            insertBatch();
    });
}

AuditFilterModel::AuditFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void AuditFilterModel::setAuditFilter(const Records::AuditFilter &filter)
{
    m_filter = filter;
    invalidateFilter();
}

bool AuditFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_filter.isEmpty())
        return true;
    const auto *model = static_cast<const AuditModel *>(sourceModel());
    Q_UNUSED(sourceParent);
    return m_filter.matches(model->record(sourceRow));
}

} // namespace Raize::Ui
