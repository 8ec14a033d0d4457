// The crash seam lives in raize-console-crashtest only (issue #15, item 5):
// the shipped raize-console holds none of its variables' names, so no
// environment can make it kill itself. The crash-test binary is the control:
// the same search finds them there. That the shipped binary also behaves so
// (it completes a rollback with the variables set) is
// test_rollback_sandbox/p0WrongAccountEndToEnd.

#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

class TestKillSeam : public QObject
{
    Q_OBJECT

    static QByteArray contents(const QString &path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return f.readAll();
    }

private Q_SLOTS:
    void variablesOnlyInTheCrashTestBinary_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("kill after a record") << QByteArray("RAIZE_ROLLBACK_TEST_KILL_AFTER");
        QTest::newRow("kill at a call") << QByteArray("RAIZE_ROLLBACK_TEST_KILL_AT_CALL");
        QTest::newRow("any rollback test variable") << QByteArray("RAIZE_ROLLBACK_TEST");
    }

    void variablesOnlyInTheCrashTestBinary()
    {
        QFETCH(QByteArray, name);
        const QByteArray shipped = contents(RaizeTest::consoleBinary());
        const QByteArray crashtest = contents(RaizeTest::crashTestBinary());
        QVERIFY2(shipped.size() > 100000, qPrintable(RaizeTest::consoleBinary()));
        QVERIFY2(crashtest.size() > 100000, qPrintable(RaizeTest::crashTestBinary()));
        QVERIFY2(!shipped.contains(name), qPrintable(u"raize-console contains \"%1\""_s.arg(QString::fromLatin1(name))));
        QVERIFY2(crashtest.contains(name), "the control failed: the search does not find the name where it is");
    }

    // A seam that silently ignores a typo would let a crash test pass without a crash.
    void crashTestBinaryRefusesAMalformedSeam_data()
    {
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        QTest::newRow("record zero") << u"RAIZE_ROLLBACK_TEST_KILL_AFTER"_s << u"0"_s;
        QTest::newRow("record not a number") << u"RAIZE_ROLLBACK_TEST_KILL_AFTER"_s << u"third"_s;
        QTest::newRow("call without a point") << u"RAIZE_ROLLBACK_TEST_KILL_AT_CALL"_s << u"1"_s;
        QTest::newRow("call with an unknown point") << u"RAIZE_ROLLBACK_TEST_KILL_AT_CALL"_s << u"received:1"_s;
        QTest::newRow("call filter without a path") << u"RAIZE_ROLLBACK_TEST_KILL_AT_CALL"_s << u"sent:1:POST"_s;
        QTest::newRow("call filter with a bad regex") << u"RAIZE_ROLLBACK_TEST_KILL_AT_CALL"_s << u"sent:1:POST /(x"_s;
    }

    void crashTestBinaryRefusesAMalformedSeam()
    {
        QFETCH(QString, variable);
        QFETCH(QString, value);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(variable, value);
        p.setProcessEnvironment(env);
        p.start(RaizeTest::crashTestBinary(), {u"rollback"_s, u"status"_s});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(err.contains(variable), qPrintable(err));
    }

    // And with a well-formed seam that never fires, it is the console: the same subcommands, the same answers.
    void crashTestBinaryRunsTheConsolesSubcommands()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RAIZE_ROLLBACK_TEST_KILL_AFTER"_s, u"1"_s);
        p.setProcessEnvironment(env);
        p.start(RaizeTest::crashTestBinary(), {u"rollback"_s, u"status"_s});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QProcess shipped;
        shipped.start(RaizeTest::consoleBinary(), {u"rollback"_s, u"status"_s});
        QVERIFY(shipped.waitForFinished(30000));
        QCOMPARE(p.exitCode(), shipped.exitCode());
        QCOMPARE(p.readAllStandardOutput(), shipped.readAllStandardOutput());
    }
};

QTEST_GUILESS_MAIN(TestKillSeam)
#include "tst_kill_seam.moc"
