// Headless records commands:
//   changelog lint|next-version|cut, release-notes, journal add, audit verify|export|repair

#include "cli/cli.h"

#include "core/jsonutil.h"
#include "core/settings.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "records/auditverifier.h"
#include "records/changeloglinter.h"
#include "records/journal.h"
#include "records/releasenotes.h"

#include <QFile>
#include <QProcess>
#include <QSaveFile>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Records;

namespace {

std::optional<QString> gitShow(Context &ctx, const QString &ref, const QString &file)
{
    QProcess git;
    git.start(u"git"_s, {u"show"_s, ref + u':' + file});
    if (!git.waitForFinished(30000) || git.exitCode() != 0) {
        ctx.err << u"cannot read %1 at %2 from git: %3\n"_s.arg(file, ref, QString::fromLocal8Bit(git.readAllStandardError()).trimmed());
        return std::nullopt;
    }
    return QString::fromUtf8(git.readAllStandardOutput());
}

nlohmann::json toJson(const Diagnostic &d)
{
    return {{"line", d.line}, {"column", d.column}, {"severity", d.severity == Diagnostic::Severity::Error ? "error" : "warning"},
            {"code", d.code.toStdString()}, {"message", d.message.toStdString()}, {"fix", d.fix.toStdString()}};
}

void printJson(Context &ctx, const nlohmann::json &j)
{
    ctx.out << QString::fromStdString(j.dump(2)) << u'\n';
}

const QString lintUsage =
    u"raize-console changelog lint [FILE] [--rules auto|playbook|keepachangelog] [--previous FILE | --git-ref REF] [--json]\n"
    "  Checks FILE (default CHANGELOG.md) against Keep a Changelog 1.1.0 and SemVer 2.0.0, field by field\n"
    "  (version, separator, date, [YANKED], link), and the compare links (direction, base, three dots).\n"
    "  --rules auto            (default) playbook rules when entries carry the playbook's fields\n"
    "                          (Risk, Flags, Migration, Rollback), as this project's own file does;\n"
    "                          Keep a Changelog rules only for any other file\n"
    "  --rules playbook        also require the playbook §8.6 fields on every entry (this project; CI)\n"
    "  --rules keepachangelog  Keep a Changelog only: for another project's file\n"
    "  --previous FILE, --git-ref REF  also check that released sections were not edited (append-only)\n"
    "  The output ends with a count per rule code; exit 0 passed, 1 errors found, 2 could not run."_s;

int changelogLint(Context &ctx, const QString &file, bool json)
{
    const QString rulesName = ctx.takeOption(u"--rules"_s, u"auto"_s);
    const QString previousFile = ctx.takeOption(u"--previous"_s);
    const QString gitRef = ctx.takeOption(u"--git-ref"_s);
    if (!ctx.noneLeft(lintUsage))
        return Failure;
    if (rulesName != u"auto"_s && rulesName != u"playbook"_s && rulesName != u"keepachangelog"_s) {
        ctx.err << u"--rules takes auto, playbook or keepachangelog, not \"%1\"\nusage: %2\n"_s.arg(rulesName, lintUsage);
        return Failure;
    }
    const auto text = ctx.readText(file);
    if (!text)
        return Failure;
    const ChangelogDocument doc = ChangelogDocument::parse(*text);
    ChangelogLinter::Rules rules = ChangelogLinter::Rules::Playbook;
    QString rulesReason = u"asked for with --rules"_s;
    if (rulesName == u"auto"_s)
        rules = ChangelogLinter::detectRules(doc, &rulesReason);
    else if (rulesName == u"keepachangelog"_s)
        rules = ChangelogLinter::Rules::KeepAChangelog;
    QList<Diagnostic> diags = ChangelogLinter::lint(doc, rules);
    std::optional<QString> previous;
    if (!previousFile.isEmpty())
        previous = ctx.readText(previousFile);
    else if (!gitRef.isEmpty())
        previous = gitShow(ctx, gitRef, file);
    if ((!previousFile.isEmpty() || !gitRef.isEmpty()) && !previous)
        return Failure;
    if (previous)
        diags += ChangelogLinter::checkAppendOnly(ChangelogDocument::parse(*previous), doc);
    const bool failed = ChangelogLinter::hasErrors(diags);
    const QMap<QString, int> counts = ChangelogLinter::countByCode(diags);
    int errors = 0;
    for (const Diagnostic &d : diags)
        errors += d.severity == Diagnostic::Severity::Error ? 1 : 0;
    const int warnings = int(diags.size()) - errors;
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const Diagnostic &d : diags)
            arr.push_back(toJson(d));
        nlohmann::json summary = nlohmann::json::object();
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            summary[it.key().toStdString()] = it.value();
        printJson(ctx, {{"file", file.toStdString()},
                        {"ok", !failed},
                        {"rules", ChangelogLinter::rulesName(rules).toStdString()},
                        {"rulesReason", rulesReason.toStdString()},
                        {"errors", errors},
                        {"warnings", warnings},
                        {"summary", summary},
                        {"diagnostics", arr}});
    } else {
        for (const Diagnostic &d : diags)
            ctx.out << d.toString(file) << u'\n';
        QStringList perCode;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            perCode << u"%1 ×%2"_s.arg(it.key()).arg(it.value());
        ctx.out << u"%1: rules %2 (%3)\n"_s.arg(file, ChangelogLinter::rulesName(rules), rulesReason);
        if (!perCode.isEmpty())
            ctx.out << u"%1: summary: %2\n"_s.arg(file, perCode.join(u", "_s));
        ctx.out << (failed ? u"%1: changelog lint FAILED (%2 error(s), %3 warning(s))\n"_s.arg(file).arg(errors).arg(warnings)
                           : u"%1: changelog lint passed (%2 warning(s))\n"_s.arg(file).arg(warnings));
    }
    return failed ? Negative : Ok;
}

