// The manual Preview → Staging promote (playbook §2.2, issue #17 item 5),
// without a sandbox:
// - decideStaging over evaluateStaging: the policy's lighter gate set, one row
//   per gate passing, failing and unknown (never a pass), a production
//   deployment, no staging domain, a tenant's larger set;
// - the StagingPromotion session over FakePromotionServices: who acts, armed,
//   recorded first and then with Vercel's request id, before (the deployment
//   the domain pointed at) and after, effective only once read back; every
//   refusal sends nothing;
// - VercelClient::assignAlias against the in-process Vercel fake with faults:
//   200, 409 (already here / not allowed), 400, 404, 429 then 200, a reset
//   after the fake applied it (read back), all with the x-vercel-id.

#include "fakes/fakepromotionservices.h"
#include "fakes/memoryflagservice.h"

#include "core/servicemonitor.h"
#include "core/writeguard.h"
#include "net/httpclient.h"
#include "release/stagingpromotion.h"
#include "services/vercel/vercelclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using namespace RaizeTest::PromotionFakes;
using json = nlohmann::json;

namespace {

const QString kDomain = u"staging.raize.app"_s;

// A preview deployment of a pull request's branch that passes every gate.
ReleaseFacts previewFacts()
{
    ReleaseFacts f = goodFacts();
    f.deployment = Known<CandidateDeployment>::of({u"dpl_preview"_s, kSha, u"READY"_s, u"preview.vercel.test"_s, QString(), 1000, u"feat/retries"_s},
                                                  u"https://vercel.test/dpl_preview"_s);
    return f;
}

using Mutation = std::function<void(GatePolicy &, ReleaseFacts &)>;

struct Guard final : WriteGuard
{
    bool armed = true;
    QStringList asked;
    Status mayChange(const QString &action) override
    {
        asked << action;
        if (armed)
            return okStatus();
        return Error::make(Error::Kind::Refused, u"console"_s, u"%1 is refused: the profile is read-only until armed."_s.arg(action),
                           u"Arm it (the header's Arm…, or --arm REASON)."_s);
    }
};

} // namespace

Q_DECLARE_METATYPE(Mutation)
Q_DECLARE_METATYPE(nlohmann::json)
Q_DECLARE_METATYPE(Raize::Release::StagingDecision::Outcome)

