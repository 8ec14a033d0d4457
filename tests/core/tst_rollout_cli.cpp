// `raize-console rollout status|advance` (issue #14, item 4) against the
// release sandbox (scenario bad-l3-release), run as an operator or CI would:
// the flags from the sandbox's Unleash, the SLO counters from its Prometheus.
// The publishing.scheduler-v2 canary on the house accounts pages (status
// exit 1, advance refused and nothing changed); the client-bloom beta on the
// low-risk clients is healthy and advances to the broad rollout through the
// checked, audited flag change (read back from Unleash, audit records read
// from the log); a stale digest, a wrong stage, no digest and unreachable
// services are refused or reported with what to do.

#include "records/auditexport.h"
#include "sandboxfixture.h"
#include "testutil.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

const QString kProfile = u"rolloutcli"_s;
const QString Canary = u"publishing.scheduler-v2"_s; // house accounts, failing ~8 % of publishes
const QString Beta = u"publishing.client-bloom-beta"_s; // low-risk clients, healthy

QString str(const json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j.at(key).is_string() ? QString::fromStdString(j.at(key).get<std::string>())
                                                                     : QString();
}

} // namespace

class TestRolloutCli : public QObject
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

    QString auditPath() const { return m_dir.filePath(u"audit.jsonl"_s); }

    Run run(QStringList args, const QString &flagsToken = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // CI has no keyring: the token comes from the environment.
        env.insert(u"RAIZE_FLAGS_TOKEN"_s, flagsToken.isEmpty() ? m_sandbox.token(u"unleashAdmin"_s) : flagsToken);
        // Who acts is who this token belongs to (GET /user: release-bot), once GitHub is configured.
        env.insert(u"RAIZE_GITHUB_TOKEN"_s, m_sandbox.token(u"github"_s));
        p.setProcessEnvironment(env);
        p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << kProfile);
        if (!p.waitForFinished(150000))
            p.kill();
        Run r{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
              QString::fromUtf8(p.readAllStandardOutput()),
              QString::fromUtf8(p.readAllStandardError()),
              {}};
        if (args.contains(u"--json"_s))
            r.parsed = json::parse(r.out.toStdString(), nullptr, false);
        return r;
    }

    void set(const QString &key, const QString &value)
    {
        const Run r = run({u"settings"_s, u"set"_s, key, value});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    QStringList auditActions() const
    {
        QString error;
        QStringList out;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(auditPath(), &error)) {
            if (!isSetup(r))
                out << r.action;
        }
        return out;
    }

    // The setup's own records (settings.change, the log's audit.continued) are not the rollout's.
    static bool isSetup(const Records::AuditRecord &r)
    {
        return r.action.startsWith(u"settings."_s) || r.action == u"audit.continued"_s;
    }

    static QString since(int minutesAgo)
    {
        return QDateTime::currentDateTimeUtc().addSecs(-60 * minutesAgo).toString(Qt::ISODate);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString error = m_sandbox.start(u"bad-l3-release"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        set(u"profile/sandbox"_s, u"true"_s);
        set(u"flags/url"_s, m_sandbox.url(u"unleash"_s));
        set(u"prometheus/url"_s, m_sandbox.url(u"prometheus"_s));
        set(u"audit/logPath"_s, auditPath());
        set(u"net/timeoutMs"_s, u"10000"_s);
    }

    void pagingCanaryIsBlocked()
    {
        const Run r = run({u"rollout"_s, u"status"_s, u"--flag"_s, Canary, u"--json"_s});
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 1);
        QCOMPARE(r.parsed["exitCode"].get<int>(), 1);
        QCOMPARE(str(r.parsed["stage"], "id"), u"house"_s);
        QCOMPARE(str(r.parsed, "stageFrom"), u"the flags of production"_s);
        QCOMPARE(str(r.parsed["nextStage"], "id"), u"lowrisk"_s);
        QCOMPARE(str(r.parsed["recommendation"], "kind"), u"blocked"_s);
        QVERIFY2(str(r.parsed["recommendation"], "headline").contains(u"page 14.4× 1h/5m fired"_s), r.out.toUtf8().constData());
        // Every cohort × SLO, read from Prometheus: the house page, low-risk healthy.
        QCOMPARE(r.parsed["verdicts"].size(), std::size_t(18));
        for (const json &v : r.parsed["verdicts"]) {
            if (v["cohort"] == "house" && v["slo"] == "publish_success")
                QVERIFY2(v["severity"] == "page", v.dump().c_str());
            if (v["cohort"] == "lowrisk")
                QVERIFY2(v["severity"] == "none", v.dump().c_str());
        }
        QCOMPARE(r.parsed["pages"].size(), std::size_t(1));
        QCOMPARE(str(r.parsed["pages"][0], "cohort"), u"house"_s);
        QVERIFY(r.parsed["pages"][0]["flags"].dump().find(Canary.toStdString()) != std::string::npos);
        QVERIFY(r.parsed["flags"]["stale"].is_null());
        QCOMPARE(str(r.parsed, "digest").size(), 64);

        // The same in words.
        const Run text = run({u"rollout"_s, u"status"_s, u"--flag"_s, Canary});
        QCOMPARE(text.code, 1);
        QVERIFY2(text.out.contains(u"PAGE — House accounts"_s), qPrintable(text.out));
        QVERIFY2(text.out.contains(u"Recommendation: blocked because the error budget burns too fast"_s), qPrintable(text.out));
        QVERIFY2(text.out.contains(u"Plan digest: "_s + str(r.parsed, "digest")), qPrintable(text.out));

        // Advancing is refused with the reviewed digest; nothing changes, nothing is audited.
        const Run advance =
            run({u"rollout"_s, u"advance"_s, u"--flag"_s, Canary, u"--plan-digest"_s, str(r.parsed, "digest"), u"--json"_s});
        QCOMPARE(advance.code, 1);
        // (Blocked by the burn; on a machine so loaded that the sandbox's last minutes are not scraped yet, the short
        // window lacks data and it says wait: refused either way.)
        QVERIFY2(str(advance.parsed, "message").startsWith(u"refused: the recommendation is not \"expand\": "_s),
                 qPrintable(advance.out));
        // Even with a reason: the built-in policy allows no override (and none past a burn).
        const Run overridden = run({u"rollout"_s, u"advance"_s, u"--flag"_s, Canary, u"--plan-digest"_s, str(r.parsed, "digest"),
                                    u"--override"_s, u"the house accounts are ours, we accept the risk"_s});
        QCOMPARE(overridden.code, 1);
        QVERIFY2(overridden.err.contains(u"overrides.rolloutAdvance"_s), qPrintable(overridden.err));
        // Unleash still serves the canary to the house accounts only.
        const auto feature =
            RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/"_s + Canary),
                                m_sandbox.token(u"unleashAdmin"_s).toUtf8());
        QCOMPARE(feature.status, 200);
        const json f = json::parse(feature.body.toStdString(), nullptr, false);
        bool seen = false;
        for (const json &env : f.value("environments", json::array())) {
            if (env.value("name", "") != "production")
                continue;
            seen = true;
            QVERIFY2(env.value("enabled", false), feature.body.constData());
            const std::string strategies = env.value("strategies", json::array()).dump();
            QVERIFY2(strategies.find("house") != std::string::npos && strategies.find("lowrisk") == std::string::npos,
                     strategies.c_str());
        }
        QVERIFY2(seen, feature.body.constData());
        QVERIFY(auditActions().isEmpty());
    }

    void badInputIsRefused()
    {
        // No digest: usage (2). A digest of another plan, or another target stage: refused (1), nothing sent.
        QCOMPARE(run({u"rollout"_s, u"advance"_s, u"--flag"_s, Beta}).code, 2);
        const Run stale = run({u"rollout"_s, u"advance"_s, u"--flag"_s, Beta, u"--since"_s, since(180), u"--confirm"_s, u"1"_s,
                               u"--plan-digest"_s, QString(64, u'0')});
        QCOMPARE(stale.code, 1);
        QVERIFY2(stale.err.contains(u"refused: the plan changed since it was reviewed"_s), qPrintable(stale.err));
        // The stage is checked before the digest: any digest shows it.
        const Run wrong =
            run({u"rollout"_s, u"advance"_s, u"--flag"_s, Beta, u"--stage"_s, u"house"_s, u"--plan-digest"_s, QString(64, u'0')});
        QCOMPARE(wrong.code, 1);
        QVERIFY2(wrong.err.contains(u"the next stage is broad"_s), qPrintable(wrong.err));
        QCOMPARE(run({u"rollout"_s, u"status"_s, u"--level"_s, u"L9"_s}).code, 2);
        QCOMPARE(run({u"rollout"_s, u"status"_s, u"--since"_s, u"yesterday"_s, u"--flag"_s, Beta}).code, 2);
        QCOMPARE(run({u"rollout"_s, u"status"_s, u"--confirm"_s, u"7"_s, u"--flag"_s, Beta}).code, 2);
        QCOMPARE(run({u"rollout"_s, u"status"_s, u"--bogus"_s}).code, 2);
        QCOMPARE(run({u"rollout"_s}).code, 2);
        QVERIFY(auditActions().isEmpty());

        // A wrong token: the flag service answers 401; exit 2 with its message.
        const Run token = run({u"rollout"_s, u"status"_s}, u"not-a-token"_s);
        QCOMPARE(token.code, 2);
        QVERIFY2(token.err.contains(u"Cannot read the flags of production"_s), qPrintable(token.err));
    }

    void healthyBetaAdvancesAudited()
    {
        // Low-risk clients, watched for 3 hours, the operator's confirmation given: expand allowed.
        const QStringList args{u"--flag"_s, Beta, u"--since"_s, since(180), u"--confirm"_s, u"1"_s};
        const Run status = run(QStringList{u"rollout"_s, u"status"_s, u"--json"_s} + args);
        QVERIFY2(status.parsed.is_object(), qPrintable(status.out + status.err));
        QCOMPARE(str(status.parsed["stage"], "id"), u"lowrisk"_s);
        QVERIFY2(status.code == 0, qPrintable(QString::fromStdString(status.parsed["recommendation"].dump())));
        QCOMPARE(str(status.parsed["recommendation"], "kind"), u"expand-allowed"_s);
        QCOMPARE(str(status.parsed["changes"][0], "summary"),
                 Beta + u" in production: ON for clients client-bloom → ON for global"_s);

        const QStringList advanceArgs = QStringList{u"rollout"_s, u"advance"_s, u"--stage"_s, u"broad"_s, u"--plan-digest"_s,
                                                    str(status.parsed, "digest"), u"--json"_s} +
                                        args;
        // Issue #17: the actor is the GitHub login of the profile's token, never $USER. Without GitHub nobody can be
        // named: refused (1), nothing recorded, nothing sent.
        const Run anonymous = run(advanceArgs);
        QCOMPARE(anonymous.code, 1);
        QVERIFY2(str(anonymous.parsed, "message").contains(u"who you are is unknown"_s), qPrintable(anonymous.out));
        QVERIFY(auditActions().isEmpty());

        const json ready = json::parse(QJsonDocument(m_sandbox.ready()).toJson().toStdString());
        set(u"github/apiUrl"_s, m_sandbox.url(u"github"_s));
        set(u"github/owner"_s, QString::fromStdString(ready["github"]["owner"]));
        set(u"github/repo"_s, QString::fromStdString(ready["github"]["repo"]));
        const Run advance = run(advanceArgs);
        QVERIFY2(advance.code == 0, qPrintable(advance.out + advance.err));
        QCOMPARE(str(advance.parsed["results"][0], "outcome"), u"flag.toggle.confirmed"_s);
        QVERIFY2(str(advance.parsed, "message").startsWith(u"advanced to stage 4 of 4: Production: broad rollout"_s),
                 qPrintable(advance.out));
        QCOMPARE(auditActions(),
                 (QStringList{u"rollout.advance"_s, u"flag.toggle.requested"_s, u"flag.toggle.confirmed"_s,
                              u"rollout.advance.confirmed"_s}));
        QString error;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(auditPath(), &error)) {
            if (isSetup(r))
                continue;
            QCOMPARE(r.actor, u"release-bot"_s);
            // The confirmed change names Unleash's own event, read back from its event log; the others the console's id.
            const QString prefix = r.action == u"flag.toggle.confirmed"_s ? u"unleash-event:"_s : u"console:"_s;
            QVERIFY2(r.requestId.startsWith(prefix), qPrintable(r.action + u" "_s + r.requestId + u" "_s + QString::fromStdString(r.after.dump())));
        }

        // Read back from Unleash: the beta is global now, the release in its last stage since the audited confirmation.
        const Run after = run({u"rollout"_s, u"status"_s, u"--flag"_s, Beta, u"--json"_s});
        QCOMPARE(str(after.parsed["stage"], "id"), u"broad"_s);
        QCOMPARE(str(after.parsed, "sinceFrom"), u"the audit log"_s);
        QCOMPARE(after.code, 1);
        QVERIFY2(str(after.parsed["recommendation"], "headline").contains(u"is the last stage"_s), qPrintable(after.out));
    }

    void unreachablePrometheusSaysWhatToDo()
    {
        set(u"prometheus/url"_s, u"http://127.0.0.1:9"_s);
        const Run r = run({u"rollout"_s, u"status"_s, u"--flag"_s, Canary});
        set(u"prometheus/url"_s, m_sandbox.url(u"prometheus"_s));
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(u"Cannot read the SLO counters from Prometheus"_s), qPrintable(r.err));
    }

    // Issue #17 item 8: the demo scenario's candidate (dpl_stage_next, what `tools/dev.sh demo` reviews) has its
    // pull requests, commits, checks, changelog, migrations and protection in the sandbox's GitHub and its
    // project settings in Vercel: every gate is PASS or FAIL with its evidence, none UNKNOWN. And when GitHub
    // answers 404 for the compare, the gates that need it are UNKNOWN again: a gate never defaults to PASS.
    void demoReviewsForReal()
    {
        const json ready = json::parse(QJsonDocument(m_sandbox.ready()).toJson().toStdString());
        set(u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s));
        set(u"vercel/projectId"_s, QString::fromStdString(ready["vercel"]["projectId"]));
        set(u"vercel/teamId"_s, QString::fromStdString(ready["vercel"]["teamId"]));
        set(u"github/apiUrl"_s, m_sandbox.url(u"github"_s));
        set(u"github/owner"_s, QString::fromStdString(ready["github"]["owner"]));
        set(u"github/repo"_s, QString::fromStdString(ready["github"]["repo"]));
        const auto gates = [&] {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"RAIZE_VERCEL_TOKEN"_s, m_sandbox.token(u"vercel"_s));
            env.insert(u"RAIZE_GITHUB_TOKEN"_s, m_sandbox.token(u"github"_s));
            env.insert(u"RAIZE_FLAGS_TOKEN"_s, m_sandbox.token(u"unleashAdmin"_s));
            p.setProcessEnvironment(env);
            p.setWorkingDirectory(m_dir.path()); // no CHANGELOG.md here: the candidate's own is read
            p.start(RaizeTest::consoleBinary(),
                    {u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_stage_next"_s, u"--json"_s, u"--profile"_s, kProfile});
            if (!p.waitForFinished(150000))
                p.kill();
            return std::pair{p.exitCode(), json::parse(p.readAllStandardOutput().toStdString(), nullptr, false)};
        };
        const auto [code, out] = gates();
        QVERIFY2(out.is_object(), out.dump().c_str());
        QStringList unknown, failed;
        for (const json &g : out["gates"]) {
            const QString line = QString::fromStdString(g["id"].get<std::string>() + ": " + g["reason"].get<std::string>());
            if (g["status"] == "unknown")
                unknown << line;
            if (g["status"] == "fail")
                failed << line;
        }
        QVERIFY2(unknown.isEmpty(), qPrintable(unknown.join(u'\n')));
        // The demo's candidate is blocked for a real reason: its Deployment Check failed.
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.first().startsWith(u"deployment-checks: failed: basic UI navigation smoke"_s), qPrintable(failed.first()));
        QCOMPARE(code, 1);
        QVERIFY(out["level"] == "L2");
        QCOMPARE(out["pulls"].size(), std::size_t(2));
        QVERIFY(out["changelog"]["section"] == "[Unreleased]");
        QVERIFY(out["changelog"]["commit"] == "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081");
        for (const json &g : out["gates"]) {
            if (g["id"] == "migrations") // read at the candidate with the rollback's source: the file's own marker
                QVERIFY2(g["reason"].get<std::string>().find("migrations/0043_retry_count.sql") != std::string::npos, g.dump().c_str());
        }

        const auto fault = RaizeTest::httpCall("POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/faults"_s), {},
                                               R"({"service":"github","path":"/compare/","mode":"error","status":404})");
        QVERIFY2(fault.status >= 200 && fault.status < 300, fault.body.constData());
        const auto [code404, out404] = gates();
        RaizeTest::httpCall("DELETE", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/faults"_s));
        QCOMPARE(code404, 1); // the Deployment Check still fails; the rest that needs the compare is unknown, never pass
        QVERIFY(out404["level"] == "unknown");
        for (const char *id : {"reviews", "runbooks", "migrations", "l3-checks", "error-budget"}) {
            for (const json &g : out404["gates"]) {
                if (g["id"] == id)
                    QVERIFY2(g["status"] == "unknown", g.dump().c_str());
            }
        }
    }

    void cleanupTestCase() { m_sandbox.stop(); }
};

QTEST_GUILESS_MAIN(TestRolloutCli)
#include "tst_rollout_cli.moc"
