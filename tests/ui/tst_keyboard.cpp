// A keyboard-first console (issue #21 items 1, 2, 4 and 5): every key of the
// window and of each dialog is unique where it can fire; every button of
// every view and dialog has a key and is in the command palette (Ctrl+K, in a
// dialog too) with it; a table of dialog → the control that has the focus
// when it opens, and the focus back where it was when it closes; every control
// a screen reader reaches has a name; and three flows with key events only,
// sent to whatever has the focus, under a filter that fails on any mouse
// event: review and promote a candidate, turn a flag on for a scope,
// acknowledge a page. They end where their mouse-driven tests end
// (test_promotion_view, test_canary_matrix, test_alerts), on in-process fakes.

#include "alerts/pagebanner.h"
#include "canary/canarymatrix.h"
#include "canary/cohorteditor.h"
#include "canary/cohortspanel.h"
#include "consoleapp.h"
#include "mainwindow.h"
#include "palette/commandcollector.h"
#include "palette/commandpalette.h"
#include "palette/dialogkeys.h"
#include "palette/palettemodel.h"
#include "palette/shortcutsheet.h"
#include "palette/shortcuttable.h"
#include "promotion/gatetablemodel.h"
#include "promotion/policydiffdialog.h"
#include "promotion/promotionview.h"
#include "settingsdialog.h"
#include "core/identity.h"
#include "core/settings.h"
#include "ui/rollback/rollbackdialog.h"
#include "widgets/confirmation.h"

#include "core/clock.h"
#include "fakes/fakepromotionservices.h"
#include "fakes/memoryflagservice.h"
#include "policy/policybundle.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "release/alertcenter.h"
#include "release/cohorts.h"
#include "release/flagpoller.h"
#include "release/promotion.h"
#include "keyboardtest.h"
#include "testutil.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QMenuBar>
#include <QComboBox>
#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QTreeWidget>
#include <QFile>
#include <QPushButton>
#include <QShortcut>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;

using namespace RaizeTest::Keyboard;

namespace {

Release::Alert pageAlert()
{
    Release::Alert a;
    a.id = u"page:house"_s;
    a.severity = u"page"_s;
    a.trigger = u"Publish success burning 16.2× (page:house)"_s;
    a.scope = u"cohort House accounts — clients house"_s;
    a.evidence = {u"Publish success: page 14.4× 1h/5m fired"_s};
    return a;
}

// Every key that can fire in `root`'s window right now, with what owns it.
QMultiHash<QKeySequence, QString> liveKeys(QWidget *root)
{
    QMultiHash<QKeySequence, QString> keys;
    const auto add = [&](const QKeySequence &k, const QString &owner) {
        if (!k.isEmpty())
            keys.insert(k, owner);
    };
    // The window's own actions, its menus' (a menu is a window of its own) and its widgets'.
    QList<QAction *> actions = root->actions();
    if (auto *w = qobject_cast<QMainWindow *>(root)) {
        for (QAction *top : w->menuBar()->actions()) {
            if (top->menu())
                actions += top->menu()->actions();
        }
    }
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (w->window() == root->window() && w->isVisible())
            actions += w->actions();
    }
    for (QAction *a : std::as_const(actions)) {
        if (!a->isEnabled() || a->isSeparator())
            continue;
        for (const QKeySequence &k : a->shortcuts())
            add(k, u"action "_s + (a->objectName().isEmpty() ? a->text() : a->objectName()));
    }
    if (auto *w = qobject_cast<QMainWindow *>(root)) {
        for (QAction *top : w->menuBar()->actions())
            add(QKeySequence::mnemonic(top->text()), u"menu "_s + top->text());
    }
    for (QShortcut *s : root->findChildren<QShortcut *>()) {
        QWidget *owner = qobject_cast<QWidget *>(s->parent());
        if (!s->isEnabled() || !owner || !owner->isVisible() || !owner->isEnabled() || owner->window() != root->window())
            continue;
        for (const QKeySequence &k : s->keys())
            add(k, u"shortcut "_s + s->objectName());
    }
    for (QAbstractButton *b : root->findChildren<QAbstractButton *>()) {
        if (b->isVisible() && b->isEnabled() && b->window() == root->window())
            add(b->shortcut(), u"button "_s + b->objectName()); // a mnemonic ("&Refresh")
    }
    return keys;
}

