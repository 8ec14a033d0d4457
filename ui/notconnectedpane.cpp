#include "notconnectedpane.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

NotConnectedPane::NotConnectedPane(const QString &title, const QString &purpose, const QString &reason, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 28, 32, 28);
    auto *heading = new QLabel(title, this);
    heading->setObjectName(u"paneTitle"_s);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.5);
    f.setBold(true);
    heading->setFont(f);
    auto *purposeLabel = new QLabel(purpose, this);
    purposeLabel->setWordWrap(true);
    auto *state = new QLabel(u"Not connected yet"_s, this);
    state->setObjectName(u"notConnectedState"_s);
    state->setStyleSheet(u"color: #8a5a00; font-weight: bold;"_s);
    m_reason = new QLabel(reason, this);
    m_reason->setObjectName(u"notConnectedReason"_s);
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(heading);
    layout->addSpacing(6);
    layout->addWidget(purposeLabel);
    layout->addSpacing(14);
    layout->addWidget(state);
    layout->addWidget(m_reason);
    layout->addStretch(1);
}

QString NotConnectedPane::reason() const
{
    return m_reason->text();
}

void NotConnectedPane::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

} // namespace Raize::Ui
