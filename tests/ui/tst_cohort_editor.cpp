// The cohort editor (issue #8, part 1): edit the profile's cohorts in the
// Canary view, invalid input keeps Save disabled with the reason, a save is
// audited and the toggle matrix and the SLO view follow, reset to the policy.
// With RAIZE_SCREENSHOT_DIR set it also saves docs/screenshots/cohort-editor.png.

#include "testutil.h"

#include "canary/canarymatrix.h"
#include "canary/cohorteditor.h"
#include "canary/cohortspanel.h"
#include "canary/cohorttablemodel.h"
#include "consoleapp.h"
#include "slo/sloview.h"
#include "widgets/confirmation.h"

#include "core/settings.h"
#include "workspace/effectivepolicy.h"
#include "records/auditlog.h"
#include "records/auditrecord.h"
#include "records/auditverifier.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;

namespace {

QList<Records::AuditRecord> readLog(const QString &path)
{
    QList<Records::AuditRecord> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        Records::AuditRecord r;
        if (!line.isEmpty() && Records::AuditRecord::fromLine(line, &r))
            out << r;
    }
    return out;
}

QStringList comboItems(const QComboBox *combo)
{
    QStringList out;
    for (int i = 0; i < combo->count(); ++i)
        out << combo->itemText(i);
    return out;
}

} // namespace

class TestCohortEditor : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // What the Canary view holds: the panel, the matrix and the SLO view, linked as the console links them.
    struct Console
    {
        Settings settings;
        Records::AuditLog audit;
        EffectivePolicy policy = EffectivePolicy::builtin();
        CohortsPanel panel;
        CanaryMatrix matrix;
        SloView slo;
        Console(const QString &dir, bool withAudit = true)
            : settings(u"cohorts"_s, dir)
            , audit(dir + u"/audit.jsonl"_s)
            , panel(settings, policy.bundle(), withAudit ? &audit : nullptr)
        {
            ConsoleApp::linkCohorts(&panel, policy, &matrix, &slo);
            // Who edits: the GitHub login of the profile's token (ConsoleApp hands the workspace's identity in).
            panel.setIdentity(Identity{u"oncall-lead"_s, {}});
        }
    };

    static void setCell(CohortEditor *editor, int row, int column, const QString &text)
    {
        QVERIFY(editor->model()->setData(editor->model()->index(row, column), text));
    }

    static QPushButton *button(QWidget *w, const QString &name)
    {
        auto *b = w->findChild<QPushButton *>(name);
        if (!b)
            qFatal("no button %s", qPrintable(name));
        return b;
    }