QString clashes(const QMultiHash<QKeySequence, QString> &keys)
{
    QStringList out;
    for (const QKeySequence &k : keys.uniqueKeys()) {
        QStringList owners = keys.values(k);
        owners.removeDuplicates();
        if (owners.size() > 1)
            out << k.toString() + u": "_s + owners.join(u", "_s);
    }
    return out.join(u"; "_s);
}

// The buttons a person acts with (a table's corner button or a line edit's clear button are not).
QList<QAbstractButton *> actionButtons(QWidget *root)
{
    QList<QAbstractButton *> out;
    for (QAbstractButton *b : root->findChildren<QAbstractButton *>()) {
        if (b->text().isEmpty() && b->accessibleName().isEmpty() && b->toolTip().isEmpty())
            continue;
        if (b->objectName().startsWith(u"qt_"_s) || qobject_cast<QTabBar *>(b->parentWidget()))
            continue;
        out << b;
    }
    return out;
}

// Buttons with no key of their own, and why: Esc closes a dialog (Cancel, Close);
// Space ticks the focused item of the SLO checklist; one plan button per paging
// cohort (the banner's Ctrl+Shift+O opens the top alert's plan); the arming
// bar's Arm and Disarm buttons mirror the Console menu's actions, which carry
// the keys (Ctrl+Shift+A, ADR 0028).
bool keyExempt(const QAbstractButton *b)
{
    const QString name = b->objectName();
    if (name.startsWith(u"rollbackPlanButton-"_s) || name.startsWith(u"confirm-"_s) || name == u"armingArmButton"_s
        || name == u"armingDisarmButton"_s)
        return true;
    if (auto *box = qobject_cast<QDialogButtonBox *>(b->parentWidget())) {
        const auto role = box->buttonRole(const_cast<QAbstractButton *>(b));
        return role == QDialogButtonBox::RejectRole;
    }
    return false;
}

} // namespace

class TestKeyboard : public QObject
{
    Q_OBJECT

    // The console with one active page alert, shown and active.
    struct Console
    {
        // Marked sandbox first: the keyboard flows are about keys, not arming (ADR 0028, test_arming_header).
        static QString sandboxProfile(const QString &profile)
        {
            Settings(profile).setValue(SettingKey::ProfileIsSandbox, true);
            return profile;
        }
        explicit Console(const QString &profile)
            : app(sandboxProfile(profile))
        {
            w = app.window();
            w->resize(1400, 860);
            w->show();
            w->activateWindow();
            app.alerts()->update(u"test-probe"_s, {pageAlert()});
        }
        ConsoleApp app;
        MainWindow *w = nullptr;
    };

    // Opens one of the console's dialogs the way the console does; null when it cannot.
    static QDialog *openDialog(Console &c, const QString &name)
    {
        MainWindow *w = c.w;
        if (name == u"command palette"_s) {
            w->openCommandPalette();
            return w->commandPalette();
        }
        if (name == u"shortcut sheet"_s) {
            w->openShortcutSheet();
            return w->shortcutSheet();
        }
        if (name == u"settings"_s) {
            auto *d = new SettingsDialog(c.app.settings(), c.app.tokens(), c.app.workspace(), w);
            d->setAttribute(Qt::WA_DeleteOnClose);
            d->show();
            return d;
        }
        if (name == u"cohort editor"_s) {
            w->showView(u"canary"_s);
            return c.app.cohortsPanel()->openEditor();
        }
        if (name == u"policy diff"_s) {
            w->showView(u"promotion"_s);
            auto *button = w->viewWidget(u"promotion"_s)->findChild<QPushButton *>(u"promotionPolicyDiff"_s);
            const QList<QDialog *> before = w->findChildren<QDialog *>(u"policyDiffDialog"_s);
            button->animateClick(); // what its key does
            if (!QTest::qWaitFor([&] { return w->findChildren<QDialog *>(u"policyDiffDialog"_s).size() > before.size(); }, 2000))
                return nullptr;
            const QList<QDialog *> after = w->findChildren<QDialog *>(u"policyDiffDialog"_s);
            return after.isEmpty() ? nullptr : after.last();
        }
        if (name == u"rollback"_s)
            return c.app.openRollback();
        if (name == u"what changed"_s)
            return c.app.openWhatChanged(u"page:house"_s);
        if (name.startsWith(u"confirmation"_s)) {
            ConfirmationRequest request;
            request.action = Policy::ConfirmAction::Promote;
            request.environment = u"production"_s;
            request.title = u"Promote dpl_stage to production?"_s;
            request.plan = u"POST /v10/projects/prj/promote/dpl_stage"_s;
            request.acceptLabel = u"Promote to production"_s;
            Policy::ConfirmRule rule;
            rule.requirement = name.endsWith(u"(typed)"_s) ? Policy::ConfirmRequirement::EnvironmentName : Policy::ConfirmRequirement::None;
            auto *d = new Confirmation(request, rule, w);
            d->setAttribute(Qt::WA_DeleteOnClose);
            d->open();
            return d;
        }
        return nullptr;
    }

