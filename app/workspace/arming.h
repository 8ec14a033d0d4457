#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "core/writeguard.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>

namespace Raize::Records {
class AuditSink;
}

namespace Raize {

// Read-only until armed (issue #21 item 3, ADR 0028). A profile not marked
// sandbox (the setting profile/sandbox) opens read-only: every use case asks
// mayChange() before it changes something and is refused while the profile
// is disarmed. arm() opens a window of the policy's arming.windowMinutes,
// with a reason, audited ("arming.arm": actor, reason, until); disarm()
// closes it ("arming.disarm"); when the clock passes the end it closes by
// itself ("arming.expire", actor "console") and expired() tells the holders
// of armed automation (auto-pacing) to stand down. Time comes from a Clock;
// poll() notices the end (a one-second timer calls it while armed, tests
// call it after moving a ManualClock). What was started while armed
// finishes: only new starts are refused.
class Arming : public QObject, public WriteGuard
{
    Q_OBJECT

public:
    explicit Arming(QObject *parent = nullptr);
    ~Arming() override;

    // The profile and its sandbox marker. A sandbox profile needs no arming.
    void setProfile(const QString &profile, bool sandbox);
    QString profile() const { return m_profile; }
    bool sandbox() const { return m_sandbox; }
    bool required() const { return !m_sandbox; }
    // Not owned; null: arming is refused (nothing unaudited).
    void setAudit(Records::AuditSink *audit) { m_audit = audit; }
    // Not owned; Clock::system() unless set.
    void setClock(const Clock &clock) { m_clock = &clock; }
    const Clock &clock() const { return *m_clock; }

    // The window is open now (by the clock). A sandbox profile is not armed, it needs no arming.
    bool armed() const;
    // Changes may start now: a sandbox profile, or an armed one.
    bool writable() const { return !required() || armed(); }
    // The end of the window; invalid when not armed.
    QDateTime armedUntil() const { return armed() ? m_until : QDateTime(); }
    qint64 secondsLeft() const;
    QString armedBy() const { return m_actor; }
    QString reason() const { return m_reason; }
    // "14:32" (minutes:seconds left), for the header.
    static QString countdown(qint64 seconds);

    // Opens the window for `windowMinutes` from now (again, when armed: a new
    // window). `scope` is recorded ("console", or "command: promote promote"
    // for a CLI's --arm). Refused: an empty reason, no audit log, a record
    // the log refuses, a window under one minute.
    Status arm(const QString &reason, const QString &actor, int windowMinutes, const QString &scope = QStringLiteral("console"));
    // Closes the window now (audited); nothing when not armed.
    Status disarm(const QString &actor);
    // Closes the window when the clock has passed its end (audited once).
    void poll();

    // WriteGuard: polls first, then ok when writable().
    Status mayChange(const QString &action) override;
    // Why changes are off now, and how to arm ("" when writable): the tooltip of every disabled control.
    QString readOnlyReason() const;

    static constexpr int TickMs = 1000;

Q_SIGNALS:
    // Armed, disarmed, expired, or the sandbox marker changed.
    void changed();
    // The window ended by itself (after changed()): armed automation stands down.
    void expired();
    // Each second while armed (the header's countdown).
    void tick();

private:
    Status record(const QString &action, const QString &actor, const QString &reason, bool wasArmed, bool isArmed,
                  const QString &scope);

    QString m_profile;
    bool m_sandbox = false;
    Records::AuditSink *m_audit = nullptr;
    const Clock *m_clock = &Clock::system();
    QDateTime m_until; // valid while a window is (or was, until poll()) open
    QString m_actor, m_reason, m_scope;
    int m_windowMinutes = 0;
    QTimer m_timer;
};

} // namespace Raize
