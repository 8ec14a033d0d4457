// Alerts nobody can miss (issue #16, item 5): the alert center's life cycle
// (raised once at onset, kept until the signal clears, raised again on a new
// onset, acknowledged with an audit record), and in the console: the banner
// above every view, the window title, the status bar and a desktop
// notification received by a notification service on the test's own D-Bus
// session (tests/with-keyring.sh runs a private one).

#include "alerts/desktopnotifier.h"
#include "alerts/pagebanner.h"
#include "consoleapp.h"
#include "mainwindow.h"
#include "ui/rollback/rollbackdialog.h"

#include "core/clock.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "release/alertcenter.h"

#include <QComboBox>
#include <QDBusConnection>
#include <QDialog>
#include <QLineEdit>
#include <QDBusConnectionInterface>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;

namespace {

class MemorySink : public Records::AuditSink
{
public:
    QList<Records::AuditRecord> records;
    bool refuse = false;
    Status append(Records::AuditRecord &r) override
    {
        if (refuse)
            return Error::make(Error::Kind::Io, u"console"_s, u"disk full"_s, u"free space"_s);
        r.seq = records.size() + 1;
        records << r;
        return okStatus();
    }
};

Alert alert(const QString &id, const QString &severity = u"page"_s, qint64 since = 0)
{
    Alert a;
    a.id = id;
    a.severity = severity;
    a.trigger = u"Publish success burning 16.2× (%1)"_s.arg(id);
    a.scope = u"cohort House accounts — clients house"_s;
    a.evidence = {u"Publish success: page 14.4× 1h/5m fired — 16.2× over 1h, 16.3× over 5m"_s};
    a.sinceMs = since;
    return a;
}

} // namespace

// The freedesktop notification service, as a desktop runs it, on the test's session bus.
class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Shown
    {
        QString summary, body;
        uint replaces = 0;
        uchar urgency = 0;
    };
    QList<Shown> shown;
    QList<uint> closed;

public Q_SLOTS:
    uint Notify(const QString &, uint replacesId, const QString &, const QString &summary, const QString &body, const QStringList &,
                const QVariantMap &hints, int)
    {
        shown.append({summary, body, replacesId, hints.value(u"urgency"_s).value<uchar>()});
        return replacesId ? replacesId : uint(shown.size());
    }
    void CloseNotification(uint id) { closed << id; }
    QStringList GetCapabilities() { return {u"body"_s}; }
};

