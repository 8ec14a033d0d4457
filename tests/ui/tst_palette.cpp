// The command palette and the shortcut sheet (issue #21, items 1 and 2):
// fuzzy matching, the palette's model, the whole console's views, menu actions
// and buttons in the palette with their shortcuts, production controls marked,
// and the palette driven with key events only.

#include "consoleapp.h"
#include "mainwindow.h"
#include "palette/commandcollector.h"
#include "palette/commandpalette.h"
#include "palette/fuzzymatch.h"
#include "palette/palettemodel.h"
#include "palette/palettesources.h"
#include "palette/shortcutsheet.h"
#include "palette/shortcuttable.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineview.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;

namespace {

// Fails the test if any mouse event reaches a widget: the flows below are keyboard-only.
class NoMouse : public QObject
{
public:
    int seen = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        switch (event->type()) {
        case QEvent::MouseButtonPress:
        case QEvent::MouseButtonRelease:
        case QEvent::MouseButtonDblClick:
            ++seen;
            break;
        default:
            break;
        }
        return false;
    }
};

void typeInto(const QString &text)
{
    for (QChar c : text)
        QTest::keyClick(QApplication::focusWidget(), c.toLatin1());
}

} // namespace

class TestPalette : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fuzzy_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("matches");
        QTest::newRow("empty") << QString() << u"Rollback"_s << true;
        QTest::newRow("prefix") << u"roll"_s << u"Rollback"_s << true;
        QTest::newRow("case") << u"ROLL"_s << u"rollback"_s << true;
        QTest::newRow("initials") << u"pp"_s << u"Promotion: Promote to production"_s << true;
        QTest::newRow("in order only") << u"kcab"_s << u"Rollback"_s << false;
        QTest::newRow("longer than text") << u"rollbacks"_s << u"Rollback"_s << false;
        QTest::newRow("spaces ignored") << u"turn on"_s << u"Canary: Turn on"_s << true;
        QTest::newRow("missing letter") << u"rollbx"_s << u"Rollback"_s << false;
        QTest::newRow("unicode") << u"über"_s << u"Client Überweisung"_s << true;
    }

    void fuzzy()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, text);
        QFETCH(bool, matches);
        QList<int> positions;
        const auto score = fuzzyScore(pattern, text, &positions);
        QCOMPARE(score.has_value(), matches);
        if (matches && !pattern.isEmpty()) {
            // The positions spell the pattern, in order.
            QString spelled;
            for (int i = 0; i < positions.size(); ++i) {
                QVERIFY(i == 0 || positions[i] > positions[i - 1]);
                spelled += text[positions[i]];
            }
            QCOMPARE(spelled.toCaseFolded(), QString(pattern).remove(u' ').toCaseFolded());
        }
    }

    void fuzzyRanks()
    {
        // Word starts and runs beat scattered letters; shorter texts win ties.
        const auto score = [](const QString &p, const QString &t) {
            const auto s = fuzzyScore(p, t);
            if (!s)
                qFatal("%s does not match %s", qPrintable(p), qPrintable(t));
            return *s;
        };
        QVERIFY(score(u"rb"_s, u"RollBack"_s) > score(u"rb"_s, u"Search for a rollout lab"_s));
        QVERIFY(score(u"promo"_s, u"Promotion"_s) > score(u"promo"_s, u"Preview: run smoke on it, more"_s));
        QVERIFY(score(u"can"_s, u"Canary"_s) > score(u"can"_s, u"Canary: Edit cohorts of the canary"_s));
        QVERIFY(score(u"tl"_s, u"Timeline"_s) > score(u"tl"_s, u"Settings: Test all"_s));
    }

    void model()
    {
        PaletteModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        int runs = 0;
        QList<PaletteEntry> entries;
        entries.append({u"view:slos"_s, u"SLOs"_s, {}, PaletteEntry::Kind::View, QKeySequence(u"Ctrl+3"_s), false, true, [&] { ++runs; }});
        entries.append({u"button:promotionPromote"_s, u"Promotion: Promote to production"_s, {}, PaletteEntry::Kind::Action, {}, true,
                        false, [&] { ++runs; }});
        entries.append({u"target:flag:publishing.x"_s, u"Flag publishing.scheduler-v2"_s, u"Canary · on"_s, PaletteEntry::Kind::Target, {},
                        false, true, [&] { ++runs; }});
        model.setEntries(entries);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.data(model.index(0), PaletteModel::KindRole).toString(), u"view"_s); // views first when nothing is typed
        model.setFilterText(u"promote"_s);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.data(model.index(0)).toString().contains(u"changes production"_s));
        QVERIFY(model.data(model.index(0), PaletteModel::ChangesProductionRole).toBool());
        QVERIFY(!(model.flags(model.index(0)) & Qt::ItemIsEnabled)); // disabled: shown, not runnable
        QVERIFY(!model.run(0));
        model.setFilterText(u"sched"_s);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.run(0));
        QCOMPARE(runs, 1);
        model.setFilterText(u"ctrl+3"_s); // by its shortcut
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), PaletteModel::IdRole).toString(), u"view:slos"_s);
        model.setFilterText(u"zzzz"_s);
        QCOMPARE(model.rowCount(), 0);
    }

    // Every view, every menu action and every button of every view and of the header is in the
    // palette with its shortcut; the controls that change production are marked.
    void everyControlIsInThePalette()
    {
        ConsoleApp app(u"palette"_s);
        MainWindow *w = app.window();
        w->resize(1400, 860);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY2(markProductionControls(*w).isEmpty(), "a control of productionControls() is gone: update the table");
        const QList<PaletteEntry> entries = collectCommands(*w);
        QHash<QString, PaletteEntry> byId;
        for (const PaletteEntry &e : entries) {
            QVERIFY2(!e.title.trimmed().isEmpty(), qPrintable(e.id));
            byId.insert(e.id, e);
        }
        // Views, on Ctrl+1…
        const QStringList views = MainWindow::viewNames();
        for (int i = 0; i < views.size(); ++i) {
            const PaletteEntry e = byId.value(u"action:actionView_"_s + views[i]);
            QCOMPARE(e.kind, PaletteEntry::Kind::View);
            QCOMPARE(e.shortcut, QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        }
        // Menu actions with their shortcuts (the palette's own entry excepted).
        int actions = 0;
        for (QAction *top : w->menuBar()->actions()) {
            for (QAction *a : top->menu()->actions()) {
                if (a->isSeparator())
                    continue;
                QVERIFY2(byId.contains(u"action:"_s + a->objectName()), qPrintable(a->text()));
                QCOMPARE(byId.value(u"action:"_s + a->objectName()).shortcut, a->shortcut());
                ++actions;
            }
        }
        QVERIFY(actions >= views.size() + 3);
        // Every named button of every view (and the header).
        int buttons = 0;
        QList<QWidget *> roots = {w->rollbackSlot()};
        for (const QString &v : views)
            roots << w->viewWidget(v);
        for (QWidget *root : roots) {
            for (QAbstractButton *b : root->findChildren<QAbstractButton *>()) {
                if (b->text().isEmpty() && b->accessibleName().isEmpty() && b->toolTip().isEmpty())
                    continue; // e.g. a table's corner button: no action of its own
                QVERIFY2(!b->objectName().isEmpty(), qPrintable(u"a button without an objectName: "_s + b->text()));
                const PaletteEntry e = byId.value(u"button:"_s + b->objectName());
                QVERIFY2(!e.id.isEmpty(), qPrintable(b->objectName()));
                QCOMPARE(e.shortcut, shortcutOf(b)); // its key from the shortcut table, else its mnemonic
                QCOMPARE(e.changesProduction, productionControls().contains(b->objectName()));
                ++buttons;
            }
        }
        QVERIFY(buttons >= 8);
        QVERIFY(byId.value(u"button:rollbackButton"_s).changesProduction);
        QVERIFY(byId.value(u"button:promotionPromote"_s).changesProduction);
    }

    // Recent targets: a deployment on the timeline is found by its id and selected when chosen.
    void recentTargets()
    {
        ConsoleApp app(u"palette"_s);
        MainWindow *w = app.window();
        w->show();
        auto *timeline = qobject_cast<TimelineView *>(w->viewWidget(u"timeline"_s));
        QVERIFY(timeline);
        TimelineEvent e;
        e.timeMs = QDateTime::currentMSecsSinceEpoch();
        e.kind = TimelineEvent::Kind::Deployment;
        e.environment = u"Production"_s;
        e.service = u"web"_s;
        e.title = u"dpl_palette42 READY"_s;
        e.state = u"READY"_s;
        timeline->model()->append({e});
        PaletteModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEntries(collectCommands(*w));
        model.setFilterText(u"palette42"_s);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), PaletteModel::KindRole).toString(), u"target"_s);
        w->showView(u"canary"_s);
        QVERIFY(model.run(0));
        QCOMPARE(w->currentView(), u"timeline"_s);
        const QModelIndex current = timeline->filterModel()->mapToSource(timeline->list()->currentIndex());
        QCOMPARE(timeline->model()->event(current.row()).title, u"dpl_palette42 READY"_s);
    }

    // Ctrl+K, type, Enter: the view opens; F1 and "?" open the sheet; no mouse event at all.
    void keyboardOnly()
    {
        ConsoleApp app(u"palette"_s);
        MainWindow *w = app.window();
        w->resize(1400, 860);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        NoMouse noMouse;
        qApp->installEventFilter(&noMouse);
        w->activateWindow();
        QTRY_VERIFY(QApplication::focusWidget());
        QCOMPARE(w->currentView(), u"timeline"_s);

        QTest::keyClick(QApplication::focusWidget(), Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(w->commandPalette() && w->commandPalette()->isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), w->commandPalette()->searchField()); // the table of dialog → focus
        QAbstractItemModelTester tester(w->commandPalette()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        typeInto(u"slos"_s);
        QVERIFY(w->commandPalette()->model()->rowCount() > 0);
        QCOMPARE(w->commandPalette()->model()->data(w->commandPalette()->list()->currentIndex(), PaletteModel::IdRole).toString(),
                 u"action:actionView_slos"_s);
        QSignalSpy ran(w->commandPalette(), &CommandPalette::entryRun);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QTRY_COMPARE(ran.count(), 1);
        QVERIFY(!w->commandPalette()->isVisible());
        QCOMPARE(w->currentView(), u"slos"_s);

        // Down moves, Escape closes without running anything.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(w->commandPalette()->isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), w->commandPalette()->searchField());
        QVERIFY(w->commandPalette()->searchField()->text().isEmpty()); // a fresh search each time
        const QModelIndex first = w->commandPalette()->list()->currentIndex();
        QVERIFY(first.isValid());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
        QVERIFY(w->commandPalette()->list()->currentIndex().row() > first.row());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!w->commandPalette()->isVisible());
        QCOMPARE(ran.count(), 1);

        // Ctrl+2: the Canary view (keys go to whatever has the focus: back in the window after Escape).
        QTRY_VERIFY(QApplication::focusWidget() && QApplication::focusWidget()->window() == w);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w->currentView(), u"canary"_s);

        // F1: the shortcut sheet lists Ctrl+K and the views' shortcuts.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_F1);
        QTRY_VERIFY(w->shortcutSheet() && w->shortcutSheet()->isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), w->shortcutSheet()->table());
        QAbstractItemModelTester sheetTester(w->shortcutSheet()->table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QStringList keys;
        for (int i = 0; i < w->shortcutSheet()->table()->topLevelItemCount(); ++i)
            keys << w->shortcutSheet()->table()->topLevelItem(i)->text(1);
        for (const QKeySequence &k : {QKeySequence(Qt::CTRL | Qt::Key_1), QKeySequence(Qt::CTRL | Qt::Key_K), QKeySequence(Qt::CTRL | Qt::Key_Q)})
            QVERIFY2(keys.contains(k.toString(QKeySequence::NativeText)), qPrintable(keys.join(u" | "_s)));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!w->shortcutSheet()->isVisible());

        // "?" opens it too, but not while typing in a text field.
        QTRY_VERIFY(QApplication::focusWidget() && QApplication::focusWidget()->window() == w);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Question, Qt::ShiftModifier);
        QTRY_VERIFY(w->shortcutSheet()->isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), w->shortcutSheet()->table());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!w->shortcutSheet()->isVisible());
        QTRY_VERIFY(QApplication::focusWidget() && QApplication::focusWidget()->window() == w); // back where it was
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(w->commandPalette()->isVisible());
        QTRY_COMPARE(QApplication::focusWidget(), w->commandPalette()->searchField());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Question, Qt::ShiftModifier);
        QCOMPARE(w->commandPalette()->searchField()->text(), u"?"_s);
        QVERIFY(!w->shortcutSheet()->isVisible());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);

        qApp->removeEventFilter(&noMouse);
        QCOMPARE(noMouse.seen, 0);
    }
};

QTEST_MAIN(TestPalette)
#include "tst_palette.moc"
