#include "cli/cli.h"

#include "core/logging.h"
#include "core/settings.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace Raize::Cli {

using namespace Qt::StringLiterals;

int tokenCommand(Context &ctx);         // tokencommand.cpp
int settingsCommand(Context &ctx);      // settingscommand.cpp
int releaseNotesCommand(Context &ctx);  // releasenotescommand.cpp
int changelogCommand(Context &ctx);     // changelogcommand.cpp
int journalCommand(Context &ctx);       // journalcommand.cpp
int auditCommand(Context &ctx);         // auditcommand.cpp
int rollbackCommand(Context &ctx);      // rollbackcommand.cpp
int killSwitchCommand(Context &ctx);    // killswitchcommand.cpp
int gatesCommand(Context &ctx);         // gatescommand.cpp
int policyCommand(Context &ctx);        // policycommand.cpp
int metricsCommand(Context &ctx);       // metricscommand.cpp
int validateCommand(Context &ctx);      // validatecommand.cpp
int cohortsCommand(Context &ctx);       // cohortscommand.cpp
int promoteCommand(Context &ctx);       // promotecommand.cpp
int rolloutCommand(Context &ctx);       // rolloutcommand.cpp
int canaryCommand(Context &ctx);        // canarycommand.cpp

const CommandHelp &tokenHelp();
const CommandHelp &settingsHelp();
const CommandHelp &releaseNotesHelp();
const CommandHelp &changelogHelp();
const CommandHelp &journalHelp();
const CommandHelp &auditHelp();
const CommandHelp &rollbackHelp();
const CommandHelp &killSwitchHelp();
const CommandHelp &gatesHelp();
const CommandHelp &policyHelp();
const CommandHelp &metricsHelp();
const CommandHelp &validateHelp();
const CommandHelp &cohortsHelp();
const CommandHelp &promoteHelp();
const CommandHelp &rolloutHelp();
const CommandHelp &canaryHelp();

namespace {

int helpCommand(Context &ctx);

const CommandHelp &helpHelp()
{
    static const CommandHelp help{
        u"usage: raize-console help [SUBCOMMAND [SUB-SUBCOMMAND]]\n"
        u"Prints the list of subcommands, or the usage of one subcommand (or of one of its sub-subcommands).\n"
        u"The same text as `raize-console SUBCOMMAND [SUB-SUBCOMMAND] --help`.\n"
        u"\n"
        u"Exit codes: 0 printed; 2 no such subcommand.\n"
        u"Example: raize-console help rollback execute\n"_s,
        {}};
    return help;
}

} // namespace

bool Context::takeFlag(const QString &name)
{
    return args.removeAll(name) > 0;
}

QString Context::takeOption(const QString &name, const QString &fallback)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == name && i + 1 < args.size()) {
            const QString v = args[i + 1];
            args.remove(i, 2);
            return v;
        }
        if (args[i].startsWith(name + u'=')) {
            const QString v = args[i].mid(name.size() + 1);
            args.remove(i);
            return v;
        }
    }
    return fallback;
}

std::optional<QString> Context::readText(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        err << u"cannot read %1: %2\n"_s.arg(path, f.errorString());
        return std::nullopt;
    }
    return QString::fromUtf8(f.readAll());
}

void Context::printJson(const nlohmann::json &json)
{
    out << QString::fromStdString(json.dump(2)) << u'\n';
}

bool Context::noneLeft(const QString &usage)
{
    if (args.isEmpty())
        return true;
    err << u"unknown argument: %1\nusage: %2\n"_s.arg(args.join(u' '), usage);
    err.flush();
    return false;
}

std::optional<QString> Context::takeArm()
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == u"--arm"_s && i + 1 < args.size()) {
            const QString v = args[i + 1];
            args.remove(i, 2);
            return v;
        }
        if (args[i].startsWith(u"--arm="_s)) {
            const QString v = args[i].mid(6);
            args.remove(i);
            return v;
        }
    }
    return std::nullopt;
}

