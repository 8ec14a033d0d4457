#include "canary/canarymatrix.h"

#include "records/auditlog.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "services/flags/flagservice.h"
#include "widgets/confirmation.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Ui {

// ---- model -----------------------------------------------------------------

void ToggleMatrixModel::setColumns(const QList<Release::MatrixColumn> &columns, const QList<Release::Cohort> &cohorts)
{
    beginResetModel();
    m_columns = columns;
    m_cohorts = cohorts;
    endResetModel();
}

void ToggleMatrixModel::setFlags(const QList<Services::FlagState> &flags)
{
    beginResetModel();
    m_flags = flags;
    endResetModel();
}

void ToggleMatrixModel::setPending(const QString &flag, const Release::MatrixColumn &column, bool pending)
{
    const int c = columnOf(column);
    if (c < 0)
        return;
    if (pending)
        m_pending[flag] << c;
    else
        m_pending.remove(flag);
    const int r = rowOf(flag);
    if (r >= 0)
        Q_EMIT dataChanged(index(r, 0), index(r, columnCount() - 1));
}

int ToggleMatrixModel::rowOf(const QString &flag) const
{
    for (int i = 0; i < m_flags.size(); ++i) {
        if (m_flags[i].key == flag)
            return i;
    }
    return -1;
}

int ToggleMatrixModel::columnOf(const Release::MatrixColumn &column) const
{
    return int(m_columns.indexOf(column));
}

int ToggleMatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_flags.size());
}

int ToggleMatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant ToggleMatrixModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const Services::FlagState &flag = m_flags[index.row()];
    const bool pending = m_pending.value(flag.key).contains(index.column());
    const Release::CellState state = Release::cellState(flag, m_columns[index.column()], m_cohorts, m_flags);
    switch (role) {
    case Qt::DisplayRole:
        return pending ? u"pending…"_s : Release::cellStateName(state);
    case CellStateRole:
        return int(state);
    case PendingRole:
        return pending;
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case Qt::BackgroundRole:
        if (pending)
            return QBrush(QColor(0xff, 0xf3, 0xc4));
        if (state == Release::CellState::On)
            return QBrush(QColor(0xc8, 0xe6, 0xc9));
        if (state == Release::CellState::Partial)
            return QBrush(QColor(0xe3, 0xf2, 0xfd));
        return {};
    case Qt::ToolTipRole:
    {
        QString tip = u"%1 · %2: %3 (%4)"_s.arg(flag.key, m_columns[index.column()].label(), Release::cellStateName(state),
                                                flag.enabled ? u"flag on"_s : u"flag off"_s);
        QStringList parents;
        for (const Services::FlagDependency &d : flag.dependencies)
            parents << d.feature + (d.enabled ? u" is on"_s : u" is off"_s)
                           + (d.variants.isEmpty() ? QString() : u" with variant "_s + d.variants.join(u" or "_s));
        if (!parents.isEmpty())
            tip += u"; only where "_s + parents.join(u" and "_s);
        else if (!flag.dependenciesKnown)
            tip += u"; depends on flags the console did not read"_s;
        return tip;
    }
    default:
        return {};
    }
}

QVariant ToggleMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Horizontal)
        return section >= 0 && section < m_columns.size() ? QVariant(m_columns[section].label().replace(u' ', u'\n')) : QVariant();
    return section >= 0 && section < m_flags.size() ? QVariant(m_flags[section].key) : QVariant();
}

// ---- widget ------------------------------------------------------------------

