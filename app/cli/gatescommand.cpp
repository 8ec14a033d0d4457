// `raize-console gates check --deployment ID [--json] [--changelog PATH]
//      [--policy FILE] [--maintenance-window TEXT]`
// Runs the promotion gates of issue #7 for one Vercel deployment, with the
// same collector and the same evaluate() as the console's promotion review,
// so that a CI pipeline and the console agree. Exit codes: 0 every gate
// passes; 1 a gate fails (blocked); 2 the check could not run, or a gate is
// unknown (blocked too: unknown never passes) — because its data could not be
// fetched (retrying may help), or because commits of the range map to no
// merged pull request (a reviewer may accept them in the console with a reason).

#include "cli/cli.h"

#include "core/settings.h"
#include "release/approval.h"
#include "release/factscollector.h"
#include "release/gatepolicy.h"
#include "release/promotion.h"
#include "rollback/killswitchparent.h"
#include "workspace/effectivepolicy.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QEventLoop>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Release;

const CommandHelp &gatesHelp()
{
    static const QString exits =
        u"Exit codes: 0 every gate passes; 1 a gate fails (blocked); 2 could not run, or a gate is unknown because\n"
        u"its data could not be fetched (blocked too; retrying may help).\n"_s;
    static const CommandHelp help{
        u"usage: raize-console gates check --deployment ID [OPTIONS]\n"
        u"The promotion gates (playbook §7) for one candidate deployment, with the same collector and rules as the\n"
        u"console's promotion review, so CI and the console agree.\n"
        u"\n"_s + exits + u"Example: raize-console gates check --deployment dpl_8fQ2 --json\n"_s,
        {{"check"_L1, "check a candidate deployment against the promotion gates"_L1,
          u"usage: raize-console gates check --deployment ID [--json] [--changelog PATH] [--policy FILE]\n"
          u"                               [--maintenance-window TEXT] [--keychain-service S]\n"
          u"Collects the facts (Vercel, GitHub, the flag service, the changelog) and evaluates every gate.\n"
          u"Tokens: $RAIZE_VERCEL_TOKEN, $RAIZE_GITHUB_TOKEN, $RAIZE_FLAGS_TOKEN, else the profile's keychain entries.\n"
          u"\n"
          u"Options:\n"
          u"  --deployment ID             the Vercel deployment id of the candidate (required)\n"
          u"  --changelog PATH            the changelog's path in the repository, read at the candidate commit\n"
          u"                              (default: the policy's gates.changelogPath, CHANGELOG.md)\n"
          u"  --policy FILE               a policy bundle (default: the profile's, else the built-in playbook-v1)\n"
          u"  --maintenance-window TEXT   the announced maintenance window, for the gates that need one\n"
          u"  --keychain-service S        the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
          u"  --json                      the verdict: gates, deployment, production, pulls, stuck, policy, digest, exitCode\n"
          u"\n"_s + exits + u"Example: raize-console gates check --deployment dpl_8fQ2 --changelog docs/CHANGELOG.md\n"_s}}};
    return help;
}

