// Issue #8, acceptance "bad L3 release", made to cause what it claims
// (issue #15, item 3): the sandbox starts on the bad-canary scenario with the
// publishing.scheduler-v2 canary OFF and the house cohort healthy. The test
// turns the canary on through Unleash's admin API (the toggle matrix's call),
// the platform simulator's SDK sees it within a poll, and the new scheduler
// fails half of the house publishes and retries each failure at once (8
// failing attempts/s per lane: the simulator compresses time, a high error
// rate on low house traffic). The SLOs view reads the counters with range
// queries from the sandbox's Prometheus (scrape interval 5 s) and pages the
// house cohort once its publish burn is over 14.4x on both the 1 h and the
// 5 min window, some 10 s of failures after the flag went on. The negative
// control, on the same sandbox and first: as long as nobody enables the
// canary, nothing pages.
//
// The built-in policy's publish-success objective is 99.5 % (docs/contracts.md).
// The decisions (verdicts, pages and their clearing, the recommendation) are
// the view's RolloutMonitor's, tested row by row without a sandbox in
// test_rollout_monitor; this test shows them on real Prometheus and Unleash data.

#include "slo/sloverdictmodel.h"
#include "slo/sloview.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "policy/policybundle.h"
#include "release/flagpoller.h"
#include "services/flags/unleashclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/prometheus/slometrics.h"
#include "slo/slopolicy.h"

#include "sandboxfixture.h"

#include <QAbstractItemModelTester>
#include <QAbstractSeries>
#include <QChart>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

Q_DECLARE_METATYPE(Raize::Rollback::Scope)

