// `raize-console promote review|approve|override|run|staging` (issue #14, item 4):
// the Promotion view's review, approval, override and promotion without a
// screen, driving the same core session (Release::Promotion). An approval
// and a promotion name the review digest they were given for
// (`--plan-digest`, as `rollback execute`); when the review moved, they are
// refused. `promote staging` is the manual Preview → Staging promote (§2.2,
// issue #17 item 5): the staging domain assigned behind the lighter gate set.
// Exit codes: 0 done / promotion allowed; 1 refused or blocked; 2 could not
// run (configuration, a service, the audit log).

#include "cli/cli.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "release/clientpromotionservices.h"
#include "release/gatepolicy.h"
#include "policy/confirmations.h"
#include "release/promotion.h"
#include "release/stagingpromotion.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"
#include "workspace/validationwiring.h"
#include "workspace/workspace.h"

#include <QEventLoop>

#include <nlohmann/json.hpp>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString kUsage =
    u"raize-console promote review|approve|override|run [--deployment ID] [--plan-digest D] [--reviewer LOGIN]\n"
    u"    [--gate ID] [--reason TEXT] [--changelog PATH] [--policy FILE] [--maintenance-window TEXT]\n"
    u"    [--keychain-service S] [--arm REASON] [--json] [--profile P]\n"
    u"       raize-console promote staging --deployment ID --confirm TEXT [--policy FILE] [--arm REASON] [--json]"_s;

struct Options
{
    QString deployment, digest, reviewer, gate, reason, changelog, policyFile, window, keychain;
    bool json = false;
    std::optional<QString> arm; // --arm REASON (approve, override, run; ADR 0028)
};

// Everything `promote` talks to: the profile's workspace (issue #14: the one
// place clients are built), its policy, clients and audit sink.
struct Connection
{
    GatePolicy policy = GatePolicy::builtin();
    QString auditPath;
    std::unique_ptr<Workspace> ws;
    std::shared_ptr<const WorkspaceClients> clients;
    std::unique_ptr<ClientPromotionServices> services;
    std::unique_ptr<Records::AuditLog> audit;
};

std::unique_ptr<Connection> connectProfile(Context &ctx, const Options &o)
{
    auto c = std::make_unique<Connection>();
    c->ws = Workspace::forProfile(ctx.profile, o.keychain);
    // The effective policy (ADR 0017): --policy laid over the built-in playbook, else the profile's. Never half-applied:
    // a refused bundle makes the profile read-only, and nothing is promoted under it.
    const Result<GatePolicy> loaded = c->ws->gatePolicy(o.policyFile);
    if (!loaded) {
        ctx.err << u"the profile is read-only: its policy bundle is refused: "_s << loaded.error().toString() << u'\n';
        return nullptr;
    }
    c->policy = loaded.value();
    const Settings &settings = c->ws->settings();
    if (settings.string(SettingKey::VercelBaseUrl).isEmpty() || settings.string(SettingKey::VercelProjectId).isEmpty()) {
        ctx.err << u"Vercel is not configured for profile %1: raize-console settings set vercel/projectId ...\n"_s.arg(
            ctx.profile);
        return nullptr;
    }
    // CI has no keyring: RAIZE_<SERVICE>_TOKEN wins, else the profile's keychain entry.
    c->ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    for (Service s : {Service::Vercel, Service::GitHub, Service::Flags}) {
        if (const std::optional<Error> why = c->ws->tokenError(s))
            ctx.err << u"note: no %1 token (RAIZE_%2_TOKEN or the keychain): %3\n"_s.arg(serviceDisplayName(s), serviceId(s).toUpper(),
                                                                                         why->message);
    }
    c->clients = c->ws->clients();
    if (c->clients->flagsError)
        ctx.err << u"note: the flag service cannot be used: "_s << c->clients->flagsError->toString() << u'\n';
    FactsCollector::Sources sources;
    sources.vercel = c->clients->vercel.get();
    sources.github = c->clients->github.get();
    sources.flags = c->clients->flags.get();
    sources.githubHtml = c->clients->githubHtml;
    sources.changelogPath = o.changelog;
    sources.maintenanceWindow = o.window;
    sources.sloBudgets = FactsCollector::sloBudgetsFrom(c->ws->sloHistory()); // the error-budget gate (Prometheus)
    c->services = std::make_unique<ClientPromotionServices>(c->policy, sources);
    // Effective, not just accepted (ADR 0027): the production probe and the policy's deadline.
    c->services->setEffective(c->clients->servingProbe.get(), c->ws->policy().effective());
    c->auditPath = c->ws->auditLogPath();
    c->audit = std::make_unique<Records::AuditLog>(c->auditPath);
    return c;
}

