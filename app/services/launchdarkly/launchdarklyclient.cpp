#include "services/launchdarkly/launchdarklyclient.h"

#include "core/jsonutil.h"
#include "net/endpoint.h"
#include "net/jsonreader.h"

#include <QPointer>
#include <QUrl>

#include <algorithm>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;
using json = nlohmann::json;

namespace {

constexpr int PageSize = 100;
constexpr int MaxPages = 50;

QString enc(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

QString valueText(const json &v)
{
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    return QString::fromStdString(v.dump());
}

struct Variations
{
    int on = -1, off = -1;
    QString onId, offId;
};

Variations readVariations(const JsonReader::Node &flag)
{
    Variations v;
    const auto list = flag["variations"];
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
        const json &value = list.at(i)["value"].raw();
        if (value.is_boolean()) {
            (value.get<bool>() ? v.on : v.off) = int(i);
            (value.get<bool>() ? v.onId : v.offId) = list.at(i)["_id"].optStr();
        }
    }
    return v;
}

// The share of "on" a variation-or-rollout serves, in percent; -1 when it serves neither.
int percentOn(const JsonReader::Node &served, const Variations &v)
{
    if (served["variation"].exists() && !served["variation"].isNull())
        return served["variation"].integer() == v.on ? 100 : 0;
    if (served["rollout"].exists() && !served["rollout"].isNull()) {
        const auto weights = served["rollout"]["variations"];
        qint64 on = 0;
        const std::size_t n = weights.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (weights.at(i)["variation"].integer() == v.on)
                on += weights.at(i)["weight"].integer();
        }
        return int(on / 1000); // weights are thousandths of a percent
    }
    return -1;
}

FlagStrategy readRule(const JsonReader::Node &rule, const Variations &v)
{
    FlagStrategy s;
    s.id = rule["_id"].optStr();
    s.name = u"rule"_s;
    s.disabled = rule["disabled"].optBoolean(false);
    s.rolloutPercent = percentOn(rule, v);
    const auto clauses = rule["clauses"];
    const std::size_t n = clauses.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = clauses.at(i);
        FlagConstraint fc;
        fc.contextName = c["attribute"].str();
        const QString op = c["op"].str();
        fc.op = op == u"in"_s ? u"IN"_s : op;
        fc.inverted = c["negate"].optBoolean(false);
        const auto values = c["values"];
        const std::size_t m = values.size();
        for (std::size_t j = 0; j < m; ++j)
            fc.values << valueText(values.at(j).raw());
        s.constraints << fc;
        const bool plainIn = fc.op == u"IN"_s && !fc.inverted;
        if (plainIn && fc.contextName == u"clientId"_s)
            s.scope.clientIds << fc.values;
        else if (plainIn && (fc.contextName == u"platformAccount"_s || fc.contextName == u"platformAccountId"_s))
            s.scope.platformAccountIds << fc.values;
        else if (plainIn && fc.contextName == u"lane"_s && fc.values.size() == 1)
            s.scope.lane = fc.values.first();
        else if (plainIn && fc.contextName == u"cohort"_s)
            s.scope.cohorts << fc.values;
        else
            s.scope.other << u"%1 %2%3 [%4]"_s.arg(fc.contextName, fc.inverted ? u"not "_s : QString(), op, fc.values.join(u", "_s));
    }
    s.raw = rule.raw();
    return s;
}

json clause(const QString &attribute, const QStringList &values)
{
    json v = json::array();
    for (const QString &s : values)
        v.push_back(s.toStdString());
    return {{"contextKind", "user"}, {"attribute", attribute.toStdString()}, {"op", "in"}, {"values", v}, {"negate", false}};
}

json servedBy(int percent, const QString &onId, const QString &offId)
{
    if (percent >= 100)
        return {{"variationId", onId.toStdString()}};
    if (percent <= 0)
        return {{"variationId", offId.toStdString()}};
    return {{"rolloutWeights", {{onId.toStdString(), percent * 1000}, {offId.toStdString(), (100 - percent) * 1000}}}, {"rolloutBucketBy", "key"}};
}

} // namespace

LaunchDarklyClient::LaunchDarklyClient(Net::HttpClient &http, QUrl baseUrl, QString projectKey, QString defaultEnvironment)
    : m_http(http)
    , m_base(std::move(baseUrl))
    , m_project(std::move(projectKey))
    , m_environment(std::move(defaultEnvironment))
{
}

