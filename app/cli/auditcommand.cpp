// `raize-console audit verify|export|repair` (issue #10): the hash-chained audit log.

#include "cli/cli.h"

#include "core/jsonutil.h"
#include "core/settings.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "records/auditverifier.h"

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Records;

const CommandHelp &auditHelp()
{
    static const QString file = u"  FILE    the audit log (default: the profile's, audit/logPath or its data folder)\n"_s;
    static const CommandHelp help{
        u"usage: raize-console audit verify|export|repair [FILE] [OPTIONS]\n"
        u"The hash-chained, append-only audit log of every action the console takes.\n"
        u"\n"
        u"Exit codes: 0 done (verify: intact); 1 the check said no (verify: tampered or broken); 2 could not run.\n"
        u"Example: raize-console audit verify --json\n"_s,
        {{"verify"_L1, "check the hash chain and the head checkpoint"_L1,
          u"usage: raize-console audit verify [FILE] [--json]\n"
          u"Checks every record's hash chain and the head checkpoint (records cut off the end), and reports the\n"
          u"first bad record and a torn last line.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --json  {\"file\", \"readable\", \"intact\", \"records\", \"lastSeq\", \"summary\", \"firstBad\"?, \"tornTail\"?}\n"
                u"\n"
                u"Exit codes: 0 intact; 1 tampered, broken or cut; 2 the file cannot be read.\n"
                u"Example: raize-console audit verify /var/lib/raize/audit.jsonl\n"_s},
         {"export"_L1, "export records as JSON or CSV, filtered"_L1,
          u"usage: raize-console audit export [FILE] [--format json|csv] [--action PREFIX] [--actor A] [--since T] [--until T]\n"
          u"Prints the records that match every filter given; warns on standard error when the log is not intact.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --format json|csv   the output format (default: json)\n"
                u"  --action PREFIX     records whose action starts with PREFIX (e.g. rollback.)\n"
                u"  --actor A           records by actor A\n"
                u"  --since T           records at or after T (ISO 8601)\n"
                u"  --until T           records at or before T (ISO 8601)\n"
                u"\n"
                u"Exit codes: 0 exported; 2 could not run (unreadable file, bad --format).\n"
                u"Example: raize-console audit export --format csv --action cohorts. --since 2026-12-01T00:00:00Z\n"_s},
         {"repair"_L1, "cut a torn last line (keeps the original)"_L1,
          u"usage: raize-console audit repair [FILE] --truncate-torn-tail\n"
          u"Cuts a torn (half-written) last line off the log and keeps the original next to it. Nothing else is repaired.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --truncate-torn-tail   required: confirms the cut\n"
                u"\n"
                u"Exit codes: 0 cut; 1 nothing to cut or the log cannot be repaired this way; 2 bad usage.\n"
                u"Example: raize-console audit repair --truncate-torn-tail\n"_s}}};
    return help;
}

int auditCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    if (ctx.args.isEmpty()) {
        ctx.err << u"usage: raize-console audit verify|export|repair [FILE] ...\n"_s;
        return Failure;
    }
    const QString verb = ctx.args.takeFirst();
    QString file;
    if (!ctx.args.isEmpty() && !ctx.args.first().startsWith(u"--"_s))
        file = ctx.args.takeFirst();
    if (file.isEmpty()) {
        Settings settings(ctx.profile);
        file = AuditLog::defaultPath(ctx.profile, settings.string(SettingKey::AuditLogPath));
    }

    if (verb == u"verify"_s) {
        if (!ctx.noneLeft(u"raize-console audit verify [FILE] [--json]"_s))
            return Failure;
        const VerifyReport r = AuditVerifier::verify(file);
        if (json) {
            nlohmann::json j = {{"file", file.toStdString()}, {"readable", r.readable}, {"intact", r.intact()},
                                {"records", r.records}, {"lastSeq", r.lastSeq}, {"summary", r.summary().toStdString()}};
            if (r.firstBad)
                j["firstBad"] = {{"line", r.firstBad->line}, {"seq", r.firstBad->seq}, {"byteOffset", r.firstBad->byteOffset},
                                 {"kind", VerifyProblem::kindName(r.firstBad->kind).toStdString()},
                                 {"message", r.firstBad->message.toStdString()}};
            if (r.tornTail)
                j["tornTail"] = {{"line", r.tornTail->line}, {"byteOffset", r.tornTail->byteOffset}, {"bytes", r.tornTail->bytes}};
            ctx.printJson(j);
        } else {
            ctx.out << file << u": "_s << r.summary() << u'\n';
        }
        if (!r.readable)
            return Failure;
        return r.intact() ? Ok : Negative;
    }
    if (verb == u"repair"_s) {
        if (!ctx.takeFlag(u"--truncate-torn-tail"_s)) {
            ctx.err << u"audit repair only cuts a torn last line: pass --truncate-torn-tail to confirm\n"_s;
            return Failure;
        }
        if (!ctx.noneLeft(u"raize-console audit repair [FILE] --truncate-torn-tail"_s))
            return Failure;
        const auto backup = AuditLog(file).repairTornTail();
        if (!backup) {
            ctx.err << backup.error().toString() << u'\n';
            return Negative;
        }
        ctx.out << u"cut the torn tail off %1; the original is kept as %2\n"_s.arg(file, *backup);
        return Ok;
    }
    if (verb == u"export"_s) {
        const QString format = ctx.takeOption(u"--format"_s, u"json"_s);
        const QString action = ctx.takeOption(u"--action"_s);
        const QString actor = ctx.takeOption(u"--actor"_s);
        const QDateTime since = QDateTime::fromString(ctx.takeOption(u"--since"_s), Qt::ISODate);
        const QDateTime until = QDateTime::fromString(ctx.takeOption(u"--until"_s), Qt::ISODate);
        if (!ctx.noneLeft(u"raize-console audit export [FILE] [--format json|csv] [--action A] [--actor A] [--since T] [--until T]"_s))
            return Failure;
        if (format != u"json"_s && format != u"csv"_s) {
            ctx.err << u"--format takes json or csv\n"_s;
            return Failure;
        }
        QString error;
        const QList<AuditRecord> all = AuditExport::readAll(file, &error);
        if (!error.isEmpty()) {
            ctx.err << u"cannot read %1: %2\n"_s.arg(file, error);
            return Failure;
        }
        const VerifyReport report = AuditVerifier::verify(file);
        if (!report.intact())
            ctx.err << u"warning: "_s << report.summary() << u'\n';
        AuditFilter filter;
        filter.actionPrefix = action;
        filter.actor = actor;
        filter.since = since;
        filter.until = until;
        QList<AuditRecord> selected;
        for (const AuditRecord &r : all) {
            if (filter.matches(r))
                selected.append(r);
        }
        ctx.out << QString::fromUtf8(AuditExport::render(selected, format == u"csv"_s ? AuditExport::Format::Csv : AuditExport::Format::Json));
        return Ok;
    }
    ctx.err << u"unknown action: %1 (verify, export or repair)\n"_s.arg(verb);
    return Failure;
}

} // namespace Raize::Cli
