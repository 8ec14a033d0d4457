// Issue #15, item 1, on the real sandbox: every SLO of the policy's table
// burns above the 14.4x page in the house cohort of the every-slo-burns
// scenario (each SLO's own fault, in progress for 70 minutes: the backfilled
// history holds them and the live scrape continues them), read the way the
// console reads it (SloFeed's selectors over the sandbox's Prometheus); the
// low-risk and broad cohorts of the same sandbox have none of those faults
// and stay under 1x (the negative control rows: the same check, expecting
// the opposite). test_slo_labels does the same in-process, per fault.

#include "slo/sloengine.h"
#include "services/prometheus/slometrics.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"

#include "sandboxfixture.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

class TestSloBurn : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    ServiceMonitor m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::PrometheusClient> m_prometheus;
    std::unique_ptr<Slo::SloFeed> m_feed;
    qint64 m_end = 0;

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_sandbox.start(u"every-slo-burns"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_http = std::make_unique<Net::HttpClient>(&m_monitor);
        m_prometheus = std::make_unique<Services::PrometheusClient>(*m_http, QUrl(m_sandbox.url(u"prometheus"_s)));
        m_feed = std::make_unique<Slo::SloFeed>(*m_prometheus, Slo::defaultSlos());
        QSignalSpy loaded(m_feed.get(), &Slo::SloFeed::loaded);
        QSignalSpy failed(m_feed.get(), &Slo::SloFeed::failed);
        // The last full minute, two hours back: the 1 h and 5 min windows of the page rule.
        m_end = QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs;
        m_feed->load(m_end, 2 * Slo::HourMs, Slo::MinuteMs);
        QVERIFY(QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 60000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
    }

    void everySloBurnsWithItsFault_data()
    {
        QTest::addColumn<QString>("slo");
        QTest::addColumn<QString>("cohort");
        QTest::addColumn<bool>("fault"); // the scenario puts the SLO's fault on this cohort
        for (const Slo::SloSpec &s : Slo::defaultSlos()) {
            QTest::newRow(qPrintable(s.id + u"/house"_s)) << s.id << u"house"_s << true;
            QTest::newRow(qPrintable(s.id + u"/lowrisk (control)"_s)) << s.id << u"lowrisk"_s << false;
            QTest::newRow(qPrintable(s.id + u"/broad (control)"_s)) << s.id << u"broad"_s << false;
        }
    }
    void everySloBurnsWithItsFault()
    {
        QFETCH(QString, slo);
        QFETCH(QString, cohort);
        QFETCH(bool, fault);
        Slo::SloSpec spec;
        for (const Slo::SloSpec &s : m_feed->slos()) {
            if (s.id == slo)
                spec = s;
        }
        const auto it = m_feed->data().byCohort.value(slo).constFind(cohort);
        QVERIFY2(it != m_feed->data().byCohort.value(slo).cend(), qPrintable(u"no series for "_s + cohort));
        double burns[2] = {0, 0};
        int i = 0;
        for (const qint64 windowMs : {Slo::HourMs, 5 * Slo::MinuteMs}) {
            const Slo::WindowStats w = it->window(m_end, windowMs, spec.minEventsFor(windowMs));
            QVERIFY2(w.enoughData && !w.partial(), qPrintable(u"%1 events over %2 min"_s.arg(w.events).arg(windowMs / Slo::MinuteMs)));
            burns[i++] = Slo::burnRate(w.ratio, spec.objective);
        }
        qInfo("%s %s: %.2fx over 1h, %.2fx over 5m", qPrintable(slo), qPrintable(cohort), burns[0], burns[1]);
        if (fault)
            QVERIFY2(burns[0] > 14.4 && burns[1] > 14.4, "the SLO's fault burns it above the page");
        else
            QVERIFY2(burns[0] < 1 && burns[1] < 1, "without the fault the SLO stays under 1x");
    }
};

QTEST_GUILESS_MAIN(TestSloBurn)
#include "tst_slo_burn.moc"
