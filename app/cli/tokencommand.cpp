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

const QString usage = u"raize-console token set|check|delete vercel|github|flags|flags-client|prometheus [--profile P] [--keychain-service S]"_s;

std::optional<Service> parseService(const QString &name)
{
    for (Service s : tokenServices()) {
        if (serviceId(s) == name)
            return s;
    }
    return std::nullopt;
}

} // namespace

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
