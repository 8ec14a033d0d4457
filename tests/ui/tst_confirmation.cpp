// The one confirmation of a dangerous action (issue #14, item 5): the exact
// plan is shown, the policy's rule decides what must be typed (exactly), and
// the one test hook answers without showing anything.
// With RAIZE_SCREENSHOT_DIR set it also saves docs/screenshots/confirm-promote.png.
#include "widgets/confirmation.h"

#include "policy/policybundle.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Raize;
using Policy::ConfirmAction;
using Policy::ConfirmRequirement;
using Policy::ConfirmRule;

Q_DECLARE_METATYPE(Policy::ConfirmRule)

namespace {

ConfirmRule rule(ConfirmRequirement requirement, const QString &word = {})
{
    ConfirmRule r;
    r.requirement = requirement;
    r.word = word;
    return r;
}

Ui::ConfirmationRequest promoteRequest()
{
    Ui::ConfirmationRequest r;
    r.action = ConfirmAction::Promote;
    r.environment = u"production"_s;
    r.title = u"Promote dpl_next to production?"_s;
    r.plan = u"Deployment:   dpl_next (commit 9f8e7d6, READY)\n"
             u"Target:       production, which serves dpl_prev (commit a1b2c3d) now\n"
             u"Level:        L2\n"
             u"Approved by:  oncall-lead (1 needed)\n"
             u"Overrides:    none\n"
             u"Review:       digest 4f1c0a9e2b7d5c31 · policy playbook-v1\n"
             u"\n"
             u"Then, in order:\n"
             u"  1. read the gates, approvals and overrides again; stop if the review changed since it was approved\n"
             u"  2. Vercel: POST /v10/projects/{project}/promote/dpl_next (production's domains move to dpl_next)\n"
             u"  3. audit log: promotion.promote dpl_next"_s;
    r.acceptLabel = u"Promote to production"_s;
    return r;
}

// A table that differs from the built-in one only where the test says.
Policy::Confirmations tableWith(ConfirmAction action, const ConfirmRule &r)
{
    Policy::Confirmations t = Policy::builtinConfirmations();
    t.rules[action] = r;
    return t;
}

} // namespace

class TestConfirmation : public QObject
{
    Q_OBJECT

    // Any Confirmation that gets shown while `ask` runs is noted and rejected,
    // so a hook that fails to answer makes the test fail instead of hang.
    int m_shown = 0;
    QTimer m_watch;

private Q_SLOTS:
    void initTestCase()
    {
        m_watch.setInterval(20);
        connect(&m_watch, &QTimer::timeout, this, [this] {
            for (QWidget *w : QApplication::topLevelWidgets()) {
                if (auto *c = qobject_cast<Ui::Confirmation *>(w); c && c->isVisible()) {
                    ++m_shown;
                    c->reject();
                }
            }
        });
    }

    void cleanup()
    {
        m_watch.stop();
    }

    void init()
    {
        Ui::Confirmation::resetHook();
        Ui::Confirmation::setTable(Policy::builtinConfirmations());
        m_shown = 0;
    }

    void dialog_data()
    {
        QTest::addColumn<ConfirmRule>("rule");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("confirmable");
        QTest::addColumn<bool>("hinted"); // a near miss says why it does not count

        const ConfirmRule env = rule(ConfirmRequirement::EnvironmentName), word = rule(ConfirmRequirement::Word, u"auto-pace"_s),
                          none = rule(ConfirmRequirement::None);
        QTest::newRow("environment: exact") << env << u"production"_s << true << false;
        QTest::newRow("environment: capitalised") << env << u"Production"_s << false << true;
        QTest::newRow("environment: trailing space") << env << u"production "_s << false << true;
        QTest::newRow("environment: leading space") << env << u" production"_s << false << true;
        QTest::newRow("environment: half typed") << env << u"produc"_s << false << false;
        QTest::newRow("environment: the other environment") << env << u"staging"_s << false << false;
        QTest::newRow("environment: nothing") << env << QString() << false << false;
        QTest::newRow("word: exact") << word << u"auto-pace"_s << true << false;
        QTest::newRow("word: upper case") << word << u"AUTO-PACE"_s << false << true;
        QTest::newRow("word: the environment instead") << word << u"production"_s << false << false;
        QTest::newRow("none: no typing") << none << QString() << true << false;
    }

