#pragma once

#include "core/clock.h"
#include "release/alertcenter.h"
#include "release/cohorts.h"
#include "release/flagpoller.h"
#include "rollback/triggerrules.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

class QTimer;

namespace Raize::Services {
class PrometheusClient;
}

namespace Raize::Rollback {

// Detects the §7.1 triggers from the platform's signals (issue #16, item 4):
// every `evaluateSeconds` it asks Prometheus (the workspace's client) one
// instant query per policy rule and reports what is active to the
// AlertCenter under the source "triggers": the center raises each alert once
// at its onset and clears it when its signal clears. A rule whose query
// fails keeps its last alerts (a signal the console cannot read is not a
// clear) and says so in status(). Security incident suspicion is raised by
// hand (raiseSecuritySuspicion) under the source "manual".
class TriggerDetector : public QObject
{
    Q_OBJECT

public:
    // Not owned; all outlive the detector.
    TriggerDetector(Services::PrometheusClient &prometheus, Release::AlertCenter &alerts, const Clock &clock = Clock::system(),
                    QObject *parent = nullptr);
    ~TriggerDetector() override;

    void setRules(const TriggerRules &rules, const QList<Release::Cohort> &cohorts);
    const TriggerRules &rules() const { return m_rules; }
    // The flags as the console last read them (FlagPoller): WhileFlagOff rules
    // count side effects only once their flag has been off for its grace.
    void setFlags(const Release::FlagSnapshot &flags);

    // Evaluates every evaluateSeconds (by a timer; tests call evaluate()).
    void start();
    void stop();
    // One round: a query per rule; when all have answered, the AlertCenter is updated and evaluated() emitted.
    void evaluate();
    bool busy() const { return m_pending > 0; }

    // The operator's P0 (a palette command and a button): stays until clearSecuritySuspicion().
    void raiseSecuritySuspicion(const QString &actor, const QString &reason);
    void clearSecuritySuspicion();

    // Per rule: "ok", or why its signal is unknown ("Prometheus: connection refused").
    QHash<QString, QString> status() const { return m_status; }
    int rounds() const { return m_rounds; }

Q_SIGNALS:
    void evaluated();

private:
    void finishRound();

    Services::PrometheusClient &m_prometheus;
    QPointer<Release::AlertCenter> m_alerts;
    const Clock &m_clock;
    TriggerRules m_rules;
    QList<Release::Cohort> m_cohorts;
    QTimer *m_timer = nullptr;
    QHash<QString, qint64> m_flagOffSinceMs; // flag → when the console first saw it off
    QHash<QString, QList<Release::Alert>> m_byRule; // rule index → its active alerts
    QHash<QString, qint64> m_firstSeenMs;           // alert id → onset as the console saw it
    QHash<QString, QString> m_status;
    int m_pending = 0;
    int m_generation = 0;
    int m_rounds = 0;
    bool m_flagsKnown = false;
};

} // namespace Raize::Rollback
