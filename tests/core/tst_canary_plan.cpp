// One stage plan, two axes (issue #20, items 3–5): the policy's
// `rollout.deploymentAxis` (off by default, refused with its field when
// malformed, floors a tenant cannot loosen), the choice of axes from the
// project's rolling-release billing, and the verdict on one stage. Pure: no
// network, no clock.

#include "release/canaryplan.h"
#include "workspace/effectivepolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

Result<EffectivePolicy> withTenant(const json &deploymentAxis)
{
    const json tenant = {{"schema", "raize.policy"}, {"version", 1}, {"id", "tenant-test"}, {"rollout", {{"deploymentAxis", deploymentAxis}}}};
    return EffectivePolicy::build(Policy::builtinBundle(), EffectivePolicy::TenantLayer{u"tenant.json"_s, QByteArray::fromStdString(tenant.dump(2))});
}

// A test plan: three stages in seconds.
QList<CanaryStage> plan()
{
    return {{5, {u"house"_s}, 0.5}, {25, {u"house"_s, u"lowrisk"_s}, 0.5}, {100, {u"house"_s, u"lowrisk"_s, u"broad"_s}, 0}};
}

DeploymentAxisPolicy axisPolicy()
{
    DeploymentAxisPolicy p;
    p.enabled = true;
    p.slo = u"http_errors"_s;
    p.objective = 0.995;
    p.minRequests = 500;
    p.stages.insert(u"L3"_s, plan());
    return p;
}

} // namespace

Q_DECLARE_METATYPE(Raize::Release::StageVerdict::Kind)

class TestCanaryPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinIsOffWithPlans()
    {
        const DeploymentAxisPolicy axis = EffectivePolicy::builtin().deploymentAxis();
        QVERIFY(!axis.enabled);
        QVERIFY(!axis.autoAdvance);
        QCOMPARE(axis.slo, u"http_errors"_s);
        QCOMPARE(axis.objective, 0.995);
        QCOMPARE(axis.stages.value(u"L3"_s).size(), 4);
        QCOMPARE(axis.stages.value(u"L3"_s).last().trafficPercent, 100.0);
        QCOMPARE(describePlan(axis.stages.value(u"L3"_s)),
                 QStringList({u"stage 1: 5 % traffic, cohorts house, 30 min"_s, u"stage 2: 25 % traffic, cohorts house, lowrisk, 45 min"_s,
                              u"stage 3: 50 % traffic, cohorts house, lowrisk, 45 min"_s,
                              u"stage 4: 100 % traffic, cohorts house, lowrisk, broad, 0 s"_s}));
    }

    void tenantTurnsItOn()
    {
        const auto p = withTenant({{"enabled", true}, {"autoAdvance", true}, {"minRequests", 1000}});
        QVERIFY2(p.ok(), qPrintable(p.ok() ? QString() : p.error().toString()));
        QVERIFY(p->deploymentAxis().enabled);
        QVERIFY(p->deploymentAxis().autoAdvance);
        QCOMPARE(p->deploymentAxis().minRequests, 1000.0);
        QCOMPARE(p->deploymentAxis().stages.value(u"L2"_s).size(), 3); // the built-in's stages, merged
    }

    void invalidIsRefusedWithItsField_data()
    {
        QTest::addColumn<QByteArray>("axis");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("words");
        QTest::newRow("not an object") << QByteArray(R"(true)") << u"rollout.deploymentAxis"_s << u"object"_s;
        QTest::newRow("unknown key") << QByteArray(R"({"enable": true})") << u"rollout.deploymentAxis.enable"_s << u"unknown key"_s;
        QTest::newRow("enabled text") << QByteArray(R"({"enabled": "yes"})") << u"rollout.deploymentAxis.enabled"_s << u"true or false"_s;
        QTest::newRow("unknown slo") << QByteArray(R"({"enabled": true, "slo": "latency"})") << u"rollout.deploymentAxis.slo"_s << u"not an SLO"_s;
        QTest::newRow("level") << QByteArray(R"({"stages": {"L9": [{"trafficPercent": 100, "windowMinutes": 1}]}})")
                               << u"rollout.deploymentAxis.stages.L9"_s << u"release level"_s;
        QTest::newRow("not rising") << QByteArray(R"({"stages": {"L3": [{"trafficPercent": 50, "windowMinutes": 1}, {"trafficPercent": 25, "windowMinutes": 1}, {"trafficPercent": 100, "windowMinutes": 0}]}})")
                                    << u"rollout.deploymentAxis.stages.L3[1].trafficPercent"_s << u"rise"_s;
        QTest::newRow("not 100") << QByteArray(R"({"stages": {"L3": [{"trafficPercent": 5, "windowMinutes": 1}, {"trafficPercent": 50, "windowMinutes": 1}]}})")
                                 << u"rollout.deploymentAxis.stages.L3"_s << u"100 %"_s;
        QTest::newRow("unknown cohort") << QByteArray(R"({"stages": {"L3": [{"trafficPercent": 100, "cohorts": ["vip"], "windowMinutes": 0}]}})")
                                        << u"rollout.deploymentAxis.stages.L3[0].cohorts"_s << u"vip"_s;
        QTest::newRow("cohort dropped") << QByteArray(R"({"stages": {"L3": [{"trafficPercent": 5, "cohorts": ["house"], "windowMinutes": 1}, {"trafficPercent": 100, "cohorts": ["broad"], "windowMinutes": 0}]}})")
                                        << u"rollout.deploymentAxis.stages.L3[1].cohorts"_s << u"drops the cohort \"house\""_s;
        QTest::newRow("no window") << QByteArray(R"({"stages": {"L3": [{"trafficPercent": 100}]}})")
                                   << u"rollout.deploymentAxis.stages.L3[0].windowMinutes"_s << u"minutes"_s;
        // Floors (ADR 0017): a tenant may tighten the judgement, never loosen it.
        QTest::newRow("looser burn") << QByteArray(R"({"maxBurnRate": 3})") << u"rollout.deploymentAxis.maxBurnRate"_s << u"looser"_s;
        QTest::newRow("looser ratio") << QByteArray(R"({"maxCanaryToBaseline": 5})") << u"rollout.deploymentAxis.maxCanaryToBaseline"_s << u"looser"_s;
        QTest::newRow("later page") << QByteArray(R"({"pageBurnRate": 20})") << u"rollout.deploymentAxis.pageBurnRate"_s << u"looser"_s;
        QTest::newRow("fewer requests") << QByteArray(R"({"minRequests": 50})") << u"rollout.deploymentAxis.minRequests"_s << u"enough data"_s;
        // Evidence (issue #20 item 4): friction and smoke checks, shaped and floored.
        QTest::newRow("friction not an object") << QByteArray(R"({"friction": 0.01})") << u"rollout.deploymentAxis.friction"_s << u"{maxRatio, minCount}"_s;
        QTest::newRow("friction unknown key") << QByteArray(R"({"friction": {"max": 0.01}})") << u"rollout.deploymentAxis.friction.max"_s << u"unknown key"_s;
        QTest::newRow("friction ratio of 1") << QByteArray(R"({"friction": {"maxRatio": 1}})") << u"rollout.deploymentAxis.friction.maxRatio"_s << u"under 1"_s;
        QTest::newRow("friction count fraction") << QByteArray(R"({"friction": {"minCount": 2.5}})") << u"rollout.deploymentAxis.friction.minCount"_s
                                                 << u"whole number"_s;
        QTest::newRow("friction looser ratio") << QByteArray(R"({"friction": {"maxRatio": 0.01}})") << u"rollout.deploymentAxis.friction.maxRatio"_s
                                               << u"no enforcement friction"_s;
        QTest::newRow("friction later hold") << QByteArray(R"({"friction": {"minCount": 50}})") << u"rollout.deploymentAxis.friction.minCount"_s
                                             << u"looser"_s;
        QTest::newRow("smoke not a list") << QByteArray(R"({"smokeChecks": "smoke/dry-run-publish"})") << u"rollout.deploymentAxis.smokeChecks"_s
                                          << u"list of check names"_s;
        QTest::newRow("smoke empty name") << QByteArray(R"({"smokeChecks": ["smoke/plan-create-schedule", ""]})")
                                          << u"rollout.deploymentAxis.smokeChecks[1]"_s << u"check run or commit status"_s;
        QTest::newRow("smoke check dropped") << QByteArray(R"({"smokeChecks": ["smoke/plan-create-schedule", "smoke/dry-run-publish"]})")
                                             << u"rollout.deploymentAxis.smokeChecks"_s << u"smoke/verification-job"_s;
    }

    // A tenant may hold sooner and ask for more smoke checks.
    void tenantTightensTheEvidence()
    {
        const auto p = withTenant({{"friction", {{"maxRatio", 0.001}, {"minCount", 2}}},
                                   {"smokeChecks", {"smoke/plan-create-schedule", "smoke/dry-run-publish", "smoke/verification-job", "smoke/dm-send"}}});
        QVERIFY2(p.ok(), qPrintable(p.ok() ? QString() : p.error().toString()));
        QCOMPARE(p->deploymentAxis().friction, (FrictionPolicy{0.001, 2}));
        QCOMPARE(p->deploymentAxis().smokeChecks.size(), 4);
        const DeploymentAxisPolicy builtin = EffectivePolicy::builtin().deploymentAxis();
        QCOMPARE(builtin.friction, (FrictionPolicy{0.002, 5}));
        QCOMPARE(builtin.smokeChecks, QStringList({u"smoke/plan-create-schedule"_s, u"smoke/dry-run-publish"_s, u"smoke/verification-job"_s}));
    }
    void invalidIsRefusedWithItsField()
    {
        QFETCH(QByteArray, axis);
        QFETCH(QString, field);
        QFETCH(QString, words);
        const auto p = withTenant(json::parse(axis.toStdString()));
        QVERIFY2(!p.ok(), "the bundle must be refused");
        QVERIFY2(p.error().fieldPath == field || p.error().message.contains(field), qPrintable(p.error().fieldPath + u" | "_s + p.error().toString()));
        QVERIFY2(p.error().toString().contains(words), qPrintable(p.error().toString()));
    }

    void chooseAxes_data()
    {
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("level");
        QTest::addColumn<int>("billing"); // 0: unread, 1: yes, 2: no
        QTest::addColumn<bool>("deployment");
        QTest::addColumn<QString>("words");
        QTest::newRow("policy off") << false << u"L3"_s << 1 << false << u"rollout.deploymentAxis.enabled"_s;
        QTest::newRow("no stages for level") << true << u"L1"_s << 1 << false << u"no deployment stages for L1"_s;
        QTest::newRow("billing unread") << true << u"L3"_s << 0 << false << u"could not be read (vercel: HTTP 500)"_s;
        QTest::newRow("billing no") << true << u"L3"_s << 2 << false << u"billing says no (plan_not_supported: Rolling Releases are available on Pro"_s;
        QTest::newRow("both axes") << true << u"L3"_s << 1 << true << u"deployment and flag axes"_s;
    }
    void chooseAxes()
    {
        QFETCH(bool, enabled);
        QFETCH(QString, level);
        QFETCH(int, billing);
        QFETCH(bool, deployment);
        QFETCH(QString, words);
        DeploymentAxisPolicy p = axisPolicy();
        p.enabled = enabled;
        std::optional<BillingFacts> facts;
        if (billing == 1)
            facts = BillingFacts{true, u"available_slots"_s, u"2 slots available."_s};
        else if (billing == 2)
            facts = BillingFacts{false, u"plan_not_supported"_s, u"Rolling Releases are available on Pro and Enterprise plans."_s};
        const AxisChoice c = Release::chooseAxes(p, level, facts, u"vercel: HTTP 500"_s);
        QCOMPARE(c.deploymentAxis, deployment);
        QVERIFY2(c.reason.contains(words), qPrintable(c.reason));
        if (!deployment)
            QVERIFY(c.reason.startsWith(u"flag-only canary"_s));
    }

    void judgeStage_data()
    {
        QTest::addColumn<int>("stage");
        QTest::addColumn<double>("elapsed");
        QTest::addColumn<double>("canaryReq");
        QTest::addColumn<double>("canaryErr");
        QTest::addColumn<double>("baseReq");
        QTest::addColumn<double>("baseErr");
        QTest::addColumn<double>("cohortReq");
        QTest::addColumn<double>("cohortErr");
        QTest::addColumn<StageVerdict::Kind>("kind");
        QTest::addColumn<int>("next");
        QTest::addColumn<bool>("page");
        QTest::addColumn<QString>("words");
        using K = StageVerdict::Kind;
        // budget 0.5 %: burn 1× = 0.5 % errors
        QTest::newRow("healthy, window over") << 0 << 31.0 << 600.0 << 0.3 << 12000.0 << 6.0 << 900.0 << 0.0 << K::Advance << 1 << false << u"inside the policy"_s;
        QTest::newRow("healthy, window running") << 0 << 10.0 << 600.0 << 0.3 << 12000.0 << 6.0 << 900.0 << 0.0 << K::Wait << -1 << false << u"20 s"_s;
        QTest::newRow("too few canary requests") << 0 << 31.0 << 100.0 << 0.0 << 12000.0 << 6.0 << 900.0 << 0.0 << K::NotEnoughData << -1 << false << u"100 of 500"_s;
        QTest::newRow("too few cohort requests") << 0 << 31.0 << 600.0 << 0.0 << 12000.0 << 6.0 << 20.0 << 0.0 << K::NotEnoughData << -1 << false << u"cohort house: 20 of 500"_s;
        // 20 % errors = burn 40×: holds and pages, whatever the window.
        QTest::newRow("bad canary pages") << 0 << 5.0 << 600.0 << 120.0 << 12000.0 << 6.0 << 900.0 << 0.0 << K::Hold << -1 << true << u"burns 40.0×"_s;
        // 0.8 % errors = burn 1.6×: over the policy, under the page.
        QTest::newRow("slow burn holds") << 0 << 31.0 << 1000.0 << 8.0 << 12000.0 << 6.0 << 900.0 << 0.0 << K::Hold << -1 << false << u"burns 1.6×"_s;
        // 0.4 % vs the baseline's 0.05 %: inside the budget but 8× the current deployment.
        QTest::newRow("worse than baseline") << 0 << 31.0 << 1000.0 << 4.0 << 12000.0 << 6.0 << 900.0 << 0.0 << K::Hold << -1 << false << u"over 2×"_s;
        QTest::newRow("cohort burns") << 1 << 31.0 << 1000.0 << 0.0 << 12000.0 << 6.0 << 900.0 << 9.0 << K::Hold << -1 << false << u"cohort house burns 2.0×"_s;
        // A burn with too few requests to judge is not a hold: not enough data.
        QTest::newRow("few requests, all errors") << 0 << 31.0 << 10.0 << 10.0 << 12000.0 << 6.0 << 900.0 << 0.0 << K::NotEnoughData << -1 << false << u"10 of 500"_s;
        QTest::newRow("last stage") << 2 << 0.0 << 12600.0 << 6.0 << 0.0 << 0.0 << 900.0 << 0.0 << K::Done << -1 << false << u"stage 3 of 3"_s;
        QTest::newRow("second stage advances") << 1 << 30.0 << 3000.0 << 1.0 << 9000.0 << 4.0 << 900.0 << 0.0 << K::Advance << 2 << false << u"30 s"_s;
    }
    void judgeStage()
    {
        QFETCH(int, stage);
        QFETCH(double, elapsed);
        QFETCH(double, canaryReq);
        QFETCH(double, canaryErr);
        QFETCH(double, baseReq);
        QFETCH(double, baseErr);
        QFETCH(double, cohortReq);
        QFETCH(double, cohortErr);
        QFETCH(StageVerdict::Kind, kind);
        QFETCH(int, next);
        QFETCH(bool, page);
        QFETCH(QString, words);
        StageFacts f;
        f.stageIndex = stage;
        f.elapsedSeconds = elapsed;
        f.canary = {u"canary dpl_canary"_s, canaryReq, canaryErr};
        f.baseline = {u"baseline dpl_cand"_s, baseReq, baseErr};
        const QList<CanaryStage> stages = plan();
        for (const QString &c : stages.at(stage).cohorts)
            f.cohorts.append({u"cohort "_s + c, cohortReq, c == u"house"_s ? cohortErr : 0.0});
        f.friction = FrictionFacts{}; // read: none counted
        const StageVerdict v = Release::judgeStage(axisPolicy(), plan(), f);
        QCOMPARE(StageVerdict::kindName(v.kind), StageVerdict::kindName(kind));
        QCOMPARE(v.nextStage, next);
        QCOMPARE(v.page, page);
        QVERIFY2(v.reasons.join(u'\n').contains(words), qPrintable(v.reasons.join(u'\n')));
    }

    // Enforcement friction (§6.2 Phase C) on a stage that is otherwise inside the policy with its window over:
    // held with the evidence over the policy's ratio with at least its minimum count; at the ratio, or under
    // the count, it advances; unread or unreadable friction is "not enough data", never an advance.
    void frictionHolds_data()
    {
        QTest::addColumn<double>("rateLimits"); // house, in the 1,000 publish attempts of the stage
        QTest::addColumn<double>("checkpoints");
        QTest::addColumn<int>("read");          // 0: not read, 1: read, 2: Prometheus failed
        QTest::addColumn<StageVerdict::Kind>("kind");
        QTest::addColumn<QString>("words");
        using K = StageVerdict::Kind;
        // Policy: over 0.2 % of attempts, at least 5 events. 1,000 attempts: 2 events is the ratio exactly.
        QTest::newRow("none") << 0.0 << 0.0 << 1 << K::Advance << u"inside the policy"_s;
        QTest::newRow("under the count, over the ratio") << 4.0 << 0.0 << 1 << K::Advance << u"inside the policy"_s;
        QTest::newRow("at the count, over the ratio") << 5.0 << 0.0 << 1 << K::Hold
                                                      << u"house: rate limits — 5 in 1000 publish attempts (0.50 %; the policy holds over 0.20 % with at least 5), most on acct-house-ig (api lane): 5"_s;
        QTest::newRow("checkpoints hold too") << 0.0 << 6.0 << 1 << K::Hold << u"house: checkpoints — 6 in 1000 publish attempts (0.60 %"_s;
        QTest::newRow("at the ratio with a lower count") << 2.0 << 2.0 << 1 << K::Advance << u"inside the policy"_s;
        QTest::newRow("not read") << 0.0 << 0.0 << 0 << K::NotEnoughData << u"enforcement friction — not read"_s;
        QTest::newRow("Prometheus failed") << 0.0 << 0.0 << 2 << K::NotEnoughData
                                           << u"Prometheus could not answer (prometheus: HTTP 429 — rate limited): unknown friction is not \"none\""_s;
    }
    void frictionHolds()
    {
        QFETCH(double, rateLimits);
        QFETCH(double, checkpoints);
        QFETCH(int, read);
        QFETCH(StageVerdict::Kind, kind);
        QFETCH(QString, words);
        StageFacts f;
        f.stageIndex = 0;
        f.elapsedSeconds = 31;
        f.canary = {u"canary dpl_canary"_s, 600, 0.3};
        f.baseline = {u"baseline dpl_cand"_s, 12000, 6};
        f.cohorts = {{u"cohort house"_s, 1000, 0}};
        if (read > 0) {
            FrictionFacts facts;
            facts.sinceMs = Q_INT64_C(1800000000000);
            facts.queries = {u"q-rate-limits"_s, u"q-checkpoints"_s};
            if (read == 2)
                facts.error = u"prometheus: HTTP 429 — rate limited"_s;
            else
                facts.counts = {{u"house"_s, u"rate limit"_s, rateLimits, u"acct-house-ig (api lane): %1"_s.arg(rateLimits)},
                                {u"house"_s, u"checkpoint"_s, checkpoints, u"acct-house-x (browser lane): %1"_s.arg(checkpoints)}};
            f.friction = facts;
        }
        const StageVerdict v = Release::judgeStage(axisPolicy(), plan(), f);
        QCOMPARE(StageVerdict::kindName(v.kind), StageVerdict::kindName(kind));
        QVERIFY(!v.page);
        QVERIFY2(v.reasons.join(u'\n').contains(words), qPrintable(v.reasons.join(u'\n')));
        if (read == 1) {
            // One row per cohort and kind, each with the query it came from and the time it counts from.
            QCOMPARE(v.evidence.size(), 2);
            QCOMPARE(v.evidence.at(0).query, u"q-rate-limits"_s);
            QCOMPARE(v.evidence.at(1).query, u"q-checkpoints"_s);
            QCOMPARE(v.evidence.at(0).since, u"2027-01-15T08:00:00Z"_s);
            QVERIFY2(v.evidence.at(0).line().contains(u"[query: q-rate-limits]"_s), qPrintable(v.evidence.at(0).line()));
        }
    }

    // The staging smoke checks the policy names, as judged from what GitHub reported on the canary's commit.
    void smokeRows_data()
    {
        QTest::addColumn<QString>("state");     // of smoke/dry-run-publish: success, failure, pending, missing; "unread", "error"
        QTest::addColumn<QString>("row");       // ok, hold, unknown
        QTest::addColumn<StageVerdict::Kind>("kind");
        QTest::addColumn<QString>("words");
        using K = StageVerdict::Kind;
        QTest::newRow("passed") << u"success"_s << u"ok"_s << K::Advance << u"passed on commit c0ffee0 (dpl_canary)"_s;
        QTest::newRow("failed") << u"failure"_s << u"hold"_s << K::Hold << u"failed on commit c0ffee0 (dpl_canary) (timed_out)"_s;
        QTest::newRow("missing") << u"missing"_s << u"hold"_s << K::Hold << u"missing on commit c0ffee0 (dpl_canary)"_s;
        QTest::newRow("running") << u"pending"_s << u"unknown"_s << K::NotEnoughData << u"still running on commit c0ffee0 (dpl_canary) (in_progress)"_s;
        QTest::newRow("GitHub could not answer") << u"error"_s << u"unknown"_s << K::NotEnoughData
                                                 << u"unknown on commit c0ffee0 (dpl_canary): github: HTTP 502 — bad gateway — never a pass"_s;
        QTest::newRow("not read") << u"unread"_s << u"unknown"_s << K::NotEnoughData << u"not read: a smoke check nobody read is not a pass"_s;
    }
    void smokeRows()
    {
        QFETCH(QString, state);
        QFETCH(QString, row);
        QFETCH(StageVerdict::Kind, kind);
        QFETCH(QString, words);
        DeploymentAxisPolicy p = axisPolicy();
        p.smokeChecks = {u"smoke/dry-run-publish"_s};
        StageFacts f;
        f.stageIndex = 0;
        f.elapsedSeconds = 31;
        f.canary = {u"canary dpl_canary"_s, 600, 0.3};
        f.baseline = {u"baseline dpl_cand"_s, 12000, 6};
        f.cohorts = {{u"cohort house"_s, 1000, 0}};
        f.friction = FrictionFacts{};
        if (state != u"unread"_s) {
            SmokeFacts smoke;
            smoke.commit = u"c0ffee00112233445566778899aabbccddeeff00"_s;
            smoke.deployment = u"dpl_canary"_s;
            smoke.checks << SmokeCheck{u"build"_s, u"success"_s, u"success"_s, u"https://github.com/raize/platform/runs/1"_s};
            if (state == u"error"_s)
                smoke.error = u"github: HTTP 502 — bad gateway"_s;
            else if (state != u"missing"_s)
                smoke.checks << SmokeCheck{u"Smoke/Dry-Run-Publish"_s, state,
                                           state == u"failure"_s ? u"timed_out"_s : state == u"pending"_s ? u"in_progress"_s : u"success"_s,
                                           u"https://github.com/raize/platform/runs/2"_s};
            f.smoke = smoke;
        }
        const StageVerdict v = Release::judgeStage(p, plan(), f);
        QCOMPARE(StageVerdict::kindName(v.kind), StageVerdict::kindName(kind));
        const auto smokeRow = std::find_if(v.evidence.cbegin(), v.evidence.cend(), [](const StageEvidence &e) { return e.kind == u"smoke"_s; });
        QVERIFY(smokeRow != v.evidence.cend());
        QCOMPARE(StageEvidence::stateName(smokeRow->state), row);
        QVERIFY2(smokeRow->detail.contains(words), qPrintable(smokeRow->line()));
        // A check found carries its page (the operator's next click); a missing one has none to give.
        QCOMPARE(smokeRow->url.isEmpty(), state == u"missing"_s || state == u"error"_s || state == u"unread"_s);
        if (kind == StageVerdict::Kind::Hold)
            QVERIFY2(v.reasons.join(u'\n').contains(u"smoke check \"smoke/dry-run-publish\""_s), qPrintable(v.reasons.join(u'\n')));
    }

    void smokeState_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("conclusion");
        QTest::addColumn<QString>("state");
        QTest::newRow("check run success") << u"completed"_s << u"success"_s << u"success"_s;
        QTest::newRow("check run failure") << u"completed"_s << u"failure"_s << u"failure"_s;
        QTest::newRow("check run neutral") << u"completed"_s << u"neutral"_s << u"failure"_s;
        QTest::newRow("check run cancelled") << u"completed"_s << u"cancelled"_s << u"failure"_s;
        QTest::newRow("check run queued") << u"queued"_s << QString() << u"pending"_s;
        QTest::newRow("status success") << QString() << u"success"_s << u"success"_s;
        QTest::newRow("status pending") << QString() << u"pending"_s << u"pending"_s;
        QTest::newRow("status error") << QString() << u"error"_s << u"failure"_s;
    }
    void smokeState()
    {
        QFETCH(QString, status);
        QFETCH(QString, conclusion);
        QFETCH(QString, state);
        QCOMPARE(Release::smokeState(status, conclusion), state);
    }
};

QTEST_GUILESS_MAIN(TestCanaryPlan)
#include "tst_canary_plan.moc"
