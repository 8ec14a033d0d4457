// Issue #8 acceptance: on the sandbox's data (30 days of backfilled history
// joined by the live scrape, the bad-l3-release incident in the house
// cohort), the engine's burn rate over each alert window, computed locally
// from 1-minute range data, agrees with the burn rate Prometheus computes
// itself (`sum by (cohort) (increase(bad[w])) / sum by (cohort) (increase(total[w]))`
// at the same instant) within 1 %, for every SLO of the policy × cohort ×
// window with enough events.

#include "slo/sloengine.h"
#include "services/prometheus/slometrics.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"

#include "sandboxfixture.h"

#include <QEventLoop>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace Raize;

class TestSloAgreement : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_sandbox.start(u"bad-l3-release"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void engineAgreesWithPrometheus()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        Services::PrometheusClient prometheus(http, QUrl(m_sandbox.url(u"prometheus"_s)));
        const QList<Slo::SloSpec> slos = Slo::defaultSlos();
        Slo::SloFeed feed(prometheus, slos);
        QSignalSpy loaded(&feed, &Slo::SloFeed::loaded);
        QSignalSpy failed(&feed, &Slo::SloFeed::failed);
        // The last full minute: both sides read the same raw samples.
        const qint64 end = QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs - Slo::MinuteMs;
        feed.load(end, 3 * Slo::DayMs + 10 * Slo::MinuteMs, Slo::MinuteMs);
        QVERIFY(QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 60000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));

        const QList<QPair<QString, qint64>> windows = {{u"5m"_s, 5 * Slo::MinuteMs},
                                                       {u"30m"_s, 30 * Slo::MinuteMs},
                                                       {u"1h"_s, Slo::HourMs},
                                                       {u"6h"_s, 6 * Slo::HourMs},
                                                       {u"3d"_s, 3 * Slo::DayMs}};
        int compared = 0;
        double worst = 0;
        QString worstWhat;
        for (const Slo::SloSpec &spec : slos) {
            for (const auto &[name, windowMs] : windows) {
                // Prometheus' own ratio of bad to all events over the window, by cohort.
                const QString bad = spec.badMetric.isEmpty()
                                        ? u"(sum by (cohort) (increase(%1[%3])) - sum by (cohort) (increase(%2[%3])))"_s.arg(Slo::SloFeed::totalSelector(spec),
                                                                                                                             Slo::SloFeed::goodOrBadSelector(spec), name)
                                        : u"sum by (cohort) (increase(%1[%2]))"_s.arg(Slo::SloFeed::goodOrBadSelector(spec), name);
                const QString promql = bad + u" / sum by (cohort) (increase(%1[%2]))"_s.arg(Slo::SloFeed::totalSelector(spec), name);
                QEventLoop loop;
                std::optional<Result<Services::PromResult>> answer;
                prometheus.query(promql, QDateTime::fromMSecsSinceEpoch(end, Qt::UTC), [&](const Result<Services::PromResult> &r) {
                    answer = r;
                    loop.quit();
                });
                if (!answer)
                    loop.exec();
                QVERIFY2(answer->ok(), qPrintable(answer->error().toString()));
                for (const QString &cohort : {u"house"_s, u"lowrisk"_s, u"broad"_s}) {
                    const auto series = feed.data().byCohort.value(spec.id).value(cohort);
                    const Slo::WindowStats w = series.window(end, windowMs, spec.minEventsFor(windowMs));
                    const std::optional<double> promRatio = (*answer)->valueWhere(u"cohort"_s, cohort);
                    QVERIFY2(promRatio.has_value(), qPrintable(spec.id + u' ' + cohort + u' ' + name));
                    if (!w.enoughData)
                        continue; // "not enough data" has no burn to compare
                    QVERIFY2(!w.partial(), qPrintable(spec.id + u' ' + cohort + u' ' + name));
                    const double engineBurn = Slo::burnRate(w.ratio, spec.objective);
                    const double promBurn = Slo::burnRate(*promRatio, spec.objective);
                    const double rel = std::abs(engineBurn - promBurn) / std::max(promBurn, 1e-12);
                    if (rel > worst) {
                        worst = rel;
                        worstWhat = u"%1 %2 %3: engine %4×, Prometheus %5×"_s.arg(spec.id, cohort, name).arg(engineBurn).arg(promBurn);
                    }
                    QVERIFY2(rel <= 0.01, qPrintable(u"%1 %2 %3: engine %4×, Prometheus %5× (%6 %)"_s.arg(spec.id, cohort, name)
                                                         .arg(engineBurn, 0, 'g', 8)
                                                         .arg(promBurn, 0, 'g', 8)
                                                         .arg(rel * 100, 0, 'f', 3)));
                    ++compared;
                }
            }
        }
        qInfo("%d burn rates compared (6 SLOs x 3 cohorts x 5 windows); largest difference %.4f %% (%s)", compared, worst * 100,
              qPrintable(worstWhat));
        QCOMPARE(compared, int(slos.size()) * 3 * int(windows.size())); // the sandbox's traffic fills every window
    }
};

QTEST_GUILESS_MAIN(TestSloAgreement)
#include "tst_slo_agreement.moc"
