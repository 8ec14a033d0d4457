// Scoped flag rollbacks (issue #16 items 1 and 10), without the sandbox:
// - excludeScope: every strategy gets NOT_IN constraints for what the scope
//   names; what the console cannot scope safely is refused ("cannot scope");
// - UnleashClient's prepareServe / applyEdits against a small in-process
//   Unleash: written ahead, idempotent when re-applied, stops when a strategy
//   moved (saying what changed), and undone exactly;
// - the read-back for a scope asks the playground per context the scope names;
// - the restore plan read from a run journal, and the restore run itself;
// - LaunchDarkly end to end: a scoped run through the executor, then Restore
//   from its journal, compared with LaunchDarkly's own stored flag before the
//   rollback (issue #16: "exactly the previous strategies");
// - the way back through the canary stages (issue #16 item 10, ADR 0034): the
//   staged plan (scoped before-states, a flag partly restored, stages with no
//   member, global offs, rules undone whole), the judgement of a stage, the
//   fix-forward pull request, and the stages run one by one (resumed, in order,
//   ending exactly at the strategies before the rollback).

#include "core/jsonutil.h"
#include "fakes/memoryflagservice.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "launchdarkly/launchdarklyfake.h"
#include "services/launchdarkly/launchdarklyclient.h"
#include "net/httpclient.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackplan.h"
#include "rollback/rollbackrestore.h"
#include "rollback/rollbacksession.h"
#include "rollback/stagedrestore.h"
#include "rollback/runjournal.h"
#include "services/flags/unleashclient.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Services;
using json = nlohmann::json;
using Raize::Sandbox::HttpRequest;
using Raize::Sandbox::HttpResponse;

// QCOMPARE cannot take nlohmann::json (it converts to every type QTest knows).
#define JSON_COMPARE(a, b) QVERIFY2((a) == (b), (json(a).dump() + " != " + json(b).dump()).c_str())

