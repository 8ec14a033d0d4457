// GUI smoke test of the console shell (offscreen, real gnome-keyring).

#include "testutil.h"
#include "widgettext.h"

#include "environmentcard.h"
#include "mainwindow.h"
#include "settingsdialog.h"

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shellHasEveryPart()
    {
        Settings settings(u"smoke"_s);
        TokenStore tokens(u"smoke"_s, u"raize-console-guitest"_s);
        ServiceMonitor monitor;
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));

        QVERIFY(w.findChild<QWidget *>(u"headerBar"_s));
        QVERIFY(w.findChild<QWidget *>(u"rollbackSlot"_s));
        for (const QString &env : {u"Preview"_s, u"Staging"_s, u"Production"_s}) {
            Ui::EnvironmentCard *card = w.environmentCard(env);
            QVERIFY2(card && card->isVisible(), qPrintable(env));
            // Nothing is invented: without Vercel the card says it does not know.
            QCOMPARE(card->liveText(), u"unknown"_s);
        }
        for (Service s : allServices()) {
            auto *label = w.findChild<QLabel *>(u"status_"_s + serviceId(s));
            QVERIFY(label);
            QVERIFY2(label->text().contains(serviceDisplayName(s)), qPrintable(label->text()));
            QVERIFY2(label->text().contains(u"not configured"_s), qPrintable(label->text()));
        }
        auto *badge = w.findChild<QLabel *>(u"profileBadge"_s);
        QVERIFY(badge);
        QVERIFY(!badge->text().contains(u"SANDBOX"_s));
    }

    void everyNavigationEntryShowsItsView()
    {
        Settings settings(u"smoke"_s);
        TokenStore tokens(u"smoke"_s, u"raize-console-guitest"_s);
        ServiceMonitor monitor;
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto *nav = w.findChild<QListWidget *>(u"navigation"_s);
        auto *stack = w.findChild<QStackedWidget *>(u"viewStack"_s);
        QVERIFY(nav && stack);
        const QStringList names = Ui::MainWindow::viewNames();
        QCOMPARE(names, (QStringList{u"timeline"_s, u"canary"_s, u"slos"_s, u"promotion"_s, u"rollback"_s, u"audit"_s, u"metrics"_s}));
        QCOMPARE(nav->count(), names.size());
        // Click each entry as an operator would.
        for (int row = names.size() - 1; row >= 0; --row) {
            const QRect rect = nav->visualItemRect(nav->item(row));
            QTest::mouseClick(nav->viewport(), Qt::LeftButton, {}, rect.center());
            QTRY_COMPARE(stack->currentWidget()->objectName(), u"view_"_s + names[row]);
            QVERIFY(stack->currentWidget()->isVisible());
            QCOMPARE(w.currentView(), names[row]);
        }
        QVERIFY(w.showView(u"audit"_s));
        QTRY_COMPARE(stack->currentWidget()->objectName(), u"view_audit"_s);
        QVERIFY(!w.showView(u"nope"_s));
    }

    void sandboxProfileIsUnmistakable()
    {
        Settings settings(u"sandbox"_s);
        settings.setValue(SettingKey::ProfileIsSandbox, true);
        TokenStore tokens(u"sandbox"_s, u"raize-console-guitest"_s);
        ServiceMonitor monitor;
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        w.show();
        auto *badge = w.findChild<QLabel *>(u"profileBadge"_s);
        QVERIFY(badge->text().contains(u"SANDBOX"_s));
        QVERIFY(badge->text().contains(u"not production"_s));
        QVERIFY(w.windowTitle().startsWith(u"[SANDBOX]"_s));
    }

    void settingsDialogRoundTrips()
    {
        const QString token = u"ghp_guiroundtrip%1abcdefghij"_s.arg(QCoreApplication::applicationPid());
        {
            Settings settings(u"dialog"_s);
            TokenStore tokens(u"dialog"_s, u"raize-console-guitest"_s);
            Workspace workspace(settings, tokens);
            Ui::SettingsDialog d(settings, tokens, workspace);
            d.show();
            const QList<QPair<QString, QString>> values = {
                {u"vercelBaseUrl"_s, u"https://vercel.example.test"_s},
                {u"vercelTeamId"_s, u"team_42"_s},
                {u"vercelProjectId"_s, u"prj_web"_s},
                {u"githubApiUrl"_s, u"https://ghe.example.test/api/v3"_s},
                {u"githubOwner"_s, u"raize"_s},
                {u"githubRepo"_s, u"platform"_s},
                {u"flagsUrl"_s, u"http://127.0.0.1:4242"_s},
                {u"flagsProject"_s, u"default"_s},
                {u"flagsEnvironment"_s, u"production"_s},
                {u"prometheusUrl"_s, u"http://127.0.0.1:9090"_s},
            };
            for (const auto &[name, value] : values) {
                auto *edit = d.findChild<QLineEdit *>(name);
                QVERIFY2(edit, qPrintable(name));
                edit->clear();
                QTest::keyClicks(edit, value);
            }
            auto *kind = d.findChild<QComboBox *>(u"flagsKind"_s);
            kind->setCurrentIndex(kind->findData(u"launchdarkly"_s));
            auto *tokenEdit = d.findChild<QLineEdit *>(u"githubToken"_s);
            QCOMPARE(tokenEdit->echoMode(), QLineEdit::Password);
            QTest::keyClicks(tokenEdit, token);
            QSignalSpy saved(&d, &Ui::SettingsDialog::saved);
            d.findChild<QDialogButtonBox *>(u"buttons"_s)->button(QDialogButtonBox::Ok)->click();
            QTRY_COMPARE(saved.count(), 1);
            QCOMPARE(d.result(), int(QDialog::Accepted));
        }
        // A fresh settings object (as after a restart) reads the same values.
        Settings settings(u"dialog"_s);
        QCOMPARE(settings.string(SettingKey::VercelBaseUrl), u"https://vercel.example.test"_s);
        QCOMPARE(settings.string(SettingKey::VercelTeamId), u"team_42"_s);
        QCOMPARE(settings.string(SettingKey::GitHubApiUrl), u"https://ghe.example.test/api/v3"_s);
        QCOMPARE(settings.string(SettingKey::FlagsKind), u"launchdarkly"_s);
        QCOMPARE(settings.string(SettingKey::PrometheusUrl), u"http://127.0.0.1:9090"_s);
        TokenStore tokens(u"dialog"_s, u"raize-console-guitest"_s);
        QCOMPARE(tokens.readSync(Service::GitHub).value(), token);
        QFile file(settings.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains(token.toUtf8()), "a token must never reach the settings file");

        Workspace workspace(settings, tokens);

        Ui::SettingsDialog again(settings, tokens, workspace);
        QCOMPARE(again.findChild<QLineEdit *>(u"githubOwner"_s)->text(), u"raize"_s);
        QCOMPARE(again.findChild<QComboBox *>(u"flagsKind"_s)->currentData().toString(), u"launchdarkly"_s);
        QVERIFY(again.findChild<QLineEdit *>(u"githubToken"_s)->text().isEmpty());
        QTRY_VERIFY(again.findChild<QLabel *>(u"githubTokenState"_s)->text().contains(u"A token is stored"_s));
        QTRY_VERIFY(again.findChild<QLabel *>(u"vercelTokenState"_s)->text().contains(u"No token stored"_s));
        QVERIFY(tokens.removeSync(Service::GitHub).ok());
    }

    void statusBarFollowsSettings()
    {
        Settings settings(u"status"_s);
        TokenStore tokens(u"status"_s, u"raize-console-guitest"_s);
        ServiceMonitor monitor;
        Workspace workspace(settings, tokens, &monitor);
        Ui::MainWindow w(workspace);
        settings.setValue(SettingKey::PrometheusUrl, u"http://127.0.0.1:9090"_s);
        monitor.initFrom(settings);
        auto *label = w.findChild<QLabel *>(u"status_prometheus"_s);
        QTRY_VERIFY(label->text().contains(u"configured, not checked yet"_s));
        monitor.setState(Service::Prometheus, ServiceStatus::State::Down, u"connection refused"_s);
        QTRY_VERIFY(label->text().contains(u"down since"_s));
        QCOMPARE(label->toolTip(), u"connection refused"_s);
        monitor.setBudget(Service::Prometheus, 10, 100, QDateTime::currentDateTimeUtc());
        QTRY_VERIFY(label->text().contains(u"10/100 left"_s));
    }
};

RAIZE_GUI_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
