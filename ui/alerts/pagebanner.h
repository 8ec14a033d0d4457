#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace Raize::Release {
class AlertCenter;
}

namespace Raize::Ui {

// The alert banner above every view (issue #16, item 5): the leading alert's
// severity, trigger, scope, onset and evidence, how many more are active,
// who acknowledged it, and the two ways forward: Acknowledge (audited; the
// banner stays until the signal clears) and the rollback plan for it.
class PageBanner : public QFrame
{
    Q_OBJECT

public:
    explicit PageBanner(Release::AlertCenter &alerts, QWidget *parent = nullptr);

    QString text() const;
    QPushButton *acknowledgeButton() const { return m_ack; }
    QPushButton *planButton() const { return m_plan; }
    QPushButton *whatChangedButton() const { return m_whatChanged; }

Q_SIGNALS:
    // The operator asked for the rollback plan of this alert.
    void rollbackPlanRequested(const QString &alertId);
    // The operator asked what changed before this alert's onset (issue #19 item 2).
    void whatChangedRequested(const QString &alertId);
    // Acknowledging failed (the audit record could not be written): the reason.
    void acknowledgeFailed(const QString &reason);

private:
    void refresh();

    Release::AlertCenter &m_alerts;
    QLabel *m_text;
    QPushButton *m_ack;
    QPushButton *m_plan;
    QPushButton *m_whatChanged;
    QString m_currentId;
};

} // namespace Raize::Ui
