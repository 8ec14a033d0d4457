// Rollback steps as typed intents (issue #14 item 3), without a sandbox:
// - the calls a plan shows are rendered by the client that will send them
//   (Unleash calls for an Unleash profile, LaunchDarkly's semantic patch and
//   flag reads for a LaunchDarkly one), from the same requests they send;
// - the plan round-trips through its JSON (schema 2) with the same digest;
// - a journal written by the previous version (schema 1: preview calls only)
//   is upgraded and resumes, and what cannot be read is refused with a reason.

#include "core/jsonutil.h"
#include "fakes/memoryflagservice.h"
#include "net/httpclient.h"
#include "rollback/canaryabort.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"
#include "rollback/rollbackplan.h"
#include "rollback/runjournal.h"
#include "services/flags/unleashclient.h"
#include "services/github/githubclient.h"
#include "services/launchdarkly/launchdarklyclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Rollback;
using json = nlohmann::json;

namespace {

constexpr qint64 kMin = 60000;

Inputs baseInputs()
{
    Inputs in;
    // The playbook's list and queues (the effective policy hands the planner its own, ADR 0017).
    in.policy.sideEffects.prefixes = {u"publishing."_s, u"engagement."_s, u"browser-lane."_s, u"tokens."_s};
    in.policy.sideEffectQueues = {u"runner"_s};
    in.trigger = Trigger::WrongAccountSideEffect;
    in.reason = u"posted from client-bloom's account"_s;
    in.vercelProjectId = u"prj_raize_web"_s;
    in.githubOwner = u"raize"_s;
    in.githubRepo = u"platform"_s;
    in.flags = {
        {u"publishing.core"_s, true, {}, {}, {}},
        {u"engagement.auto-like"_s, true, {u"client-bloom"_s}, {}, {}},
        {u"ui.new-calendar"_s, true, {}, {}, {}},
    };
    in.deployments = {
        {u"dpl_cand"_s, u"READY"_s, true, true, 100 * kMin, true, false, u"a1"_s},
        {u"dpl_good"_s, u"READY"_s, true, false, 50 * kMin, true, false, u"b2"_s},
    };
    return in;
}

// What the previous version (schema 1) wrote as a kill switch's plan: its steps' preview calls only.
json v1KillSwitchPlan(const QString &flagPath = u"/api/admin/projects/default/features/publishing.core/environments/production/off"_s)
{
    return json::parse(
        "{\"immediate\":true,\"option\":\"A — flag rollback\",\"priority\":\"P0\",\"refusals\":[],\"target\":\"\",\"steps\":["
        "{\"kind\":0,\"title\":\"Disable publishing.core in production\",\"group\":1,\"idempotent\":true,\"target\":\"publishing.core\","
        "\"call\":{\"service\":\"flags\",\"method\":\"POST\",\"path\":\"" + flagPath.toStdString() + "\",\"body\":null}},"
        "{\"kind\":0,\"title\":\"Disable engagement.auto-like in production\",\"group\":1,\"idempotent\":true,\"target\":\"engagement.auto-like\","
        "\"call\":{\"service\":\"flags\",\"method\":\"POST\",\"path\":\"/api/admin/projects/default/features/engagement.auto-like/environments/production/off\",\"body\":null}},"
        "{\"kind\":1,\"title\":\"Confirm flags off (admin API and as clients are served)\",\"group\":2,\"idempotent\":true,"
        "\"target\":\"engagement.auto-like,publishing.core\","
        "\"call\":{\"service\":\"flags\",\"method\":\"GET\",\"path\":\"/api/client/features\",\"body\":null}}]}");
}

// The schema-1 steps of a full rollback that are not flag steps.
json v1RollbackSteps()
{
    return json::parse(
        "[{\"kind\":2,\"title\":\"Instant Rollback production to dpl_good\",\"group\":3,\"idempotent\":false,\"target\":\"dpl_good\","
        "\"call\":{\"service\":\"vercel\",\"method\":\"POST\",\"path\":\"/v1/projects/prj_raize_web/rollback/dpl_good?description=P0%3A%20wrong-account%20side%20effects\",\"body\":null}},"
        "{\"kind\":3,\"title\":\"Confirm production serves dpl_good (and is pinned)\",\"group\":4,\"idempotent\":true,\"target\":\"dpl_good\","
        "\"call\":{\"service\":\"vercel\",\"method\":\"GET\",\"path\":\"/v9/projects/prj_raize_web\",\"body\":null}},"
        "{\"kind\":4,\"title\":\"No pending side effects in the queues\",\"group\":5,\"idempotent\":true,\"target\":\"\","
        "\"call\":{\"service\":\"prometheus\",\"method\":\"POST\",\"path\":\"/api/v1/query\",\"body\":{\"query\":\"sum by (cohort, lane) (raize_queue_depth{service=\\\"runner\\\"})\"}}},"
        "{\"kind\":5,\"title\":\"Open the incident issue\",\"group\":6,\"idempotent\":false,\"target\":\"\","
        "\"call\":{\"service\":\"github\",\"method\":\"POST\",\"path\":\"/repos/raize/platform/issues\",\"body\":{\"title\":\"P0 incident: wrong-account side effects\",\"labels\":[\"incident\",\"p0\"]}}},"
        "{\"kind\":6,\"title\":\"Append the journal entry\",\"group\":7,\"idempotent\":true,\"target\":\"\","
        "\"call\":{\"service\":\"console\",\"method\":\"RECORD\",\"path\":\"journal\",\"body\":null}}]");
}

QString sha(const json &j)
{
    return QString::fromLatin1(QCryptographicHash::hash(Json::dump(j), QCryptographicHash::Sha256).toHex());
}

Services::FlagState flagState(const QString &key, bool on)
{
    Services::FlagState f;
    f.key = key;
    f.environment = u"production"_s;
    f.enabled = on;
    return f;
}

} // namespace

