#include "rollback/triggerdetector.h"

#include "services/prometheus/prometheusclient.h"

#include <QSet>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;

TriggerDetector::TriggerDetector(Services::PrometheusClient &prometheus, Release::AlertCenter &alerts, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_prometheus(prometheus)
    , m_alerts(&alerts)
    , m_clock(clock)
{
}

TriggerDetector::~TriggerDetector() = default;

void TriggerDetector::setRules(const TriggerRules &rules, const QList<Release::Cohort> &cohorts)
{
    m_rules = rules;
    m_cohorts = cohorts;
    m_byRule.clear();
    m_status.clear();
    ++m_generation; // answers to the old rules are dropped
    m_pending = 0;
    if (m_timer)
        m_timer->setInterval(m_rules.evaluateSeconds * 1000);
}

void TriggerDetector::setFlags(const Release::FlagSnapshot &flags)
{
    if (!flags.hasData())
        return; // never read: nothing known about the flags
    m_flagsKnown = true;
    const qint64 now = m_clock.nowMs();
    for (const TriggerRule &r : std::as_const(m_rules.rules)) {
        if (r.kind != TriggerRule::Kind::WhileFlagOff)
            continue;
        const auto it = std::find_if(flags.flags.cbegin(), flags.flags.cend(), [&](const Services::FlagState &f) { return f.key == r.flag; });
        if (it == flags.flags.cend()) {
            m_flagOffSinceMs.remove(r.flag);
            m_status.insert(r.id(), u"unknown: the flag service does not list %1"_s.arg(r.flag));
            continue;
        }
        if (it->enabled)
            m_flagOffSinceMs.remove(r.flag);
        else if (!m_flagOffSinceMs.contains(r.flag))
            m_flagOffSinceMs.insert(r.flag, now);
    }
}

void TriggerDetector::start()
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &TriggerDetector::evaluate);
    }
    m_timer->setInterval(m_rules.evaluateSeconds * 1000);
    m_timer->start();
    evaluate();
}

void TriggerDetector::stop()
{
    if (m_timer)
        m_timer->stop();
}

void TriggerDetector::evaluate()
{
    if (m_pending > 0)
        return; // the last round is still out: one at a time
    const qint64 now = m_clock.nowMs();
    const int generation = ++m_generation;
    QList<QPair<int, QString>> asks;
    for (int i = 0; i < m_rules.rules.size(); ++i) {
        const TriggerRule &r = m_rules.rules[i];
        const QString key = QString::number(i);
        if (r.kind == TriggerRule::Kind::WhileFlagOff) {
            if (!m_flagsKnown) {
                m_byRule.remove(key);
                m_status.insert(r.id(), u"unknown: the flags have not been read (needed to tell %1 off)"_s.arg(r.flag));
                continue;
            }
            const auto off = m_flagOffSinceMs.constFind(r.flag);
            const qint64 afterGraceMs = off == m_flagOffSinceMs.cend() ? -1 : now - *off - qint64(r.graceSeconds) * 1000;
            if (afterGraceMs < 10'000) {
                // The flag is on (nothing to respect), or went off too recently for every SDK to have seen it.
                m_byRule.remove(key);
                if (!m_status.value(r.id()).startsWith(u"unknown"_s))
                    m_status.insert(r.id(), off == m_flagOffSinceMs.cend() ? u"ok (%1 is on)"_s.arg(r.flag)
                                                                            : u"ok (%1 off; waiting out its grace)"_s.arg(r.flag));
                continue;
            }
            asks.append({i, triggerQuery(r, int(afterGraceMs / 1000))});
            continue;
        }
        asks.append({i, triggerQuery(r)});
    }
    if (asks.isEmpty()) {
        finishRound();
        return;
    }
    m_pending = int(asks.size());
    QPointer<TriggerDetector> self(this);
    for (const QPair<int, QString> &ask : std::as_const(asks)) {
        const int index = ask.first;
        const QString query = ask.second;
        m_prometheus.query(query, std::nullopt, [self, generation, index, query, now](const Result<Services::PromResult> &r) {
            if (!self || generation != self->m_generation)
                return;
            const TriggerRule &rule = self->m_rules.rules[index];
            const QString key = QString::number(index);
            if (!r) {
                // Unknown is not clear: the rule's alerts stay as they were.
                self->m_status.insert(rule.id(), u"unknown: "_s + r.error().toString());
            } else {
                const QList<Release::Alert> alerts = triggerAlerts(rule, query, r->vector, self->m_cohorts, self->m_firstSeenMs, now);
                for (const Release::Alert &a : alerts) {
                    if (!self->m_firstSeenMs.contains(a.id))
                        self->m_firstSeenMs.insert(a.id, a.sinceMs);
                }
                self->m_byRule.insert(key, alerts);
                self->m_status.insert(rule.id(), u"ok"_s);
            }
            if (--self->m_pending == 0)
                self->finishRound();
        });
    }
}

void TriggerDetector::finishRound()
{
    ++m_rounds;
    QList<Release::Alert> active;
    QSet<QString> ids;
    for (auto it = m_byRule.cbegin(); it != m_byRule.cend(); ++it) {
        for (const Release::Alert &a : it.value()) {
            active << a;
            ids.insert(a.id);
        }
    }
    std::sort(active.begin(), active.end(), [](const Release::Alert &a, const Release::Alert &b) { return a.id < b.id; });
    // An alert that cleared starts a new onset when it comes back.
    for (auto it = m_firstSeenMs.begin(); it != m_firstSeenMs.end();) {
        if (!ids.contains(it.key()))
            it = m_firstSeenMs.erase(it);
        else
            ++it;
    }
    if (m_alerts)
        m_alerts->update(u"triggers"_s, active);
    Q_EMIT evaluated();
}

void TriggerDetector::raiseSecuritySuspicion(const QString &actor, const QString &reason)
{
    if (m_alerts)
        m_alerts->update(u"manual"_s, {securitySuspicionAlert(actor, reason, m_clock.nowMs())});
}

void TriggerDetector::clearSecuritySuspicion()
{
    if (m_alerts)
        m_alerts->update(u"manual"_s, {});
}

} // namespace Raize::Rollback
