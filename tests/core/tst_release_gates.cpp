// The promotion gates of issue #7: the policy's release sections, the pure
// gate engine (one row per playbook gate rule, boundaries included) and the
// approval rules.

#include "release/approval.h"
#include "release/factscollector.h"
#include "release/gates.h"
#include "services/github/githubclient.h"

#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

using Mutation = std::function<void(ReleaseFacts &)>;
Q_DECLARE_METATYPE(Mutation)
Q_DECLARE_METATYPE(GateResult::Status)

namespace {

const GatePolicy &policy()
{
    return GatePolicy::builtin();
}

QList<CheckFact> passing(const QStringList &names)
{
    QList<CheckFact> out;
    for (const QString &n : names)
        out << CheckFact{n, u"completed"_s, u"success"_s, u"https://github.test/checks/"_s + n, 0};
    return out;
}

CheckFact *findCheck(Known<QList<CheckFact>> &list, const QString &name)
{
    for (CheckFact &c : *list.value) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

// An L2 release that passes every gate.
ReleaseFacts goodFacts()
{
    ReleaseFacts f;
    f.deployment = Known<CandidateDeployment>::of({u"dpl_stage"_s, u"5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"_s, u"READY"_s,
                                                   u"stage.vercel.test"_s, u"staging"_s, 1000, u"main"_s},
                                                  u"https://vercel.test/dpl_stage"_s);
    f.productionDeploymentId = u"dpl_prod"_s;
    f.productionSha = u"a1b2c3d"_s;
    f.pulls = Known<QList<PullFact>>::of({PullFact{501, u"Storage retries"_s, u"dev-ana"_s, u"https://github.test/pull/501"_s,
                                                   {u"risk:L2"_s}, std::nullopt}});
    f.changedFiles = Known<QStringList>::of({u"src/storage/retry.ts"_s}, u"https://github.test/compare"_s);
    f.checks = Known<QList<CheckFact>>::of(passing(policy().requiredChecks + policy().l3Checks), u"https://github.test/commit/checks"_s);
    f.protection = Known<ProtectionFact>::of({false, policy().requiredChecks + policy().l3Checks, true, 2, false});
    f.deploymentChecks = Known<QList<CheckFact>>::of(passing(policy().deploymentChecks));
    f.productionFlags = Known<QMap<QString, bool>>::of({{u"publishing.enabled"_s, true}});
    ChangelogFact e;
    e.title = u"Storage retries back off"_s;
    e.fields = {{u"Risk"_s, u"L2"_s}, {u"Flags"_s, u"none"_s}, {u"Migration"_s, u"none"_s}, {u"Rollback"_s, u"redeploy the previous release"_s}};
    e.line = 10;
    f.changelog = Known<QList<ChangelogFact>>::of({e});
    f.deploymentProtection = Known<DeploymentProtectionFact>::of({u"prod_deployment_urls_and_all_previews"_s, {}, {}});
    f.retention = Known<RetentionFact>::of({true, 365, 10});
    f.sloBudgets = Known<QMap<QString, double>>::of({{u"publish_success"_s, 0.8}, {u"queue_delay"_s, 0.9}});
    return f;
}

void makeL3(ReleaseFacts &f)
{
    f.pulls.value->first().labels = {u"risk:L3"_s};
    f.changelog.value->first().fields[u"Risk"_s] = u"L3"_s;
}

void newFlag(ReleaseFacts &f, const QString &key)
{
    f.changelog.value->first().fields[u"Flags"_s] = u"`%1` (new, OFF in production)"_s.arg(key);
}

// A compared range as compact lines, oldest first: "sha parent1,parent2 | first line of the message".
QList<Services::GitHubCommit> rangeOf(const QStringList &lines)
{
    QList<Services::GitHubCommit> out;
    for (const QString &line : lines) {
        const QString head = line.section(u" | "_s, 0, 0), message = line.section(u" | "_s, 1);
        Services::GitHubCommit c;
        c.sha = head.section(u' ', 0, 0);
        c.parents = head.section(u' ', 1, 1).split(u',', Qt::SkipEmptyParts);
        c.message = message + u"\n\nbody text that is not the title (#999)"_s;
        out << c;
    }
    return out;
}

// Pull requests as "number mergeSha headSha [open]" ("-": none); merged unless "open".
QList<Services::GitHubPullRequest> pullsOf(const QStringList &lines)
{
    QList<Services::GitHubPullRequest> out;
    for (const QString &line : lines) {
        const QStringList f = line.split(u' ');
        Services::GitHubPullRequest p;
        p.number = f.value(0).toInt();
        p.title = u"pull %1"_s.arg(p.number);
        p.mergeCommitSha = f.value(1) == u"-"_s ? QString() : f.value(1);
        p.headSha = f.value(2) == u"-"_s ? QString() : f.value(2);
        p.state = u"closed"_s;
        if (f.value(3) != u"open"_s)
            p.mergedAt = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);
        out << p;
    }
    return out;
}

Policy::Bundle builtinWith(const std::function<void(json &)> &edit)
{
    Policy::Bundle b = Policy::builtinBundle();
    edit(b.doc);
    return b;
}

} // namespace

