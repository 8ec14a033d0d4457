// Effective, not just accepted (issue #20 item 6, ADR 0027): the verdict on
// one round of reads (pure, a table), the policy's `effective` rules, the
// probe's answer, and the confirmer end to end against the in-process Vercel
// fake and platform simulator (no sandbox processes), with the HTTP faults
// of the sandbox: alias delay and mismatch, probe errors, timeouts, 4xx/429
// and half-written answers, each with a message that says what to do.

#include "core/clock.h"
#include "core/redactor.h"
#include "net/httpclient.h"
#include "policy/policybundle.h"
#include "release/effectiveconfirmer.h"
#include "release/effectiveness.h"
#include "release/servingprobe.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "platform/platformsim.h"
#include "vercel/vercelfake.h"

#include "waitfor.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

Services::VercelProject project(const QString &production, std::optional<Services::VercelAliasJob> job, std::optional<bool> autoAssign = true)
{
    Services::VercelProject p;
    p.id = u"prj_raize_web"_s;
    p.name = u"raize-web"_s;
    if (!production.isEmpty()) {
        Services::VercelDeployment d;
        d.id = production;
        p.production = d;
    }
    p.lastAliasRequest = job;
    p.autoAssignCustomDomains = autoAssign;
    return p;
}

Services::VercelAliasJob job(const QString &to, const QString &status, const QString &type = u"promote"_s)
{
    return {u"dpl_old"_s, to, status, type, Q_INT64_C(1700000000000)};
}

QList<Services::VercelAlias> aliases(const QStringList &names)
{
    QList<Services::VercelAlias> out;
    for (const QString &n : names)
        out.append({u"als_"_s + n.left(3), n});
    return out;
}

ServingSample on(const QString &id)
{
    ServingSample s;
    s.deploymentId = id;
    s.httpStatus = 200;
    return s;
}

ServingSample failed(int status, Error::Kind kind, const QString &message)
{
    ServingSample s;
    s.httpStatus = status;
    s.error = Error::make(kind, u"vercel-bypass"_s, message, u"see the remedy"_s);
    s.error.httpStatus = status;
    return s;
}

QList<ServingSample> samples(int onNew, int onOld, const QList<ServingSample> &extra = {})
{
    QList<ServingSample> out;
    for (int i = 0; i < onNew; ++i)
        out << on(u"dpl_new"_s);
    for (int i = 0; i < onOld; ++i)
        out << on(u"dpl_old"_s);
    return out + extra;
}

EffectiveFacts facts(ChangeKind kind, std::optional<Result<Services::VercelProject>> p, std::optional<Result<QList<Services::VercelAlias>>> a,
                     std::optional<Result<QList<ServingSample>>> probe)
{
    EffectiveFacts f;
    f.kind = kind;
    f.expected = u"dpl_new"_s;
    f.productionDomain = u"app.raize.example"_s;
    f.project = std::move(p);
    f.aliases = std::move(a);
    f.probe = std::move(probe);
    return f;
}

// The project's rolling release of dpl_canary (current: dpl_new, the abort's target) in `state`, at stage 1 of 4 (5 %).
Services::RollingRelease rolling(Services::RollingRelease::State state)
{
    Services::RollingRelease rr;
    rr.state = state;
    rr.currentDeployment = u"dpl_new"_s;
    rr.canaryDeployment = u"dpl_canary"_s;
    for (int i = 0; i < 4; ++i)
        rr.stages.append({i, QList<double>{5, 25, 50, 100}.at(i), i < 3, i == 3, std::nullopt});
    rr.activeStage = rr.stages.first();
    rr.updatedAtMs = Q_INT64_C(1700000000000);
    return rr;
}

EffectiveFacts abortFacts(std::optional<Result<std::optional<Services::RollingRelease>>> rr)
{
    EffectiveFacts f;
    f.kind = ChangeKind::Abort;
    f.expected = u"dpl_new"_s;
    f.productionDomain = u"app.raize.example"_s;
    Services::VercelProject p;
    p.id = u"prj_raize_web"_s;
    Services::VercelDeployment d;
    d.id = u"dpl_new"_s;
    p.production = d;
    p.lastAliasRequest = Services::VercelAliasJob{u"dpl_new"_s, u"dpl_new"_s, u"succeeded"_s, u"rollback"_s, Q_INT64_C(1700000000000)};
    p.autoAssignCustomDomains = false;
    f.project = p;
    f.aliases = aliases({u"app.raize.example"_s});
    QList<ServingSample> five;
    for (int i = 0; i < 5; ++i) {
        ServingSample s;
        s.deploymentId = u"dpl_new"_s;
        s.httpStatus = 200;
        five << s;
    }
    f.probe = five;
    f.rollingRelease = std::move(rr);
    return f;
}

QString stateOf(EffectiveVerdict::State s)
{
    return stateName(s);
}

