// The way back through the canary stages in the GUI (issue #16 item 10, ADR 0034), offscreen and in-process:
// the bad-L3 scenario's Vercel and GitHub fakes over loopback, a small Unleash (features, strategy PUTs), and a
// rollback run's journal that excluded house and client-bloom from publishing.enabled. The dialog shows the
// stages; a fix-forward pull request production does not contain is refused before anything is sent; one it
// contains starts stage 1 behind the typed confirmation (house served again, client-bloom not yet); stage 2
// holds without burn verdicts ("not enough data"); Abort stops the way back, audited with the pull request.

#include "ui/rollback/restoredialog.h"

#include "core/settings.h"
#include "core/tokenstore.h"
#include "github/githubfake.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "rollback/rollbackplan.h"
#include "rollback/runjournal.h"
#include "services/flags/unleashclient.h"
#include "vercel/vercelfake.h"
#include "widgets/confirmation.h"
#include "workspace/workspace.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;
using Raize::Sandbox::HttpRequest;
using Raize::Sandbox::HttpResponse;

namespace {

json readScenario(const QString &name)
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR "/tests/fakes/scenarios/") + name + u".json"_s);
    if (!f.open(QIODevice::ReadOnly))
        return json();
    return json::parse(f.readAll().toStdString(), nullptr, false);
}

json strategy(const char *id)
{
    return {{"id", id}, {"name", "default"}, {"constraints", json::array()}, {"parameters", json::object()}, {"segments", json::array()},
            {"sortOrder", 0}, {"disabled", false}, {"variants", json::array()}, {"title", nullptr}};
}

// Unleash's admin API for one feature in production: read it, replace a strategy.
class TinyUnleash
{
public:
    TinyUnleash() : server(u"unleash"_s, nullptr, &log)
    {
        server.route("GET", u"/api/admin/projects/default/features/([^/]+)"_s, [this](const HttpRequest &, const QRegularExpressionMatch &m) {
            if (m.captured(1) != u"publishing.enabled"_s)
                return HttpResponse::json(404, {{"message", "not found"}});
            return HttpResponse::json(200, feature());
        });
        server.route("PUT", u"/api/admin/projects/default/features/publishing.enabled/environments/production/strategies/([^/]+)"_s,
                     [this](const HttpRequest &r, const QRegularExpressionMatch &m) {
                         for (json &s : strategies) {
                             if (s["id"] == m.captured(1).toStdString()) {
                                 json body = r.json();
                                 body["id"] = s["id"];
                                 body["sortOrder"] = 0;
                                 s = body;
                                 return HttpResponse::json(200, s);
                             }
                         }
                         return HttpResponse::json(404, {{"message", "no such strategy"}});
                     });
        if (!server.listen())
            qFatal("cannot listen");
    }
    json feature() const
    {
        return {{"name", "publishing.enabled"}, {"project", "default"}, {"type", "kill-switch"}, {"dependencies", json::array()},
                {"environments", json::array({{{"name", "production"}, {"enabled", true}, {"strategies", strategies}, {"variants", json::array()}}})}};
    }
    bool servedTo(const QString &client) const
    {
        const auto state = Services::UnleashClient::parseFeature(QByteArray::fromStdString(feature().dump()), u"production"_s);
        Services::FlagContext c;
        c.complete = true;
        c.clientId = client;
        return Services::UnleashClient::evaluate(state.value(), c).verdict == Services::FlagEvaluation::Verdict::On;
    }
    Raize::Sandbox::RequestLog log;
    Raize::Sandbox::HttpServer server;
    json strategies = json::array({strategy("s-default")});
};

} // namespace

class TestRestoreDialog : public QObject
{
    Q_OBJECT

