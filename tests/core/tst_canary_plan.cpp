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
        const StageVerdict v = Release::judgeStage(axisPolicy(), plan(), f);
        QCOMPARE(StageVerdict::kindName(v.kind), StageVerdict::kindName(kind));
        QCOMPARE(v.nextStage, next);
        QCOMPARE(v.page, page);
        QVERIFY2(v.reasons.join(u'\n').contains(words), qPrintable(v.reasons.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestCanaryPlan)
#include "tst_canary_plan.moc"
