#include "policy/policybundle.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

class TestPolicyBundle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinLoads()
    {
        const Policy::Bundle &b = Policy::builtinBundle();
        QCOMPARE(b.id, u"playbook-v1"_s);
        QCOMPARE(b.version, 1);
        QVERIFY(b.tenant.isEmpty());
        QVERIFY(b.section("cohorts").is_array());
        QVERIFY(b.section("slos").is_array());
        QVERIFY(b.section("no-such-section").is_null());
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("field");
        QTest::newRow("syntax: missing comma, line 3")
            << QByteArray("{\n  \"schema\": \"raize.policy\",\n  \"version\": 1\n  \"id\": \"x\"\n}\n")
            << u"t.json:4:"_s << QString();
        QTest::newRow("truncated file") << QByteArray("{\n  \"schema\": \"raize.policy\",\n  \"cohorts\": [\n")
                                        << u"t.json:4:1:"_s << QString();
        QTest::newRow("not an object") << QByteArray("[1,2]") << u"a policy bundle is a JSON object"_s << QString();
        QTest::newRow("wrong schema") << QByteArray(R"({"schema":"other","version":1,"id":"x"})")
                                      << u"\"schema\" must be"_s << u"schema"_s;
        QTest::newRow("version from the future") << QByteArray(R"({"schema":"raize.policy","version":7,"id":"x"})")
                                                 << u"bundle version 7 is not supported"_s << u"version"_s;
        QTest::newRow("version not a number") << QByteArray(R"({"schema":"raize.policy","version":"1","id":"x"})")
                                              << u"\"version\" must be an integer"_s << u"version"_s;
        QTest::newRow("empty id") << QByteArray(R"({"schema":"raize.policy","version":1,"id":""})")
                                  << u"\"id\" must be a non-empty string"_s << u"id"_s;
        QTest::newRow("tenant not a string") << QByteArray(R"({"schema":"raize.policy","version":1,"id":"x","tenant":3})")
                                             << u"\"tenant\" must be a string or null"_s << u"tenant"_s;
    }

    void errors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QFETCH(QString, field);
        const Result<Policy::Bundle> r = Policy::parseBundle(text, u"/some/dir/t.json"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, Error::Kind::Config);
        QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().message));
        QCOMPARE(r.error().fieldPath, field);
        QVERIFY(!r.error().remedy.isEmpty());
    }

    void lineColumnCountsCharacters()
    {
        const QByteArray text = "ab\n\xc3\xa9x\n"; // "é" is two bytes, one column
        QCOMPARE(Policy::lineColumn(text, 0), std::make_pair(1, 1));
        QCOMPARE(Policy::lineColumn(text, 3), std::make_pair(2, 1));
        QCOMPARE(Policy::lineColumn(text, 5), std::make_pair(2, 2));
    }

    void tenantFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tenant-bloom.json"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"schema":"raize.policy","version":1,"id":"bloom-v1","tenant":"client-bloom","cohorts":[]})");
        f.close();
        const Result<Policy::Bundle> r = Policy::loadBundleFile(path);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->tenant, u"client-bloom"_s);
        QCOMPARE(r->title, u"bloom-v1"_s);
        QVERIFY(r->section("cohorts").is_array());

        const Result<Policy::Bundle> missing = Policy::loadBundleFile(dir.filePath(u"nope.json"_s));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, Error::Kind::Io);
    }
};

QTEST_GUILESS_MAIN(TestPolicyBundle)
#include "tst_policy_bundle.moc"
