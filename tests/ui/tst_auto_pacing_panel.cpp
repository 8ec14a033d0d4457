// Auto-pacing in the SLOs view (issue #8, part 6), offscreen, on an
// in-memory flag service: with the built-in policy (canary.autoPacing off)
// there is nothing to arm and nothing expands; armed, "expand allowed"
// changes exactly the next stage's flags through the toggle matrix's runner,
// audited, and advances the stage; "Stop auto-pacing" sends nothing further;
// a page alert and a policy change stop it by themselves.

#include "canary/canarymatrix.h"
#include "slo/autopacingpanel.h"
#include "slo/sloview.h"
#include "widgets/confirmation.h"

#include "policy/policybundle.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"

#include "fakes/memoryflagservice.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

const QString Flag = u"publishing.scheduler-v2"_s;

Policy::Bundle bundle(bool autoPacing)
{
    Policy::Bundle b = Policy::builtinBundle();
    b.doc["canary"]["autoPacing"] = autoPacing;
    return b;
}

QList<Release::Cohort> cohorts()
{
    return *Release::cohortsFromPolicy(Policy::builtinBundle());
}

Release::RolloutPlan plan()
{
    const auto rollout = Release::rolloutFromPolicy(bundle(true), cohorts());
    return *Release::planRelease(*rollout, cohorts(), u"L3"_s, {});
}

Release::Recommendation rec(Release::Recommendation::Kind kind, int next, const QString &headline)
{
    Release::Recommendation r;
    r.kind = kind;
    r.nextStage = next;
    r.headline = headline;
    return r;
}

// The sandbox's canary: on for `cohort IN [house]`.
Services::FlagState houseCanary()
{
    Services::FlagState f;
    f.key = Flag;
    f.environment = u"production"_s;
    f.enabled = true;
    f.type = u"release"_s;
    Services::FlagStrategy s;
    s.id = u"s1"_s;
    s.name = u"flexibleRollout"_s;
    s.scope.cohorts = {u"house"_s};
    f.strategies = {s};
    return f;
}

struct Rig
{
    RaizeTest::MemoryFlagService service;
    RaizeTest::MemoryAudit audit;
    Release::FlagPoller poller{service, u"production"_s, 60000};
    Ui::CanaryMatrix matrix;

    Rig()
    {
        service.flags = {houseCanary()};
        matrix.setService(&service, &poller, u"production"_s, &audit);
        QSignalSpy first(&poller, &Release::FlagPoller::updated);
        poller.refresh();
        first.wait(2000);
    }
};

} // namespace

class TestAutoPacingPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        Ui::Confirmation::resetHook();
    }

    void policyOffNoButtonNoExpansion()
    {
        Rig rig;
        Ui::SloView view;
        view.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        view.setSources(nullptr, nullptr, &rig.poller);
        QVERIFY(view.setPolicy(Policy::builtinBundle()).ok());
        view.show();
        auto *arm = view.findChild<QPushButton *>(u"autoPacingArmButton"_s);
        QVERIFY(arm);
        QVERIFY(!arm->isVisibleTo(&view));
        QVERIFY(!view.findChild<QPushButton *>(u"autoPacingStopButton"_s)->isVisibleTo(&view));
        QVERIFY(view.findChild<QLabel *>(u"autoPacingLabel"_s)->text().contains(u"never expands a rollout by itself"_s));
        // Even told "expand allowed", the console sends nothing by itself.
        view.autoPacing()->evaluate(plan(), 1, rec(Release::Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s), {});
        view.autoPacing()->arm();
        QTest::qWait(100);
        QVERIFY(rig.service.calls.isEmpty());
        QVERIFY(rig.audit.records.isEmpty());
        QCOMPARE(view.currentStage(), 1);

        // With the policy on, the button is there.
        QVERIFY(view.setPolicy(bundle(true)).ok());
        QVERIFY(arm->isVisibleTo(&view));
        QVERIFY(arm->isEnabled());
    }

    void armedExpandsExactlyTheNextStageThenStops()
    {
        Rig rig;
        Ui::SloView view;
        view.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        view.setSources(nullptr, nullptr, &rig.poller);
        QVERIFY(view.setPolicy(bundle(true)).ok());
        view.show();
        Ui::AutoPacingPanel *panel = view.autoPacing();
        panel->evaluate(plan(), 1, rec(Release::Recommendation::Kind::Wait, 2, u"wait 120 min before Production: low-risk clients"_s), {});

        // Cancelled: nothing armed, nothing recorded.
        Ui::Confirmation::setNextAnswer(false, u"auto-pace"_s);
        view.findChild<QPushButton *>(u"autoPacingArmButton"_s)->click();
        QVERIFY(!panel->pacer()->armed());
        QVERIFY(rig.audit.records.isEmpty());
        // Arming goes through the one confirmation, under the policy's rule for auto-pacing (a word):
        // the environment's name is a near miss and arms nothing.
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
        QCOMPARE(Ui::Confirmation::asked().last().action, Policy::ConfirmAction::AutoPacing);
        QCOMPARE(Ui::Confirmation::table().rule(Policy::ConfirmAction::AutoPacing).expected(u"production"_s), u"auto-pace"_s);
        Ui::Confirmation::setNextAnswer(true, u"production"_s);
        view.findChild<QPushButton *>(u"autoPacingArmButton"_s)->click();
        QVERIFY(!panel->pacer()->armed());
        QVERIFY(rig.audit.records.isEmpty());

        // The confirmation lists the stages, the flag, the scopes and the environment.
        Ui::Confirmation::setNextAnswer(true, u"auto-pace"_s);
        view.findChild<QPushButton *>(u"autoPacingArmButton"_s)->click();
        QCOMPARE(Ui::Confirmation::asked().size(), 3);
        const QString dialog = Ui::Confirmation::asked().last().plan;
        QCOMPARE(Ui::Confirmation::asked().last().environment, u"production"_s);
        QVERIFY2(dialog.contains(u"Environment: production"_s), qPrintable(dialog));
        QVERIFY2(dialog.contains(u"Flags: publishing.scheduler-v2"_s), qPrintable(dialog));
        QVERIFY2(dialog.contains(u"stage 3 — Production: low-risk clients, in production: turn on publishing.scheduler-v2 for clients"_s), qPrintable(dialog));
        QVERIFY2(dialog.contains(u"stage 4 — Production: broad rollout, in production: turn on publishing.scheduler-v2 for everyone (global)"_s),
                 qPrintable(dialog));
        QVERIFY2(dialog.contains(u"publishing.scheduler-v2 in production: ON for cohorts house → ON for cohorts house, lowrisk"_s), qPrintable(dialog));
        QVERIFY(panel->pacer()->armed());
        QCOMPARE(rig.audit.actions(), QStringList{u"autopacing.armed"_s});
        QVERIFY(rig.audit.records.first().after["plan"].size() == 4);
        auto *stop = view.findChild<QPushButton *>(u"autoPacingStopButton"_s);
        QVERIFY(stop->isVisibleTo(&view));
        QVERIFY(!view.findChild<QPushButton *>(u"autoPacingArmButton"_s)->isVisibleTo(&view));

        // The operator's confirmation is missing: it waits and says so.
        panel->evaluate(plan(), 1,
                        rec(Release::Recommendation::Kind::Blocked, 2,
                            u"blocked because the operator has not confirmed: no enforcement friction (platform rate limits, checkpoints, restrictions)"_s),
                        {});
        const QString waiting = panel->statusText();
        QVERIFY2(waiting.startsWith(u"Auto-pacing: armed by "_s), qPrintable(waiting));
        QVERIFY2(waiting.contains(u"next: Production: low-risk clients, waiting for the recommendation to allow it (blocked because the operator has not confirmed"_s),
                 qPrintable(waiting));
        QVERIFY(rig.service.calls.isEmpty());

        // Expand allowed: exactly stage 3's flag, in its scope, audited; the view's stage advances after the read-back.
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        panel->evaluate(plan(), 1, rec(Release::Recommendation::Kind::ExpandAllowed, 2, u"expand allowed to Production: low-risk clients"_s), {});
        QTRY_COMPARE(view.currentStage(), 2);
        Services::FlagScope houseAndLowrisk;
        houseAndLowrisk.cohorts = {u"house"_s, u"lowrisk"_s};
        QCOMPARE(rig.service.calls, QStringList{u"setScope publishing.scheduler-v2 production "_s + houseAndLowrisk.describe()});
        QVERIFY(view.findChild<QDateTimeEdit *>(u"stageStartEdit"_s)->dateTime().toMSecsSinceEpoch() >= before / 60000 * 60000);
        QCOMPARE(rig.audit.actions(), (QStringList{u"autopacing.armed"_s, u"autopacing.expand"_s, u"flag.toggle.requested"_s,
                                                   u"flag.toggle.confirmed"_s, u"autopacing.stage-confirmed"_s}));
        QVERIFY2(rig.matrix.message().startsWith(u"Confirmed by read-back"_s), qPrintable(rig.matrix.message()));
        QVERIFY2(panel->statusText().contains(u"next: Production: broad rollout"_s), qPrintable(panel->statusText()));

        // Stop: at once, audited; "expand allowed" afterwards sends nothing.
        stop->click();
        QVERIFY(!panel->pacer()->armed());
        QCOMPARE(rig.audit.actions().last(), u"autopacing.stopped"_s);
        QVERIFY2(panel->statusText().startsWith(u"Auto-pacing: stopped: stopped by "_s), qPrintable(panel->statusText()));
        panel->evaluate(plan(), 2, rec(Release::Recommendation::Kind::ExpandAllowed, 3, u"expand allowed to Production: broad rollout"_s), {});
        QTest::qWait(100);
        QCOMPARE(rig.service.calls.size(), 1);
        QCOMPARE(view.currentStage(), 2);
    }

    void pageAlertStopsItself()
    {
        Rig rig;
        Ui::AutoPacingPanel panel;
        panel.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        panel.setPoller(&rig.poller);
        panel.setPolicy(true, u"fp"_s, cohorts());
        panel.evaluate(plan(), 1, rec(Release::Recommendation::Kind::Wait, 2, u"wait"_s), {});
        Ui::Confirmation::setNextAnswer(true, u"auto-pace"_s);
        panel.arm();
        QVERIFY(panel.pacer()->armed());
        const Release::PageAlert alert{cohorts().first(), {Flag}, {u"Publish success: page 14.4× 1h/5m fired — 16.2× over 1h, 16.3× over 5m"_s}};
        panel.evaluate(plan(), 1, rec(Release::Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s), {alert});
        QVERIFY(!panel.pacer()->armed());
        QVERIFY(rig.service.calls.isEmpty());
        QCOMPARE(rig.audit.actions().last(), u"autopacing.stopped"_s);
        QCOMPARE(rig.audit.records.last().reason, u"page-level burn alert: House accounts: Publish success: page 14.4× 1h/5m fired — 16.2× over 1h, 16.3× over 5m"_s);
        QVERIFY2(panel.statusText().startsWith(u"Auto-pacing: stopped: page-level burn alert"_s), qPrintable(panel.statusText()));
    }

    void policyChangeStopsItself()
    {
        Rig rig;
        Ui::AutoPacingPanel panel;
        panel.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        panel.setPoller(&rig.poller);
        panel.setPolicy(true, u"fp"_s, cohorts());
        panel.evaluate(plan(), 1, rec(Release::Recommendation::Kind::Wait, 2, u"wait"_s), {});
        Ui::Confirmation::setNextAnswer(true, u"auto-pace"_s);
        panel.arm();
        QVERIFY(panel.pacer()->armed());
        panel.setPolicy(true, u"fp-edited-cohorts"_s, cohorts());
        QVERIFY(!panel.pacer()->armed());
        QCOMPARE(rig.audit.records.last().reason, u"the policy or the cohorts changed since auto-pacing was armed"_s);
    }

    void failedChangeStopsItself()
    {
        Rig rig;
        rig.service.failWrites = true;
        Ui::AutoPacingPanel panel;
        panel.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        panel.setPoller(&rig.poller);
        panel.setPolicy(true, u"fp"_s, cohorts());
        panel.evaluate(plan(), 1, rec(Release::Recommendation::Kind::Wait, 2, u"wait"_s), {});
        Ui::Confirmation::setNextAnswer(true, u"auto-pace"_s);
        panel.arm();
        panel.evaluate(plan(), 1, rec(Release::Recommendation::Kind::ExpandAllowed, 2, u"expand allowed"_s), {});
        QTRY_VERIFY(!panel.pacer()->armed());
        QVERIFY2(panel.statusText().contains(u"HTTP 500"_s), qPrintable(panel.statusText()));
        QVERIFY2(rig.matrix.message().startsWith(u"Not applied"_s), qPrintable(rig.matrix.message()));
    }
};

QTEST_MAIN(TestAutoPacingPanel)
#include "tst_auto_pacing_panel.moc"