Net::Request LaunchDarklyClient::request(const QByteArray &method, const QString &path, const Net::QueryItems &query) const
{
    Net::Request r;
    r.service = Service::Flags;
    r.method = method;
    r.url = Net::endpoint(m_base, path, query);
    r.headers.append(qMakePair(QByteArray("LD-API-Version"), QByteArray("20240415"))); // pinned, as LaunchDarkly asks
    return r;
}

Result<FlagState> LaunchDarklyClient::parseFlag(const QByteArray &body, const QString &project, const QString &environment)
{
    JsonReader reader(u"launchdarkly"_s, body);
    const auto root = reader.root();
    FlagState f;
    f.key = root["key"].str();
    f.project = project;
    f.environment = environment;
    f.type = root["temporary"].optBoolean(true) ? u"release"_s : u"permanent"_s;
    f.description = root["description"].optStr();
    f.stale = root["archived"].optBoolean(false) || root["deprecated"].optBoolean(false);
    const Variations v = readVariations(root);
    const auto env = root["environments"][environment.toUtf8().constData()];
    if (reader.ok() && !env.exists()) {
        env.reject(u"the flag has no environment \"%1\""_s.arg(environment));
    } else {
        f.enabled = env["on"].boolean();
        const auto rules = env["rules"];
        const std::size_t n = rules.exists() ? rules.size() : 0;
        for (std::size_t i = 0; i < n && reader.ok(); ++i)
            f.strategies << readRule(rules.at(i), v);
        if (env["fallthrough"].exists() && !env["fallthrough"].isNull()) {
            FlagStrategy fall;
            fall.id = u"fallthrough"_s;
            fall.name = u"fallthrough"_s;
            fall.rolloutPercent = percentOn(env["fallthrough"], v);
            fall.raw = env["fallthrough"].raw();
            f.strategies << fall;
        }
        // Prerequisites are LaunchDarkly's flag dependencies: the parent must serve that variation
        // (a boolean parent's variations are [true, false], so variation 0 is "on").
        const auto prerequisites = env["prerequisites"];
        const std::size_t np = prerequisites.isNull() ? 0 : prerequisites.size();
        for (std::size_t i = 0; i < np && reader.ok(); ++i) {
            FlagDependency d;
            d.feature = prerequisites.at(i)["key"].str();
            d.enabled = prerequisites.at(i)["variation"].integer() == 0;
            f.dependencies << d;
        }
    }
    if (!reader.ok())
        return reader.error();
    return f;
}

Result<QList<FlagState>> LaunchDarklyClient::parseFlags(const QByteArray &body, const QString &project, const QString &environment,
                                                        int *totalCount)
{
    JsonReader reader(u"launchdarkly"_s, body);
    const auto items = reader.root()["items"];
    const std::size_t n = items.size();
    if (totalCount)
        *totalCount = int(reader.root()["totalCount"].optInteger(qint64(n)));
    if (!reader.ok())
        return reader.error();
    QList<FlagState> out;
    for (std::size_t i = 0; i < n; ++i) {
        // Each item through the same parser, so a field error names the item.
        const auto one = parseFlag(Json::dump(items.at(i).raw()), project, environment);
        if (!one) {
            Error e = one.error();
            e.fieldPath = u"items[%1]."_s.arg(i) + e.fieldPath;
            return e;
        }
        out << one.value();
    }
    return out;
}

void LaunchDarklyClient::listFlags(const QString &environment, Callback<QList<FlagState>> done)
{
    fetchPage(environment.isEmpty() ? m_environment : environment, 0, {}, std::move(done));
}

void LaunchDarklyClient::fetchPage(const QString &environment, int offset, QList<FlagState> acc, Callback<QList<FlagState>> done)
{
    Net::Request r = request("GET", u"/api/v2/flags/"_s + enc(m_project),
                             {{u"env"_s, environment}, {u"summary"_s, u"false"_s}, {u"limit"_s, QString::number(PageSize)},
                              {u"offset"_s, QString::number(offset)}});
    m_http.send(r, [this, environment, offset, acc, done](const Net::Response &resp) mutable {
        if (!resp.ok())
            return done(resp.error);
        int total = 0;
        const auto page = parseFlags(resp.body, m_project, environment, &total);
        if (!page)
            return done(page.error());
        acc << page.value();
        const int next = offset + PageSize;
        if (page->isEmpty() || acc.size() >= total || next / PageSize >= MaxPages)
            return done(acc);
        fetchPage(environment, next, acc, done);
    });
}

