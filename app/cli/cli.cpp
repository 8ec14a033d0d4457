#include "cli/cli.h"

#include "core/logging.h"
#include "core/settings.h"

#include <QFile>

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
int killSwitchCommand(Context &ctx);    // rollbackcommand.cpp (the same plan/execute path)
int gatesCommand(Context &ctx);         // gatescommand.cpp
int policyCommand(Context &ctx);        // policycommand.cpp

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

bool Context::noneLeft(const QString &usage)
{
    if (args.isEmpty())
        return true;
    err << u"unknown argument: %1\nusage: %2\n"_s.arg(args.join(u' '), usage);
    err.flush();
    return false;
}

const QList<Command> &commands()
{
    static const QList<Command> table = {
        {"token"_L1, "store, check or delete a service token in the keychain"_L1, &tokenCommand},
        {"settings"_L1, "list, get or set a profile's settings"_L1, &settingsCommand},
        {"changelog"_L1, "lint CHANGELOG.md, suggest the next version, cut a release"_L1, &changelogCommand},
        {"release-notes"_L1, "write a version's release notes; --publish makes a GitHub Release draft"_L1, &releaseNotesCommand},
        {"journal"_L1, "append an entry to docs/journal (append-only)"_L1, &journalCommand},
        {"audit"_L1, "verify, export or repair the hash-chained audit log"_L1, &auditCommand},
        {"rollback"_L1, "plan, execute, resume or show the guarded rollback (flags first, then Instant Rollback)"_L1, &rollbackCommand},
        {"kill-switch"_L1, "turn off every side-effect flag in a scope, in one parallel fan-out"_L1, &killSwitchCommand},
        {"gates"_L1, "check a candidate deployment against the promotion gates (exit 0 pass, 1 blocked, 2 error)"_L1, &gatesCommand},
        {"policy"_L1, "check a policy bundle, or show how two bundles differ"_L1, &policyCommand},
    };
    return table;
}

bool isSubcommand(const QString &name)
{
    for (const Command &c : commands()) {
        if (name == c.name)
            return true;
    }
    return false;
}

QString usageSummary()
{
    QString s = u"Subcommands (run headless, same core as the console):\n"_s;
    for (const Command &c : commands())
        s += u"  %1  %2\n"_s.arg(QString(c.name).leftJustified(16), QString(c.summary));
    return s;
}

int run(const QStringList &argv)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (argv.size() < 2) {
        err << usageSummary();
        return Failure;
    }
    Context ctx{argv.mid(2), u"default"_s, out, err};
    ctx.profile = ctx.takeOption(u"--profile"_s, u"default"_s);
    if (!Settings::isValidProfileName(ctx.profile)) {
        err << u"invalid profile name: %1 (use lower-case letters, digits, - and _)\n"_s.arg(ctx.profile);
        return Failure;
    }
    for (const Command &c : commands()) {
        if (argv[1] == c.name) {
            const int code = c.handler(ctx);
            out.flush();
            err.flush();
            return code;
        }
    }
    err << u"unknown subcommand: %1\n"_s.arg(argv[1]) << usageSummary();
    return Failure;
}

} // namespace Raize::Cli
