#include "launchdarkly/launchdarklyfake.h"

#include "http/httpserver.h"

#include <QDateTime>

#include <algorithm>
#include <QRegularExpression>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Sandbox {

namespace {

const char *const kEnvironment = "production";

std::string attributeFor(const std::string &kind)
{
    if (kind == "client")
        return "clientId";
    if (kind == "account")
        return "platformAccount";
    if (kind == "lane")
        return "lane";
    if (kind == "cohort")
        return "cohort";
    return {};
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

json link(const QString &href)
{
    return {{"href", href.toStdString()}, {"type", "application/json"}};
}

} // namespace

LaunchDarklyFake::LaunchDarklyFake(HttpServer *server, QString token, QString project, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_token(std::move(token))
    , m_project(std::move(project))
{
    m_server->setErrorBody([](int, const QString &code, const QString &message) {
        return json{{"code", code.toStdString()}, {"message", message.toStdString()}};
    });
    routes();
}

void LaunchDarklyFake::load(const json &flags)
{
    m_flags.clear();
    const qint64 created = nowMs() - 86400000;
    for (const json &f : flags) {
        if (!f.is_object() || !f.contains("name"))
            continue;
        const std::string key = f.value("name", "");
        const json scope = f.value("scope", json{{"kind", "global"}});
        const std::string attribute = attributeFor(scope.value("kind", "global"));
        json rules = json::array();
        if (!attribute.empty()) {
            rules.push_back({{"_id", "rule-" + attribute},
                             {"variation", 0},
                             {"trackEvents", false},
                             {"clauses", json::array({{{"_id", "clause-" + attribute},
                                                       {"attribute", attribute},
                                                       {"op", "in"},
                                                       {"values", scope.value("values", json::array())},
                                                       {"negate", false},
                                                       {"contextKind", "user"}}})}});
        }
        json env = {{"_environmentName", "Production"},
                    {"_site", {{"href", "/" + m_project.toStdString() + "/production/features/" + key}, {"type", "text/html"}}},
                    {"archived", false},
                    {"lastModified", created},
                    {"on", f.value("enabled", false)},
                    {"salt", "salt-" + key},
                    {"sel", "sel-" + key},
                    {"trackEvents", false},
                    {"trackEventsFallthrough", false},
                    {"version", 1},
                    {"targets", json::array()},
                    {"contextTargets", json::array()},
                    {"rules", rules},
                    // Scoped: the rule serves true, everyone else false. Global: everyone true.
                    {"fallthrough", {{"variation", attribute.empty() ? 0 : 1}}},
                    {"offVariation", 1}};
        m_flags.insert(QString::fromStdString(key),
                       {{"_links", {{"self", link(u"/api/v2/flags/%1/%2"_s.arg(m_project, QString::fromStdString(key)))}}},
                        {"_version", 1},
                        {"archived", false},
                        {"creationDate", created},
                        {"customProperties", json::object()},
                        {"experiments", {{"baselineIdx", 0}, {"items", json::array()}}},
                        {"key", key},
                        {"kind", "boolean"},
                        {"name", key},
                        {"description", f.value("description", "")},
                        {"tags", json::array({f.value("type", "release")})},
                        {"temporary", f.value("type", "release") == "release"},
                        {"variations", json::array({{{"_id", "var-on"}, {"value", true}, {"name", "on"}},
                                                    {{"_id", "var-off"}, {"value", false}, {"name", "off"}}})},
                        {"environments", {{kEnvironment, env}}}});
    }
}

json LaunchDarklyFake::state() const
{
    json flags = json::object();
    for (auto it = m_flags.cbegin(); it != m_flags.cend(); ++it) {
        const json &env = it.value()["environments"][kEnvironment];
        flags[it.key().toStdString()] = {{"on", env.value("on", false)}, {"version", env.value("version", 0)}, {"rules", env["rules"].size()}};
    }
    return {{"project", m_project.toStdString()}, {"flags", flags}};
}

QStringList LaunchDarklyFake::instructionKinds()
{
    return {u"turnFlagOn"_s, u"turnFlagOff"_s, u"replaceRules"_s, u"updateFallthroughVariationOrRollout"_s, u"addRule"_s, u"removeRule"_s};
}

QString LaunchDarklyFake::checkSemanticPatch(const json &body)
{
    // The same rules as semantic-patch.schema.json (the test validates recorded bodies against it).
    if (!body.is_object())
        return u"a semantic patch is a JSON object"_s;
    for (auto it = body.cbegin(); it != body.cend(); ++it) {
        if (it.key() != "environmentKey" && it.key() != "instructions" && it.key() != "comment")
            return u"unknown field \"%1\" in the semantic patch"_s.arg(QString::fromStdString(it.key()));
    }
    if (!body.contains("environmentKey") || !body["environmentKey"].is_string() || body["environmentKey"].get<std::string>().empty())
        return u"environmentKey is required"_s;
    if (body.contains("comment") && !body["comment"].is_string())
        return u"comment must be a string"_s;
    if (!body.contains("instructions") || !body["instructions"].is_array() || body["instructions"].empty())
        return u"instructions must be a non-empty array"_s;
    for (const json &i : body["instructions"]) {
        if (!i.is_object() || !i.contains("kind") || !i["kind"].is_string())
            return u"every instruction needs a kind"_s;
        const QString kind = QString::fromStdString(i["kind"].get<std::string>());
        if (!instructionKinds().contains(kind))
            return u"unknown instruction kind \"%1\""_s.arg(kind);
        if ((kind == u"turnFlagOn"_s || kind == u"turnFlagOff"_s) && i.size() != 1)
            return u"%1 takes no parameters"_s.arg(kind);
        if (kind == u"replaceRules"_s && (!i.contains("rules") || !i["rules"].is_array()))
            return u"replaceRules needs rules"_s;
        if (kind == u"updateFallthroughVariationOrRollout"_s && !i.contains("variationId") && !i.contains("rolloutWeights"))
            return u"updateFallthroughVariationOrRollout needs variationId or rolloutWeights"_s;
        if (kind == u"addRule"_s) {
            for (auto it = i.cbegin(); it != i.cend(); ++it) {
                static const QStringList known = {u"kind"_s, u"ref"_s, u"description"_s, u"clauses"_s, u"variationId"_s,
                                                  u"rolloutWeights"_s, u"rolloutBucketBy"_s, u"beforeRuleId"_s};
                if (!known.contains(QString::fromStdString(it.key())))
                    return u"unknown field \"%1\" in addRule"_s.arg(QString::fromStdString(it.key()));
            }
            if (!i.contains("clauses") || !i["clauses"].is_array() || i["clauses"].empty())
                return u"addRule needs clauses"_s;
            if (i.contains("variationId") == i.contains("rolloutWeights"))
                return u"addRule needs variationId or rolloutWeights (one of them)"_s;
            if ((i.contains("ref") && !i["ref"].is_string()) || (i.contains("beforeRuleId") && !i["beforeRuleId"].is_string()))
                return u"addRule: ref and beforeRuleId are strings"_s;
        }
        if (kind == u"removeRule"_s && (i.size() != 2 || !i.contains("ruleId") || !i["ruleId"].is_string()))
            return u"removeRule takes ruleId (a string) only"_s;
    }
    return {};
}

json LaunchDarklyFake::flagFor(const json &flag, const QString &env) const
{
    json out = flag;
    if (!env.isEmpty()) {
        // ?env= narrows the environments to that one (an unknown one: none).
        json only = json::object();
        if (flag["environments"].contains(env.toStdString()))
            only[env.toStdString()] = flag["environments"][env.toStdString()];
        out["environments"] = only;
    }
    return out;
}

QString LaunchDarklyFake::applySemanticPatch(json &flag, const json &body)
{
    if (const QString wrong = checkSemanticPatch(body); !wrong.isEmpty())
        return wrong;
    const std::string envKey = body["environmentKey"].get<std::string>();
    if (!flag["environments"].contains(envKey))
        return u"unknown environment \"%1\""_s.arg(QString::fromStdString(envKey));
    json env = flag["environments"][envKey]; // applied whole or not at all
    const auto variationIndex = [&](const std::string &id) -> int {
        for (std::size_t v = 0; v < flag["variations"].size(); ++v) {
            if (flag["variations"][v].value("_id", "") == id)
                return int(v);
        }
        return -1;
    };
    const auto served = [&](const json &from, json *into, QString *error) {
        if (from.contains("variationId")) {
            const int v = variationIndex(from.value("variationId", ""));
            if (v < 0)
                return *error = u"unknown variationId"_s, false;
            *into = {{"variation", v}};
            return true;
        }
        json weights = json::array();
        for (auto it = from["rolloutWeights"].cbegin(); it != from["rolloutWeights"].cend(); ++it) {
            const int v = variationIndex(it.key());
            if (v < 0 || !it.value().is_number_integer())
                return *error = u"unknown variation in rolloutWeights"_s, false;
            weights.push_back({{"variation", v}, {"weight", it.value()}});
        }
        *into = {{"rollout", {{"variations", weights}}}};
        return true;
    };
    for (const json &i : body["instructions"]) {
        const std::string kind = i["kind"].get<std::string>();
        QString error;
        if (kind == "turnFlagOn" || kind == "turnFlagOff") {
            env["on"] = kind == "turnFlagOn";
        } else if (kind == "replaceRules") {
            json rules = json::array();
            int n = 0;
            for (const json &r : i["rules"]) {
                json rule;
                if (!r.is_object() || !served(r, &rule, &error))
                    return error.isEmpty() ? u"a rule must be an object"_s : error;
                rule["_id"] = "rule-" + std::to_string(++n);
                rule["trackEvents"] = false;
                rule["clauses"] = r.value("clauses", json::array());
                if (r.contains("description"))
                    rule["description"] = r["description"];
                rules.push_back(rule);
            }
            env["rules"] = rules;
        } else if (kind == "addRule") {
            json rule;
            if (!served(i, &rule, &error))
                return error;
            rule["_id"] = "rule-v" + std::to_string(env.value("version", 0) + 1) + "-" + std::to_string(env["rules"].size() + 1);
            rule["trackEvents"] = false;
            rule["clauses"] = i["clauses"];
            for (const char *k : {"ref", "description"}) {
                if (i.contains(k))
                    rule[k] = i[k];
            }
            if (!env["rules"].is_array())
                env["rules"] = json::array();
            json &rules = env["rules"];
            auto at = rules.end();
            if (i.contains("beforeRuleId")) {
                at = std::find_if(rules.begin(), rules.end(), [&](const json &r) { return r.value("_id", "") == i["beforeRuleId"]; });
                if (at == rules.end())
                    return u"beforeRuleId names no rule"_s;
            }
            rules.insert(at, rule);
        } else if (kind == "removeRule") {
            json &rules = env["rules"];
            const auto at = std::find_if(rules.begin(), rules.end(), [&](const json &r) { return r.value("_id", "") == i["ruleId"]; });
            if (at == rules.end())
                return u"removeRule: no rule %1"_s.arg(QString::fromStdString(i["ruleId"].get<std::string>()));
            rules.erase(at);
        } else if (kind == "updateFallthroughVariationOrRollout") {
            json fall;
            if (!served(i, &fall, &error))
                return error;
            env["fallthrough"] = fall;
        }
    }
    env["version"] = env.value("version", 0) + 1;
    env["lastModified"] = nowMs();
    flag["environments"][envKey] = env;
    flag["_version"] = flag.value("_version", 0) + 1;
    return {};
}

QString LaunchDarklyFake::applyJsonPatch(json &flag, const json &body)
{
    const json ops = body.is_object() ? body.value("patch", json()) : body;
    if (!ops.is_array() || ops.empty())
        return u"a JSON Patch is an array of operations (or {\"patch\": [...]})"_s;
    static const QRegularExpression onPath(u"^/environments/([^/]+)/on$"_s);
    json next = flag;
    for (const json &op : ops) {
        const auto m = onPath.match(QString::fromStdString(op.is_object() ? op.value("path", "") : ""));
        if (!op.is_object() || op.value("op", "") != "replace" || !m.hasMatch() || !op.contains("value") || !op["value"].is_boolean())
            return u"this fake applies only replace /environments/{env}/on with a boolean"_s;
        const std::string envKey = m.captured(1).toStdString();
        if (!next["environments"].contains(envKey))
            return u"unknown environment \"%1\""_s.arg(m.captured(1));
        json &env = next["environments"][envKey];
        env["on"] = op["value"];
        env["version"] = env.value("version", 0) + 1;
        env["lastModified"] = nowMs();
    }
    next["_version"] = next.value("_version", 0) + 1;
    flag = next;
    return {};
}

void LaunchDarklyFake::routes()
{
    using M = QRegularExpressionMatch;
    const auto authorized = [this](const HttpRequest &r) { return QString::fromUtf8(r.header("authorization")) == m_token; };
    const auto unauthorized = [this] { return m_server->error(401, u"unauthorized"_s, u"Invalid access token"_s); };
    const auto unknownProject = [this](const QString &project) {
        return m_server->error(404, u"not_found"_s, u"Unknown project \"%1\""_s.arg(project));
    };

    m_server->route("GET", u"/api/v2/flags/([^/]+)"_s, [=, this](const HttpRequest &r, const M &m) {
        if (!authorized(r))
            return unauthorized();
        if (m.captured(1) != m_project)
            return unknownProject(m.captured(1));
        const QString env = r.queryValue(u"env"_s);
        const int limit = qBound(1, r.queryValue(u"limit"_s, u"20"_s).toInt(), 100);
        const int offset = qMax(0, r.queryValue(u"offset"_s, u"0"_s).toInt());
        json items = json::array();
        int i = 0;
        for (auto it = m_flags.cbegin(); it != m_flags.cend(); ++it, ++i) {
            if (i >= offset && i < offset + limit)
                items.push_back(flagFor(it.value(), env));
        }
        return HttpResponse::json(200, {{"items", items},
                                        {"totalCount", m_flags.size()},
                                        {"_links", {{"self", link(u"/api/v2/flags/%1?limit=%2&offset=%3"_s.arg(m_project).arg(limit).arg(offset))}}}});
    });
    m_server->route("GET", u"/api/v2/flags/([^/]+)/([^/]+)"_s, [=, this](const HttpRequest &r, const M &m) {
        if (!authorized(r))
            return unauthorized();
        if (m.captured(1) != m_project)
            return unknownProject(m.captured(1));
        const auto it = m_flags.constFind(m.captured(2));
        if (it == m_flags.cend())
            return m_server->error(404, u"not_found"_s, u"Unknown flag \"%1\""_s.arg(m.captured(2)));
        return HttpResponse::json(200, flagFor(it.value(), r.queryValue(u"env"_s)));
    });
    m_server->route("PATCH", u"/api/v2/flags/([^/]+)/([^/]+)"_s, [=, this](const HttpRequest &r, const M &m) {
        if (!authorized(r))
            return unauthorized();
        if (m.captured(1) != m_project)
            return unknownProject(m.captured(1));
        const auto it = m_flags.find(m.captured(2));
        if (it == m_flags.end())
            return m_server->error(404, u"not_found"_s, u"Unknown flag \"%1\""_s.arg(m.captured(2)));
        const json body = r.json();
        if (body.is_discarded())
            return m_server->error(400, u"invalid_request"_s, u"the body is not JSON"_s);
        const bool semantic = r.header("content-type").contains("domain-model=launchdarkly.semanticpatch");
        json flag = it.value();
        const QString wrong = semantic ? applySemanticPatch(flag, body) : applyJsonPatch(flag, body);
        if (!wrong.isEmpty())
            return m_server->error(400, u"invalid_request"_s, wrong);
        it.value() = flag;
        return HttpResponse::json(200, flag);
    });
    // Evaluate every flag for one context (issue #16 item 2: the blast radius asks LaunchDarkly one context per call).
    m_server->route("POST", u"/api/v2/projects/([^/]+)/environments/([^/]+)/flags/evaluate"_s, [=, this](const HttpRequest &r, const M &m) {
        if (!authorized(r))
            return unauthorized();
        if (m.captured(1) != m_project)
            return unknownProject(m.captured(1));
        const json context = r.json();
        if (!context.is_object() || !context.contains("key"))
            return m_server->error(400, u"invalid_request"_s, u"the body must be a context with a key"_s);
        const std::string env = m.captured(2).toStdString();
        const auto attribute = [&](const std::string &name) { return context.contains(name) ? context[name] : json(); };
        json items = json::array();
        for (auto it = m_flags.cbegin(); it != m_flags.cend(); ++it) {
            const json e = it.value()["environments"].value(env, json::object());
            // Boolean flags: variation 0 is true. Off: the off variation; else the first matching rule, else the fallthrough.
            int variation = e.value("offVariation", 1);
            std::string reason = "OFF";
            if (e.value("on", false)) {
                static const json fallthroughOff = {{"variation", 1}};
                const json *served = e.contains("fallthrough") ? &e["fallthrough"] : &fallthroughOff;
                reason = "FALLTHROUGH";
                static const json noRules = json::array();
                const json &rules = e.contains("rules") && e["rules"].is_array() ? e["rules"] : noRules; // served points into it
                for (const json &rule : rules) {
                    bool all = true;
                    for (const json &c : rule.value("clauses", json::array())) {
                        const json v = attribute(c.value("attribute", ""));
                        bool in = false;
                        for (const json &x : c.value("values", json::array()))
                            in = in || x == v;
                        if (c.value("negate", false))
                            in = !in;
                        all = all && in;
                    }
                    if (all) {
                        served = &rule;
                        reason = "RULE_MATCH";
                        break;
                    }
                }
                if (served->contains("variation"))
                    variation = (*served)["variation"].get<int>();
                else if (served->contains("rollout")) // a percentage: whoever the true share is 100% of
                    for (const json &w : (*served)["rollout"].value("variations", json::array()))
                        variation = w.value("variation", 1) == 0 && w.value("weight", 0) >= 100000 ? 0 : variation;
            }
            const std::string key = it.key().toStdString();
            items.push_back({{"key", key},
                             {"name", it.value().value("name", key)},
                             {"_value", variation == 0},
                             {"reason", {{"kind", reason}}},
                             {"_links", {{"self", link(u"/api/v2/projects/%1/environments/%2/flags/evaluate"_s.arg(m_project, m.captured(2)))}}}});
        }
        return HttpResponse::json(200, {{"items", items},
                                        {"totalCount", items.size()},
                                        {"_links", {{"self", link(u"/api/v2/projects/%1/environments/%2/flags/evaluate"_s.arg(m_project, m.captured(2)))}}}});
    });
}

} // namespace Raize::Sandbox
