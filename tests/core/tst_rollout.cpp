// Issue #8, parts 1, 2 and 6: cohorts, SLOs and burn alerts read from the
// policy bundle, the rollout plan of a release, and the pacing
// recommendation. The recommendation's inputs are real engine verdicts over
// synthetic counters whose burn is worked out next to each traffic shape.

#include "release/cohorts.h"
#include "release/rollout.h"
#include "release/togglematrix.h"
#include "slo/slopolicy.h"

#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Slo;
using json = nlohmann::json;

namespace {

constexpr qint64 T0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z

// Cumulative counters, one sample a minute for `minutes` minutes ending at
// the returned series' last sample: `perMinute` events a minute with
// `ratio` bad, except the last `recentMinutes` with `recentRatio`.
QList<CounterSample> traffic(int minutes, double perMinute, double ratio, int recentMinutes = 0, double recentRatio = 0)
{
    QList<CounterSample> out;
    double good = 0, total = 0;
    out.append({T0, 0, 0});
    for (int i = 1; i <= minutes; ++i) {
        const double r = i > minutes - recentMinutes ? recentRatio : ratio;
        total += perMinute;
        good += perMinute * (1 - r);
        out.append({T0 + i * MinuteMs, good, total});
    }
    return out;
}

constexpr int ThreeDaysAndAHour = 3 * 24 * 60 + 60;

enum class Shape { Healthy, PageBurn, TicketBurn, LowTraffic, NoData };

// What the engine answers for every SLO of the policy over one shape.
QList<AlertVerdict> verdicts(Shape shape, qint64 *nowMs)
{
    QList<CounterSample> s;
    switch (shape) {
    case Shape::Healthy: // 0.05 % bad: burn 0.05 (99 %) … 0.1 (99.5 %), nothing fires
        s = traffic(ThreeDaysAndAHour, 200, 0.0005);
        break;
    case Shape::PageBurn: // the last 70 min at 20 % bad: 20× (99 %) over 1 h and 5 min > 14.4
        s = traffic(ThreeDaysAndAHour, 200, 0.0005, 70, 0.2);
        break;
    case Shape::TicketBurn: // 1.5 % bad for 3 days: 1.5× (99 %) over 3 d and 6 h > 1, < 6
        s = traffic(ThreeDaysAndAHour, 200, 0.015);
        break;
    case Shape::LowTraffic: // 2 events a minute: 10 over 5 min, the policy wants ≥ 20
        s = traffic(ThreeDaysAndAHour, 2, 0.0);
        break;
    case Shape::NoData:
        *nowMs = T0 + ThreeDaysAndAHour * MinuteMs;
        return {};
    }
    *nowMs = s.last().tMs;
    QList<AlertVerdict> out;
    for (const SloSpec &spec : defaultSlos())
        out.append(evaluate(spec, s, *nowMs, defaultBurnRules()));
    return out;
}

Release::RolloutPlan plan(const QString &level)
{
    const auto cohorts = Release::cohortsFromPolicy(Policy::builtinBundle());
    const auto policy = Release::rolloutFromPolicy(Policy::builtinBundle(), *cohorts);
    return *Release::planRelease(*policy, *cohorts, level, {u"publishing.scheduler-v2"_s});
}

Policy::Bundle mutated(const std::function<void(json &)> &change)
{
    Policy::Bundle b = Policy::builtinBundle();
    change(b.doc);
    return b;
}

} // namespace

using Change = std::function<void(json &)>;
Q_DECLARE_METATYPE(Shape)
Q_DECLARE_METATYPE(Change)
Q_DECLARE_METATYPE(Raize::Services::FlagScope)

