#include "vercelfake.h"

#include "http/httpserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QTimer>

#include <optional>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
constexpr int RateLimit = 120; // per minute, like Vercel's default API budget for these endpoints
std::string s(const QString &q) { return q.toStdString(); }
QString q(const json &j, const char *key, const char *fallback = "")
{
    return QString::fromStdString(j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(fallback));
}
} // namespace

VercelFake::VercelFake(HttpServer *server, QString token, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_token(std::move(token))
{
    m_server->setErrorBody([](int, const QString &code, const QString &message) {
        return json{{"error", {{"code", s(code)}, {"message", s(message)}}}};
    });
    routes();
    rollingReleaseRoutes();
}

VercelFake::Check VercelFake::checkFromSpec(const json &spec, qint64 created)
{
    Check ch;
    ch.id = u"chk_%1"_s.arg(m_nextCheck++);
    ch.name = q(spec, "name");
    ch.status = q(spec, "status", "completed");
    ch.conclusion = q(spec, "conclusion", "succeeded");
    ch.blocking = spec.value("blocking", true);
    ch.createdAt = ch.updatedAt = created;
    return ch;
}

void VercelFake::load(const json &scenario)
{
    const json project = scenario.value("project", json::object());
    m_projectId = q(project, "id", "prj_raize_web");
    m_projectName = q(project, "name", "raize-web");
    m_teamId = q(project, "teamId", "team_raize");
    m_deployments.clear();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const json &d : scenario.value("deployments", json::array())) {
        Deployment dep;
        dep.uid = q(d, "uid");
        dep.target = q(d, "target");
        dep.state = q(d, "state", "READY");
        dep.sha = q(d, "sha");
        dep.ref = q(d, "ref", "main");
        dep.pr = d.value("pr", 0);
        dep.created = now - qint64(d.value("minutesAgo", 60)) * 60000;
        for (const json &c : d.value("checks", json::array()))
            dep.checks.append(checkFromSpec(c, dep.created));
        m_deployments.append(dep);
    }
    std::sort(m_deployments.begin(), m_deployments.end(), [](const Deployment &a, const Deployment &b) { return a.created > b.created; });
    m_production = q(scenario, "production");
    m_serving = m_production;
    m_customAliases.clear();
    if (const auto aliases = scenario.find("aliases"); aliases != scenario.end() && aliases->is_object()) {
        for (auto it = aliases->begin(); it != aliases->end(); ++it) {
            if (it->is_string())
                m_customAliases.insert(QString::fromStdString(it.key()), QString::fromStdString(it->get<std::string>()));
        }
    }
    m_aliasJob = nullptr;
    ++m_aliasJobGeneration;
    m_aliasDelayMs = 0;
    m_abortDelayMs = 0;
    ++m_abortGeneration;
    m_pinned = false;
    m_lastRollback = nullptr;
    // A project set up as the playbook asks (§5.2, §5.3) unless the scenario says otherwise.
    m_settings = {{"autoAssignCustomDomains", true},
                  {"ssoProtection", {{"deploymentType", "prod_deployment_urls_and_all_previews"}}},
                  {"passwordProtection", nullptr},
                  {"trustedIps", nullptr},
                  {"deploymentExpiration",
                   {{"expirationDays", 180}, {"expirationDaysProduction", 365}, {"expirationDaysCanceled", 30}, {"expirationDaysErrored", 90},
                    {"deploymentsToKeep", 10}}}};
    for (const char *key : {"autoAssignCustomDomains", "ssoProtection", "passwordProtection", "trustedIps", "deploymentExpiration"}) {
        if (project.contains(key))
            m_settings[key] = project[key];
    }
    loadRollingRelease(scenario);
}

VercelFake::Deployment *VercelFake::find(const QString &idOrUrl)
{
    for (Deployment &d : m_deployments) {
        if (d.uid == idOrUrl || u"%1-%2.vercel.app"_s.arg(m_projectName, d.uid.mid(4, 9)) == idOrUrl)
            return &d;
    }
    return nullptr;
}

