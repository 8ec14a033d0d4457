// `raize-console token ...` against a real gnome-keyring (with-keyring.sh).

#include "testutil.h"

#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCliToken : public QObject
{
    Q_OBJECT

    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };

    static Run run(const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        p.start(RaizeTest::consoleBinary(), args);
        if (!p.waitForStarted(10000))
            return {};
        p.write(stdinData);
        p.closeWriteChannel();
        p.waitForFinished(30000);
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

private Q_SLOTS:
    void setCheckDelete()
    {
        const QByteArray token = "ghp_clitest" + QByteArray::number(QCoreApplication::applicationPid()) + "abcdefghijklmnop";
        const QStringList common = {u"--keychain-service"_s, u"raize-console-clitest"_s, u"--profile"_s, u"cli"_s};

        Run r = run(QStringList{u"token"_s, u"set"_s, u"github"_s, u"--stdin"_s} + common, token + "\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("stored the GitHub token for profile cli"));

        r = run(QStringList{u"token"_s, u"check"_s, u"github"_s} + common);
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("a GitHub token is stored"));
        QVERIFY2(!r.out.contains(token) && !r.err.contains(token), "the token must never be printed");

        r = run(QStringList{u"token"_s, u"delete"_s, u"github"_s} + common);
        QCOMPARE(r.code, 0);
        r = run(QStringList{u"token"_s, u"check"_s, u"github"_s} + common);
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no GitHub token is stored"));
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no stdin") << QStringList{u"token"_s, u"set"_s, u"vercel"_s} << QByteArray() << QByteArray("no token on standard input");
        QTest::newRow("unknown service") << QStringList{u"token"_s, u"set"_s, u"gitlab"_s} << QByteArray("x\n") << QByteArray("unknown service");
        QTest::newRow("unknown action") << QStringList{u"token"_s, u"show"_s, u"vercel"_s} << QByteArray() << QByteArray("unknown action");
        QTest::newRow("missing args") << QStringList{u"token"_s} << QByteArray() << QByteArray("usage:");
        QTest::newRow("bad profile") << QStringList{u"token"_s, u"check"_s, u"vercel"_s, u"--profile"_s, u"../x"_s} << QByteArray() << QByteArray("invalid profile name");
    }

    void badUsage()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, message);
        const Run r = run(args, input);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliToken)
#include "tst_cli_token.moc"