class TestRollout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- the policy's SLOs, burn alerts and cohorts ---------------------------

    void slosComeFromThePolicy()
    {
        const Result<QList<SloSpec>> slos = slosFromPolicy(Policy::builtinBundle());
        QVERIFY2(slos.ok(), qPrintable(slos.error().toString()));
        QCOMPARE(slos->size(), 6);
        const SloSpec &http = slos->at(5);
        QCOMPARE(http.id, u"http_errors"_s);
        QCOMPARE(http.objective, 0.995);
        QCOMPARE(http.badMetric, u"raize_http_requests_total{code=~\"5..\"}"_s);
        QVERIFY(http.goodMetric.isEmpty());
        QCOMPARE(http.minEventsFor(5 * MinuteMs), 100);
        QCOMPARE(http.minEventsFor(30 * DayMs), 20000);
        QCOMPARE(http.minEvents, 100); // an unlisted window: the smallest minimum
        QCOMPARE(slos->at(1).thresholdSeconds, 60.0);
        // defaultSlos() is the built-in bundle's list.
        QCOMPARE(defaultSlos().size(), slos->size());
        QCOMPARE(defaultSlos().at(3).objective, 0.995);

        // A bundle with other values is read as written (a tenant's stricter objective).
        const auto stricter = slosFromPolicy(mutated([](json &d) { d["slos"][0]["objective"] = 0.999; }));
        QVERIFY(stricter.ok());
        QCOMPARE(stricter->at(0).objective, 0.999);
    }

    void burnRulesComeFromThePolicy()
    {
        const auto rules = burnRulesFromPolicy(Policy::builtinBundle());
        QVERIFY2(rules.ok(), qPrintable(rules.error().toString()));
        QCOMPARE(rules->size(), 3);
        QCOMPARE(rules->at(0).name(), u"page 14.4× 1h/5m"_s);
        QCOMPARE(rules->at(1).name(), u"page 6× 6h/30m"_s);
        QCOMPARE(rules->at(2).name(), u"ticket 1× 3d/6h"_s);
        QCOMPARE(defaultBurnRules().at(2).longWindowMs, 3 * DayMs);
    }

    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1: an error
        QTest::newRow("5m") << u"5m"_s << 5 * MinuteMs;
        QTest::newRow("1h") << u"1h"_s << HourMs;
        QTest::newRow("30d") << u"30d"_s << 30 * DayMs;
        QTest::newRow("90s") << u"90s"_s << qint64(90'000);
        QTest::newRow("no unit") << u"5"_s << qint64(-1);
        QTest::newRow("zero") << u"0m"_s << qint64(-1);
        QTest::newRow("negative") << u"-5m"_s << qint64(-1);
        QTest::newRow("weeks are not a unit") << u"2w"_s << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
    }

    void durations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        const Result<qint64> r = parseDuration(text);
        QCOMPARE(r.ok(), ms >= 0);
        if (ms >= 0)
            QCOMPARE(*r, ms);
    }

    void policyErrors_data()
    {
        QTest::addColumn<Change>("change");
        QTest::addColumn<QString>("field");
        using F = Change;
        QTest::newRow("objective 1") << F([](json &d) { d["slos"][0]["objective"] = 1.0; }) << u"slos[0].objective"_s;
        QTest::newRow("objective missing") << F([](json &d) { d["slos"][2].erase("objective"); }) << u"slos[2].objective"_s;
        QTest::newRow("good and bad") << F([](json &d) { d["slos"][0]["bad"] = "x"; }) << u"slos[0]"_s;
        QTest::newRow("duplicate id") << F([](json &d) { d["slos"][1]["id"] = "publish_success"; }) << u"slos[1].id"_s;
        QTest::newRow("minEvents window") << F([](json &d) { d["slos"][0]["minEvents"]["5 minutes"] = 3; })
                                          << u"slos[0].minEvents.5 minutes"_s;
        QTest::newRow("minEvents zero") << F([](json &d) { d["slos"][0]["minEvents"]["5m"] = 0; }) << u"slos[0].minEvents.5m"_s;
        QTest::newRow("no slos") << F([](json &d) { d.erase("slos"); }) << u"slos"_s;
        QTest::newRow("burn severity") << F([](json &d) { d["burnAlerts"][1]["severity"] = "sms"; }) << u"burnAlerts[1].severity"_s;
        QTest::newRow("burn windows swapped") << F([](json &d) { d["burnAlerts"][0]["shortWindow"] = "2h"; })
                                              << u"burnAlerts[0].shortWindow"_s;
        QTest::newRow("burn rate 0") << F([](json &d) { d["burnAlerts"][2]["burnRate"] = 0; }) << u"burnAlerts[2].burnRate"_s;
        QTest::newRow("cohort without members") << F([](json &d) {
            d["cohorts"][0]["clientIds"] = json::array();
            d["cohorts"][0]["platformAccounts"] = json::array();
        }) << u"cohorts[0]"_s;
        QTest::newRow("cohort id twice") << F([](json &d) { d["cohorts"][2]["id"] = "house"; }) << u"cohorts[2].id"_s;
        QTest::newRow("star mixed with ids") << F([](json &d) { d["cohorts"][2]["clientIds"] = {"*", "client-x"}; }) << u"cohorts[2]"_s;
        QTest::newRow("stage cohort unknown") << F([](json &d) { d["rollout"]["stages"][1]["cohort"] = "vip"; })
                                              << u"rollout.stages[1].cohort"_s;
        QTest::newRow("level window missing") << F([](json &d) { d["rollout"]["observationMinutes"].erase("L3"); })
                                              << u"rollout.observationMinutes.L3"_s;
        QTest::newRow("stage scope") << F([](json &d) { d["rollout"]["stages"][0]["scope"] = "half"; }) << u"rollout.stages[0].scope"_s;
        QTest::newRow("autoPacing a string") << F([](json &d) { d["canary"]["autoPacing"] = "yes"; }) << u"canary.autoPacing"_s;
    }

    void policyErrors()
    {
        QFETCH(Change, change);
        QFETCH(QString, field);
        const Policy::Bundle b = mutated(change);
        Error error;
        if (auto r = slosFromPolicy(b); !r)
            error = r.error();
        else if (auto rules = burnRulesFromPolicy(b); !rules)
            error = rules.error();
        else if (auto cohorts = Release::cohortsFromPolicy(b); !cohorts)
            error = cohorts.error();
        else if (auto rollout = Release::rolloutFromPolicy(b, *cohorts); !rollout)
            error = rollout.error();
        QVERIFY2(error.isError(), "the malformed bundle was accepted");
        QCOMPARE(error.fieldPath, field);
        QCOMPARE(error.kind, Error::Kind::Config);
        QVERIFY2(error.message.contains(field), qPrintable(error.message));
        QVERIFY(!error.remedy.isEmpty());
    }

    void cohorts()
    {
        const auto cohorts = Release::cohortsFromPolicy(Policy::builtinBundle());
        QVERIFY2(cohorts.ok(), qPrintable(cohorts.error().toString()));
        QCOMPARE(cohorts->size(), 3);
        const Release::Cohort &house = cohorts->at(0);
        QCOMPARE(house.id, u"house"_s);
        QCOMPARE(house.platformAccountIds, (QStringList{u"acct-house-ig"_s, u"acct-house-x"_s}));
        QVERIFY(!house.everyone());
        QCOMPARE(house.scope().describe(), u"clients house · platform accounts acct-house-ig, acct-house-x"_s);
        QVERIFY(cohorts->at(2).everyone());
        QVERIFY(cohorts->at(2).scope().global());
        // Edited in the console and written back: the same cohorts.
        const auto again = Release::cohortsFromJson(Release::cohortsToJson(*cohorts), u"edited"_s);
        QVERIFY(again.ok());
        QVERIFY(*again == *cohorts);
    }

    void scopeReaches_data()
    {
        QTest::addColumn<Services::FlagScope>("scope");
        QTest::addColumn<QStringList>("reached"); // cohort ids
        Services::FlagScope s;
        QTest::newRow("global") << s << QStringList{u"house"_s, u"lowrisk"_s, u"broad"_s};
        s.lane = u"browser"_s;
        QTest::newRow("a lane only") << s << QStringList{u"house"_s, u"lowrisk"_s, u"broad"_s};
        s = {};
        s.cohorts = {u"house"_s};
        QTest::newRow("cohort IN house") << s << QStringList{u"house"_s};
        s = {};
        s.clientIds = {u"client-bloom"_s};
        QTest::newRow("one low-risk client") << s << QStringList{u"lowrisk"_s};
        s.clientIds = {u"client-atlas"_s};
        QTest::newRow("a client no cohort lists: broad") << s << QStringList{u"broad"_s};
        s = {};
        s.platformAccountIds = {u"acct-house-ig"_s};
        QTest::newRow("one house account") << s << QStringList{u"house"_s};
        s.clientIds = {u"client-bloom"_s};
        QTest::newRow("house account AND bloom client: nobody") << s << QStringList{};
        s = {};
        s.other = {u"appName NOT_IN [web]"_s};
        QTest::newRow("unmodelled constraint") << s << QStringList{};
    }

    void scopeReaches()
    {
        QFETCH(Services::FlagScope, scope);
        QFETCH(QStringList, reached);
        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        QStringList actual;
        for (const Release::Cohort &c : cohorts) {
            if (Release::scopeReaches(scope, c, cohorts))
                actual << c.id;
        }
        QCOMPARE(actual, reached);
    }

    void canaryFlags()
    {
        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        const auto flag = [](QString key, QString type, bool on, Services::FlagScope scope, int percent = 100) {
            Services::FlagState f;
            f.key = std::move(key);
            f.type = std::move(type);
            f.enabled = on;
            Services::FlagStrategy s;
            s.scope = std::move(scope);
            s.rolloutPercent = percent;
            f.strategies = {s};
            return f;
        };
        Services::FlagScope house;
        house.cohorts = {u"house"_s};
        Services::FlagScope bloom;
        bloom.clientIds = {u"client-bloom"_s};
        const QList<Services::FlagState> flags = {
            flag(u"publishing.scheduler-v2"_s, u"release"_s, true, house),
            flag(u"engagement.auto-reply"_s, u"release"_s, false, house),   // off
            flag(u"publishing.enabled"_s, u"kill-switch"_s, true, house),   // a kill switch is no canary
            flag(u"browser-lane.dom-v3"_s, u"release"_s, true, {}),          // global: a full rollout
            flag(u"publishing.zero"_s, u"release"_s, true, house, 0),        // 0 %: reaches nobody
            flag(u"publishing.client-bloom-beta"_s, u"release"_s, true, bloom),
        };
        QCOMPARE(Release::canaryFlagsOn(flags, cohorts[0], cohorts), QStringList{u"publishing.scheduler-v2"_s});
        QCOMPARE(Release::canaryFlagsOn(flags, cohorts[1], cohorts), QStringList{u"publishing.client-bloom-beta"_s});
        QCOMPARE(Release::canaryFlagsOn(flags, cohorts[2], cohorts), QStringList{});
    }

    void pageAlertNeedsAPageAndACanary()
    {
        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        qint64 now = 0;
        QHash<QString, QList<AlertVerdict>> byCohort;
        byCohort.insert(u"house"_s, verdicts(Shape::PageBurn, &now));
        byCohort.insert(u"lowrisk"_s, verdicts(Shape::Healthy, &now));
        byCohort.insert(u"broad"_s, verdicts(Shape::TicketBurn, &now)); // a ticket is no page
        Services::FlagState scheduler;
        scheduler.key = u"publishing.scheduler-v2"_s;
        scheduler.type = u"release"_s;
        scheduler.enabled = true;
        Services::FlagStrategy houseOnly;
        houseOnly.scope.cohorts = {u"house"_s};
        scheduler.strategies = {houseOnly};

        const auto alerts = Release::pageAlerts(cohorts, byCohort, defaultSlos(), {scheduler});
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts[0].cohort.id, u"house"_s);
        QCOMPARE(alerts[0].flags, QStringList{u"publishing.scheduler-v2"_s});
        QVERIFY2(alerts[0].evidence.first().startsWith(u"Publish success: page 14.4× 1h/5m fired — 40.0× over 1h"_s),
                 qPrintable(alerts[0].evidence.first()));

        // The same burn without a canary flag on for the cohort: a page, but not this alert.
        scheduler.enabled = false;
        QVERIFY(Release::pageAlerts(cohorts, byCohort, defaultSlos(), {scheduler}).isEmpty());
        // The canary on the low-risk cohort instead: the house burn is not its doing.
        scheduler.enabled = true;
        scheduler.strategies[0].scope.cohorts = {u"lowrisk"_s};
        QVERIFY(Release::pageAlerts(cohorts, byCohort, defaultSlos(), {scheduler}).isEmpty());
    }

    // ---- the toggle matrix ------------------------------------------------------

    void matrixColumns()
    {
        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        QStringList labels;
        for (const Release::MatrixColumn &c : Release::matrixColumns(cohorts))
            labels << c.label();
        QCOMPARE(labels, (QStringList{u"global"_s, u"client house"_s, u"client client-bloom"_s, u"client client-fjord"_s,
                                      u"account acct-house-ig"_s, u"account acct-house-x"_s, u"account acct-bloom-ig"_s,
                                      u"account acct-fjord-li"_s, u"lane api"_s, u"lane browser"_s}));
    }

    void toggle_data()
    {
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<Services::FlagScope>("scope");
        QTest::addColumn<QString>("flag");
        QTest::addColumn<int>("kind"); // MatrixColumn::Kind
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("turnOn");
        QTest::addColumn<QString>("summary"); // "" when refused
        QTest::addColumn<bool>("widens");
        QTest::addColumn<QString>("refusal"); // part of it

        const int global = int(Release::MatrixColumn::Kind::Global), client = int(Release::MatrixColumn::Kind::Client),
                  account = int(Release::MatrixColumn::Kind::Account), lane = int(Release::MatrixColumn::Kind::Lane);
        Services::FlagScope none;
        Services::FlagScope bloom;
        bloom.clientIds = {u"client-bloom"_s};
        Services::FlagScope houseAccounts;
        houseAccounts.platformAccountIds = {u"acct-house-ig"_s, u"acct-house-x"_s};
        Services::FlagScope browser;
        browser.lane = u"browser"_s;
        Services::FlagScope cohortHouse;
        cohortHouse.cohorts = {u"house"_s};

        QTest::newRow("add a client to a per-client flag: widens")
            << true << bloom << u"publishing.client-bloom-beta"_s << client << u"client-fjord"_s << true
            << u"publishing.client-bloom-beta in production: ON for clients client-bloom → ON for clients client-bloom, client-fjord"_s << true
            << QString();
        QTest::newRow("remove the last client: the flag goes off, scope kept")
            << true << bloom << u"publishing.client-bloom-beta"_s << client << u"client-bloom"_s << false
            << u"ON for clients client-bloom → OFF"_s << false << QString();
        QTest::newRow("global off: the kill switch") << true << bloom << u"publishing.client-bloom-beta"_s << global << QString() << false
                                                     << u"→ OFF"_s << false << QString();
        QTest::newRow("global on: widens") << true << bloom << u"ui.dark-mode"_s << global << QString() << true
                                           << u"ON for clients client-bloom → ON for global"_s << true << QString();
        QTest::newRow("§4.3: a new L3 flag may not start global in production")
            << false << cohortHouse << u"engagement.auto-reply"_s << global << QString() << true << QString() << true
            << u"starts in the house-accounts canary"_s;
        QTest::newRow("§4.3: nor on a low-risk client")
            << false << none << u"engagement.auto-reply"_s << client << u"client-bloom"_s << true << QString() << true
            << u"starts in the house-accounts canary"_s;
        QTest::newRow("§4.3: a house account is inside the canary")
            << false << none << u"engagement.auto-reply"_s << account << u"acct-house-ig"_s << true
            << u"OFF → ON for platform accounts acct-house-ig"_s << true << QString();
        QTest::newRow("a flag without side effects may start anywhere")
            << false << none << u"ui.dark-mode"_s << lane << u"api"_s << true << u"OFF → ON for lane api"_s << true << QString();
        QTest::newRow("a lane off of a both-lanes flag") << true << none << u"ui.dark-mode"_s << lane << u"api"_s << false
                                                         << u"ON for global → ON for lane browser"_s << false << QString();
        QTest::newRow("the other lane on: both lanes") << true << browser << u"browser-lane.dom-v3"_s << lane << u"api"_s << true
                                                       << u"ON for lane browser → ON for global"_s << true << QString();
        QTest::newRow("one client off a global flag: refused") << true << none << u"publishing.enabled"_s << client << u"house"_s << false
                                                              << QString() << false << u"needs an exclusion"_s;
        QTest::newRow("a client onto an account-scoped flag: refused")
            << true << houseAccounts << u"engagement.dm-dedupe"_s << client << u"client-bloom"_s << true << QString() << true
            << u"would need a second strategy"_s;
        QTest::newRow("already on") << true << bloom << u"publishing.client-bloom-beta"_s << client << u"client-bloom"_s << true << QString()
                                    << false << u"already on"_s;
        QTest::newRow("already off") << false << bloom << u"publishing.client-bloom-beta"_s << global << QString() << false << QString()
                                     << false << u"already off"_s;
    }

    void toggle()
    {
        QFETCH(bool, enabled);
        QFETCH(Services::FlagScope, scope);
        QFETCH(QString, flag);
        QFETCH(int, kind);
        QFETCH(QString, value);
        QFETCH(bool, turnOn);
        QFETCH(QString, summary);
        QFETCH(bool, widens);
        QFETCH(QString, refusal);

        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        Release::ToggleRules rules;
        rules.sideEffects.prefixes = {u"publishing."_s, u"engagement."_s, u"browser-lane."_s};
        rules.firstCanary = cohorts[0].scope();
        rules.firstCanaryCohort = cohorts[0].id;
        Services::FlagState f;
        f.key = flag;
        f.enabled = enabled;
        f.type = u"release"_s;
        Services::FlagStrategy s;
        s.scope = scope;
        f.strategies = {s};
        const Release::MatrixColumn column{Release::MatrixColumn::Kind(kind), value};
        const Release::ToggleChange c = Release::planToggle(f, column, turnOn, u"production"_s, rules);
        if (!refusal.isEmpty()) {
            QVERIFY2(c.refusal.contains(refusal), qPrintable(c.refusal));
            return;
        }
        QVERIFY2(c.refusal.isEmpty(), qPrintable(c.refusal));
        QVERIFY2(c.summary.contains(summary), qPrintable(c.summary));
        QCOMPARE(c.widens, widens);
        QCOMPARE(c.needsConfirmation(rules), widens);
        // The read-back of the flag as the change leaves it shows it; the flag as it was does not.
        Services::FlagState after = f;
        after.enabled = c.enabledAfter;
        after.strategies[0].scope = c.scopeAfter;
        QVERIFY(Release::readBackShows(after, c));
        QVERIFY(!Release::readBackShows(f, c));
    }

    void cellStates()
    {
        Services::FlagState f;
        f.key = u"publishing.scheduler-v2"_s;
        f.enabled = true;
        Services::FlagStrategy s;
        s.scope.cohorts = {u"house"_s};
        f.strategies = {s};
        using K = Release::MatrixColumn::Kind;
        QCOMPARE(Release::cellState(f, {K::Global, {}}), Release::CellState::Partial);
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}), Release::CellState::Partial); // without cohorts: cannot tell
        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}, cohorts), Release::CellState::On); // the house cohort is the house client
        QCOMPARE(Release::cellState(f, {K::Account, u"acct-house-x"_s}, cohorts), Release::CellState::On);
        QCOMPARE(Release::cellState(f, {K::Client, u"client-bloom"_s}, cohorts), Release::CellState::Off);
        QCOMPARE(Release::cellState(f, {K::Account, u"acct-fjord-li"_s}, cohorts), Release::CellState::Off);
        QCOMPARE(Release::cellState(f, {K::Lane, u"api"_s}, cohorts), Release::CellState::Partial);
        // One house account: partial for the house client, nothing for bloom's.
        f.strategies[0].scope = {};
        f.strategies[0].scope.platformAccountIds = {u"acct-house-ig"_s};
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}, cohorts), Release::CellState::Partial);
        QCOMPARE(Release::cellState(f, {K::Client, u"client-bloom"_s}, cohorts), Release::CellState::Off);
        QCOMPARE(Release::cellState(f, {K::Account, u"acct-house-x"_s}, cohorts), Release::CellState::Off);
        f.strategies[0].scope = {};
        f.strategies[0].scope.clientIds = {u"house"_s};
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}), Release::CellState::On);
        QCOMPARE(Release::cellState(f, {K::Client, u"client-bloom"_s}), Release::CellState::Off);
        QCOMPARE(Release::cellState(f, {K::Lane, u"api"_s}), Release::CellState::Partial);
        f.strategies[0].rolloutPercent = 40;
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}), Release::CellState::Partial);
        QVERIFY(!Release::editableScope(f).has_value());
        f.strategies[0].scope.other = {u"appName IN [web]"_s};
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}), Release::CellState::Unknown);
        f.enabled = false;
        QCOMPARE(Release::cellState(f, {K::Client, u"house"_s}), Release::CellState::Off);
    }

    // ---- the plan -----------------------------------------------------------

    void planFollowsThePlaybook()
    {
        const Release::RolloutPlan p = plan(u"L3"_s);
        QStringList stages;
        for (const Release::PlannedStage &s : p.stages) {
            stages << s.stage.id + u'@' + s.environment + u':' + s.scope.describe();
            QCOMPARE(s.flags, QStringList{u"publishing.scheduler-v2"_s});
            QCOMPARE(s.observeMinutes, 120); // §6.2: 30–120 min by risk; L3 is the highest
        }
        QCOMPARE(stages, (QStringList{u"staging@staging:global"_s,
                                      u"house@production:clients house · platform accounts acct-house-ig, acct-house-x"_s,
                                      u"lowrisk@production:clients client-bloom, client-fjord · platform accounts acct-bloom-ig, acct-fjord-li"_s,
                                      u"broad@production:global"_s}));
        QCOMPARE(plan(u"L1"_s).stages[1].observeMinutes, 30);
        QCOMPARE(plan(u"L2"_s).stages[1].observeMinutes, 60);
        QVERIFY(!p.stages[1].stage.confirmations.isEmpty());

        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        const auto policy = *Release::rolloutFromPolicy(Policy::builtinBundle(), cohorts);
        QVERIFY(!policy.autoPacing); // the built-in policy never expands by itself
        QVERIFY(!Release::planRelease(policy, cohorts, u"L4"_s, {}).ok());
        // The low-risk stage takes 1–2 clients: a cohort of three is refused.
        auto three = cohorts;
        three[1].clientIds << u"client-koru"_s;
        const auto refused = Release::planRelease(policy, three, u"L3"_s, {});
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"allows 2 clients"_s), qPrintable(refused.error().message));
    }

    // ---- the recommendation ---------------------------------------------------

    void recommend_data()
    {
        QTest::addColumn<QString>("level");
        QTest::addColumn<int>("stage");
        QTest::addColumn<double>("observedMinutes");
        QTest::addColumn<Shape>("shape");
        QTest::addColumn<bool>("confirmed");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("wait");
        QTest::addColumn<QString>("headline"); // a part of it

        const QString expand = u"expand-allowed"_s, wait = u"wait"_s, blocked = u"blocked"_s;
        QTest::newRow("house, L3, healthy, 120 min, confirmed") << u"L3"_s << 1 << 120.0 << Shape::Healthy << true << expand << 0
                                                                << u"expand allowed to Production: low-risk clients"_s;
        QTest::newRow("house, L3, healthy, 45 of 120 min") << u"L3"_s << 1 << 45.0 << Shape::Healthy << true << wait << 75
                                                           << u"wait 75 min before Production: low-risk clients"_s;
        QTest::newRow("house, L1, 29.5 of 30 min: rounds up") << u"L1"_s << 1 << 29.5 << Shape::Healthy << true << wait << 1
                                                               << u"wait 1 min"_s;
        QTest::newRow("house, L2, exactly 60 min") << u"L2"_s << 1 << 60.0 << Shape::Healthy << true << expand << 0 << u"expand allowed"_s;
        QTest::newRow("page burn inside the window blocks") << u"L3"_s << 1 << 10.0 << Shape::PageBurn << true << blocked << 0
                                                            << u"Publish success: page 14.4× 1h/5m fired — 40.0× over 1h, 40.0× over 5m"_s;
        QTest::newRow("ticket burn blocks") << u"L2"_s << 1 << 90.0 << Shape::TicketBurn << true << blocked << 0
                                            << u"Publish success: ticket 1× 3d/6h fired — 3.00× over 3d, 3.00× over 6h"_s;
        QTest::newRow("low traffic after the window: blocked, never healthy")
            << u"L3"_s << 1 << 150.0 << Shape::LowTraffic << true << blocked << 0
            << u"not enough data to call Production: house accounts healthy: Publish success: 10 events over 5m, the policy needs 20"_s;
        QTest::newRow("low traffic inside the window: wait") << u"L3"_s << 1 << 20.0 << Shape::LowTraffic << true << wait << 100
                                                             << u"wait 100 min"_s;
        QTest::newRow("no data read at all") << u"L1"_s << 1 << 60.0 << Shape::NoData << true << blocked << 0
                                             << u"Publish success: no data was read"_s;
        QTest::newRow("friction not confirmed") << u"L3"_s << 2 << 200.0 << Shape::Healthy << false << blocked << 0
                                                << u"not confirmed: no enforcement friction"_s;
        QTest::newRow("broad is the last stage") << u"L3"_s << 3 << 500.0 << Shape::Healthy << true << blocked << 0
                                                 << u"is the last stage"_s;
        QTest::newRow("staging, L0, smoke tests confirmed: no SLO needed") << u"L0"_s << 0 << 0.0 << Shape::NoData << true << expand
                                                                           << 0 << u"expand allowed to Production: house accounts"_s;
        QTest::newRow("staging, smoke tests not confirmed") << u"L2"_s << 0 << 61.0 << Shape::NoData << false << blocked << 0
                                                            << u"staging smoke tests passed"_s;
    }

    void recommend()
    {
        QFETCH(QString, level);
        QFETCH(int, stage);
        QFETCH(double, observedMinutes);
        QFETCH(Shape, shape);
        QFETCH(bool, confirmed);
        QFETCH(QString, kind);
        QFETCH(int, wait);
        QFETCH(QString, headline);

        const Release::RolloutPlan p = plan(level);
        Release::StageObservation obs;
        obs.stage = stage;
        obs.verdicts = verdicts(shape, &obs.nowMs);
        obs.slos = defaultSlos();
        obs.stageStartedMs = obs.nowMs - qint64(observedMinutes * double(MinuteMs));
        if (confirmed) {
            for (const QString &c : p.stages[stage].stage.confirmations)
                obs.confirmed.insert(c);
        }
        const Release::Recommendation r = Release::recommend(p, obs);
        QCOMPARE(Release::Recommendation::kindName(r.kind), kind);
        QCOMPARE(r.waitMinutes, wait);
        QVERIFY2(r.headline.contains(headline), qPrintable(r.headline));
        QVERIFY2(!r.evidence.isEmpty(), "a recommendation always shows its evidence");
        if (r.kind == Release::Recommendation::Kind::ExpandAllowed) {
            QCOMPARE(r.nextStage, stage + 1);
            // Only with enough data on every SLO (never on a quiet window).
            for (const AlertVerdict &v : obs.verdicts)
                QCOMPARE(v.severity, Severity::None);
        }
    }
};

QTEST_GUILESS_MAIN(TestRollout)
#include "tst_rollout.moc"