json VercelFake::listItem(const Deployment &d) const
{
    const QString name = d.project.isEmpty() ? m_projectName : d.project;
    const QString url = u"%1-%2.vercel.app"_s.arg(name, d.uid.mid(4, 9));
    return {{"uid", s(d.uid)},
            {"name", s(name)},
            {"projectId", s(d.project.isEmpty() ? m_projectId : d.project)},
            {"url", s(url)},
            {"created", d.created},
            {"createdAt", d.created},
            {"buildingAt", d.created},
            {"ready", d.created + 60000},
            {"state", s(d.state)},
            {"readyState", s(d.state)},
            {"type", "LAMBDAS"},
            {"target", d.target.isEmpty() ? json(nullptr) : json(s(d.target))},
            {"creator", {{"uid", "usr_release_bot"}, {"username", "release-bot"}}},
            {"inspectorUrl", s(u"https://vercel.com/raize/%1/%2"_s.arg(m_projectName, d.uid))},
            {"meta", {{"githubCommitSha", s(d.sha)}, {"githubCommitRef", s(d.ref)}, {"githubPrId", d.pr ? std::to_string(d.pr) : ""},
                      {"githubOrg", "raize"}, {"githubRepo", "platform"}}},
            {"checksState", d.checks.isEmpty() ? "registered" : "completed"},
            {"isRollbackCandidate", d.target == u"production"_s && d.state == u"READY"_s}};
}

json VercelFake::detail(const Deployment &d) const
{
    json j = listItem(d);
    j["id"] = j["uid"];
    j["aliasAssigned"] = d.uid == m_serving;
    j["bootedAt"] = d.created;
    j["buildSkipped"] = false;
    j["public"] = false;
    j["regions"] = json::array({"iad1"});
    j["status"] = j["readyState"];
    j["version"] = 2;
    j["alias"] = d.uid == m_serving ? json::array({"app.raize.example"}) : json::array();
    return j;
}

json VercelFake::checkJson(const QString &deploymentId, const Check &c) const
{
    // As the description has it: deploymentId required, conclusion absent until there is one.
    json j = {{"id", s(c.id)}, {"name", s(c.name)}, {"status", s(c.status)}, {"deploymentId", s(deploymentId)},
              {"blocking", c.blocking}, {"integrationId", "oac_raize_console"}, {"rerequestable", true},
              {"createdAt", c.createdAt}, {"updatedAt", c.updatedAt}};
    if (!c.conclusion.isEmpty())
        j["conclusion"] = s(c.conclusion);
    return j;
}

json VercelFake::projectJson() const
{
    json production = nullptr;
    for (const Deployment &d : m_deployments) {
        if (d.uid == m_production) {
            const json full = detail(d);
            // The project's view of a target, with the fields the description requires.
            production = {{"id", full["id"]}, {"createdAt", full["createdAt"]}, {"createdIn", "iad1"},
                          {"creator", {{"uid", full["creator"]["uid"]}, {"username", full["creator"]["username"]}, {"email", "release-bot@raize.example"}}},
                          {"deploymentHostname", full["url"]}, {"name", full["name"]}, {"plan", "pro"}, {"private", true},
                          {"readyState", full["readyState"]}, {"type", "LAMBDAS"}, {"url", full["url"]},
                          {"userId", full["creator"]["uid"]}, {"target", "production"}, {"alias", full["alias"]},
                          {"aliasAssigned", true}, {"meta", full["meta"]}};
        }
    }
    json p = {{"id", s(m_projectId)},
              {"name", s(m_projectName)},
              {"accountId", s(m_teamId)},
              {"directoryListing", false},
              {"nodeVersion", "20.x"},
              {"framework", "nextjs"},
              {"resourceConfig", {{"functionDefaultMemoryType", "standard"}, {"functionDefaultRegions", {"iad1"}}}},
              {"defaultResourceConfig", {{"functionDefaultMemoryType", "standard"}, {"functionDefaultRegions", {"iad1"}}}},
              {"targets", {{"production", production}}},
              {"live", true}};
    for (auto it = m_settings.begin(); it != m_settings.end(); ++it)
        p[it.key()] = it.value();
    if (!m_rollbackDescription.isEmpty()) {
        p["rollbackDescription"] = {{"userId", "usr_release_bot"}, {"username", "release-bot"},
                                    {"description", s(m_rollbackDescription)}, {"createdAt", m_rollbackAt}};
    }
    // After an Instant Rollback Vercel keeps production pinned: new production
    // deployments are not assigned to the domains until a promotion.
    p["lastRollbackTarget"] = m_lastRollback.is_null() || !m_pinned ? json(nullptr) : m_lastRollback;
    p["lastAliasRequest"] = m_aliasJob;
    return p;
}

