// Contract test (issue #5): the sandbox's Vercel and GitHub fakes, as the
// typed clients call them, checked against the official OpenAPI descriptions.
//
// Prism's validating proxy (`prism proxy --errors`) sits between the clients
// and the fakes, so a request or a response that breaks the description
// becomes a 500 the client reports. Prism silently skips the schemas its AJV
// cannot compile (ENDPOINTS.md, "Prism blind spots"); those bodies go through
// tests/contract/validate_bodies.cjs instead. Both checks are shown to fail
// on a deliberately broken response.

#include "prism.h"
#include "waitfor.h"

#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "services/github/githubclient.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryFile>
#include <QRegularExpression>
#include <QTest>

#include <tuple>

using namespace Qt::StringLiterals;
using namespace Raize;
using RaizeTest::wait;
using RaizeTest::waitStatus;
using namespace Raize::Services;
using json = nlohmann::json;

namespace {

const QString kSource = QStringLiteral(RAIZE_SOURCE_DIR);
const QString kSpecs = kSource + u"/tests/contract/specs"_s;
const QString kVercelToken = u"vercel-contract-token-1234"_s;
const QString kGitHubToken = u"ghp_contracttokencontracttoken12"_s;

// The spec's path templates as regular expressions, to name the operation of a logged call.
QList<QPair<QRegularExpression, QString>> operations(const QString &specFile)
{
    QFile f(specFile);
    f.open(QIODevice::ReadOnly);
    const json spec = Json::parse(f.readAll());
    QList<QPair<QRegularExpression, QString>> out;
    for (const auto &[path, item] : spec["paths"].items()) {
        for (const auto &[method, op] : item.items()) {
            if (!op.is_object() || !op.contains("responses"))
                continue;
            QString re = QRegularExpression::escape(QString::fromStdString(path));
            re.replace(QRegularExpression(u"\\\\\\{[^}]+\\\\\\}"_s), u"[^/]+"_s);
            out.append({QRegularExpression(u"^%1 %2$"_s.arg(QString::fromStdString(method).toUpper(), re)),
                        QString::fromStdString(op.value("operationId", path))});
        }
    }
    return out;
}

} // namespace

