// `raize-console cohorts list|set|reset` (issue #14), run as an operator or CI
// would: the effective cohorts and their source, a set or reset through the
// editor's checked, audited save (the audit record read back), refusals that
// change nothing (exit 1), input that cannot be used (exit 2) and the --json shape.

#include "testutil.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include "core/settings.h"
#include "policy/policybundle.h"
#include "records/auditexport.h"
#include "records/auditverifier.h"
#include "release/cohorts.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

const QString kProfile = u"cohortscli"_s;

struct Run
{
    int code = -1;
    QString out;
    QString err;
    json parsed;
};

json policyCohorts()
{
    return Release::cohortsToJson(*Release::cohortsFromPolicy(Policy::builtinBundle()));
}

json editedCohorts()
{
    json c = policyCohorts();
    c[0]["platformAccounts"].push_back("acct-house-li");
    c[1]["name"] = "Low-risk, \"quoted\" clients";
    return c;
}

// A field of a JSON object as text ("" when missing), for QCOMPARE.
QString field(const json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j.at(key).is_string() ? QString::fromStdString(j.at(key).get<std::string>()) : QString();
}

} // namespace

// QCOMPARE cannot take nlohmann::json (its conversions make the qfloat16 overload ambiguous).
#define COMPARE_JSON(actual, expected)                                                                                     \
    QVERIFY2((actual) == (expected), qPrintable(u"%1\n  is not\n%2"_s.arg(QString::fromStdString((actual).dump()),              \
                                                                         QString::fromStdString((expected).dump()))))