void VercelFake::setProduction(const QString &id)
{
    if (m_production == id)
        return;
    m_production = id;
    Q_EMIT productionChanged(id);
}

QString VercelFake::projectOf(const QString &idOrName) const
{
    return idOrName.isEmpty() || idOrName == m_projectId || idOrName == m_projectName ? QString() : idOrName;
}

json VercelFake::otherProjectJson(const QString &id) const
{
    json production = nullptr;
    for (const Deployment &d : m_deployments) { // newest first
        if (d.project == id && d.target == u"production"_s && d.state == u"READY"_s) {
            production = listItem(d);
            production["id"] = production["uid"];
            production["projectId"] = s(id);
            break;
        }
    }
    return {{"id", s(id)}, {"name", s(id)}, {"accountId", s(m_teamId)}, {"targets", {{"production", production}}}, {"live", true}};
}

json VercelFake::state() const
{
    json deployments = json::array();
    for (const Deployment &d : m_deployments)
        deployments.push_back(detail(d));
    json aliases = json::object();
    for (auto it = m_customAliases.cbegin(); it != m_customAliases.cend(); ++it)
        aliases[it.key().toStdString()] = it.value().toStdString();
    return {{"production", s(m_production)}, {"serving", s(m_serving)}, {"aliases", aliases}, {"aliasDelayMs", m_aliasDelayMs}, {"lastAliasRequest", m_aliasJob},
            {"pinned", m_pinned}, {"lastRollbackTarget", m_lastRollback}, {"settings", m_settings},
            {"deployments", deployments}, {"rollingRelease", rollingReleaseState()},
            {"budget", {{"limit", RateLimit}, {"usedThisWindow", m_requestsThisWindow}}}};
}

void VercelFake::resetBudget()
{
    m_windowStart = QDateTime::currentMSecsSinceEpoch();
    m_requestsThisWindow = 0;
}

json VercelFake::addDeployment(const json &spec)
{
    Deployment d;
    d.uid = q(spec, "uid");
    if (d.uid.isEmpty())
        d.uid = u"dpl_%1"_s.arg(QString::number(QDateTime::currentMSecsSinceEpoch(), 36));
    d.target = q(spec, "target");
    d.state = q(spec, "state", "READY");
    d.sha = q(spec, "sha");
    d.ref = q(spec, "ref", "main");
    d.pr = spec.value("pr", 0);
    d.project = projectOf(q(spec, "project"));
    d.created = QDateTime::currentMSecsSinceEpoch();
    // Deployment Checks as in a scenario file (names with a '/' cannot go through the checks control route).
    for (const json &c : spec.value("checks", json::array()))
        d.checks.append(checkFromSpec(c, d.created));
    m_deployments.prepend(d);
    bool assigned = false;
    if (!d.project.isEmpty())
        return {{"uid", s(d.uid)}, {"project", s(d.project)}, {"assignedToProduction", d.target == u"production"_s && d.state == u"READY"_s}};
    if (d.target == u"production"_s && d.state == u"READY"_s && !m_pinned) {
        setProduction(d.uid);
        moveDomains(d.uid); // a new production deployment takes the domains as it becomes ready
        assigned = true;
    }
    return {{"uid", s(d.uid)}, {"assignedToProduction", assigned}, {"pinned", m_pinned}};
}

