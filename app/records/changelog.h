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
    QString title;         // the **bold** part, when present
    QString text;          // the whole first paragraph without the bullet
    QList<ChangelogField> fields;
    bool breaking = false; // "BREAKING" in the title or text

    const ChangelogField *field(const QString &name) const;
};

struct ChangelogCategory
{
    QString name;
    int line = 0;
    QList<ChangelogEntry> entries;
};

struct ChangelogSection
{
    int line = 0;          // the "## " line
    int endLine = 0;       // last line of the section (inclusive)
    QString heading;       // the text after "## "
    bool unreleased = false;
    QString versionText;   // "1.2.3"
    std::optional<SemVer> version;
    QString dateText;
    QDate date;
    bool yanked = false;
    bool bracketed = false;
    QList<ChangelogCategory> categories;
    QList<int> strayLines; // entries outside any category
};

struct ChangelogLink
{
    QString label;
    QString url;
    int line = 0;
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
    // The text of a section's lines, for the append-only comparison.
    QString sectionText(const ChangelogSection &section) const;

    static const QStringList &categoryNames(); // Added, Changed, Deprecated, Removed, Fixed, Security
    static const QStringList &requiredFields(); // Risk, Flags, Migration, Rollback
};

} // namespace Raize::Records
