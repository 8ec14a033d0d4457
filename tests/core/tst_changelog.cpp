// CHANGELOG.md: Keep a Changelog 1.1.0 + SemVer 2.0.0 + playbook §8.6 fields.

#include "testutil.h"

#include "records/changeloglinter.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <random>

using namespace Qt::StringLiterals;
using namespace Raize::Records;

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// "KAC006@12" for every diagnostic on `line` (all lines when 0), errors and warnings.
QStringList codesOnLine(const QList<Diagnostic> &diags, int line)
{
    QStringList out;
    for (const Diagnostic &d : diags) {
        if (line == 0 || d.line == line)
            out << d.code;
    }
    return out;
}

// A small but complete Keep a Changelog file around one version heading:
// Unreleased (line 3), the heading under test (line 7), an older 1.0.0
// (line 11) and the link definitions. `headingLine` is the line after "## ".
QString aroundHeading(const QString &headingLine, const QString &links)
{
    return u"# Changelog\n\n## [Unreleased]\n\nNothing here yet.\n\n"_s
           u"## "_s + headingLine + u"\n\n### Fixed\n\n- A fix.\n\n## [1.0.0] - 2025-01-01\n\n### Added\n\n- First.\n\n"_s + links;
}

QStringList codes(const QList<Diagnostic> &diags, bool errorsOnly = true)
{
    QStringList out;
    for (const Diagnostic &d : diags) {
        if (!errorsOnly || d.severity == Diagnostic::Severity::Error)
            out << u"%1@%2"_s.arg(d.code).arg(d.line);
    }
    return out;
}

} // namespace

