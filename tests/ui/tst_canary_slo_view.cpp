// The two-axis canary in the SLOs view (issue #20; ADR 0033), offscreen on
// in-process fakes (no sandbox): the simulated Vercel (billing, the rolling
// release) and GitHub (who acts) behind the workspace's own clients; the
// request counts scripted. The stage panel appears when the axes' choice
// says two axes, and a note says why when it is flag-only; Advance asks the
// typed confirmation and sends approve-stage only when it is answered
// exactly; Abort is a request to the console (the rollback dialog).

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "release/canaryrun.h"
#include "release/canaryservices.h"
#include "services/vercel/rollingreleaseclient.h"
#include "workspace/canarysession.h"
#include "workspace/workspace.h"

#include "canary/canarystagemodel.h"
#include "canary/canarystagepanel.h"
#include "slo/sloview.h"
#include "widgets/confirmation.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "scriptedcanaryservices.h"
#include "vercel/vercelfake.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

const QString kVercelToken = u"vercel-canary-view-token"_s;
const QString kGitHubToken = u"github-canary-view-token"_s;

json scenario(const QString &name)
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/%1.json"_s.arg(name));
    if (!f.open(QIODevice::ReadOnly))
        return json::object();
    return Json::parse(f.readAll());
}

const char *kTwoAxes = R"({"schema": "raize.policy", "version": 1, "id": "canary-view-test", "title": "Two axes, windows of a minute", "rollout": {"deploymentAxis": {"enabled": true, "stages": {"L3": [
    {"trafficPercent": 5, "cohorts": ["house"], "windowMinutes": 1},
    {"trafficPercent": 25, "cohorts": ["house", "lowrisk"], "windowMinutes": 1},
    {"trafficPercent": 50, "cohorts": ["house", "lowrisk"], "windowMinutes": 1},
    {"trafficPercent": 100, "cohorts": ["house", "lowrisk", "broad"], "windowMinutes": 0}]}}}})";

} // namespace