bool VercelFake::setCheck(const QString &deploymentId, const QString &name, const QString &status, const QString &conclusion)
{
    Deployment *d = find(deploymentId);
    if (!d)
        return false;
    for (Check &c : d->checks) {
        if (c.name == name) {
            c.status = status;
            c.conclusion = conclusion;
            c.updatedAt = QDateTime::currentMSecsSinceEpoch();
            return true;
        }
    }
    Check c;
    c.id = u"chk_%1"_s.arg(m_nextCheck++);
    c.name = name;
    c.status = status;
    c.conclusion = conclusion;
    c.createdAt = c.updatedAt = QDateTime::currentMSecsSinceEpoch();
    d->checks.append(c);
    return true;
}

// Every Vercel route checks the token and counts against the budget first.
HttpServer::Handler VercelFake::guard(HttpServer::Handler h)
{
    using M = QRegularExpressionMatch;
    return [this, h](const HttpRequest &r, const M &m) {
        const QByteArray auth = r.header("authorization");
        if (auth.isEmpty())
            return m_server->error(401, u"missing_token"_s, u"The request is missing an authentication token"_s);
        if (auth != "Bearer " + m_token.toUtf8())
            return m_server->error(403, u"forbidden"_s, u"Not authorized"_s);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now - m_windowStart > 60000) {
            m_windowStart = now;
            m_requestsThisWindow = 0;
        }
        ++m_requestsThisWindow;
        const qint64 reset = (m_windowStart + 60000) / 1000;
        HttpResponse resp = m_requestsThisWindow > RateLimit
            ? m_server->error(429, u"rate_limited"_s, u"Rate limit exceeded"_s)
            : h(r, m);
        resp.setHeader("X-RateLimit-Limit", QByteArray::number(RateLimit));
        resp.setHeader("X-RateLimit-Remaining", QByteArray::number(qMax(0, RateLimit - m_requestsThisWindow)));
        resp.setHeader("X-RateLimit-Reset", QByteArray::number(reset));
        return resp;
    };
}

