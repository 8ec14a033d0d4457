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

namespace {

void printJson(Context &ctx, const nlohmann::json &j)
{
    ctx.out << QString::fromStdString(j.dump(2)) << u'\n';
}

} // namespace

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
            printJson(ctx, j);
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