class TestCliCohorts : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString auditPath() const { return m_dir.path() + u"/audit.jsonl"_s; }

    static Run run(QStringList args)
    {
        QProcess p;
        p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << kProfile);
        if (!p.waitForFinished(60000))
            p.kill();
        Run r{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
              QString::fromUtf8(p.readAllStandardError()), {}};
        if (args.contains(u"--json"_s))
            r.parsed = json::parse(r.out.toStdString(), nullptr, false);
        return r;
    }

    QString writeFile(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.path() + u'/' + name;
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
            return {};
        return path;
    }

    QList<Records::AuditRecord> records() const
    {
        QString error;
        const QList<Records::AuditRecord> all = Records::AuditExport::readAll(auditPath(), &error);
        return QFile::exists(auditPath()) && error.isEmpty() ? all : QList<Records::AuditRecord>();
    }

    static QString storedCohorts()
    {
        return Settings(kProfile).string(SettingKey::CanaryCohorts);
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QFile::remove(auditPath());
        QFile::remove(auditPath() + u".head"_s);
        Settings settings(kProfile);
        settings.reset(SettingKey::CanaryCohorts);
        settings.reset(SettingKey::PolicyBundlePath);
        settings.setValue(SettingKey::AuditLogPath, auditPath());
        // A sandbox profile: cohort saves need no --arm (test_arming_cli covers a read-only one).
        settings.setValue(SettingKey::ProfileIsSandbox, true);
        for (const SettingKey key : {SettingKey::GitHubApiUrl, SettingKey::GitHubOwner, SettingKey::GitHubRepo})
            settings.reset(key);
        QVERIFY(settings.sync());
    }

    // Headless `cohorts set` records who acts as the console does (issue #17): the login of the profile's GitHub
    // token (GET /user against an in-process GitHub fake), "unknown" only when GitHub cannot say, and then stderr
    // says so and why. The change is made either way (a cohort save only narrows who a stage reaches).
    void actorFromTheToken_data()
    {
        QTest::addColumn<bool>("configured");
        QTest::addColumn<QString>("token");
        QTest::addColumn<int>("userStatus"); // 0: GET /user answers
        QTest::addColumn<QString>("actor");
        QTest::addColumn<QString>("warning"); // a pattern stderr must hold; empty: stderr has no warning
        QTest::newRow("the token's login") << true << u"sre-sam-token"_s << 0 << u"sre-sam"_s << QString();
        QTest::newRow("another person's token") << true << u"oncall-lead-token"_s << 0 << u"oncall-lead"_s << QString();
        QTest::newRow("token refused (401)") << true << u"not-a-token"_s << 0 << u"unknown"_s << u"Bad credentials"_s;
        QTest::newRow("GitHub fails (500)") << true << u"sre-sam-token"_s << 500 << u"unknown"_s << u"500|has not answered"_s;
        QTest::newRow("GitHub not configured") << false << u"sre-sam-token"_s << 0 << u"unknown"_s
                                               << u"GitHub is not configured in this profile"_s;
    }

    void actorFromTheToken()
    {
        QFETCH(bool, configured);
        QFETCH(QString, token);
        QFETCH(int, userStatus);
        QFETCH(QString, actor);
        QFETCH(QString, warning);
        Sandbox::FaultInjector faults;
        Sandbox::RequestLog log;
        Sandbox::HttpServer server(u"github"_s, &faults, &log);
        Sandbox::GitHubFake github(&server, u"gh-release-bot-token"_s);
        github.load(json::object());
        QVERIFY(server.listen(0));
        if (userStatus) {
            QString why;
            const auto rule = Sandbox::FaultRule::fromJson({{"service", "github"}, {"path", "^/user$"}, {"mode", "error"}, {"status", userStatus}}, &why);
            QVERIFY2(rule, qPrintable(why));
            faults.add(*rule);
        }
        if (configured) {
            Settings settings(kProfile);
            settings.setValue(SettingKey::GitHubApiUrl, server.baseUrl());
            settings.setValue(SettingKey::GitHubOwner, u"raize"_s);
            settings.setValue(SettingKey::GitHubRepo, u"platform"_s);
            QVERIFY(settings.sync());
        }
        const QString file = writeFile(u"edited.json"_s, QByteArray::fromStdString(editedCohorts().dump()));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RAIZE_GITHUB_TOKEN"_s, token);
        p.setProcessEnvironment(env);
        // The fake answers from this process' event loop: wait with it running.
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(RaizeTest::consoleBinary(), {u"cohorts"_s, u"set"_s, u"--file"_s, file, u"--profile"_s, kProfile});
        QVERIFY(finished.wait(60000 * RaizeTest::timeScale()));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        const QList<Records::AuditRecord> saved = records();
        QCOMPARE(saved.size(), 1);
        QCOMPARE(saved.first().action, u"cohorts.edit"_s);
        QCOMPARE(saved.first().actor, actor);
        if (warning.isEmpty()) {
            QVERIFY2(!err.contains(u"unknown"_s), qPrintable(err));
        } else {
            QVERIFY2(err.contains(u"warning: the audit record names the actor \"unknown\""_s), qPrintable(err));
            QVERIFY2(err.contains(QRegularExpression(warning)), qPrintable(err));
        }
        // GET /user was asked exactly when GitHub is configured: never a guess, never a skipped question.
        const json asked = log.toJson();
        int userCalls = 0;
        for (const json &r : asked)
            userCalls += r.value("path", "") == "/user" ? 1 : 0;
        QVERIFY2(configured ? userCalls >= 1 : userCalls == 0, asked.dump().c_str());
    }

    void listShowsThePolicysCohorts()
    {
        const Run r = run({u"cohorts"_s, u"list"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.parsed.is_object(), qPrintable(r.out));
        QCOMPARE(field(r.parsed, "profile"), kProfile);
        QCOMPARE(field(r.parsed, "source"), u"policy"_s);
        QVERIFY(r.parsed.value("overrideError", json(1)).is_null());
        COMPARE_JSON(r.parsed.value("cohorts", json()), policyCohorts());
        QVERIFY(r.parsed.value("from", json()).is_string());

        const Run text = run({u"cohorts"_s, u"list"_s});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.startsWith(u"Cohorts from the policy bundle"_s), qPrintable(text.out));
        QVERIFY(text.out.contains(u"house"_s));
        QVERIFY(text.out.contains(u"clients: client-bloom,client-fjord  accounts: acct-bloom-ig,acct-fjord-li"_s));
        QVERIFY(records().isEmpty()); // listing writes nothing
    }

    void setIsCheckedAuditedAndListed()
    {
        const QString file = writeFile(u"edited.json"_s, QByteArray::fromStdString(editedCohorts().dump()));
        const Run r = run({u"cohorts"_s, u"set"_s, u"--file"_s, file, u"--reason"_s, u"house gets its LinkedIn account"_s, u"--json"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.parsed.value("changed", false), true);
        QCOMPARE(field(r.parsed, "source"), u"settings"_s);
        COMPARE_JSON(r.parsed.value("cohorts", json()), editedCohorts());
        QCOMPARE(field(r.parsed, "auditLog"), auditPath());

        // The editor's record: action, target, before and after in full, the reason given.
        const QList<Records::AuditRecord> log = records();
        QCOMPARE(log.size(), 1);
        const Records::AuditRecord &rec = log.first();
        QCOMPARE(rec.action, u"cohorts.edit"_s);
        QCOMPARE(rec.target, u"cohorts@"_s + kProfile);
        QCOMPARE(rec.service, u"console"_s);
        QCOMPARE(rec.reason, u"house gets its LinkedIn account"_s);
        QCOMPARE(field(rec.before, "source"), u"policy"_s);
        COMPARE_JSON(rec.before.value("cohorts", json()), policyCohorts());
        QCOMPARE(field(rec.after, "source"), u"settings"_s);
        COMPARE_JSON(rec.after.value("cohorts", json()), editedCohorts());
        QVERIFY(Records::AuditVerifier::verify(auditPath()).intact());

        // The console and the CLI now read the profile's cohorts.
        COMPARE_JSON(json::parse(storedCohorts().toStdString()), editedCohorts());
        const Run listed = run({u"cohorts"_s, u"list"_s, u"--json"_s});
        QCOMPARE(listed.code, 0);
        QCOMPARE(field(listed.parsed, "source"), u"settings"_s);
        COMPARE_JSON(listed.parsed.value("cohorts", json()), editedCohorts());

        // What `list --json` prints is a valid --file, and saving what is in effect changes nothing.
        const QString again = writeFile(u"listed.json"_s, listed.out.toUtf8());
        const Run same = run({u"cohorts"_s, u"set"_s, u"--file"_s, again, u"--json"_s});
        QCOMPARE(same.code, 0);
        QCOMPARE(same.parsed.value("changed", true), false);
        QCOMPARE(records().size(), 1);

        // Reset: back to the policy's, audited as cohorts.reset, with the default reason naming the command.
        const Run reset = run({u"cohorts"_s, u"reset"_s, u"--json"_s});
        QCOMPARE(reset.code, 0);
        QCOMPARE(reset.parsed.value("changed", false), true);
        QCOMPARE(field(reset.parsed, "source"), u"policy"_s);
        QCOMPARE(records().size(), 2);
        QCOMPARE(records().last().action, u"cohorts.reset"_s);
        QVERIFY2(records().last().reason.contains(u"raize-console cohorts reset"_s), qPrintable(records().last().reason));
        QCOMPARE(field(records().last().before, "source"), u"settings"_s);
        QCOMPARE(storedCohorts(), QString());
        QVERIFY(Records::AuditVerifier::verify(auditPath()).intact());
    }

    void setTextOutput()
    {
        const QString file = writeFile(u"edited.json"_s, QByteArray::fromStdString(editedCohorts().dump()));
        const Run r = run({u"cohorts"_s, u"set"_s, u"--file"_s, file});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(u"saved (audit log %1): Cohorts from the profile's settings"_s.arg(auditPath())), qPrintable(r.out));
        QVERIFY(records().last().reason.contains(file));
        const Run again = run({u"cohorts"_s, u"set"_s, u"--file"_s, file});
        QCOMPARE(again.code, 0);
        QVERIFY(again.out.startsWith(u"nothing changed: "_s));
    }

    // The console's cohort-save confirmation, headless: --confirm gives what the profile's confirmations table asks for.
    void confirmationFromThePolicyTable()
    {
        const json tenant = {{"schema", "raize.policy"}, {"version", 1}, {"id", "acme-v1"}, {"tenant", "acme"},
                             {"confirmations", {{"cohortSave", {{"require", "word"}, {"word", "COHORTS"}}}}}};
        {
            Settings settings(kProfile);
            settings.setValue(SettingKey::PolicyBundlePath, writeFile(u"acme.json"_s, QByteArray::fromStdString(tenant.dump())));
            QVERIFY(settings.sync());
        }
        const QString file = writeFile(u"edited.json"_s, QByteArray::fromStdString(editedCohorts().dump()));
        for (const QStringList &extra : {QStringList{}, QStringList{u"--confirm"_s, u"cohorts"_s}, QStringList{u"--confirm"_s, u"COHORTS "_s}}) {
            const Run r = run(QStringList{u"cohorts"_s, u"set"_s, u"--file"_s, file} + extra);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(u"add --confirm COHORTS"_s), qPrintable(r.err));
            QVERIFY(storedCohorts().isEmpty());
            QVERIFY(records().isEmpty());
        }
        const Run r = run({u"cohorts"_s, u"set"_s, u"--file"_s, file, u"--confirm"_s, u"COHORTS"_s});
        QCOMPARE(r.code, 0);
        QVERIFY(!storedCohorts().isEmpty());
        QCOMPARE(records().size(), 1);
        // Nothing to change needs no confirmation.
        QCOMPARE(run({u"cohorts"_s, u"set"_s, u"--file"_s, file}).code, 0);

        // A bundle whose table loosens the playbook's floor is refused whole: nothing is saved under it.
        const json loose = {{"schema", "raize.policy"}, {"version", 1}, {"id", "acme-v2"}, {"tenant", "acme"},
                            {"confirmations", {{"rollback", {{"require", "none"}}}}}};
        {
            Settings settings(kProfile);
            settings.setValue(SettingKey::PolicyBundlePath, writeFile(u"loose.json"_s, QByteArray::fromStdString(loose.dump())));
            QVERIFY(settings.sync());
        }
        const Run refused = run({u"cohorts"_s, u"reset"_s});
        QCOMPARE(refused.code, 2);
        // The effective policy names the line of the field (ADR 0017) and makes the profile read-only.
        QVERIFY2(refused.err.contains(u"the profile is read-only"_s), qPrintable(refused.err));
        QVERIFY2(refused.err.contains(u"loose.json:1: confirmations.rollback.require"_s), qPrintable(refused.err));
        QVERIFY(!storedCohorts().isEmpty());
    }

    // Cohorts that do not fit the policy's rollout: exit 1 with the reason, nothing saved, nothing audited.
    void refusedWhenTheyDoNotFit_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("reason");
        json tooMany = policyCohorts();
        tooMany[1]["clientIds"] = {"client-bloom", "client-fjord", "client-north"};
        QTest::newRow("a stage's maxClients") << QByteArray::fromStdString(tooMany.dump()) << u"do not fit the policy's rollout"_s;
        json missing = policyCohorts();
        missing.erase(0);
        QTest::newRow("a stage's cohort missing") << QByteArray::fromStdString(missing.dump()) << u"do not fit the policy's rollout"_s;
        json duplicate = policyCohorts();
        duplicate[1]["id"] = "house";
        QTest::newRow("duplicate id") << QByteArray::fromStdString(duplicate.dump()) << u"house"_s;
        json empty = policyCohorts();
        empty[0]["clientIds"] = json::array();
        empty[0]["platformAccounts"] = json::array();
        QTest::newRow("a cohort with no members") << QByteArray::fromStdString(empty.dump()) << u"cohorts[0]"_s;
    }

    void refusedWhenTheyDoNotFit()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        // Start from an override, so "nothing changed" is visible in the settings.
        const QString edited = writeFile(u"edited.json"_s, QByteArray::fromStdString(editedCohorts().dump()));
        QCOMPARE(run({u"cohorts"_s, u"set"_s, u"--file"_s, edited}).code, 0);
        const QString storedBefore = storedCohorts();
        const qsizetype recordsBefore = records().size();

        const QString file = writeFile(u"bad.json"_s, content);
        const Run r = run({u"cohorts"_s, u"set"_s, u"--file"_s, file, u"--json"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(u"refused, nothing was saved: "_s), qPrintable(r.err));
        QVERIFY2(r.err.contains(reason), qPrintable(r.err));
        QCOMPARE(r.out, QString());
        QCOMPARE(storedCohorts(), storedBefore);
        QCOMPARE(records().size(), recordsBefore);
    }

    // Input that cannot be used, or a save that cannot be made: exit 2, nothing changes.
    void cannotRun_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");
        const QStringList set{u"cohorts"_s, u"set"_s, u"--file"_s, u"@FILE"_s};
        QTest::newRow("not JSON") << set << QByteArray("[{\"id\": \"house\",") << u"is not valid JSON"_s;
        QTest::newRow("no cohorts array") << set << QByteArray("{\"stages\": []}") << u"holds no cohorts"_s;
        QTest::newRow("a number") << set << QByteArray("42") << u"holds no cohorts"_s;
        QTest::newRow("missing file") << QStringList{u"cohorts"_s, u"set"_s, u"--file"_s, u"/nonexistent/cohorts.json"_s} << QByteArray()
                                      << u"cannot read /nonexistent/cohorts.json"_s;
        QTest::newRow("no --file") << QStringList{u"cohorts"_s, u"set"_s} << QByteArray() << u"--file is required"_s;
        QTest::newRow("unknown option") << QStringList{u"cohorts"_s, u"list"_s, u"--all"_s} << QByteArray() << u"unknown argument: --all"_s;
        QTest::newRow("reset takes no file") << QStringList{u"cohorts"_s, u"reset"_s, u"--file"_s, u"x.json"_s} << QByteArray()
                                             << u"unknown argument: --file x.json"_s;
        QTest::newRow("unknown action") << QStringList{u"cohorts"_s, u"show"_s} << QByteArray() << u"unknown action: show"_s;
        QTest::newRow("no action") << QStringList{u"cohorts"_s} << QByteArray() << u"a sub-subcommand is required"_s;
    }

    void cannotRun()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        if (const qsizetype i = args.indexOf(u"@FILE"_s); i >= 0)
            args[i] = writeFile(u"input.json"_s, content);
        const Run r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(storedCohorts(), QString());
        QVERIFY(records().isEmpty());
    }

    // The audit log refuses the record: the cohorts are not saved (the editor's rule), exit 2.
    void auditLogRefusal()
    {
        const QString blocker = writeFile(u"not-a-folder"_s, "x");
        Settings settings(kProfile);
        settings.setValue(SettingKey::AuditLogPath, QString(blocker + u"/audit.jsonl"_s));
        QVERIFY(settings.sync());
        const QString file = writeFile(u"edited.json"_s, QByteArray::fromStdString(editedCohorts().dump()));
        const Run r = run({u"cohorts"_s, u"set"_s, u"--file"_s, file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(u"the cohorts were not saved: the audit log refused the record"_s), qPrintable(r.err));
        QCOMPARE(storedCohorts(), QString());
    }

    // Stored cohorts that cannot be used: list says so and uses the policy's; reset removes them (audited).
    void unusableStoredCohorts()
    {
        {
            Settings settings(kProfile);
            settings.setValue(SettingKey::CanaryCohorts, u"[{\"id\": "_s);
            QVERIFY(settings.sync());
        }
        const Run r = run({u"cohorts"_s, u"list"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(field(r.parsed, "source"), u"policy"_s);
        QVERIFY(r.parsed.value("overrideError", json()).is_string());
        QVERIFY2(r.err.contains(u"cohorts reset"_s), qPrintable(r.err));
        const Run reset = run({u"cohorts"_s, u"reset"_s, u"--reason"_s, u"drop the broken override"_s, u"--json"_s});
        QCOMPARE(reset.code, 0);
        QCOMPARE(reset.parsed.value("changed", false), true);
        QCOMPARE(storedCohorts(), QString());
        QCOMPARE(records().size(), 1);
        QCOMPARE(records().first().action, u"cohorts.reset"_s);
        QCOMPARE(records().first().reason, u"drop the broken override"_s);
        QCOMPARE(field(records().first().before, "stored"), u"[{\"id\": "_s);
    }

    // `settings set canary/cohorts` stays refused and points at `cohorts set`.
    void settingsPointsToCohortsSet()
    {
        for (const QString &verb : {u"set"_s, u"reset"_s}) {
            QStringList args{u"settings"_s, verb, u"canary/cohorts"_s};
            if (verb == u"set"_s)
                args << u"[]"_s;
            const Run r = run(args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(u"raize-console cohorts set --file FILE"_s), qPrintable(r.err));
        }
        QCOMPARE(storedCohorts(), QString());
    }
};

QTEST_GUILESS_MAIN(TestCliCohorts)
#include "tst_cli_cohorts.moc"
