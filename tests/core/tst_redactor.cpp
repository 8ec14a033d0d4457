#include "core/logging.h"
#include "core/redactor.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using Raize::Redactor;

class TestRedactor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { Redactor::forgetAll(); }

    void patterns_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("secret");
        QTest::newRow("authorization bearer") << u"Authorization: Bearer abcDEF123456789"_s << u"abcDEF123456789"_s;
        QTest::newRow("authorization raw (unleash)") << u"authorization: *:*.a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"_s << u"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"_s;
        QTest::newRow("bearer in prose") << u"sent bearer Zz9_Yy8-Xx7.Ww6 to vercel"_s << u"Zz9_Yy8-Xx7.Ww6"_s;
        QTest::newRow("github classic") << u"token ghp_0123456789abcdefghijABCDEFGHIJ0123 leaked"_s << u"ghp_0123456789abcdefghijABCDEFGHIJ0123"_s;
        QTest::newRow("github fine-grained") << u"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"_s << u"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"_s;
        QTest::newRow("query token") << u"GET /x?token=s3cr3tvalue&page=2"_s << u"s3cr3tvalue"_s;
        QTest::newRow("json api_key") << u"{\"api_key\": \"k-123456789\"}"_s << u"k-123456789"_s;
        QTest::newRow("unleash token shape") << u"default:production.0123456789abcdef0123456789abcdef01"_s << u"0123456789abcdef0123456789abcdef01"_s;
        QTest::newRow("launchdarkly api key") << u"key api-12345678-abcd-ef01-2345-6789abcdef01 used"_s << u"api-12345678-abcd-ef01-2345-6789abcdef01"_s;
    }

    void patterns()
    {
        QFETCH(QString, input);
        QFETCH(QString, secret);
        const QString out = Redactor::redact(input);
        QVERIFY2(!out.contains(secret), qPrintable(out));
        QVERIFY2(out.contains(Redactor::mask), qPrintable(out));
    }

    void registeredSecretAnywhere()
    {
        Redactor::registerSecret(u"plain-looking-secret-42"_s);
        const QString out = Redactor::redact(u"error: plain-looking-secret-42 was refused (plain-looking-secret-42)"_s);
        QCOMPARE(out, u"error: [REDACTED] was refused ([REDACTED])"_s);
    }

    void longestSecretFirst()
    {
        Redactor::registerSecret(u"abcdef"_s);
        Redactor::registerSecret(u"abcdefghijkl"_s);
        QCOMPARE(Redactor::redact(u"x abcdefghijkl y"_s), u"x [REDACTED] y"_s);
    }

    void shortSecretsIgnored()
    {
        Redactor::registerSecret(u"abc"_s);
        QCOMPARE(Redactor::redact(u"abc is a word"_s), u"abc is a word"_s);
    }

    void ordinaryTextUntouched_data()
    {
        QTest::addColumn<QString>("input");
        QTest::newRow("url") << u"GET https://api.vercel.com/v6/deployments?projectId=prj_1&limit=20"_s;
        QTest::newRow("error") << u"github: HTTP 404 — Not Found (request 1A2B:3C4D)"_s;
        QTest::newRow("words") << u"the token was rejected: check its scopes"_s;
    }

    void ordinaryTextUntouched()
    {
        QFETCH(QString, input);
        QCOMPARE(Redactor::redact(input), input);
    }

    void headers()
    {
        QCOMPARE(Redactor::redactHeader("Authorization", "Bearer x"), QByteArray("[REDACTED]"));
        QCOMPARE(Redactor::redactHeader("cookie", "a=b"), QByteArray("[REDACTED]"));
        QCOMPARE(Redactor::redactHeader("LD-API-Key", "api-x"), QByteArray("[REDACTED]"));
        QCOMPARE(Redactor::redactHeader("Accept", "application/json"), QByteArray("application/json"));
    }

    // The message handler is the one place logs leave the process.
    void logHandlerRedacts()
    {
        const QString logFile = QDir::tempPath() + u"/raize-redactor-test-%1.log"_s.arg(QCoreApplication::applicationPid());
        QFile::remove(logFile);
        Raize::Logging::install(logFile);
        Redactor::registerSecret(u"very-secret-token-99"_s);
        qCWarning(lcNet, "request failed with very-secret-token-99 and Authorization: Bearer zzzzzzzzzz");
        QFile f(logFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QVERIFY(content.contains("request failed"));
        QVERIFY(!content.contains("very-secret-token-99"));
        QVERIFY(!content.contains("zzzzzzzzzz"));
        QCOMPARE(Raize::Logging::logFilePath(), logFile);
        qInstallMessageHandler(nullptr);
        QFile::remove(logFile);
    }
};

QTEST_GUILESS_MAIN(TestRedactor)
#include "tst_redactor.moc"