CanaryMatrix::CanaryMatrix(QWidget *parent)
    : QWidget(parent)
    , m_model(new ToggleMatrixModel(this))
    , m_table(new QTableView)
    , m_status(new QLabel)
    , m_message(new QLabel)
    , m_on(new QPushButton(u"Turn on for this scope…"_s))
    , m_off(new QPushButton(u"Turn off for this scope"_s))
    , m_runner(new Release::FlagChangeRunner(this))
{
    setObjectName(u"canaryMatrix"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_status->setObjectName(u"matrixStatus"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_table->setObjectName(u"canaryMatrixTable"_s);
    m_table->setAccessibleName(u"Toggle matrix"_s);
    m_table->setModel(m_model);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 1);
    auto *buttons = new QHBoxLayout;
    m_on->setObjectName(u"matrixTurnOnButton"_s);
    m_off->setObjectName(u"matrixTurnOffButton"_s);
    buttons->addWidget(m_on);
    buttons->addWidget(m_off);
    m_message->setObjectName(u"matrixMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_message, 1);
    layout->addLayout(buttons);
    connect(m_on, &QPushButton::clicked, this, [this] { turnCurrent(true); });
    connect(m_off, &QPushButton::clicked, this, [this] { turnCurrent(false); });
    connect(m_runner, &Release::FlagChangeRunner::finished, this, &CanaryMatrix::finished);
    connect(m_runner, &Release::FlagChangeRunner::auditFailed, this, [this](const QString &message) { setMessage(message, true); });
    refresh();
}

CanaryMatrix::~CanaryMatrix() = default;

void CanaryMatrix::setService(Services::FlagService *service, Release::FlagPoller *poller, const QString &environment,
                              Records::AuditSink *audit)
{
    if (m_poller)
        disconnect(m_poller, nullptr, this, nullptr);
    m_service = service;
    m_poller = poller;
    m_environment = environment;
    m_audit = audit;
    m_rules.production = environment == u"production"_s;
    m_pendingCells.clear();
    m_runner->setService(service, poller, audit);
    if (m_poller)
        connect(m_poller, &Release::FlagPoller::updated, this, &CanaryMatrix::refresh);
    refresh();
}

void CanaryMatrix::setRules(const Release::ToggleRules &rules, const QList<Release::Cohort> &cohorts)
{
    m_rules = rules;
    m_rules.cohorts = cohorts;
    m_model->setColumns(Release::matrixColumns(cohorts), cohorts);
    refresh();
}

QString CanaryMatrix::message() const
{
    return m_message->text();
}

void CanaryMatrix::setMessage(const QString &text, bool error)
{
    m_message->setStyleSheet(error ? u"color: #b71c1c;"_s : QString());
    m_message->setText(text);
}

void CanaryMatrix::refresh()
{
    const bool configured = m_service && m_poller;
    m_on->setEnabled(configured);
    m_off->setEnabled(configured);
    if (!configured) {
        m_status->setText(u"The flag service is not configured (Settings → Flags)."_s);
        m_model->setFlags({});
        return;
    }
    const Release::FlagSnapshot &snap = m_poller->snapshot();
    if (!snap.hasData()) {
        m_status->setText(snap.lastError.isError() ? u"Cannot read the flags: "_s + snap.lastError.message : u"Reading the flags…"_s);
        m_on->setEnabled(false);
        m_off->setEnabled(false);
        return;
    }
    const QModelIndex current = m_table->currentIndex();
    const QString currentFlag = current.isValid() ? m_model->flags().value(current.row()).key : QString();
    m_model->setFlags(snap.flags);
    for (auto it = m_pendingCells.cbegin(); it != m_pendingCells.cend(); ++it)
        m_model->setPending(it.key(), *it, true);
    if (!currentFlag.isEmpty() && m_model->rowOf(currentFlag) >= 0)
        m_table->setCurrentIndex(m_model->index(m_model->rowOf(currentFlag), current.column()));
    m_status->setText(snap.stale ? u"STALE since %1 UTC: the states below are the last read back; changes are disabled."_s.arg(
                                       snap.staleSince.toString(u"HH:mm:ss"_s))
                                 : u"Effective state in %1 as read back from the flag service at %2 UTC."_s.arg(
                                       m_environment, snap.fetchedAt.toString(u"HH:mm:ss"_s)));
    if (snap.stale) {
        m_on->setEnabled(false);
        m_off->setEnabled(false);
    }
}

void CanaryMatrix::turnCurrent(bool on)
{
    const QModelIndex cell = m_table->currentIndex();
    if (!m_service || !m_poller || !cell.isValid()) {
        setMessage(u"Select a cell (a flag and a scope) first."_s, true);
        return;
    }
    const Services::FlagState flag = m_model->flags().value(cell.row());
    const Release::MatrixColumn column = m_model->columns().value(cell.column());
    if (m_runner->pending(flag.key)) {
        setMessage(u"%1 has a change pending; wait for its read-back."_s.arg(flag.key), true);
        return;
    }
    const Release::ToggleChange change = Release::planToggle(flag, column, on, m_environment, m_rules);
    if (!change.refusal.isEmpty()) {
        setMessage(u"Not changed: "_s + change.refusal, true);
        return;
    }
    if (!m_identity.known()) {
        setMessage(u"Not changed: "_s + m_identity.refusal(u"Changing %1"_s.arg(flag.key)), true);
        return;
    }
    if (change.needsConfirmation(m_rules)) {
        ConfirmationRequest request;
        request.action = Policy::ConfirmAction::ProductionToggle;
        request.environment = m_environment;
        request.title = u"Widen who %1 reaches in %2? Real clients' accounts may post."_s.arg(flag.key, m_environment);
        request.plan = u"Flag:        %1\nEnvironment: %2\nChange:      %3\nThen:        the cell stays \"pending…\" until the flag "
                       u"service's read-back shows the change; the request and its outcome go to the audit log."_s.arg(flag.key, m_environment,
                                                                                                                        change.summary);
        request.acceptLabel = u"Widen exposure"_s;
        if (!Confirmation::ask(this, request)) {
            setMessage(u"Cancelled; nothing was sent: "_s + change.summary, false);
            return;
        }
    }
    // The runner writes the audit record before it sends anything; no record, no change.
    if (const Status s = m_runner->start(change, m_identity.login, u"matrix"_s); !s) {
        setMessage(u"Not changed: "_s + s.error().message, true);
        return;
    }
    if (!m_runner->pending(flag.key))
        return; // already finished (and reported) on the spot
    m_pendingCells.insert(flag.key, column);
    m_model->setPending(flag.key, column, true);
    setMessage(u"Pending until the flag service shows it: "_s + change.summary, false);
}

void CanaryMatrix::finished(const QString &flag, const QString &action, const QString &message)
{
    // Changes sent by auto-pacing end here too: the matrix shows their outcome.
    if (m_pendingCells.contains(flag))
        m_model->setPending(flag, m_pendingCells.take(flag), false);
    setMessage(message, action != u"flag.toggle.confirmed"_s);
}

} // namespace Raize::Ui
