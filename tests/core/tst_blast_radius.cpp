// The blast radius (issue #16 item 2) and the kill-switch parent (item 3),
// without a sandbox: who is asked about (one grid per cohort), the state
// after the planned changes, the table, the post-execution comparison, the
// playground and evaluate requests and answers of both backends, the plan's
// parent-first step, and the dependency check that names the flags that do
// not depend on the parent. The same code runs against the real Unleash in
// test_blast_sandbox.

#include "fakes/memoryflagservice.h"
#include "net/httpclient.h"
#include "rollback/blastradius.h"
#include "rollback/killswitchparent.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"
#include "rollback/rollbackplan.h"
#include "rollback/rollbackreport.h"
#include "rollback/runjournal.h"
#include "services/flags/unleashclient.h"
#include "services/launchdarkly/launchdarklyclient.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Rollback;
using Services::ContextAnswer;
using Services::ContextFields;
using json = nlohmann::json;

// nlohmann::json in QCOMPARE does not compile (Qt's qfloat16 traits): compare, and dump both on failure.
#define JSON_EQ(actual, expected)                                                                                                        \
    do {                                                                                                                                  \
        const json a_ = (actual), e_ = (expected);                                                                                        \
        QVERIFY2(a_ == e_, (a_.dump() + " != " + e_.dump()).c_str());                                                                     \
    } while (false)

namespace {

const QString kParent = u"side-effects.kill"_s;

QList<Release::Cohort> cohorts()
{
    return {{u"house"_s, u"House"_s, {u"house"_s}, {u"acct-house-ig"_s, u"acct-house-x"_s}},
            {u"lowrisk"_s, u"Low-risk"_s, {u"client-bloom"_s, u"client-fjord"_s}, {u"acct-bloom-ig"_s, u"acct-fjord-li"_s}},
            {u"broad"_s, u"Broad"_s, {u"*"_s}, {u"*"_s}}};
}

KnownSubjects subjects()
{
    KnownSubjects s;
    s.cohorts = cohorts();
    // Prometheus saw these: the named ones and three only the wildcard matches.
    s.seenAccounts = {u"acct-house-ig"_s, u"acct-atlas-ig"_s, u"acct-koru-x"_s, u"acct-vela-tt"_s, u"acct-bloom-ig"_s};
    s.seenClients = {u"client-atlas"_s};
    return s;
}

Services::FlagStrategy strategy(const Services::FlagScope &scope)
{
    Services::FlagStrategy s;
    s.name = u"flexibleRollout"_s;
    s.scope = scope;
    return s;
}

Services::FlagState flag(const QString &key, bool on, const Services::FlagScope &scope = {}, bool dependsOnParent = false)
{
    Services::FlagState f;
    f.key = key;
    f.enabled = on;
    f.strategies = {strategy(scope)};
    if (dependsOnParent)
        f.dependencies = {{kParent, true, {}}};
    return f;
}

Services::FlagScope clients(const QStringList &ids)
{
    Services::FlagScope s;
    s.clientIds = ids;
    return s;
}
Services::FlagScope accounts(const QStringList &ids)
{
    Services::FlagScope s;
    s.platformAccountIds = ids;
    return s;
}
Services::FlagScope lane(const QString &l)
{
    Services::FlagScope s;
    s.lane = l;
    return s;
}

// The memory service's evaluator answers for every context of the query.
QList<ContextAnswer> answer(RaizeTest::MemoryFlagService &service, const Services::EvaluationQuery &q)
{
    QList<ContextAnswer> out;
    bool done = false;
    service.evaluateContexts(q, [&](const Result<QList<ContextAnswer>> &r) {
        if (r)
            out = r.value();
        done = true;
    });
    [&] { QTRY_VERIFY(done); }();
    return out;
}

Services::ServeChange off(const QString &key, const Services::FlagScope &scope = {})
{
    Services::ServeChange c;
    c.flag = key;
    c.environment = u"production"_s;
    c.scope = scope;
    return c;
}

Inputs p0Inputs(const QList<Services::FlagState> &flags)
{
    Inputs in;
    in.policy.sideEffects.prefixes = {u"publishing."_s, u"engagement."_s, u"browser-lane."_s};
    in.policy.killSwitchParent = kParent;
    in.trigger = Trigger::WrongAccountSideEffect;
    in.vercelProjectId = u"prj"_s;
    in.deployments = {{u"dpl_cand"_s, u"READY"_s, true, true, 100, true, false, u"a"_s},
                      {u"dpl_good"_s, u"READY"_s, true, false, 50, true, false, u"b"_s}};
    for (const Services::FlagState &f : flags) {
        FlagFact fact;
        fact.key = f.key;
        fact.enabled = f.enabled;
        in.flags << fact;
        if (!f.dependencies.isEmpty())
            in.flagDependencies.insert(f.key, f.dependencies);
    }
    return in;
}

} // namespace

