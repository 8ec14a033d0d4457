#include "services/flags/flageventlog.h"

#include "net/endpoint.h"
#include "net/httpclient.h"
#include "net/jsonreader.h"
#include "services/flags/unleashclient.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Raize::Services {

namespace {

Error shapeError(const QString &service, const Net::JsonReader::Node &node, const QString &what)
{
    Error e = Error::make(Error::Kind::Parse, service, what,
                          u"the event log answered in an unexpected shape; check the flag service's API version and base URL in Settings"_s);
    e.fieldPath = node.path().isEmpty() ? u"(root)"_s : node.path();
    return e;
}

QDateTime parseTime(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    return t.toUTC();
}

// A strategy object of an Unleash event (data/preData) in words, with the cohorts and lane it names.
struct StrategyWords
{
    QString text;
    QStringList cohorts;
    QStringList clients;
    QString lane;
};

std::optional<StrategyWords> strategyWords(const nlohmann::json &j)
{
    if (!j.is_object())
        return std::nullopt;
    const Result<FlagStrategy> s = UnleashClient::parseStrategy(QByteArray::fromStdString(j.dump()));
    if (!s)
        return std::nullopt;
    StrategyWords w;
    w.text = s->scope.describe();
    if (s->rolloutPercent >= 0 && s->rolloutPercent < 100)
        w.text += u" at %1%"_s.arg(s->rolloutPercent);
    if (s->disabled)
        w.text += u" (strategy disabled)"_s;
    w.cohorts = s->scope.cohorts;
    w.clients = s->scope.clientIds + s->scope.platformAccountIds;
    w.lane = s->scope.lane;
    return w;
}

} // namespace

FlagEventLog::FlagEventLog(Net::HttpClient &http, QString kind, QUrl baseUrl, QString project, QUrl uiBase)
    : m_http(http)
    , m_kind(kind.isEmpty() ? u"unleash"_s : std::move(kind))
    , m_project(std::move(project))
    , m_base(std::move(baseUrl))
    , m_ui(uiBase.isEmpty() ? m_base : std::move(uiBase))
{
}

void FlagEventLog::changes(const QDateTime &since, Callback done)
{
    Net::Request r;
    r.service = Service::Flags;
    const QDateTime from = since.toUTC();
    if (m_kind == u"launchdarkly"_s) {
        // The audit log answers at most 20 entries a page, newest first.
        Net::QueryItems q = {{u"limit"_s, u"20"_s}, {u"spec"_s, u"proj/%1:env/*:flag/*"_s.arg(m_project)}};
        if (from.isValid())
            q.append({u"after"_s, QString::number(from.toMSecsSinceEpoch())});
        r.url = Net::endpoint(m_base, u"/api/v2/auditlog"_s, q);
        r.cacheKey = u"flags:auditlog:"_s + m_project;
    } else {
        // The search filters by day (IS:yyyy-MM-dd): the day of `since`, then the events before it are dropped here.
        Net::QueryItems q = {{u"project"_s, u"IS:"_s + m_project}, {u"limit"_s, u"100"_s}};
        if (from.isValid())
            q.append({u"from"_s, u"IS:"_s + from.date().toString(u"yyyy-MM-dd"_s)});
        r.url = Net::endpoint(m_base, u"/api/admin/search/events"_s, q);
        r.cacheKey = u"flags:events:"_s + m_project;
    }
    const QString kind = m_kind, project = m_project;
    const QUrl ui = m_ui;
    m_http.send(r, [done, kind, project, ui, from](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        Result<QList<FlagEvent>> events = kind == u"launchdarkly"_s ? parseLaunchDarkly(resp.body, ui) : parseUnleash(resp.body, ui, project);
        if (!events)
            return done(events.error());
        QList<FlagEvent> out = std::move(events).value();
        if (from.isValid())
            out.removeIf([&](const FlagEvent &e) { return e.timeMs < from.toMSecsSinceEpoch(); });
        done(out);
    });
}

