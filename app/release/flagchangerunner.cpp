#include "release/flagchangerunner.h"

#include "core/writeguard.h"

#include "records/auditlog.h"
#include "services/flags/flageventlog.h"
#include "release/flagpoller.h"
#include "services/flags/flagservice.h"

#include <QPointer>

using namespace Qt::StringLiterals;

namespace Raize::Release {

FlagChangeRunner::FlagChangeRunner(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &FlagChangeRunner::checkReadBacks);
}

void FlagChangeRunner::checkReadBacks()
{
    if (m_poller)
        m_poller->refresh();
    const qint64 now = m_clock->nowMs();
    for (const QString &flag : m_inFlight.keys()) {
        const InFlight f = m_inFlight.value(flag);
        if (f.sent && now - f.sentAtMs > m_timeoutMs)
            finish(flag, u"flag.toggle.unconfirmed"_s,
                   u"%1: the flag service accepted the change, but no read-back has shown it for %2 s; check the flag before acting again"_s
                       .arg(f.change.summary)
                       .arg(m_timeoutMs / 1000));
    }
}

FlagChangeRunner::~FlagChangeRunner() = default;

void FlagChangeRunner::setService(Services::FlagService *service, FlagPoller *poller, Records::AuditSink *audit)
{
    if (m_poller)
        disconnect(m_poller, nullptr, this, nullptr);
    m_service = service;
    m_poller = poller;
    m_audit = audit;
    m_inFlight.clear();
    m_timer.stop();
    if (m_poller)
        connect(m_poller, &FlagPoller::updated, this, &FlagChangeRunner::readBack);
}

Status FlagChangeRunner::start(const ToggleChange &change, const QString &actor, const QString &origin)
{
    if (!configured())
        return Error::make(Error::Kind::Config, u"flags"_s, u"The flag service is not configured."_s, u"Settings → Flags."_s);
    if (m_inFlight.contains(change.flag))
        return Error::make(Error::Kind::Conflict, u"flags"_s, u"%1 has a change pending; wait for its read-back."_s.arg(change.flag));
    if (m_guard) {
        // Nothing new starts on a disarmed profile; a change already sent still gets its read-back.
        if (const Status armed = m_guard->mayChange(u"%1 (%2)"_s.arg(change.summary.isEmpty() ? change.flag : change.summary, origin)); !armed)
            return armed;
    }
    if (!m_audit)
        return Error::make(Error::Kind::Config, u"audit"_s, u"No audit log is open: the console changes no flag without an audit record."_s);
    InFlight f;
    f.change = change;
    f.actor = actor;
    f.origin = origin;
    // No change without its audit record.
    if (const Status s = audit(u"flag.toggle.requested"_s, f, {}); !s)
        return Error::make(Error::Kind::Io, u"audit"_s,
                           u"The audit log refused the record (flag.toggle.requested): %1 — nothing was sent."_s.arg(s.error().message));
    m_inFlight.insert(change.flag, f);
    send(change.flag);
    return okStatus();
}

void FlagChangeRunner::readBack()
{
    if (!m_poller)
        return;
    const FlagSnapshot &snap = m_poller->snapshot();
    if (!snap.hasData() || snap.stale)
        return;
    for (const QString &flag : m_inFlight.keys()) {
        const InFlight f = m_inFlight.value(flag);
        if (!f.sent)
            continue;
        for (const Services::FlagState &state : snap.flags) {
            if (state.key == flag && readBackShows(state, f.change)) {
                finish(flag, u"flag.toggle.confirmed"_s, u"Confirmed by read-back: "_s + f.change.summary);
                break;
            }
        }
    }
}

