#include "records/changeloglinter.h"

#include <QRegularExpression>
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

QList<Diagnostic> ChangelogLinter::lint(const ChangelogDocument &doc, Rules rules)
{
    Collector c;
    if (doc.titleLine == 0)
        c.error(1, u"KAC001"_s, u"the changelog has no title"_s, u"start the file with \"# Changelog\""_s);

    QSet<QString> seenVersions;
    const ChangelogSection *previousRelease = nullptr;
    bool sawRelease = false;
    for (const ChangelogSection &s : doc.sections) {
        if (s.unreleased) {
            if (sawRelease)
                c.error(s.line, u"KAC003"_s, u"[Unreleased] must come before every released version"_s,
                        u"move the [Unreleased] section to the top"_s);
            if (!s.bracketed)
                c.error(s.line, u"KAC004"_s, u"write the heading as \"## [Unreleased]\""_s, u"add the brackets"_s, 4);
        } else {
            sawRelease = true;
            QString err;
            if (!SemVer::parse(s.versionText, &err)) {
                c.error(s.line, u"KAC005"_s, u"\"%1\" is not a Semantic Version: %2"_s.arg(s.versionText, err),
                        u"use MAJOR.MINOR.PATCH, e.g. 1.4.0"_s, 4);
            }
            if (!s.bracketed)
                c.error(s.line, u"KAC004"_s, u"write the heading as \"## [%1] - YYYY-MM-DD\""_s.arg(s.versionText),
                        u"put the version in brackets so it links to its compare URL"_s, 4);
            if (s.dateText.isEmpty())
                c.error(s.line, u"KAC006"_s, u"version %1 has no release date"_s.arg(s.versionText),
                        u"append \" - YYYY-MM-DD\" to the heading"_s, int(s.heading.size()) + 4);
            else if (!s.date.isValid())
                c.error(s.line, u"KAC006"_s, u"\"%1\" is not a date in YYYY-MM-DD form"_s.arg(s.dateText),
                        u"use an ISO 8601 date such as 2026-11-24"_s, int(s.heading.indexOf(s.dateText)) + 4);
            if (seenVersions.contains(s.versionText))
                c.error(s.line, u"KAC008"_s, u"version %1 appears twice"_s.arg(s.versionText), u"merge the two sections"_s, 4);
            seenVersions.insert(s.versionText);
            if (previousRelease && previousRelease->version && s.version && !(*s.version < *previousRelease->version))
                c.error(s.line, u"KAC007"_s,
                        u"versions must be listed newest first: %1 comes after %2"_s.arg(s.versionText, previousRelease->versionText),
                        u"reorder the sections by version, newest on top"_s, 4);
            if (previousRelease && previousRelease->date.isValid() && s.date.isValid() && s.date > previousRelease->date)
                c.warning(s.line, u"KAC016"_s,
                          u"%1 is dated after the newer %2"_s.arg(s.versionText, previousRelease->versionText),
                          u"check the release dates"_s);
            previousRelease = &s;
        }

        QSet<QString> seenCategories;
        for (int stray : s.strayLines)
            c.error(stray, u"KAC013"_s, u"an entry outside any category"_s,
                    u"put it under one of ### Added, Changed, Deprecated, Removed, Fixed or Security"_s);
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
                if (e.title.isEmpty())
                    c.error(e.line, u"RZ004"_s, u"the entry has no short operator-facing title"_s,
                            u"start it with **Title** — what changes for operators"_s, 3);
                for (const QString &name : ChangelogDocument::requiredFields()) {
                    const ChangelogField *f = e.field(name);
                    if (!f)
                        c.error(e.line, u"RZ001"_s, u"the entry has no %1 field (playbook §8.6)"_s.arg(name),
                                u"add an indented line \"  - %1: ...\" under the entry"_s.arg(name), 3);
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

    // Every section heading links somewhere (Keep a Changelog's compare links).
    QSet<QString> labels;
    for (const ChangelogLink &l : doc.links)
        labels.insert(l.label.toLower());
    for (const ChangelogSection &s : doc.sections) {
        if (!s.bracketed)
            continue;
        if (!labels.contains(s.versionText.toLower()))
            c.error(s.line, u"KAC014"_s, u"[%1] has no link definition at the bottom"_s.arg(s.versionText),
                    s.unreleased ? u"add \"[Unreleased]: <repo>/compare/vX.Y.Z...HEAD\""_s
                                 : u"add \"[%1]: <repo>/compare/vPREVIOUS...v%1\""_s.arg(s.versionText),
                    4);
    }
    for (const ChangelogLink &l : doc.links) {
        bool known = false;
        for (const ChangelogSection &s : doc.sections)
            known = known || s.versionText.compare(l.label, Qt::CaseInsensitive) == 0;
        if (!known && (SemVer::parse(l.label) || l.label.compare(u"unreleased"_s, Qt::CaseInsensitive) == 0))
            c.warning(l.line, u"KAC015"_s, u"link [%1] names no section"_s.arg(l.label), u"remove it or add the section"_s);
    }
    std::sort(c.out.begin(), c.out.end(), [](const Diagnostic &a, const Diagnostic &b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return c.out;
}

QList<Diagnostic> ChangelogLinter::checkAppendOnly(const ChangelogDocument &previous, const ChangelogDocument &current)
{
    Collector c;
    for (const ChangelogSection &old : previous.sections) {
        if (old.unreleased)
            continue;
        const ChangelogSection *now = current.section(old.versionText);
        if (!now) {
            c.error(1, u"AO001"_s, u"released section [%1] was removed"_s.arg(old.versionText),
                    u"released history is append-only (playbook §0.4): restore it; mark a bad release [YANKED] instead"_s);
            continue;
        }
        QStringList oldLines = previous.sectionText(old).split(u'\n');
        QStringList newLines = current.sectionText(*now).split(u'\n');
        // Yanking is the one allowed change to a released heading.
        if (!newLines.isEmpty() && !oldLines.isEmpty() && newLines[0] == oldLines[0] + u" [YANKED]"_s)
            newLines[0] = oldLines[0];
        const int n = int(qMin(oldLines.size(), newLines.size()));
        int first = -1;
        for (int i = 0; i < n && first < 0; ++i) {
            if (oldLines[i] != newLines[i])
                first = i;
        }
        if (first < 0 && oldLines.size() != newLines.size())
            first = n;
        if (first >= 0)
            c.error(now->line + first, u"AO002"_s,
                    u"released section [%1] was edited (line %2 of the released text differs)"_s.arg(old.versionText).arg(first + 1),
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
    SemVer base;
    next.fromNothing = !latest;
    if (latest)
        base = *latest->version;
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
    for (const ChangelogCategory &cat : unreleased->categories)
        entries += int(cat.entries.size());
    if (entries == 0)
        return fail(u"[Unreleased] has no entries: nothing to release"_s);
    const ChangelogSection *latest = doc.latestRelease();
    if (latest && !(*latest->version < version))
        return fail(u"%1 is not newer than the latest release %2"_s.arg(version.toString(), latest->versionText));
    if (doc.section(version.toString()))
        return fail(u"version %1 is already in the changelog"_s.arg(version.toString()));

    const QString v = version.toString();
    QStringList out;
    const QString base = repoBase(doc);
    for (int i = 0; i < doc.lines.size(); ++i) {
        const int lineNo = i + 1;
        if (lineNo == unreleased->line) {
            out << doc.lines[i] << QString() << u"## [%1] - %2"_s.arg(v, date.toString(Qt::ISODate));
            continue;
        }
        bool replaced = false;
        for (const ChangelogLink &l : doc.links) {
            if (l.line == lineNo && l.label.compare(u"Unreleased"_s, Qt::CaseInsensitive) == 0 && !base.isEmpty()) {
                out << u"[Unreleased]: %1/compare/v%2...HEAD"_s.arg(base, v);
                out << (latest ? u"[%1]: %2/compare/v%3...v%1"_s.arg(v, base, latest->versionText)
                               : u"[%1]: %2/releases/tag/v%1"_s.arg(v, base));
                replaced = true;
            }
        }
        if (!replaced)
            out << doc.lines[i];
    }
    return out.join(u'\n') + u'\n';
}

} // namespace Raize::Records