namespace {

template<typename T>
Result<T> waitFor(const std::function<void(FlagService::Callback<T>)> &call)
{
    QEventLoop loop;
    std::optional<Result<T>> out;
    call([&](const Result<T> &r) {
        out = r;
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

Status waitStatus(const std::function<void(FlagService::StatusCallback)> &call)
{
    return waitFor<Unit>(call);
}

FlagStrategy strategyFrom(const json &raw)
{
    const auto parsed = UnleashClient::parseStrategy(QByteArray::fromStdString(raw.dump()));
    if (!parsed)
        qFatal("bad strategy in the test: %s", qPrintable(parsed.error().toString()));
    return parsed.value();
}

FlagScope houseScope()
{
    FlagScope s;
    s.clientIds = {u"house"_s};
    s.platformAccountIds = {u"acct-house-x"_s, u"acct-house-ig"_s};
    return s;
}

// Just enough of Unleash 8.2's admin and client API for one project: features
// with production strategies, PUT of a strategy, the playground (answered by
// the console's own evaluator over the stored state: the sandbox test asks
// the real server).
class MiniUnleash
{
public:
    MiniUnleash() : server(u"unleash"_s, nullptr, &log)
    {
        server.route("GET", u"/api/admin/projects/default/features/([^/]+)"_s, [this](const HttpRequest &, const QRegularExpressionMatch &m) {
            const QString name = m.captured(1);
            ++reads;
            if (!features.contains(name))
                return HttpResponse::json(404, {{"message", "not found"}});
            return HttpResponse::json(200, feature(name));
        });
        server.route("PUT", u"/api/admin/projects/default/features/([^/]+)/environments/production/strategies/([^/]+)"_s,
                     [this](const HttpRequest &r, const QRegularExpressionMatch &m) {
                         json &list = features[m.captured(1)].strategies;
                         for (json &s : list) {
                             if (s["id"] == m.captured(2).toStdString()) {
                                 json body = r.json();
                                 body["id"] = s["id"];
                                 body["sortOrder"] = s.value("sortOrder", 0);
                                 s = body;
                                 ++puts;
                                 if (onPut)
                                     onPut();
                                 return HttpResponse::json(200, s);
                             }
                         }
                         return HttpResponse::json(404, {{"message", "no such strategy"}});
                     });
        server.route("POST", u"/api/admin/projects/default/features/([^/]+)/environments/production/(on|off)"_s,
                     [this](const HttpRequest &, const QRegularExpressionMatch &m) {
                         features[m.captured(1)].enabled = m.captured(2) == u"on"_s;
                         return HttpResponse::empty(200);
                     });
        server.route("GET", u"/api/client/features"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
            json list = json::array();
            for (auto it = features.cbegin(); it != features.cend(); ++it)
                list.push_back({{"name", it.key().toStdString()}, {"enabled", it->enabled}, {"strategies", it->strategies}});
            return HttpResponse::json(200, {{"version", 2}, {"features", list}});
        });
        // The advanced playground (what the scoped read-back and the blast radius ask): every
        // combination of the context's comma-separated values, answered per feature and context.
        server.route("POST", u"/api/admin/playground/advanced"_s, [this](const HttpRequest &r, const QRegularExpressionMatch &) {
            const json body = r.json();
            QList<QHash<QString, QString>> asked{{}};
            for (auto it = body["context"].begin(); it != body["context"].end(); ++it) {
                if (it.key() == "appName")
                    continue;
                QList<QHash<QString, QString>> next;
                for (const QHash<QString, QString> &partial : std::as_const(asked)) {
                    for (const QString &v : QString::fromStdString(it.value().get<std::string>()).split(u',')) {
                        QHash<QString, QString> c = partial;
                        c.insert(QString::fromStdString(it.key()), v);
                        next << c;
                    }
                }
                asked = next;
            }
            contexts << asked;
            json list = json::array();
            for (auto it = features.cbegin(); it != features.cend(); ++it) {
                const auto state = UnleashClient::parseFeature(QByteArray::fromStdString(feature(it.key()).dump()), u"production"_s);
                json results = json::array();
                for (const QHash<QString, QString> &properties : std::as_const(asked)) {
                    FlagContext c;
                    c.complete = true;
                    c.properties = properties;
                    json ctx = {{"appName", "raize-console"}, {"properties", json::object()}};
                    for (auto p = properties.cbegin(); p != properties.cend(); ++p)
                        ctx["properties"][p.key().toStdString()] = p.value().toStdString();
                    results.push_back({{"context", ctx}, {"isEnabled", UnleashClient::evaluate(state.value(), c).verdict == FlagEvaluation::Verdict::On}});
                }
                list.push_back({{"name", it.key().toStdString()}, {"environments", {{"production", results}}}});
            }
            return HttpResponse::json(200, {{"features", list}});
        });
        if (!server.listen())
            qFatal("cannot listen");
    }

    json feature(const QString &name) const
    {
        const Feature &f = features[name];
        return {{"name", name.toStdString()},
                {"project", "default"},
                {"type", "kill-switch"},
                {"dependencies", json::array()},
                {"environments", json::array({{{"name", "production"}, {"enabled", f.enabled}, {"strategies", f.strategies}, {"variants", json::array()}}})}};
    }

    struct Feature
    {
        bool enabled = true;
        json strategies = json::array();
    };
    Raize::Sandbox::RequestLog log;
    Raize::Sandbox::HttpServer server;
    QHash<QString, Feature> features;
    QList<QHash<QString, QString>> contexts;
    int reads = 0, puts = 0;
    std::function<void()> onPut;
};

json defaultStrategy(const char *id)
{
    return {{"id", id}, {"name", "default"}, {"constraints", json::array()}, {"parameters", json::object()}, {"segments", json::array()},
            {"sortOrder", 0}, {"disabled", false}, {"variants", json::array()}, {"title", nullptr}};
}

json laneStrategy(const char *id)
{
    return {{"id", id},
            {"name", "flexibleRollout"},
            {"constraints", json::array({{{"contextName", "lane"}, {"operator", "IN"}, {"values", {"browser"}}, {"inverted", false}, {"caseInsensitive", false}}})},
            {"parameters", {{"rollout", "100"}, {"stickiness", "default"}, {"groupId", "publishing.enabled"}}},
            {"segments", json::array()},
            {"sortOrder", 1},
            {"disabled", false},
            {"variants", json::array()},
            {"title", "browser lane"}};
}

// The built-in playbook's cohorts and canary stages (staging first: it has no cohort and is not a stage of the way back).
QList<Release::Cohort> canaryCohorts()
{
    return {{u"house"_s, u"House accounts"_s, {u"house"_s}, {u"acct-house-ig"_s, u"acct-house-x"_s}},
            {u"lowrisk"_s, u"Low-risk clients"_s, {u"client-bloom"_s, u"client-fjord"_s}, {u"acct-bloom-ig"_s, u"acct-fjord-li"_s}},
            {u"broad"_s, u"Broad"_s, {u"*"_s}, {u"*"_s}}};
}

QList<Release::RolloutStage> canaryStages()
{
    QList<Release::RolloutStage> out;
    for (const auto &[id, cohort] : {std::pair{u"staging"_s, QString()}, {u"house"_s, u"house"_s}, {u"lowrisk"_s, u"lowrisk"_s}, {u"broad"_s, u"broad"_s}}) {
        Release::RolloutStage s;
        s.id = id;
        s.name = u"stage "_s + id;
        s.cohortId = cohort;
        s.environment = cohort.isEmpty() ? u"staging"_s : u"production"_s;
        out << s;
    }
    return out;
}

// One line per stage: "house: client house, … [publishing.enabled×2]" (members sorted; ×N: strategy edits, "on": back on, "whole": undone whole).
QStringList stageLines(const Rollback::StagedRestorePlan &plan)
{
    QStringList out;
    for (const Rollback::RestoreStage &st : plan.stages) {
        QStringList members = st.members, steps;
        members.sort();
        for (const Rollback::RestoreStep &r : st.steps)
            steps << r.flag + (!r.edits ? u" on"_s : !r.forward ? u" whole"_s : u"×%1"_s.arg(r.edits->edits.size()));
        out << st.id + u": "_s + (members.isEmpty() ? u"—"_s : members.join(u", "_s)) + (steps.isEmpty() ? QString() : u" ["_s + steps.join(u", "_s) + u']');
    }
    return out;
}

Slo::AlertVerdict verdict(const char *slo, Slo::Severity severity, bool fired = false)
{
    Slo::AlertVerdict v;
    v.sloId = QString::fromLatin1(slo);
    v.severity = severity;
    Slo::RuleVerdict r;
    r.rule.burnRate = 14.4;
    r.state = fired ? Slo::RuleState::Fired : severity == Slo::Severity::NotEnoughData ? Slo::RuleState::NotEnoughData : Slo::RuleState::NotFired;
    r.longBurn = r.shortBurn = fired ? 16.2 : 0.4;
    v.rules << r;
    return v;
}

} // namespace

class TestScopedFlags : public QObject
{
    Q_OBJECT

    std::unique_ptr<MiniUnleash> m_unleash;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<UnleashClient> m_client;

    void fresh()
    {
        m_client.reset();
        m_http.reset();
        m_unleash = std::make_unique<MiniUnleash>();
        m_unleash->features[u"publishing.enabled"_s].strategies = json::array({defaultStrategy("s-default"), laneStrategy("s-lane")});
        m_http = std::make_unique<Net::HttpClient>();
        m_http->setToken(Service::Flags, u"admin-token"_s);
        m_http->setToken(Service::FlagsClient, u"client-token"_s);
        m_http->setDefaultTimeout(5000);
        m_client = std::make_unique<UnleashClient>(*m_http, QUrl(m_unleash->server.baseUrl()), u"default"_s, u"production"_s);
        m_client->setClientApi(m_http.get());
    }

    ServeChange houseOff() const
    {
        ServeChange c;
        c.flag = u"publishing.enabled"_s;
        c.environment = u"production"_s;
        c.scope = houseScope();
        return c;
    }

private Q_SLOTS:
    void excludeScope_data()
    {
        QTest::addColumn<QByteArray>("strategy");
        QTest::addColumn<QStringList>("other");
        QTest::addColumn<QString>("refusal"); // empty: scoped
        QTest::addColumn<int>("constraints"); // after the edit

        QTest::newRow("default, no constraints") << QByteArray::fromStdString(defaultStrategy("a").dump()) << QStringList() << QString() << 2;
        QTest::newRow("flexibleRollout with a lane") << QByteArray::fromStdString(laneStrategy("b").dump()) << QStringList() << QString() << 3;
        json already = defaultStrategy("c");
        already["constraints"] = UnleashClient::exclusionConstraints(houseScope());
        QTest::newRow("already excluded: unchanged") << QByteArray::fromStdString(already.dump()) << QStringList() << QString() << 2;
        json segment = defaultStrategy("d");
        segment["segments"] = {7};
        QTest::newRow("a segment: cannot scope") << QByteArray::fromStdString(segment.dump()) << QStringList() << u"uses segments"_s << 0;
        json op = laneStrategy("e");
        op["constraints"][0]["operator"] = "REGEX_MATCH";
        QTest::newRow("an operator it does not model") << QByteArray::fromStdString(op.dump()) << QStringList()
                                                      << u"uses the operator REGEX_MATCH"_s << 0;
        json custom = defaultStrategy("f");
        custom["name"] = "userWithId";
        custom["parameters"] = {{"userIds", "u1,u2"}};
        QTest::newRow("a strategy type it does not model") << QByteArray::fromStdString(custom.dump()) << QStringList()
                                                           << u"strategy type the console does not model"_s << 0;
        QTest::newRow("the other part of a scope") << QByteArray::fromStdString(defaultStrategy("g").dump())
                                                   << QStringList{u"appName NOT_IN [web]"_s} << u"parts the console does not write"_s << 0;
    }

    void excludeScope()
    {
        QFETCH(QByteArray, strategy);
        QFETCH(QStringList, other);
        QFETCH(QString, refusal);
        QFETCH(int, constraints);
        FlagScope scope = houseScope();
        scope.other = other;
        const Result<json> r = UnleashClient::excludeScope(strategyFrom(json::parse(strategy.toStdString())), scope, u"publishing.enabled"_s);
        if (!refusal.isEmpty()) {
            QVERIFY(!r);
            QCOMPARE(r.error().kind, Error::Kind::Refused);
            QVERIFY2(r.error().message.contains(u"cannot scope publishing.enabled"_s) && r.error().message.contains(refusal),
                     qPrintable(r.error().message));
            QVERIFY2(r.error().remedy.contains(u"globally"_s), qPrintable(r.error().remedy)); // offers global instead
            return;
        }
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(int(r.value()["constraints"].size()), constraints);
        // What was there is kept as it was; the exclusion is the last two constraints.
        const json before = UnleashClient::canonicalStrategy(json::parse(strategy.toStdString()));
        for (std::size_t i = 0; i + 2 < r.value()["constraints"].size(); ++i)
            JSON_COMPARE(r.value()["constraints"][i], before["constraints"][i]);
        const json &last = r.value()["constraints"].back();
        QCOMPARE(last.value("operator", ""), std::string("NOT_IN"));
        QCOMPARE(last.value("contextName", ""), std::string("platformAccount"));
        JSON_COMPARE(last["values"], json({"acct-house-ig", "acct-house-x"}));
        JSON_COMPARE(r.value()["parameters"], before["parameters"]);
        JSON_COMPARE(r.value()["name"], before["name"]);
    }

    void canonicalStrategyNormalizes()
    {
        json a = laneStrategy("x");
        a["parameters"]["rollout"] = 100; // a number where the server stores a string
        a["constraints"][0]["values"] = {"browser", "api"};
        a.erase("variants");
        json b = laneStrategy("y");
        b["constraints"][0]["values"] = {"api", "browser"};
        JSON_COMPARE(UnleashClient::canonicalStrategy(a), UnleashClient::canonicalStrategy(b));
        QCOMPARE(UnleashClient::canonicalStrategy(a).count("id"), std::size_t(0)); // the id is the target, not the body
        json c = b;
        c["disabled"] = true;
        QVERIFY(UnleashClient::canonicalStrategy(c) != UnleashClient::canonicalStrategy(b));
    }

    void serveEditsRoundTrip()
    {
        ServeEdits e;
        e.change = houseOff();
        e.backend = u"unleash"_s;
        e.edits << ServeEdit{u"s1"_s, defaultStrategy("s1"), laneStrategy("s1")};
        const auto back = ServeEdits::fromJson(json::parse(e.toJson().dump()));
        QVERIFY(back);
        QVERIFY(*back == e);
        QVERIFY(!ServeEdits::fromJson(json{{"edits", {{{"before", 1}}}}, {"change", e.change.toJson()}}));
        QVERIFY(!ServeEdits::fromJson(json::array()));
    }

    void scopedOffEditsEveryStrategyAndUndoesExactly()
    {
        fresh();
        const json before = m_unleash->features[u"publishing.enabled"_s].strategies;
        const Result<ServeEdits> edits = waitFor<ServeEdits>([&](auto done) { m_client->prepareServe(houseOff(), done); });
        QVERIFY2(edits, qPrintable(edits ? QString() : edits.error().toString()));
        QCOMPARE(edits->edits.size(), 2); // every strategy of the environment: they are OR'ed
        QCOMPARE(m_unleash->puts, 0);     // preparing writes nothing
        QVERIFY(waitStatus([&](auto done) { m_client->applyEdits(edits.value(), false, done); }));
        QCOMPARE(m_unleash->puts, 2);
        for (const json &s : m_unleash->features[u"publishing.enabled"_s].strategies)
            QCOMPARE(int(s["constraints"].size()), s["name"] == "default" ? 2 : 3);

        // The read-back for the scope: off for every context the scope names, per the playground.
        ServedQuery q;
        q.flags = {u"publishing.enabled"_s};
        q.environment = u"production"_s;
        q.scope = houseScope();
        m_unleash->contexts.clear();
        const auto served = waitFor<QList<ServedState>>([&](auto done) { m_client->served(q, done); });
        QVERIFY2(served, qPrintable(served ? QString() : served.error().toString()));
        QCOMPARE(m_unleash->contexts.size(), 3); // one client, two accounts (two playground calls)
        QVERIFY(served->first().off());
        // ... and still on for a client outside it.
        q.scope = FlagScope{};
        q.scope.clientIds = {u"client-bloom"_s};
        const auto bloom = waitFor<QList<ServedState>>([&](auto done) { m_client->served(q, done); });
        QVERIFY(bloom && bloom->first().on && bloom->first().servedToClients.value_or(false));

        // Re-applied (a resumed run): nothing is written twice.
        QVERIFY(waitStatus([&](auto done) { m_client->applyEdits(edits.value(), false, done); }));
        QCOMPARE(m_unleash->puts, 2);
        // Undone: exactly the bodies before, compared with what the service stores.
        QVERIFY(waitStatus([&](auto done) { m_client->applyEdits(edits.value(), true, done); }));
        const json after = m_unleash->features[u"publishing.enabled"_s].strategies;
        QCOMPARE(after.size(), before.size());
        for (std::size_t i = 0; i < before.size(); ++i)
            JSON_COMPARE(UnleashClient::canonicalStrategy(after[i]), UnleashClient::canonicalStrategy(before[i]));
    }

    void stopsWhenAStrategyMoved_data()
    {
        QTest::addColumn<bool>("undo");
        QTest::addColumn<QString>("says");
        QTest::newRow("rollback: changed before the first write") << false << u"constraints was"_s;
        QTest::newRow("restore: changed after the rollback") << true << u"compare it with the run journal"_s;
    }

    void stopsWhenAStrategyMoved()
    {
        QFETCH(bool, undo);
        QFETCH(QString, says);
        fresh();
        const Result<ServeEdits> edits = waitFor<ServeEdits>([&](auto done) { m_client->prepareServe(houseOff(), done); });
        QVERIFY(edits);
        if (undo)
            QVERIFY(waitStatus([&](auto done) { m_client->applyEdits(edits.value(), false, done); }));
        const int puts = m_unleash->puts;
        // Someone else narrows the lane strategy in Unleash meanwhile.
        json &lane = m_unleash->features[u"publishing.enabled"_s].strategies[1];
        lane["constraints"].push_back({{"contextName", "clientId"}, {"operator", "IN"}, {"values", {"client-zest"}}});
        const Status st = waitStatus([&](auto done) { m_client->applyEdits(edits.value(), undo, done); });
        QVERIFY(!st);
        QCOMPARE(st.error().kind, Error::Kind::Conflict);
        QVERIFY2(st.error().message.contains(u"strategy s-lane"_s) && st.error().message.contains(u"changed since the console read it"_s),
                 qPrintable(st.error().message));
        QVERIFY2(st.error().toString().contains(says), qPrintable(st.error().toString()));
        QCOMPARE(m_unleash->puts, puts + 1); // the first strategy was written, the moved one was not
    }

    void deletedStrategyAndRefusals()
    {
        fresh();
        const Result<ServeEdits> edits = waitFor<ServeEdits>([&](auto done) { m_client->prepareServe(houseOff(), done); });
        QVERIFY(edits);
        m_unleash->features[u"publishing.enabled"_s].strategies.erase(0);
        const Status st = waitStatus([&](auto done) { m_client->applyEdits(edits.value(), false, done); });
        QVERIFY(!st && st.error().message.contains(u"s-default was deleted"_s));
        // Turning a flag on for a scope is a rollout, not a rollback step.
        ServeChange on = houseOff();
        on.on = true;
        const Status refused = waitStatus([&](auto done) { m_client->serve(on, done); });
        QVERIFY(!refused && refused.error().kind == Error::Kind::Refused && refused.error().remedy.contains(u"Restore"_s));
        // A flag on with no strategy has nothing to exclude from.
        m_unleash->features[u"publishing.enabled"_s].strategies = json::array();
        const auto none = waitFor<ServeEdits>([&](auto done) { m_client->prepareServe(houseOff(), done); });
        QVERIFY(!none && none.error().message.contains(u"cannot scope"_s));
        // Edits another backend made are not applied here.
        ServeEdits ld = edits.value();
        ld.backend = u"launchdarkly"_s;
        const Status other = waitStatus([&](auto done) { m_client->applyEdits(ld, true, done); });
        QVERIFY(!other && other.error().kind == Error::Kind::Refused);
    }

    void previewsNameTheCalls()
    {
        fresh();
        const auto serve = m_client->previewServe(houseOff());
        QCOMPARE(serve.size(), 2);
        QCOMPARE(serve[0].method, u"GET"_s);
        QCOMPARE(serve[1].method, u"PUT"_s);
        QVERIFY2(serve[1].path.endsWith(u"/strategies/:strategyId"_s), qPrintable(serve[1].path));
        QVERIFY(QString::fromStdString(serve[1].body.dump()).contains(u"NOT_IN"_s));
        ServedQuery q;
        q.flags = {u"publishing.enabled"_s};
        q.scope = houseScope();
        const auto served = m_client->previewServed(q);
        QCOMPARE(served.size(), 3); // one playground question per field (the client, the two accounts), the client API
        QCOMPARE(served[0].path, u"/api/admin/playground/advanced"_s);
        QCOMPARE(served[1].path, u"/api/admin/playground/advanced"_s);
    }

    // ---- LaunchDarkly: rules added ahead of every rule, removed exactly ----

    void launchDarklyScopedOffAndRestore()
    {
        Raize::Sandbox::RequestLog log;
        Raize::Sandbox::HttpServer server(u"launchdarkly"_s, nullptr, &log);
        Raize::Sandbox::LaunchDarklyFake fake(&server, u"api-test"_s);
        fake.load(json::parse(R"([{"name":"publishing.enabled","type":"kill-switch","enabled":true,"scope":{"kind":"global"}},
                                  {"name":"publishing.scheduler-v2","type":"release","enabled":true,"scope":{"kind":"cohort","values":["house","lowrisk"]}}])"));
        QVERIFY(server.listen());
        Net::HttpClient http;
        http.setToken(Service::Flags, u"api-test"_s);
        LaunchDarklyClient ld(http, QUrl(server.baseUrl()), u"default"_s, u"production"_s);
        const auto readFlag = [&](const QString &key) {
            return waitFor<FlagState>([&](auto done) { ld.flag(key, u"production"_s, done); });
        };
        for (const QString &key : {u"publishing.enabled"_s, u"publishing.scheduler-v2"_s}) {
            const Result<FlagState> before = readFlag(key);
            QVERIFY(before);
            ServeChange off = houseOff();
            off.flag = key;
            const auto edits = waitFor<ServeEdits>([&](auto done) { ld.prepareServe(off, done); });
            QVERIFY2(edits, qPrintable(edits ? QString() : edits.error().toString()));
            QCOMPARE(edits->edits.size(), 2); // clients, accounts
            // Every instruction sent is one the fake's own schema models.
            const json patch = LaunchDarklyClient::editsPatch(edits.value(), false, u"production"_s, u"rule-x"_s, {});
            QCOMPARE(Raize::Sandbox::LaunchDarklyFake::checkSemanticPatch(patch), QString());
            QCOMPARE(Raize::Sandbox::LaunchDarklyFake::checkSemanticPatch(LaunchDarklyClient::editsPatch(edits.value(), true, u"production"_s, {}, {u"r1"_s})),
                     QString());
            QVERIFY(waitStatus([&](auto done) { ld.applyEdits(edits.value(), false, done); }));
            QVERIFY(waitStatus([&](auto done) { ld.applyEdits(edits.value(), false, done); })); // resumed: nothing added twice
            const Result<FlagState> scoped = readFlag(key);
            QVERIFY(scoped);
            QCOMPARE(scoped->strategies.size(), before->strategies.size() + 2);
            FlagContext house, bloom, houseAccount;
            house.clientId = u"house"_s;
            house.cohort = u"house"_s;
            houseAccount.platformAccountId = u"acct-house-ig"_s;
            houseAccount.cohort = u"house"_s;
            bloom.clientId = u"client-bloom"_s;
            bloom.cohort = u"lowrisk"_s;
            QCOMPARE(LaunchDarklyClient::evaluate(scoped.value(), house).verdict, FlagEvaluation::Verdict::Off);
            QCOMPARE(LaunchDarklyClient::evaluate(scoped.value(), houseAccount).verdict, FlagEvaluation::Verdict::Off);
            QCOMPARE(LaunchDarklyClient::evaluate(scoped.value(), bloom).verdict, LaunchDarklyClient::evaluate(before.value(), bloom).verdict);
            QCOMPARE(LaunchDarklyClient::evaluate(scoped.value(), bloom).verdict, FlagEvaluation::Verdict::On);
            // The read-back for the scope, and for a client outside it.
            ServedQuery q;
            q.flags = {key};
            q.scope = houseScope();
            const auto served = waitFor<QList<ServedState>>([&](auto done) { ld.served(q, done); });
            QVERIFY(served && served->first().off());
            // Restore: exactly the rules before.
            QVERIFY(waitStatus([&](auto done) { ld.applyEdits(edits.value(), true, done); }));
            const Result<FlagState> restored = readFlag(key);
            QVERIFY(restored);
            QCOMPARE(restored->strategies.size(), before->strategies.size());
            for (int i = 0; i < before->strategies.size(); ++i)
                JSON_COMPARE(restored->strategies[i].raw, before->strategies[i].raw);
        }
        // Someone changed the flag between the read and the write: stopped, nothing added.
        const auto edits = waitFor<ServeEdits>([&](auto done) { ld.prepareServe(houseOff(), done); });
        QVERIFY(edits);
        QVERIFY(waitStatus([&](auto done) { ld.setEnabled(u"publishing.enabled"_s, u"production"_s, true, done); })); // a write: the version moves
        const Status moved = waitStatus([&](auto done) { ld.applyEdits(edits.value(), false, done); });
        QVERIFY(!moved && moved.error().kind == Error::Kind::Conflict && moved.error().message.contains(u"version moved"_s));
        QCOMPARE(readFlag(u"publishing.enabled"_s)->strategies.size(), 1); // the fallthrough only
    }

    // The whole path on LaunchDarkly: the executor's scoped run (edits written ahead in its journal), then
    // Restore from that journal; the flag as LaunchDarkly stores it (its own API, not the console's parse)
    // is what it was before the rollback, but for the version counters.
    void launchDarklyRestoreMatchesTheServiceState()
    {
        Raize::Sandbox::RequestLog log;
        Raize::Sandbox::HttpServer server(u"launchdarkly"_s, nullptr, &log);
        Raize::Sandbox::LaunchDarklyFake fake(&server, u"api-test"_s);
        fake.load(json::parse(R"([{"name":"publishing.enabled","type":"kill-switch","enabled":true,"scope":{"kind":"global"}},
                                  {"name":"publishing.scheduler-v2","type":"release","enabled":true,"scope":{"kind":"cohort","values":["house","lowrisk"]}},
                                  {"name":"engagement.dm-dedupe","type":"release","enabled":true,"scope":{"kind":"account","values":["acct-bloom-ig"]}}])"));
        QVERIFY(server.listen());
        Net::HttpClient http;
        http.setToken(Service::Flags, u"api-test"_s);
        LaunchDarklyClient ld(http, QUrl(server.baseUrl()), u"default"_s, u"production"_s);
        const QStringList keys{u"publishing.enabled"_s, u"publishing.scheduler-v2"_s, u"engagement.dm-dedupe"_s};
        // The service's own record of a flag in production, without what every write moves.
        QNetworkAccessManager nam;
        const auto stored = [&](const QString &key) {
            QNetworkRequest req(QUrl(server.baseUrl() + u"/api/v2/flags/default/%1?env=production"_s.arg(key)));
            req.setRawHeader("Authorization", "api-test");
            QNetworkReply *reply = nam.get(req);
            QEventLoop loop;
            QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            reply->deleteLater();
            json flag = json::parse(reply->readAll().toStdString(), nullptr, false);
            if (!flag.is_object())
                return json();
            json env = flag["environments"]["production"];
            for (const char *moving : {"version", "lastModified", "_summary"})
                env.erase(moving);
            return env;
        };
        QHash<QString, json> before;
        for (const QString &k : keys) {
            before.insert(k, stored(k));
            QVERIFY2(before[k].contains("rules") && before[k].contains("fallthrough"), before[k].dump().c_str());
        }

        // The scoped run: house off for the three flags, as the plan's steps send it.
        Rollback::Plan plan;
        for (const QString &k : keys) {
            Rollback::Step st;
            st.kind = Rollback::Step::Kind::DisableFlag;
            ServeChange off = houseOff();
            off.flag = k;
            st.intent = off;
            st.target = k;
            st.title = k + u" off for clients house"_s;
            st.group = 1;
            plan.steps << st;
        }
        plan.digest = plan.computeDigest();
        QTemporaryDir dir;
        auto created = Rollback::RunJournal::create(dir.path(), {{"plan", plan.toJson()}, {"scope", "client:house"}, {"digest", plan.digest.toStdString()}});
        QVERIFY(created);
        RaizeTest::MemoryAudit audit;
        Rollback::Clients clients;
        clients.flags = &ld;
        clients.audit = &audit;
        clients.actor = u"tester"_s;
        {
            Rollback::Executor ex(std::move(created).value(), plan, clients, Rollback::ExecOptions());
            QSignalSpy finished(&ex, &Rollback::Executor::finished);
            QSignalSpy failed(&ex, &Rollback::Executor::stepFailed);
            ex.start();
            QTRY_VERIFY2(finished.size() == 1 || failed.size() == 1, "the run did not end");
            QVERIFY2(failed.isEmpty(), qPrintable(ex.lastError().toString()));
        }
        for (const QString &k : keys)
            QVERIFY2(stored(k) != before[k], qPrintable(k + u": the rollback changed nothing"_s)); // the change is real

        // Restore from the journal alone.
        Result<Rollback::RunJournal> journal = Rollback::RunJournal::open(Rollback::RunJournal::list(dir.path()).first());
        QVERIFY(journal);
        const Rollback::RestorePlan restore = Rollback::restorePlan(journal.value());
        QVERIFY2(restore.executable(), qPrintable(restore.describe()));
        QCOMPARE(restore.steps.size(), keys.size());
        std::optional<Result<json>> out;
        QEventLoop loop;
        Rollback::RunJournal opened = std::move(journal).value();
        Rollback::runRestore(opened, restore, clients, {}, [&](const Result<json> &r) {
            out = r;
            loop.quit();
        });
        if (!out)
            loop.exec();
        QVERIFY2(*out, qPrintable(*out ? QString() : out->error().toString()));
        for (const QString &k : keys)
            JSON_COMPARE(stored(k), before[k]);
        QCOMPARE(audit.actions().count(u"flag.restore"_s), keys.size());
    }

    // ---- a service scope: its own Vercel project (vercel/serviceProjects) ----

    void serviceProjects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("web"); // empty: refused
        QTest::newRow("two") << u"web=prj_web, runner=prj_runner"_s << u"prj_web"_s;
        QTest::newRow("none") << QString() << QString();
        QTest::newRow("no project") << u"web="_s << QString();
        QTest::newRow("no equals sign") << u"web"_s << QString();
    }

    void serviceProjects()
    {
        QFETCH(QString, text);
        QFETCH(QString, web);
        // The one parser of the setting (the timeline's lanes read it too).
        const auto services = Workspace::parseServiceProjects(text);
        if (text.isEmpty()) {
            QVERIFY(services && services->isEmpty());
            return;
        }
        if (web.isEmpty()) {
            QVERIFY(!services);
            QVERIFY2(services.error().message.contains(u"is not service=project"_s), qPrintable(services.error().message));
            QVERIFY(services.error().remedy.contains(u"vercel/serviceProjects"_s));
            return;
        }
        QVERIFY(services);
        QHash<QString, QString> map;
        for (const auto &[service, project] : *services)
            map.insert(service, project);
        QCOMPARE(map.value(u"web"_s), web);
        QCOMPARE(map.value(u"runner"_s), u"prj_runner"_s);
    }

    // ---- Restore, from the run journal ----

    void restorePlanFromTheJournal_data()
    {
        QTest::addColumn<bool>("finished");
        QTest::addColumn<bool>("withEdits");
        QTest::addColumn<QString>("refusal");
        QTest::addColumn<int>("steps");
        QTest::newRow("completed, scoped with edits") << true << true << QString() << 2;
        QTest::newRow("in progress") << false << true << u"still in progress"_s << 2;
        QTest::newRow("scoped done without edits") << true << false << u"cannot undo it exactly"_s << 1;
    }

    void restorePlanFromTheJournal()
    {
        QFETCH(bool, finished);
        QFETCH(bool, withEdits);
        QFETCH(QString, refusal);
        QFETCH(int, steps);
        QTemporaryDir dir;
        Rollback::Plan plan;
        Rollback::Step scoped;
        scoped.kind = Rollback::Step::Kind::DisableFlag;
        scoped.intent = houseOff();
        scoped.target = u"publishing.enabled"_s;
        Rollback::Step global = scoped;
        ServeChange g;
        g.flag = u"engagement.enabled"_s;
        g.environment = u"production"_s;
        global.intent = g;
        global.target = g.flag;
        Rollback::Step notRun = scoped;
        ServeChange n = houseOff();
        n.flag = u"browser-lane.enabled"_s;
        notRun.intent = n;
        plan.steps = {scoped, global, notRun};
        plan.digest = plan.computeDigest();
        auto created = Rollback::RunJournal::create(dir.path(), {{"event", "begin"}, {"plan", plan.toJson()}, {"scope", "client:house"}, {"digest", plan.digest.toStdString()}});
        QVERIFY(created);
        auto j = std::make_unique<Rollback::RunJournal>(std::move(created).value());
        ServeEdits e;
        e.change = houseOff();
        e.backend = u"unleash"_s;
        e.edits << ServeEdit{u"s-default"_s, defaultStrategy("s-default"), laneStrategy("s-default")};
        if (withEdits)
            QVERIFY(j->append({{"event", "edits"}, {"forStep", 0}, {"edits", e.toJson()}}));
        QVERIFY(j->append({{"event", "done"}, {"step", 0}}));
        QVERIFY(j->append({{"event", "done"}, {"step", 1}}));
        QVERIFY(j->append({{"event", "skipped"}, {"step", 2}, {"reason", "test"}}));
        if (finished)
            QVERIFY(j->append({{"event", "complete"}}));
        const Rollback::RestorePlan r = Rollback::restorePlan(*j);
        QCOMPARE(r.steps.size(), steps);
        QVERIFY2(refusal.isEmpty() ? r.executable() : r.refusals.join(u' ').contains(refusal), qPrintable(r.describe()));
        if (!r.executable())
            return;
        QVERIFY(r.steps[0].edits && *r.steps[0].edits == e);
        QVERIFY(!r.steps[1].edits && r.steps[1].on.on && r.steps[1].on.flag == u"engagement.enabled"_s && r.steps[1].on.scope.global());

        // Run against a flag service: the scoped step undone, the global one back on, audited, journaled.
        fresh();
        RaizeTest::MemoryAudit audit;
        Rollback::Clients clients;
        clients.flags = m_client.get();
        clients.audit = &audit;
        clients.actor = u"tester"_s;
        m_unleash->features[u"publishing.enabled"_s].strategies = json::array({laneStrategy("s-default")}); // as the rollback left it
        m_unleash->features[u"engagement.enabled"_s].enabled = false;
        QVERIFY(Rollback::checkPullRequestUrl(u"https://github.com/raize/platform/pull/431"_s));
        QVERIFY(!Rollback::checkPullRequestUrl(u"https://evil.example/pull/1"_s));
        std::optional<Result<json>> out;
        QEventLoop loop;
        Rollback::runRestore(*j, r, clients, u"https://github.com/raize/platform/pull/431"_s, [&](const Result<json> &res) {
            out = res;
            loop.quit();
        });
        if (!out)
            loop.exec();
        QVERIFY2(*out, qPrintable(*out ? QString() : out->error().toString()));
        JSON_COMPARE(UnleashClient::canonicalStrategy(m_unleash->features[u"publishing.enabled"_s].strategies[0]), UnleashClient::canonicalStrategy(defaultStrategy("s-default")));
        QCOMPARE(audit.actions(), (QStringList{u"flag.restore"_s, u"flag.restore"_s, u"rollback.restore"_s}));
        QCOMPARE(audit.records.last().reason, u"patch forward: https://github.com/raize/platform/pull/431"_s);
        QVERIFY(!j->lastOf("restored").is_null());
        // Restored twice: the notes say so; nothing is written again for the scoped step.
        QVERIFY(Rollback::restorePlan(*j).notes.join(u' ').contains(u"restored before"_s));
        // Restored in one go (before the canary stages, ADR 0034): the way back counts as complete, never staged again.
        const Rollback::RestoreProgress progress = Rollback::restoreProgress(*j);
        QVERIFY(progress.complete && !progress.plan && progress.next == -1);
    }

    // ---- The way back through the canary stages (issue #16 item 10, ADR 0034) ----

    // Scoped before-states: the rollback's own edits (excludeScope on the stored strategies), spread over the stages.
    void stagedRestorePlan_data()
    {
        QTest::addColumn<QStringList>("clients");
        QTest::addColumn<QStringList>("accounts");
        QTest::addColumn<QStringList>("cohorts");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("house cohort: all at stage 1, the later stages have no member")
            << QStringList{u"house"_s} << QStringList{u"acct-house-ig"_s, u"acct-house-x"_s} << QStringList{u"house"_s} << QString()
            << QStringList{u"house: account acct-house-ig, account acct-house-x, client house, cohort house [publishing.enabled×2]"_s,
                           u"lowrisk: —"_s, u"broad: —"_s};
        QTest::newRow("house and a low-risk client: partly restored at stage 1")
            << QStringList{u"house"_s, u"client-bloom"_s} << QStringList() << QStringList() << QString()
            << QStringList{u"house: client house [publishing.enabled×2]"_s, u"lowrisk: client client-bloom [publishing.enabled×2]"_s, u"broad: —"_s};
        QTest::newRow("a client no cohort lists: the broad stage, the first two have no member")
            << QStringList{u"client-zed"_s} << QStringList() << QStringList() << QString()
            << QStringList{u"house: —"_s, u"lowrisk: —"_s, u"broad: client client-zed [publishing.enabled×2]"_s};
        QTest::newRow("a lane is lifted at the last stage only")
            << QStringList{u"house"_s} << QStringList() << QStringList() << u"browser"_s
            << QStringList{u"house: client house [publishing.enabled×2]"_s, u"lowrisk: —"_s, u"broad: lane browser [publishing.enabled×2]"_s};
        QTest::newRow("the low-risk cohort: stage 1 has no member")
            << QStringList() << QStringList{u"acct-fjord-li"_s} << QStringList{u"lowrisk"_s} << QString()
            << QStringList{u"house: —"_s, u"lowrisk: account acct-fjord-li, cohort lowrisk [publishing.enabled×2]"_s, u"broad: —"_s};
    }

    void stagedRestorePlan()
    {
        QFETCH(QStringList, clients);
        QFETCH(QStringList, accounts);
        QFETCH(QStringList, cohorts);
        QFETCH(QString, lane);
        QFETCH(QStringList, expected);
        ServeChange off;
        off.flag = u"publishing.enabled"_s;
        off.environment = u"production"_s;
        off.scope.clientIds = clients;
        off.scope.platformAccountIds = accounts;
        off.scope.cohorts = cohorts;
        off.scope.lane = lane;
        ServeEdits edits;
        edits.change = off;
        edits.backend = u"unleash"_s;
        for (const json &raw : {defaultStrategy("s-default"), laneStrategy("s-lane")}) {
            const Result<json> after = UnleashClient::excludeScope(strategyFrom(raw), off.scope, off.flag);
            QVERIFY2(after, qPrintable(after ? QString() : after.error().toString()));
            edits.edits << ServeEdit{QString::fromStdString(raw["id"].get<std::string>()), UnleashClient::canonicalStrategy(raw), *after};
        }
        Rollback::RestorePlan flat;
        flat.runId = u"r1"_s;
        flat.scope = off.scope.describe();
        Rollback::RestoreStep step;
        step.flag = off.flag;
        step.edits = edits;
        flat.steps << step;
        const Rollback::StagedRestorePlan plan = Rollback::stagedRestorePlan(flat, canaryStages(), canaryCohorts(), {});
        QVERIFY2(plan.executable(), qPrintable(plan.describe()));
        QCOMPARE(stageLines(plan), expected);
        // Per strategy the stages chain: the first starts where the rollback left it, each starts where the one before
        // ended, and the last ends exactly at the body before the rollback; no stage serves more than it: never wider.
        for (const ServeEdit &e : edits.edits) {
            json at = e.after;
            for (const Rollback::RestoreStage &st : plan.stages) {
                for (const Rollback::RestoreStep &r : st.steps) {
                    QVERIFY(r.forward && r.edits && r.edits->backend == u"unleash"_s);
                    for (const ServeEdit &x : r.edits->edits) {
                        if (x.target != e.target)
                            continue;
                        JSON_COMPARE(x.before, at);
                        QVERIFY2(x.after["constraints"].size() < x.before["constraints"].size()
                                     || x.after["constraints"].dump().size() < x.before["constraints"].dump().size(),
                                 "a stage only lifts exclusions");
                        at = x.after;
                    }
                }
            }
            JSON_COMPARE(at, e.before);
        }
        // Written ahead into the journal and read back unchanged.
        const auto back = Rollback::StagedRestorePlan::fromJson(plan.toJson());
        QVERIFY(back);
        QCOMPARE(stageLines(*back), expected);
        JSON_COMPARE(back->toJson(), plan.toJson());
    }

    // Global offs come back on where every cohort their strategies reach is served; rules another backend wrote are
    // undone whole at the stage of their last member.
    void stagedRestoreGlobalAndWhole_data()
    {
        QTest::addColumn<QString>("kind"); // global, unread, launchdarkly
        QTest::addColumn<QStringList>("clients"); // global: the strategies' clients (one strategy each; "*": one for everyone)
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QString>("note");

        QTest::newRow("global off, a strategy for house") << u"global"_s << QStringList{u"house"_s}
                                                           << QStringList{u"house: engagement.enabled on as before [engagement.enabled on]"_s, u"lowrisk: —"_s, u"broad: —"_s} << QString();
        QTest::newRow("global off, strategies for house and client-bloom") << u"global"_s << QStringList{u"house"_s, u"client-bloom"_s}
            << QStringList{u"house: —"_s, u"lowrisk: engagement.enabled on as before [engagement.enabled on]"_s, u"broad: —"_s} << QString();
        QTest::newRow("global off, a strategy for everyone") << u"global"_s << QStringList{u"house"_s, u"*"_s}
            << QStringList{u"house: —"_s, u"lowrisk: —"_s, u"broad: engagement.enabled on as before [engagement.enabled on]"_s} << QString();
        QTest::newRow("global off, the flag could not be read") << u"unread"_s << QStringList()
            << QStringList{u"house: —"_s, u"lowrisk: —"_s, u"broad: engagement.enabled on as before [engagement.enabled on]"_s}
            << u"could not be read"_s;
        QTest::newRow("LaunchDarkly rules for house and client-bloom: whole at low-risk") << u"launchdarkly"_s << QStringList{u"house"_s, u"client-bloom"_s}
            << QStringList{u"house: —"_s, u"lowrisk: engagement.enabled: clients house, client-bloom whole [engagement.enabled whole]"_s, u"broad: —"_s}
            << QString();
    }

    void stagedRestoreGlobalAndWhole()
    {
        QFETCH(QString, kind);
        QFETCH(QStringList, clients);
        QFETCH(QStringList, expected);
        QFETCH(QString, note);
        Rollback::RestorePlan flat;
        flat.runId = u"r2"_s;
        Rollback::RestoreStep step;
        step.flag = u"engagement.enabled"_s;
        step.on.flag = step.flag;
        step.on.environment = u"production"_s;
        step.on.on = true;
        QList<FlagState> now;
        if (kind == u"launchdarkly"_s) {
            ServeEdits e;
            e.change.flag = step.flag;
            e.change.environment = u"production"_s;
            e.change.scope.clientIds = clients;
            e.backend = u"launchdarkly"_s;
            e.edits << ServeEdit{u"raize-rollback:key"_s, json(), json{{"clauses", json::array()}}};
            step.edits = e;
        } else if (kind == u"global"_s) {
            FlagState f;
            f.key = step.flag;
            f.enabled = false; // as the rollback left it: off, strategies untouched
            for (const QString &c : clients) {
                FlagStrategy s;
                s.name = u"flexibleRollout"_s;
                if (c != u"*"_s)
                    s.scope.clientIds = {c};
                f.strategies << s;
            }
            now << f;
        }
        flat.steps << step;
        const Rollback::StagedRestorePlan plan = Rollback::stagedRestorePlan(flat, canaryStages(), canaryCohorts(), now);
        QVERIFY2(plan.executable(), qPrintable(plan.describe()));
        QCOMPARE(stageLines(plan), expected);
        QVERIFY2(note.isEmpty() ? plan.notes.filter(u"could not be read"_s).isEmpty() : !plan.notes.filter(note).isEmpty(), qPrintable(plan.describe()));
        for (const Rollback::RestoreStage &st : plan.stages) {
            for (const Rollback::RestoreStep &r : st.steps)
                QVERIFY(r.edits ? (!r.forward && *r.edits == *step.edits) : (r.on == step.on)); // exactly what the rollback turned off
        }
    }

    // The kill-switch parent is global (the last stage by its strategy) but comes back with its first child.
    void stagedRestoreParentWithItsFirstChild()
    {
        Rollback::RestorePlan flat;
        flat.runId = u"r4"_s;
        QList<FlagState> now;
        for (const auto &[key, client] : {std::pair{u"side-effects.kill"_s, QString()}, {u"publishing.scheduler-v2"_s, u"house"_s}, {u"publishing.enabled"_s, QString()}}) {
            Rollback::RestoreStep step;
            step.flag = key;
            step.on.flag = key;
            step.on.environment = u"production"_s;
            step.on.on = true;
            flat.steps << step;
            FlagState f;
            f.key = key;
            FlagStrategy s;
            if (!client.isEmpty())
                s.scope.clientIds = {client};
            f.strategies << s;
            if (key != u"side-effects.kill"_s)
                f.dependencies << FlagDependency{u"side-effects.kill"_s, true, {}};
            now << f;
        }
        const auto plan = Rollback::stagedRestorePlan(flat, canaryStages(), canaryCohorts(), now);
        QCOMPARE(stageLines(plan), (QStringList{u"house: publishing.scheduler-v2 on as before, side-effects.kill on as before [side-effects.kill on, publishing.scheduler-v2 on]"_s,
                                                u"lowrisk: —"_s, u"broad: publishing.enabled on as before [publishing.enabled on]"_s}));
        QVERIFY2(!plan.notes.filter(u"side-effects.kill comes back at stage 1 with publishing.scheduler-v2"_s).isEmpty(), qPrintable(plan.describe()));
    }

    void stagedRestoreRefusals()
    {
        Rollback::RestorePlan flat;
        flat.runId = u"r3"_s;
        flat.refusals << u"run r3 is still in progress"_s;
        QVERIFY(!Rollback::stagedRestorePlan(flat, canaryStages(), canaryCohorts(), {}).executable());
        flat.refusals.clear();
        QList<Release::RolloutStage> noCohort = {canaryStages().first()};
        Rollback::RestoreStep step;
        step.flag = u"x"_s;
        step.on.flag = u"x"_s;
        flat.steps << step;
        const auto none = Rollback::stagedRestorePlan(flat, noCohort, canaryCohorts(), {});
        QVERIFY(!none.executable() && none.refusals.join(u' ').contains(u"no canary stage with a cohort"_s));
    }

    void judgeRestoreStage_data()
    {
        QTest::addColumn<QStringList>("served");
        QTest::addColumn<QString>("case_");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("headline");

        QTest::newRow("nothing served yet") << QStringList() << QString() << u"advance"_s << u"first stage"_s;
        QTest::newRow("house inside the policy") << QStringList{u"house"_s} << u"healthy"_s << u"advance"_s << u"inside the policy"_s;
        QTest::newRow("house burns: a page fired") << QStringList{u"house"_s} << u"page"_s << u"hold"_s << u"burns too fast"_s;
        QTest::newRow("house: a ticket fired") << QStringList{u"house"_s} << u"ticket"_s << u"hold"_s << u"burns too fast"_s;
        QTest::newRow("house: not enough data holds") << QStringList{u"house"_s} << u"quiet"_s << u"not-enough-data"_s << u"not enough data"_s;
        QTest::newRow("house: an SLO without a verdict holds") << QStringList{u"house"_s} << u"missing"_s << u"not-enough-data"_s << u"no data was read"_s;
        QTest::newRow("no SLO to judge by holds") << QStringList{u"house"_s} << u"no-slos"_s << u"not-enough-data"_s << u"no SLO verdict"_s;
        QTest::newRow("house healthy, low-risk burns") << QStringList{u"house"_s, u"lowrisk"_s} << u"lowrisk-page"_s << u"hold"_s << u"lowrisk · Publish success"_s;
    }

    void judgeRestoreStage()
    {
        QFETCH(QStringList, served);
        QFETCH(QString, case_);
        QFETCH(QString, kind);
        QFETCH(QString, headline);
        QList<Slo::SloSpec> slos(2);
        slos[0].id = u"publish_success"_s;
        slos[0].title = u"Publish success"_s;
        slos[1].id = u"verification_ttv"_s;
        slos[1].title = u"Verification"_s;
        QHash<QString, QList<Slo::AlertVerdict>> v;
        const QList<Slo::AlertVerdict> healthy = {verdict("publish_success", Slo::Severity::None), verdict("verification_ttv", Slo::Severity::None)};
        v[u"house"_s] = healthy;
        v[u"lowrisk"_s] = healthy;
        v[u"broad"_s] = {verdict("publish_success", Slo::Severity::Page, true)}; // not served: never judged
        if (case_ == u"page"_s)
            v[u"house"_s][0] = verdict("publish_success", Slo::Severity::Page, true);
        else if (case_ == u"ticket"_s)
            v[u"house"_s][1] = verdict("verification_ttv", Slo::Severity::Ticket, true);
        else if (case_ == u"quiet"_s)
            v[u"house"_s][1] = verdict("verification_ttv", Slo::Severity::NotEnoughData);
        else if (case_ == u"missing"_s)
            v[u"house"_s].removeLast();
        else if (case_ == u"lowrisk-page"_s)
            v[u"lowrisk"_s][0] = verdict("publish_success", Slo::Severity::Page, true);
        if (case_ == u"no-slos"_s)
            slos.clear();
        const Rollback::StageJudgement j = Rollback::judgeRestoreStage(served, v, slos);
        QCOMPARE(Rollback::StageJudgement::kindName(j.kind), kind);
        QVERIFY2(j.headline.contains(headline), qPrintable(j.headline));
    }

    void fixForward_data()
    {
        QTest::addColumn<bool>("merged");
        QTest::addColumn<QString>("comparison");
        QTest::addColumn<QString>("error");
        QTest::addColumn<bool>("overrideAllowed");
        QTest::addColumn<QString>("overrideReason");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("says");

        QTest::newRow("merged, production is the merge commit") << true << u"identical"_s << QString() << false << QString() << true << u"contains it"_s;
        QTest::newRow("merged, production is ahead of it") << true << u"ahead"_s << QString() << false << QString() << true << u"contains it"_s;
        QTest::newRow("merged, production is behind it") << true << u"behind"_s << QString() << false << QString() << false << u"does not contain"_s;
        QTest::newRow("merged, production diverged") << true << u"diverged"_s << QString() << true << QString() << false << u"does not contain"_s;
        QTest::newRow("not merged") << false << QString() << QString() << false << QString() << false << u"is not merged"_s;
        QTest::newRow("GitHub unreadable") << false << QString() << u"GitHub: 503"_s << false << QString() << false << u"could not be read"_s;
        QTest::newRow("compare unreadable") << true << QString() << u"GitHub: 404"_s << false << QString() << false << u"is unknown"_s;
        QTest::newRow("behind, overridden with a reason") << true << u"behind"_s << QString() << true << u"hotfix deploys with the next promotion"_s << true << u"overridden"_s;
        QTest::newRow("behind, override reason too short") << true << u"behind"_s << QString() << true << u"because"_s << false << u"does not contain"_s;
        QTest::newRow("no such pull request: no override") << false << QString() << u"missing"_s << true << u"hotfix deploys with the next promotion"_s << false << u"has no pull request"_s;
        QTest::newRow("behind, the policy forbids an override") << true << u"behind"_s << QString() << false << u"hotfix deploys with the next promotion"_s << false << u"does not contain"_s;
    }

    void fixForward()
    {
        QFETCH(bool, merged);
        QFETCH(QString, comparison);
        QFETCH(QString, error);
        QFETCH(bool, overrideAllowed);
        QFETCH(QString, overrideReason);
        QFETCH(bool, ok);
        QFETCH(QString, says);
        Rollback::FixForward f;
        f.number = 440;
        f.repo = u"raize/platform"_s;
        f.title = u"Fix the scheduler's retry"_s;
        f.read = error.isEmpty() || merged;
        f.missing = error == u"missing"_s;
        f.merged = merged;
        f.mergeSha = u"31a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"_s;
        f.productionDeployment = u"dpl_cand"_s;
        f.productionSha = u"a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"_s;
        f.comparison = comparison;
        f.error = error;
        const Rollback::FixForwardVerdict v = Rollback::judgeFixForward(f, overrideAllowed, overrideReason, 20);
        QCOMPARE(v.ok, ok);
        QVERIFY2(v.reason.contains(says), qPrintable(v.reason));
        QCOMPARE(v.overridden, says == u"overridden"_s);
        if (!ok)
            QVERIFY2(v.remedy.contains(f.missing ? u"no override"_s : u"Deploy the fix"_s), qPrintable(v.remedy));
        QCOMPARE(f.url(), u"https://github.com/raize/platform/pull/440"_s);
    }

    void pullRequestRef_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("number"); // 0: refused
        QTest::addColumn<QString>("says");
        QTest::newRow("number") << u"431"_s << 431 << QString();
        QTest::newRow("#number") << u"#431"_s << 431 << QString();
        QTest::newRow("link") << u"https://github.com/raize/platform/pull/431"_s << 431 << QString();
        QTest::newRow("link of another repository") << u"https://github.com/evil/platform/pull/431"_s << 0 << u"not of raize/platform"_s;
        QTest::newRow("not a link") << u"https://evil.example/pull/1"_s << 0 << u"not a pull request number or link"_s;
        QTest::newRow("empty") << QString() << 0 << u"no fix-forward pull request"_s;
        QTest::newRow("zero") << u"0"_s << 0 << u"not a pull request"_s;
    }

