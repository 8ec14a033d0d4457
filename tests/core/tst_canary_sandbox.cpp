// The two-axis canary on the real release sandbox (issue #20, item 1): the
// service started from scenario canary-deployment-bad, the rolling release
// moved over the sandbox's Vercel with raw HTTP as the console's client sends
// it, the split seen where the console sees it — the platform's
// GET /served-by, the control surface's state and the real Prometheus
// scraping raize_http_requests_by_deployment_total — and the abort (Instant
// Rollback to current) returning every request to the current deployment.
// Then the abort confirmed by Vercel's own state (issue #20 item 6): with the
// sandbox's Vercel ending the rolling release 1.5 s after it accepted the
// rollback, the console's confirmer reports "accepted, not yet effective"
// while the rolling release is still ACTIVE and "effective" once it is
// ABORTED. One sandbox (~25 s of sandbox start, a few scrapes, ~3 s more).
//
// The good canary through the workspace (issue #20 acceptance, ADR 0033): the
// same sandbox, its canary made good (deployment effects at run time) and its
// traffic model time-compressed, a profile whose policy turns the deployment
// axis on with windows of seconds; Workspace::canary() starts it, the
// operator's advance moves it through every stage to 100 % with the flag
// cohorts in step (as the platform's SDK sees them), and the timeline feed
// shows each stage once, in the web lane.

#include "sandboxfixture.h"
#include "waitfor.h"

#include "core/clock.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "release/effectiveconfirmer.h"
#include "release/servingprobe.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include "core/settings.h"
#include "core/tokenstore.h"
#include "records/auditrecord.h"
#include "release/canaryrun.h"
#include "timeline/timelinefeed.h"
#include "workspace/canarysession.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::httpCall;

