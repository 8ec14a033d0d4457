// DORA's five metrics (issue #19, part 3) on a fixture of records
// (tests/data/dora/records.json) whose every expected value is worked out by
// hand below: a direct push, a rollback to a deployment that served before,
// overlapping incidents, and deployments exactly on the window's edges.
//
// The fixture, in short (all times 2026-11, UTC):
//   dpl_z 01 00:00 direct push, commit 31.10 23:00          lead 1 h
//   dpl_a 01 12:00 PR 1 (first commit 31.10 10:00, merged 01 08:00) lead 26 h, merge 4 h
//         rolled back by run-1 at 01 13:30 (effective 13:40) for INC-1 (opened 01 14:00) → failed; recovery 10 min
//   dpl_b 02 12:00 PR 2 (first commit 02 00:00, merged 10:00, links INC-1)   lead 12 h, merge 2 h → rework
//   dpl_c 04 10:00 direct push, commit 09:00                 lead 1 h
//   dpl_d 05 00:00 PR 3 (first commit 03 00:00, merged 04 06:00) lead 48 h, merge 18 h;
//         rolled back by run-2 at 06 02:00 (26 h later: outside the 24 h window → not failed)
//   dpl_a again 06 02:05 (run-2 rolled back to it): not a new deployment
//   INC-2 opened 06 01:00, never closed, links nothing → unrecovered; everything after it is rework
//   INC-3 opened 06 03:00 (overlaps INC-2), links dpl_d, answered by run-3 (03:10 → 03:30): recovery 30 min.
//         run-2 rolled away from dpl_d before INC-3 opened: it does not answer INC-3.
//   dpl_e 07 00:00 direct push, commit 06 23:00, while INC-2 is open → rework; lead 1 h
//   dpl_f 08 00:00 direct push, commit 07 22:00 (exactly at the week's exclusive end)

#include "release/dora.h"

#include "testutil.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

QDateTime utc(const char *s)
{
    return QDateTime::fromString(QString::fromLatin1(s), Qt::ISODate).toUTC();
}

json fixture()
{
    QFile f(QStringLiteral(RAIZE_TEST_DATA_DIR "/dora/records.json"));
    if (!f.open(QIODevice::ReadOnly))
        return json();
    return json::parse(f.readAll().toStdString());
}

using Opt = std::optional<double>;

} // namespace

