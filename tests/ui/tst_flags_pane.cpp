// The Canary view's flags pane (issues #6/#8): the flags of production through
// the real UnleashClient against recorded Unleash answers served on loopback;
// degraded mode when the flag service stops answering, and recovery.

#include "canary/flagsmodel.h"
#include "canary/flagspane.h"

#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "release/flagpoller.h"
#include "services/flags/unleashclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include "workspace/effectivepolicy.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {
json body(const QString &name)
{
    QFile f(QStringLiteral(RAIZE_TEST_DATA_DIR) + u"/bodies/"_s + name);
    f.open(QIODevice::ReadOnly);
    return json::parse(f.readAll().toStdString());
}
} // namespace

class TestFlagsPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsFlagsAndGoesStale()
    {
        Sandbox::FaultInjector faults;
        Sandbox::RequestLog log;
        Sandbox::HttpServer unleash(u"unleash"_s, &faults, &log);
        const json features = body(u"unleash-features.json"_s);
        const json environment = body(u"unleash-feature-environment.json"_s);
        unleash.route("GET", u"/api/admin/projects/default/features"_s, [&](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) {
            return Sandbox::HttpResponse::json(200, features);
        });
        // listFlags reads each flag whole (GET …/features/{name}): the recorded
        // environment answer, as the production environment of that feature.
        unleash.route("GET", u"/api/admin/projects/default/features/([^/]+)"_s,
                      [&](const Sandbox::HttpRequest &, const QRegularExpressionMatch &m) {
                          json e = environment;
                          e["name"] = "production";
                          e.erase("environment");
                          // Only the scheduler canary is on; the rest as the scenario seeds them matters less here.
                          e["enabled"] = m.captured(1) == u"publishing.scheduler-v2"_s || m.captured(1) == u"publishing.enabled"_s;
                          return Sandbox::HttpResponse::json(200, {{"name", m.captured(1).toStdString()}, {"project", "default"}, {"type", "release"},
                                                                   {"environments", json::array({e})}, {"dependencies", json::array()}});
                      });
        QVERIFY(unleash.listen(0));

        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Flags, u"*:*.flagspane-test-token"_s);
        http.setRetryPolicy({1, 10, 10, 10});
        Services::UnleashClient client(http, QUrl(unleash.baseUrl()), u"default"_s, u"production"_s);
        Release::FlagPoller poller(client, u"production"_s, 200);

        Ui::FlagsPane pane;
        QAbstractItemModelTester tester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane.model()->setSideEffectFlags(EffectivePolicy::builtin().sideEffectFlags()); // as ConsoleApp hands it in
        QVERIFY(pane.statusText().contains(u"not configured"_s));
        pane.setPoller(&poller);
        pane.resize(900, 500);
        pane.show();
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().hasData(), 5000);

        const int flags = int(features["features"].size());
        QCOMPARE(pane.model()->rowCount(), flags);
        QVERIFY2(pane.statusText().startsWith(u"%1 flags in production, 2 on"_s.arg(flags)), qPrintable(pane.statusText()));
        int schedulerRow = -1;
        for (int r = 0; r < pane.model()->rowCount(); ++r) {
            if (pane.model()->index(r, Ui::FlagsModel::Key).data().toString() == u"publishing.scheduler-v2"_s)
                schedulerRow = r;
        }
        QVERIFY(schedulerRow >= 0);
        QCOMPARE(pane.model()->index(schedulerRow, Ui::FlagsModel::State).data().toString(), u"ON"_s);
        QVERIFY(pane.model()->index(schedulerRow, Ui::FlagsModel::Type).data().toString().contains(u"side effect"_s));
        QVERIFY2(pane.model()->index(schedulerRow, Ui::FlagsModel::Scope).data().toString().contains(u"house"_s),
                 qPrintable(pane.model()->index(schedulerRow, Ui::FlagsModel::Scope).data().toString()));

        // The flag service stops: the last list stays, marked stale.
        const quint16 port = unleash.port();
        unleash.close();
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().stale, 5000);
        QCOMPARE(pane.model()->rowCount(), flags);
        QVERIFY2(pane.statusText().startsWith(u"STALE since "_s), qPrintable(pane.statusText()));
        QVERIFY(pane.model()->index(0, 0).data(Qt::ForegroundRole).isValid()); // greyed
        QCOMPARE(monitor.status(Service::Flags).state, ServiceStatus::State::Down);

        // It comes back on the same port: the pane recovers by itself.
        QVERIFY(unleash.listen(port));
        QTRY_VERIFY_WITH_TIMEOUT(!poller.snapshot().stale, 5000);
        QVERIFY2(pane.statusText().startsWith(u"%1 flags in production"_s.arg(flags)), qPrintable(pane.statusText()));
        QCOMPARE(monitor.status(Service::Flags).state, ServiceStatus::State::Connected);
    }

    // The kill-switch parent (issue #16 item 3): the pane names the side-effect flag that does not depend on it,
    // and the warning goes once it does.
    void namesAFlagThatDoesNotDependOnTheParent()
    {
        Sandbox::FaultInjector faults;
        Sandbox::RequestLog log;
        Sandbox::HttpServer unleash(u"unleash"_s, &faults, &log);
        json features = body(u"unleash-features.json"_s);
        json parent = features["features"][0];
        parent["name"] = "side-effects.kill";
        features["features"].push_back(parent);
        const json environment = body(u"unleash-feature-environment.json"_s);
        QString alone = u"engagement.dm-dedupe"_s;
        unleash.route("GET", u"/api/admin/projects/default/features"_s, [&](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) {
            return Sandbox::HttpResponse::json(200, features);
        });
        unleash.route("GET", u"/api/admin/projects/default/features/([^/]+)"_s,
                      [&](const Sandbox::HttpRequest &, const QRegularExpressionMatch &m) {
                          json e = environment;
                          e["name"] = "production";
                          e.erase("environment");
                          const bool child = m.captured(1) != u"side-effects.kill"_s && m.captured(1) != alone;
                          const json deps = child ? json::array({{{"feature", "side-effects.kill"}, {"enabled", true}}}) : json::array();
                          return Sandbox::HttpResponse::json(200, {{"name", m.captured(1).toStdString()}, {"project", "default"}, {"type", "release"},
                                                                   {"environments", json::array({e})}, {"dependencies", deps}});
                      });
        QVERIFY(unleash.listen(0));
        Net::HttpClient http;
        http.setToken(Service::Flags, u"*:*.flagspane-test-token"_s);
        Services::UnleashClient client(http, QUrl(unleash.baseUrl()), u"default"_s, u"production"_s);
        Release::FlagPoller poller(client, u"production"_s, 100);
        Ui::FlagsPane pane;
        QAbstractItemModelTester tester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane.setKillSwitchParent(u"side-effects.kill"_s, EffectivePolicy::builtin().sideEffectFlags());
        pane.setPoller(&poller);
        pane.show();
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().hasData(), 5000);
        QVERIFY2(pane.killSwitchParentText().contains(u"1 side-effect flag does not depend on the kill-switch parent side-effects.kill: "
                                                       u"engagement.dm-dedupe"_s),
                 qPrintable(pane.killSwitchParentText()));
        // Fixed in the flag service: the next poll clears the warning.
        alone.clear();
        QTRY_COMPARE_WITH_TIMEOUT(pane.killSwitchParentText(), QString(), 5000);
        // No parent named: nothing to check, nothing shown.
        alone = u"engagement.dm-dedupe"_s;
        pane.setKillSwitchParent({}, EffectivePolicy::builtin().sideEffectFlags());
        QCOMPARE(pane.killSwitchParentText(), QString());
    }

    void firstFailureSaysWhatToDo()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setRetryPolicy({1, 10, 10, 10});
        Services::UnleashClient client(http, QUrl(u"http://127.0.0.1:9"_s), u"default"_s, u"production"_s);
        Release::FlagPoller poller(client, u"production"_s, 60000);
        Ui::FlagsPane pane;
        pane.setPoller(&poller);
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.rounds() > 0, 5000);
        QCOMPARE(pane.model()->rowCount(), 0); // nothing invented
        QVERIFY2(pane.statusText().startsWith(u"Cannot read the flags: "_s), qPrintable(pane.statusText()));
        QVERIFY(pane.statusText().contains(u"Settings"_s));
    }
};

QTEST_MAIN(TestFlagsPane)
#include "tst_flags_pane.moc"
