#include "release/alertcenter.h"

#include "records/auditlog.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace Raize::Release {

using namespace Qt::StringLiterals;

namespace {

int rank(const QString &severity)
{
    if (severity == u"P0"_s)
        return 0;
    if (severity == u"P1"_s)
        return 1;
    if (severity == u"page"_s)
        return 2;
    return 3;
}

nlohmann::json toJson(const Alert &a)
{
    nlohmann::json evidence = nlohmann::json::array();
    for (const QString &e : a.evidence)
        evidence.push_back(e.toStdString());
    return {{"id", a.id.toStdString()},           {"severity", a.severity.toStdString()}, {"trigger", a.trigger.toStdString()},
            {"scope", a.scope.toStdString()},     {"evidence", evidence},                 {"sinceMs", a.sinceMs}};
}

} // namespace

AlertCenter::AlertCenter(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
}

void AlertCenter::setAuditSink(Records::AuditSink *sink, QString actor)
{
    m_audit = sink;
    m_actor = std::move(actor);
}

void AlertCenter::update(const QString &source, const QList<Alert> &active)
{
    bool changedAny = false;
    // Cleared: this detector's alerts that it no longer reports.
    QStringList gone;
    for (const State &s : std::as_const(m_active)) {
        if (m_sourceOf.value(s.alert.id) != source)
            continue;
        const bool still = std::any_of(active.cbegin(), active.cend(), [&s](const Alert &a) { return a.id == s.alert.id; });
        if (!still)
            gone << s.alert.id;
    }
    for (const QString &id : std::as_const(gone)) {
        m_active.removeIf([&id](const State &s) { return s.alert.id == id; });
        m_sourceOf.remove(id);
        changedAny = true;
        Q_EMIT cleared(id);
    }
    // Raised or refreshed (evidence moves on; the onset and the acknowledgement stay).
    for (const Alert &a : active) {
        auto it = std::find_if(m_active.begin(), m_active.end(), [&a](const State &s) { return s.alert.id == a.id; });
        if (it != m_active.end()) {
            if (!(it->alert == a)) {
                const qint64 since = it->alert.sinceMs;
                it->alert = a;
                if (a.sinceMs == 0)
                    it->alert.sinceMs = since;
                changedAny = true;
            }
            continue;
        }
        State s;
        s.alert = a;
        s.raisedMs = m_clock.nowMs();
        if (s.alert.sinceMs == 0)
            s.alert.sinceMs = s.raisedMs;
        m_active.append(s);
        m_sourceOf.insert(a.id, source);
        changedAny = true;
        Q_EMIT raised(s.alert);
    }
    if (changedAny) {
        std::stable_sort(m_active.begin(), m_active.end(), [](const State &a, const State &b) {
            if (rank(a.alert.severity) != rank(b.alert.severity))
                return rank(a.alert.severity) < rank(b.alert.severity);
            return a.alert.sinceMs < b.alert.sinceMs;
        });
        Q_EMIT changed();
    }
}

const AlertCenter::State *AlertCenter::find(const QString &id) const
{
    for (const State &s : m_active) {
        if (s.alert.id == id)
            return &s;
    }
    return nullptr;
}

const AlertCenter::State *AlertCenter::top() const
{
    return m_active.isEmpty() ? nullptr : &m_active.first();
}

Status AlertCenter::acknowledge(const QString &id)
{
    auto it = std::find_if(m_active.begin(), m_active.end(), [&id](const State &s) { return s.alert.id == id; });
    if (it == m_active.end())
        return Error::make(Error::Kind::Refused, u"console"_s, u"the alert %1 is no longer active"_s.arg(id), u"Nothing to acknowledge."_s);
    if (!it->acknowledgedBy.isEmpty())
        return okStatus();
    if (!m_audit)
        return Error::make(Error::Kind::Io, u"console"_s, u"no audit log: an acknowledgement must be recorded"_s,
                           u"Check the audit log path in Settings."_s);
    Records::AuditRecord r;
    r.actor = m_actor;
    r.action = u"alert.acknowledge"_s;
    r.target = id;
    r.service = u"console"_s;
    r.before = {{"acknowledged", false}};
    r.after = toJson(it->alert);
    r.after["acknowledged"] = true;
    if (const Status s = m_audit->append(r); !s)
        return s;
    it->acknowledgedBy = m_actor;
    it->acknowledgedMs = m_clock.nowMs();
    Q_EMIT changed();
    return okStatus();
}

} // namespace Raize::Release
