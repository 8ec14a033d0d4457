// The blast radius and the kill-switch parent against the sandbox's real
// Unleash 8.2 (issue #16 items 2, 3), through the headless CLI, on one
// sandbox (the wrong-account scenario seeds `side-effects.kill` and makes
// every side-effect flag depend on it):
// - `kill-switch --dry-run` (text and --json) shows who stops being served
//   each flag, as Unleash's playground answers; a flag served to nobody shows
//   an empty radius (the negative control);
// - `gates check` and the plan name a side-effect flag whose dependency on
//   the parent was removed;
// - the kill switch's first flag call is the parent's off, and the blast
//   radius asked again after execution agrees with the prediction (the
//   "after" the console computed agrees with the playground).

#include "sandboxfixture.h"
#include "testutil.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

// nlohmann::json in QCOMPARE does not compile (Qt's qfloat16 traits): compare, and dump both on failure.
#define JSON_EQ(actual, expected)                                                                                                        \
    do {                                                                                                                                  \
        const json a_ = (actual), e_ = (expected);                                                                                        \
        QVERIFY2(a_ == e_, (a_.dump() + " != " + e_.dump()).c_str());                                                                     \
    } while (false)

namespace {
const QString kProfile = u"blasttest"_s;
const QString kKeychain = u"raize-console-blasttest"_s;
const QString kParent = u"side-effects.kill"_s;
} // namespace