class TestContract : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{7};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_githubServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    RaizeTest::Prism m_vercelProxy, m_githubProxy;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<VercelClient> m_vc;
    std::unique_ptr<GitHubClient> m_gh;
    json m_vercelCases = json::array(), m_githubCases = json::array();

    void fault(const json &rule)
    {
        QString err;
        const auto r = Sandbox::FaultRule::fromJson(rule, &err);
        QVERIFY2(r, qPrintable(err));
        m_faults.add(*r);
    }

    // A raw call through the proxy, for bodies Prism cannot check itself.
    Net::Response raw(Service service, const QByteArray &method, const QString &path, const json &body = nullptr)
    {
        Net::Request r;
        r.service = service;
        r.method = method;
        const QUrl base = service == Service::Vercel ? m_vercelProxy.url() : m_githubProxy.url();
        r.url = QUrl(base.toString() + path);
        if (!body.is_null())
            r.body = Json::dump(body);
        return m_http->sendSync(r);
    }

    // Runs validate_bodies.cjs; returns its exit code and output.
    static QPair<int, QString> validateBodies(const QString &spec, const json &cases)
    {
        return RaizeTest::validateBodies(spec, Json::dump(cases));
    }

    static json bodyOf(const Net::Response &r) { return Json::parse(r.body); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(RaizeTest::Prism::installed(),
                 "Prism is not installed in .cache/node/prism: run tools/dev.sh setup (tools/sandbox/install-deps.sh)");
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_githubServer = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), kVercelToken);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_githubServer.get(), kGitHubToken);
        QFile scenarioFile(kSource + u"/tests/fakes/scenarios/bad-l3-release.json"_s);
        QVERIFY(scenarioFile.open(QIODevice::ReadOnly));
        const json scenario = Json::parse(scenarioFile.readAll());
        m_vercel->load(scenario.value("vercel", json::object()));
        m_github->load(scenario.value("github", json::object()));
        QVERIFY(m_vercelServer->listen(0));
        QVERIFY(m_githubServer->listen(0));

        QString err;
        QVERIFY2(m_vercelProxy.startProxy(kSpecs + u"/vercel.trimmed.json"_s, m_vercelServer->baseUrl(), true, &err), qPrintable(err));
        QVERIFY2(m_githubProxy.startProxy(kSpecs + u"/github.trimmed.json"_s, m_githubServer->baseUrl(), true, &err), qPrintable(err));

        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::Vercel, kVercelToken);
        m_http->setToken(Service::GitHub, kGitHubToken);
        m_http->setRetryPolicy({1, 50, 400, 120000}); // a violation must surface, not be retried away
        m_http->setGitHubMutationSpacing(0);
        m_http->setDefaultTimeout(20000);
        m_vc = std::make_unique<VercelClient>(*m_http, m_vercelProxy.url(), u"prj_raize_web"_s, u"team_raize"_s);
        m_gh = std::make_unique<GitHubClient>(*m_http, m_githubProxy.url(), u"raize"_s, u"platform"_s);
    }

    void cleanupTestCase()
    {
        const qint64 pids[] = {m_vercelProxy.pid(), m_githubProxy.pid()};
        m_vercelProxy.stop();
        m_githubProxy.stop();
        for (const qint64 pid : pids)
            QVERIFY2(pid == 0 || !QFile::exists(u"/proc/%1"_s.arg(pid)), "a prism proxy outlived the test");
    }

    void vercelCallsMatchTheDescription()
    {
        const auto project = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY2(project.ok(), qPrintable(project.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QVERIFY(project->production.has_value());
        const QString current = project->production->id;

        const auto prod = wait<QList<VercelDeployment>>([&](auto cb) { m_vc->deployments(u"production"_s, 20, cb); });
        QVERIFY2(prod.ok(), qPrintable(prod.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        const auto staged = wait<QList<VercelDeployment>>([&](auto cb) { m_vc->deployments(u"staging"_s, 5, cb); });
        QVERIFY2(staged.ok(), qPrintable(staged.error().toString()));
        QVERIFY(!staged->isEmpty());
        const auto all = wait<QList<VercelDeployment>>([&](auto cb) { m_vc->deployments(QString(), 50, cb); });
        QVERIFY2(all.ok(), qPrintable(all.error().toString()));

        const auto one = wait<VercelDeployment>([&](auto cb) { m_vc->deployment(current, cb); });
        QVERIFY2(one.ok(), qPrintable(one.error().toString() + u'\n' + m_vercelProxy.drainLog()));

        const auto checks = wait<QList<VercelCheck>>([&](auto cb) { m_vc->checks(current, cb); });
        QVERIFY2(checks.ok(), qPrintable(checks.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        const auto created = wait<VercelCheck>([&](auto cb) { m_vc->createCheck(current, u"console: SLO burn"_s, true, cb); });
        QVERIFY2(created.ok(), qPrintable(created.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        const auto running = wait<VercelCheck>([&](auto cb) { m_vc->updateCheck(current, created->id, u"running"_s, QString(), cb); });
        QVERIFY2(running.ok(), qPrintable(running.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        const auto done = wait<VercelCheck>([&](auto cb) { m_vc->updateCheck(current, created->id, u"completed"_s, u"failed"_s, cb); });
        QVERIFY2(done.ok(), qPrintable(done.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QCOMPARE(done->conclusion, u"failed"_s);

        // The manual Preview → Staging promote (assignAlias): the staging domain to another READY deployment, read back.
        QString preview;
        for (const VercelDeployment &d : all.value()) {
            if (d.state == u"READY"_s && d.id != current && d.id != staged->first().id && d.target != u"production"_s) {
                preview = d.id;
                break;
            }
        }
        if (preview.isEmpty())
            preview = staged->first().id;
        const auto assigned = wait<VercelAliasAssignment>([&](auto cb) { m_vc->assignAlias(preview, u"staging.raize.app"_s, cb); });
        QVERIFY2(assigned.ok(), qPrintable(assigned.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QVERIFY2(assigned->receipt.requestId.contains(u"::"_s), qPrintable(assigned->receipt.requestId)); // x-vercel-id through Prism
        const auto pointing = wait<bool>([&](auto cb) { m_vc->aliasPointsAt(preview, u"staging.raize.app"_s, cb); });
        QVERIFY2(pointing.ok() && *pointing, qPrintable(pointing.ok() ? QString() : pointing.error().toString()));

        // Rollback to the previous production deployment, then promote the staged one.
        QString target;
        for (const VercelDeployment &d : prod.value()) {
            if (d.id != current && d.state == u"READY"_s) {
                target = d.id;
                break;
            }
        }
        QVERIFY(!target.isEmpty());
        const Status rolled = waitStatus([&](auto cb) { m_vc->instantRollback(target, u"contract test"_s, cb); });
        QVERIFY2(rolled.ok(), qPrintable(rolled.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        const auto pinned = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY2(pinned.ok(), qPrintable(pinned.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QVERIFY(pinned->pinned);
        const Status promoted = waitStatus([&](auto cb) { m_vc->promote(staged->first().id, cb); });
        QVERIFY2(promoted.ok(), qPrintable(promoted.error().toString() + u'\n' + m_vercelProxy.drainLog()));

        // An error answer is in the description too (404 with Vercel's error body).
        const auto missing = wait<VercelDeployment>([&](auto cb) { m_vc->deployment(u"dpl_does_not_exist"_s, cb); });
        QCOMPARE(missing.error().httpStatus, 404);

        // Bodies Prism cannot check: record them for validate_bodies.cjs.
        const auto record = [&](const QString &name, const QString &specPath, const QString &path) {
            const Net::Response r = raw(Service::Vercel, "GET", path);
            QCOMPARE(r.status, 200);
            m_vercelCases.push_back({{"name", name.toStdString()}, {"method", "GET"}, {"path", specPath.toStdString()},
                                     {"status", 200}, {"body", bodyOf(r)}});
        };
        record(u"getDeployments"_s, u"/v6/deployments"_s, u"/v6/deployments?projectId=prj_raize_web&limit=50&teamId=team_raize"_s);
        record(u"getDeployment"_s, u"/v13/deployments/{idOrUrl}"_s, u"/v13/deployments/%1?teamId=team_raize"_s.arg(current));
        record(u"getProject (pinned)"_s, u"/v9/projects/{idOrName}"_s, u"/v9/projects/prj_raize_web?teamId=team_raize"_s);
    }

    // Rolling Releases (issue #20): every call in the description goes through Prism; `start` is not in the
    // pinned description, so it goes to the fake directly and its request and answer are checked against the
    // fake's own schemas (tests/fakes/vercel/rolling-release-start.*.schema.json, modelled on Vercel's CLI).
    void rollingReleaseCallsMatchTheDescription()
    {
        Services::RollingReleaseClient rr(*m_http, m_vercelProxy.url(), u"prj_raize_web"_s, u"team_raize"_s);
        const auto billing = wait<RollingReleaseBilling>([&](auto cb) { rr.billing(cb); });
        QVERIFY2(billing.ok(), qPrintable(billing.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QVERIFY(billing->allowed);
        const auto none = wait<RollingReleaseConfig>([&](auto cb) { rr.config(cb); });
        QVERIFY2(none.ok(), qPrintable(none.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        // The config PATCH's body is not in the pinned description (Prism refuses any body there: 415), so it
        // goes to the fake directly; its answer is a blind spot (below).
        Services::RollingReleaseClient direct(*m_http, QUrl(m_vercelServer->baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
        RollingReleaseConfig config;
        config.stages = {{5, true, std::nullopt}, {50, true, std::nullopt}, {100, false, std::nullopt}};
        const auto set = wait<RollingReleaseConfig>([&](auto cb) { direct.setConfig(config, cb); });
        QVERIFY2(set.ok(), qPrintable(set.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        const auto empty = wait<std::optional<RollingRelease>>([&](auto cb) { rr.rollingRelease(cb); });
        QVERIFY2(empty.ok(), qPrintable(empty.error().toString() + u'\n' + m_vercelProxy.drainLog()));

        const auto project = wait<VercelProject>([&](auto cb) { m_vc->project(cb); });
        QVERIFY(project.ok() && project->production);
        const auto prod = wait<QList<VercelDeployment>>([&](auto cb) { m_vc->deployments(u"production"_s, 20, cb); });
        QVERIFY(prod.ok());
        QString canary;
        for (const VercelDeployment &d : prod.value()) {
            if (d.id != project->production->id && d.state == u"READY"_s && canary.isEmpty())
                canary = d.id;
        }
        QVERIFY(!canary.isEmpty());
        // start: straight to the fake, then both bodies against the fake's own schemas.
        const json startBody = {{"canaryDeploymentId", canary.toStdString()}};
        Net::Request start;
        start.service = Service::Vercel;
        start.method = "POST";
        start.url = QUrl(m_vercelServer->baseUrl() + u"/v1/projects/prj_raize_web/rolling-release/start?teamId=team_raize"_s);
        start.body = Json::dump(startBody);
        const Net::Response started = m_http->sendSync(start);
        QVERIFY2(started.ok(), qPrintable(started.error.toString()));
        const auto schemaCheck = [](const QString &schema, const json &cases) {
            QTemporaryFile f;
            if (!f.open())
                return qMakePair(-1, u"cannot write the cases"_s);
            f.write(QByteArray::fromStdString(cases.dump()));
            f.flush();
            QProcess node;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"NODE_PATH"_s, RaizeTest::prismModules());
            node.setProcessEnvironment(env);
            node.setProcessChannelMode(QProcess::MergedChannels);
            node.start(u"node"_s, {kSource + u"/tests/contract/validate_schema.cjs"_s, kSource + u"/tests/fakes/vercel/"_s + schema, f.fileName()});
            node.waitForFinished(60000);
            return qMakePair(node.exitCode(), QString::fromUtf8(node.readAll()));
        };
        const auto [reqCode, reqOut] = schemaCheck(u"rolling-release-start.request.schema.json"_s, json::array({{{"name", "start request"}, {"body", startBody}}}));
        QVERIFY2(reqCode == 0, qPrintable(reqOut));
        json startAnswer = bodyOf(started);
        const auto [respCode, respOut] = schemaCheck(u"rolling-release-start.response.schema.json"_s,
                                                     json::array({{{"name", "start answer"}, {"body", startAnswer}}}));
        QVERIFY2(respCode == 0, qPrintable(respOut));
        // The schema catches a broken answer.
        startAnswer["rollingRelease"].erase("activeStage");
        const auto [badCode, badOut] = schemaCheck(u"rolling-release-start.response.schema.json"_s,
                                                   json::array({{{"name", "start answer without activeStage"}, {"body", startAnswer}}}));
        QVERIFY2(badCode == 1 && badOut.contains(u"activeStage"_s), qPrintable(badOut));

        const auto active = wait<std::optional<RollingRelease>>([&](auto cb) { rr.rollingRelease(cb); });
        QVERIFY2(active.ok() && active->has_value(), qPrintable(active.ok() ? u"none"_s : active.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QCOMPARE((*active)->canaryPercent(), 5.0);
        const auto next = wait<RollingRelease>([&](auto cb) { rr.approveStage(canary, 1, cb); });
        QVERIFY2(next.ok(), qPrintable(next.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QCOMPARE(next->canaryPercent(), 50.0);
        const auto done = wait<RollingRelease>([&](auto cb) { rr.complete(canary, cb); });
        QVERIFY2(done.ok(), qPrintable(done.error().toString() + u'\n' + m_vercelProxy.drainLog()));
        QCOMPARE(done->state, RollingRelease::State::Complete);

        // Blind spots (ENDPOINTS.md): Prism does not validate the config PATCH and DELETE answers, and the PATCH
        // answer's description cannot be met (a oneOf of two shapes that every body fits, docs/contracts.md); the
        // fake answers the shape the CLI reads, {rollingRelease: {stages} | null}, checked here by hand.
        QCOMPARE(set->stages.size(), 3);
        const Net::Response deleted = raw(Service::Vercel, "DELETE", u"/v1/projects/prj_raize_web/rolling-release/config?teamId=team_raize"_s);
        QCOMPARE(deleted.status, 200);
        QVERIFY(bodyOf(deleted)["rollingRelease"].is_null());
    }

    void githubCallsMatchTheDescription()
    {
        const auto limit = wait<GitHubRateLimit>([&](auto cb) { m_gh->rateLimit(cb); });
        QVERIFY2(limit.ok(), qPrintable(limit.error().toString() + u'\n' + m_githubProxy.drainLog()));
        const auto draft = wait<GitHubRelease>([&](auto cb) { m_gh->createRelease(u"v1.4.0"_s, u"v1.4.0"_s, u"notes"_s, true, cb); });
        QVERIFY2(draft.ok(), qPrintable(draft.error().toString() + u'\n' + m_githubProxy.drainLog()));
        const auto published = wait<GitHubRelease>([&](auto cb) { m_gh->createRelease(u"v1.3.0"_s, u"v1.3.0"_s, u"notes"_s, false, cb); });
        QVERIFY2(published.ok(), qPrintable(published.error().toString() + u'\n' + m_githubProxy.drainLog()));
        const auto list = wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); });
        QVERIFY2(list.ok(), qPrintable(list.error().toString() + u'\n' + m_githubProxy.drainLog()));
        QVERIFY(list->size() >= 2);
        const auto again = wait<QList<GitHubRelease>>([&](auto cb) { m_gh->releases(cb); }); // 304 through the proxy
        QVERIFY2(again.ok(), qPrintable(again.error().toString() + u'\n' + m_githubProxy.drainLog()));
        const auto notes = wait<QString>([&](auto cb) { m_gh->generateNotes(u"v1.4.0"_s, u"v1.3.0"_s, cb); });
        QVERIFY2(notes.ok(), qPrintable(notes.error().toString() + u'\n' + m_githubProxy.drainLog()));

        const Net::Response latest = raw(Service::GitHub, "GET", u"/repos/raize/platform/releases/latest"_s);
        QVERIFY2(latest.ok(), qPrintable(latest.error.toString() + u'\n' + m_githubProxy.drainLog()));

        // issues/create: Prism validates neither its request nor its response.
        const json issue = {{"title", "P1: publish failures on dpl_cand"}, {"body", "Opened by the contract test"}, {"labels", {"incident"}}};
        const Net::Response created = raw(Service::GitHub, "POST", u"/repos/raize/platform/issues"_s, issue);
        QCOMPARE(created.status, 201);
        m_githubCases.push_back({{"name", "issues/create request"}, {"method", "POST"}, {"path", "/repos/{owner}/{repo}/issues"},
                                 {"request", true}, {"body", issue}});
        m_githubCases.push_back({{"name", "issues/create response"}, {"method", "POST"}, {"path", "/repos/{owner}/{repo}/issues"},
                                 {"status", 201}, {"body", bodyOf(created)}});
    }

    // The promotion-review and rollback calls (issues #7, #9) through the proxy.
    void githubGateCallsMatchTheDescription()
    {
        const auto check = [&](bool ok, const Error &e) {
            if (!ok)
                qWarning("%s\n%s", qPrintable(e.toString()), qPrintable(m_githubProxy.drainLog()));
            return ok;
        };
        const auto cmp = wait<GitHubComparison>([&](auto cb) { m_gh->compare(u"v1.4.0"_s, u"main"_s, cb); });
        QVERIFY(check(cmp.ok(), cmp.ok() ? Error() : cmp.error()));
        const auto prs = wait<GitHubPullRequests>([&](auto cb) { m_gh->pullRequests(u"all"_s, cb); });
        QVERIFY(check(prs.ok(), prs.ok() ? Error() : prs.error()));
        QVERIFY(!prs->items.isEmpty());
        const auto pr = wait<GitHubPullRequest>([&](auto cb) { m_gh->pullRequest(prs->items.first().number, cb); });
        QVERIFY(check(pr.ok(), pr.ok() ? Error() : pr.error()));
        const auto runs = wait<QList<GitHubCheckRun>>([&](auto cb) { m_gh->checkRuns(u"main"_s, cb); });
        QVERIFY(check(runs.ok(), runs.ok() ? Error() : runs.error()));
        const auto status = wait<GitHubCombinedStatus>([&](auto cb) { m_gh->combinedStatus(u"main"_s, cb); });
        QVERIFY(check(status.ok(), status.ok() ? Error() : status.error()));
        const auto required = wait<GitHubRequiredChecks>([&](auto cb) { m_gh->requiredChecks(u"main"_s, cb); });
        QVERIFY(check(required.ok(), required.ok() ? Error() : required.error()));
        const auto envs = wait<QList<GitHubEnvironment>>([&](auto cb) { m_gh->environments(cb); });
        QVERIFY(check(envs.ok(), envs.ok() ? Error() : envs.error()));
        const auto workflow = wait<QList<GitHubWorkflowRun>>([&](auto cb) { m_gh->workflowRuns(QString(), cb); });
        QVERIFY(check(workflow.ok(), workflow.ok() ? Error() : workflow.error()));
        QVERIFY(!workflow->isEmpty());
        const auto pending = wait<QList<GitHubPendingDeployment>>([&](auto cb) { m_gh->pendingDeployments(workflow->first().id, cb); });
        QVERIFY(check(pending.ok(), pending.ok() ? Error() : pending.error()));
        if (!pending->isEmpty()) {
            const auto review = wait<GitHubReview>([&](auto cb) {
                m_gh->reviewPendingDeployment(workflow->first().id, {pending->first().environmentId}, true, u"contract test"_s, cb);
            });
            QVERIFY(check(review.ok(), review.ok() ? Error() : review.error()));
        }
        // The reviewer's identity, permission and the run's approvals (issue #17): who the token is, what they may do, who approved.
        const auto me = wait<GitHubUser>([&](auto cb) { m_gh->currentUser(cb); });
        QVERIFY(check(me.ok(), me.ok() ? Error() : me.error()));
        QCOMPARE(me->login, u"release-bot"_s);
        const auto permission = wait<GitHubPermission>([&](auto cb) { m_gh->collaboratorPermission(me->login, cb); });
        QVERIFY(check(permission.ok(), permission.ok() ? Error() : permission.error()));
        QCOMPARE(permission->role(), u"admin"_s);
        const auto stranger = wait<GitHubPermission>([&](auto cb) { m_gh->collaboratorPermission(u"someone-else"_s, cb); });
        QVERIFY(check(stranger.ok(), stranger.ok() ? Error() : stranger.error())); // 404: no collaborator, an answer
        QVERIFY(!stranger->collaborator && !stranger->maySubmit());
        const auto approvals = wait<QList<GitHubRunApproval>>([&](auto cb) { m_gh->runApprovals(workflow->first().id, cb); });
        QVERIFY(check(approvals.ok(), approvals.ok() ? Error() : approvals.error()));
        QCOMPARE(approvals->size(), pending->isEmpty() ? 0 : 1);
        for (const auto &[name, path, template_] : {std::tuple{"users/get-authenticated", u"/user"_s, "/user"},
                                                    std::tuple{"actions/get-reviews-for-run", u"/repos/raize/platform/actions/runs/%1/approvals"_s.arg(workflow->first().id),
                                                               "/repos/{owner}/{repo}/actions/runs/{run_id}/approvals"}}) {
            const Net::Response r = this->raw(Service::GitHub, "GET", path);
            QCOMPARE(r.status, 200);
            m_githubCases.push_back({{"name", name}, {"method", "GET"}, {"path", template_}, {"status", 200}, {"body", bodyOf(r)}});
        }
        const auto created = wait<GitHubDeployment>([&](auto cb) { m_gh->createDeployment(u"main"_s, u"staging"_s, u"contract test"_s, cb); });
        QVERIFY(check(created.ok(), created.ok() ? Error() : created.error()));
        const auto st = wait<GitHubDeploymentStatus>([&](auto cb) {
            m_gh->createDeploymentStatus(created->id, u"success"_s, u"contract test"_s, u"https://vercel.com/raize"_s, cb);
        });
        QVERIFY(check(st.ok(), st.ok() ? Error() : st.error()));
        const auto statuses = wait<QList<GitHubDeploymentStatus>>([&](auto cb) { m_gh->deploymentStatuses(created->id, cb); });
        QVERIFY(check(statuses.ok(), statuses.ok() ? Error() : statuses.error()));
        const auto deps = wait<QList<GitHubDeployment>>([&](auto cb) { m_gh->deployments(u"staging"_s, QString(), cb); });
        QVERIFY(check(deps.ok(), deps.ok() ? Error() : deps.error()));
        const auto issue = wait<GitHubIssue>([&](auto cb) { m_gh->createIssue(u"P1 incident"_s, u"contract test"_s, {u"incident"_s}, cb); });
        QVERIFY(check(issue.ok(), issue.ok() ? Error() : issue.error()));
        // compare: Prism does not validate its answer; our validator does.
        const Net::Response raw = this->raw(Service::GitHub, "GET", u"/repos/raize/platform/compare/v1.4.0...main"_s);
        QCOMPARE(raw.status, 200);
        m_githubCases.push_back({{"name", "repos/compare-commits"}, {"method", "GET"}, {"path", "/repos/{owner}/{repo}/compare/{basehead}"},
                                 {"status", 200}, {"body", bodyOf(raw)}});
    }

    // The checks themselves can fail: a request Prism rejects, and a broken body of each kind.
    void brokenRequestIsRejected()
    {
        const Net::Response bad = raw(Service::GitHub, "POST", u"/repos/raize/platform/releases"_s, json{{"tag_name", 7}});
        QCOMPARE(bad.status, 422);
        QVERIFY2(bad.body.contains("tag_name"), bad.body.constData());
    }

    void brokenResponseIsCaughtByPrism()
    {
        fault({{"mode", "schema_break"}, {"field", "tag_name"}, {"path", "/releases/latest"}, {"count", 1}, {"service", "github"}});
        const Net::Response broken = raw(Service::GitHub, "GET", u"/repos/raize/platform/releases/latest"_s);
        QCOMPARE(broken.status, 500);
        QVERIFY2(broken.body.contains("tag_name"), broken.body.constData());

        fault({{"mode", "schema_break"}, {"field", "integrationId"}, {"path", "/checks"}, {"count", 1}, {"service", "vercel"}});
        const auto checks = wait<QList<VercelCheck>>([&](auto cb) { m_vc->checks(u"dpl_cand"_s, cb); });
        QVERIFY(!checks.ok());
        QCOMPARE(checks.error().httpStatus, 500);
    }

    void blindSpotBodiesMatchTheDescription()
    {
        QVERIFY(m_vercelCases.size() >= 3);
        QVERIFY(m_githubCases.size() >= 2);
        const auto [vCode, vOut] = validateBodies(kSpecs + u"/vercel.trimmed.json"_s, m_vercelCases);
        QVERIFY2(vCode == 0, qPrintable(vOut));
        QCOMPARE(vOut.count(u"ok "_s), int(m_vercelCases.size()));
        const auto [gCode, gOut] = validateBodies(kSpecs + u"/github.trimmed.json"_s, m_githubCases);
        QVERIFY2(gCode == 0, qPrintable(gOut));
        QCOMPARE(gOut.count(u"ok "_s), int(m_githubCases.size()));
    }

    void brokenBlindSpotBodyIsCaught()
    {
        json broken = m_vercelCases.at(1); // getDeployment
        broken["name"] = "getDeployment without readyState";
        broken["body"].erase("readyState");
        const auto [code, out] = validateBodies(kSpecs + u"/vercel.trimmed.json"_s, json::array({broken}));
        QCOMPARE(code, 1);
        QVERIFY2(out.contains(u"readyState"_s), qPrintable(out));

        json badIssue = m_githubCases.at(0);
        badIssue["body"].erase("title");
        const auto [code2, out2] = validateBodies(kSpecs + u"/github.trimmed.json"_s, json::array({badIssue}));
        QCOMPARE(code2, 1);
        QVERIFY2(out2.contains(u"title"_s), qPrintable(out2));
    }

    // Every call the clients made is a documented operation (so the checks above covered it).
    void everyCallIsADocumentedOperation()
    {
        const auto vercelOps = operations(kSpecs + u"/vercel.trimmed.json"_s);
        const auto githubOps = operations(kSpecs + u"/github.trimmed.json"_s);
        QSet<QString> seen;
        for (const auto &e : m_log.entries()) {
            const auto &ops = e.service == u"vercel"_s ? vercelOps : githubOps;
            const QString call = e.method + u' ' + e.path;
            // Not in the pinned description: checked against the fake's own schemas (rollingReleaseCallsMatchTheDescription).
            if (call.endsWith(u"/rolling-release/start"_s) && e.service == u"vercel"_s)
                continue;
            QString op;
            for (const auto &[re, id] : ops) {
                if (re.match(call).hasMatch()) {
                    op = id;
                    break;
                }
            }
            QVERIFY2(!op.isEmpty(), qPrintable(u"%1 (%2) is not in the description"_s.arg(call, e.service)));
            seen.insert(op);
        }
        const QStringList expected = {u"getProject"_s, u"getDeployments"_s, u"getDeployment"_s, u"getAllChecks"_s, u"createCheck"_s,
                                      u"updateCheck"_s, u"requestRollback"_s, u"requestPromote"_s, u"assignAlias"_s,
                                      u"listDeploymentAliases"_s, u"rate-limit/get"_s,
                                      u"repos/create-release"_s, u"repos/list-releases"_s, u"repos/generate-release-notes"_s,
                                      u"repos/get-latest-release"_s, u"issues/create"_s, u"repos/compare-commits"_s, u"pulls/list"_s,
                                      u"pulls/get"_s, u"checks/list-for-ref"_s, u"repos/get-combined-status-for-ref"_s,
                                      u"repos/get-branch-protection"_s, u"repos/get-all-environments"_s,
                                      u"actions/list-workflow-runs-for-repo"_s, u"actions/get-pending-deployments-for-run"_s,
                                      u"actions/review-pending-deployments-for-run"_s, u"repos/list-deployments"_s,
                                      u"repos/create-deployment"_s, u"repos/list-deployment-statuses"_s,
                                      u"repos/create-deployment-status"_s, u"getRollingRelease"_s, u"getRollingReleaseConfig"_s,
                                      u"updateRollingReleaseConfig"_s, u"deleteRollingReleaseConfig"_s, u"getRollingReleaseBillingStatus"_s,
                                      u"approveRollingReleaseStage"_s, u"completeRollingRelease"_s};
        for (const QString &op : expected)
            QVERIFY2(seen.contains(op), qPrintable(u"not exercised: "_s + op));
        qInfo("%lld documented operations exercised through Prism", qint64(seen.size()));
    }
};

QTEST_GUILESS_MAIN(TestContract)
#include "tst_contract.moc"
