#include "rollback/triggerrules.h"

#include "policy/policybundle.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

QString kindName(TriggerRule::Kind k)
{
    switch (k) {
    case TriggerRule::Kind::Counter: return u"counter"_s;
    case TriggerRule::Kind::Gauge: return u"gauge"_s;
    case TriggerRule::Kind::WhileFlagOff: return u"whileFlagOff"_s;
    }
    return {};
}

// "2m", "90s", "1h" → seconds; 0 when it is not one of those.
int durationSeconds(const QString &text)
{
    if (text.size() < 2)
        return 0;
    bool ok = false;
    const int n = text.left(text.size() - 1).toInt(&ok);
    if (!ok || n <= 0)
        return 0;
    switch (text.back().unicode()) {
    case 's': return n;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    default: return 0;
    }
}

QString byClause(const QStringList &by)
{
    return by.isEmpty() ? QString() : u" by (%1)"_s.arg(by.join(u", "_s));
}

QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
}

} // namespace

QString TriggerRule::id() const
{
    static const QStringList ids = {u"wrong-account"_s, u"duplicate-posts"_s, u"kill-switch-ignored"_s, u"security"_s, u"publish-failures"_s,
                                    u"verification-failures"_s, u"queue-stuck"_s, u"elevated-errors"_s, u"ui-regression"_s};
    for (const QString &i : ids) {
        if (triggerFromId(i) == trigger)
            return i;
    }
    return {};
}

Trigger TriggerRules::pageTrigger(const QString &sloId) const
{
    if (pages.contains(sloId))
        return pages.value(sloId);
    return pages.value(u"*"_s, Trigger::ElevatedErrors);
}