int armForCommand(Context &ctx, Workspace &workspace, const std::optional<QString> &reason, const QString &command)
{
    if (workspace.sandbox())
        return Ok;
    if (!reason) {
        const Status refused = workspace.mayChange(command);
        if (refused)
            return Ok; // armed already (a caller that armed it before)
        ctx.err << refused.error().message << u"\nPass --arm REASON to arm profile “%1” for this one command (audited with your reason).\n"_s.arg(
                                                  ctx.profile);
        return Negative;
    }
    const Status armed = workspace.arm(*reason, {}, u"command: "_s + command);
    if (!armed) {
        ctx.err << u"not armed: "_s << armed.error().message;
        if (!armed.error().remedy.isEmpty())
            ctx.err << u" "_s << armed.error().remedy;
        ctx.err << u'\n';
        return Failure;
    }
    ctx.err << u"armed profile “%1” for this command until %2 (audited, by %3)\n"_s.arg(
        ctx.profile, workspace.armedUntil().toString(Qt::ISODate), workspace.actor());
    return Ok;
}

QString armHelp()
{
    return u"  --arm REASON    on a profile not marked sandbox (profile/sandbox), which is read-only until armed: arm it for\n"
           u"                  this one command, with your reason (audited: who, why, until). Without it the command is refused\n"
           u"                  (exit 1). A sandbox profile needs none.\n"_s;
}

const QList<Command> &commands()
{
    static const QList<Command> table = {
        {"token"_L1, "store, check or delete a service token in the keychain"_L1, &tokenCommand, &tokenHelp},
        {"settings"_L1, "list, get or set a profile's settings"_L1, &settingsCommand, &settingsHelp},
        {"changelog"_L1, "lint CHANGELOG.md, suggest the next version, cut a release"_L1, &changelogCommand, &changelogHelp},
        {"release-notes"_L1, "write a version's release notes; --publish makes a GitHub Release draft"_L1, &releaseNotesCommand, &releaseNotesHelp},
        {"journal"_L1, "append an entry to docs/journal (append-only)"_L1, &journalCommand, &journalHelp},
        {"audit"_L1, "verify, export or repair the hash-chained audit log"_L1, &auditCommand, &auditHelp},
        {"rollback"_L1, "plan, execute, resume or show the guarded rollback (flags first, then Instant Rollback)"_L1, &rollbackCommand, &rollbackHelp},
        {"kill-switch"_L1, "turn off every side-effect flag in a scope, in one parallel fan-out"_L1, &killSwitchCommand, &killSwitchHelp},
        {"gates"_L1, "check a candidate deployment against the promotion gates (exit 0 pass, 1 blocked, 2 error)"_L1, &gatesCommand, &gatesHelp},
        {"promote"_L1, "review, approve, override and promote a candidate to production (bound to the plan digest)"_L1, &promoteCommand, &promoteHelp},
        {"policy"_L1, "check a policy bundle, or show how two bundles differ"_L1, &policyCommand, &policyHelp},
        {"cohorts"_L1, "list the canary cohorts in effect, or set/reset the profile's (checked and audited)"_L1, &cohortsCommand, &cohortsHelp},
        {"rollout"_L1, "the rollout's SLO verdicts, pages and next-stage recommendation; advance it (checked, audited)"_L1, &rolloutCommand, &rolloutHelp},
        {"canary"_L1, "the two-axis canary (Vercel rolling release and flag cohorts): status, start, advance (checked, audited)"_L1, &canaryCommand, &canaryHelp},
        {"metrics"_L1, "delivery metrics from the release's records: DORA's five"_L1, &metricsCommand, &metricsHelp},
        {"validate"_L1, "post-release validation: the SLOs over the policy's window, then the journal entry via a pull request"_L1, &validateCommand, &validateHelp},
        {"help"_L1, "print the usage of a subcommand: raize-console help SUBCOMMAND [SUB-SUBCOMMAND]"_L1, &helpCommand, &helpHelp},
    };
    return table;
}

const Command *findCommand(const QString &name)
{
    for (const Command &c : commands()) {
        if (name == c.name)
            return &c;
    }
    return nullptr;
}

