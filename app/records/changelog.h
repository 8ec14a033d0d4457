#pragma once

#include "records/semver.h"

#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Records {

// A field of a changelog entry, e.g. "  - Risk: L2" (playbook §8.6).
struct ChangelogField
{
    QString name;
    QString value;
    int line = 0;
    int column = 0;
};

struct ChangelogEntry
{
    int line = 0;          // 1-based, the "- " line
    int endLine = 0;
    int column = 1;        // 1-based column of the bullet ("-", "*" or "+", indented by 0-3 spaces)
    int contentIndent = 2; // where the entry's text starts; deeper bullets belong to it
    QString title;         // the **bold** part, when present
    QString text;          // the whole first paragraph without the bullet
    QList<ChangelogField> fields;
    bool breaking = false; // "BREAKING" in the title or text
    bool placeholder = false; // "Nothing yet!", "None", "TBD": a bullet that records no change

    const ChangelogField *field(const QString &name) const;
};

struct ChangelogCategory
{
    QString name;
    int line = 0;
    QList<ChangelogEntry> entries;
};

// A "## " heading is read field by field, each with its 1-based column in
// the line, so that one wrong field yields one message and the rest of the
// heading still counts:
//   ## [1.2.3](https://.../compare/v1.2.2...v1.2.3) - 2026-01-05 [YANKED]
//      version  inline link                       sep  date      status
struct ChangelogSection
{
    int line = 0;          // the "## " line
    int endLine = 0;       // last line of the section (inclusive)
    QString heading;       // the text after "## "
    bool unreleased = false;
    QString versionText;   // "1.2.3" (inside the brackets when bracketed)
    int versionColumn = 4;
    std::optional<SemVer> version;      // strict SemVer 2.0.0, when versionText is one
    std::optional<SemVer> looseVersion; // also "v1.2.3", "1.2" (→ 1.2.0): for order, duplicates, links
    bool bracketed = false;
    QString linkUrl;       // "[1.2.3](url)": a link inside the heading
    int linkColumn = 0;
    QString separator;     // "-" as Keep a Changelog writes it; "–"/"—" when a dash was used; empty when none
    int separatorColumn = 0;
    QString dateText;      // as written, without parentheses
    int dateColumn = 0;
    bool dateParenthesized = false;
    bool dateIso = false;  // dateText is YYYY-MM-DD
    QDate date;            // also read from 2026.01.05 and 2026/01/05, for the order check
    bool yanked = false;
    QString statusText;    // the marker as written: "[YANKED]", "[yanked]", "(yanked)", "YANKED"
    int statusColumn = 0;
    QString trailing;      // anything after the fields that none of them explains
    int trailingColumn = 0;
    QList<ChangelogCategory> categories;
    QList<int> strayLines; // entries outside any category
};

struct ChangelogLink
{
    QString label;
    QString url;
    int line = 0;
    bool inHeading = false; // "## [1.2.3](url)" rather than "[1.2.3]: url" at the bottom
};

// "https://github.com/o/r/compare/v1.2.2...v1.2.3" read into its parts.
struct CompareLink
{
    QString base;
    QString head;
    int dots = 3;
    static std::optional<CompareLink> parse(const QString &url);
    // The version a tag names: "v1.2.3", "release/1.2.3", "pkg@1.2.3" → 1.2.3.
    static QString tagVersion(const QString &tag);
};

// A Keep a Changelog 1.1.0 document, parsed leniently: the linter reports
// what does not conform; the parser never fails.
struct ChangelogDocument
{
    QStringList lines;
    QString title;
    int titleLine = 0;
    QList<ChangelogSection> sections;
    QList<ChangelogLink> links;

    static ChangelogDocument parse(const QString &text);
    const ChangelogSection *unreleased() const;
    const ChangelogSection *latestRelease() const;
    const ChangelogSection *section(const QString &versionText) const;
    // The link of a section: the inline one in its heading, else the
    // definition whose label is its version (case-insensitive).
    std::optional<ChangelogLink> linkFor(const ChangelogSection &section) const;
    // Released sections, in file order.
    QList<const ChangelogSection *> releases() const;
    // The text of a section's lines, for the append-only comparison.
    QString sectionText(const ChangelogSection &section) const;

    static const QStringList &categoryNames(); // Added, Changed, Deprecated, Removed, Fixed, Security
    static const QStringList &requiredFields(); // Risk, Flags, Migration, Rollback
    // A lenient version read: "v1.2.3" → 1.2.3, "1.2" → 1.2.0, "01.2.0" → 1.2.0.
    static std::optional<SemVer> looseVersion(const QString &text);
    // "Nothing yet!", "None.", "No changes", "TBD", "N/A": records no change.
    static bool isPlaceholder(const QString &entryText);
    // The heading Keep a Changelog expects for a section, e.g.
    // "## [1.2.3] - 2026-01-05 [YANKED]" (the date converted when it could be read).
    static QString canonicalHeading(const ChangelogSection &section);
};

} // namespace Raize::Records
