// Headless rollback (issue #9): rollback plan|execute|status|resume; kill-switch runs its plan/execute path.

#include "rollback/rollbackreport.h"

#include "cli/cli.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/settings.h"
#include "policy/confirmations.h"
#include "records/auditlog.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackrestore.h"
#include "rollback/rollbacksession.h"
#include "rollback/runjournal.h"
#include "rollback/stagedrestore.h"
#include "release/rolloutmonitor.h"
#include "services/prometheus/slometrics.h"
#include "services/github/githubclient.h"
#include "rollback/stabilitycheck.h"
#include "rollback/triggerdetector.h"
#include "release/alertcenter.h"
#include "workspace/effectivepolicy.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QUrl>



namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Rollback;
using json = nlohmann::json;

namespace {

const QString kUsage = u"raize-console rollback plan|execute|status|resume|triggers|restore|stable [--trigger ID] [--scope S] [--reason TEXT]\n"
                       u"    [--flags-suffice yes|no] [--side-effects-incorrect yes|no] [--isolated yes|no] [--migration-mismatch yes|no]\n"
                       u"    [--migration ID[:incompatible],...] [--migration-plan URL] [--plan-digest D] [--confirm ENVIRONMENT]\n"
                       u"    [--run ID] [--incident NUMBER|new] [--take-over] [--journal-dir DIR] [--dry-run] [--json] [--profile P] [--keychain-service S]\n"
                       u"  triggers: wrong-account duplicate-posts kill-switch-ignored security publish-failures verification-failures\n"
                       u"            queue-stuck elevated-errors ui-regression\n"
                       u"  scopes:   global | client:ID,..[+account:ID,..] | account:ID,.. | cohort:ID | lane:api|browser | service:NAME\n"
                       u"raize-console rollback restore --run ID --pr N|URL --confirm ENVIRONMENT [--stage ID|N] [--override-fix REASON]\n"
                       u"                                [--abort REASON] [--dry-run] [--json]"_s;

std::optional<bool> yesNo(Context &ctx, const QString &name, bool *bad)
{
    const QString v = ctx.takeOption(name);
    if (v.isEmpty())
        return std::nullopt;
    if (v == u"yes"_s || v == u"true"_s)
        return true;
    if (v == u"no"_s || v == u"false"_s)
        return false;
    ctx.err << name << u" takes yes or no\n"_s;
    *bad = true;
    return std::nullopt;
}

struct Common
{
    Request request;
    QString keychain;
    QString journalDir;
    bool json = false;
    bool dryRun = false;
    QString scopeText; // as given: "cohort:ID" is resolved through the profile's cohorts
};

bool readCommon(Context &ctx, Common *c, bool needTrigger)
{
    c->json = ctx.takeFlag(u"--json"_s);
    c->dryRun = ctx.takeFlag(u"--dry-run"_s);
    c->keychain = ctx.takeOption(u"--keychain-service"_s, u"raize-console"_s);
    c->journalDir = ctx.takeOption(u"--journal-dir"_s);
    const QString trigger = ctx.takeOption(u"--trigger"_s);
    if (needTrigger) {
        const auto t = triggerFromId(trigger);
        if (!t) {
            ctx.err << (trigger.isEmpty() ? u"--trigger is required"_s : u"unknown trigger \"%1\""_s.arg(trigger)) << u"\nusage: "_s << kUsage << u'\n';
            return false;
        }
        c->request.trigger = *t;
    }
    c->scopeText = ctx.takeOption(u"--scope"_s, u"global"_s);
    if (!c->scopeText.startsWith(u"cohort:"_s)) { // a cohort is resolved once the profile's cohorts are read
        const Result<Scope> scope = parseScope(c->scopeText);
        if (!scope) {
            ctx.err << scope.error().message << u". "_s << scope.error().remedy << u'\n';
            return false;
        }
        c->request.scope = scope.value();
    }
    c->request.reason = ctx.takeOption(u"--reason"_s);
    c->request.migrationRollbackPlan = ctx.takeOption(u"--migration-plan"_s);
    if (const QString link = c->request.migrationRollbackPlan; !link.isEmpty()) {
        // Option C records the plan for people to open (journal, incident): it must be a link, not a note.
        const QUrl url(link, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty()) {
            ctx.err << u"--migration-plan takes the link to the migration rollback plan (https://…), got \"%1\"\n"_s.arg(link);
            return false;
        }
    }
    bool bad = false;
    c->request.checklist.flagsAloneStopHarm = yesNo(ctx, u"--flags-suffice"_s, &bad);
    c->request.checklist.sideEffectsIncorrect = yesNo(ctx, u"--side-effects-incorrect"_s, &bad);
    c->request.checklist.isolatedToTenant = yesNo(ctx, u"--isolated"_s, &bad);
    c->request.checklist.migrationMismatch = yesNo(ctx, u"--migration-mismatch"_s, &bad);
    const QString migrations = ctx.takeOption(u"--migration"_s);
    for (const QString &m : migrations.split(u',', Qt::SkipEmptyParts)) {
        MigrationFact f;
        f.id = m.section(u':', 0, 0);
        f.backwardCompatible = m.section(u':', 1) != u"incompatible"_s;
        f.appliedMs = Clock::system().nowMs(); // since every candidate target
        c->request.migrations << f;
    }
    return !bad;
}

// Runs the event loop until `done` says stop; returns its exit code.
int waitFor(const std::function<void(std::function<void(int)>)> &start)
{
    QEventLoop loop;
    std::optional<int> code;
    start([&](int c) {
        if (code)
            return;
        code = c;
        loop.quit();
    });
    // A run that stops before start() returns (a resumed step that needs the operator) never enters the loop.
    if (!code)
        loop.exec();
    return code.value_or(Failure);
}

Result<Inputs> gather(Session &session, const Request &request)
{
    std::optional<Result<Inputs>> result;
    QEventLoop loop;
    gatherInputs(session.clients(), session.target(), request, [&](const Result<Inputs> &r) {
        result = r;
        loop.quit();
    });
    if (!result)
        loop.exec();
    return *result;
}

// Who stops being served each flag, asked of the flag service (issue #16 item 2). Never fails:
// an unanswered question leaves the radius unknown and the plan executable.
Plan withBlastRadius(Session &session, const Inputs &inputs, const Plan &plan)
{
    std::optional<Plan> out;
    QEventLoop loop;
    askBlastRadius(session.clients(), session.target(), inputs, plan, BlastOptions(), [&](const Plan &p) {
        out = p;
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

void printStep(Context &ctx, const Executor &ex, int i)
{
    const Step &s = ex.plan().steps[i];
    ctx.err << u"[rollback] %1. %2 — %3%4\n"_s.arg(i + 1).arg(s.title, Executor::statusName(ex.status(i)),
                                                          ex.detail(i).isEmpty() ? QString() : u": "_s + ex.detail(i));
    ctx.err.flush();
}

int execute(Context &ctx, Session &session, RunJournal journal, const Plan &plan, const Common &c, const QString &incidentAnswer,
            bool takeOver = false)
{
    Clients clients = session.clients();
    if (!c.journalDir.isEmpty())
        clients.journalDirectory = c.journalDir;
    const bool killSwitch = journal.begin().value("kind", "") == "kill-switch";
    if (killSwitch)
        clients.github = nullptr; // no marker, no incident: the fan-out only
    ExecOptions options;
    options.queueDrainTimeoutMs = session.target().policy.queueDrainSeconds * 1000; // policy rollback.postChecks
    options.incidentAnswer = incidentAnswer;
    options.takeOver = takeOver;
    Executor ex(std::move(journal), plan, clients, options);
    QObject::connect(&ex, &Executor::stepChanged, &ex, [&](int i) {
        if (ex.status(i) != Executor::StepStatus::Running)
            printStep(ctx, ex, i);
    });
    const int code = waitFor([&](std::function<void(int)> stop) {
        QObject::connect(&ex, &Executor::refused, &ex, [&, stop](const Error &e) {
            if (e.kind == Error::Kind::Conflict || e.kind == Error::Kind::Refused) {
                ctx.err << u"rollback refused: "_s << e.message << u"\n  "_s << e.remedy << u'\n';
                stop(Negative);
                return;
            }
            ctx.err << u"rollback stopped before its first step: could not claim the rollback marker: "_s << e.toString()
                    << u"\n  Nothing was executed; the journal %1 holds the run: `raize-console rollback resume` tries again.\n"_s.arg(ex.journal().path());
            stop(Failure);
        });
        QObject::connect(&ex, &Executor::stepFailed, &ex, [&, stop](int i, const Error &e) {
            ctx.err << u"rollback stopped at step %1 (%2): %3\n"_s.arg(i + 1).arg(ex.plan().steps[i].title, e.toString());
            ctx.err << u"  Nothing is lost: the journal %1 holds every step. Fix the cause, then `raize-console rollback resume`.\n"_s.arg(
                ex.journal().path());
            stop(Failure);
        });
        QObject::connect(&ex, &Executor::finished, &ex, [stop](bool completed) { stop(completed ? Ok : Failure); });
        ex.start();
    });
    json out = {{"run", ex.runId().toStdString()}, {"journal", ex.journal().path().toStdString()}, {"outcome", ex.journal().outcome().toStdString()},
                {"flagsOffMs", ex.flagsOffMs()}, {"propagationMs", ex.propagationMs()}, {"incident", ex.incidentUrl().toStdString()},
                {"marker", ex.markerId()}, {"exit", code}};
    json steps = json::array();
    for (int i = 0; i < ex.plan().steps.size(); ++i)
        steps.push_back({{"title", ex.plan().steps[i].title.toStdString()}, {"status", Executor::statusName(ex.status(i)).toStdString()},
                         {"detail", ex.detail(i).toStdString()}});
    out["steps"] = steps;
    out["recordFailures"] = json::array();
    for (const QString &f : ex.recordFailures())
        out["recordFailures"].push_back(f.toStdString());
    // Accepted at, effective at (ADR 0027), when the plan changed what production serves.
    if (const auto &eff = ex.effective()) {
        const json e = eff->toJson();
        out["acceptedAt"] = e["acceptedAt"];
        out["effectiveAt"] = e["effectiveAt"];
        out["effective"] = e;
    }
    if (c.json) {
        ctx.printJson(out);
    } else if (code == Ok) {
        ctx.out << u"%1 %2 completed. Flags off (as clients are served) %3 ms after confirmation; flag-service propagation %4 ms.%5\n"_s
                       .arg(killSwitch ? u"Kill switch"_s : u"Rollback"_s, ex.runId())
                       .arg(ex.flagsOffMs())
                       .arg(ex.propagationMs())
                       .arg(ex.incidentUrl().isEmpty() ? QString() : u" Incident: "_s + ex.incidentUrl());
        if (const auto &eff = ex.effective())
            ctx.out << u"Production: "_s << eff->describe() << u'\n';
        // §0.3: a milestone comment that failed did not stop the rollback; the journal holds its times.
        for (const QString &f : ex.recordFailures())
            ctx.out << u"Not posted on the incident (the rollback went on): "_s << f << u'\n';
        if (!plan.rollbackTarget.isEmpty())
            ctx.out << u"Production is pinned to %1: the next deploy reaches the domains only after a promotion.\n"_s.arg(plan.rollbackTarget);
    }
    return code;
}

std::unique_ptr<Session> openSession(Context &ctx, const QString &keychain)
{
    Result<std::unique_ptr<Session>> s = Session::open(ctx.profile, keychain);
    if (!s) {
        ctx.err << s.error().toString() << u'\n';
        return nullptr;
    }
    // The profile's effective policy (ADR 0017): its side-effect list, rollback section and cohorts.
    // A refused bundle still leaves a rollback path (§0.3): the playbook's list, said out loud.
    // The session has taken them from its workspace.
    const EffectivePolicy &policy = s.value()->workspace().policy();
    if (policy.readOnly())
        ctx.err << u"warning: the profile's policy bundle is refused (%1): the plan turns off the playbook's side-effect flags only (%2); "
                   u"check the flags the bundle adds by hand.\n"_s.arg(policy.readOnlyReason(), policy.sideEffectFlags().describe());
    return std::move(s).value();
}

int planOrExecute(Context &ctx, bool executeIt, bool killSwitch)
{
    Common c;
    if (!readCommon(ctx, &c, !killSwitch))
        return Failure;
    if (killSwitch)
        c.request.trigger = Trigger::KillSwitchIgnored; // P0 semantics: immediate
    const QString digest = ctx.takeOption(u"--plan-digest"_s);
    const QString confirm = ctx.takeOption(u"--confirm"_s);
    const bool takeOver = ctx.takeFlag(u"--take-over"_s);
    if (!ctx.noneLeft(killSwitch ? u"raize-console kill-switch --scope S [--confirm ENVIRONMENT] [--dry-run] [--json] [--reason TEXT]"_s : kUsage))
        return Failure;
    auto session = openSession(ctx, c.keychain);
    if (!session)
        return Failure;
    if (c.scopeText.startsWith(u"cohort:"_s)) {
        const Result<Scope> scope = parseScope(c.scopeText, session->target().cohorts);
        if (!scope) {
            ctx.err << scope.error().message << u" "_s << scope.error().remedy << u'\n';
            return Failure;
        }
        c.request.scope = scope.value();
    }
    if (c.request.scope.kind == Scope::Kind::Service) {
        if (const Status st = session->scopeToService(c.request.scope.service); !st) {
            ctx.err << st.error().message << u". "_s << st.error().remedy << u'\n';
            return Failure;
        }
    }
    const Result<Inputs> inputs = gather(*session, c.request);
    if (!inputs) {
        ctx.err << u"cannot read the current state, so no plan: "_s << inputs.error().toString() << u'\n';
        return Failure;
    }
    Plan plan = buildPlan(inputs.value());
    if (killSwitch)
        plan = killSwitchPlan(plan);
    plan = withBlastRadius(*session, inputs.value(), plan);
    if (!executeIt || c.dryRun) {
        if (c.json)
            ctx.printJson(planReport(plan, inputs.value()));
        else
            ctx.out << describePlan(plan, inputs.value());
        return plan.executable() ? Ok : Negative;
    }
    if (!digest.isEmpty() && digest != plan.digest && !plan.digest.startsWith(digest)) {
        ctx.err << u"the plan changed since it was reviewed (digest %1, reviewed %2): the state moved. Review it again:\n"_s.arg(plan.digest, digest);
        ctx.err << describePlan(plan, inputs.value());
        return Negative;
    }
    if (!plan.executable()) {
        ctx.err << describePlan(plan, inputs.value());
        return Negative;
    }
    // The guard: what the effective policy's confirmations table asks for this action (the environment's name by
    // default). A read-only profile keeps the playbook's table: the rollback stays available (§0.3).
    const Policy::Confirmations &table = session->workspace().policy().confirmations();
    const Policy::ConfirmAction action = killSwitch ? Policy::ConfirmAction::KillSwitch : Policy::ConfirmAction::Rollback;
    if (const Status guard = Policy::checkTypedConfirmation(action, table.rule(action), session->target().flagEnvironment, confirm); !guard) {
        ctx.err << u"the guard: "_s << guard.error().message << u"\n"_s << guard.error().remedy << u'\n';
        return Failure;
    }
    if (killSwitch && plan.steps.isEmpty()) {
        ctx.out << u"no side-effect flag is on in scope %1: nothing to turn off\n"_s.arg(c.request.scope.describe());
        return Ok;
    }
    if (const QString open = RunJournal::unfinished(session->journalDirectory()); !open.isEmpty()) {
        ctx.err << u"a rollback is in progress on this machine (%1): `raize-console rollback resume` finishes it\n"_s.arg(open);
        return Negative;
    }
    Result<RunJournal> journal = RunJournal::create(session->journalDirectory(),
                                                    beginRecord(plan, inputs.value(), session->clients().actor,
                                                                killSwitch ? u"kill-switch"_s : u"rollback"_s));
    if (!journal) {
        ctx.err << journal.error().toString() << u'\n';
        return Failure;
    }
    ctx.err << describePlan(plan, inputs.value());
    return execute(ctx, *session, std::move(journal).value(), plan, c, {}, takeOver);
}

int status(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    ctx.takeOption(u"--keychain-service"_s); // accepted like the other rollback commands; status reads no token
    const QString dir = RunJournal::defaultDirectory(ctx.profile);
    if (!ctx.noneLeft(u"raize-console rollback status [--json]"_s))
        return Failure;
    json runs = json::array();
    for (const QString &path : RunJournal::list(dir)) {
        const Result<RunJournal> j = RunJournal::open(path);
        if (!j) {
            runs.push_back({{"journal", path.toStdString()}, {"error", j.error().toString().toStdString()}});
            continue;
        }
        const auto plan = Plan::fromJson(j->begin().value("plan", json()));
        json steps = json::array();
        int done = 0;
        for (int i = 0; plan && i < plan->steps.size(); ++i) {
            const StepPhase ph = j->phase(i);
            done += ph == StepPhase::Done || ph == StepPhase::Skipped;
            steps.push_back({{"title", plan->steps[i].title.toStdString()}, {"phase", stepPhaseName(ph).toStdString()}});
        }
        const QString outcome = j->outcome().isEmpty() ? u"in progress"_s : j->outcome();
        runs.push_back({{"run", j->runId().toStdString()}, {"journal", path.toStdString()}, {"kind", j->begin().value("kind", "rollback")},
                        {"trigger", j->begin().value("trigger", "")}, {"started", j->begin().value("at", "")},
                        {"outcome", outcome.toStdString()}, {"done", done}, {"steps", steps}, {"tornTail", j->hadTornTail()}});
    }
    if (asJson) {
        ctx.printJson(runs);
        return Ok;
    }
    if (runs.empty())
        ctx.out << u"no rollback has run with profile %1\n"_s.arg(ctx.profile);
    for (const json &r : runs) {
        ctx.out << u"%1  %2  %3  %4/%5 steps  %6\n"_s.arg(QString::fromStdString(r.value("run", "?")), QString::fromStdString(r.value("started", "")),
                                                         QString::fromStdString(r.value("outcome", r.value("error", ""))))
                       .arg(r.value("done", 0))
                       .arg(r.contains("steps") ? int(r["steps"].size()) : 0)
                       .arg(QString::fromStdString(r.value("trigger", "")));
    }
    return Ok;
}

// §7.5 "system is stable" (issue #16, item 8; ADR 0025): after a run, every burn rate of the scope
// under 1× for the policy's window. Waits the window (up to three); audits the verdict.
int stable(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString keychain = ctx.takeOption(u"--keychain-service"_s, u"raize-console"_s);
    const QString scopeText = ctx.takeOption(u"--scope"_s, u"global"_s);
    const QString windowText = ctx.takeOption(u"--window-seconds"_s);
    if (!ctx.noneLeft(u"raize-console rollback stable [--scope S] [--window-seconds N] [--keychain-service S] [--json]"_s))
        return Failure;
    auto workspace = Workspace::forProfile(ctx.profile, keychain);
    workspace->openSync(Workspace::TokenSource::EnvironmentFirst);
    if (!workspace->prometheus()) {
        ctx.err << u"no Prometheus configured: the burn rates cannot be read. Set prometheus/url (`raize-console settings set`).\n"_s;
        return Failure;
    }
    const Result<Scope> scope = parseScope(scopeText, workspace->policy().cohorts());
    if (!scope) {
        ctx.err << scope.error().message << u" "_s << scope.error().remedy << u'\n';
        return Failure;
    }
    int window = workspace->policy().rollback().stableWindowSeconds;
    if (!windowText.isEmpty()) {
        bool ok = false;
        window = windowText.toInt(&ok);
        if (!ok || window < 1 || window > 86400) {
            ctx.err << u"--window-seconds: a whole number of seconds from 1 to 86400 (the policy's is %1)\n"_s.arg(
                workspace->policy().rollback().stableWindowSeconds);
            return Failure;
        }
    }
    StabilityCheck check(*workspace->prometheus(), stabilityQueries(workspace->policy().slos(), scopeMetricMatchers(scope.value(), workspace->policy().cohorts())),
                         window);
    check.setPollMs(std::clamp(window * 1000 / 10, 1000, 15000));
    QEventLoop loop;
    QObject::connect(&check, &StabilityCheck::finished, &loop, &QEventLoop::quit);
    QString last;
    QObject::connect(&check, &StabilityCheck::progressed, &loop, [&] {
        if (!asJson && check.verdict().summary != last) {
            last = check.verdict().summary;
            ctx.err << u"[stable] "_s << last << u'\n';
            ctx.err.flush();
        }
    });
    check.start();
    loop.exec();
    const StabilityVerdict &v = check.verdict();
    Records::AuditRecord r;
    r.actor = workspace->actor();
    r.action = u"rollback.stable"_s;
    r.target = scope->describe();
    r.service = u"prometheus"_s;
    r.after = {{"verdict", stabilityKindName(v.kind).toStdString()}, {"passed", v.passed()}, {"summary", v.summary.toStdString()},
               {"windowSeconds", window}};
    const Status audited = workspace->audit().append(r);
    if (asJson) {
        ctx.printJson({{"scope", scope->describe().toStdString()}, {"verdict", stabilityKindName(v.kind).toStdString()}, {"passed", v.passed()},
                       {"summary", v.summary.toStdString()}, {"windowSeconds", window}});
    } else {
        ctx.out << u"System is stable (%1): %2\n"_s.arg(scope->describe(), v.summary);
    }
    if (!audited)
        ctx.err << u"the verdict was not written to the audit log: "_s << audited.error().toString() << u'\n';
    return v.passed() ? Ok : Negative;
}

// One round of the §7.1 detector (issue #16, item 4): what the console's banner would show now.
int triggers(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString keychain = ctx.takeOption(u"--keychain-service"_s, u"raize-console"_s);
    if (!ctx.noneLeft(u"raize-console rollback triggers [--keychain-service S] [--json]"_s))
        return Failure;
    auto workspace = Workspace::forProfile(ctx.profile, keychain);
    workspace->openSync(Workspace::TokenSource::EnvironmentFirst);
    if (!workspace->prometheus()) {
        ctx.err << u"no Prometheus configured: the triggers cannot be read. Set prometheus/url (`raize-console settings set`).\n"_s;
        return Failure;
    }
    Release::AlertCenter center;
    TriggerDetector detector(*workspace->prometheus(), center);
    detector.setRules(workspace->policy().triggers(), workspace->policy().cohorts());
    QEventLoop loop;
    QObject::connect(&detector, &TriggerDetector::evaluated, &loop, &QEventLoop::quit);
    detector.evaluate();
    if (detector.rounds() == 0)
        loop.exec();
    QStringList unknown;
    for (auto it = detector.status().cbegin(); it != detector.status().cend(); ++it) {
        if (it.value().startsWith(u"unknown"_s))
            unknown << it.key() + u": "_s + it.value();
    }
    json out = json::array();
    for (const Release::AlertCenter::State &s : center.active()) {
        const Release::Alert &a = s.alert;
        QString plan = u"raize-console rollback plan --trigger %1 --scope %2"_s.arg(a.triggerId, a.planScope);
        for (const QString &i : a.implies)
            plan += u" --%1 %2"_s.arg(i.section(u'=', 0, 0), i.section(u'=', 1));
        json evidence = json::array();
        for (const QString &e : a.evidence)
            evidence.push_back(e.toStdString());
        out.push_back({{"id", a.id.toStdString()}, {"severity", a.severity.toStdString()}, {"trigger", a.trigger.toStdString()},
                       {"scope", a.scope.toStdString()}, {"evidence", evidence}, {"plan", plan.toStdString()}});
        if (!asJson)
            ctx.out << u"%1 %2 — %3\n  %4\n  plan: %5\n"_s.arg(a.severity, a.trigger, a.scope, a.evidence.join(u"\n  "_s), plan);
    }
    if (asJson) {
        json unknownJson = json::array();
        for (const QString &u : unknown)
            unknownJson.push_back(u.toStdString());
        ctx.printJson({{"active", out}, {"unknown", unknownJson}});
    } else {
        if (out.empty())
            ctx.out << u"no §7.1 trigger is active\n"_s;
        for (const QString &u : unknown)
            ctx.out << u"unknown (not read): "_s << u << u'\n';
    }
    if (!out.empty())
        return Negative;
    return unknown.size() == detector.status().size() && !unknown.isEmpty() ? Failure : Ok;
}

int resume(Context &ctx)
{
    Common c;
    if (!readCommon(ctx, &c, false))
        return Failure;
    const QString run = ctx.takeOption(u"--run"_s);
    const QString incident = ctx.takeOption(u"--incident"_s);
    if (!ctx.noneLeft(kUsage))
        return Failure;
    auto session = openSession(ctx, c.keychain);
    if (!session)
        return Failure;
    QString path;
    for (const QString &p : RunJournal::list(session->journalDirectory())) {
        if (!run.isEmpty()) {
            if (p.contains(u'-' + run + u".jsonl"_s)) {
                path = p;
                break;
            }
            continue;
        }
        const Result<RunJournal> j = RunJournal::open(p);
        if (!j) {
            // Not resumable, and not a reason to resume another run instead: say so and stop.
            ctx.err << j.error().toString() << u'\n';
            return Failure;
        }
        if (!j->finished()) {
            path = p;
            break;
        }
    }
    if (path.isEmpty()) {
        ctx.out << (run.isEmpty() ? u"no rollback in progress: nothing to resume\n"_s : u"no run %1\n"_s.arg(run));
        return run.isEmpty() ? Ok : Failure;
    }
    Result<RunJournal> journal = RunJournal::open(path);
    if (!journal) {
        ctx.err << journal.error().toString() << u'\n';
        return Failure;
    }
    if (journal->finished()) {
        ctx.out << u"run %1 is already %2\n"_s.arg(journal->runId(), journal->outcome());
        return Ok;
    }
    const auto plan = Plan::fromJson(journal->begin().value("plan", json()));
    if (!plan) {
        ctx.err << u"cannot resume run %1: "_s.arg(journal->runId()) << plan.error().toString() << u'\n';
        return Failure;
    }
    if (plan->digest != QString::fromStdString(journal->begin().value("digest", ""))) {
        ctx.err << u"the journal's plan does not match its digest: %1 was changed; finish the rollback by hand (docs/runbooks/rollback.md)\n"_s.arg(path);
        return Failure;
    }
    // A service-scoped run resumes against that service's project.
    if (const Result<Scope> scope = parseScope(QString::fromStdString(journal->begin().value("scope", ""))); scope && scope->kind == Scope::Kind::Service) {
        if (const Status st = session->scopeToService(scope->service); !st) {
            ctx.err << st.error().message << u". "_s << st.error().remedy << u'\n';
            return Failure;
        }
    }
    ctx.err << u"[rollback] resuming run %1 from %2\n"_s.arg(journal->runId(), path);
    return execute(ctx, *session, std::move(journal).value(), *plan, c, incident);
}

// The served cohorts' burn verdicts, read once from Prometheus through the rollout monitor (what `rollout status` judges).
std::optional<QHash<QString, QList<Slo::AlertVerdict>>> readVerdicts(Context &ctx, Session &session, QList<Slo::SloSpec> *slos)
{
    if (!session.clients().prometheus) {
        ctx.err << u"Prometheus is not configured for this profile: the served cohorts' burn rates cannot be judged. "
                   u"Set metrics/prometheusUrl (raize-console settings set) and try again.\n"_s;
        return std::nullopt;
    }
    const Release::RolloutMonitorPolicy policy = session.workspace().policy().rolloutMonitor();
    *slos = policy.slos;
    Slo::SloFeed feed(*session.clients().prometheus, policy.slos);
    bool finished = false;
    Error failure;
    QObject::connect(&feed, &Slo::SloFeed::loaded, &feed, [&] { finished = true; });
    QObject::connect(&feed, &Slo::SloFeed::failed, &feed, [&](const Error &e) {
        finished = true;
        failure = e;
    });
    constexpr qint64 rangeMs = 3 * Slo::DayMs + 7 * Slo::HourMs; // the rollout monitor's: the longest burn window and more
    feed.load(QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs, rangeMs, Slo::MinuteMs);
    if (!waitUntil([&] { return finished; }, 120'000) || feed.data().isEmpty()) {
        ctx.err << u"Cannot read the SLO counters from Prometheus: %1 %2\n"_s.arg(finished ? failure.toString() : u"no answer within 120 s"_s,
                                                                               failure.remedy);
        return std::nullopt;
    }
    Release::RolloutMonitor monitor(Clock::system());
    monitor.setPolicy(policy);
    monitor.setSeries({feed.data().byCohort, feed.data().toMs});
    monitor.evaluate();
    return monitor.verdicts();
}

int restore(Context &ctx)
{
    const QString usage =
        u"raize-console rollback restore --run ID --pr N|URL --confirm ENVIRONMENT [--stage ID|N] [--override-fix REASON] [--abort REASON] [--dry-run] [--arm REASON] [--json]"_s;
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const bool dryRun = ctx.takeFlag(u"--dry-run"_s);
    const QString keychain = ctx.takeOption(u"--keychain-service"_s, u"raize-console"_s);
    const QString run = ctx.takeOption(u"--run"_s);
    const QString prText = ctx.takeOption(u"--pr"_s);
    const QString stageText = ctx.takeOption(u"--stage"_s);
    const QString overrideFix = ctx.takeOption(u"--override-fix"_s);
    const QString abortReason = ctx.takeOption(u"--abort"_s);
    const QString confirm = ctx.takeOption(u"--confirm"_s);
    const std::optional<QString> arm = ctx.takeArm();
    if (!ctx.noneLeft(usage))
        return Failure;
    if (run.isEmpty()) {
        ctx.err << u"--run ID is required: `raize-console rollback status` lists the runs\n"_s;
        return Failure;
    }
    if (!dryRun && abortReason.isEmpty() && prText.isEmpty()) {
        ctx.err << u"--pr N|URL is required: the way back is linked to the fix-forward pull request (playbook §7.4 Option A)\n"_s;
        return Failure;
    }
    auto session = openSession(ctx, keychain);
    if (!session)
        return Failure;
    const Clients &clients = session->clients();
    int pr = 0;
    if (!prText.isEmpty()) {
        const Result<int> parsed = parsePullRequestRef(prText, clients.github ? clients.github->fullName() : QString());
        if (!parsed) {
            ctx.err << parsed.error().message << u". "_s << parsed.error().remedy << u'\n';
            return Failure;
        }
        pr = *parsed;
    }
    QString path;
    for (const QString &p : RunJournal::list(session->journalDirectory())) {
        if (p.contains(u'-' + run + u".jsonl"_s))
            path = p;
    }
    if (path.isEmpty()) {
        ctx.err << u"no run %1 in %2: `raize-console rollback status` lists the runs\n"_s.arg(run, session->journalDirectory());
        return Failure;
    }
    Result<RunJournal> journal = RunJournal::open(path);
    if (!journal) {
        ctx.err << journal.error().toString() << u'\n';
        return Failure;
    }
    RunJournal j = std::move(journal).value();
    const RestoreProgress progress = restoreProgress(j);
    const EffectivePolicy &policy = session->workspace().policy();
    StagedRestorePlan plan;
    if (progress.plan) {
        plan = *progress.plan; // written ahead at stage 1: a resumed way back follows it, never a new read
    } else {
        waitFor([&](std::function<void(int)> stop) {
            prepareStagedRestore(restorePlan(j), policy.rollout().stages, policy.cohorts(), clients, [&, stop](const StagedRestorePlan &p) {
                plan = p;
                stop(Ok);
            });
        });
    }
    const auto progressJson = [&] {
        json done = json::array();
        for (int d : progress.done)
            done.push_back(d + 1);
        std::sort(done.begin(), done.end());
        return json{{"started", progress.plan.has_value()}, {"pr", progress.pullRequest}, {"stagesDone", done},
                    {"next", progress.plan ? progress.next + 1 : 1}, {"complete", progress.complete}, {"aborted", progress.aborted}};
    };
    if (dryRun || !plan.executable()) {
        if (asJson) {
            json out = plan.toJson();
            out["progress"] = progressJson();
            ctx.printJson(out);
        } else {
            ctx.out << plan.describe();
        }
        return plan.executable() ? Ok : Negative;
    }
    if (progress.plan && pr != 0 && progress.pullRequest != 0 && pr != progress.pullRequest) {
        ctx.err << u"run %1's way back is linked to pull request #%2, not #%3: give --pr %2\n"_s.arg(plan.runId).arg(progress.pullRequest).arg(pr);
        return Negative;
    }
    if (!abortReason.isEmpty()) {
        if (const Status a = abortRestore(j, clients, progress.pullRequest ? progress.pullRequest : pr, abortReason); !a) {
            ctx.err << a.error().message << u". "_s << a.error().remedy << u'\n';
            return Negative;
        }
        ctx.out << u"The way back of run %1 stopped after %2 stage(s): what they serve again stays served; the rest stays off.\n"_s.arg(plan.runId)
                       .arg(progress.done.size());
        return Ok;
    }
    if (progress.complete || progress.aborted || (progress.plan && progress.next < 0)) {
        ctx.err << u"run %1's way back is %2: nothing to restore\n"_s.arg(plan.runId, progress.aborted ? u"aborted"_s : u"complete"_s);
        return Negative;
    }
    const int stage = progress.plan ? progress.next : 0;
    if (!stageText.isEmpty()) {
        int asked = -1;
        for (int i = 0; i < plan.stages.size(); ++i) {
            if (plan.stages[i].id == stageText || QString::number(i + 1) == stageText)
                asked = i;
        }
        if (asked < 0) {
            QStringList ids;
            for (const RestoreStage &s : plan.stages)
                ids << s.id;
            ctx.err << u"--stage: \"%1\" is not a stage of the way back (%2)\n"_s.arg(stageText, ids.join(u", "_s));
            return Failure;
        }
        if (asked != stage) {
            ctx.err << u"--stage %1: the next stage of the way back is %2 (%3); the stages go in order\n"_s.arg(stageText).arg(stage + 1).arg(
                plan.stages[stage].id);
            return Negative;
        }
    }
    // Serving again widens exposure in production: the production toggle's guard, and read-only until armed (ADR 0028).
    const Policy::ConfirmAction action = Policy::ConfirmAction::ProductionToggle;
    if (const Status guard = Policy::checkTypedConfirmation(action, policy.confirmations().rule(action), session->target().flagEnvironment, confirm);
        !guard) {
        ctx.err << u"the guard: "_s << guard.error().message << u"\n"_s << guard.error().remedy << u'\n';
        return Failure;
    }
    if (const int armed = armForCommand(ctx, session->workspace(), arm, u"rollback restore"_s); armed != Ok)
        return armed;

    FixForward fix;
    if (!progress.plan) {
        // Stage 1: the fix must be merged and in production's deployment first.
        waitFor([&](std::function<void(int)> stop) {
            readFixForward(clients, pr, [&, stop](const FixForward &f) {
                fix = f;
                stop(Ok);
            });
        });
        const FixForwardVerdict v = judgeFixForward(fix, policy.rollback().restoreWithoutFixAllowed, overrideFix,
                                                    policy.rolloutMonitor().minReasonChars);
        if (!v.ok) {
            ctx.err << u"restore refused: "_s << v.reason << u"\n  "_s << v.remedy << u'\n';
            if (asJson)
                ctx.printJson({{"refused", v.reason.toStdString()}, {"fix", fix.toJson()}});
            return Negative;
        }
        ctx.err << u"fix forward: "_s << v.reason << u'\n';
    } else {
        const json recorded = j.lastOf("restore-plan").value("fix", json::object());
        fix.number = progress.pullRequest;
        fix.repo = QString::fromStdString(recorded.value("repo", ""));
        // Stage N after the first: the cohorts served so far must burn inside the policy, with enough data.
        const QStringList served = plan.servedCohorts(stage - 1);
        QList<Slo::SloSpec> slos;
        QHash<QString, QList<Slo::AlertVerdict>> verdicts;
        if (!served.isEmpty()) {
            const auto read = readVerdicts(ctx, *session, &slos);
            if (!read)
                return Failure;
            verdicts = *read;
        }
        const StageJudgement judged = judgeRestoreStage(served, verdicts, slos);
        for (const QString &e : judged.evidence)
            ctx.err << u"  "_s << e << u'\n';
        if (!judged.advance()) {
            ctx.err << u"stage %1 (%2) not started: "_s.arg(stage + 1).arg(plan.stages[stage].id) << judged.headline
                    << u"\n  Wait for the burn rates and run the same command again; or stop the way back with --abort REASON.\n"_s;
            if (asJson)
                ctx.printJson({{"held", judged.headline.toStdString()}, {"judgement", StageJudgement::kindName(judged.kind).toStdString()}});
            return Negative;
        }
        ctx.err << judged.headline << u'\n';
    }
    ctx.err << plan.describe();
    std::optional<Result<json>> result;
    const int code = waitFor([&](std::function<void(int)> stop) {
        runRestoreStage(j, plan, stage, clients, fix, overrideFix, [&, stop](const Result<json> &r) {
            result = r;
            stop(r ? Ok : (r.error().kind == Error::Kind::Conflict || r.error().kind == Error::Kind::Refused ? Negative : Failure));
        });
    });
    if (!result || !*result) {
        ctx.err << u"restore stopped: "_s << (result ? result->error().toString() : u"no answer"_s) << u'\n';
        ctx.err << u"  The run journal %1 holds what was restored; run the same command again to resume the stage.\n"_s.arg(path);
        return code;
    }
    const json &r = result->value();
    if (asJson) {
        ctx.printJson(r);
    } else {
        const bool complete = r.value("complete", false);
        ctx.out << u"Stage %1 of %2 (%3) restored for run %4: %5. Fix forward: %6\n"_s.arg(stage + 1)
                       .arg(plan.stages.size())
                       .arg(plan.stages[stage].name, plan.runId, plan.stages[stage].members.join(u", "_s).isEmpty() ? u"nothing to serve again"_s
                                                                                                                   : plan.stages[stage].members.join(u", "_s),
                            QString::fromStdString(r.value("pr", "")));
        if (complete)
            ctx.out << u"The way back is complete: everything the rollback turned off is served again as before.\n"_s;
        else
            ctx.out << u"Next: stage %1 (%2), once the burn rates of %3 are inside the policy with enough data:\n"
                       u"  raize-console rollback restore --run %4 --pr %5 --confirm %6\n"_s.arg(stage + 2)
                           .arg(plan.stages[stage + 1].id, plan.servedCohorts(stage).join(u", "_s), plan.runId)
                           .arg(fix.number)
                           .arg(session->target().flagEnvironment);
    }
    return Ok;
}

} // namespace

const CommandHelp &rollbackHelp()
{
    static const QString triggers =
        u"  --trigger ID      why (required): wrong-account duplicate-posts kill-switch-ignored security publish-failures\n"
        u"                    verification-failures queue-stuck elevated-errors ui-regression\n"
        u"  --scope S         global (default) | client:ID,..[+account:ID,..] | account:ID,.. | cohort:ID\n"
        u"                    | lane:api|browser | service:NAME; a narrower scope stops only what it names\n"
        u"  --reason TEXT     the operator's reason (journal, audit log, incident)\n"
        u"  --side-effects-incorrect yes|no   §7.3 Q1: side effects happening incorrectly? yes: the P0 path\n"
        u"  --flags-suffice yes|no            §7.3 Q2: do the flags alone stop the harm? yes: Option A, no: B\n"
        u"  --isolated yes|no                 §7.3 Q3: isolated to one tenant/platform? no: the scope widens to global\n"
        u"  --migration-mismatch yes|no       §7.3 Q4: a migration/data mismatch? yes: Option B refused; no: vouches\n"
        u"                                    for migrations GitHub could not list (never over one it found)\n"
        u"  --migration ID[:incompatible],..  migrations applied since the rollback target (besides GitHub's)\n"
        u"  --migration-plan URL              Option C: the migration's own rollback plan (recorded, never run)\n"_s;
    static const QString common =
        u"  --journal-dir DIR        where the run journal goes (default: the profile's state folder)\n"
        u"  --keychain-service S     the keychain's service name for the tokens (default: raize-console)\n"
        u"  --json                   the plan or the run as JSON\n"_s;
    static const CommandHelp help{
        u"usage: raize-console rollback plan|execute|status|resume|triggers|restore|stable [OPTIONS]\n"
        u"The guarded rollback of playbook §8: side-effect flags off first, then Vercel Instant Rollback when the\n"
        u"flags alone do not stop the harm. Every step is journaled, so a stopped run resumes where it stopped.\n"
        u"\n"
        u"Exit codes: 0 done (plan: executable); 1 refused (plan not executable, changed, or another run holds the\n"
        u"marker); 2 could not run or stopped at a step (`rollback resume` continues).\n"
        u"Example: raize-console rollback plan --trigger wrong-account --scope client:acme\n"_s,
        {{"plan"_L1, "print the plan for a trigger and scope; changes nothing"_L1,
          u"usage: raize-console rollback plan --trigger ID [--scope S] [--reason TEXT] [CHECKLIST] [--journal-dir DIR]\n"
          u"                               [--keychain-service S] [--json]\n"
          u"Reads the current state (deployments, flags, migrations) and prints the plan and its digest. Changes nothing.\n"
          u"The blast radius (--json: blastRadius) says who stops being served each flag, as the flag service's own\n"
          u"evaluator answers for the cohorts' members and the clients and accounts Prometheus saw in 7 days.\n"
          u"\n"
          u"Options:\n"_s + triggers + common
              + u"\n"
                u"Exit codes: 0 the plan is executable; 1 it is not (the checklist says why); 2 the state cannot be read.\n"
                u"Example: raize-console rollback plan --trigger duplicate-posts --scope lane:api --json\n"_s},
         {"execute"_L1, "execute the plan (needs --confirm ENVIRONMENT)"_L1,
          u"usage: raize-console rollback execute --trigger ID --confirm ENVIRONMENT [--plan-digest D] [--scope S]\n"
          u"                                  [--reason TEXT] [CHECKLIST] [--take-over] [--dry-run] [--journal-dir DIR]\n"
          u"                                  [--keychain-service S] [--json]\n"
          u"Builds the plan again and executes it step by step, journaled; refuses when the plan's digest is not the one\n"
          u"reviewed. Needs no --arm: the rollback stays usable on a profile that is read-only until armed (the\n"
          u"playbook's exception, ADR 0028), behind its own typed --confirm.\n"
          u"\n"
          u"Options:\n"_s + triggers
              + u"  --confirm ENVIRONMENT    the guard: what the policy's confirmations table asks for \"rollback\", typed\n"
        u"                           exactly: the flag environment's name (e.g. production) unless the\n"
        u"                           bundle asks for a word (never nothing: playbook §7.2)\n"
                u"  --plan-digest D          the digest of the plan that was reviewed (a prefix is enough)\n"
                u"  --take-over              take over the rollback marker another console left behind\n"
                u"  --dry-run                print the plan instead of executing it\n"_s
              + common
              + u"\n"
                u"Exit codes: 0 completed; 1 refused (plan changed or not executable, a run in progress, marker held);\n"
                u"2 could not run, or stopped at a step (the journal holds it: `rollback resume`).\n"
                u"Example: raize-console rollback execute --trigger wrong-account --scope client:acme --confirm production\n"_s},
         {"triggers"_L1, "ask Prometheus once for the §7.1 triggers the policy detects"_L1,
          u"usage: raize-console rollback triggers [--keychain-service S] [--json]\n"
          u"Evaluates the policy's `triggers` rules once against the profile's Prometheus (wrong-account side effects,\n"
          u"duplicate posts/DMs, queue stuck; the kill switch needs the console's flag history) and prints each active\n"
          u"trigger with its evidence (query, value, since when), the scope it affects and the plan to open.\n"
          u"\n"
          u"Options:\n"
          u"  --json    [{\"id\", \"severity\", \"trigger\", \"scope\", \"evidence\", \"plan\"}] and \"unknown\" for rules not read\n"
          u"\n"
          u"Exit codes: 0 none active; 1 a trigger is active (the plan command is printed); 2 Prometheus cannot be read.\n"
          u"Example: raize-console rollback triggers --json\n"_s},
         {"stable"_L1, "after a rollback: every burn rate of the scope under 1x for the policy's window"_L1,
          u"usage: raize-console rollback stable [--scope S] [--window-seconds N] [--keychain-service S] [--json]\n"
          u"Playbook §7.5 \"system is stable\": reads, for every SLO of the effective policy, the burn rate of the scope\n"
          u"over the events since the window began, and judges each whole window (rollback.postChecks.stableWindowSeconds,\n"
          u"`policy show`). Every burn rate under 1x: stable. An SLO with no event in the scope: not enough data, never a\n"
          u"pass. A window that ends burning starts again; after three windows: not stable. The verdict is audited.\n"
          u"\n"
          u"Options:\n"
          u"  --scope S             the rollback's scope (default global; as `rollback plan --scope`)\n"
          u"  --window-seconds N    instead of the policy's window\n"
          u"  --json                {\"scope\", \"verdict\", \"passed\", \"summary\", \"windowSeconds\"}\n"
          u"\n"
          u"Exit codes: 0 stable; 1 not stable or not enough data; 2 Prometheus not configured, bad usage.\n"
          u"Example: raize-console rollback stable --scope cohort:house\n"_s},
         {"status"_L1, "list the runs on this machine and how far each got"_L1,
          u"usage: raize-console rollback status [--json]\n"
          u"Lists the rollback and kill-switch runs in the profile's journal folder: outcome and steps done.\n"
          u"\n"
          u"Options:\n"
          u"  --json    [{\"run\", \"journal\", \"kind\", \"trigger\", \"started\", \"outcome\", \"done\", \"steps\", \"tornTail\"}]\n"
          u"\n"
          u"Exit codes: 0 listed; 2 bad usage.\n"
          u"Example: raize-console rollback status --json\n"_s},
         {"resume"_L1, "finish a stopped run from its journal"_L1,
          u"usage: raize-console rollback resume [--run ID] [--incident NUMBER|new] [--journal-dir DIR]\n"
          u"                                 [--keychain-service S] [--json]\n"
          u"Continues the unfinished run (or run ID) from its journal: done steps are not repeated.\n"
          u"\n"
          u"Options:\n"
          u"  --run ID                  the run to resume (default: the unfinished one)\n"
          u"  --incident NUMBER|new     the incident issue to use, or open a new one\n"_s
              + common
              + u"\n"
                u"Exit codes: 0 completed, or nothing to resume; 1 refused; 2 could not run, or stopped again.\n"
                u"Example: raize-console rollback resume --incident 412\n"_s},
         {"restore"_L1, "after a flag rollback, serve again what it turned off, stage by stage (patch forward)"_L1,
          u"usage: raize-console rollback restore --run ID --pr N|URL --confirm ENVIRONMENT [--stage ID|N]\n"
          u"                                  [--override-fix REASON] [--abort REASON] [--dry-run] [--json]\n"
          u"                                  [--keychain-service S] [--arm REASON]\n"
          u"Playbook §7.4 Option A: re-serves what run ID turned off through the canary stages (house, low-risk, broad),\n"
          u"one stage per call. Each stage ends where the state before the rollback was, never wider: a client is served\n"
          u"again at the stage whose cohort holds it; the last stage restores each strategy's previous body exactly\n"
          u"(re-read before each write: a strategy someone changed since stops the restore). Stage 1 needs the fix-forward\n"
          u"pull request merged and in production's deployment; each later stage needs the burn rates of the cohorts\n"
          u"served so far inside the policy, with enough data. Journaled in the run (a stopped stage resumes) and audited,\n"
          u"every record naming the pull request.\n"
          u"\n"
          u"Options:\n"
          u"  --run ID                 the rollback run (`rollback status` lists them)\n"
          u"  --pr N|URL               the fix-forward pull request: its number or https://github.com/OWNER/REPO/pull/N\n"
          u"  --confirm ENVIRONMENT    the guard for widening exposure in production (the environment's name)\n"
          u"  --stage ID|N             the stage to run; it must be the next one (default: the next one)\n"
          u"  --override-fix REASON    start although production does not contain the fix (when rollback.restore.withoutFix\n"
          u"                           allows it; the reason needs overrides.minReasonChars characters)\n"
          u"  --abort REASON           stop the way back here: what earlier stages serve again stays served\n"
          u"  --dry-run                print the staged plan and where the way back is\n"
          u"  --json                   the stage's result (or with --dry-run the plan) as JSON\n"_s
          + armHelp() + u"\n"
          u"Exit codes: 0 the stage restored (or aborted; with --dry-run: the plan can run); 1 refused (the fix is not\n"
          u"in production, the burn rates hold the stage or lack data, a stage out of order, nothing to restore, a strategy\n"
          u"moved, read-only without --arm); 2 could not run.\n"
          u"Example: raize-console rollback restore --run 20261206-1405-ab12 --pr 431 --confirm production\n"_s}}};
    return help;
}

int rollbackCommand(Context &ctx)
{
    if (ctx.args.isEmpty()) {
        ctx.err << u"usage: "_s << kUsage << u'\n';
        return Failure;
    }
    const QString verb = ctx.args.takeFirst();
    if (verb == u"plan"_s)
        return planOrExecute(ctx, false, false);
    if (verb == u"restore"_s)
        return restore(ctx);
    if (verb == u"execute"_s)
        return planOrExecute(ctx, true, false);
    if (verb == u"status"_s)
        return status(ctx);
    if (verb == u"triggers"_s)
        return triggers(ctx);
    if (verb == u"stable"_s)
        return stable(ctx);
    if (verb == u"resume"_s)
        return resume(ctx);
    ctx.err << u"unknown rollback command \"%1\"\nusage: "_s.arg(verb) << kUsage << u'\n';
    return Failure;
}

// kill-switch (killswitchcommand.cpp) is this plan/execute path with the kill-switch plan.
int rollbackPlanOrExecute(Context &ctx, bool executeIt, bool killSwitch)
{
    return planOrExecute(ctx, executeIt, killSwitch);
}

} // namespace Raize::Cli
