// Auto-pacing (issue #8, part 6): the pure decision (state + recommendation →
// next action), the change a stage makes to a flag, and the AutoPacer on an
// in-memory flag service: armed + "expand allowed" changes exactly the next
// stage's flags through the toggle matrix's path, audited and read back;
// stopped, it sends nothing; a page alert or a failed change stops it.

#include "release/autopacer.h"
#include "release/autopacing.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"

#include "policy/policybundle.h"

#include "fakes/memoryflagservice.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;

namespace {

const QString Flag = u"publishing.scheduler-v2"_s;

Policy::Bundle bundle(bool autoPacing)
{
    Policy::Bundle b = Policy::builtinBundle();
    b.doc["canary"]["autoPacing"] = autoPacing;
    return b;
}

RolloutPlan plan()
{
    const Policy::Bundle b = bundle(true);
    const auto cohorts = cohortsFromPolicy(b);
    const auto rollout = rolloutFromPolicy(b, *cohorts);
    return *planRelease(*rollout, *cohorts, u"L3"_s, {Flag});
}

Recommendation rec(Recommendation::Kind kind, int next, const QString &headline)
{
    Recommendation r;
    r.kind = kind;
    r.nextStage = next;
    r.headline = headline;
    return r;
}

Services::FlagState flagOn(const QString &key, const Services::FlagScope &scope)
{
    Services::FlagState f;
    f.key = key;
    f.environment = u"production"_s;
    f.enabled = true;
    Services::FlagStrategy s;
    s.id = u"s1"_s;
    s.scope = scope;
    f.strategies = {s};
    return f;
}

} // namespace

Q_DECLARE_METATYPE(Raize::Release::AutoPacingAction::Kind)

