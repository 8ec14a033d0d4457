// Read-only until armed, headless (issue #21 item 3, ADR 0028): a mutating
// subcommand on a profile not marked sandbox is refused (exit 1) with a
// message that says to pass --arm REASON; with it, the profile is armed for
// that one command (audited: actor, reason, until, scope) and the change goes
// ahead; a blank reason or --arm where nothing changes is bad usage (exit 2);
// a sandbox profile needs none; the sandbox marker's change is audited; the
// help of every mutating subcommand names --arm; `policy show` shows the window.
// Runs `cohorts set|reset`, which need no service, so no sandbox is started.

#include "core/settings.h"
#include "policy/policybundle.h"
#include "records/auditexport.h"
#include "release/cohorts.h"
#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

Run run(const QString &profile, QStringList args)
{
    QProcess p;
    p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << profile);
    if (!p.waitForFinished(60000))
        p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestArmingCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_profiles = 0;

    QString auditPath(const QString &profile) const { return m_dir.filePath(profile + u"-audit.jsonl"_s); }

    // A fresh profile, its audit log in the test's folder; marker "" leaves profile/sandbox unset.
    QString profile(const QString &marker = {})
    {
        const QString name = u"armcli-%1"_s.arg(++m_profiles);
        Settings s(name);
        // The test's config folder outlives a run: start each profile from nothing.
        for (const SettingSpec &spec : Settings::specs())
            s.reset(spec.key);
        s.setValue(SettingKey::AuditLogPath, auditPath(name));
        if (!marker.isEmpty())
            s.setValue(SettingKey::ProfileIsSandbox, marker);
        s.sync();
        return name;
    }

    QString cohortsFile()
    {
        json c = Release::cohortsToJson(*Release::cohortsFromPolicy(Policy::builtinBundle()));
        c[0]["name"] = "House accounts (armed edit)";
        const QString path = m_dir.filePath(u"cohorts-%1.json"_s.arg(m_profiles));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(QByteArray::fromStdString(c.dump()));
        return path;
    }

    QList<Records::AuditRecord> records(const QString &profile) const
    {
        return Records::AuditExport::readAll(auditPath(profile));
    }
    QStringList actions(const QString &profile) const
    {
        QStringList out;
        for (const Records::AuditRecord &r : records(profile))
            out << r.action;
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void mutatingCommandNeedsArm_data()
    {
        QTest::addColumn<QString>("marker");
        QTest::addColumn<QStringList>("arm");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        QTest::addColumn<QStringList>("audited");
        QTest::addColumn<bool>("saved");
        const QString refusal = u"is read-only until armed: cohorts set was refused"_s;
        QTest::newRow("production, no --arm: refused") << QString() << QStringList() << 1 << refusal << QStringList() << false;
        QTest::newRow("marked not sandbox, no --arm: refused")
            << u"false"_s << QStringList() << 1 << u"Pass --arm REASON"_s << QStringList() << false;
        QTest::newRow("production, --arm: armed for it, audited")
            << QString() << QStringList{u"--arm"_s, u"CHG-77 house gets a new account"_s} << 0 << u"armed profile"_s
            << QStringList{u"arming.arm"_s, u"cohorts.edit"_s} << true;
        QTest::newRow("--arm=REASON") << QString() << QStringList{u"--arm=CHG-78"_s} << 0 << u"armed profile"_s
                                      << QStringList{u"arming.arm"_s, u"cohorts.edit"_s} << true;
        QTest::newRow("blank reason: not armed")
            << QString() << QStringList{u"--arm"_s, u"  "_s} << 2 << u"Arming needs a reason"_s << QStringList() << false;
        QTest::newRow("--arm without its reason: usage")
            << QString() << QStringList{u"--arm"_s} << 2 << u"unknown argument: --arm"_s << QStringList() << false;
        QTest::newRow("sandbox: no --arm needed")
            << u"true"_s << QStringList() << 0 << QString() << QStringList{u"cohorts.edit"_s} << true;
    }

    void mutatingCommandNeedsArm()
    {
        QFETCH(QString, marker);
        QFETCH(QStringList, arm);
        QFETCH(int, code);
        QFETCH(QString, says);
        QFETCH(QStringList, audited);
        QFETCH(bool, saved);
        const QString p = profile(marker);
        const Run r = run(p, QStringList{u"cohorts"_s, u"set"_s, u"--file"_s, cohortsFile(), u"--reason"_s, u"test"_s} + arm);
        QVERIFY2(r.code == code, qPrintable(u"exit %1\n%2"_s.arg(r.code).arg(r.err)));
        QVERIFY2(r.err.contains(says), qPrintable(r.err));
        if (code == 1)
            QVERIFY2(r.err.contains(u"--arm REASON"_s), qPrintable(r.err));
        QCOMPARE(actions(p), audited);
        QCOMPARE(!Settings(p).string(SettingKey::CanaryCohorts).isEmpty(), saved);
        if (audited.value(0) == u"arming.arm"_s) {
            const Records::AuditRecord a = records(p).first();
            QCOMPARE(a.reason, arm.size() == 2 ? arm[1] : arm[0].mid(6));
            QCOMPARE(a.actor, u"unknown"_s); // no GitHub in this profile: nobody can be named, and none is guessed
            QCOMPARE(QString::fromStdString(a.after["scope"].get<std::string>()), u"command: cohorts set"_s);
            QVERIFY(a.after.contains("until"));
            // Armed for that one command: the next one is refused again.
            const Run next = run(p, {u"cohorts"_s, u"reset"_s});
            QCOMPARE(next.code, 1);
            QVERIFY2(next.err.contains(u"is read-only until armed: cohorts reset was refused"_s), qPrintable(next.err));
        }
    }

    // Saving what is in effect changes nothing: no arming asked, none recorded.
    void nothingToChangeNeedsNoArm()
    {
        const QString p = profile();
        const Run r = run(p, {u"cohorts"_s, u"reset"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(actions(p).isEmpty());
    }

    void armWhereNothingChangesIsUsage()
    {
        const QString p = profile();
        const Run review = run(p, {u"promote"_s, u"review"_s, u"--arm"_s, u"x"_s});
        QCOMPARE(review.code, 2);
        QVERIFY2(review.err.contains(u"--arm is for what changes something"_s), qPrintable(review.err));
        const Run list = run(p, {u"cohorts"_s, u"list"_s, u"--arm"_s, u"x"_s});
        QCOMPARE(list.code, 2);
        QVERIFY2(list.err.contains(u"unknown argument: --arm x"_s), qPrintable(list.err));
        QVERIFY(actions(p).isEmpty());
    }

    // The sandbox marker: an audited settings change (before, after), and it decides whether --arm is needed.
    void sandboxMarkerIsAudited()
    {
        const QString p = profile();
        QCOMPARE(run(p, {u"settings"_s, u"set"_s, u"profile/sandbox"_s, u"true"_s}).code, 0);
        QCOMPARE(Settings(p).boolean(SettingKey::ProfileIsSandbox), true);
        QCOMPARE(actions(p), QStringList{u"settings.change"_s});
        const Records::AuditRecord r = records(p).first();
        QCOMPARE(r.target, u"profile/sandbox"_s);
        QCOMPARE(r.before["value"].get<bool>(), false);
        QCOMPARE(r.after["value"].get<bool>(), true);
        QCOMPARE(run(p, {u"settings"_s, u"set"_s, u"profile/sandbox"_s, u"true"_s}).code, 0); // unchanged: no record
        QCOMPARE(run(p, {u"settings"_s, u"set"_s, u"profile/sandbox"_s, u"maybe"_s}).code, 2);
        QCOMPARE(run(p, {u"settings"_s, u"reset"_s, u"profile/sandbox"_s}).code, 0);
        QCOMPARE(actions(p), (QStringList{u"settings.change"_s, u"settings.change"_s}));
        QCOMPARE(Settings(p).boolean(SettingKey::ProfileIsSandbox), false);
    }

    void helpNamesArm_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("says");
        const QString option = u"--arm REASON"_s;
        for (const char *sub : {"approve", "override", "run"})
            QTest::newRow(qPrintable(u"promote %1"_s.arg(QLatin1String(sub))))
                << QStringList{u"promote"_s, QString::fromLatin1(sub)} << option;
        QTest::newRow("rollout advance") << QStringList{u"rollout"_s, u"advance"_s} << option;
        QTest::newRow("cohorts set") << QStringList{u"cohorts"_s, u"set"_s} << option;
        QTest::newRow("cohorts reset") << QStringList{u"cohorts"_s, u"reset"_s} << option;
        QTest::newRow("rollback restore") << QStringList{u"rollback"_s, u"restore"_s} << option;
        QTest::newRow("settings set") << QStringList{u"settings"_s, u"set"_s} << u"profile/sandbox is written to the audit log"_s;
        QTest::newRow("rollback execute: no arming") << QStringList{u"rollback"_s, u"execute"_s} << u"Needs no --arm"_s;
        QTest::newRow("kill-switch: no arming") << QStringList{u"kill-switch"_s} << u"Needs no --arm"_s;
    }

    void helpNamesArm()
    {
        QFETCH(QStringList, command);
        QFETCH(QString, says);
        const Run r = run(u"default"_s, command + QStringList{u"--help"_s});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(says), qPrintable(r.out));
    }

    void policyShowsTheWindow()
    {
        const QString p = profile();
        const Run text = run(p, {u"policy"_s, u"show"_s});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.contains(u"arming: a profile not marked sandbox is read-only until armed, then for 15 minutes"_s),
                 qPrintable(text.out));
        QVERIFY2(text.out.contains(u"confirm arm: environment"_s), qPrintable(text.out));
        const Run j = run(p, {u"policy"_s, u"show"_s, u"--json"_s});
        QCOMPARE(j.code, 0);
        const json doc = json::parse(j.out.toStdString());
        QCOMPARE(doc["arming"]["windowMinutes"].get<int>(), 15);
    }
};

QTEST_GUILESS_MAIN(TestArmingCli)
#include "tst_arming_cli.moc"