int gatesCommand(Context &ctx)
{
    const QString usage =
        u"raize-console gates check --deployment ID [--json] [--changelog PATH] [--policy FILE] [--maintenance-window TEXT]"_s;
    if (ctx.args.isEmpty() || ctx.args.first() != u"check"_s) {
        ctx.err << u"usage: "_s << usage << u'\n';
        return Failure;
    }
    ctx.args.removeFirst();
    const bool json = ctx.takeFlag(u"--json"_s);
    const QString deploymentId = ctx.takeOption(u"--deployment"_s);
    const QString changelog = ctx.takeOption(u"--changelog"_s);
    const QString policyFile = ctx.takeOption(u"--policy"_s);
    const QString window = ctx.takeOption(u"--maintenance-window"_s);
    const QString keychainService = ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    if (!ctx.noneLeft(usage))
        return Failure;
    if (deploymentId.isEmpty()) {
        ctx.err << u"--deployment is required (the Vercel deployment id of the candidate)\nusage: "_s << usage << u'\n';
        return Failure;
    }

    // The profile's workspace: its one HTTP client and clients (issue #14). The policy is read before any token.
    const std::unique_ptr<Workspace> ws = Workspace::forProfile(ctx.profile, keychainService);
    // The effective policy: --policy laid over the built-in playbook, else the profile's (ADR 0017). A refused
    // bundle makes the profile read-only: no verdict is given on rules it did not mean. Never half-applied.
    const Result<GatePolicy> loaded = ws->gatePolicy(policyFile);
    if (!loaded) {
        ctx.err << u"the profile is read-only: its policy bundle is refused: "_s << loaded.error().toString() << u'\n';
        return Failure;
    }
    const GatePolicy &policy = loaded.value();
    const Settings &settings = ws->settings();
    if (settings.string(SettingKey::VercelBaseUrl).isEmpty() || settings.string(SettingKey::VercelProjectId).isEmpty()) {
        ctx.err << u"Vercel is not configured for profile %1: raize-console settings set vercel/project-id ...\n"_s.arg(ctx.profile);
        return Failure;
    }
    // CI has no keyring: RAIZE_<SERVICE>_TOKEN wins, else the profile's keychain entry.
    ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    for (Service s : {Service::Vercel, Service::GitHub, Service::Flags}) {
        if (const std::optional<Error> why = ws->tokenError(s))
            ctx.err << u"note: no %1 token (RAIZE_%2_TOKEN or the keychain): %3\n"_s.arg(serviceDisplayName(s), serviceId(s).toUpper(), why->message);
    }
    const auto clients = ws->clients();
    if (clients->flagsError)
        ctx.err << u"note: the flag service cannot be used: "_s << clients->flagsError->toString() << u'\n';

    FactsCollector::Sources sources;
    sources.vercel = clients->vercel.get();
    sources.github = clients->github.get();
    sources.flags = clients->flags.get();
    sources.githubHtml = clients->githubHtml;
    sources.changelogPath = changelog;
    sources.maintenanceWindow = window;
    sources.sloBudgets = FactsCollector::sloBudgetsFrom(ws->sloHistory()); // the error-budget gate (Prometheus)
    FactsCollector collector(policy, sources);
    CollectedFacts collected;
    QEventLoop loop;
    collector.collect(deploymentId, [&](const CollectedFacts &c) {
        collected = c;
        loop.quit();
    });
    if (collector.busy())
        loop.exec();

    const ReleaseFacts &facts = collected.facts;
    if (!facts.deployment.known()) {
        ctx.err << u"cannot read deployment %1: %2\n"_s.arg(deploymentId, facts.deployment.error);
        return Failure;
    }
    const GateVerdict verdict = evaluate(policy, facts);
    const QStringList stuck = stuckStates(policy, facts, collected.pending.sinceMs, QDateTime::currentMSecsSinceEpoch());
    const bool anyFail = std::any_of(verdict.results.cbegin(), verdict.results.cend(),
                                     [](const GateResult &r) { return r.status == GateResult::Status::Fail; });
    const bool anyUnknown = std::any_of(verdict.results.cbegin(), verdict.results.cend(),
                                        [](const GateResult &r) { return r.status == GateResult::Status::Unknown; });
    int code = anyFail ? Negative : anyUnknown ? Failure : Ok;

    // The kill-switch parent (issue #16 item 3): when the policy names one, every side-effect flag must really
    // depend on it (Unleash refuses some dependencies), or a P0's one call does not stop them all.
    const Rollback::RollbackRules rules = EffectivePolicy::load(settings, policyFile).rollback();
    std::optional<Rollback::ParentCheck> parentCheck;
    QString parentError;
    if (!rules.killSwitchParent.isEmpty()) {
        if (!clients->flags) {
            parentError = u"the flag service is not configured: cannot check that the side-effect flags depend on %1"_s.arg(rules.killSwitchParent);
        } else {
            std::optional<Result<QList<Services::FlagState>>> flags;
            QEventLoop wait;
            clients->flags->listFlags({}, [&](const Result<QList<Services::FlagState>> &r) {
                flags = r;
                wait.quit();
            });
            if (!flags)
                wait.exec();
            if (!*flags)
                parentError = u"cannot list the flags to check the kill-switch parent: "_s + flags->error().toString();
            else
                parentCheck = Rollback::checkKillSwitchParent(rules.killSwitchParent, rules.sideEffects, flags->value());
        }
        if (!parentError.isEmpty())
            code = Failure;
        else if (!parentCheck->ok() && code == Ok)
            code = Negative;
    }
    const QString digest = ReviewBinding::of(facts, verdict).digest();

    if (json) {
        nlohmann::json out = verdict.toJson();
        out["deployment"] = {{"id", facts.deployment->id.toStdString()}, {"sha", facts.deployment->sha.toStdString()},
                             {"state", facts.deployment->state.toStdString()}};
        out["production"] = {{"id", facts.productionDeploymentId.toStdString()}, {"sha", facts.productionSha.toStdString()}};
        nlohmann::json pulls = nlohmann::json::array();
        if (facts.pulls.known()) {
            for (const PullFact &p : *facts.pulls)
                pulls.push_back({{"number", p.number}, {"title", p.title.toStdString()}, {"author", p.author.toStdString()},
                                 {"level", levelName(verdict.scope.pullLevels.value(p.number)).toStdString()},
                                 {"url", p.url.toStdString()}});
        }
        out["pulls"] = pulls;
        nlohmann::json st = nlohmann::json::array();
        for (const QString &s : stuck)
            st.push_back(s.toStdString());
        out["stuck"] = st;
        out["changelog"] = {{"file", facts.changelogOrigin.file.toStdString()},
                            {"commit", facts.changelogOrigin.commit.toStdString()},
                            {"section", facts.changelogOrigin.section.toStdString()},
                            {"read", facts.changelog.known()}};
        out["pinned"] = facts.pin.pinned;
        out["policy"] = policy.bundleId.toStdString();
        out["digest"] = digest.toStdString();
        out["exitCode"] = code;
        if (parentCheck)
            out["killSwitchParent"] = parentCheck->toJson();
        else if (!parentError.isEmpty())
            out["killSwitchParent"] = {{"parent", rules.killSwitchParent.toStdString()}, {"ok", false}, {"error", parentError.toStdString()}};
        ctx.printJson(out);
        return code;
    }

    ctx.out << u"Candidate %1 (commit %2, %3) against production %4 (commit %5)\n"_s.arg(
        facts.deployment->id, facts.deployment->sha.left(7), facts.deployment->state,
        facts.productionDeploymentId.isEmpty() ? u"?"_s : facts.productionDeploymentId, facts.productionSha.left(7));
    ctx.out << u"Release level: %1"_s.arg(verdict.scope.level ? levelName(*verdict.scope.level) : u"unknown"_s);
    if (!verdict.scope.levelReasons.isEmpty())
        ctx.out << u" — "_s << verdict.scope.levelReasons.join(u"; "_s);
    ctx.out << u'\n';
    if (facts.pulls.known()) {
        for (const PullFact &p : *facts.pulls)
            ctx.out << u"  #%1 %2 (%3, %4)\n"_s.arg(p.number).arg(p.title, p.author, verdict.scope.pullLevelWhy.value(p.number));
    }
    if (!verdict.scope.migrations.isEmpty())
        ctx.out << u"Migrations: "_s << verdict.scope.migrations.join(u", "_s) << u'\n';
    if (!verdict.scope.flags.isEmpty()) {
        QStringList f;
        for (const TouchedFlag &t : verdict.scope.flags)
            f << t.key + (t.isNew ? u" (new)"_s : QString());
        ctx.out << u"Flags: "_s << f.join(u", "_s) << u'\n';
    }
    if (!verdict.scope.runbooks.isEmpty())
        ctx.out << u"Runbooks: "_s << verdict.scope.runbooks.join(u", "_s) << u'\n';
    if (!facts.changelogOrigin.file.isEmpty())
        ctx.out << u"Changelog: %1 %2\n"_s.arg(facts.changelogOrigin.where(),
                                              facts.changelog.known() ? facts.changelogOrigin.section : u"(not read)"_s);
    if (const QString pin = Promotion::pinText(facts.pin); !pin.isEmpty())
        ctx.out << u"PINNED   "_s << pin << u'\n';
    ctx.out << u'\n';
    for (const GateResult &r : verdict.results) {
        ctx.out << u"%1  %2: %3\n"_s.arg(GateResult::statusName(r.status).toUpper().leftJustified(7), r.title, r.reason);
        if (r.status != GateResult::Status::Pass && !r.evidence.isEmpty())
            ctx.out << u"         evidence: "_s << r.evidence << u'\n';
    }
    for (const QString &s : stuck)
        ctx.out << u"STUCK    "_s << s << u'\n';
    if (parentCheck)
        ctx.out << u"%1  Kill-switch parent: %2\n"_s.arg((parentCheck->ok() ? u"PASS"_s : u"FAIL"_s).leftJustified(7), parentCheck->describe());
    else if (!parentError.isEmpty())
        ctx.out << u"UNKNOWN  Kill-switch parent: "_s << parentError << u'\n';
    ctx.out << u"\nVerdict: %1 (policy %2, review digest %3)\n"_s.arg(verdict.blocked() || code != Ok ? u"BLOCKED"_s : u"PASS"_s, policy.bundleId,
                                                                     digest.left(12));
    return code;
}

} // namespace Raize::Cli
