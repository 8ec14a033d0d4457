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
//   rollback (issue #16: "exactly the previous strategies").

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
    }
};

QTEST_GUILESS_MAIN(TestScopedFlags)
#include "tst_scoped_flags.moc"
