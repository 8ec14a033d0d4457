#include "widgets/stalelabel.h"

#include "release/staleness.h"

using namespace Qt::StringLiterals;

namespace Raize::Ui {

StaleLabel::StaleLabel(const QString &objectName, QWidget *parent)
    : QLabel(parent)
{
    setObjectName(objectName);
    setStyleSheet(u"QLabel { background: #fff3cd; color: #664d03; border: 1px solid #e0b000; border-radius: 3px; padding: 2px 6px; }"_s);
    setVisible(false);
}

void StaleLabel::setSince(const QDateTime &since, const QString &reason)
{
    m_since = since;
    m_reason = reason;
    refresh();
}

void StaleLabel::setTimeZone(const QTimeZone &zone)
{
    m_zone = zone;
    refresh();
}

void StaleLabel::refresh()
{
    if (!m_since.isValid()) {
        clear();
        setToolTip({});
        setVisible(false);
        return;
    }
    setText(Release::staleSinceText(m_since, m_zone));
    setToolTip(m_reason.isEmpty() ? tr("No good answer since then: what is shown may be out of date.")
                                   : tr("No good answer since then: %1").arg(m_reason));
    setVisible(true);
}

} // namespace Raize::Ui
