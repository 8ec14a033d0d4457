// Every action's audit record is complete (issue #17, acceptance of item 6): a
// flag toggle, a promotion (its GitHub approval and its Vercel promote), a
// rollback step and a settings change each carry the actor (the GitHub login
// of the token), a request id, a before and an after. The request id is the
// service's own where it sends one, read from the real header names the
// in-process fakes send (Vercel's x-vercel-id, GitHub's X-GitHub-Request-Id);
// a flag change names the event the flag service recorded for it, read back
// from its event log; a change no service answers for (a setting) carries the
// console's own correlation id, marked "console:". The records go through the
// profile's real AuditLog (hash chain) and are read back from its file.
// No sandbox processes: 0 s of sandbox time.

#include "fakes/memoryflagservice.h"

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "net/httpclient.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "records/auditverifier.h"
#include "records/settingsaudit.h"
#include "release/clientpromotionservices.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "release/promotion.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/runjournal.h"
#include "services/flags/flageventlog.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

const QString kCandidate = u"dpl_rc"_s;
const QString kBotToken = u"gh-release-bot-token"_s;
const QString kLogin = u"oncall-lead"_s;
const QString kFlag = u"ui.new-calendar"_s;

// The real header names' shapes, as the fakes fill them (tests/fakes/http/httpserver.cpp).
const QString kVercelId = u"^sbx1::sbx1::sandbox-\\d+-\\d+$"_s;
const QString kGitHubId = u"^5A5B:0000:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$"_s;
const QString kConsoleId = u"^console:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"_s;

// The promotion-review scenario, with a candidate whose every check passed and oncall-lead a required reviewer.
json scenario()
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tests/fakes/scenarios/promotion-review.json"_s);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read the promotion-review scenario");
    json s = json::parse(f.readAll().toStdString());
    for (json &d : s["vercel"]["deployments"]) {
        for (json &c : d["checks"]) {
            c.erase("status");
            c.erase("conclusion");
        }
    }
    return s;
}

QString text(const json &j)
{
    return QString::fromStdString(j.dump());
}

} // namespace