void LaunchDarklyClient::flag(const QString &flag, const QString &environment, Callback<FlagState> done)
{
    const QString env = environment.isEmpty() ? m_environment : environment;
    const QString project = m_project;
    m_http.send(flagRequest(flag, env), [project, env, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseFlag(resp.body, project, env));
    });
}

void LaunchDarklyClient::setEnabled(const QString &flag, const QString &environment, bool on, StatusCallback done)
{
    const QString env = environment.isEmpty() ? m_environment : environment;
    Net::Request r = request("PATCH", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(flag)));
    r.idempotent = true; // replace with an absolute value
    r.body = Json::dump({{"patch", {{{"op", "replace"}, {"path", "/environments/" + env.toStdString() + "/on"}, {"value", on}}}},
                         {"comment", on ? "raize-console: flag on" : "raize-console: kill switch"}});
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(okStatus());
    });
}

json LaunchDarklyClient::scopePatch(const QString &environment, const FlagScope &scope, int rolloutPercent, const QString &onVariationId,
                                    const QString &offVariationId)
{
    json instructions = json::array();
    if (scope.global()) {
        instructions.push_back({{"kind", "replaceRules"}, {"rules", json::array()}});
        json fall = servedBy(rolloutPercent, onVariationId, offVariationId);
        fall["kind"] = "updateFallthroughVariationOrRollout";
        instructions.push_back(fall);
    } else {
        json clauses = json::array();
        if (!scope.clientIds.isEmpty())
            clauses.push_back(clause(u"clientId"_s, scope.clientIds));
        if (!scope.platformAccountIds.isEmpty())
            clauses.push_back(clause(u"platformAccount"_s, scope.platformAccountIds));
        if (!scope.lane.isEmpty())
            clauses.push_back(clause(u"lane"_s, {scope.lane}));
        if (!scope.cohorts.isEmpty())
            clauses.push_back(clause(u"cohort"_s, scope.cohorts));
        json rule = servedBy(rolloutPercent, onVariationId, offVariationId);
        rule["description"] = "raize-console scope: " + scope.describe().toStdString();
        rule["clauses"] = clauses;
        instructions.push_back({{"kind", "replaceRules"}, {"rules", json::array({rule})}});
        instructions.push_back({{"kind", "updateFallthroughVariationOrRollout"}, {"variationId", offVariationId.toStdString()}});
    }
    return {{"environmentKey", environment.toStdString()}, {"comment", "raize-console: scope " + scope.describe().toStdString()},
            {"instructions", instructions}};
}

void LaunchDarklyClient::setScope(const QString &flag, const QString &environment, const FlagScope &scope, int rolloutPercent,
                                  Callback<FlagStrategy> done)
{
    if (!scope.other.isEmpty() || rolloutPercent < 0 || rolloutPercent > 100) {
        return done(Error::make(Error::Kind::Refused, u"launchdarkly"_s, u"a scope is clients, platform accounts, a lane and cohorts at 0–100 %"_s,
                                u"remove other constraints in LaunchDarkly first"_s));
    }
    const QString env = environment.isEmpty() ? m_environment : environment;
    // The variation ids come from the flag itself.
    Net::Request get = request("GET", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(flag)), {{u"env"_s, env}});
    QPointer<QObject> guard(&m_http);
    m_http.send(get, [this, guard, flag, env, scope, rolloutPercent, done](const Net::Response &resp) {
        if (!guard)
            return;
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"launchdarkly"_s, resp.body);
        const Variations v = readVariations(reader.root());
        if (!reader.ok())
            return done(reader.error());
        if (v.onId.isEmpty() || v.offId.isEmpty()) {
            return done(Error::make(Error::Kind::Refused, u"launchdarkly"_s, u"%1 is not a boolean flag"_s.arg(flag),
                                    u"scope it in LaunchDarkly's own UI"_s));
        }
        Net::Request patch = request("PATCH", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(flag)));
        patch.contentType = "application/json; domain-model=launchdarkly.semanticpatch";
        patch.idempotent = true; // a semantic patch is applied whole or not at all, and replaces
        patch.body = Json::dump(scopePatch(env, scope, rolloutPercent, v.onId, v.offId));
        const QString project = m_project;
        m_http.send(patch, [project, env, scope, done](const Net::Response &answer) {
            if (!answer.ok())
                return done(answer.error);
            const auto stored = parseFlag(answer.body, project, env);
            if (!stored)
                return done(stored.error());
            for (const FlagStrategy &s : stored->strategies) {
                if (scope.global() ? s.id == u"fallthrough"_s : s.scope == scope)
                    return done(s);
            }
            done(Error::make(Error::Kind::Conflict, u"launchdarkly"_s, u"LaunchDarkly stored a different targeting than requested"_s,
                             u"reload the flag and review its targeting"_s));
        });
    });
}

