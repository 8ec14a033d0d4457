// Issue #15, item 2: a scenario file for every story the console must tell,
// each checked here on what the sandbox's services expose — the platform's
// /metrics (the simulator in-process, on a fake clock) and the GitHub fake's
// answers over HTTP — with a negative control: the same check on the same
// scenario without its fault expects the opposite, so a check that cannot
// fail shows up as a failing control row. The console does not detect P0
// triggers or read migrations yet (issue #16); these are the signals it will
// read. test_slo_burn and test_slo_view run bad-canary and every-slo-burns
// through the real Prometheus and Unleash.

#include "release/factscollector.h"
#include "release/gatepolicy.h"
#include "release/gates.h"
#include "services/prometheus/slometrics.h"
#include "slo/slospec.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include "sandboxfixture.h"
#include "scenariosim.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::json;

namespace {

Slo::SloSpec slo(const QString &id)
{
    for (const Slo::SloSpec &s : Slo::defaultSlos()) {
        if (s.id == id)
            return s;
    }
    return {};
}

double burn(const Slo::SloSpec &spec, const QList<RaizeTest::Sample> &a, const QList<RaizeTest::Sample> &b, const QString &cohort)
{
    const QHash<QString, QString> where{{u"cohort"_s, cohort}};
    const double total = RaizeTest::selectSum(b, Slo::SloFeed::totalSelector(spec), where) - RaizeTest::selectSum(a, Slo::SloFeed::totalSelector(spec), where);
    const double part = RaizeTest::selectSum(b, Slo::SloFeed::goodOrBadSelector(spec), where)
                        - RaizeTest::selectSum(a, Slo::SloFeed::goodOrBadSelector(spec), where);
    const double bad = spec.badMetric.isEmpty() ? total - part : part;
    return total > 0 ? bad / total / spec.errorBudget() : qQNaN();
}

double sideEffects(const QList<RaizeTest::Sample> &s, const QString &cohort, const QString &outcome)
{
    return RaizeTest::selectSum(s, u"raize_side_effects_total"_s, {{u"cohort"_s, cohort}, {u"outcome"_s, outcome}});
}

// The scenario as a test row wants it: as written, without its platform faults, or with another scenario's.
json scenarioFor(const QString &name, const QString &mode)
{
    json s = RaizeTest::readScenario(name);
    if (mode == u"without its fault"_s)
        s["platform"]["faults"] = json::array();
    else if (mode.startsWith(u"with the fault of "_s))
        s["platform"]["faults"] = RaizeTest::readScenario(mode.mid(18))["platform"]["faults"];
    return s;
}

} // namespace