class TestCanarySandbox : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;

    QJsonObject vercel(const QByteArray &method, const QString &path, const QByteArray &body = {}, int *status = nullptr)
    {
        const auto a = httpCall(method, QUrl(m_sandbox.url(u"vercel"_s) + path), "Bearer " + m_sandbox.token(u"vercel"_s).toUtf8(), body);
        if (status)
            *status = a.status;
        return QJsonDocument::fromJson(a.body).object();
    }
    // Requests each deployment served over the last `window`, summed, as Prometheus has them.
    QHash<QString, double> byDeployment(const QString &code, const QString &window)
    {
        QUrl url(m_sandbox.url(u"prometheus"_s) + u"/api/v1/query"_s);
        QUrlQuery q;
        q.addQueryItem(u"query"_s, u"sum by (deployment) (increase(raize_http_requests_by_deployment_total{service=\"web\",code=~\"%1\"}[%2]))"_s.arg(code, window));
        url.setQuery(q);
        QHash<QString, double> out;
        const QJsonObject o = QJsonDocument::fromJson(httpCall("GET", url).body).object();
        for (const QJsonValue &r : o.value(u"data"_s).toObject().value(u"result"_s).toArray())
            out.insert(r[u"metric"_s][u"deployment"_s].toString(), r[u"value"_s][1].toString().toDouble());
        return out;
    }
    int canaryOf(int n)
    {
        int canary = 0;
        for (int i = 0; i < n; ++i) {
            const auto a = httpCall("GET", QUrl(m_sandbox.url(u"platform"_s) + u"/served-by"_s));
            canary += QJsonDocument::fromJson(a.body).object().value(u"deployment"_s).toString() == u"dpl_canary"_s ? 1 : 0;
        }
        return canary;
    }

    QJsonObject control(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        return QJsonDocument::fromJson(httpCall(method, QUrl(m_sandbox.url(u"control"_s) + path), {}, body).body).object();
    }
    // The cohorts the platform's SDK serves the canary flag to now (any lane), as the platform simulator sees Unleash.
    QStringList cohortsServed()
    {
        QStringList out;
        const QJsonObject lanes = control("GET", u"/__sandbox/state"_s)[u"platform"_s][u"lanes"_s].toObject();
        for (auto it = lanes.begin(); it != lanes.end(); ++it) {
            const QString cohort = it.key().section(u'/', 0, 0);
            if (it.value()[u"canaryOn"_s].toBool() && !out.contains(cohort))
                out << cohort;
        }
        out.sort();
        return out;
    }
    QList<int> approvedStages()
    {
        QList<int> out;
        const auto a = httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/requests?service=vercel"_s));
        for (const QJsonValue &e : QJsonDocument::fromJson(a.body).array()) {
            if (e[u"method"_s].toString() == u"POST"_s && e[u"path"_s].toString().endsWith(u"/approve-stage"_s))
                out << QJsonDocument::fromJson(e[u"body"_s].toString().toUtf8()).object().value(u"nextStageIndex"_s).toInt(-1);
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_sandbox.start(u"canary-deployment-bad"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void splitIsServedScrapedAndAborted()
    {
        const QString project = u"/v1/projects/prj_raize_web/rolling-release"_s;
        int status = 0;
        const QJsonObject billing = vercel("GET", project + u"/billing"_s, {}, &status);
        QCOMPARE(status, 200);
        QCOMPARE(billing.value(u"reason"_s).toString(), u"available_slots"_s);
        const QJsonObject started = vercel("POST", project + u"/start"_s, R"({"canaryDeploymentId":"dpl_canary"})", &status);
        QCOMPARE(status, 200);
        QCOMPARE(started[u"rollingRelease"_s][u"activeStage"_s][u"targetPercentage"_s].toDouble(), 5.0);
        QCOMPARE(canaryOf(100), 5);
        const auto state = httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/state"_s));
        const QJsonObject split = QJsonDocument::fromJson(state.body).object()[u"vercel"_s][u"rollingRelease"_s][u"split"_s].toObject();
        QCOMPARE(split.value(u"canary"_s).toString(), u"dpl_canary"_s);
        QCOMPARE(split.value(u"canaryPercent"_s).toDouble(), 5.0);

        // Prometheus scrapes both deployments; the canary fails about a fifth of its requests, current its baseline.
        QTRY_VERIFY_WITH_TIMEOUT(byDeployment(u"500"_s, u"1m"_s).value(u"dpl_canary"_s) > 0, 60000);
        const QHash<QString, double> all = byDeployment(u".*"_s, u"1m"_s), bad = byDeployment(u"500"_s, u"1m"_s);
        QVERIFY2(all.value(u"dpl_canary"_s) > 0 && all.value(u"dpl_cand"_s) > 0, "both deployments serve");
        const double canaryRatio = bad.value(u"dpl_canary"_s) / all.value(u"dpl_canary"_s);
        const double currentRatio = bad.value(u"dpl_cand"_s) / all.value(u"dpl_cand"_s);
        QVERIFY2(canaryRatio > 0.15 && canaryRatio < 0.25, qPrintable(QString::number(canaryRatio)));
        QVERIFY2(currentRatio < 0.01, qPrintable(QString::number(currentRatio)));

        // The guard: a stale stage index is refused.
        vercel("POST", project + u"/approve-stage"_s, R"({"nextStageIndex":2,"canaryDeploymentId":"dpl_canary"})", &status);
        QCOMPARE(status, 400);
        // Abort: the Instant Rollback to current ends the rolling release; every request is current's again.
        vercel("POST", u"/v1/projects/prj_raize_web/rollback/dpl_cand?description=abort"_s, {}, &status);
        QCOMPARE(status, 201);
        QCOMPARE(vercel("GET", project)[u"rollingRelease"_s][u"state"_s].toString(), u"ABORTED"_s);
        QCOMPARE(canaryOf(100), 0);
    }

    // The canary scenarios' GitHub reports the policy's staging smoke checks as passed on dpl_canary's commit
    // (rollout.deploymentAxis.smokeChecks; ADR 0032), so a two-axis canary on this sandbox may start.
    void smokeChecksPassedOnTheCanaryCommit()
    {
        const auto a = httpCall("GET", QUrl(m_sandbox.url(u"github"_s) + u"/repos/raize/platform/commits/c0ffee00112233445566778899aabbccddeeff00/check-runs"_s),
                                "Bearer " + m_sandbox.token(u"github"_s).toUtf8());
        QCOMPARE(a.status, 200);
        QStringList passed;
        for (const QJsonValue &c : QJsonDocument::fromJson(a.body).object().value(u"check_runs"_s).toArray()) {
            if (c[u"conclusion"_s].toString() == u"success"_s)
                passed << c[u"name"_s].toString();
        }
        passed.sort();
        QCOMPARE(passed, QStringList({u"smoke/dry-run-publish"_s, u"smoke/plan-create-schedule"_s, u"smoke/verification-job"_s}));
    }

    // Runs after the split above was aborted: a second rolling release, aborted with Vercel ending it late.
    void abortIsEffectiveOnceAborted()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Vercel, m_sandbox.token(u"vercel"_s));
        Services::VercelClient vercelClient(http, QUrl(m_sandbox.url(u"vercel"_s)), u"prj_raize_web"_s);
        Services::RollingReleaseClient rr(http, QUrl(m_sandbox.url(u"vercel"_s)), u"prj_raize_web"_s);
        Release::HttpServingProbe probe(http, QUrl(m_sandbox.url(u"platform"_s) + u"/__deployment"_s), u"app.raize.example"_s);
        const Result<Services::RollingRelease> started = RaizeTest::wait<Services::RollingRelease>([&](auto done) { rr.start(u"dpl_canary"_s, done); });
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QCOMPARE(started->state, Services::RollingRelease::State::Active);
        const auto delay = httpCall("POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/vercel/abort-delay"_s), {}, R"({"ms":1500})");
        QCOMPARE(delay.status, 200);

        const Status accepted = RaizeTest::waitStatus([&](auto done) { vercelClient.instantRollback(u"dpl_cand"_s, u"abort canary dpl_canary"_s, done); });
        QVERIFY2(accepted, qPrintable(accepted ? QString() : accepted.error().toString()));
        const qint64 acceptedAt = Clock::system().nowMs();
        Release::EffectiveRules rules;
        rules.deadlineSeconds = 10;
        Release::EffectiveConfirmer confirmer(&vercelClient, &probe, rules);
        confirmer.setRollingReleases(&rr);
        confirmer.setPollIntervalMs(250);
        QStringList progress;
        std::optional<Release::EffectiveReport> report;
        confirmer.confirm(Release::ChangeKind::Abort, u"dpl_cand"_s, acceptedAt, std::nullopt,
                          [&](const Release::EffectiveVerdict &v) { progress << v.summary; }, [&](const Release::EffectiveReport &r) { report = r; });
        QTRY_VERIFY_WITH_TIMEOUT(report.has_value(), 12000);
        const QString all = report->last.summary + u'\n' + report->last.evidence.join(u'\n');
        QVERIFY2(report->effective(), qPrintable(all));
        QVERIFY2(!progress.isEmpty() && progress.first().contains(u"the rolling release of dpl_canary is still ACTIVE at 5 %"_s),
                 qPrintable(progress.join(u'\n')));
        QVERIFY2(all.contains(u"rolling release of dpl_canary: ABORTED"_s), qPrintable(all));
        // Effective no sooner than Vercel ended it.
        QVERIFY2(report->effectiveAtMs - report->acceptedAtMs >= 1400, qPrintable(report->describe()));
        QCOMPARE(canaryOf(50), 0);
        httpCall("POST", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/vercel/abort-delay"_s), {}, R"({"ms":0})");
    }

    void goodCanaryThroughTheWorkspace()
    {
        // The canary made good, the traffic model 200× the wall clock: a stage's requests in seconds.
        QVERIFY(control("POST", u"/__sandbox/platform/deployment-effects"_s, R"({"dpl_canary":{"httpErrors":0}})").contains(u"deploymentEffects"_s));
        QCOMPARE(control("POST", u"/__sandbox/platform/time-scale"_s, R"({"factor":200})")[u"timeScale"_s].toDouble(), 200.0);
        httpCall("POST", QUrl(m_sandbox.url(u"platform"_s) + u"/sdk"_s), {}, R"({"refreshMs":250})");
        httpCall("DELETE", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/vercel/budget"_s));
        httpCall("DELETE", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/requests"_s));
        const auto restore = qScopeGuard([this] {
            control("POST", u"/__sandbox/platform/time-scale"_s, R"({"factor":1})");
            control("POST", u"/__sandbox/platform/deployment-effects"_s, R"({"dpl_canary":{"httpErrors":0.2}})");
        });

        // A profile whose policy turns the deployment axis on; the built-in L3 plan with windows of 3 s.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile bundle(dir.filePath(u"tenant.json"_s));
        QVERIFY(bundle.open(QIODevice::WriteOnly));
        bundle.write(R"({"schema": "raize.policy", "version": 1, "id": "canary-sandbox-test", "title": "Two axes, windows of seconds", "rollout": {"deploymentAxis": {"enabled": true, "stages": {"L3": [
            {"trafficPercent": 5, "cohorts": ["house"], "windowMinutes": 0.05},
            {"trafficPercent": 25, "cohorts": ["house", "lowrisk"], "windowMinutes": 0.05},
            {"trafficPercent": 50, "cohorts": ["house", "lowrisk"], "windowMinutes": 0.05},
            {"trafficPercent": 100, "cohorts": ["house", "lowrisk", "broad"], "windowMinutes": 0}]}}}})");
        bundle.close();
        Settings settings(u"canary-sandbox"_s, dir.path());
        settings.setValue(SettingKey::ProfileIsSandbox, true);
        settings.setValue(SettingKey::VercelBaseUrl, m_sandbox.url(u"vercel"_s));
        settings.setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        settings.setValue(SettingKey::GitHubApiUrl, m_sandbox.url(u"github"_s));
        settings.setValue(SettingKey::GitHubOwner, u"raize"_s);
        settings.setValue(SettingKey::GitHubRepo, u"platform"_s);
        settings.setValue(SettingKey::FlagsUrl, m_sandbox.url(u"unleash"_s));
        settings.setValue(SettingKey::PrometheusUrl, m_sandbox.url(u"prometheus"_s));
        settings.setValue(SettingKey::AuditLogPath, dir.filePath(u"audit.jsonl"_s));
        settings.setValue(SettingKey::PolicyBundlePath, bundle.fileName());
        TokenStore tokens(u"canary-sandbox"_s, u"raize-console-canarytest"_s);
        ServiceMonitor monitor;
        Workspace ws(settings, tokens, &monitor);
        QVERIFY2(!ws.policy().readOnly(), qPrintable(ws.policy().readOnlyReason()));
        ws.openWithTokens({{Service::Vercel, m_sandbox.token(u"vercel"_s)},
                           {Service::GitHub, m_sandbox.token(u"github"_s)},
                           {Service::Flags, m_sandbox.token(u"unleashAdmin"_s)},
                           {Service::FlagsClient, m_sandbox.token(u"unleashClient"_s)}});
        ws.resolveIdentity();
        QTRY_VERIFY_WITH_TIMEOUT(ws.identityKnown(), 10000);

        CanarySession &canary = ws.canary();
        QSignalSpy failed(&canary, &CanarySession::failed);
        const QString flag = u"publishing.scheduler-v2"_s;
        std::optional<Status> started;
        canary.start({u"dpl_canary"_s, u"L3"_s, {flag}}, u"good canary, sandbox"_s, [&started](const Status &st) { started = st; });
        QTRY_VERIFY_WITH_TIMEOUT(started.has_value(), 20000);
        QVERIFY2(*started, qPrintable(started->ok() ? QString() : started->error().toString()));
        QVERIFY(canary.axisChoice() && canary.axisChoice()->deploymentAxis);
        QVERIFY(!canary.startResumed());
        Release::CanaryRun *run = canary.run();
        QVERIFY(run);
        QCOMPARE(run->plan().size(), qsizetype(4));
        QTRY_COMPARE_WITH_TIMEOUT(cohortsServed(), QStringList({u"house"_s}), 10000);

        // Never twice: a second start of the same canary resumes it and sends nothing.
        started.reset();
        canary.start({u"dpl_canary"_s, u"L3"_s, {flag}}, {}, [&started](const Status &st) { started = st; });
        QTRY_VERIFY_WITH_TIMEOUT(started.has_value(), 20000);
        QVERIFY(*started && canary.startResumed());

        // The operator advances each stage once the verdict says so; the cohorts move in step.
        const QList<QStringList> served = {{u"house"_s}, {u"house"_s, u"lowrisk"_s}, {u"house"_s, u"lowrisk"_s}, {u"broad"_s, u"house"_s, u"lowrisk"_s}};
        canary.setPollInterval(1000); // one GET a second: inside the simulated Vercel's 120 a minute
        for (int next = 1; next < 4; ++next) {
            QTRY_VERIFY_WITH_TIMEOUT(!run->busy() && run->verdict().kind == Release::StageVerdict::Kind::Advance, 30000);
            const Status advanced = canary.advance(next, u"inside the policy"_s);
            QVERIFY2(advanced, qPrintable(advanced.ok() ? QString() : advanced.error().toString()));
            QTRY_COMPARE_WITH_TIMEOUT(run->stageIndex(), next, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(cohortsServed(), served.at(next), 10000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(Services::RollingRelease::stateName(run->rollingRelease()->state), u"COMPLETE"_s, 10000);
        canary.setPollInterval(0);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        QCOMPARE(approvedStages(), QList<int>({1, 2, 3}));
        QCOMPARE(QJsonDocument::fromJson(httpCall("GET", QUrl(m_sandbox.url(u"control"_s) + u"/__sandbox/state"_s)).body)
                     .object()[u"vercel"_s][u"production"_s].toString(),
                 u"dpl_canary"_s);

        // The timeline: one canary stage per stage reached, in the web lane, naming its traffic and cohorts.
        QStringList stages;
        for (const Ui::TimelineEvent &e : Ui::TimelineFeed::fromAudit(ws.auditLogPath())) {
            if (e.kind != Ui::TimelineEvent::Kind::CanaryStep)
                continue;
            QCOMPARE(e.service, u"web"_s);
            QCOMPARE(e.environment, u"Production"_s);
            QVERIFY2(e.detail.contains(ws.actor()), qPrintable(e.detail));
            stages << e.title;
        }
        QCOMPARE(stages, QStringList({u"Canary dpl_canary: stage 1 of 4 — 5 % of web traffic, cohorts house"_s,
                                      u"Canary dpl_canary: stage 2 of 4 — 25 % of web traffic, cohorts house, lowrisk"_s,
                                      u"Canary dpl_canary: stage 3 of 4 — 50 % of web traffic, cohorts house, lowrisk"_s,
                                      u"Canary dpl_canary: stage 4 of 4 — 100 % of web traffic, cohorts house, lowrisk, broad (complete)"_s}));
        // The intents before each change, by the token's login.
        QFile log(ws.auditLogPath());
        QVERIFY(log.open(QIODevice::ReadOnly));
        QStringList intents;
        while (!log.atEnd()) {
            Records::AuditRecord r;
            if (Records::AuditRecord::fromLine(log.readLine().trimmed(), &r) && r.action.startsWith(u"rollout.canary."_s)) {
                QCOMPARE(r.actor, ws.actor());
                intents << u"%1 %2→%3"_s.arg(r.action).arg(r.before.is_object() ? r.before.value("stage", 0) : 0).arg(r.after.value("stage", 0));
            }
        }
        QCOMPARE(intents, QStringList({u"rollout.canary.start 0→1"_s, u"rollout.canary.advance 1→2"_s, u"rollout.canary.advance 2→3"_s,
                                       u"rollout.canary.advance 3→4"_s}));
    }
};

QTEST_GUILESS_MAIN(TestCanarySandbox)
#include "tst_canary_sandbox.moc"