    void dialog()
    {
        QFETCH(ConfirmRule, rule);
        QFETCH(QString, typed);
        QFETCH(bool, confirmable);
        QFETCH(bool, hinted);
        const Ui::ConfirmationRequest request = promoteRequest();
        Ui::Confirmation dialog(request, rule);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // The exact plan, whole.
        QCOMPARE(dialog.findChild<QPlainTextEdit *>(u"confirmationPlan"_s)->toPlainText(), request.plan);
        QCOMPARE(dialog.findChild<QLabel *>(u"confirmationTitle"_s)->text(), request.title);
        auto *input = dialog.findChild<QLineEdit *>(u"confirmationInput"_s);
        auto *accept = dialog.findChild<QPushButton *>(u"confirmationAccept"_s);
        QCOMPARE(accept->text(), u"Promote to production"_s);
        QCOMPARE(input->isVisible(), rule.typed());
        if (rule.typed()) {
            QVERIFY(!accept->isEnabled());
            QVERIFY2(dialog.findChild<QLabel *>(u"confirmationPrompt"_s)->text().contains(rule.expected(request.environment)),
                     qPrintable(dialog.findChild<QLabel *>(u"confirmationPrompt"_s)->text()));
            QTest::keyClicks(input, typed);
        }
        QCOMPARE(accept->isEnabled(), confirmable);
        QCOMPARE(dialog.findChild<QLabel *>(u"confirmationHint"_s)->isVisible(), hinted);
        // Enter alone never confirms: Cancel is the default button.
        QVERIFY(dialog.findChild<QPushButton *>(u"confirmationCancel"_s)->isDefault());
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        QTest::mouseClick(accept, Qt::LeftButton);
        QCOMPARE(accepted.count(), confirmable ? 1 : 0);
    }

    void hook_data()
    {
        QTest::addColumn<ConfirmRule>("rule");
        QTest::addColumn<bool>("confirm");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("confirmed");

        const ConfirmRule env = rule(ConfirmRequirement::EnvironmentName), word = rule(ConfirmRequirement::Word, u"SHIP"_s),
                          none = rule(ConfirmRequirement::None);
        QTest::newRow("environment: exact") << env << true << u"production"_s << true;
        QTest::newRow("environment: case") << env << true << u"PRODUCTION"_s << false;
        QTest::newRow("environment: whitespace") << env << true << u"production\t"_s << false;
        QTest::newRow("environment: the other environment") << env << true << u"staging"_s << false;
        QTest::newRow("environment: cancelled with the right text") << env << false << u"production"_s << false;
        QTest::newRow("word: exact") << word << true << u"SHIP"_s << true;
        QTest::newRow("word: case") << word << true << u"ship"_s << false;
        QTest::newRow("word: the environment's name") << word << true << u"production"_s << false;
        QTest::newRow("none: confirmed") << none << true << QString() << true;
        QTest::newRow("none: cancelled") << none << false << QString() << false;
    }

    void hook()
    {
        QFETCH(ConfirmRule, rule);
        QFETCH(bool, confirm);
        QFETCH(QString, typed);
        QFETCH(bool, confirmed);
        m_watch.start();
        // The rule comes from the table, not from the caller.
        Ui::Confirmation::setTable(tableWith(ConfirmAction::Promote, rule));
        Ui::Confirmation::setNextAnswer(confirm, typed);
        QCOMPARE(Ui::Confirmation::ask(nullptr, promoteRequest()), confirmed);
        QCOMPARE(m_shown, 0);
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
        QCOMPARE(Ui::Confirmation::asked().first().plan, promoteRequest().plan);
    }