void FlagChangeRunner::send(const QString &flagKey)
{
    const ToggleChange change = m_inFlight.value(flagKey).change;
    QPointer<FlagChangeRunner> self(this);
    const auto failed = [self, flagKey](const Error &e) {
        if (self)
            self->finish(flagKey, u"flag.toggle.failed"_s, u"Not applied: %1 %2"_s.arg(e.message, e.remedy));
    };
    const auto sent = [self, flagKey] {
        if (!self || !self->m_inFlight.contains(flagKey))
            return;
        self->m_inFlight[flagKey].sent = true;
        self->m_inFlight[flagKey].sentAtMs = self->m_clock->nowMs();
        self->m_timer.start();
        if (self->m_poller)
            self->m_poller->refresh();
    };
    const auto enable = [self, change, failed, sent] {
        if (!self || !self->m_service)
            return;
        if (change.enabledAfter == change.enabledBefore)
            return sent();
        self->m_service->setEnabled(change.flag, change.environment, change.enabledAfter, [failed, sent](const Status &s) {
            if (!s)
                return failed(s.error());
            sent();
        });
    };
    // The scope first, while a flag that is being turned on is still off: exposure is never wider than asked.
    if (change.scopeChanges && change.enabledAfter) {
        m_service->setScope(change.flag, change.environment, change.scopeAfter, 100,
                            [failed, enable](const Result<Services::FlagStrategy> &r) {
                                if (!r)
                                    return failed(r.error());
                                enable();
                            });
    } else {
        enable();
    }
}

void FlagChangeRunner::finish(const QString &flag, const QString &action, const QString &message)
{
    if (!m_inFlight.contains(flag) || m_inFlight.value(flag).askingEvent)
        return;
    if (action != u"flag.toggle.confirmed"_s || !m_eventLog)
        return recordOutcome(flag, action, message);
    // The change stays in flight (busy()) until its record, with the service's event id, is written.
    m_inFlight[flag].askingEvent = true;
    const InFlight f = m_inFlight.value(flag);
    // From a minute before it was sent: the service's clock may be a little behind ours.
    const QDateTime since = QDateTime::fromMSecsSinceEpoch(f.sentAtMs - 60'000, Qt::UTC);
    QPointer<FlagChangeRunner> self(this);
    m_eventLog->changes(since, [self, flag, action, message](const Result<QList<Services::FlagEvent>> &events) {
        if (!self || !self->m_inFlight.contains(flag))
            return;
        InFlight &f = self->m_inFlight[flag];
        if (!events) {
            f.eventNote = u"the flag service's event log did not answer: "_s + events.error().message;
        } else {
            // The newest event of this flag in this environment: the one the service recorded for this change.
            for (auto it = events->crbegin(); it != events->crend(); ++it) {
                if (it->flag == flag && (it->environment.isEmpty() || it->environment == f.change.environment)) {
                    f.eventId = it->id;
                    break;
                }
            }
            if (f.eventId.isEmpty())
                f.eventNote = u"the flag service's event log shows no event for it yet"_s;
        }
        self->recordOutcome(flag, action, message);
    });
}

void FlagChangeRunner::recordOutcome(const QString &flag, const QString &action, const QString &message)
{
    if (!m_inFlight.contains(flag))
        return;
    const InFlight f = m_inFlight.take(flag);
    if (m_inFlight.isEmpty())
        m_timer.stop();
    if (const Status s = audit(action, f, message); !s)
        Q_EMIT auditFailed(u"The audit log refused the record (%1): %2"_s.arg(action, s.error().message));
    Q_EMIT finished(flag, action, message);
}

Status FlagChangeRunner::audit(const QString &action, const InFlight &f, const QString &outcome)
{
    if (!m_audit)
        return Error::make(Error::Kind::Config, u"audit"_s, u"No audit log is open: the console changes no flag without an audit record."_s);
    const ToggleChange &change = f.change;
    Records::AuditRecord r;
    r.actor = f.actor;
    r.action = action;
    r.target = change.flag + u'@' + change.environment;
    r.service = m_service ? m_service->backendName() : u"flags"_s;
    r.before = {{"enabled", change.enabledBefore}, {"scope", change.scopeBefore.describe().toStdString()}};
    r.after = {{"enabled", change.enabledAfter}, {"scope", change.scopeAfter.describe().toStdString()}};
    if (!outcome.isEmpty())
        r.after["outcome"] = outcome.toStdString();
    if (!f.origin.isEmpty())
        r.after["origin"] = f.origin.toStdString();
    r.reason = change.summary;
    if (!f.eventId.isEmpty()) {
        // The service's own id for the change (Unleash's event id, LaunchDarkly's audit-log entry), read back.
        r.requestId = (m_service ? m_service->backendName() : u"flags"_s) + u"-event:"_s + f.eventId;
        r.after["eventId"] = f.eventId.toStdString();
    } else if (!f.eventNote.isEmpty()) {
        r.after["eventId"] = nullptr;
        r.after["eventNote"] = f.eventNote.toStdString();
    }
    return m_audit->append(r);
}

} // namespace Raize::Release
