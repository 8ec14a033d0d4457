#pragma once

#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <optional>

namespace Raize {
class Workspace;
}

namespace Raize::Cli {

// Exit codes shared by every subcommand, so that a CI pipeline can branch on them.
enum ExitCode : int {
    Ok = 0,        // done; for checks: pass
    Negative = 1,  // the check ran and said no: gates blocked, lint failed, audit tampered
    Failure = 2,   // could not run: bad usage, unreadable file, service error
};

struct Context
{
    QStringList args;   // the arguments after the subcommand's name
    QString profile;    // --profile, "default" unless given
    QTextStream &out;
    QTextStream &err;

    // Removes "--name" from args; true if it was there.
    bool takeFlag(const QString &name);
    // Removes "--name VALUE" (or "--name=VALUE") from args.
    QString takeOption(const QString &name, const QString &fallback = {});
    // Removes "--arm REASON" (or "--arm=REASON"); nullopt when it is not there (ADR 0028).
    std::optional<QString> takeArm();
    // Reports anything left in args as unknown and returns false.
    bool noneLeft(const QString &usage);
    // A whole UTF-8 file; on failure says which and why on err.
    std::optional<QString> readText(const QString &path);
    // Prints `json` indented by two, for --json.
    void printJson(const nlohmann::json &json);
};

using Handler = int (*)(Context &);

// Read-only until armed (ADR 0028). A subcommand that changes something takes
// `--arm REASON` (ctx.takeOption(u"--arm"_s)) and, once its workspace is open
// (the actor is the token's user), calls this before it acts:
// - a profile marked sandbox: Ok, nothing recorded (a given --arm is ignored);
// - --arm given: arms the workspace for this one command (audited: actor,
//   reason, until, scope "command: <command>") and returns Ok, or prints why
//   arming was refused and returns Failure (no reason, no audit log);
// - not given: prints that the profile is read-only and to pass --arm, and
//   returns Negative (refused). The core's use cases check again.
int armForCommand(Context &ctx, Workspace &workspace, const std::optional<QString> &reason, const QString &command);
// The line every mutating subcommand's usage carries.
QString armHelp();

// Runs the event loop until `done` is true or `timeoutMs` is up (polled every 20 ms, and once
// before the loop); returns done(). The subcommands' one wait for their asynchronous clients.
bool waitUntil(const std::function<bool()> &done, int timeoutMs);
// After a promotion or a rollback has finished (never during one): posts the audit log's queued chain heads on the
// repository's audit issue (ADR 0031), waiting at most `waitMs`; what is not posted stays queued and a note on err
// says so (`raize-console audit publish`). Defined in auditcommand.cpp.
void publishAuditHeads(Context &ctx, Workspace &workspace, int waitMs = 20'000);

// What `--help` prints. Each command file keeps its texts in one function next
// to its handler (e.g. rollbackHelp() in rollbackcommand.cpp). A usage text
// starts with "usage: raize-console ...", names every option, the exit codes
// and ends with an "Example: raize-console ..." line.
struct SubcommandHelp
{
    QLatin1StringView name;    // "plan" in `rollback plan`
    QLatin1StringView summary; // one line for the subcommand's list
    QString usage;
};

struct CommandHelp
{
    QString usage;                     // the subcommand's own text
    QList<SubcommandHelp> subcommands; // its sub-subcommands, if it has any
};

using HelpText = const CommandHelp &(*)();

struct Command
{
    QLatin1StringView name;
    QLatin1StringView summary;
    Handler handler;
    HelpText help;
};

// The table of subcommands. Every handler lives in app/cli/<name>command.cpp
// (core_cli, which links the core libraries it drives) and has one row in cli.cpp.
const QList<Command> &commands();
bool isSubcommand(const QString &name);
const Command *findCommand(const QString &name);

// True when "--help" or "-h" is anywhere in args: run() then prints the usage
// and never calls the handler, so no service, file or keychain is touched.
bool wantsHelp(const QStringList &args);
// The sub-subcommand `args` name: the first word (not an option) that is one
// of `command`'s sub-subcommands; empty when none is.
QString namedSubcommand(const Command &command, const QStringList &args);
// The most specific usage: the sub-subcommand's when `sub` names one, else the
// command's with the list of its sub-subcommands; both end with the common options.
QString helpText(const Command &command, const QString &sub = {});

// argv[0] is the program, argv[1] the subcommand. Needs a QCoreApplication.
int run(const QStringList &argv);

QString usageSummary();

} // namespace Raize::Cli