class TestBlastSandbox : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    QTemporaryDir m_dir;

    struct Run
    {
        int code = -1;
        QString out, err;
        json j;
    };

    Run run(QStringList args, const QByteArray &stdinData = {})
    {
        args << u"--profile"_s << kProfile;
        if (args[0] == u"token"_s || args[0] == u"rollback"_s || args[0] == u"kill-switch"_s || args[0] == u"gates"_s)
            args << u"--keychain-service"_s << kKeychain;
        QProcess p;
        p.start(RaizeTest::consoleBinary(), args);
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!p.waitForFinished(90000 * RaizeTest::timeScale()))
            p.kill(), p.waitForFinished();
        Run r{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), json()};
        if (args.contains(u"--json"_s))
            r.j = json::parse(r.out.toStdString(), nullptr, false);
        return r;
    }
    RaizeTest::HttpAnswer unleash(const QByteArray &method, const QString &path, const json &body = nullptr)
    {
        return RaizeTest::httpCall(method, QUrl(m_sandbox.url(u"unleash"_s) + path), m_sandbox.token(u"unleashAdmin"_s).toUtf8(),
                                   body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump()));
    }
    json flagRequests()
    {
        const auto a = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/requests?service=flags"_s));
        return json::parse(a.body.toStdString(), nullptr, false);
    }
    static const json *row(const json &radius, const QString &flag)
    {
        for (const json &r : radius["rows"]) {
            if (r.value("flag", "") == flag.toStdString())
                return &r;
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString err = m_sandbox.start(u"wrong-account"_s);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        // The tenant bundle names the kill-switch parent.
        const QString bundle = m_dir.filePath(u"tenant.json"_s);
        QFile f(bundle);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(json{{"schema", "raize.policy"}, {"version", 1}, {"id", "blast-v1"}, {"tenant", "sandbox"},
                                               {"rollback", {{"killSwitchParent", kParent.toStdString()}}}}
                                              .dump()));
        f.close();
        const QList<std::pair<QString, QString>> settings = {
            {u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s)},  {u"vercel/projectId"_s, u"prj_raize_web"_s},
            {u"github/apiUrl"_s, m_sandbox.url(u"github"_s)},   {u"github/owner"_s, u"raize"_s},
            {u"github/repo"_s, u"platform"_s},                  {u"flags/url"_s, m_sandbox.url(u"flags"_s)},
            {u"prometheus/url"_s, m_sandbox.url(u"prometheus"_s)}, {u"net/timeoutMs"_s, u"5000"_s},
            {u"profile/sandbox"_s, u"true"_s},                  {u"policy/bundlePath"_s, bundle},
            {u"github/mutationSpacingMs"_s, u"100"_s}};
        for (const auto &[k, v] : settings) {
            const Run r = run({u"settings"_s, u"set"_s, k, v});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        for (const auto &[service, token] : {std::pair{u"vercel"_s, u"vercel"_s}, {u"github"_s, u"github"_s}, {u"flags"_s, u"unleashAdmin"_s},
                                             {u"flags-client"_s, u"unleashClient"_s}}) {
            const Run r = run({u"token"_s, u"set"_s, service, u"--stdin"_s}, m_sandbox.token(token).toUtf8());
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        // The negative control: a side-effect flag that is on but served to no client anyone knows.
        QVERIFY(unleash("POST", u"/api/admin/projects/default/features"_s, {{"name", "publishing.ghost"}, {"type", "release"}}).status < 300);
        QVERIFY(unleash("POST", u"/api/admin/projects/default/features/publishing.ghost/environments/production/strategies"_s,
                        {{"name", "flexibleRollout"},
                         {"parameters", {{"rollout", "100"}, {"stickiness", "default"}, {"groupId", "ghost"}}},
                         {"constraints", json::array({{{"contextName", "clientId"}, {"operator", "IN"}, {"values", {"client-nobody"}}}})}})
                    .status < 300);
        QVERIFY(unleash("POST", u"/api/admin/projects/default/features/publishing.ghost/environments/production/on"_s).status < 300);
        QVERIFY(unleash("POST", u"/api/admin/projects/default/features/publishing.ghost/dependencies"_s, {{"feature", "side-effects.kill"}, {"enabled", true}})
                    .status < 300);
    }

    // kill-switch --dry-run: the table, asked of Unleash's playground, in text and JSON.
    void dryRunShowsTheRadius()
    {
        const Run j = run({u"kill-switch"_s, u"--scope"_s, u"global"_s, u"--dry-run"_s, u"--json"_s});
        QVERIFY2(j.code == 0, qPrintable(j.err + j.out));
        const json radius = j.j["blastRadius"];
        QVERIFY2(radius.value("known", false), radius.dump().c_str());
        QVERIFY2(QString::fromStdString(radius.value("source", "")).startsWith(u"unleash's evaluator: 3 call(s)"_s), radius.dump().c_str());
        // Global flags stop for every known client and account, in both lanes; the wildcard cohort's accounts come from Prometheus.
        const json *publishing = row(radius, u"publishing.enabled"_s);
        QVERIFY(publishing);
        JSON_EQ((*publishing)["clients"], json::parse(R"(["client-bloom","client-fjord","house"])"));
        JSON_EQ((*publishing)["lanes"], json::parse(R"(["api","browser"])"));
        JSON_EQ((*publishing)["otherAccounts"], json::parse(R"(["acct-atlas-ig","acct-koru-x","acct-vela-tt"])"));
        // A per-account flag stops for that account (and the client it is seen with) only.
        const json *dm = row(radius, u"engagement.dm-dedupe"_s);
        QVERIFY(dm);
        JSON_EQ((*dm)["accounts"], json::parse(R"(["acct-house-ig"])"));
        JSON_EQ((*dm)["otherAccounts"], json::array());
        // The per-lane flag: the browser lane only.
        JSON_EQ((*row(radius, u"browser-lane.dom-v3"_s))["lanes"], json::parse(R"(["browser"])"));
        // Negative control: on, in the plan, and served to nobody: an empty radius.
        const json *ghost = row(radius, u"publishing.ghost"_s);
        QVERIFY2(ghost, radius.dump().c_str());
        JSON_EQ((*ghost)["text"], json("nobody"));
        // The parent comes first, and the check after execution is part of the plan.
        JSON_EQ(j.j["steps"][0]["target"], json(kParent.toStdString()));
        JSON_EQ(j.j["steps"].back()["intent"]["type"], json("flag.blast-check"));

        const Run text = run({u"kill-switch"_s, u"--scope"_s, u"global"_s, u"--dry-run"_s});
        QVERIFY2(text.code == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains(u"Blast radius (unleash's evaluator"_s), qPrintable(text.out));
        QVERIFY2(text.out.contains(u"publishing.ghost              nobody"_s), qPrintable(text.out));
        QVERIFY2(text.out.contains(u"+3 others (matched by a wildcard)"_s), qPrintable(text.out));
        // Planning changed nothing in Unleash.
        for (const json &r : flagRequests())
            QVERIFY2(!(r.value("method", "") == "POST" && QString::fromStdString(r.value("path", "")).contains(u"/features/"_s)), r.dump().c_str());
    }

    // The dependency check names the flag that does not depend on the parent: in gates check and in the plan.
    void dependencyCheckNamesTheFlag()
    {
        QVERIFY(unleash("DELETE", u"/api/admin/projects/default/features/engagement.enabled/dependencies/side-effects.kill"_s).status < 300);
        const Run gates = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_cand"_s, u"--json"_s});
        const json check = gates.j.value("killSwitchParent", json());
        QVERIFY2(check.is_object(), qPrintable(gates.err + gates.out.left(2000)));
        JSON_EQ(check["missing"], json::parse(R"(["engagement.enabled"])"));
        JSON_EQ(check["ok"], json(false));
        QVERIFY(gates.code != 0);
        const Run plan = run({u"rollback"_s, u"plan"_s, u"--trigger"_s, u"wrong-account"_s});
        QVERIFY2(plan.out.contains(u"do not depend on the kill-switch parent side-effects.kill and are stopped only by their own step: engagement.enabled"_s),
                 qPrintable(plan.out));
    }

    // Execution: the parent's off is the first flag call; the radius asked again agrees with the prediction.
    void parentIsTheFirstCall()
    {
        RaizeTest::httpCall("DELETE", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/requests"_s));
        const Run r = run({u"kill-switch"_s, u"--scope"_s, u"global"_s, u"--confirm"_s, u"production"_s, u"--reason"_s, u"test"_s, u"--json"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QStringList toggles;
        for (const json &q : flagRequests()) {
            const QString path = QString::fromStdString(q.value("path", ""));
            if (q.value("method", "") == "POST" && path.endsWith(u"/environments/production/off"_s))
                toggles << path.section(u'/', 6, 6);
        }
        QVERIFY2(!toggles.isEmpty(), "no flag was turned off");
        QCOMPARE(toggles.first(), kParent);
        QVERIFY(toggles.contains(u"engagement.enabled"_s)); // the one that does not depend: its own step
        bool checked = false;
        for (const json &s : r.j["steps"]) {
            QVERIFY2(s["status"] == "done", s.dump().c_str());
            checked = checked || QString::fromStdString(s.value("title", "")).startsWith(u"The flag service serves what the blast radius predicted"_s);
        }
        QVERIFY(checked);
    }

    void cleanupTestCase() { m_sandbox.stop(); }
};

QTEST_GUILESS_MAIN(TestBlastSandbox)
#include "tst_blast_sandbox.moc"
