// CHANGELOG.md: Keep a Changelog 1.1.0 + SemVer 2.0.0 + playbook §8.6 fields.

#include "testutil.h"

#include "records/changeloglinter.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Records;

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
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
                           u"KAC004@33"_s, u"KAC005@33"_s};
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
