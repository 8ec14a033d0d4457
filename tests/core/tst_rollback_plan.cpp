// The rollback plan builder (issue #9, playbook §7) as a pure function:
// a row per trigger/checklist/scope combination, and the target rules.

#include "rollback/rollbackplan.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Rollback;

namespace {

constexpr qint64 kMin = 60000;

Inputs baseInputs()
{
    Inputs in;
    // The playbook's list (the effective policy hands the planner its own; test_effective_policy checks that path).
    in.policy.sideEffects.prefixes = {u"publishing."_s, u"engagement."_s, u"browser-lane."_s, u"tokens."_s};
    in.policy.sideEffectQueues = {u"runner"_s};
    in.vercelProjectId = u"prj_raize_web"_s;
    in.githubOwner = u"raize"_s;
    in.githubRepo = u"platform"_s;
    in.flags = {
        {u"publishing.scheduler-v2"_s, true, {u"house"_s}, {}, {}},
        {u"publishing.core"_s, true, {}, {}, {}},
        {u"engagement.auto-like"_s, true, {u"client-bloom"_s}, {}, {}},
        {u"browser-lane.instagram"_s, true, {}, {}, u"browser"_s},
        {u"engagement.off-already"_s, false, {}, {}, {}},
        {u"ui.new-calendar"_s, true, {}, {}, {}},
    };
    in.deployments = {
        {u"dpl_cand"_s, u"READY"_s, true, true, 100 * kMin, true, false, u"a1"_s},
        {u"dpl_good"_s, u"READY"_s, true, false, 50 * kMin, true, false, u"b2"_s},
        {u"dpl_older"_s, u"READY"_s, true, false, 10 * kMin, true, false, u"c3"_s},
        {u"dpl_stage"_s, u"READY"_s, false, false, 120 * kMin, true, false, u"d4"_s},
    };
    return in;
}

QStringList keysOf(const Plan &p, Step::Kind kind)
{
    QStringList out;
    for (const Step &s : p.steps) {
        if (s.kind == kind)
            out << s.target;
    }
    return out;
}

} // namespace

class TestRollbackPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void triggers_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("priority");
        QTest::newRow("wrong account") << u"wrong-account"_s << int(Priority::P0);
        QTest::newRow("duplicates") << u"duplicate-posts"_s << int(Priority::P0);
        QTest::newRow("kill switch") << u"kill-switch-ignored"_s << int(Priority::P0);
        QTest::newRow("security") << u"security"_s << int(Priority::P0);
        QTest::newRow("publish") << u"publish-failures"_s << int(Priority::P1);
        QTest::newRow("verification") << u"verification-failures"_s << int(Priority::P1);
        QTest::newRow("queue") << u"queue-stuck"_s << int(Priority::P1);
        QTest::newRow("errors") << u"elevated-errors"_s << int(Priority::P2);
        QTest::newRow("ui") << u"ui-regression"_s << int(Priority::P2);
    }
    void triggers()
    {
        QFETCH(QString, id);
        QFETCH(int, priority);
        const auto t = triggerFromId(id);
        QVERIFY(t.has_value());
        QCOMPARE(int(priorityOf(*t)), priority);
        QVERIFY(!triggerFromId(u"nonsense"_s));
    }

    void options_data()
    {
        QTest::addColumn<QString>("trigger");
        QTest::addColumn<int>("flagsAlone"); // -1 unknown, 0 no, 1 yes
        QTest::addColumn<int>("migrationMismatch");
        QTest::addColumn<bool>("withPlanLink");
        QTest::addColumn<int>("option");
        QTest::addColumn<bool>("executable");
        QTest::addColumn<bool>("immediate");
        // P0 is always an immediate rollback, flags first (§7.1).
        QTest::newRow("P0, flags would do") << u"wrong-account"_s << 1 << 0 << false << int(Plan::Option::B_InstantRollback) << true << true;
        QTest::newRow("P0, unknown") << u"duplicate-posts"_s << -1 << -1 << false << int(Plan::Option::B_InstantRollback) << true << true;
        QTest::newRow("P0, migration, no plan") << u"security"_s << 0 << 1 << false << int(Plan::Option::C_FullWithMigrations) << false << true;
        QTest::newRow("P0, migration, plan") << u"security"_s << 0 << 1 << true << int(Plan::Option::C_FullWithMigrations) << true << true;
        // P1: flags if they suffice, otherwise the deployment; unknown is cautious.
        QTest::newRow("P1, flags suffice") << u"publish-failures"_s << 1 << 0 << false << int(Plan::Option::A_Flags) << true << false;
        QTest::newRow("P1, flags do not") << u"publish-failures"_s << 0 << 0 << false << int(Plan::Option::B_InstantRollback) << true << false;
        QTest::newRow("P1, unknown") << u"queue-stuck"_s << -1 << 0 << false << int(Plan::Option::B_InstantRollback) << true << false;
        // P2: consider rollback: flags unless they do not help.
        QTest::newRow("P2, unknown") << u"elevated-errors"_s << -1 << -1 << false << int(Plan::Option::A_Flags) << true << false;
        QTest::newRow("P2, flags do not") << u"ui-regression"_s << 0 << 0 << false << int(Plan::Option::B_InstantRollback) << true << false;
    }
    void options()
    {
        QFETCH(QString, trigger);
        QFETCH(int, flagsAlone);
        QFETCH(int, migrationMismatch);
        QFETCH(bool, withPlanLink);
        QFETCH(int, option);
        QFETCH(bool, executable);
        QFETCH(bool, immediate);
        Inputs in = baseInputs();
        in.trigger = *triggerFromId(trigger);
        if (flagsAlone >= 0)
            in.checklist.flagsAloneStopHarm = flagsAlone == 1;
        if (migrationMismatch >= 0)
            in.checklist.migrationMismatch = migrationMismatch == 1;
        if (withPlanLink)
            in.migrationRollbackPlan = u"https://github.com/raize/platform/issues/77"_s;
        const Plan p = buildPlan(in);
        QCOMPARE(int(p.option), option);
        QCOMPARE(p.executable(), executable);
        QCOMPARE(p.immediate, immediate);
        // Step 1 is always the side-effect flags, in parallel, before anything else.
        QVERIFY(!p.steps.isEmpty());
        QCOMPARE(p.steps.first().kind, Step::Kind::DisableFlag);
        QCOMPARE(p.steps.first().group, 1);
        for (const Step &s : p.steps) {
            if (s.kind == Step::Kind::DisableFlag)
                QCOMPARE(s.group, 1);
        }
        const bool rollsBack = option != int(Plan::Option::A_Flags) && executable;
        QCOMPARE(keysOf(p, Step::Kind::InstantRollback), rollsBack ? QStringList{u"dpl_good"_s} : QStringList{});
        QCOMPARE(keysOf(p, Step::Kind::OpenIncident).size(), 1);
        QCOMPARE(p.steps.last().kind, Step::Kind::JournalEntry);
        if (option == int(Plan::Option::C_FullWithMigrations) && executable)
            QCOMPARE(keysOf(p, Step::Kind::MigrationGuide).size(), 1);
    }

    void flagsInScope_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QStringList>("ids");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QStringList>("expected");
        const QStringList all = {u"browser-lane.instagram"_s, u"engagement.auto-like"_s, u"publishing.core"_s, u"publishing.scheduler-v2"_s};
        QTest::newRow("global") << int(Scope::Kind::Global) << QStringList() << QString() << all;
        QTest::newRow("tenant house") << int(Scope::Kind::Tenant) << QStringList{u"house"_s} << QString()
                                      << QStringList{u"browser-lane.instagram"_s, u"publishing.core"_s, u"publishing.scheduler-v2"_s};
        QTest::newRow("tenant bloom") << int(Scope::Kind::Tenant) << QStringList{u"client-bloom"_s} << QString()
                                      << QStringList{u"browser-lane.instagram"_s, u"engagement.auto-like"_s, u"publishing.core"_s};
        QTest::newRow("api lane") << int(Scope::Kind::Lane) << QStringList() << u"api"_s
                                  << QStringList{u"engagement.auto-like"_s, u"publishing.core"_s, u"publishing.scheduler-v2"_s};
        QTest::newRow("browser lane") << int(Scope::Kind::Lane) << QStringList() << u"browser"_s << all;
    }
    void flagsInScope()
    {
        QFETCH(int, kind);
        QFETCH(QStringList, ids);
        QFETCH(QString, lane);
        QFETCH(QStringList, expected);
        Inputs in = baseInputs();
        in.trigger = Trigger::PublishFailureBreach;
        in.scope.kind = Scope::Kind(kind);
        in.scope.clientIds = ids;
        in.scope.lane = lane;
        const Plan p = buildPlan(in);
        // Only side-effect flags that are on, sorted; never ui.* or flags already off.
        QCOMPARE(keysOf(p, Step::Kind::DisableFlag), expected);
        for (const Step &s : p.steps) {
            if (s.kind == Step::Kind::DisableFlag) {
                // The intent, not a backend's call: off for the scope only (issue #16), global for a global plan.
                const auto *off = s.as<Raize::Services::ServeChange>();
                QVERIFY(off);
                QCOMPARE(off->flag, s.target);
                QCOMPARE(off->environment, u"production"_s);
                QVERIFY(!off->on);
                QVERIFY(off->scope == flagScopeOf(in.scope));
                QCOMPARE(off->scope.global(), Scope::Kind(kind) == Scope::Kind::Global);
                QCOMPARE(off->scope.clientIds, ids);
                QCOMPARE(off->scope.lane, lane);
                QVERIFY(s.calls.isEmpty()); // no renderer: the plan shows no call it would not send
            }
            if (s.kind == Step::Kind::ConfirmFlagsOff) {
                QCOMPARE(s.as<Raize::Services::ServedQuery>()->flags, expected);
                QVERIFY(s.as<Raize::Services::ServedQuery>()->scope == flagScopeOf(in.scope)); // read back for the scope
            }
        }
    }

    void targetRules_data()
    {
        QTest::addColumn<QString>("spoil"); // what is wrong with dpl_good
        QTest::addColumn<QString>("expected");
        QTest::newRow("fine") << QString() << u"dpl_good"_s;
        QTest::newRow("error state") << u"state"_s << u"dpl_older"_s;
        QTest::newRow("checks failed") << u"checks"_s << u"dpl_older"_s;
        QTest::newRow("deleted") << u"deleted"_s << u"dpl_older"_s;
        QTest::newRow("newer than current") << u"newer"_s << u"dpl_older"_s;
        QTest::newRow("incompatible migration since") << u"migration"_s << QString();
    }
    void targetRules()
    {
        QFETCH(QString, spoil);
        QFETCH(QString, expected);
        Inputs in = baseInputs();
        in.trigger = Trigger::WrongAccountSideEffect;
        DeploymentFact &good = in.deployments[1];
        if (spoil == u"state"_s)
            good.state = u"ERROR"_s;
        else if (spoil == u"checks"_s)
            good.checksPassed = false;
        else if (spoil == u"deleted"_s)
            good.deleted = true;
        else if (spoil == u"newer"_s)
            good.createdMs = 200 * kMin;
        else if (spoil == u"migration"_s)
            in.migrations = {{u"0042_drop_legacy_tokens"_s, 60 * kMin, false}}; // applied after both candidates were built
        const TargetChoice choice = chooseTarget(in);
        QCOMPARE(choice.target ? choice.target->id : QString(), expected);
        const Plan p = buildPlan(in);
        if (expected.isEmpty()) {
            // A backward-incompatible migration: no Option B target; Option C, refused without a migration plan.
            QVERIFY(choice.rejected.join(u' ').contains(u"0042_drop_legacy_tokens"_s));
            QCOMPARE(p.option, Plan::Option::C_FullWithMigrations);
            QVERIFY(!p.executable());
            QVERIFY2(p.refusals.join(u' ').contains(u"migration rollback plan"_s), qPrintable(p.refusals.join(u'\n')));
            QVERIFY(keysOf(p, Step::Kind::InstantRollback).isEmpty());
            // With the plan linked, C rolls back to the newest otherwise-safe target and guides the migration.
            in.migrationRollbackPlan = u"https://github.com/raize/platform/issues/77"_s;
            const Plan withPlan = buildPlan(in);
            QVERIFY(withPlan.executable());
            QCOMPARE(withPlan.rollbackTarget, u"dpl_good"_s);
            QCOMPARE(keysOf(withPlan, Step::Kind::MigrationGuide).size(), 1);
        } else {
            QCOMPARE(p.rollbackTarget, expected);
            if (!spoil.isEmpty())
                QVERIFY(!choice.rejected.isEmpty());
        }
    }

    void noTargetRefuses()
    {
        Inputs in = baseInputs();
        in.trigger = Trigger::WrongAccountSideEffect;
        in.deployments = {in.deployments.first()}; // only what serves now
        const Plan p = buildPlan(in);
        QVERIFY(!p.executable());
        QVERIFY(p.refusals.first().contains(u"no earlier production deployment"_s));
        // Even a refused plan still lists step 1: the flags can go off now.
        QCOMPARE(p.steps.first().kind, Step::Kind::DisableFlag);
    }

    void rollbackCallIsExact()
    {
        Inputs in = baseInputs();
        in.trigger = Trigger::WrongAccountSideEffect;
        in.reason = u"posted from client-bloom's account"_s;
        const Plan p = buildPlan(in);
        const auto it = std::find_if(p.steps.cbegin(), p.steps.cend(), [](const Step &s) { return s.kind == Step::Kind::InstantRollback; });
        QVERIFY(it != p.steps.cend());
        const auto *rb = it->as<InstantRollbackIntent>();
        QVERIFY(rb);
        QCOMPARE(rb->projectId, u"prj_raize_web"_s);
        QCOMPARE(rb->deploymentId, u"dpl_good"_s);
        QCOMPARE(rb->description, u"P0: wrong-account side effects — posted from client-bloom's account"_s);
        QVERIFY(!it->idempotent);
        QVERIFY(p.notes.join(u' ').contains(u"pinned"_s));
    }

    void deterministicDigest()
    {
        Inputs in = baseInputs();
        in.trigger = Trigger::PublishFailureBreach;
        const Plan a = buildPlan(in);
        std::reverse(in.flags.begin(), in.flags.end());
        std::reverse(in.deployments.begin(), in.deployments.end());
        const Plan b = buildPlan(in);
        QCOMPARE(a.digest, b.digest); // input order does not matter
        QCOMPARE(a.digest.size(), 64);
        for (FlagFact &f : in.flags) {
            if (f.key == u"publishing.core"_s)
                f.enabled = false;
        }
        QVERIFY(buildPlan(in).digest != a.digest); // any change to what would run changes it
    }
};

QTEST_GUILESS_MAIN(TestRollbackPlan)
#include "tst_rollback_plan.moc"
