#include "records/changeloglinter.h"

#include <QRegularExpression>
#include <QHash>
#include <QSet>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

struct Collector
{
    QList<Diagnostic> out;
    void add(Diagnostic::Severity sev, int line, int column, const QString &code, const QString &message, const QString &fix)
    {
        out.append({sev, line, column, code, message, fix});
    }
    void error(int line, const QString &code, const QString &message, const QString &fix, int column = 1)
    {
        add(Diagnostic::Severity::Error, line, column, code, message, fix);
    }
    void warning(int line, const QString &code, const QString &message, const QString &fix, int column = 1)
    {
        add(Diagnostic::Severity::Warning, line, column, code, message, fix);
    }
};

bool noOperatorAction(const QString &migration)
{
    const QString m = migration.trimmed().toLower();
    return m.isEmpty() || m.startsWith(u"none"_s) || m.startsWith(u"automatic"_s) || m == u"n/a"_s;
}

// Base URL for compare links, from an existing link such as
// ".../compare/v1.0.0...HEAD", ".../commits/main" or ".../releases/tag/v1.0.0".
QString repoBase(const ChangelogDocument &doc)
{
    static const QRegularExpression re(uR"re(^(https?://\S+?)/(?:compare|commits|releases/tag|tree)/)re"_s);
    for (const ChangelogLink &l : doc.links) {
        const auto m = re.match(l.url);
        if (m.hasMatch())
            return m.captured(1);
    }
    return {};
}

} // namespace

QString Diagnostic::toString(const QString &file) const
{
    return u"%1:%2:%3: %4: %5 [%6]%7"_s.arg(file)
        .arg(line)
        .arg(column)
        .arg(severity == Severity::Error ? u"error"_s : u"warning"_s, message, code,
             fix.isEmpty() ? QString() : u" (fix: "_s + fix + u')');
}

bool ChangelogLinter::hasErrors(const QList<Diagnostic> &diagnostics)
{
    for (const Diagnostic &d : diagnostics) {
        if (d.severity == Diagnostic::Severity::Error)
            return true;
    }
    return false;
}