class TestAutoPacing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinPolicyKeepsItOff()
    {
        const Policy::Bundle b = Policy::builtinBundle();
        const auto cohorts = cohortsFromPolicy(b);
        QVERIFY(cohorts.ok());
        const auto rollout = rolloutFromPolicy(b, *cohorts);
        QVERIFY(rollout.ok());
        QVERIFY(!rollout->autoPacing);
    }

    void decide_data()
    {
        QTest::addColumn<bool>("armed");
        QTest::addColumn<bool>("policyAllows");
        QTest::addColumn<bool>("policyChanged");
        QTest::addColumn<bool>("pageAlert");
        QTest::addColumn<int>("stage");
        QTest::addColumn<int>("inFlightStage");
        QTest::addColumn<int>("recKind"); // Recommendation::Kind
        QTest::addColumn<int>("recNext");
        QTest::addColumn<QString>("headline");
        QTest::addColumn<AutoPacingAction::Kind>("expected");
        QTest::addColumn<int>("expectedStage");
        QTest::addColumn<QString>("reasonContains");

        const int expand = int(Recommendation::Kind::ExpandAllowed), wait = int(Recommendation::Kind::Wait),
                  blocked = int(Recommendation::Kind::Blocked);
        using K = AutoPacingAction::Kind;
        QTest::newRow("not armed: never expands") << false << true << false << false << 1 << -1 << expand << 2 << u"expand allowed"_s
                                                  << K::Idle << -1 << u"not armed"_s;
        QTest::newRow("policy turned it off") << true << false << false << false << 1 << -1 << expand << 2 << u"expand allowed"_s << K::Stop
                                              << -1 << u"canary.autoPacing"_s;
        QTest::newRow("policy or cohorts changed") << true << true << true << false << 1 << -1 << expand << 2 << u"expand allowed"_s
                                                   << K::Stop << -1 << u"changed"_s;
        QTest::newRow("page alert beats expand allowed") << true << true << false << true << 1 << -1 << expand << 2 << u"expand allowed"_s
                                                         << K::Stop << -1 << u"page-level burn alert"_s;
        QTest::newRow("change in flight: wait for read-back") << true << true << false << false << 1 << 2 << expand << 2
                                                              << u"expand allowed"_s << K::Wait << 2 << u"read-back"_s;
        QTest::newRow("last stage: done") << true << true << false << false << 3 << -1 << blocked << -1 << u"blocked because last"_s
                                          << K::Stop << -1 << u"last stage"_s;
        QTest::newRow("never skips a stage") << true << true << false << false << 1 << -1 << expand << 3 << u"expand allowed"_s << K::Stop
                                             << -1 << u"never skips"_s;
        QTest::newRow("no SLO data read yet: wait") << true << true << false << false << 1 << -1 << blocked << -1
                                                   << u"blocked because no SLO data has been read yet"_s << K::Wait << 2 << u"no SLO data"_s;
        QTest::newRow("expand allowed: exactly the next stage") << true << true << false << false << 1 << -1 << expand << 2
                                                                << u"expand allowed to low-risk"_s << K::Expand << 2 << u"expand allowed"_s;
        QTest::newRow("observation window") << true << true << false << false << 1 << -1 << wait << 2 << u"wait 75 min before X"_s << K::Wait
                                            << 2 << u"wait 75 min"_s;
        QTest::newRow("not enough data never expands")
            << true << true << false << false << 1 << -1 << blocked << 2
            << u"blocked because there is not enough data to call Production: house accounts healthy"_s << K::Wait << 2 << u"not enough data"_s;
        QTest::newRow("operator confirmation is required")
            << true << true << false << false << 1 << -1 << blocked << 2 << u"blocked because the operator has not confirmed: no enforcement friction"_s
            << K::Wait << 2 << u"has not confirmed: no enforcement friction"_s;
        QTest::newRow("a burn blocks: wait") << true << true << false << false << 1 << -1 << blocked << 2
                                             << u"blocked because the error budget burns too fast"_s << K::Wait << 2 << u"burns too fast"_s;
    }

    void decide()
    {
        QFETCH(bool, armed);
        QFETCH(bool, policyAllows);
        QFETCH(bool, policyChanged);
        QFETCH(bool, pageAlert);
        QFETCH(int, stage);
        QFETCH(int, inFlightStage);
        QFETCH(int, recKind);
        QFETCH(int, recNext);
        QFETCH(QString, headline);
        QFETCH(AutoPacingAction::Kind, expected);
        QFETCH(int, expectedStage);
        QFETCH(QString, reasonContains);
        AutoPacingState s;
        s.armed = armed;
        s.stage = stage;
        s.inFlightStage = inFlightStage;
        AutoPacingInputs in;
        in.policyAllows = policyAllows;
        in.policyChanged = policyChanged;
        if (pageAlert)
            in.pageAlerts << u"House accounts: Publish success: page 14.4× 1h/5m fired"_s;
        in.recommendation = rec(Recommendation::Kind(recKind), recNext, headline);
        const AutoPacingAction a = decideAutoPacing(s, in, 4);
        QCOMPARE(AutoPacingAction::kindName(a.kind), AutoPacingAction::kindName(expected));
        QCOMPARE(a.stage, expectedStage);
        QVERIFY2(a.reason.contains(reasonContains), qPrintable(a.reason));
    }

    void stageChangeAddsTheNextCohort()
    {
        const RolloutPlan p = plan();
        const PlannedStage &house = p.stages[1], &lowrisk = p.stages[2], &broad = p.stages[3];
        // On for the house accounts → house and the low-risk clients: the earlier stage stays exposed.
        const ToggleChange c = planStageChange(flagOn(Flag, house.scope), lowrisk, u"production"_s);
        QVERIFY(c.refusal.isEmpty());
        QVERIFY(c.scopeChanges);
        QVERIFY(c.widens);
        QCOMPARE(c.scopeAfter.clientIds, (QStringList{u"house"_s, u"client-bloom"_s, u"client-fjord"_s}));
        QCOMPARE(c.scopeAfter.platformAccountIds,
                 (QStringList{u"acct-house-ig"_s, u"acct-house-x"_s, u"acct-bloom-ig"_s, u"acct-fjord-li"_s}));
        // → broad: global.
        const ToggleChange g = planStageChange(flagOn(Flag, c.scopeAfter), broad, u"production"_s);
        QVERIFY(g.scopeAfter.global());
        QVERIFY(g.scopeChanges);
        // Off: exactly the stage's scope.
        Services::FlagState off = flagOn(Flag, {});
        off.enabled = false;
        off.strategies.clear();
        const ToggleChange o = planStageChange(off, lowrisk, u"production"_s);
        QCOMPARE(o.scopeAfter, lowrisk.scope);
        QVERIFY(o.enabledAfter && !o.enabledBefore);
        // `cohort IN [house]` (the sandbox's canary) → `cohort IN [house, lowrisk]`.
        Services::FlagScope byCohort;
        byCohort.cohorts = {u"house"_s};
        const ToggleChange k = planStageChange(flagOn(Flag, byCohort), lowrisk, u"production"_s);
        QVERIFY2(k.refusal.isEmpty(), qPrintable(k.refusal));
        QCOMPARE(k.scopeAfter.cohorts, (QStringList{u"house"_s, u"lowrisk"_s}));
        QVERIFY(k.scopeAfter.clientIds.isEmpty());
        // One lane of the house accounts: the service ANDs dimensions, one strategy cannot add the clients.
        Services::FlagScope laned = house.scope;
        laned.lane = u"api"_s;
        QVERIFY(!planStageChange(flagOn(Flag, laned), lowrisk, u"production"_s).refusal.isEmpty());
        // Two strategies: not a scope the console edits.
        Services::FlagState two = flagOn(Flag, house.scope);
        two.strategies << two.strategies.first();
        QVERIFY(!planStageChange(two, lowrisk, u"production"_s).refusal.isEmpty());
    }

    void statusSaysWhoWhenNextAndWhy()
    {
        const RolloutPlan p = plan();
        AutoPacingState s;
        s.armed = true;
        s.actor = u"ada"_s;
        s.armedAtMs = QDateTime(QDate(2026, 11, 25), QTime(23, 40), Qt::UTC).toMSecsSinceEpoch();
        s.stage = 1;
        const QString text = autoPacingStatus(s, {AutoPacingAction::Kind::Wait, 2, u"the observation window (wait 75 min)"_s}, p);
        QCOMPARE(text, u"Auto-pacing: armed by ada at 2026-11-25 23:40 UTC, next: Production: low-risk clients, waiting for the observation window (wait 75 min)"_s);
        s.armed = false;
        s.stopReason = u"stopped by ada"_s;
        QCOMPARE(autoPacingStatus(s, {}, p), u"Auto-pacing: stopped: stopped by ada."_s);
    }

    void armingPlanSaysExactlyWhatChanges()
    {
        Services::FlagScope byCohort;
        byCohort.cohorts = {u"house"_s};
        const QStringList lines = AutoPacer::armingPlan(plan(), 1, {flagOn(Flag, byCohort)}, u"production"_s);
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines[0].startsWith(u"stage 3 — Production: low-risk clients, in production: turn on publishing.scheduler-v2 for clients"_s), qPrintable(lines[0]));
        QCOMPARE(lines[1], u"    publishing.scheduler-v2 in production: ON for cohorts house → ON for cohorts house, lowrisk"_s);
        QVERIFY2(lines[2].startsWith(u"stage 4 — Production: broad rollout, in production: turn on publishing.scheduler-v2 for everyone (global)"_s), qPrintable(lines[2]));
        QCOMPARE(lines[3], u"    publishing.scheduler-v2 in production: ON for cohorts house, lowrisk → ON for global"_s);
    }

    // The AutoPacer on an in-memory flag service.
    void armRefusedWhenPolicyOff()
    {
        Fixture f;
        const Status s = f.pacer.arm(plan(), false, 1, {Flag}, {}, u"production"_s, u"ada"_s, 0);
        QVERIFY(!s);
        QVERIFY(!f.pacer.armed());
        QVERIFY(f.audit.records.isEmpty());
        // Not armed: "expand allowed" sends nothing.
        f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s)), f.service.flags);
        QTest::qWait(50);
        QVERIFY(f.service.calls.isEmpty());
    }

    void armedExpandsExactlyTheNextStage()
    {
        Fixture f;
        QVERIFY(f.pacer.arm(plan(), true, 1, {Flag}, {}, u"production"_s, u"ada"_s, 1000).ok());
        QCOMPARE(f.audit.actions(), QStringList{u"autopacing.armed"_s});
        QCOMPARE(f.audit.records.first().actor, u"ada"_s);
        // Waiting: nothing is sent.
        f.pacer.step(f.inputs(rec(Recommendation::Kind::Wait, 2, u"wait 30 min before Production: low-risk clients"_s)), f.service.flags);
        QVERIFY(f.pacer.statusText().contains(u"waiting for the observation window"_s));
        QVERIFY(f.service.calls.isEmpty());

        QSignalSpy advanced(&f.pacer, &AutoPacer::stageAdvanced);
        const AutoPacingAction a = f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s)), f.service.flags);
        QCOMPARE(AutoPacingAction::kindName(a.kind), AutoPacingAction::kindName(AutoPacingAction::Kind::Expand));
        QCOMPARE(f.pacer.state().inFlightStage, 2);
        // While in flight, another "expand allowed" sends nothing more.
        f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s)), f.service.flags);
        QTRY_COMPARE(advanced.size(), 1);
        QCOMPARE(advanced.first().at(0).toInt(), 2);
        QCOMPARE(f.pacer.state().stage, 2);
        QCOMPARE(f.service.calls,
                 QStringList{u"setScope %1 production clients house, client-bloom, client-fjord · platform accounts acct-house-ig, acct-house-x, acct-bloom-ig, acct-fjord-li"_s.arg(Flag)});
        QCOMPARE(f.audit.actions(), (QStringList{u"autopacing.armed"_s, u"autopacing.expand"_s, u"flag.toggle.requested"_s,
                                                 u"flag.toggle.confirmed"_s, u"autopacing.stage-confirmed"_s}));
        QCOMPARE(QString::fromStdString(f.audit.records[2].after.value("origin", std::string())), u"auto-pacing"_s);
    }

    void stopSendsNothingFurther()
    {
        Fixture f;
        QVERIFY(f.pacer.arm(plan(), true, 1, {Flag}, {}, u"production"_s, u"ada"_s, 1000).ok());
        f.pacer.stop(u"stopped by ada"_s, u"ada"_s);
        QVERIFY(!f.pacer.armed());
        QCOMPARE(f.audit.actions().last(), u"autopacing.stopped"_s);
        QCOMPARE(f.audit.records.last().reason, u"stopped by ada"_s);
        const AutoPacingAction a = f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s)), f.service.flags);
        QCOMPARE(AutoPacingAction::kindName(a.kind), AutoPacingAction::kindName(AutoPacingAction::Kind::Idle));
        QTest::qWait(50);
        QVERIFY(f.service.calls.isEmpty());
        QCOMPARE(f.pacer.statusText(), u"Auto-pacing: stopped: stopped by ada."_s);
    }

    void stopWhileInFlightLetsItFinishAndReports()
    {
        Fixture f;
        QVERIFY(f.pacer.arm(plan(), true, 1, {Flag}, {}, u"production"_s, u"ada"_s, 1000).ok());
        f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s)), f.service.flags);
        f.pacer.stop(u"stopped by ada"_s, u"ada"_s);
        QTRY_VERIFY(f.pacer.lastReport().startsWith(u"Confirmed by read-back"_s));
        QCOMPARE(f.service.calls.size(), 1);
        QVERIFY(!f.pacer.armed());
        // The release is where the flags are: in stage 3.
        QCOMPARE(f.pacer.state().stage, 2);
        f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 3, u"expand allowed"_s)), f.service.flags);
        QTest::qWait(50);
        QCOMPARE(f.service.calls.size(), 1);
    }

    void pageAlertStopsItself()
    {
        Fixture f;
        QVERIFY(f.pacer.arm(plan(), true, 1, {Flag}, {}, u"production"_s, u"ada"_s, 1000).ok());
        AutoPacingInputs in = f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s));
        in.pageAlerts << u"House accounts: Publish success: page 14.4× 1h/5m fired"_s;
        const AutoPacingAction a = f.pacer.step(in, f.service.flags);
        QCOMPARE(AutoPacingAction::kindName(a.kind), AutoPacingAction::kindName(AutoPacingAction::Kind::Stop));
        QVERIFY(!f.pacer.armed());
        QCOMPARE(f.audit.actions().last(), u"autopacing.stopped"_s);
        QCOMPARE(f.audit.records.last().actor, u"console"_s);
        QVERIFY(f.audit.records.last().reason.startsWith(u"page-level burn alert: House accounts"_s));
        QVERIFY(f.service.calls.isEmpty());
    }

    void failedChangeStopsItself()
    {
        Fixture f;
        f.service.failWrites = true;
        QVERIFY(f.pacer.arm(plan(), true, 1, {Flag}, {}, u"production"_s, u"ada"_s, 1000).ok());
        f.pacer.step(f.inputs(rec(Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s)), f.service.flags);
        QTRY_VERIFY(!f.pacer.armed());
        QVERIFY2(f.pacer.state().stopReason.contains(u"HTTP 500"_s), qPrintable(f.pacer.state().stopReason));
        QCOMPARE(f.pacer.state().stage, 1);
        QCOMPARE(f.audit.actions(), (QStringList{u"autopacing.armed"_s, u"autopacing.expand"_s, u"flag.toggle.requested"_s,
                                                 u"flag.toggle.failed"_s, u"autopacing.stopped"_s}));
    }

    void noAuditNoChange()
    {
        Fixture f;
        f.audit.refuse = true;
        QVERIFY(!f.pacer.arm(plan(), true, 1, {Flag}, {}, u"production"_s, u"ada"_s, 1000));
        QVERIFY(!f.pacer.armed());
    }

private:
    struct Fixture
    {
        RaizeTest::MemoryFlagService service;
        RaizeTest::MemoryAudit audit;
        FlagPoller poller{service, u"production"_s, 60000};
        FlagChangeRunner runner;
        AutoPacer pacer{&runner};

        Fixture()
        {
            service.flags = {flagOn(Flag, plan().stages[1].scope)};
            runner.setService(&service, &poller, &audit);
            pacer.setAudit(&audit);
            QSignalSpy first(&poller, &FlagPoller::updated);
            poller.refresh();
            first.wait(2000);
        }
        AutoPacingInputs inputs(const Recommendation &r) const
        {
            AutoPacingInputs in;
            in.policyAllows = true;
            in.recommendation = r;
            return in;
        }
    };
};

QTEST_GUILESS_MAIN(TestAutoPacing)
#include "tst_auto_pacing.moc"
