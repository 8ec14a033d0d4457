#include "slo/sloverdictmodel.h"

#include <QBrush>
#include <QColor>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {
QString burn(double b)
{
    if (std::isinf(b))
        return u"∞"_s;
    return QString::number(b, 'f', b < 10 ? 2 : 1) + u"×"_s;
}
QString window(qint64 ms)
{
    if (ms % Slo::DayMs == 0)
        return u"%1d"_s.arg(ms / Slo::DayMs);
    if (ms % Slo::HourMs == 0)
        return u"%1h"_s.arg(ms / Slo::HourMs);
    return u"%1m"_s.arg(ms / Slo::MinuteMs);
}
} // namespace

void SloVerdictModel::setVerdicts(const QList<Slo::SloSpec> &slos, const QStringList &cohortIds, const QStringList &cohortNames,
                                  const QHash<QString, QList<Slo::AlertVerdict>> &byCohort)
{
    beginResetModel();
    m_slos = slos;
    m_cohortIds = cohortIds;
    m_cohortNames = cohortNames;
    m_byCohort = byCohort;
    endResetModel();
}

int SloVerdictModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_cohortIds.size());
}

int SloVerdictModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_slos.size());
}

const Slo::AlertVerdict *SloVerdictModel::verdict(int row, int column) const
{
    const auto it = m_byCohort.constFind(m_cohortIds.value(row));
    if (it == m_byCohort.cend())
        return nullptr;
    for (const Slo::AlertVerdict &v : *it) {
        if (v.sloId == m_slos.value(column).id)
            return &v;
    }
    return nullptr;
}

QString SloVerdictModel::cellText(const Slo::AlertVerdict &v)
{
    if (v.rules.isEmpty())
        return u"no rules"_s;
    const Slo::RuleVerdict &r = v.rules.first();
    QString text = burn(r.longBurn) + u' ' + window(r.rule.longWindowMs) + u" · "_s + burn(r.shortBurn) + u' ' + window(r.rule.shortWindowMs);
    switch (v.severity) {
    case Slo::Severity::Page:
        return text + u" — PAGE"_s;
    case Slo::Severity::Ticket:
        return text + u" — ticket"_s;
    case Slo::Severity::NotEnoughData:
        return u"not enough data"_s;
    case Slo::Severity::None:
        return text;
    }
    return text;
}

QVariant SloVerdictModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const Slo::AlertVerdict *v = verdict(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole:
        return v ? cellText(*v) : u"no data read"_s;
    case SeverityRole:
        return v ? int(v->severity) : int(Slo::Severity::NotEnoughData);
    case Qt::BackgroundRole:
        if (!v || v->severity == Slo::Severity::NotEnoughData)
            return QBrush(QColor(0xe0, 0xe0, 0xe0));
        if (v->severity == Slo::Severity::Page)
            return QBrush(QColor(0xf4, 0xb4, 0xb4));
        if (v->severity == Slo::Severity::Ticket)
            return QBrush(QColor(0xfa, 0xe0, 0xa0));
        return {};
    case Qt::ToolTipRole: {
        if (!v)
            return u"No counters were read for this cohort."_s;
        QStringList lines;
        for (const Slo::RuleVerdict &r : v->rules) {
            lines << u"%1: %2 — %3 over %4 (%5 events), %6 over %7 (%8 events)"_s.arg(r.rule.name(), Slo::ruleStateName(r.state), burn(r.longBurn),
                                                                                   window(r.rule.longWindowMs))
                         .arg(r.longWindow.events, 0, 'f', 0)
                         .arg(burn(r.shortBurn), window(r.rule.shortWindowMs))
                         .arg(r.shortWindow.events, 0, 'f', 0);
        }
        return lines.join(u'\n');
    }
    default:
        return {};
    }
}

QVariant SloVerdictModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= m_slos.size())
            return {};
        const Slo::SloSpec &s = m_slos[section];
        // The objective the burn rates are measured against (the effective policy's).
        return role == Qt::ToolTipRole ? QVariant(u"%1: objective %2 % over %3 days"_s.arg(s.title).arg(s.objective * 100, 0, 'g', 6).arg(s.windowDays))
                                       : QVariant(s.title);
    }
    return section >= 0 && section < m_cohortNames.size() ? QVariant(m_cohortNames[section]) : QVariant();
}

} // namespace Raize::Ui