FlagEvaluation LaunchDarklyClient::evaluate(const FlagState &flag, const FlagContext &context)
{
    FlagEvaluation e;
    if (!flag.enabled) {
        e.verdict = FlagEvaluation::Verdict::Off;
        e.reason = u"the flag is off in %1"_s.arg(flag.environment);
        return e;
    }
    const auto decide = [&](const FlagStrategy &s, const QString &why) {
        e.strategyId = s.id;
        e.rolloutPercent = s.rolloutPercent;
        if (s.rolloutPercent >= 100)
            e.verdict = FlagEvaluation::Verdict::On;
        else if (s.rolloutPercent == 0)
            e.verdict = FlagEvaluation::Verdict::Off;
        else if (s.rolloutPercent < 0)
            e.verdict = FlagEvaluation::Verdict::Unknown;
        else
            e.verdict = FlagEvaluation::Verdict::Partial; // LaunchDarkly buckets by a salted hash the console does not see
        e.reason = why;
        return e;
    };
    for (const FlagStrategy &s : flag.strategies) {
        if (s.id == u"fallthrough"_s || s.disabled)
            continue;
        bool matches = true;
        for (const FlagConstraint &c : s.constraints) {
            if (c.op != u"IN"_s || !FlagContext::knownField(c.contextName)) {
                e.verdict = FlagEvaluation::Verdict::Unknown;
                e.strategyId = s.id;
                e.reason = u"rule %1 uses %2 on %3, which the console does not evaluate"_s.arg(s.id, c.op, c.contextName);
                return e;
            }
            const bool in = c.values.contains(context.value(c.contextName));
            if (in == c.inverted) {
                matches = false;
                break;
            }
        }
        if (matches)
            return decide(s, u"rule %1 matches"_s.arg(s.id));
    }
    for (const FlagStrategy &s : flag.strategies) {
        if (s.id == u"fallthrough"_s)
            return decide(s, u"no rule matches: the fallthrough serves it"_s);
    }
    e.verdict = FlagEvaluation::Verdict::Unknown;
    e.reason = u"the flag has no fallthrough"_s;
    return e;
}

void LaunchDarklyClient::effectiveState(const QString &flagKey, const QString &environment, const FlagContext &context,
                                        Callback<FlagEvaluation> done)
{
    flag(flagKey, environment, [context, done](const Result<FlagState> &f) {
        if (!f)
            return done(f.error());
        done(evaluate(f.value(), context));
    });
}

Net::Request LaunchDarklyClient::flagRequest(const QString &flag, const QString &environment) const
{
    return request("GET", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(flag)), {{u"env"_s, environment}});
}

json LaunchDarklyClient::servePatch(const ServeChange &change, const QString &environment)
{
    return {{"environmentKey", environment.toStdString()},
            {"comment", change.on ? "raize-console: flag on" : "raize-console: rollback, flag off"},
            {"instructions", json::array({{{"kind", change.on ? "turnFlagOn" : "turnFlagOff"}}})}};
}

