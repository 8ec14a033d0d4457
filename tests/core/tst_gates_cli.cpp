// `raize-console gates check --deployment ID [--json]` (issue #7) against the
// release sandbox (scenario promotion-review): the facts come from the
// simulated Vercel and GitHub and the real Unleash, the verdict from the same
// evaluate() as the console. Exit codes: 0 pass, 1 blocked, 2 error.

#include "sandboxfixture.h"
#include "testutil.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using json = nlohmann::json;
using RaizeTest::httpCall;

namespace {
const QString kProfile = u"gatestest"_s;

const char *const kChangelog = R"md(# Changelog

## [Unreleased]

### Added

- **Storage writes retry with backoff** — transient storage errors no longer fail a plan.
  - Risk: L2
  - Flags: `engagement.auto-reply` (new, OFF in production)
  - Migration: none
  - Rollback: promote the previous production deployment

### Fixed

- **Calendar weeks start on Monday** — the planning calendar follows ISO weeks.
  - Risk: L1
  - Flags: none
  - Migration: none
  - Rollback: redeploy the previous release
)md";
} // namespace

class TestGatesCli : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    QTemporaryDir m_dir;

    struct Run
    {
        int code = -1;
        QString out, err;
        json parsed;
    };

    Run run(QStringList args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // CI has no keyring: the tokens come from the environment.
        env.insert(u"RAIZE_VERCEL_TOKEN"_s, m_sandbox.token(u"vercel"_s));
        env.insert(u"RAIZE_GITHUB_TOKEN"_s, m_sandbox.token(u"github"_s));
        env.insert(u"RAIZE_FLAGS_TOKEN"_s, m_sandbox.token(u"unleashAdmin"_s));
        p.setProcessEnvironment(env);
        // The console runs in a folder with its own CHANGELOG.md: the gates must never read it (issue #17 item 3).
        p.setWorkingDirectory(m_dir.path());
        p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << kProfile);
        if (!p.waitForFinished(120000))
            p.kill();
        Run r{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), {}};
        if (args.contains(u"--json"_s))
            r.parsed = json::parse(r.out.toStdString(), nullptr, false);
        return r;
    }

    // `changelog`: the changelog's path in the repository (empty: the policy's, CHANGELOG.md).
    Run check(const QString &deployment, const QString &changelog = {})
    {
        QStringList args = {u"gates"_s, u"check"_s, u"--deployment"_s, deployment, u"--json"_s};
        if (!changelog.isEmpty())
            args << u"--changelog"_s << changelog;
        return run(args);
    }

    static const json *gate(const json &out, const std::string &id)
    {
        for (const json &g : out["gates"]) {
            if (g["id"] == id)
                return &g;
        }
        return nullptr;
    }

    static std::string status(const json &out, const std::string &id)
    {
        const json *g = gate(out, id);
        return g ? g->value("status", "") : "missing";
    }

    void control(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        const auto a = httpCall(method, QUrl(m_sandbox.url(u"control"_s) + path), {}, body);
        QVERIFY2(a.status >= 200 && a.status < 300, a.body.constData());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The working folder's CHANGELOG.md differs from every candidate's: it has no Rollback field.
        QFile f(m_dir.filePath(u"CHANGELOG.md"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(kChangelog).replace("  - Rollback: redeploy the previous release\n", ""));
        f.close();
        const QString error = m_sandbox.start(u"promotion-review"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const json ready = json::parse(QJsonDocument(m_sandbox.ready()).toJson().toStdString());
        const QList<std::pair<QString, QString>> settings = {
            {u"profile/sandbox"_s, u"true"_s},
            {u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s)},
            {u"vercel/projectId"_s, QString::fromStdString(ready["vercel"]["projectId"])},
            {u"vercel/teamId"_s, QString::fromStdString(ready["vercel"]["teamId"])},
            {u"github/apiUrl"_s, m_sandbox.url(u"github"_s)},
            {u"github/owner"_s, u"raize"_s},
            {u"github/repo"_s, u"platform"_s},
            {u"flags/url"_s, m_sandbox.url(u"unleash"_s)},
            {u"net/timeoutMs"_s, u"5000"_s},
        };
        for (const auto &[key, value] : settings) {
            const Run r = run({u"settings"_s, u"set"_s, key, value});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
    }

    void failingCheckBlocks()
    {
        const Run r = check(u"dpl_rc"_s);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 1);
        QVERIFY(r.parsed["verdict"] == "blocked");
        QVERIFY(status(r.parsed, "deployment-checks") == "fail");
        QVERIFY2(QString::fromStdString((*gate(r.parsed, "deployment-checks"))["reason"]).contains(u"basic UI navigation smoke (failed)"_s),
                 qPrintable(r.out));
        // Everything else holds, read from the services.
        for (const char *id : {"deployment-ready", "status-checks", "branch-protection", "l3-checks", "reviews", "l3-flags-off", "changelog",
                               "runbooks", "migrations", "staging-deployment", "deployment-protection", "rollback-targets", "error-budget"})
            QVERIFY2(status(r.parsed, id) == "pass", qPrintable(QString::fromLatin1(id) + u"\n"_s + r.out));
        // The candidate against what production serves: the pull requests of the compare, their level.
        QVERIFY(r.parsed["level"] == "L2");
        QCOMPARE(r.parsed["pulls"].size(), std::size_t(2));
        QVERIFY(r.parsed["pulls"][0]["number"] == 431 && r.parsed["pulls"][1]["number"] == 432);
        QVERIFY(r.parsed["production"]["id"] == "dpl_prod");
        // The new L3 flag was read from Unleash: OFF in production.
        QVERIFY2(QString::fromStdString((*gate(r.parsed, "l3-flags-off"))["reason"]).contains(u"engagement.auto-reply"_s), qPrintable(r.out));
        QCOMPARE(r.parsed["exitCode"].get<int>(), 1);
    }

    void humanOutputNamesTheReason()
    {
        const Run r = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_rc"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"Changelog: CHANGELOG.md@5e6f708 [Unreleased]"_s), qPrintable(r.out));
        QVERIFY2(r.out.contains(u"FAIL     Vercel Deployment Checks (§5.1): failed: basic UI navigation smoke (failed)"_s), qPrintable(r.out));
        QVERIFY2(r.out.contains(u"Verdict: BLOCKED"_s), qPrintable(r.out));
    }

    // The working folder's CHANGELOG.md lacks a Rollback field; the candidate's own file (read at its commit) has
    // every field: the gate passes and names the file at the candidate commit.
    void theLocalChangelogIsNotRead()
    {
        const Run r = check(u"dpl_rc"_s);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QVERIFY2(status(r.parsed, "changelog") == "pass", qPrintable(r.out));
        QVERIFY2(QString::fromStdString((*gate(r.parsed, "changelog"))["reason"]).startsWith(u"CHANGELOG.md@5e6f708 [Unreleased]: 2 entries"_s),
                 qPrintable(r.out));
        QVERIFY(r.parsed["changelog"]["commit"] == "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081");
        QVERIFY(r.parsed["changelog"]["file"] == "CHANGELOG.md");
    }

    // Another path in the repository (--changelog PATH), read at the candidate: an entry without Rollback fails
    // the gate at that file's line.
    void incompleteChangelogBlocks()
    {
        const Run r = check(u"dpl_rc"_s, u"docs/changelog-incomplete.md"_s);
        QCOMPARE(r.code, 1);
        QVERIFY(status(r.parsed, "changelog") == "fail");
        QVERIFY2(QString::fromStdString((*gate(r.parsed, "changelog"))["reason"]).contains(u"docs/changelog-incomplete.md@5e6f708:7: no Rollback"_s),
                 qPrintable(r.out));
    }

    void serviceErrorIsExitTwo()
    {
        // GitHub's check runs fail: the gate is unknown, never a pass, and the command could not decide.
        control("POST", u"/__sandbox/faults"_s, R"({"service":"github","path":"check-runs","mode":"error","status":502})");
        const Run r = check(u"dpl_rc"_s);
        control("DELETE", u"/__sandbox/faults"_s);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QVERIFY(status(r.parsed, "status-checks") == "unknown");
        QVERIFY(r.parsed["verdict"] == "blocked");
        QCOMPARE(r.code, 1); // the Deployment Check still fails: a definite "no" wins

        // With the Vercel check passing, only the unknown is left: exit 2.
        control("POST", u"/__sandbox/vercel/checks/dpl_rc/basic%20UI%20navigation%20smoke"_s, R"({"status":"completed","conclusion":"succeeded"})");
        control("POST", u"/__sandbox/faults"_s, R"({"service":"github","path":"check-runs","mode":"error","status":502})");
        const Run unknown = check(u"dpl_rc"_s);
        control("DELETE", u"/__sandbox/faults"_s);
        control("POST", u"/__sandbox/vercel/checks/dpl_rc/basic%20UI%20navigation%20smoke"_s, R"({"status":"completed","conclusion":"failed"})");
        QCOMPARE(unknown.code, 2);
        QVERIFY(unknown.parsed["verdict"] == "blocked");
        QVERIFY(status(unknown.parsed, "status-checks") == "unknown");
        QVERIFY2(QString::fromStdString((*gate(unknown.parsed, "status-checks"))["reason"]).contains(u"502"_s), qPrintable(unknown.out));

        // Vercel cannot tell what the candidate is: nothing to check.
        control("POST", u"/__sandbox/faults"_s, R"({"service":"vercel","path":"/v13/deployments/","mode":"error","status":500})");
        const Run none = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_rc"_s});
        control("DELETE", u"/__sandbox/faults"_s);
        QCOMPARE(none.code, 2);
        QVERIFY2(none.err.contains(u"cannot read deployment dpl_rc"_s), qPrintable(none.err));
    }

    void unknownDeploymentAndUsage()
    {
        const Run missing = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_nope"_s});
        QCOMPARE(missing.code, 2);
        QVERIFY2(missing.err.contains(u"dpl_nope"_s), qPrintable(missing.err));
        QCOMPARE(run({u"gates"_s, u"check"_s}).code, 2);
        QCOMPARE(run({u"gates"_s, u"check"_s, u"--deployment"_s, u"x"_s, u"--bogus"_s}).code, 2);
        // A malformed policy: a line-precise error, nothing applied.
        const QString bad = m_dir.filePath(u"bad-policy.json"_s);
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"schema\": \"raize.policy\",\n  \"version\": 1,\n  \"id\": \"t\"\n  \"levels\": {}\n}\n");
        f.close();
        const Run policy = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_rc"_s, u"--policy"_s, bad});
        QCOMPARE(policy.code, 2);
        QVERIFY2(policy.err.contains(u"bad-policy.json:5:"_s), qPrintable(policy.err));
    }

    void passesOnceTheCheckPasses()
    {
        control("POST", u"/__sandbox/vercel/checks/dpl_rc/basic%20UI%20navigation%20smoke"_s, R"({"status":"completed","conclusion":"succeeded"})");
        const Run r = check(u"dpl_rc"_s);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(r.parsed["verdict"] == "pass");
        QVERIFY(r.parsed["reasons"].empty());
        QCOMPARE(QString::fromStdString(r.parsed["digest"]).size(), 64);
    }

    // Issue #18, item 5: a commit pushed straight to main maps to no merged pull request. The level and the
    // reviews gate are unknown (exit 2), the commit is named, and a reviewer may accept it with a reason.
    void aDirectPushIsUnknownNotAPass()
    {
        const json commit = {{"message", "hotfix: pricing page typo\n\nstraight to main"},
                             {"files", {"src/ui/pricing.tsx"}},
                             {"checks", {"lint", "typecheck", "unit", "integration", "migration-checks", "security", "smoke",
                                         "side-effect-contracts", "policy-engine-regression", "browser-lane-smoke"}}};
        const auto pushed = httpCall("POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/github/commits"_s), {},
                                     QByteArray::fromStdString(commit.dump()));
        QCOMPARE(pushed.status, 201);
        const std::string sha = json::parse(pushed.body.toStdString())["sha"];
        json deployment = {{"uid", "dpl_direct"}, {"target", "staging"}, {"state", "READY"}, {"sha", sha}, {"checks", json::array()}};
        for (const char *name : {"health check endpoint", "database connectivity", "queue connectivity", "runner heartbeat",
                                 "feature flag service reachable", "audit/event write path", "basic UI navigation smoke"})
            deployment["checks"].push_back({{"name", name}});
        control("POST", u"/__sandbox/vercel/deployments"_s, QByteArray::fromStdString(deployment.dump()));

        const Run r = check(u"dpl_direct"_s);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 2); // unknown, nothing failed
        QVERIFY(r.parsed["verdict"] == "blocked");
        QVERIFY(r.parsed["level"] == "unknown");
        QVERIFY(status(r.parsed, "reviews") == "unknown");
        QVERIFY(status(r.parsed, "l3-checks") == "unknown");
        const QString shortSha = QString::fromStdString(sha.substr(0, 7));
        const QString reason = QString::fromStdString((*gate(r.parsed, "reviews"))["reason"]);
        QVERIFY2(reason.contains(shortSha + u" \"hotfix: pricing page typo\""_s), qPrintable(reason));
        QVERIFY2(reason.contains(u"a reviewer may accept them with a reason"_s), qPrintable(reason));
        QVERIFY((*gate(r.parsed, "reviews"))["overridable"] == true);
        QVERIFY((*gate(r.parsed, "reviews"))["unmappedCommits"] == true);
        QCOMPARE(r.parsed["unmappedCommits"].size(), std::size_t(1));
        // The mapped pull requests of the range are still listed.
        QVERIFY(r.parsed["pulls"].size() >= 1);

        const Run human = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_direct"_s});
        QCOMPARE(human.code, 2);
        QVERIFY2(human.out.contains(u"Release level: unknown"_s) && human.out.contains(u"hotfix: pricing page typo"_s), qPrintable(human.out));
    }

    // A candidate whose CHANGELOG.md differs from the working folder's (acceptance of issue #17 item 3): the gate
    // reads the candidate's file at its commit and reports that file's line numbers. Runs last: it pushes to main.
    void theCandidatesOwnChangelogAndItsLines()
    {
        // The candidate's file: one entry, its Rollback field missing, at line 9 (the local one has two entries).
        const std::string text = "# Changelog\n\nNotes for operators.\n\n## [Unreleased]\n\n### Changed\n\n"
                                 "- **Publishing queue drains faster** — fewer stuck posts.\n"
                                 "  - Risk: L2\n  - Flags: none\n  - Migration: none\n";
        const json commit = {{"message", "docs: changelog for the queue change (#431)"},
                             {"files", {"CHANGELOG.md"}},
                             {"contents", {{"CHANGELOG.md", text}}},
                             {"checks", {"lint", "typecheck", "unit", "integration", "migration-checks", "security", "smoke"}}};
        const auto pushed = httpCall("POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/github/commits"_s), {},
                                     QByteArray::fromStdString(commit.dump()));
        QCOMPARE(pushed.status, 201);
        const std::string sha = json::parse(pushed.body.toStdString())["sha"];
        json deployment = {{"uid", "dpl_cl"}, {"target", "staging"}, {"state", "READY"}, {"sha", sha}, {"checks", json::array()}};
        control("POST", u"/__sandbox/vercel/deployments"_s, QByteArray::fromStdString(deployment.dump()));

        const Run r = check(u"dpl_cl"_s);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QVERIFY(status(r.parsed, "changelog") == "fail");
        const QString where = u"CHANGELOG.md@"_s + QString::fromStdString(sha.substr(0, 7));
        const QString reason = QString::fromStdString((*gate(r.parsed, "changelog"))["reason"]);
        QVERIFY2(reason == where + u":9: no Rollback"_s, qPrintable(reason));
        QVERIFY(r.parsed["changelog"]["commit"] == sha);
        QVERIFY(r.parsed["changelog"]["section"] == "[Unreleased]");
    }

    void cleanupTestCase()
    {
        m_sandbox.stop();
    }
};

QTEST_GUILESS_MAIN(TestGatesCli)
#include "tst_gates_cli.moc"
