// The wrong-account P0 detected from the sandbox's real signals (issue #16, item 4 acceptance):
// the platform simulator exports raize_side_effects_total, the sandbox's Prometheus scrapes it
// every 5 s, and the console's TriggerDetector asks Prometheus on the policy's interval. The
// scenario starts with its fault dormant (the canary flag that carries it is off), so the first
// rounds are the live negative control; then the flag goes on through Unleash's admin API and
// the P0 must be raised within two scrape intervals of the simulator's own timestamp of its
// first wrong-account event. The plan that opens from the alert is P0, global, and turns every
// side-effect flag off. One sandbox for the binary.

#include "rollback/rollbackfacts.h"
#include "rollback/triggerdetector.h"
#include "workspace/effectivepolicy.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/flags/unleashclient.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include "sandboxfixture.h"
#include "scenariosim.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Rollback;
using RaizeTest::json;

namespace {
constexpr qint64 kScrapeMs = 5000; // tools/sandbox/sandbox.sh: scrape_interval
const QString kAlert = u"trigger:wrong-account:cohort=house"_s;
} // namespace

class TestTriggersSandbox : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    QTemporaryDir m_dir;
    QElapsedTimer m_started;

    // The simulator's own time of its first wrong-account event, over the house lanes (0: none yet).
    double firstWrongAccountAt()
    {
        const RaizeTest::HttpAnswer a = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"platform"_s) + u"/health"_s));
        const json health = json::parse(a.body.toStdString(), nullptr, false);
        double first = 0;
        for (const char *lane : {"house/api", "house/browser"}) {
            const double t = health.is_object() ? health["lanes"][lane].value("firstWrongAccountAt", 0.0) : 0.0;
            if (t > 0 && (first == 0 || t < first))
                first = t;
        }
        return first;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_started.start();
        // The wrong-account scenario with its fault dormant: the canary flag that carries it starts off.
        json scenario = RaizeTest::readScenario(u"wrong-account"_s);
        for (json &f : scenario["flags"]) {
            if (f["name"] == "publishing.scheduler-v2")
                f["enabled"] = false;
        }
        const QString file = m_dir.filePath(u"wrong-account-dormant.json"_s);
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray::fromStdString(scenario.dump()));
        out.close();
        const QString err = m_sandbox.start(file);
        QVERIFY2(err.isEmpty(), qPrintable(err));
    }

    void wrongAccountDetectedWithinTwoScrapes()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        Services::PrometheusClient prometheus(http, QUrl(m_sandbox.url(u"prometheus"_s)));
        Release::AlertCenter center;
        TriggerDetector detector(prometheus, center);
        detector.setRules(EffectivePolicy::builtin().triggers(), EffectivePolicy::builtin().cohorts());
        // The kill switch as the console's flag poller would hand it over: on (the rule has nothing to respect).
        Release::FlagSnapshot flagsRead;
        flagsRead.markFresh(QDateTime::currentDateTimeUtc());
        Services::FlagState killSwitch;
        killSwitch.key = u"publishing.enabled"_s;
        killSwitch.enabled = true;
        flagsRead.flags = {killSwitch};
        detector.setFlags(flagsRead);
        QSignalSpy rounds(&detector, &TriggerDetector::evaluated);
        detector.start();

        // The live control: the platform runs, Prometheus scrapes it, the fault is dormant. No alert.
        QTRY_VERIFY_WITH_TIMEOUT(rounds.size() >= 4, 20000);
        for (auto it = detector.status().cbegin(); it != detector.status().cend(); ++it)
            QVERIFY2(it.value().startsWith(u"ok"_s), qPrintable(it.key() + u": "_s + it.value()));
        QVERIFY2(!center.hasActive(), qPrintable(center.active().isEmpty() ? QString() : center.active().first().alert.id));
        QCOMPARE(firstWrongAccountAt(), 0.0);

        // The fault's flag on, as an operator's canary step would (Unleash's admin API).
        const RaizeTest::HttpAnswer on = RaizeTest::httpCall(
            "POST", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/publishing.scheduler-v2/environments/production/on"_s),
            m_sandbox.token(u"unleashAdmin"_s).toUtf8());
        QVERIFY2(on.status == 200, qPrintable(u"%1 %2"_s.arg(on.status).arg(QString::fromUtf8(on.body))));
        QTRY_VERIFY_WITH_TIMEOUT(center.find(kAlert) != nullptr, 40000);
        const Release::AlertCenter::State raised = *center.find(kAlert);
        const double onset = firstWrongAccountAt();
        QVERIFY(onset > 0);
        const qint64 delayMs = raised.raisedMs - qint64(onset * 1000);
        qInfo("wrong-account P0: simulator's first event %.3f, raised %lld ms later (limit %lld ms: two scrape intervals); evidence: %s",
              onset, delayMs, 2 * kScrapeMs, qPrintable(raised.alert.evidence.join(u" | "_s)));
        QVERIFY2(delayMs <= 2 * kScrapeMs, qPrintable(u"raised %1 ms after the onset"_s.arg(delayMs)));
        QCOMPARE(raised.alert.severity, u"P0"_s);
        QVERIFY(raised.alert.evidence.first().contains(u"wrong_account"_s));
        // Only the story's trigger: the other rules stay quiet on it.
        QCOMPARE(center.active().size(), 1);

        // The plan it opens: P0 with global scope, the §7.3 answers the signal implies, every side-effect flag off first.
        ServiceMonitor planMonitor;
        Net::HttpClient planHttp(&planMonitor);
        planHttp.setToken(Service::Flags, m_sandbox.token(u"unleashAdmin"_s));
        planHttp.setToken(Service::Vercel, m_sandbox.token(u"vercel"_s));
        planHttp.setToken(Service::GitHub, m_sandbox.token(u"github"_s));
        Services::UnleashClient flags(planHttp, QUrl(m_sandbox.url(u"flags"_s)), u"default"_s, u"production"_s);
        Services::VercelClient vercel(planHttp, QUrl(m_sandbox.url(u"vercel"_s)), u"prj_raize_web"_s, u"team_raize"_s);
        Services::GitHubClient github(planHttp, QUrl(m_sandbox.url(u"github"_s)), u"raize"_s, u"platform"_s);
        Clients clients;
        clients.flags = &flags;
        clients.vercel = &vercel;
        clients.github = &github;
        Target target;
        target.flagProject = u"default"_s;
        target.flagEnvironment = u"production"_s;
        target.vercelProjectId = u"prj_raize_web"_s;
        target.githubOwner = u"raize"_s;
        target.githubRepo = u"platform"_s;
        target.cohorts = EffectivePolicy::builtin().cohorts();
        target.policy = EffectivePolicy::builtin().rollback();
        target.migrations = EffectivePolicy::builtin().migrations();
        Request request;
        request.trigger = *triggerFromId(raised.alert.triggerId);
        request.scope = parseScope(raised.alert.planScope).value();
        request.checklist = impliedChecklist(raised.alert.implies);
        std::optional<Result<Inputs>> in;
        gatherInputs(clients, target, request, [&](const Result<Inputs> &r) { in = r; });
        QTRY_VERIFY_WITH_TIMEOUT(in.has_value(), 20000);
        QVERIFY2(in->ok(), qPrintable(in->error().toString()));
        const Plan plan = buildPlan(in->value());
        QCOMPARE(plan.priority, Priority::P0);
        QVERIFY(plan.immediate);
        QCOMPARE(scopeText(in->value().scope), u"global"_s);
        QStringList off;
        for (const Step &s : plan.steps) {
            if (s.kind == Step::Kind::DisableFlag)
                off << s.target;
        }
        QCOMPARE(off, (QStringList{u"browser-lane.dom-v3"_s, u"browser-lane.enabled"_s, u"engagement.dm-dedupe"_s, u"engagement.enabled"_s,
                                   u"publishing.client-bloom-beta"_s, u"publishing.enabled"_s, u"publishing.scheduler-v2"_s}));
        QVERIFY2(plan.executable(), qPrintable(plan.refusals.join(u'\n')));
        detector.stop();
        qInfo("sandbox time of this binary so far: %.1f s", m_started.elapsed() / 1000.0);
    }

    void cleanupTestCase() { m_sandbox.stop(); }
};

QTEST_GUILESS_MAIN(TestTriggersSandbox)
#include "tst_triggers_sandbox.moc"
