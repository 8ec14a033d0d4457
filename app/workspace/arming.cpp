#include "workspace/arming.h"

#include "records/auditlog.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace Raize {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

Arming::Arming(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        poll();
        if (armed())
            Q_EMIT tick();
    });
}

Arming::~Arming() = default;

void Arming::setProfile(const QString &profile, bool sandbox)
{
    const bool changedMarker = m_profile != profile || m_sandbox != sandbox;
    m_profile = profile;
    m_sandbox = sandbox;
    if (changedMarker)
        Q_EMIT changed();
}

bool Arming::armed() const
{
    return m_until.isValid() && m_clock->nowUtc() < m_until;
}

qint64 Arming::secondsLeft() const
{
    if (!armed())
        return 0;
    // Rounded up: "0:01 left" until the very end, never "0:00 left" while still armed.
    const qint64 ms = m_clock->nowUtc().msecsTo(m_until);
    return (ms + 999) / 1000;
}

QString Arming::countdown(qint64 seconds)
{
    seconds = std::max<qint64>(0, seconds);
    return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QChar(u'0'));
}

Status Arming::arm(const QString &reason, const QString &actor, int windowMinutes, const QString &scope)
{
    const auto refused = [](const QString &why, const QString &remedy) {
        return Status(Error::make(Error::Kind::Refused, u"console"_s, why, remedy));
    };
    if (reason.trimmed().isEmpty())
        return refused(u"Arming needs a reason: it goes into the audit log with who armed and until when."_s,
                       u"Say why you change production now (e.g. \"promote release 4.2, CHG-1234\")."_s);
    if (windowMinutes < 1)
        return refused(u"The policy's arming window is %1 minutes: nothing can be armed."_s.arg(windowMinutes),
                       u"Fix arming.windowMinutes in the policy bundle (1 or more; the playbook's is 15)."_s);
    if (!m_audit)
        return refused(u"No audit log is open: the profile is not armed without a record."_s,
                       u"Check the audit log's path in Settings."_s);
    poll(); // an old window that ended is recorded as ended before the new one opens
    const bool wasArmed = armed();
    const QDateTime until = m_clock->nowUtc().addSecs(qint64(windowMinutes) * 60);
    const QDateTime oldUntil = m_until;
    m_until = until;
    m_windowMinutes = windowMinutes;
    if (const Status s = record(u"arming.arm"_s, actor, reason.trimmed(), wasArmed, true, scope); !s) {
        m_until = wasArmed ? oldUntil : QDateTime();
        return Error::make(Error::Kind::Io, u"audit"_s,
                           u"The audit log refused the arming record: %1 — the profile stays %2."_s.arg(
                               s.error().message, wasArmed ? u"armed as before"_s : u"read-only"_s),
                           s.error().remedy);
    }
    m_actor = actor;
    m_reason = reason.trimmed();
    m_scope = scope;
    m_timer.start();
    Q_EMIT changed();
    return okStatus();
}

Status Arming::disarm(const QString &actor)
{
    poll();
    if (!armed())
        return okStatus();
    // Closed first: even when the record fails, nothing new starts.
    const Status s = record(u"arming.disarm"_s, actor, u"disarmed by %1"_s.arg(actor), true, false, m_scope);
    m_until = {};
    m_timer.stop();
    Q_EMIT changed();
    return s;
}

void Arming::poll()
{
    if (!m_until.isValid() || m_clock->nowUtc() < m_until)
        return;
    // The window ended: recorded once, by the console, with the window it closes.
    const Status s =
        record(u"arming.expire"_s, u"console"_s,
               u"the arming window of %1 minutes that %2 opened ended"_s.arg(m_windowMinutes).arg(m_actor), true, false, m_scope);
    Q_UNUSED(s); // the profile is read-only again either way; an unwritable log refuses the next arming
    m_until = {};
    m_timer.stop();
    Q_EMIT changed();
    Q_EMIT expired();
}

Status Arming::mayChange(const QString &action)
{
    poll();
    if (writable())
        return okStatus();
    return Error::make(Error::Kind::Refused, u"console"_s,
                       u"Profile “%1” is read-only until armed: %2 was refused."_s.arg(m_profile, action),
                       u"Arm it with a reason (audited, for the policy's arming window): Ctrl+Shift+A in the console "
                       u"(Console → Arm production changes…), or pass --arm REASON to the command. "
                       u"The rollback and the kill switch need no arming."_s);
}

QString Arming::readOnlyReason() const
{
    if (writable())
        return {};
    return u"Read-only: profile “%1” is not armed. Arm it with Ctrl+Shift+A (Console → Arm production changes…): "
           u"a typed confirmation and a reason, audited, for the policy's arming window."_s.arg(m_profile);
}

Status Arming::record(const QString &action, const QString &actor, const QString &reason, bool wasArmed, bool isArmed,
                      const QString &scope)
{
    if (!m_audit)
        return Error::make(Error::Kind::Config, u"audit"_s, u"no audit log is open"_s);
    Records::AuditRecord r;
    r.actor = actor;
    r.action = action;
    r.target = m_profile;
    r.service = u"console"_s;
    r.reason = reason;
    r.before = {{"armed", wasArmed}};
    r.after = {{"armed", isArmed}, {"scope", scope.toStdString()}};
    if (isArmed) {
        r.after["until"] = m_until.toString(Qt::ISODateWithMs).toStdString();
        r.after["windowMinutes"] = m_windowMinutes;
    }
    return m_audit->append(r);
}

} // namespace Raize