const QString kSecret = u"bypass-secret-7f3a9c21e8"_s;

} // namespace

Q_DECLARE_METATYPE(Raize::Release::EffectiveFacts)

class TestEffective : public QObject
{
    Q_OBJECT

    // The in-process Vercel fake and platform simulator, as the sandbox runs them.
    Sandbox::FaultInjector m_faults{7};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_vercelServer, m_platformServer;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<Sandbox::PlatformSim> m_sim;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::VercelClient> m_client;
    std::unique_ptr<HttpServingProbe> m_probe;

    void addFault(const json &rule)
    {
        QString err;
        const auto r = Sandbox::FaultRule::fromJson(rule, &err);
        QVERIFY2(r, qPrintable(err));
        m_faults.add(*r);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_vercelServer = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_platformServer = std::make_unique<Sandbox::HttpServer>(u"platform"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_vercelServer.get(), u"vercel-token-abcdef"_s);
        m_sim = std::make_unique<Sandbox::PlatformSim>(m_platformServer.get(), m_vercel.get(), json::object());
        QVERIFY(m_vercelServer->listen(0));
        QVERIFY(m_platformServer->listen(0));
        m_http = std::make_unique<Net::HttpClient>();
        m_http->setToken(Service::Vercel, u"vercel-token-abcdef"_s);
        m_http->setRetryPolicy({1, 10, 10, 0}); // one attempt: a fault row is seen as it is
        m_client = std::make_unique<Services::VercelClient>(*m_http, QUrl(m_vercelServer->baseUrl()), u"prj_raize_web"_s);
        m_probe = std::make_unique<HttpServingProbe>(*m_http, QUrl(m_platformServer->baseUrl() + u"/__deployment"_s), u"app.raize.example"_s);
        m_probe->setTimeoutMs(300);
    }

    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_vercel->load({{"project", {{"id", "prj_raize_web"}, {"name", "raize-web"}}},
                        {"production", "dpl_old"},
                        {"deployments",
                         {{{"uid", "dpl_old"}, {"target", "production"}, {"state", "READY"}, {"minutesAgo", 120}},
                          {{"uid", "dpl_new"}, {"target", "staging"}, {"state", "READY"}, {"minutesAgo", 10}}}}});
        m_sim->setServingPicker({});
        m_sim->setProtectionBypass({});
        m_http->setToken(Service::VercelBypass, {});
    }

    // ---- the verdict on one round (pure) ----

    void judgeTable_data()
    {
        QTest::addColumn<EffectiveFacts>("facts");
        QTest::addColumn<double>("minShare");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QStringList>("says"); // each in the summary, the evidence or the warnings

        const auto ok = aliases({u"app.raize.example"_s, u"raize-web.vercel.app"_s});
        using K = ChangeKind;
        QTest::newRow("everything names the new deployment")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), ok, samples(5, 0)) << 1.0 << u"effective"_s
            << QStringList{u"effective: 5 of 5 samples on dpl_new"_s, u"app.raize.example → dpl_new"_s, u"alias job (promote dpl_old → dpl_new): succeeded"_s};
        QTest::newRow("accepted, alias job in progress, domain still on the old one")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"in-progress"_s)), aliases({}), samples(0, 5)) << 1.0 << u"pending"_s
            << QStringList{u"accepted, not yet effective"_s, u"the alias job is in-progress"_s, u"app.raize.example does not point at dpl_new (its aliases: none)"_s,
                           u"probe: 0 of 5 samples on dpl_new; 5 on dpl_old"_s};
        QTest::newRow("production target not moved")
            << facts(K::Rollback, project(u"dpl_old"_s, std::nullopt, false), ok, samples(5, 0)) << 1.0 << u"pending"_s
            << QStringList{u"the production target is dpl_old, not dpl_new"_s, u"lastAliasRequest is null"_s};
        QTest::newRow("alias job failed: cannot become effective")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"failed"_s)), aliases({}), samples(0, 5)) << 1.0 << u"failed"_s
            << QStringList{u"Vercel's alias job failed: the domains were not moved"_s};
        QTest::newRow("alias job of another change")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_other"_s, u"succeeded"_s)), ok, samples(5, 0)) << 1.0 << u"pending"_s
            << QStringList{u"the last alias job moves the domains to dpl_other, not dpl_new"_s};
        QTest::newRow("alias mismatch: the domain points elsewhere")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), aliases({u"raize-web-git-main.vercel.app"_s}), samples(5, 0))
            << 1.0 << u"pending"_s << QStringList{u"app.raize.example does not point at dpl_new (its aliases: raize-web-git-main.vercel.app)"_s};
        QTest::newRow("split: 3 of 5 below the policy")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), ok, samples(3, 2)) << 1.0 << u"pending"_s
            << QStringList{u"3 of 5 probe samples on dpl_new (5 needed)"_s, u"3 of 5 samples on dpl_new; 2 on dpl_old (the policy needs 5)"_s};
        QTest::newRow("split: 4 of 5 meets a threshold of 0.8")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), ok, samples(4, 1)) << 0.8 << u"effective"_s
            << QStringList{u"effective: 4 of 5 samples on dpl_new"_s, u"(the policy needs 4)"_s};
        QTest::newRow("probe refused by Deployment Protection")
            << facts(K::Rollback, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s, u"rollback"_s), false), ok,
                     samples(0, 0, {failed(401, Error::Kind::Auth, u"the production domain refused the probe (Deployment Protection: is the bypass secret set?)"_s)}))
            << 1.0 << u"failed"_s << QStringList{u"1 failed: HTTP 401 — the production domain refused the probe"_s};
        QTest::newRow("probe rate-limited (429)")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), ok,
                     samples(2, 0, {failed(429, Error::Kind::RateLimited, u"the production domain rate-limited the probe"_s), failed(429, Error::Kind::RateLimited, u"the production domain rate-limited the probe"_s)}))
            << 1.0 << u"pending"_s << QStringList{u"2 of 4 samples on dpl_new; 2 failed: HTTP 429 — the production domain rate-limited the probe"_s};
        QTest::newRow("probe cannot run at all")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), ok,
                     Result<QList<ServingSample>>(Error::make(Error::Kind::Config, u"vercel-bypass"_s, u"the production probe URL is not set or not a URL"_s)))
            << 1.0 << u"pending"_s << QStringList{u"the production domain could not be probed"_s, u"probe: vercel-bypass: the production probe URL is not set"_s};
        QTest::newRow("project rate-limited (429)")
            << facts(K::Promote, Result<Services::VercelProject>(Error::make(Error::Kind::RateLimited, u"vercel"_s, u"Rate limit exceeded"_s)), ok,
                     samples(5, 0))
            << 1.0 << u"pending"_s << QStringList{u"the project could not be read"_s, u"project: vercel: Rate limit exceeded"_s};
        QTest::newRow("aliases unreadable (404)")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)),
                     Result<QList<Services::VercelAlias>>(Error::make(Error::Kind::Http, u"vercel"_s, u"The deployment was not found"_s)), samples(5, 0))
            << 1.0 << u"pending"_s << QStringList{u"aliases of dpl_new: vercel: The deployment was not found"_s};
        QTest::newRow("rollback with autoAssignCustomDomains on is not done")
            << facts(K::Rollback, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s, u"rollback"_s), true), ok, samples(5, 0)) << 1.0
            << u"pending"_s << QStringList{u"autoAssignCustomDomains is on: the next production deployment would take the domains back from dpl_new"_s};
        // An abort: production, the alias, the probe as a rollback, and Vercel's rolling release ABORTED.
        using RS = Services::RollingRelease::State;
        using RR = Result<std::optional<Services::RollingRelease>>;
        QTest::newRow("abort: rolling release ABORTED")
            << abortFacts(RR(std::optional(rolling(RS::Aborted)))) << 1.0 << u"effective"_s
            << QStringList{u"autoAssignCustomDomains: off"_s, u"rolling release of dpl_canary: ABORTED, updated at 2023-11-14T22:13:20.000Z (all traffic to dpl_new)"_s};
        QTest::newRow("abort: rolling release still ACTIVE")
            << abortFacts(RR(std::optional(rolling(RS::Active)))) << 1.0 << u"pending"_s
            << QStringList{u"the rolling release of dpl_canary is still ACTIVE at 5 %"_s,
                           u"rolling release of dpl_canary: still ACTIVE at 5 % (stage 1 of 4)"_s};
        QTest::newRow("abort: rolling release COMPLETE cannot become effective")
            << abortFacts(RR(std::optional(rolling(RS::Complete)))) << 1.0 << u"failed"_s
            << QStringList{u"COMPLETE, updated at 2023-11-14T22:13:20.000Z — the canary serves all production traffic; the abort did not end it"_s};
        QTest::newRow("abort: Vercel reports no rolling release")
            << abortFacts(RR(std::optional<Services::RollingRelease>())) << 1.0 << u"pending"_s
            << QStringList{u"Vercel reports no rolling release, so nothing says the split ended (ABORTED expected)"_s};
        QTest::newRow("abort: rolling release not read")
            << abortFacts(std::nullopt) << 1.0 << u"pending"_s << QStringList{u"the rolling release was not read"_s};
        QTest::newRow("abort: rolling release 429")
            << abortFacts(RR(Error::make(Error::Kind::RateLimited, u"vercel"_s, u"Rate limit exceeded"_s))) << 1.0 << u"pending"_s
            << QStringList{u"the rolling release could not be read"_s, u"rolling release: vercel: Rate limit exceeded"_s};
        QTest::newRow("abort: nothing to read the rolling release with")
            << abortFacts(RR(Error::make(Error::Kind::Config, u"console"_s, u"no rolling-release client"_s))) << 1.0 << u"failed"_s
            << QStringList{u"rolling release: console: no rolling-release client"_s};
        QTest::newRow("a rollback ignores rolling releases")
            << facts(K::Rollback, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s, u"rollback"_s), false), ok, samples(5, 0)) << 1.0
            << u"effective"_s << QStringList{u"autoAssignCustomDomains: off"_s};
        QTest::newRow("not probed: said so")
            << facts(K::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s)), ok, std::nullopt) << 1.0 << u"effective"_s
            << QStringList{u"effective by Vercel's answers (not probed): dpl_new"_s, u"no production probe URL is set (vercel/productionProbeUrl)"_s};
        // A service-scoped rollback of another project (the runner): no production domain, maybe no alias at all.
        EffectiveFacts runner = facts(K::Rollback, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s, u"rollback"_s), false), aliases({}), std::nullopt);
        runner.productionDomain.clear();
        QTest::newRow("another project without a domain") << runner << 1.0 << u"effective"_s << QStringList{u"aliases of dpl_new: none"_s};
        EffectiveFacts runnerMoving = runner;
        runnerMoving.project = project(u"dpl_old"_s, job(u"dpl_new"_s, u"in-progress"_s, u"rollback"_s), false);
        QTest::newRow("another project, target not moved yet") << runnerMoving << 1.0 << u"pending"_s
                                                               << QStringList{u"the production target is dpl_old, not dpl_new"_s, u"the alias job is in-progress"_s};
    }
    void judgeTable()
    {
        QFETCH(EffectiveFacts, facts);
        QFETCH(double, minShare);
        QFETCH(QString, state);
        QFETCH(QStringList, says);
        EffectiveRules rules;
        rules.minShare = minShare;
        const EffectiveVerdict v = judgeEffective(facts, rules);
        const QString all = v.summary + u'\n' + v.evidence.join(u'\n') + u'\n' + v.warnings.join(u'\n');
        QCOMPARE(stateOf(v.state), state);
        for (const QString &s : std::as_const(says))
            QVERIFY2(all.contains(s), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(s, all)));
    }

    // A promote that turns autoAssignCustomDomains back on (vercel/vercel#15095) is effective, with a warning.
    void promoteTurningAutoAssignOnWarns()
    {
        EffectiveFacts f = facts(ChangeKind::Promote, project(u"dpl_new"_s, job(u"dpl_new"_s, u"succeeded"_s), true),
                                 aliases({u"app.raize.example"_s}), samples(5, 0));
        f.autoAssignBefore = false;
        const EffectiveVerdict v = judgeEffective(f, {});
        QCOMPARE(v.state, EffectiveVerdict::State::Effective);
        QCOMPARE(v.warnings.size(), 1);
        QVERIFY(v.warnings.first().contains(u"vercel/vercel#15095"_s));
        f.autoAssignBefore = true; // it was on: nothing changed, nothing to say
        QVERIFY(judgeEffective(f, {}).warnings.isEmpty());
    }

    // The failed step: what was accepted when, the deadline, and the evidence, with what to do.
    void notEffectiveNamesTheEvidence()
    {
        EffectiveReport r;
        r.kind = ChangeKind::Rollback;
        r.expected = u"dpl_new"_s;
        r.acceptedAtMs = Q_INT64_C(1700000000000);
        r.last = judgeEffective(facts(ChangeKind::Rollback, project(u"dpl_new"_s, job(u"dpl_new"_s, u"in-progress"_s, u"rollback"_s), false),
                                      aliases({}), samples(0, 5)),
                                {});
        EffectiveRules rules;
        rules.deadlineSeconds = 90;
        const Error e = notEffectiveError(r, rules);
        QVERIFY2(e.message.contains(u"the rollback to dpl_new was accepted at 2023-11-14T22:13:20.000Z but is not effective after 90 s"_s), qPrintable(e.message));
        QVERIFY2(e.message.contains(u"app.raize.example does not point at dpl_new"_s), qPrintable(e.message));
        QVERIFY2(e.message.contains(u"0 of 5 samples on dpl_new; 5 on dpl_old"_s), qPrintable(e.message));
        QVERIFY(e.remedy.contains(u"retry this step"_s));
        const json j = r.toJson();
        QVERIFY(j["effectiveAt"].is_null());
        QVERIFY(j["acceptedAt"] == "2023-11-14T22:13:20.000Z");
        QVERIFY(j["state"] == "pending");
    }

    // ---- the policy's `effective` section ----

    void rules_data()
    {
        QTest::addColumn<QString>("section"); // JSON of the section; empty: none
        QTest::addColumn<QString>("error");   // empty: valid
        QTest::addColumn<int>("deadline");
        QTest::addColumn<double>("minShare");
        QTest::newRow("absent: the defaults") << QString() << QString() << 120 << 1.0;
        QTest::newRow("all set") << u"{\"deadlineSeconds\":30,\"samples\":10,\"minShare\":0.9,\"pollSeconds\":1}"_s << QString() << 30 << 0.9;
        QTest::newRow("deadline too short") << u"{\"deadlineSeconds\":2}"_s << u"effective.deadlineSeconds: must be a whole number from 5 to 3600"_s << 0 << 0.0;
        QTest::newRow("share above 1") << u"{\"minShare\":1.5}"_s << u"effective.minShare: must be a number above 0 and at most 1"_s << 0 << 0.0;
        QTest::newRow("no samples") << u"{\"samples\":0}"_s << u"effective.samples: must be a whole number from 1 to 50"_s << 0 << 0.0;
        QTest::newRow("poll not shorter than the deadline") << u"{\"deadlineSeconds\":5,\"pollSeconds\":5}"_s
                                                            << u"effective.pollSeconds: must be shorter than deadlineSeconds (5)"_s << 0 << 0.0;
        QTest::newRow("unknown key") << u"{\"deadline\":5}"_s << u"effective.deadline: unknown key"_s << 0 << 0.0;
        QTest::newRow("not an object") << u"true"_s << u"effective: must be an object"_s << 0 << 0.0;
    }
    void rules()
    {
        QFETCH(QString, section);
        QFETCH(QString, error);
        QFETCH(int, deadline);
        QFETCH(double, minShare);
        Policy::Bundle b;
        b.doc = json::object();
        if (!section.isEmpty())
            b.doc["effective"] = json::parse(section.toStdString());
        const Result<EffectiveRules> r = effectiveRulesFromBundle(b);
        if (error.isEmpty()) {
            QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
            QCOMPARE(r->deadlineSeconds, deadline);
            QCOMPARE(r->minShare, minShare);
        } else {
            QVERIFY(!r);
            QVERIFY2(r.error().toString().contains(error), qPrintable(r.error().toString()));
        }
    }

    // ---- what the probe and Vercel answer ----

    void readAnswer_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("deployment");
        QTest::addColumn<QString>("error");
        QTest::newRow("header") << QByteArray("dpl_new") << QByteArray("<html>app</html>") << u"dpl_new"_s << QString();
        QTest::newRow("json body") << QByteArray() << QByteArray("{\"deploymentId\":\"dpl_new\"}") << u"dpl_new"_s << QString();
        QTest::newRow("half-written body") << QByteArray() << QByteArray("{\"deploymentId\":\"dpl_") << QString()
                                           << u"is not JSON and has no X-Raize-Deployment header: a cut-off answer"_s;
        QTest::newRow("names nothing") << QByteArray() << QByteArray("{\"ok\":true}") << QString() << u"names no deployment"_s;
        QTest::newRow("empty id") << QByteArray("  ") << QByteArray("{\"deploymentId\":\"\"}") << QString() << u"names no deployment"_s;
    }
    void readAnswer()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, body);
        QFETCH(QString, deployment);
        QFETCH(QString, error);
        const ServingSample s = HttpServingProbe::readAnswer(200, header, body);
        QCOMPARE(s.deploymentId, deployment);
        QCOMPARE(s.error.isError(), !error.isEmpty());
        if (!error.isEmpty()) {
            QVERIFY2(s.error.message.contains(error), qPrintable(s.error.message));
            QVERIFY(s.error.remedy.contains(u"vercel/productionProbeUrl"_s));
        }
    }

    void parseProjectAliasJob()
    {
        const auto p = Services::VercelClient::parseProject(
            "{\"id\":\"prj\",\"name\":\"web\",\"targets\":{\"production\":null},\"autoAssignCustomDomains\":false, \"lastAliasRequest\":{\"fromDeploymentId\":\"dpl_a\",\"toDeploymentId\":\"dpl_b\",\"jobStatus\":\"in-progress\",\"requestedAt\":1700000000000,\"type\":\"rollback\"}}");
        QVERIFY2(p, qPrintable(p ? QString() : p.error().toString()));
        QVERIFY(p->lastAliasRequest);
        QCOMPARE(p->lastAliasRequest->toDeploymentId, u"dpl_b"_s);
        QCOMPARE(p->lastAliasRequest->jobStatus, u"in-progress"_s);
        QCOMPARE(p->lastAliasRequest->requestedAt, Q_INT64_C(1700000000000));
        // A job without its status is a broken answer, named by its field.
        const auto broken = Services::VercelClient::parseProject(
            "{\"id\":\"prj\",\"name\":\"web\",\"lastAliasRequest\":{\"fromDeploymentId\":\"dpl_a\",\"toDeploymentId\":\"dpl_b\",\"requestedAt\":1}}");
        QVERIFY(!broken);
        QVERIFY2(broken.error().fieldPath.contains(u"jobStatus"_s), qPrintable(broken.error().toString()));
        // Half-written alias lists say so.
        const auto cut = Services::VercelClient::parseDeploymentAliases("{\"aliases\":[{\"uid\":\"a\",\"alias\":\"app.ra");
        QVERIFY(!cut);
        QCOMPARE(cut.error().kind, Error::Kind::Parse);
        const auto none = Services::VercelClient::parsePromoteAliases("{}"); // the description allows an empty object
        QVERIFY(none);
        QVERIFY(none->isEmpty());
    }

    // ---- the confirmer against the in-process fake and simulator ----

    void confirmer_data()
    {
        QTest::addColumn<QString>("change");      // promote or rollback, sent to the fake first
        QTest::addColumn<int>("aliasDelayMs");     // the fake moves the domains this much later
        QTest::addColumn<QString>("fault");        // a fault rule (JSON), empty: none
        QTest::addColumn<QString>("bypass");       // the domain's protection secret; the console's is kSecret when set
        QTest::addColumn<bool>("effective");
        QTest::addColumn<int>("minProgress");      // rounds reported as "accepted, not yet effective"
        QTest::addColumn<QString>("says");         // in the report's summary or evidence

        QTest::newRow("moved at once") << u"promote"_s << 0 << QString() << QString() << true << 0 << u"effective: 5 of 5 samples on dpl_new"_s;
        QTest::newRow("delayed alias move: accepted, then effective")
            << u"promote"_s << 400 << QString() << QString() << true << 1 << u"app.raize.example → dpl_new"_s;
        QTest::newRow("rollback delayed") << u"rollback"_s << 400 << QString() << QString() << true << 1 << u"alias job (rollback dpl_new → dpl_old): succeeded"_s;
        QTest::newRow("never moves within the deadline")
            << u"promote"_s << 600000 << QString() << QString() << false << 1 << u"app.raize.example does not point at dpl_new (its aliases: none)"_s;
        QTest::newRow("probe 429")
            << u"promote"_s << 0 << QString::fromUtf8("{\"service\":\"platform\",\"path\":\"/__deployment\",\"mode\":\"rate_limit\"}") << QString() << false << 1 << u"429"_s;
        QTest::newRow("probe 500")
            << u"promote"_s << 0 << QString::fromUtf8("{\"service\":\"platform\",\"path\":\"/__deployment\",\"mode\":\"error\",\"status\":500}") << QString() << false << 1
            << u"5 failed: HTTP 500 — the production domain answered with an error"_s;
        QTest::newRow("probe timeout")
            << u"promote"_s << 0 << QString::fromUtf8("{\"service\":\"platform\",\"path\":\"/__deployment\",\"mode\":\"latency\",\"latencyMs\":1500}") << QString() << false << 1
            << u"5 failed"_s;
        QTest::newRow("project half-written")
            << u"promote"_s << 0 << QString::fromUtf8("{\"service\":\"vercel\",\"method\":\"GET\",\"path\":\"/v9/projects/\",\"mode\":\"truncated_json\"}") << QString() << false << 1
            << u"project: vercel"_s;
        QTest::newRow("aliases 429")
            << u"promote"_s << 0 << QString::fromUtf8("{\"service\":\"vercel\",\"path\":\"/v2/deployments/.*/aliases\",\"mode\":\"rate_limit\"}") << QString() << false << 1
            << u"aliases of dpl_new: vercel"_s;
        QTest::newRow("protected domain without the secret")
            << u"promote"_s << 0 << QString() << u"-"_s << false << 0 << u"5 failed: HTTP 401 — the production domain refused the probe"_s;
        QTest::newRow("protected domain with the secret") << u"promote"_s << 0 << QString() << kSecret << true << 0 << u"5 of 5 samples on dpl_new"_s;
    }
    void confirmer()
    {
        QFETCH(QString, change);
        QFETCH(int, aliasDelayMs);
        QFETCH(QString, fault);
        QFETCH(QString, bypass);
        QFETCH(bool, effective);
        QFETCH(int, minProgress);
        QFETCH(QString, says);
        if (change == u"rollback"_s) { // roll back from a promoted dpl_new to dpl_old
            QVERIFY(RaizeTest::waitStatus([&](auto done) { m_client->promote(u"dpl_new"_s, done); }));
            m_log.clear();
        }
        m_vercel->setAliasDelay(aliasDelayMs);
        if (!bypass.isEmpty()) {
            m_sim->setProtectionBypass(bypass == u"-"_s ? kSecret : bypass);
            m_http->setToken(Service::VercelBypass, bypass == u"-"_s ? QString() : kSecret);
        }
        const QString expected = change == u"rollback"_s ? u"dpl_old"_s : u"dpl_new"_s;
        const Status accepted = RaizeTest::waitStatus([&](auto done) {
            if (change == u"rollback"_s)
                m_client->instantRollback(expected, u"effective test"_s, done);
            else
                m_client->promote(expected, done);
        });
        QVERIFY2(accepted, qPrintable(accepted ? QString() : accepted.error().toString()));
        if (!fault.isEmpty())
            addFault(json::parse(fault.toStdString()));

        ManualClock clock;
        EffectiveRules rules;
        rules.deadlineSeconds = 10;
        EffectiveConfirmer confirmer(m_client.get(), m_probe.get(), rules, &clock);
        confirmer.setPollIntervalMs(50);
        const qint64 acceptedAt = clock.nowMs();
        int progress = 0;
        QStringList progressSummaries;
        std::optional<EffectiveReport> report;
        confirmer.confirm(change == u"rollback"_s ? ChangeKind::Rollback : ChangeKind::Promote, expected, acceptedAt, true,
                          [&](const EffectiveVerdict &v) {
                              ++progress;
                              progressSummaries << v.summary;
                              // The deadline is the clock's: a row that never becomes effective ends after a few rounds.
                              clock.advanceMs(aliasDelayMs > 0 && aliasDelayMs < 10000 ? 100 : 4000);
                          },
                          [&](const EffectiveReport &r) { report = r; });
        QTRY_VERIFY_WITH_TIMEOUT(report.has_value(), 15000);
        const QString all = report->last.summary + u'\n' + report->last.evidence.join(u'\n');
        QCOMPARE(report->effective(), effective);
        QVERIFY2(progress >= minProgress, qPrintable(u"%1 progress round(s)"_s.arg(progress)));
        for (const QString &p : std::as_const(progressSummaries))
            QVERIFY2(p.startsWith(u"accepted, not yet effective: "_s) || p.startsWith(u"accepted, but"_s), qPrintable(p));
        QVERIFY2(all.contains(says), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(says, all)));
        QCOMPARE(report->acceptedAtMs, acceptedAt);
        if (effective) {
            QVERIFY(report->effectiveAtMs >= acceptedAt);
            QCOMPARE(report->effectiveAtMs, clock.nowMs());
        } else {
            const Error e = notEffectiveError(*report, rules);
            QVERIFY(!e.remedy.isEmpty());
            if (!bypass.isEmpty())
                QVERIFY2(e.remedy.contains(u"raize-console token set vercel-bypass --stdin"_s), qPrintable(e.remedy));
        }
        // The secret is never in a message, the report, or the request log.
        const QString text = all + report->describe() + QString::fromStdString(report->toJson().dump()) + QString::fromStdString(m_log.toJson().dump());
        QVERIFY(!text.contains(kSecret));
        m_vercel->setAliasDelay(0);
    }

    // A canary abort (issue #20 item 6): the Instant Rollback to the current deployment is accepted at once and
    // production already names it, but the abort is effective only once Vercel's rolling release says ABORTED.
    // The fake ends it later (abort delay) or never; a read of the rolling release that fails is evidence.
    void abortWaitsForAborted_data()
    {
        QTest::addColumn<int>("abortDelayMs"); // -1: Vercel leaves the rolling release ACTIVE
        QTest::addColumn<QString>("fault");    // a fault rule (JSON), empty: none
        QTest::addColumn<bool>("withClient");  // the confirmer has a rolling-release client
        QTest::addColumn<bool>("effective");
        QTest::addColumn<int>("minProgress");
        QTest::addColumn<QString>("says");

        QTest::newRow("ABORTED at once") << 0 << QString() << true << true << 0 << u"rolling release of dpl_new: ABORTED"_s;
        QTest::newRow("ABORTED 400 ms later: accepted, then effective")
            << 400 << QString() << true << true << 1 << u"rolling release of dpl_new: ABORTED"_s;
        QTest::newRow("still ACTIVE past the deadline")
            << -1 << QString() << true << false << 1 << u"rolling release of dpl_new: still ACTIVE at 5 % (stage 1 of 4)"_s;
        QTest::newRow("rolling release unreadable (429)")
            << 0 << QString::fromUtf8(R"({"service":"vercel","method":"GET","path":"/rolling-release$","mode":"rate_limit"})") << true << false << 1
            << u"rolling release: vercel"_s;
        QTest::newRow("rolling release half-written")
            << 0 << QString::fromUtf8(R"({"service":"vercel","method":"GET","path":"/rolling-release$","mode":"truncated_json"})") << true << false << 1
            << u"rolling release: vercel"_s;
        QTest::newRow("no rolling-release client: fails at once")
            << 0 << QString() << false << false << 0 << u"no rolling-release client: the abort cannot be confirmed"_s;
    }
    void abortWaitsForAborted()
    {
        QFETCH(int, abortDelayMs);
        QFETCH(QString, fault);
        QFETCH(bool, withClient);
        QFETCH(bool, effective);
        QFETCH(int, minProgress);
        QFETCH(QString, says);
        m_vercel->load({{"project", {{"id", "prj_raize_web"}, {"name", "raize-web"}}},
                        {"production", "dpl_old"},
                        {"deployments",
                         {{{"uid", "dpl_old"}, {"target", "production"}, {"state", "READY"}, {"minutesAgo", 120}},
                          {{"uid", "dpl_new"}, {"target", "production"}, {"state", "READY"}, {"minutesAgo", 10}}}},
                        {"rollingRelease",
                         {{"config",
                           {{"stages",
                             {{{"targetPercentage", 5}, {"requireApproval", true}},
                              {{"targetPercentage", 25}, {"requireApproval", true}},
                              {{"targetPercentage", 50}, {"requireApproval", true}},
                              {{"targetPercentage", 100}}}}}}}}});
        Services::RollingReleaseClient rr(*m_http, QUrl(m_vercelServer->baseUrl()), u"prj_raize_web"_s, u"team_raize"_s);
        const Result<Services::RollingRelease> started = RaizeTest::wait<Services::RollingRelease>(
            [&](auto done) { rr.start(u"dpl_new"_s, done); });
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QCOMPARE(started->canaryPercent(), 5.0);
        m_vercel->setAbortDelay(abortDelayMs);
        // The abort: Vercel's Instant Rollback to the current deployment, accepted at once.
        const Status accepted = RaizeTest::waitStatus([&](auto done) { m_client->instantRollback(u"dpl_old"_s, u"abort canary dpl_new"_s, done); });
        QVERIFY2(accepted, qPrintable(accepted ? QString() : accepted.error().toString()));
        if (!fault.isEmpty())
            addFault(json::parse(fault.toStdString()));

        ManualClock clock;
        EffectiveRules rules;
        rules.deadlineSeconds = 10;
        EffectiveConfirmer confirmer(m_client.get(), m_probe.get(), rules, &clock);
        if (withClient)
            confirmer.setRollingReleases(&rr);
        confirmer.setPollIntervalMs(50);
        int progress = 0;
        QStringList progressSummaries;
        std::optional<EffectiveReport> report;
        confirmer.confirm(ChangeKind::Abort, u"dpl_old"_s, clock.nowMs(), std::nullopt,
                          [&](const EffectiveVerdict &v) {
                              ++progress;
                              progressSummaries << v.summary;
                              clock.advanceMs(abortDelayMs > 0 ? 100 : 4000);
                          },
                          [&](const EffectiveReport &r) { report = r; });
        QTRY_VERIFY_WITH_TIMEOUT(report.has_value(), 15000);
        const QString all = report->last.summary + u'\n' + report->last.evidence.join(u'\n');
        QVERIFY2(report->effective() == effective, qPrintable(all));
        QVERIFY2(progress >= minProgress, qPrintable(u"%1 progress round(s)"_s.arg(progress)));
        QVERIFY2(all.contains(says), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(says, all)));
        if (abortDelayMs > 0) // the rounds before Vercel ended it said why they waited
            QVERIFY2(progressSummaries.first().contains(u"the rolling release of dpl_new is still ACTIVE at 5 %"_s), qPrintable(progressSummaries.first()));
        if (!effective) {
            const Error e = notEffectiveError(*report, rules);
            QVERIFY2(e.message.startsWith(u"the abort to dpl_old was accepted at"_s), qPrintable(e.message));
            QVERIFY(!e.remedy.isEmpty());
        }
        m_vercel->setAbortDelay(0);
    }

    // The secret goes as x-vercel-protection-bypass to the domain only, never an Authorization header, and the
    // request log and the redactor mask it.
    void bypassSecretIsSentAndRedacted()
    {
        m_sim->setProtectionBypass(kSecret);
        m_http->setToken(Service::VercelBypass, kSecret);
        const auto s = RaizeTest::wait<QList<ServingSample>>([&](auto done) { m_probe->sample(2, done); });
        QVERIFY(s);
        QCOMPARE(s->size(), 2);
        QCOMPARE(s->at(0).deploymentId, u"dpl_old"_s);
        QVERIFY(Redactor::isSensitiveHeader("X-Vercel-Protection-Bypass"));
        QCOMPARE(Redactor::redact(u"sent %1 to the domain"_s.arg(kSecret)), u"sent [REDACTED] to the domain"_s);
        const json log = m_log.toJson();
        QVERIFY(!log.empty());
        bool sawHeader = false;
        for (const json &e : log) {
            if (e.value("path", "") != "/__deployment")
                continue;
            const json headers = e.value("headers", json::object());
            QVERIFY2(!headers.contains("authorization"), "the Vercel token went to the production domain");
            QVERIFY(headers.value("x-vercel-protection-bypass", "") == "[REDACTED]");
            sawHeader = true;
        }
        QVERIFY(sawHeader);
    }
};

QTEST_GUILESS_MAIN(TestEffective)
#include "tst_effective.moc"
