#include "canary/canarystagemodel.h"

#include <QBrush>
#include <QColor>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

CanaryStageModel::CanaryStageModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void CanaryStageModel::setPlan(const QList<Release::CanaryStage> &plan)
{
    beginResetModel();
    m_plan = plan;
    m_active = -1;
    m_complete = false;
    m_verdict = {};
    endResetModel();
}

void CanaryStageModel::setProgress(int activeStage, const Release::StageVerdict &verdict, bool complete)
{
    m_active = activeStage;
    m_verdict = verdict;
    m_complete = complete;
    if (!m_plan.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_plan.size()) - 1, ColumnCount - 1));
}

int CanaryStageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_plan.size());
}

int CanaryStageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString CanaryStageModel::statusText(int row) const
{
    if (row < 0 || row >= m_plan.size())
        return {};
    if (m_complete || row < m_active)
        return u"done"_s;
    if (row > m_active)
        return m_active < 0 ? u"not started"_s : u"to come"_s;
    const QString kind = Release::StageVerdict::kindName(m_verdict.kind);
    return m_verdict.reasons.isEmpty() ? u"active: %1"_s.arg(kind) : u"active: %1 — %2"_s.arg(kind, m_verdict.reasons.first());
}

QVariant CanaryStageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Release::CanaryStage &s = m_plan.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Stage:
            return index.row() + 1;
        case Traffic:
            return u"%1 %"_s.arg(QString::number(s.trafficPercent, 'g', 4));
        case Cohorts:
            return s.cohorts.isEmpty() ? u"—"_s : s.cohorts.join(u", "_s);
        case Window:
            return s.windowMinutes < 1 ? u"%1 s"_s.arg(QString::number(s.windowMinutes * 60, 'g', 4))
                                       : u"%1 min"_s.arg(QString::number(s.windowMinutes, 'g', 4));
        case Status:
            return statusText(index.row());
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Status && index.row() == m_active && !m_complete) {
        switch (m_verdict.kind) {
        case Release::StageVerdict::Kind::Hold:
            return QBrush(QColor(0xc6, 0x28, 0x28));
        case Release::StageVerdict::Kind::Advance:
            return QBrush(QColor(0x2e, 0x7d, 0x32));
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Status && index.row() == m_active) {
        QStringList lines = m_verdict.reasons;
        for (const Release::StageEvidence &e : m_verdict.evidence) // friction and smoke checks, held or not
            lines << e.line();
        lines.removeDuplicates();
        return lines.join(u'\n');
    }
    return {};
}

QVariant CanaryStageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Stage:
        return u"Stage"_s;
    case Traffic:
        return u"Canary traffic"_s;
    case Cohorts:
        return u"Flag cohorts"_s;
    case Window:
        return u"Window"_s;
    case Status:
        return u"Status"_s;
    default:
        return {};
    }
}

} // namespace Raize::Ui
