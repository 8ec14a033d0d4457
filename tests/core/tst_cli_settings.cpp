// `raize-console settings ...`: the headless way to configure a profile.

#include "testutil.h"

#include "core/settings.h"

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
