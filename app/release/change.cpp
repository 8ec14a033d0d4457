#include "release/change.h"

#include "records/auditrecord.h"
#include "services/flags/flageventlog.h"
#include "services/github/githubclient.h"

#include <algorithm>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace Raize::Release {

QString Change::kindName(Kind kind)
{
    switch (kind) {
    case Kind::FlagChange:
        return u"flag change"_s;
    case Kind::Deployment:
        return u"deployment"_s;
    case Kind::Promotion:
        return u"promotion"_s;
    case Kind::Rollback:
        return u"rollback"_s;
    case Kind::Merge:
        return u"merge"_s;
    case Kind::Release:
        return u"release"_s;
    case Kind::Incident:
        return u"incident"_s;
    case Kind::CanaryStage:
        return u"canary stage"_s;
    }
    return {};
}

QString Change::originName(Origin origin)
{
    switch (origin) {
    case Origin::FlagService:
        return u"flag service"_s;
    case Origin::GitHub:
        return u"GitHub"_s;
    case Origin::Vercel:
        return u"Vercel"_s;
    case Origin::RolloutMonitor:
        return u"rollout monitor"_s;
    case Origin::AuditLog:
        return u"this console"_s;
    }
    return {};
}

Change Change::fromFlagEvent(const Services::FlagEvent &event, const QString &backend)
{
    Change c;
    c.timeMs = event.timeMs;
    c.kind = Kind::FlagChange;
    c.origin = Origin::FlagService;
    c.actor = event.actor.isEmpty() ? u"unknown (%1 did not say)"_s.arg(backend) : event.actor;
    c.flag = event.flag;
    c.environment = event.environment;
    c.before = event.before;
    c.after = event.after;
    c.cohorts = event.cohorts;
    c.clients = event.clients;
    c.lane = event.lane;
    c.url = event.url;
    c.title = event.before.isEmpty() ? u"%1: %2 (%3)"_s.arg(event.flag, event.after, event.environment)
                                     : u"%1: %2 → %3 (%4)"_s.arg(event.flag, event.before, event.after, event.environment);
    c.detail = u"by %1 · %2 event %3 (%4)"_s.arg(c.actor, backend, event.id, event.type);
    return c;
}

namespace {

QString jsonText(const nlohmann::json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? QString::fromStdString(j[key].get<std::string>()) : QString();
}

std::optional<bool> jsonBool(const nlohmann::json &j, const char *key)
{
    if (j.is_object() && j.contains(key) && j[key].is_boolean())
        return j[key].get<bool>();
    return std::nullopt;
}

QString onOff(bool on)
{
    return on ? u"on"_s : u"off"_s;
}

// "Canary dpl_x: stage 2 of 4 — 25 % of web traffic, cohorts house, lowrisk" (or "… aborted at stage 2 of 4 (25 %)").
QString canaryStageTitle(const QString &canary, const nlohmann::json &after)
{
    const auto number = [&](const char *key) { return after.is_object() && after.contains(key) && after[key].is_number() ? after[key].get<double>() : 0.0; };
    const QString state = jsonText(after, "state");
    QStringList cohorts;
    if (after.is_object() && after.contains("cohorts") && after["cohorts"].is_array()) {
        for (const auto &v : after["cohorts"]) {
            if (v.is_string())
                cohorts << QString::fromStdString(v.get<std::string>());
        }
    }
    const QString where = u"stage %1 of %2"_s.arg(number("stage")).arg(number("stages"));
    if (state == u"ABORTED"_s)
        return u"Canary %1 aborted at %2 (%3 % of web traffic): all traffic back to %4"_s.arg(canary, where).arg(number("trafficPercent")).arg(
            jsonText(after, "current").isEmpty() ? u"the current deployment"_s : jsonText(after, "current"));
    return u"Canary %1: %2 — %3 % of web traffic, cohorts %4%5"_s.arg(canary, where)
        .arg(number("trafficPercent"))
        .arg(cohorts.isEmpty() ? u"none"_s : cohorts.join(u", "_s), state == u"COMPLETE"_s ? u" (complete)"_s : QString());
}

} // namespace

