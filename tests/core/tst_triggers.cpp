// §7.1 triggers detected from signals (issue #16, item 4), without the sandbox:
// - the policy's `triggers` section, its refusals and its floor;
// - each rule against the platform simulator's own /metrics (in-process, on a
//   fake clock) with a negative control: the same scenario without its fault
//   raises nothing;
// - the TriggerDetector's rounds against a fake Prometheus: onset, clear,
//   a new onset, a failed query that keeps the alert (unknown is not clear),
//   the kill switch's grace, and the operator's security P0.
// test_triggers_sandbox times the wrong-account P0 against the real Prometheus.

#include "rollback/triggerdetector.h"
#include "rollback/triggerrules.h"
#include "workspace/effectivepolicy.h"

#include "core/servicemonitor.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "net/httpclient.h"
#include "policy/policybundle.h"
#include "services/prometheus/prometheusclient.h"

#include "scenariosim.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Rollback;
using RaizeTest::json;

namespace {

const TriggerRule &ruleOf(const QString &id)
{
    for (const TriggerRule &r : EffectivePolicy::builtin().triggers().rules) {
        if (r.id() == id)
            return r;
    }
    qFatal("the built-in policy has no %s rule", qPrintable(id));
}

// What Prometheus answers for a rule, computed from two scrapes of the simulator `seconds` apart
// (a counter's rise per group, a gauge's value), through the rule's own selector: the samples above
// the threshold, as the rule's query keeps them.
QList<Services::PromSample> answerFor(const TriggerRule &rule, const QList<RaizeTest::Sample> &before, const QList<RaizeTest::Sample> &after)
{
    QHash<QString, QHash<QString, QString>> groups; // group key → labels
    for (const RaizeTest::Sample &s : after) {
        if (!RaizeTest::selectSum({s}, rule.metric))
            continue;
        QHash<QString, QString> labels;
        QStringList key;
        for (const QString &l : rule.by) {
            labels.insert(l, s.labels.value(l));
            key << s.labels.value(l);
        }
        groups.insert(key.join(u'/'), labels);
    }
    QList<Services::PromSample> out;
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        const double now = RaizeTest::selectSum(after, rule.metric, it.value());
        const double value = rule.kind == TriggerRule::Kind::Gauge ? now : now - RaizeTest::selectSum(before, rule.metric, it.value());
        if (value > rule.threshold) {
            Services::PromSample p;
            for (auto l = it.value().cbegin(); l != it.value().cend(); ++l)
                p.labels.insert(l.key(), l.value());
            p.value = value;
            out << p;
        }
    }
    return out;
}

json scenarioFor(const QString &name, bool withFault)
{
    json s = RaizeTest::readScenario(name);
    if (!withFault) {
        s["platform"]["faults"] = json::array();
        s["platform"]["effect"] = json::object();
    }
    return s;
}

// A tenant bundle that only sets `triggers`.
Result<EffectivePolicy> withTriggers(const std::string &section)
{
    const QByteArray text = QByteArray::fromStdString(
        R"({"schema": "raize.policy", "version": 1, "id": "t-v1", "title": "t", "tenant": "t", "triggers": )" + section + "}");
    return EffectivePolicy::build(Policy::builtinBundle(), EffectivePolicy::TenantLayer{u"/etc/raize/t.json"_s, text});
}

} // namespace

