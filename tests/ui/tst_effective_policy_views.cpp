// The effective policy's GUI consumers (issue #14, item 1; ADR 0017), offscreen
// and without the sandbox: a tenant bundle that turns auto-pacing on,
// tightens an SLO objective, renames a cohort and adds a side-effect flag
// (tests/data/policy/tenant-acme.json) is honoured by the SLOs view, the
// toggle matrix, the auto-pacing panel and the flags pane, each shown
// against the built-in policy as the negative control; a refused bundle
// shows its reason and turns auto-pacing off.

#include "canary/canarymatrix.h"
#include "canary/flagsmodel.h"
#include "consoleapp.h"
#include "slo/autopacingpanel.h"
#include "slo/sloverdictmodel.h"
#include "slo/sloview.h"
#include "widgets/confirmation.h"

#include "core/settings.h"
#include "release/flagpoller.h"
#include "workspace/effectivepolicy.h"

#include "fakes/memoryflagservice.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

const QString SyncFlag = u"crm.sync-contacts"_s;

QByteArray acmeText()
{
    QFile f(RaizeTest::dataDir() + u"/policy/tenant-acme.json"_s);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return f.readAll();
}

EffectivePolicy acme()
{
    Result<EffectivePolicy> p =
        EffectivePolicy::build(EffectivePolicy::builtin().bundle(), EffectivePolicy::TenantLayer{u"tenant-acme.json"_s, acmeText()});
    if (!p)
        qFatal("the acme bundle is refused: %s", qPrintable(p.error().toString()));
    return std::move(p).value();
}

Services::FlagState offFlag(const QString &key)
{
    Services::FlagState f;
    f.key = key;
    f.environment = u"production"_s;
    f.enabled = false;
    f.type = u"release"_s;
    return f;
}

// The matrix on an in-memory flag service, with one flag that is off.
struct Matrix
{
    RaizeTest::MemoryFlagService service;
    RaizeTest::MemoryAudit audit;
    Release::FlagPoller poller{service, u"production"_s, 60000};
    Ui::CanaryMatrix matrix;

    explicit Matrix(const EffectivePolicy &policy)
    {
        service.flags = {offFlag(SyncFlag)};
        matrix.setService(&service, &poller, u"production"_s, &audit);
        matrix.setIdentity(Identity{u"oncall-lead"_s, {}});
        Ui::ConsoleApp::applyPolicy(policy, &matrix, nullptr);
        QSignalSpy first(&poller, &Release::FlagPoller::updated);
        poller.refresh();
        first.wait(2000);
    }

    // Turns the flag on for everyone in production, cancelling the widening question if one is asked
    // (the one confirmation's test hook: nothing is shown).
    void turnOnGlobally()
    {
        matrix.table()->setCurrentIndex(matrix.model()->index(0, 0));
        Ui::Confirmation::resetHook();
        Ui::Confirmation::setNextAnswer(false);
        matrix.turnCurrent(true);
        Ui::Confirmation::resetHook();
    }
};

} // namespace

class TestEffectivePolicyViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!EffectivePolicy::builtin().autoPacing());
        QVERIFY(acme().autoPacing());
    }

    // SLOs view: the tenant's objective and cohort names, and auto-pacing allowed.
    void sloViewHonoursTheTenant()
    {
        Ui::SloView view;
        QAbstractItemModelTester tester(view.verdictModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto objective = [&] { return view.verdictModel()->headerData(0, Qt::Horizontal, Qt::ToolTipRole).toString(); };
        const auto cohortRow = [&] { return view.verdictModel()->headerData(1, Qt::Vertical).toString(); };
        view.setPolicy(EffectivePolicy::builtin());
        QVERIFY2(objective().contains(u"objective 99.5 %"_s), qPrintable(objective()));
        QCOMPARE(cohortRow(), u"Low-risk clients"_s);
        QVERIFY(view.findChild<QLabel *>(u"autoPacingLabel"_s)->text().contains(u"Auto-pacing is off"_s));

        view.setPolicy(acme());
        QVERIFY2(objective().contains(u"objective 99.9 %"_s), qPrintable(objective()));
        QCOMPARE(cohortRow(), u"Pilot clients"_s);
        auto *lanes = view.findChild<QComboBox *>(u"laneCohortCombo"_s);
        QCOMPARE(lanes->itemText(1), u"Pilot clients"_s);
        QCOMPARE(lanes->itemData(1).toString(), u"lowrisk"_s); // the id stays the metric label
        QVERIFY(view.findChild<QLabel *>(u"autoPacingLabel"_s)->text().contains(u"Auto-pacing is on in the policy"_s));
        QVERIFY(view.policyNote().isEmpty());
    }

    // Auto-pacing panel: the arm button exists only where the effective policy allows it.
    void autoPacingHonoursTheTenant()
    {
        Ui::SloView view;
        view.show();
        auto *arm = view.findChild<QPushButton *>(u"autoPacingArmButton"_s);
        QVERIFY(arm);
        view.setPolicy(EffectivePolicy::builtin());
        QVERIFY(!arm->isVisibleTo(&view));
        view.setPolicy(acme());
        QVERIFY(arm->isVisibleTo(&view));
    }

    // Toggle matrix: the tenant's side-effect flag starts in the house canary (§4.3), never wider.
    void toggleMatrixHonoursTheTenant()
    {
        Matrix tenant(acme());
        QCOMPARE(tenant.matrix.model()->flags().size(), 1);
        tenant.turnOnGlobally();
        QVERIFY2(tenant.matrix.message().contains(u"crm.sync-contacts is a side-effect flag"_s), qPrintable(tenant.matrix.message()));
        QVERIFY(tenant.service.calls.isEmpty());
        QVERIFY(tenant.audit.records.isEmpty());

        // The built-in policy does not call it a side effect: the change gets as far as the widening question.
        Matrix builtin(EffectivePolicy::builtin());
        builtin.turnOnGlobally();
        QVERIFY2(builtin.matrix.message().startsWith(u"Cancelled; nothing was sent"_s), qPrintable(builtin.matrix.message()));
        QVERIFY(builtin.service.calls.isEmpty());
    }

    // Flags pane: the side-effect mark follows the effective policy's one list.
    void flagsPaneHonoursTheTenant()
    {
        Ui::FlagsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Release::FlagSnapshot snap;
        Services::FlagState sync = offFlag(SyncFlag);
        sync.enabled = true;
        snap.flags = {sync, offFlag(u"tokens.refresh-v2"_s), offFlag(u"ui.calendar"_s)};
        model.setSnapshot(snap);
        const auto marked = [&] {
            QStringList out;
            for (int row = 0; row < model.rowCount(); ++row) {
                if (model.data(model.index(row, Ui::FlagsModel::Key), Ui::FlagsModel::SideEffectRole).toBool())
                    out << model.data(model.index(row, Ui::FlagsModel::Key)).toString();
            }
            return out;
        };
        QVERIFY(marked().isEmpty()); // no list handed in yet: nothing is claimed
        model.setSideEffectFlags(EffectivePolicy::builtin().sideEffectFlags());
        QCOMPARE(marked(), QStringList{u"tokens.refresh-v2"_s}); // §1: token refresh is L3
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setSideEffectFlags(acme().sideEffectFlags());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(marked(), QStringList({SyncFlag, u"tokens.refresh-v2"_s}));
        QVERIFY(model.data(model.index(0, Ui::FlagsModel::Type)).toString().endsWith(u"side effect"_s));
    }

    // A refused bundle: the SLOs view says why, and says auto-pacing cannot be armed.
    void refusedBundleIsShownReadOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tenant-acme.json"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(acmeText().replace("\"id\": \"lowrisk\"", "\"id\": \"pilot\""));
        f.close();
        Settings settings(u"tenant"_s, dir.path());
        settings.setValue(SettingKey::PolicyBundlePath, path);
        const EffectivePolicy refused = EffectivePolicy::load(settings);
        QVERIFY(refused.readOnly());
        Ui::SloView view;
        view.show();
        view.setPolicy(refused);
        QVERIFY2(view.policyNote().contains(u"tenant-acme.json:17: cohorts[1].id"_s), qPrintable(view.policyNote()));
        QVERIFY(view.findChild<QLabel *>(u"sloPolicyNote"_s)->isVisibleTo(&view));
        QVERIFY(!view.findChild<QPushButton *>(u"autoPacingArmButton"_s)->isVisibleTo(&view));
        QVERIFY(view.findChild<QLabel *>(u"autoPacingLabel"_s)->text().contains(u"read-only"_s));
    }
};

QTEST_MAIN(TestEffectivePolicyViews)
#include "tst_effective_policy_views.moc"
