// Issue #8, acceptance "bad L3 release" on the release sandbox: the
// publishing.scheduler-v2 canary is on for the house accounts (for 70 minutes
// when the sandbox starts: the backfilled history holds those minutes, the
// live scrape continues them), the platform fails ~8 % of the house cohort's
// publishes while it is on. The SLOs view reads the counters with range
// queries from the sandbox's Prometheus and the flags from its Unleash.
//
// The built-in policy's publish-success objective is 99.5 % (docs/contracts.md):
// 8.1 % bad burns 16.2× and pages. A tenant bundle with a looser 99 % objective
// sees the same failures burn 8.1×, under the 14.4× page: the test shows both.

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

    static Policy::Bundle sizedForTheScenario()
    {
        return Policy::builtinBundle();
    }

    static Policy::Bundle looserTenant()
    {
        Policy::Bundle b = Policy::builtinBundle();
        b.source = u"tenant-publish-99.json"_s;
        b.doc["slos"][0]["objective"] = 0.99;
        return b;
    }

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

    static bool loadAndWait(Slo::SloFeed &feed, qint64 rangeMs, qint64 stepMs)
    {
        QSignalSpy loaded(&feed, &Slo::SloFeed::loaded);
        QSignalSpy failed(&feed, &Slo::SloFeed::failed);
        const qint64 now = QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs;
        feed.load(now, rangeMs, stepMs);
        return QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 60000) && !loaded.isEmpty();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Rollback::Scope>();
        const QString error = m_sandbox.start(u"bad-l3-release"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void badL3ReleasePagesTheHouseCohort()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Flags, m_sandbox.token(u"unleashAdmin"_s));
        Services::PrometheusClient prometheus(http, QUrl(m_sandbox.url(u"prometheus"_s)));
        Services::UnleashClient unleash(http, QUrl(m_sandbox.url(u"unleash"_s)), u"default"_s, u"production"_s);
        Release::FlagPoller flags(unleash, u"production"_s, 2000);

        const Policy::Bundle tenant = sizedForTheScenario();
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

        // The canary is on where the scenario says, and the platform sees it so.
        const auto state = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/state"_s));
        QCOMPARE(state.status, 200);
        const QJsonObject lanes = QJsonDocument::fromJson(state.body).object().value(u"platform"_s).toObject().value(u"lanes"_s).toObject();
        QVERIFY2(lanes.value(u"house/api"_s).toObject().value(u"canaryOn"_s).toBool(), state.body.constData());
        QVERIFY(!lanes.value(u"lowrisk/api"_s).toObject().value(u"canaryOn"_s).toBool());

        QVERIFY(loadAndWait(history, 30 * Slo::DayMs, 10 * Slo::MinuteMs));
        QVERIFY(loadAndWait(recent, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs));

        // House: the page rule 14.4× over 1 h and 5 min fired on publish success.
        const Slo::AlertVerdict *house = verdict(view, u"house"_s, u"publish_success"_s);
        QVERIFY(house);
        const Slo::RuleVerdict &page = house->rules.first();
        QCOMPARE(page.rule.name(), u"page 14.4× 1h/5m"_s);
        qInfo("house publish burn: %.2fx over 1h (%.0f events), %.2fx over 5m (%.0f events)", page.longBurn, page.longWindow.events,
              page.shortBurn, page.shortWindow.events);
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

        // With a tenant's looser objective (publish success 99 %) the same failures burn ~8×: no page.
        QVERIFY(view.setPolicy(looserTenant()).ok());
        Slo::SloFeed builtin(prometheus, Slo::slosFromPolicy(looserTenant()).value());
        view.setSources(&builtin, &history, &flags);
        QVERIFY(loadAndWait(builtin, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs));
        const Slo::AlertVerdict *at99 = verdict(view, u"house"_s, u"publish_success"_s);
        QVERIFY(at99);
        qInfo("tenant policy (99%%): house publish burn %.2fx over 1h, %.2fx over 5m", at99->rules.first().longBurn,
              at99->rules.first().shortBurn);
        QCOMPARE(at99->rules.first().state, Slo::RuleState::NotFired);
        QVERIFY(at99->rules.first().longBurn > 6 && at99->rules.first().longBurn < 14.4);
        QVERIFY(!view.alertShown());

        // Back to the tenant objective, then the canary goes off: the short window stops the page.
        QVERIFY(view.setPolicy(tenant).ok());
        view.setSources(&recent, &history, &flags);
        bool done = false;
        Status off = okStatus();
        unleash.setEnabled(u"publishing.scheduler-v2"_s, u"production"_s, false, [&](const Status &s) {
            off = s;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 15000);
        QVERIFY2(off.ok(), qPrintable(off.error().toString()));
        QElapsedTimer cleared;
        cleared.start();
        while (view.alertShown() && cleared.elapsed() < 240000) {
            QTest::qWait(15000);
            QVERIFY(loadAndWait(recent, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs));
        }
        QVERIFY2(!view.alertShown(), qPrintable(view.alertText()));
        const Slo::AlertVerdict *after = verdict(view, u"house"_s, u"publish_success"_s);
        qInfo("canary off: page cleared after %.0f s (5m burn %.2fx, 1h burn %.2fx)", cleared.elapsed() / 1000.0,
              after->rules.first().shortBurn, after->rules.first().longBurn);
        // The hour still remembers the failures; the short window is what ends the page.
        QVERIFY(after->rules.first().longBurn > after->rules.first().shortBurn);
        QVERIFY(after->rules.first().shortBurn <= 14.4);
    }
};

QTEST_MAIN(TestSloView)
#include "tst_slo_view.moc"