bool isSubcommand(const QString &name)
{
    return findCommand(name) != nullptr;
}

bool wantsHelp(const QStringList &args)
{
    return args.contains(u"--help"_s) || args.contains(u"-h"_s);
}

QString namedSubcommand(const Command &command, const QStringList &args)
{
    const QList<SubcommandHelp> &subs = command.help().subcommands;
    for (const QString &a : args) {
        if (a.startsWith(u'-'))
            continue;
        for (const SubcommandHelp &s : subs) {
            if (a == s.name)
                return a;
        }
    }
    return {};
}

QString helpText(const Command &command, const QString &sub)
{
    static const QString common = u"\nEvery subcommand also takes --profile P (the settings profile; default: default).\n"
                                  u"--help or -h anywhere on the line prints the usage and runs nothing.\n"_s;
    const CommandHelp &help = command.help();
    for (const SubcommandHelp &s : help.subcommands) {
        if (sub == s.name)
            return s.usage + common;
    }
    QString text = help.usage;
    if (!help.subcommands.isEmpty()) {
        text += u"\nSub-subcommands:\n"_s;
        for (const SubcommandHelp &s : help.subcommands)
            text += u"  %1  %2\n"_s.arg(QString(s.name).leftJustified(14), QString(s.summary));
        text += u"Run `raize-console %1 SUB-SUBCOMMAND --help` for its options.\n"_s.arg(QString(command.name));
    }
    return text + common;
}

QString usageSummary()
{
    QString s = u"Subcommands (run headless, same core as the console):\n"_s;
    for (const Command &c : commands())
        s += u"  %1  %2\n"_s.arg(QString(c.name).leftJustified(16), QString(c.summary));
    s += u"Run `raize-console help SUBCOMMAND` or `raize-console SUBCOMMAND --help` for a subcommand's options.\n"_s;
    return s;
}

namespace {

int helpCommand(Context &ctx)
{
    if (ctx.args.isEmpty()) {
        ctx.out << usageSummary();
        return Ok;
    }
    const Command *command = findCommand(ctx.args.first());
    if (!command) {
        ctx.err << u"no subcommand %1\n"_s.arg(ctx.args.first()) << usageSummary();
        return Failure;
    }
    const QString sub = ctx.args.value(1);
    if (ctx.args.size() > 2 || (!sub.isEmpty() && namedSubcommand(*command, {sub}).isEmpty())) {
        ctx.err << u"%1 has no sub-subcommand \"%2\"\n"_s.arg(QString(command->name), ctx.args.mid(1).join(u' '))
                << helpText(*command);
        return Failure;
    }
    ctx.out << helpText(*command, sub);
    return Ok;
}

} // namespace

int run(const QStringList &argv)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (argv.size() < 2) {
        err << usageSummary();
        return Failure;
    }
    const Command *command = findCommand(argv[1]);
    if (!command) {
        err << u"unknown subcommand: %1\n"_s.arg(argv[1]) << usageSummary();
        return Failure;
    }
    const QStringList args = argv.mid(2);
    // Before the profile is even read: --help runs no handler, so it touches no service and no keychain.
    if (wantsHelp(args)) {
        out << helpText(*command, namedSubcommand(*command, args));
        return Ok;
    }
    Context ctx{args, u"default"_s, out, err};
    ctx.profile = ctx.takeOption(u"--profile"_s, u"default"_s);
    if (!Settings::isValidProfileName(ctx.profile)) {
        err << u"invalid profile name: %1 (use lower-case letters, digits, - and _)\n"_s.arg(ctx.profile);
        return Failure;
    }
    const int code = command->handler(ctx);
    out.flush();
    err.flush();
    return code;
}

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer poll, limit;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QObject::connect(&limit, &QTimer::timeout, &loop, &QEventLoop::quit);
    poll.start(20);
    limit.setSingleShot(true);
    limit.start(timeoutMs);
    loop.exec();
    return done();
}

} // namespace Raize::Cli