std::optional<Change> Change::fromRelease(const Services::GitHubRelease &r)
{
    if (r.draft || !r.publishedAt.isValid())
        return std::nullopt;
    Change c;
    c.timeMs = r.publishedAt.toMSecsSinceEpoch();
    c.kind = Kind::Release;
    c.origin = Origin::GitHub;
    c.actor = u"outside the console"_s;
    c.title = r.name.isEmpty() || r.name == r.tag ? u"Release %1 published"_s.arg(r.tag) : u"Release %1 published: %2"_s.arg(r.tag, r.name);
    c.detail = u"GitHub release %1"_s.arg(r.tag);
    c.url = r.htmlUrl;
    c.environment = u"Production"_s;
    return c;
}

QList<Change> Change::fromIncident(const Services::GitHubIssue &i)
{
    QList<Change> out;
    if (!i.createdAt.isValid())
        return out;
    Change opened;
    opened.timeMs = i.createdAt.toMSecsSinceEpoch();
    opened.kind = Kind::Incident;
    opened.origin = Origin::GitHub;
    opened.actor = u"outside the console"_s;
    opened.title = u"Incident #%1 opened: %2"_s.arg(i.number).arg(i.title);
    opened.detail = i.labels.isEmpty() ? QString() : u"labels: %1"_s.arg(i.labels.join(u", "_s));
    opened.url = i.htmlUrl;
    opened.environment = u"Production"_s;
    opened.state = u"open"_s;
    out << opened;
    if (i.closedAt.isValid()) {
        Change closed = opened;
        closed.timeMs = i.closedAt.toMSecsSinceEpoch();
        closed.title = u"Incident #%1 closed: %2"_s.arg(i.number).arg(i.title);
        closed.state = u"closed"_s;
        out << closed;
    }
    return out;
}

std::optional<Change> Change::fromAudit(const Records::AuditRecord &r)
{
    Change c;
    c.timeMs = r.time.toMSecsSinceEpoch();
    c.origin = Origin::AuditLog;
    c.actor = r.actor;
    c.url = jsonText(r.after, "url");
    // "flag@environment" (the toggle matrix, auto-pacing) or the flag alone with the environment in `after`.
    c.flag = r.target.section(u'@', 0, 0);
    c.environment = r.target.contains(u'@') ? r.target.section(u'@', 1) : jsonText(r.after, "environment");
    if (r.action == u"flag.toggle.confirmed"_s) {
        const std::optional<bool> before = jsonBool(r.before, "enabled"), after = jsonBool(r.after, "enabled");
        if (!after)
            return std::nullopt;
        c.kind = Kind::FlagChange;
        c.before = before ? onOff(*before) : QString();
        c.after = onOff(*after);
        const QString scope = jsonText(r.after, "scope");
        if (!scope.isEmpty() && scope != jsonText(r.before, "scope"))
            c.detail = u"scope %1 → %2"_s.arg(jsonText(r.before, "scope"), scope);
        // The scope in words (FlagScope::describe): "clients a · lane browser · cohorts house".
        for (const QString &part : scope.split(u" · "_s)) {
            if (part.startsWith(u"cohorts "_s))
                c.cohorts = part.mid(8).split(u", "_s);
            else if (part.startsWith(u"clients "_s))
                c.clients += part.mid(8).split(u", "_s);
            else if (part.startsWith(u"platform accounts "_s))
                c.clients += part.mid(18).split(u", "_s);
            else if (part.startsWith(u"lane "_s))
                c.lane = part.mid(5);
        }
    } else if (r.action == u"flag.disable"_s || r.action == u"flag.serve"_s) {
        // A rollback's flag step: the flag stops being served.
        c.kind = Kind::FlagChange;
        c.before = u"on"_s;
        c.after = jsonBool(r.after, "on").value_or(false) ? u"on"_s : u"off"_s;
        if (c.environment.isEmpty())
            c.environment = u"production"_s;
    } else if (r.action == u"vercel.promote"_s || r.action == u"promotion.promoted"_s) {
        c.kind = Kind::Promotion;
        c.deploymentId = r.target;
        c.environment = u"Production"_s;
        c.flag.clear();
    } else if (r.action == u"vercel.instant-rollback"_s || r.action == u"vercel.rollback"_s) {
        c.kind = Kind::Rollback;
        c.deploymentId = r.target;
        c.environment = u"Production"_s;
        c.flag.clear();
    } else if (r.action == u"canary.stage"_s) {
        // A stage of a two-axis canary reached (CanarySession): one record per stage, in the web lane.
        c.kind = Kind::CanaryStage;
        c.deploymentId = r.target;
        c.environment = u"Production"_s;
        c.flag.clear();
        c.state = jsonText(r.after, "state");
        if (r.after.is_object() && r.after.contains("cohorts") && r.after["cohorts"].is_array()) {
            for (const auto &v : r.after["cohorts"]) {
                if (v.is_string())
                    c.cohorts << QString::fromStdString(v.get<std::string>());
            }
        }
    } else {
        return std::nullopt;
    }
    if (const QString level = jsonText(r.after, "level"); !level.isEmpty())
        c.level = levelFromName(level);
    if (const QString service = jsonText(r.after, "service"); !service.isEmpty())
        c.service = service;
    if (c.kind == Kind::FlagChange)
        c.title = u"%1: %2 → %3 (%4)"_s.arg(c.flag, c.before.isEmpty() ? u"?"_s : c.before, c.after, c.environment);
    else if (c.kind == Kind::CanaryStage)
        c.title = canaryStageTitle(r.target, r.after);
    else
        c.title = u"%1 %2"_s.arg(r.action, r.target);
    const QString by = u"by %1 (this console)"_s.arg(r.actor) + (r.reason.isEmpty() ? QString() : u" · reason: "_s + r.reason);
    c.detail = c.detail.isEmpty() ? by : by + u'\n' + c.detail;
    return c;
}

