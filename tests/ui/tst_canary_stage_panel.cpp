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