private Q_SLOTS:
    void init()
    {
        QFile::remove(m_dir.filePath(u"cohorts.ini"_s));
        QFile::remove(m_dir.filePath(u"audit.jsonl"_s));
        QFile::remove(m_dir.filePath(u"audit.jsonl.head"_s));
    }

    void editSaveAndReset()
    {
        Console c(m_dir.path());
        c.panel.show();
        QVERIFY(c.panel.summary().contains(u"from the policy bundle"_s));
        auto *laneCombo = c.slo.findChild<QComboBox *>(u"laneCohortCombo"_s);
        QCOMPARE(comboItems(laneCombo), (QStringList{u"House accounts"_s, u"Low-risk clients"_s, u"Broad"_s}));

        button(&c.panel, u"editCohortsButton"_s)->click();
        QPointer<CohortEditor> editor = c.panel.findChild<CohortEditor *>(u"cohortEditor"_s);
        QVERIFY(editor);
        QTRY_VERIFY(editor->isVisible());
        // The tester lives as long as the model (the editor closes on save).
        new QAbstractItemModelTester(editor->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, editor->model());
        QPushButton *save = button(editor, u"cohortSaveButton"_s);
        auto *message = editor->findChild<QLabel *>(u"cohortEditorMessage"_s);
        QCOMPARE(editor->model()->rowCount(), 3);
        QVERIFY(save->isEnabled());

        // Removing a cohort a rollout stage names: invalid, and said so.
        editor->table()->setCurrentIndex(editor->model()->index(1, 0));
        button(editor, u"removeCohortButton"_s)->click();
        QCOMPARE(editor->model()->rowCount(), 2);
        QVERIFY(!save->isEnabled());
        QVERIFY2(message->text().contains(u"\"lowrisk\" is not a cohort"_s), qPrintable(message->text()));
        button(editor, u"resetCohortsButton"_s)->click();
        QCOMPARE(editor->model()->rowCount(), 3);
        QVERIFY(save->isEnabled());

        // A new row: invalid until it has an id and some ids; Save does nothing meanwhile.
        button(editor, u"addCohortButton"_s)->click();
        QCOMPARE(editor->model()->rowCount(), 4);
        QVERIFY(!save->isEnabled());
        QVERIFY2(message->text().startsWith(u"Row 4, id: must be a non-empty string"_s), qPrintable(message->text()));
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(editor->isVisible());
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).isEmpty());
        // "Add cohort" opened the new row's id for typing, as an operator does.
        auto *lineEdit = editor->table()->findChild<QLineEdit *>();
        QVERIFY(lineEdit);
        QTest::keyClicks(lineEdit, u"pilot"_s);
        QTest::keyClick(lineEdit, Qt::Key_Return);
        QTRY_COMPARE(editor->model()->data(editor->model()->index(3, CohortTableModel::IdColumn)).toString(), u"pilot"_s);
        QVERIFY(editor->isVisible()); // Return committed the cell, it did not press Save
        QVERIFY(!save->isEnabled());
        QVERIFY2(message->text().contains(u"Row 4: lists no client and no platform account"_s), qPrintable(message->text()));
        setCell(editor, 3, CohortTableModel::NameColumn, u"Pilot clients"_s);
        setCell(editor, 3, CohortTableModel::ClientsColumn, u"client-pilot, client-oak, "_s); // a stray comma is no id
        QVERIFY2(save->isEnabled(), qPrintable(message->text()));

        // A duplicate id, and mixing "*" with ids: invalid.
        setCell(editor, 3, CohortTableModel::IdColumn, u"house"_s);
        QVERIFY(!save->isEnabled());
        QVERIFY2(message->text().contains(u"\"house\" is given twice"_s), qPrintable(message->text()));
        setCell(editor, 3, CohortTableModel::IdColumn, u"pilot"_s);
        setCell(editor, 2, CohortTableModel::ClientsColumn, u"*, client-x"_s);
        QVERIFY(!save->isEnabled());
        QVERIFY2(message->text().contains(u"cannot be mixed"_s), qPrintable(message->text()));
        setCell(editor, 2, CohortTableModel::ClientsColumn, u"*"_s);
        QVERIFY(save->isEnabled());

        setCell(editor, 0, CohortTableModel::AccountsColumn, u"acct-house-ig, acct-house-x, acct-house-li"_s);
        setCell(editor, 3, CohortTableModel::ClientsColumn, u"client-pilot, client-oak"_s);
        QVERIFY(save->isEnabled());
        QCOMPARE(message->text(), u"4 cohorts, valid."_s);

        if (const QString shots = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !shots.isEmpty()) {
            editor->table()->clearSelection();
            editor->resize(860, 360);
            QApplication::processEvents();
            QVERIFY(editor->grab().save(shots + u"/cohort-editor.png"_s));
        }

        // The save goes through the one confirmation: the exact cohorts, marked against those in effect.
        Confirmation::resetHook();
        Confirmation::setNextAnswer(true);
        QTest::mouseClick(save, Qt::LeftButton);
        QTRY_VERIFY(!editor);
        QCOMPARE(Confirmation::asked().size(), 1);
        QCOMPARE(Confirmation::asked().last().action, Policy::ConfirmAction::CohortSave);
        {
            const QString plan = Confirmation::asked().last().plan;
            QVERIFY2(plan.startsWith(u"Profile cohorts: store these cohorts in the profile's settings (they replace the policy bundle's):\n"_s),
                     qPrintable(plan));
            QVERIFY2(plan.contains(u"  ~ house — House accounts: clients house; accounts acct-house-ig, acct-house-x, acct-house-li\n"_s),
                     qPrintable(plan));
            QVERIFY2(plan.contains(u"  = broad — Broad: clients *; accounts *\n"_s), qPrintable(plan));
            QVERIFY2(plan.contains(u"  + pilot — Pilot clients: clients client-pilot, client-oak; accounts none\n"_s), qPrintable(plan));
        }
        QVERIFY2(c.panel.summary().contains(u"from this profile's settings"_s), qPrintable(c.panel.summary()));
        QVERIFY(c.panel.summary().contains(u"Pilot clients"_s));
        QCOMPARE(c.slo.cohorts().size(), 4);
        QCOMPARE(comboItems(laneCombo), (QStringList{u"House accounts"_s, u"Low-risk clients"_s, u"Broad"_s, u"Pilot clients"_s}));
        QVERIFY(c.matrix.model()->columnOf({Release::MatrixColumn::Kind::Client, u"client-oak"_s}) >= 0);
        QVERIFY(c.matrix.model()->columnOf({Release::MatrixColumn::Kind::Account, u"acct-house-li"_s}) >= 0);
        {
            const auto stored = Release::effectiveCohorts(c.settings, Policy::builtinBundle());
            QVERIFY(stored && stored->fromSettings);
            QCOMPARE(stored->cohorts.last().clientIds, (QStringList{u"client-pilot"_s, u"client-oak"_s}));
        }
        auto records = readLog(c.audit.path());
        QCOMPARE(records.size(), 1);
        QCOMPARE(records[0].action, u"cohorts.edit"_s);
        QCOMPARE(records[0].actor, u"oncall-lead"_s); // the token's login, never $USER
        QVERIFY(records[0].after["cohorts"].size() == 4);

        // Reopen: the profile's cohorts; reset to the policy and save.
        button(&c.panel, u"editCohortsButton"_s)->click();
        editor = c.panel.findChild<CohortEditor *>(u"cohortEditor"_s);
        QVERIFY(editor);
        new QAbstractItemModelTester(editor->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, editor->model());
        QCOMPARE(editor->model()->rowCount(), 4);
        QVERIFY(editor->findChild<QLabel *>(u"cohortEditorSource"_s)->text().contains(u"settings"_s));
        button(editor, u"resetCohortsButton"_s)->click();
        QCOMPARE(editor->model()->rowCount(), 3);
        QVERIFY2(editor->message().contains(u"the policy bundle's own"_s), qPrintable(editor->message()));
        Confirmation::setNextAnswer(true);
        QTest::mouseClick(button(editor, u"cohortSaveButton"_s), Qt::LeftButton);
        QTRY_VERIFY(!editor);
        QCOMPARE(Confirmation::asked().size(), 2);
        QVERIFY2(Confirmation::asked().last().plan.startsWith(u"Profile cohorts: go back to the policy bundle's cohorts"_s),
                 qPrintable(Confirmation::asked().last().plan));
        QVERIFY2(Confirmation::asked().last().plan.contains(u"  - pilot — Pilot clients"_s), qPrintable(Confirmation::asked().last().plan));
        QVERIFY(c.panel.summary().contains(u"from the policy bundle"_s));
        QCOMPARE(comboItems(laneCombo), (QStringList{u"House accounts"_s, u"Low-risk clients"_s, u"Broad"_s}));
        QVERIFY(c.matrix.model()->columnOf({Release::MatrixColumn::Kind::Client, u"client-oak"_s}) < 0);
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).isEmpty());
        records = readLog(c.audit.path());
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[1].action, u"cohorts.reset"_s);
        QVERIFY(Records::AuditVerifier::verify(c.audit.path()).intact());
    }

    void saveNeedsWhatTheTableSays()
    {
        // A tenant table that asks for a word before a cohort save: a near miss or a cancel stores nothing.
        Policy::Confirmations table = Policy::builtinConfirmations();
        table.rules[Policy::ConfirmAction::CohortSave] = {Policy::ConfirmRequirement::Word, u"COHORTS"_s};
        Confirmation::setTable(table);
        Confirmation::resetHook();
        Console c(m_dir.path());
        CohortEditor *editor = c.panel.openEditor();
        setCell(editor, 0, CohortTableModel::NameColumn, u"Renamed"_s);
        Confirmation::setNextAnswer(true, u"cohorts"_s);
        Confirmation::setNextAnswer(false, u"COHORTS"_s);
        for (int i = 0; i < 2; ++i) {
            QVERIFY(!editor->save());
            QVERIFY2(editor->message().startsWith(u"Not saved: the confirmation was cancelled"_s), qPrintable(editor->message()));
            QVERIFY(editor->isVisible());
        }
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).isEmpty());
        QVERIFY(readLog(c.audit.path()).isEmpty());
        Confirmation::setNextAnswer(true, u"COHORTS"_s);
        QVERIFY(editor->save());
        QCOMPARE(Confirmation::asked().size(), 3);
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).contains(u"Renamed"_s));
        QCOMPARE(readLog(c.audit.path()).size(), 1);
        Confirmation::setTable(Policy::builtinConfirmations());
    }

    void cancelChangesNothing()
    {
        Console c(m_dir.path());
        CohortEditor *editor = c.panel.openEditor();
        setCell(editor, 0, CohortTableModel::NameColumn, u"Renamed"_s);
        button(editor, u"cohortCancelButton"_s)->click();
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).isEmpty());
        QVERIFY(!c.panel.summary().contains(u"Renamed"_s));
        QVERIFY(readLog(c.audit.path()).isEmpty());
    }

    void malformedStoredCohortsAreShownAndKept()
    {
        const QString broken = u"[{\"id\": \"house\", \"clientIds\": [\"house\"]"_s;
        {
            Settings s(u"cohorts"_s, m_dir.path());
            s.setValue(SettingKey::CanaryCohorts, broken);
            QVERIFY(s.sync());
        }
        Console c(m_dir.path());
        QVERIFY(c.panel.summary().contains(u"from the policy bundle"_s));
        QVERIFY2(c.panel.summary().contains(u"not valid JSON"_s), qPrintable(c.panel.summary()));
        QCOMPARE(c.slo.cohorts().size(), 3);
        CohortEditor *editor = c.panel.openEditor();
        QVERIFY(editor->findChild<QLabel *>(u"cohortEditorSource"_s)->text().contains(u"cannot be used"_s));
        QCOMPARE(editor->model()->rowCount(), 3);
        editor->reject();
        QCOMPARE(c.settings.string(SettingKey::CanaryCohorts), broken); // nothing lost
    }

    // Issue #17: nobody can be named (GitHub did not say who the token is): Save is refused with the reason,
    // before any question is asked; nothing is stored or recorded.
    void unknownIdentityNoSave()
    {
        Console c(m_dir.path());
        c.panel.setIdentity(Identity{{}, u"GitHub answered HTTP 401 Bad credentials"_s});
        CohortEditor *editor = c.panel.openEditor();
        setCell(editor, 0, CohortTableModel::NameColumn, u"Renamed"_s);
        QVERIFY(button(editor, u"cohortSaveButton"_s)->isEnabled());
        const qsizetype asked = Confirmation::asked().size();
        QVERIFY(!editor->save());
        QVERIFY2(editor->message().contains(u"who you are is unknown (GitHub answered HTTP 401 Bad credentials)"_s),
                 qPrintable(editor->message()));
        QCOMPARE(Confirmation::asked().size(), asked);
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).isEmpty());
        QVERIFY(!QFile::exists(c.audit.path()));
        // Known again: the same edit saves, recorded as that login.
        c.panel.setIdentity(Identity{u"sre-sam"_s, {}});
        Confirmation::setNextAnswer(true);
        QVERIFY(editor->save());
        const auto records = readLog(c.audit.path());
        QCOMPARE(records.size(), 1);
        QCOMPARE(records[0].actor, u"sre-sam"_s);
    }

    void noAuditLogNoSave()
    {
        Console c(m_dir.path(), false);
        CohortEditor *editor = c.panel.openEditor();
        setCell(editor, 0, CohortTableModel::NameColumn, u"Renamed"_s);
        QVERIFY(!button(editor, u"cohortSaveButton"_s)->isEnabled());
        QVERIFY(editor->message().contains(u"No audit log is open"_s));
        QVERIFY(!editor->save());
        QVERIFY(c.settings.string(SettingKey::CanaryCohorts).isEmpty());
    }
};

RAIZE_GUI_TEST_MAIN(TestCohortEditor)
#include "tst_cohort_editor.moc"