Result<TriggerRules> triggerRulesFromBundle(const Policy::Bundle &b)
{
    TriggerRules out;
    const json &section = b.section("triggers");
    if (section.is_null())
        return out; // a bundle without the section detects nothing; the built-in playbook has it
    if (!section.is_object())
        return Policy::fieldError(b, u"triggers"_s, u"must be an object"_s);
    for (auto it = section.begin(); it != section.end(); ++it) {
        static const QStringList known = {u"evaluateSeconds"_s, u"rules"_s, u"pages"_s};
        if (!known.contains(QString::fromStdString(it.key())))
            return Policy::fieldError(b, u"triggers.%1"_s.arg(QString::fromStdString(it.key())), u"is not a known field (%1)"_s.arg(known.join(u", "_s)));
    }
    if (section.contains("evaluateSeconds")) {
        const json &v = section["evaluateSeconds"];
        if (!v.is_number_integer() || v.get<int>() < 1 || v.get<int>() > 300)
            return Policy::fieldError(b, u"triggers.evaluateSeconds"_s, u"must be a whole number of seconds from 1 to 300"_s);
        out.evaluateSeconds = v.get<int>();
    }
    const json &rules = section.value("rules", json::array());
    if (!rules.is_array())
        return Policy::fieldError(b, u"triggers.rules"_s, u"must be a list"_s);
    for (size_t i = 0; i < rules.size(); ++i) {
        const QString path = u"triggers.rules[%1]"_s.arg(i);
        const json &r = rules[i];
        if (!r.is_object())
            return Policy::fieldError(b, path, u"must be an object"_s);
        for (auto it = r.begin(); it != r.end(); ++it) {
            static const QStringList known = {u"trigger"_s, u"kind"_s, u"metric"_s, u"window"_s, u"threshold"_s, u"by"_s, u"flag"_s, u"graceSeconds"_s};
            if (!known.contains(QString::fromStdString(it.key())))
                return Policy::fieldError(b, path + u"."_s + QString::fromStdString(it.key()), u"is not a known field (%1)"_s.arg(known.join(u", "_s)));
        }
        TriggerRule rule;
        const auto trigger = triggerFromId(Policy::stringField(r, "trigger"));
        if (!trigger || *trigger == Trigger::SecuritySuspicion)
            return Policy::fieldError(b, path + u".trigger"_s,
                                      u"must be a §7.1 trigger a signal can show (wrong-account, duplicate-posts, kill-switch-ignored, "
                                      u"publish-failures, verification-failures, queue-stuck, elevated-errors); security is raised by hand"_s);
        rule.trigger = *trigger;
        const QString kind = Policy::stringField(r, "kind");
        bool kindOk = false;
        for (TriggerRule::Kind k : {TriggerRule::Kind::Counter, TriggerRule::Kind::Gauge, TriggerRule::Kind::WhileFlagOff}) {
            if (kindName(k) == kind) {
                rule.kind = k;
                kindOk = true;
            }
        }
        if (!kindOk)
            return Policy::fieldError(b, path + u".kind"_s, u"must be counter, gauge or whileFlagOff"_s);
        rule.metric = Policy::stringField(r, "metric").trimmed();
        if (rule.metric.isEmpty() || rule.metric.contains(u'[') || rule.metric.contains(u'('))
            return Policy::fieldError(b, path + u".metric"_s, u"must be a metric selector, e.g. raize_side_effects_total{outcome=\"wrong_account\"}"_s);
        if (r.contains("window")) {
            rule.windowSeconds = durationSeconds(Policy::stringField(r, "window"));
            if (rule.windowSeconds < 10 || rule.windowSeconds > 3600)
                return Policy::fieldError(b, path + u".window"_s, u"must be a duration from 10s to 1h, e.g. \"2m\""_s);
        }
        if (r.contains("threshold")) {
            if (!r["threshold"].is_number() || r["threshold"].get<double>() < 0)
                return Policy::fieldError(b, path + u".threshold"_s, u"must be a number ≥ 0"_s);
            rule.threshold = r["threshold"].get<double>();
        }
        const json &by = r.value("by", json::array());
        if (!by.is_array())
            return Policy::fieldError(b, path + u".by"_s, u"must be a list of label names"_s);
        for (const json &l : by) {
            const QString label = l.is_string() ? QString::fromStdString(l.get<std::string>()) : QString();
            if (label != u"cohort"_s && label != u"lane"_s && label != u"account"_s && label != u"service"_s)
                return Policy::fieldError(b, path + u".by"_s, u"names cohort, lane, account or service"_s);
            rule.by << label;
        }
        if (rule.kind == TriggerRule::Kind::WhileFlagOff) {
            rule.flag = Policy::stringField(r, "flag");
            if (rule.flag.isEmpty())
                return Policy::fieldError(b, path + u".flag"_s, u"whileFlagOff names the kill-switch flag"_s);
            if (r.contains("graceSeconds")) {
                if (!r["graceSeconds"].is_number_integer() || r["graceSeconds"].get<int>() < 0 || r["graceSeconds"].get<int>() > 600)
                    return Policy::fieldError(b, path + u".graceSeconds"_s, u"must be a whole number of seconds from 0 to 600"_s);
                rule.graceSeconds = r["graceSeconds"].get<int>();
            }
        }
        out.rules << rule;
    }
    const json &pages = section.value("pages", json::object());
    if (!pages.is_object())
        return Policy::fieldError(b, u"triggers.pages"_s, u"must be an object (SLO id → trigger)"_s);
    for (auto it = pages.begin(); it != pages.end(); ++it) {
        const auto t = it.value().is_string() ? triggerFromId(QString::fromStdString(it.value().get<std::string>())) : std::nullopt;
        if (!t || priorityOf(*t) == Priority::P0)
            return Policy::fieldError(b, u"triggers.pages.%1"_s.arg(QString::fromStdString(it.key())),
                                      u"must be a P1 or P2 trigger (a burn-rate page is a breach, §7.1)"_s);
        out.pages.insert(QString::fromStdString(it.key()), *t);
    }
    return out;
}

QString triggerQuery(const TriggerRule &rule, int windowSeconds)
{
    const QString by = byClause(rule.by);
    const QString threshold = QString::number(rule.threshold);
    switch (rule.kind) {
    case TriggerRule::Kind::Counter: {
        // The rise over the window; a series that starts inside the window above zero (a new process,
        // a fresh platform) has no earlier sample for increase(), so it counts by its value.
        const QString w = u"%1s"_s.arg(rule.windowSeconds);
        return u"(sum%1 (increase(%2[%3])) > %4) or (sum%1 (%2 unless %2 offset %3) > %4)"_s.arg(by, rule.metric, w, threshold);
    }
    case TriggerRule::Kind::Gauge:
        return u"max%1 (%2) > %3"_s.arg(by, rule.metric, threshold);
    case TriggerRule::Kind::WhileFlagOff: {
        const int w = std::clamp(windowSeconds > 0 ? windowSeconds : rule.windowSeconds, 10, rule.windowSeconds);
        return u"sum%1 (increase(%2[%3s])) > %4"_s.arg(by, rule.metric).arg(w).arg(threshold);
    }
    }
    return {};
}

