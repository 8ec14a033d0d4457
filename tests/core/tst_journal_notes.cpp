// The append-only journal and the release notes template (playbook §6.3, §9.2).

#include "testutil.h"

#include "records/journal.h"
#include "records/releasenotes.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Records;

namespace {
QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}
} // namespace

class TestJournalNotes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void journalAppendsNeverRewrites()
    {
        QTemporaryDir dir;
        Journal journal(dir.path());
        JournalEntry e;
        e.time = QDateTime(QDate(2026, 11, 24), QTime(9, 30), Qt::UTC);
        e.title = u"Release v1.4.0"_s;
        e.shipped = {u"v1.4.0 to production"_s};
        e.observed = {u"publish success 99.7% over 2 h"_s};
        const auto path = journal.append(e);
        QVERIFY2(path.ok(), qPrintable(path.error().toString()));
        QCOMPARE(*path, dir.path() + u"/2026-11-24.md"_s);
        const QString first = readFile(*path);
        QVERIFY(first.startsWith(u"# Journal — 2026-11-24\n"_s));
        QVERIFY(first.contains(u"## 09:30 UTC — Release v1.4.0"_s));
        QVERIFY(first.contains(u"**What shipped**\n\n- v1.4.0 to production"_s));
        QVERIFY(first.contains(u"**Anomalies**\n\n- none"_s));

        // Someone's hand-written text without a final newline stays byte for byte.
        {
            QFile f(*path);
            QVERIFY(f.open(QIODevice::Append));
            f.write("Hand-written note.");
        }
        const QString withNote = readFile(*path);
        e.time = e.time.addSecs(3600);
        e.title = u"Rollback of v1.4.0"_s;
        e.anomalies = {u"wrong-account side effect on acct-bloom-ig"_s};
        QVERIFY(journal.append(e).ok());
        const QString second = readFile(*path);
        QVERIFY(second.startsWith(withNote));
        QVERIFY(second.contains(u"## 10:30 UTC — Rollback of v1.4.0"_s));
        QVERIFY(second.contains(u"- wrong-account side effect on acct-bloom-ig"_s));
    }

    void journalRefusesEmptyTitleAndBadFolder()
    {
        QTemporaryDir dir;
        QVERIFY(!Journal(dir.path()).append(JournalEntry{}).ok());
        QFile blocker(dir.filePath(u"file"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        JournalEntry e;
        e.title = u"x"_s;
        const auto r = Journal(dir.filePath(u"file/journal"_s)).append(e);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, Raize::Error::Kind::Io);
    }

    void releaseNotesFollowTheTemplate()
    {
        const ChangelogDocument doc = ChangelogDocument::parse(readFile(RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s));
        ReleaseNotesInput in;
        in.canaryPlan = {u"house accounts 120 min"_s, u"client-bloom 120 min"_s, u"broad"_s};
        in.deploymentRollback = u"Instant Rollback to dpl_prev (READY, checks passed)"_s;
        in.newChecks = {u"browser-lane smoke"_s};
        in.runbooksUpdated = {u"docs/runbooks/publish-failures.md"_s};
        const auto notes = ReleaseNotesBuilder::build(doc, u"1.2.0"_s, in);
        QVERIFY2(notes.ok(), qPrintable(notes.error().toString()));
        QCOMPARE(notes->tag, u"v1.2.0"_s);
        QCOMPARE(notes->title, u"v1.2.0 — Faster queue drain"_s);
        QCOMPARE(notes->releaseLevel, u"L3"_s);
        // The §9.2 headings, in order.
        const QStringList headings = {u"**Title:** v1.2.0 — Faster queue drain"_s, u"**Highlights**"_s, u"**Operator impact**"_s,
                                      u"- Flags: `engagement.dm-dedupe`"_s, u"- New checks: browser-lane smoke"_s,
                                      u"- Migrations: Faster queue drain: automatic"_s, u"- Runbooks updated: docs/runbooks/publish-failures.md"_s,
                                      u"**Risk**"_s, u"- Release level: L3"_s, u"- Canary plan: house accounts 120 min; client-bloom 120 min; broad"_s,
                                      u"**Rollback plan**"_s, u"- Flag rollback: turn off `engagement.dm-dedupe`"_s,
                                      u"- Deployment rollback: Instant Rollback to dpl_prev"_s, u"**Known issues**"_s};
        qsizetype at = 0;
        for (const QString &h : headings) {
            const qsizetype found = notes->body.indexOf(h, at);
            QVERIFY2(found >= 0, qPrintable(u"missing or out of order: "_s + h + u"\n"_s + notes->body));
            at = found;
        }
    }

    void releaseNotesErrors()
    {
        const ChangelogDocument doc = ChangelogDocument::parse(readFile(RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s));
        QVERIFY(!ReleaseNotesBuilder::build(doc, u"9.9.9"_s, {}).ok());
        QVERIFY(!ReleaseNotesInput::fromJson(nlohmann::json::array()).ok());
        QVERIFY(!ReleaseNotesInput::fromJson({{"canary", "not a list"}}).ok());
        QVERIFY(!ReleaseNotesInput::fromJson({{"rollback", 3}}).ok());
        const auto ok = ReleaseNotesInput::fromJson({{"canary", {"a", "b"}}, {"rollback", {{"flags", "off"}, {"deployment", "dpl"}}}});
        QVERIFY(ok.ok());
        QCOMPARE(ok->canaryPlan.size(), 2);
        QCOMPARE(ok->deploymentRollback, u"dpl"_s);
    }
};

QTEST_GUILESS_MAIN(TestJournalNotes)
#include "tst_journal_notes.moc"