    static void dialogTable()
    {
        QTest::addColumn<QString>("dialog");
        QTest::addColumn<QString>("focus");
        QTest::newRow("command palette") << u"command palette"_s << u"paletteSearch"_s;
        QTest::newRow("shortcut sheet") << u"shortcut sheet"_s << u"shortcutTable"_s;
        QTest::newRow("settings") << u"settings"_s << u"vercelBaseUrl"_s;
        QTest::newRow("cohort editor") << u"cohort editor"_s << u"cohortTable"_s;
        QTest::newRow("policy diff") << u"policy diff"_s << u"policyDiffTo"_s;
        QTest::newRow("rollback") << u"rollback"_s << u"trigger"_s;
        QTest::newRow("what changed") << u"what changed"_s << u"whatChangedTable"_s;
        QTest::newRow("confirmation (typed)") << u"confirmation (typed)"_s << u"confirmationInput"_s;
        QTest::newRow("confirmation (no typing)") << u"confirmation (no typing)"_s << u"confirmationCancel"_s;
    }

    static bool ownDialog(const QString &name) { return name == u"command palette"_s || name == u"shortcut sheet"_s; }

private Q_SLOTS:
    void init() { Confirmation::resetHook(); }

    // The table of dialog → the control that has the focus when it opens; Esc closes it and the
    // focus is back on the control that had it. Ctrl+K in the dialog lists every button of it with its key.
    void dialogFocus_data() { dialogTable(); }
    void dialogFocus()
    {
        QFETCH(QString, dialog);
        QFETCH(QString, focus);
        Console c(u"keyboard-focus"_s);
        QVERIFY(QTest::qWaitForWindowActive(c.w));
        auto *nav = c.w->findChild<QListWidget *>(u"navigation"_s);
        nav->setFocus(Qt::OtherFocusReason);
        QTRY_COMPARE(QApplication::focusWidget(), nav);
        QWidget *before = nav;
        if (dialog == u"policy diff"_s || dialog == u"cohort editor"_s) {
            // Opened from a view's button: the focus returns to that button.
            c.w->showView(dialog == u"policy diff"_s ? u"promotion"_s : u"canary"_s);
            before = c.w->findChild<QPushButton *>(dialog == u"policy diff"_s ? u"promotionPolicyDiff"_s : u"editCohortsButton"_s);
            before->setFocus(Qt::OtherFocusReason);
            QTRY_COMPARE(QApplication::focusWidget(), before);
        }
        QPointer<QDialog> d = openDialog(c, dialog);
        QVERIFY2(d, qPrintable(dialog));
        QTRY_VERIFY(d->isVisible());
        QTRY_VERIFY2(QApplication::focusWidget() && QApplication::focusWidget()->objectName() == focus,
                     qPrintable(u"%1 has the focus"_s.arg(QApplication::focusWidget() ? QApplication::focusWidget()->objectName() : u"nothing"_s)));

        if (!ownDialog(dialog)) {
            // Ctrl+K inside the dialog: a palette of its own buttons, each with its key.
            press(QKeySequence(Qt::CTRL | Qt::Key_K));
            CommandPalette *palette = c.w->dialogKeys()->paletteOf(d);
            QVERIFY2(palette, qPrintable(dialog));
            QTRY_VERIFY(palette->isVisible());
            QTRY_COMPARE(QApplication::focusWidget(), palette->searchField());
            QAbstractItemModelTester tester(palette->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            QHash<QString, PaletteEntry> byId;
            for (const PaletteEntry &e : palette->model()->allEntries())
                byId.insert(e.id, e);
            int buttons = 0;
            for (QAbstractButton *b : actionButtons(d)) {
                QVERIFY2(!b->objectName().isEmpty(), qPrintable(u"%1: a button without an objectName: %2"_s.arg(dialog, b->text())));
                const PaletteEntry e = byId.value(u"button:"_s + b->objectName());
                QVERIFY2(!e.id.isEmpty(), qPrintable(u"%1: %2 is not in its palette"_s.arg(dialog, b->objectName())));
                QCOMPARE(e.shortcut, shortcutOf(b));
                QVERIFY2(keyExempt(b) || !e.shortcut.isEmpty(), qPrintable(u"%1: %2 has no key"_s.arg(dialog, b->objectName())));
                if (!e.shortcut.isEmpty())
                    QVERIFY2(b->toolTip().contains(e.shortcut.toString(QKeySequence::NativeText)), qPrintable(b->toolTip()));
                ++buttons;
            }
            QVERIFY(buttons >= 1);
            press(Qt::Key_Escape);
            QTRY_VERIFY(!palette->isVisible());
            QTRY_VERIFY(QApplication::focusWidget() && QApplication::focusWidget()->window() == d);
        }

        press(Qt::Key_Escape);
        QTRY_VERIFY(!d || !d->isVisible());
        QTRY_VERIFY2(QApplication::focusWidget() == before,
                     qPrintable(u"%1 has the focus after closing"_s.arg(QApplication::focusWidget() ? QApplication::focusWidget()->objectName() : u"nothing"_s)));
    }

    // Every key that can fire at one time in the window (each view in turn, with the header, the
    // alert banner and the menus) and in each dialog is bound once; every button has a key (or an
    // exemption that says why) and shows it in its tooltip.
    void keysAreUniqueAndEveryButtonHasOne()
    {
        Console c(u"keyboard-keys"_s);
        QVERIFY(QTest::qWaitForWindowExposed(c.w));
        int checked = 0;
        for (const QString &view : MainWindow::viewNames()) {
            QVERIFY(c.w->showView(view));
            const auto keys = liveKeys(c.w);
            QVERIFY2(clashes(keys).isEmpty(), qPrintable(view + u": "_s + clashes(keys)));
            QVERIFY(keys.size() >= 12);
            QList<QWidget *> roots = {c.w->viewWidget(view), c.w->rollbackSlot(), c.w->pageBanner()};
            for (QWidget *root : roots) {
                for (QAbstractButton *b : actionButtons(root)) {
                    QVERIFY2(keyExempt(b) || !shortcutOf(b).isEmpty(), qPrintable(u"%1: %2 has no key"_s.arg(view, b->objectName())));
                    if (!shortcutOf(b).isEmpty())
                        QVERIFY2(b->toolTip().endsWith(u"(%1)"_s.arg(shortcutOf(b).toString(QKeySequence::NativeText))),
                                 qPrintable(b->objectName() + u": "_s + b->toolTip()));
                    ++checked;
                }
            }
        }
        QVERIFY(checked >= 15);
        // A button that renames itself keeps its key (setText resets a button's own shortcut).
        auto *rollback = c.w->findChild<QPushButton *>(u"rollbackButton"_s);
        rollback->setText(u"RESUME ROLLBACK"_s);
        QCOMPARE(shortcutOf(rollback), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
        QVERIFY(liveKeys(c.w).contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)));
        rollback->setToolTip(u"Resume the interrupted run"_s);
        QCOMPARE(rollback->toolTip(), u"Resume the interrupted run (%1)"_s.arg(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R).toString(QKeySequence::NativeText)));