QList<Release::Alert> triggerAlerts(const TriggerRule &rule, const QString &query, const QList<Services::PromSample> &samples,
                                    const QList<Release::Cohort> &cohorts, const QHash<QString, qint64> &firstSeenMs, qint64 nowMs)
{
    QList<Release::Alert> out;
    const Priority priority = priorityOf(rule.trigger);
    for (const Services::PromSample &s : samples) {
        if (std::isnan(s.value) || s.value <= rule.threshold)
            continue;
        QStringList where, keyParts;
        for (const QString &l : rule.by) {
            const QString v = s.labels.value(l);
            keyParts << l + u'=' + v;
            where << u"%1 %2"_s.arg(l, v.isEmpty() ? u"(none)"_s : v);
        }
        Release::Alert a;
        a.id = u"trigger:%1:%2"_s.arg(rule.id(), keyParts.join(u','));
        a.severity = priorityName(priority);
        a.triggerId = rule.id();
        a.trigger = triggerName(rule.trigger);
        // The scope it affects: the group, with the cohort's clients and accounts when the profile knows them.
        const QString cohortId = s.labels.value(u"cohort"_s);
        const auto cohort = std::find_if(cohorts.cbegin(), cohorts.cend(), [&](const Release::Cohort &c) { return c.id == cohortId; });
        QString scope = where.isEmpty() ? u"everywhere"_s : where.join(u", "_s);
        if (cohort != cohorts.cend())
            scope += u" (clients %1; accounts %2)"_s.arg(cohort->clientIds.join(u", "_s), cohort->platformAccountIds.join(u", "_s));
        a.scope = scope;
        const qint64 since = firstSeenMs.value(a.id, nowMs);
        a.sinceMs = since;
        QString value;
        switch (rule.kind) {
        case TriggerRule::Kind::Counter:
            value = u"%1 events in the last %2 s"_s.arg(s.value, 0, 'g', 4).arg(rule.windowSeconds);
            break;
        case TriggerRule::Kind::Gauge:
            value = u"%1 (above %2)"_s.arg(s.value, 0, 'f', 1).arg(rule.threshold);
            break;
        case TriggerRule::Kind::WhileFlagOff:
            value = u"%1 side effects while %2 is off (after its %3 s grace)"_s.arg(s.value, 0, 'g', 4).arg(rule.flag).arg(rule.graceSeconds);
            break;
        }
        a.evidence = {u"query: "_s + query, u"value: "_s + value, u"since: "_s + utc(since)};
        // §7.2: a P0 stops harm everywhere; a P1 opens on the group's cohort, or global when it has none.
        if (priority == Priority::P0) {
            a.planScope = u"global"_s;
            a.implies = {u"side-effects-incorrect=yes"_s, u"isolated=no"_s};
        } else if (cohort != cohorts.cend() && !cohort->everyone() && !cohort->clientIds.isEmpty()) {
            a.planScope = u"client:"_s + cohort->clientIds.join(u',');
            a.implies = {u"isolated=yes"_s};
        } else if (rule.by.contains(u"lane"_s) && !rule.by.contains(u"cohort"_s) && !s.labels.value(u"lane"_s).isEmpty()) {
            a.planScope = u"lane:"_s + s.labels.value(u"lane"_s);
            a.implies = {u"isolated=yes"_s};
        } else {
            a.planScope = u"global"_s;
        }
        out << a;
    }
    std::sort(out.begin(), out.end(), [](const Release::Alert &x, const Release::Alert &y) { return x.id < y.id; });
    return out;
}

Release::Alert securitySuspicionAlert(const QString &actor, const QString &reason, qint64 nowMs)
{
    Release::Alert a;
    a.id = u"trigger:security:manual"_s;
    a.severity = u"P0"_s;
    a.triggerId = u"security"_s;
    a.trigger = triggerName(Trigger::SecuritySuspicion);
    a.scope = u"everywhere (raised by hand)"_s;
    a.sinceMs = nowMs;
    a.evidence = {u"raised by %1"_s.arg(actor.isEmpty() ? u"the operator"_s : actor), u"reason: "_s + reason, u"since: "_s + utc(nowMs)};
    a.planScope = u"global"_s;
    a.implies = {u"side-effects-incorrect=yes"_s, u"isolated=no"_s};
    return a;
}

Checklist impliedChecklist(const QStringList &implies, Checklist c)
{
    for (const QString &i : implies) {
        const QString key = i.section(u'=', 0, 0);
        const bool yes = i.section(u'=', 1) == u"yes"_s;
        std::optional<bool> *slot = key == u"side-effects-incorrect"_s ? &c.sideEffectsIncorrect
                                    : key == u"flags-suffice"_s        ? &c.flagsAloneStopHarm
                                    : key == u"isolated"_s             ? &c.isolatedToTenant
                                    : key == u"migration-mismatch"_s   ? &c.migrationMismatch
                                                                       : nullptr;
        if (slot && !slot->has_value())
            *slot = yes;
    }
    return c;
}

} // namespace Raize::Rollback
