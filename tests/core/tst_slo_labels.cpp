// Issue #15, item 1: one published SLO table (the policy's `slos[].series`,
// rendered in docs/slo-labels.md) that the console's queries and the
// sandbox's platform simulator both follow, and every SLO of it can burn:
// the table's fault drives it above the 14.4× page in the simulator, and
// without the fault it stays under 1×. The simulator runs in-process on a
// fake clock; test_slo_burn does the same through the real Prometheus.

#include "services/prometheus/slometrics.h"
#include "slo/slopolicy.h"

#include "policy/policybundle.h"

#include "scenariosim.h"

#include <QDir>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::json;

namespace {

QString metricName(const QString &selector)
{
    const qsizetype brace = selector.indexOf(u'{');
    return brace < 0 ? selector : selector.left(brace);
}

// The table as docs/slo-labels.md shows it, from the built-in policy.
QString renderTable(const QList<Slo::SloSpec> &slos)
{
    QString out = u"| SLO | objective | total (all events) | good or bad events | labels | services | lanes | sandbox fault |\n"
                  u"|---|---|---|---|---|---|---|---|\n"_s;
    for (const Slo::SloSpec &s : slos) {
        const QString part = s.badMetric.isEmpty() ? u"good: `%1`"_s.arg(s.goodMetric) : u"bad: `%1`"_s.arg(s.badMetric);
        out += u"| `%1` %2 | %3 | `%4` | %5 | %6 | %7 | %8 | `%9` |\n"_s.arg(s.id, s.title)
                   .arg(s.objective)
                   .arg(s.totalMetric, part, s.labels.join(u", "_s), s.services.join(u", "_s), s.lanes.join(u", "_s), s.fault);
    }
    return out;
}

// A scenario with one platform fault on the house cohort (or none).
json scenarioWith(const json &fault)
{
    json scenario = RaizeTest::readScenario(u"good-release"_s);
    scenario["platform"]["faults"] = fault.is_null() ? json::array() : json::array({fault});
    return scenario;
}

struct Burn
{
    double longBurn = 0, shortBurn = 0;
};

// Burn over the last hour and the last 5 minutes after an hour of the scenario, by cohort.
Burn burnAfterAnHour(const json &scenario, const Slo::SloSpec &spec, const QString &cohort)
{
    RaizeTest::ScenarioSim sim(scenario, 1.78e9);
    const auto ratio = [&](const QList<RaizeTest::Sample> &a, const QList<RaizeTest::Sample> &b) {
        const QHash<QString, QString> where{{u"cohort"_s, cohort}};
        const double total = RaizeTest::selectSum(b, Slo::SloFeed::totalSelector(spec), where)
                             - RaizeTest::selectSum(a, Slo::SloFeed::totalSelector(spec), where);
        const double part = RaizeTest::selectSum(b, Slo::SloFeed::goodOrBadSelector(spec), where)
                            - RaizeTest::selectSum(a, Slo::SloFeed::goodOrBadSelector(spec), where);
        const double bad = spec.badMetric.isEmpty() ? total - part : part;
        return total > 0 ? bad / total / spec.errorBudget() : qQNaN();
    };
    const auto start = sim.scrape();
    sim.advance(55 * 60);
    const auto fiveBefore = sim.scrape();
    sim.advance(5 * 60);
    const auto end = sim.scrape();
    return {ratio(start, end), ratio(fiveBefore, end)};
}

} // namespace

