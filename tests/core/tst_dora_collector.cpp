// DORA's records collected from the services (issue #19, part 3): in-process
// Vercel and GitHub fakes on loopback and a run journal in a temporary
// folder. The main line, oldest first:
//   aaaa… base of production D0
//   bbbb… first commit of pull request #7 (11-01 02:00)
//   cccc… its head (05:00)
//   dddd… "Merge pull request #7" (06:00), parents aaaa… (main) and cccc… (the head) → production D1
//   eeee… a direct push (07:00) → production D2
// A preview and a failed production deployment are not production deployments.
// Incident #301 (labelled "incident") names D1; issue #302 is only a bug.
// One rollback journal: from D1 (newest before it) back to D0, effective at
// its production confirmation, incident #301.

#include "release/dora.h"
#include "release/doracollector.h"

#include "rollback/rollbackplan.h"
#include "rollback/runjournal.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include "core/servicemonitor.h"
#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "net/httpclient.h"
#include "vercel/vercelfake.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString kVercelToken = u"vercel_test_token_0123456789"_s;
const QString kGitHubToken = u"ghp_testtokentesttokentesttoken"_s;

std::string sha(char c)
{
    return std::string(40, c);
}

json githubScenario()
{
    return {{"commits",
             json::array({{{"sha", sha('a')}, {"message", "release base"}, {"date", "2026-11-01T00:00:00Z"}},
                          {{"sha", sha('b')}, {"message", "feat: first commit of #7"}, {"date", "2026-11-01T02:00:00Z"}},
                          {{"sha", sha('c')}, {"message", "feat: second commit of #7"}, {"date", "2026-11-01T05:00:00Z"}},
                          {{"sha", sha('d')}, {"message", "Merge pull request #7"}, {"date", "2026-11-01T06:00:00Z"},
                           {"parents", json::array({sha('a'), sha('c')})}},
                          {{"sha", sha('e')}, {"message", "hotfix: direct push"}, {"date", "2026-11-01T07:00:00Z"}}})},
            {"pulls",
             json::array({{{"number", 7}, {"title", "Scheduler v2"}, {"state", "closed"}, {"headSha", sha('c')},
                           {"mergeCommitSha", sha('d')}, {"mergedAt", "2026-11-01T06:00:00Z"}},
                          {{"number", 8}, {"title", "Abandoned"}, {"state", "closed"}, {"merged", false}}})},
            {"issues",
             json::array({{{"number", 301}, {"title", "P1 rollback of dpl_d1"}, {"labels", json::array({"incident", "P1"})},
                           {"createdAt", "2026-11-01T06:30:00Z"}, {"closedAt", "2026-11-01T08:00:00Z"},
                           {"body", "Production dpl_d1 failed its verification; see the rollback run."}},
                          {{"number", 302}, {"title", "Typo"}, {"labels", json::array({"bug"})}, {"createdAt", "2026-11-01T06:40:00Z"}}})}};
}

json vercelScenario()
{
    return {{"project", {{"id", "prj_raize_web"}, {"name", "raize-web"}}},
            {"production", "dpl_d2"},
            {"deployments",
             json::array({{{"uid", "dpl_d0"}, {"target", "production"}, {"sha", sha('a')}, {"minutesAgo", 300}},
                          {{"uid", "dpl_d1"}, {"target", "production"}, {"sha", sha('d')}, {"minutesAgo", 200}, {"pr", 7}},
                          {{"uid", "dpl_pv"}, {"target", ""}, {"sha", sha('c')}, {"minutesAgo", 190}},
                          {{"uid", "dpl_bad"}, {"target", "production"}, {"state", "ERROR"}, {"sha", sha('e')}, {"minutesAgo", 120}},
                          {{"uid", "dpl_d2"}, {"target", "production"}, {"sha", sha('e')}, {"minutesAgo", 100}}})}};
}

} // namespace

