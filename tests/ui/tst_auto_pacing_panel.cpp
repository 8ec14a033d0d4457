// Auto-pacing in the SLOs view (issue #8, part 6), offscreen, on an
// in-memory flag service: with the built-in policy (canary.autoPacing off)
// there is nothing to arm and nothing expands; armed, ticking the operator's
// confirmation lets the view's RolloutMonitor expand exactly the next stage's
// flags through the toggle matrix's runner, audited, and the view follows the
// stage; "Stop auto-pacing" sends nothing further. What auto-pacing decides
// (page alerts, policy changes, failed changes stop it; the observation
// window on a moved clock) is the monitor's, tested without widgets in
// test_rollout_monitor and test_auto_pacing.

#include "canary/canarymatrix.h"
#include "slo/autopacingpanel.h"
#include "slo/sloview.h"
#include "widgets/confirmation.h"

#include "core/clock.h"
#include "policy/policybundle.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "release/rolloutmonitor.h"
#include "slo/slopolicy.h"

#include "fakes/memoryflagservice.h"

#include <QCheckBox>
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

// Every SLO × cohort healthy up to endMs: 200 events a minute, 0.1 % bad, over every rule's long window.
Release::SloSeriesByCohort healthySeries(qint64 endMs)
{
    Release::SloSeriesByCohort s;
    s.toMs = endMs;
    QList<Slo::CounterSample> samples;
    double good = 0, total = 0;
    for (qint64 t = endMs - 3 * Slo::DayMs - 7 * Slo::HourMs; t <= endMs; t += Slo::MinuteMs) {
        samples.append({t, good, total});
        total += 200;
        good += 199.8;
    }
    const QList<Slo::SloSpec> slos = Slo::slosFromPolicy(Policy::builtinBundle()).value();
    for (const Slo::SloSpec &spec : slos) {
        for (const Release::Cohort &c : cohorts())
            s.byCohort[spec.id][c.id] = Slo::CounterSeries(samples);
    }
    return s;
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
        ManualClock clock(QDateTime::currentDateTimeUtc());
        Ui::SloView view(nullptr, clock);
        view.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        view.setSources(nullptr, nullptr, &rig.poller);
        QVERIFY(view.setPolicy(Policy::builtinBundle()).ok());
        view.show();
        auto *arm = view.findChild<QPushButton *>(u"autoPacingArmButton"_s);
        QVERIFY(arm);
        QVERIFY(!arm->isVisibleTo(&view));
        QVERIFY(!view.findChild<QPushButton *>(u"autoPacingStopButton"_s)->isVisibleTo(&view));
        QVERIFY(view.findChild<QLabel *>(u"autoPacingLabel"_s)->text().contains(u"never expands a rollout by itself"_s));
        // Even with "expand allowed", the console sends nothing by itself.
        view.setCurrentStage(1, clock.nowMs() - 130 * Slo::MinuteMs);
        view.findChild<QCheckBox *>(u"confirm-0"_s)->click();
        view.monitor()->setSeries(healthySeries(clock.nowMs()));
        QCOMPARE(view.recommendation().kind, Release::Recommendation::Kind::ExpandAllowed);
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
        ManualClock clock(QDateTime::currentDateTimeUtc());
        Ui::SloView view(nullptr, clock);
        view.setChangePath(rig.matrix.changeRunner(), &rig.audit);
        view.setSources(nullptr, nullptr, &rig.poller);
        QVERIFY(view.setPolicy(bundle(true)).ok());
        view.show();
        Ui::AutoPacingPanel *panel = view.autoPacing();
        // House accounts, watched for longer than the L3 window, every SLO healthy: only the operator's confirmation is missing.
        view.setCurrentStage(1, clock.nowMs() - 130 * Slo::MinuteMs);
        view.monitor()->setSeries(healthySeries(clock.nowMs()));
        auto *headline = view.findChild<QLabel *>(u"recommendationHeadline"_s);
        QVERIFY2(headline->text().startsWith(u"blocked because the operator has not confirmed: no enforcement friction"_s), qPrintable(headline->text()));

        // Issue #17: nobody can be named (no GitHub identity): refused with the reason before any question; nothing
        // armed or recorded.
        panel->setIdentity(Identity{{}, u"no GitHub token is stored"_s});
        view.findChild<QPushButton *>(u"autoPacingArmButton"_s)->click();
        QVERIFY(!panel->pacer()->armed());
        QVERIFY(Ui::Confirmation::asked().isEmpty());
        QVERIFY(rig.audit.records.isEmpty());
        QVERIFY2(panel->statusText().contains(u"Starting auto-pacing is refused: who you are is unknown (no GitHub token is stored)"_s),
                 qPrintable(panel->statusText()));
        panel->setIdentity(Identity{u"oncall-lead"_s, {}});

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
        QCOMPARE(panel->statusText(), u"Auto-pacing was not armed; nothing was sent."_s);

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
        const QString waiting = panel->statusText();
        QVERIFY2(waiting.startsWith(u"Auto-pacing: armed by oncall-lead"_s), qPrintable(waiting));
        QCOMPARE(rig.audit.records.first().actor, u"oncall-lead"_s);
        QVERIFY2(waiting.contains(u"next: Production: low-risk clients, waiting for the recommendation to allow it (blocked because the operator has not confirmed"_s),
                 qPrintable(waiting));
        QVERIFY(rig.service.calls.isEmpty());

        // The operator ticks it: exactly stage 3's flag, in its scope, audited; the view follows the stage after the read-back.
        view.findChild<QCheckBox *>(u"confirm-0"_s)->click();
        QTRY_COMPARE(view.currentStage(), 2);
        Services::FlagScope houseAndLowrisk;
        houseAndLowrisk.cohorts = {u"house"_s, u"lowrisk"_s};
        QCOMPARE(rig.service.calls, QStringList{u"setScope publishing.scheduler-v2 production "_s + houseAndLowrisk.describe()});
        QCOMPARE(view.findChild<QDateTimeEdit *>(u"stageStartEdit"_s)->dateTime().toMSecsSinceEpoch() / 60000, clock.nowMs() / 60000);
        QCOMPARE(rig.audit.actions(), (QStringList{u"autopacing.armed"_s, u"autopacing.expand"_s, u"flag.toggle.requested"_s,
                                                   u"flag.toggle.confirmed"_s, u"autopacing.stage-confirmed"_s}));
        QVERIFY2(rig.matrix.message().startsWith(u"Confirmed by read-back"_s), qPrintable(rig.matrix.message()));
        QVERIFY2(panel->statusText().contains(u"next: Production: broad rollout"_s), qPrintable(panel->statusText()));
        QVERIFY(!view.findChild<QCheckBox *>(u"confirm-0"_s)->isChecked()); // the new stage's confirmation starts unticked

        // Stop: at once, audited; nothing is sent afterwards.
        stop->click();
        QVERIFY(!panel->pacer()->armed());
        QCOMPARE(rig.audit.actions().last(), u"autopacing.stopped"_s);
        QVERIFY2(panel->statusText().startsWith(u"Auto-pacing: stopped: stopped by oncall-lead"_s), qPrintable(panel->statusText()));
        view.setCurrentStage(2, clock.nowMs() - 130 * Slo::MinuteMs);
        view.findChild<QCheckBox *>(u"confirm-0"_s)->click();
        QCOMPARE(view.recommendation().kind, Release::Recommendation::Kind::ExpandAllowed);
        QTest::qWait(100);
        QCOMPARE(rig.service.calls.size(), 1);
        QCOMPARE(view.currentStage(), 2);
    }
};

QTEST_MAIN(TestAutoPacingPanel)
#include "tst_auto_pacing_panel.moc"
