#pragma once

// The one path by which the console changes a flag (issue #8, parts 3 and 6):
// the toggle matrix and auto-pacing both hand a planned ToggleChange here.
// It writes the "flag.toggle.requested" audit record before anything is
// sent (no record, no change), sends the scope before turning a flag on (so
// exposure is never wider than asked), keeps the change pending until the
// flag poller's read-back shows it, and audits how it ended:
// flag.toggle.confirmed, flag.toggle.failed or flag.toggle.unconfirmed (no
// read-back within ReadBackTimeoutMs). With the flag service's event log
// set, a confirmed change's record carries the service's own event id
// (issue #17 item 6): read back from the log before the record is written.

#include "core/clock.h"
#include "release/togglematrix.h"

#include "core/result.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace Raize {
class WriteGuard;
}
namespace Raize::Records {
class AuditSink;
}
namespace Raize::Services {
class FlagEventLog;
class FlagService;
}

namespace Raize::Release {

class FlagPoller;

class FlagChangeRunner : public QObject
{
    Q_OBJECT

public:
    explicit FlagChangeRunner(QObject *parent = nullptr);
    ~FlagChangeRunner() override;

    // Not owned; nullptrs: not configured. Drops what is in flight.
    void setService(Services::FlagService *service, FlagPoller *poller, Records::AuditSink *audit);
    bool configured() const { return m_service && m_poller; }
    // Asked before every change (the profile's arming, ADR 0028); not owned, null: not gated.
    // The matrix's toggles and auto-pacing's steps both start here, so neither runs on a disarmed profile.
    void setWriteGuard(WriteGuard *guard) { m_guard = guard; }
    WriteGuard *writeGuard() const { return m_guard; }
    // The flag service's event log (not owned; nullptr: none). A confirmed change's record then names the event the
    // service recorded for it: requestId "<backend>-event:<id>" and after.eventId; without one, the console's own id.
    void setEventLog(Services::FlagEventLog *log) { m_eventLog = log; }

    // Audits the request, then sends it. An error (and nothing sent) when
    // not configured, the flag has a change in flight, or the audit log
    // refuses the record. `origin` goes into the audit record ("matrix",
    // "auto-pacing"); `actor` is who asked.
    Status start(const ToggleChange &change, const QString &actor, const QString &origin);

    bool pending(const QString &flag) const { return m_inFlight.contains(flag); }
    bool busy() const { return !m_inFlight.isEmpty(); }

    static constexpr int ReadBackTimeoutMs = 30000;
    void setReadBackTimeoutMs(int ms) { m_timeoutMs = ms; }
    // The clock that decides "no read-back within ReadBackTimeoutMs"
    // (Clock::system() unless set; not owned). Tests move a ManualClock.
    void setClock(const Clock &clock) { m_clock = &clock; }
    // Asks the poller for a read-back and ends, as flag.toggle.unconfirmed,
    // every sent change older than the timeout. Runs each second while a
    // change is in flight.
    void checkReadBacks();

Q_SIGNALS:
    // action: "flag.toggle.confirmed", "flag.toggle.failed" or
    // "flag.toggle.unconfirmed"; message: what the operator reads.
    void finished(const QString &flag, const QString &action, const QString &message);
    // The audit log refused an outcome record (the change itself is done or failed).
    void auditFailed(const QString &message);

private:
    struct InFlight
    {
        ToggleChange change;
        QString actor, origin;
        bool sent = false; // the service accepted the calls
        qint64 sentAtMs = 0;
        bool askingEvent = false; // confirmed; its event id is being read back
        QString eventId;          // the service's event for the change, once read back
        QString eventNote;        // why there is none (the log did not answer or show it)
    };
    void recordOutcome(const QString &flag, const QString &action, const QString &message);
    void readBack();
    void send(const QString &flag);
    void finish(const QString &flag, const QString &action, const QString &message);
    Status audit(const QString &action, const InFlight &f, const QString &outcome);

    Services::FlagService *m_service = nullptr;
    FlagPoller *m_poller = nullptr;
    Records::AuditSink *m_audit = nullptr;
    WriteGuard *m_guard = nullptr;
    Services::FlagEventLog *m_eventLog = nullptr;
    QHash<QString, InFlight> m_inFlight; // flag → change
    QTimer m_timer;
    const Clock *m_clock = &Clock::system();
    int m_timeoutMs = ReadBackTimeoutMs;
};

} // namespace Raize::Release
