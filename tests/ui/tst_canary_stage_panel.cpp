// The two-axis canary panel (issue #20, item 5): the stage plan as a table
// (under QAbstractItemModelTester), which axes and why, the verdict, the
// canary-vs-baseline chart, and the Advance/Abort requests. With
// RAIZE_SCREENSHOT_DIR set it also saves docs/screenshots/canary-stage-plan.png
// and canary-vs-baseline.png.

#include "testutil.h"

#include "canary/canarystagemodel.h"
#include "canary/canarystagepanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using namespace Raize::Ui;

namespace {
QList<CanaryStage> plan()
{
    return {{5, {u"house"_s}, 30}, {25, {u"house"_s, u"lowrisk"_s}, 45}, {50, {u"house"_s, u"lowrisk"_s}, 45},
            {100, {u"house"_s, u"lowrisk"_s, u"broad"_s}, 0}};
}
} // namespace

class TestCanaryStagePanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelShowsThePlanAndTheActiveStage_data()
    {
        QTest::addColumn<int>("active");
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("complete");
        QTest::addColumn<QStringList>("statuses");
        QTest::newRow("not started") << -1 << int(StageVerdict::Kind::Wait) << false
                                     << QStringList{u"not started"_s, u"not started"_s, u"not started"_s, u"not started"_s};
        QTest::newRow("held at 5 %") << 0 << int(StageVerdict::Kind::Hold) << false
                                     << QStringList{u"active: hold — canary dpl_canary burns 40.1× the error budget"_s, u"to come"_s, u"to come"_s, u"to come"_s};
        QTest::newRow("third stage") << 2 << int(StageVerdict::Kind::Wait) << false
                                     << QStringList{u"done"_s, u"done"_s, u"active: wait — canary dpl_canary burns 40.1× the error budget"_s, u"to come"_s};
        QTest::newRow("complete") << 3 << int(StageVerdict::Kind::Done) << true << QStringList{u"done"_s, u"done"_s, u"done"_s, u"done"_s};
    }
    void modelShowsThePlanAndTheActiveStage()
    {
        QFETCH(int, active);
        QFETCH(int, kind);
        QFETCH(bool, complete);
        QFETCH(QStringList, statuses);
        CanaryStageModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlan(plan());
        StageVerdict v;
        v.kind = StageVerdict::Kind(kind);
        v.reasons = {u"canary dpl_canary burns 40.1× the error budget"_s};
        model.setProgress(active, v, complete);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(CanaryStageModel::ColumnCount));
        QStringList got;
        for (int r = 0; r < model.rowCount(); ++r)
            got << model.index(r, CanaryStageModel::Status).data().toString();
        QCOMPARE(got, statuses);
        QCOMPARE(model.index(0, CanaryStageModel::Traffic).data().toString(), u"5 %"_s);
        QCOMPARE(model.index(1, CanaryStageModel::Cohorts).data().toString(), u"house, lowrisk"_s);
        QCOMPARE(model.index(1, CanaryStageModel::Window).data().toString(), u"45 min"_s);
        QCOMPARE(model.headerData(CanaryStageModel::Traffic, Qt::Horizontal).toString(), u"Canary traffic"_s);
    }

    // The verdict's evidence (issue #20 item 4): each friction and smoke row with its state, what was read
    // (the query, since when) and the check's link; the active stage's tooltip carries the same lines.
    void panelShowsTheEvidenceRows()
    {
        CanaryStagePanel panel;
        new QAbstractItemModelTester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest, &panel);
        auto *label = panel.findChild<QLabel *>(u"canaryEvidence"_s);
        QVERIFY(label);
        panel.setRun(nullptr);
        QVERIFY(label->isHidden()); // nothing read, nothing shown

        StageEvidence friction;
        friction.state = StageEvidence::State::Hold;
        friction.kind = u"friction"_s;
        friction.subject = u"house: rate limits"_s;
        friction.detail = u"12 in 1000 publish attempts (1.20 %; the policy holds over 0.20 % with at least 5), most on acct-house-ig (api lane): 9"_s;
        friction.query = u"sum by (cohort, account, lane) (increase(raize_platform_rate_limits_total{service=\"runner\",cohort=~\"house\"}[600s]))"_s;
        friction.since = u"2027-01-15T08:00:00Z"_s;
        StageEvidence smoke;
        smoke.state = StageEvidence::State::Unknown;
        smoke.kind = u"smoke"_s;
        smoke.subject = u"smoke check \"smoke/dry-run-publish\""_s;
        smoke.detail = u"still running on commit c0ffee0 (dpl_canary) (in_progress): not a pass yet"_s;
        smoke.url = u"https://github.com/raize/platform/actions/runs/9000/job/12"_s;
        const QList<StageEvidence> rows = {friction, smoke};
        panel.showEvidence(rows);
        QVERIFY(!label->isHidden());
        const QString html = label->text();
        QVERIFY2(html.contains(u"<b>hold</b></span> house: rate limits: 12 in 1000 publish attempts"_s), qPrintable(html));
        QVERIFY2(html.contains(u"(since 2027-01-15T08:00:00Z)"_s), qPrintable(html));
        QVERIFY2(html.contains(u"cohort=~&quot;house&quot;"_s), qPrintable(html)); // the query, escaped
        QVERIFY2(html.contains(u"<a href=\"https://github.com/raize/platform/actions/runs/9000/job/12\">"_s), qPrintable(html));
        QVERIFY2(html.contains(u"<b>unknown</b></span> smoke check &quot;smoke/dry-run-publish&quot;"_s), qPrintable(html));
        QCOMPARE(CanaryStagePanel::evidenceLines(rows),
                 QStringList({u"hold — house: rate limits: "_s + friction.detail + u" (since 2027-01-15T08:00:00Z) [query: "_s + friction.query + u"]"_s,
                              u"unknown — smoke check \"smoke/dry-run-publish\": "_s + smoke.detail + u" <"_s + smoke.url + u">"_s}));
        QCOMPARE(label->toolTip(), CanaryStagePanel::evidenceLines(rows).join(u'\n'));

        // The table's active stage says why it holds, and its tooltip lists every row.
        panel.model()->setPlan(plan());
        StageVerdict held;
        held.kind = StageVerdict::Kind::Hold;
        held.reasons = {u"house: rate limits — "_s + friction.detail};
        held.evidence = rows;
        panel.model()->setProgress(0, held, false);
        QCOMPARE(panel.model()->statusText(0), u"active: hold — house: rate limits — "_s + friction.detail);
        const QString tip = panel.model()->index(0, CanaryStageModel::Status).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(u"unknown — smoke check"_s) && tip.contains(u"[query: sum by (cohort, account, lane)"_s), qPrintable(tip));

        if (const QString shots = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !shots.isEmpty()) {
            panel.findChild<QLabel *>(u"canaryVerdict"_s)->setText(u"Stage 1 of 4: hold · canary burn 0.4×, baseline 0.1×\n"_s + held.reasons.first());
            panel.resize(900, 720);
            panel.show();
            QApplication::processEvents();
            QVERIFY(panel.grab().save(shots + u"/canary-stage-evidence.png"_s));
            panel.hide();
        }
        panel.showEvidence({});
        QVERIFY(label->isHidden());
    }

    void panelShowsAxesAndChartsBothDeployments()
    {
        CanaryStagePanel panel;
        new QAbstractItemModelTester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest, &panel);
        panel.setAxisChoice({false, u"flag-only canary: Vercel's rolling-release billing says no (plan_not_supported: Rolling Releases are available on Pro and Enterprise plans.)"_s});
        auto *axes = panel.findChild<QLabel *>(u"canaryAxes"_s);
        QVERIFY(axes);
        QVERIFY2(axes->text().startsWith(u"Flag axis only — flag-only canary: Vercel's rolling-release billing says no (plan_not_supported"_s),
                 qPrintable(axes->text()));
        panel.setAxisChoice({true, u"deployment and flag axes: Vercel rolling release of web traffic, flag cohorts for side effects"_s});
        QVERIFY(axes->text().startsWith(u"Two axes — "_s));
        // Without a run nothing can be advanced or aborted.
        panel.setRun(nullptr);
        QVERIFY(!panel.findChild<QPushButton *>(u"canaryAdvance"_s)->isEnabled());
        QVERIFY(!panel.findChild<QPushButton *>(u"canaryAbort"_s)->isEnabled());
        QCOMPARE(panel.findChild<QLabel *>(u"canaryVerdict"_s)->text(), u"No canary is running."_s);

        // The bad canary at 5 %: a fifth of its requests fail, the current deployment stays at its 0.05 %.
        panel.model()->setPlan(plan());
        StageVerdict held;
        held.kind = StageVerdict::Kind::Hold;
        held.page = true;
        held.reasons = {u"canary dpl_canary burns 40.1× the error budget (policy: at most 1×, 1064 requests)"_s};
        panel.model()->setProgress(0, held, false);
        for (int s = 5; s <= 300; s += 5) {
            const double canary = 3.5 * s, baseline = 66.5 * s;
            panel.addSample(s, {u"canary dpl_canary"_s, canary, canary * 0.2005}, {u"baseline dpl_cand"_s, baseline, baseline * 0.0005});
        }
        QCOMPARE(panel.canarySeries()->count(), 60);
        QCOMPARE(panel.baselineSeries()->count(), 60);
        QVERIFY(qAbs(panel.canarySeries()->at(59).y() - 20.05) < 1e-9);
        QVERIFY(qAbs(panel.baselineSeries()->at(59).y() - 0.05) < 1e-9);
        QCOMPARE(panel.canarySeries()->at(59).x(), 300.0);

        if (const QString shots = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !shots.isEmpty()) {
            panel.findChild<QLabel *>(u"canaryVerdict"_s)->setText(u"Stage 1 of 4: hold · canary burn 40.1×, baseline 0.1× — paged\n"_s
                                                                   + held.reasons.first());
            panel.resize(900, 640);
            panel.show();
            QApplication::processEvents();
            QVERIFY(panel.grab().save(shots + u"/canary-vs-baseline.png"_s));
            auto *table = panel.findChild<QWidget *>(u"canaryStages"_s);
            QVERIFY(table->grab().save(shots + u"/canary-stage-plan.png"_s));
        }
    }
};

RAIZE_GUI_TEST_MAIN(TestCanaryStagePanel)
#include "tst_canary_stage_panel.moc"