void VercelFake::routes()
{
    aliasRoutes();
    const auto guarded = [this](HttpServer::Handler h) { return guard(std::move(h)); };
    using M = QRegularExpressionMatch;

    m_server->route("GET", u"/v6/deployments"_s, guarded([this](const HttpRequest &r, const M &) {
        // Another project lists its own deployments (none when nothing was deployed to it).
        const QString project = projectOf(r.queryValue(u"projectId"_s));
        const QString target = r.queryValue(u"target"_s);
        const QString state = r.queryValue(u"state"_s);
        const bool candidates = r.queryValue(u"rollbackCandidate"_s) == u"true"_s;
        const int limit = qBound(1, r.queryValue(u"limit"_s, u"20"_s).toInt(), 100);
        const qint64 until = r.queryValue(u"until"_s, u"0"_s).toLongLong();
        const qint64 since = r.queryValue(u"since"_s, u"0"_s).toLongLong();
        json items = json::array();
        qint64 last = 0;
        bool more = false;
        for (const Deployment &d : std::as_const(m_deployments)) {
            if (d.project != project)
                continue;
            if (!target.isEmpty() && d.target != target)
                continue;
            if (!state.isEmpty() && !state.split(u',').contains(d.state))
                continue;
            if (candidates && !(d.target == u"production"_s && d.state == u"READY"_s))
                continue;
            if (until && d.created >= until)
                continue;
            if (since && d.created <= since)
                continue;
            if (int(items.size()) == limit) {
                more = true;
                break;
            }
            items.push_back(listItem(d));
            last = d.created;
        }
        json pagination = {{"count", items.size()}, {"next", more ? json(last) : json(nullptr)}, {"prev", items.empty() ? json(nullptr) : items[0]["created"]}};
        return HttpResponse::json(200, {{"deployments", items}, {"pagination", pagination}});
    }));

    m_server->route("GET", u"/v13/deployments/([^/]+)"_s, guarded([this](const HttpRequest &, const M &m) {
        const Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        return HttpResponse::json(200, detail(*d));
    }));

    m_server->route("GET", u"/v9/projects/([^/]+)"_s, guarded([this](const HttpRequest &, const M &m) {
        // The team's other projects (runner, tools) exist, with or without deployments yet.
        if (const QString other = projectOf(m.captured(1)); !other.isEmpty())
            return HttpResponse::json(200, otherProjectJson(other));
        return HttpResponse::json(200, projectJson());
    }));

    m_server->route("POST", u"/v10/projects/([^/]+)/promote/([^/]+)"_s, guarded([this](const HttpRequest &, const M &m) {
        if (m.captured(1) != m_projectId && m.captured(1) != m_projectName)
            return m_server->error(404, u"not_found"_s, u"Project not found"_s);
        Deployment *d = find(m.captured(2));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        if (d->state != u"READY"_s)
            return m_server->error(409, u"deployment_not_ready"_s, u"Deployment %1 is %2, not READY"_s.arg(d->uid, d->state));
        // Promotion serves the deployment in production and lifts a rollback pin (custom domains follow new production again).
        m_pinned = false;
        m_settings["autoAssignCustomDomains"] = true;
        m_rollbackDescription.clear();
        if (d->target.isEmpty() || d->target == u"staging"_s)
            d->target = u"production"_s;
        const QString from = m_production;
        setProduction(d->uid);
        startAliasJob(u"promote"_s, from, d->uid);
        return HttpResponse::json(201, json::object());
    }));

    m_server->route("POST", u"/v1/projects/([^/]+)/rollback/([^/]+)"_s, guarded([this](const HttpRequest &r, const M &m) {
        if (m.captured(1) != m_projectId && m.captured(1) != m_projectName)
            return m_server->error(404, u"not_found"_s, u"Project not found"_s);
        Deployment *d = find(m.captured(2));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        if (d->target != u"production"_s)
            return m_server->error(422, u"invalid_rollback_target"_s, u"Only production deployments can be rollback targets"_s);
        if (d->state != u"READY"_s)
            return m_server->error(422, u"invalid_rollback_target"_s, u"Deployment %1 is %2, not READY"_s.arg(d->uid, d->state));
        // During a rolling release production is split: rolling back to the current deployment is how it is aborted.
        if (d->uid == m_production && trafficSplit().canary.isEmpty())
            return m_server->error(409, u"already_current"_s, u"Deployment %1 already serves production"_s.arg(d->uid));
        m_lastRollback = {{"fromDeploymentId", s(m_production)}, {"toDeploymentId", s(d->uid)}, {"jobStatus", "succeeded"},
                          {"requestedAt", QDateTime::currentMSecsSinceEpoch()}};
        m_rollbackDescription = r.queryValue(u"description"_s);
        m_rollbackAt = QDateTime::currentMSecsSinceEpoch();
        m_pinned = true;
        m_settings["autoAssignCustomDomains"] = false;
        const QString from = m_production;
        abortRollingRelease(); // Vercel's rollback also ends an active rolling release
        setProduction(d->uid);
        startAliasJob(u"rollback"_s, from, d->uid);
        return HttpResponse::json(201, json::object());
    }));


    m_server->route("GET", u"/v1/deployments/([^/]+)/checks"_s, guarded([this](const HttpRequest &, const M &m) {
        const Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        json checks = json::array();
        for (const Check &c : d->checks)
            checks.push_back(checkJson(d->uid, c));
        return HttpResponse::json(200, {{"checks", checks}});
    }));

    m_server->route("POST", u"/v1/deployments/([^/]+)/checks"_s, guarded([this](const HttpRequest &r, const M &m) {
        Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        const json body = r.json();
        if (!body.is_object() || !body.contains("name") || !body["name"].is_string() || !body.contains("blocking") || !body["blocking"].is_boolean())
            return m_server->error(400, u"bad_request"_s, u"Invalid request: missing required property `name` or `blocking`"_s);
        Check c;
        c.id = u"chk_%1"_s.arg(m_nextCheck++);
        c.name = q(body, "name");
        c.blocking = body["blocking"].get<bool>();
        c.status = u"registered"_s;
        c.createdAt = c.updatedAt = QDateTime::currentMSecsSinceEpoch();
        d->checks.append(c);
        return HttpResponse::json(200, checkJson(d->uid, c));
    }));

    m_server->route("GET", u"/v1/deployments/([^/]+)/checks/([^/]+)"_s, guarded([this](const HttpRequest &, const M &m) {
        Deployment *d = find(m.captured(1));
        for (const Check &c : d ? d->checks : QList<Check>{}) {
            if (c.id == m.captured(2))
                return HttpResponse::json(200, checkJson(d->uid, c));
        }
        return m_server->error(404, u"not_found"_s, u"Check not found"_s);
    }));

    m_server->route("PATCH", u"/v1/deployments/([^/]+)/checks/([^/]+)"_s, guarded([this](const HttpRequest &r, const M &m) {
        Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        const json body = r.json();
        if (!body.is_object())
            return m_server->error(400, u"bad_request"_s, u"Invalid JSON body"_s);
        for (Check &c : d->checks) {
            if (c.id == m.captured(2)) {
                c.status = q(body, "status", qPrintable(c.status));
                c.conclusion = q(body, "conclusion", qPrintable(c.conclusion));
                c.updatedAt = QDateTime::currentMSecsSinceEpoch();
                return HttpResponse::json(200, checkJson(d->uid, c));
            }
        }
        return m_server->error(404, u"not_found"_s, u"Check not found"_s);
    }));

    m_server->route("POST", u"/v1/deployments/([^/]+)/checks/([^/]+)/rerequest"_s, guarded([this](const HttpRequest &, const M &m) {
        Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        for (Check &c : d->checks) {
            if (c.id == m.captured(2)) {
                c.status = u"rerequested"_s;
                c.conclusion.clear();
                return HttpResponse::json(200, json::object());
            }
        }
        return m_server->error(404, u"not_found"_s, u"Check not found"_s);
    }));
}