class TestSloView : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;

    static const Slo::AlertVerdict *verdict(const Ui::SloView &view, const QString &cohort, const QString &slo)
    {
        const auto it = view.verdicts().constFind(cohort);
        if (it == view.verdicts().cend())
            return nullptr;
        for (const Slo::AlertVerdict &v : *it) {
            if (v.sloId == slo)
                return &v;
        }
        return nullptr;
    }

    // Loads up to the last scrape (Prometheus scrapes every 5 s): the newest 5 s boundary, 5 s back.
    static bool loadAndWait(Slo::SloFeed &feed, qint64 rangeMs, qint64 stepMs)
    {
        QSignalSpy loaded(&feed, &Slo::SloFeed::loaded);
        QSignalSpy failed(&feed, &Slo::SloFeed::failed);
        const qint64 now = (QDateTime::currentMSecsSinceEpoch() - 5000) / 5000 * 5000;
        feed.load(now, rangeMs, stepMs);
        return QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 60000) && !loaded.isEmpty();
    }

    QJsonObject platformLanes()
    {
        const auto state = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/state"_s));
        return QJsonDocument::fromJson(state.body).object().value(u"platform"_s).toObject().value(u"lanes"_s).toObject();
    }

    qint64 m_readyAtMs = 0;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Rollback::Scope>();
        const QString error = m_sandbox.start(u"bad-canary"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_readyAtMs = QDateTime::currentMSecsSinceEpoch();
    }

    // Rows share the sandbox and run in order: the control first, then the flag goes on.
    void enablingTheCanaryPages_data()
    {
        QTest::addColumn<bool>("enable");
        QTest::newRow("canary stays off: no page") << false;
        QTest::newRow("canary enabled: the house cohort pages") << true;
    }

    void enablingTheCanaryPages()
    {
        QFETCH(bool, enable);
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Flags, m_sandbox.token(u"unleashAdmin"_s));
        Services::PrometheusClient prometheus(http, QUrl(m_sandbox.url(u"prometheus"_s)));
        Services::UnleashClient unleash(http, QUrl(m_sandbox.url(u"unleash"_s)), u"default"_s, u"production"_s);
        Release::FlagPoller flags(unleash, u"production"_s, 2000);

        const Policy::Bundle tenant = Policy::builtinBundle();
        const QList<Slo::SloSpec> tenantSlos = Slo::slosFromPolicy(tenant).value();
        QCOMPARE(tenantSlos.first().objective, 0.995);
        Slo::SloFeed recent(prometheus, tenantSlos);
        Slo::SloFeed history(prometheus, tenantSlos);

        Ui::SloView view;
        QSignalSpy rollback(&view, &Ui::SloView::rollbackPlanRequested); // the rollback dialog's connection
        QAbstractItemModelTester tester(view.verdictModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(view.setPolicy(tenant).ok());
        view.resize(1280, 900);
        view.show();
        QVERIFY(!view.alertShown());
        view.setSources(&recent, &history, &flags);
        flags.start();
        QTRY_VERIFY_WITH_TIMEOUT(flags.rounds() > 0, 15000);
        QVERIFY2(!flags.snapshot().stale, qPrintable(flags.snapshot().lastError.toString()));

        // The canary starts off, and the platform sees it so.
        QVERIFY2(!platformLanes().value(u"house/api"_s).toObject().value(u"canaryOn"_s).toBool(), "the scenario starts with the canary off");
        QVERIFY(loadAndWait(history, 30 * Slo::DayMs, 10 * Slo::MinuteMs));

        if (!enable) {
            // Watch twice as long as the fault needs to page once the flag is on (~8 s of it burns the
            // hour past 14.4x); the platform ran with the canary off for a while before the sandbox was ready.
            const qint64 until = m_readyAtMs + 20000;
            QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() >= until, 60000);
            QVERIFY(loadAndWait(recent, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs));
            const Slo::AlertVerdict *house = verdict(view, u"house"_s, u"publish_success"_s);
            QVERIFY(house);
            const Slo::RuleVerdict &page = house->rules.first();
            qInfo("canary off for %.0f s: house publish burn %.2fx over 1h (%.0f events), %.2fx over 5m (%.0f events)",
                  (QDateTime::currentMSecsSinceEpoch() - m_readyAtMs) / 1000.0, page.longBurn, page.longWindow.events, page.shortBurn,
                  page.shortWindow.events);
            QVERIFY(page.longWindow.enoughData && page.shortWindow.enoughData); // healthy with data, not for want of it
            QVERIFY2(page.longBurn < 1 && page.shortBurn < 1, qPrintable(u"%1 / %2"_s.arg(page.longBurn).arg(page.shortBurn)));
            QCOMPARE(page.state, Slo::RuleState::NotFired);
            QCOMPARE(house->severity, Slo::Severity::None);
            QVERIFY2(!view.alertShown(), qPrintable(view.alertText()));
            return;
        }

        // Turn the canary on through Unleash's admin API, as the toggle matrix does.
        bool done = false;
        Status on = okStatus();
        unleash.setEnabled(u"publishing.scheduler-v2"_s, u"production"_s, true, [&](const Status &st) {
            on = st;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 15000);
        QVERIFY2(on.ok(), qPrintable(on.error().toString()));
        QElapsedTimer sinceOn;
        sinceOn.start();
        QTRY_VERIFY_WITH_TIMEOUT(platformLanes().value(u"house/api"_s).toObject().value(u"canaryOn"_s).toBool(), 10000);
        QVERIFY(!platformLanes().value(u"lowrisk/api"_s).toObject().value(u"canaryOn"_s).toBool());
        qInfo("the platform sees the canary on %.1f s after the admin call", sinceOn.elapsed() / 1000.0);

        // Reload as Prometheus scrapes until the house cohort pages.
        const Slo::AlertVerdict *house = nullptr;
        while (sinceOn.elapsed() < 120000) {
            QVERIFY(loadAndWait(recent, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs));
            house = verdict(view, u"house"_s, u"publish_success"_s);
            if (house && house->rules.first().state == Slo::RuleState::Fired)
                break;
            QTest::qWait(5000); // the next scrape
        }
        QVERIFY(house);
        const Slo::RuleVerdict &page = house->rules.first();
        QCOMPARE(page.rule.name(), u"page 14.4× 1h/5m"_s);
        qInfo("house publish burn %.0f s after the canary went on: %.2fx over 1h (%.0f events), %.2fx over 5m (%.0f events)",
              sinceOn.elapsed() / 1000.0, page.longBurn, page.longWindow.events, page.shortBurn, page.shortWindow.events);
        QCOMPARE(page.state, Slo::RuleState::Fired);
        QVERIFY(page.longBurn > 14.4 && page.shortBurn > 14.4);
        QVERIFY(!page.longWindow.partial()); // the whole hour is there (history + live), not a few minutes
        QCOMPARE(house->severity, Slo::Severity::Page);

        // Low-risk: healthy on every SLO, with enough data (never "healthy" for want of data).
        for (const Slo::SloSpec &spec : tenantSlos) {
            const Slo::AlertVerdict *v = verdict(view, u"lowrisk"_s, spec.id);
            QVERIFY2(v, qPrintable(spec.id));
            QVERIFY2(v->severity == Slo::Severity::None, qPrintable(spec.id + u": "_s + Slo::severityName(v->severity)));
        }

        // The alert cannot be missed: a banner above the view, naming the cohort and its canary flags.
        QTRY_VERIFY_WITH_TIMEOUT(view.alertShown(), 5000);
        QCOMPARE(view.alerts().size(), 1);
        QVERIFY2(view.alertText().contains(u"PAGE — House accounts"_s), qPrintable(view.alertText()));
        QVERIFY2(view.alertText().contains(u"publishing.scheduler-v2"_s), qPrintable(view.alertText()));
        QVERIFY(!view.alertText().contains(u"Low-risk"_s));
        auto *banner = view.findChild<QWidget *>(u"pageAlertBanner"_s);
        QVERIFY(banner && banner->isVisible());
        // The verdict table shows the page in the house row.
        QVERIFY(view.verdictModel()->index(0, 0).data().toString().endsWith(u"PAGE"_s));
        QCOMPARE(view.verdictModel()->index(1, 0).data(Ui::SloVerdictModel::SeverityRole).toInt(), int(Slo::Severity::None));
        // The recommendation for the house stage: blocked by the burn.
        QCOMPARE(view.recommendation().kind, Release::Recommendation::Kind::Blocked);
        QVERIFY2(view.recommendation().headline.contains(u"page 14.4× 1h/5m fired"_s), qPrintable(view.recommendation().headline));

        // The rollback plan, already filled with the cohort and its flags.
        QVERIFY2(view.alertText().contains(u"turn off "_s), qPrintable(view.alertText()));
        auto *button = view.findChild<QPushButton *>(u"rollbackPlanButton-house"_s);
        QVERIFY(button && button->isVisible());
        button->click();
        QCOMPARE(rollback.size(), 1);
        const auto scope = rollback.at(0).at(0).value<Rollback::Scope>();
        QCOMPARE(scope.kind, Rollback::Scope::Kind::Tenant);
        QCOMPARE(scope.clientIds, QStringList{u"house"_s});
        QCOMPARE(scope.platformAccountIds, (QStringList{u"acct-house-ig"_s, u"acct-house-x"_s}));
        const QStringList keys = rollback.at(0).at(1).toStringList();
        QVERIFY2(keys.contains(u"publishing.scheduler-v2"_s), qPrintable(keys.join(u", "_s)));
        QVERIFY(!keys.contains(u"publishing.client-bloom-beta"_s)); // low-risk's canary is not the house's
        QVERIFY(!keys.contains(u"publishing.enabled"_s));           // kill switches are not canaries

        // A view nobody connected a rollback dialog to shows the plan in words, and no button that would do nothing.
        {
            Ui::SloView bare;
            QVERIFY(bare.setPolicy(tenant).ok());
            bare.setSources(&recent, &history, &flags);
            QVERIFY(bare.alertText().contains(u"turn off "_s));
            QVERIFY(!bare.findChild<QPushButton *>(u"rollbackPlanButton-house"_s));
        }

        // The charts have a line per cohort and the two page thresholds.
        QStringList names;
        for (QAbstractSeries *s : view.burnChart()->series())
            names << s->name();
        QVERIFY2(names.contains(u"House accounts"_s) && names.contains(u"Low-risk clients"_s) && names.contains(u"page 14.4×"_s)
                     && names.contains(u"page 6×"_s),
                 qPrintable(names.join(u", "_s)));

        // The view displays its RolloutMonitor: the page alert clearing once the
        // short window is clean is the monitor's (test_rollout_monitor,
        // pageOnsetAndClear, on a moved clock instead of minutes of sandbox time).
        QCOMPARE(view.alerts().size(), view.monitor()->pages().size());
    }
};

QTEST_MAIN(TestSloView)
#include "tst_slo_view.moc"
