// `raize-console journal add` (issue #10): appends an entry to docs/journal (append-only).

#include "cli/cli.h"

#include "core/jsonutil.h"
#include "records/journal.h"

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Records;

const CommandHelp &journalHelp()
{
    static const QString add =
        u"usage: raize-console journal add --title T [--author A] [--shipped S]... [--observed O]... [--anomaly A]...\n"
        u"                                 [--dir DIR] [--json]\n"
        u"Appends one entry to the day's journal file; the journal is append-only.\n"
        u"\n"
        u"Options:\n"
        u"  --title T        the entry's title (required)\n"
        u"  --author A       who writes it (default: $USER)\n"
        u"  --shipped S      what shipped (repeat for each)\n"
        u"  --observed O     what was observed (repeat for each)\n"
        u"  --anomaly A      an anomaly (repeat for each)\n"
        u"  --dir DIR        the journal folder (default: docs/journal)\n"
        u"  --json           {\"file\": the file written}\n"
        u"\n"
        u"Exit codes: 0 appended; 2 could not run (no title, unwritable folder).\n"
        u"Example: raize-console journal add --title \"Canary 1.4.0\" --shipped \"1.4.0 to house accounts\"\n"_s;
    static const CommandHelp help{
        u"usage: raize-console journal add --title T [OPTIONS]\n"
        u"The project's journal (docs/journal), append-only.\n"
        u"\n"
        u"Exit codes: 0 appended; 2 could not run.\n"
        u"Example: raize-console journal add --title \"Rollback drill\" --observed \"flags off in 4 s\"\n"_s,
        {{"add"_L1, "append an entry"_L1, add}}};
    return help;
}

int journalCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    if (ctx.args.isEmpty() || ctx.args.takeFirst() != u"add"_s) {
        ctx.err << u"usage: raize-console journal add --title T [--shipped S]... [--observed O]... [--anomaly A]... [--dir docs/journal]\n"_s;
        return Failure;
    }
    JournalEntry e;
    const QString dir = ctx.takeOption(u"--dir"_s, u"docs/journal"_s);
    e.title = ctx.takeOption(u"--title"_s);
    e.author = ctx.takeOption(u"--author"_s, qEnvironmentVariable("USER"));
    for (QString v; !(v = ctx.takeOption(u"--shipped"_s)).isEmpty();)
        e.shipped << v;
    for (QString v; !(v = ctx.takeOption(u"--observed"_s)).isEmpty();)
        e.observed << v;
    for (QString v; !(v = ctx.takeOption(u"--anomaly"_s)).isEmpty();)
        e.anomalies << v;
    if (!ctx.noneLeft(u"raize-console journal add --title T [--shipped S]... [--observed O]... [--anomaly A]..."_s))
        return Failure;
    const auto written = Journal(dir).append(e);
    if (!written) {
        ctx.err << written.error().toString() << u'\n';
        return Failure;
    }
    if (json)
        ctx.printJson({{"file", written->toStdString()}});
    else
        ctx.out << u"appended to "_s << *written << u'\n';
    return Ok;
}

} // namespace Raize::Cli
