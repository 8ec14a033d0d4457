// The rollback plan builder (issue #9, playbook §7) as a pure function:
// a row per trigger/checklist/scope combination, and the target rules.

#include "rollback/rollbackfacts.h"
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

// The plan's stages in order, one word each, a group's steps once ("flags confirm incident milestone:flags-off ...").
QString stagesOf(const Plan &p)
{
    QStringList out;
    int lastGroup = -1;
    for (const Step &s : p.steps) {
        QString word;
        switch (s.kind) {
        case Step::Kind::DisableFlag: word = u"flags"_s; break;
        case Step::Kind::ConfirmFlagsOff: word = u"confirm"_s; break;
        case Step::Kind::InstantRollback: word = u"rollback"_s; break;
        case Step::Kind::ConfirmProduction: word = u"production"_s; break;
        case Step::Kind::PostCheck: word = u"checks"_s; break;
        case Step::Kind::OpenIncident: word = u"incident"_s; break;
        case Step::Kind::JournalEntry: word = u"journal"_s; break;
        case Step::Kind::MigrationGuide: word = u"guide"_s; break;
        case Step::Kind::OpenPostmortem: word = u"postmortem"_s; break;
        case Step::Kind::IncidentMilestone: word = u"milestone:"_s + milestoneId(s.as<MilestoneIntent>()->milestone); break;
        }
        if (s.group != lastGroup)
            out << word;
        else if (out.last() != word)
            out.last() += u"+"_s + word; // two kinds in one group
        lastGroup = s.group;
    }
    return out.join(u' ');
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
        QTest::addColumn<bool>("rollsBack");
        // P0 is always an immediate rollback, flags first (§7.1).
        QTest::newRow("P0, flags would do") << u"wrong-account"_s << 1 << 0 << false << int(Plan::Option::B_InstantRollback) << true << true << true;
        QTest::newRow("P0, unknown") << u"duplicate-posts"_s << -1 << -1 << false << int(Plan::Option::B_InstantRollback) << true << true << true;
        // Option B refused for the migration; a P0 still turns its flags off (issue #16, item 9) and withholds the code rollback.
        QTest::newRow("P0, migration, no plan") << u"security"_s << 0 << 1 << false << int(Plan::Option::B_InstantRollback) << true << true << false;
        QTest::newRow("P0, migration, plan") << u"security"_s << 0 << 1 << true << int(Plan::Option::C_FullWithMigrations) << true << true << true;
        // P1: flags if they suffice, otherwise the deployment; unknown is cautious.
        QTest::newRow("P1, flags suffice") << u"publish-failures"_s << 1 << 0 << false << int(Plan::Option::A_Flags) << true << false << false;
        QTest::newRow("P1, flags do not") << u"publish-failures"_s << 0 << 0 << false << int(Plan::Option::B_InstantRollback) << true << false << true;
        QTest::newRow("P1, unknown") << u"queue-stuck"_s << -1 << 0 << false << int(Plan::Option::B_InstantRollback) << true << false << true;
        QTest::newRow("P1, migration, no plan") << u"publish-failures"_s << 0 << 1 << false << int(Plan::Option::B_InstantRollback) << false << false << false;
        // P2: consider rollback: flags unless they do not help.
        QTest::newRow("P2, unknown") << u"elevated-errors"_s << -1 << -1 << false << int(Plan::Option::A_Flags) << true << false << false;
        QTest::newRow("P2, flags do not") << u"ui-regression"_s << 0 << 0 << false << int(Plan::Option::B_InstantRollback) << true << false << true;
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
        QFETCH(bool, rollsBack);
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
        QCOMPARE(keysOf(p, Step::Kind::InstantRollback), rollsBack ? QStringList{u"dpl_good"_s} : QStringList{});
        if (migrationMismatch == 1 && !withPlanLink) {
            // Option B refused, saying why and what makes Option C reachable.
            const QString why = (p.refusals + p.withheld).join(u' ');
            QVERIFY2(why.contains(u"Option B refused"_s) && why.contains(u"--migration-plan"_s), qPrintable(why));
            QCOMPARE(p.withheld.isEmpty(), !immediate);
        }
        QCOMPARE(keysOf(p, Step::Kind::OpenIncident).size(), 1);
        QCOMPARE(keysOf(p, Step::Kind::OpenPostmortem).size(), 1);
        QCOMPARE(p.steps.last().kind, Step::Kind::JournalEntry);
        if (option == int(Plan::Option::C_FullWithMigrations) && executable)
            QCOMPARE(keysOf(p, Step::Kind::MigrationGuide).size(), 1);
        // Issue #19 item 6: the flags first; the incident right after they are confirmed off; a milestone
        // comment on it after each stage (effective only when the code goes back); each its own group.
        const bool guide = option == int(Plan::Option::C_FullWithMigrations) && executable;
        const QString expected = u"flags confirm incident milestone:flags-off "_s + (guide ? u"guide "_s : QString())
                                 + (rollsBack ? u"rollback production milestone:effective "_s : QString())
                                 + u"checks milestone:checks postmortem journal"_s;
        QCOMPARE(stagesOf(p), expected);
        for (const Step &s : p.steps) {
            if (s.kind == Step::Kind::IncidentMilestone) {
                QVERIFY(!s.idempotent); // a comment: asked of GitHub before it is posted again
                QCOMPARE(s.target, milestoneId(s.as<MilestoneIntent>()->milestone));
            }
        }
    }

    // No side-effect flag on in scope: nothing went off, so no flags-off milestone; the incident comes first.
    void noFlagsNoFlagsOffMilestone()
    {
        Inputs in = baseInputs();
        for (FlagFact &f : in.flags)
            f.enabled = false;
        in.trigger = Trigger::UiRegression;
        in.checklist.flagsAloneStopHarm = false;
        const Plan p = buildPlan(in);
        QCOMPARE(stagesOf(p), u"incident rollback production milestone:effective checks milestone:checks postmortem journal"_s);
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
            // A backward-incompatible migration: no Option B target; the P0's code rollback is withheld, its flags still go off.
            QVERIFY(choice.rejected.join(u' ').contains(u"0042_drop_legacy_tokens"_s));
            QCOMPARE(p.option, Plan::Option::B_InstantRollback);
            QVERIFY(p.executable());
            QVERIFY2(p.withheld.join(u' ').contains(u"0042_drop_legacy_tokens"_s), qPrintable(p.withheld.join(u'\n')));
            QVERIFY(keysOf(p, Step::Kind::InstantRollback).isEmpty());
            QVERIFY(!keysOf(p, Step::Kind::DisableFlag).isEmpty());
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

    // §7.3: every question decides something (issue #16, item 6).
    void checklist_data()
    {
        QTest::addColumn<QString>("trigger");
        QTest::addColumn<QString>("scope");     // "global" or "client:client-bloom"
        QTest::addColumn<int>("sideEffects");   // Q1: -1 unknown, 0 no, 1 yes
        QTest::addColumn<int>("isolated");      // Q3
        QTest::addColumn<QString>("priority");
        QTest::addColumn<QStringList>("disabled");
        QTest::addColumn<QString>("note");
        const QStringList all = {u"browser-lane.instagram"_s, u"engagement.auto-like"_s, u"publishing.core"_s, u"publishing.scheduler-v2"_s};
        const QStringList bloom = {u"browser-lane.instagram"_s, u"engagement.auto-like"_s, u"publishing.core"_s};
        QTest::newRow("Q1 yes: a P1 takes the P0 path") << u"publish-failures"_s << u"global"_s << 1 << -1 << u"P0"_s << all << u"§7.3 Q1"_s;
        QTest::newRow("Q1 no: a P0 trigger stays P0") << u"wrong-account"_s << u"global"_s << 0 << -1 << u"P0"_s << all << u"stays"_s;
        QTest::newRow("Q1 unknown: the trigger's priority") << u"publish-failures"_s << u"global"_s << -1 << -1 << u"P1"_s << all << QString();
        QTest::newRow("Q3 no: the scope widens to global") << u"publish-failures"_s << u"client:client-bloom"_s << -1 << 0 << u"P1"_s << all
                                                           << u"§7.3 Q3: the failure is not isolated"_s;
        QTest::newRow("Q3 yes: the scope stays") << u"publish-failures"_s << u"client:client-bloom"_s << -1 << 1 << u"P1"_s << bloom << QString();
        QTest::newRow("Q3 unknown: the operator's scope") << u"publish-failures"_s << u"client:client-bloom"_s << -1 << -1 << u"P1"_s << bloom << QString();
        QTest::newRow("Q3 yes without a scope: global, said") << u"publish-failures"_s << u"global"_s << -1 << 1 << u"P1"_s << all
                                                              << u"no scope was named"_s;
    }
    void checklist()
    {
        QFETCH(QString, trigger);
        QFETCH(QString, scope);
        QFETCH(int, sideEffects);
        QFETCH(int, isolated);
        QFETCH(QString, priority);
        QFETCH(QStringList, disabled);
        QFETCH(QString, note);
        Inputs in = baseInputs();
        in.trigger = *triggerFromId(trigger);
        if (scope != u"global"_s) {
            in.scope.kind = Scope::Kind::Tenant;
            in.scope.clientIds = {scope.section(u':', 1)};
        }
        if (sideEffects >= 0)
            in.checklist.sideEffectsIncorrect = sideEffects == 1;
        if (isolated >= 0)
            in.checklist.isolatedToTenant = isolated == 1;
        const Plan p = buildPlan(in);
        QCOMPARE(priorityName(p.priority), priority);
        QCOMPARE(p.immediate, priority == u"P0"_s);
        QCOMPARE(keysOf(p, Step::Kind::DisableFlag), disabled);
        if (!note.isEmpty())
            QVERIFY2(p.notes.join(u'\n').contains(note), qPrintable(p.notes.join(u'\n')));
    }

    // §7.3 Q4 and Option B/C with the migration source's answer (issue #16, item 7).
    void migrationSource_data()
    {
        QTest::addColumn<QString>("trigger");
        QTest::addColumn<QString>("source"); // incompatible, compatible, unknown
        QTest::addColumn<int>("q4");         // -1 unknown, 0 no, 1 yes
        QTest::addColumn<bool>("linked");
        QTest::addColumn<int>("option");
        QTest::addColumn<bool>("rollsBack");
        QTest::addColumn<QString>("says"); // in the refusals, withheld or notes
        const int B = int(Plan::Option::B_InstantRollback), C = int(Plan::Option::C_FullWithMigrations);
        const QString file = u"db/migrations/0042_drop_legacy_schedule.sql"_s;
        QTest::newRow("incompatible: B refused, named") << u"publish-failures"_s << u"incompatible"_s << -1 << false << B << false << file;
        QTest::newRow("incompatible, Q4 no: the stricter wins") << u"publish-failures"_s << u"incompatible"_s << 0 << false << B << false
                                                                << u"the stricter answer wins"_s;
        QTest::newRow("incompatible, linked plan: C") << u"publish-failures"_s << u"incompatible"_s << -1 << true << C << true
                                                      << u"https://github.com/raize/platform/issues/77"_s;
        QTest::newRow("incompatible, P0: flags go off, B withheld") << u"wrong-account"_s << u"incompatible"_s << -1 << false << B << false << file;
        QTest::newRow("compatible: B") << u"publish-failures"_s << u"compatible"_s << -1 << false << B << true << u"migrations since dpl_good"_s;
        QTest::newRow("unknown, P1: refused until Q4 is answered") << u"publish-failures"_s << u"unknown"_s << -1 << false << B << false
                                                                   << u"--migration-mismatch no"_s;
        QTest::newRow("unknown, P1, Q4 no: B") << u"publish-failures"_s << u"unknown"_s << 0 << false << B << true << u"answered §7.3 Q4 no"_s;
        QTest::newRow("unknown, P0: goes ahead, says unknown") << u"wrong-account"_s << u"unknown"_s << -1 << false << B << true << u"UNKNOWN"_s;
    }
    void migrationSource()
    {
        QFETCH(QString, trigger);
        QFETCH(QString, source);
        QFETCH(int, q4);
        QFETCH(bool, linked);
        QFETCH(int, option);
        QFETCH(bool, rollsBack);
        QFETCH(QString, says);
        Inputs in = baseInputs();
        in.trigger = *triggerFromId(trigger);
        in.checklist.flagsAloneStopHarm = false;
        if (q4 >= 0)
            in.checklist.migrationMismatch = q4 == 1;
        if (linked)
            in.migrationRollbackPlan = u"https://github.com/raize/platform/issues/77"_s;
        MigrationCheck check;
        check.deploymentId = u"dpl_good"_s;
        check.base = u"b2"_s;
        check.head = u"a1"_s;
        if (source == u"unknown"_s) {
            check.error = u"github: HTTP 502 on compare"_s;
        } else {
            Raize::Release::MigrationReport r;
            r.base = check.base;
            r.head = check.head;
            Raize::Release::MigrationFile f;
            f.path = u"db/migrations/0042_drop_legacy_schedule.sql"_s;
            f.status = u"added"_s;
            f.compatibility = source == u"incompatible"_s ? Raize::Release::Compatibility::Incompatible : Raize::Release::Compatibility::Compatible;
            f.reason = u"marker"_s;
            r.files = {f};
            check.report = r;
        }
        in.migrationCheck = check;
        const Plan p = buildPlan(in);
        QCOMPARE(int(p.option), option);
        QCOMPARE(keysOf(p, Step::Kind::InstantRollback), rollsBack ? QStringList{u"dpl_good"_s} : QStringList());
        const QString all = (p.refusals + p.withheld + p.notes).join(u'\n');
        QVERIFY2(all.contains(says), qPrintable(all));
        // A P0 is never blocked: its flags-off is executable whatever the migration source says (item 9).
        if (priorityOf(in.trigger) == Priority::P0)
            QVERIFY(p.executable());
        else
            QCOMPARE(p.executable(), rollsBack);
        if (option == int(Plan::Option::C_FullWithMigrations)) {
            const auto guide = std::find_if(p.steps.cbegin(), p.steps.cend(), [](const Step &s) { return s.kind == Step::Kind::MigrationGuide; });
            QVERIFY(guide != p.steps.cend());
            QCOMPARE(guide->as<RecordIntent>()->link, in.migrationRollbackPlan);
            // Recorded before the code goes back; the console never runs migrations.
            QVERIFY(guide->group < std::find_if(p.steps.cbegin(), p.steps.cend(), [](const Step &s) { return s.kind == Step::Kind::InstantRollback; })->group);
        }
    }

    // A P0 whose deployments could not be read still turns its flags off, and says what is unknown (item 9).
    void p0NotBlockedByWhatItCannotRead()
    {
        Inputs in = baseInputs();
        in.trigger = Trigger::DuplicatePosts;
        in.deployments.clear();
        in.unknown = {u"Vercel: connection refused"_s};
        const Plan p = buildPlan(in);
        QVERIFY(p.executable());
        QCOMPARE(keysOf(p, Step::Kind::DisableFlag).size(), 4);
        QVERIFY(keysOf(p, Step::Kind::InstantRollback).isEmpty());
        QVERIFY2(p.withheld.join(u' ').contains(u"unknown: Vercel: connection refused"_s), qPrintable(p.withheld.join(u'\n')));
        // The same for a P1 refuses: only a P0 goes ahead without the answer.
        in.trigger = Trigger::PublishFailureBreach;
        QVERIFY(!buildPlan(in).executable());
        // What was withheld survives the journal (and is part of the digest).
        const Raize::Result<Plan> back = Plan::fromJson(p.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->withheld, p.withheld);
        QCOMPARE(back->digest, p.digest);
    }

    // §7.5 checks in the scope (issue #16, item 8): the queues of the scope, verification where it is still served.
    void postChecksFollowTheScope_data()
    {
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QString>("queue");
        QTest::addColumn<QString>("verification");
        QTest::addColumn<int>("window");
        QTest::newRow("global") << u"global"_s << u"sum by (cohort, lane) (raize_queue_depth{service=\"runner\"})"_s
                                << u"sum(increase(raize_verification_seconds_bucket{le=\"60\"}[${since}s])) / sum(increase(raize_verification_seconds_count[${since}s]))"_s
                                << 0;
        QTest::newRow("client house") << u"client:house"_s << u"sum by (cohort, lane) (raize_queue_depth{cohort=~\"house\",service=\"runner\"})"_s
                                      << u"sum(increase(raize_verification_seconds_bucket{le=\"60\",cohort!~\"house\"}[${since}s])) / sum(increase(raize_verification_seconds_count{cohort!~\"house\"}[${since}s]))"_s
                                      << 30;
        QTest::newRow("browser lane") << u"lane:browser"_s << u"sum by (cohort, lane) (raize_queue_depth{lane=\"browser\",service=\"runner\"})"_s
                                      << u"sum(increase(raize_verification_seconds_bucket{le=\"60\",lane!=\"browser\"}[${since}s])) / sum(increase(raize_verification_seconds_count{lane!=\"browser\"}[${since}s]))"_s
                                      << 30;
    }
    void postChecksFollowTheScope()
    {
        QFETCH(QString, scope);
        QFETCH(QString, queue);
        QFETCH(QString, verification);
        QFETCH(int, window);
        Inputs in = baseInputs();
        in.trigger = Trigger::PublishFailureBreach;
        in.scope = parseScope(scope).value();
        Raize::Release::Cohort house;
        house.id = u"house"_s;
        house.clientIds = {u"house"_s};
        in.cohorts = {house};
        const Plan p = buildPlan(in);
        QStringList queries;
        int windowSeen = -1;
        for (const Step &s : p.steps) {
            if (const auto *c = s.as<PromCheckIntent>()) {
                queries << c->promql;
                if (c->expect == PromCheckIntent::Expect::RatioAtObjective) {
                    windowSeen = c->windowSeconds;
                    QCOMPARE(c->scopeServed.isEmpty(), window == 0); // global: nothing in scope is still served
                }
            }
        }
        QCOMPARE(queries, (QStringList{queue, verification}));
        QCOMPARE(windowSeen, window);
        // The intents round-trip through the journal.
        const Raize::Result<Plan> back = Plan::fromJson(p.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->digest, p.digest);
    }

    void noTargetRefuses()
    {
        Inputs in = baseInputs();
        in.trigger = Trigger::WrongAccountSideEffect;
        in.deployments = {in.deployments.first()}; // only what serves now
        // A P0 still turns its flags off and withholds the code rollback, saying why (issue #16, item 9).
        const Plan p0 = buildPlan(in);
        QVERIFY(p0.executable());
        QVERIFY(p0.withheld.first().contains(u"no earlier production deployment"_s));
        QCOMPARE(p0.steps.first().kind, Step::Kind::DisableFlag);
        in.trigger = Trigger::PublishFailureBreach;
        in.checklist.flagsAloneStopHarm = false;
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
