#pragma once

#include "timeline/timelinemodel.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace Raize::Services {
class VercelClient;
}

namespace Raize::Ui {

// Feeds the timeline from what the console can read: Vercel deployments of
// every target (Preview, Staging, Production; conditional requests with the
// ETag when the service sends one, so an unchanged list costs nothing) and the audit log's promotions, approvals,
// overrides, rollbacks, flag changes and incidents. Each poll appends only
// the events the model does not have yet, as one batch.
class TimelineFeed : public QObject
{
    Q_OBJECT

public:
    TimelineFeed(TimelineModel *model, Services::VercelClient *vercel, QString auditLogPath, QString vercelDashboard,
                 int intervalMs = 15000, QObject *parent = nullptr);

    void start();
    void refresh();
    int rounds() const { return m_rounds; }
    QString lastError() const { return m_error; }

    // Audit records as timeline events (pure; tests use it).
    static QList<TimelineEvent> fromAudit(const QString &path);

Q_SIGNALS:
    void polled(const QString &status);

private:
    void add(QList<TimelineEvent> events);

    QPointer<TimelineModel> m_model;
    Services::VercelClient *m_vercel = nullptr;
    QString m_auditPath, m_dashboard;
    QTimer m_timer;
    QSet<QString> m_seen;
    int m_rounds = 0;
    bool m_busy = false;
    QString m_error;
};

} // namespace Raize::Ui