class TestChangelog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void semver_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << u"1.2.3"_s << true;
        QTest::newRow("zero") << u"0.0.0"_s << true;
        QTest::newRow("pre") << u"1.0.0-alpha.1"_s << true;
        QTest::newRow("pre+build") << u"1.0.0-rc.1+build.5"_s << true;
        QTest::newRow("build only") << u"1.0.0+20130313144700"_s << true;
        QTest::newRow("hyphen ident") << u"1.0.0-x-y-z.--"_s << true;
        QTest::newRow("two parts") << u"1.2"_s << false;
        QTest::newRow("four parts") << u"1.2.3.4"_s << false;
        QTest::newRow("leading zero") << u"01.2.3"_s << false;
        QTest::newRow("leading zero pre") << u"1.2.3-01"_s << false;
        QTest::newRow("empty pre ident") << u"1.2.3-alpha..1"_s << false;
        QTest::newRow("bad char") << u"1.2.3-al_pha"_s << false;
        QTest::newRow("v prefix") << u"v1.2.3"_s << false;
        QTest::newRow("negative") << u"1.-2.3"_s << false;
    }

    void semver()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QString err;
        const auto v = SemVer::parse(text, &err);
        QCOMPARE(v.has_value(), valid);
        if (valid)
            QCOMPARE(v->toString(), text);
        else
            QVERIFY(!err.isEmpty());
    }

    // The precedence example from SemVer §11, in order.
    void semverPrecedence()
    {
        const QStringList ordered = {u"1.0.0-alpha"_s, u"1.0.0-alpha.1"_s, u"1.0.0-alpha.beta"_s, u"1.0.0-beta"_s,
                                     u"1.0.0-beta.2"_s, u"1.0.0-beta.11"_s, u"1.0.0-rc.1"_s, u"1.0.0"_s, u"1.0.1"_s,
                                     u"1.1.0"_s, u"2.0.0"_s};
        for (int i = 0; i + 1 < ordered.size(); ++i) {
            const auto a = SemVer::parse(ordered[i]);
            const auto b = SemVer::parse(ordered[i + 1]);
            QVERIFY2(*a < *b, qPrintable(ordered[i] + u" < "_s + ordered[i + 1]));
            QVERIFY(!(*b < *a));
        }
        QVERIFY(*SemVer::parse(u"1.0.0+a"_s) == *SemVer::parse(u"1.0.0+b"_s));
    }

    void lint_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("playbookRules");
        QTest::addColumn<QStringList>("expected"); // error codes @ line, in order
        QTest::newRow("valid playbook") << u"valid-playbook.md"_s << true << QStringList{};
        QTest::newRow("valid plain kac") << u"valid-kac-plain.md"_s << false << QStringList{};
        QTest::newRow("plain kac under playbook rules") << u"valid-kac-plain.md"_s << true
            << QStringList{u"RZ004@12"_s, u"RZ001@12"_s, u"RZ001@12"_s, u"RZ001@12"_s, u"RZ001@12"_s,
                           u"RZ004@18"_s, u"RZ001@18"_s, u"RZ001@18"_s, u"RZ001@18"_s, u"RZ001@18"_s,
                           u"RZ004@24"_s, u"RZ001@24"_s, u"RZ001@24"_s, u"RZ001@24"_s, u"RZ001@24"_s,
                           u"RZ004@29"_s, u"RZ001@29"_s, u"RZ001@29"_s, u"RZ001@29"_s, u"RZ001@29"_s,
                           u"RZ004@35"_s, u"RZ001@35"_s, u"RZ001@35"_s, u"RZ001@35"_s, u"RZ001@35"_s};
        QTest::newRow("missing fields") << u"invalid-missing-fields.md"_s << true
            << QStringList{u"RZ001@7"_s, u"RZ001@7"_s, u"RZ004@11"_s, u"RZ001@11"_s, u"RZ001@11"_s, u"RZ001@11"_s, u"RZ001@11"_s};
        QTest::newRow("format errors") << u"invalid-format.md"_s << true
            << QStringList{u"KAC003@13"_s, u"KAC014@13"_s, u"KAC009@15"_s, u"RZ002@18"_s,
                           u"KAC007@23"_s, u"KAC006@23"_s, u"KAC014@23"_s,
                           u"KAC004@33"_s, u"KAC005@33"_s, u"KAC007@33"_s};
    }

    void lint()
    {
        QFETCH(QString, file);
        QFETCH(bool, playbookRules);
        QFETCH(QStringList, expected);
        const QString text = readFile(RaizeTest::dataDir() + u"/changelogs/"_s + file);
        QVERIFY(!text.isEmpty());
        const auto diags = ChangelogLinter::lint(ChangelogDocument::parse(text),
                                                 playbookRules ? ChangelogLinter::Rules::Playbook : ChangelogLinter::Rules::KeepAChangelog);
        QStringList got = codes(diags);
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
        for (const Diagnostic &d : diags) {
            QVERIFY(d.line >= 1 && d.column >= 1);
            QVERIFY2(!d.fix.isEmpty(), qPrintable(d.code));
            QVERIFY(d.toString(file).startsWith(file + u':' + QString::number(d.line) + u':'));
        }
    }

    void projectChangelogPasses()
    {
        const QString text = readFile(RaizeTest::sourceDir() + u"/CHANGELOG.md"_s);
        const auto diags = ChangelogLinter::lint(ChangelogDocument::parse(text));
        QStringList all;
        for (const Diagnostic &d : diags)
            all << d.toString(u"CHANGELOG.md"_s);
        QVERIFY2(!ChangelogLinter::hasErrors(diags), qPrintable(all.join(u'\n')));
    }

    // Real-world Keep a Changelog files: the npm packages the sandbox installs
    // ship many. The parser must find every version heading the file has and
    // every diagnostic must point into the file.
    void realWorldFiles()
    {
        QStringList files;
        QDirIterator it(RaizeTest::sourceDir() + u"/.cache/node"_s, {u"CHANGELOG.md"_s}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext() && files.size() < 40) {
            const QString f = it.next();
            if (readFile(f).left(2000).contains(u"keepachangelog.com"_s))
                files << f;
        }
        if (files.size() < 3)
            QSKIP("the sandbox's npm packages are not installed (tools/dev.sh installs them); no real-world changelogs to read");
        static const QRegularExpression versionHeading(uR"re(^## \[?v?\d+\.\d+)re"_s, QRegularExpression::MultilineOption);
        for (const QString &f : std::as_const(files)) {
            const QString text = readFile(f);
            const ChangelogDocument doc = ChangelogDocument::parse(text);
            int headings = 0;
            auto m = versionHeading.globalMatch(text);
            while (m.hasNext()) {
                m.next();
                ++headings;
            }
            int versions = 0;
            for (const ChangelogSection &s : doc.sections)
                versions += s.unreleased ? 0 : 1;
            QVERIFY2(versions >= headings, qPrintable(f));
            for (const Diagnostic &d : ChangelogLinter::lint(doc, ChangelogLinter::Rules::KeepAChangelog))
                QVERIFY2(d.line >= 1 && d.line <= doc.lines.size() + 1, qPrintable(f + u": "_s + d.code));
        }
        qInfo("read %lld real-world Keep a Changelog files", qlonglong(files.size()));
    }

    // Issue #18: a heading is read field by field, and one wrong field gives
    // one message; the other fields still count.
    void headingFields_data()
    {
        QTest::addColumn<QString>("heading");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("separator");
        QTest::addColumn<QString>("date");
        QTest::addColumn<bool>("yanked");
        QTest::addColumn<QString>("link");
        QTest::addColumn<QStringList>("expected"); // codes on the heading's line
        const QString en = QString(QChar(0x2013));
        const QString em = QString(QChar(0x2014));
        QTest::newRow("canonical") << u"[1.1.0] - 2025-02-01"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << false << QString() << QStringList{};
        QTest::newRow("yanked") << u"[1.1.0] - 2025-02-01 [YANKED]"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << true << QString() << QStringList{};
        QTest::newRow("yanked lower case") << u"[1.1.0] - 2025-02-01 [yanked]"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << true << QString() << QStringList{u"KAC019"_s};
        QTest::newRow("yanked bare") << u"[1.1.0] - 2025-02-01 YANKED"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << true << QString() << QStringList{u"KAC019"_s};
        QTest::newRow("yanked in parentheses") << u"[1.1.0] - 2025-02-01 (yanked)"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << true << QString() << QStringList{u"KAC019"_s};
        QTest::newRow("date in parentheses") << u"[1.1.0] (2025-02-01)"_s << u"1.1.0"_s << QString() << u"2025-02-01"_s << false << QString() << QStringList{u"KAC018"_s};
        QTest::newRow("dash and parentheses") << u"[1.1.0] - (2025-02-01)"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << false << QString() << QStringList{u"KAC018"_s};
        QTest::newRow("no separator") << u"[1.1.0] 2025-02-01"_s << u"1.1.0"_s << QString() << u"2025-02-01"_s << false << QString() << QStringList{u"KAC017"_s};
        QTest::newRow("en dash") << u"[1.1.0] "_s + en + u" 2025-02-01"_s << u"1.1.0"_s << en << u"2025-02-01"_s << false << QString() << QStringList{u"KAC017"_s};
        QTest::newRow("em dash") << u"[1.1.0] "_s + em + u" 2025-02-01"_s << u"1.1.0"_s << em << u"2025-02-01"_s << false << QString() << QStringList{u"KAC017"_s};
        QTest::newRow("en dash glued") << u"1.1.0"_s + en + u"2025-02-01"_s << u"1.1.0"_s << en << u"2025-02-01"_s << false << QString() << QStringList{u"KAC004"_s, u"KAC017"_s};
        QTest::newRow("dotted date") << u"[1.1.0] - 2025.02.01"_s << u"1.1.0"_s << u"-"_s << u"2025.02.01"_s << false << QString() << QStringList{u"KAC006"_s};
        QTest::newRow("impossible date") << u"[1.1.0] - 2025-13-01"_s << u"1.1.0"_s << u"-"_s << u"2025-13-01"_s << false << QString() << QStringList{u"KAC006"_s};
        QTest::newRow("no date") << u"[1.1.0]"_s << u"1.1.0"_s << QString() << QString() << false << QString() << QStringList{u"KAC006"_s};
        QTest::newRow("unbracketed") << u"1.1.0 - 2025-02-01"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << false << QString() << QStringList{u"KAC004"_s};
        QTest::newRow("v prefix") << u"[v1.1.0] - 2025-02-01"_s << u"v1.1.0"_s << u"-"_s << u"2025-02-01"_s << false << QString() << QStringList{u"KAC005"_s};
        QTest::newRow("two-part version") << u"[1.1] - 2025-02-01"_s << u"1.1"_s << u"-"_s << u"2025-02-01"_s << false << QString() << QStringList{u"KAC005"_s};
        QTest::newRow("link in heading") << u"[1.1.0](https://x.test/o/r/compare/v1.0.0...v1.1.0) - 2025-02-01"_s << u"1.1.0"_s << u"-"_s
                                         << u"2025-02-01"_s << false << u"https://x.test/o/r/compare/v1.0.0...v1.1.0"_s << QStringList{};
        QTest::newRow("link and parentheses") << u"[1.1.0](https://x.test/o/r/compare/v1.0.0...v1.1.0) (2025-02-01)"_s << u"1.1.0"_s << QString()
                                              << u"2025-02-01"_s << false << u"https://x.test/o/r/compare/v1.0.0...v1.1.0"_s
                                              << QStringList{u"KAC018"_s};
        QTest::newRow("trailing text") << u"[1.1.0] - 2025-02-01 Initial Release"_s << u"1.1.0"_s << u"-"_s << u"2025-02-01"_s << false << QString() << QStringList{u"KAC021"_s};
        QTest::newRow("everything wrong once") << u"v1.1 "_s + en + u" (2025.02.01) yanked"_s << u"v1.1"_s << en << u"2025.02.01"_s << true << QString()
                                               << QStringList{u"KAC005"_s, u"KAC004"_s, u"KAC006"_s, u"KAC017"_s, u"KAC018"_s, u"KAC019"_s};
    }

    void headingFields()
    {
        QFETCH(QString, heading);
        QFETCH(QString, version);
        QFETCH(QString, separator);
        QFETCH(QString, date);
        QFETCH(bool, yanked);
        QFETCH(QString, link);
        QFETCH(QStringList, expected);
        const QString links = u"[Unreleased]: https://x.test/o/r/compare/v1.1.0...HEAD\n"_s
                              + (link.isEmpty() ? u"[%1]: https://x.test/o/r/compare/v1.0.0...v1.1.0\n"_s.arg(version) : QString())
                              + u"[1.0.0]: https://x.test/o/r/releases/tag/v1.0.0\n"_s;
        const ChangelogDocument doc = ChangelogDocument::parse(aroundHeading(heading, links));
        QCOMPARE(doc.sections.size(), 3);
        const ChangelogSection &s = doc.sections[1];
        QCOMPARE(s.line, 7);
        QCOMPARE(s.versionText, version);
        QCOMPARE(s.separator, separator);
        QCOMPARE(s.dateText, date);
        QCOMPARE(s.yanked, yanked);
        QCOMPARE(s.linkUrl, link);
        QCOMPARE(s.categories.size(), 1);
        QCOMPARE(s.categories[0].entries.size(), 1);
        const auto diags = ChangelogLinter::lint(doc, ChangelogLinter::Rules::KeepAChangelog);
        QStringList got = codesOnLine(diags, 7);
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
        // Nothing anywhere else: a bad heading does not spill into other checks.
        QCOMPARE(codesOnLine(diags, 0).size(), expected.size());
        for (const Diagnostic &d : diags) {
            QVERIFY2(d.column >= 4 && d.column <= aroundHeading(heading, links).split(u'\n')[6].size() + 1, qPrintable(d.toString(u"x"_s)));
            QVERIFY(!d.fix.isEmpty());
        }
    }

    // The order and duplicate checks still run when a heading is malformed.
    void orderAndDuplicatesOnMalformedHeadings_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected"); // KAC007/KAC008 @ line
        const QString en = QString(QChar(0x2013));
        QTest::newRow("duplicate with dates in parentheses")
            << u"# Changelog\n\n## [Unreleased]\n\n## [1.1.0] (2025-02-01)\n\n## [1.1.0] (2025-01-01)\n"_s << QStringList{u"KAC008@7"_s};
        QTest::newRow("out of order with en dashes")
            << u"# Changelog\n\n## [Unreleased]\n\n## [1.0.0] "_s + en + u" 2025-01-01\n\n## [1.1.0] "_s + en + u" 2025-02-01\n"_s
            << QStringList{u"KAC007@7"_s};
        QTest::newRow("out of order, v prefix and no separator")
            << u"# Changelog\n\n## [Unreleased]\n\n## v1.0.0 2025-01-01\n\n## v1.2.0 2025-02-01\n"_s << QStringList{u"KAC007@7"_s};
        QTest::newRow("same version spelled twice")
            << u"# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2025-02-01\n\n## [v1.1.0] - 2025-02-01\n"_s << QStringList{u"KAC008@7"_s};
    }

    void orderAndDuplicatesOnMalformedHeadings()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        QStringList got;
        for (const Diagnostic &d : ChangelogLinter::lint(ChangelogDocument::parse(text), ChangelogLinter::Rules::KeepAChangelog)) {
            if (d.code == u"KAC007"_s || d.code == u"KAC008"_s)
                got << u"%1@%2"_s.arg(d.code).arg(d.line);
        }
        QCOMPARE(got, expected);
    }

    // List items indented by 1-3 spaces or written with "+" are entries;
    // deeper bullets belong to the entry above (the playbook's fields).
    void entries_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QStringList>("entries");   // the entries' text, in order
        QTest::addColumn<QList<int>>("fieldCounts"); // fields per entry
        QTest::newRow("dash") << u"- one\n- two\n"_s << QStringList{u"one"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("star") << u"* one\n* two\n"_s << QStringList{u"one"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("plus") << u"+ one\n+ two\n"_s << QStringList{u"one"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("one space") << u" - one\n - two\n"_s << QStringList{u"one"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("two spaces") << u"  - one\n  - two\n"_s << QStringList{u"one"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("three spaces") << u"   * one\n   * two\n"_s << QStringList{u"one"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("mixed markers") << u"- one\n+ two\n * three\n"_s << QStringList{u"one"_s, u"two"_s, u"three"_s} << QList<int>{0, 0, 0};
        QTest::newRow("wrapped") << u"- one\n  more\n- two\nlazy\n"_s << QStringList{u"one more"_s, u"two lazy"_s} << QList<int>{0, 0};
        QTest::newRow("fields under dash") << u"- **T** — x.\n  - Risk: L1\n  - Flags: none\n- two\n"_s
                                           << QStringList{u"**T** — x."_s, u"two"_s} << QList<int>{2, 0};
        QTest::newRow("fields under indented plus") << u"  + **T** — x.\n    + Risk: L1\n    + Rollback: revert\n  + two\n"_s
                                                    << QStringList{u"**T** — x."_s, u"two"_s} << QList<int>{2, 0};
        QTest::newRow("field indented with a tab after a blank line") << u"- **T** — x.\n\n\t- Risk: L1\n- two\n"_s << QStringList{u"**T** — x."_s, u"two"_s} << QList<int>{1, 0};
        QTest::newRow("nested list") << u"- one\n  - detail\n- two\n"_s << QStringList{u"one - detail"_s, u"two"_s} << QList<int>{0, 0};
        QTest::newRow("deeper bullet after a blank line belongs to the entry") << u"- one\n\n    - code\n"_s << QStringList{u"one - code"_s} << QList<int>{0};
    }

    void entries()
    {
        QFETCH(QString, body);
        QFETCH(QStringList, entries);
        QFETCH(QList<int>, fieldCounts);
        const ChangelogDocument doc = ChangelogDocument::parse(u"# Changelog\n\n## [Unreleased]\n\n### Added\n\n"_s + body);
        QCOMPARE(doc.sections.size(), 1);
        QCOMPARE(doc.sections[0].strayLines.size(), 0);
        QCOMPARE(doc.sections[0].categories.size(), 1);
        QStringList texts;
        QList<int> counts;
        for (const ChangelogEntry &e : doc.sections[0].categories[0].entries) {
            texts << e.text;
            counts << int(e.fields.size());
        }
        QCOMPARE(texts, entries);
        QCOMPARE(counts, fieldCounts);
    }

    // Compare links: the base is the previous release, the head this version
    // (HEAD for Unreleased), three dots.
    void compareLinks_data()
    {
        QTest::addColumn<QString>("links");
        QTest::addColumn<QStringList>("expected"); // code@line
        const QString u = u"[Unreleased]: https://x.test/o/r/compare/v1.2.0...HEAD\n"_s;
        const QString v12 = u"[1.2.0]: https://x.test/o/r/compare/v1.1.0...v1.2.0\n"_s;
        const QString v11 = u"[1.1.0]: https://x.test/o/r/compare/v1.0.0...v1.1.0\n"_s;
        const QString v10 = u"[1.0.0]: https://x.test/o/r/releases/tag/v1.0.0\n"_s;
        QTest::newRow("consistent") << u + v12 + v11 + v10 << QStringList{};
        QTest::newRow("reversed") << u + u"[1.2.0]: https://x.test/o/r/compare/v1.2.0...v1.1.0\n"_s + v11 + v10 << QStringList{u"KAC022@12"_s};
        QTest::newRow("wrong head") << u + u"[1.2.0]: https://x.test/o/r/compare/v1.1.0...v1.1.9\n"_s + v11 + v10 << QStringList{u"KAC022@12"_s};
        QTest::newRow("stale base") << u + u"[1.2.0]: https://x.test/o/r/compare/v1.0.0...v1.2.0\n"_s + v11 + v10 << QStringList{u"KAC024@12"_s};
        QTest::newRow("two dots") << u + u"[1.2.0]: https://x.test/o/r/compare/v1.1.0..v1.2.0\n"_s + v11 + v10 << QStringList{u"KAC023@12"_s};
        QTest::newRow("unreleased stale") << u"[Unreleased]: https://x.test/o/r/compare/v1.1.0...HEAD\n"_s + v12 + v11 + v10 << QStringList{u"KAC024@11"_s};
        QTest::newRow("unreleased not to HEAD") << u"[Unreleased]: https://x.test/o/r/compare/v1.2.0...v1.1.0\n"_s + v12 + v11 + v10 << QStringList{u"KAC022@11"_s};
        QTest::newRow("unreleased to main") << u"[Unreleased]: https://x.test/o/r/compare/v1.2.0...main\n"_s + v12 + v11 + v10 << QStringList{};
        QTest::newRow("tags without v") << u"[Unreleased]: https://x.test/o/r/compare/1.2.0...HEAD\n[1.2.0]: https://x.test/o/r/compare/1.1.0...1.2.0\n"_s
                                        u"[1.1.0]: https://x.test/o/r/compare/1.0.0...1.1.0\n"_s + v10 << QStringList{};
        QTest::newRow("gitlab and prefixed tags") << u"[Unreleased]: https://gl.test/o/r/-/compare/release-1.2.0...HEAD\n"_s
                                                  u"[1.2.0]: https://gl.test/o/r/-/compare/release-1.1.0...release-1.2.0\n"_s
                                                  u"[1.1.0]: https://gl.test/o/r/-/compare/release-1.0.0...release-1.1.0\n"_s + v10 << QStringList{};
    }

    void compareLinks()
    {
        QFETCH(QString, links);
        QFETCH(QStringList, expected);
        const QString text = u"# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2025-03-01\n\n## [1.1.0] - 2025-02-01\n\n## [1.0.0] - 2025-01-01\n\n"_s + links;
        const auto diags = ChangelogLinter::lint(ChangelogDocument::parse(text), ChangelogLinter::Rules::KeepAChangelog);
        QStringList got;
        for (const Diagnostic &d : diags) {
            if (d.code.startsWith(u"KAC02"_s)) {
                got << u"%1@%2"_s.arg(d.code).arg(d.line);
                QVERIFY2(d.fix.startsWith(u"make it https://"_s) && d.fix.contains(u"..."_s) && !d.fix.contains(u"....."_s), qPrintable(d.fix));
            }
        }
        QCOMPARE(got, expected);
    }

    void compareLinkFixNamesTheRightUrl()
    {
        const QString text = u"# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2025-03-01\n\n## [1.1.0] - 2025-02-01\n\n"_s
                             u"[Unreleased]: https://x.test/o/r/compare/v1.2.0...HEAD\n[1.2.0]: https://x.test/o/r/compare/v1.2.0..v1.1.0\n"_s
                             u"[1.1.0]: https://x.test/o/r/releases/tag/v1.1.0\n"_s;
        const auto diags = ChangelogLinter::lint(ChangelogDocument::parse(text), ChangelogLinter::Rules::KeepAChangelog);
        QCOMPARE(codesOnLine(diags, 10), (QStringList{u"KAC023"_s, u"KAC022"_s}));
        for (const Diagnostic &d : diags)
            QCOMPARE(d.fix, u"make it https://x.test/o/r/compare/v1.1.0...v1.2.0"_s);
        QVERIFY(diags[1].message.contains(u"reversed"_s));
    }

    // An unchanged file is append-only with itself even when a version
    // heading appears twice; an edit to the second copy is found there.
    void appendOnlyWithDuplicateVersions()
    {
        const QString text = u"# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2025-02-01\n\n### Fixed\n\n- Second.\n\n"_s
                             u"## [1.1.0] - 2025-01-15\n\n### Fixed\n\n- First.\n\n## [1.0.0] - 2025-01-01\n\n### Added\n\n- Start.\n"_s;
        const ChangelogDocument doc = ChangelogDocument::parse(text);
        QVERIFY(ChangelogLinter::checkAppendOnly(doc, doc).isEmpty());
        QString edited = text;
        edited.replace(u"- First."_s, u"- First, edited."_s);
        const auto diags = ChangelogLinter::checkAppendOnly(doc, ChangelogDocument::parse(edited));
        QCOMPARE(diags.size(), 1);
        QCOMPARE(diags[0].code, u"AO002"_s);
        QCOMPARE(diags[0].line, 15);
        QString dropped = text;
        dropped.remove(u"## [1.1.0] - 2025-01-15\n\n### Fixed\n\n- First.\n\n"_s);
        const auto removed = ChangelogLinter::checkAppendOnly(doc, ChangelogDocument::parse(dropped));
        QCOMPARE(codesOnLine(removed, 0), QStringList{u"AO001"_s});
        // A released section that lost its tail is reported on its last line.
        const QString cutShort = text.left(text.indexOf(u"### Added\n\n- Start."_s));
        const auto truncated = ChangelogLinter::checkAppendOnly(doc, ChangelogDocument::parse(cutShort));
        QCOMPARE(truncated.size(), 1);
        QCOMPARE(truncated[0].code, u"AO002"_s);
        QCOMPARE(truncated[0].line, 17);
        QVERIFY2(truncated[0].message.contains(u"ends after line 1"_s), qPrintable(truncated[0].message));
        // Yanking in lower case is still only a yank.
        QString yanked = text;
        yanked.replace(u"## [1.0.0] - 2025-01-01"_s, u"## [1.0.0] - 2025-01-01 [yanked]"_s);
        QVERIFY(ChangelogLinter::checkAppendOnly(doc, ChangelogDocument::parse(yanked)).isEmpty());
    }

    void nextVersionRefuses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("no readable version") << u"# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- A fix.\n\n## Release one - 2025-01-01\n"_s
                                             << u"no released version could be read (line 9"_s;
        QTest::newRow("only a placeholder") << u"# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Nothing yet!\n\n## [1.0.0] - 2025-01-01\n"_s
                                            << u"nothing to release"_s;
        QTest::newRow("placeholders of every kind") << u"# Changelog\n\n## [Unreleased]\n\n### Added\n\n- None.\n\n### Fixed\n\n- _No changes yet._\n- TBD\n- N/A\n\n## [1.0.0] - 2025-01-01\n"_s
                                                    << u"nothing to release"_s;
    }

    void nextVersionRefuses()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString why;
        QVERIFY(!ChangelogLinter::nextVersion(ChangelogDocument::parse(text), &why));
        QVERIFY2(why.contains(message), qPrintable(why));
    }

    void nextVersionIgnoresPlaceholders()
    {
        // A placeholder under Added next to a real fix: PATCH, not MINOR.
        const QString text = u"# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Nothing yet!\n\n### Fixed\n\n- A real fix.\n\n## [v1.4.0] (2025-01-01)\n"_s;
        const auto next = ChangelogLinter::nextVersion(ChangelogDocument::parse(text));
        QVERIFY(next);
        QCOMPARE(next->version.toString(), u"1.4.1"_s);
    }

    void rulesDetection_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("playbook");
        QTest::newRow("playbook sample") << u"changelogs/valid-playbook.md"_s << true;
        QTest::newRow("plain sample") << u"changelogs/valid-kac-plain.md"_s << false;
        QTest::newRow("clean sample") << u"changelogs/clean-kac.md"_s << false;
        QTest::newRow("keep-a-changelog") << u"changelogs/keep-a-changelog/CHANGELOG.md"_s << false;
        QTest::newRow("rich") << u"changelogs/rich/CHANGELOG.md"_s << false;
    }

    void rulesDetection()
    {
        QFETCH(QString, file);
        QFETCH(bool, playbook);
        QString reason;
        const auto rules = ChangelogLinter::detectRules(ChangelogDocument::parse(readFile(RaizeTest::dataDir() + u'/' + file)), &reason);
        QCOMPARE(rules == ChangelogLinter::Rules::Playbook, playbook);
        QVERIFY(reason.contains(u"playbook"_s));
    }

    void projectChangelogIsPlaybook()
    {
        const ChangelogDocument doc = ChangelogDocument::parse(readFile(RaizeTest::sourceDir() + u"/CHANGELOG.md"_s));
        QVERIFY(ChangelogLinter::detectRules(doc) == ChangelogLinter::Rules::Playbook);
    }

    void cleanKeepAChangelogHasNoDiagnostics()
    {
        const ChangelogDocument doc = ChangelogDocument::parse(readFile(RaizeTest::dataDir() + u"/changelogs/clean-kac.md"_s));
        const auto diags = ChangelogLinter::lint(doc, ChangelogLinter::Rules::KeepAChangelog);
        QStringList all;
        for (const Diagnostic &d : diags)
            all << d.toString(u"clean-kac.md"_s);
        QVERIFY2(diags.isEmpty(), qPrintable(all.join(u'\n')));
        QCOMPARE(doc.releases().size(), 4);
        QVERIFY(doc.section(u"1.1.1"_s)->yanked);
        QCOMPARE(doc.section(u"1.1.0"_s)->categories[0].entries.size(), 2);
    }

    // Real projects' changelogs (tests/data/changelogs/<project>/, see each
    // SOURCE): the exact diagnostics in Keep a Changelog mode, each explained
    // in expected.txt as "CODE LINE  # why".
    void realWorldExpected_data()
    {
        QTest::addColumn<QString>("dir");
        const QDir root(RaizeTest::dataDir() + u"/changelogs"_s);
        const QStringList projects = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(projects.size() >= 4);
        for (const QString &p : projects)
            QTest::newRow(qPrintable(p)) << root.filePath(p);
    }

    void realWorldExpected()
    {
        QFETCH(QString, dir);
        QVERIFY(QFile::exists(dir + u"/SOURCE"_s));
        QVERIFY(QFile::exists(dir + u"/LICENSE"_s));
        QVERIFY(QFile::exists(dir + u"/expected.txt"_s));
        const ChangelogDocument doc = ChangelogDocument::parse(readFile(dir + u"/CHANGELOG.md"_s));
        QVERIFY(doc.sections.size() >= 5);
        QVERIFY(ChangelogLinter::detectRules(doc) == ChangelogLinter::Rules::KeepAChangelog);
        QStringList got;
        for (const Diagnostic &d : ChangelogLinter::lint(doc, ChangelogLinter::Rules::KeepAChangelog))
            got << u"%1 %2"_s.arg(d.code).arg(d.line);
        QStringList expected;
        for (const QString &line : readFile(dir + u"/expected.txt"_s).split(u'\n')) {
            const QString item = line.section(u'#', 0, 0).trimmed();
            if (!item.isEmpty())
                expected << item;
        }
        QCOMPARE(got.join(u'\n'), expected.join(u'\n'));
    }

    // Seeded mutations of the samples (the companion of test_parser_mutation
    // for the changelog parser; run it under asan-ubsan too): every heading,
    // bullet and link shape the mutations make must parse, lint and compare
    // without a crash, and every diagnostic must point into the file.
    void mutations()
    {
        const QStringList files = {u"clean-kac.md"_s, u"valid-playbook.md"_s, u"valid-kac-plain.md"_s, u"invalid-format.md"_s,
                                   u"pynuget/CHANGELOG.md"_s};
        static const QString alphabet = u"[]()-+*#:. \n\t0123456789vYANKEDyanked/\u2013\u2014"_s;
        std::mt19937 rng(18);
        int runs = 0;
        for (const QString &file : files) {
            const QString original = readFile(RaizeTest::dataDir() + u"/changelogs/"_s + file);
            QVERIFY(!original.isEmpty());
            const ChangelogDocument before = ChangelogDocument::parse(original);
            for (int i = 0; i < 2000; ++i, ++runs) {
                QString text = original;
                const int edits = 1 + int(rng() % 4);
                for (int k = 0; k < edits && !text.isEmpty(); ++k) {
                    const qsizetype at = qsizetype(rng() % quint32(text.size()));
                    switch (rng() % 5) {
                    case 0: text.remove(at, 1 + qsizetype(rng() % 8)); break;
                    case 1: text.insert(at, alphabet[qsizetype(rng() % quint32(alphabet.size()))]); break;
                    case 2: text.replace(at, 1, alphabet[qsizetype(rng() % quint32(alphabet.size()))]); break;
                    case 3: text.truncate(at); break;
                    default: { // duplicate a line
                        const qsizetype start = text.lastIndexOf(u'\n', at) + 1;
                        const qsizetype end = text.indexOf(u'\n', at);
                        text.insert(start, text.mid(start, (end < 0 ? text.size() : end) - start) + u'\n');
                    }
                    }
                }
                const ChangelogDocument doc = ChangelogDocument::parse(text);
                const int lines = int(doc.lines.size());
                for (const ChangelogSection &sec : doc.sections) {
                    QVERIFY(sec.line >= 1 && sec.line <= lines && sec.endLine >= sec.line - 1);
                    for (const ChangelogCategory &cat : sec.categories) {
                        for (const ChangelogEntry &e : cat.entries)
                            QVERIFY(e.line >= sec.line && e.endLine >= e.line && e.endLine <= lines);
                    }
                }
                for (const auto rules : {ChangelogLinter::Rules::KeepAChangelog, ChangelogLinter::Rules::Playbook}) {
                    for (const Diagnostic &d : ChangelogLinter::lint(doc, rules)) {
                        QVERIFY2(d.line >= 1 && d.line <= qMax(1, lines) && d.column >= 1, qPrintable(d.toString(file)));
                        QVERIFY(!d.message.isEmpty() && !d.fix.isEmpty());
                    }
                }
                for (const Diagnostic &d : ChangelogLinter::checkAppendOnly(before, doc))
                    QVERIFY2(d.line >= 1 && d.line <= qMax(1, lines), qPrintable(d.toString(file)));
                QString why;
                if (!ChangelogLinter::nextVersion(doc, &why))
                    QVERIFY(!why.isEmpty());
                QString error;
                const auto cut = ChangelogLinter::cut(doc, SemVer{99, 0, 0, {}, {}}, QDate(2026, 12, 6), &error);
                if (!cut)
                    QVERIFY(!error.isEmpty());
                else
                    QVERIFY(ChangelogDocument::parse(*cut).section(u"99.0.0"_s));
            }
        }
        QCOMPARE(runs, 10000);
    }

    void nextVersion_data()
    {
        QTest::addColumn<QString>("unreleased");
        QTest::addColumn<QString>("expected");
        const QString fields = u"\n  - Risk: L2\n  - Flags: none\n  - Migration: none\n  - Rollback: revert\n"_s;
        QTest::newRow("fix only") << u"### Fixed\n\n- **A fix** — x."_s + fields << u"1.2.4"_s;
        QTest::newRow("security only") << u"### Security\n\n- **Patch** — x."_s + fields << u"1.2.4"_s;
        QTest::newRow("added") << u"### Added\n\n- **New** — x."_s + fields + u"\n### Fixed\n\n- **A fix** — x."_s + fields << u"1.3.0"_s;
        QTest::newRow("changed") << u"### Changed\n\n- **Tweak** — x."_s + fields << u"1.3.0"_s;
        QTest::newRow("removed") << u"### Removed\n\n- **Old API** — x."_s + fields << u"2.0.0"_s;
        QTest::newRow("breaking") << u"### Changed\n\n- **BREAKING: new config** — x."_s + fields << u"2.0.0"_s;
        QTest::newRow("operator migration") << u"### Added\n\n- **Schema** — x.\n  - Risk: L2\n  - Flags: none\n  - Migration: run `migrate --to 5` during a maintenance window\n  - Rollback: restore backup\n"_s << u"2.0.0"_s;
        QTest::newRow("automatic migration") << u"### Added\n\n- **Schema** — x.\n  - Risk: L2\n  - Flags: none\n  - Migration: automatic on first start\n  - Rollback: revert\n"_s << u"1.3.0"_s;
    }

    void nextVersion()
    {
        QFETCH(QString, unreleased);
        QFETCH(QString, expected);
        const QString text = u"# Changelog\n\n## [Unreleased]\n\n"_s + unreleased
                             + u"\n## [1.2.3] - 2026-01-01\n\n### Fixed\n\n- **x** — y.\n"_s;
        const auto next = ChangelogLinter::nextVersion(ChangelogDocument::parse(text));
        QVERIFY(next.has_value());
        QCOMPARE(next->version.toString(), expected);
        QVERIFY(!next->reason.isEmpty());
    }

    void nextVersionNeedsEntries()
    {
        QString why;
        QVERIFY(!ChangelogLinter::nextVersion(ChangelogDocument::parse(u"# Changelog\n\n## [Unreleased]\n"_s), &why));
        QVERIFY(why.contains(u"nothing to release"_s));
    }

    void cutMovesUnreleasedAndUpdatesLinks()
    {
        const QString text = readFile(RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s);
        const ChangelogDocument doc = ChangelogDocument::parse(text);
        QString error;
        const auto cut = ChangelogLinter::cut(doc, *SemVer::parse(u"1.3.0"_s), QDate(2026, 11, 24), &error);
        QVERIFY2(cut.has_value(), qPrintable(error));
        const ChangelogDocument after = ChangelogDocument::parse(*cut);
        QVERIFY(after.unreleased());
        QVERIFY(after.unreleased()->categories.isEmpty());
        const ChangelogSection *v = after.section(u"1.3.0"_s);
        QVERIFY(v);
        QCOMPARE(v->date, QDate(2026, 11, 24));
        QCOMPARE(v->categories.size(), 1);
        QCOMPARE(v->categories[0].entries[0].title, u"Canary for house accounts"_s);
        QVERIFY(cut->contains(u"[Unreleased]: https://github.com/raize/platform/compare/v1.3.0...HEAD"_s));
        QVERIFY(cut->contains(u"[1.3.0]: https://github.com/raize/platform/compare/v1.2.0...v1.3.0"_s));
        QVERIFY2(!ChangelogLinter::hasErrors(ChangelogLinter::lint(after)), qPrintable(*cut));
        // Cutting is append-only with respect to released history.
        QVERIFY(ChangelogLinter::checkAppendOnly(doc, after).isEmpty());
    }

    // cut writes the new compare links the way the file already writes them.
    void cutKeepsTheLinkStyle_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected"); // lines the result must have
        const QString body = u"\n\n### Fixed\n\n- A fix.\n\n"_s;
        QTest::newRow("v tags") << u"# Changelog\n\n## [Unreleased]"_s + body + u"## [1.0.0] - 2025-01-01"_s + body
                                       + u"[Unreleased]: https://x.test/o/r/compare/v1.0.0...HEAD\n[1.0.0]: https://x.test/o/r/releases/tag/v1.0.0\n"_s
                                << QStringList{u"[Unreleased]: https://x.test/o/r/compare/v1.0.1...HEAD"_s,
                                               u"[1.0.1]: https://x.test/o/r/compare/v1.0.0...v1.0.1"_s, u"## [1.0.1] - 2026-12-06"_s};
        QTest::newRow("bare tags, lower-case label") << u"# Changelog\n\n## [Unreleased]"_s + body + u"## [1.0.0] - 2025-01-01"_s + body
                                                            + u"[unreleased]: https://x.test/o/r/compare/1.0.0...HEAD\n[1.0.0]: https://x.test/o/r/releases/tag/1.0.0\n"_s
                                                     << QStringList{u"[unreleased]: https://x.test/o/r/compare/1.0.1...HEAD"_s,
                                                                    u"[1.0.1]: https://x.test/o/r/compare/1.0.0...1.0.1"_s};
        QTest::newRow("links in headings") << u"# Changelog\n\n## [Unreleased](https://x.test/o/r/compare/release-1.0.0...HEAD)"_s + body
                                                  + u"## [1.0.0](https://x.test/o/r/releases/tag/release-1.0.0) - 2025-01-01"_s + body
                                           << QStringList{u"## [Unreleased](https://x.test/o/r/compare/release-1.0.1...HEAD)"_s,
                                                          u"## [1.0.1](https://x.test/o/r/compare/release-1.0.0...release-1.0.1) - 2026-12-06"_s};
    }

    void cutKeepsTheLinkStyle()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        const ChangelogDocument doc = ChangelogDocument::parse(text);
        QVERIFY(ChangelogLinter::lint(doc, ChangelogLinter::Rules::KeepAChangelog).isEmpty());
        QString error;
        const auto cut = ChangelogLinter::cut(doc, *SemVer::parse(u"1.0.1"_s), QDate(2026, 12, 6), &error);
        QVERIFY2(cut, qPrintable(error));
        const QStringList lines = cut->split(u'\n');
        for (const QString &line : expected)
            QVERIFY2(lines.contains(line), qPrintable(*cut));
        const ChangelogDocument after = ChangelogDocument::parse(*cut);
        QStringList all;
        for (const Diagnostic &d : ChangelogLinter::lint(after, ChangelogLinter::Rules::KeepAChangelog))
            all << d.toString(u"cut"_s);
        QVERIFY2(all.isEmpty(), qPrintable(all.join(u'\n') + u"\n\n"_s + *cut));
        QVERIFY(ChangelogLinter::checkAppendOnly(doc, after).isEmpty());
    }

    void cutRefuses_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        const QString base = readFile(RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s);
        QTest::newRow("not newer") << u"1.2.0"_s << base << u"not newer"_s;
        QTest::newRow("older") << u"1.1.9"_s << base << u"not newer"_s;
        QTest::newRow("empty unreleased") << u"9.0.0"_s << u"# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n\n### Fixed\n\n- **x** — y.\n\n[Unreleased]: https://x.test/a/compare/v1.0.0...HEAD\n[1.0.0]: https://x.test/a/releases/tag/v1.0.0\n"_s << u"nothing to release"_s;
        QTest::newRow("format errors") << u"9.0.0"_s << readFile(RaizeTest::dataDir() + u"/changelogs/invalid-format.md"_s) << u"format errors"_s;
    }

    void cutRefuses()
    {
        QFETCH(QString, version);
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!ChangelogLinter::cut(ChangelogDocument::parse(text), *SemVer::parse(version), QDate(2026, 11, 24), &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void appendOnly_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("code"); // empty: allowed
        QTest::newRow("unreleased edits are fine") << u"- **Canary for house accounts**"_s << u"- **Canary for house accounts only**"_s << QString();
        QTest::newRow("released entry edited") << u"the runner drains the publish queue in half the time"_s << u"the runner drains the queue faster"_s << u"AO002"_s;
        QTest::newRow("released field edited") << u"  - Flags: `engagement.dm-dedupe`"_s << u"  - Flags: none"_s << u"AO002"_s;
        QTest::newRow("released entry appended") << u"  - Rollback: Instant Rollback to 1.1.2."_s << u"  - Rollback: Instant Rollback to 1.1.2.\n- **Sneaky** — added later."_s << u"AO002"_s;
        QTest::newRow("yanked is allowed") << u"## [1.1.3] - 2026-09-12"_s << u"## [1.1.3] - 2026-09-12 [YANKED]"_s << QString();
        QTest::newRow("released section removed") << u"## [1.1.3] - 2026-09-12"_s << u"## [1.1.4] - 2026-09-12"_s << u"AO001"_s;
    }

    void appendOnly()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, code);
        const QString before = readFile(RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s);
        QVERIFY(before.contains(from));
        QString after = before;
        after.replace(from, to);
        const auto diags = ChangelogLinter::checkAppendOnly(ChangelogDocument::parse(before), ChangelogDocument::parse(after));
        if (code.isEmpty()) {
            QVERIFY2(diags.isEmpty(), qPrintable(diags.value(0).message));
        } else {
            QVERIFY(!diags.isEmpty());
            QCOMPARE(diags.first().code, code);
            QVERIFY(diags.first().message.contains(u"released section"_s));
        }
    }
};

QTEST_GUILESS_MAIN(TestChangelog)
#include "tst_changelog.moc"
