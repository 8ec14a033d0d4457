// The LaunchDarkly backend of FlagService (issue #6): parsing of real-shaped
// flags, local evaluation, the semantic patch for scopes, malformed answers,
// and a contract test against the official description's examples through
// Prism's mock (`prism mock`, static examples) — LaunchDarkly cannot run here.

#include "prism.h"
#include "waitfor.h"

#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/launchdarkly/launchdarklyclient.h"

#include <QEventLoop>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::wait;
using RaizeTest::waitStatus;
using namespace Raize::Services;
using json = nlohmann::json;

namespace {

QByteArray fixture()
{
    QFile f(QStringLiteral(RAIZE_TEST_DATA_DIR) + u"/launchdarkly/flag-scheduler.json"_s);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

} // namespace

class TestLaunchDarklyClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesRulesAsScopes()
    {
        const auto f = LaunchDarklyClient::parseFlag(fixture(), u"raize"_s, u"production"_s);
        QVERIFY2(f.ok(), qPrintable(f.error().toString()));
        QCOMPARE(f->key, u"publishing.scheduler-v2"_s);
        QVERIFY(f->enabled);
        QCOMPARE(f->strategies.size(), 5); // four rules and the fallthrough
        QCOMPARE(f->strategies[0].scope.clientIds, (QStringList{u"house-1"_s, u"house-2"_s}));
        QCOMPARE(f->strategies[0].rolloutPercent, 100);
        QVERIFY(f->strategies[1].disabled);
        QCOMPARE(f->strategies[2].rolloutPercent, 30);
        QCOMPARE(f->strategies[2].scope.clientIds, QStringList{u"client-bloom"_s});
        QCOMPARE(f->strategies[2].scope.lane, u"api"_s);
        QVERIFY(!f->strategies[3].scope.other.isEmpty()); // email endsWith: not a console scope
        QCOMPARE(f->strategies[4].id, u"fallthrough"_s);
        QCOMPARE(f->strategies[4].rolloutPercent, 0);
    }

    void evaluates_data()
    {
        QTest::addColumn<bool>("flagOn");
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("strategy");
        using V = FlagEvaluation::Verdict;
        QTest::newRow("house") << true << u"house-2"_s << u"api"_s << int(V::On) << u"rule-house"_s;
        QTest::newRow("disabled rule skipped") << true << u"other"_s << u"browser"_s << int(V::Unknown) << u"rule-email"_s;
        QTest::newRow("bloom api 30%") << true << u"client-bloom"_s << u"api"_s << int(V::Partial) << u"rule-bloom-30"_s;
        QTest::newRow("bloom browser") << true << u"client-bloom"_s << u"browser"_s << int(V::Unknown) << u"rule-email"_s;
        QTest::newRow("flag off") << false << u"house-1"_s << u"api"_s << int(V::Off) << QString();
    }
    void evaluates()
    {
        QFETCH(bool, flagOn);
        QFETCH(QString, clientId);
        QFETCH(QString, lane);
        QFETCH(int, verdict);
        QFETCH(QString, strategy);
        auto f = LaunchDarklyClient::parseFlag(fixture(), u"raize"_s, u"production"_s).value();
        f.enabled = flagOn;
        FlagContext ctx;
        ctx.clientId = clientId;
        ctx.lane = lane;
        const FlagEvaluation e = LaunchDarklyClient::evaluate(f, ctx);
        QCOMPARE(int(e.verdict), verdict);
        QCOMPARE(e.strategyId, strategy);
        QVERIFY(!e.reason.isEmpty());
        // Without the rule the console cannot evaluate, the fallthrough decides: off.
        f.strategies.removeAt(3);
        if (flagOn && verdict == int(FlagEvaluation::Verdict::Unknown))
            QCOMPARE(LaunchDarklyClient::evaluate(f, ctx).verdict, FlagEvaluation::Verdict::Off);
    }