namespace {

QString dashName(const QString &separator)
{
    if (separator == QString(QChar(0x2013)))
        return u"an en dash (–)"_s;
    if (separator == QString(QChar(0x2014)))
        return u"an em dash (—)"_s;
    return u"\"%1\""_s.arg(separator);
}

// One message per heading field that does not read as Keep a Changelog writes it.
void checkHeading(Collector &c, const ChangelogSection &s)
{
    const QString expected = ChangelogDocument::canonicalHeading(s);
    const QString writeAs = u"write the heading as \"%1\""_s.arg(expected);
    const int end = int(s.heading.size()) + 4;
    QString err;
    if (s.versionText.isEmpty()) {
        c.error(s.line, u"KAC005"_s, u"the heading has no version"_s, u"write it as \"## [1.2.3] - YYYY-MM-DD\""_s, s.versionColumn);
    } else if (!SemVer::parse(s.versionText, &err)) {
        c.error(s.line, u"KAC005"_s, u"the version \"%1\" is not a Semantic Version: %2"_s.arg(s.versionText, err),
                s.looseVersion ? u"write it as %1"_s.arg(s.looseVersion->toString()) : u"use MAJOR.MINOR.PATCH, e.g. 1.4.0"_s,
                s.versionColumn);
    }
    if (!s.bracketed && !s.versionText.isEmpty())
        c.error(s.line, u"KAC004"_s, u"the version %1 is not in brackets, so it cannot link to its compare URL"_s.arg(s.versionText),
                writeAs, s.versionColumn);
    if (s.dateText.isEmpty()) {
        c.error(s.line, u"KAC006"_s, u"version %1 has no release date"_s.arg(s.versionText),
                u"append \" - YYYY-MM-DD\" to the heading"_s, s.separatorColumn > 0 ? s.separatorColumn : end);
    } else if (!s.dateIso) {
        if (s.date.isValid())
            c.error(s.line, u"KAC006"_s, u"the date \"%1\" is not in YYYY-MM-DD form"_s.arg(s.dateText),
                    u"write it as %1"_s.arg(s.date.toString(Qt::ISODate)), s.dateColumn);
        else
            c.error(s.line, u"KAC006"_s, u"\"%1\" is not a date in YYYY-MM-DD form"_s.arg(s.dateText),
                    u"use an ISO 8601 date such as 2026-11-24"_s, s.dateColumn);
    }
    // "(2026-01-05)" without a dash is one problem (KAC018), not two.
    if (!s.dateText.isEmpty() && s.separator.isEmpty() && !s.dateParenthesized)
        c.error(s.line, u"KAC017"_s, u"no \" - \" between the version and the date"_s, writeAs, s.dateColumn);
    else if (!s.separator.isEmpty() && s.separator != u"-"_s)
        c.error(s.line, u"KAC017"_s, u"the separator before the date is %1, not a hyphen"_s.arg(dashName(s.separator)),
                writeAs, s.separatorColumn);
    if (s.dateParenthesized)
        c.error(s.line, u"KAC018"_s,
                s.separator.isEmpty() ? u"the date is in parentheses instead of after \" - \""_s : u"the date is in parentheses"_s,
                writeAs, s.dateColumn - 1);
    if (s.yanked && s.statusText != u"[YANKED]"_s)
        c.error(s.line, u"KAC019"_s, u"the yanked marker is written \"%1\""_s.arg(s.statusText),
                u"write \"[YANKED]\" (upper case, in brackets) after the date: \"%1\""_s.arg(expected), s.statusColumn);
    if (!s.trailing.isEmpty())
        c.warning(s.line, u"KAC021"_s, u"text after the heading's fields: \"%1\""_s.arg(s.trailing),
                  u"a version heading holds the version, the date and [YANKED] only; move the text into the section"_s,
                  s.trailingColumn);
}

// Does a tag ("v1.2.3", "release/1.2.3") name this section's version?
bool tagNames(const QString &tag, const ChangelogSection &s)
{
    const QString v = CompareLink::tagVersion(tag);
    if (v == s.versionText)
        return true;
    const auto a = ChangelogDocument::looseVersion(v);
    return a && s.looseVersion && *a == *s.looseVersion && a->build == s.looseVersion->build;
}

bool isHeadRef(const QString &ref)
{
    static const QStringList heads = {u"head"_s, u"main"_s, u"master"_s, u"trunk"_s, u"develop"_s};
    return heads.contains(ref.toLower());
}

// The compare URL a section should have: base = the previous release, head =
// this version (or HEAD for Unreleased), three dots, tags spelled as the
// link already spells them.
QString expectedCompare(const QString &url, const CompareLink &cmp, const ChangelogSection &s, const ChangelogSection &older)
{
    const QString prefix = url.left(url.indexOf(u"/compare/"_s));
    const QString sample = s.unreleased ? cmp.base : cmp.head;
    const QString tagPrefix = sample.left(sample.size() - CompareLink::tagVersion(sample).size());
    return u"%1/compare/%2%3...%4"_s.arg(prefix, tagPrefix, older.versionText,
                                          s.unreleased ? u"HEAD"_s : tagPrefix + s.versionText);
}

void checkCompareLinks(Collector &c, const ChangelogDocument &doc)
{
    for (qsizetype i = 0; i < doc.sections.size(); ++i) {
        const ChangelogSection &s = doc.sections[i];
        const auto link = doc.linkFor(s);
        if (!link)
            continue;
        const auto cmp = CompareLink::parse(link->url);
        if (!cmp)
            continue;
        const ChangelogSection *older = nullptr;
        for (qsizetype j = i + 1; j < doc.sections.size() && !older; ++j) {
            if (!doc.sections[j].unreleased)
                older = &doc.sections[j];
        }
        const int column = link->inHeading ? s.linkColumn : 1;
        const QString label = s.unreleased ? u"Unreleased"_s : s.versionText;
        const QString fix = older ? u"make it %1"_s.arg(expectedCompare(link->url, *cmp, s, *older))
                                  : u"make it <repo>/compare/<previous tag>...%1"_s.arg(s.unreleased ? u"HEAD"_s : cmp->head);
        if (cmp->dots == 2)
            c.error(link->line, u"KAC023"_s,
                    u"the compare link of [%1] has two dots (%2..%3); Keep a Changelog's links use three, the changes since the previous release"_s
                        .arg(label, cmp->base, cmp->head),
                    fix, column);
        const bool headOk = s.unreleased ? isHeadRef(cmp->head) : tagNames(cmp->head, s);
        if (!headOk) {
            if (older && tagNames(cmp->base, s) && tagNames(cmp->head, *older))
                c.error(link->line, u"KAC022"_s,
                        u"the compare link of [%1] is reversed (%2...%3): it must go from the previous release to this one"_s
                            .arg(label, cmp->base, cmp->head),
                        fix, column);
            else
                c.error(link->line, u"KAC022"_s,
                        u"the compare link of [%1] ends at %2, not at %3"_s.arg(label, cmp->head, s.unreleased ? u"HEAD"_s : s.versionText),
                        fix, column);
            continue;
        }
        if (older && !tagNames(cmp->base, *older))
            c.error(link->line, u"KAC024"_s,
                    u"the compare link of [%1] starts at %2, but the previous release is %3"_s.arg(label, cmp->base, older->versionText),
                    fix, column);
    }
}

} // namespace