class TestDoraCollector : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults;
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::VercelClient> m_vercelClient;
    std::unique_ptr<Services::GitHubClient> m_githubClient;
    QTemporaryDir m_journals;

    Result<DoraCollector::Collected> collect(bool withGitHub = true)
    {
        DoraCollector::Sources s;
        s.vercel = m_vercelClient.get();
        s.github = withGitHub ? m_githubClient.get() : nullptr;
        s.journalDirectory = m_journals.path();
        s.service = u"web"_s;
        DoraCollector collector(s);
        std::optional<Result<DoraCollector::Collected>> got;
        collector.collect(QDateTime::currentDateTimeUtc().addDays(-1), QDateTime::currentDateTimeUtc().addSecs(60),
                          [&got](const Result<DoraCollector::Collected> &r) { got = r; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 30000); }();
        if (!got)
            return Error::make(Error::Kind::Timeout, u"test"_s, u"no answer"_s);
        return *got;
    }

    void writeJournal(const QDateTime &requested, const QDateTime &effective)
    {
        Rollback::Plan plan;
        plan.priority = Rollback::Priority::P1;
        plan.option = Rollback::Plan::Option::B_InstantRollback;
        plan.rollbackTarget = u"dpl_d0"_s;
        Rollback::Step rollback;
        rollback.kind = Rollback::Step::Kind::InstantRollback;
        rollback.title = u"Instant Rollback to dpl_d0"_s;
        rollback.intent = Rollback::InstantRollbackIntent{u"prj_raize_web"_s, u"dpl_d0"_s, u"P1: publish failures"_s};
        Rollback::Step confirm;
        confirm.kind = Rollback::Step::Kind::ConfirmProduction;
        confirm.title = u"Production serves dpl_d0"_s;
        confirm.intent = Rollback::ProductionServesIntent{u"prj_raize_web"_s, u"dpl_d0"_s};
        plan.steps = {rollback, confirm};
        plan.digest = plan.computeDigest();
        json begin = {{"kind", "rollback"}, {"plan", plan.toJson()}, {"digest", plan.digest.toStdString()},
                      {"at", requested.toString(Qt::ISODateWithMs).toStdString()}};
        auto journal = Rollback::RunJournal::create(m_journals.path(), begin);
        QVERIFY2(journal.ok(), qPrintable(journal.error().toString()));
        QVERIFY(journal.value().append({{"event", "done"}, {"step", 0}, {"at", requested.addSecs(20).toString(Qt::ISODateWithMs).toStdString()}}));
        QVERIFY(journal.value().append({{"event", "done"}, {"step", 1}, {"at", effective.toString(Qt::ISODateWithMs).toStdString()}}));
        QVERIFY(journal.value().append({{"event", "incident"}, {"number", 301}, {"url", "https://github.com/raize/platform/issues/301"}}));
        QVERIFY(journal.value().append({{"event", "complete"}}));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_journals.isValid());
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), kVercelToken);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), kGitHubToken);
        QVERIFY(m_vercelServer->listen(0));
        QVERIFY(m_githubServer->listen(0));
        m_vercel->load(vercelScenario());
        m_github->load(githubScenario());
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::Vercel, kVercelToken);
        m_http->setToken(Service::GitHub, kGitHubToken);
        m_http->setRetryPolicy({1, 50, 200, 10000});
        m_vercelClient = std::make_unique<Services::VercelClient>(*m_http, QUrl(m_vercelServer->baseUrl()), u"prj_raize_web"_s);
        m_githubClient = std::make_unique<Services::GitHubClient>(*m_http, QUrl(m_githubServer->baseUrl()), u"raize"_s, u"platform"_s);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        writeJournal(now.addSecs(-150 * 60), now.addSecs(-148 * 60));
    }

    void init()
    {
        m_faults.clear();
        m_log.clear();
    }

    void recordsFromTheServices()
    {
        const auto got = collect();
        QVERIFY2(got.ok(), qPrintable(got.error().toString()));
        const Dora::Records &r = got.value().records;
        QVERIFY2(got.value().warnings.isEmpty(), qPrintable(got.value().warnings.join(u"\n"_s)));

        // Production deployments only, oldest first: no preview, no failed build.
        QStringList ids;
        for (const Dora::Deployment &d : r.deployments)
            ids << d.id;
        QCOMPARE(ids, (QStringList{u"dpl_d0"_s, u"dpl_d1"_s, u"dpl_d2"_s}));
        // D1 shipped pull request #7 (its merge commit is in D0...D1); D2 is a direct push.
        QCOMPARE(r.deployments.at(1).pullRequests, QList<int>{7});
        QVERIFY(r.deployments.at(2).pullRequests.isEmpty());
        QCOMPARE(r.deployments.at(2).commitAt, QDateTime(QDate(2026, 11, 1), QTime(7, 0), Qt::UTC));
        QCOMPARE(r.deployments.at(1).service, u"web"_s);

        // #7's first commit is bbbb… (02:00), read between the main line before its merge and its head.
        QCOMPARE(r.pullRequests.size(), 1);
        QCOMPARE(r.pullRequests.at(0).number, 7);
        QCOMPARE(r.pullRequests.at(0).firstCommitAt, QDateTime(QDate(2026, 11, 1), QTime(2, 0), Qt::UTC));
        QCOMPARE(r.pullRequests.at(0).mergedAt, QDateTime(QDate(2026, 11, 1), QTime(6, 0), Qt::UTC));

        // Only the issue labelled "incident"; it links the deployment its text names.
        QCOMPARE(r.incidents.size(), 1);
        QCOMPARE(r.incidents.at(0).id, u"#301"_s);
        QCOMPARE(r.incidents.at(0).deployments, QStringList{u"dpl_d1"_s});
        QCOMPARE(r.incidents.at(0).closedAt, QDateTime(QDate(2026, 11, 1), QTime(8, 0), Qt::UTC));

        // The journal's rollback: from D1 (production when it was requested) to D0, effective at step 1.
        QCOMPARE(r.rollbacks.size(), 1);
        QCOMPARE(r.rollbacks.at(0).fromDeployment, u"dpl_d1"_s);
        QCOMPARE(r.rollbacks.at(0).toDeployment, u"dpl_d0"_s);
        QCOMPARE(r.rollbacks.at(0).incident, u"#301"_s);
        QCOMPARE(r.rollbacks.at(0).requestedAt.secsTo(r.rollbacks.at(0).effectiveAt), 120);

        // And the metrics of those records: D1 failed (rolled back 50 min after it served).
        Dora::Options o;
        o.from = QDateTime::currentDateTimeUtc().addDays(-1);
        o.to = QDateTime::currentDateTimeUtc().addSecs(60);
        const Dora::Report rep = Dora::compute(r, o);
        QCOMPARE(rep.deployments, 3);
        QCOMPARE(rep.failedDeployments, 1);
        QVERIFY(rep.failed.first().startsWith(u"dpl_d1: rolled back by "_s));
    }

    // A comparison GitHub cannot answer leaves #7 out, says so, and loses nothing else.
    void unreadableCommitsAreAWarning()
    {
        QString err;
        const auto rule = Sandbox::FaultRule::fromJson({{"service", "github"}, {"path", "/compare/"}, {"mode", "error"}, {"status", 502}}, &err);
        QVERIFY2(rule, qPrintable(err));
        m_faults.add(*rule);
        const auto got = collect();
        QVERIFY2(got.ok(), qPrintable(got.error().toString()));
        QVERIFY(got.value().records.pullRequests.isEmpty());
        QCOMPARE(got.value().records.deployments.size(), 3);
        QCOMPARE(got.value().records.incidents.size(), 1);
        QVERIFY2(got.value().warnings.join(u"\n"_s).contains(u"could not be read"_s), qPrintable(got.value().warnings.join(u"\n"_s)));
    }

    // Vercel is the one source DORA cannot do without.
    void vercelDownFails()
    {
        QString err;
        const auto rule = Sandbox::FaultRule::fromJson({{"service", "vercel"}, {"mode", "error"}, {"status", 503}}, &err);
        QVERIFY2(rule, qPrintable(err));
        m_faults.add(*rule);
        const auto got = collect();
        QVERIFY(!got.ok());
        QCOMPARE(got.error().service, u"vercel"_s);
    }

    // Without GitHub: deployments and rollbacks, and a warning that says what is unknown.
    void withoutGitHub()
    {
        const auto got = collect(false);
        QVERIFY2(got.ok(), qPrintable(got.error().toString()));
        QCOMPARE(got.value().records.deployments.size(), 3);
        QCOMPARE(got.value().records.rollbacks.size(), 1);
        QVERIFY(got.value().records.incidents.isEmpty());
        QVERIFY(got.value().warnings.join(u"\n"_s).contains(u"no GitHub connection"_s));
    }

    // attributeProduction: an earlier rollback moved production back; the next one rolls away from its target.
    void productionAfterAnEarlierRollback()
    {
        const QDateTime t0(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);
        QList<Dora::Deployment> deps = {{u"d1"_s, {}, {}, t0, {}, {}}, {u"d2"_s, {}, {}, t0.addSecs(3600), {}, {}}};
        QList<Dora::Rollback> rbs = {{u"r1"_s, {}, u"d1"_s, t0.addSecs(4000), t0.addSecs(4100), {}},
                                     {u"r2"_s, {}, u"d0"_s, t0.addSecs(5000), t0.addSecs(5100), {}}};
        DoraCollector::attributeProduction(rbs, deps);
        QCOMPARE(rbs.at(0).fromDeployment, u"d2"_s);
        QCOMPARE(rbs.at(1).fromDeployment, u"d1"_s);
    }
};

QTEST_GUILESS_MAIN(TestDoraCollector)
#include "tst_dora_collector.moc"