class TestBlastRadius : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // One grid per cohort: explicit members by name, the wildcard cohort's seen values that no cohort names,
    // every lane, and the scope's own unknown ids in a last grid.
    void gridsPerCohort()
    {
        KnownSubjects s = subjects();
        s.scopeClients = {u"client-ghost"_s, u"house"_s};
        const Services::EvaluationQuery q = blastQuery(s, {u"publishing.enabled"_s}, u"production"_s);
        QStringList lines;
        for (const Services::ContextGrid &g : q.grids) {
            QStringList fields;
            for (const auto &[name, values] : g.fields)
                fields << name + u'=' + values.join(u',');
            lines << fields.join(u' ');
        }
        QCOMPARE(lines.join(u'\n'),
                 u"clientId=house platformAccount=acct-house-ig,acct-house-x lane=api,browser cohort=house\n"
                 u"clientId=client-bloom,client-fjord platformAccount=acct-bloom-ig,acct-fjord-li lane=api,browser cohort=lowrisk\n"
                 u"clientId=client-atlas platformAccount=acct-atlas-ig,acct-koru-x,acct-vela-tt lane=api,browser cohort=broad\n"
                 u"clientId=client-ghost lane=api,browser"_s);
        QCOMPARE(q.contexts(), 4 + 8 + 6 + 2);
        QCOMPARE(q.grids[1].expand().size(), 8);
        QCOMPARE(q.grids[0].expand().first(), (ContextFields{{u"clientId"_s, u"house"_s}, {u"platformAccount"_s, u"acct-house-ig"_s},
                                                            {u"lane"_s, u"api"_s}, {u"cohort"_s, u"house"_s}}));
        // The query round-trips through the journal's JSON.
        QVERIFY(Services::EvaluationQuery::fromJson(q.toJson()) == std::optional<Services::EvaluationQuery>(q));
        QVERIFY(!Services::EvaluationQuery::fromJson(json{{"flags", 3}, {"grids", json::array()}}));
    }

    void radius_data()
    {
        QTest::addColumn<QList<Services::FlagState>>("flags");
        QTest::addColumn<QList<Services::ServeChange>>("changes");
        QTest::addColumn<QString>("expected");
        const QList<Services::FlagState> base = {flag(u"publishing.enabled"_s, true), flag(u"engagement.dm-dedupe"_s, true, accounts({u"acct-house-ig"_s})),
                                                 flag(u"browser-lane.dom-v3"_s, true, lane(u"browser"_s))};
        QTest::newRow("global off: everyone who is served")
            << base << QList<Services::ServeChange>{off(u"publishing.enabled"_s), off(u"engagement.dm-dedupe"_s), off(u"browser-lane.dom-v3"_s)}
            << u"publishing.enabled: clients client-bloom, client-fjord, house +1 other (matched by a wildcard) · accounts acct-bloom-ig, "
               u"acct-fjord-li, acct-house-ig, acct-house-x +3 others (matched by a wildcard) · lanes api, browser\n"
               u"engagement.dm-dedupe: clients house · accounts acct-house-ig · lanes api, browser\n"
               u"browser-lane.dom-v3: clients client-bloom, client-fjord, house +1 other (matched by a wildcard) · accounts acct-bloom-ig, "
               u"acct-fjord-li, acct-house-ig, acct-house-x +3 others (matched by a wildcard) · lanes browser"_s;
        QTest::newRow("scoped to one client: only that client stops")
            << base << QList<Services::ServeChange>{off(u"publishing.enabled"_s, clients({u"client-bloom"_s}))}
            << u"publishing.enabled: clients client-bloom\nengagement.dm-dedupe: nobody\nbrowser-lane.dom-v3: nobody"_s;
        // A scope naming a client and an account stops both (a union, as the NOT_IN exclusions
        // and LaunchDarkly's off rules write it, ADR 0021), not only contexts that have both (that
        // would be nobody here: the grids never pair client-bloom with acct-house-ig).
        QTest::newRow("scoped to a client and an account: either stops")
            << base << QList<Services::ServeChange>{off(u"publishing.enabled"_s, [] {
                   Services::FlagScope s = clients({u"client-bloom"_s});
                   s.platformAccountIds = {u"acct-house-ig"_s};
                   return s;
               }())}
            << u"publishing.enabled: clients client-bloom · accounts acct-house-ig\nengagement.dm-dedupe: nobody\nbrowser-lane.dom-v3: nobody"_s;
        QTest::newRow("scoped to the browser lane: accounts keep it in the api lane")
            << base << QList<Services::ServeChange>{off(u"publishing.enabled"_s, lane(u"browser"_s))} << u"publishing.enabled: lanes browser\nengagement.dm-dedupe: nobody\nbrowser-lane.dom-v3: nobody"_s;
        // Negative control: a flag on but served to nobody the console knows stops for nobody.
        QTest::newRow("served to nobody: empty radius")
            << QList<Services::FlagState>{flag(u"publishing.ghost"_s, true, clients({u"client-nobody"_s}))}
            << QList<Services::ServeChange>{off(u"publishing.ghost"_s)} << u"publishing.ghost: nobody"_s;
        QTest::newRow("already off: empty radius")
            << QList<Services::FlagState>{flag(u"engagement.auto-reply"_s, false)} << QList<Services::ServeChange>{off(u"engagement.auto-reply"_s)}
            << u"engagement.auto-reply: nobody"_s;
        // The parent off: every child that needs it stops, though only the parent is changed.
        QTest::newRow("parent off stops its children")
            << QList<Services::FlagState>{flag(kParent, true), flag(u"publishing.enabled"_s, true, {}, true),
                                          flag(u"engagement.dm-dedupe"_s, true, accounts({u"acct-house-ig"_s}), true)}
            << QList<Services::ServeChange>{off(kParent)}
            << u"side-effects.kill: clients client-bloom, client-fjord, house +1 other (matched by a wildcard) · accounts acct-bloom-ig, "
               u"acct-fjord-li, acct-house-ig, acct-house-x +3 others (matched by a wildcard) · lanes api, browser\n"
               u"publishing.enabled: clients client-bloom, client-fjord, house +1 other (matched by a wildcard) · accounts acct-bloom-ig, "
               u"acct-fjord-li, acct-house-ig, acct-house-x +3 others (matched by a wildcard) · lanes api, browser\n"
               u"engagement.dm-dedupe: clients house · accounts acct-house-ig · lanes api, browser"_s;
    }

    void radius()
    {
        QFETCH(QList<Services::FlagState>, flags);
        QFETCH(QList<Services::ServeChange>, changes);
        QFETCH(QString, expected);
        RaizeTest::MemoryFlagService service;
        service.flags = flags;
        QStringList keys;
        QHash<QString, QList<Services::FlagDependency>> deps;
        for (const Services::FlagState &f : flags) {
            keys << f.key;
            deps.insert(f.key, f.dependencies);
        }
        const KnownSubjects s = subjects();
        const Services::EvaluationQuery q = blastQuery(s, keys, u"production"_s);
        const QList<ContextAnswer> now = answer(service, q);
        QCOMPARE(now.size(), q.contexts());
        const QList<ContextAnswer> after = predictAfter(now, changes, deps);
        const BlastRadius r = blastRadius(now, after, keys, s);
        QVERIFY(r.known);
        QStringList lines;
        for (const BlastRow &row : r.rows)
            lines << row.flag + u": "_s + row.describe();
        QCOMPARE(lines.join(u'\n'), expected);
        QCOMPARE(BlastRadius::fromJson(r.toJson())->rows, r.rows);

        // For global changes (what serve() sends today), the prediction agrees with what the service answers
        // once they are applied; scoped strategies are issue #16 item 1's (test_blast_sandbox asks the real Unleash).
        if (std::all_of(changes.cbegin(), changes.cend(), [](const Services::ServeChange &c) { return c.scope.global(); })) {
            for (const Services::ServeChange &c : changes) {
                for (Services::FlagState &f : service.flags) {
                    if (f.key == c.flag)
                        f.enabled = false;
                }
            }
            QCOMPARE(compareWithPrediction(onPairs(after, keys), answer(service, q), keys), QStringList());
        }
    }

    // After execution the service is asked again: what differs from the prediction is named, flag by flag.
    void comparison()
    {
        RaizeTest::MemoryFlagService service;
        service.flags = {flag(u"publishing.enabled"_s, true), flag(u"engagement.enabled"_s, true)};
        const QStringList keys = {u"publishing.enabled"_s, u"engagement.enabled"_s};
        const Services::EvaluationQuery q = blastQuery(subjects(), keys, u"production"_s);
        const QList<ContextAnswer> now = answer(service, q);
        const QList<ContextAnswer> after = predictAfter(now, {off(u"publishing.enabled"_s), off(u"engagement.enabled"_s)}, {});
        const QStringList predicted = onPairs(after, keys);
        QVERIFY(predicted.isEmpty());
        // Only publishing went off: engagement is still served everywhere.
        service.flags[0].enabled = false;
        const QStringList diff = compareWithPrediction(predicted, answer(service, q), keys);
        QCOMPARE(diff.size(), 1);
        QVERIFY2(diff[0].startsWith(u"engagement.enabled is still served to clientId=client-atlas cohort=broad lane=api platformAccount=acct-atlas-ig; "_s),
                 qPrintable(diff[0]));
        QVERIFY2(diff[0].contains(u"and 15 more (predicted off)"_s), qPrintable(diff[0]));
        service.flags[1].enabled = false;
        QCOMPARE(compareWithPrediction(predicted, answer(service, q), keys), QStringList());
    }

    void parentCheck_data()
    {
        QTest::addColumn<QList<Services::FlagState>>("flags");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("text");
        const Services::FlagState parent = flag(kParent, true);
        QTest::newRow("every side-effect flag depends")
            << QList<Services::FlagState>{parent, flag(u"publishing.enabled"_s, true, {}, true), flag(u"ui.calendar"_s, true)} << true
            << u"every side-effect flag (1) depends on the kill-switch parent side-effects.kill: turning it off is one call"_s;
        QTest::newRow("one does not: named")
            << QList<Services::FlagState>{parent, flag(u"publishing.enabled"_s, true, {}, true), flag(u"engagement.enabled"_s, true)} << false
            << u"1 side-effect flag does not depend on the kill-switch parent side-effects.kill: engagement.enabled — a P0 turns it off one by one. "
               u"Add the dependency (Unleash refuses a child that has children of its own, and a parent in another project)."_s;
        Services::FlagState unknown = flag(u"publishing.enabled"_s, true, {}, true);
        unknown.dependenciesKnown = false;
        QTest::newRow("a listing that cannot say is not trusted") << QList<Services::FlagState>{parent, unknown} << false
                                                                  << u"1 side-effect flag does not depend on the kill-switch parent side-effects.kill: "
                                                                     u"publishing.enabled — a P0 turns it off one by one. Add the dependency (Unleash "
                                                                     u"refuses a child that has children of its own, and a parent in another project)."_s;
        QTest::newRow("parent missing") << QList<Services::FlagState>{flag(u"publishing.enabled"_s, true)} << false
                                        << u"the kill-switch parent side-effects.kill does not exist in the flag service: a P0 turns every side-effect "
                                           u"flag off one by one. Create it (on, global) and make every side-effect flag depend on it."_s;
        Services::FlagState child = flag(kParent, true);
        child.dependencies = {{u"other.parent"_s, true, {}}};
        QTest::newRow("parent has a parent") << QList<Services::FlagState>{child} << false
                                             << u"the kill-switch parent side-effects.kill depends on another flag itself, which Unleash refuses for a "
                                                u"parent: remove its dependency."_s;
    }

    void parentCheck()
    {
        QFETCH(QList<Services::FlagState>, flags);
        QFETCH(bool, ok);
        QFETCH(QString, text);
        Policy::SideEffectFlags se;
        se.prefixes = {u"publishing."_s, u"engagement."_s};
        const ParentCheck c = checkKillSwitchParent(kParent, se, flags);
        QCOMPARE(c.ok(), ok);
        QCOMPARE(c.describe(), text);
        QCOMPARE(c.toJson()["ok"].get<bool>(), ok);
        QVERIFY(checkKillSwitchParent({}, se, flags).ok()); // none named: nothing to check
    }

    // A global P0 turns the parent off first, alone in its group, then every flag for the record.
    void parentFirstInAGlobalP0_data()
    {
        QTest::addColumn<QString>("trigger");
        QTest::addColumn<QString>("scope");
        QTest::addColumn<bool>("parentFirst");
        QTest::newRow("P0 global") << u"wrong-account"_s << u"global"_s << true;
        QTest::newRow("P0 kill switch ignored") << u"kill-switch-ignored"_s << u"global"_s << true;
        QTest::newRow("P0 scoped to a client: no parent") << u"duplicate-posts"_s << u"client:client-bloom"_s << false;
        QTest::newRow("P1 global: no parent") << u"publish-failures"_s << u"global"_s << false;
    }

    void parentFirstInAGlobalP0()
    {
        QFETCH(QString, trigger);
        QFETCH(QString, scope);
        QFETCH(bool, parentFirst);
        Inputs in = p0Inputs({flag(kParent, true), flag(u"publishing.enabled"_s, true, {}, true), flag(u"engagement.enabled"_s, true)});
        in.trigger = *triggerFromId(trigger);
        in.scope = parseScope(scope).value();
        const Plan plan = buildPlan(in);
        QVERIFY(!plan.steps.isEmpty());
        const auto *first = plan.steps.first().as<Services::ServeChange>();
        QVERIFY(first);
        QCOMPARE(first->flag == kParent, parentFirst);
        if (!parentFirst) {
            QVERIFY(std::none_of(plan.steps.cbegin(), plan.steps.cend(), [](const Step &s) { return s.target == kParent; }));
            return;
        }
        QVERIFY(first->scope.global());
        QCOMPARE(plan.steps.first().kind, Step::Kind::DisableFlag);
        // Alone in its group: nothing else goes out before the parent's answer.
        QCOMPARE(std::count_if(plan.steps.cbegin(), plan.steps.cend(), [&](const Step &s) { return s.group == plan.steps.first().group; }), 1);
        QStringList second;
        for (const Step &s : plan.steps) {
            if (s.group == plan.steps.first().group + 1)
                second << s.target;
        }
        QCOMPARE(second, (QStringList{u"engagement.enabled"_s, u"publishing.enabled"_s}));
        // The flag that does not depend on the parent is named.
        QVERIFY2(plan.notes.join(u'\n').contains(u"do not depend on the kill-switch parent side-effects.kill and are stopped only by their own step: "
                                                   u"engagement.enabled"_s),
                 qPrintable(plan.notes.join(u'\n')));
        // The read-back covers the parent too, and the kill switch keeps the parent first and the note.
        const auto *readBack = std::find_if(plan.steps.cbegin(), plan.steps.cend(), [](const Step &s) { return s.kind == Step::Kind::ConfirmFlagsOff; })
                                   ->as<Services::ServedQuery>();
        QVERIFY(readBack && readBack->flags.contains(kParent));
        const Plan ks = killSwitchPlan(plan);
        QCOMPARE(ks.steps.first().target, kParent);
        QVERIFY(ks.notes.join(u'\n').contains(u"engagement.enabled"_s));
    }

    void parentMissingIsSaid()
    {
        Inputs in = p0Inputs({flag(u"publishing.enabled"_s, true)});
        const Plan plan = buildPlan(in);
        QCOMPARE(plan.steps.first().target, u"publishing.enabled"_s);
        QVERIFY(plan.notes.join(u'\n').contains(u"the kill-switch parent side-effects.kill is not in the flag service"_s));
    }

    // The plan gets its table, and a post-check that asks again; unknown adds a note and no check, and stays executable.
    void attachToThePlan()
    {
        RaizeTest::MemoryFlagService service;
        service.flags = {flag(kParent, true), flag(u"publishing.enabled"_s, true, {}, true)};
        Inputs in = p0Inputs(service.flags);
        in.flagEnvironment = u"production"_s;
        Clients clients;
        clients.flags = &service;
        in.render = renderWith(clients);
        Target target;
        target.cohorts = cohorts();
        const Plan plan = killSwitchPlan(buildPlan(in));
        std::optional<Plan> with;
        askBlastRadius(clients, target, in, plan, BlastOptions(), [&](const Plan &p) { with = p; });
        QTRY_VERIFY(with.has_value());
        QVERIFY(with->blastRadius && with->blastRadius->known);
        QCOMPARE(with->blastRadius->rows.size(), 2);
        QCOMPARE(with->blastRadius->rows[1].flag, u"publishing.enabled"_s);
        QVERIFY(!with->blastRadius->rows[1].empty());
        const Step &check = with->steps.last();
        QCOMPARE(check.kind, Step::Kind::PostCheck);
        QVERIFY(check.as<BlastCheckIntent>());
        // Its calls are shown like every other step's, rendered by the flag service's client.
        QCOMPARE(check.calls.size(), 1);
        QCOMPARE(check.calls.first().method, u"EVALUATE"_s);
        QVERIFY(check.group > with->steps[with->steps.size() - 2].group);
        QVERIFY(with->digest != plan.digest);
        QVERIFY2(describePlan(*with, in).contains(u"Blast radius (memory's evaluator: 1 call(s), 14 contexts; known: the cohorts' members "
                                                  u"(no Prometheus configured: no client or account seen in the metrics)) — who stops being served each flag:"_s),
                 qPrintable(describePlan(*with, in)));
        QVERIFY(planReport(*with, in)["blastRadius"]["known"].get<bool>());
        // The check step round-trips through the journal's plan.
        const Result<Plan> back = Plan::fromJson(with->toJson());
        QVERIFY(back);
        QCOMPARE(back->digest, with->digest);

        // The playground down: unknown, said, and the plan is as executable as before.
        service.failEvaluate = true;
        std::optional<Plan> unknown;
        askBlastRadius(clients, target, in, plan, BlastOptions(), [&](const Plan &p) { unknown = p; });
        QTRY_VERIFY(unknown.has_value());
        QVERIFY(unknown->blastRadius && !unknown->blastRadius->known);
        QVERIFY(unknown->executable());
        QCOMPARE(unknown->steps.size(), plan.steps.size());
        QVERIFY2(describePlan(*unknown, in).contains(u"Blast radius: unknown — memory's evaluator did not answer"_s), qPrintable(describePlan(*unknown, in)));
    }

    // The executor asks again after the flags are off and fails the step, naming what differs.
    void executorChecksThePrediction_data()
    {
        QTest::addColumn<bool>("hideWrites");
        QTest::addColumn<bool>("completed");
        QTest::newRow("served as predicted") << false << true;
        QTest::newRow("still served: the step fails") << true << false;
    }

    void executorChecksThePrediction()
    {
        QFETCH(bool, hideWrites);
        QFETCH(bool, completed);
        RaizeTest::MemoryFlagService service;
        service.flags = {flag(u"publishing.enabled"_s, true)};
        Inputs in = p0Inputs(service.flags);
        in.policy.killSwitchParent.clear();
        in.flagEnvironment = u"production"_s;
        Clients clients;
        clients.flags = &service;
        Target target;
        target.cohorts = cohorts();
        std::optional<Plan> plan;
        askBlastRadius(clients, target, in, killSwitchPlan(buildPlan(in)), BlastOptions(), [&](const Plan &p) { plan = p; });
        QTRY_VERIFY(plan.has_value());
        // The write "succeeds" but the service keeps serving the old state: the read-back and the blast check see it.
        service.hideWrites = hideWrites;
        service.visible = service.flags;
        // Skip the admin read-back's poll (a separate check) by answering it off.
        QTemporaryDir dir;
        Result<RunJournal> journal = RunJournal::create(dir.path(), {{"kind", "kill-switch"}});
        QVERIFY(journal);
        ExecOptions options;
        options.pollMs = 10;
        options.confirmTimeoutMs = 200;
        Executor ex(std::move(journal).value(), *plan, clients, options);
        QSignalSpy finished(&ex, &Executor::finished);
        QSignalSpy failed(&ex, &Executor::stepFailed);
        ex.start();
        QTRY_VERIFY(!finished.isEmpty() || !failed.isEmpty());
        QCOMPARE(!finished.isEmpty() && finished.first().first().toBool(), completed);
        if (!completed) {
            // hideWrites: the read-back already sees the flag on; skip it and the blast check must fail on its own.
            ex.skip(u"test: the read-back is checked elsewhere"_s);
            QTRY_COMPARE(failed.size(), 2);
            const Error e = failed.last().at(1).value<Error>();
            QVERIFY2(e.message.contains(u"the flag service serves other than the blast radius predicted: publishing.enabled is still served to"_s),
                     qPrintable(e.message));
        }
    }

    // Unleash: one advanced-playground call per grid, values joined by commas; its answer read back per context.
    void unleashPlayground()
    {
        Services::ContextGrid g;
        g.fields = {{u"clientId"_s, {u"house"_s}}, {u"lane"_s, {u"api"_s, u"browser"_s}}};
        const Result<json> body = Services::UnleashClient::playgroundBody(g, u"default"_s, u"production"_s);
        QVERIFY(body);
        JSON_EQ(body.value(), json::parse(R"({"environments":["production"],"projects":["default"],
                                               "context":{"appName":"raize-console","clientId":"house","lane":"api,browser"}})"));
        Services::ContextGrid comma;
        comma.fields = {{u"clientId"_s, {u"a,b"_s}}};
        QCOMPARE(Services::UnleashClient::playgroundBody(comma, u"default"_s, u"production"_s).error().kind, Error::Kind::Config);

        const QByteArray answer = R"({"input":{},"features":[
            {"name":"publishing.enabled","projectId":"default","environments":{"production":[
                {"isEnabled":true,"context":{"appName":"raize-console","clientId":"house","lane":"api"}},
                {"isEnabled":false,"context":{"appName":"raize-console","clientId":"house","lane":"browser"}}]}},
            {"name":"ui.other","projectId":"default","environments":{"production":[
                {"isEnabled":true,"context":{"appName":"raize-console","clientId":"house","lane":"api"}}]}}]})";
        const auto parsed = Services::UnleashClient::parsePlayground(answer, g, {u"publishing.enabled"_s, u"publishing.missing"_s}, u"production"_s);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
        QCOMPARE(parsed->size(), 2);
        QCOMPARE(parsed->at(0).context.value(u"lane"_s), u"api"_s);
        QVERIFY(parsed->at(0).on(u"publishing.enabled"_s));
        QVERIFY(!parsed->at(1).on(u"publishing.enabled"_s));
        QVERIFY(!parsed->at(0).on(u"publishing.missing"_s)); // a flag the server does not have is off
        // An answer for only some contexts is an error, not a guess.
        const QByteArray half = R"({"features":[{"name":"publishing.enabled","environments":{"production":[
                {"isEnabled":true,"context":{"clientId":"house","lane":"api"}}]}}]})";
        QCOMPARE(Services::UnleashClient::parsePlayground(half, g, {u"publishing.enabled"_s}, u"production"_s).error().kind, Error::Kind::Parse);
        QCOMPARE(Services::UnleashClient::parsePlayground("{\"features\": 3}", g, {u"publishing.enabled"_s}, u"production"_s).error().kind,
                 Error::Kind::Parse);

        Net::HttpClient http;
        Services::UnleashClient unleash(http, QUrl(u"http://127.0.0.1:1/"_s), u"default"_s, u"production"_s);
        Services::EvaluationQuery q;
        q.flags = {u"publishing.enabled"_s};
        q.grids = {g, g};
        const auto previews = unleash.previewEvaluateContexts(q);
        QCOMPARE(previews.size(), 2);
        QCOMPARE(previews[0].method, u"POST"_s);
        QCOMPARE(previews[0].path, u"/api/admin/playground/advanced"_s);
    }

    // LaunchDarkly: one evaluate call per context.
    void launchDarklyEvaluate()
    {
        const ContextFields c{{u"clientId"_s, u"house"_s}, {u"lane"_s, u"api"_s}};
        JSON_EQ(Services::LaunchDarklyClient::evaluationContext(c),
                 json::parse(R"({"kind":"user","key":"raize-console:house/api","clientId":"house","lane":"api"})"));
        const QByteArray answer = R"({"items":[{"key":"publishing.enabled","name":"p","_value":true,"_links":{}},
                                               {"key":"engagement.enabled","name":"e","_value":false,"_links":{}}],"totalCount":2})";
        const auto a = Services::LaunchDarklyClient::parseEvaluation(answer, c, {u"publishing.enabled"_s, u"engagement.enabled"_s});
        QVERIFY(a);
        QVERIFY(a->on(u"publishing.enabled"_s));
        QVERIFY(!a->on(u"engagement.enabled"_s));
        QVERIFY(!Services::LaunchDarklyClient::parseEvaluation("{\"items\":{}}", c, {}));
        Net::HttpClient http;
        Services::LaunchDarklyClient ld(http, QUrl(u"http://127.0.0.1:1/"_s), u"default"_s, u"production"_s);
        Services::EvaluationQuery q;
        Services::ContextGrid g;
        g.fields = {{u"clientId"_s, {u"house"_s, u"client-bloom"_s}}, {u"lane"_s, {u"api"_s, u"browser"_s}}};
        q.grids = {g};
        const auto previews = ld.previewEvaluateContexts(q);
        QCOMPARE(previews.size(), 4);
        QCOMPARE(previews[0].path, u"/api/v2/projects/default/environments/production/flags/evaluate"_s);
        // Prerequisites are read as dependencies.
        const QByteArray flagBody = R"({"key":"publishing.enabled","variations":[{"_id":"on","value":true},{"_id":"off","value":false}],
            "environments":{"production":{"on":true,"rules":[],"fallthrough":{"variation":0},
            "prerequisites":[{"key":"side-effects.kill","variation":0}]}}})";
        const auto f = Services::LaunchDarklyClient::parseFlag(flagBody, u"default"_s, u"production"_s);
        QVERIFY2(f, qPrintable(f ? QString() : f.error().toString()));
        QCOMPARE(f->dependencies.size(), 1);
        QCOMPARE(f->dependencies[0].feature, kParent);
        QVERIFY(dependsOn(*f, kParent));
    }
};

QTEST_GUILESS_MAIN(TestBlastRadius)
#include "tst_blast_radius.moc"