class TestCanarySloView : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{5};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    QTemporaryDir m_dir;

    // A sandbox profile on the fakes; `bundle` empty: the built-in policy (deployment axis off).
    std::unique_ptr<Settings> profile(const QString &name, const QByteArray &bundle)
    {
        auto settings = std::make_unique<Settings>(name, m_dir.path());
        settings->setValue(SettingKey::ProfileIsSandbox, true);
        settings->setValue(SettingKey::VercelBaseUrl, m_vercelServer->baseUrl());
        settings->setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        settings->setValue(SettingKey::GitHubApiUrl, m_githubServer->baseUrl());
        settings->setValue(SettingKey::GitHubOwner, u"raize"_s);
        settings->setValue(SettingKey::GitHubRepo, u"platform"_s);
        settings->setValue(SettingKey::AuditLogPath, m_dir.filePath(name + u".jsonl"_s));
        if (!bundle.isEmpty()) {
            QFile f(m_dir.filePath(name + u"-policy.json"_s));
            if (f.open(QIODevice::WriteOnly))
                f.write(bundle);
            settings->setValue(SettingKey::PolicyBundlePath, f.fileName());
        }
        return settings;
    }
    int approveCalls() const
    {
        int n = 0;
        for (const Sandbox::LoggedRequest &e : m_log.entries(u"vercel"_s))
            n += e.method == u"POST"_s && e.path.endsWith(u"/approve-stage"_s) ? 1 : 0;
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), kVercelToken);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), kGitHubToken);
        m_github->load(json::object()); // its users: release-bot is the token's
        QVERIFY(m_vercelServer->listen(0));
        QVERIFY(m_githubServer->listen(0));
    }

    void init()
    {
        Ui::Confirmation::resetHook();
        m_vercel->load(scenario(u"canary-deployment-good"_s)["vercel"]);
        m_log.clear();
    }

    void panelFollowsTheAxes_data()
    {
        QTest::addColumn<QByteArray>("bundle");
        QTest::addColumn<QString>("billing");
        QTest::addColumn<bool>("panelShown");
        QTest::addColumn<QString>("note");
        QTest::newRow("two axes") << QByteArray(kTwoAxes) << u"available_slots"_s << true << u"two axes"_s;
        QTest::newRow("billing says no") << QByteArray(kTwoAxes) << u"plan_not_supported"_s << false << u"plan_not_supported"_s;
        QTest::newRow("policy off") << QByteArray() << u"available_slots"_s << false << u"Flag axis only"_s;
    }
    void panelFollowsTheAxes()
    {
        QFETCH(QByteArray, bundle);
        QFETCH(QString, billing);
        QFETCH(bool, panelShown);
        QFETCH(QString, note);
        json s = scenario(u"canary-deployment-good"_s)["vercel"];
        s["rollingRelease"]["billing"] = billing.toStdString();
        m_vercel->load(s);
        auto settings = profile(u"axes-%1"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'), bundle);
        TokenStore tokens(settings->profile(), u"raize-console-canaryviewtest"_s);
        ServiceMonitor monitor;
        Workspace ws(*settings, tokens, &monitor);
        QVERIFY2(!ws.policy().readOnly(), qPrintable(ws.policy().readOnlyReason()));
        ws.openWithTokens({{Service::Vercel, kVercelToken}});
        Ui::SloView view;
        view.setCanary(&ws.canary());
        view.show();
        QVERIFY(!view.canaryPanel()->isVisibleTo(&view)); // nothing chosen yet
        bool chosen = false;
        ws.canary().chooseAxes(u"L3"_s, [&chosen](const Release::AxisChoice &) { chosen = true; });
        QTRY_VERIFY(chosen);
        QCOMPARE(view.canaryPanel()->isVisibleTo(&view), panelShown);
        QVERIFY2(view.canaryNote().contains(note), qPrintable(view.canaryNote()));
        if (panelShown)
            QVERIFY2(view.canaryPanel()->findChild<QLabel *>(u"canaryAxes"_s)->text().startsWith(u"Two axes"_s),
                     qPrintable(view.canaryPanel()->findChild<QLabel *>(u"canaryAxes"_s)->text()));
        QCOMPARE(approveCalls(), 0);
    }

    void startFromTheView_data()
    {
        QTest::addColumn<QString>("deployment");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("started");
        QTest::addColumn<QString>("message");
        QTest::newRow("exact") << u"dpl_canary"_s << u"production"_s << true << u"The canary of dpl_canary started at stage 1."_s;
        QTest::newRow("not exact") << u"dpl_canary"_s << u"prod"_s << false << u"Not started: the confirmation was cancelled"_s;
        QTest::newRow("no deployment") << QString() << u"production"_s << false << u"Name the deployment to canary"_s;
    }
    void startFromTheView()
    {
        QFETCH(QString, deployment);
        QFETCH(QString, typed);
        QFETCH(bool, started);
        QFETCH(QString, message);
        auto settings = profile(u"start-%1"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'), kTwoAxes);
        TokenStore tokens(settings->profile(), u"raize-console-canaryviewtest"_s);
        ServiceMonitor monitor;
        Workspace ws(*settings, tokens, &monitor);
        ws.openWithTokens({{Service::Vercel, kVercelToken}, {Service::GitHub, kGitHubToken}});
        ws.resolveIdentity();
        QTRY_VERIFY(ws.identityKnown());
        RaizeTest::ScriptedCanaryServices services(*ws.clients()->rollingRelease);
        CanarySession &canary = ws.canary();
        canary.setServices(&services);
        Ui::SloView view;
        view.setCanary(&canary);
        view.show();
        bool chosen = false;
        canary.chooseAxes(u"L3"_s, [&chosen](const Release::AxisChoice &) { chosen = true; });
        QTRY_VERIFY(chosen);
        auto *start = view.findChild<QPushButton *>(u"canaryStart"_s);
        QVERIFY(start && start->isVisibleTo(&view));
        view.findChild<QLineEdit *>(u"canaryDeployment"_s)->setText(deployment);
        view.findChild<QLineEdit *>(u"canaryFlags"_s)->setText(u"publishing.scheduler-v2"_s);
        Ui::Confirmation::setNextAnswer(true, typed);
        start->click();
        QTRY_VERIFY2(view.findChild<QLabel *>(u"canaryMessage"_s)->text().startsWith(message),
                     qPrintable(view.findChild<QLabel *>(u"canaryMessage"_s)->text()));
        QCOMPARE(Ui::Confirmation::asked().size(), deployment.isEmpty() ? 0 : 1);
        if (!deployment.isEmpty()) {
            QCOMPARE(Ui::Confirmation::asked().first().action, Policy::ConfirmAction::ProductionToggle);
            QVERIFY2(Ui::Confirmation::asked().first().plan.contains(u"rolling-release/start {canaryDeploymentId: dpl_canary}"_s),
                     qPrintable(Ui::Confirmation::asked().first().plan));
        }
        QCOMPARE(m_vercel->trafficSplit().canaryPercent, started ? 5.0 : 0.0);
        QCOMPARE(bool(canary.run()), started);
        QCOMPARE(start->isVisibleTo(&view), !started); // a running canary is advanced or aborted, not started again
        QCOMPARE(services.served, started ? QStringList{u"publishing.scheduler-v2 → house"_s} : QStringList{});
    }

    void advanceAsksTheTypedConfirmation_data()
    {
        QTest::addColumn<bool>("confirm");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("sent");
        QTest::newRow("cancelled") << false << QString() << false;
        QTest::newRow("wrong case") << true << u"Production"_s << false;
        QTest::newRow("exact") << true << u"production"_s << true;
    }
    void advanceAsksTheTypedConfirmation()
    {
        QFETCH(bool, confirm);
        QFETCH(QString, typed);
        QFETCH(bool, sent);
        auto settings = profile(u"advance-%1"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'), kTwoAxes);
        TokenStore tokens(settings->profile(), u"raize-console-canaryviewtest"_s);
        ServiceMonitor monitor;
        Workspace ws(*settings, tokens, &monitor);
        ws.openWithTokens({{Service::Vercel, kVercelToken}, {Service::GitHub, kGitHubToken}});
        ws.resolveIdentity();
        QTRY_VERIFY(ws.identityKnown());
        ManualClock clock(QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC));
        RaizeTest::ScriptedCanaryServices services(*ws.clients()->rollingRelease);
        CanarySession &canary = ws.canary();
        canary.setClock(clock);
        canary.setServices(&services);
        Ui::SloView view;
        view.setCanary(&canary);
        view.show();
        std::optional<Status> started;
        canary.start({u"dpl_canary"_s, u"L3"_s, {u"publishing.scheduler-v2"_s}}, u"test"_s, [&started](const Status &st) { started = st; });
        QTRY_VERIFY(started.has_value());
        QVERIFY2(*started, qPrintable(started->ok() ? QString() : started->error().toString()));
        QVERIFY(view.canaryPanel()->isVisibleTo(&view));
        QAbstractItemModelTester tester(view.canaryPanel()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(services.served, QStringList({u"publishing.scheduler-v2 → house"_s}));

        // The stage's window (a minute) is over and both axes are healthy: the verdict says advance.
        clock.advanceMs(61'000);
        QSignalSpy updated(&canary, &CanarySession::updated);
        canary.poll();
        QVERIFY(updated.wait(5000));
        QCOMPARE(canary.run()->verdict().kind, Release::StageVerdict::Kind::Advance);
        auto *advance = view.canaryPanel()->findChild<QPushButton *>(u"canaryAdvance"_s);
        QVERIFY(advance && advance->isEnabled());

        Ui::Confirmation::setNextAnswer(confirm, typed);
        advance->click();
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
        const Ui::ConfirmationRequest &asked = Ui::Confirmation::asked().first();
        QCOMPARE(asked.action, Policy::ConfirmAction::ProductionToggle);
        QCOMPARE(asked.environment, u"production"_s);
        QVERIFY2(asked.plan.contains(u"nextStageIndex: 1"_s) && asked.plan.contains(u"25 %"_s), qPrintable(asked.plan));
        QVERIFY2(asked.plan.contains(u"Serve publishing.scheduler-v2 in production to cohorts house, lowrisk"_s), qPrintable(asked.plan));
        if (sent) {
            QTRY_COMPARE(canary.run()->stageIndex(), 1);
            QCOMPARE(approveCalls(), 1);
            QCOMPARE(m_vercel->trafficSplit().canaryPercent, 25.0);
            QCOMPARE(services.served.last(), u"publishing.scheduler-v2 → house, lowrisk"_s);
            QTRY_COMPARE(view.findChild<QLabel *>(u"canaryMessage"_s)->text(), u"Stage 2 reached."_s);
            // With RAIZE_SCREENSHOT_DIR set: docs/screenshots/slo-two-axis-canary.png (the SLOs view with the canary at stage 2).
            if (const QString shots = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !shots.isEmpty()) {
                clock.advanceMs(20'000);
                canary.poll();
                QVERIFY(updated.wait(5000));
                view.resize(1280, 1500);
                QApplication::processEvents();
                QVERIFY(view.grab().save(shots + u"/slo-two-axis-canary.png"_s));
            }
        } else {
            QCOMPARE(approveCalls(), 0);
            QCOMPARE(canary.run()->stageIndex(), 0);
            QVERIFY2(view.findChild<QLabel *>(u"canaryMessage"_s)->text().startsWith(u"Not advanced"_s),
                     qPrintable(view.findChild<QLabel *>(u"canaryMessage"_s)->text()));
        }

        // Abort is the console's: a request the window answers with the rollback dialog on the abort plan.
        QSignalSpy abort(&view, &Ui::SloView::canaryAbortRequested);
        view.canaryPanel()->findChild<QPushButton *>(u"canaryAbort"_s)->click();
        QCOMPARE(abort.size(), 1);
        const Result<Rollback::CanaryAbortInputs> in = canary.abortInputs({});
        QVERIFY(in);
        QCOMPARE(in->currentDeployment, u"dpl_cand"_s);
        QCOMPARE(in->flags, QStringList({u"publishing.scheduler-v2"_s}));
        QCOMPARE(in->canaryPercent, sent ? 25.0 : 5.0);
    }
};

QTEST_MAIN(TestCanarySloView)
#include "tst_canary_slo_view.moc"