class TestAlerts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lifeCycle()
    {
        ManualClock clock;
        AlertCenter center(clock);
        MemorySink sink;
        center.setAuditSink(&sink, u"oncall"_s);
        QSignalSpy raised(&center, &AlertCenter::raised);
        QSignalSpy cleared(&center, &AlertCenter::cleared);

        center.update(u"slo"_s, {alert(u"page:house"_s)});
        QCOMPARE(raised.count(), 1);
        QCOMPARE(center.top()->alert.sinceMs, clock.nowMs()); // no onset from the signal: when first seen
        // The same alert again with new evidence: no second raise, the onset stays.
        clock.advanceMs(60000);
        Alert moved = alert(u"page:house"_s);
        moved.evidence = {u"17.0× over 5m"_s};
        center.update(u"slo"_s, {moved});
        QCOMPARE(raised.count(), 1);
        QCOMPARE(center.top()->alert.evidence, QStringList{u"17.0× over 5m"_s});
        QCOMPARE(center.top()->alert.sinceMs, clock.nowMs() - 60000);

        // Acknowledged: audited; it stays active.
        QVERIFY(center.acknowledge(u"page:house"_s));
        QCOMPARE(sink.records.size(), 1);
        QCOMPARE(sink.records[0].action, u"alert.acknowledge"_s);
        QCOMPARE(sink.records[0].actor, u"oncall"_s);
        QCOMPARE(sink.records[0].target, u"page:house"_s);
        QVERIFY(sink.records[0].after.contains("evidence"));
        QCOMPARE(center.top()->acknowledgedBy, u"oncall"_s);
        QVERIFY(center.acknowledge(u"page:house"_s)); // twice: one record
        QCOMPARE(sink.records.size(), 1);

        // Another detector's alerts do not clear this one; a P0 leads.
        center.update(u"signals"_s, {alert(u"p0:wrong-account"_s, u"P0"_s)});
        QCOMPARE(center.active().size(), 2);
        QCOMPARE(center.top()->alert.id, u"p0:wrong-account"_s);

        // The signal clears: gone; a new onset raises it again, unacknowledged.
        center.update(u"slo"_s, {});
        QCOMPARE(cleared.count(), 1);
        QVERIFY(!center.find(u"page:house"_s));
        center.update(u"slo"_s, {alert(u"page:house"_s)});
        QCOMPARE(raised.count(), 3);
        QVERIFY(center.find(u"page:house"_s)->acknowledgedBy.isEmpty());

        // An acknowledgement that cannot be recorded does not count.
        sink.refuse = true;
        const Status s = center.acknowledge(u"page:house"_s);
        QVERIFY(!s);
        QVERIFY(s.error().toString().contains(u"disk full"_s));
        QVERIFY(center.find(u"page:house"_s)->acknowledgedBy.isEmpty());
        QVERIFY(!center.acknowledge(u"nope"_s));
    }

    void everyViewTitleStatusAndNotification()
    {
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY2(bus.isConnected(), "run under tests/with-keyring.sh (a private D-Bus session)");
        FakeNotifications notifications;
        QVERIFY(bus.registerObject(u"/org/freedesktop/Notifications"_s, &notifications, QDBusConnection::ExportAllSlots));
        QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));

        // The test's own source: the console's SLO view feeds "slo" and, with no Prometheus in this
        // profile, withdraws its (empty) page list whenever it refreshes, which would clear ours.
        const QString kProbe = u"test-probe"_s;
        Ui::ConsoleApp app(u"alerts"_s);
        Ui::MainWindow *w = app.window();
        w->resize(1400, 860);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        Ui::PageBanner *banner = w->pageBanner();
        QVERIFY(banner);
        QVERIFY(!banner->isVisible());
        const QString title = w->windowTitle();
        QVERIFY(w->notifier()->available());

        app.alerts()->update(kProbe, {alert(u"page:house"_s)});
        QVERIFY(banner->isVisible());
        for (const QString &view : Ui::MainWindow::viewNames()) {
            QVERIFY(w->showView(view));
            QVERIFY2(banner->isVisible(), qPrintable(view));
            QVERIFY(banner->text().contains(u"Publish success burning"_s));
            QVERIFY(banner->text().contains(u"cohort House accounts"_s));
        }
        QVERIFY(w->windowTitle().startsWith(u"⚠ PAGE: Publish success burning"_s));
        auto *status = w->findChild<QLabel *>(u"statusAlerts"_s);
        QVERIFY(status && status->isVisible() && status->text().contains(u"1 active alert"_s));
        QSignalSpy delivered(w->notifier(), &Ui::DesktopNotifier::delivered);
        QTRY_COMPARE_WITH_TIMEOUT(notifications.shown.size(), 1, 30000); // a loaded machine delays D-Bus
        QTRY_VERIFY2_WITH_TIMEOUT(delivered.count() == 1, qPrintable(w->notifier()->lastError()), 30000);
        QVERIFY(notifications.shown[0].summary.contains(u"Publish success burning"_s));
        QVERIFY(notifications.shown[0].body.contains(u"cohort House accounts"_s));
        QCOMPARE(notifications.shown[0].urgency, uchar(2));

        // Acknowledge: an audit record in the profile's log; the banner stays.
        QTest::mouseClick(banner->acknowledgeButton(), Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(banner->text().contains(u"Acknowledged by"_s),
                                  qPrintable(u"banner: %1 | status: %2 | button enabled %3"_s.arg(banner->text(), w->statusBar()->currentMessage())
                                                 .arg(banner->acknowledgeButton()->isEnabled())),
                                  30000);
        QVERIFY(banner->isVisible());
        QVERIFY(!banner->acknowledgeButton()->isEnabled());
        const QString log = Records::AuditLog::defaultPath(u"alerts"_s, {});
        bool recorded = false;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(log))
            recorded = recorded || (r.action == u"alert.acknowledge"_s && r.target == u"page:house"_s);
        QVERIFY2(recorded, qPrintable(log));

        // The signal clears: banner, title and status go; the notification is withdrawn.
        app.alerts()->update(kProbe, {});
        QVERIFY(!banner->isVisible());
        QCOMPARE(w->windowTitle(), title);
        QVERIFY(!status->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(notifications.closed.size(), 1, 30000);

        // A new onset raises it again; one that clears before the service has answered is still withdrawn.
        app.alerts()->update(kProbe, {alert(u"page:house"_s)});
        QVERIFY(banner->isVisible());
        QVERIFY(banner->acknowledgeButton()->isEnabled());
        app.alerts()->update(kProbe, {});
        QTRY_COMPARE_WITH_TIMEOUT(notifications.shown.size(), 2, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(notifications.closed.size(), 2, 30000);
        bus.unregisterService(u"org.freedesktop.Notifications"_s);
        bus.unregisterObject(u"/org/freedesktop/Notifications"_s);
    }

    // A detected trigger opens its plan with its trigger, scope and the §7.3 answers its signal implies;
    // the operator's security P0 (a header button, so also a palette command) is audited and opens a P0 plan.
    void triggerAlertOpensItsPlan()
    {
        Ui::ConsoleApp app(u"alerttriggers"_s);
        Ui::MainWindow *w = app.window();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        Alert a = alert(u"trigger:wrong-account:cohort=house"_s, u"P0"_s);
        a.triggerId = u"wrong-account"_s;
        a.trigger = u"wrong-account side effects"_s;
        a.planScope = u"global"_s;
        a.implies = {u"side-effects-incorrect=yes"_s, u"isolated=no"_s};
        app.alerts()->update(u"triggers"_s, {a});
        Ui::PageBanner *banner = w->pageBanner();
        QVERIFY(banner->isVisible() && banner->text().contains(u"wrong-account side effects"_s));
        QTest::mouseClick(banner->planButton(), Qt::LeftButton);
        QTRY_VERIFY(app.rollbackDialog() != nullptr);
        QDialog *d = app.rollbackDialog();
        const auto combo = [d](const QString &name) { return d->findChild<QComboBox *>(name); };
        QCOMPARE(combo(u"trigger"_s)->currentData().toString(), u"wrong-account"_s);
        QCOMPARE(d->findChild<QLineEdit *>(u"scope"_s)->text(), u"global"_s);
        QCOMPARE(combo(u"sideEffectsIncorrect"_s)->currentData().toString(), u"yes"_s);
        QCOMPARE(combo(u"isolated"_s)->currentData().toString(), u"no"_s);
        QCOMPARE(combo(u"flagsSuffice"_s)->currentData().toString(), QString()); // the signal does not answer Q2
        QCOMPARE(combo(u"migrationMismatch"_s)->currentData().toString(), QString());
        QVERIFY(d->findChild<QLineEdit *>(u"migrationPlan"_s));
        d->close();
        app.alerts()->update(u"triggers"_s, {});

        auto *security = w->findChild<QPushButton *>(u"raiseSecuritySuspicion"_s);
        QVERIFY(security);
        QTest::mouseClick(security, Qt::LeftButton);
        const AlertCenter::State *raised = app.alerts()->find(u"trigger:security:manual"_s);
        QVERIFY(raised);
        QCOMPARE(raised->alert.severity, u"P0"_s);
        QVERIFY(banner->isVisible());
        QCOMPARE(combo(u"trigger"_s)->currentData().toString(), u"security"_s);
        QCOMPARE(combo(u"sideEffectsIncorrect"_s)->currentData().toString(), u"yes"_s);
        bool audited = false;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(Records::AuditLog::defaultPath(u"alerttriggers"_s, {})))
            audited = audited || (r.action == u"alert.raise"_s && r.target == u"trigger:security:manual"_s);
        QVERIFY(audited);
        // The same button clears it (it stays until the operator says so, not until a signal clears).
        QCOMPARE(security->text(), u"Clear security P0"_s);
        QTest::mouseClick(security, Qt::LeftButton);
        QVERIFY(!app.alerts()->find(u"trigger:security:manual"_s));
        app.rollbackDialog()->close();
    }

    // Without a notification service the rest still works, and the failure is reported once.
    void withoutANotificationService()
    {
        Ui::DesktopNotifier notifier;
        QSignalSpy failed(&notifier, &Ui::DesktopNotifier::failed);
        notifier.notify(u"x"_s, u"summary"_s, u"body"_s, true);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(!notifier.lastError().isEmpty());
    }
};

QTEST_MAIN(TestAlerts)
#include "tst_alerts.moc"
