// `raize-console token set|check|delete <service> [--stdin]`
// A token is read from standard input, never from the command line, so it
// cannot show up in the process list or the shell history.

#include "cli/cli.h"

#include "core/tokenstore.h"

#include <QFile>

#include <cstdio>

namespace Raize::Cli {

using namespace Qt::StringLiterals;

namespace {

const QString usage = u"raize-console token set|check|delete vercel|github|flags|flags-client|prometheus|vercel-bypass [--profile P] [--keychain-service S]"_s;

std::optional<Service> parseService(const QString &name)
{
    for (Service s : tokenServices()) {
        if (serviceId(s) == name)
            return s;
    }
    return std::nullopt;
}

} // namespace

const CommandHelp &tokenHelp()
{
    static const QString services = u"  SERVICE                 vercel, github, flags, flags-client, prometheus, or vercel-bypass (the production\n"
                                    u"                          domain's Deployment Protection bypass secret, sent by the effectiveness probe)\n"
                                    u"  --keychain-service S    the keychain's service name (default: raize-console)\n"_s;
    static const CommandHelp help{
        u"usage: raize-console token set|check|delete SERVICE [--stdin] [--keychain-service S]\n"
        u"Stores, checks or deletes a service token in the keychain, per profile. A token is read from standard\n"
        u"input, never from the command line, so it cannot show up in the process list or the shell history.\n"
        u"\n"
        u"Exit codes: 0 done; 1 (check) no token is stored; 2 could not run (no keychain, bad usage).\n"
        u"Example: raize-console token check vercel\n"_s,
        {{"set"_L1, "store a token read from standard input"_L1,
          u"usage: raize-console token set SERVICE [--stdin] [--keychain-service S]\n"
          u"Reads one line from standard input and stores it as the profile's token for SERVICE in the keychain.\n"
          u"\n"
          u"Options:\n"_s + services
              + u"  --stdin                 read the token from standard input (the only way; accepted for clarity)\n"
                u"\n"
                u"Exit codes: 0 stored; 2 nothing on standard input, or no keychain to store it in (nothing is stored).\n"
                u"Example: raize-console token set vercel --stdin < vercel-token.txt\n"_s},
         {"check"_L1, "say whether a token is stored (never prints it)"_L1,
          u"usage: raize-console token check SERVICE [--keychain-service S]\n"
          u"Says whether the profile has a token for SERVICE in the keychain, and its length; never the token.\n"
          u"\n"
          u"Options:\n"_s + services
              + u"\n"
                u"Exit codes: 0 a token is stored; 1 none is stored or the keychain cannot be read; 2 bad usage.\n"
                u"Example: raize-console token check github --profile sandbox\n"_s},
         {"delete"_L1, "remove a token from the keychain"_L1,
          u"usage: raize-console token delete SERVICE [--keychain-service S]\n"
          u"Deletes the profile's token for SERVICE from the keychain.\n"
          u"\n"
          u"Options:\n"_s + services
              + u"\n"
                u"Exit codes: 0 deleted; 2 the keychain refused, or bad usage.\n"
                u"Example: raize-console token delete flags\n"_s}}};
    return help;
}

int tokenCommand(Context &ctx)
{
    const QString keychainService = ctx.takeOption(u"--keychain-service"_s, u"raize-console"_s);
    ctx.takeFlag(u"--stdin"_s); // the only way a token is accepted; accepted for clarity
    if (ctx.args.size() != 2) {
        ctx.err << u"usage: "_s << usage << u'\n';
        return Failure;
    }
    const QString verb = ctx.args[0];
    const auto service = parseService(ctx.args[1]);
    if (!service) {
        ctx.err << u"unknown service: %1\nusage: %2\n"_s.arg(ctx.args[1], usage);
        return Failure;
    }
    TokenStore store(ctx.profile, keychainService);
    if (verb == u"set"_s) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            ctx.err << u"cannot read the token from standard input\n"_s;
            return Failure;
        }
        const QString token = QString::fromUtf8(in.readLine(64 * 1024)).trimmed();
        if (token.isEmpty()) {
            ctx.err << u"no token on standard input. Pipe it in, e.g.: secret-tool lookup ... | raize-console token set %1\n"_s.arg(serviceId(*service));
            return Failure;
        }
        const Status s = store.writeSync(*service, token);
        if (!s) {
            ctx.err << s.error().toString() << u'\n';
            return Failure;
        }
        if (store.usingSessionFallback()) {
            ctx.err << store.fallbackReason() << u"\nThe token was NOT stored.\n"_s;
            return Failure;
        }
        ctx.out << u"stored the %1 token for profile %2 in the keychain\n"_s.arg(serviceDisplayName(*service), ctx.profile);
        return Ok;
    }
    if (verb == u"check"_s) {
        const Result<QString> r = store.readSync(*service);
        if (!r) {
            ctx.err << r.error().toString() << u'\n';
            return Negative;
        }
        ctx.out << u"a %1 token is stored for profile %2 (%3 characters)\n"_s.arg(serviceDisplayName(*service), ctx.profile).arg(r.value().size());
        return Ok;
    }
    if (verb == u"delete"_s) {
        const Status s = store.removeSync(*service);
        if (!s) {
            ctx.err << s.error().toString() << u'\n';
            return Failure;
        }
        ctx.out << u"deleted the %1 token for profile %2\n"_s.arg(serviceDisplayName(*service), ctx.profile);
        return Ok;
    }
    ctx.err << u"unknown action: %1\nusage: %2\n"_s.arg(verb, usage);
    return Failure;
}

} // namespace Raize::Cli