    void pullRequestRef()
    {
        QFETCH(QString, text);
        QFETCH(int, number);
        QFETCH(QString, says);
        const Result<int> r = Rollback::parsePullRequestRef(text, u"raize/platform"_s);
        QCOMPARE(r ? *r : 0, number);
        if (!r)
            QVERIFY2(r.error().message.contains(says) && !r.error().remedy.isEmpty(), qPrintable(r.error().toString()));
    }

    // The stages run one by one against the in-process Unleash: after stage 1 house is served again and client-bloom
    // is not; a stage out of order is refused; a stage interrupted after its first write resumes without writing it
    // again; the last stage ends exactly at the strategies before the rollback; every audit record names the PR.
    void stagedRestoreRunsStageByStage()
    {
        fresh();
        const json before = m_unleash->features[u"publishing.enabled"_s].strategies;
        ServeChange off = houseOff();
        off.scope.platformAccountIds.clear();
        off.scope.clientIds = {u"house"_s, u"client-bloom"_s};
        const Result<ServeEdits> edits = waitFor<ServeEdits>([&](auto cb) { m_client->prepareServe(off, cb); });
        QVERIFY2(edits && edits->edits.size() == 2, qPrintable(edits ? QString() : edits.error().toString()));
        QVERIFY(waitStatus([&](auto cb) { m_client->applyEdits(*edits, false, cb); })); // the rollback
        const auto servedTo = [&](const QString &client) {
            const auto state = UnleashClient::parseFeature(QByteArray::fromStdString(m_unleash->feature(u"publishing.enabled"_s).dump()), u"production"_s);
            FlagContext c;
            c.complete = true;
            c.clientId = client;
            c.properties.insert(u"lane"_s, u"api"_s);
            return UnleashClient::evaluate(state.value(), c).verdict == FlagEvaluation::Verdict::On;
        };
        QVERIFY(!servedTo(u"house"_s) && !servedTo(u"client-bloom"_s) && servedTo(u"client-zed"_s));

        QTemporaryDir dir;
        Rollback::Plan plan;
        Rollback::Step scoped;
        scoped.kind = Rollback::Step::Kind::DisableFlag;
        scoped.intent = off;
        scoped.target = off.flag;
        plan.steps = {scoped};
        plan.digest = plan.computeDigest();
        auto created = Rollback::RunJournal::create(dir.path(), {{"event", "begin"}, {"plan", plan.toJson()}, {"scope", "clients house, client-bloom"}, {"digest", plan.digest.toStdString()}});
        QVERIFY(created);
        auto j = std::make_unique<Rollback::RunJournal>(std::move(created).value());
        QVERIFY(j->append({{"event", "edits"}, {"forStep", 0}, {"edits", edits->toJson()}}));
        QVERIFY(j->append({{"event", "done"}, {"step", 0}}));
        QVERIFY(j->append({{"event", "complete"}}));
        const Rollback::StagedRestorePlan staged = Rollback::stagedRestorePlan(Rollback::restorePlan(*j), canaryStages(), canaryCohorts(), {});
        QVERIFY2(staged.executable() && staged.lastStageWithSteps() == 1, qPrintable(staged.describe()));
        QCOMPARE(staged.servedCohorts(0), QStringList{u"house"_s});

        RaizeTest::MemoryAudit audit;
        Rollback::Clients clients;
        clients.flags = m_client.get();
        clients.audit = &audit;
        clients.actor = u"tester"_s;
        Rollback::FixForward fix;
        fix.number = 440;
        fix.repo = u"raize/platform"_s;
        fix.read = fix.merged = true;
        fix.comparison = u"identical"_s;
        const auto runStage = [&](int stage) {
            return waitFor<json>([&](auto cb) { Rollback::runRestoreStage(*j, staged, stage, clients, fix, {}, cb); });
        };
        // Out of order before anything started.
        const Result<json> early = runStage(1);
        QVERIFY(!early && early.error().message.contains(u"starts at stage 1"_s));

        const Result<json> first = runStage(0);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().toString()));
        QCOMPARE(first->value("complete", true), false);
        QVERIFY(servedTo(u"house"_s));          // the house cohort is served again
        QVERIFY(!servedTo(u"client-bloom"_s));  // the low-risk client is not yet: partly restored
        QVERIFY(servedTo(u"client-zed"_s));
        Rollback::RestoreProgress progress = Rollback::restoreProgress(*j);
        QVERIFY(progress.plan && progress.done == QSet<int>{0} && progress.next == 1 && !progress.complete);
        QCOMPARE(progress.pullRequest, 440);
        const Result<json> again = runStage(0);
        QVERIFY(!again && again.error().message.contains(u"not the next stage"_s));

        // Stage 2 interrupted after its first strategy write: run again, it skips that write and finishes.
        const Rollback::RestoreStep &step2 = staged.stages[1].steps.first();
        ServeEdits firstOnly = *step2.edits;
        firstOnly.edits = {step2.edits->edits.first()};
        QVERIFY(j->append({{"event", "restore-stage-intent"}, {"stage", 1}}));
        QVERIFY(waitStatus([&](auto cb) { m_client->applyEdits(firstOnly, false, cb); }));
        const int putsBefore = m_unleash->puts;
        const Result<json> second = runStage(1);
        QVERIFY2(second, qPrintable(second ? QString() : second.error().toString()));
        QCOMPARE(m_unleash->puts - putsBefore, 1);
        QCOMPARE(second->value("complete", false), true);
        const json now = m_unleash->features[u"publishing.enabled"_s].strategies;
        QCOMPARE(now.size(), before.size());
        for (std::size_t i = 0; i < before.size(); ++i)
            JSON_COMPARE(UnleashClient::canonicalStrategy(now[i]), UnleashClient::canonicalStrategy(before[i]));
        QVERIFY(servedTo(u"client-bloom"_s));
        progress = Rollback::restoreProgress(*j);
        QVERIFY(progress.complete && progress.next == -1);
        QVERIFY(!j->lastOf("restored").is_null());
        QCOMPARE(audit.actions(), (QStringList{u"flag.restore"_s, u"rollback.restore.stage"_s, u"flag.restore"_s, u"rollback.restore.stage"_s,
                                               u"rollback.restore"_s}));
        for (const Records::AuditRecord &r : audit.records)
            QVERIFY2(r.reason == u"patch forward: https://github.com/raize/platform/pull/440"_s && r.after.value("pr", "") == "https://github.com/raize/platform/pull/440",
                     qPrintable(r.action + u": "_s + r.reason));
        QVERIFY(!Rollback::abortRestore(*j, clients, 440, {})); // nothing in progress any more
    }

    void stagedRestoreAbort()
    {
        fresh();
        QTemporaryDir dir;
        Rollback::Plan plan;
        Rollback::Step global;
        global.kind = Rollback::Step::Kind::DisableFlag;
        ServeChange g;
        g.flag = u"publishing.enabled"_s;
        g.environment = u"production"_s;
        global.intent = g;
        global.target = g.flag;
        plan.steps = {global};
        plan.digest = plan.computeDigest();
        auto created = Rollback::RunJournal::create(dir.path(), {{"event", "begin"}, {"plan", plan.toJson()}, {"scope", "global"}, {"digest", plan.digest.toStdString()}});
        QVERIFY(created);
        auto j = std::make_unique<Rollback::RunJournal>(std::move(created).value());
        QVERIFY(j->append({{"event", "done"}, {"step", 0}}));
        QVERIFY(j->append({{"event", "complete"}}));
        m_unleash->features[u"publishing.enabled"_s].enabled = false;
        FlagState f;
        f.key = g.flag;
        FlagStrategy house;
        house.scope.clientIds = {u"house"_s};
        f.strategies = {house, FlagStrategy{}}; // one of them for everyone: back on at the last stage
        const auto staged = Rollback::stagedRestorePlan(Rollback::restorePlan(*j), canaryStages(), canaryCohorts(), {f});
        QCOMPARE(staged.lastStageWithSteps(), 2);
        RaizeTest::MemoryAudit audit;
        Rollback::Clients clients;
        clients.flags = m_client.get();
        clients.audit = &audit;
        Rollback::FixForward fix;
        fix.number = 440;
        const Result<json> first = waitFor<json>([&](auto cb) { Rollback::runRestoreStage(*j, staged, 0, clients, fix, u"override reason long enough"_s, cb); });
        QVERIFY(first && !first->value("complete", true));
        QVERIFY(!m_unleash->features[u"publishing.enabled"_s].enabled); // stage 1 had nothing of this flag
        QVERIFY(Rollback::abortRestore(*j, clients, 440, u"the fix did not hold"_s));
        QVERIFY(Rollback::restoreProgress(*j).aborted);
        const Result<json> after = waitFor<json>([&](auto cb) { Rollback::runRestoreStage(*j, staged, 1, clients, fix, {}, cb); });
        QVERIFY(!after && after.error().message.contains(u"aborted"_s));
        QCOMPARE(audit.actions(), (QStringList{u"rollback.restore.stage"_s, u"rollback.restore.aborted"_s}));
        QCOMPARE(j->lastOf("restore-plan").value("override", ""), "override reason long enough");
    }
};

QTEST_GUILESS_MAIN(TestScopedFlags)
#include "tst_scoped_flags.moc"
