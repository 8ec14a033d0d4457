// `raize-console changelog lint|next-version|cut` (issue #10).

#include "cli/cli.h"

#include "core/jsonutil.h"
#include "records/changeloglinter.h"

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
        ctx.printJson({{"file", file.toStdString()},
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
        ctx.printJson({{"version", next->version.toString().toStdString()}, {"reason", next->reason.toStdString()}});
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
        ctx.printJson({{"version", version.toString().toStdString()}, {"file", file.toStdString()}});
    else
        ctx.out << u"cut %1 in %2\n"_s.arg(version.toString(), file);
    return Ok;
}

} // namespace

const CommandHelp &changelogHelp()
{
    static const QString file = u"  FILE    the changelog (default: CHANGELOG.md)\n"_s;
    static const CommandHelp help{
        u"usage: raize-console changelog lint|next-version|cut [FILE] [OPTIONS] [--json]\n"
        u"The changelog as the playbook wants it (§6): lint it, derive the next version, cut a release section.\n"
        u"lint takes --rules auto|playbook|keepachangelog: the playbook's fields on this project's own file,\n"
        u"Keep a Changelog only on another project's file (see `changelog lint --help`).\n"
        u"\n"
        u"Exit codes: 0 done (lint: passed); 1 the check said no (lint: failed; no version to cut); 2 could not run.\n"
        u"Example: raize-console changelog lint CHANGELOG.md --git-ref origin/main\n"_s,
        {{"lint"_L1, "check the format and, against a previous copy, that it is append-only"_L1,
          u"usage: raize-console changelog lint [FILE] [--rules auto|playbook|keepachangelog] [--previous FILE | --git-ref REF] [--json]\n"
          u"Checks the changelog against Keep a Changelog 1.1.0 and SemVer 2.0.0, heading by heading and field by\n"
          u"field (version, separator, date, [YANKED], link), the compare links (direction, base = the previous\n"
          u"release, three dots) and, with a previous copy, that released sections were only appended to.\n"
          u"Two modes: the playbook's rules (also Risk, Flags, Migration and Rollback on every entry, playbook\n"
          u"§8.6) for this project's own file; Keep a Changelog only for any other project's file. The output\n"
          u"names the mode and why, and ends with a count per rule code.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --rules auto            (default) the playbook's rules when entries carry its fields, else\n"
                u"                          Keep a Changelog only\n"
                u"  --rules playbook        always the playbook's rules (this project; CI; the promotion gate)\n"
                u"  --rules keepachangelog  Keep a Changelog only: for another project's file\n"
                u"  --previous FILE         the previous copy to check append-only against\n"
                u"  --git-ref REF           the previous copy is FILE at git REF\n"
                u"  --json                  {\"file\", \"ok\", \"rules\", \"diagnostics\": [{\"line\", \"column\", \"severity\",\n"
                u"                          \"code\", \"message\", \"fix\"}], \"summary\", \"errors\", \"warnings\"}\n"
                u"\n"
                u"Exit codes: 0 passed (warnings allowed); 1 failed; 2 could not run (unreadable file, bad --rules).\n"
                u"Example: raize-console changelog lint --rules keepachangelog --json\n"_s},
         {"next-version"_L1, "the next version the unreleased entries call for"_L1,
          u"usage: raize-console changelog next-version [FILE] [--json]\n"
          u"Prints the next semantic version the Unreleased section calls for, and why (playbook §8.3): MAJOR for\n"
          u"BREAKING, Removed or a migration that needs the operator, MINOR for Added/Changed/Deprecated, PATCH for\n"
          u"Fixed/Security. Placeholder bullets (\"Nothing yet!\") are not changes; it refuses when no released\n"
          u"version can be read.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --json    {\"version\", \"reason\"}\n"
                u"\n"
                u"Exit codes: 0 printed; 1 no version can be derived (nothing unreleased); 2 the file cannot be read.\n"
                u"Example: raize-console changelog next-version --json\n"_s},
         {"cut"_L1, "turn Unreleased into a version section"_L1,
          u"usage: raize-console changelog cut [FILE] [--version X.Y.Z] [--date YYYY-MM-DD] [--write] [--json]\n"
          u"Moves the Unreleased entries under a new version heading; prints the result unless --write.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --version X.Y.Z     the version (default: the next version)\n"
                u"  --date YYYY-MM-DD   the release date (default: today)\n"
                u"  --write             write FILE in place (atomically)\n"
                u"  --json              with --write: {\"version\", \"file\"}\n"
                u"\n"
                u"Exit codes: 0 cut; 1 nothing to cut, or the version is not after the last; 2 bad arguments or files.\n"
                u"Example: raize-console changelog cut --version 1.5.0 --date 2026-12-06 --write\n"_s}}};
    return help;
}

int changelogCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    if (ctx.args.isEmpty()) {
        ctx.err << changelogUsage;
        return Failure;
    }
    const QString verb = ctx.args.first();
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

} // namespace Raize::Cli
