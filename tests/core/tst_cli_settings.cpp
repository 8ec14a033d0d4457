// `raize-console settings ...`: the headless way to configure a profile.

#include "testutil.h"

#include "core/settings.h"
#include "records/auditexport.h"
#include "records/auditlog.h"

#include <QFile>
#include <QTemporaryDir>

#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCliSettings : public QObject
{
    Q_OBJECT

    struct Run
    {
        int code = -1;
        QString out;
        QString err;
    };

    static Run run(const QStringList &args)
    {
        QProcess p;
        p.start(RaizeTest::consoleBinary(), QStringList{u"settings"_s} + args);
        p.waitForFinished(30000);
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

private Q_SLOTS:
    void setGetListReset()
    {
        QCOMPARE(run({u"set"_s, u"github/owner"_s, u"raize"_s, u"--profile"_s, u"cli"_s}).code, 0);
        QCOMPARE(run({u"set"_s, u"net/timeoutMs"_s, u"2500"_s, u"--profile"_s, u"cli"_s}).code, 0);
        QCOMPARE(run({u"get"_s, u"github/owner"_s, u"--profile"_s, u"cli"_s}).out.trimmed(), u"raize"_s);
        // Profiles stay apart.
        QCOMPARE(run({u"get"_s, u"github/owner"_s}).out.trimmed(), QString());
        const Run list = run({u"list"_s, u"--json"_s, u"--profile"_s, u"cli"_s});
        QCOMPARE(list.code, 0);
        QVERIFY2(list.out.contains(u"\"net/timeoutMs\": \"2500\""_s), qPrintable(list.out));
        // The file the console reads has them.
        Raize::Settings s(u"cli"_s);
        QCOMPARE(s.integer(Raize::SettingKey::NetTimeoutMs), 2500);
        QCOMPARE(run({u"reset"_s, u"github/owner"_s, u"--profile"_s, u"cli"_s}).code, 0);
        QCOMPARE(run({u"get"_s, u"github/owner"_s, u"--profile"_s, u"cli"_s}).out.trimmed(), QString());
        QVERIFY(run({u"path"_s, u"--profile"_s, u"cli"_s}).out.trimmed().endsWith(u"/raize-console/cli.ini"_s));
    }

    // Issue #17 item 6: a change is recorded first (actor, before, after, reason); a log that cannot be written
    // refuses it (2) and nothing is stored.
    void changesAreAudited()
    {
        const QString log = Raize::Records::AuditLog::defaultPath(u"audcli"_s);
        QFile::remove(log);
        const Run set = run({u"set"_s, u"net/timeoutMs"_s, u"2500"_s, u"--reason"_s, u"slow VPN"_s, u"--profile"_s, u"audcli"_s});
        QVERIFY2(set.code == 0, qPrintable(set.err));
        QCOMPARE(run({u"set"_s, u"net/timeoutMs"_s, u"2500"_s, u"--profile"_s, u"audcli"_s}).code, 0); // unchanged: no record
        QCOMPARE(run({u"reset"_s, u"net/timeoutMs"_s, u"--profile"_s, u"audcli"_s}).code, 0);
        QString error;
        const QList<Raize::Records::AuditRecord> records = Raize::Records::AuditExport::readAll(log, &error);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].action, u"settings.change"_s);
        QCOMPARE(records[0].actor, u"unknown"_s); // GitHub is not configured: nobody can be named, never $USER
        QCOMPARE(records[0].reason, u"slow VPN"_s);
        QVERIFY(records[0].before == nlohmann::json({{"net/timeoutMs", 15000}}));
        QVERIFY(records[0].after == nlohmann::json({{"net/timeoutMs", 2500}}));
        QCOMPARE(records[1].reason, u"raize-console settings reset"_s);
        QVERIFY(records[1].after == nlohmann::json({{"net/timeoutMs", 15000}}));

        // A new log path that cannot be written: refused, the path unchanged, the old log says why.
        QTemporaryDir dir;
        QFile blocker(dir.filePath(u"file"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const Run moved = run({u"set"_s, u"audit/logPath"_s, blocker.fileName() + u"/audit.jsonl"_s, u"--profile"_s, u"audcli"_s});
        QCOMPARE(moved.code, 2);
        QVERIFY2(moved.err.contains(u"the settings were not changed: the new audit log"_s), qPrintable(moved.err));
        QCOMPARE(run({u"get"_s, u"audit/logPath"_s, u"--profile"_s, u"audcli"_s}).out.trimmed(), QString());
        QCOMPARE(Raize::Records::AuditExport::readAll(log, &error).last().action, u"settings.change.failed"_s);
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown key") << QStringList{u"get"_s, u"vercel/nope"_s} << u"unknown setting"_s;
        QTest::newRow("token is no setting") << QStringList{u"set"_s, u"github/token"_s, u"x"_s} << u"tokens are not settings"_s;
        QTest::newRow("wrong type") << QStringList{u"set"_s, u"net/timeoutMs"_s, u"soon"_s} << u"takes a value of type int"_s;
        QTest::newRow("missing value") << QStringList{u"set"_s, u"github/owner"_s} << u"usage:"_s;
        QTest::newRow("cohorts only through the editor") << QStringList{u"set"_s, u"canary/cohorts"_s, u"[]"_s} << u"Edit cohorts"_s;
        QTest::newRow("cohorts reset only through the editor") << QStringList{u"reset"_s, u"canary/cohorts"_s} << u"audit log"_s;
        QTest::newRow("unknown verb") << QStringList{u"drop"_s} << u"unknown action"_s;
        QTest::newRow("nothing") << QStringList{} << u"usage:"_s;
    }

    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliSettings)
#include "tst_cli_settings.moc"