class TestStoryScenarios : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void platformStories_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<bool>("story"); // the story's signal shows
        const QString as = u"as written"_s, without = u"without its fault"_s;
        for (const QString &name : {u"duplicate-posts"_s, u"kill-switch-ignored"_s, u"queue-stuck"_s, u"bad-canary"_s, u"every-slo-burns"_s}) {
            QTest::newRow(qPrintable(name)) << name << as << true;
            QTest::newRow(qPrintable(name + u"/control"_s)) << name << without << false;
        }
        // A good canary tells no story: enabling it pages nobody. Its control carries the bad canary's fault.
        QTest::newRow("good-canary") << u"good-canary"_s << as << false;
        QTest::newRow("good-canary/control") << u"good-canary"_s << u"with the fault of bad-canary"_s << true;
    }
    void platformStories()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, mode);
        QFETCH(bool, story);
        RaizeTest::ScenarioSim sim(scenarioFor(scenario, mode), 1.78e9);
        bool shows = false;
        QString evidence;
        if (scenario == u"duplicate-posts"_s) {
            const auto a = sim.scrape();
            sim.advance(300);
            const auto b = sim.scrape();
            const double dup = sideEffects(b, u"house"_s, u"duplicate"_s) - sideEffects(a, u"house"_s, u"duplicate"_s);
            const double ok = sideEffects(b, u"house"_s, u"ok"_s) - sideEffects(a, u"house"_s, u"ok"_s);
            QCOMPARE(sideEffects(b, u"lowrisk"_s, u"duplicate"_s), 0.0); // dm-dedupe is on for acct-house-ig only
            evidence = u"house: %1 duplicates over %2 side effects in 5 min"_s.arg(dup).arg(ok);
            shows = dup > 0;
            if (shows)
                QVERIFY2(std::abs(dup / ok - 0.02) < 0.005, qPrintable(evidence));
        } else if (scenario == u"kill-switch-ignored"_s) {
            QVERIFY(sim.setFlags({{u"publishing.enabled"_s, false}})); // the operator's kill switch
            sim.advance(5);
            const auto a = sim.scrape();
            sim.advance(120);
            const auto b = sim.scrape();
            const double house = sideEffects(b, u"house"_s, u"ok"_s) - sideEffects(a, u"house"_s, u"ok"_s);
            const double lowrisk = sideEffects(b, u"lowrisk"_s, u"ok"_s) - sideEffects(a, u"lowrisk"_s, u"ok"_s);
            QCOMPARE(lowrisk, 0.0); // everyone else respects it
            const json state = sim.platform().status();
            evidence = u"house side effects after the kill switch: %1; platform: %2"_s.arg(house).arg(
                QString::fromStdString(state["lanes"]["house/api"].dump()));
            shows = house > 0;
            QCOMPARE(state["lanes"]["house/api"]["killSwitchIgnored"].get<bool>(), shows);
        } else if (scenario == u"queue-stuck"_s) {
            const QString pub = u"raize_publish_attempts_total"_s;
            const QHash<QString, QString> api{{u"cohort"_s, u"house"_s}, {u"lane"_s, u"api"_s}};
            sim.advance(10);
            const auto a = sim.scrape();
            sim.advance(180);
            const auto b = sim.scrape();
            const double depth = RaizeTest::selectSum(b, u"raize_queue_depth"_s, api);
            const double age = RaizeTest::selectSum(b, u"raize_queue_oldest_job_age_seconds"_s, api);
            const double attempts = RaizeTest::selectSum(b, pub, api) - RaizeTest::selectSum(a, pub, api);
            const double browserAttempts = RaizeTest::selectSum(b, pub, {{u"cohort"_s, u"house"_s}, {u"lane"_s, u"browser"_s}})
                                           - RaizeTest::selectSum(a, pub, {{u"cohort"_s, u"house"_s}, {u"lane"_s, u"browser"_s}});
            QVERIFY(browserAttempts > 0); // the browser lane is not stuck
            evidence = u"house/api: depth %1, oldest job %2 s, %3 attempts in 3 min"_s.arg(depth).arg(age).arg(attempts);
            shows = depth > 30 && age >= 180 && attempts == 0;
            if (!shows)
                QVERIFY2(depth <= 3.01 && age <= 3 && attempts > 0, qPrintable(evidence));
        } else if (scenario == u"bad-canary"_s || scenario == u"good-canary"_s) {
            // An hour with the canary off, then it goes on for the house cohort for the last minute.
            const Slo::SloSpec spec = slo(u"publish_success"_s);
            const auto start = sim.scrape();
            sim.advance(56 * 60);
            const auto five = sim.scrape();
            sim.advance(3 * 60);
            QVERIFY2(burn(spec, start, sim.scrape(), u"house"_s) < 1, "the canary is off: the house cohort is healthy");
            QVERIFY(sim.setFlags({{u"publishing.scheduler-v2"_s, true}}));
            sim.advance(60);
            const auto end = sim.scrape();
            const double longBurn = burn(spec, start, end, u"house"_s), shortBurn = burn(spec, five, end, u"house"_s);
            QVERIFY(burn(spec, start, end, u"lowrisk"_s) < 1);
            evidence = u"house publish burn one minute after the canary went on: %1x over 1h, %2x over 5m"_s.arg(longBurn).arg(shortBurn);
            shows = longBurn > 14.4 && shortBurn > 14.4;
            if (!shows)
                QVERIFY2(longBurn < 1 && shortBurn < 1, qPrintable(evidence));
        } else if (scenario == u"every-slo-burns"_s) {
            const auto a = sim.scrape();
            sim.advance(3600);
            const auto b = sim.scrape();
            int burning = 0;
            for (const Slo::SloSpec &spec : Slo::defaultSlos()) {
                const double house = burn(spec, a, b, u"house"_s);
                QVERIFY2(burn(spec, a, b, u"lowrisk"_s) < 1, qPrintable(spec.id));
                evidence += u"%1 %2x; "_s.arg(spec.id).arg(house, 0, 'f', 2);
                burning += house > 14.4 ? 1 : 0;
                if (house <= 14.4)
                    QVERIFY2(house < 1, qPrintable(evidence));
            }
            QVERIFY2(burning == 0 || burning == 6, qPrintable(evidence));
            shows = burning == 6;
        } else {
            QFAIL("no check for this scenario");
        }
        qInfo("%s (%s): %s", qPrintable(scenario), qPrintable(mode), qPrintable(evidence));
        QVERIFY2(shows == story, qPrintable(evidence));
    }

    // What the rollback's verification post-check reads while publishing is off: the
    // platform's counters as Prometheus scrapes them (every 5 s, between the simulator's
    // 1 s ticks, rounded as /metrics prints them) never go down, hold still once the
    // kill switch is off, and so the check's ratio over 30 s is "nothing published"
    // (0/0) or the healthy 0.995, never the 0 or >1 a drifting counter gives. The rows
    // are times of day: the daily rate rising fastest, falling fastest, and at its peak.
    // Found as the intermittent 120 s wait of test_rollback_crash_checks (issue #15).
    void pausedCountersHoldStill_data()
    {
        QTest::addColumn<double>("hourUtc");
        QTest::newRow("rate rising (00:00 UTC)") << 0.0;
        QTest::newRow("rate falling (12:00 UTC)") << 12.0;
        QTest::newRow("rate at its peak (06:00 UTC)") << 6.0;
        QTest::newRow("rate rising (21:30 UTC)") << 21.5;
    }
    void pausedCountersHoldStill()
    {
        QFETCH(double, hourUtc);
        RaizeTest::ScenarioSim sim(RaizeTest::readScenario(u"wrong-account"_s), 1796083200.0 /* 2026-12-01T00:00Z */ + hourUtc * 3600);
        const auto isCounter = [](const QString &name) {
            return name.endsWith(u"_total"_s) || name.endsWith(u"_count"_s) || name.endsWith(u"_bucket"_s) || name.endsWith(u"_sum"_s);
        };
        const auto seriesKey = [](const RaizeTest::Sample &s) {
            QStringList labels;
            for (auto it = s.labels.cbegin(); it != s.labels.cend(); ++it)
                labels << u"%1=%2"_s.arg(it.key(), it.value());
            labels.sort();
            return u"%1{%2}"_s.arg(s.name, labels.join(u','));
        };
        const auto counters = [&](const QList<RaizeTest::Sample> &samples) {
            QMap<QString, double> out;
            for (const RaizeTest::Sample &s : samples) {
                if (isCounter(s.name))
                    out.insert(seriesKey(s), s.value);
            }
            return out;
        };
        const QString good = u"raize_verification_seconds_bucket{le=\"60\"}"_s, total = u"raize_verification_seconds_count"_s;
        // Scrapes land between the ticks, as Prometheus' do between the sandbox's timer ticks.
        sim.advance(0.37);
        QList<QList<RaizeTest::Sample>> scrapes;
        QMap<QString, double> previous = counters(sim.scrape());
        QMap<QString, double> atPause;
        int decreases = 0, steps = 0, badRatios = 0;
        QString firstProblem;
        for (int scrape = 1; scrape <= 150; ++scrape) { // 12.5 minutes
            if (scrape == 12)
                QVERIFY(sim.setFlags({{u"publishing.enabled"_s, false}})); // the rollback's kill switch, a minute in
            sim.advance(5.0);
            const QList<RaizeTest::Sample> now = sim.scrape();
            scrapes << now;
            const QMap<QString, double> values = counters(now);
            QCOMPARE(values.size(), previous.size());
            for (auto it = values.cbegin(); it != values.cend(); ++it) {
                if (it.value() < previous.value(it.key())) {
                    ++decreases;
                    if (firstProblem.isEmpty())
                        firstProblem = u"%1 went down from %2 to %3 at scrape %4"_s.arg(it.key()).arg(previous.value(it.key()), 0, 'f', 3).arg(it.value(), 0, 'f', 3).arg(scrape);
                }
            }
            // The queues drain within a tick once nothing is enqueued: empty at the first scrape after the kill switch.
            if (scrape == 12)
                QCOMPARE(RaizeTest::selectSum(now, u"raize_queue_depth"_s), 0.0);
            // A scrape after the pause began (one tick to see the flag, one scrape to settle).
            if (scrape == 14)
                atPause = values;
            if (scrape > 14) {
                for (auto it = values.cbegin(); it != values.cend(); ++it) {
                    const bool publishDriven = it.key().startsWith(u"raize_publish_"_s) || it.key().startsWith(u"raize_verification_"_s)
                                               || it.key().startsWith(u"raize_queue_delay_"_s) || it.key().startsWith(u"raize_side_effects_"_s);
                    if (publishDriven && it.value() != atPause.value(it.key())) {
                        ++steps;
                        if (firstProblem.isEmpty())
                            firstProblem = u"%1 moved from %2 to %3 with publishing off (scrape %4)"_s.arg(it.key()).arg(atPause.value(it.key()), 0, 'f', 3).arg(it.value(), 0, 'f', 3).arg(scrape);
                    }
                }
            }
            // The post-check's ratio over the last 30 s (six scrapes back), as increase() reads it without resets.
            if (scrapes.size() > 6) {
                const QList<RaizeTest::Sample> &from = scrapes.at(scrapes.size() - 7);
                const double dGood = RaizeTest::selectSum(now, good) - RaizeTest::selectSum(from, good);
                const double dTotal = RaizeTest::selectSum(now, total) - RaizeTest::selectSum(from, total);
                const bool readable = (dTotal == 0 && dGood == 0) || (dTotal > 0 && dGood / dTotal >= 0.98 && dGood / dTotal <= 1.0);
                if (!readable) {
                    ++badRatios;
                    if (firstProblem.isEmpty())
                        firstProblem = u"verification ratio %1/%2 at scrape %3"_s.arg(dGood).arg(dTotal).arg(scrape);
                }
            }
            previous = values;
        }
        QVERIFY(!atPause.isEmpty());
        QVERIFY2(decreases == 0 && steps == 0 && badRatios == 0,
                 qPrintable(u"%1 counter decreases, %2 steps while paused, %3 unreadable ratios; first: %4"_s.arg(decreases).arg(steps).arg(badRatios).arg(firstProblem)));
    }

    // The incompatible migration between the rollback target and production, as the sandbox's
    // GitHub serves it: in the compare's files, and its text through the contents API at a commit.
    void incompatibleMigration_data()
    {
        QTest::addColumn<bool>("withFault");
        QTest::newRow("incompatible-migration") << true;
        QTest::newRow("incompatible-migration/control") << false; // #409's commit taken out
    }
    void incompatibleMigration()
    {
        QFETCH(bool, withFault);
        json scenario = RaizeTest::readScenario(u"incompatible-migration"_s);
        const std::string migration = "c0ffee0042d1e2f3a4b5c6d7e8f90a1b2c3d4e5f";
        if (!withFault) {
            json commits = json::array();
            for (const json &c : scenario["github"]["commits"]) {
                if (c.value("sha", "") != migration)
                    commits.push_back(c);
            }
            scenario["github"]["commits"] = commits;
            json pulls = json::array();
            for (const json &p : scenario["github"]["pulls"]) {
                if (p.value("number", 0) != 409)
                    pulls.push_back(p);
            }
            scenario["github"]["pulls"] = pulls;
        }
        RaizeTest::ScenarioSim sim(scenario, 1.78e9);
        QVERIFY(sim.githubServer().listen(0));
        const QString repo = u"http://127.0.0.1:%1/repos/raize/platform"_s.arg(sim.githubServer().port());
        const auto get = [&](const QString &path) { return RaizeTest::httpCall("GET", QUrl(repo + path), "Bearer gt"); };
        // The rollback target and production, as Vercel has them.
        QString target, production;
        for (const json &d : scenario["vercel"]["deployments"]) {
            if (d["uid"] == "dpl_prev")
                target = QString::fromStdString(d["sha"].get<std::string>()).left(7);
            if (d["uid"] == scenario["vercel"]["production"])
                production = QString::fromStdString(d["sha"].get<std::string>()).left(7);
        }
        QCOMPARE(target, u"f0e1d2c"_s);
        const RaizeTest::HttpAnswer compare = get(u"/compare/%1...%2"_s.arg(target, production));
        QCOMPARE(compare.status, 200);
        QStringList migrations;
        for (const QJsonValue &f : QJsonDocument::fromJson(compare.body).object().value(u"files"_s).toArray()) {
            const QString name = f.toObject().value(u"filename"_s).toString();
            if (name.startsWith(u"db/migrations/"_s))
                migrations << name;
        }
        QStringList incompatible;
        for (const QString &m : std::as_const(migrations)) {
            const RaizeTest::HttpAnswer at = get(u"/contents/%1?ref=%2"_s.arg(m, production));
            QCOMPARE(at.status, 200);
            const QJsonObject file = QJsonDocument::fromJson(at.body).object();
            QCOMPARE(file.value(u"encoding"_s).toString(), u"base64"_s);
            const QByteArray text = QByteArray::fromBase64(file.value(u"content"_s).toString().remove(u'\n').toLatin1());
            if (text.startsWith("-- raize:incompatible"))
                incompatible << m;
            // The rollback target predates it: the file does not exist there.
            QCOMPARE(get(u"/contents/%1?ref=%2"_s.arg(m, target)).status, 404);
        }
        // The migrations folder at production lists every migration, old and new.
        const RaizeTest::HttpAnswer folder = get(u"/contents/db/migrations?ref=%1"_s.arg(production));
        QCOMPARE(folder.status, 200);
        QCOMPARE(QJsonDocument::fromJson(folder.body).array().size(), withFault ? 2 : 1);
        qInfo("migrations between %s and %s: %s; incompatible: %s", qPrintable(target), qPrintable(production), qPrintable(migrations.join(u", "_s)),
              qPrintable(incompatible.join(u", "_s)));
        QCOMPARE(!incompatible.isEmpty(), withFault);
        if (withFault)
            QCOMPARE(incompatible, QStringList{u"db/migrations/0042_drop_legacy_schedule.sql"_s});
    }

    // A promotion whose candidate fails each gate the family covers, through the console's own
    // FactsCollector and evaluate() against the sandbox's Vercel and GitHub (in-process, loopback).
    // The control rows: the same release on dpl_rc_ok, which has none of the faults, passes that gate.
    void promotionGateFailures_data()
    {
        QTest::addColumn<QString>("candidate");
        QTest::addColumn<QString>("gate");
        QTest::addColumn<bool>("fails");
        const QList<QPair<QString, QString>> family = {{u"dpl_rc_building"_s, u"deployment-ready"_s},
                                                       {u"dpl_rc_checkfail"_s, u"deployment-checks"_s},
                                                       {u"dpl_rc_ci_red"_s, u"status-checks"_s},
                                                       {u"dpl_rc_migration"_s, u"migrations"_s},
                                                       {u"dpl_rc_alert"_s, u"runbooks"_s}};
        for (const auto &[candidate, gate] : family) {
            QTest::newRow(qPrintable(gate + u'/' + candidate)) << candidate << gate << true;
            QTest::newRow(qPrintable(gate + u"/dpl_rc_ok (control)"_s)) << u"dpl_rc_ok"_s << gate << false;
        }
    }
    void promotionGateFailures()
    {
        QFETCH(QString, candidate);
        QFETCH(QString, gate);
        QFETCH(bool, fails);
        RaizeTest::ScenarioSim sim(RaizeTest::readScenario(u"promotion-gate-failures"_s), 1.78e9);
        QVERIFY(sim.vercelServer().listen(0));
        QVERIFY(sim.githubServer().listen(0));
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Vercel, u"vt"_s);
        http.setToken(Service::GitHub, u"gt"_s);
        Services::VercelClient vercel(http, QUrl(u"http://127.0.0.1:%1"_s.arg(sim.vercelServer().port())), u"prj_raize_web"_s, u"team_raize"_s);
        Services::GitHubClient github(http, QUrl(u"http://127.0.0.1:%1"_s.arg(sim.githubServer().port())), u"raize"_s, u"platform"_s);
        const Release::GatePolicy policy = Release::GatePolicy::builtin();
        Release::FactsCollector::Sources sources;
        sources.vercel = &vercel;
        sources.github = &github;
        Release::FactsCollector collector(policy, sources);
        Release::CollectedFacts collected;
        QEventLoop loop;
        collector.collect(candidate, [&](const Release::CollectedFacts &c) {
            collected = c;
            loop.quit();
        });
        if (collector.busy())
            loop.exec();
        QVERIFY2(collected.facts.deployment.known(), qPrintable(collected.facts.deployment.error));
        const Release::GateVerdict verdict = Release::evaluate(policy, collected.facts);
        const auto it = std::find_if(verdict.results.cbegin(), verdict.results.cend(), [&](const Release::GateResult &r) { return r.id == gate; });
        QVERIFY2(it != verdict.results.cend(), qPrintable(u"no gate "_s + gate));
        qInfo("%s on %s: %s — %s", qPrintable(gate), qPrintable(candidate),
              it->status == Release::GateResult::Status::Pass   ? "pass"
              : it->status == Release::GateResult::Status::Fail ? "fail"
                                                                : "unknown",
              qPrintable(it->reason));
        QCOMPARE(it->status, fails ? Release::GateResult::Status::Fail : Release::GateResult::Status::Pass);
    }
};

QTEST_GUILESS_MAIN(TestStoryScenarios)
#include "tst_story_scenarios.moc"