class TestTriggers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinRules()
    {
        const TriggerRules &t = EffectivePolicy::builtin().triggers();
        QCOMPARE(t.evaluateSeconds, 2);
        QStringList ids;
        for (const TriggerRule &r : t.rules)
            ids << r.id();
        QCOMPARE(ids, (QStringList{u"wrong-account"_s, u"duplicate-posts"_s, u"kill-switch-ignored"_s, u"queue-stuck"_s}));
        // The exact queries (a change to one is a change to what pages people).
        QCOMPARE(triggerQuery(ruleOf(u"wrong-account"_s)),
                 uR"((sum by (cohort) (increase(raize_side_effects_total{outcome="wrong_account"}[120s])) > 0) or )"
                 uR"((sum by (cohort) (raize_side_effects_total{outcome="wrong_account"} unless raize_side_effects_total{outcome="wrong_account"} offset 120s) > 0))"_s);
        QCOMPARE(triggerQuery(ruleOf(u"queue-stuck"_s)), u"max by (cohort, lane) (raize_queue_oldest_job_age_seconds) > 120"_s);
        // The kill switch counts only what happened after its grace, at least 10 s and at most the rule's window.
        QCOMPARE(triggerQuery(ruleOf(u"kill-switch-ignored"_s), 45),
                 uR"(sum by (cohort, lane) (increase(raize_side_effects_total{outcome="ok"}[45s])) > 0)"_s);
        QCOMPARE(triggerQuery(ruleOf(u"kill-switch-ignored"_s), 3), uR"(sum by (cohort, lane) (increase(raize_side_effects_total{outcome="ok"}[10s])) > 0)"_s);
        QCOMPARE(triggerQuery(ruleOf(u"kill-switch-ignored"_s), 900), uR"(sum by (cohort, lane) (increase(raize_side_effects_total{outcome="ok"}[120s])) > 0)"_s);
        // Burn-rate pages are the §7.1 P1 breaches of their SLO.
        QCOMPARE(t.pageTrigger(u"publish_success"_s), Trigger::PublishFailureBreach);
        QCOMPARE(t.pageTrigger(u"verification_ttv"_s), Trigger::VerificationFailureBreach);
        QCOMPARE(t.pageTrigger(u"http_errors"_s), Trigger::ElevatedErrors);
    }

    void refusedSections_data()
    {
        QTest::addColumn<QString>("section");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("reason");
        const QString ok = uR"({"trigger": "wrong-account", "kind": "counter", "metric": "m_total"})"_s;
        const auto rules = [&](const QString &extra) { return u"{\"rules\": [%1, %2]}"_s.arg(ok, extra); };
        QTest::newRow("not an object") << u"[]"_s << u"triggers"_s << u"must be an object"_s;
        QTest::newRow("unknown field") << u"{\"evaluate\": 5}"_s << u"triggers.evaluate"_s << u"is not a known field"_s;
        QTest::newRow("interval 0") << u"{\"evaluateSeconds\": 0}"_s << u"triggers.evaluateSeconds"_s << u"from 1 to 300"_s;
        QTest::newRow("unknown trigger") << rules(uR"({"trigger": "slow", "kind": "gauge", "metric": "m"})"_s) << u"triggers.rules[1].trigger"_s
                                         << u"§7.1 trigger"_s;
        QTest::newRow("security from a signal") << rules(uR"({"trigger": "security", "kind": "gauge", "metric": "m"})"_s)
                                                << u"triggers.rules[1].trigger"_s << u"raised by hand"_s;
        QTest::newRow("unknown kind") << rules(uR"({"trigger": "queue-stuck", "kind": "rate", "metric": "m"})"_s) << u"triggers.rules[1].kind"_s
                                      << u"counter, gauge or whileFlagOff"_s;
        QTest::newRow("an expression, not a selector") << rules(uR"x({"trigger": "queue-stuck", "kind": "gauge", "metric": "rate(m[5m])"})x"_s)
                                                       << u"triggers.rules[1].metric"_s << u"metric selector"_s;
        QTest::newRow("window too short") << rules(uR"({"trigger": "queue-stuck", "kind": "counter", "metric": "m", "window": "5s"})"_s)
                                          << u"triggers.rules[1].window"_s << u"from 10s to 1h"_s;
        QTest::newRow("negative threshold") << rules(uR"({"trigger": "queue-stuck", "kind": "gauge", "metric": "m", "threshold": -1})"_s)
                                            << u"triggers.rules[1].threshold"_s << u"≥ 0"_s;
        QTest::newRow("unknown label") << rules(uR"({"trigger": "queue-stuck", "kind": "gauge", "metric": "m", "by": ["pod"]})"_s)
                                       << u"triggers.rules[1].by"_s << u"cohort, lane, account or service"_s;
        QTest::newRow("kill switch without its flag") << rules(uR"({"trigger": "kill-switch-ignored", "kind": "whileFlagOff", "metric": "m"})"_s)
                                                      << u"triggers.rules[1].flag"_s << u"names the kill-switch flag"_s;
        QTest::newRow("a page as a P0") << u"{\"pages\": {\"publish_success\": \"wrong-account\"}}"_s << u"triggers.pages.publish_success"_s
                                        << u"P1 or P2"_s;
        // The floor (ADR 0017): a tenant may add or tighten rules, never stop detecting a P0.
        QTest::newRow("floor: drops a P0 rule") << rules(uR"({"trigger": "duplicate-posts", "kind": "counter", "metric": "d_total"})"_s)
                                                << u"triggers.rules"_s << u"drops the kill-switch-ignored rule"_s;
    }
    void refusedSections()
    {
        QFETCH(QString, section);
        QFETCH(QString, field);
        QFETCH(QString, reason);
        const Result<EffectivePolicy> p = withTriggers(section.toStdString());
        QVERIFY2(!p, "the bundle was accepted");
        QVERIFY2(p.error().message.contains(field), qPrintable(p.error().toString()));
        QVERIFY2(p.error().message.contains(reason), qPrintable(p.error().toString()));
    }

    void tenantMayTighten()
    {
        // The same P0 rules plus a stricter queue threshold: accepted, and the tenant's rules are the ones used.
        json rules = json::array();
        for (const TriggerRule &r : EffectivePolicy::builtin().triggers().rules) {
            json by = json::array();
            for (const QString &l : r.by)
                by.push_back(l.toStdString());
            json rule = {{"trigger", r.id().toStdString()},
                         {"kind", r.kind == TriggerRule::Kind::Counter ? "counter" : r.kind == TriggerRule::Kind::Gauge ? "gauge" : "whileFlagOff"},
                         {"metric", r.metric.toStdString()}, {"threshold", r.id() == u"queue-stuck"_s ? 60.0 : r.threshold}, {"by", by}};
            if (r.kind == TriggerRule::Kind::WhileFlagOff)
                rule["flag"] = r.flag.toStdString();
            rules.push_back(rule);
        }
        const Result<EffectivePolicy> p = withTriggers(json{{"rules", rules}}.dump());
        QVERIFY2(p, p ? "" : qPrintable(p.error().toString()));
        QCOMPARE(p->triggers().rules.size(), 4);
        QCOMPARE(p->triggers().rules.last().threshold, 60.0);
    }

    // Each rule against the simulator's own metrics; the control is the same scenario without its fault.
    void scenarioSignals_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<bool>("withFault");
        QTest::addColumn<QStringList>("alerts"); // the ids raised
        for (const auto &[scenario, rule, id] :
             {std::tuple{u"wrong-account"_s, u"wrong-account"_s, u"trigger:wrong-account:cohort=house"_s},
              {u"duplicate-posts"_s, u"duplicate-posts"_s, u"trigger:duplicate-posts:cohort=house"_s},
              {u"kill-switch-ignored"_s, u"kill-switch-ignored"_s, QString()},
              {u"queue-stuck"_s, u"queue-stuck"_s, u"trigger:queue-stuck:cohort=house,lane=api"_s}}) {
            QStringList expected = id.isEmpty() ? QStringList{u"trigger:kill-switch-ignored:cohort=house,lane=api"_s,
                                                               u"trigger:kill-switch-ignored:cohort=house,lane=browser"_s}
                                                : QStringList{id};
            if (rule == u"queue-stuck"_s) // the api lane of every cohort sticks (the fault names no cohort)
                expected = {u"trigger:queue-stuck:cohort=broad,lane=api"_s, u"trigger:queue-stuck:cohort=house,lane=api"_s,
                            u"trigger:queue-stuck:cohort=lowrisk,lane=api"_s};
            QTest::newRow(qPrintable(scenario)) << scenario << rule << true << expected;
            QTest::newRow(qPrintable(scenario + u"/control"_s)) << scenario << rule << false << QStringList();
        }
        // Each rule stays quiet on the other stories: a rule that fires on anything shows up here.
        QTest::newRow("wrong-account rule on duplicate-posts") << u"duplicate-posts"_s << u"wrong-account"_s << true << QStringList();
        QTest::newRow("duplicate rule on wrong-account") << u"wrong-account"_s << u"duplicate-posts"_s << true << QStringList();
        QTest::newRow("queue rule on kill-switch-ignored") << u"kill-switch-ignored"_s << u"queue-stuck"_s << true << QStringList();
    }
    void scenarioSignals()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, rule);
        QFETCH(bool, withFault);
        QFETCH(QStringList, alerts);
        const TriggerRule &r = ruleOf(rule);
        RaizeTest::ScenarioSim sim(scenarioFor(scenario, withFault), 1.78e9);
        if (r.kind == TriggerRule::Kind::WhileFlagOff) {
            QVERIFY(sim.setFlags({{r.flag, false}})); // the operator's kill switch
            sim.advance(r.graceSeconds);             // every SDK has seen it
        } else {
            sim.advance(10);
        }
        const auto before = sim.scrape();
        sim.advance(r.kind == TriggerRule::Kind::Gauge ? 180 : 60);
        const auto after = sim.scrape();
        const QString query = triggerQuery(r, 60);
        const qint64 now = qint64(sim.now() * 1000);
        const QList<Release::Alert> raised = triggerAlerts(r, query, answerFor(r, before, after), EffectivePolicy::builtin().cohorts(), {}, now);
        QStringList ids;
        for (const Release::Alert &a : raised)
            ids << a.id;
        QCOMPARE(ids, alerts);
        for (const Release::Alert &a : raised) {
            // The alert names the trigger, its evidence (query, value, since when) and the scope it affects.
            QCOMPARE(a.triggerId, rule);
            QCOMPARE(a.trigger, triggerName(r.trigger));
            QCOMPARE(a.severity, priorityName(priorityOf(r.trigger)));
            QCOMPARE(a.evidence.size(), 3);
            QCOMPARE(a.evidence[0], u"query: "_s + query);
            QVERIFY2(a.evidence[1].startsWith(u"value: "_s), qPrintable(a.evidence[1]));
            QVERIFY2(a.evidence[2].startsWith(u"since: "_s), qPrintable(a.evidence[2]));
            QCOMPARE(a.sinceMs, now);
            QVERIFY2(a.scope.startsWith(u"cohort "_s) && a.scope.contains(u"clients "_s), qPrintable(a.scope));
            if (priorityOf(r.trigger) == Priority::P0) {
                // §7.2: a P0 plan is global, and its signal answers §7.3 Q1 (yes) and Q3 (not isolated).
                QCOMPARE(a.planScope, u"global"_s);
                QCOMPARE(a.implies, (QStringList{u"side-effects-incorrect=yes"_s, u"isolated=no"_s}));
            } else if (a.id.contains(u"cohort=house"_s)) {
                // A P1 opens on its cohort's clients (the broad cohort is everyone else: global).
                QCOMPARE(a.planScope, u"client:house"_s);
                QCOMPARE(a.implies, QStringList{u"isolated=yes"_s});
            } else if (a.id.contains(u"cohort=broad"_s)) {
                QCOMPARE(a.planScope, u"global"_s);
            }
        }
    }

    void impliedAnswersLeaveTheOperatorsAlone()
    {
        Checklist mine;
        mine.isolatedToTenant = true; // the operator already answered Q3
        const Checklist c = impliedChecklist({u"side-effects-incorrect=yes"_s, u"isolated=no"_s}, mine);
        QCOMPARE(c.sideEffectsIncorrect, std::optional<bool>(true));
        QCOMPARE(c.isolatedToTenant, std::optional<bool>(true));
        QVERIFY(!c.flagsAloneStopHarm.has_value());
    }

    // The detector's rounds against a fake Prometheus, on a fake clock.
    void detectorRaisesClearsAndKeepsWhatItCannotRead()
    {
        Sandbox::FaultInjector faults(1);
        Sandbox::RequestLog log;
        Sandbox::HttpServer prom(u"prometheus"_s, &faults, &log);
        QHash<QString, json> answers; // rule metric fragment → result list
        int status = 200;
        QStringList asked;
        prom.route("POST", u"/api/v1/query"_s, [&](const Sandbox::HttpRequest &req, const QRegularExpressionMatch &) {
            // The console POSTs its queries as a form (query=<percent-encoded PromQL>).
            const QString q = QUrl::fromPercentEncoding(req.body.mid(req.body.indexOf("query=") + 6).split('&').first());
            asked << q;
            if (status != 200)
                return Sandbox::HttpResponse::json(status, {{"status", "error"}, {"errorType", "internal"}, {"error", "tsdb unavailable"}});
            json result = json::array();
            for (auto it = answers.cbegin(); it != answers.cend(); ++it) {
                if (q.contains(it.key()))
                    result = it.value();
            }
            return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}});
        });
        QVERIFY(prom.listen(0));
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setRetryPolicy({1, 10, 50, 1000});
        Services::PrometheusClient client(http, QUrl(prom.baseUrl()));
        ManualClock clock(QDateTime::fromSecsSinceEpoch(1'780'000'000, Qt::UTC));
        Release::AlertCenter center(clock);
        TriggerDetector detector(client, center, clock);
        detector.setRules(EffectivePolicy::builtin().triggers(), EffectivePolicy::builtin().cohorts());
        QSignalSpy raised(&center, &Release::AlertCenter::raised);
        QSignalSpy cleared(&center, &Release::AlertCenter::cleared);
        QSignalSpy rounds(&detector, &TriggerDetector::evaluated);
        const auto round = [&] {
            const int before = int(rounds.size());
            detector.evaluate();
            QTRY_COMPARE(int(rounds.size()), before + 1);
        };
        const json house = json::array({{{"metric", {{"cohort", "house"}}}, {"value", json::array({1780000000.0, "0.36"})}}});

        // Nothing wrong: no alert; the kill-switch rule is not asked while its flag was never seen off.
        round();
        QVERIFY(!center.hasActive());
        QCOMPARE(asked.size(), 3);
        // Onset: raised once, P0, global plan, with its evidence.
        answers.insert(u"wrong_account"_s, house);
        round();
        QCOMPARE(raised.size(), 1);
        const Release::AlertCenter::State *s = center.find(u"trigger:wrong-account:cohort=house"_s);
        QVERIFY(s);
        QCOMPARE(s->alert.severity, u"P0"_s);
        QCOMPARE(s->alert.planScope, u"global"_s);
        QCOMPARE(s->alert.sinceMs, clock.nowMs());
        QVERIFY2(s->alert.evidence[1].contains(u"0.36 events in the last 120 s"_s), qPrintable(s->alert.evidence.join(u" | "_s)));
        const qint64 onset = clock.nowMs();
        // Still there two seconds later: not raised again, onset kept.
        clock.advanceMs(2000);
        round();
        QCOMPARE(raised.size(), 1);
        QCOMPARE(center.find(u"trigger:wrong-account:cohort=house"_s)->alert.sinceMs, onset);
        // Prometheus fails: unknown is not a clear; the alert stays and the status says why.
        status = 500;
        clock.advanceMs(2000);
        round();
        QVERIFY(center.find(u"trigger:wrong-account:cohort=house"_s));
        QCOMPARE(cleared.size(), 0);
        QVERIFY2(detector.status().value(u"wrong-account"_s).startsWith(u"unknown: "_s), qPrintable(detector.status().value(u"wrong-account"_s)));
        // The signal clears: so does the alert; a new onset raises it again with its own time.
        status = 200;
        answers.remove(u"wrong_account"_s);
        round();
        QCOMPARE(cleared.size(), 1);
        QVERIFY(!center.hasActive());
        clock.advanceMs(60'000);
        answers.insert(u"wrong_account"_s, house);
        round();
        QCOMPARE(raised.size(), 2);
        QCOMPARE(center.find(u"trigger:wrong-account:cohort=house"_s)->alert.sinceMs, clock.nowMs());
        answers.remove(u"wrong_account"_s);
        round();

        // The kill switch: side effects count only after the flag has been off for its grace.
        answers.insert(u"outcome=\"ok\""_s, json::array({{{"metric", {{"cohort", "house"}, {"lane", "api"}}}, {"value", json::array({1780000000.0, "12"})}}}));
        Release::FlagSnapshot flags;
        flags.markFresh(clock.nowUtc());
        Services::FlagState ks;
        ks.key = u"publishing.enabled"_s;
        ks.enabled = false;
        flags.flags = {ks};
        detector.setFlags(flags);
        asked.clear();
        clock.advanceMs(20'000); // inside the 30 s grace: not asked
        round();
        QVERIFY(std::none_of(asked.cbegin(), asked.cend(), [](const QString &q) { return q.contains(u"outcome=\"ok\""_s); }));
        QVERIFY(!center.hasActive());
        clock.advanceMs(25'000); // 15 s after the grace: asked over those 15 s
        round();
        QVERIFY2(asked.contains(uR"(sum by (cohort, lane) (increase(raize_side_effects_total{outcome="ok"}[15s])) > 0)"_s), qPrintable(asked.join(u'\n')));
        QVERIFY(center.find(u"trigger:kill-switch-ignored:cohort=house,lane=api"_s));
        // The flag back on: nothing to respect, the alert clears.
        flags.flags[0].enabled = true;
        detector.setFlags(flags);
        round();
        QVERIFY(!center.hasActive());

        // Security suspicion: the operator's P0, global, until cleared by hand.
        detector.raiseSecuritySuspicion(u"ana"_s, u"a token leaked in a public gist"_s);
        const Release::AlertCenter::State *sec = center.find(u"trigger:security:manual"_s);
        QVERIFY(sec);
        QCOMPARE(sec->alert.severity, u"P0"_s);
        QCOMPARE(sec->alert.planScope, u"global"_s);
        QVERIFY(sec->alert.evidence.join(u' ').contains(u"a token leaked"_s));
        round(); // the signal rounds do not clear the operator's alert
        QVERIFY(center.find(u"trigger:security:manual"_s));
        detector.clearSecuritySuspicion();
        QVERIFY(!center.hasActive());
    }
};

QTEST_GUILESS_MAIN(TestTriggers)
#include "tst_triggers.moc"