class TestRollbackIntents : public QObject
{
    Q_OBJECT

    Net::HttpClient m_http; // never sends here: previews only
    Net::HttpClient m_clientHttp;

    Plan planFor(Services::FlagService &flags)
    {
        Services::VercelClient vercel(m_http, QUrl(u"https://api.vercel.example"_s), u"prj_raize_web"_s, {});
        Services::GitHubClient github(m_http, QUrl(u"https://api.github.example"_s), u"raize"_s, u"platform"_s);
        Services::PrometheusClient prometheus(m_http, QUrl(u"http://prometheus.example:9090"_s));
        Clients c;
        c.flags = &flags;
        c.vercel = &vercel;
        c.github = &github;
        c.prometheus = &prometheus;
        Inputs in = baseInputs();
        in.render = renderWith(c);
        return buildPlan(in);
    }

    static QStringList callsOf(const Plan &p, Step::Kind kind)
    {
        QStringList out;
        for (const Step &s : p.steps) {
            if (s.kind == kind) {
                for (const Call &c : s.calls)
                    out << c.method + u' ' + c.path + (c.contentType.isEmpty() ? QString() : u" [%1]"_s.arg(c.contentType))
                               + (c.body.is_null() ? QString() : u' ' + QString::fromStdString(c.body.dump()));
            }
        }
        return out;
    }

private Q_SLOTS:
    void flagCallsAreTheBackendsOwn_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QStringList>("disable");
        QTest::addColumn<QStringList>("readBack");
        QTest::newRow("unleash") << u"unleash"_s
                                 << QStringList{u"POST /api/admin/projects/default/features/engagement.auto-like/environments/production/off"_s,
                                                u"POST /api/admin/projects/default/features/publishing.core/environments/production/off"_s}
                                 << QStringList{u"GET /api/admin/projects/default/features/engagement.auto-like"_s,
                                                u"GET /api/admin/projects/default/features/publishing.core"_s, u"GET /api/client/features"_s};
        const QString patch = u" [application/json; domain-model=launchdarkly.semanticpatch] "
                              u"{\"comment\":\"raize-console: rollback, flag off\",\"environmentKey\":\"production\",\"instructions\":[{\"kind\":\"turnFlagOff\"}]}"_s;
        QTest::newRow("launchdarkly") << u"launchdarkly"_s
                                      << QStringList{u"PATCH /api/v2/flags/default/engagement.auto-like"_s + patch,
                                                     u"PATCH /api/v2/flags/default/publishing.core"_s + patch}
                                      << QStringList{u"GET /api/v2/flags/default/engagement.auto-like?env=production"_s,
                                                     u"GET /api/v2/flags/default/publishing.core?env=production"_s};
    }
    void flagCallsAreTheBackendsOwn()
    {
        QFETCH(QString, backend);
        QFETCH(QStringList, disable);
        QFETCH(QStringList, readBack);
        // A base URL with a path prefix: the preview is relative to it, as the plan always showed.
        Services::UnleashClient unleash(m_http, QUrl(u"https://flags.example/unleash"_s), u"default"_s, u"production"_s);
        unleash.setClientApi(&m_clientHttp);
        Services::LaunchDarklyClient ld(m_http, QUrl(u"https://app.launchdarkly.example"_s), u"default"_s, u"production"_s);
        Services::FlagService &flags = backend == u"unleash"_s ? static_cast<Services::FlagService &>(unleash) : ld;
        const Plan p = planFor(flags);
        QCOMPARE(callsOf(p, Step::Kind::DisableFlag), disable);
        QCOMPARE(callsOf(p, Step::Kind::ConfirmFlagsOff), readBack);
        // The other clients render their own calls from their intents.
        QCOMPARE(callsOf(p, Step::Kind::InstantRollback),
                 QStringList{u"POST /v1/projects/prj_raize_web/rollback/dpl_good?description=P0:%20wrong-account%20side%20effects%20%E2%80%94%20posted%20from%20client-bloom's%20account"_s});
        // Effective, not just accepted (ADR 0027): the project and the target's aliases (the probe's GETs go to the domain).
        QCOMPARE(callsOf(p, Step::Kind::ConfirmProduction), (QStringList{u"GET /v9/projects/prj_raize_web"_s, u"GET /v2/deployments/dpl_good/aliases"_s}));
        const QStringList checks = callsOf(p, Step::Kind::PostCheck);
        QCOMPARE(checks.size(), 3);
        QCOMPARE(checks[0], u"GET /v1/deployments/dpl_good/checks"_s);
        // Prometheus's form body, as PrometheusClient sends it.
        QCOMPARE(checks[1], u"POST /api/v1/query [application/x-www-form-urlencoded] "
                            u"\"query=sum%20by%20%28cohort%2C%20lane%29%20%28raize_queue_depth%7Bservice%3D%22runner%22%7D%29\""_s);
        QVERIFY2(callsOf(p, Step::Kind::OpenIncident).value(0).startsWith(u"POST /repos/raize/platform/issues"_s), qPrintable(callsOf(p, Step::Kind::OpenIncident).join(u'\n')));
        QCOMPARE(callsOf(p, Step::Kind::JournalEntry), QStringList()); // recorded by the console: no request
        // A milestone is a comment on the incident, whose number is known once it is filed (issue #19, item 6).
        const QStringList milestones = callsOf(p, Step::Kind::IncidentMilestone);
        QCOMPARE(milestones.size(), 3);
        for (const QString &c : milestones)
            QVERIFY2(c.startsWith(u"POST /repos/raize/platform/issues/{incident}/comments [application/json]"_s), qPrintable(c));
        // Nothing of the other backend anywhere in the plan.
        const QString dump = QString::fromStdString(p.toJson().dump());
        QVERIFY(!dump.contains(backend == u"unleash"_s ? u"/api/v2/flags"_s : u"/api/admin/"_s));
        QVERIFY(!dump.contains(backend == u"unleash"_s ? u"semanticpatch"_s : u"/api/client/"_s));
    }

    // The preview is what is sent: the digest covers the rendered calls, so another backend is another plan.
    void digestCoversTheRenderedCalls()
    {
        Services::UnleashClient unleash(m_http, QUrl(u"https://flags.example"_s), u"default"_s, u"production"_s);
        Services::LaunchDarklyClient ld(m_http, QUrl(u"https://flags.example"_s), u"default"_s, u"production"_s);
        QVERIFY(planFor(unleash).digest != planFor(ld).digest);
        QCOMPARE(planFor(ld).digest, planFor(ld).digest);
    }

    void planRoundTrips()
    {
        Services::LaunchDarklyClient ld(m_http, QUrl(u"https://flags.example"_s), u"default"_s, u"production"_s);
        const Plan p = planFor(ld);
        const Result<Plan> back = Plan::fromJson(p.toJson());
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().toString()));
        QCOMPARE(back->digest, p.digest);
        QCOMPARE(back->steps.size(), p.steps.size());
        for (int i = 0; i < p.steps.size(); ++i) {
            QVERIFY2(back->steps[i].intent == p.steps[i].intent, qPrintable(p.steps[i].title));
            QCOMPARE(back->steps[i].calls, p.steps[i].calls);
        }
        QCOMPARE(p.toJson().value("schema", 0), Plan::SchemaVersion);
        int milestones = 0;
        for (const Step &st : back->steps) {
            if (const auto *m = st.as<MilestoneIntent>()) {
                ++milestones;
                QCOMPARE(m->owner, u"raize"_s);
                QCOMPARE(intentToJson(st.intent).value("type", ""), "github.milestone");
            }
        }
        QCOMPARE(milestones, 3);
    }

    // A schema-2 plan (a journal of the console before issue #19 item 6: no milestones, the incident after
    // the checks) is read as written: same steps, same order, same digest, still schema 2.
    void schema2PlanKeepsItsDigest()
    {
        Services::LaunchDarklyClient ld(m_http, QUrl(u"https://flags.example"_s), u"default"_s, u"production"_s);
        json j = planFor(ld).toJson();
        json steps = json::array();
        for (const json &st : j["steps"]) {
            if (st["intent"].value("type", "") != "github.milestone")
                steps.push_back(st);
        }
        j["steps"] = steps;
        j["schema"] = 2;
        const Result<Plan> back = Plan::fromJson(j);
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().toString()));
        QCOMPARE(back->schema, 2);
        QCOMPARE(back->digest, sha(j));
        QCOMPARE(back->toJson().value("schema", 0), 2);
        // A milestone's intent that names no known milestone is refused, not guessed.
        json bad = planFor(ld).toJson();
        for (json &st : bad["steps"]) {
            if (st["intent"].value("type", "") == "github.milestone")
                st["intent"]["milestone"] = "halfway";
        }
        const Result<Plan> refused = Plan::fromJson(bad);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"no intent this version can execute"_s), qPrintable(refused.error().message));
    }

    // A canary abort's confirm step names the canary whose rolling release must read ABORTED (issue #20 item 6);
    // the field survives the journal, and a rollback's step is written as before (its digest unchanged).
    void canaryAbortConfirmNamesTheCanary()
    {
        CanaryAbortInputs in;
        in.vercelProjectId = u"prj_raize_web"_s;
        in.currentDeployment = u"dpl_cand"_s;
        in.canaryDeployment = u"dpl_canary"_s;
        in.canaryPercent = 5;
        const Plan p = canaryAbortPlan(in);
        const Step &confirm = p.steps.last();
        QCOMPARE(confirm.kind, Step::Kind::ConfirmProduction);
        QCOMPARE(confirm.as<ProductionServesIntent>()->abortsCanary, u"dpl_canary"_s);
        QCOMPARE(intentToJson(confirm.intent).value("abortsCanary", std::string()), std::string("dpl_canary"));
        const Result<Plan> back = Plan::fromJson(p.toJson());
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().toString()));
        QCOMPARE(back->digest, p.digest);
        QVERIFY(back->steps.last().intent == confirm.intent);
        QVERIFY(!intentToJson(ProductionServesIntent{u"prj_raize_web"_s, u"dpl_good"_s}).contains("abortsCanary"));
    }

    // A journal of the previous version: its intents come from the calls that version wrote, its digest is the plan's as written.
    void previousVersionsPlanIsUpgraded()
    {
        json v1 = v1KillSwitchPlan();
        for (const json &s : v1RollbackSteps())
            v1["steps"].push_back(s);
        const Result<Plan> p = Plan::fromJson(v1);
        QVERIFY2(p.ok(), qPrintable(p.ok() ? QString() : p.error().toString()));
        QCOMPARE(p->digest, sha(v1));
        QCOMPARE(p->steps.size(), 8);
        const auto *off = p->steps[0].as<Services::ServeChange>();
        QVERIFY(off);
        QCOMPARE(off->flag, u"publishing.core"_s);
        QCOMPARE(off->environment, u"production"_s);
        QVERIFY(!off->on && off->scope.global());
        const auto *readBack = p->steps[2].as<Services::ServedQuery>();
        QVERIFY(readBack);
        QCOMPARE(readBack->flags, (QStringList{u"engagement.auto-like"_s, u"publishing.core"_s}));
        QCOMPARE(readBack->environment, u"production"_s);
        const auto *rb = p->steps[3].as<InstantRollbackIntent>();
        QVERIFY(rb);
        QCOMPARE(rb->projectId, u"prj_raize_web"_s);
        QCOMPARE(rb->deploymentId, u"dpl_good"_s);
        QCOMPARE(rb->description, u"P0: wrong-account side effects"_s);
        QCOMPARE(p->steps[4].as<ProductionServesIntent>()->deploymentId, u"dpl_good"_s);
        QCOMPARE(p->steps[5].as<PromCheckIntent>()->expect, PromCheckIntent::Expect::QueuesEmpty);
        QCOMPARE(p->steps[6].as<IncidentIntent>()->labels, (QStringList{u"incident"_s, u"p0"_s}));
        QCOMPARE(p->steps[7].as<RecordIntent>()->what, RecordIntent::What::JournalEntry);
        // Its calls are kept as that version showed them.
        QCOMPARE(p->steps[2].calls.value(0).path, u"/api/client/features"_s);
        // A changed file does not pass as the reviewed plan.
        json changed = v1;
        changed["steps"][3]["call"]["path"] = "/v1/projects/prj_raize_web/rollback/dpl_other";
        QVERIFY(Plan::fromJson(changed)->digest != sha(v1));
    }

    void unreadablePlansAreRefused_data()
    {
        QTest::addColumn<QByteArray>("plan");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("says");
        json newer = v1KillSwitchPlan();
        newer["schema"] = Plan::SchemaVersion + 1;
        QTest::newRow("newer schema") << QByteArray::fromStdString(newer.dump()) << int(Error::Kind::Refused)
                                      << u"written by a newer console (plan schema %1"_s.arg(Plan::SchemaVersion + 1);
        QTest::newRow("v1 call it cannot read")
            << QByteArray::fromStdString(v1KillSwitchPlan(u"/api/admin/projects/default/features/publishing.core/strategies"_s).dump())
            << int(Error::Kind::Parse) << u"step 1 (Disable publishing.core in production) of an earlier console's plan has a call"_s;
        json noIntent = json::parse(R"({"schema":2,"steps":[{"kind":0,"title":"Disable x","group":1,"calls":[]}]})");
        QTest::newRow("v2 without intent") << QByteArray::fromStdString(noIntent.dump()) << int(Error::Kind::Parse)
                                           << u"step 1 (Disable x) of the plan has no intent"_s;
        json wrongIntent = json::parse(R"({"schema":2,"steps":[{"kind":0,"title":"Disable x","group":1,"intent":{"type":"vercel.checks","deploymentId":"d"}}]})");
        QTest::newRow("intent of another kind") << QByteArray::fromStdString(wrongIntent.dump()) << int(Error::Kind::Parse)
                                                << u"has no intent this version can execute"_s;
        QTest::newRow("no steps") << QByteArray("{\"schema\":2}") << int(Error::Kind::Parse) << u"no steps list"_s;
    }
    void unreadablePlansAreRefused()
    {
        QFETCH(QByteArray, plan);
        QFETCH(int, kind);
        QFETCH(QString, says);
        const Result<Plan> p = Plan::fromJson(json::parse(plan.toStdString()));
        QVERIFY(!p.ok());
        QCOMPARE(int(p.error().kind), kind);
        QVERIFY2(p.error().message.contains(says), qPrintable(p.error().message));
        QVERIFY(!p.error().remedy.isEmpty()); // says what to do
    }

    // A kill switch the previous version journaled and that died mid-flight resumes here, through the typed intents.
    void previousVersionsJournalResumes()
    {
        QTemporaryDir dir;
        const json v1 = v1KillSwitchPlan();
        // As the previous version wrote it: no schema, the plan's digest over the plan as written.
        Result<RunJournal> created = RunJournal::create(dir.path(), {{"kind", "kill-switch"}, {"plan", v1}, {"digest", sha(v1).toStdString()}});
        QVERIFY(created.ok());
        json begin = created->begin();
        begin.erase("schema");
        {
            // Rewrite the begin record without the schema (an old journal), then the step that was in flight.
            QFile f(created->path());
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(Json::dump(begin) + '\n');
            f.write(Json::dump(json{{"event", "marker"}, {"deploymentId", 0}}) + '\n');
            f.write(Json::dump(json{{"event", "intent"}, {"step", 0}, {"kind", "flag.disable"}, {"target", "publishing.core"}}) + '\n');
        }
        Result<RunJournal> journal = RunJournal::open(created->path());
        QVERIFY(journal.ok());
        QCOMPARE(journal->schema(), 1);
        const Result<Plan> plan = Plan::fromJson(journal->begin()["plan"]);
        QVERIFY(plan.ok());
        QCOMPARE(plan->digest, QString::fromStdString(journal->begin().value("digest", ""))); // what `rollback resume` checks

        RaizeTest::MemoryFlagService flags;
        flags.flags = {flagState(u"publishing.core"_s, true), flagState(u"engagement.auto-like"_s, true)};
        RaizeTest::MemoryAudit audit;
        Clients clients;
        clients.flags = &flags;
        clients.audit = &audit;
        ExecOptions options;
        options.pollMs = 10;
        Executor ex(std::move(journal).value(), plan.value(), clients, options);
        QSignalSpy finished(&ex, &Executor::finished);
        ex.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(flags.calls, (QStringList{u"serve publishing.core production global off"_s, u"serve engagement.auto-like production global off"_s,
                                           u"served engagement.auto-like,publishing.core"_s}));
        for (const auto &f : std::as_const(flags.flags))
            QVERIFY2(!f.enabled, qPrintable(f.key));
        QCOMPARE(ex.journal().outcome(), u"completed"_s);
        // The resumed steps' intents are in the journal now.
        int withIntent = 0;
        for (const json &r : ex.journal().records())
            withIntent += r.value("event", "") == "intent" && r.contains("intent") && r["intent"].value("type", "") != "" ? 1 : 0;
        QCOMPARE(withIntent, 3);
        QVERIFY(audit.actions().contains(u"flags.confirm-off"_s));
    }

    // Playbook §0.3 (issue #17 item 6): the kill switch never waits on the audit log. With a log that cannot be
    // written it still turns every flag off; each missed record is in the run's journal and auditFailed() fires
    // (the window's banner).
    void killSwitchRunsWithAnUnwritableAuditLog()
    {
        QTemporaryDir dir;
        const json v1 = v1KillSwitchPlan();
        const Result<Plan> plan = Plan::fromJson(v1);
        QVERIFY(plan.ok());
        Result<RunJournal> journal = RunJournal::create(dir.path(), {{"kind", "kill-switch"}, {"plan", v1}, {"digest", plan->digest.toStdString()}});
        QVERIFY(journal.ok());
        RaizeTest::MemoryFlagService flags;
        flags.flags = {flagState(u"publishing.core"_s, true), flagState(u"engagement.auto-like"_s, true)};
        RaizeTest::MemoryAudit audit;
        audit.refuse = true; // "disk full"
        Clients clients;
        clients.flags = &flags;
        clients.audit = &audit;
        ExecOptions options;
        options.pollMs = 10;
        Executor ex(std::move(journal).value(), plan.value(), clients, options);
        QSignalSpy finished(&ex, &Executor::finished);
        QSignalSpy auditFailed(&ex, &Executor::auditFailed);
        ex.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.first().first().toBool(), true);
        for (const auto &f : std::as_const(flags.flags))
            QVERIFY2(!f.enabled, qPrintable(f.key));
        QVERIFY(audit.records.isEmpty());
        QVERIFY(!auditFailed.isEmpty());
        QCOMPARE(auditFailed.first().first().value<Error>().message, u"disk full"_s);
        QCOMPARE(ex.auditFailures().size(), auditFailed.size());
        QStringList missed;
        for (const json &r : ex.journal().records()) {
            if (r.value("event", "") == "audit-failed")
                missed << QString::fromStdString(r.value("action", ""));
        }
        QCOMPARE(missed.size(), auditFailed.size());
        QVERIFY2(missed.contains(u"flags.confirm-off"_s), qPrintable(missed.join(u", "_s)));
        QCOMPARE(ex.journal().outcome(), u"completed"_s);
    }

    // The read-back waits for the service to say off, and says which flag is still on when it never does.
    void readBackNamesWhatStaysOn()
    {
        QTemporaryDir dir;
        Services::ServedQuery q;
        q.flags = {u"publishing.core"_s};
        q.environment = u"production"_s;
        Plan plan;
        Step confirm;
        confirm.kind = Step::Kind::ConfirmFlagsOff;
        confirm.title = u"Confirm"_s;
        confirm.intent = q;
        confirm.group = 1;
        plan.steps << confirm;
        plan.digest = plan.computeDigest();
        RaizeTest::MemoryFlagService flags;
        flags.flags = {flagState(u"publishing.core"_s, true)};
        Clients clients;
        clients.flags = &flags;
        ExecOptions options;
        options.pollMs = 10;
        options.confirmTimeoutMs = 200;
        Result<RunJournal> journal = RunJournal::create(dir.path(), {{"kind", "kill-switch"}});
        QCOMPARE(journal->schema(), RunJournal::SchemaVersion);
        Executor ex(std::move(journal).value(), plan, clients, options);
        QSignalSpy failed(&ex, &Executor::stepFailed);
        ex.start();
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        const Error e = failed.first().at(1).value<Error>();
        QCOMPARE(e.kind, Error::Kind::Conflict);
        QVERIFY2(e.message.contains(u"still on in the flag service: publishing.core"_s), qPrintable(e.message));
        QVERIFY(!e.remedy.isEmpty());
    }

    // A scoped off (issue #16) is previewed as the backend's own calls: a read, then
    // the writes that exclude the scope; never the environment-wide switch. A scoped
    // on, or a scope with parts the console does not write, is refused before anything is sent.
    void scopedChangeIsPreviewedOnIsRefused()
    {
        Services::ServeChange c;
        c.flag = u"publishing.core"_s;
        c.environment = u"production"_s;
        c.scope.clientIds = {u"client-bloom"_s};
        Services::UnleashClient unleash(m_http, QUrl(u"https://flags.example"_s), u"default"_s, u"production"_s);
        Services::LaunchDarklyClient ld(m_http, QUrl(u"https://flags.example"_s), u"default"_s, u"production"_s);
        const QList<Net::RequestPreview> u = unleash.previewServe(c);
        QCOMPARE(u.size(), 2);
        QCOMPARE(u[0].method, u"GET"_s);
        QCOMPARE(u[1].method, u"PUT"_s);
        QVERIFY(!u[1].path.endsWith(u"/off"_s));
        QVERIFY2(QString::fromStdString(u[1].body.dump()).contains(u"client-bloom"_s), u[1].body.dump().c_str());
        const QList<Net::RequestPreview> l = ld.previewServe(c);
        QCOMPARE(l.size(), 2);
        QCOMPARE(l[1].method, u"PATCH"_s);
        QVERIFY2(QString::fromStdString(l[1].body.dump()).contains(u"addRule"_s) && !QString::fromStdString(l[1].body.dump()).contains(u"turnFlagOff"_s),
                 l[1].body.dump().c_str());
        Services::ServeChange on = c;
        on.on = true;
        Services::ServeChange other = c;
        other.scope.other = {u"appName NOT_IN [web]"_s};
        for (const Services::ServeChange &refused : {on, other}) {
            for (Services::FlagService *f : {static_cast<Services::FlagService *>(&unleash), static_cast<Services::FlagService *>(&ld)}) {
                QVERIFY(f->previewServe(refused).isEmpty());
                std::optional<Status> answer;
                f->serve(refused, [&](const Status &s) { answer = s; });
                QVERIFY(answer.has_value()); // refused at once, no request
                QCOMPARE(answer->error().kind, Error::Kind::Refused);
                QVERIFY2(answer->error().message.contains(u"publishing.core"_s), qPrintable(answer->error().message));
            }
        }
        // The intent keeps the scope through the journal.
        QCOMPARE(Services::ServeChange::fromJson(c.toJson())->scope, c.scope);
    }
};

QTEST_GUILESS_MAIN(TestRollbackIntents)
#include "tst_rollback_intents.moc"