class TestSloLabels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableIsComplete()
    {
        const QList<Slo::SloSpec> slos = Slo::defaultSlos();
        QCOMPARE(slos.size(), 6);
        QStringList faults;
        for (const Slo::SloSpec &s : slos) {
            QVERIFY2(s.labels.contains(u"cohort"_s) && s.labels.contains(u"lane"_s) && s.labels.contains(u"service"_s), qPrintable(s.id));
            QVERIFY2(!s.services.isEmpty() && !s.lanes.isEmpty(), qPrintable(s.id));
            QVERIFY2(Sandbox::PlatformFault::kindFromName(s.fault).has_value(), qPrintable(s.id + u": "_s + s.fault));
            const auto kind = *Sandbox::PlatformFault::kindFromName(s.fault);
            QCOMPARE(Sandbox::PlatformFault::servicesOf(kind), s.services);
            faults << s.fault;
        }
        faults.removeDuplicates();
        QCOMPARE(faults.size(), slos.size()); // one fault kind per SLO
    }

    // A tenant bundle's table is checked field by field, with the field named.
    void policyTableIsChecked_data()
    {
        QTest::addColumn<QByteArray>("series");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("built-in shape") << QByteArray(R"({"labels":["cohort","lane","service"],"services":["runner"],"lanes":["api"],"fault":"slowQueue"})")
                                        << QString();
        QTest::newRow("with deployment") << QByteArray(R"({"labels":["cohort","deployment"]})") << QString();
        QTest::newRow("not an object") << QByteArray(R"(["cohort"])") << u"slos[0].series: must be an object"_s;
        QTest::newRow("unknown label") << QByteArray(R"({"labels":["cohort","region"]})")
                                       << u"slos[0].series.labels: \"region\" is not a label the console groups by"_s;
        QTest::newRow("no cohort") << QByteArray(R"({"labels":["lane","service"]})") << u"slos[0].series.labels: must include \"cohort\""_s;
        QTest::newRow("services without the label") << QByteArray(R"({"labels":["cohort"],"services":["web"]})")
                                                    << u"slos[0].series.services: needs \"service\" among the labels"_s;
        QTest::newRow("services not a list") << QByteArray(R"({"labels":["cohort","service"],"services":"web"})")
                                             << u"slos[0].series.services: must be an array of names"_s;
        QTest::newRow("empty lane name") << QByteArray(R"({"labels":["cohort","lane"],"lanes":[""]})")
                                         << u"slos[0].series.lanes: must be an array of names"_s;
    }
    void policyTableIsChecked()
    {
        QFETCH(QByteArray, series);
        QFETCH(QString, error);
        Policy::Bundle bundle = Policy::builtinBundle();
        bundle.source = u"tenant.json"_s;
        bundle.doc["slos"][0]["series"] = json::parse(series.toStdString());
        const Result<QList<Slo::SloSpec>> slos = Slo::slosFromPolicy(bundle);
        if (error.isEmpty()) {
            QVERIFY2(slos.ok(), qPrintable(slos.ok() ? QString() : slos.error().toString()));
            return;
        }
        QVERIFY(!slos.ok());
        QVERIFY2(slos.error().toString().contains(error), qPrintable(slos.error().toString()));
    }

    void docMatchesTable()
    {
        QFile doc(QStringLiteral(RAIZE_SOURCE_DIR) + u"/docs/slo-labels.md"_s);
        QVERIFY2(doc.open(QIODevice::ReadOnly), qPrintable(doc.fileName()));
        const QString text = QString::fromUtf8(doc.readAll());
        const QString begin = u"<!-- slo-table:begin (generated from resources/policy/playbook-v1.json; test_slo_labels checks it) -->\n"_s;
        const QString end = u"<!-- slo-table:end -->"_s;
        const qsizetype from = text.indexOf(begin), to = text.indexOf(end);
        QVERIFY2(from >= 0 && to > from, "docs/slo-labels.md has no generated table between its markers");
        const QString expected = renderTable(Slo::defaultSlos());
        const QString actual = text.mid(from + begin.size(), to - from - begin.size());
        QVERIFY2(actual == expected, qPrintable(u"docs/slo-labels.md is out of date; the table should read:\n"_s + expected));
    }

    void consoleQueriesFollowTheTable_data()
    {
        QTest::addColumn<QString>("slo");
        QTest::addColumn<QString>("total");
        QTest::addColumn<QString>("part");
        QTest::newRow("publish_success") << u"publish_success"_s << u"raize_publish_attempts_total{service=\"runner\"}"_s
                                         << u"raize_publish_success_total{service=\"runner\"}"_s;
        QTest::newRow("verification_ttv") << u"verification_ttv"_s << u"raize_verification_seconds_count{service=\"runner\"}"_s
                                          << u"raize_verification_seconds_bucket{le=\"60\",service=\"runner\"}"_s;
        QTest::newRow("http_errors") << u"http_errors"_s << u"raize_http_requests_total{service=\"web\"}"_s
                                     << u"raize_http_requests_total{code=~\"5..\",service=\"web\"}"_s;
    }
    void consoleQueriesFollowTheTable()
    {
        QFETCH(QString, slo);
        QFETCH(QString, total);
        QFETCH(QString, part);
        for (const Slo::SloSpec &s : Slo::defaultSlos()) {
            if (s.id != slo)
                continue;
            QCOMPARE(Slo::SloFeed::totalSelector(s), total);
            QCOMPARE(Slo::SloFeed::goodOrBadSelector(s), part);
            return;
        }
        QFAIL("no such SLO");
    }

    // Every series of every SLO metric carries exactly the table's labels, for exactly its services, lanes and every cohort.
    void simulatorFollowsTheTable_data()
    {
        QTest::addColumn<QString>("slo");
        for (const Slo::SloSpec &s : Slo::defaultSlos())
            QTest::newRow(qPrintable(s.id)) << s.id;
    }
    void simulatorFollowsTheTable()
    {
        QFETCH(QString, slo);
        Slo::SloSpec spec;
        for (const Slo::SloSpec &s : Slo::defaultSlos()) {
            if (s.id == slo)
                spec = s;
        }
        RaizeTest::ScenarioSim sim(RaizeTest::readScenario(u"good-release"_s), 1.78e9);
        sim.advance(10);
        const QList<RaizeTest::Sample> samples = sim.scrape();
        for (const QString &metric : {metricName(spec.totalMetric), metricName(Slo::SloFeed::goodOrBadSelector(spec))}) {
            QSet<QString> services, lanes, cohorts;
            int n = 0;
            for (const RaizeTest::Sample &s : samples) {
                if (s.name != metric)
                    continue;
                ++n;
                QStringList keys = s.labels.keys();
                keys.removeAll(u"le"_s);   // a histogram's bucket bound
                keys.removeAll(u"code"_s); // the HTTP status, which tells bad from good
                keys.sort();
                QStringList want = spec.labels;
                want.sort();
                QVERIFY2(keys == want, qPrintable(metric + u": "_s + keys.join(u',') + u" instead of "_s + want.join(u',')));
                services << s.labels.value(u"service"_s);
                lanes << s.labels.value(u"lane"_s);
                cohorts << s.labels.value(u"cohort"_s);
            }
            QVERIFY2(n > 0, qPrintable(metric + u" is not exported"_s));
            QCOMPARE(services, QSet<QString>(spec.services.cbegin(), spec.services.cend()));
            QCOMPARE(lanes, QSet<QString>(spec.lanes.cbegin(), spec.lanes.cend()));
            QCOMPARE(cohorts, (QSet<QString>{u"house"_s, u"lowrisk"_s, u"broad"_s}));
        }
    }

    // Enforcement friction (docs/slo-labels.md, "Enforcement friction"; ADR 0032): both counters carry the SLO
    // series' labels plus the platform account, for every cohort, lane and account; a healthy hour stays far
    // under the policy's 0.2 % of publish attempts, and a rateLimited fault on the house cohort lands on its
    // first account at the fault's ratio (the negative control: lowrisk next to it stays healthy).
    void frictionCountersFollowTheTable()
    {
        json scenario = scenarioWith({{"kind", "rateLimited"}, {"cohort", "house"}, {"ratio", 0.05}});
        RaizeTest::ScenarioSim sim(scenario, 1.78e9);
        const auto start = sim.scrape();
        sim.advance(60 * 60);
        const auto end = sim.scrape();
        QHash<QString, QSet<QString>> accounts; // cohort → accounts seen
        for (const QString &metric : {u"raize_platform_rate_limits_total"_s, u"raize_platform_checkpoints_total"_s}) {
            int n = 0;
            for (const RaizeTest::Sample &x : end) {
                if (x.name != metric)
                    continue;
                ++n;
                QStringList keys = x.labels.keys();
                keys.sort();
                QCOMPARE(keys, QStringList({u"account"_s, u"cohort"_s, u"lane"_s, u"service"_s}));
                QCOMPARE(x.labels.value(u"service"_s), u"runner"_s);
                accounts[x.labels.value(u"cohort"_s)] << x.labels.value(u"account"_s);
            }
            QVERIFY2(n == 2 * (2 + 2 + 3), qPrintable(metric + u": %1 series"_s.arg(n))); // lanes × every account of every cohort
        }
        QCOMPARE(accounts.value(u"house"_s), (QSet<QString>{u"acct-house-ig"_s, u"acct-house-x"_s}));
        QCOMPARE(accounts.value(u"broad"_s).size(), 3);
        const auto increase = [&](const QString &metric, const QString &cohort, const QString &account = {}) {
            QHash<QString, QString> where{{u"cohort"_s, cohort}};
            if (!account.isEmpty())
                where.insert(u"account"_s, account);
            return RaizeTest::selectSum(end, metric, where) - RaizeTest::selectSum(start, metric, where);
        };
        const auto attempts = [&](const QString &cohort) { return increase(u"raize_publish_attempts_total"_s, cohort); };
        const double houseLimits = increase(u"raize_platform_rate_limits_total"_s, u"house"_s);
        const double firstAccount = increase(u"raize_platform_rate_limits_total"_s, u"house"_s, u"acct-house-ig"_s);
        qInfo("house: %.1f rate limits in %.0f attempts (%.2f %%), %.1f on acct-house-ig; lowrisk %.2f in %.0f", houseLimits,
              attempts(u"house"_s), 100 * houseLimits / attempts(u"house"_s), firstAccount,
              increase(u"raize_platform_rate_limits_total"_s, u"lowrisk"_s), attempts(u"lowrisk"_s));
        QVERIFY(qAbs(houseLimits / attempts(u"house"_s) - 0.0502) < 0.002);
        QVERIFY(firstAccount > 0.95 * houseLimits);
        QVERIFY(increase(u"raize_platform_rate_limits_total"_s, u"lowrisk"_s) / attempts(u"lowrisk"_s) < 0.0005);
        QVERIFY(increase(u"raize_platform_checkpoints_total"_s, u"house"_s) / attempts(u"house"_s) < 0.0001);
    }

    // Each SLO's fault on the house cohort burns it above the 14.4× page over 1 h and 5 min;
    // the same scenario without the fault (the negative control) stays under 1×, and so does
    // the low-risk cohort next to the fault.
    void everySloBurns_data()
    {
        QTest::addColumn<QString>("slo");
        QTest::addColumn<bool>("withFault");
        for (const Slo::SloSpec &s : Slo::defaultSlos()) {
            QTest::newRow(qPrintable(s.id + u"/fault"_s)) << s.id << true;
            QTest::newRow(qPrintable(s.id + u"/control"_s)) << s.id << false;
        }
    }
    void everySloBurns()
    {
        QFETCH(QString, slo);
        QFETCH(bool, withFault);
        Slo::SloSpec spec;
        for (const Slo::SloSpec &s : Slo::defaultSlos()) {
            if (s.id == slo)
                spec = s;
        }
        // Twenty times the error budget goes bad: a burn of about 20×.
        const json fault = {{"kind", spec.fault.toStdString()}, {"cohort", "house"}, {"ratio", std::min(1.0, 20 * spec.errorBudget())}};
        const json scenario = scenarioWith(withFault ? fault : json());
        const Burn house = burnAfterAnHour(scenario, spec, u"house"_s);
        const Burn lowrisk = burnAfterAnHour(scenario, spec, u"lowrisk"_s);
        qInfo("%s %s: house %.2fx over 1h, %.2fx over 5m; lowrisk %.2fx over 1h", qPrintable(slo), withFault ? "with its fault" : "without it",
              house.longBurn, house.shortBurn, lowrisk.longBurn);
        if (withFault) {
            QVERIFY2(house.longBurn > 14.4 && house.shortBurn > 14.4, qPrintable(u"%1 / %2"_s.arg(house.longBurn).arg(house.shortBurn)));
        } else {
            QVERIFY2(house.longBurn < 1 && house.shortBurn < 1, qPrintable(u"%1 / %2"_s.arg(house.longBurn).arg(house.shortBurn)));
        }
        QVERIFY2(lowrisk.longBurn < 1, qPrintable(QString::number(lowrisk.longBurn)));
    }

    void faultsAreChecked_data()
    {
        QTest::addColumn<QByteArray>("faults");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("ok") << QByteArray(R"([{"kind":"slowQueue","ratio":0.3,"cohort":"house","lane":"api","minutesAgo":10}])") << QString();
        QTest::newRow("every story kind")
            << QByteArray(R"([{"kind":"duplicate","ratio":0.02},{"kind":"ignoresKillSwitch"},{"kind":"queueStuck","deployment":"dpl_cand"},)"
                          R"({"kind":"wrongAccount","ratio":0.03,"whenFlags":["publishing.scheduler-v2"]}])")
            << QString();
        QTest::newRow("unknown kind") << QByteArray(R"([{"kind":"latency","ratio":0.1}])")
                                      << u"faults[0].kind: unknown fault kind \"latency\" (known: publishFailure,"_s;
        QTest::newRow("no kind") << QByteArray(R"([{"ratio":0.1}])") << u"faults[0].kind: unknown fault kind \"\""_s;
        QTest::newRow("typo in a key") << QByteArray(R"([{"kind":"httpErrors","ration":0.1}])") << u"faults[0].ration: unknown key"_s;
        QTest::newRow("ratio over 1") << QByteArray(R"([{"kind":"httpErrors","ratio":1.5}])") << u"faults[0].ratio: must be a number from 0 to 1"_s;
        QTest::newRow("ratio missing") << QByteArray(R"([{"kind":"duplicate"}])") << u"faults[0].ratio: missing"_s;
        QTest::newRow("ratio on a kill switch") << QByteArray(R"([{"kind":"ignoresKillSwitch","ratio":0.5}])")
                                                << u"faults[0].ratio: a ignoresKillSwitch fault has no ratio"_s;
        QTest::newRow("unknown cohort") << QByteArray(R"([{"kind":"httpErrors","ratio":0.1,"cohort":"vip"}])")
                                        << u"faults[0].cohort: no cohort \"vip\""_s;
        QTest::newRow("unknown lane") << QByteArray(R"([{"kind":"httpErrors","ratio":0.1,"lane":"mobile"}])") << u"faults[0].lane: no lane"_s;
        QTest::newRow("service that does not export it")
            << QByteArray(R"([{"kind":"publishFailure","ratio":0.1,"service":"web"}])")
            << u"faults[0].service: publishFailure is not exported by service \"web\""_s;
        QTest::newRow("drift in the api lane") << QByteArray(R"([{"kind":"browserDrift","ratio":0.5,"lane":"api"}])")
                                               << u"faults[0].lane: browser drift happens in the browser lane only"_s;
        QTest::newRow("extra heartbeats") << QByteArray(R"([{"kind":"missedHeartbeat","ratio":0.5,"extraRate":3}])")
                                          << u"faults[0].extraRate: only the SLO kinds"_s;
        QTest::newRow("history of a story kind") << QByteArray(R"([{"kind":"duplicate","ratio":0.1,"minutesAgo":30}])")
                                                 << u"faults[0].minutesAgo: only SLO kinds"_s;
        QTest::newRow("second one bad") << QByteArray(R"([{"kind":"httpErrors","ratio":0.1},{"kind":"dns"}])")
                                        << u"faults[1].kind: unknown fault kind \"dns\""_s;
        QTest::newRow("not a list") << QByteArray(R"({"kind":"httpErrors"})") << u"faults: must be an array"_s;
    }
    void faultsAreChecked()
    {
        QFETCH(QByteArray, faults);
        QFETCH(QString, error);
        const json platform = {{"faults", json::parse(faults.toStdString())}};
        QString err;
        const auto list = Sandbox::PlatformFault::listFromScenario(platform, &err);
        if (error.isEmpty()) {
            QVERIFY2(list.has_value(), qPrintable(err));
            QCOMPARE(list->size(), qsizetype(platform["faults"].size()));
        } else {
            QVERIFY(!list.has_value());
            QVERIFY2(err.startsWith(error), qPrintable(err));
        }
    }

    // The sandbox refuses to start on a scenario with a fault it does not know, naming the file and the reason.
    void sandboxRefusesUnknownFaults_data()
    {
        QTest::addColumn<QByteArray>("fault");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown kind") << QByteArray(R"({"kind":"cosmicRays","ratio":0.1})") << 2
                                      << u"platform.faults[0].kind: unknown fault kind \"cosmicRays\""_s;
        // The control: the same file with a known kind gets past the check (and writes its history).
        QTest::newRow("known kind") << QByteArray(R"({"kind":"httpErrors","ratio":0.1,"minutesAgo":5})") << 0 << QString();
    }
    void sandboxRefusesUnknownFaults()
    {
        QFETCH(QByteArray, fault);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        json scenario = RaizeTest::readScenario(u"good-release"_s);
        scenario["platform"]["faults"] = json::array({json::parse(fault.toStdString())});
        const QString file = dir.filePath(u"broken-scenario.json"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(scenario.dump()));
        f.close();
        QDir().mkpath(dir.filePath(u"history"_s));
        QProcess p;
        p.start(QStringLiteral(RAIZE_BINARY_DIR) + u"/tests/fakes/raize-sandbox-service"_s,
                {u"--scenario"_s, file, u"--write-backfill"_s, dir.filePath(u"history"_s), u"--days"_s, u"1"_s});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), exitCode);
        if (!message.isEmpty()) {
            QVERIFY2(err.contains(file), qPrintable(err));
            QVERIFY2(err.contains(message), qPrintable(err));
        } else {
            QVERIFY2(err.isEmpty(), qPrintable(err));
        }
    }

    void everyScenarioFileIsValid_data()
    {
        QTest::addColumn<QString>("name");
        const QDir dir(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios"_s);
        for (const QString &f : dir.entryList({u"*.json"_s}, QDir::Files))
            QTest::newRow(qPrintable(f)) << f.chopped(5);
    }
    void everyScenarioFileIsValid()
    {
        QFETCH(QString, name);
        QString error;
        const json scenario = RaizeTest::readScenario(name, &error);
        QVERIFY2(error.isEmpty() && scenario.is_object(), qPrintable(error));
        QVERIFY2(scenario.contains("description"), "a scenario says what story it tells");
        const auto faults = Sandbox::PlatformFault::listFromScenario(scenario.value("platform", json::object()), &error);
        QVERIFY2(faults.has_value(), qPrintable(name + u": platform."_s + error));
    }
};

QTEST_GUILESS_MAIN(TestSloLabels)
#include "tst_slo_labels.moc"
