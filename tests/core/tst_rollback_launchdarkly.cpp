// A LaunchDarkly profile's rollback on the sandbox (issue #14 item 3,
// acceptance line 5): the plan, the kill switch's execution and its read-back
// contain only LaunchDarkly calls. The console talks to the sandbox's stateful
// LaunchDarkly fake through Prism's validating proxy (the official
// description, tests/contract/specs/launchdarkly.trimmed.json); the semantic
// patches, which that description does not model, are checked against the
// fake's own schema (tests/fakes/launchdarkly/semantic-patch.schema.json;
// docs/contracts.md). Evidence: the sandbox's request log (Unleash's front
// door "flags" and "launchdarkly"), Prism's log, the fake's state.

#include "prism.h"
#include "sandboxfixture.h"
#include "testutil.h"

#include <QProcess>
#include <QTemporaryFile>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
const QString kProfile = u"ldrollbacktest"_s;
const QString kKeychain = u"raize-console-ldrollbacktest"_s;
// Side-effect flags on in production in the wrong-account scenario.
const QStringList kOnFlags = {u"browser-lane.dom-v3"_s,      u"browser-lane.enabled"_s, u"engagement.dm-dedupe"_s, u"engagement.enabled"_s,
                              u"publishing.client-bloom-beta"_s, u"publishing.enabled"_s, u"publishing.scheduler-v2"_s};
const char *const kSemanticPatch = "application/json; domain-model=launchdarkly.semanticpatch";
} // namespace

