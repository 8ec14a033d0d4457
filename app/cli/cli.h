#pragma once

#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <optional>

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
    // Reports anything left in args as unknown and returns false.
    bool noneLeft(const QString &usage);
    // A whole UTF-8 file; on failure says which and why on err.
    std::optional<QString> readText(const QString &path);
};

using Handler = int (*)(Context &);

struct Command
{
    QLatin1StringView name;
    QLatin1StringView summary;
    Handler handler;
};

// The table of subcommands. Every handler lives in app/cli/<name>command.cpp
// (core_cli, which links the core libraries it drives) and has one row in cli.cpp.
const QList<Command> &commands();
bool isSubcommand(const QString &name);

// argv[0] is the program, argv[1] the subcommand. Needs a QCoreApplication.
int run(const QStringList &argv);

QString usageSummary();

} // namespace Raize::Cli