    void scopePatchIsSemantic()
    {
        FlagScope global;
        const json g = LaunchDarklyClient::scopePatch(u"production"_s, global, 100, u"var-on"_s, u"var-off"_s);
        QVERIFY(g["environmentKey"] == "production");
        QVERIFY(g["instructions"][0] == json({{"kind", "replaceRules"}, {"rules", json::array()}}));
        QVERIFY(g["instructions"][1]["kind"] == "updateFallthroughVariationOrRollout");
        QVERIFY(g["instructions"][1]["variationId"] == "var-on");

        FlagScope scoped;
        scoped.clientIds = {u"house-1"_s};
        scoped.lane = u"browser"_s;
        const json s = LaunchDarklyClient::scopePatch(u"production"_s, scoped, 40, u"var-on"_s, u"var-off"_s);
        const json &rule = s["instructions"][0]["rules"][0];
        QCOMPARE(rule["clauses"].size(), std::size_t(2));
        QVERIFY(rule["clauses"][0]["attribute"] == "clientId");
        QVERIFY(rule["clauses"][0]["op"] == "in");
        QVERIFY(rule["rolloutWeights"]["var-on"] == 40000);
        QVERIFY(rule["rolloutWeights"]["var-off"] == 60000);
        QVERIFY(s["instructions"][1]["variationId"] == "var-off"); // outside the scope: off
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("pointer"); // JSON pointer to break
        QTest::addColumn<QString>("replacement"); // JSON, or "-" to delete
        QTest::addColumn<QString>("fieldPath");
        QTest::newRow("no key") << u"/key"_s << u"-"_s << u"key"_s;
        QTest::newRow("key number") << u"/key"_s << u"7"_s << u"key"_s;
        QTest::newRow("no environment") << u"/environments/production"_s << u"-"_s << u"environments.production"_s;
        QTest::newRow("on text") << u"/environments/production/on"_s << u"\"yes\""_s << u"environments.production.on"_s;
        QTest::newRow("rules object") << u"/environments/production/rules"_s << u"{}"_s << u"environments.production.rules"_s;
        QTest::newRow("clause no attribute") << u"/environments/production/rules/0/clauses/0/attribute"_s << u"-"_s
                                            << u"environments.production.rules[0].clauses[0].attribute"_s;
        QTest::newRow("clause values text") << u"/environments/production/rules/0/clauses/0/values"_s << u"\"x\""_s
                                           << u"environments.production.rules[0].clauses[0].values"_s;
        QTest::newRow("weight text") << u"/environments/production/rules/2/rollout/variations/0/weight"_s << u"\"30\""_s
                                    << u"environments.production.rules[2].rollout.variations[0].weight"_s;
        QTest::newRow("variations object") << u"/variations"_s << u"{}"_s << u"variations"_s;
    }
    void malformed()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, replacement);
        QFETCH(QString, fieldPath);
        json j = json::parse(fixture().toStdString());
        const json::json_pointer ptr(pointer.toStdString());
        if (replacement == u"-"_s)
            j[ptr.parent_pointer()].erase(ptr.back());
        else
            j[ptr] = json::parse(replacement.toStdString());
        const auto f = LaunchDarklyClient::parseFlag(Json::dump(j), u"raize"_s, u"production"_s);
        QVERIFY(!f.ok());
        QCOMPARE(f.error().kind, Error::Kind::Parse);
        QCOMPARE(f.error().service, u"launchdarkly"_s);
        QCOMPARE(f.error().fieldPath, fieldPath);
        const auto list = LaunchDarklyClient::parseFlags(Json::dump({{"items", {j}}, {"_links", json::object()}}), u"raize"_s, u"production"_s);
        QCOMPARE(list.error().fieldPath, u"items[0]."_s + fieldPath);
        QVERIFY(!LaunchDarklyClient::parseFlag(fixture().left(200), u"raize"_s, u"production"_s).ok());
    }

    // Our fixture itself matches the official FeatureFlag schema (so the tests above test real shapes).
    void fixtureMatchesTheDescription()
    {
        const json cases = json::array({{{"name", "flag fixture"}, {"method", "GET"}, {"path", "/api/v2/flags/{projectKey}/{featureFlagKey}"},
                                          {"status", 200}, {"body", json::parse(fixture().toStdString())}}});
        const auto [code, out] = RaizeTest::validateBodies(RaizeTest::contractSpec(u"launchdarkly.trimmed.json"_s), Json::dump(cases));
        QVERIFY2(code == 0 && out.startsWith(u"ok "_s), qPrintable(out));
    }

    // The client against Prism's mock of the official description (its examples).
    void contractAgainstTheDescriptionsExamples()
    {
        QVERIFY2(RaizeTest::Prism::installed(), "Prism is not installed: run tools/dev.sh setup");
        RaizeTest::Prism mock;
        QString log;
        QVERIFY2(mock.startMock(RaizeTest::contractSpec(u"launchdarkly.trimmed.json"_s), &log), qPrintable(log));
        const int port = mock.port();

        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Flags, u"api-contract-token-0123"_s);
        http.setRetryPolicy({1, 10, 10, 10});
        // The description's own example names the project "my-project" and the environment "my-environment".
        LaunchDarklyClient ld(http, QUrl(u"http://127.0.0.1:%1"_s.arg(port)), u"my-project"_s, u"my-environment"_s);
        const auto health = wait<FlagHealth>([&](auto cb) { ld.health(cb); });
        QVERIFY2(health.ok(), qPrintable(health.error().toString() + u'\n' + mock.drainLog()));
        const auto flags = wait<QList<FlagState>>([&](auto cb) { ld.listFlags(QString(), cb); });
        QVERIFY2(flags.ok(), qPrintable(flags.error().toString()));
        QVERIFY(!flags->isEmpty());
        const auto one = wait<FlagState>([&](auto cb) { ld.flag(u"my-flag"_s, QString(), cb); });
        QVERIFY2(one.ok(), qPrintable(one.error().toString()));
        // The kill switch is a JSON Patch the description models: Prism validates the request and answers 200.
        std::optional<Status> off;
        ld.setEnabled(u"my-flag"_s, QString(), false, [&](const Status &s) { off = s; });
        QTRY_VERIFY_WITH_TIMEOUT(off.has_value(), 20000);
        QVERIFY2(off->ok(), qPrintable(off->error().toString()));
        // An error answer in LaunchDarkly's shape ({code, message}) becomes a typed error.
        Net::Request denied;
        denied.service = Service::Flags;
        denied.url = QUrl(u"http://127.0.0.1:%1/api/v2/flags/my-project"_s.arg(port));
        denied.headers.append(qMakePair(QByteArray("Prefer"), QByteArray("code=403")));
        const Net::Response r = http.sendSync(denied);
        QCOMPARE(r.status, 403);
        QCOMPARE(r.error.kind, Error::Kind::Auth);
    }
};

QTEST_GUILESS_MAIN(TestLaunchDarklyClient)
#include "tst_launchdarkly_client.moc"
