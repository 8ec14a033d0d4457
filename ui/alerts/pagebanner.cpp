#include "alerts/pagebanner.h"

#include "release/alertcenter.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QMetaMethod>
#include <QPushButton>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

PageBanner::PageBanner(Release::AlertCenter &alerts, QWidget *parent)
    : QFrame(parent)
    , m_alerts(alerts)
    , m_text(new QLabel(this))
    , m_ack(new QPushButton(tr("Acknowledge"), this))
    , m_plan(new QPushButton(tr("Open rollback plan…"), this))
    , m_whatChanged(new QPushButton(tr("What changed…"), this))
{
    setObjectName(u"pageBanner"_s);
    setAccessibleName(tr("Active alert"));
    setStyleSheet(u"QFrame#pageBanner { background: #b71c1c; border-bottom: 2px solid #7f0000; }"
                  u"QFrame#pageBanner QLabel { color: white; }"
                  u"QFrame#pageBanner QPushButton { background: white; color: #7f0000; font-weight: bold; padding: 4px 12px;"
                  u" border-radius: 4px; }"_s);
    m_text->setObjectName(u"pageBannerText"_s);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_ack->setObjectName(u"alertAcknowledge"_s);
    m_ack->setToolTip(tr("Say you are on it (audited). The banner stays until the signal clears."));
    m_plan->setObjectName(u"alertRollbackPlan"_s);
    m_plan->setToolTip(tr("The rollback plan for this alert's trigger and scope (it asks for its confirmation)."));
    m_whatChanged->setObjectName(u"alertWhatChanged"_s);
    m_whatChanged->setToolTip(tr("The changes before this alert's onset, best match to its scope first, each with the reason for its rank."));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(14, 8, 14, 8);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_whatChanged);
    layout->addWidget(m_ack);
    layout->addWidget(m_plan);
    connect(&m_alerts, &Release::AlertCenter::changed, this, &PageBanner::refresh);
    connect(m_ack, &QPushButton::clicked, this, [this] {
        if (m_currentId.isEmpty())
            return;
        if (const Status s = m_alerts.acknowledge(m_currentId); !s)
            Q_EMIT acknowledgeFailed(s.error().toString());
    });
    connect(m_whatChanged, &QPushButton::clicked, this, [this] {
        if (!m_currentId.isEmpty())
            Q_EMIT whatChangedRequested(m_currentId);
    });
    connect(m_plan, &QPushButton::clicked, this, [this] {
        if (!m_currentId.isEmpty())
            Q_EMIT rollbackPlanRequested(m_currentId);
    });
    refresh();
}

QString PageBanner::text() const
{
    return m_text->text();
}

void PageBanner::refresh()
{
    const Release::AlertCenter::State *top = m_alerts.top();
    setVisible(top != nullptr);
    if (!top) {
        m_currentId.clear();
        m_text->clear();
        return;
    }
    m_currentId = top->alert.id;
    // Only where a "what changed" view listens: no button that does nothing.
    m_whatChanged->setVisible(isSignalConnected(QMetaMethod::fromSignal(&PageBanner::whatChangedRequested)));
    const QDateTime since = QDateTime::fromMSecsSinceEpoch(top->alert.sinceMs);
    QString text = u"%1 — %2\nScope: %3 · since %4"_s.arg(top->alert.severity.toUpper(), top->alert.trigger, top->alert.scope,
                                                           since.toString(u"HH:mm t"_s));
    if (!top->alert.evidence.isEmpty())
        text += u"\n"_s + top->alert.evidence.first();
    if (!top->acknowledgedBy.isEmpty())
        text += u"\nAcknowledged by %1 at %2"_s.arg(top->acknowledgedBy,
                                                    QDateTime::fromMSecsSinceEpoch(top->acknowledgedMs).toString(u"HH:mm"_s));
    if (m_alerts.active().size() > 1)
        text += u"\n+%1 more active alert(s)"_s.arg(m_alerts.active().size() - 1);
    m_text->setText(text);
    m_ack->setEnabled(top->acknowledgedBy.isEmpty());
    m_ack->setText(top->acknowledgedBy.isEmpty() ? tr("Acknowledge") : tr("Acknowledged"));
}

} // namespace Raize::Ui
