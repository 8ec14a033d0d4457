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

namespace {

qsizetype skipSpaces(const QString &line, qsizetype pos)
{
    while (pos < line.size() && line[pos].isSpace())
        ++pos;
    return pos;
}

bool isDash(QChar c)
{
    return c == u'-' || c == QChar(0x2013) || c == QChar(0x2014);
}

// Reads "## ..." field by field; see ChangelogSection. Columns are 1-based.
void parseHeading(const QString &line, ChangelogSection &s)
{
    static const QRegularExpression status(uR"re((?:\[\s*yanked\s*\]|\(\s*yanked\s*\)|yanked\b))re"_s,
                                           QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression isoDate(uR"re(^\d{4}-\d{2}-\d{2}$)re"_s);
    static const QRegularExpression anyDate(uR"re(^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$)re"_s);
    const qsizetype n = line.size();
    s.heading = line.mid(3).trimmed();
    qsizetype pos = skipSpaces(line, 3);

    // Version: "[1.2.3]" with an optional "(url)" right after, or a bare token.
    if (pos < n && line[pos] == u'[') {
        const qsizetype close = line.indexOf(u']', pos + 1);
        if (close > pos) {
            s.bracketed = true;
            s.versionText = line.mid(pos + 1, close - pos - 1).trimmed();
            s.versionColumn = int(pos) + 2;
            pos = close + 1;
            if (pos < n && line[pos] == u'(') {
                const qsizetype end = line.indexOf(u')', pos + 1);
                if (end > pos) {
                    s.linkUrl = line.mid(pos + 1, end - pos - 1).trimmed();
                    s.linkColumn = int(pos) + 2;
                    pos = end + 1;
                }
            }
        }
    }
    if (!s.bracketed) {
        const qsizetype start = pos;
        while (pos < n && !line[pos].isSpace() && line[pos] != u'(' && line[pos] != u'[')
            ++pos;
        // "1.2.3–2026-01-05": a dash glued to the version is the separator.
        for (qsizetype i = start + 1; i < pos; ++i) {
            if ((line[i] == QChar(0x2013) || line[i] == QChar(0x2014)) && i + 1 < pos && line[i + 1].isDigit()) {
                pos = i;
                break;
            }
        }
        s.versionText = line.mid(start, pos - start);
        s.versionColumn = int(start) + 1;
    }

    // Separator: " - " (or an en or em dash).
    pos = skipSpaces(line, pos);
    if (pos < n && isDash(line[pos])) {
        s.separator = line[pos];
        s.separatorColumn = int(pos) + 1;
        pos = skipSpaces(line, pos + 1);
    }

    // Date: "2026-01-05" or "(2026-01-05)".
    if (pos < n && line[pos] == u'(') {
        const qsizetype end = line.indexOf(u')', pos + 1);
        const QString inner = end > pos ? line.mid(pos + 1, end - pos - 1).trimmed() : QString();
        if (!inner.isEmpty() && inner[0].isDigit()) {
            s.dateText = inner;
            s.dateColumn = int(pos) + 2;
            s.dateParenthesized = true;
            pos = end + 1;
        }
    } else if (pos < n && line[pos].isDigit()) {
        const qsizetype start = pos;
        while (pos < n && !line[pos].isSpace() && line[pos] != u'[' && line[pos] != u'(')
            ++pos;
        s.dateText = line.mid(start, pos - start);
        s.dateColumn = int(start) + 1;
    }
    if (!s.dateText.isEmpty()) {
        s.dateIso = isoDate.match(s.dateText).hasMatch();
        const auto m = anyDate.match(s.dateText);
        if (m.hasMatch())
            s.date = QDate(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
        s.dateIso = s.dateIso && s.date.isValid();
    }

    // Status marker: "[YANKED]" (also written in lower case, in parentheses or bare).
    pos = skipSpaces(line, pos);
    const auto y = status.match(line, pos, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption);
    if (y.hasMatch()) {
        s.yanked = true;
        s.statusText = y.captured(0);
        s.statusColumn = int(pos) + 1;
        pos = skipSpaces(line, pos + y.capturedLength(0));
    }
    if (pos < n) {
        s.trailing = line.mid(pos).trimmed();
        s.trailingColumn = int(pos) + 1;
    }
}

} // namespace

std::optional<SemVer> ChangelogDocument::looseVersion(const QString &text)
{
    static const QRegularExpression re(uR"re(^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?([-+].*)?$)re"_s);
    if (const auto strict = SemVer::parse(text))
        return strict;
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const auto number = [](const QString &part) { return QString::number(part.isEmpty() ? 0 : part.toULongLong()); };
    return SemVer::parse(number(m.captured(1)) + u'.' + number(m.captured(2)) + u'.' + number(m.captured(3)) + m.captured(4));
}

bool ChangelogDocument::isPlaceholder(const QString &entryText)
{
    static const QStringList placeholders = {u"nothing yet"_s,     u"nothing"_s,       u"none"_s,         u"none yet"_s,
                                             u"no changes"_s,      u"no changes yet"_s, u"n/a"_s,          u"tbd"_s,
                                             u"nothing so far"_s,  u"todo"_s,          u"no notable changes"_s,
                                             u"nothing to report"_s, u"-"_s};
    QString t = entryText.trimmed().toLower();
    t.remove(u'*');
    t.remove(u'_');
    t.remove(u'`');
    while (!t.isEmpty() && (t.endsWith(u'!') || t.endsWith(u'.') || t.endsWith(u'…')))
        t.chop(1);
    if (t.startsWith(u'(') && t.endsWith(u')'))
        t = t.mid(1, t.size() - 2);
    return placeholders.contains(t.trimmed());
}

QString ChangelogDocument::canonicalHeading(const ChangelogSection &s)
{
    if (s.unreleased)
        return u"## [Unreleased]"_s;
    const auto loose = looseVersion(s.versionText);
    QString out = u"## [%1]"_s.arg(loose ? loose->toString() : s.versionText);
    out += u" - "_s + (s.date.isValid() ? s.date.toString(Qt::ISODate) : u"YYYY-MM-DD"_s);
    if (s.yanked)
        out += u" [YANKED]"_s;
    return out;
}

std::optional<CompareLink> CompareLink::parse(const QString &url)
{
    static const QRegularExpression re(uR"re(/compare/(.+?)(\.{2,3})([^.?#][^?#]*?)/?(?:[?#].*)?$)re"_s);
    const auto m = re.match(url);
    if (!m.hasMatch())
        return std::nullopt;
    return CompareLink{m.captured(1), m.captured(3), int(m.capturedLength(2))};
}

QString CompareLink::tagVersion(const QString &tag)
{
    static const QRegularExpression re(uR"re(\d[0-9A-Za-z.+-]*$)re"_s);
    const auto m = re.match(tag);
    return m.hasMatch() ? m.captured(0) : tag;
}

ChangelogDocument ChangelogDocument::parse(const QString &text)
{
    static const QRegularExpression linkDef(uR"re(^ {0,3}\[([^\]]+)\]:\s*(\S+)(?:\s+.*)?$)re"_s);
    static const QRegularExpression bullet(uR"re(^( *)[-*+]\s+(.*)$)re"_s);
    static const QRegularExpression fieldLine(uR"re(^(\s+)[-*+]\s+([A-Za-z][A-Za-z ]{1,30}):\s*(.*)$)re"_s);
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
    bool previousBlank = false;
    const auto closeSection = [&](int lastLine) {
        if (section)
            section->endLine = lastLine;
    };

    for (int i = 0; i < doc.lines.size(); ++i) {
        const int lineNo = i + 1;
        const QString &line = doc.lines[i];
        const bool blank = line.trimmed().isEmpty();
        const bool afterBlank = previousBlank;
        previousBlank = blank;
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
            doc.links.append({link.captured(1), link.captured(2), lineNo, false});
            entry = nullptr;
            continue;
        }
        if (line.startsWith(u"## "_s)) {
            closeSection(lineNo - 1);
            ChangelogSection s;
            s.line = lineNo;
            parseHeading(line, s);
            s.unreleased = s.versionText.compare(u"Unreleased"_s, Qt::CaseInsensitive) == 0;
            if (!s.unreleased) {
                s.version = SemVer::parse(s.versionText);
                s.looseVersion = looseVersion(s.versionText);
            }
            if (!s.linkUrl.isEmpty())
                doc.links.append({s.versionText, s.linkUrl, lineNo, true});
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
        const auto b = section ? bullet.match(line) : QRegularExpressionMatch();
        const int indent = b.hasMatch() ? int(b.capturedLength(1)) : 0;
        // A bullet indented by 0-3 spaces starts an entry unless it is nested
        // under the current one (indented to its text or deeper).
        if (b.hasMatch() && indent <= 3 && (!entry || indent < entry->contentIndent)) {
            if (!category) {
                section->strayLines.append(lineNo);
                entry = nullptr;
                continue;
            }
            ChangelogEntry e;
            e.line = lineNo;
            e.endLine = lineNo;
            e.column = indent + 1;
            e.contentIndent = int(b.capturedStart(2));
            e.text = b.captured(2).trimmed();
            const auto t = boldTitle.match(e.text);
            if (t.hasMatch())
                e.title = t.captured(1).trimmed();
            e.breaking = e.text.contains(u"BREAKING"_s);
            category->entries.append(e);
            entry = &category->entries.last();
            continue;
        }
        if (blank)
            continue;
        // An indented line, or a lazy continuation right after the entry's text.
        if (entry && (line[0].isSpace() || (!afterBlank && !line.startsWith(u'#')))) {
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
        if (section && !line[0].isSpace())
            entry = nullptr;
    }
    closeSection(int(doc.lines.size()));
    // A section ends before the link definitions that follow it.
    if (!doc.sections.isEmpty() && !doc.links.isEmpty()) {
        ChangelogSection &last = doc.sections.last();
        for (const ChangelogLink &l : std::as_const(doc.links)) {
            if (!l.inHeading && l.line > last.line && l.line <= last.endLine)
                last.endLine = qMin(last.endLine, l.line - 1);
        }
        while (last.endLine > last.line && doc.lines[last.endLine - 1].trimmed().isEmpty())
            --last.endLine;
    }
    for (ChangelogSection &s : doc.sections) {
        for (ChangelogCategory &c : s.categories) {
            for (ChangelogEntry &e : c.entries)
                e.placeholder = e.fields.isEmpty() && isPlaceholder(e.text);
        }
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
        if (!s.unreleased && s.looseVersion && (!best || *best->looseVersion < *s.looseVersion))
            best = &s;
    }
    return best;
}

QList<const ChangelogSection *> ChangelogDocument::releases() const
{
    QList<const ChangelogSection *> out;
    for (const ChangelogSection &s : sections) {
        if (!s.unreleased)
            out << &s;
    }
    return out;
}

std::optional<ChangelogLink> ChangelogDocument::linkFor(const ChangelogSection &s) const
{
    if (!s.linkUrl.isEmpty())
        return ChangelogLink{s.versionText, s.linkUrl, s.line, true};
    for (const ChangelogLink &l : links) {
        if (!l.inHeading && l.label.compare(s.versionText, Qt::CaseInsensitive) == 0)
            return l;
    }
    return std::nullopt;
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