Result<Net::Request> LaunchDarklyClient::serveRequest(const ServeChange &change) const
{
    if (change.flag.isEmpty())
        return Error::make(Error::Kind::Config, u"launchdarkly"_s, u"no flag key"_s, u"Name the flag."_s);
    if (!change.scope.global()) {
        if (change.on)
            return Error::make(Error::Kind::Refused, u"launchdarkly"_s,
                               u"turning %1 on for %2 only is a rollout, not a rollback step"_s.arg(change.flag, change.scope.describe()),
                               u"Use the canary stages (Rollout) or Restore a rollback run (`raize-console rollback restore --run ID`)."_s);
        if (!change.scope.other.isEmpty())
            return Error::make(Error::Kind::Refused, u"launchdarkly"_s,
                               u"cannot scope %1: the scope has parts the console does not write: %2"_s.arg(change.flag, change.scope.other.join(u"; "_s)),
                               u"Turn the flag off globally (the whole environment) instead."_s);
        // The first call of a scoped change: the read.
        return flagRequest(change.flag, change.environment.isEmpty() ? m_environment : change.environment);
    }
    const QString env = change.environment.isEmpty() ? m_environment : change.environment;
    Net::Request r = request("PATCH", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(change.flag)));
    r.contentType = "application/json; domain-model=launchdarkly.semanticpatch";
    r.idempotent = true; // turnFlagOff on an off flag changes nothing
    r.body = Json::dump(servePatch(change, env));
    return r;
}

QList<Net::RequestPreview> LaunchDarklyClient::previewServe(const ServeChange &change) const
{
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return {};
    QList<Net::RequestPreview> out{Net::RequestPreview::from(r.value(), m_base, u"flags"_s)};
    if (!change.scope.global()) {
        ServeEdits e;
        e.change = change;
        e.backend = backendName();
        for (const json &rule : scopeOffRules(change.scope, u"{off variation}"_s))
            e.edits << ServeEdit{QString::fromStdString(rule.value("ref", "")), json(), rule};
        out << previewEdits(e, false).mid(1); // the read is already shown
    }
    return out;
}

void LaunchDarklyClient::serve(const ServeChange &change, StatusCallback done)
{
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return done(r.error());
    if (!change.scope.global())
        return serveThroughEdits(change, done);
    const QString env = change.environment.isEmpty() ? m_environment : change.environment;
    const QString project = m_project;
    const bool on = change.on;
    m_http.send(r.value(), [project, env, on, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        // LaunchDarkly answers the flag as stored: check the switch moved.
        const auto stored = parseFlag(resp.body, project, env);
        if (!stored)
            return done(stored.error());
        if (stored->enabled != on)
            return done(Error::make(Error::Kind::Conflict, u"launchdarkly"_s,
                                    u"LaunchDarkly answered %1 still %2 in %3"_s.arg(stored->key, stored->enabled ? u"on"_s : u"off"_s, env),
                                    u"Open the flag in LaunchDarkly (a required approval or a scheduled change?), then retry the step."_s));
        done(okStatus());
    });
}

QList<Net::RequestPreview> LaunchDarklyClient::previewServed(const ServedQuery &query) const
{
    const QString env = query.environment.isEmpty() ? m_environment : query.environment;
    QList<Net::RequestPreview> out;
    for (const QString &f : query.flags)
        out << Net::RequestPreview::from(flagRequest(f, env), m_base, u"flags"_s);
    return out;
}

void LaunchDarklyClient::served(const ServedQuery &query, Callback<QList<ServedState>> done)
{
    const QString env = query.environment.isEmpty() ? m_environment : query.environment;
    QList<FlagContext> contexts;
    const auto add = [&](const QString &field, const QStringList &values) {
        for (const QString &v : values) {
            FlagContext c;
            c.properties.insert(field, v);
            c.complete = true;
            contexts << c;
        }
    };
    add(u"clientId"_s, query.scope.clientIds);
    add(u"platformAccount"_s, query.scope.platformAccountIds);
    add(u"lane"_s, query.scope.lane.isEmpty() ? QStringList() : QStringList{query.scope.lane});
    add(u"cohort"_s, query.scope.cohorts);
    auto states = std::make_shared<QList<ServedState>>();
    auto left = std::make_shared<int>(int(query.flags.size()));
    auto failure = std::make_shared<std::optional<Error>>();
    for (const QString &key : query.flags) {
        ServedState st;
        st.flag = key;
        st.environment = env;
        *states << st;
    }
    if (query.flags.isEmpty())
        return done(*states);
    for (int i = 0; i < query.flags.size(); ++i) {
        flag(query.flags[i], env, [i, states, left, failure, contexts, done](const Result<FlagState> &f) {
            if (!f) {
                *failure = f.error();
            } else if (contexts.isEmpty()) {
                (*states)[i].on = f->enabled;
            } else {
                // Scoped: served to anyone the scope names (Unknown and Partial are not provably off).
                bool on = false;
                for (const FlagContext &c : contexts)
                    on = on || evaluate(f.value(), c).verdict != FlagEvaluation::Verdict::Off;
                (*states)[i].on = on;
            }
            if (--*left == 0) {
                if (*failure)
                    return done(**failure);
                done(*states);
            }
        });
    }
}