        // The dialogs (the settings' pages one at a time: only the shown page's "Test connection" answers).
        for (const QString &name : {u"settings"_s, u"cohort editor"_s, u"policy diff"_s, u"rollback"_s, u"what changed"_s,
                                    u"confirmation (typed)"_s}) {
            QPointer<QDialog> d = openDialog(c, name);
            QVERIFY2(d, qPrintable(name));
            QTRY_VERIFY(d->isVisible());
            auto *tabs = d->findChild<QTabWidget *>();
            for (int page = 0; page < (tabs ? tabs->count() : 1); ++page) {
                if (tabs)
                    tabs->setCurrentIndex(page);
                const auto keys = liveKeys(d);
                QVERIFY2(clashes(keys).isEmpty(), qPrintable(name + u": "_s + clashes(keys)));
                QVERIFY2(keys.contains(QKeySequence(Qt::CTRL | Qt::Key_K)), qPrintable(name));
            }
            d->close();
            QTRY_VERIFY(!d || !d->isVisible());
        }
    }

    // The palette and the sheet list the header's, the banner's and the views' keys, and "go to" entries
    // for the fields with a key of their own (Ctrl+F: the audit search).
    void sheetListsEveryKey()
    {
        Console c(u"keyboard-sheet"_s);
        QVERIFY(QTest::qWaitForWindowExposed(c.w));
        QHash<QString, PaletteEntry> byId;
        for (const PaletteEntry &e : collectCommands(*c.w))
            byId.insert(e.id, e);
        for (const ShortcutBinding &b : shortcutBindings()) {
            if (b.where != u"window"_s && !MainWindow::viewNames().contains(b.where))
                continue; // a dialog's: checked in its own palette (dialogFocus)
            const bool found = byId.contains(u"button:"_s + b.objectName) || byId.contains(u"focus:"_s + b.objectName);
            QVERIFY2(found, qPrintable(b.objectName + u" is bound but not in the palette"_s));
            const PaletteEntry e = byId.contains(u"button:"_s + b.objectName) ? byId.value(u"button:"_s + b.objectName)
                                                                              : byId.value(u"focus:"_s + b.objectName);
            QCOMPARE(e.shortcut, b.keys);
        }
        c.w->openShortcutSheet();
        QTRY_VERIFY(c.w->shortcutSheet()->isVisible());
        QStringList lines;
        QTreeWidget *table = c.w->shortcutSheet()->table();
        for (int i = 0; i < table->topLevelItemCount(); ++i)
            lines << table->topLevelItem(i)->text(0) + u" = "_s + table->topLevelItem(i)->text(1) + u" @ "_s + table->topLevelItem(i)->text(2);
        const auto native = [](const QKeySequence &k) { return k.toString(QKeySequence::NativeText); };
        for (const QString &want : {u"ROLLBACK  ⚠ = %1 @ Header"_s.arg(native(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R))),
                                    u"Acknowledge = %1 @ Alert"_s.arg(native(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K))),
                                    u"Go to Search = %1 @ Audit"_s.arg(native(QKeySequence(QKeySequence::Find))),
                                    u"Promote to production  ⚠ = %1 @ Promotion"_s.arg(native(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M))),
                                    u"Execute the rollback (asks for its confirmation) = %1 @ Rollback dialog"_s.arg(
                                        native(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X)))})
            QVERIFY2(lines.contains(want), qPrintable(want + u"\n"_s + lines.join(u'\n')));
    }

    // What a screen reader reads: every control that takes the focus in every view and dialog has a name.
    void accessibleNames()
    {
        Console c(u"keyboard-names"_s);
        QVERIFY(QTest::qWaitForWindowExposed(c.w));
        QStringList unnamed;
        const auto check = [&](QWidget *root, const QString &where) {
            for (QWidget *w : root->findChildren<QWidget *>()) {
                if (!(w->focusPolicy() & Qt::TabFocus) || !w->isVisibleTo(root->window()) || w->objectName().startsWith(u"qt_"_s))
                    continue;
                if (qobject_cast<QAbstractSpinBox *>(w->parentWidget()) || qobject_cast<QComboBox *>(w->parentWidget()))
                    continue; // the inner field of a spin box or an editable combo box: its parent has the name
                if (auto *area = qobject_cast<QAbstractScrollArea *>(w->parentWidget()); area && area->viewport() == w)
                    continue; // a view's viewport: the view has the name
                QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(w);
                if (!iface || iface->text(QAccessible::Name).trimmed().isEmpty())
                    unnamed << where + u": "_s + (w->objectName().isEmpty() ? QString::fromLatin1(w->metaObject()->className()) : w->objectName());
            }
        };
        for (const QString &view : MainWindow::viewNames()) {
            c.w->showView(view);
            check(c.w->viewWidget(view), view);
        }
        check(c.w->rollbackSlot(), u"header"_s);
        check(c.w->pageBanner(), u"banner"_s);
        check(c.w->findChild<QListWidget *>(u"navigation"_s)->parentWidget(), u"window"_s);
        for (const QString &name : {u"settings"_s, u"cohort editor"_s, u"policy diff"_s, u"rollback"_s, u"what changed"_s,
                                    u"confirmation (typed)"_s, u"command palette"_s, u"shortcut sheet"_s}) {
            QPointer<QDialog> d = openDialog(c, name);
            QVERIFY2(d, qPrintable(name));
            QTRY_VERIFY(d->isVisible());
            auto *tabs = d->findChild<QTabWidget *>();
            for (int page = 0; page < (tabs ? tabs->count() : 1); ++page) {
                if (tabs)
                    tabs->setCurrentIndex(page);
                check(d, name);
            }
            d->close();
        }
        unnamed.removeDuplicates();
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u"\n"_s)));
    }

    // Review and promote a candidate with keys only: F5 reviews, Ctrl+Shift+Y approves what is shown,
    // Ctrl+Shift+M promotes, the confirmation is typed and confirmed with Ctrl+Enter. The end state of
    // test_promotion_view's promote: one promote call for the reviewed deployment, reported as done.
    void promoteWithKeysOnly()
    {
        using namespace RaizeTest::PromotionFakes;
        FakeServices services;
        RaizeTest::MemoryAudit audit;
        ManualClock clock;
        Release::Promotion session(policy());
        Release::Promotion::Dependencies deps;
        deps.services = &services;
        deps.audit = &audit;
        deps.records = [&audit] { return audit.records; };
        deps.clock = &clock;
        session.setDependencies(deps);
        PromotionView view(&session);
        QAbstractItemModelTester tester(view.gateModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(applyShortcuts(&view) >= 4); // what ConsoleApp does for the window
        view.resize(1200, 800);
        view.show();
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        QTRY_VERIFY(QApplication::focusWidget());
        NoMouse noMouse;

        press(QKeySequence(QKeySequence::Refresh));
        QTRY_VERIFY(view.reviews() == 1 && !view.busy());
        QVERIFY(view.findChild<QLabel *>(u"promotionVerdict"_s)->text().contains(u"Promotion allowed"_s)
                || view.findChild<QLabel *>(u"promotionVerdict"_s)->text().contains(u"approval"_s));
        press(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Y));
        QTRY_VERIFY(view.findChild<QLabel *>(u"promotionApprovals"_s)->text().startsWith(u"Approvals: 1 of 1 (oncall-lead)"_s));
        auto *promote = view.findChild<QPushButton *>(u"promotionPromote"_s);
        QTRY_VERIFY(promote->isEnabled());

        QSignalSpy promoted(&view, &PromotionView::promoted);
        QString asked;
        bool answered = false;
        answerConfirmation(&asked, &answered);
        press(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
        QTRY_VERIFY(answered);
        QVERIFY2(asked.contains(u"production"_s), qPrintable(asked));
        QVERIFY(promoted.wait(5000) || promoted.count() == 1);
        QVERIFY2(promoted.first().at(0).toBool(), qPrintable(promoted.first().at(1).toString()));
        QCOMPARE(services.count(u"promote dpl_stage"_s), 1);
        QCOMPARE(Confirmation::asked().size(), 1);
        QCOMPARE(Confirmation::asked().first().action, Policy::ConfirmAction::Promote);
        QVERIFY2(noMouse.seen == 0, qPrintable(noMouse.first));
    }

    // Turn a flag on for a scope with keys only: Ctrl+M to the matrix, arrows to the cell,
    // Ctrl+Shift+N, the environment's name typed, Ctrl+Enter. test_canary_matrix's widening:
    // pending until the read-back shows it, then ON, with the requested and confirmed records.
    void toggleWithKeysOnly()
    {
        // test_canary_matrix's widening: a flag on for client-bloom, turned on for client-fjord too.
        const QString flag = u"publishing.client-bloom-beta"_s;
        RaizeTest::MemoryFlagService service;
        Services::FlagState f;
        f.key = flag;
        f.environment = u"production"_s;
        f.enabled = true;
        f.type = u"release"_s;
        Services::FlagStrategy s;
        s.id = u"s1"_s;
        s.name = u"flexibleRollout"_s;
        s.scope.clientIds = {u"client-bloom"_s};
        f.strategies = {s};
        service.flags = {f};
        RaizeTest::MemoryAudit audit;
        Release::FlagPoller poller(service, u"production"_s, 60000);
        const QList<Release::Cohort> cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        Release::ToggleRules rules;
        rules.sideEffects.prefixes = {u"publishing."_s, u"engagement."_s, u"browser-lane."_s};
        rules.firstCanary = cohorts[0].scope();
        rules.firstCanaryCohort = cohorts[0].id;
        CanaryMatrix matrix;
        QAbstractItemModelTester tester(matrix.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        matrix.setRules(rules, cohorts);
        matrix.setService(&service, &poller, u"production"_s, &audit);
        matrix.setIdentity(Identity{u"oncall-lead"_s, {}}); // who toggles: the token's GitHub login (test_canary_matrix)
        QSignalSpy first(&poller, &Release::FlagPoller::updated);
        poller.refresh();
        QVERIFY(first.wait(2000));
        QTRY_VERIFY(matrix.model()->rowCount() > 0);
        QVERIFY(applyShortcuts(&matrix) >= 3);
        matrix.resize(1200, 500);
        matrix.show();
        matrix.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&matrix));
        QTRY_VERIFY(QApplication::focusWidget());

        const int row = matrix.model()->rowOf(flag);
        const int column = matrix.model()->columnOf(Release::MatrixColumn{Release::MatrixColumn::Kind::Client, u"client-fjord"_s});
        QVERIFY(row >= 0);
        QCOMPARE(matrix.model()->index(row, column).data().toString(), u"off"_s);
        QCOMPARE(matrix.model()->index(row, matrix.model()->columnOf(Release::MatrixColumn{Release::MatrixColumn::Kind::Client,
                                                                                          u"client-bloom"_s}))
                     .data()
                     .toString(),
                 u"ON"_s);
        QVERIFY(column >= 0);
        NoMouse noMouse;
        press(QKeySequence(Qt::CTRL | Qt::Key_M));
        QTRY_COMPARE(QApplication::focusWidget(), matrix.table());
        press(Qt::Key_Home, Qt::ControlModifier);
        for (int r = matrix.table()->currentIndex().row(); r < row; ++r)
            press(Qt::Key_Down);
        for (int col = matrix.table()->currentIndex().column(); col < column; ++col)
            press(Qt::Key_Right);
        QCOMPARE(matrix.table()->currentIndex(), matrix.model()->index(row, column));

        QString asked;
        bool answered = false;
        answerConfirmation(&asked, &answered);
        press(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        QTRY_VERIFY2(answered, qPrintable(matrix.message()));
        QCOMPARE(Confirmation::asked().size(), 1);
        QCOMPARE(Confirmation::asked().first().action, Policy::ConfirmAction::ProductionToggle);
        QTRY_VERIFY_WITH_TIMEOUT(!matrix.pending(), 10000);
        QVERIFY2(matrix.message().startsWith(u"Confirmed by read-back"_s), qPrintable(matrix.message()));
        QCOMPARE(matrix.model()->index(row, column).data().toString(), u"ON"_s);
        QCOMPARE(audit.records.size(), 2);
        QCOMPARE(audit.records[0].action, u"flag.toggle.requested"_s);
        QCOMPARE(audit.records[1].action, u"flag.toggle.confirmed"_s);
        QVERIFY2(noMouse.seen == 0, qPrintable(noMouse.first));
    }

    // Acknowledge a page with keys only (Ctrl+Shift+K from any view): test_alerts' end state, an
    // alert.acknowledge record in the profile's audit log and the banner saying who.
    void acknowledgeWithKeysOnly()
    {
        const QString profile = u"keyboard-ack"_s;
        QFile::remove(Records::AuditLog::defaultPath(profile, {}));
        Console c(profile);
        QVERIFY(QTest::qWaitForWindowActive(c.w));
        QTRY_VERIFY(QApplication::focusWidget());
        PageBanner *banner = c.w->pageBanner();
        QVERIFY(banner->isVisible());
        NoMouse noMouse;
        press(QKeySequence(Qt::CTRL | Qt::Key_5)); // from the Rollback view, say
        QCOMPARE(c.w->currentView(), u"rollback"_s);
        press(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
        QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(u"Acknowledged by"_s), 10000);
        QVERIFY(!banner->acknowledgeButton()->isEnabled());
        bool recorded = false;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(Records::AuditLog::defaultPath(profile, {})))
            recorded = recorded || (r.action == u"alert.acknowledge"_s && r.target == u"page:house"_s);
        QVERIFY(recorded);
        // The focus stays in the window, on a control that can take the next key.
        QVERIFY(QApplication::focusWidget() && QApplication::focusWidget()->window() == c.w);
        QVERIFY2(noMouse.seen == 0, qPrintable(noMouse.first));
    }
};

RAIZE_GUI_TEST_MAIN(TestKeyboard)
#include "tst_keyboard.moc"