class TestDora : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void metrics_data()
    {
        QTest::addColumn<QDateTime>("from");
        QTest::addColumn<QDateTime>("to");
        QTest::addColumn<int>("deployments");
        QTest::addColumn<double>("perDay");
        QTest::addColumn<QList<qint64>>("lead");
        QTest::addColumn<QList<qint64>>("merge");
        QTest::addColumn<QStringList>("failed");
        QTest::addColumn<double>("changeFailRate"); // -1: none
        QTest::addColumn<QList<qint64>>("recovery");
        QTest::addColumn<QStringList>("unrecovered");
        QTest::addColumn<QStringList>("rework");
        QTest::addColumn<double>("reworkRate"); // -1: none

        // z, a, b, c, d, e; f sits on the exclusive end.
        QTest::newRow("week")
            << utc("2026-11-01T00:00:00Z") << utc("2026-11-08T00:00:00Z") << 6 << 6.0 / 7.0
            << QList<qint64>{3600, 3600, 3600, 43200, 93600, 172800} << QList<qint64>{7200, 14400, 64800}
            << QStringList{u"dpl_a: rolled back by run-1"_s} << 1.0 / 6.0 << QList<qint64>{600, 1800}
            << QStringList{u"INC-2"_s}
            << QStringList{u"dpl_b: pull request #2 links incident INC-1"_s, u"dpl_e: made while incident INC-2 was open"_s}
            << 2.0 / 6.0;
        // dpl_z sits on the inclusive start.
        QTest::newRow("first day") << utc("2026-11-01T00:00:00Z") << utc("2026-11-02T00:00:00Z") << 2 << 2.0
                                   << QList<qint64>{3600, 93600} << QList<qint64>{14400}
                                   << QStringList{u"dpl_a: rolled back by run-1"_s} << 0.5 << QList<qint64>{600}
                                   << QStringList{} << QStringList{} << 0.0;
        // Only dpl_f, made while INC-2 is still open; INC-2 opened before this window, so it is no recovery case here.
        QTest::newRow("next day") << utc("2026-11-08T00:00:00Z") << utc("2026-11-09T00:00:00Z") << 1 << 1.0
                                  << QList<qint64>{7200} << QList<qint64>{} << QStringList{} << 0.0 << QList<qint64>{}
                                  << QStringList{} << QStringList{u"dpl_f: made while incident INC-2 was open"_s} << 1.0;
        QTest::newRow("nothing") << utc("2026-10-01T00:00:00Z") << utc("2026-10-02T00:00:00Z") << 0 << 0.0
                                 << QList<qint64>{} << QList<qint64>{} << QStringList{} << -1.0 << QList<qint64>{}
                                 << QStringList{} << QStringList{} << -1.0;
    }

    void metrics()
    {
        QFETCH(QDateTime, from);
        QFETCH(QDateTime, to);
        QFETCH(int, deployments);
        QFETCH(double, perDay);
        QFETCH(QList<qint64>, lead);
        QFETCH(QList<qint64>, merge);
        QFETCH(QStringList, failed);
        QFETCH(double, changeFailRate);
        QFETCH(QList<qint64>, recovery);
        QFETCH(QStringList, unrecovered);
        QFETCH(QStringList, rework);
        QFETCH(double, reworkRate);

        const auto records = Dora::Records::fromJson(fixture());
        QVERIFY2(records.ok(), qPrintable(records.error().toString()));
        Dora::Options o;
        o.from = from;
        o.to = to;
        const Dora::Report r = Dora::compute(records.value(), o);

        QCOMPARE(r.deployments, deployments);
        QVERIFY(qAbs(r.deploymentsPerDay - perDay) < 1e-9);
        QCOMPARE(r.leadTime.samples, lead);
        QCOMPARE(r.mergeToProduction.samples, merge);
        QCOMPARE(r.failed, failed);
        QCOMPARE(r.failedDeployments, int(failed.size()));
        if (changeFailRate < 0)
            QVERIFY(!r.changeFailRate);
        else
            QVERIFY(r.changeFailRate && qAbs(*r.changeFailRate - changeFailRate) < 1e-9);
        QCOMPARE(r.recoveryTime.samples, recovery);
        QCOMPARE(r.unrecovered, unrecovered);
        QCOMPARE(r.rework, rework);
        if (reworkRate < 0)
            QVERIFY(!r.reworkRate);
        else
            QVERIFY(r.reworkRate && qAbs(*r.reworkRate - reworkRate) < 1e-9);
    }

    // Medians and p90 of the week, worked out from the sorted samples above.
    void summaries()
    {
        const auto records = Dora::Records::fromJson(fixture());
        QVERIFY(records.ok());
        Dora::Options o;
        o.from = utc("2026-11-01T00:00:00Z");
        o.to = utc("2026-11-08T00:00:00Z");
        const Dora::Report r = Dora::compute(records.value(), o);
        QCOMPARE(r.leadTime.median(), Opt(23400.0)); // (3600 + 43200) / 2
        QCOMPARE(r.leadTime.p90(), Opt(172800.0));   // rank ceil(0.9 × 6) = 6
        QCOMPARE(r.mergeToProduction.median(), Opt(14400.0));
        QCOMPARE(r.recoveryTime.median(), Opt(1200.0)); // (600 + 1800) / 2
        QVERIFY(r.notes.contains(u"1 repeated production record(s) of a deployment counted once (a re-promotion or a rollback to it is not a new deployment)"_s));
        QVERIFY(r.notes.contains(u"3 direct push(es) without a pull request: lead time from the commit, no merge-to-production"_s));

        const json j = r.toJson();
        QCOMPARE(j["deploymentFrequency"]["deployments"].get<int>(), 6);
        QCOMPARE(j["leadTimeForChanges"]["medianSecs"].get<double>(), 23400.0);
        QCOMPARE(j["failedDeploymentRecoveryTime"]["medianSecs"].get<double>(), 1200.0);
        QCOMPARE(j["unrecoveredIncidents"][0].get<std::string>(), std::string("INC-2"));
        QVERIFY(r.toText().contains(u"Change fail rate            16.7 % (1 of 6)"_s));
    }

    // Daily buckets over the week: z+a, b, -, c, d, -, e; dpl_a failed on day 1.
    void trend()
    {
        const auto records = Dora::Records::fromJson(fixture());
        QVERIFY(records.ok());
        Dora::Options o;
        o.from = utc("2026-11-01T00:00:00Z");
        o.to = utc("2026-11-08T00:00:00Z");
        o.bucketSecs = 86400;
        const Dora::Report r = Dora::compute(records.value(), o);
        QCOMPARE(r.trend.size(), 7);
        QList<int> deployments, failed;
        for (const Dora::Bucket &b : r.trend) {
            deployments << b.deployments;
            failed << b.failed;
        }
        QCOMPARE(deployments, (QList<int>{2, 1, 0, 1, 1, 0, 1}));
        QCOMPARE(failed, (QList<int>{1, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(r.trend.at(0).leadTimeMedianSecs, Opt(48600.0)); // (3600 + 93600) / 2
        QVERIFY(!r.trend.at(2).leadTimeMedianSecs);
    }

    // A wider change-fail window catches run-2 (26 h after dpl_d).
    void changeFailWindowIsThePolicys()
    {
        const auto records = Dora::Records::fromJson(fixture());
        QVERIFY(records.ok());
        Dora::Options o;
        o.from = utc("2026-11-01T00:00:00Z");
        o.to = utc("2026-11-08T00:00:00Z");
        o.changeFailWindowSecs = 30 * 3600;
        const Dora::Report r = Dora::compute(records.value(), o);
        QCOMPARE(r.failed, (QStringList{u"dpl_a: rolled back by run-1"_s, u"dpl_d: rolled back by run-2"_s}));
    }

    void recordsRoundTrip()
    {
        const auto records = Dora::Records::fromJson(fixture());
        QVERIFY(records.ok());
        const auto again = Dora::Records::fromJson(records.value().toJson());
        QVERIFY(again.ok());
        QCOMPARE(again.value().toJson().dump(), records.value().toJson().dump());
    }

    void badRecordsAreNamed_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("not an object") << u"[]"_s << u"the file is not a JSON object"_s;
        QTest::newRow("list expected") << uR"({"deployments": {}})"_s << u"deployments must be a list"_s;
        QTest::newRow("missing time") << uR"({"deployments": [{"id": "d"}]})"_s << u"deployments[0].productionAt is missing"_s;
        QTest::newRow("no zone") << uR"({"deployments": [{"id": "d", "productionAt": "2026-11-01T00:00:00"}]})"_s
                                 << u"deployments[0].productionAt must be an ISO 8601 time with a zone"_s;
        QTest::newRow("pr not a number") << uR"({"deployments": [{"id": "d", "productionAt": "2026-11-01T00:00:00Z", "pullRequests": ["x"]}]})"_s
                                         << u"holds \"x\", not a pull request number"_s;
        QTest::newRow("pr number") << uR"({"pullRequests": [{"firstCommitAt": "2026-11-01T00:00:00Z"}]})"_s
                                   << u"pullRequests[0].number must be a number"_s;
        QTest::newRow("rollback id") << uR"({"rollbacks": [{"requestedAt": "2026-11-01T00:00:00Z"}]})"_s
                                     << u"rollbacks[0].id is missing"_s;
    }

    void badRecordsAreNamed()
    {
        QFETCH(QString, body);
        QFETCH(QString, message);
        const auto records = Dora::Records::fromJson(json::parse(body.toStdString()));
        QVERIFY(!records.ok());
        QVERIFY2(records.error().message.contains(message), qPrintable(records.error().message));
        QVERIFY(!records.error().remedy.isEmpty());
    }

    void durationsInWords_data()
    {
        QTest::addColumn<double>("secs");
        QTest::addColumn<QString>("text");
        QTest::newRow("seconds") << 45.0 << u"45 s"_s;
        QTest::newRow("minutes") << 605.0 << u"10 min 05 s"_s;
        QTest::newRow("hours") << 23400.0 << u"6 h 30 min"_s;
        QTest::newRow("days") << 172800.0 << u"2 d 0 h"_s;
        QTest::newRow("negative") << -90.0 << u"-1 min 30 s"_s;
    }

    void durationsInWords()
    {
        QFETCH(double, secs);
        QFETCH(QString, text);
        QCOMPARE(Dora::formatDuration(secs), text);
    }
};

QTEST_GUILESS_MAIN(TestDora)
#include "tst_dora.moc"
