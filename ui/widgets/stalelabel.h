#pragma once

#include <QDateTime>
#include <QLabel>
#include <QTimeZone>

namespace Raize::Ui {

// "Stale since 14:03 CET" over a polled view (issue #19 item 2): hidden while
// the data is current, shown in the warning colours when it is not, with the
// reason in the tooltip. Local time with its zone (Release::staleSinceText).
class StaleLabel : public QLabel
{
    Q_OBJECT

public:
    explicit StaleLabel(const QString &objectName, QWidget *parent = nullptr);

    // Invalid: current (hidden). `reason`: what failed, for the tooltip.
    void setSince(const QDateTime &since, const QString &reason = {});
    QDateTime since() const { return m_since; }
    bool isStale() const { return m_since.isValid(); }
    // The zone the time is shown in (tests; the system's by default).
    void setTimeZone(const QTimeZone &zone);

private:
    void refresh();

    QDateTime m_since;
    QString m_reason;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
};

} // namespace Raize::Ui
