// `raize-console promote review|approve|override|run` (issue #14, item 4)
// against the release sandbox (scenario promotion-review): the review prints
// the gates, the decision and the plan digest; approve and run are bound to
// that digest and refused once the review moved; a promotion is refused while
// blocked, a failing Vercel promote exits 2 with an audit record, and a
// successful one changes what the sandbox's production serves. The request
// log shows which calls reached Vercel. Exit codes: 0 done, 1 refused or
// blocked, 2 could not run.

#include "records/auditexport.h"
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
const QString kProfile = u"promotetest"_s;
// A second console: another person's profile, token and audit log on the same sandbox.
const QString kProfileB = u"promotetest-b"_s;
// The sandbox's GitHub gives each person a token "<login>-token" (tests/fakes/github/githubfake.h).
const QString kTokenA = u"oncall-lead-token"_s;

} // namespace

class TestPromoteCli : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    QTemporaryDir m_dir;
    QString m_blockedDigest, m_digest;

    struct Run
    {
        int code = -1;
        QString out, err;
        json parsed;
    };

    Run run(QStringList args, const QString &profile = kProfile, const QString &githubToken = kTokenA)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // CI has no keyring: the tokens come from the environment.
        env.insert(u"RAIZE_VERCEL_TOKEN"_s, m_sandbox.token(u"vercel"_s));
        // Each person's own GitHub token: the reviewer is who it belongs to.
        env.insert(u"RAIZE_GITHUB_TOKEN"_s, githubToken);
        env.insert(u"RAIZE_FLAGS_TOKEN"_s, m_sandbox.token(u"unleashAdmin"_s));
        p.setProcessEnvironment(env);
        p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << profile);
        if (!p.waitForFinished(120000))
            p.kill();
        Run r{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), {}};
        if (args.contains(u"--json"_s))
            r.parsed = json::parse(r.out.toStdString(), nullptr, false);
        return r;
    }

    json control(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        const auto a = httpCall(method, QUrl(m_sandbox.url(u"control"_s) + path), {}, body);
        if (a.status < 200 || a.status >= 300)
            qWarning("control %s %s: %d %s", method.constData(), qPrintable(path), a.status, a.body.constData());
        return json::parse(a.body.toStdString(), nullptr, false);
    }

    // Vercel promote calls that reached the sandbox (any answer).
    int promoteCalls()
    {
        int n = 0;
        for (const json &r : control("GET", u"/__sandbox/requests?service=vercel"_s)) {
            if (r.value("method", "") == "POST" && QString::fromStdString(r.value("path", "")).contains(u"/promote/"_s))
                ++n;
        }
        return n;
    }

    std::string production() { return control("GET", u"/__sandbox/state"_s)["vercel"].value("production", ""); }

    QStringList auditActions(bool withErrors = true)
    {
        QStringList out;
        for (const auto &r : Raize::Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s))) {
            // The setup's own records (settings.change, the log's audit.continued) are not the promotion's.
            if (isSetup(r))
                continue;
            if (withErrors || !r.after.contains("error"))
                out << r.action;
        }
        return out;
    }
    static bool isSetup(const Raize::Records::AuditRecord &r)
    {
        return r.action.startsWith(u"settings."_s) || r.action == u"audit.continued"_s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The changelog is the candidate's own CHANGELOG.md, read from the sandbox's GitHub at its commit (issue #17 item 3).
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
            {u"audit/logPath"_s, m_dir.filePath(u"audit.jsonl"_s)},
            // Effective, not just accepted (ADR 0027): the simulator names the deployment that serves the domain.
            {u"vercel/productionProbeUrl"_s, m_sandbox.url(u"platform"_s) + u"/__deployment"_s},
            {u"vercel/productionDomain"_s, u"app.raize.example"_s},
        };
        for (const auto &[key, value] : settings) {
            const Run r = run({u"settings"_s, u"set"_s, key, value});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const Run b = run({u"settings"_s, u"set"_s, key, key == u"audit/logPath"_s ? m_dir.filePath(u"audit-b.jsonl"_s) : value}, kProfileB);
            QVERIFY2(b.code == 0, qPrintable(b.err));
        }
    }

    void usageAndConfigurationAreExitTwo()
    {
        QCOMPARE(run({u"promote"_s}).code, 2);
        QCOMPARE(run({u"promote"_s, u"bogus"_s}).code, 2);
        const Run noDigest = run({u"promote"_s, u"run"_s});
        QCOMPARE(noDigest.code, 2);
        QVERIFY2(noDigest.err.contains(u"--plan-digest is required"_s), qPrintable(noDigest.err));
        const Run shortDigest = run({u"promote"_s, u"approve"_s, u"--plan-digest"_s, u"3f9a"_s, u"--reviewer"_s, u"x"_s});
        QCOMPARE(shortDigest.code, 2);
        QVERIFY2(shortDigest.err.contains(u"at least 12 characters"_s), qPrintable(shortDigest.err));
        const Run unconfigured = run({u"promote"_s, u"review"_s}, u"promote-empty"_s);
        QCOMPARE(unconfigured.code, 2);
        QVERIFY2(unconfigured.err.contains(u"Vercel is not configured for profile promote-empty"_s),
                 qPrintable(unconfigured.err));
        QCOMPARE(promoteCalls(), 0);
    }

    void reviewBlockedPrintsGatesDecisionAndDigest()
    {
        const Run r = run({u"promote"_s, u"review"_s, u"--json"_s});
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 1);
        QVERIFY(r.parsed["deployment"]["id"] == "dpl_rc"); // the newest staging deployment
        QVERIFY(r.parsed["decision"]["allowed"] == false);
        QVERIFY2(QString::fromStdString(r.parsed["decision"]["reasons"].dump()).contains(u"basic UI navigation smoke (failed)"_s),
                 qPrintable(r.out));
        QVERIFY(r.parsed["githubReview"]["run"] == 9102);
        m_blockedDigest = QString::fromStdString(r.parsed["digest"]);
        QCOMPARE(m_blockedDigest.size(), 64);

        const Run human = run({u"promote"_s, u"review"_s, u"--deployment"_s, u"dpl_rc"_s});
        QCOMPARE(human.code, 1);
        QVERIFY2(human.out.contains(u"FAIL      Vercel Deployment Checks (§5.1)"_s), qPrintable(human.out));
        QVERIFY2(human.out.contains(u"Decision: BLOCKED"_s), qPrintable(human.out));
        QVERIFY2(human.out.contains(u"Plan digest: "_s + m_blockedDigest), qPrintable(human.out));
    }

    void runAndOverrideRefusedWhileBlocked()
    {
        const Run r = run({u"promote"_s, u"run"_s, u"--plan-digest"_s, m_blockedDigest, u"--json"_s});
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 1);
        QVERIFY(r.parsed["promoted"] == false);
        QVERIFY2(QString::fromStdString(r.parsed["message"]).contains(u"Not promoted: the promotion is blocked"_s),
                 qPrintable(r.out));
        QCOMPARE(promoteCalls(), 0);
        QVERIFY(production() == "dpl_prod");

        const Run forbidden = run({u"promote"_s, u"override"_s, u"--gate"_s, u"deployment-checks"_s, u"--reason"_s,
                                   u"the smoke test is flaky today, trust me"_s});
        QCOMPARE(forbidden.code, 1);
        QVERIFY2(forbidden.err.contains(u"forbids overriding it"_s), qPrintable(forbidden.err));
        // The author's own token is refused; so is a read-only collaborator's, with the reason; a typed name proves nothing.
        const Run author = run({u"promote"_s, u"approve"_s, u"--plan-digest"_s, m_blockedDigest}, kProfile, u"dev-ana-token"_s);
        QCOMPARE(author.code, 1);
        QVERIFY2(author.err.contains(u"dev-ana authored #431 and cannot approve"_s), qPrintable(author.err));
        const Run reader = run({u"promote"_s, u"approve"_s, u"--plan-digest"_s, m_blockedDigest}, kProfile, u"viewer-vic-token"_s);
        QCOMPARE(reader.code, 1);
        QVERIFY2(reader.err.contains(u"viewer-vic holds only read on raize/platform: approving a promotion needs write, maintain or admin"_s),
                 qPrintable(reader.err));
        const Run typed = run({u"promote"_s, u"approve"_s, u"--plan-digest"_s, m_blockedDigest, u"--reviewer"_s, u"oncall-lead"_s},
                              kProfile, u"dev-ana-token"_s);
        QCOMPARE(typed.code, 1);
        QVERIFY2(typed.err.contains(u"This profile's GitHub token belongs to dev-ana, not oncall-lead"_s), qPrintable(typed.err));
        QCOMPARE(auditActions(), QStringList{}); // nothing was done, nothing recorded
    }

    void theReviewMovedSoTheOldDigestIsRefused()
    {
        control("POST", u"/__sandbox/vercel/checks/dpl_rc/basic%20UI%20navigation%20smoke"_s,
                R"({"status":"completed","conclusion":"succeeded"})");
        const Run r = run({u"promote"_s, u"review"_s, u"--json"_s});
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 1); // every gate passes; no approval yet
        QVERIFY2(QString::fromStdString(r.parsed["decision"]["reasons"].dump()).contains(u"0 of 1 approval(s)"_s),
                 qPrintable(r.out));
        m_digest = QString::fromStdString(r.parsed["digest"]);
        QVERIFY(m_digest != m_blockedDigest);

        const Run approve =
            run({u"promote"_s, u"approve"_s, u"--plan-digest"_s, m_blockedDigest.left(12), u"--reviewer"_s, u"oncall-lead"_s});
        QCOMPARE(approve.code, 1);
        QVERIFY2(approve.err.contains(u"The review changed since it was reviewed"_s), qPrintable(approve.err));
        const Run promote = run({u"promote"_s, u"run"_s, u"--plan-digest"_s, m_blockedDigest});
        QCOMPARE(promote.code, 1);
        QVERIFY2(promote.err.contains(u"the review changed since it was reviewed"_s), qPrintable(promote.err));
        QCOMPARE(promoteCalls(), 0);
        QCOMPARE(auditActions(), QStringList{});
    }

    void approveThroughGitHub()
    {
        const Run r = run({u"promote"_s, u"approve"_s, u"--plan-digest"_s, m_digest.left(12), u"--reviewer"_s, u"oncall-lead"_s,
                           u"--reason"_s, u"smoke fixed"_s});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"Approved on GitHub as oncall-lead (environment production): 1 of 1 approval(s)."_s), qPrintable(r.out));
        QVERIFY2(r.out.contains(u"promotion allowed"_s), qPrintable(r.out));
        bool pending = false;
        // Keep the state: a range-for over a member of the temporary would read freed memory (found by ASan).
        const json state = control("GET", u"/__sandbox/state"_s);
        for (const json &run : state["github"]["runs"])
            pending = pending || (run["id"] == 9102 && !run["pending"].empty());
        QVERIFY(!pending); // GitHub's environment gate was approved with the profile's token
        QCOMPARE(auditActions(), (QStringList{u"promotion.approve.requested"_s, u"promotion.approve"_s}));
        // The other console (sre-sam's profile, token and empty audit log) reads A's approval back from GitHub in one review.
        const Run again = run({u"promote"_s, u"review"_s, u"--json"_s}, kProfileB, u"sre-sam-token"_s);
        QVERIFY2(again.code == 0, qPrintable(again.out + again.err));
        QVERIFY(again.parsed["identity"] == "sre-sam");
        QVERIFY(again.parsed["decision"]["allowed"] == true);
        QVERIFY(again.parsed["decision"]["approvers"] == json::array({"oncall-lead"}));
        QVERIFY(again.parsed["approvals"][0]["environment"] == "production");
        QCOMPARE(QString::fromStdString(again.parsed["digest"]), m_digest);
        for (const auto &r : Raize::Records::AuditExport::readAll(m_dir.filePath(u"audit-b.jsonl"_s)))
            QVERIFY2(isSetup(r), qPrintable(r.action)); // B recorded nothing of its own
    }

    void aFailingVercelPromoteIsExitTwoAndAudited()
    {
        control("POST", u"/__sandbox/faults"_s,
                R"({"service":"vercel","method":"POST","path":"/promote/","mode":"error","status":500})");
        const Run r = run({u"promote"_s, u"run"_s, u"--plan-digest"_s, m_digest, u"--json"_s});
        control("DELETE", u"/__sandbox/faults"_s);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out + r.err));
        QCOMPARE(r.code, 2);
        QVERIFY(r.parsed["promoted"] == false);
        const QString message = QString::fromStdString(r.parsed["message"]);
        QVERIFY2(message.contains(u"Vercel did not promote dpl_rc"_s) && message.contains(u"Production still serves dpl_prod"_s),
                 qPrintable(message));
        QVERIFY(promoteCalls() >= 1);
        QVERIFY(production() == "dpl_prod");
        const auto records = Raize::Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s));
        QCOMPARE(records.last().action, u"promotion.promote"_s);
        QVERIFY(records.last().after.contains("error"));
    }

    // The promote is accepted at once and effective only once the domain moved (ADR 0027): the sandbox's Vercel
    // moves it 2.5 s later, so the run says "accepted, not yet effective" and then reports both times.
    void runPromotes()
    {
        control("DELETE", u"/__sandbox/requests"_s);
        control("POST", u"/__sandbox/vercel/alias-delay"_s, R"({"ms":2500})");
        const Run r =
            run({u"promote"_s, u"run"_s, u"--plan-digest"_s, m_digest.left(16), u"--reviewer"_s, u"oncall-lead"_s, u"--json"_s});
        control("POST", u"/__sandbox/vercel/alias-delay"_s, R"({"ms":0})");
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(r.parsed["promoted"] == true);
        QVERIFY(r.parsed["deployment"] == "dpl_rc");
        QVERIFY2(r.err.contains(u"dpl_rc accepted at "_s) && r.err.contains(u", accepted, not yet effective: "_s)
                     && r.err.contains(u"the alias job is in-progress"_s),
                 qPrintable(r.err));
        QVERIFY2(r.parsed["acceptedAt"].is_string() && r.parsed["effectiveAt"].is_string(), qPrintable(r.out));
        QVERIFY2(r.parsed["effective"].value("effectiveAfterMs", 0) >= 2500, qPrintable(r.out));
        QVERIFY(r.parsed["effective"]["samples"] == json({{"onExpected", 5}, {"total", 5}, {"probed", true}}));
        QCOMPARE(promoteCalls(), 1);
        QVERIFY(production() == "dpl_rc");
        // Each promotion is recorded before Vercel is asked; the failed one's outcome carries its error; the
        // accepted one's effectiveness has its own record with both times.
        QCOMPARE(auditActions(false), (QStringList{u"promotion.approve.requested"_s, u"promotion.approve"_s, u"promotion.promote.requested"_s,
                                                   u"promotion.promote.requested"_s, u"promotion.promote"_s, u"promotion.promote.effective"_s}));
        const auto records = Raize::Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s));
        QCOMPARE(records.last().actor, u"oncall-lead"_s);
        QCOMPARE(QString::fromStdString(records.last().after.value("digest", "")), m_digest);
        QVERIFY(records.last().after["effective"]["effectiveAt"].is_string());
        // The same digest does not promote twice: production serves the candidate now, so the review moved.
        const Run twice = run({u"promote"_s, u"run"_s, u"--plan-digest"_s, m_digest, u"--deployment"_s, u"dpl_rc"_s});
        QVERIFY2(twice.code == 1, qPrintable(twice.out + twice.err));
        QVERIFY2(twice.err.contains(u"the review changed since it was reviewed"_s), qPrintable(twice.err));
        // Staging has no other deployment left: nothing to review, and the command says what to do.
        const Run none = run({u"promote"_s, u"review"_s});
        QCOMPARE(none.code, 2);
        QVERIFY2(none.err.contains(u"there is no staging deployment to review"_s) &&
                     none.err.contains(u"deploy to staging first"_s),
                 qPrintable(none.err));
        QCOMPARE(promoteCalls(), 1);
    }

    // Release notes from the real promote above (issue #19 acceptance): no evidence file written by hand, every §9.2
    // section filled from the sandbox's facts (the promotion-review scenario: dpl_rc at 5e6f708, PRs #431 and #432
    // since production's f0e1d2c, its L3 flag, production's dpl_prod as the rollback target), in both versions;
    // the client version names no flag. RAIZE_TEST_SCREENSHOTS=DIR also renders the Promotion view's dialog there.
    void releaseNotesFromTheRealPromote()
    {
        const Run r = run({u"release-notes"_s, u"--from-promotion"_s, u"--audience"_s, u"both"_s, u"--json"_s});
        QVERIFY2(r.code == 0 && r.parsed.is_object(), qPrintable(r.out + r.err));
        QVERIFY(r.parsed["deployment"] == "dpl_rc");
        const QString op = QString::fromStdString(r.parsed["operator"].value("body", ""));
        const QString client = QString::fromStdString(r.parsed["client"].value("body", ""));
        // Each section with the sandbox's facts; "unknown" nowhere (every source answered).
        qInfo().noquote() << "operator version:\n" << op << "\nclient version:\n" << client;
        const QList<std::pair<QString, QString>> facts = {
            {u"**Highlights**"_s, u"Storage writes retry with backoff"_s}, // the candidate's CHANGELOG.md at 5e6f708
            {u"**Highlights**"_s, u"Calendar weeks start on Monday"_s},
            {u"- Flags: "_s, u"engagement.auto-reply"_s},        // the L3 flag, off in production
            {u"- Migrations: "_s, u"none"_s},                    // no migration file between f0e1d2c and 5e6f708
            {u"- Release level: "_s, u"L2"_s},                   // #431's risk:L2 over #432's risk:L1
            {u"- Canary plan: "_s, u"house accounts"_s},         // the policy's rollout for L2
            {u"- Gates: "_s, u"changelog: pass"_s},              // the review's own verdicts
            {u"- Flag rollback: "_s, u"engagement.auto-reply"_s},
            {u"- Deployment rollback: "_s, u"dpl_prod"_s},       // what served production before the promote
            {u"_Written from the evidence of deployment "_s, u"dpl_rc (5e6f708192a3"_s},
        };
        for (const auto &[section, fact] : facts) {
            const qsizetype at = op.indexOf(section);
            QVERIFY2(at >= 0, qPrintable(section + u" missing:\n"_s + op));
            const QString rest = op.mid(at, section.startsWith(u"**"_s) ? op.indexOf(u"\n**"_s, at + 2) - at : op.indexOf(u'\n', at) - at);
            QVERIFY2(rest.contains(fact), qPrintable(fact + u" not in: "_s + rest + u"\n---\n"_s + op));
        }
        for (const QString &heading : {u"**Operator impact**"_s, u"- Flags: "_s, u"- New checks: "_s, u"- Runbooks updated: "_s, u"**Risk**"_s,
                                       u"- Canary plan: "_s, u"**Rollback plan**"_s, u"- Flag rollback: "_s, u"**Known issues**"_s})
            QVERIFY2(op.contains(heading), qPrintable(heading + u" missing:\n"_s + op));
        QVERIFY2(!op.contains(u"unknown"_s), qPrintable(op));
        // The client version: the policy's client sections only, and no flag name of the sandbox.
        QVERIFY2(client.contains(u"**Highlights**"_s) && client.contains(u"**Known issues**"_s) && !client.contains(u"**Operator impact**"_s)
                     && !client.contains(u"**Rollback plan**"_s),
                 qPrintable(client));
        QVERIFY2(client.contains(u"Storage writes retry with backoff"_s), qPrintable(client));
        for (const char *flag : {"publishing.enabled", "engagement.enabled", "engagement.auto-reply"})
            QVERIFY2(!client.contains(QLatin1StringView(flag)), qPrintable(client));
        if (const QString dir = qEnvironmentVariable("RAIZE_TEST_SCREENSHOTS"); !dir.isEmpty()) {
            // The window reads its tokens from the keychain (run under tests/with-keyring.sh): GitHub's, for the open incidents.
            QProcess token;
            token.start(RaizeTest::consoleBinary(), {u"token"_s, u"set"_s, u"github"_s, u"--stdin"_s, u"--profile"_s, kProfile});
            token.write(kTokenA.toUtf8());
            token.closeWriteChannel();
            QVERIFY2(token.waitForFinished(30000) && token.exitCode() == 0, token.readAllStandardError().constData());
            const Run shot = run({u"--screenshot"_s, dir + u"/release-notes.png"_s, u"--view"_s, u"releasenotes"_s, u"--size"_s, u"1500x900"_s});
            QVERIFY2(shot.code == 0, qPrintable(shot.err));
        }
    }

    // The manual Preview → Staging promote on the sandbox (§2.2, issue #17 item 5): a preview of the candidate's
    // commit gets the staging domain behind the lighter gate set, typed confirmation, recorded with the actor, Vercel's
    // x-vercel-id, before (the automatic staging deployment) and after; read back from the sandbox's Vercel.
    void stagingPromoteAssignsTheDomain()
    {
        json checks = json::array();
        for (const char *name : {"health check endpoint", "database connectivity", "queue connectivity", "runner heartbeat",
                                 "feature flag service reachable", "audit/event write path", "basic UI navigation smoke"})
            checks.push_back({{"name", name}});
        const std::string sha = "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";
        control("POST", u"/__sandbox/vercel/deployments"_s,
                QByteArray::fromStdString(json({{"uid", "dpl_preview42"}, {"target", ""}, {"sha", sha}, {"ref", "feat/retries"}, {"checks", checks}}).dump()));
        json failing = checks;
        failing[0]["status"] = "completed";
        failing[0]["conclusion"] = "failed";
        control("POST", u"/__sandbox/vercel/deployments"_s,
                QByteArray::fromStdString(json({{"uid", "dpl_preview43"}, {"target", ""}, {"sha", sha}, {"ref", "feat/retries"}, {"checks", failing}}).dump()));
        control("DELETE", u"/__sandbox/requests"_s);
        const json stateBefore = control("GET", u"/__sandbox/state"_s)["vercel"]["aliases"];
        const auto aliasPosts = [&] {
            int n = 0;
            for (const json &r : control("GET", u"/__sandbox/requests?service=vercel"_s))
                n += r.value("method", "") == "POST" && QString::fromStdString(r.value("path", "")).endsWith(u"/aliases"_s) ? 1 : 0;
            return n;
        };
        const qsizetype recordsBefore = Raize::Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s)).size();

        // The typed confirmation of the policy's table (stagingPromote: the environment's name): missing or wrong, exit 2.
        const Run unconfirmed = run({u"promote"_s, u"staging"_s, u"--deployment"_s, u"dpl_preview42"_s, u"--confirm"_s, u"Staging"_s});
        QCOMPARE(unconfirmed.code, 2);
        QVERIFY2(unconfirmed.err.contains(u"--confirm staging"_s), qPrintable(unconfirmed.err));
        // A preview whose Deployment Check failed: blocked by the staging gate set, exit 1.
        const Run blocked = run({u"promote"_s, u"staging"_s, u"--deployment"_s, u"dpl_preview43"_s, u"--confirm"_s, u"staging"_s, u"--json"_s});
        QVERIFY2(blocked.code == 1, qPrintable(blocked.out + blocked.err));
        QVERIFY(blocked.parsed["decision"] == "blocked");
        QVERIFY2(QString::fromStdString(blocked.parsed["reasons"].dump()).contains(u"deployment-checks (fail)"_s), qPrintable(blocked.out));
        QCOMPARE(aliasPosts(), 0);

        const Run r = run({u"promote"_s, u"staging"_s, u"--deployment"_s, u"dpl_preview42"_s, u"--confirm"_s, u"staging"_s, u"--json"_s});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(r.parsed["promoted"] == true);
        QVERIFY(r.parsed["domain"] == "staging.raize.app");
        QVERIFY(r.parsed["actor"] == "oncall-lead");
        QVERIFY(r.parsed["effective"] == true);
        QVERIFY2(r.parsed["before"] == stateBefore.value("staging.raize.app", json()), qPrintable(r.out));
        QVERIFY(r.parsed["before"] == "dpl_rc"); // the automatic staging deployment had the domain
        const QString requestId = QString::fromStdString(r.parsed.value("requestId", ""));
        QVERIFY2(requestId.startsWith(u"sbx1::sbx1::sandbox-"_s), qPrintable(requestId)); // x-vercel-id
        QCOMPARE(aliasPosts(), 1);
        QVERIFY(control("GET", u"/__sandbox/state"_s)["vercel"]["aliases"]["staging.raize.app"] == "dpl_preview42");
        const auto records = Raize::Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s));
        QStringList actions;
        for (qsizetype i = recordsBefore; i < records.size(); ++i)
            actions << records[i].action;
        QCOMPARE(actions, (QStringList{u"promotion.staging.requested"_s, u"promotion.staging"_s}));
        QCOMPARE(records.last().actor, u"oncall-lead"_s);
        QCOMPARE(records.last().requestId, requestId);
        QVERIFY(records.last().before["deployment"] == "dpl_rc");
        QVERIFY(records.last().after["deployment"] == "dpl_preview42");
    }

    void cleanupTestCase() { m_sandbox.stop(); }
};

QTEST_GUILESS_MAIN(TestPromoteCli)
#include "tst_promote_cli.moc"