class TestAuditRecords : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{17};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer, m_unleashServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::VercelClient> m_vc;
    std::unique_ptr<Services::GitHubClient> m_gh;
    std::unique_ptr<Records::AuditLog> m_audit;
    qint64 m_flagEventAt = 0;

    QString logPath() const { return m_dir->filePath(u"audit.jsonl"_s); }

    QList<Records::AuditRecord> records() const
    {
        QString error;
        const QList<Records::AuditRecord> all = Records::AuditExport::readAll(logPath(), &error);
        return error.isEmpty() ? all : QList<Records::AuditRecord>();
    }

    // The last record of `action` in the log, read back from the file.
    std::optional<Records::AuditRecord> last(const QString &action) const
    {
        const QList<Records::AuditRecord> all = records();
        for (auto it = all.crbegin(); it != all.crend(); ++it) {
            if (it->action == action)
                return *it;
        }
        return std::nullopt;
    }

    // A flag turned on through the one path the console changes flags by; confirmed by read-back, its event id
    // read from the flag service's event log (an in-process Unleash event search).
    void toggleFlag()
    {
        RaizeTest::MemoryFlagService flags;
        Services::FlagState f;
        f.key = kFlag;
        f.environment = u"production"_s;
        f.enabled = false;
        Services::FlagStrategy s;
        s.id = u"s1"_s;
        f.strategies = {s};
        flags.flags = {f};
        Release::FlagPoller poller(flags, u"production"_s, 60000);
        Services::FlagEventLog events(*m_http, u"unleash"_s, QUrl(m_unleashServer->baseUrl()), u"default"_s);
        Release::FlagChangeRunner runner;
        runner.setService(&flags, &poller, m_audit.get());
        runner.setEventLog(&events);
        Release::ToggleChange change;
        change.flag = kFlag;
        change.environment = u"production"_s;
        change.enabledBefore = false;
        change.enabledAfter = true;
        change.summary = u"ui.new-calendar on in production"_s;
        QSignalSpy finished(&runner, &Release::FlagChangeRunner::finished);
        m_flagEventAt = QDateTime::currentMSecsSinceEpoch();
        const Status started = runner.start(change, kLogin, u"matrix"_s);
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.first().at(1).toString(), u"flag.toggle.confirmed"_s);
    }

    // Review, approve (GitHub's environment review with oncall-lead's token) and promote (Vercel) dpl_rc.
    void promote()
    {
        Net::HttpClient http(m_monitor.get());
        http.setToken(Service::Vercel, u"vercel-token"_s);
        http.setToken(Service::GitHub, m_github->tokenOf(kLogin));
        http.setRetryPolicy({1, 10, 10, 0});
        http.setGitHubMutationSpacing(0);
        Services::VercelClient vercel(http, QUrl(m_vercelServer->baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
        Services::GitHubClient github(http, QUrl(m_githubServer->baseUrl()), u"raize"_s, u"platform"_s);
        RaizeTest::MemoryFlagService flags;
        Release::FactsCollector::Sources sources;
        sources.vercel = &vercel;
        sources.github = &github;
        sources.flags = &flags;
        sources.githubHtml = m_githubServer->baseUrl() + u"/raize/platform"_s;
        const Release::GatePolicy policy = Release::GatePolicy::builtin();
        Release::ClientPromotionServices services(policy, sources);
        Release::EffectiveRules rules;
        services.setEffective(nullptr, rules, nullptr, 20);
        Release::Promotion session(policy);
        Release::Promotion::Dependencies deps;
        deps.services = &services;
        deps.audit = m_audit.get();
        deps.records = [this] { return records(); };
        session.setDependencies(deps);

        QSignalSpy reviewed(&session, &Release::Promotion::reviewed);
        session.review(kCandidate);
        QVERIFY(reviewed.wait(15000));
        QVERIFY2(reviewed.first().at(0).toBool(), qPrintable(reviewed.first().at(1).toString()));
        QSignalSpy approved(&session, &Release::Promotion::approved);
        session.approve({}, {}, session.digest());
        QVERIFY(!approved.isEmpty() || approved.wait(15000));
        QVERIFY2(approved.first().at(0).toBool(), qPrintable(approved.first().at(1).toString()));
        QVERIFY2(session.decision().allowed, qPrintable(session.decision().reasons.join(u"; "_s)));
        QSignalSpy promoted(&session, &Release::Promotion::promoted);
        session.promote({}, session.digest());
        QVERIFY(!promoted.isEmpty() || promoted.wait(30000));
        QVERIFY2(promoted.first().at(0).toBool(), qPrintable(promoted.first().at(1).toString()));
    }

    // One step of a rollback plan: the Instant Rollback of production (dpl_prod) to dpl_prev.
    void rollBack()
    {
        Rollback::Plan plan;
        plan.priority = Rollback::Priority::P1;
        plan.option = Rollback::Plan::Option::B_InstantRollback;
        plan.rollbackTarget = u"dpl_prev"_s;
        Rollback::Step step;
        step.kind = Rollback::Step::Kind::InstantRollback;
        step.title = u"Instant Rollback to dpl_prev"_s;
        step.target = u"dpl_prev"_s;
        step.intent = Rollback::InstantRollbackIntent{u"prj_raize_web"_s, u"dpl_prev"_s, u"audit records test"_s};
        plan.steps = {step};
        plan.digest = u"0123456789abcdef"_s;
        const Result<Rollback::RunJournal> journal =
            Rollback::RunJournal::create(m_dir->filePath(u"runs"_s), {{"trigger", "manual"}, {"actor", kLogin.toStdString()}});
        QVERIFY(journal);
        Rollback::Clients clients;
        clients.vercel = m_vc.get();
        clients.audit = m_audit.get();
        clients.actor = kLogin;
        Rollback::Executor executor(journal.value(), plan, clients, {});
        QSignalSpy finished(&executor, &Rollback::Executor::finished);
        executor.start();
        QVERIFY(finished.wait(15000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(executor.lastError().toString()));
    }

    void changeSetting()
    {
        Settings settings(u"audit-records"_s);
        settings.reset(SettingKey::VercelProjectId);
        const Result<Records::SettingsAudit::Outcome> done = Records::SettingsAudit::apply(
            settings, {{SettingKey::VercelProjectId, u"prj_raize_web"_s}}, kLogin, u"point the profile at web"_s, m_audit.get());
        QVERIFY2(done, qPrintable(done ? QString() : done.error().toString()));
        QCOMPARE(done->changed.size(), 1);
    }

private Q_SLOTS:
    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_unleashServer = std::make_unique<Sandbox::HttpServer>(u"unleash"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), u"vercel-token"_s);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), kBotToken);
        const json s = scenario();
        m_vercel->load(s["vercel"]);
        m_github->load(s["github"]);
        // Unleash's event search: the event it recorded for the toggle (whoever asks after it was sent).
        m_unleashServer->route("GET", u"/api/admin/search/events"_s, [this](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) {
            const QString at = QDateTime::fromMSecsSinceEpoch(m_flagEventAt, Qt::UTC).toString(Qt::ISODateWithMs);
            return Sandbox::HttpResponse::json(200, {{"total", 1},
                                                     {"events", json::array({{{"id", 4711},
                                                                              {"type", "feature-environment-enabled"},
                                                                              {"createdBy", "raize-console"},
                                                                              {"createdAt", at.toStdString()},
                                                                              {"featureName", kFlag.toStdString()},
                                                                              {"environment", "production"},
                                                                              {"project", "default"}}})}});
        });
        QVERIFY(m_vercelServer->listen(0) && m_githubServer->listen(0) && m_unleashServer->listen(0));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::Vercel, u"vercel-token"_s);
        m_http->setToken(Service::GitHub, m_github->tokenOf(kLogin));
        m_http->setToken(Service::Flags, u"unleash-admin-token"_s);
        m_http->setRetryPolicy({1, 10, 10, 0});
        m_http->setGitHubMutationSpacing(0);
        m_vc = std::make_unique<Services::VercelClient>(*m_http, QUrl(m_vercelServer->baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
        m_gh = std::make_unique<Services::GitHubClient>(*m_http, QUrl(m_githubServer->baseUrl()), u"raize"_s, u"platform"_s);
        m_audit = std::make_unique<Records::AuditLog>(logPath());
    }
    void cleanup()
    {
        m_audit.reset();
        m_gh.reset();
        m_vc.reset();
        m_http.reset();
        m_github.reset();
        m_vercel.reset();
        m_unleashServer.reset();
        m_githubServer.reset();
        m_vercelServer.reset();
        m_dir.reset();
    }

    // Acceptance of issue #17 item 6: each kind of action's record carries actor, request id, before and after.
    void everyActionsRecordIsComplete_data()
    {
        QTest::addColumn<QString>("act"); // which action to take
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("requestId"); // a pattern
        QTest::addColumn<QString>("before");    // what the record's before holds (a fragment of its JSON)
        QTest::addColumn<QString>("after");     // and its after
        QTest::newRow("flag toggle") << u"toggle"_s << u"flag.toggle.confirmed"_s << u"^memory-event:4711$"_s
                                     << u"\"enabled\":false"_s << u"\"eventId\":\"4711\""_s;
        QTest::newRow("promotion: GitHub approval") << u"promote"_s << u"promotion.approve"_s << kGitHubId
                                                    << u"\"pending\":\"production\""_s << u"\"state\":\"approved\""_s;
        QTest::newRow("promotion: Vercel promote") << u"promote"_s << u"promotion.promote"_s << kVercelId
                                                   << u"\"production\":\"dpl_prod\""_s << u"\"deployment\":\"dpl_rc\""_s;
        QTest::newRow("promotion: effective") << u"promote"_s << u"promotion.promote.effective"_s << kVercelId
                                              << u"\"production\":\"dpl_prod\""_s << u"\"effectiveAt\""_s;
        QTest::newRow("rollback step") << u"rollback"_s << u"vercel.instant-rollback"_s << kVercelId
                                       << u"\"production\":\"dpl_prod\""_s << u"\"target\":\"dpl_prev\""_s;
        QTest::newRow("settings change") << u"setting"_s << u"settings.change"_s << kConsoleId << u"\"vercel/projectId\""_s
                                         << u"\"vercel/projectId\":\"prj_raize_web\""_s;
    }

    void everyActionsRecordIsComplete()
    {
        QFETCH(QString, act);
        QFETCH(QString, action);
        QFETCH(QString, requestId);
        QFETCH(QString, before);
        QFETCH(QString, after);
        if (act == u"toggle"_s)
            toggleFlag();
        else if (act == u"promote"_s)
            promote();
        else if (act == u"rollback"_s)
            rollBack();
        else
            changeSetting();
        if (QTest::currentTestFailed())
            return;
        const std::optional<Records::AuditRecord> r = last(action);
        QVERIFY2(r, qPrintable(u"no %1 record in %2"_s.arg(action, QString::fromUtf8([&] {
                                   QFile f(logPath());
                                   return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
                               }()))));
        QCOMPARE(r->actor, kLogin); // the token's login, never $USER, never "unknown"
        QVERIFY2(QRegularExpression(requestId).match(r->requestId).hasMatch(), qPrintable(r->requestId + u" !~ "_s + requestId));
        QVERIFY2(!r->before.is_null() && text(r->before).contains(before), qPrintable(text(r->before)));
        QVERIFY2(!r->after.is_null() && text(r->after).contains(after), qPrintable(text(r->after)));
        QVERIFY(Records::AuditVerifier::verify(logPath()).intact());
    }
};

QTEST_GUILESS_MAIN(TestAuditRecords)
#include "tst_audit_records.moc"