    void hookAnswersInOrder()
    {
        m_watch.start();
        Ui::Confirmation::setNextAnswer(false, u"production"_s);
        Ui::Confirmation::setNextAnswer(true, u"production"_s);
        QVERIFY(!Ui::Confirmation::ask(nullptr, promoteRequest()));
        QVERIFY(Ui::Confirmation::ask(nullptr, promoteRequest()));
        QCOMPARE(Ui::Confirmation::asked().size(), 2);
        QCOMPARE(m_shown, 0);
    }

    void withoutAnAnswerTheDialogShows()
    {
        // No queued answer: ask() shows the dialog (the watcher cancels it), and that is a refusal.
        m_watch.start();
        QVERIFY(!Ui::Confirmation::ask(nullptr, promoteRequest()));
        QCOMPARE(m_shown, 1);
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
    }

    void tenantTableDecides()
    {
        // A tenant bundle that asks for a word on promote: the environment's name no longer confirms.
        const QByteArray text = R"({"schema": "raize.policy", "version": 1, "id": "acme-v1", "tenant": "acme",
            "confirmations": {"promote": {"require": "word", "word": "SHIP-IT"}}})";
        const Result<Policy::Bundle> bundle = Policy::parseBundle(text, u"acme.json"_s);
        QVERIFY(bundle);
        const Result<Policy::Confirmations> table = Policy::confirmationsFromBundle(bundle.value());
        QVERIFY2(table, qPrintable(table.error().toString()));
        Ui::Confirmation::setTable(table.value());
        m_watch.start();
        Ui::Confirmation::setNextAnswer(true, u"production"_s);
        QVERIFY(!Ui::Confirmation::ask(nullptr, promoteRequest()));
        Ui::Confirmation::setNextAnswer(true, u"SHIP-IT"_s);
        QVERIFY(Ui::Confirmation::ask(nullptr, promoteRequest()));
        QCOMPARE(m_shown, 0);
        m_watch.stop();
        Ui::Confirmation shown(promoteRequest(), Ui::Confirmation::table().rule(ConfirmAction::Promote));
        QCOMPARE(shown.findChild<QLabel *>(u"confirmationPrompt"_s)->text(), u"Type SHIP-IT to confirm."_s);
        // And one that tries to drop the rollback's typed name is refused whole.
        const QByteArray loose = R"({"schema": "raize.policy", "version": 1, "id": "acme-v2", "tenant": "acme",
            "confirmations": {"rollback": {"require": "none"}}})";
        const Result<Policy::Confirmations> refused = Policy::confirmationsFromBundle(*Policy::parseBundle(loose, u"acme.json"_s));
        QVERIFY(!refused);
        QCOMPARE(refused.error().fieldPath, u"confirmations.rollback.require"_s);
    }

    void screenshot()
    {
        const QString shots = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR");
        if (shots.isEmpty())
            QSKIP("RAIZE_SCREENSHOT_DIR is not set");
        Ui::Confirmation dialog(promoteRequest(), Policy::builtinConfirmations().rule(ConfirmAction::Promote));
        dialog.resize(900, dialog.sizeHint().height());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClicks(dialog.findChild<QLineEdit *>(u"confirmationInput"_s), u"Production"_s);
        QVERIFY(dialog.grab().save(shots + u"/confirm-promote-near-miss.png"_s));
        dialog.findChild<QLineEdit *>(u"confirmationInput"_s)->clear();
        QTest::keyClicks(dialog.findChild<QLineEdit *>(u"confirmationInput"_s), u"production"_s);
        QVERIFY(dialog.grab().save(shots + u"/confirm-promote.png"_s));
    }
};

QTEST_MAIN(TestConfirmation)
#include "tst_confirmation.moc"
