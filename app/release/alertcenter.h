#pragma once

#include "core/clock.h"
#include "core/result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Raize::Records {
class AuditSink;
}

namespace Raize::Release {

// An alert the operator must not miss (playbook §7.1 triggers, burn-rate
// pages): what fired, where, and the evidence, as the detector saw it.
struct Alert
{
    QString id;           // stable per trigger and scope: "page:publish_success:house"
    QString severity;     // "P0", "P1", "page"
    QString trigger;      // "Publish success burning 16.2× (page rule 14.4× 1h/5m)"
    QString scope;        // "cohort house (clients house; accounts acct-house-ig, acct-house-x)"
    QStringList evidence; // query, value, since when
    qint64 sinceMs = 0;   // onset as the signal says (0: when the console first saw it)
    // What the rollback plan opens with (issue #16, item 4): the §7.1 trigger
    // id ("wrong-account"), the scope in `rollback --scope` form ("global",
    // "client:house") and the §7.3 answers the signal already implies, as the
    // CLI's flags ("side-effects-incorrect=yes", "isolated=no"). Empty: the
    // operator chooses.
    QString triggerId;
    QString planScope;
    QStringList implies;

    bool operator==(const Alert &) const = default;
};

// Raises, keeps and clears alerts (issue #16, item 5). The detectors report
// what is active now (update); an alert is raised once at its onset and
// stays until its signal clears, whether or not it was acknowledged; a new
// onset after a clear raises it again. Acknowledging is audited and only
// silences the desktop notification and marks who is on it: the banner stays.
class AlertCenter : public QObject
{
    Q_OBJECT

public:
    struct State
    {
        Alert alert;
        qint64 raisedMs = 0;
        QString acknowledgedBy; // empty: not acknowledged
        qint64 acknowledgedMs = 0;
    };

    explicit AlertCenter(const Clock &clock = Clock::system(), QObject *parent = nullptr);

    void setAuditSink(Records::AuditSink *sink, QString actor);

    // What one detector says is active now; alerts of `source` not in the list have cleared.
    void update(const QString &source, const QList<Alert> &active);

    const QList<State> &active() const { return m_active; }
    bool hasActive() const { return !m_active.isEmpty(); }
    const State *find(const QString &id) const;
    // The one the banner leads with: P0 before P1 before page, then the oldest.
    const State *top() const;

    // Audited ("alert.acknowledge", before/after, the alert's trigger, scope and evidence). Refused
    // without an audit sink or when the record cannot be written (the alert stays unacknowledged).
    Status acknowledge(const QString &id);

Q_SIGNALS:
    void raised(const Raize::Release::Alert &alert);
    void cleared(const QString &id);
    void changed();

private:
    const Clock &m_clock;
    Records::AuditSink *m_audit = nullptr;
    QString m_actor;
    QList<State> m_active;
    QHash<QString, QString> m_sourceOf; // alert id → detector
};

} // namespace Raize::Release