class TestReleaseGates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The gate reads [Unreleased] with the changelog parser: indented and "+"
    // entries count, placeholder bullets ("Nothing yet!") do not, so an
    // Unreleased with only a placeholder is "no entry" (§6.1), not a change
    // that lacks its fields.
    void unreleasedEntriesForTheGate_data()
    {
        QTest::addColumn<QString>("unreleased");
        QTest::addColumn<QStringList>("titles");
        const QString fields = u"\n    - Risk: L1\n    - Flags: none\n    - Migration: none\n    - Rollback: revert\n"_s;
        QTest::newRow("placeholder only") << u"### Added\n\n- Nothing yet!\n"_s << QStringList{};
        QTest::newRow("placeholder next to a change") << u"### Added\n\n- None.\n\n### Fixed\n\n  + **A fix** — x."_s + fields << QStringList{u"A fix"_s};
        QTest::newRow("indented entries") << u"### Added\n\n  - **One** — x."_s + fields + u"  - **Two** — y."_s + fields << QStringList{u"One"_s, u"Two"_s};
    }

    void unreleasedEntriesForTheGate()
    {
        QFETCH(QString, unreleased);
        QFETCH(QStringList, titles);
        const QList<ChangelogFact> facts = FactsCollector::unreleasedEntries(u"# Changelog\n\n## [Unreleased]\n\n"_s + unreleased
                                                                              + u"\n## [1.0.0] - 2026-01-01\n\n### Added\n\n- First.\n"_s);
        QStringList got;
        for (const ChangelogFact &f : facts) {
            got << f.title;
            QCOMPARE(f.fields.value(u"Risk"_s), u"L1"_s);
            QCOMPARE(f.fields.value(u"Rollback"_s), u"revert"_s);
        }
        QCOMPARE(got, titles);
    }

    void builtinPolicy()
    {
        const Result<GatePolicy> p = GatePolicy::fromBundle(Policy::builtinBundle());
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QCOMPARE(p->requiredChecks.size(), 7); // §3.3 baseline
        QCOMPARE(p->l3Checks.size(), 3);       // §3.3 L3 extras
        QCOMPARE(p->deploymentChecks.size(), 7); // §5.1 minimum
        QCOMPARE(p->minReviews, 1);
        QCOMPARE(p->minReviewsL3, 2);
        QCOMPARE(p->approvalsL3, 2);
        QVERIFY(!p->authorsMayApprove);
        QCOMPARE(p->changelogFields, QStringList({u"Risk"_s, u"Flags"_s, u"Migration"_s, u"Rollback"_s}));
        for (const QString &id : gateIds())
            QVERIFY2(p->overrides.contains(id), qPrintable(id)); // the bundle decides every gate explicitly
        QVERIFY(p->unmappedCommits == Override::Allowed);     // direct pushes: a reviewer may accept them with a reason
        // The other engineers' sections are still there.
        QVERIFY(Policy::builtinBundle().section("rollback").is_object());
    }

    void policyErrors_data()
    {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("value"); // JSON text; empty: remove the key
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("levels missing") << u"/levels"_s << QString() << u"levels"_s << u"missing"_s;
        QTest::newRow("unlabelled L4") << u"/levels/unlabelled"_s << u"\"L4\""_s << u"levels.unlabelled"_s << u"not a release level"_s;
        QTest::newRow("side-effect prefixes empty") << u"/sideEffectFlags/prefixes"_s << u"[]"_s
                                                    << u"sideEffectFlags.prefixes"_s << u"must not be empty"_s;
        QTest::newRow("side-effect list missing") << u"/sideEffectFlags"_s << QString() << u"sideEffectFlags"_s << u"missing"_s;
        // The two lists of bundles written before ADR 0017 pass only when they agree with the one list.
        QTest::newRow("old levels list disagrees on tokens.")
            << u"/levels/sideEffectFlagPrefixes"_s << u"[\"publishing.\", \"engagement.\", \"browser-lane.\"]"_s
            << u"levels.sideEffectFlagPrefixes"_s << u"tokens. only in sideEffectFlags.prefixes"_s;
        QTest::newRow("path rule without level") << u"/pathRules/1/level"_s << QString() << u"pathRules[1].level"_s << u"missing"_s;
        QTest::newRow("path rule bad kind") << u"/pathRules/0/kind"_s << u"\"schema\""_s << u"pathRules[0].kind"_s << u"not one of"_s;
        QTest::newRow("path rule not an object") << u"/pathRules/2"_s << u"\"docs/**\""_s << u"pathRules[2]"_s << u"must be an object"_s;
        QTest::newRow("required checks empty") << u"/gates/requiredChecks"_s << u"[]"_s << u"gates.requiredChecks"_s << u"must not be empty"_s;
        QTest::newRow("required check not a string") << u"/gates/requiredChecks/3"_s << u"7"_s << u"gates.requiredChecks[3]"_s
                                                     << u"non-empty string"_s;
        QTest::newRow("required check twice") << u"/gates/requiredChecks/1"_s << u"\"lint\""_s << u"gates.requiredChecks"_s << u"twice"_s;
        QTest::newRow("min reviews 0") << u"/gates/minReviews/default"_s << u"0"_s << u"gates.minReviews.default"_s << u"at least 1"_s;
        QTest::newRow("L3 reviews below default") << u"/gates/minReviews/L3"_s << u"0"_s << u"gates.minReviews.L3"_s << u"not be lower"_s;
        QTest::newRow("min reviews unknown level") << u"/gates/minReviews/L2"_s << u"1"_s << u"gates.minReviews.L2"_s << u"unknown key"_s;
        QTest::newRow("deployment checks missing") << u"/gates/deploymentChecks"_s << QString() << u"gates.deploymentChecks"_s << u"missing"_s;
        QTest::newRow("override of no gate") << u"/overrides/gates/coffee"_s << u"\"allowed\""_s << u"overrides.gates.coffee"_s
                                             << u"no such gate"_s;
        QTest::newRow("override neither") << u"/overrides/gates/changelog"_s << u"\"maybe\""_s << u"overrides.gates.changelog"_s
                                          << u"\"allowed\", \"forbidden\" or \"two-reviewers\""_s;
        QTest::newRow("unmapped commits neither") << u"/overrides/unmappedCommits"_s << u"\"sometimes\""_s << u"overrides.unmappedCommits"_s
                                                  << u"\"allowed\" or \"forbidden\""_s;
        QTest::newRow("reason length 0") << u"/overrides/minReasonChars"_s << u"0"_s << u"overrides.minReasonChars"_s << u"integer from 1"_s;
        QTest::newRow("promote via ftp") << u"/promotion/via/1"_s << u"\"ftp\""_s << u"promotion.via[1]"_s << u"not one of"_s;
        QTest::newRow("approvals 0") << u"/promotion/approvals/default"_s << u"0"_s << u"promotion.approvals.default"_s << u"at least 1"_s;
        QTest::newRow("authorsMayApprove string") << u"/promotion/authorsMayApprove"_s << u"\"no\""_s << u"promotion.authorsMayApprove"_s
                                                  << u"true or false"_s;
        QTest::newRow("protection type unknown") << u"/gates/deploymentProtection/passing/0"_s << u"\"everything\""_s
                                                 << u"gates.deploymentProtection.passing[0]"_s << u"not a Vercel deploymentType"_s;
        QTest::newRow("keep 0 production deployments") << u"/gates/rollbackTargets/keepProduction"_s << u"0"_s
                                                       << u"gates.rollbackTargets.keepProduction"_s << u"integer from 1"_s;
        QTest::newRow("budget floor above 1") << u"/gates/errorBudget/floor"_s << u"1.5"_s << u"gates.errorBudget.floor"_s << u"from 0 to 1"_s;
        QTest::newRow("budget mapping without flags or paths") << u"/gates/errorBudget/slos/0"_s << u"{\"slo\": \"publish_success\"}"_s
                                                               << u"gates.errorBudget.slos[0]"_s << u"never apply"_s;
        QTest::newRow("override kind unknown") << u"/overrides/gates/error-budget"_s << u"\"three-reviewers\""_s
                                               << u"overrides.gates.error-budget"_s << u"two-reviewers"_s;
        QTest::newRow("staging gate set names no gate") << u"/promotion/staging/gates/1"_s << u"\"coffee\""_s << u"promotion.staging.gates[1]"_s
                                                        << u"no such gate"_s;
        QTest::newRow("changelog path absolute") << u"/gates/changelogPath"_s << u"\"/etc/CHANGELOG.md\""_s << u"gates.changelogPath"_s
                                                 << u"inside the repository"_s;
        QTest::newRow("force push rule not a boolean") << u"/gates/branchProtection/forbidForcePushes"_s << u"\"yes\""_s
                                                       << u"gates.branchProtection.forbidForcePushes"_s << u"true or false"_s;
        QTest::newRow("stuck minutes negative") << u"/promotion/stuckMinutes/building"_s << u"-5"_s << u"promotion.stuckMinutes.building"_s
                                                << u"integer from 1"_s;
    }

    void policyErrors()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const Policy::Bundle b = builtinWith([&](json &doc) {
            const json::json_pointer ptr(pointer.toStdString());
            if (value.isEmpty())
                doc[ptr.parent_pointer()].erase(ptr.back());
            else
                doc[ptr] = json::parse(value.toStdString());
        });
        const Result<GatePolicy> p = GatePolicy::fromBundle(b);
        QVERIFY(!p.ok()); // never a half-read policy
        QCOMPARE(p.error().kind, Error::Kind::Config);
        QCOMPARE(p.error().fieldPath, field);
        QVERIFY2(p.error().message.contains(message), qPrintable(p.error().message));
        QVERIFY2(p.error().message.contains(field), qPrintable(p.error().message));
    }

    void globs_data()
    {
        QTest::addColumn<QString>("glob");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("matches");
        QTest::newRow("** any depth") << u"src/publish/**"_s << u"src/publish/a/b/c.ts"_s << true;
        QTest::newRow("** direct child") << u"src/publish/**"_s << u"src/publish/x.ts"_s << true;
        QTest::newRow("prefix is not a folder") << u"src/publish/**"_s << u"src/publisher.ts"_s << false;
        QTest::newRow("**/ at top level") << u"**/*.md"_s << u"README.md"_s << true;
        QTest::newRow("**/ nested") << u"**/*.md"_s << u"docs/a/b.md"_s << true;
        QTest::newRow("* stays in a folder") << u"src/*.ts"_s << u"src/a/b.ts"_s << false;
        QTest::newRow("? one character") << u"v?.sql"_s << u"v1.sql"_s << true;
        QTest::newRow("dot is literal") << u"package-lock.json"_s << u"package-lockXjson"_s << false;
    }

    void globs()
    {
        QFETCH(QString, glob);
        QFETCH(QString, path);
        QFETCH(bool, matches);
        QCOMPARE(globToRegex(glob).match(path).hasMatch(), matches);
    }

    void level_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("level"); // "unknown" when it cannot be known
        QTest::newRow("label risk:L2") << Mutation([](ReleaseFacts &) {}) << u"L2"_s;
        QTest::newRow("label risk:L3") << Mutation([](ReleaseFacts &f) { f.pulls.value->first().labels = {u"risk:L3"_s}; }) << u"L3"_s;
        QTest::newRow("unlabelled: policy default L2") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->first().labels = {u"bug"_s};
            *f.changedFiles.value = {u"docs/x.md"_s};
        }) << u"L2"_s;
        QTest::newRow("docs only, label L0") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->first().labels = {u"risk:L0"_s};
            *f.changedFiles.value = {u"docs/guide.md"_s, u"README.md"_s};
        }) << u"L0"_s;
        QTest::newRow("UI only, label L1") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->first().labels = {u"risk:L1"_s};
            *f.changedFiles.value = {u"src/ui/button.tsx"_s};
        }) << u"L2"_s; // src/** is L2 and the highest matching rule wins
        QTest::newRow("label L1 but path rule L3") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->first().labels = {u"risk:L1"_s};
            *f.changedFiles.value = {u"src/publish/retry.ts"_s};
        }) << u"L3"_s;
        QTest::newRow("highest of several pull requests") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->append(PullFact{502, u"x"_s, u"dev-bo"_s, {}, {u"risk:L3"_s}, 2});
        }) << u"L3"_s;
        QTest::newRow("two labels: the higher") << Mutation([](ReleaseFacts &f) { f.pulls.value->first().labels = {u"risk:L1"_s, u"risk:L3"_s}; })
                                               << u"L3"_s;
        QTest::newRow("nothing changed: L0") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->clear();
            f.changedFiles.value->clear();
        }) << u"L0"_s;
        QTest::newRow("pulls unknown, files L3: L3") << Mutation([](ReleaseFacts &f) {
            f.pulls = Known<QList<PullFact>>::missing(u"github down"_s);
            *f.changedFiles.value = {u"src/dm/x.ts"_s};
        }) << u"L3"_s;
        QTest::newRow("pulls unknown, files L2: unknown") << Mutation([](ReleaseFacts &f) { f.pulls = Known<QList<PullFact>>::missing(u"x"_s); })
                                                         << u"unknown"_s;
        QTest::newRow("files unknown, label L3: L3") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->first().labels = {u"risk:L3"_s};
            f.changedFiles = Known<QStringList>::missing(u"x"_s);
        }) << u"L3"_s;
        QTest::newRow("files unknown, label L2: unknown") << Mutation([](ReleaseFacts &f) { f.changedFiles = Known<QStringList>::missing(u"x"_s); })
                                                         << u"unknown"_s;
    }

    void level()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, level);
        ReleaseFacts f = goodFacts();
        mutate(f);
        const ReleaseScope s = scopeOf(policy(), f);
        QCOMPARE(s.level ? levelName(*s.level) : u"unknown"_s, level);
    }

    void scopeParts()
    {
        ReleaseFacts f = goodFacts();
        *f.changedFiles.value = {u"migrations/0042_add_index.sql"_s, u"alerts/publish.yml"_s, u"docs/runbooks/publish-failures.md"_s};
        f.pulls.value->first().labels << u"flag:engagement.auto-reply"_s;
        newFlag(f, u"publishing.scheduler-v3"_s);
        const ReleaseScope s = scopeOf(policy(), f);
        QCOMPARE(s.migrations, QStringList{u"migrations/0042_add_index.sql"_s});
        QCOMPARE(s.alertFiles, QStringList{u"alerts/publish.yml"_s});
        QCOMPARE(s.runbooks, QStringList{u"docs/runbooks/publish-failures.md"_s});
        QCOMPARE(s.flags.size(), 2);
        QCOMPARE(s.flags[0].key, u"engagement.auto-reply"_s);
        QVERIFY(!s.flags[0].isNew);
        QVERIFY(s.flags[0].sideEffect);
        QCOMPARE(s.flags[1].key, u"publishing.scheduler-v3"_s);
        QVERIFY(s.flags[1].isNew);
    }

    void allGoodPasses()
    {
        const GateVerdict v = evaluate(policy(), goodFacts());
        QCOMPARE(v.results.size(), gateIds().size());
        for (qsizetype i = 0; i < v.results.size(); ++i) {
            QCOMPARE(v.results[i].id, gateIds()[i]);
            QVERIFY2(v.results[i].status == GateResult::Status::Pass, qPrintable(v.results[i].id + u": "_s + v.results[i].reason));
        }
        QVERIFY(!v.blocked());
        QVERIFY(v.blockingReasons().isEmpty());
        QVERIFY(v.toJson()["verdict"] == "pass");
    }

    // One row per gate rule of the playbook (§3.2, §3.3, §4.3, §5.1, §6.1, §8.6), boundaries included.
    void gateRules_data()
    {
        using S = GateResult::Status;
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("gate");
        QTest::addColumn<GateResult::Status>("status");
        QTest::addColumn<QString>("reason");
        const auto row = [](const char *name, Mutation m, const QString &gate, S s, const QString &reason) {
            QTest::newRow(name) << std::move(m) << gate << s << reason;
        };
        const QString ready = u"deployment-ready"_s, checks = u"status-checks"_s, prot = u"branch-protection"_s, l3 = u"l3-checks"_s,
                      rev = u"reviews"_s, dc = u"deployment-checks"_s, flags = u"l3-flags-off"_s, cl = u"changelog"_s, rb = u"runbooks"_s,
                      mig = u"migrations"_s;
        const auto setState = [](const QString &state) { return [state](ReleaseFacts &f) { f.deployment.value->state = state; }; };
        const auto check = [](const QString &name, const QString &status, const QString &conclusion) {
            return [=](ReleaseFacts &f) {
                CheckFact *c = findCheck(f.checks, name);
                c->status = status;
                c->conclusion = conclusion;
            };
        };
        const auto dcheck = [](const QString &name, const QString &status, const QString &conclusion) {
            return [=](ReleaseFacts &f) {
                CheckFact *c = findCheck(f.deploymentChecks, name);
                c->status = status;
                c->conclusion = conclusion;
            };
        };

        // The candidate deployment.
        row("ready: READY", [](ReleaseFacts &) {}, ready, S::Pass, u"is READY"_s);
        row("ready: BUILDING", setState(u"BUILDING"_s), ready, S::Fail, u"BUILDING, not READY"_s);
        row("ready: ERROR", setState(u"ERROR"_s), ready, S::Fail, u"ERROR"_s);
        row("ready: unknown", [](ReleaseFacts &f) { f.deployment = Known<CandidateDeployment>::missing(u"vercel: HTTP 502"_s); }, ready,
            S::Unknown, u"vercel: HTTP 502"_s);

        // §3.3 required status checks: each of the seven, and every way one can be not green.
        const QStringList req = {u"lint"_s, u"typecheck"_s, u"unit"_s, u"integration"_s, u"migration-checks"_s, u"security"_s, u"smoke"_s};
        for (const QString &name : req) {
            QTest::newRow(qPrintable(u"checks: %1 failed"_s.arg(name)))
                << Mutation(check(name, u"completed"_s, u"failure"_s)) << checks << S::Fail << u"failed: %1 (failure)"_s.arg(name);
            QTest::newRow(qPrintable(u"checks: %1 never reported"_s.arg(name)))
                << Mutation([name](ReleaseFacts &f) { findCheck(f.checks, name)->name = u"other"_s; }) << checks << S::Fail
                << u"never reported: %1"_s.arg(name);
        }
        row("checks: all green", [](ReleaseFacts &) {}, checks, S::Pass, u"all 7 required status checks passed"_s);
        row("checks: unit still running", check(u"unit"_s, u"in_progress"_s, {}), checks, S::Fail, u"still running: unit"_s);
        row("checks: queued", check(u"lint"_s, u"queued"_s, {}), checks, S::Fail, u"still running: lint"_s);
        row("checks: cancelled", check(u"security"_s, u"completed"_s, u"cancelled"_s), checks, S::Fail, u"security (cancelled)"_s);
        row("checks: timed out", check(u"integration"_s, u"completed"_s, u"timed_out"_s), checks, S::Fail, u"integration (timed_out)"_s);
        row("checks: action_required", check(u"smoke"_s, u"completed"_s, u"action_required"_s), checks, S::Fail, u"smoke (action_required)"_s);
        row("checks: skipped smoke passes (as applicable)", check(u"smoke"_s, u"completed"_s, u"skipped"_s), checks, S::Pass, u"passed"_s);
        row("checks: neutral passes", check(u"lint"_s, u"completed"_s, u"neutral"_s), checks, S::Pass, u"passed"_s);
        row("checks: names compare case-insensitively", [](ReleaseFacts &f) { findCheck(f.checks, u"lint"_s)->name = u"Lint"_s; }, checks,
            S::Pass, u"passed"_s);
        row("checks: unknown", [](ReleaseFacts &f) { f.checks = Known<QList<CheckFact>>::missing(u"github: rate limited"_s); }, checks,
            S::Unknown, u"github: rate limited"_s);

        // §3.2 branch protection.
        row("protection: requires all", [](ReleaseFacts &) {}, prot, S::Pass, u"requires the 7 checks"_s);
        row("protection: unprotected", [](ReleaseFacts &f) { f.protection.value->unprotected = true; }, prot, S::Fail, u"main is not protected"_s);
        row("protection: security not required", [](ReleaseFacts &f) { f.protection.value->contexts.removeAll(u"security"_s); }, prot,
            S::Fail, u"does not require security"_s);
        row("protection: not strict", [](ReleaseFacts &f) { f.protection.value->strict = false; }, prot, S::Fail, u"up to date"_s);
        row("protection: L2 need not require L3 checks", [](ReleaseFacts &f) { f.protection.value->contexts = policy().requiredChecks; }, prot,
            S::Pass, u"7 checks"_s);
        row("protection: L3 must require L3 checks", [](ReleaseFacts &f) {
            makeL3(f);
            f.protection.value->contexts = policy().requiredChecks;
        }, prot, S::Fail, u"does not require side-effect-contracts, policy-engine-regression, browser-lane-smoke"_s);
        row("protection: unknown", [](ReleaseFacts &f) { f.protection = Known<ProtectionFact>::missing(u"github: HTTP 403"_s); }, prot,
            S::Unknown, u"HTTP 403"_s);

        // §3.3 L3 extra checks.
        row("l3: not required for L2", [](ReleaseFacts &f) { f.checks.value->removeIf([](const CheckFact &c) { return policy().l3Checks.contains(c.name); }); },
            l3, S::Pass, u"not required: the release is L2"_s);
        row("l3: L3 with all three", makeL3, l3, S::Pass, u"all 3 required L3 checks passed"_s);
        for (const QString &name : {u"side-effect-contracts"_s, u"policy-engine-regression"_s, u"browser-lane-smoke"_s}) {
            QTest::newRow(qPrintable(u"l3: %1 failed"_s.arg(name))) << Mutation([name](ReleaseFacts &f) {
                makeL3(f);
                findCheck(f.checks, name)->conclusion = u"failure"_s;
            }) << l3 << S::Fail << u"failed: %1"_s.arg(name);
        }
        row("l3: L3 by path rule, browser smoke missing", [](ReleaseFacts &f) {
            f.pulls.value->first().labels = {};
            *f.changedFiles.value = {u"src/browser/driver.ts"_s};
            f.checks.value->removeIf([](const CheckFact &c) { return c.name == u"browser-lane-smoke"_s; });
        }, l3, S::Fail, u"never reported: browser-lane-smoke"_s);
        row("l3: L3 check running", [](ReleaseFacts &f) {
            makeL3(f);
            findCheck(f.checks, u"policy-engine-regression"_s)->status = u"in_progress"_s;
        }, l3, S::Fail, u"still running: policy-engine-regression"_s);
        row("l3: level unknown", [](ReleaseFacts &f) { f.pulls = Known<QList<PullFact>>::missing(u"github: timeout"_s); }, l3, S::Unknown,
            u"release level is unknown"_s);
        row("l3: L3 and checks unknown", [](ReleaseFacts &f) {
            makeL3(f);
            f.checks = Known<QList<CheckFact>>::missing(u"github: timeout"_s);
        }, l3, S::Unknown, u"timeout"_s);

        // §3.2 reviews: min 1, more (2) for L3.
        const auto approvals = [](std::optional<int> n) { return [n](ReleaseFacts &f) { f.pulls.value->first().approvals = n; }; };
        row("reviews: L2 with 1", approvals(1), rev, S::Pass, u"at least 1"_s);
        row("reviews: L2 with 0", approvals(0), rev, S::Fail, u"#501 has 0 of 1"_s);
        row("reviews: L3 with 1 (boundary)", [](ReleaseFacts &f) {
            makeL3(f);
            f.pulls.value->first().approvals = 1;
        }, rev, S::Fail, u"#501 has 1 of 2"_s);
        row("reviews: L3 with 2", [](ReleaseFacts &f) {
            makeL3(f);
            f.pulls.value->first().approvals = 2;
        }, rev, S::Pass, u"at least 2"_s);
        row("reviews: not reported, protection requires 1, L2", [](ReleaseFacts &f) { f.protection.value->requiredApprovals = 1; }, rev,
            S::Pass, u"main requires 1 approving review(s)"_s);
        row("reviews: not reported, protection requires 1, L3", [](ReleaseFacts &f) {
            makeL3(f);
            f.protection.value->requiredApprovals = 1;
        }, rev, S::Fail, u"L3 needs 2"_s);
        row("reviews: not reported, protection requires 2, L3", makeL3, rev, S::Pass, u"main requires 2"_s);
        row("reviews: not reported, protection requires 0", [](ReleaseFacts &f) { f.protection.value->requiredApprovals = 0; }, rev, S::Fail,
            u"were not reported"_s);
        row("reviews: not reported, unprotected", [](ReleaseFacts &f) { f.protection.value->unprotected = true; }, rev, S::Fail,
            u"main requires 0"_s);
        row("reviews: not reported, protection unknown", [](ReleaseFacts &f) { f.protection = Known<ProtectionFact>::missing(u"github: 502"_s); },
            rev, S::Unknown, u"github: 502"_s);
        row("reviews: one of two short", [](ReleaseFacts &f) {
            f.pulls.value->first().approvals = 3;
            f.pulls.value->append(PullFact{502, u"x"_s, u"dev-bo"_s, u"https://github.test/pull/502"_s, {u"risk:L1"_s}, 0});
        }, rev, S::Fail, u"#502 has 0 of 1"_s);
        row("reviews: empty range", [](ReleaseFacts &f) { f.pulls.value->clear(); }, rev, S::Pass, u"nothing to review"_s);
        row("reviews: a direct push", [](ReleaseFacts &f) { f.unmappedCommits = {{u"d1e2f3a4b5c6"_s, u"hotfix: typo"_s}}; }, rev, S::Unknown,
            u"d1e2f3a \"hotfix: typo\""_s);
        row("reviews: a direct push and a short review", [](ReleaseFacts &f) {
            f.pulls.value->first().approvals = 0;
            f.unmappedCommits = {{u"d1e2f3a4b5c6"_s, u"hotfix: typo"_s}};
        }, rev, S::Fail, u"#501 has 0 of 2"_s); // a definite "too few" wins, and cannot be accepted away
        row("l3: a direct push makes the level unknown", [](ReleaseFacts &f) { f.unmappedCommits = {{u"d1e2f3a4b5c6"_s, u"x"_s}}; }, l3,
            S::Unknown, u"map to no merged pull request"_s);
        row("l3: a direct push in an L3 release", [](ReleaseFacts &f) {
            makeL3(f);
            f.unmappedCommits = {{u"d1e2f3a4b5c6"_s, u"x"_s}};
        }, l3, S::Pass, u"all 3 required L3 checks passed"_s);
        row("reviews: pulls unknown", [](ReleaseFacts &f) {
            f.pulls = Known<QList<PullFact>>::missing(u"github: 500"_s);
            *f.changedFiles.value = {u"src/dm/a.ts"_s};
        }, rev, S::Unknown, u"github: 500"_s);

        // §5.1 Vercel Deployment Checks: each of the seven.
        for (const QString &name : policy().deploymentChecks) {
            QTest::newRow(qPrintable(u"deployment checks: %1 failed"_s.arg(name)))
                << Mutation(dcheck(name, u"completed"_s, u"failed"_s)) << dc << S::Fail << u"failed: %1 (failed)"_s.arg(name);
        }
        row("deployment checks: all succeeded", [](ReleaseFacts &) {}, dc, S::Pass, u"all 7 required deployment checks passed"_s);
        row("deployment checks: one missing", [](ReleaseFacts &f) { f.deploymentChecks.value->removeLast(); }, dc, S::Fail,
            u"never reported: basic UI navigation smoke"_s);
        row("deployment checks: one running", dcheck(u"runner heartbeat"_s, u"running"_s, {}), dc, S::Fail, u"still running: runner heartbeat"_s);
        row("deployment checks: one registered", dcheck(u"queue connectivity"_s, u"registered"_s, {}), dc, S::Fail, u"still running"_s);
        row("deployment checks: another blocking check failed", [](ReleaseFacts &f) {
            f.deploymentChecks.value->append(CheckFact{u"console: SLO burn"_s, u"completed"_s, u"failed"_s, {}, 0});
        }, dc, S::Fail, u"console: SLO burn (failed)"_s);
        row("deployment checks: unknown", [](ReleaseFacts &f) { f.deploymentChecks = Known<QList<CheckFact>>::missing(u"vercel: 429"_s); }, dc,
            S::Unknown, u"vercel: 429"_s);

        // §4.3 new L3 flags OFF in production.
        const auto prodFlag = [](const QString &key, bool on) { return [=](ReleaseFacts &f) { f.productionFlags.value->insert(key, on); }; };
        row("flags: none new", [](ReleaseFacts &) {}, flags, S::Pass, u"no new L3 flag"_s);
        row("flags: new side-effect flag OFF", [=](ReleaseFacts &f) {
            newFlag(f, u"publishing.scheduler-v3"_s);
            prodFlag(u"publishing.scheduler-v3"_s, false)(f);
        }, flags, S::Pass, u"OFF in production: publishing.scheduler-v3"_s);
        row("flags: new side-effect flag ON", [=](ReleaseFacts &f) {
            newFlag(f, u"engagement.auto-reply"_s);
            prodFlag(u"engagement.auto-reply"_s, true)(f);
        }, flags, S::Fail, u"ON in production: engagement.auto-reply"_s);
        row("flags: new flag not created yet", [](ReleaseFacts &f) { newFlag(f, u"browser-lane.dom-v4"_s); }, flags, S::Pass, u"not created yet"_s);
        row("flags: new non-side-effect flag ON in an L2 release", [=](ReleaseFacts &f) {
            newFlag(f, u"ui.dark-mode"_s);
            prodFlag(u"ui.dark-mode"_s, true)(f);
        }, flags, S::Pass, u"no new L3 flag"_s);
        row("flags: new flag ON in an L3 release", [=](ReleaseFacts &f) {
            makeL3(f);
            newFlag(f, u"ui.dark-mode"_s);
            prodFlag(u"ui.dark-mode"_s, true)(f);
        }, flags, S::Fail, u"ON in production: ui.dark-mode"_s);
        row("flags: existing side-effect flag ON is not new", [=](ReleaseFacts &f) {
            f.changelog.value->first().fields[u"Flags"_s] = u"`publishing.enabled` (unchanged)"_s;
        }, flags, S::Pass, u"no new L3 flag"_s);
        row("flags: label flag: is touched, not new", [](ReleaseFacts &f) { f.pulls.value->first().labels << u"flag:publishing.enabled"_s; },
            flags, S::Pass, u"no new L3 flag"_s);
        row("flags: new in changelog and label ON", [](ReleaseFacts &f) {
            f.pulls.value->first().labels << u"flag:tokens.refresh-v2"_s;
            newFlag(f, u"tokens.refresh-v2"_s);
            f.productionFlags.value->insert(u"tokens.refresh-v2"_s, true);
        }, flags, S::Fail, u"tokens.refresh-v2"_s);
        row("flags: production flags unknown", [](ReleaseFacts &f) {
            newFlag(f, u"publishing.x"_s);
            f.productionFlags = Known<QMap<QString, bool>>::missing(u"unleash: connection refused"_s);
        }, flags, S::Unknown, u"connection refused"_s);
        row("flags: changelog unknown", [](ReleaseFacts &f) { f.changelog = Known<QList<ChangelogFact>>::missing(u"no CHANGELOG.md"_s); }, flags,
            S::Unknown, u"new flags are not known"_s);

        // §8.6 changelog entry fields.
        const auto field = [](const QString &name, const QString &value) {
            return [=](ReleaseFacts &f) { f.changelog.value->first().fields[name] = value; };
        };
        row("changelog: complete", [](ReleaseFacts &) {}, cl, S::Pass, u"1 entry"_s);
        row("changelog: no entry", [](ReleaseFacts &f) { f.changelog.value->clear(); }, cl, S::Fail, u"no entry under [Unreleased]"_s);
        row("changelog: no description", [](ReleaseFacts &f) { f.changelog.value->first().title = u"  "_s; }, cl, S::Fail,
            u"line 10: no operator-facing description"_s);
        for (const QString &name : {u"Risk"_s, u"Flags"_s, u"Migration"_s, u"Rollback"_s}) {
            QTest::newRow(qPrintable(u"changelog: no %1"_s.arg(name)))
                << Mutation([name](ReleaseFacts &f) { f.changelog.value->first().fields.remove(name); }) << cl << S::Fail
                << u"line 10: no %1"_s.arg(name);
        }
        row("changelog: empty Rollback", field(u"Rollback"_s, u" "_s), cl, S::Fail, u"no Rollback"_s);
        row("changelog: Risk not a level", field(u"Risk"_s, u"high"_s), cl, S::Fail, u"Risk \"high\" is not L0–L3"_s);
        row("changelog: Risk L4", field(u"Risk"_s, u"L4"_s), cl, S::Fail, u"not L0–L3"_s);
        row("changelog: Risk below the release level", [](ReleaseFacts &f) { f.pulls.value->first().labels = {u"risk:L3"_s}; }, cl, S::Fail,
            u"entries say L2 at most but the release is L3"_s);
        row("changelog: Risk equals the release level", makeL3, cl, S::Pass, u"1 entry"_s);
        row("changelog: Risk above the release level", field(u"Risk"_s, u"L3"_s), cl, S::Pass, u"1 entry"_s);
        row("changelog: second entry incomplete", [](ReleaseFacts &f) {
            ChangelogFact e = f.changelog.value->first();
            e.line = 20;
            e.fields.remove(u"Migration"_s);
            f.changelog.value->append(e);
        }, cl, S::Fail, u"line 20: no Migration"_s);
        row("changelog: unknown", [](ReleaseFacts &f) { f.changelog = Known<QList<ChangelogFact>>::missing(u"cannot read CHANGELOG.md"_s); }, cl,
            S::Unknown, u"cannot read"_s);

        // §6.1 runbooks for new alert types.
        row("runbooks: no alerts changed", [](ReleaseFacts &) {}, rb, S::Pass, u"no alert definitions"_s);
        row("runbooks: alert without runbook", [](ReleaseFacts &f) { f.changedFiles.value->append(u"alerts/queue-stuck.yml"_s); }, rb, S::Fail,
            u"alerts/queue-stuck.yml change alert types but no runbook"_s);
        row("runbooks: alert with runbook", [](ReleaseFacts &f) {
            f.changedFiles.value->append({u"alerts/queue-stuck.yml"_s, u"docs/runbooks/queue-stuck.md"_s});
        }, rb, S::Pass, u"with runbooks docs/runbooks/queue-stuck.md"_s);
        row("runbooks: files unknown", [](ReleaseFacts &f) { f.changedFiles = Known<QStringList>::missing(u"github: 404"_s); }, rb, S::Unknown,
            u"github: 404"_s);

        // §6.1 migrations.
        const auto withMigration = [](ReleaseFacts &f) { f.changedFiles.value->append(u"migrations/0042_drop_column.sql"_s); };
        row("migrations: none", [](ReleaseFacts &) {}, mig, S::Pass, u"no migrations"_s);
        row("migrations: neither compatible nor window", withMigration, mig, S::Fail, u"neither marked backward-compatible"_s);
        row("migrations: .sql outside migrations/", [](ReleaseFacts &f) { f.changedFiles.value->append(u"db/seed.sql"_s); }, mig, S::Fail,
            u"db/seed.sql"_s);
        row("migrations: backward-compatible label", [=](ReleaseFacts &f) {
            withMigration(f);
            f.pulls.value->first().labels << u"migration:backward-compatible"_s;
        }, mig, S::Pass, u"backward-compatible (label migration:backward-compatible on #501)"_s);
        row("migrations: maintenance window label", [=](ReleaseFacts &f) {
            withMigration(f);
            f.pulls.value->first().labels << u"maintenance-window:2026-11-29T02:00Z"_s;
        }, mig, S::Pass, u"maintenance window 2026-11-29T02:00Z"_s);
        row("migrations: empty window label does not count", [=](ReleaseFacts &f) {
            withMigration(f);
            f.pulls.value->first().labels << u"maintenance-window:"_s;
        }, mig, S::Fail, u"neither"_s);
        row("migrations: window recorded in the console", [=](ReleaseFacts &f) {
            withMigration(f);
            f.maintenanceWindow = u"Sun 02:00–03:00 UTC"_s;
        }, mig, S::Pass, u"maintenance window Sun 02:00–03:00 UTC"_s);
        row("migrations: labels unknown", [=](ReleaseFacts &f) {
            withMigration(f);
            f.pulls = Known<QList<PullFact>>::missing(u"github: 503"_s);
        }, mig, S::Unknown, u"github: 503"_s);
        row("migrations: files unknown", [](ReleaseFacts &f) { f.changedFiles = Known<QStringList>::missing(u"github: 503"_s); }, mig, S::Unknown,
            u"github: 503"_s);
        // Issue #17 item 3: the migration files read at the candidate (MigrationSource), their markers first.
        const auto report = [](Compatibility c, const QString &why) {
            return [=](ReleaseFacts &f) {
                f.changedFiles.value->append(u"migrations/0042_drop_column.sql"_s);
                MigrationReport r;
                r.base = f.productionSha;
                r.head = f.deployment->sha;
                r.files << MigrationFile{u"migrations/0042_drop_column.sql"_s, u"added"_s, c, why};
                f.migrationReport = Known<MigrationReport>::of(r, u"https://github.test/compare"_s);
            };
        };
        row("migrations: marked compatible at the candidate", report(Compatibility::Compatible, u"marker raize:backward-compatible"_s), mig,
            S::Pass, u"read at 5e6f708"_s);
        row("migrations: marked incompatible at the candidate", report(Compatibility::Incompatible, u"marker raize:incompatible"_s), mig, S::Fail,
            u"breaking, and no maintenance window"_s);
        row("migrations: incompatible wins over a compatible label", [=](ReleaseFacts &f) {
            report(Compatibility::Incompatible, u"marker raize:incompatible"_s)(f);
            f.pulls.value->first().labels << u"migration:backward-compatible"_s;
        }, mig, S::Fail, u"breaking"_s);
        row("migrations: incompatible in a maintenance window", [=](ReleaseFacts &f) {
            report(Compatibility::Incompatible, u"marker raize:incompatible"_s)(f);
            f.maintenanceWindow = u"Sun 02:00–03:00 UTC"_s;
        }, mig, S::Pass, u"maintenance window Sun 02:00–03:00 UTC"_s);
        row("migrations: no marker, compatible label", [=](ReleaseFacts &f) {
            report(Compatibility::Unknown, u"no marker"_s)(f);
            f.pulls.value->first().labels << u"migration:backward-compatible"_s;
        }, mig, S::Pass, u"label migration:backward-compatible"_s);
        row("migrations: files unreadable at the candidate, label only", [=](ReleaseFacts &f) {
            withMigration(f);
            f.pulls.value->first().labels << u"migration:backward-compatible"_s;
            f.migrationReport = Known<MigrationReport>::missing(u"github: HTTP 502"_s);
        }, mig, S::Unknown, u"could not be read at 5e6f708"_s);

        // §3.2: force pushes.
        row("protection: force pushes allowed", [](ReleaseFacts &f) { f.protection.value->allowForcePushes = true; }, prot, S::Fail,
            u"allows force pushes"_s);
        row("protection: force pushes not reported", [](ReleaseFacts &f) { f.protection.value->allowForcePushes = std::nullopt; }, prot,
            S::Unknown, u"allow_force_pushes"_s);
        row("protection: force pushes and not strict", [](ReleaseFacts &f) {
            f.protection.value->allowForcePushes = true;
            f.protection.value->strict = false;
        }, prot, S::Fail, u"does not require the branch to be up to date and allows force pushes"_s);
        row("protection: forbids force pushes", [](ReleaseFacts &) {}, prot, S::Pass, u"forbids force pushes"_s);

        // §2.2 Preview → Staging.
        const QString stg = u"staging-deployment"_s;
        row("staging: automatic deployment of main", [](ReleaseFacts &) {}, stg, S::Pass, u"automatic staging deployment of main"_s);
        row("staging: a preview", [](ReleaseFacts &f) { f.deployment.value->target.clear(); }, stg, S::Fail, u"is a preview deployment"_s);
        row("staging: already production", [](ReleaseFacts &f) { f.deployment.value->target = u"production"_s; }, stg, S::Fail,
            u"is a production deployment, not staging"_s);
        row("staging: built from a feature branch", [](ReleaseFacts &f) { f.deployment.value->ref = u"feat/x"_s; }, stg, S::Fail,
            u"built from feat/x, not main"_s);
        row("staging: branch not reported", [](ReleaseFacts &f) { f.deployment.value->ref.clear(); }, stg, S::Unknown,
            u"does not say which branch"_s);
        row("staging: deployment unknown", [](ReleaseFacts &f) { f.deployment = Known<CandidateDeployment>::missing(u"vercel: 503"_s); }, stg,
            S::Unknown, u"vercel: 503"_s);

        // §5.2 Deployment Protection.
        const QString dp = u"deployment-protection"_s;
        const auto protection = [](const QString &sso, const QString &password, const QString &ips) {
            return [=](ReleaseFacts &f) { f.deploymentProtection = Known<DeploymentProtectionFact>::of({sso, password, ips}); };
        };
        row("protection types: standard", protection(u"prod_deployment_urls_and_all_previews"_s, {}, {}), dp, S::Pass, u"Vercel Authentication"_s);
        row("protection types: all", protection(u"all"_s, {}, {}), dp, S::Pass, u"(all)"_s);
        row("protection types: all but custom domains", protection(u"all_except_custom_domains"_s, {}, {}), dp, S::Pass, u"all_except"_s);
        row("protection types: previews only", protection(u"preview"_s, {}, {}), dp, S::Fail, u"Vercel Authentication: preview does not cover"_s);
        row("protection types: none", protection({}, {}, {}), dp, S::Fail, u"no Deployment Protection is on"_s);
        row("protection types: password covers what SSO does not", protection(u"preview"_s, u"all"_s, {}), dp, S::Pass,
            u"Password Protection (all)"_s);
        row("protection types: trusted IPs on production only", protection({}, {}, u"production"_s), dp, S::Fail, u"Trusted IPs: production"_s);
        row("protection types: unknown", [](ReleaseFacts &f) { f.deploymentProtection = Known<DeploymentProtectionFact>::missing(u"vercel: 403"_s); },
            dp, S::Unknown, u"vercel: 403"_s);

        // §5.3 rollback targets kept (the policy: the last 3).
        const QString keep = u"rollback-targets"_s;
        const auto retention = [](bool set, std::optional<int> days, std::optional<int> kept) {
            return [=](ReleaseFacts &f) { f.retention = Known<RetentionFact>::of({set, days, kept}); };
        };
        row("retention: keeps 3 (the policy's N)", retention(true, 30, 3), keep, S::Pass, u"the last 3 are kept (the policy needs 3)"_s);
        row("retention: keeps 2 (N - 1)", retention(true, 30, 2), keep, S::Fail, u"only 2 are kept"_s);
        row("retention: keeps none", retention(true, 30, std::nullopt), keep, S::Fail, u"only 0 are kept"_s);
        row("retention: production not expired by age", retention(true, std::nullopt, std::nullopt), keep, S::Pass, u"not expired by age"_s);
        row("retention: no policy on the project", retention(false, std::nullopt, std::nullopt), keep, S::Pass, u"not expired by age"_s);
        row("retention: unknown", [](ReleaseFacts &f) { f.retention = Known<RetentionFact>::missing(u"vercel: 500"_s); }, keep, S::Unknown,
            u"vercel: 500"_s);

        // The error budget of affected SLOs (floor 25 %), L3 only.
        const QString eb = u"error-budget"_s;
        const auto l3publishing = [](double left) {
            return [=](ReleaseFacts &f) {
                makeL3(f);
                newFlag(f, u"publishing.scheduler-v3"_s);
                f.sloBudgets.value->insert(u"publish_success"_s, left);
            };
        };
        row("budget: not required for L2", [](ReleaseFacts &f) { f.sloBudgets.value->insert(u"publish_success"_s, 0.0); }, eb, S::Pass,
            u"not required: the release is L2"_s);
        row("budget: L3 touching no mapped SLO", makeL3, eb, S::Pass, u"touches no flag or path"_s);
        row("budget: L3 at the floor", l3publishing(0.25), eb, S::Pass, u"publish_success 25.0 % left (flag publishing.scheduler-v3)"_s);
        row("budget: L3 just under the floor", l3publishing(0.249), eb, S::Fail, u"under the floor of 25 %: publish_success 24.9 %"_s);
        row("budget: L3 overspent", l3publishing(-0.5), eb, S::Fail, u"publish_success -50.0 %"_s);
        row("budget: L3 by a path rule", [](ReleaseFacts &f) {
            f.changedFiles.value->append(u"src/scheduler/queue.ts"_s);
            f.sloBudgets.value->insert(u"queue_delay"_s, 0.1);
        }, eb, S::Fail, u"queue_delay 10.0 % left (src/scheduler/queue.ts)"_s);
        row("budget: L3, budgets unknown", [=](ReleaseFacts &f) {
            l3publishing(0.9)(f);
            f.sloBudgets = Known<QMap<QString, double>>::missing(u"prometheus: connection refused"_s);
        }, eb, S::Unknown, u"prometheus: connection refused"_s);
        row("budget: L3, one SLO without data", [](ReleaseFacts &f) {
            makeL3(f);
            newFlag(f, u"engagement.auto-reply"_s);
        }, eb, S::Unknown, u"no budget known for verification_ttv"_s);
        row("budget: level unknown", [](ReleaseFacts &f) { f.pulls = Known<QList<PullFact>>::missing(u"github: 502"_s); }, eb, S::Unknown,
            u"release level is unknown"_s);

        // Issue #17 item 3: the candidate's own file, named file@commit with its lines, and its lint errors.
        const auto origin = [](ReleaseFacts &f) {
            f.changelogOrigin = {u"CHANGELOG.md"_s, f.deployment->sha, u"[1.5.0]"_s, {}};
        };
        row("changelog: named file@commit and section", origin, cl, S::Pass, u"CHANGELOG.md@5e6f708 [1.5.0]: 1 entry"_s);
        row("changelog: the candidate file's line", [=](ReleaseFacts &f) {
            origin(f);
            f.changelog.value->first().fields.remove(u"Rollback"_s);
        }, cl, S::Fail, u"CHANGELOG.md@5e6f708:10: no Rollback"_s);
        row("changelog: no entry in the candidate's file", [=](ReleaseFacts &f) {
            origin(f);
            f.changelogOrigin.section = u"[Unreleased]"_s;
            f.changelog.value->clear();
        }, cl, S::Fail, u"CHANGELOG.md@5e6f708 has no entry under [Unreleased]"_s);
        row("changelog: lint error inside the section", [=](ReleaseFacts &f) {
            origin(f);
            f.changelogOrigin.problems << u"CHANGELOG.md@5e6f708:7: an entry outside a category [KAC013]"_s;
        }, cl, S::Fail, u"CHANGELOG.md@5e6f708:7: an entry outside a category [KAC013]"_s);
    }

    void gateRules()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, gate);
        QFETCH(GateResult::Status, status);
        QFETCH(QString, reason);
        ReleaseFacts f = goodFacts();
        mutate(f);
        const GateVerdict v = evaluate(policy(), f);
        const GateResult *r = v.result(gate);
        QVERIFY(r);
        QVERIFY2(r->reason.contains(reason), qPrintable(r->reason));
        QCOMPARE(GateResult::statusName(r->status), GateResult::statusName(status));
        // Unknown never counts as a pass: anything but pass blocks.
        QCOMPARE(v.blocked(), status != GateResult::Status::Pass || std::any_of(v.results.cbegin(), v.results.cend(), [](const GateResult &x) {
                                  return x.status != GateResult::Status::Pass;
                              }));
        if (status != GateResult::Status::Pass) {
            QVERIFY(v.blocked());
            QVERIFY(v.blockingReasons().join(u'\n').contains(gate));
            QVERIFY(v.toJson()["verdict"] == "blocked");
        }
        // A gate unknown for missing data is never overridden; one unknown for direct pushes follows overrides.unmappedCommits.
        QCOMPARE(r->unmappedCommits, status == GateResult::Status::Unknown && !f.unmappedCommits.isEmpty());
        QCOMPARE(r->overridable, r->unmappedCommits ? policy().unmappedCommits == Override::Allowed : policy().overridable(gate));
    }

    // Issue #18, item 5: a range whose commits do not all map to merged pull requests has no level and no
    // reviews to count: both "unknown" (blocking), naming the commits, acceptable by a reviewer with a reason.
    void unmappedCommits_data()
    {
        QTest::addColumn<QStringList>("range");
        QTest::addColumn<QStringList>("pulls");
        QTest::addColumn<bool>("l3");
        QTest::addColumn<QStringList>("unmapped"); // "sha message"
        QTest::addColumn<QString>("level");
        QTest::addColumn<QString>("reviews");
        QTest::newRow("all mapped: squash titles") << QStringList{u"c1 p0 | feat: storage retries (#501)"_s, u"c2 c1 | fix: calendar (#502)"_s}
                                                   << QStringList{u"501 c1 -"_s, u"502 c2 -"_s} << false << QStringList{} << u"L2"_s
                                                   << u"pass"_s;
        QTest::newRow("all mapped: a merge commit brings its branch")
            << QStringList{u"b1 p0 | wip"_s, u"b2 b1 | more wip"_s, u"m1 p0,b2 | Merge pull request #501 from dev/a"_s}
            << QStringList{u"501 m1 b2"_s} << false << QStringList{} << u"L2"_s << u"pass"_s;
        QTest::newRow("all mapped: single-commit rebase merges by merge sha") << QStringList{u"r1 p0 | part one"_s, u"r2 r1 | part two"_s}
                                                                              << QStringList{u"501 r2 -"_s, u"502 r1 -"_s} << false
                                                                              << QStringList{} << u"L2"_s << u"pass"_s;
        // Known limit, on the safe side: GitHub names only the last commit of a multi-commit rebase merge.
        QTest::newRow("rebase merge of two commits: the first is not mapped")
            << QStringList{u"r1 p0 | part one"_s, u"r2 r1 | part two"_s} << QStringList{u"501 r2 -"_s} << false
            << QStringList{u"r1 part one"_s} << u"unknown"_s << u"unknown"_s;
        QTest::newRow("one unmapped") << QStringList{u"c1 p0 | feat: storage retries (#501)"_s, u"d1 c1 | hotfix: pricing typo"_s}
                                      << QStringList{u"501 c1 -"_s} << false << QStringList{u"d1 hotfix: pricing typo"_s} << u"unknown"_s
                                      << u"unknown"_s;
        QTest::newRow("none mapped") << QStringList{u"d1 p0 | tweak config"_s, u"d2 d1 | bump timeout"_s} << QStringList{} << false
                                     << QStringList{u"d1 tweak config"_s, u"d2 bump timeout"_s} << u"unknown"_s << u"unknown"_s;
        QTest::newRow("empty range") << QStringList{} << QStringList{} << false << QStringList{} << u"L0"_s << u"pass"_s;
        QTest::newRow("direct push under a later merge")
            << QStringList{u"d1 p0 | direct: tweak"_s, u"b1 d1 | wip"_s, u"m1 d1,b1 | Merge pull request #501 from dev/a"_s}
            << QStringList{u"501 m1 b1"_s} << false << QStringList{u"d1 direct: tweak"_s} << u"unknown"_s << u"unknown"_s;
        QTest::newRow("merged branch without a pull request")
            << QStringList{u"c1 p0 | feat (#501)"_s, u"x1 c1 | experiment"_s, u"m2 c1,x1 | Merge branch 'experiment'"_s}
            << QStringList{u"501 c1 -"_s} << false << QStringList{u"x1 experiment"_s, u"m2 Merge branch 'experiment'"_s} << u"unknown"_s
            << u"unknown"_s;
        QTest::newRow("names an open pull request") << QStringList{u"c1 p0 | feat (#777)"_s} << QStringList{u"777 - c1 open"_s} << false
                                                    << QStringList{u"c1 feat (#777)"_s} << u"unknown"_s << u"unknown"_s;
        QTest::newRow("one unmapped in an L3 release") << QStringList{u"c1 p0 | feat (#501)"_s, u"d1 c1 | hotfix"_s}
                                                       << QStringList{u"501 c1 -"_s} << true << QStringList{u"d1 hotfix"_s} << u"L3"_s
                                                       << u"unknown"_s;
        QTest::newRow("no parents in the answer: each commit maps alone")
            << QStringList{u"b1  | wip"_s, u"m1  | Merge pull request #501 from dev/a"_s} << QStringList{u"501 m1 -"_s} << false
            << QStringList{u"b1 wip"_s} << u"unknown"_s << u"unknown"_s;
    }

    void unmappedCommits()
    {
        QFETCH(QStringList, range);
        QFETCH(QStringList, pulls);
        QFETCH(bool, l3);
        QFETCH(QStringList, unmapped);
        QFETCH(QString, level);
        QFETCH(QString, reviews);
        const QList<Services::GitHubPullRequest> prs = pullsOf(pulls);
        const QList<CommitFact> found = FactsCollector::unmappedCommits(rangeOf(range), prs);
        QStringList got;
        for (const CommitFact &c : found)
            got << c.sha + u' ' + c.message;
        QCOMPARE(got, unmapped);

        ReleaseFacts f = goodFacts();
        f.pulls.value->clear();
        for (const auto &p : prs) {
            if (p.merged())
                f.pulls.value->append(PullFact{p.number, p.title, u"dev-ana"_s, u"https://github.test/pull/%1"_s.arg(p.number),
                                               {l3 ? u"risk:L3"_s : u"risk:L2"_s}, std::nullopt});
        }
        if (range.isEmpty())
            f.changedFiles.value->clear();
        if (l3)
            f.changelog.value->first().fields[u"Risk"_s] = u"L3"_s;
        f.unmappedCommits = found;
        const GateVerdict v = evaluate(policy(), f);
        QCOMPARE(v.scope.level ? levelName(*v.scope.level) : u"unknown"_s, level);
        const GateResult *r = v.result(u"reviews"_s);
        QCOMPARE(GateResult::statusName(r->status), reviews);
        QCOMPARE(v.toJson()["level"].get<std::string>(), level.toStdString());
        if (found.isEmpty()) {
            QVERIFY2(!v.blocked(), qPrintable(v.blockingReasons().join(u'\n')));
            QVERIFY(!r->unmappedCommits);
            return;
        }
        // Blocking, every commit named, and acceptable by a reviewer with a reason.
        QVERIFY(v.blocked());
        for (const CommitFact &c : found) {
            QVERIFY2(r->reason.contains(c.sha.left(7)) && r->reason.contains(c.message), qPrintable(r->reason));
            QVERIFY(v.scope.levelReasons.join(u'\n').contains(c.message));
        }
        QVERIFY(r->unmappedCommits);
        QVERIFY(r->overridable);
        QVERIFY2(r->reason.contains(u"a reviewer may accept them with a reason"_s), qPrintable(r->reason));
        QCOMPARE(v.toJson()["unmappedCommits"].size(), std::size_t(found.size()));
        const QString reason = u"hotfix reviewed in the incident channel, see INC-2231"_s;
        QVERIFY(checkOverride(policy(), v, {u"reviews"_s, reason, u"oncall-lead"_s}).ok());
        const Status tooShort = checkOverride(policy(), v, {u"reviews"_s, u"fine"_s, u"oncall-lead"_s});
        QVERIFY(!tooShort.ok());
        QVERIFY2(tooShort.error().message.contains(u"at least 20 characters"_s), qPrintable(tooShort.error().message));
        // Accepted on every gate it made unknown, with two approvals (an unknown level counts as L3): promotion may go.
        QList<OverrideRequest> accepted;
        for (const GateResult &g : v.results) {
            if (g.status != GateResult::Status::Pass) {
                QVERIFY2(g.unmappedCommits, qPrintable(g.id + u": "_s + g.reason));
                accepted << OverrideRequest{g.id, reason, u"oncall-lead"_s};
            }
        }
        const ReviewBinding binding = ReviewBinding::of(f, v);
        const PromotionDecision d = decide(policy(), f, v, {Approval{u"oncall-lead"_s, 1, binding}, Approval{u"sre-bo"_s, 2, binding}}, accepted);
        QVERIFY2(d.allowed, qPrintable(d.reasons.join(u'\n')));
        QCOMPARE(d.overrides.size(), accepted.size());
        const PromotionDecision without = decide(policy(), f, v, {Approval{u"oncall-lead"_s, 1, binding}, Approval{u"sre-bo"_s, 2, binding}}, {});
        QVERIFY(!without.allowed);
        QVERIFY(without.reasons.join(u'\n').contains(found.first().message));

        // A policy that forbids it: not overridable, and the reason says how to land them instead.
        const auto strict = GatePolicy::fromBundle(builtinWith([](json &d) { d["overrides"]["unmappedCommits"] = "forbidden"; }));
        QVERIFY(strict.ok());
        const GateVerdict sv = evaluate(*strict, f);
        QVERIFY(!sv.result(u"reviews"_s)->overridable);
        QVERIFY(sv.result(u"reviews"_s)->reason.contains(u"through a pull request"_s));
        const Status refused = checkOverride(*strict, sv, {u"reviews"_s, reason, u"oncall-lead"_s});
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"overrides.unmappedCommits"_s), qPrintable(refused.error().message));
    }

    void evidenceLinks()
    {
        ReleaseFacts f = goodFacts();
        findCheck(f.checks, u"unit"_s)->conclusion = u"failure"_s;
        const GateVerdict v = evaluate(policy(), f);
        QCOMPARE(v.result(u"status-checks"_s)->evidence, u"https://github.test/checks/unit"_s);
        QCOMPARE(v.result(u"deployment-ready"_s)->evidence, u"https://vercel.test/dpl_stage"_s);
    }

    void digest()
    {
        const ReleaseFacts f = goodFacts();
        const ReviewBinding b = ReviewBinding::of(f, evaluate(policy(), f));
        QCOMPARE(b.digest().size(), 64);
        QCOMPARE(b.digest(), ReviewBinding::of(f, evaluate(policy(), f)).digest()); // deterministic
        QCOMPARE(ReviewBinding::fromJson(b.toJson()).value(), b);
        QVERIFY(!ReviewBinding::fromJson(json{{"sha", 1}}));
        ReviewBinding other = b;
        other.sha = u"ffff"_s;
        QVERIFY(other.digest() != b.digest());
        other = b;
        other.pulls << 600;
        QVERIFY(other.digest() != b.digest());
        other = b;
        other.gates[1].second = u"fail"_s;
        QVERIFY(other.digest() != b.digest());
        other = b;
        other.deploymentId = u"dpl_other"_s;
        QVERIFY(other.digest() != b.digest());
    }

    void lapse_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("reason"); // empty: still holds
        QTest::newRow("nothing changed") << Mutation([](ReleaseFacts &) {}) << QString();
        QTest::newRow("new commit pushed") << Mutation([](ReleaseFacts &f) { f.deployment.value->sha = u"9f8e7d6c5b4a"_s; })
                                           << u"the commit changed (5e6f708 → 9f8e7d6)"_s;
        QTest::newRow("another deployment") << Mutation([](ReleaseFacts &f) { f.deployment.value->id = u"dpl_new"_s; })
                                            << u"the deployment changed (dpl_stage → dpl_new)"_s;
        QTest::newRow("a pull request added") << Mutation([](ReleaseFacts &f) {
            f.pulls.value->append(PullFact{502, u"x"_s, u"dev-bo"_s, {}, {u"risk:L1"_s}, 1});
        }) << u"the pull requests changed (added #502)"_s;
        QTest::newRow("a gate turned red") << Mutation([](ReleaseFacts &f) { findCheck(f.checks, u"lint"_s)->conclusion = u"failure"_s; })
                                           << u"the gate results changed (status-checks pass → fail)"_s;
        QTest::newRow("a reason changed, status did not") << Mutation([](ReleaseFacts &f) { f.changelog.value->first().line = 99; }) << QString();
    }

    void lapse()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, reason);
        ReleaseFacts f = goodFacts();
        const ReviewBinding approved = ReviewBinding::of(f, evaluate(policy(), f));
        mutate(f);
        const QStringList reasons = lapseReasons(approved, ReviewBinding::of(f, evaluate(policy(), f)));
        if (reason.isEmpty())
            QVERIFY2(reasons.isEmpty(), qPrintable(reasons.join(u'\n')));
        else
            QVERIFY2(reasons.join(u'\n').contains(reason), qPrintable(reasons.join(u'\n')));
    }

    void approvals_data()
    {
        QTest::addColumn<bool>("l3");
        QTest::addColumn<QStringList>("reviewers");
        QTest::addColumn<bool>("authorsMayApprove");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("reason");
        QTest::newRow("L2, one approval") << false << QStringList{u"oncall-lead"_s} << false << true << QString();
        QTest::newRow("L2, none") << false << QStringList{} << false << false << u"0 of 1 approval(s)"_s;
        QTest::newRow("L3, one approval") << true << QStringList{u"oncall-lead"_s} << false << false << u"1 of 2 approval(s) from different people"_s;
        QTest::newRow("L3, two people") << true << QStringList{u"oncall-lead"_s, u"release-bot"_s} << false << true << QString();
        QTest::newRow("L3, same person twice") << true << QStringList{u"oncall-lead"_s, u"Oncall-Lead"_s} << false << false
                                               << u"1 of 2 approval(s)"_s;
        QTest::newRow("author cannot approve") << false << QStringList{u"dev-ana"_s} << false << false
                                               << u"dev-ana authored #501 and cannot approve"_s;
        QTest::newRow("author's login in another case") << true << QStringList{u"oncall-lead"_s, u"DEV-ANA"_s} << false << false
                                                        << u"authored #501"_s;
        QTest::newRow("policy lets authors approve") << false << QStringList{u"dev-ana"_s} << true << true << QString();
    }

    void approvals()
    {
        QFETCH(bool, l3);
        QFETCH(QStringList, reviewers);
        QFETCH(bool, authorsMayApprove);
        QFETCH(bool, allowed);
        QFETCH(QString, reason);
        GatePolicy p = policy();
        p.authorsMayApprove = authorsMayApprove;
        ReleaseFacts f = goodFacts();
        if (l3)
            makeL3(f);
        const GateVerdict v = evaluate(p, f);
        QVERIFY(!v.blocked());
        QList<Approval> list;
        for (const QString &r : reviewers)
            list << Approval{r, 1, ReviewBinding::of(f, v)};
        const PromotionDecision d = decide(p, f, v, list, {});
        QVERIFY2(d.allowed == allowed, qPrintable(d.reasons.join(u'\n')));
        QCOMPARE(d.neededApprovals, l3 ? 2 : 1);
        if (!reason.isEmpty())
            QVERIFY2(d.reasons.join(u'\n').contains(reason), qPrintable(d.reasons.join(u'\n')));
    }

    void reviewerCheck_data()
    {
        QTest::addColumn<QString>("reviewer");
        QTest::addColumn<int>("gitHub"); // -1: no GitHub review pending; 0: GitHub says no; 1: yes
        QTest::addColumn<QString>("refusal");
        QTest::newRow("no login") << u"  "_s << -1 << u"Type your GitHub login"_s;
        QTest::newRow("console only") << u"oncall-lead"_s << -1 << QString();
        QTest::newRow("GitHub says yes") << u"oncall-lead"_s << 1 << QString();
        QTest::newRow("GitHub says no to the token") << u"oncall-lead"_s << 0 << u"may not approve the production environment (required reviewers: oncall-lead"_s;
        QTest::newRow("author, GitHub says yes") << u"dev-ana"_s << 1 << u"dev-ana authored #501"_s;
    }

    void reviewerCheck()
    {
        QFETCH(QString, reviewer);
        QFETCH(int, gitHub);
        QFETCH(QString, refusal);
        GatePolicy p = policy();
        p.promotionEnvironment = u"production"_s;
        const Status st = checkReviewer(p, goodFacts(), reviewer, gitHub < 0 ? std::nullopt : std::optional<bool>(gitHub == 1), {u"oncall-lead"_s});
        if (refusal.isEmpty())
            QVERIFY2(st, qPrintable(st ? QString() : st.error().message));
        else
            QVERIFY2(!st && st.error().message.contains(refusal), qPrintable(st ? u"allowed"_s : st.error().message));
    }

    void lapsedApprovalDoesNotCount()
    {
        ReleaseFacts f = goodFacts();
        const ReviewBinding before = ReviewBinding::of(f, evaluate(policy(), f));
        f.deployment.value->sha = u"0000000aaaa"_s;
        const GateVerdict v = evaluate(policy(), f);
        const PromotionDecision d = decide(policy(), f, v, {Approval{u"oncall-lead"_s, 1, before}}, {});
        QVERIFY(!d.allowed);
        QCOMPARE(d.lapsed.size(), 1);
        QVERIFY2(d.lapsed.first().contains(u"oncall-lead's approval lapsed: the commit changed (5e6f708 → 0000000)"_s), qPrintable(d.lapsed.first()));
    }

    void overrides_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("gate");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("refusal"); // empty: accepted
        const QString longReason = u"runbook lands in the follow-up PR #530 today"_s;
        const auto alertNoRunbook = [](ReleaseFacts &f) { f.changedFiles.value->append(u"alerts/x.yml"_s); };
        QTest::newRow("allowed gate, good reason") << Mutation(alertNoRunbook) << u"runbooks"_s << longReason << QString();
        QTest::newRow("reason one character short") << Mutation(alertNoRunbook) << u"runbooks"_s << u"1234567890123456789"_s
                                                    << u"at least 20 characters"_s;
        QTest::newRow("reason exactly the minimum") << Mutation(alertNoRunbook) << u"runbooks"_s << u"12345678901234567890"_s << QString();
        QTest::newRow("forbidden gate") << Mutation([](ReleaseFacts &f) { findCheck(f.checks, u"lint"_s)->conclusion = u"failure"_s; })
                                        << u"status-checks"_s << longReason << u"forbids overriding"_s;
        QTest::newRow("unknown is never overridden")
            << Mutation([](ReleaseFacts &f) { f.changelog = Known<QList<ChangelogFact>>::missing(u"x"_s); }) << u"changelog"_s << longReason
            << u"unknown is never overridden"_s;
        QTest::newRow("passing gate") << Mutation([](ReleaseFacts &) {}) << u"runbooks"_s << longReason << u"it passes"_s;
    }

    void overrides()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, gate);
        QFETCH(QString, reason);
        QFETCH(QString, refusal);
        ReleaseFacts f = goodFacts();
        mutate(f);
        const GateVerdict v = evaluate(policy(), f);
        const OverrideRequest o{gate, reason, u"oncall-lead"_s};
        const Status s = checkOverride(policy(), v, o);
        QCOMPARE(s.ok(), refusal.isEmpty());
        if (!refusal.isEmpty())
            QVERIFY2(s.error().message.contains(refusal), qPrintable(s.error().message));
        const PromotionDecision d = decide(policy(), f, v, {Approval{u"oncall-lead"_s, 1, ReviewBinding::of(f, v)}}, {o});
        if (refusal.isEmpty()) {
            QVERIFY2(d.allowed, qPrintable(d.reasons.join(u'\n')));
            QCOMPARE(d.overrides.size(), 1);
        } else if (v.blocked()) {
            QVERIFY(!d.allowed);
            QVERIFY(d.overrides.isEmpty());
        }
    }

    // The error-budget gate's override kind (issue #17 item 5): "two-reviewers" counts only when two different
    // people each recorded one; one person twice is still one.
    void twoReviewerOverride_data()
    {
        QTest::addColumn<QStringList>("actors");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("nobody") << QStringList{} << false;
        QTest::newRow("one reviewer") << QStringList{u"oncall-lead"_s} << false;
        QTest::newRow("the same reviewer twice") << QStringList{u"oncall-lead"_s, u"Oncall-Lead"_s} << false;
        QTest::newRow("two reviewers") << QStringList{u"oncall-lead"_s, u"sre-bo"_s} << true;
        QTest::newRow("three reviewers") << QStringList{u"oncall-lead"_s, u"sre-bo"_s, u"dev-cy"_s} << true;
    }

    void twoReviewerOverride()
    {
        QFETCH(QStringList, actors);
        QFETCH(bool, allowed);
        QCOMPARE(policy().overrideKind(u"error-budget"_s), Override::TwoReviewers);
        ReleaseFacts f = goodFacts();
        makeL3(f);
        newFlag(f, u"publishing.scheduler-v3"_s);
        f.productionFlags.value->insert(u"publishing.scheduler-v3"_s, false);
        f.sloBudgets.value->insert(u"publish_success"_s, 0.1);
        const GateVerdict v = evaluate(policy(), f);
        QCOMPARE(v.result(u"error-budget"_s)->status, GateResult::Status::Fail);
        QVERIFY(v.result(u"error-budget"_s)->overridable);
        QList<OverrideRequest> overrides;
        for (const QString &a : actors)
            overrides << OverrideRequest{u"error-budget"_s, u"the burn was a provider outage, now over"_s, a};
        const ReviewBinding b = ReviewBinding::of(f, v);
        const PromotionDecision d = decide(policy(), f, v, {Approval{u"sre-bo"_s, 1, b}, Approval{u"oncall-lead"_s, 2, b}}, overrides);
        QVERIFY2(d.allowed == allowed, qPrintable(d.reasons.join(u'\n')));
        if (allowed) {
            QCOMPARE(d.overrides.size(), 2);
        } else if (!actors.isEmpty()) {
            QVERIFY2(d.reasons.join(u'\n').contains(u"needs two different reviewers"_s), qPrintable(d.reasons.join(u'\n')));
        }
    }

    // §2.2: the manual Preview → Staging promote has its own, lighter gate set, named in the policy.
    void stagingGateSet()
    {
        ReleaseFacts f = goodFacts();
        f.deployment.value->target.clear(); // a preview
        f.deployment.value->ref = u"feat/storage-retry"_s;
        f.changelog.value->clear();        // no changelog yet: not a staging gate
        const GateVerdict production = evaluate(policy(), f);
        QCOMPARE(production.result(u"staging-deployment"_s)->status, GateResult::Status::Fail);
        QCOMPARE(production.result(u"changelog"_s)->status, GateResult::Status::Fail);
        const GateVerdict staging = evaluateStaging(policy(), f);
        QStringList ids;
        for (const GateResult &r : staging.results)
            ids << r.id;
        QCOMPARE(ids, policy().stagingGates);
        QCOMPARE(policy().stagingDomain, u"staging.raize.app"_s);
        QVERIFY2(!staging.blocked(), qPrintable(staging.blockingReasons().join(u'\n')));
        findCheck(f.deploymentChecks, u"database connectivity"_s)->conclusion = u"failed"_s;
        QVERIFY(evaluateStaging(policy(), f).blocked());
    }

    // Issue #17 item 3: the entries of the version being released, read from the candidate's file: [Unreleased]
    // when it has entries, else the newest version production's file does not have yet; lint errors with its lines.
    void releaseEntries_data()
    {
        QTest::addColumn<QString>("candidate");
        QTest::addColumn<QString>("production"); // "-": no file at production
        QTest::addColumn<QString>("section");
        QTest::addColumn<QStringList>("titles");
        QTest::addColumn<QList<int>>("lines");
        QTest::addColumn<QString>("problem");
        const QString entry = u"- **Retries back off** — x.\n  - Risk: L2\n  - Flags: none\n  - Migration: none\n  - Rollback: redeploy\n"_s;
        const QString head = u"# Changelog\n\n"_s;
        const QString v14 = u"## [1.4.0] - 2026-11-01\n\n### Fixed\n\n"_s + entry;
        const QString unreleasedWith = u"## [Unreleased]\n\n### Added\n\n"_s + entry + u"\n"_s;
        const QString unreleasedEmpty = u"## [Unreleased]\n\n"_s;
        const QString v15 = u"## [1.5.0] - 2026-12-01\n\n### Changed\n\n"_s + entry + u"\n"_s;
        QTest::newRow("unreleased has entries") << head + unreleasedWith + v14 << head + v14 << u"[Unreleased]"_s
                                                << QStringList{u"Retries back off"_s} << QList<int>{7} << QString();
        QTest::newRow("cut: the new version") << head + unreleasedEmpty + v15 + v14 << head + unreleasedWith + v14 << u"[1.5.0]"_s
                                              << QStringList{u"Retries back off"_s} << QList<int>{9} << QString();
        QTest::newRow("cut, no changelog at production") << head + v15 << u"-"_s << u"[1.5.0]"_s << QStringList{u"Retries back off"_s}
                                                         << QList<int>{7} << QString();
        QTest::newRow("nothing new: production has 1.4.0 too") << head + unreleasedEmpty + v14 << head + v14 << u"[Unreleased]"_s
                                                               << QStringList{} << QList<int>{} << QString();
        QTest::newRow("placeholder only") << head + u"## [Unreleased]\n\n### Added\n\n- Nothing yet!\n\n"_s + v14 << head + v14
                                          << u"[Unreleased]"_s << QStringList{} << QList<int>{} << QString();
        QTest::newRow("lint error in the section, with the file's line")
            << head + u"## [Unreleased]\n\n"_s + entry + u"\n"_s + v14 << head + v14 << u"[Unreleased]"_s << QStringList{} << QList<int>{}
            << u"CHANGELOG.md@5e6f708:5: "_s;
        QTest::newRow("lint error outside the section is not this release's")
            << head + unreleasedWith + u"## [1.4.0] - 2026-11-01\n\n"_s + entry << head + v14 << u"[Unreleased]"_s
            << QStringList{u"Retries back off"_s} << QList<int>{7} << QString();
    }

    void releaseEntries()
    {
        QFETCH(QString, candidate);
        QFETCH(QString, production);
        QFETCH(QString, section);
        QFETCH(QStringList, titles);
        QFETCH(QList<int>, lines);
        QFETCH(QString, problem);
        const FactsCollector::ChangelogRead read = FactsCollector::releaseEntries(
            candidate, production == u"-"_s ? std::nullopt : std::optional<QString>(production), u"CHANGELOG.md"_s,
            u"5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"_s);
        QCOMPARE(read.origin.where(), u"CHANGELOG.md@5e6f708"_s);
        QCOMPARE(read.origin.section, section);
        QStringList gotTitles;
        QList<int> gotLines;
        for (const ChangelogFact &e : read.entries) {
            gotTitles << e.title;
            gotLines << e.line;
        }
        QCOMPARE(gotTitles, titles);
        QCOMPARE(gotLines, lines);
        if (problem.isEmpty())
            QVERIFY2(read.origin.problems.isEmpty(), qPrintable(read.origin.problems.join(u'\n')));
        else
            QVERIFY2(read.origin.problems.join(u'\n').contains(problem), qPrintable(read.origin.problems.join(u'\n')));
    }

    void stuck_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<qint64>("pendingSinceMs");
        QTest::addColumn<qint64>("nowMs");
        QTest::addColumn<QString>("expected"); // empty: nothing stuck
        constexpr qint64 min = 60000;
        const auto state = [](const QString &s) { return Mutation([s](ReleaseFacts &f) { f.deployment.value->state = s; }); };
        QTest::newRow("ready is never stuck") << state(u"READY"_s) << qint64(0) << 1000 + 500 * min << QString();
        QTest::newRow("building 30 min: allowed") << state(u"BUILDING"_s) << qint64(0) << 1000 + 30 * min << QString();
        QTest::newRow("building 31 min: stuck") << state(u"BUILDING"_s) << qint64(0) << 1000 + 31 * min
                                                << u"dpl_stage has been building for 31 min (policy allows 30)"_s;
        QTest::newRow("queued 21 min: stuck") << state(u"QUEUED"_s) << qint64(0) << 1000 + 21 * min << u"queued for 21 min (policy allows 20)"_s;
        QTest::newRow("review pending 240 min: allowed") << state(u"READY"_s) << qint64(1000) << 1000 + 240 * min << QString();
        QTest::newRow("review pending 241 min: stuck") << state(u"READY"_s) << qint64(1000) << 1000 + 241 * min
                                                       << u"waited for review for 241 min (policy allows 240)"_s;
        QTest::newRow("check running 46 min") << Mutation([](ReleaseFacts &f) {
            CheckFact *c = findCheck(f.checks, u"integration"_s);
            c->status = u"in_progress"_s;
            c->startedMs = 1000;
        }) << qint64(0) << 1000 + 46 * min << u"check integration has been in_progress for 46 min (policy allows 45)"_s;
        QTest::newRow("deployment check running 45 min: allowed") << Mutation([](ReleaseFacts &f) {
            CheckFact *c = findCheck(f.deploymentChecks, u"runner heartbeat"_s);
            c->status = u"running"_s;
            c->startedMs = 1000;
        }) << qint64(0) << 1000 + 45 * min << QString();
    }

    void stuck()
    {
        QFETCH(Mutation, mutate);
        QFETCH(qint64, pendingSinceMs);
        QFETCH(qint64, nowMs);
        QFETCH(QString, expected);
        ReleaseFacts f = goodFacts();
        mutate(f);
        const QStringList s = stuckStates(policy(), f, pendingSinceMs, nowMs);
        if (expected.isEmpty())
            QVERIFY2(s.isEmpty(), qPrintable(s.join(u'\n')));
        else
            QVERIFY2(s.join(u'\n').contains(expected), qPrintable(s.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestReleaseGates)
#include "tst_release_gates.moc"