void LaunchDarklyClient::health(Callback<FlagHealth> done)
{
    Net::Request r = request("GET", u"/api/v2/flags/"_s + enc(m_project), {{u"limit"_s, u"1"_s}, {u"summary"_s, u"true"_s}});
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"launchdarkly"_s, resp.body);
        reader.root()["items"].size();
        if (!reader.ok())
            return done(reader.error());
        done(FlagHealth{true, u"OK"_s, resp.elapsedMs});
    });
}

// ---- evaluate-for-context (issue #16 item 2) ----

json LaunchDarklyClient::evaluationContext(const ContextFields &context)
{
    QStringList names = context.keys();
    std::sort(names.begin(), names.end());
    json c = {{"kind", "user"}};
    QStringList key;
    for (const QString &n : std::as_const(names)) {
        c[n.toStdString()] = context.value(n).toStdString();
        key << context.value(n);
    }
    // A key per combination: LaunchDarkly needs one, and the same context always gets the same.
    c["key"] = QString(u"raize-console:"_s + key.join(u'/')).toStdString();
    return c;
}

Result<ContextAnswer> LaunchDarklyClient::parseEvaluation(const QByteArray &body, const ContextFields &context, const QStringList &flags)
{
    JsonReader reader(u"launchdarkly"_s, body);
    const auto items = reader.root()["items"];
    ContextAnswer a;
    a.context = context;
    for (std::size_t i = 0; reader.ok() && i < items.size(); ++i) {
        const auto item = items.at(i);
        const QString key = item["key"].str();
        if (!flags.contains(key))
            continue;
        const json &value = item["_value"].raw();
        a.enabled.insert(key, value.is_boolean() && value.get<bool>());
    }
    if (!reader.ok())
        return reader.error();
    return a;
}

Net::Request LaunchDarklyClient::evaluateRequest(const ContextFields &context, const QString &environment) const
{
    const QString env = environment.isEmpty() ? m_environment : environment;
    Net::Request r = request("POST", u"/api/v2/projects/%1/environments/%2/flags/evaluate"_s.arg(m_project, env));
    r.idempotent = true; // a question: asking again changes nothing
    r.body = Json::dump(evaluationContext(context));
    return r;
}

QList<Net::RequestPreview> LaunchDarklyClient::previewEvaluateContexts(const EvaluationQuery &query) const
{
    QList<Net::RequestPreview> out;
    for (const ContextGrid &g : query.grids) {
        for (const ContextFields &c : g.expand())
            out << Net::RequestPreview::from(evaluateRequest(c, query.environment), m_base, u"flags"_s);
    }
    return out;
}

void LaunchDarklyClient::evaluateContexts(const EvaluationQuery &query, Callback<QList<ContextAnswer>> done)
{
    auto contexts = std::make_shared<QList<ContextFields>>();
    for (const ContextGrid &g : query.grids)
        *contexts << g.expand();
    evaluateNext(contexts, query.flags, query.environment, std::make_shared<QList<ContextAnswer>>(), std::move(done));
}

void LaunchDarklyClient::evaluateNext(std::shared_ptr<QList<ContextFields>> contexts, QStringList flags, QString environment,
                                      std::shared_ptr<QList<ContextAnswer>> acc, Callback<QList<ContextAnswer>> done)
{
    if (acc->size() >= contexts->size())
        return done(*acc);
    const ContextFields context = contexts->at(acc->size());
    QPointer<QObject> guard(&m_http);
    m_http.send(evaluateRequest(context, environment), [this, guard, contexts, flags, environment, acc, context, done](const Net::Response &resp) {
        if (!guard)
            return;
        if (!resp.ok())
            return done(resp.error);
        const Result<ContextAnswer> a = parseEvaluation(resp.body, context, flags);
        if (!a)
            return done(a.error());
        *acc << a.value();
        evaluateNext(contexts, flags, environment, acc, done);
    });
}

