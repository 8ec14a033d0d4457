#include "records/changelog.h"

#include <QRegularExpression>

namespace Raize::Records {

using namespace Qt::StringLiterals;

const ChangelogField *ChangelogEntry::field(const QString &name) const
{
    for (const ChangelogField &f : fields) {
        if (f.name.compare(name, Qt::CaseInsensitive) == 0)
            return &f;
    }
    return nullptr;
}

const QStringList &ChangelogDocument::categoryNames()
{
    static const QStringList names = {u"Added"_s, u"Changed"_s, u"Deprecated"_s, u"Removed"_s, u"Fixed"_s, u"Security"_s};
    return names;
}

const QStringList &ChangelogDocument::requiredFields()
{
    static const QStringList names = {u"Risk"_s, u"Flags"_s, u"Migration"_s, u"Rollback"_s};
    return names;
}

ChangelogDocument ChangelogDocument::parse(const QString &text)
{
    static const QRegularExpression versionHeading(
        uR"re(^\[?([^\]\s]+)\]?(?:\s+[-–—]\s+(\S+))?(\s+\[YANKED\])?\s*$)re"_s);
    static const QRegularExpression linkDef(uR"re(^\[([^\]]+)\]:\s*(\S+)\s*$)re"_s);
    static const QRegularExpression fieldLine(uR"re(^(\s+)[-*]\s+([A-Za-z][A-Za-z ]{1,30}):\s*(.*)$)re"_s);
    static const QRegularExpression boldTitle(uR"re(^\*\*(.+?)\*\*)re"_s);

    ChangelogDocument doc;
    QString normalized = text;
    normalized.replace(u"\r\n"_s, u"\n"_s);
    doc.lines = normalized.split(u'\n');
    if (!doc.lines.isEmpty() && doc.lines.last().isEmpty())
        doc.lines.removeLast();

    ChangelogSection *section = nullptr;
    ChangelogCategory *category = nullptr;
    ChangelogEntry *entry = nullptr;
    bool inFence = false;
    const auto closeSection = [&](int lastLine) {
        if (section)
            section->endLine = lastLine;
    };

    for (int i = 0; i < doc.lines.size(); ++i) {
        const int lineNo = i + 1;
        const QString &line = doc.lines[i];
        if (line.trimmed().startsWith(u"```"_s)) {
            inFence = !inFence;
            continue;
        }
        if (inFence)
            continue;
        if (line.startsWith(u"# "_s) && doc.titleLine == 0 && !section) {
            doc.title = line.mid(2).trimmed();
            doc.titleLine = lineNo;
            continue;
        }
        const auto link = linkDef.match(line);
        if (link.hasMatch()) {
            doc.links.append({link.captured(1), link.captured(2), lineNo});
            entry = nullptr;
            continue;
        }
        if (line.startsWith(u"## "_s)) {
            closeSection(lineNo - 1);
            ChangelogSection s;
            s.line = lineNo;
            s.heading = line.mid(3).trimmed();
            const auto m = versionHeading.match(s.heading);
            s.bracketed = s.heading.startsWith(u'[');
            if (m.hasMatch()) {
                s.versionText = m.captured(1);
                s.dateText = m.captured(2);
                s.yanked = !m.captured(3).isEmpty();
            } else {
                s.versionText = s.heading;
            }
            s.unreleased = s.versionText.compare(u"Unreleased"_s, Qt::CaseInsensitive) == 0;
            if (!s.unreleased) {
                s.version = SemVer::parse(s.versionText);
                s.date = QDate::fromString(s.dateText, Qt::ISODate);
            }
            doc.sections.append(s);
            section = &doc.sections.last();
            category = nullptr;
            entry = nullptr;
            continue;
        }
        if (line.startsWith(u"### "_s) && section) {
            section->categories.append({line.mid(4).trimmed(), lineNo, {}});
            category = &section->categories.last();
            entry = nullptr;
            continue;
        }
        if ((line.startsWith(u"- "_s) || line.startsWith(u"* "_s)) && section) {
            if (!category) {
                section->strayLines.append(lineNo);
                entry = nullptr;
                continue;
            }
            ChangelogEntry e;
            e.line = lineNo;
            e.endLine = lineNo;
            e.text = line.mid(2).trimmed();
            const auto b = boldTitle.match(e.text);
            if (b.hasMatch())
                e.title = b.captured(1).trimmed();
            category->entries.append(e);
            entry = &category->entries.last();
            entry->breaking = entry->text.contains(u"BREAKING"_s);
            continue;
        }
        if (entry && !line.trimmed().isEmpty() && line.startsWith(u' ')) {
            entry->endLine = lineNo;
            const auto f = fieldLine.match(line);
            if (f.hasMatch()) {
                entry->fields.append({f.captured(2).trimmed(), f.captured(3).trimmed(), lineNo, int(f.capturedStart(2)) + 1});
            } else if (entry->fields.isEmpty()) {
                entry->text += u' ' + line.trimmed(); // a wrapped first paragraph
                entry->breaking = entry->breaking || line.contains(u"BREAKING"_s);
            } else {
                // Continuation of the previous field's value.
                entry->fields.last().value += u' ' + line.trimmed();
            }
            continue;
        }
        if (line.trimmed().isEmpty())
            continue;
        if (section && !line.startsWith(u' '))
            entry = nullptr;
    }
    closeSection(int(doc.lines.size()));
    // A section ends before the link definitions that follow it.
    if (!doc.sections.isEmpty() && !doc.links.isEmpty()) {
        ChangelogSection &last = doc.sections.last();
        for (const ChangelogLink &l : std::as_const(doc.links)) {
            if (l.line > last.line && l.line <= last.endLine)
                last.endLine = qMin(last.endLine, l.line - 1);
        }
        while (last.endLine > last.line && doc.lines[last.endLine - 1].trimmed().isEmpty())
            --last.endLine;
    }
    return doc;
}

const ChangelogSection *ChangelogDocument::unreleased() const
{
    for (const ChangelogSection &s : sections) {
        if (s.unreleased)
            return &s;
    }
    return nullptr;
}

const ChangelogSection *ChangelogDocument::latestRelease() const
{
    const ChangelogSection *best = nullptr;
    for (const ChangelogSection &s : sections) {
        if (!s.unreleased && s.version && (!best || *best->version < *s.version))
            best = &s;
    }
    return best;
}

const ChangelogSection *ChangelogDocument::section(const QString &versionText) const
{
    for (const ChangelogSection &s : sections) {
        if (s.versionText == versionText)
            return &s;
    }
    return nullptr;
}

QString ChangelogDocument::sectionText(const ChangelogSection &s) const
{
    QStringList out;
    for (int l = s.line; l <= s.endLine && l <= lines.size(); ++l)
        out << lines[l - 1];
    while (!out.isEmpty() && out.last().trimmed().isEmpty())
        out.removeLast();
    return out.join(u'\n');
}

} // namespace Raize::Records