class TestStagingPromotion : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{5};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server;
    std::unique_ptr<Sandbox::VercelFake> m_vercel;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::VercelClient> m_vc;

    int assignCalls() const
    {
        int n = 0;
        for (const auto &e : m_log.entries())
            n += e.method == u"POST"_s && e.path.endsWith(u"/aliases"_s) ? 1 : 0;
        return n;
    }
    QString aliasOf(const QString &domain) const
    {
        return QString::fromStdString(m_vercel->state()["aliases"].value(domain.toStdString(), ""));
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The built-in policy names the staging domain and its lighter set (resources/policy/playbook-v1.json).
        QCOMPARE(policy().stagingDomain, kDomain);
        QCOMPARE(policy().stagingGates,
                 (QStringList{u"deployment-ready"_s, u"status-checks"_s, u"deployment-checks"_s, u"branch-protection"_s}));
    }

    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_server = std::make_unique<Sandbox::HttpServer>(u"vercel"_s, &m_faults, &m_log);
        m_vercel = std::make_unique<Sandbox::VercelFake>(m_server.get(), u"vercel-token"_s);
        m_vercel->load({{"project", {{"id", "prj_raize_web"}, {"name", "raize-web"}}},
                        {"production", "dpl_prod"},
                        {"aliases", {{"staging.raize.app", "dpl_stage_auto"}}},
                        {"deployments",
                         json::array({{{"uid", "dpl_preview"}, {"target", ""}, {"state", "READY"}, {"ref", "feat/retries"}, {"minutesAgo", 5}},
                                      {{"uid", "dpl_building"}, {"target", ""}, {"state", "BUILDING"}, {"minutesAgo", 1}},
                                      {{"uid", "dpl_stage_auto"}, {"target", "staging"}, {"state", "READY"}, {"minutesAgo", 30}},
                                      {{"uid", "dpl_prod"}, {"target", "production"}, {"state", "READY"}, {"minutesAgo", 600}}})}});
        QVERIFY(m_server->listen(0));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::Vercel, u"vercel-token"_s);
        m_http->setRetryPolicy({3, 20, 100, 5000});
        m_vc = std::make_unique<Services::VercelClient>(*m_http, QUrl(m_server->baseUrl()), u"prj_raize_web"_s);
        m_vc->setReadBackSettle(100);
    }
    void cleanup()
    {
        m_vc.reset();
        m_http.reset();
        m_vercel.reset();
        m_server.reset();
    }

    // The lighter gate set, row by row: each gate of promotion.staging.gates passing, failing and unknown.
    void decision_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<StagingDecision::Outcome>("outcome");
        QTest::addColumn<QString>("reason"); // a fragment of the reasons; empty: none
        using O = StagingDecision::Outcome;
        QTest::newRow("every staging gate passes") << Mutation([](GatePolicy &, ReleaseFacts &) {}) << O::Allowed << QString();
        QTest::newRow("deployment-ready: building") << Mutation([](GatePolicy &, ReleaseFacts &f) { f.deployment.value->state = u"BUILDING"_s; })
                                                    << O::Blocked << u"deployment-ready (fail)"_s;
        QTest::newRow("deployment-ready: unreadable")
            << Mutation([](GatePolicy &, ReleaseFacts &f) { f.deployment = Known<CandidateDeployment>::missing(u"vercel: HTTP 502"_s); })
            << O::Unknown << u"vercel: HTTP 502"_s;
        QTest::newRow("status-checks: one failed") << Mutation([](GatePolicy &, ReleaseFacts &f) { f.checks.value->first().conclusion = u"failure"_s; })
                                                   << O::Blocked << u"status-checks (fail)"_s;
        QTest::newRow("status-checks: unknown")
            << Mutation([](GatePolicy &, ReleaseFacts &f) { f.checks = Known<QList<CheckFact>>::missing(u"github: HTTP 404"_s); })
            << O::Unknown << u"status-checks (unknown)"_s;
        QTest::newRow("deployment-checks: one failed") << Mutation([](GatePolicy &, ReleaseFacts &f) { failDeploymentCheck(f); }) << O::Blocked
                                                       << u"deployment-checks (fail)"_s;
        QTest::newRow("deployment-checks: unknown")
            << Mutation([](GatePolicy &, ReleaseFacts &f) { f.deploymentChecks = Known<QList<CheckFact>>::missing(u"vercel: timeout"_s); })
            << O::Unknown << u"deployment-checks (unknown)"_s;
        QTest::newRow("branch-protection: unprotected")
            << Mutation([](GatePolicy &, ReleaseFacts &f) { f.protection.value->unprotected = true; }) << O::Blocked << u"branch-protection (fail)"_s;
        QTest::newRow("branch-protection: unknown")
            << Mutation([](GatePolicy &, ReleaseFacts &f) { f.protection = Known<ProtectionFact>::missing(u"github: HTTP 403"_s); }) << O::Unknown
            << u"branch-protection (unknown)"_s;
        QTest::newRow("a failing gate outranks an unknown one")
            << Mutation([](GatePolicy &, ReleaseFacts &f) {
                   failDeploymentCheck(f);
                   f.checks = Known<QList<CheckFact>>::missing(u"github: HTTP 404"_s);
               })
            << O::Blocked << u"status-checks (unknown)"_s;
        // Lighter: what only production's gates read does not block staging.
        QTest::newRow("the changelog is no staging gate")
            << Mutation([](GatePolicy &, ReleaseFacts &f) { f.changelog = Known<QList<ChangelogFact>>::missing(u"github: HTTP 404"_s); }) << O::Allowed
            << QString();
        QTest::newRow("a tenant adds the changelog gate")
            << Mutation([](GatePolicy &p, ReleaseFacts &f) {
                   p.stagingGates << u"changelog"_s;
                   f.changelog = Known<QList<ChangelogFact>>::missing(u"github: HTTP 404"_s);
               })
            << O::Unknown << u"changelog (unknown)"_s;
        QTest::newRow("a production deployment") << Mutation([](GatePolicy &, ReleaseFacts &f) { f.deployment.value->target = u"production"_s; })
                                                 << O::Blocked << u"is a production deployment"_s;
        QTest::newRow("no staging domain in the policy") << Mutation([](GatePolicy &p, ReleaseFacts &) { p.stagingDomain.clear(); })
                                                         << O::NotConfigured << u"promotion.staging.domain"_s;
        QTest::newRow("an empty staging gate set") << Mutation([](GatePolicy &p, ReleaseFacts &) { p.stagingGates.clear(); }) << O::NotConfigured
                                                   << u"never made unchecked"_s;
    }

    void decision()
    {
        QFETCH(Mutation, mutate);
        QFETCH(StagingDecision::Outcome, outcome);
        QFETCH(QString, reason);
        GatePolicy p = policy();
        ReleaseFacts f = previewFacts();
        mutate(p, f);
        const StagingDecision d = decideStaging(p, evaluateStaging(p, f), f.deployment);
        QCOMPARE(StagingDecision::outcomeName(d.outcome), StagingDecision::outcomeName(outcome));
        QCOMPARE(d.allowed(), outcome == StagingDecision::Outcome::Allowed);
        if (reason.isEmpty())
            QVERIFY2(d.reasons.isEmpty(), qPrintable(d.reasons.join(u"; "_s)));
        else
            QVERIFY2(d.reasons.join(u"; "_s).contains(reason), qPrintable(d.reasons.join(u"; "_s)));
    }

    // The session: who, armed, recorded first, Vercel's request id, before and after, effective once read back.
    void promotes()
    {
        FakeServices services;
        services.collected.facts = previewFacts();
        RaizeTest::MemoryAudit audit;
        Guard guard;
        StagingPromotion session(policy(), {&services, &audit, &guard});
        QSignalSpy done(&session, &StagingPromotion::promoted);
        session.promote(u"dpl_preview"_s);
        QVERIFY(done.wait(5000));
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QCOMPARE(done.first().at(1).toString(), u"staging.raize.app now serves dpl_preview (before: dpl_stage_auto)."_s);
        QCOMPARE(session.failureKind(), Error::Kind::None);
        QCOMPARE(guard.asked, QStringList{u"promoting dpl_preview to staging"_s});
        QCOMPARE(services.calls, (QStringList{u"identity"_s, u"collect dpl_preview"_s, u"assignDomain dpl_preview staging.raize.app"_s,
                                              u"domainPointsAt dpl_preview staging.raize.app"_s}));
        QCOMPARE(audit.actions(), (QStringList{u"promotion.staging.requested"_s, u"promotion.staging"_s}));
        const auto &requested = audit.records.first();
        const auto &r = audit.records.last();
        QCOMPARE(r.actor, u"oncall-lead"_s);
        QCOMPARE(requested.actor, u"oncall-lead"_s);
        QCOMPARE(r.service, u"vercel"_s);
        QCOMPARE(r.target, u"staging.raize.app→dpl_preview"_s);
        QVERIFY(requested.requestId.startsWith(u"console:"_s));
        QCOMPARE(r.requestId, u"fra1::iad1::fake-assign-1700000000000"_s); // Vercel's x-vercel-id
        QCOMPARE(session.requestId(), r.requestId);
        QCOMPARE(QString::fromStdString(r.after.value("correlation", "")), requested.requestId);
        QVERIFY(r.before == json({{"domain", "staging.raize.app"}, {"deployment", "dpl_stage_auto"}}));
        QCOMPARE(QString::fromStdString(r.after.value("deployment", "")), u"dpl_preview"_s);
        QCOMPARE(r.after.value("effective", false), true);
        QVERIFY(r.after["gates"] == json({"deployment-ready", "status-checks", "deployment-checks", "branch-protection"}));
        QCOMPARE(session.previousDeployment(), u"dpl_stage_auto"_s);
        QVERIFY(session.effective());
    }

    // Every refusal before Vercel: nothing is assigned, and nothing is recorded but what says why (none here).
    void refusedBeforeVercel_data()
    {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("records");
        QTest::newRow("not armed") << u"disarmed"_s << int(Error::Kind::Refused) << u"read-only until armed"_s << 0;
        QTest::newRow("GitHub cannot name the token's user") << u"no identity"_s << int(Error::Kind::Auth) << u"who this profile's token belongs to"_s
                                                             << 0;
        QTest::newRow("a staging gate fails") << u"check fails"_s << int(Error::Kind::Refused) << u"deployment-checks (fail)"_s << 0;
        QTest::newRow("a staging gate is unknown") << u"checks unknown"_s << int(Error::Kind::Network) << u"an unknown gate never passes"_s << 0;
        QTest::newRow("the audit log refuses the first record") << u"audit refuses"_s << int(Error::Kind::Io) << u"Vercel was not asked"_s << 0;
        QTest::newRow("no audit log") << u"no audit"_s << int(Error::Kind::Config) << u"never made unrecorded"_s << 0;
    }

    void refusedBeforeVercel()
    {
        QFETCH(QString, setup);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(int, records);
        FakeServices services;
        services.collected.facts = previewFacts();
        RaizeTest::MemoryAudit audit;
        Guard guard;
        guard.armed = setup != u"disarmed"_s;
        if (setup == u"no identity"_s)
            services.login = Error::make(Error::Kind::Auth, u"github"_s, u"HTTP 401 Bad credentials"_s);
        if (setup == u"check fails"_s)
            failDeploymentCheck(services.collected.facts);
        if (setup == u"checks unknown"_s)
            services.collected.facts.deploymentChecks = Known<QList<CheckFact>>::missing(u"vercel: timeout"_s);
        audit.refuse = setup == u"audit refuses"_s;
        StagingPromotion session(policy(), {&services, setup == u"no audit"_s ? nullptr : &audit, &guard});
        QSignalSpy done(&session, &StagingPromotion::promoted);
        session.promote(u"dpl_preview"_s);
        QVERIFY(!done.isEmpty() || done.wait(5000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QVERIFY2(done.first().at(1).toString().contains(message), qPrintable(done.first().at(1).toString()));
        QCOMPARE(int(session.failureKind()), kind);
        QCOMPARE(services.count(u"assignDomain"_s), 0);
        QCOMPARE(int(audit.records.size()), records);
    }

    // Vercel refuses, or the domain does not read back: the outcome is recorded with the service's id, the exit is not 0.
    void vercelsAnswer_data()
    {
        QTest::addColumn<bool>("assigned");
        QTest::addColumn<bool>("readsBack");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("requestId"); // empty: the correlation id
        QTest::newRow("409 domain not allowed") << false << false << int(Error::Kind::Conflict) << u"Vercel did not assign staging.raize.app"_s
                                                << u"sbx1::sbx1::sandbox-7-1"_s;
        QTest::newRow("accepted, not read back") << true << false << int(Error::Kind::Conflict) << u"does not read back"_s
                                                 << u"fra1::iad1::fake-assign-1700000000000"_s;
    }

    void vercelsAnswer()
    {
        QFETCH(bool, assigned);
        QFETCH(bool, readsBack);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, requestId);
        FakeServices services;
        services.collected.facts = previewFacts();
        if (!assigned) {
            Error e = Error::make(Error::Kind::Conflict, u"vercel"_s, u"The domain is not allowed to be used"_s);
            e.httpStatus = 409;
            e.requestId = requestId;
            services.assignAnswer = e;
        }
        services.pointsAnswer = readsBack;
        RaizeTest::MemoryAudit audit;
        StagingPromotion session(policy(), {&services, &audit, nullptr});
        QSignalSpy done(&session, &StagingPromotion::promoted);
        session.promote(u"dpl_preview"_s);
        QVERIFY(done.wait(5000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QVERIFY2(done.first().at(1).toString().contains(message), qPrintable(done.first().at(1).toString()));
        QCOMPARE(int(session.failureKind()), kind);
        QCOMPARE(audit.actions(), (QStringList{u"promotion.staging.requested"_s, u"promotion.staging"_s}));
        QCOMPARE(audit.records.last().requestId, requestId);
        QCOMPARE(audit.records.last().actor, u"oncall-lead"_s);
        QVERIFY(!audit.records.last().after.value("effective", true));
    }

    // The client against the in-process Vercel fake: its answers and faults, each with Vercel's x-vercel-id.
    void assignAlias_data()
    {
        QTest::addColumn<QString>("deployment");
        QTest::addColumn<QString>("alias");
        QTest::addColumn<json>("fault");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("previous"); // ok: oldDeploymentId; else a fragment of the error
        QTest::addColumn<bool>("already");
        QTest::addColumn<int>("posts");
        QTest::addColumn<QString>("pointsAt"); // where the alias points afterwards
        QTest::newRow("200: moved from the automatic staging deployment")
            << u"dpl_preview"_s << kDomain << json() << true << u"dpl_stage_auto"_s << false << 1 << u"dpl_preview"_s;
        QTest::newRow("409: already points here (read back)")
            << u"dpl_stage_auto"_s << kDomain << json() << true << QString() << true << 1 << u"dpl_stage_auto"_s;
        QTest::newRow("409: a production domain is not allowed")
            << u"dpl_preview"_s << u"app.raize.example"_s << json() << false << u"The domain is not allowed to be used"_s << false << 1
            << u"dpl_stage_auto"_s;
        QTest::newRow("400: not READY") << u"dpl_building"_s << kDomain << json() << false << u"not READY"_s << false << 1 << u"dpl_stage_auto"_s;
        QTest::newRow("404: no such deployment") << u"dpl_gone"_s << kDomain << json() << false << u"not found"_s << false << 1 << u"dpl_stage_auto"_s;
        QTest::newRow("429, then 200") << u"dpl_preview"_s << kDomain
                                       << json({{"service", "vercel"}, {"method", "POST"}, {"path", "/aliases$"}, {"mode", "rate_limit"},
                                                {"retryAfter", 1}, {"count", 1}})
                                       << true << u"dpl_stage_auto"_s << false << 2 << u"dpl_preview"_s;
        QTest::newRow("reset after it was applied (read back, not sent again)")
            << u"dpl_preview"_s << kDomain
            << json({{"service", "vercel"}, {"method", "POST"}, {"path", "/aliases$"}, {"mode", "reset"}, {"afterHandler", true}, {"count", 2}})
            << true << QString() << true << 2 << u"dpl_preview"_s;
    }

    void assignAlias()
    {
        QFETCH(QString, deployment);
        QFETCH(QString, alias);
        QFETCH(json, fault);
        QFETCH(bool, ok);
        QFETCH(QString, previous);
        QFETCH(bool, already);
        QFETCH(int, posts);
        QFETCH(QString, pointsAt);
        if (!fault.is_null()) {
            QString why;
            const auto rule = Sandbox::FaultRule::fromJson(fault, &why);
            QVERIFY2(rule, qPrintable(why));
            m_faults.add(*rule);
        }
        std::optional<Result<Services::VercelAliasAssignment>> got;
        m_vc->assignAlias(deployment, alias, [&](const Result<Services::VercelAliasAssignment> &a) { got = a; });
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 10000);
        QCOMPARE(got->ok(), ok);
        if (ok) {
            QCOMPARE((*got)->oldDeploymentId, previous);
            QCOMPARE((*got)->alreadyAssigned, already);
            // Vercel's own id of the answer, unless the answer was lost and a read-back found the change.
            if (!(*got)->receipt.appliedByReadBack)
                QVERIFY2(QRegularExpression(u"^sbx1::sbx1::sandbox-\\d+-\\d+$"_s).match((*got)->receipt.requestId).hasMatch(),
                         qPrintable((*got)->receipt.requestId));
        } else {
            QVERIFY2(got->error().toString().contains(previous), qPrintable(got->error().toString()));
            QVERIFY2(got->error().requestId.startsWith(u"sbx1::"_s), qPrintable(got->error().requestId));
        }
        // QNetworkAccessManager re-sends a POST once when its connection drops: the reset row counts both.
        QVERIFY2(assignCalls() >= 1 && assignCalls() <= posts, qPrintable(QString::number(assignCalls())));
        if (alias == kDomain)
            QCOMPARE(aliasOf(kDomain), pointsAt);
        QCOMPARE(aliasOf(u"app.raize.example"_s), QString()); // production domains are never aliased by hand
    }
};

QTEST_GUILESS_MAIN(TestStagingPromotion)
#include "tst_staging_promotion.moc"