// ---- scoped changes (issue #16) ----

QList<json> LaunchDarklyClient::scopeOffRules(const FlagScope &scope, const QString &offVariationId)
{
    QList<json> out;
    const auto add = [&](const char *attribute, const QStringList &values, const QString &what) {
        if (values.isEmpty())
            return;
        QStringList sorted = values;
        sorted.sort();
        out << json{{"ref", std::string("raize-rollback:") + attribute},
                    {"description", QString(u"raize-console rollback: off for "_s + what + u' ' + sorted.join(u", "_s)).toStdString()},
                    {"clauses", json::array({clause(QString::fromLatin1(attribute), sorted)})},
                    {"variationId", offVariationId.toStdString()}};
    };
    add("clientId", scope.clientIds, u"clients"_s);
    add("platformAccount", scope.platformAccountIds, u"platform accounts"_s);
    add("lane", scope.lane.isEmpty() ? QStringList() : QStringList{scope.lane}, u"lane"_s);
    add("cohort", scope.cohorts, u"cohorts"_s);
    return out;
}

json LaunchDarklyClient::editsPatch(const ServeEdits &edits, bool undo, const QString &environment, const QString &beforeRuleId,
                                    const QStringList &ruleIds)
{
    json instructions = json::array();
    if (undo) {
        for (const QString &id : ruleIds)
            instructions.push_back({{"kind", "removeRule"}, {"ruleId", id.toStdString()}});
    } else {
        for (const ServeEdit &e : edits.edits) {
            json add = e.after;
            add["kind"] = "addRule";
            if (!beforeRuleId.isEmpty())
                add["beforeRuleId"] = beforeRuleId.toStdString(); // ahead of every rule that may serve it
            instructions.push_back(add);
        }
    }
    return {{"environmentKey", environment.toStdString()},
            {"comment", undo ? "raize-console: restore after a scoped rollback" : "raize-console: scoped rollback, off for " + edits.change.scope.describe().toStdString()},
            {"instructions", instructions}};
}

QList<Net::RequestPreview> LaunchDarklyClient::previewEdits(const ServeEdits &edits, bool undo) const
{
    const QString env = edits.change.environment.isEmpty() ? m_environment : edits.change.environment;
    Net::Request patch = request("PATCH", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(edits.change.flag)));
    patch.contentType = "application/json; domain-model=launchdarkly.semanticpatch";
    QStringList ids;
    for (const ServeEdit &e : edits.edits)
        ids << u"{id of rule %1}"_s.arg(e.target);
    patch.body = Json::dump(editsPatch(edits, undo, env, undo ? QString() : u"{first rule}"_s, ids));
    return {Net::RequestPreview::from(flagRequest(edits.change.flag, env), m_base, u"flags"_s), Net::RequestPreview::from(patch, m_base, u"flags"_s)};
}

void LaunchDarklyClient::prepareServe(const ServeChange &change, Callback<ServeEdits> done)
{
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return done(r.error());
    if (change.scope.global())
        return done(Error::make(Error::Kind::Refused, u"launchdarkly"_s, u"a global change of %1 adds no rule"_s.arg(change.flag),
                                u"Send it with serve()."_s));
    const QString env = change.environment.isEmpty() ? m_environment : change.environment;
    m_http.send(r.value(), [change, env, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"launchdarkly"_s, resp.body);
        const Variations v = readVariations(reader.root());
        const auto e = reader.root()["environments"][env.toUtf8().constData()];
        const bool on = e["on"].boolean();
        const qint64 version = e["version"].optInteger(0);
        if (!reader.ok())
            return done(reader.error());
        ServeEdits out;
        out.change = change;
        out.change.environment = env;
        out.backend = u"launchdarkly"_s;
        if (!on)
            return done(out); // off for everyone already
        if (v.offId.isEmpty())
            return done(Error::make(Error::Kind::Refused, u"launchdarkly"_s,
                                    u"cannot scope %1: it has no boolean off variation with an id to serve"_s.arg(change.flag),
                                    u"Turn the flag off globally (the whole environment) instead."_s));
        for (const json &rule : scopeOffRules(change.scope, v.offId))
            out.edits << ServeEdit{QString::fromStdString(rule["ref"].get<std::string>()), json{{"absent", true}, {"environmentVersion", version}}, rule};
        done(out);
    });
}