Promotion::Dependencies dependenciesOf(Connection &c)
{
    Promotion::Dependencies deps;
    deps.services = c.services.get();
    deps.audit = c.audit.get();
    deps.records = [path = c.auditPath] { return Records::AuditExport::readAll(path); };
    deps.guard = &c.ws->writeGuard(); // read-only until armed (ADR 0028): --arm arms it for this command
    return deps;
}

// Runs `start` and waits for `signal` of the session; returns its (ok, message).
template <typename Signal>
std::pair<bool, QString> await(Promotion &session, Signal signal, const std::function<void()> &start)
{
    std::optional<std::pair<bool, QString>> answer;
    QEventLoop loop;
    const auto c = QObject::connect(&session, signal, &loop, [&](bool ok, const QString &message) {
        answer = std::pair{ok, message};
        loop.quit();
    });
    start();
    if (!answer)
        loop.exec();
    QObject::disconnect(c);
    return *answer;
}

int exitFor(const Promotion &session)
{
    switch (session.failureKind()) {
    case Error::Kind::None:
        return Ok;
    case Error::Kind::Refused:
        return Negative;
    default:
        return Failure;
    }
}

bool gateDataMissing(const GateVerdict &verdict)
{
    return std::any_of(verdict.results.cbegin(), verdict.results.cend(),
                       [](const GateResult &r) { return r.status == GateResult::Status::Unknown && !r.unmappedCommits; });
}

