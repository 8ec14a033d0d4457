// `raize-console validate` (issue #19 item 4): the post-release validation of production
// deployments (playbook §6.3) — start one, resume every unfinished one (the console may have been
// closed), list them. The entry goes to the platform repository's journal through a pull request.

#include "cli/cli.h"

#include "release/validationsession.h"
#include "workspace/validationwiring.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <nlohmann/json.hpp>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using Release::ValidationRun;

namespace {

const QString kCommon = u"  --keychain-service S  the keychain's service name for the tokens (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
                        u"  --json                the runs as JSON\n"_s;

nlohmann::json runJson(const ValidationRun &r)
{
    nlohmann::json j = r.toJson();
    j["endsAt"] = r.endsAt().toString(Qt::ISODate).toStdString();
    j.erase("schema");
    return j;
}

void printRun(Context &ctx, const ValidationRun &r)
{
    ctx.out << u"%1  %2  level %3  %4 – %5 UTC"_s.arg(r.id, ValidationRun::phaseName(r.phase), r.level.isEmpty() ? u"?"_s : r.level,
                                                    r.promotedAt.toString(u"yyyy-MM-dd HH:mm"_s), r.endsAt().toString(u"HH:mm"_s))
            << u'\n';
    if (r.phase != ValidationRun::Phase::Watching) {
        ctx.out << u"  "_s << (r.passed ? u"passed"_s : u"anomalies"_s) << u'\n';
        for (const QString &o : r.observed)
            ctx.out << u"  - "_s << o << u'\n';
    }
    if (!r.pullUrl.isEmpty())
        ctx.out << u"  journal: %1 on %2, pull request %3\n"_s.arg(r.journalFile, r.journalBranch, r.pullUrl);
    if (!r.lastError.isEmpty())
        ctx.out << u"  last error: %1\n"_s.arg(r.lastError);
}

} // namespace

const CommandHelp &validateHelp()
{
    static const QString start =
        u"usage: raize-console validate start --deployment ID [--level L0..L3] [--tag T] [--sha S] [--url U] [--shipped S]...\n"
        u"                                    [--promoted-at ISO8601] [--json]\n"
        u"Starts the post-release validation of a production deployment (the console does it after its promote):\n"
        u"the policy's checks (records.validation.checks) over the level's window (records.validation.windowMinutes).\n"
        u"\n"
        u"Options:\n"
        u"  --deployment ID       the production deployment (required)\n"
        u"  --level L             its release level (an unknown level gets the longest window)\n"
        u"  --tag T, --sha S, --url U   what shipped, for the journal entry\n"
        u"  --shipped S           a line of \"what shipped\" (repeat for each)\n"
        u"  --promoted-at T       when it reached production (default: now)\n"_s
        + kCommon
        + u"\n"
          u"Exit codes: 0 started (or already under validation); 2 could not run.\n"
          u"Example: raize-console validate start --deployment dpl_cand --level L3 --tag v1.4.0\n"_s;
    static const QString resume =
        u"usage: raize-console validate resume [--id ID] [--no-wait] [--json]\n"
        u"Moves every unfinished validation on: once its window is over, reads the SLOs over the whole window and\n"
        u"appends the journal entry (what shipped, what was observed, anomalies) to docs/journal/YYYY-MM-DD.md in\n"
        u"the platform repository, on the policy's branch (records.journal.branch) with a pull request, never to main.\n"
        u"An entry is written once: a run resumed after a crash finds its entry and does not append it again.\n"
        u"\n"
        u"Options:\n"
        u"  --id ID               only this run\n"
        u"  --no-wait             do not wait for windows that are still open; say how long they have left\n"_s
        + kCommon
        + u"\n"
          u"Exit codes: 0 every run validated and written (or still watching with --no-wait); 1 an entry was written\n"
          u"with anomalies; 2 could not run (no run, Prometheus or GitHub failed: the run keeps its phase, run it again).\n"
          u"Example: raize-console validate resume --no-wait\n"_s;
    static const QString list = u"usage: raize-console validate list [--json]\n"
                                u"Lists the profile's validations with their phase and where their entry went.\n"
                                u"\n"
                                u"Options:\n"_s
                                + kCommon
                                + u"\n"
                                  u"Exit codes: 0 listed; 2 a state file could not be read.\n"
                                  u"Example: raize-console validate list --json\n"_s;
    static const CommandHelp help{
        u"usage: raize-console validate [start|resume|list] [OPTIONS]\n"
        u"Post-release validation (playbook §6.3): the SLOs over the policy's window after a production promotion,\n"
        u"and the journal entry in the platform repository. Without a sub-subcommand: resume.\n"
        u"\n"
        u"Exit codes: 0 ok; 1 anomalies; 2 could not run.\n"
        u"Example: raize-console validate\n"_s,
        {{"start"_L1, "start the validation of a production deployment"_L1, start},
         {"resume"_L1, "move unfinished validations on and write their journal entries"_L1, resume},
         {"list"_L1, "list the validations"_L1, list}}};
    return help;
}

int validateCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    const QString keychainService = ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    QString sub = u"resume"_s;
    if (!ctx.args.isEmpty() && !ctx.args.first().startsWith(u"--"_s))
        sub = ctx.args.takeFirst();
    if (sub != u"start"_s && sub != u"resume"_s && sub != u"list"_s) {
        ctx.err << u"unknown: validate %1\nusage: raize-console validate [start|resume|list] [OPTIONS]\n"_s.arg(sub);
        return Failure;
    }

    if (sub == u"list"_s) {
        if (!ctx.noneLeft(u"raize-console validate list [--json]"_s))
            return Failure;
        QStringList errors;
        const Release::ValidationStore store(Release::ValidationStore::defaultDirectory(ctx.profile));
        const QList<ValidationRun> runs = store.all(&errors);
        for (const QString &e : std::as_const(errors))
            ctx.err << e << u'\n';
        if (json) {
            nlohmann::json out = nlohmann::json::array();
            for (const ValidationRun &r : runs)
                out.push_back(runJson(r));
            ctx.printJson(out);
        } else {
            if (runs.isEmpty())
                ctx.out << u"no validations in profile %1\n"_s.arg(ctx.profile);
            for (const ValidationRun &r : runs)
                printRun(ctx, r);
        }
        return errors.isEmpty() ? Ok : Failure;
    }

    if (sub == u"start"_s) {
        ValidationRun seed;
        seed.deploymentId = ctx.takeOption(u"--deployment"_s);
        seed.level = ctx.takeOption(u"--level"_s);
        seed.tag = ctx.takeOption(u"--tag"_s);
        seed.sha = ctx.takeOption(u"--sha"_s);
        seed.url = ctx.takeOption(u"--url"_s);
        for (QString v; !(v = ctx.takeOption(u"--shipped"_s)).isEmpty();)
            seed.shipped << v;
        const QString at = ctx.takeOption(u"--promoted-at"_s);
        if (!ctx.noneLeft(u"raize-console validate start --deployment ID [--level L] [--tag T] [--sha S] [--url U] [--shipped S]... [--promoted-at T]"_s))
            return Failure;
        if (seed.deploymentId.isEmpty()) {
            ctx.err << u"--deployment is required (the production deployment to validate)\n"_s;
            return Failure;
        }
        if (!at.isEmpty()) {
            seed.promotedAt = QDateTime::fromString(at, Qt::ISODateWithMs);
            if (!seed.promotedAt.isValid()) {
                ctx.err << u"--promoted-at %1 is not an ISO 8601 time (2026-12-06T14:05:00Z)\n"_s.arg(at);
                return Failure;
            }
        }
        const std::unique_ptr<Workspace> ws = Workspace::forProfile(ctx.profile, keychainService);
        if (ws->readOnly()) {
            ctx.err << u"the policy is read-only: "_s << ws->policy().readOnlyReason() << u'\n';
            return Failure;
        }
        seed.actor = ws->actor();
        const auto session = validationSessionFor(*ws);
        const Result<ValidationRun> run = session->start(seed);
        if (!run) {
            ctx.err << run.error().toString() << u'\n';
            return Failure;
        }
        if (json)
            ctx.printJson(runJson(*run));
        else
            printRun(ctx, *run);
        return Ok;
    }

    // resume
    const QString only = ctx.takeOption(u"--id"_s);
    const bool noWait = ctx.takeFlag(u"--no-wait"_s);
    if (!ctx.noneLeft(u"raize-console validate resume [--id ID] [--no-wait] [--json]"_s))
        return Failure;
    const Release::ValidationStore store(Release::ValidationStore::defaultDirectory(ctx.profile));
    QStringList errors;
    QList<ValidationRun> runs;
    if (!only.isEmpty()) {
        const Result<ValidationRun> one = store.load(only);
        if (!one) {
            ctx.err << one.error().toString() << u'\n';
            return Failure;
        }
        runs << *one;
    } else {
        runs = store.unfinished(&errors);
        for (const QString &e : std::as_const(errors))
            ctx.err << e << u'\n';
        if (runs.isEmpty() && errors.isEmpty()) {
            ctx.out << u"no unfinished validation in profile %1\n"_s.arg(ctx.profile);
            if (json)
                ctx.printJson(nlohmann::json::array());
            return Ok;
        }
    }

    const std::unique_ptr<Workspace> ws = Workspace::forProfile(ctx.profile, keychainService);
    ws->openSync();
    const auto session = validationSessionFor(*ws);
    int code = errors.isEmpty() ? Ok : Failure;
    nlohmann::json out = nlohmann::json::array();
    for (const ValidationRun &initial : std::as_const(runs)) {
        ValidationRun run = initial;
        if (run.phase == ValidationRun::Phase::Watching) {
            const qint64 leftMs = QDateTime::currentDateTimeUtc().msecsTo(run.endsAt());
            if (leftMs > 0 && noWait) {
                ctx.out << u"%1: watching, %2 min left (until %3 UTC)\n"_s.arg(run.id).arg((leftMs + 59'999) / 60'000)
                               .arg(run.endsAt().toString(u"HH:mm"_s));
                out.push_back(runJson(run));
                continue;
            }
            if (leftMs > 0) {
                ctx.err << u"%1: waiting %2 min for the window to end (%3 UTC); Ctrl+C stops waiting, the run stays\n"_s.arg(run.id)
                               .arg((leftMs + 59'999) / 60'000)
                               .arg(run.endsAt().toString(u"HH:mm"_s));
                ctx.err.flush();
                QEventLoop wait;
                QTimer::singleShot(std::chrono::milliseconds(leftMs + 1000), &wait, &QEventLoop::quit);
                wait.exec();
            }
        }
        std::optional<Result<ValidationRun>> result;
        QEventLoop loop;
        session->step(run.id, [&](const Result<ValidationRun> &r) {
            result = r;
            loop.quit();
        });
        if (!result)
            loop.exec();
        if (!*result) {
            ctx.err << u"%1: "_s.arg(run.id) << result->error().toString() << u'\n';
            code = Failure;
            continue;
        }
        run = **result;
        out.push_back(runJson(run));
        if (!json)
            printRun(ctx, run);
        if (run.phase == ValidationRun::Phase::Written && !run.passed && code == Ok)
            code = Negative;
    }
    if (json)
        ctx.printJson(out);
    return code;
}

} // namespace Raize::Cli