bool sameFlagChange(const Change &a, const Change &b, qint64 toleranceMs)
{
    return a.kind == Change::Kind::FlagChange && b.kind == Change::Kind::FlagChange && a.flag == b.flag
           && a.environment.compare(b.environment, Qt::CaseInsensitive) == 0 && a.after == b.after
           && (a.before == b.before || a.before.isEmpty() || b.before.isEmpty()) && std::abs(a.timeMs - b.timeMs) <= toleranceMs;
}

bool sameChange(const Change &a, const Change &b, qint64 toleranceMs)
{
    if (a.kind == Change::Kind::FlagChange)
        return sameFlagChange(a, b, toleranceMs);
    const bool production = a.kind == Change::Kind::Promotion || a.kind == Change::Kind::Rollback;
    return production && a.kind == b.kind && !a.deploymentId.isEmpty() && a.deploymentId == b.deploymentId
           && std::abs(a.timeMs - b.timeMs) <= toleranceMs;
}

QList<Change> mergeChanges(QList<Change> changes, qint64 toleranceMs)
{
    std::stable_sort(changes.begin(), changes.end(), [](const Change &a, const Change &b) { return a.timeMs < b.timeMs; });
    QList<Change> out;
    out.reserve(changes.size());
    QList<bool> dropped(changes.size(), false);
    for (qsizetype i = 0; i < changes.size(); ++i) {
        if (dropped[i])
            continue;
        Change c = changes[i];
        if (c.kind == Change::Kind::FlagChange || c.kind == Change::Kind::Promotion || c.kind == Change::Kind::Rollback) {
            // Its twins lie within the tolerance after it (the list is in time order).
            for (qsizetype j = i + 1; j < changes.size() && changes[j].timeMs - c.timeMs <= toleranceMs; ++j) {
                if (dropped[j] || changes[j].origin == c.origin || !sameChange(c, changes[j], toleranceMs)
                    || (c.origin != Change::Origin::AuditLog && changes[j].origin != Change::Origin::AuditLog))
                    continue;
                Change &twin = changes[j];
                Change &audit = c.origin == Change::Origin::AuditLog ? c : twin;
                const Change &other = c.origin == Change::Origin::AuditLog ? twin : c;
                if (audit.url.isEmpty())
                    audit.url = other.url;
                if (audit.cohorts.isEmpty())
                    audit.cohorts = other.cohorts;
                if (audit.clients.isEmpty())
                    audit.clients = other.clients;
                if (audit.lane.isEmpty())
                    audit.lane = other.lane;
                if (audit.before.isEmpty())
                    audit.before = other.before;
                audit.detail += u"\nalso recorded by the %1 (as %2)"_s.arg(Change::originName(other.origin), other.actor);
                if (&audit != &c)
                    c = audit;
                dropped[j] = true;
                break;
            }
        }
        out << c;
    }
    return out;
}

} // namespace Raize::Release