json stringsJson(const QStringList &list)
{
    json out = json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

json reviewJson(const Promotion &session, int code)
{
    const ReleaseFacts &facts = session.facts().facts;
    const GateVerdict &verdict = session.verdict();
    const PromotionDecision &d = session.decision();
    json out = verdict.toJson();
    if (facts.deployment.known())
        out["deployment"] = {{"id", facts.deployment->id.toStdString()},
                             {"sha", facts.deployment->sha.toStdString()},
                             {"state", facts.deployment->state.toStdString()}};
    out["production"] = {{"id", facts.productionDeploymentId.toStdString()}, {"sha", facts.productionSha.toStdString()}};
    json pulls = json::array();
    if (facts.pulls.known()) {
        for (const PullFact &p : *facts.pulls)
            pulls.push_back({{"number", p.number},
                             {"title", p.title.toStdString()},
                             {"author", p.author.toStdString()},
                             {"level", levelName(verdict.scope.pullLevels.value(p.number)).toStdString()},
                             {"url", p.url.toStdString()}});
    }
    out["pulls"] = pulls;
    QStringList overridden;
    for (const OverrideRequest &o : d.overrides)
        overridden << o.gateId;
    QStringList offered;
    for (const OverridableGate &g : session.overridableGates())
        offered << g.id;
    out["decision"] = {{"allowed", d.allowed},
                       {"reasons", stringsJson(d.reasons)},
                       {"lapsed", stringsJson(d.lapsed)},
                       {"approvers", stringsJson(d.approvers)},
                       {"neededApprovals", d.neededApprovals},
                       {"overrides", stringsJson(overridden)},
                       {"overridable", stringsJson(offered)}};
    const PendingReview &pending = session.facts().pending;
    out["githubReview"] = pending.runId > 0 ? json{{"run", pending.runId},
                                                   {"environment", pending.environment.toStdString()},
                                                   {"reviewers", stringsJson(pending.reviewers)},
                                                   {"tokenMayApprove", pending.currentUserCanApprove}}
                                            : json();
    // Who this profile's token belongs to, and the approvals as GitHub recorded them (by login).
    out["identity"] = session.identity().isEmpty() ? json() : json(session.identity().toStdString());
    if (!session.identityError().isEmpty())
        out["identityError"] = session.identityError().toStdString();
    json approvals = json::array();
    for (qsizetype i = 0; i < session.approvals().size(); ++i) {
        const Approval &a = session.approvals()[i];
        approvals.push_back({{"login", a.reviewer.toStdString()},
                             {"environment", session.approvalEnvironment(i).toStdString()},
                             {"digest", a.binding.digest().toStdString()}});
    }
    out["approvals"] = approvals;
    out["ignoredApprovals"] = stringsJson(session.ignoredApprovals());
    const GitHubReviewState &reviews = session.gitHubReviews();
    if (!reviews.read && !reviews.error.isEmpty())
        out["approvalsError"] = reviews.error.toStdString();
    out["stuck"] = stringsJson(session.stuck());
    out["policy"] = session.policy().bundleId.toStdString();
    out["digest"] = session.digest().toStdString();
    out["exitCode"] = code;
    return out;
}

void printReview(Context &ctx, const Promotion &session)
{
    const ReleaseFacts &facts = session.facts().facts;
    const GateVerdict &verdict = session.verdict();
    const PromotionDecision &d = session.decision();
    ctx.out << u"Candidate %1 (commit %2, %3) → production, which serves %4 (commit %5)\n"_s.arg(
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
    if (!facts.changelogOrigin.file.isEmpty())
        ctx.out << u"Changelog: %1 %2\n"_s.arg(facts.changelogOrigin.where(), facts.changelog.known() ? facts.changelogOrigin.section : u"(not read)"_s);
    if (const QString pin = Promotion::pinText(facts.pin); !pin.isEmpty())
        ctx.out << u"PINNED    "_s << pin << u'\n';
    ctx.out << u'\n';
    QStringList overridden;
    for (const OverrideRequest &o : d.overrides)
        overridden << o.gateId;
    for (const GateResult &r : verdict.results) {
        const QString status = overridden.contains(r.id) ? u"OVERRIDE"_s : GateResult::statusName(r.status).toUpper();
        ctx.out << u"%1  %2: %3\n"_s.arg(status.leftJustified(8), r.title, r.reason);
        if (r.status != GateResult::Status::Pass && !r.evidence.isEmpty())
            ctx.out << u"          evidence: "_s << r.evidence << u'\n';
    }
    for (const QString &s : session.stuck())
        ctx.out << u"STUCK     "_s << s << u'\n';
    ctx.out << u'\n';
    for (const QString &l : d.lapsed)
        ctx.out << u"Lapsed: "_s << l << u'\n';
    ctx.out << u"You are: %1\n"_s.arg(session.identity().isEmpty() ? u"unknown ("_s + session.identityError() + u')' : session.identity());
    for (const QString &i : session.ignoredApprovals())
        ctx.out << u"Not counted: "_s << i << u'\n';
    ctx.out << u"Approvals: %1 of %2%3\n"_s.arg(d.approvers.size())
                   .arg(d.neededApprovals)
                   .arg(d.approvers.isEmpty() ? QString() : u" ("_s + d.approvers.join(u", "_s) + u')');
    const PendingReview &pending = session.facts().pending;
    if (pending.runId > 0)
        ctx.out << u"GitHub environment \"%1\" is waiting for review (run %2; reviewers %3)\n"_s.arg(pending.environment)
                       .arg(pending.runId)
                       .arg(pending.reviewers.join(u", "_s));
    else if (!pending.error.isEmpty())
        ctx.out << u"The GitHub environment review could not be read: "_s << pending.error << u'\n';
    if (d.allowed) {
        ctx.out << u"Decision: ALLOWED (approved by %1)\n"_s.arg(d.approvers.join(u", "_s));
    } else {
        ctx.out << u"Decision: BLOCKED\n"_s;
        for (const QString &r : d.reasons)
            ctx.out << u"  • "_s << r << u'\n';
    }
    ctx.out << u"Plan digest: %1 (policy %2)\n"_s.arg(session.digest(), session.policy().bundleId);
}

bool readOptions(Context &ctx, Options *o)
{
    o->json = ctx.takeFlag(u"--json"_s);
    o->deployment = ctx.takeOption(u"--deployment"_s);
    o->digest = ctx.takeOption(u"--plan-digest"_s).trimmed();
    o->reviewer = ctx.takeOption(u"--reviewer"_s).trimmed();
    o->gate = ctx.takeOption(u"--gate"_s).trimmed();
    o->reason = ctx.takeOption(u"--reason"_s);
    o->changelog = ctx.takeOption(u"--changelog"_s);
    o->policyFile = ctx.takeOption(u"--policy"_s);
    o->window = ctx.takeOption(u"--maintenance-window"_s);
    o->keychain = ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    o->arm = ctx.takeArm();
    return ctx.noneLeft(kUsage);
}

// A digest names what was reviewed; a few characters could match another review by chance.
bool digestGiven(Context &ctx, const Options &o)
{
    if (o.digest.size() >= 12)
        return true;
    ctx.err << (o.digest.isEmpty() ? u"--plan-digest is required: the digest `promote review` printed for what you reviewed\n"_s
                                   : u"--plan-digest needs at least 12 characters of the digest `promote review` printed\n"_s);
    return false;
}

int exitForStaging(const StagingPromotion &session, bool ok)
{
    switch (session.failureKind()) {
    case Error::Kind::None:
        return ok ? Ok : Failure;
    case Error::Kind::Refused:
        return Negative;
    default:
        return Failure;
    }
}

// `promote staging`: the staging domain assigned to a preview deployment behind the policy's lighter gate set.
int promoteStaging(Context &ctx, const Options &o, const QString &confirm)
{
    if (o.deployment.trimmed().isEmpty()) {
        ctx.err << u"--deployment is required: the preview deployment to promote to staging\nusage: "_s << kUsage << u'\n';
        return Failure;
    }
    std::unique_ptr<Connection> c = connectProfile(ctx, o);
    if (!c)
        return Failure;
    // The typed confirmation of the policy's confirmations table (stagingPromote), headless: --confirm TEXT.
    const Policy::ConfirmRule rule = c->ws->policy().confirmations().rule(Policy::ConfirmAction::StagingPromote);
    if (const Status typed = Policy::checkTypedConfirmation(Policy::ConfirmAction::StagingPromote, rule, c->policy.stagingTarget, confirm);
        !typed) {
        ctx.err << typed.error().message << u'\n' << typed.error().remedy << u'\n';
        return Failure;
    }
    // Read-only until armed (ADR 0028).
    if (const int armed = armForCommand(ctx, *c->ws, o.arm, u"promote staging"_s); armed != Ok)
        return armed;
    StagingPromotion::Dependencies deps;
    deps.services = c->services.get();
    deps.audit = c->audit.get();
    deps.guard = &c->ws->writeGuard();
    StagingPromotion session(c->policy, deps);
    std::optional<std::pair<bool, QString>> answer;
    QEventLoop loop;
    QObject::connect(&session, &StagingPromotion::promoted, &loop, [&](bool ok, const QString &message) {
        answer = std::pair{ok, message};
        loop.quit();
    });
    session.promote(o.deployment);
    if (!answer)
        loop.exec();
    const auto [ok, message] = *answer;
    const int code = exitForStaging(session, ok);
    if (ok)
        publishAuditHeads(ctx, *c->ws);
    if (o.json) {
        const StagingDecision &d = session.decision();
        json out = {{"promoted", ok},
                    {"deployment", o.deployment.trimmed().toStdString()},
                    {"domain", d.domain.toStdString()},
                    {"actor", session.identity().isEmpty() ? json() : json(session.identity().toStdString())},
                    {"decision", StagingDecision::outcomeName(d.outcome).toStdString()},
                    {"reasons", stringsJson(d.reasons)},
                    {"gates", session.verdict().toJson()},
                    {"before", session.previousDeployment().isEmpty() ? json() : json(session.previousDeployment().toStdString())},
                    {"alreadyAssigned", session.alreadyAssigned()},
                    {"effective", session.effective()},
                    {"requestId", session.requestId().isEmpty() ? json() : json(session.requestId().toStdString())},
                    {"message", message.toStdString()},
                    {"exitCode", code}};
        ctx.printJson(out);
    } else {
        (ok ? ctx.out : ctx.err) << message << u'\n';
        for (const GateResult &r : session.verdict().results)
            ctx.out << u"  %1  %2 — %3\n"_s.arg(GateResult::statusName(r.status).toUpper().leftJustified(7), r.id, r.reason);
        if (ok)
            ctx.out << u"Recorded in %1 (request %2).\n"_s.arg(c->auditPath, session.requestId());
    }
    return code;
}

} // namespace

const CommandHelp &promoteHelp()
{
    static const QString exits =
        u"Exit codes: 0 done (review: the promotion is allowed); 1 refused or blocked (the review changed, a\n"
        u"gate fails, too few approvals, the policy forbids it); 2 could not run (configuration, a service, the\n"
        u"audit log; review: a gate's data could not be fetched, retrying may help).\n"_s;
    static const QString common =
        u"  --deployment ID             the candidate (default: the newest staging deployment)\n"
        u"  --changelog PATH            the changelog's path in the repository, read at the candidate commit\n"
        u"                              (default: the policy's gates.changelogPath, CHANGELOG.md)\n"
        u"  --policy FILE               a policy bundle (default: the profile's, else the built-in playbook-v1)\n"
        u"  --maintenance-window TEXT   the announced maintenance window, for the migrations gate\n"
        u"  --keychain-service S        the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"_s;
    static const CommandHelp help{
        u"usage: raize-console promote review|approve|override|run|staging [OPTIONS]\n"
        u"The staging → production promotion of the Promotion view, headless: review the candidate against the gates,\n"
        u"approve what was reviewed, override a gate the policy allows, promote. Approvals and promotions name the\n"
        u"plan digest `promote review` printed; when the review has changed since, they are refused. Every action is\n"
        u"written to the profile's audit log. Tokens: $RAIZE_VERCEL_TOKEN, $RAIZE_GITHUB_TOKEN, $RAIZE_FLAGS_TOKEN, else\n"
        u"the profile's keychain entries. On a profile not marked sandbox, approve, override and run need --arm REASON\n"
        u"(the profile is read-only until armed; ADR 0028).\n"
        u"\n"_s +
            exits + u"Example: raize-console promote review --json\n"_s,
        {{"review"_L1, "the candidate, its gates, approvals, the decision and the plan digest"_L1,
          u"usage: raize-console promote review [--deployment ID] [--json] [--changelog PATH] [--policy FILE]\n"
          u"                                [--maintenance-window TEXT] [--keychain-service S]\n"
          u"Collects the facts (Vercel, GitHub, the flag service, the changelog), evaluates every gate, reads the approvals\n"
          u"and overrides back from the audit log and prints the decision and the plan digest. Changes nothing.\n"
          u"\n"
          u"Options:\n"_s +
              common +
              u"  --json                      gates, deployment, production, pulls, decision, githubReview, stuck, policy, "
              u"digest, exitCode\n"
              u"\n"_s +
              exits + u"Example: raize-console promote review --deployment dpl_8fQ2\n"_s},
         {"approve"_L1, "approve the reviewed candidate (bound to its plan digest)"_L1,
          u"usage: raize-console promote approve --plan-digest D [--reviewer LOGIN] [--reason TEXT] [--deployment ID] [--json] "
          u"...\n"
          u"Reviews the candidate again and approves it when its digest is still D, as the user the profile's GitHub token\n"
          u"belongs to (GET /user): through the pending GitHub environment review when the policy says so (the approvals\n"
          u"every console reads back), and in the audit log. The reviewer must be a required reviewer of the environment\n"
          u"with write, maintain or admin; an author of a pull request in the release may not approve; an L3 release needs\n"
          u"two different people (the second approves the policy's second environment).\n"
          u"\n"
          u"Options:\n"
          u"  --plan-digest D             the digest `promote review` printed (at least 12 characters)\n"
          u"  --reviewer LOGIN            refuse unless the token belongs to LOGIN (a check; never who is recorded)\n"
          u"  --reason TEXT               a note kept with the approval\n"_s +
              common +
              u"  --json                      the review after the approval, with \"approved\" and \"message\"\n"
              u"\n"_s +
              armHelp() + u"\n"_s + exits + u"Example: raize-console promote approve --plan-digest 3f9a1c0d2b7e --arm \"release 4.2, CHG-1234\"\n"_s},
         {"override"_L1, "pass over a failing gate the policy allows, with a reason (audited)"_L1,
          u"usage: raize-console promote override --gate ID --reason TEXT [--reviewer LOGIN] [--plan-digest D] [--deployment ID] "
          u"...\n"
          u"Reviews the candidate again and overrides one failing gate, when the policy's overrides section allows it,\n"
          u"with a typed reason of at least the policy's length. The override holds for the candidate's commit only.\n"
          u"\n"
          u"Options:\n"
          u"  --gate ID                   the gate (e.g. changelog, runbooks, branch-protection)\n"
          u"  --reason TEXT               why it may be passed over (required; the policy's minimum length)\n"
          u"  --reviewer LOGIN            refuse unless the GitHub token belongs to LOGIN (the actor is the token's user)\n"
          u"  --plan-digest D             refuse when the review is no longer this one\n"_s +
              common +
              u"  --json                      the review after the override, with \"overridden\" and \"message\"\n"_s +
              armHelp() + u"\n"_s + exits +
              u"Example: raize-console promote override --gate changelog --reason \"rollback notes land with the hotfix today\"\n"_s},
         {"run"_L1, "promote the reviewed, approved candidate to production"_L1,
          u"usage: raize-console promote run --plan-digest D [--reviewer LOGIN] [--deployment ID] [--json] ...\n"
          u"Reads everything again and promotes (Vercel promote, or the GitHub environment approval, as the policy says)\n"
          u"when the review's digest is still D and the decision allows it. A failure of Vercel is printed with what\n"
          u"production serves and is written to the audit log. A promote Vercel accepted counts only once production\n"
          u"serves it (the project, its alias job, the domain's alias and a probe); not so within the policy's\n"
          u"effective.deadlineSeconds, it fails (exit 2) with the evidence.\n"
          u"\n"
          u"Options:\n"
          u"  --plan-digest D             the digest `promote review` printed (at least 12 characters)\n"
          u"  --reviewer LOGIN            refuse unless the GitHub token belongs to LOGIN (the actor is the token's user)\n"_s +
              common +
              u"  --json                      promoted, deployment, digest, message, exitCode, acceptedAt, effectiveAt,\n"
              u"                              effective (the evidence that production serves it, ADR 0027)\n"_s +
              armHelp() + u"\n"_s + exits + u"Example: raize-console promote run --plan-digest 3f9a1c0d2b7e --arm \"release 4.2, CHG-1234\" --json\n"_s},
         {"staging"_L1, "the manual Preview → Staging promote: the staging domain to a preview deployment"_L1,
          u"usage: raize-console promote staging --deployment ID --confirm TEXT [--policy FILE] [--arm REASON] [--json] ...\n"
          u"Points the policy's staging domain (promotion.staging.domain) at a preview deployment (Vercel assignAlias,\n"
          u"playbook §2.2) when every gate of the policy's lighter staging set passes (promotion.staging.gates: e.g.\n"
          u"deployment-ready, status-checks, deployment-checks, branch-protection); a gate that cannot be read blocks it.\n"
          u"As the user the profile's GitHub token belongs to; recorded before Vercel is asked (promotion.staging.requested)\n"
          u"and with Vercel's answer (promotion.staging: x-vercel-id, before = the deployment the domain pointed at, after).\n"
          u"Done only once the domain reads back on the deployment.\n"
          u"\n"
          u"Options:\n"
          u"  --deployment ID             the preview deployment (required)\n"
          u"  --confirm TEXT              what the policy's confirmations table asks for \"stagingPromote\" (built-in: the\n"
          u"                              environment's name, staging), typed exactly\n"
          u"  --policy FILE               a policy bundle (default: the profile's, else the built-in playbook-v1)\n"
          u"  --keychain-service S        the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
          u"  --json                      promoted, deployment, domain, actor, decision, reasons, gates, before,\n"
          u"                              alreadyAssigned, effective, requestId, message, exitCode\n"_s +
              armHelp() +
              u"\n"
              u"Exit codes: 0 the domain serves the deployment; 1 refused (a staging gate fails, the deployment is a\n"
              u"production one, the profile is read-only without --arm); 2 could not run (--confirm missing or not exact,\n"
              u"no staging domain in the policy, GitHub cannot name the token's user, a gate's data or Vercel did not\n"
              u"answer, Vercel refused the alias (4xx, 409), the domain does not read back, the audit log).\n"
              u"Example: raize-console promote staging --deployment dpl_preview42 --confirm staging --json\n"_s}}};
    return help;
}

int promoteCommand(Context &ctx)
{
    static const QStringList subs = {u"review"_s, u"approve"_s, u"override"_s, u"run"_s, u"staging"_s};
    if (ctx.args.isEmpty() || !subs.contains(ctx.args.first())) {
        ctx.err << u"usage: "_s << kUsage << u'\n';
        return Failure;
    }
    const QString sub = ctx.args.takeFirst();
    // --confirm belongs to `staging` alone (the others confirm by their plan digest).
    const QString confirm = sub == u"staging"_s ? ctx.takeOption(u"--confirm"_s) : QString();
    Options o;
    if (!readOptions(ctx, &o))
        return Failure;
    if (sub == u"staging"_s)
        return promoteStaging(ctx, o, confirm);
    if ((sub == u"approve"_s || sub == u"run"_s) && !digestGiven(ctx, o))
        return Failure;
    if (sub == u"override"_s && (o.gate.isEmpty() || o.reason.trimmed().isEmpty())) {
        ctx.err << u"--gate and --reason are required: which gate to pass over, and why\n"_s;
        return Failure;
    }

    if (sub == u"review"_s && o.arm) {
        ctx.err << u"--arm is for what changes something (approve, override, run); `promote review` changes nothing\n"_s;
        return Failure;
    }
    std::unique_ptr<Connection> connection = connectProfile(ctx, o);
    if (!connection)
        return Failure;
    // Read-only until armed (ADR 0028): checked before the review, so a refused command sends nothing.
    if (sub != u"review"_s) {
        if (const int armed = armForCommand(ctx, *connection->ws, o.arm, u"promote "_s + sub); armed != Ok)
            return armed;
    }
    Promotion session(connection->policy, dependenciesOf(*connection));

    const auto [reviewed, why] = await(session, &Promotion::reviewed, [&] { session.review(o.deployment); });
    if (!reviewed) {
        ctx.err << why << u'\n';
        return Failure;
    }

    if (sub == u"review"_s) {
        const int code = session.decision().allowed ? Ok : gateDataMissing(session.verdict()) ? Failure : Negative;
        if (o.json)
            ctx.printJson(reviewJson(session, code));
        else
            printReview(ctx, session);
        return code;
    }

    if (sub == u"approve"_s) {
        const auto [ok, message] = await(session, &Promotion::approved, [&] { session.approve(o.reviewer, o.reason, o.digest); });
        const int code = exitFor(session);
        if (o.json) {
            json out = reviewJson(session, code);
            out["approved"] = ok;
            out["message"] = message.toStdString();
            ctx.printJson(out);
        } else {
            (ok ? ctx.out : ctx.err) << message << u'\n';
            if (ok)
                ctx.out << u"Approvals: %1 of %2 · promotion %3\n"_s.arg(session.decision().approvers.size())
                               .arg(session.decision().neededApprovals)
                               .arg(session.decision().allowed
                                        ? u"allowed: raize-console promote run --plan-digest "_s + session.digest().left(12)
                                        : u"still blocked: "_s + session.decision().reasons.join(u"; "_s));
        }
        return code;
    }

    if (sub == u"override"_s) {
        if (!o.digest.isEmpty() && !session.digest().startsWith(o.digest, Qt::CaseInsensitive)) {
            ctx.err << u"the review changed since it was reviewed (digest %1, reviewed %2): review it again\n"_s.arg(
                session.digest(), o.digest);
            return Negative;
        }
        const Status st = session.applyOverride(o.gate, o.reason, o.reviewer);
        const int code = exitFor(session);
        if (o.json) {
            json out = reviewJson(session, code);
            out["overridden"] = st.ok();
            out["message"] = session.message().toStdString();
            ctx.printJson(out);
        } else {
            (st ? ctx.out : ctx.err) << session.message() << u'\n';
        }
        return code;
    }

    // run
    const QString id = session.facts().facts.deployment->id;
    // Accepted, not yet effective (ADR 0027): each round that does not agree yet, as it happens, on stderr.
    QString lastRound;
    QObject::connect(&session, &Promotion::changed, &session, [&] {
        const auto &eff = session.effective();
        if (!eff || eff->effective() || eff->rounds == 0 || eff->last.summary == lastRound)
            return;
        lastRound = eff->last.summary;
        ctx.err << u"%1 accepted at %2, %3\n"_s.arg(id, isoMs(eff->acceptedAtMs), eff->last.summary);
        ctx.err.flush();
    });
    const auto [ok, message] = await(session, &Promotion::promoted, [&] { session.promote(o.reviewer, o.digest); });
    const int code = exitFor(session);
    // The release evidence (for its notes) and the post-release validation (playbook §6.3), moved on by `raize-console validate`.
    QString validation;
    if (ok) {
        const auto validations = validationSessionFor(*connection->ws);
        validation = recordPromotion(session, *connection->ws, *validations);
    }
    if (connection->ws)
        publishAuditHeads(ctx, *connection->ws); // the promotion's chain head (ADR 0031), once it is done
    if (o.json) {
        json out = {{"promoted", ok},
                    {"validation", validation.toStdString()},
                    {"deployment", id.toStdString()},
                    {"digest", session.digest().toStdString()},
                    {"message", message.toStdString()},
                    {"reasons", stringsJson(ok ? QStringList() : session.decision().reasons)},
                    {"exitCode", code}};
        // Both times (ADR 0027): accepted at, effective at (null when it was not), and the evidence.
        if (const auto &eff = session.effective()) {
            const json e = eff->toJson();
            out["acceptedAt"] = e["acceptedAt"];
            out["effectiveAt"] = e["effectiveAt"];
            out["effective"] = e;
        }
        ctx.printJson(out);
    } else {
        (ok ? ctx.out : ctx.err) << message << u'\n';
        if (!validation.isEmpty())
            ctx.out << validation << u'\n';
    }
    return code;
}

} // namespace Raize::Cli
