#include "environmentcard.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

EnvironmentCard::EnvironmentCard(const QString &environment, QWidget *parent)
    : QFrame(parent)
    , m_environment(environment)
{
    setObjectName(u"env_"_s + environment.toLower());
    setFrameShape(QFrame::StyledPanel);
    setMinimumWidth(200);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(2);
    auto *name = new QLabel(environment, this);
    QFont f = name->font();
    f.setBold(true);
    name->setFont(f);
    m_live = new QLabel(this);
    m_live->setObjectName(u"liveText"_s);
    m_live->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail = new QLabel(this);
    m_detail->setObjectName(u"liveDetail"_s);
    m_detail->setStyleSheet(u"color: #505050;"_s);
    m_detail->setWordWrap(true);
    layout->addWidget(name);
    layout->addWidget(m_live);
    layout->addWidget(m_detail);
}

void EnvironmentCard::setLive(const QString &live, const QString &detail)
{
    m_live->setText(live);
    m_live->setToolTip(live);
    m_detail->setText(detail);
    m_detail->setVisible(!detail.isEmpty());
}

void EnvironmentCard::setUnavailable(const QString &why)
{
    m_live->setText(u"unknown"_s);
    m_detail->setText(why);
    m_detail->setVisible(true);
}

void EnvironmentCard::setStale(bool stale)
{
    // Old data must never look current: grey it out.
    m_live->setStyleSheet(stale ? u"color: #8a8a8a;"_s : QString());
}

QString EnvironmentCard::liveText() const
{
    return m_live->text();
}

} // namespace Raize::Ui