Result<QList<FlagEvent>> FlagEventLog::parseUnleash(const QByteArray &body, const QUrl &uiBase, const QString &project)
{
    const QString service = u"unleash"_s;
    Net::JsonReader reader(service, body);
    if (!reader.ok())
        return reader.error();
    // /api/admin/search/events answers {events, total}; the older /api/admin/events {version, events}.
    const auto list = reader.root()["events"];
    if (!list.isArray())
        return shapeError(service, list, u"expected a list of events"_s);
    QList<FlagEvent> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto ev = list.at(i);
        const QString type = ev["type"].str();
        const bool toggle = type == u"feature-environment-enabled"_s || type == u"feature-environment-disabled"_s;
        const bool strategy = type.startsWith(u"feature-strategy-"_s);
        if (!reader.ok())
            return reader.error();
        if (!toggle && !strategy)
            continue; // tags, users, metrics, projects: not a change of what is served
        FlagEvent e;
        e.id = QString::number(ev["id"].integer());
        const QString created = ev["createdAt"].str();
        e.type = type;
        // createdBy is a string (a user's name or a token's name); some versions send an object.
        const auto by = ev["createdBy"];
        e.actor = by.exists() && by.raw().is_string() ? by.str() : by.exists() && by.raw().is_object() ? by["username"].optStr() : QString();
        e.flag = ev["featureName"].optStr();
        e.environment = ev["environment"].optStr();
        const QString eventProject = ev["project"].optStr(project);
        if (!reader.ok())
            return reader.error();
        const QDateTime t = parseTime(created);
        if (!t.isValid())
            return shapeError(service, ev["createdAt"], u"expected an RFC 3339 time, found “%1”"_s.arg(created));
        if (e.flag.isEmpty())
            return shapeError(service, ev["featureName"], u"a %1 event without a feature name"_s.arg(type));
        e.timeMs = t.toMSecsSinceEpoch();
        if (toggle) {
            const bool on = type == u"feature-environment-enabled"_s;
            e.before = on ? u"off"_s : u"on"_s;
            e.after = on ? u"on"_s : u"off"_s;
        } else {
            const std::optional<StrategyWords> pre = strategyWords(ev["preData"].raw());
            const std::optional<StrategyWords> post = strategyWords(ev["data"].raw());
            e.before = pre ? pre->text : u"no strategy"_s;
            e.after = post ? post->text : u"no strategy"_s;
            if (type == u"feature-strategy-remove"_s)
                e.after = u"strategy removed"_s;
            for (const auto *w : {&pre, &post}) {
                if (!*w)
                    continue;
                for (const QString &c : (*w)->cohorts) {
                    if (!e.cohorts.contains(c))
                        e.cohorts << c;
                }
                for (const QString &c : (*w)->clients) {
                    if (!e.clients.contains(c))
                        e.clients << c;
                }
                if (e.lane.isEmpty())
                    e.lane = (*w)->lane;
            }
        }
        e.url = Net::endpoint(uiBase, u"/projects/%1/features/%2"_s.arg(eventProject, e.flag)).toString();
        out << e;
    }
    std::stable_sort(out.begin(), out.end(), [](const FlagEvent &a, const FlagEvent &b) { return a.timeMs < b.timeMs; });
    return out;
}

Result<QList<FlagEvent>> FlagEventLog::parseLaunchDarkly(const QByteArray &body, const QUrl &uiBase)
{
    const QString service = u"launchdarkly"_s;
    Net::JsonReader reader(service, body);
    if (!reader.ok())
        return reader.error();
    const auto items = reader.root()["items"];
    if (!items.isArray())
        return shapeError(service, items, u"expected a list of audit log entries"_s);
    QList<FlagEvent> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto it = items.at(i);
        if (it["kind"].optStr() != u"flag"_s)
            continue;
        FlagEvent e;
        e.id = it["_id"].str();
        e.timeMs = it["date"].integer();
        const auto member = it["member"];
        // No member: an integration or an API token made the change.
        e.actor = member.isNull() ? u"(API token)"_s : member["email"].optStr();
        const QString verb = it["titleVerb"].optStr();
        e.flag = it["target"].exists() ? it["target"]["name"].optStr(it["name"].optStr()) : it["name"].optStr();
        // The resource names the environment: "proj/default:env/production:flag/checkout".
        const auto accesses = it["accesses"];
        const std::size_t n = accesses.isNull() ? 0 : accesses.size();
        for (std::size_t a = 0; a < n; ++a) {
            const QString resource = accesses.at(a)["resource"].optStr();
            const QString action = accesses.at(a)["action"].optStr();
            for (const QString &part : resource.split(u':')) {
                if (part.startsWith(u"env/"_s))
                    e.environment = part.mid(4);
                else if (part.startsWith(u"flag/"_s))
                    e.flag = part.mid(5);
            }
            if (e.type.isEmpty())
                e.type = action;
        }
        const QString site = it["_links"]["site"]["href"].optStr();
        if (!reader.ok())
            return reader.error();
        if (e.type == u"updateOn"_s || verb.contains(u"turned o"_s)) {
            const bool on = verb.contains(u"turned on"_s);
            e.before = on ? u"off"_s : u"on"_s;
            e.after = on ? u"on"_s : u"off"_s;
        } else {
            e.after = verb.isEmpty() ? e.type : verb;
        }
        if (!site.isEmpty())
            e.url = Net::endpoint(uiBase, site.section(u'?', 0, 0)).toString();
        out << e;
    }
    std::stable_sort(out.begin(), out.end(), [](const FlagEvent &a, const FlagEvent &b) { return a.timeMs < b.timeMs; });
    return out;
}

} // namespace Raize::Services
