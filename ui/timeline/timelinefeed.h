#pragma once

#include "timeline/timelinemodel.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QIODevice;

namespace Raize::Services {
class VercelClient;
}

namespace Raize::Ui {

// Feeds the timeline from what the console can read: Vercel deployments of
// every target (Preview, Staging, Production; conditional requests with the
// ETag when the service sends one, so an unchanged list costs nothing) and the audit log's promotions, approvals,
// overrides, rollbacks, flag changes and incidents. Each poll appends only
// the events the model does not have yet, as one batch. The audit log is read
// from where the last poll stopped (a log that shrank or was replaced is read
// again from the start), one line at a time, and repeated texts (actors,
// reasons, targets) share one string: 100,000 events stay small (issue #15).
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
    // The events of the complete lines from byte `*offset` on; moves `*offset`
    // past the last complete line (a half-written last line waits for the next poll).
    static QList<TimelineEvent> fromAudit(QIODevice &log, qint64 *offset, QSet<QString> *pool = nullptr);

Q_SIGNALS:
    void polled(const QString &status);

private:
    void add(QList<TimelineEvent> events);
    void readAudit();

    QPointer<TimelineModel> m_model;
    Services::VercelClient *m_vercel = nullptr;
    QString m_auditPath, m_dashboard;
    QTimer m_timer;
    QSet<quint64> m_seen;    // a 64-bit key per event: time, kind, title, state
    QSet<QString> m_strings; // one copy of each repeated text
    qint64 m_auditOffset = 0;
    QByteArray m_auditFirstLine; // a different first line: the log was replaced
    int m_rounds = 0;
    bool m_busy = false;
    QString m_error;
};

} // namespace Raize::Ui
