#include "flagspane.h"

#include "flagsmodel.h"

#include "release/flagpoller.h"
#include "rollback/killswitchparent.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

FlagsPane::FlagsPane(QWidget *parent)
    : QWidget(parent)
    , m_model(new FlagsModel(this))
    , m_table(new QTableView(this))
    , m_status(new QLabel(this))
    , m_parentWarning(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 16);
    auto *title = new QLabel(u"Canary"_s, this);
    QFont f = title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.4);
    title->setFont(f);
    auto *purpose = new QLabel(u"Feature flags in production as the flag service serves them. Side-effect flags "
                               u"(publishing, engagement, browser lane) are the first thing a rollback turns off. "
                               u"The toggle matrix below turns a flag on or off per scope."_s,
                               this);
    purpose->setWordWrap(true);
    m_status->setObjectName(u"flagsStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_parentWarning->setObjectName(u"killSwitchParentWarning"_s);
    m_parentWarning->setWordWrap(true);
    m_parentWarning->setTextFormat(Qt::PlainText);
    m_parentWarning->setStyleSheet(u"background:#fff3cd; color:#5c4400; padding:4px;"_s);
    m_parentWarning->hide();
    m_table->setObjectName(u"flagsTable"_s);
    m_table->setAccessibleName(u"Flags"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8); // uniform rows
    m_table->horizontalHeader()->setSectionResizeMode(FlagsModel::Key, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(FlagsModel::State, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(FlagsModel::Scope, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(FlagsModel::Type, QHeaderView::ResizeToContents);
    layout->addWidget(title);
    layout->addWidget(purpose);
    layout->addWidget(m_status);
    layout->addWidget(m_parentWarning);
    layout->addWidget(m_table, 1);
    refresh();
}

void FlagsPane::setPoller(Release::FlagPoller *poller)
{
    if (m_poller)
        disconnect(m_poller, nullptr, this, nullptr);
    m_poller = poller;
    if (m_poller)
        connect(m_poller, &Release::FlagPoller::updated, this, &FlagsPane::refresh);
    refresh();
}

QString FlagsPane::statusText() const
{
    return m_status->text();
}

void FlagsPane::setKillSwitchParent(const QString &parent, const Policy::SideEffectFlags &sideEffects)
{
    m_parent = parent;
    m_sideEffects = sideEffects;
    refresh();
}

QString FlagsPane::killSwitchParentText() const
{
    return m_parentWarning->isVisibleTo(this) ? m_parentWarning->text() : QString();
}

void FlagsPane::refresh()
{
    if (!m_poller) {
        m_model->setSnapshot({});
        m_status->setText(u"The flag service is not configured: set its kind, URL, project and environment in Settings, "
                          u"and its token (raize-console token set flags --stdin)."_s);
        return;
    }
    const Release::FlagSnapshot &s = m_poller->snapshot();
    m_model->setSnapshot(s);
    if (!s.hasData()) {
        m_status->setText(s.lastError.isError() ? u"Cannot read the flags: "_s + s.lastError.message + u" — "_s + s.lastError.remedy
                                                : u"Reading the flags…"_s);
        m_status->setStyleSheet(s.lastError.isError() ? u"color:#b00020;"_s : QString());
        return;
    }
    // Every side-effect flag must depend on the kill-switch parent, or the P0's one call does not stop it.
    const Rollback::ParentCheck parent = Rollback::checkKillSwitchParent(m_parent, m_sideEffects, s.flags);
    m_parentWarning->setText(parent.ok() ? QString() : u"Kill switch: "_s + parent.describe());
    m_parentWarning->setVisible(!parent.ok());
    const QString asOf = s.fetchedAt.toLocalTime().toString(u"HH:mm:ss"_s);
    int on = 0;
    for (const auto &f : s.flags)
        on += f.enabled ? 1 : 0;
    if (s.stale) {
        m_status->setText(u"STALE since %1 — the flag service does not answer (%2). Showing the flags as of %3; "
                          u"this refreshes by itself when it returns."_s
                              .arg(s.staleSince.toLocalTime().toString(u"HH:mm"_s), s.lastError.message, asOf));
        m_status->setStyleSheet(u"background:#fff3cd; color:#5c4400; padding:4px; font-weight:bold;"_s);
    } else {
        m_status->setText(u"%1 flags in %2, %3 on · as of %4"_s.arg(s.flags.size()).arg(s.environment).arg(on).arg(asOf));
        m_status->setStyleSheet({});
    }
}

} // namespace Raize::Ui