// ---- the alias job: accepted, then effective (ADR 0027) ----

void VercelFake::startAliasJob(const QString &type, const QString &from, const QString &to)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const int generation = ++m_aliasJobGeneration;
    m_aliasJob = {{"fromDeploymentId", s(from)}, {"toDeploymentId", s(to)}, {"jobStatus", m_aliasDelayMs > 0 ? "in-progress" : "succeeded"},
                  {"requestedAt", now}, {"type", s(type)}};
    if (m_aliasDelayMs <= 0)
        return moveDomains(to);
    QTimer::singleShot(m_aliasDelayMs, this, [this, generation, to] {
        if (generation != m_aliasJobGeneration)
            return; // a newer promote or rollback (or a reload) overtook this one
        m_aliasJob["jobStatus"] = "succeeded";
        moveDomains(to);
    });
}

void VercelFake::moveDomains(const QString &to)
{
    if (m_serving == to)
        return;
    m_serving = to;
    Q_EMIT servingChanged(to);
}

void VercelFake::aliasRoutes()
{
    using M = QRegularExpressionMatch;
    // The same token check as every route (the budget is not counted: these are the confirmation's reads).
    const auto authorized = [this](const HttpRequest &r) -> std::optional<HttpResponse> {
        const QByteArray auth = r.header("authorization");
        if (auth.isEmpty())
            return m_server->error(401, u"missing_token"_s, u"The request is missing an authentication token"_s);
        if (auth != "Bearer " + m_token.toUtf8())
            return m_server->error(403, u"forbidden"_s, u"Not authorized"_s);
        return std::nullopt;
    };
    // The per-alias status of the ongoing promote or rollback: PENDING until the domains moved.
    m_server->route("GET", u"/v1/projects/([^/]+)/promote/aliases"_s, [this, authorized](const HttpRequest &r, const M &) {
        if (auto refused = authorized(r))
            return *refused;
        const bool pending = m_aliasJob.is_object() && m_aliasJob.value("jobStatus", "") == "in-progress";
        const char *status = pending ? "PENDING" : "SUCCEEDED";
        json aliases = json::array({{{"id", "als_app"}, {"alias", "app.raize.example"}, {"status", status}},
                                    {{"id", "als_vercel_app"}, {"alias", "raize-web.vercel.app"}, {"status", status}}});
        return HttpResponse::json(200, {{"aliases", aliases}, {"pagination", {{"count", 2}, {"next", nullptr}, {"prev", nullptr}}}});
    });
    // Which domains point at a deployment: the production domains at the one they serve, none elsewhere.
    m_server->route("GET", u"/v2/deployments/([^/]+)/aliases"_s, [this, authorized](const HttpRequest &r, const M &m) {
        if (auto refused = authorized(r))
            return *refused;
        const Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        json aliases = json::array();
        const std::string created = QDateTime::fromMSecsSinceEpoch(d->created, Qt::UTC).toString(Qt::ISODateWithMs).toStdString();
        if (d->uid == m_serving) {
            aliases.push_back({{"uid", "als_app"}, {"alias", "app.raize.example"}, {"created", created}, {"redirect", nullptr}});
            aliases.push_back({{"uid", "als_vercel_app"}, {"alias", s(m_projectName + u".vercel.app"_s)}, {"created", created}, {"redirect", nullptr}});
        }
        for (auto it = m_customAliases.cbegin(); it != m_customAliases.cend(); ++it) {
            if (it.value() == d->uid)
                aliases.push_back({{"uid", s(aliasUid(it.key()))}, {"alias", s(it.key())}, {"created", created}, {"redirect", nullptr}});
        }
        return HttpResponse::json(200, {{"aliases", aliases}});
    });
    // Assign an alias (assignAlias): the domain moves from the deployment it pointed at (oldDeploymentId) to this one.
    // 409 when it already points here (Vercel: "already assigned to the given deployment") or is a production
    // domain (promote moves those); 400 when the deployment is not READY; 404 when there is no such deployment.
    m_server->route("POST", u"/v2/deployments/([^/]+)/aliases"_s, guard([this](const HttpRequest &r, const M &m) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("alias") || !body["alias"].is_string() || body["alias"].get<std::string>().empty())
            return m_server->error(400, u"bad_request"_s, u"Invalid request: missing required property `alias`"_s);
        const QString alias = QString::fromStdString(body["alias"].get<std::string>());
        Deployment *d = find(m.captured(1));
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        if (d->state != u"READY"_s)
            return m_server->error(400, u"deployment_not_ready"_s, u"The deployment is not READY and can not be aliased"_s);
        if (alias == u"app.raize.example"_s || alias == m_projectName + u".vercel.app"_s)
            return m_server->error(409, u"not_allowed"_s, u"The domain is not allowed to be used"_s);
        if (m_customAliases.value(alias) == d->uid)
            return m_server->error(409, u"alias_in_use"_s, u"The provided alias is already assigned to the given deployment"_s);
        const QString old = m_customAliases.value(alias);
        m_customAliases.insert(alias, d->uid);
        json answer = {{"uid", s(aliasUid(alias))},
                       {"alias", s(alias)},
                       {"created", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()}};
        answer["oldDeploymentId"] = old.isEmpty() ? json(nullptr) : json(s(old));
        return HttpResponse::json(200, answer);
    }));
}

QString VercelFake::aliasUid(const QString &alias)
{
    return u"als_"_s + QString::fromLatin1(QCryptographicHash::hash(alias.toUtf8(), QCryptographicHash::Sha1).toHex().left(20));
}

} // namespace Raize::Sandbox
