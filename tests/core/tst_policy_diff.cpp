// Policy bundles per tenant (issue #7, part 5): how two bundles differ, and
// `raize-console policy check|diff` (a malformed bundle: the line or the
// field at fault, and nothing applied).

#include "testutil.h"

#include "policy/policydiff.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

using Edit = std::function<void(json &)>;
Q_DECLARE_METATYPE(Edit)

class TestPolicyDiff : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return path;
    }

    QString tenant(const Edit &edit, const QString &name)
    {
        json doc = Policy::builtinBundle().doc;
        doc["id"] = "tenant-bloom";
        doc["tenant"] = "client-bloom";
        edit(doc);
        return write(name, QByteArray::fromStdString(doc.dump(2)));
    }

    std::pair<int, QString> cli(const QStringList &args)
    {
        QProcess p;
        p.start(RaizeTest::consoleBinary(), args);
        p.waitForFinished(30000);
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError())};
    }

private Q_SLOTS:
    void diff_data()
    {
        QTest::addColumn<Edit>("edit");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("identical") << Edit([](json &) {}) << QStringList{};
        QTest::newRow("a number") << Edit([](json &d) { d["gates"]["minReviews"]["L3"] = 3; })
                                  << QStringList{u"changed gates.minReviews.L3: 2 → 3"_s};
        QTest::newRow("an override allowed") << Edit([](json &d) { d["overrides"]["gates"]["changelog"] = "forbidden"; })
                                             << QStringList{u"changed overrides.gates.changelog: \"allowed\" → \"forbidden\""_s};
        QTest::newRow("a cohort matched by id") << Edit([](json &d) { d["cohorts"][0]["clientIds"].push_back("client-bloom"); })
                                                << QStringList{u"added cohorts[id=house].clientIds[1]: \"client-bloom\""_s};
        QTest::newRow("a cohort removed") << Edit([](json &d) { d["cohorts"].erase(1); })
                                          << QStringList{u"removed cohorts[id=lowrisk] (was "_s};
        QTest::newRow("a path rule by position") << Edit([](json &d) { d["pathRules"][3]["level"] = "L2"; })
                                                 << QStringList{u"changed pathRules[3].level: \"L1\" → \"L2\""_s};
        QTest::newRow("a section added") << Edit([](json &d) { d["notes"] = {{"owner", "bloom-ops"}}; })
                                         << QStringList{u"added notes: {\"owner\":\"bloom-ops\"}"_s};
        QTest::newRow("a key removed") << Edit([](json &d) { d["promotion"].erase("stuckMinutes"); })
                                       << QStringList{u"removed promotion.stuckMinutes (was "_s};
    }

    void diff()
    {
        QFETCH(Edit, edit);
        QFETCH(QStringList, expected);
        Policy::Bundle to = Policy::builtinBundle();
        edit(to.doc);
        const auto changes = Policy::diffBundles(Policy::builtinBundle(), to);
        QCOMPARE(changes.size(), expected.size());
        for (qsizetype i = 0; i < changes.size(); ++i)
            QVERIFY2(changes[i].describe().startsWith(expected[i]), qPrintable(changes[i].describe()));
    }

    void cliCheckAndDiff()
    {
        QVERIFY(m_dir.isValid());
        const QString good = tenant([](json &d) { d["gates"]["minReviews"]["L3"] = 3; }, u"bloom.json"_s);
        auto [code, out] = cli({u"policy"_s, u"check"_s, good});
        QVERIFY2(code == 0, qPrintable(out));
        QVERIFY(out.contains(u"tenant client-bloom"_s));

        std::tie(code, out) = cli({u"policy"_s, u"diff"_s, u"builtin"_s, good});
        QCOMPARE(code, 1);
        QVERIFY2(out.contains(u"changed gates.minReviews.L3: 2 → 3"_s) && out.contains(u"changed tenant: null → \"client-bloom\""_s), qPrintable(out));
        std::tie(code, out) = cli({u"policy"_s, u"diff"_s, good, good, u"--json"_s});
        QCOMPARE(code, 0);
        QVERIFY(json::parse(out.toStdString())["changes"].empty());

        // A syntax error: the line and column. A bad section: the field. Neither applies.
        const QString broken = write(u"broken.json"_s, "{\n  \"schema\": \"raize.policy\",\n  \"version\": 1,\n  \"id\": \"x\",\n  \"gates\": {,}\n}\n");
        std::tie(code, out) = cli({u"policy"_s, u"check"_s, broken});
        QCOMPARE(code, 2);
        QVERIFY2(out.contains(u"broken.json:5:"_s), qPrintable(out));
        const QString badField = tenant([](json &d) { d["gates"]["minReviews"]["L3"] = 0; }, u"bad-field.json"_s);
        std::tie(code, out) = cli({u"policy"_s, u"check"_s, badField});
        QCOMPARE(code, 2);
        // The line of the field in the tenant's file (ADR 0017).
        QVERIFY2(out.contains(QRegularExpression(u"bad-field.json:[0-9]+: gates.minReviews.L3: must not be lower than \"default\""_s)), qPrintable(out));
        std::tie(code, out) = cli({u"policy"_s, u"diff"_s, u"builtin"_s, badField});
        QCOMPARE(code, 2);
        QCOMPARE(cli({u"policy"_s, u"frobnicate"_s}).first, 2);
    }
};

QTEST_GUILESS_MAIN(TestPolicyDiff)
#include "tst_policy_diff.moc"