    json m_scenario;
    Raize::Sandbox::RequestLog m_log;
    std::unique_ptr<Raize::Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Raize::Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Raize::Sandbox::GitHubFake> m_github;
    std::unique_ptr<TinyUnleash> m_unleash;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        m_scenario = readScenario(u"bad-l3-release"_s);
        QVERIFY(m_scenario.is_object() && m_scenario.contains("vercel") && m_scenario.contains("github"));
        m_vercelServer = std::make_unique<Raize::Sandbox::HttpServer>(u"vercel"_s, nullptr, &m_log);
        m_githubServer = std::make_unique<Raize::Sandbox::HttpServer>(u"github"_s, nullptr, &m_log);
        m_vercel = std::make_unique<Raize::Sandbox::VercelFake>(m_vercelServer.get(), u"vt"_s);
        m_github = std::make_unique<Raize::Sandbox::GitHubFake>(m_githubServer.get(), u"gt"_s);
        m_vercel->load(m_scenario["vercel"]);
        m_github->load(m_scenario["github"]);
        QVERIFY(m_vercelServer->listen() && m_githubServer->listen());
        m_unleash = std::make_unique<TinyUnleash>();
    }

    void stagesFixForwardAdvanceAndAbort()
    {
        const QString profile = u"restore-ui"_s;
        Settings settings(profile);
        settings.setValue(SettingKey::VercelBaseUrl, m_vercelServer->baseUrl());
        settings.setValue(SettingKey::VercelProjectId, u"prj_raize_web"_s);
        settings.setValue(SettingKey::VercelTeamId, u"team_raize"_s);
        settings.setValue(SettingKey::GitHubApiUrl, m_githubServer->baseUrl());
        settings.setValue(SettingKey::GitHubOwner, u"raize"_s);
        settings.setValue(SettingKey::GitHubRepo, u"platform"_s);
        settings.setValue(SettingKey::FlagsKind, u"unleash"_s);
        settings.setValue(SettingKey::FlagsUrl, m_unleash->server.baseUrl());
        settings.setValue(SettingKey::FlagsProject, u"default"_s);
        settings.setValue(SettingKey::FlagsEnvironment, u"production"_s);
        settings.setValue(SettingKey::AuditLogPath, m_dir.filePath(u"audit.jsonl"_s));
        settings.setValue(SettingKey::ProfileIsSandbox, true); // no arming (ADR 0028): this test is about the way back
        TokenStore tokens(profile, u"raize-console-restoretest"_s);
        Workspace ws(settings, tokens);
        ws.openWithTokens({{Service::Vercel, u"vt"_s}, {Service::GitHub, u"gt"_s}, {Service::Flags, u"*:*.admin"_s}});
        QVERIFY(ws.isReady());

        // The rollback: publishing.enabled stops being served to house and client-bloom (its edits written ahead).
        Services::ServeChange off;
        off.flag = u"publishing.enabled"_s;
        off.environment = u"production"_s;
        off.scope.clientIds = {u"house"_s, u"client-bloom"_s};
        Services::ServeEdits edits;
        edits.change = off;
        edits.backend = u"unleash"_s;
        const json before = m_unleash->strategies[0];
        const auto after = Services::UnleashClient::excludeScope(Services::UnleashClient::parseStrategy(QByteArray::fromStdString(before.dump())).value(),
                                                                  off.scope, off.flag);
        QVERIFY(after);
        edits.edits << Services::ServeEdit{u"s-default"_s, Services::UnleashClient::canonicalStrategy(before), *after};
        json written = *after;
        written["id"] = "s-default";
        m_unleash->strategies[0] = written;
        QVERIFY(!m_unleash->servedTo(u"house"_s) && !m_unleash->servedTo(u"client-bloom"_s) && m_unleash->servedTo(u"client-zed"_s));
        Rollback::Plan plan;
        Rollback::Step step;
        step.kind = Rollback::Step::Kind::DisableFlag;
        step.intent = off;
        step.target = off.flag;
        plan.steps = {step};
        plan.digest = plan.computeDigest();
        auto created = Rollback::RunJournal::create(m_dir.path(), {{"event", "begin"}, {"plan", plan.toJson()}, {"scope", "clients house, client-bloom"}});
        QVERIFY(created);
        Rollback::RunJournal journal = std::move(created).value();
        QVERIFY(journal.append({{"event", "edits"}, {"forStep", 0}, {"edits", edits.toJson()}}));
        QVERIFY(journal.append({{"event", "done"}, {"step", 0}}));
        QVERIFY(journal.append({{"event", "complete"}}));
        const QString path = journal.path();

        Ui::RestoreDialog dialog(path, ws, nullptr);
        dialog.show();
        QTRY_VERIFY(dialog.ready());
        auto *stages = dialog.findChild<QTreeWidget *>(u"restoreStages"_s);
        auto *pr = dialog.findChild<QLineEdit *>(u"restorePullRequest"_s);
        auto *fixStatus = dialog.findChild<QLabel *>(u"restoreFixStatus"_s);
        auto *judgement = dialog.findChild<QLabel *>(u"restoreJudgement"_s);
        auto *advance = dialog.findChild<QPushButton *>(u"restoreAdvance"_s);
        auto *abort = dialog.findChild<QPushButton *>(u"restoreAbort"_s);
        QVERIFY(stages && pr && fixStatus && judgement && advance && abort);
        QAbstractItemModelTester tester(stages->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The built-in playbook's canary stages; house serves client house again first, low-risk client-bloom.
        QCOMPARE(stages->topLevelItemCount(), 3);
        QVERIFY2(stages->topLevelItem(0)->text(1).contains(u"client house"_s), qPrintable(stages->topLevelItem(0)->text(1)));
        QVERIFY2(stages->topLevelItem(1)->text(1).contains(u"client client-bloom"_s), qPrintable(stages->topLevelItem(1)->text(1)));
        QVERIFY(stages->topLevelItem(2)->text(1).startsWith(u"nothing"_s));
        QCOMPARE(stages->topLevelItem(0)->text(2), u"next"_s);
        QVERIFY(advance->isEnabled() && !abort->isEnabled());

        // #431 is merged, but production (dpl_cand, #412's commit) is older than it: refused, nothing asked or sent.
        Ui::Confirmation::resetHook();
        QSignalSpy finished(&dialog, &Ui::RestoreDialog::stageFinished);
        pr->setText(u"https://github.com/raize/platform/pull/431"_s);
        QTest::mouseClick(advance, Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(finished.size() == 1, qPrintable(fixStatus->text() + u" / "_s + dialog.statusText()), 20000);
        QCOMPARE(finished.last().first().toBool(), false);
        QVERIFY2(fixStatus->text().contains(u"does not contain"_s), qPrintable(fixStatus->text()));
        QVERIFY(Ui::Confirmation::asked().isEmpty());
        QVERIFY(!m_unleash->servedTo(u"house"_s));
        QVERIFY(Rollback::RunJournal::open(path)->lastOf("restore-plan").is_null());

        // #412's merge commit is production's: stage 1 behind the typed confirmation; house is served again, client-bloom not yet.
        pr->setText(u"412"_s);
        Ui::Confirmation::setNextAnswer(true, u"production"_s);
        QTest::mouseClick(advance, Qt::LeftButton);
        QTRY_COMPARE(finished.size(), 2);
        QVERIFY2(finished.last().first().toBool(), qPrintable(dialog.statusText()));
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
        QCOMPARE(Ui::Confirmation::asked().last().action, Policy::ConfirmAction::ProductionToggle);
        QVERIFY2(Ui::Confirmation::asked().last().plan.contains(u"https://github.com/raize/platform/pull/412"_s), qPrintable(Ui::Confirmation::asked().last().plan));
        QVERIFY(m_unleash->servedTo(u"house"_s));
        QVERIFY(!m_unleash->servedTo(u"client-bloom"_s));
        QCOMPARE(stages->topLevelItem(0)->text(2), u"done"_s);
        QCOMPARE(stages->topLevelItem(1)->text(2), u"next"_s);
        QVERIFY(pr->isReadOnly() && abort->isEnabled());

        if (const QString dir = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !dir.isEmpty())
            dialog.grab().save(dir + u"/restore-dialog.png"_s);

        // Stage 2 without burn verdicts for house: held, nothing asked or sent.
        QTest::mouseClick(advance, Qt::LeftButton);
        QTRY_COMPARE(finished.size(), 3);
        QCOMPARE(finished.last().first().toBool(), false);
        QVERIFY2(judgement->text().contains(u"not enough data"_s), qPrintable(judgement->text()));
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
        QVERIFY(!m_unleash->servedTo(u"client-bloom"_s));

        // Abort: the way back stops where it is, audited with the pull request.
        QTest::mouseClick(abort, Qt::LeftButton);
        QTRY_COMPARE(finished.size(), 4);
        QVERIFY(finished.last().first().toBool());
        QVERIFY(!advance->isEnabled() && !abort->isEnabled());
        QVERIFY(m_unleash->servedTo(u"house"_s));
        QVERIFY(Rollback::restoreProgress(*Rollback::RunJournal::open(path)).aborted);
        QString error;
        const QList<Records::AuditRecord> audit = Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s), &error);
        QStringList actions;
        for (const Records::AuditRecord &r : audit) {
            if (r.action.startsWith(u"flag.restore"_s) || r.action.startsWith(u"rollback.restore"_s)) {
                actions << r.action;
                QVERIFY2(r.reason.contains(u"pull/412"_s) || r.after.dump().find("412") != std::string::npos, qPrintable(r.action + u' ' + r.reason));
            }
        }
        QCOMPARE(actions, (QStringList{u"flag.restore"_s, u"rollback.restore.stage"_s, u"rollback.restore.aborted"_s}));
    }
};

QTEST_MAIN(TestRestoreDialog)
#include "tst_restore_dialog.moc"
