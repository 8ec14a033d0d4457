// Issue #16 items 1 and 10 on the whole sandbox (bad-l3-release: the house
// cohort pages, the low-risk cohort is healthy), through the headless CLI:
// - the page's plan is scoped to the house cohort (the default scope from
//   the signals, `rollout status`), Option A, one exclusion per strategy;
// - after execution Unleash's own playground says house accounts are no
//   longer served and client-bloom still is, and the platform simulator's
//   counters show house stopped publishing while client-bloom's cohort goes on;
// - Restore brings back exactly the strategies Unleash stored before.
// One sandbox for the binary.

#include "sandboxfixture.h"
#include "testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
const QString kProfile = u"scopedtest"_s;
const QString kKeychain = u"raize-console-scopedtest"_s;
} // namespace

class TestScopedRollbackSandbox : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    json m_scenarioFlags;

    struct Run
    {
        int code = -1;
        QString out, err;
        json j;
    };

    Run run(const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        QStringList base = {u"--profile"_s, kProfile};
        if (args[0] == u"token"_s || args[0] == u"rollback"_s || args[0] == u"rollout"_s)
            base << u"--keychain-service"_s << kKeychain;
        QElapsedTimer t;
        t.start();
        p.start(RaizeTest::consoleBinary(), args + base);
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!p.waitForFinished(90000 * RaizeTest::timeScale()))
            p.kill(), p.waitForFinished();
        Run r{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), json()};
        if (args.contains(u"--json"_s))
            r.j = json::parse(r.out.toStdString(), nullptr, false);
        qInfo("%s → %d in %lld ms", qPrintable(args.mid(0, 2).join(u' ')), r.code, qint64(t.elapsed()));
        if (qEnvironmentVariableIsSet("RAIZE_TEST_TRACE"))
            qInfo().noquote() << "ERR:" << r.err.right(3000);
        return r;
    }

    QByteArray admin() const { return m_sandbox.token(u"unleashAdmin"_s).toUtf8(); }

    // Every on flag's production strategies as Unleash stores them.
    json strategies()
    {
        json out = json::object();
        for (const json &f : m_scenarioFlags) {
            const std::string name = f.value("name", "");
            const auto a = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/"_s + QString::fromStdString(name)), admin());
            const json j = json::parse(a.body.toStdString(), nullptr, false);
            for (const json &e : j.value("environments", json::array())) {
                if (e.value("name", "") == "production")
                    out[name] = {{"enabled", e.value("enabled", false)}, {"strategies", e.value("strategies", json::array())}};
            }
        }
        return out;
    }

    // Unleash's own evaluation (the playground) for one context property.
    bool served(const char *flag, const char *field, const char *value)
    {
        const json body = {{"environment", "production"}, {"projects", "*"}, {"context", {{"appName", "scoped-test"}, {"properties", {{field, value}}}}}};
        const auto a = RaizeTest::httpCall("POST", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/playground"_s), admin(), QByteArray::fromStdString(body.dump()));
        const json j = json::parse(a.body.toStdString(), nullptr, false);
        for (const json &f : j.value("features", json::array())) {
            if (f.value("name", "") == flag)
                return f.value("isEnabled", false);
        }
        qWarning("playground: no %s in %s", flag, a.body.left(300).constData());
        return false;
    }

    json platform()
    {
        const auto a = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/state"_s));
        return json::parse(a.body.toStdString(), nullptr, false)["platform"];
    }

    // The simulator's own publish-attempt counter for a cohort (all lanes).
    double attempts(const QString &cohort)
    {
        const auto a = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"platform"_s) + u"/metrics"_s));
        double sum = 0;
        static const QRegularExpression line(u"^raize_publish_attempts_total\\{([^}]*)\\} ([0-9.eE+-]+)$"_s, QRegularExpression::MultilineOption);
        for (auto it = line.globalMatch(QString::fromUtf8(a.body)); it.hasNext();) {
            const auto m = it.next();
            if (m.captured(1).contains(u"cohort=\"%1\""_s.arg(cohort)))
                sum += m.captured(2).toDouble();
        }
        return sum;
    }

    bool lanePublishing(const QString &cohort, bool *all)
    {
        const json lanes = platform().value("lanes", json::object());
        bool any = false, every = true;
        for (auto it = lanes.begin(); it != lanes.end(); ++it) {
            if (!QString::fromStdString(it.key()).startsWith(cohort + u'/') && !QString::fromStdString(it.key()).startsWith(cohort + u':'))
                continue;
            any = any || it.value().value("publishing", false);
            every = every && it.value().value("publishing", false);
        }
        if (all)
            *all = every;
        return any;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The entry's home outlives a run (build/<preset>/testhome/<entry>): start from an empty audit log and
        // no rollback journals, or records of an earlier build's run are counted as this one's.
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/raize-console/"_s + kProfile).removeRecursively();
        QFile scenario(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/bad-l3-release.json"_s);
        QVERIFY(scenario.open(QIODevice::ReadOnly));
        m_scenarioFlags = json::parse(scenario.readAll().toStdString())["flags"];
        const QString err = m_sandbox.start(u"bad-l3-release"_s);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const QList<std::pair<QString, QString>> settings = {
            {u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s)},     {u"vercel/projectId"_s, u"prj_raize_web"_s},
            {u"github/apiUrl"_s, m_sandbox.url(u"github"_s)},      {u"github/owner"_s, u"raize"_s},
            {u"github/repo"_s, u"platform"_s},                     {u"flags/url"_s, m_sandbox.url(u"unleash"_s)},
            {u"prometheus/url"_s, m_sandbox.url(u"prometheus"_s)}, {u"net/timeoutMs"_s, u"5000"_s},
            {u"profile/sandbox"_s, u"true"_s},                  {u"github/mutationSpacingMs"_s, u"100"_s}};
        for (const auto &[k, v] : settings) {
            const Run r = run({u"settings"_s, u"set"_s, k, v});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        for (const auto &[service, token] : {std::pair{u"vercel"_s, u"vercel"_s}, {u"github"_s, u"github"_s}, {u"flags"_s, u"unleashAdmin"_s},
                                             {u"flags-client"_s, u"unleashClient"_s}}) {
            const Run r = run({u"token"_s, u"set"_s, service, u"--stdin"_s}, m_sandbox.token(token).toUtf8());
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void housePageIsScopedAndRestores()
    {
        // The page: house burns, low-risk is healthy with enough data → the default scope is the house cohort.
        const Run status = run({u"rollout"_s, u"status"_s, u"--flag"_s, u"publishing.scheduler-v2"_s, u"--json"_s});
        QVERIFY2(status.j.is_object(), qPrintable(status.out + status.err));
        const json scope = status.j.value("rollbackScope", json());
        QVERIFY2(scope.is_object(), status.out.left(2000).toUtf8().constData());
        QVERIFY2(scope.value("why", "") == "isolated", scope.dump().c_str());
        QCOMPARE(QString::fromStdString(scope.value("scope", "")), u"cohort:house"_s);

        const json before = strategies();
        const QStringList common = {u"--trigger"_s, u"publish-failures"_s, u"--scope"_s, u"cohort:house"_s, u"--flags-suffice"_s, u"yes"_s,
                                    u"--reason"_s, u"house page"_s};
        const Run plan = run(QStringList{u"rollback"_s, u"plan"_s} + common + QStringList{u"--json"_s});
        QVERIFY2(plan.code == 0 && plan.j.is_object(), qPrintable(plan.err + plan.out));
        QVERIFY2(plan.j.value("option", "") == "A — flag rollback", plan.j.value("option", "").c_str());
        int disables = 0;
        for (const json &s : plan.j["steps"]) {
            const QString title = QString::fromStdString(s.value("title", ""));
            QVERIFY2(!title.startsWith(u"Instant Rollback"_s), qPrintable(title));
            if (!title.startsWith(u"Disable "_s))
                continue;
            ++disables;
            QVERIFY2(title.contains(u"for clients house · platform accounts acct-house-ig, acct-house-x · cohorts house only"_s), qPrintable(title));
            QVERIFY2(!QString::fromStdString(s.dump()).contains(u"/environments/production/off"_s), s.dump().c_str()); // never the whole environment
            QVERIFY2(QString::fromStdString(s.dump()).contains(u"NOT_IN"_s), s.dump().c_str());
        }
        QVERIFY(disables >= 3); // the kill switches and the house canaries on in scope
        QVERIFY2(!QString::fromStdString(plan.j.dump()).contains(u"client-bloom-beta"_s), "a flag on only for client-bloom is not in the house scope");

        QVERIFY(served("publishing.enabled", "clientId", "house"));
        const Run exec = run(QStringList{u"rollback"_s, u"execute"_s} + common
                             + QStringList{u"--confirm"_s, u"production"_s, u"--plan-digest"_s, QString::fromStdString(plan.j.value("digest", "")), u"--json"_s});
        QVERIFY2(exec.code == 0, qPrintable(exec.err.right(3000) + exec.out.right(1500)));
        const QString runId = QString::fromStdString(exec.j.value("run", ""));
        QVERIFY(!runId.isEmpty());

        // Unleash's own evaluation: house accounts stopped, client-bloom still served.
        QVERIFY(!served("publishing.enabled", "clientId", "house"));
        QVERIFY(!served("publishing.enabled", "platformAccount", "acct-house-ig"));
        QVERIFY(!served("publishing.scheduler-v2", "cohort", "house"));
        QVERIFY(served("publishing.enabled", "clientId", "client-bloom"));
        QVERIFY(served("publishing.client-bloom-beta", "clientId", "client-bloom"));
        // Every flag stays on in the environment: the change is inside the strategies.
        const json after = strategies();
        for (auto it = before.begin(); it != before.end(); ++it)
            QVERIFY2(after[it.key()]["enabled"] == it.value()["enabled"], it.key().c_str());

        // The platform simulator (an SDK polling the client API): house stopped, low-risk goes on.
        bool allLowrisk = false;
        QTRY_VERIFY_WITH_TIMEOUT(!lanePublishing(u"house"_s, nullptr), 15000 * RaizeTest::timeScale());
        QVERIFY(lanePublishing(u"lowrisk"_s, &allLowrisk) && allLowrisk);
        const double house0 = attempts(u"house"_s), lowrisk0 = attempts(u"lowrisk"_s);
        QTRY_VERIFY_WITH_TIMEOUT(attempts(u"lowrisk"_s) > lowrisk0, 15000 * RaizeTest::timeScale());
        QCOMPARE(attempts(u"house"_s), house0);

        // Restore (patch forward) through the canary stages (issue #16 item 10, ADR 0034): the house scope is all in
        // the house stage, so stage 1 is the last with something to serve again; low-risk and broad have no member.
        const Run dry = run({u"rollback"_s, u"restore"_s, u"--run"_s, runId, u"--dry-run"_s, u"--json"_s});
        QVERIFY2(dry.code == 0 && dry.j.value("executable", false), qPrintable(dry.out + dry.err));
        QCOMPARE(dry.j["stages"].size(), std::size_t(3));
        QVERIFY2(!dry.j["stages"][0]["steps"].empty() && dry.j["stages"][1]["steps"].empty() && dry.j["stages"][2]["steps"].empty(),
                 dry.j["stages"].dump().c_str());
        const Run unguarded = run({u"rollback"_s, u"restore"_s, u"--run"_s, runId, u"--pr"_s, u"412"_s});
        QCOMPARE(unguarded.code, 2);
        // #431 is merged but production (dpl_cand: #412's merge commit) does not contain it: refused, nothing sent.
        const Run notDeployed = run({u"rollback"_s, u"restore"_s, u"--run"_s, runId, u"--pr"_s, u"431"_s, u"--confirm"_s, u"production"_s});
        QVERIFY2(notDeployed.code == 1 && notDeployed.err.contains(u"does not contain"_s), qPrintable(notDeployed.err + notDeployed.out));
        QVERIFY(!served("publishing.enabled", "clientId", "house"));
        const Run restore = run({u"rollback"_s, u"restore"_s, u"--run"_s, runId, u"--pr"_s, u"https://github.com/raize/platform/pull/412"_s,
                                 u"--confirm"_s, u"production"_s, u"--json"_s});
        QVERIFY2(restore.code == 0 && restore.j.value("complete", false), qPrintable(restore.err + restore.out));
        QCOMPARE(restore.j.value("stage", 0), 1);
        const Run again = run({u"rollback"_s, u"restore"_s, u"--run"_s, runId, u"--pr"_s, u"412"_s, u"--confirm"_s, u"production"_s});
        QVERIFY2(again.code == 1 && again.err.contains(u"complete"_s), qPrintable(again.err));
        const json restored = strategies();
        for (auto it = before.begin(); it != before.end(); ++it) {
            const json &was = it.value()["strategies"], &now = restored[it.key()]["strategies"];
            QVERIFY2(was.size() == now.size(), it.key().c_str());
            for (std::size_t i = 0; i < was.size(); ++i) {
                json a = was[i], b = now[i];
                for (json *s : {&a, &b}) {
                    for (json &c : (*s)["constraints"])
                        if (c.contains("values") && c["values"].is_array())
                            std::sort(c["values"].begin(), c["values"].end());
                }
                QVERIFY2(a == b, (it.key() + ": " + a.dump() + " → " + b.dump()).c_str());
            }
        }
        QVERIFY(served("publishing.enabled", "clientId", "house"));
        QTRY_VERIFY_WITH_TIMEOUT(lanePublishing(u"house"_s, nullptr), 15000 * RaizeTest::timeScale());
        // Audited, every record of the restore linked to the fix-forward pull request.
        const Run audit = run({u"audit"_s, u"verify"_s});
        QVERIFY2(audit.code == 0, qPrintable(audit.out + audit.err));
        int restoreRecords = 0;
        for (const QString &prefix : {u"flag.restore"_s, u"rollback.restore"_s}) {
            const Run records = run({u"audit"_s, u"export"_s, u"--format"_s, u"json"_s, u"--action"_s, prefix});
            const json list = json::parse(records.out.toStdString(), nullptr, false);
            QVERIFY2(records.code == 0 && list.is_array(), qPrintable(records.out.left(2000) + records.err));
            for (const json &r : list) {
                ++restoreRecords;
                QVERIFY2(r.dump().find("pull/412") != std::string::npos, r.dump().c_str());
            }
        }
        QVERIFY2(restoreRecords >= 3, "a flag.restore per flag, the stage's and the restore's records");
    }
};

QTEST_GUILESS_MAIN(TestScopedRollbackSandbox)
#include "tst_scoped_rollback_sandbox.moc"
