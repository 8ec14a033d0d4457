// `raize-console canary status|start|advance` (issue #20; ADR 0029, ADR 0033):
// the SLOs view's two-axis canary panel without a screen. Every subcommand
// drives the profile's Workspace::canary() session — the same CanaryRun, the
// same records — as the console does.

#include "cli/cli.h"
#include "policy/confirmations.h"
#include "release/canaryrun.h"
#include "workspace/canarysession.h"
#include "workspace/workspace.h"

#include <nlohmann/json.hpp>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using json = nlohmann::json;
using Release::StageVerdict;

namespace {

const QString kStatusUsage = u"raize-console canary status [--level L0|L1|L2|L3] [--keychain-service S] [--json]"_s;
const QString kStartUsage = u"raize-console canary start --deployment ID [--level L] [--flag KEY]... [--reason TEXT]\n"
                            u"    [--keychain-service S] [--arm REASON] [--json]"_s;
const QString kAdvanceUsage = u"raize-console canary advance --stage N --confirm TEXT [--reason TEXT] [--keychain-service S]\n"
                              u"    [--arm REASON] [--json]"_s;
constexpr int ServiceWaitMs = 120'000;

QString keychainOf(Context &ctx)
{
    return ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
}

bool levelOk(Context &ctx, const QString &level, const QString &usage)
{
    if (QStringList{u"L0"_s, u"L1"_s, u"L2"_s, u"L3"_s}.contains(level))
        return true;
    ctx.err << u"--level must be L0, L1, L2 or L3\nusage: "_s << usage << u'\n';
    return false;
}

std::unique_ptr<Workspace> openWorkspace(Context &ctx, const QString &keychain)
{
    auto ws = Workspace::forProfile(ctx.profile, keychain);
    // CI has no keyring: RAIZE_<SERVICE>_TOKEN wins, else the profile's keychain entry.
    ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    return ws;
}

// Waits for an asynchronous Status; nullopt when nothing answered in time.
std::optional<Status> waitFor(const std::function<void(std::function<void(const Status &)>)> &call)
{
    std::optional<Status> out;
    call([&out](const Status &st) { out = st; });
    waitUntil([&out] { return out.has_value(); }, ServiceWaitMs);
    return out;
}

// Reads the active rolling release and judges its stage once.
std::optional<Status> readCanary(CanarySession &session)
{
    std::optional<Status> read = waitFor([&session](auto done) { session.resume(std::move(done)); });
    if (!read || !*read)
        return read;
    if (Release::CanaryRun *run = session.run()) {
        // resume() started a round: wait for its verdict (or its failure).
        std::optional<Error> failed;
        QObject guard;
        QObject::connect(&session, &CanarySession::failed, &guard, [&failed](const Error &e) { failed = e; });
        if (!waitUntil([run, &failed] { return failed || (!run->busy() && run->rollingRelease()); }, ServiceWaitMs))
            return std::nullopt;
        if (failed)
            return Status(*failed);
    }
    return okStatus();
}

int errorExit(Context &ctx, const Error &e)
{
    ctx.err << e.toString() << u'\n';
    if (!e.remedy.isEmpty())
        ctx.err << e.remedy << u'\n';
    return e.kind == Error::Kind::Refused || e.kind == Error::Kind::Conflict ? Negative : Failure;
}

json stageJson(const QList<Release::CanaryStage> &plan, int active)
{
    json out = json::array();
    for (qsizetype i = 0; i < plan.size(); ++i) {
        json cohorts = json::array();
        for (const QString &c : plan.at(i).cohorts)
            cohorts.push_back(c.toStdString());
        out.push_back({{"stage", i + 1}, {"trafficPercent", plan.at(i).trafficPercent}, {"cohorts", cohorts},
                       {"windowMinutes", plan.at(i).windowMinutes}, {"active", i == active}});
    }
    return out;
}

json axisJson(const Release::AxisCount &a)
{
    return {{"name", a.name.toStdString()}, {"requests", a.requests}, {"errors", a.errors}};
}

json canaryJson(const CanarySession &session)
{
    const Release::CanaryRun *run = session.run();
    if (!run || !run->rollingRelease())
        return json(nullptr);
    const Services::RollingRelease &rr = *run->rollingRelease();
    const StageVerdict &v = run->verdict();
    json flags = json::array(), reasons = json::array();
    for (const QString &f : session.target().flags)
        flags.push_back(f.toStdString());
    for (const QString &r : v.reasons)
        reasons.push_back(r.toStdString());
    json counts(nullptr);
    if (run->counts()) {
        json cohorts = json::array();
        for (const Release::AxisCount &c : run->counts()->cohorts)
            cohorts.push_back(axisJson(c));
        counts = {{"canary", axisJson(run->counts()->canary)}, {"baseline", axisJson(run->counts()->baseline)}, {"cohorts", cohorts}};
    }
    return {{"deployment", rr.canaryDeployment.toStdString()},
            {"current", rr.currentDeployment.toStdString()},
            {"state", Services::RollingRelease::stateName(rr.state).toStdString()},
            {"level", session.target().level.toStdString()},
            {"flags", flags},
            {"stage", run->stageIndex() + 1},
            {"stages", run->plan().size()},
            {"trafficPercent", rr.canaryPercent()},
            {"plan", stageJson(run->plan(), run->stageIndex())},
            {"verdict",
             {{"kind", StageVerdict::kindName(v.kind).toStdString()}, {"reasons", reasons}, {"page", v.page},
              {"canaryBurn", v.canaryBurn}, {"baselineBurn", v.baselineBurn}, {"nextStage", v.nextStage >= 0 ? v.nextStage + 1 : 0}}},
            {"counts", counts},
            {"armed", run->armed()}};
}

void printCanary(Context &ctx, const CanarySession &session)
{
    const Release::CanaryRun *run = session.run();
    if (!run || !run->rollingRelease()) {
        ctx.out << u"No active canary on the project.\n"_s;
        return;
    }
    const Services::RollingRelease &rr = *run->rollingRelease();
    const StageVerdict &v = run->verdict();
    ctx.out << u"Canary %1 (%2, current %3): stage %4 of %5, %6 % of web traffic — %7\n"_s.arg(rr.canaryDeployment, session.target().level,
                                                                                                rr.currentDeployment)
                   .arg(run->stageIndex() + 1)
                   .arg(run->plan().size())
                   .arg(rr.canaryPercent())
                   .arg(StageVerdict::kindName(v.kind));
    for (const QString &r : v.reasons)
        ctx.out << u"  "_s << r << u'\n';
    const QStringList lines = Release::describePlan(run->plan());
    for (qsizetype i = 0; i < lines.size(); ++i)
        ctx.out << (i == run->stageIndex() ? u"> "_s : u"  "_s) << lines.at(i) << u'\n';
    if (!session.target().flags.isEmpty())
        ctx.out << u"Flags: "_s << session.target().flags.join(u", "_s) << u'\n';
}

int statusOf(const CanarySession &session)
{
    const Release::CanaryRun *run = session.run();
    if (!run || !run->rollingRelease() || run->rollingRelease()->state != Services::RollingRelease::State::Active)
        return run && run->rollingRelease() && run->rollingRelease()->state == Services::RollingRelease::State::Complete ? Ok : Negative;
    const StageVerdict::Kind k = run->verdict().kind;
    return k == StageVerdict::Kind::Advance || k == StageVerdict::Kind::Wait || k == StageVerdict::Kind::Done ? Ok : Negative;
}

int status(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString level = ctx.takeOption(u"--level"_s, u"L3"_s);
    const QString keychain = keychainOf(ctx);
    if (!ctx.noneLeft(kStatusUsage) || !levelOk(ctx, level, kStatusUsage))
        return Failure;
    auto ws = openWorkspace(ctx, keychain);
    CanarySession &session = ws->canary();
    const std::optional<Status> read = readCanary(session);
    if (!read) {
        ctx.err << u"Vercel or Prometheus did not answer within %1 s\n"_s.arg(ServiceWaitMs / 1000);
        return Failure;
    }
    if (!*read)
        return errorExit(ctx, read->error()) == Negative ? Negative : Failure;
    const QString lvl = session.run() ? session.target().level : level;
    bool chosen = false;
    session.chooseAxes(lvl, [&chosen](const Release::AxisChoice &) { chosen = true; });
    waitUntil([&chosen] { return chosen; }, ServiceWaitMs);
    const Release::AxisChoice choice = session.axisChoice().value_or(Release::AxisChoice{});
    const int code = statusOf(session);
    if (asJson) {
        ctx.printJson({{"level", lvl.toStdString()},
                       {"axes", {{"deploymentAxis", choice.deploymentAxis}, {"reason", choice.reason.toStdString()}}},
                       {"canary", canaryJson(session)},
                       {"exitCode", code}});
        return code;
    }
    ctx.out << (choice.deploymentAxis ? u"Two axes"_s : u"Flag axis only"_s) << u" ("_s << lvl << u"): "_s << choice.reason << u'\n';
    printCanary(ctx, session);
    return code;
}

int start(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    CanaryTarget target;
    target.canaryDeployment = ctx.takeOption(u"--deployment"_s);
    target.level = ctx.takeOption(u"--level"_s, u"L3"_s);
    for (QString f = ctx.takeOption(u"--flag"_s); !f.isEmpty(); f = ctx.takeOption(u"--flag"_s))
        target.flags << f.split(u',', Qt::SkipEmptyParts);
    const QString reason = ctx.takeOption(u"--reason"_s);
    const QString keychain = keychainOf(ctx);
    const std::optional<QString> arm = ctx.takeArm();
    if (!ctx.noneLeft(kStartUsage) || !levelOk(ctx, target.level, kStartUsage))
        return Failure;
    if (target.canaryDeployment.isEmpty()) {
        ctx.err << u"--deployment is required: the deployment to canary\nusage: "_s << kStartUsage << u'\n';
        return Failure;
    }
    auto ws = openWorkspace(ctx, keychain);
    if (const int armed = armForCommand(ctx, *ws, arm, u"canary start"_s); armed != Ok)
        return armed;
    CanarySession &session = ws->canary();
    const std::optional<Status> started = waitFor([&](auto done) { session.start(target, reason, std::move(done)); });
    if (!started) {
        ctx.err << u"Vercel or the flag service did not answer within %1 s; `raize-console canary status` shows where it stands\n"_s.arg(
            ServiceWaitMs / 1000);
        return Failure;
    }
    if (!*started)
        return errorExit(ctx, started->error());
    if (asJson) {
        ctx.printJson({{"started", !session.startResumed()}, {"resumed", session.startResumed()}, {"canary", canaryJson(session)}, {"exitCode", Ok}});
        return Ok;
    }
    ctx.out << (session.startResumed() ? u"Already running: resumed the canary of %1 (nothing sent).\n"_s
                                       : u"Started the canary of %1 (recorded as %2).\n"_s)
                   .arg(target.canaryDeployment, ws->actor());
    printCanary(ctx, session);
    return Ok;
}

int advance(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString stageText = ctx.takeOption(u"--stage"_s);
    const QString confirm = ctx.takeOption(u"--confirm"_s);
    const QString reason = ctx.takeOption(u"--reason"_s);
    const QString keychain = keychainOf(ctx);
    const std::optional<QString> arm = ctx.takeArm();
    if (!ctx.noneLeft(kAdvanceUsage))
        return Failure;
    bool numeric = false;
    const int stage = stageText.toInt(&numeric);
    if (!numeric || stage < 2) {
        ctx.err << u"--stage N is required: the stage number to advance to (2 or more; `canary status` shows them)\nusage: "_s
                << kAdvanceUsage << u'\n';
        return Failure;
    }
    // The console's typed confirmation, headless: a canary stage widens exposure in production. Checked on the
    // profile's policy before any token is read or any service asked.
    auto ws = Workspace::forProfile(ctx.profile, keychain);
    const Policy::ConfirmRule rule = ws->policy().confirmations().rule(Policy::ConfirmAction::ProductionToggle);
    if (const Status guard = Policy::checkTypedConfirmation(Policy::ConfirmAction::ProductionToggle, rule, u"production"_s, confirm); !guard) {
        ctx.err << guard.error().message << u'\n' << guard.error().remedy << u'\n';
        return Negative;
    }
    ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    if (const int armed = armForCommand(ctx, *ws, arm, u"canary advance"_s); armed != Ok)
        return armed;
    CanarySession &session = ws->canary();
    const std::optional<Status> read = readCanary(session);
    if (!read) {
        ctx.err << u"Vercel or Prometheus did not answer within %1 s\n"_s.arg(ServiceWaitMs / 1000);
        return Failure;
    }
    if (!*read)
        return errorExit(ctx, read->error());
    if (!session.run()) {
        ctx.err << u"No active canary on the project: nothing to advance.\n"_s;
        return Negative;
    }
    std::optional<Status> moved;
    QObject guard;
    QObject::connect(session.run(), &Release::CanaryRun::advanced, &guard, [&moved, stage](int s) {
        if (s == stage - 1)
            moved = okStatus();
    });
    QObject::connect(session.run(), &Release::CanaryRun::failed, &guard, [&moved](const Error &e) { moved = Status(e); });
    if (const Status st = session.advance(stage - 1, reason); !st)
        return errorExit(ctx, st.error());
    if (!waitUntil([&moved] { return moved.has_value(); }, ServiceWaitMs)) {
        ctx.err << u"Vercel did not answer the approve-stage within %1 s; `raize-console canary status` shows where it stands\n"_s.arg(
            ServiceWaitMs / 1000);
        return Failure;
    }
    if (!*moved)
        return errorExit(ctx, moved->error()) == Negative ? Negative : Failure;
    if (asJson) {
        ctx.printJson({{"advanced", stage}, {"canary", canaryJson(session)}, {"exitCode", Ok}});
        return Ok;
    }
    ctx.out << u"Advanced to stage %1 (recorded as %2).\n"_s.arg(stage).arg(ws->actor());
    printCanary(ctx, session);
    return Ok;
}

} // namespace