class TestRollbackLaunchDarkly : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    RaizeTest::Prism m_prism;

    struct Run
    {
        int code = -1;
        QString out, err;
        json j;
    };

    Run run(const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        QStringList all = args;
        all << u"--profile"_s << kProfile;
        if (args.first() == u"token"_s || args.first() == u"rollback"_s || args.first() == u"kill-switch"_s)
            all << u"--keychain-service"_s << kKeychain;
        p.start(RaizeTest::consoleBinary(), all);
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000))
            p.kill(), p.waitForFinished();
        Run r{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), json()};
        if (args.contains(u"--json"_s))
            r.j = json::parse(r.out.toStdString(), nullptr, false);
        return r;
    }

    json control(const QByteArray &method, const QString &path)
    {
        const auto a = RaizeTest::httpCall(method, QUrl(m_sandbox.url(u"control"_s) + path));
        return json::parse(a.body.toStdString(), nullptr, false);
    }
    json requests(const QString &service) { return control("GET", u"/__sandbox/requests?service="_s + service); }
    json ldFlags() { return control("GET", u"/__sandbox/state"_s)["launchdarkly"]["flags"]; }

    // The scenario's state: every side-effect flag on in LaunchDarkly, empty logs.
    void reset()
    {
        for (const QString &f : kOnFlags) {
            const auto a = RaizeTest::httpCall("PATCH", QUrl(m_sandbox.url(u"launchdarkly"_s) + u"/api/v2/flags/default/"_s + f),
                                               m_sandbox.token(u"launchdarkly"_s).toUtf8(),
                                               R"({"patch":[{"op":"replace","path":"/environments/production/on","value":true}]})");
            QCOMPARE(a.status, 200);
        }
        control("DELETE", u"/__sandbox/requests"_s);
        m_prism.drainLog(200);
    }

    // No request reached Unleash's front door: nothing of this profile is an Unleash call.
    void verifyNoUnleash(const QString &context)
    {
        const json unleash = requests(u"flags"_s);
        QVERIFY2(unleash.is_array() && unleash.empty(), qPrintable(context + u": Unleash requests: "_s + QString::fromStdString(unleash.dump()).left(600)));
    }

    // Every call a step previews for the flag service is LaunchDarkly's: a
    // semantic patch turning the flag off, or the GET of the flag that reads it back.
    void verifyPreview(const json &steps, int expectedFlags, const QString &context)
    {
        QVERIFY2(steps.is_array(), qPrintable(context));
        int patches = 0, reads = 0;
        QStringList patched;
        for (const json &s : steps) {
            for (const json &c : s.value("calls", json::array())) {
                const QString service = QString::fromStdString(c.value("service", ""));
                const QString path = QString::fromStdString(c.value("path", ""));
                QVERIFY2(!path.startsWith(u"/api/admin"_s) && !path.startsWith(u"/api/client"_s) && service != u"flags-client"_s,
                         qPrintable(context + u": an Unleash call in the preview: "_s + QString::fromStdString(c.dump())));
                if (service != u"flags"_s)
                    continue;
                const std::string type = s["intent"].value("type", "");
                if (type == "flag.serve") {
                    QCOMPARE(QString::fromStdString(c.value("method", "")), u"PATCH"_s);
                    QCOMPARE(c.value("contentType", ""), std::string(kSemanticPatch));
                    const QString key = QString::fromStdString(s["intent"].value("flag", ""));
                    QCOMPARE(path, u"/api/v2/flags/default/"_s + key);
                    QVERIFY2(c["body"]["environmentKey"] == json("production") && c["body"]["instructions"] == json::parse(R"([{"kind":"turnFlagOff"}])"),
                             qPrintable(QString::fromStdString(c["body"].dump())));
                    patched << key;
                    ++patches;
                } else if (type == "flag.blast-check") {
                    // The blast radius asked again after the change: LaunchDarkly's evaluate, one context per call.
                    QCOMPARE(QString::fromStdString(c.value("method", "")), u"POST"_s);
                    QVERIFY2(path == u"/api/v2/projects/default/environments/production/flags/evaluate"_s, qPrintable(path));
                } else {
                    QCOMPARE(type, std::string("flag.served"));
                    QCOMPARE(QString::fromStdString(c.value("method", "")), u"GET"_s);
                    QVERIFY2(path.startsWith(u"/api/v2/flags/default/"_s) && path.endsWith(u"?env=production"_s), qPrintable(path));
                    ++reads;
                }
            }
        }
        patched.sort();
        QCOMPARE(patched, kOnFlags.mid(0, expectedFlags));
        QCOMPARE(patches, expectedFlags);
        QCOMPARE(reads, expectedFlags);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(RaizeTest::Prism::installed(), "Prism is not installed: run tools/dev.sh setup");
        const QString err = m_sandbox.start(u"wrong-account"_s);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QString log;
        // Validating proxy without --errors: a violation is logged, and the
        // semantic patch (which the description cannot express) still reaches the fake.
        QVERIFY2(m_prism.startProxy(RaizeTest::contractSpec(u"launchdarkly.trimmed.json"_s), m_sandbox.url(u"launchdarkly"_s), false, &log),
                 qPrintable(log));
        const QList<std::pair<QString, QString>> settings = {
            {u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s)},    {u"vercel/projectId"_s, u"prj_raize_web"_s},
            {u"github/apiUrl"_s, m_sandbox.url(u"github"_s)},     {u"github/owner"_s, u"raize"_s},
            {u"github/repo"_s, u"platform"_s},                    {u"flags/kind"_s, u"launchdarkly"_s},
            {u"flags/url"_s, m_prism.url().toString()},           {u"flags/project"_s, u"default"_s},
            {u"flags/environment"_s, u"production"_s},            {u"prometheus/url"_s, m_sandbox.url(u"prometheus"_s)},
            {u"net/timeoutMs"_s, u"5000"_s},                      {u"profile/sandbox"_s, u"true"_s},
            {u"github/mutationSpacingMs"_s, u"100"_s}};
        for (const auto &[k, v] : settings) {
            const Run r = run({u"settings"_s, u"set"_s, k, v});
            QVERIFY2(r.code == 0, qPrintable(k + u": "_s + r.err));
        }
        for (const auto &[service, token] : {std::pair{u"vercel"_s, u"vercel"_s}, {u"github"_s, u"github"_s}, {u"flags"_s, u"launchdarkly"_s}}) {
            const Run r = run({u"token"_s, u"set"_s, service, u"--stdin"_s}, m_sandbox.token(token).toUtf8());
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
    }

    // The preview of a rollback and of a kill switch: rendered by the LaunchDarkly client, read from LaunchDarkly only.
    void previewIsLaunchDarklyOnly()
    {
        reset();
        const Run plan = run({u"rollback"_s, u"plan"_s, u"--trigger"_s, u"wrong-account"_s, u"--json"_s});
        QVERIFY2(plan.code == 0, qPrintable(plan.err + plan.out));
        verifyPreview(plan.j["steps"], int(kOnFlags.size()), u"rollback plan"_s);
        const Run dry = run({u"kill-switch"_s, u"--scope"_s, u"global"_s, u"--dry-run"_s, u"--json"_s});
        QVERIFY2(dry.code == 0, qPrintable(dry.err + dry.out));
        verifyPreview(dry.j["steps"], int(kOnFlags.size()), u"kill-switch --dry-run"_s);
        QCOMPARE(dry.j["steps"].size(), kOnFlags.size() + 2); // the flags, the read-back, then the blast radius asked again
        // Planning read LaunchDarkly (GETs) and wrote nothing; Unleash heard nothing.
        verifyNoUnleash(u"plan"_s);
        const json ld = requests(u"launchdarkly"_s);
        QVERIFY(!ld.empty());
        int evaluations = 0;
        for (const json &r : ld) {
            // Reads, and the blast radius's questions (issue #16 item 2: one context per evaluate call).
            if (r.value("method", "") == "POST" && QString::fromStdString(r.value("path", "")).endsWith(u"/flags/evaluate"_s)) {
                ++evaluations;
                continue;
            }
            QCOMPARE(r.value("method", ""), std::string("GET"));
        }
        QVERIFY(evaluations > 1);
        QVERIFY2(dry.j["blastRadius"].value("known", false), dry.j["blastRadius"].dump().c_str());
        for (const QString &f : kOnFlags)
            QVERIFY2(ldFlags()[f.toStdString()].value("on", false), qPrintable(f));
        const QStringList violations = m_prism.drainViolations(500);
        QVERIFY2(violations.isEmpty(), qPrintable(violations.mid(0, 4).join(u'\n')));
    }

    // The kill switch runs: one semantic patch per flag to the LaunchDarkly fake, then a GET of each flag showing it off.
    void killSwitchRunsOnLaunchDarkly()
    {
        reset();
        const Run r = run({u"kill-switch"_s, u"--scope"_s, u"global"_s, u"--confirm"_s, u"production"_s, u"--json"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QCOMPARE(r.j.value("outcome", ""), std::string("completed"));
        verifyNoUnleash(u"kill switch"_s);
        for (const QString &f : kOnFlags)
            QVERIFY2(!ldFlags()[f.toStdString()].value("on", true), qPrintable(f + u" is still on in LaunchDarkly"_s));

        const json ld = requests(u"launchdarkly"_s);
        QStringList patched;
        json bodies = json::array();
        qint64 lastPatch = -1;
        QHash<QString, qint64> firstReadAfter;
        for (const json &req : ld) {
            const QString method = QString::fromStdString(req.value("method", ""));
            const QString path = QString::fromStdString(req.value("path", ""));
            const QString key = path.section(u'/', 5, 5);
            if (method == u"PATCH"_s) {
                QCOMPARE(req["headers"].value("content-type", ""), std::string(kSemanticPatch));
                QCOMPARE(req.value("status", 0), 200);
                patched << key;
                bodies.push_back({{"name", key.toStdString()}, {"body", json::parse(req.value("body", ""), nullptr, false)}});
                lastPatch = qMax(lastPatch, req.value("id", qint64(0)));
            } else if (method == u"POST"_s && path.endsWith(u"/flags/evaluate"_s)) {
                continue; // the blast radius, before and after (issue #16 item 2)
            } else {
                QCOMPARE(method, u"GET"_s);
                if (lastPatch > 0 && !key.isEmpty() && !firstReadAfter.contains(key))
                    firstReadAfter.insert(key, req.value("id", qint64(0)));
            }
        }
        patched.sort();
        QCOMPARE(patched, kOnFlags); // every flag step is a semantic patch to LaunchDarkly, once
        // The read-back: a GET of each flag after the patches (the fake's state above shows it off).
        for (const QString &f : kOnFlags)
            QVERIFY2(firstReadAfter.value(f, -1) > 0, qPrintable(f + u" was not read back"_s));
        QVERIFY2(r.out.contains(u"read back off from launchdarkly"_s), qPrintable(r.out));

        // Every semantic patch fits the fake's schema; a broken one does not (the check can fail).
        const QString schema = RaizeTest::sourceDir() + u"/tests/fakes/launchdarkly/semantic-patch.schema.json"_s;
        const auto validate = [&](const json &cases) {
            QTemporaryFile f;
            if (!f.open())
                return qMakePair(-1, u"cannot write the cases"_s);
            f.write(QByteArray::fromStdString(cases.dump()));
            f.flush();
            QProcess node;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"NODE_PATH"_s, RaizeTest::prismModules());
            node.setProcessEnvironment(env);
            node.setProcessChannelMode(QProcess::MergedChannels);
            node.start(u"node"_s, {RaizeTest::sourceDir() + u"/tests/contract/validate_schema.cjs"_s, schema, f.fileName()});
            node.waitForFinished(60000);
            return qMakePair(node.exitCode(), QString::fromUtf8(node.readAll()));
        };
        const auto [ok, okOut] = validate(bodies);
        QVERIFY2(ok == 0, qPrintable(okOut));
        json broken = bodies[0];
        broken["body"]["instructions"][0]["kind"] = "turnFlagOf";
        const auto [bad, badOut] = validate(json::array({broken}));
        QVERIFY2(bad == 1 && badOut.contains(u"violation"_s), qPrintable(badOut));

        // Prism's verdict: the answers and the reads fit the description; the one thing
        // it flags is the semantic patch's request body, which the description cannot express.
        const QStringList violations = m_prism.drainViolations(1000);
        for (const QString &v : violations)
            QVERIFY2(v.contains(u"request"_s, Qt::CaseInsensitive) || v.contains(u"content"_s, Qt::CaseInsensitive), qPrintable(violations.join(u'\n')));
    }

    void cleanupTestCase()
    {
        m_prism.stop();
        m_sandbox.stop();
    }
};

QTEST_GUILESS_MAIN(TestRollbackLaunchDarkly)
#include "tst_rollback_launchdarkly.moc"
