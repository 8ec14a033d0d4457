// Alerts nobody can miss (issue #16, item 5): the alert center's life cycle
// (raised once at onset, kept until the signal clears, raised again on a new
// onset, acknowledged with an audit record), and in the console: the banner
// above every view, the window title, the status bar and a desktop
// notification received by a notification service on the test's own D-Bus
// session (tests/with-keyring.sh runs a private one).
// pageRaisedByARealSignal: the same from a real signal, not an injected
// alert: the console's own TriggerDetector asks a fake Prometheus on loopback
// (the profile's prometheus/url) on its own timer, and the page comes and goes
// with what that Prometheus answers.

#include "alerts/desktopnotifier.h"
#include "alerts/pagebanner.h"
#include "consoleapp.h"
#include "mainwindow.h"
#include "ui/rollback/rollbackdialog.h"

#include "core/clock.h"
#include "core/settings.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "rollback/triggerdetector.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "release/alertcenter.h"

#include <QApplication>
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
#include <QUrl>

#include <nlohmann/json.hpp>

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

    // The page from a real signal (issue #16 acceptance): Prometheus answers the wrong-account rule's query
    // with a sample for the house cohort; the console's own detector, on its own timer, raises the P0.
    void pageRaisedByARealSignal()
    {
        using json = nlohmann::json;
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY2(bus.isConnected(), "run under tests/with-keyring.sh (dbus-run-session: a private D-Bus session)");
        FakeNotifications notifications;
        QVERIFY(bus.registerObject(u"/org/freedesktop/Notifications"_s, &notifications, QDBusConnection::ExportAllSlots));
        QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));

        // Prometheus on loopback: every query answers an empty vector, except the wrong-account rule's while the signal is on.
        Sandbox::FaultInjector faults(1);
        Sandbox::RequestLog log;
        Sandbox::HttpServer prom(u"prometheus"_s, &faults, &log);
        bool signal = false;
        int wrongAccountAsked = 0;
        const auto answer = [&](const Sandbox::HttpRequest &req, const QRegularExpressionMatch &) {
            const QString q = QUrl::fromPercentEncoding(req.body.mid(req.body.indexOf("query=") + 6).split('&').first()).replace(u'+', u' ');
            json result = json::array();
            if (q.contains(u"wrong_account"_s)) {
                ++wrongAccountAsked;
                if (signal)
                    result.push_back({{"metric", {{"cohort", "house"}}}, {"value", json::array({QDateTime::currentSecsSinceEpoch(), "3"})}});
            }
            return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}});
        };
        prom.route("POST", u"/api/v1/query"_s, answer);
        prom.route("GET", u"/api/v1/query"_s, answer);
        prom.route("POST", u"/api/v1/query_range"_s, [](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) {
            return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"resultType", "matrix"}, {"result", json::array()}}}});
        });
        QVERIFY(prom.listen(0));
        const QString profile = u"alertsignal"_s;
        {
            Settings settings(profile);
            settings.setValue(SettingKey::PrometheusUrl, prom.baseUrl());
            settings.sync();
        }

        Ui::ConsoleApp app(profile);
        Ui::MainWindow *w = app.window();
        w->resize(1400, 860);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        Ui::PageBanner *banner = w->pageBanner();
        const QString title = w->windowTitle();
        // The detector runs on the workspace's Prometheus, every evaluateSeconds of the policy (2 s).
        QTRY_VERIFY_WITH_TIMEOUT(app.triggerDetector() != nullptr, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(wrongAccountAsked > 0, 30000);
        QVERIFY(!banner->isVisible()); // negative control: asked, nothing wrong, no page
        QCOMPARE(w->windowTitle(), title);

        // The signal: the next round of the detector raises the P0.
        signal = true;
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 30000);
        const Release::AlertCenter::State *raised = app.alerts()->find(u"trigger:wrong-account:cohort=house"_s);
        QVERIFY(raised);
        QCOMPARE(raised->alert.severity, u"P0"_s);
        for (const QString &view : Ui::MainWindow::viewNames()) {
            QVERIFY(w->showView(view));
            QVERIFY2(banner->isVisible(), qPrintable(view));
            QVERIFY2(banner->text().contains(u"wrong-account side effects"_s), qPrintable(view + u": "_s + banner->text()));
            QVERIFY2(banner->text().contains(u"cohort house"_s), qPrintable(view + u": "_s + banner->text()));
        }
        QVERIFY2(w->windowTitle().startsWith(u"⚠ P0: wrong-account side effects"_s), qPrintable(w->windowTitle()));
        if (const QString dir = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !dir.isEmpty()) {
            QVERIFY(w->showView(u"timeline"_s));
            QApplication::processEvents();
            QVERIFY(w->grab().save(dir + u"/alert-banner-p0-over-timeline.png"_s));
        }
        QTRY_COMPARE_WITH_TIMEOUT(notifications.shown.size(), 1, 30000);
        QVERIFY(notifications.shown[0].summary.contains(u"wrong-account side effects"_s));
        QVERIFY2(notifications.shown[0].body.contains(u"cohort house"_s), qPrintable(notifications.shown[0].body));
        QCOMPARE(notifications.shown[0].urgency, uchar(2));

        // Acknowledged: audited in the profile's log; the banner stays while the signal does (two more rounds).
        QTest::mouseClick(banner->acknowledgeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(u"Acknowledged by"_s), 30000);
        bool recorded = false;
        for (const Records::AuditRecord &r : Records::AuditExport::readAll(Records::AuditLog::defaultPath(profile, {})))
            recorded = recorded || (r.action == u"alert.acknowledge"_s && r.target == u"trigger:wrong-account:cohort=house"_s);
        QVERIFY(recorded);
        QSignalSpy rounds(app.triggerDetector(), &Rollback::TriggerDetector::evaluated);
        QTRY_VERIFY_WITH_TIMEOUT(rounds.size() >= 2, 30000);
        QVERIFY(banner->isVisible());
        QVERIFY(w->windowTitle().startsWith(u"⚠ P0"_s));
        QCOMPARE(notifications.shown.size(), 1); // not raised again while it lasts

        // The signal clears: so do the banner, the title and the notification.
        signal = false;
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 30000);
        QCOMPARE(w->windowTitle(), title);
        QTRY_COMPARE_WITH_TIMEOUT(notifications.closed.size(), 1, 30000);
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
