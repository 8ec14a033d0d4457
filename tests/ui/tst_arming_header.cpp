// Read-only until armed, on screen (issue #21 item 3, ADR 0028): on a profile
// not marked sandbox every control that changes something is disabled and its
// tooltip (and its palette entry) says why and how to arm, while the rollback
// stays usable; Ctrl+Shift+A opens the typed confirmation with a reason; armed,
// the controls are the views' again and the header counts down on the
// workspace's clock; the window's end disarms them again, audited.

#include "armingbar.h"
#include "consoleapp.h"
#include "core/clock.h"
#include "core/settings.h"
#include "mainwindow.h"
#include "palette/commandcollector.h"
#include "records/auditexport.h"
#include "testutil.h"
#include "widgets/armedcontrols.h"
#include "widgets/confirmation.h"
#include "workspace/workspace.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;

namespace {

QStringList auditActions(const Workspace &ws)
{
    QStringList out;
    for (const Records::AuditRecord &r : Records::AuditExport::readAll(ws.auditLogPath()))
        out << r.action;
    return out;
}

PaletteEntry entry(MainWindow &w, const QString &id)
{
    for (const PaletteEntry &e : collectCommands(w)) {
        if (e.id == id)
            return e;
    }
    return {};
}

} // namespace

class TestArmingHeader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { Confirmation::resetHook(); }

    void readOnlyArmedCountdownExpiry()
    {
        ManualClock clock(QDateTime::currentDateTimeUtc());
        QTemporaryDir dir;
        {
            // The test's folders outlive a run: a fresh profile, its audit log in a folder of its own.
            Settings s(u"production-like"_s);
            for (const SettingSpec &spec : Settings::specs())
                s.reset(spec.key);
            s.setValue(SettingKey::AuditLogPath, dir.filePath(u"audit.jsonl"_s));
            QVERIFY(s.sync());
        }
        ConsoleApp app(u"production-like"_s);
        Workspace &ws = app.workspace();
        ws.setClock(clock);
        MainWindow *w = app.window();
        w->resize(1400, 860);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        ArmedControls *gate = app.armedControls();
        QVERIFY(gate);
        QVERIFY2(gate->missing().isEmpty(),
                 qPrintable(u"gated controls not found (a rename?): "_s + gate->missing().join(u", "_s)));

        // Read-only: every control that changes something is off and says why; the big red button is not.
        const QString why = ws.arming().readOnlyReason();
        QVERIFY(why.contains(u"Ctrl+Shift+A"_s));
        for (const QString &name : ArmedControls::gatedControls()) {
            auto *b = w->findChild<QAbstractButton *>(name);
            QVERIFY2(b, qPrintable(name));
            QVERIFY2(!b->isEnabled(), qPrintable(name));
            // The reason, then the control's key when it has one (the shortcut table adds it, ADR 0026).
            QVERIFY2(b->toolTip().startsWith(why), qPrintable(b->toolTip()));
            // The palette lists it disabled, with the reason.
            const PaletteEntry e = entry(*w, u"button:"_s + name);
            QVERIFY2(!e.enabled && e.detail.contains(u"Read-only: profile “production-like” is not armed"_s),
                     qPrintable(name + u": "_s + e.detail));
        }
        QVERIFY(w->findChild<QAbstractButton *>(u"rollbackButton"_s)->isEnabled());
        ArmingBar *bar = w->armingBar();
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->stateText(), u"READ-ONLY — profile “production-like”"_s);
        QVERIFY(!bar->disarmAction()->isEnabled());

        // A view that enables its control meanwhile is overruled until the profile is armed.
        auto *edit = w->findChild<QAbstractButton *>(u"editCohortsButton"_s);
        edit->setEnabled(true);
        QVERIFY(!edit->isEnabled());

        // The arm action: in the Console menu and the palette, on Ctrl+Shift+A.
        QAction *arm = bar->armAction();
        QCOMPARE(arm->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
        QVERIFY(w->menuBar()->actions().first()->menu()->actions().contains(arm));
        QCOMPARE(entry(*w, u"action:actionArm"_s).shortcut, arm->shortcut());
        QVERIFY(!entry(*w, u"action:actionDisarm"_s).id.isEmpty());

        // Cancelled or without a reason: still read-only, nothing recorded.
        Confirmation::setNextAnswer(false);
        QVERIFY(!bar->requestArm());
        Confirmation::setNextAnswer(true, u"production"_s, u"   "_s);
        QVERIFY(!bar->requestArm());
        QVERIFY(!ws.armed());
        QVERIFY(auditActions(ws).isEmpty());

        // Ctrl+Shift+A, the typed confirmation and a reason: armed for the policy's window.
        Confirmation::setNextAnswer(true, u"production"_s, u"promote release 4.2, CHG-1234"_s);
        w->activateWindow();
        QTRY_VERIFY(QApplication::focusWidget());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(ws.armed());
        const ConfirmationRequest asked = Confirmation::asked().last();
        QCOMPARE(asked.action, Policy::ConfirmAction::Arm);
        QCOMPARE(asked.environment, u"production"_s);
        QVERIFY(!asked.reasonLabel.isEmpty());
        QVERIFY2(asked.plan.contains(u"auto-pacing stops and must be armed again"_s), qPrintable(asked.plan));
        QCOMPARE(auditActions(ws), QStringList{u"arming.arm"_s});
        QCOMPARE(Records::AuditExport::readAll(ws.auditLogPath()).last().reason, u"promote release 4.2, CHG-1234"_s);
        QCOMPARE(bar->stateText(), u"ARMED — 15:00 left · profile “production-like”"_s);
        QVERIFY(bar->disarmAction()->isEnabled());
        // The controls are the views' again: their own tooltips, and what the view enabled is enabled.
        for (const QString &name : ArmedControls::gatedControls())
            QVERIFY2(w->findChild<QAbstractButton *>(name)->toolTip() != why, qPrintable(name));
        QVERIFY(edit->isEnabled());

        // The countdown ticks on the workspace's clock.
        clock.advanceMs(88'000);
        QTRY_COMPARE(bar->stateText(), u"ARMED — 13:32 left · profile “production-like”"_s);

        // The window ends: read-only again by itself, audited, said in the status bar.
        clock.advanceMs(13 * 60'000 + 32'000);
        QTRY_VERIFY(!ws.armed());
        QTRY_COMPARE(bar->stateText(), u"READ-ONLY — profile “production-like”"_s);
        QVERIFY(!edit->isEnabled());
        QVERIFY2(edit->toolTip().startsWith(why), qPrintable(edit->toolTip()));
        QCOMPARE(auditActions(ws), (QStringList{u"arming.arm"_s, u"arming.expire"_s}));
        QVERIFY2(w->statusBar()->currentMessage().contains(u"read-only again"_s), qPrintable(w->statusBar()->currentMessage()));

        // Armed again and disarmed by hand: audited, controls off at once.
        Confirmation::setNextAnswer(true, u"production"_s, u"expand to lowrisk"_s);
        QVERIFY(bar->requestArm());
        QVERIFY(edit->isEnabled());
        bar->disarmAction()->trigger();
        QVERIFY(!ws.armed());
        QVERIFY(!edit->isEnabled());
        QCOMPARE(auditActions(ws), (QStringList{u"arming.arm"_s, u"arming.expire"_s, u"arming.arm"_s, u"arming.disarm"_s}));
    }

    // A sandbox profile needs no arming: no bar, nothing held.
    void sandboxNeedsNoArming()
    {
        {
            Settings s(u"sandbox-like"_s);
            s.setValue(SettingKey::ProfileIsSandbox, true);
            QVERIFY(s.sync());
        }
        ConsoleApp app(u"sandbox-like"_s);
        MainWindow *w = app.window();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(!w->armingBar()->isVisible());
        QVERIFY(app.workspace().writable());
        auto *edit = w->findChild<QAbstractButton *>(u"editCohortsButton"_s);
        QVERIFY(edit->isEnabled());
        QVERIFY(!edit->toolTip().contains(u"Read-only"_s));
    }
};

RAIZE_GUI_TEST_MAIN(TestArmingHeader)
#include "tst_arming_header.moc"