const QString nextUsage =
    u"raize-console changelog next-version [FILE] [--json]\n"
    "  The next version from [Unreleased] (playbook §8.3): MAJOR for BREAKING, Removed or a migration that needs\n"
    "  the operator, MINOR for Added/Changed/Deprecated, PATCH for Fixed/Security. Placeholder bullets\n"
    "  (\"Nothing yet!\") are not changes. Exit 1 when there is nothing to release or no version could be read."_s;

const QString cutUsage =
    u"raize-console changelog cut [FILE] [--version X.Y.Z] [--date YYYY-MM-DD] [--write]\n"
    "  Moves [Unreleased] under a new version and updates the compare links; prints the result, or\n"
    "  writes FILE with --write. Refuses when the file has Keep a Changelog errors."_s;

const QString changelogUsage =
    u"usage: raize-console changelog lint|next-version|cut [FILE] ...   (--help after an action for its options)\n\n"_s
    + lintUsage + u"\n\n"_s + nextUsage + u"\n\n"_s + cutUsage + u"\n"_s;

int changelogNext(Context &ctx, const QString &file, bool json)
{
    if (!ctx.noneLeft(nextUsage))
        return Failure;
    const auto text = ctx.readText(file);
    if (!text)
        return Failure;
    QString why;
    const auto next = ChangelogLinter::nextVersion(ChangelogDocument::parse(*text), &why);
    if (!next) {
        ctx.err << why << u'\n';
        return Negative;
    }
    if (json)
        printJson(ctx, {{"version", next->version.toString().toStdString()}, {"reason", next->reason.toStdString()}});
    else
        ctx.out << next->version.toString() << u"\t"_s << next->reason << u'\n';
    return Ok;
}

int changelogCut(Context &ctx, const QString &file, bool json)
{
    const QString versionText = ctx.takeOption(u"--version"_s);
    const QString dateText = ctx.takeOption(u"--date"_s, QDate::currentDate().toString(Qt::ISODate));
    const bool write = ctx.takeFlag(u"--write"_s);
    if (!ctx.noneLeft(cutUsage))
        return Failure;
    const auto text = ctx.readText(file);
    if (!text)
        return Failure;
    const ChangelogDocument doc = ChangelogDocument::parse(*text);
    SemVer version;
    if (versionText.isEmpty()) {
        QString why;
        const auto next = ChangelogLinter::nextVersion(doc, &why);
        if (!next) {
            ctx.err << why << u'\n';
            return Negative;
        }
        version = next->version;
    } else {
        QString err;
        const auto v = SemVer::parse(versionText, &err);
        if (!v) {
            ctx.err << u"--version: "_s << err << u'\n';
            return Failure;
        }
        version = *v;
    }
    const QDate date = QDate::fromString(dateText, Qt::ISODate);
    if (!date.isValid()) {
        ctx.err << u"--date takes YYYY-MM-DD, not %1\n"_s.arg(dateText);
        return Failure;
    }
    QString error;
    const auto cut = ChangelogLinter::cut(doc, version, date, &error);
    if (!cut) {
        ctx.err << error << u'\n';
        return Negative;
    }
    if (!write) {
        ctx.out << *cut;
        return Ok;
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(cut->toUtf8()) < 0 || !out.commit()) {
        ctx.err << u"cannot write %1: %2\n"_s.arg(file, out.errorString());
        return Failure;
    }
    if (json)
        printJson(ctx, {{"version", version.toString().toStdString()}, {"file", file.toStdString()}});
    else
        ctx.out << u"cut %1 in %2\n"_s.arg(version.toString(), file);
    return Ok;
}

} // namespace

int changelogCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    const bool longHelp = ctx.takeFlag(u"--help"_s);
    const bool help = ctx.takeFlag(u"-h"_s) || longHelp;
    if (ctx.args.isEmpty()) {
        if (help) {
            ctx.out << changelogUsage;
            return Ok;
        }
        ctx.err << changelogUsage;
        return Failure;
    }
    const QString verb = ctx.args.first();
    if (help) {
        const QString usage = verb == u"lint"_s ? lintUsage : verb == u"next-version"_s ? nextUsage : verb == u"cut"_s ? cutUsage : QString();
        ctx.out << (usage.isEmpty() ? changelogUsage : u"usage: "_s + usage + u'\n');
        return Ok;
    }
    ctx.args.removeFirst();
    QString file = u"CHANGELOG.md"_s;
    if (!ctx.args.isEmpty() && !ctx.args.first().startsWith(u"--"_s))
        file = ctx.args.takeFirst();
    if (verb == u"lint"_s)
        return changelogLint(ctx, file, json);
    if (verb == u"next-version"_s)
        return changelogNext(ctx, file, json);
    if (verb == u"cut"_s)
        return changelogCut(ctx, file, json);
    ctx.err << u"unknown action: %1 (lint, next-version or cut)\n"_s.arg(verb);
    return Failure;
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
        printJson(ctx, {{"file", written->toStdString()}});
    else
        ctx.out << u"appended to "_s << *written << u'\n';
    return Ok;
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