QString ChangelogLinter::rulesName(Rules rules)
{
    return rules == Rules::Playbook ? u"playbook"_s : u"keepachangelog"_s;
}

ChangelogLinter::Rules ChangelogLinter::detectRules(const ChangelogDocument &doc, QString *reason)
{
    for (const ChangelogSection &s : doc.sections) {
        for (const ChangelogCategory &cat : s.categories) {
            for (const ChangelogEntry &e : cat.entries) {
                for (const ChangelogField &f : e.fields) {
                    if (ChangelogDocument::requiredFields().contains(f.name, Qt::CaseInsensitive)) {
                        if (reason)
                            *reason = u"entries carry the playbook's fields (%1 on line %2)"_s.arg(f.name).arg(f.line);
                        return Rules::Playbook;
                    }
                }
            }
        }
    }
    if (reason)
        *reason = u"no entry carries the playbook's fields (Risk, Flags, Migration, Rollback): read as another project's file"_s;
    return Rules::KeepAChangelog;
}

QMap<QString, int> ChangelogLinter::countByCode(const QList<Diagnostic> &diagnostics)
{
    QMap<QString, int> out;
    for (const Diagnostic &d : diagnostics)
        ++out[d.code];
    return out;
}

QList<Diagnostic> ChangelogLinter::lint(const ChangelogDocument &doc, Rules rules)
{
    Collector c;
    if (doc.titleLine == 0)
        c.error(1, u"KAC001"_s, u"the changelog has no title"_s, u"start the file with \"# Changelog\""_s);

    QHash<QString, int> seenVersions; // version → line of its first section
    const ChangelogSection *previousRelease = nullptr;
    bool sawRelease = false;
    for (const ChangelogSection &s : doc.sections) {
        if (s.unreleased) {
            if (sawRelease)
                c.error(s.line, u"KAC003"_s, u"[Unreleased] must come before every released version"_s,
                        u"move the [Unreleased] section to the top"_s);
            if (!s.bracketed)
                c.error(s.line, u"KAC004"_s, u"write the heading as \"## [Unreleased]\""_s, u"add the brackets"_s, s.versionColumn);
            const QString extra = s.heading.mid(s.heading.indexOf(s.versionText) + s.versionText.size() + (s.bracketed ? 1 : 0));
            if (!s.dateText.isEmpty() || !s.separator.isEmpty() || s.yanked || !s.trailing.isEmpty())
                c.warning(s.line, u"KAC021"_s, u"text after [Unreleased]: \"%1\""_s.arg(extra.trimmed()),
                          u"write the heading as \"## [Unreleased]\"; the date goes in when the release is cut"_s,
                          s.separatorColumn > 0 ? s.separatorColumn : s.dateColumn > 0 ? s.dateColumn : qMax(1, s.trailingColumn));
        } else {
            sawRelease = true;
            checkHeading(c, s);
            // Order and duplicates run on whatever version could be read.
            const QString key = s.looseVersion ? s.looseVersion->toString() : s.versionText;
            if (!key.isEmpty()) {
                if (seenVersions.contains(key))
                    c.error(s.line, u"KAC008"_s, u"version %1 appears twice (first on line %2)"_s.arg(s.versionText).arg(seenVersions.value(key)),
                            u"merge the two sections"_s, s.versionColumn);
                else
                    seenVersions.insert(key, s.line);
            }
            if (previousRelease && previousRelease->looseVersion && s.looseVersion && !(*s.looseVersion < *previousRelease->looseVersion)
                && !(*s.looseVersion == *previousRelease->looseVersion))
                c.error(s.line, u"KAC007"_s,
                        u"versions must be listed newest first: %1 comes after %2"_s.arg(s.versionText, previousRelease->versionText),
                        u"reorder the sections by version, newest on top"_s, s.versionColumn);
            if (previousRelease && previousRelease->date.isValid() && s.date.isValid() && s.date > previousRelease->date)
                c.warning(s.line, u"KAC016"_s,
                          u"%1 is dated after the newer %2"_s.arg(s.versionText, previousRelease->versionText),
                          u"check the release dates"_s, s.dateColumn);
            previousRelease = &s;
        }

        QSet<QString> seenCategories;
        // One message per section, however many entries it has outside a category.
        if (!s.strayLines.isEmpty())
            c.error(s.strayLines.first(), u"KAC013"_s,
                    s.strayLines.size() == 1
                        ? u"an entry outside any category"_s
                        : u"%1 entries outside any category (lines %2–%3)"_s.arg(s.strayLines.size()).arg(s.strayLines.first()).arg(s.strayLines.last()),
                    u"put %1 under ### Added, Changed, Deprecated, Removed, Fixed or Security"_s.arg(s.strayLines.size() == 1 ? u"it"_s : u"them"_s));
        for (const ChangelogCategory &cat : s.categories) {
            if (!ChangelogDocument::categoryNames().contains(cat.name))
                c.error(cat.line, u"KAC009"_s, u"\"%1\" is not a Keep a Changelog category"_s.arg(cat.name),
                        u"use Added, Changed, Deprecated, Removed, Fixed or Security (playbook §8.4)"_s, 5);
            if (seenCategories.contains(cat.name))
                c.error(cat.line, u"KAC010"_s, u"category %1 appears twice in %2"_s.arg(cat.name, s.versionText),
                        u"merge the two lists"_s, 5);
            seenCategories.insert(cat.name);
            if (cat.entries.isEmpty())
                c.warning(cat.line, u"KAC012"_s, u"category %1 has no entries"_s.arg(cat.name), u"remove the empty heading"_s, 5);
            if (rules != Rules::Playbook)
                continue;
            for (const ChangelogEntry &e : cat.entries) {
                if (e.placeholder)
                    continue;
                const int column = e.contentIndent + 1;
                if (e.title.isEmpty())
                    c.error(e.line, u"RZ004"_s, u"the entry has no short operator-facing title"_s,
                            u"start it with **Title** — what changes for operators"_s, column);
                for (const QString &name : ChangelogDocument::requiredFields()) {
                    const ChangelogField *f = e.field(name);
                    if (!f)
                        c.error(e.line, u"RZ001"_s, u"the entry has no %1 field (playbook §8.6)"_s.arg(name),
                                u"add an indented line \"  - %1: ...\" under the entry"_s.arg(name), column);
                    else if (f->value.isEmpty())
                        c.error(f->line, u"RZ003"_s, u"the %1 field is empty"_s.arg(name),
                                name == u"Flags"_s || name == u"Migration"_s ? u"write \"none\" when there is nothing"_s
                                                                            : u"say how to roll it back"_s,
                                f->column);
                }
                if (const ChangelogField *risk = e.field(u"Risk"_s); risk && !risk->value.isEmpty()) {
                    static const QRegularExpression level(u"^L[0-3]\\b"_s);
                    if (!level.match(risk->value).hasMatch())
                        c.error(risk->line, u"RZ002"_s, u"risk level \"%1\" is not one of L0, L1, L2, L3"_s.arg(risk->value),
                                u"use the playbook's release levels (§1)"_s, risk->column);
                }
                for (const ChangelogField &f : e.fields) {
                    if (!ChangelogDocument::requiredFields().contains(f.name, Qt::CaseInsensitive))
                        c.warning(f.line, u"RZ005"_s, u"unknown field \"%1\""_s.arg(f.name),
                                  u"the fields are Risk, Flags, Migration and Rollback"_s, f.column);
                }
            }
        }
    }
    if (!doc.unreleased())
        c.add(rules == Rules::Playbook ? Diagnostic::Severity::Error : Diagnostic::Severity::Warning,
              doc.titleLine > 0 ? doc.titleLine : 1, 1, u"KAC002"_s, u"there is no [Unreleased] section"_s,
              u"add \"## [Unreleased]\" above the newest version"_s);

    // Every bracketed heading links somewhere (Keep a Changelog's compare links).
    for (const ChangelogSection &s : doc.sections) {
        if (!s.bracketed || s.versionText.isEmpty() || doc.linkFor(s))
            continue;
        c.error(s.line, u"KAC014"_s, u"[%1] has no link definition at the bottom"_s.arg(s.versionText),
                s.unreleased ? u"add \"[Unreleased]: <repo>/compare/vX.Y.Z...HEAD\""_s
                             : u"add \"[%1]: <repo>/compare/vPREVIOUS...v%1\""_s.arg(s.versionText),
                s.versionColumn - 1);
    }
    for (const ChangelogLink &l : doc.links) {
        if (l.inHeading)
            continue;
        bool known = false;
        for (const ChangelogSection &s : doc.sections)
            known = known || s.versionText.compare(l.label, Qt::CaseInsensitive) == 0;
        if (!known && (SemVer::parse(l.label) || l.label.compare(u"unreleased"_s, Qt::CaseInsensitive) == 0))
            c.warning(l.line, u"KAC015"_s, u"link [%1] names no section"_s.arg(l.label), u"remove it or add the section"_s);
    }
    checkCompareLinks(c, doc);
    std::stable_sort(c.out.begin(), c.out.end(), [](const Diagnostic &a, const Diagnostic &b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return c.out;
}

QList<Diagnostic> ChangelogLinter::checkAppendOnly(const ChangelogDocument &previous, const ChangelogDocument &current)
{
    Collector c;
    // The n-th released section of a version in `previous` pairs with the
    // n-th released section of that version in `current`.
    const auto occurrences = [](const ChangelogDocument &doc) {
        QHash<QString, QList<const ChangelogSection *>> out;
        for (const ChangelogSection *s : doc.releases())
            out[s->versionText].append(s);
        return out;
    };
    const auto now = occurrences(current);
    QHash<QString, int> seen;
    for (const ChangelogSection *old : previous.releases()) {
        const int nth = seen[old->versionText]++;
        const ChangelogSection *match = now.value(old->versionText).value(nth, nullptr);
        if (!match) {
            c.error(1, u"AO001"_s,
                    nth == 0 ? u"released section [%1] (line %2 before) was removed"_s.arg(old->versionText).arg(old->line)
                             : u"the copy %1 of released section [%2] (line %3 before) was removed"_s.arg(nth + 1).arg(old->versionText).arg(old->line),
                    u"released history is append-only (playbook §0.4): restore it; mark a bad release [YANKED] instead"_s);
            continue;
        }
        QStringList oldLines = previous.sectionText(*old).split(u'\n');
        QStringList newLines = current.sectionText(*match).split(u'\n');
        // Yanking is the one allowed change to a released heading.
        if (match->yanked && !old->yanked && !newLines.isEmpty() && !oldLines.isEmpty()) {
            const QString &h = newLines[0];
            const qsizetype at = match->statusColumn - 1;
            const QString unmarked = QString(h.left(at) + h.mid(at + match->statusText.size())).trimmed();
            if (unmarked == oldLines[0].trimmed())
                newLines[0] = oldLines[0];
        }
        const int n = int(qMin(oldLines.size(), newLines.size()));
        int first = -1;
        for (int i = 0; i < n && first < 0; ++i) {
            if (oldLines[i] != newLines[i])
                first = i;
        }
        if (first < 0 && oldLines.size() != newLines.size())
            first = n;
        // A section that lost its tail is reported on its last line, not past it.
        if (first >= 0)
            c.error(match->line + int(qMin<qsizetype>(first, newLines.size() - 1)), u"AO002"_s,
                    first < newLines.size()
                        ? u"released section [%1] was edited (line %2 of the released text differs)"_s.arg(old->versionText).arg(first + 1)
                        : u"released section [%1] was edited (it ends after line %2 of the released text's %3)"_s.arg(old->versionText)
                              .arg(newLines.size())
                              .arg(oldLines.size()),
                    u"released history is append-only (playbook §0.4): revert the edit and record the correction under [Unreleased]"_s);
    }
    return c.out;
}

std::optional<ChangelogLinter::NextVersion> ChangelogLinter::nextVersion(const ChangelogDocument &doc, QString *why)
{
    const ChangelogSection *unreleased = doc.unreleased();
    int entries = 0;
    NextVersion next;
    bool major = false, minor = false;
    QStringList reasons;
    if (unreleased) {
        for (const ChangelogCategory &cat : unreleased->categories) {
            for (const ChangelogEntry &e : cat.entries) {
                if (e.placeholder)
                    continue;
                ++entries;
                const ChangelogField *migration = e.field(u"Migration"_s);
                if (e.breaking) {
                    major = true;
                    reasons << u"line %1: marked BREAKING"_s.arg(e.line);
                } else if (cat.name == u"Removed"_s) {
                    major = true;
                    reasons << u"line %1: a removal"_s.arg(e.line);
                } else if (migration && !noOperatorAction(migration->value)) {
                    major = true;
                    reasons << u"line %1: a migration that needs operator action"_s.arg(e.line);
                } else if (cat.name == u"Added"_s || cat.name == u"Changed"_s || cat.name == u"Deprecated"_s) {
                    minor = true;
                }
            }
        }
    }
    if (entries == 0) {
        if (why)
            *why = u"[Unreleased] has no entries: nothing to release"_s;
        return std::nullopt;
    }
    const ChangelogSection *latest = doc.latestRelease();
    const auto released = doc.releases();
    if (!latest && !released.isEmpty()) {
        if (why)
            *why = u"no released version could be read (line %1: \"## %2\"), so the next version is unknown; "
                   "fix the version headings (`raize-console changelog lint` says how) or pass --version"_s
                       .arg(released.first()->line)
                       .arg(released.first()->heading);
        return std::nullopt;
    }
    SemVer base;
    next.fromNothing = !latest;
    if (latest)
        base = *latest->looseVersion;
    next.bump = major ? SemVer::Bump::Major : minor ? SemVer::Bump::Minor : SemVer::Bump::Patch;
    if (next.fromNothing && next.bump == SemVer::Bump::Major)
        next.version = SemVer{1, 0, 0, {}, {}};
    else
        next.version = base.bumped(next.bump);
    next.reason = major ? u"MAJOR: "_s + reasons.join(u"; "_s)
                  : minor ? u"MINOR: new or changed backward-compatible features"_s
                          : u"PATCH: fixes only"_s;
    return next;
}

std::optional<QString> ChangelogLinter::cut(const ChangelogDocument &doc, const SemVer &version, const QDate &date, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<QString> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (hasErrors(lint(doc, Rules::KeepAChangelog)))
        return fail(u"the changelog has format errors; run `raize-console changelog lint` and fix them first"_s);
    const ChangelogSection *unreleased = doc.unreleased();
    if (!unreleased)
        return fail(u"there is no [Unreleased] section to cut"_s);
    int entries = 0;
    for (const ChangelogCategory &cat : unreleased->categories) {
        for (const ChangelogEntry &e : cat.entries)
            entries += e.placeholder ? 0 : 1;
    }
    if (entries == 0)
        return fail(u"[Unreleased] has no entries: nothing to release"_s);
    const ChangelogSection *latest = doc.latestRelease();
    if (latest && !(*latest->looseVersion < version))
        return fail(u"%1 is not newer than the latest release %2"_s.arg(version.toString(), latest->versionText));
    if (doc.section(version.toString()))
        return fail(u"version %1 is already in the changelog"_s.arg(version.toString()));

    const QString v = version.toString();
    QStringList out;
    const QString base = repoBase(doc);
    // Tags are spelled as the existing [Unreleased] compare link spells them
    // ("v1.2.0", "1.2.0", "release-1.2.0"); "v" when there is none.
    const auto unreleasedLink = doc.linkFor(*unreleased);
    const auto unreleasedCompare = unreleasedLink ? CompareLink::parse(unreleasedLink->url) : std::nullopt;
    const QString tag = unreleasedCompare
                            ? unreleasedCompare->base.left(unreleasedCompare->base.size() - CompareLink::tagVersion(unreleasedCompare->base).size())
                            : u"v"_s;
    const QString unreleasedUrl = u"%1/compare/%2%3...HEAD"_s.arg(base, tag, v);
    const QString releaseUrl = latest ? u"%1/compare/%2%3...%2%4"_s.arg(base, tag, latest->versionText, v)
                                      : u"%1/releases/tag/%2%3"_s.arg(base, tag, v);
    const bool inlineLinks = unreleasedLink && unreleasedLink->inHeading && !base.isEmpty();
    for (int i = 0; i < doc.lines.size(); ++i) {
        const int lineNo = i + 1;
        if (lineNo == unreleased->line) {
            if (inlineLinks)
                out << u"## [Unreleased](%1)"_s.arg(unreleasedUrl) << QString()
                    << u"## [%1](%2) - %3"_s.arg(v, releaseUrl, date.toString(Qt::ISODate));
            else
                out << doc.lines[i] << QString() << u"## [%1] - %2"_s.arg(v, date.toString(Qt::ISODate));
            continue;
        }
        bool replaced = false;
        for (const ChangelogLink &l : doc.links) {
            if (!l.inHeading && l.line == lineNo && l.label.compare(u"Unreleased"_s, Qt::CaseInsensitive) == 0 && !base.isEmpty()) {
                out << u"[%1]: %2"_s.arg(l.label, unreleasedUrl);
                out << u"[%1]: %2"_s.arg(v, releaseUrl);
                replaced = true;
            }
        }
        if (!replaced)
            out << doc.lines[i];
    }
    return out.join(u'\n') + u'\n';
}

} // namespace Raize::Records