const CommandHelp &canaryHelp()
{
    static const QString exits = u"Exit codes: 0 ok (status: the stage may advance, waits, or the canary is complete); 1 refused or a\n"
                                 u"negative verdict (hold, not enough data, no active canary, flag-only axis, another canary active,\n"
                                 u"the confirmation missing or not exact); 2 could not run (configuration, a service did not answer).\n"_s;
    static const CommandHelp help{
        u"usage: raize-console canary status|start|advance [OPTIONS]\n"
        u"The two-axis canary (ADR 0029, ADR 0033) without a screen: a Vercel rolling release of web traffic and the\n"
        u"release's flag cohorts from one stage plan, judged by burn rate on both axes. The same session as the SLOs\n"
        u"view's canary panel: an active rolling release is read back and never started twice; every start, advance and\n"
        u"stage reached is in the audit log (actor: the GitHub login of the profile's token). Abort is a rollback plan:\n"
        u"the SLOs view's Abort, or `raize-console rollback` (all traffic back to the current deployment).\n"
        u"\n"_s +
            exits + u"Example: raize-console canary status --json\n"_s,
        {{"status"_L1, "the active canary: its stage, verdict with reasons, counts of both axes, and the axes' choice"_L1,
          u"usage: "_s + kStatusUsage +
              u"\n"
              u"Reads the project's rolling release and judges its stage once (both axes' requests and burn since the stage\n"
              u"began); without an active one, says which axes a release of --level would run on and why.\n"
              u"\n"
              u"Options:\n"
              u"  --level L            the release level for the axes' choice when no canary runs (default: L3)\n"
              u"  --keychain-service S the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
              u"  --json               {level, axes{deploymentAxis, reason}, canary{deployment, current, state, level, flags,\n"
              u"                       stage, stages, trafficPercent, plan, verdict{kind, reasons, page, canaryBurn,\n"
              u"                       baselineBurn, nextStage}, counts, armed}|null, exitCode}\n"
              u"\n"_s +
              exits + u"Example: raize-console canary status --json\n"_s},
         {"start"_L1, "start the rolling release of a deployment at stage 1 and serve the release's flags to its cohorts"_L1,
          u"usage: "_s + kStartUsage +
              u"\n"
              u"Refused (exit 1, nothing sent) when the canary would be flag-only (the policy's rollout.deploymentAxis, its\n"
              u"stages for the level, Vercel's rolling-release billing), when another canary's rolling release is active,\n"
              u"or when the actor is unknown. When this deployment's rolling release is already active it is resumed and\n"
              u"nothing is sent. rollout.canary.start is recorded before the start, canary.stage once stage 1 is reached.\n"
              u"\n"
              u"Options:\n"
              u"  --deployment ID      the deployment to canary (required)\n"
              u"  --level L            the release level: its stage plan (default: L3)\n"
              u"  --flag KEY           the release's flag, served to each stage's cohorts (repeatable, or comma-separated)\n"
              u"  --reason TEXT        why, for the audit record\n"
              u"  --keychain-service S the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
              u"  --json               {started, resumed, canary, exitCode}\n"_s +
              armHelp() + u"\n"_s + exits +
              u"Example: raize-console canary start --deployment dpl_canary --level L3 --flag publishing.scheduler-v2 --arm \"CHG-90\"\n"_s},
         {"advance"_L1, "approve the next stage (typed confirmation; refused on hold or not enough data)"_L1,
          u"usage: "_s + kAdvanceUsage +
              u"\n"
              u"Judges the active stage, then sends approve-stage for --stage (the stage right after the active one) and\n"
              u"serves the flags to its cohorts. Refused (exit 1, nothing sent or recorded) unless the verdict is advance or\n"
              u"wait (the operator ends the window early), never on hold or not enough data, and without the typed\n"
              u"confirmation the policy's confirmations table asks for \"productionToggle\" (built-in: the word production).\n"
              u"rollout.canary.advance is recorded before the call, canary.stage once the stage is reached.\n"
              u"\n"
              u"Options:\n"
              u"  --stage N            the stage number to advance to (2 … the plan's last)\n"
              u"  --confirm TEXT       the typed confirmation, exactly (built-in: production)\n"
              u"  --reason TEXT        why, for the audit record\n"
              u"  --keychain-service S the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
              u"  --json               {advanced, canary, exitCode}\n"_s +
              armHelp() + u"\n"_s + exits + u"Example: raize-console canary advance --stage 2 --confirm production --arm \"CHG-90\"\n"_s}}};
    return help;
}

int canaryCommand(Context &ctx)
{
    const QString sub = ctx.args.isEmpty() ? QString() : ctx.args.takeFirst();
    if (sub == u"status"_s)
        return status(ctx);
    if (sub == u"start"_s)
        return start(ctx);
    if (sub == u"advance"_s)
        return advance(ctx);
    ctx.err << u"usage: "_s << kStatusUsage << u"\n       "_s << kStartUsage << u"\n       "_s << kAdvanceUsage << u'\n';
    return Failure;
}

} // namespace Raize::Cli