void LaunchDarklyClient::applyEdits(const ServeEdits &edits, bool undo, StatusCallback done)
{
    if (edits.backend != backendName())
        return done(Error::make(Error::Kind::Refused, u"launchdarkly"_s, u"these edits were made by %1, not LaunchDarkly"_s.arg(edits.backend),
                                u"Apply them with the profile's own flag service."_s));
    if (edits.edits.isEmpty())
        return done(okStatus());
    const QString env = edits.change.environment.isEmpty() ? m_environment : edits.change.environment;
    const QString flagKey = edits.change.flag;
    // Re-read right before the write.
    m_http.send(flagRequest(flagKey, env), [this, edits, undo, env, flagKey, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        const json flag = Json::parse(resp.body);
        const json rules = flag.is_object() ? flag["environments"].value(env.toStdString(), json::object()).value("rules", json::array()) : json();
        if (!rules.is_array())
            return done(Error::make(Error::Kind::Parse, u"launchdarkly"_s, u"the flag %1 has no rules list in %2"_s.arg(flagKey, env),
                                    u"Check the API version and the environment key."_s));
        const qint64 version = flag["environments"][env.toStdString()].value("version", qint64(0));
        QStringList ours, firstRule, moved;
        for (const json &r : rules) {
            if (firstRule.isEmpty())
                firstRule << QString::fromStdString(r.value("_id", ""));
            for (const ServeEdit &e : edits.edits) {
                if (r.value("ref", "") != e.target.toStdString())
                    continue;
                ours << QString::fromStdString(r.value("_id", ""));
                json clauses = r.value("clauses", json::array());
                for (json &c : clauses) {
                    if (c.is_object())
                        c.erase("_id"); // the service names each clause; the console's body does not
                }
                if (clauses != e.after["clauses"])
                    moved << e.target;
            }
        }
        const auto conflict = [&](const QString &what) {
            done(Error::make(Error::Kind::Conflict, u"launchdarkly"_s, u"%1 in %2 changed since the console read it: %3"_s.arg(flagKey, env, what),
                             undo ? u"Someone changed the flag after the rollback: compare it with the run journal's rules and restore by hand."_s
                                  : u"Someone else changed the flag: reload the plan (or turn the flag off globally)."_s));
        };
        if (!moved.isEmpty())
            return conflict(u"the rules %1 were edited"_s.arg(moved.join(u", "_s)));
        if (!undo && ours.size() == edits.edits.size())
            return done(okStatus()); // added already (a resumed run)
        if (undo && ours.isEmpty())
            return done(okStatus()); // removed already
        if (!undo && !ours.isEmpty())
            return conflict(u"only some of the console's rules are there"_s);
        const qint64 readVersion = edits.edits.first().before.value("environmentVersion", qint64(-1));
        if (!undo && version != readVersion)
            return conflict(u"its version moved from %1 to %2"_s.arg(readVersion).arg(version));
        Net::Request patch = request("PATCH", u"/api/v2/flags/%1/%2"_s.arg(enc(m_project), enc(flagKey)));
        patch.contentType = "application/json; domain-model=launchdarkly.semanticpatch";
        patch.body = Json::dump(editsPatch(edits, undo, env, undo ? QString() : firstRule.value(0), ours));
        m_http.send(patch, [edits, undo, env, flagKey, done](const Net::Response &answer) {
            if (!answer.ok())
                return done(answer.error);
            // The flag as stored: the console's rules are there (or gone).
            const json stored = Json::parse(answer.body);
            int found = 0;
            const json rules = stored.is_object() ? stored["environments"].value(env.toStdString(), json::object()).value("rules", json::array()) : json();
            for (const json &r : rules.is_array() ? rules : json::array()) {
                for (const ServeEdit &e : edits.edits)
                    found += r.value("ref", "") == e.target.toStdString() ? 1 : 0;
            }
            if (found != (undo ? 0 : int(edits.edits.size())))
                return done(Error::make(Error::Kind::Conflict, u"launchdarkly"_s,
                                        u"LaunchDarkly answered %1 with %2 of the console's rules"_s.arg(flagKey).arg(found),
                                        u"Open the flag in LaunchDarkly (a required approval?), then retry the step."_s));
            done(okStatus());
        });
    });
}

} // namespace Raize::Services
