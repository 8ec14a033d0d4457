// The hash-chained audit log: append, verify, tamper detection, torn tails.

#include "core/redactor.h"
#include "records/auditlog.h"
#include "records/auditverifier.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Records;

namespace {

AuditRecord action(int i)
{
    AuditRecord r;
    r.actor = u"oncall@raize"_s;
    r.action = i % 2 ? u"flag.disable"_s : u"vercel.rollback"_s;
    r.target = u"publishing.canary-%1"_s.arg(i);
    r.service = i % 2 ? u"unleash"_s : u"vercel"_s;
    r.before = {{"enabled", true}, {"n", i}};
    r.after = {{"enabled", false}, {"n", i}};
    r.reason = u"P1: publish failures on house accounts (#%1)"_s.arg(i);
    r.requestId = u"req-%1"_s.arg(i);
    return r;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

QList<QByteArray> linesOf(const QByteArray &bytes)
{
    QList<QByteArray> l = bytes.split('\n');
    if (!l.isEmpty() && l.last().isEmpty())
        l.removeLast();
    return l;
}

QByteArray joinLines(const QList<QByteArray> &lines)
{
    QByteArray out;
    for (const QByteArray &l : lines)
        out += l + '\n';
    return out;
}

// Changes a log's lines as `how` says ("edit:4", "delete:5", ...).
void applyTamper(QList<QByteArray> &lines, const QString &how)
{
    const QString op = how.section(u':', 0, 0);
    const int n = how.section(u':', 1, 1).toInt();
    if (op == u"edit"_s) {
        QByteArray &l = lines[n - 1];
        const qsizetype at = l.indexOf("oncall") + 2; // inside the actor value
        l[at] = l[at] == 'c' ? 'k' : 'c';
    } else if (op == u"edithash"_s) {
        QByteArray &l = lines[n - 1];
        const qsizetype at = l.size() - 5;
        l[at] = l[at] == 'a' ? 'b' : 'a';
    } else if (op == u"nonhexhash"_s) {
        QByteArray &l = lines[n - 1];
        l[l.size() - 5] = 'X';
    } else if (op == u"upperhash"_s) { // the right digest, in upper case
        QByteArray &l = lines[n - 1];
        const qsizetype at = l.lastIndexOf("\"hash\":\"") + 8;
        l.replace(at, 64, l.mid(at, 64).toUpper());
    } else if (op == u"nonhexprev"_s) {
        QByteArray &l = lines[n - 1];
        l[10] = 'G';
    } else if (op == u"delete"_s) {
        lines.removeAt(n - 1);
    } else if (op == u"swap"_s) {
        lines.swapItemsAt(n - 1, n);
    } else if (op == u"truncate"_s) {
        lines = lines.mid(0, n);
    } else if (op == u"dup"_s) {
        lines.insert(n, lines[n - 1]);
    } else if (op == u"garbage"_s) {
        lines.insert(n - 1, "{\"not\":\"a record\"}");
    } else if (op == u"empty"_s) {
        lines.insert(n - 1, QByteArray());
    } else if (op != u"none"_s) {
        QFAIL(qPrintable(u"unknown tamper operation "_s + how));
    }
}

// Every field of a report, to compare two of them whole.
QString describe(const VerifyReport &r)
{
    QString s = u"readable=%1 records=%2 lastSeq=%3 lastHash=%4 head=%5/%6 note=%7"_s.arg(r.readable)
                    .arg(r.records).arg(r.lastSeq).arg(r.lastHash).arg(r.headPresent).arg(r.headSeq).arg(r.note);
    if (r.firstBad)
        s += u" bad=%1 line=%2 seq=%3 byte=%4 (%5)"_s.arg(VerifyProblem::kindName(r.firstBad->kind)).arg(r.firstBad->line)
                 .arg(r.firstBad->seq).arg(r.firstBad->byteOffset).arg(r.firstBad->message);
    if (r.tornTail)
        s += u" torn=%1 byte=%2 bytes=%3"_s.arg(r.tornTail->line).arg(r.tornTail->byteOffset).arg(r.tornTail->bytes);
    return s;
}

} // namespace

class TestAudit : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString makeLog(const QString &name, int records)
    {
        const QString path = m_dir.filePath(name);
        QFile::remove(path);
        QFile::remove(path + u".head"_s);
        AuditLog log(path);
        for (int i = 1; i <= records; ++i) {
            AuditRecord r = action(i);
            const Raize::Status s = log.append(r);
            if (!s.ok())
                qWarning("%s", qPrintable(s.error().toString()));
        }
        return path;
    }

private Q_SLOTS:
    void appendAndVerify()
    {
        const QString path = makeLog(u"a.jsonl"_s, 5);
        const VerifyReport r = AuditVerifier::verify(path);
        QVERIFY2(r.intact(), qPrintable(r.summary()));
        QCOMPARE(r.records, 5);
        QCOMPARE(r.lastSeq, 5);
        QVERIFY(r.headPresent);
        QCOMPARE(r.headSeq, 5);

        // Every line is a full record with the chain in it.
        const QList<QByteArray> lines = linesOf(readAll(path));
        QCOMPARE(lines.size(), 5);
        AuditRecord first, second;
        QVERIFY(AuditRecord::fromLine(lines[0], &first));
        QVERIFY(AuditRecord::fromLine(lines[1], &second));
        QCOMPARE(first.seq, 1);
        QCOMPARE(first.prev, AuditRecord::genesisHash());
        QCOMPARE(second.prev, first.hash);
        QCOMPARE(first.actor, u"oncall@raize"_s);
        QVERIFY(first.after["enabled"] == false);
        QVERIFY(first.time.isValid());
        QVERIFY(lines[0].startsWith("{\"prev\":\"")); // no raw string: moc 6.4 miscounts the braces in one
    }

    void appendFillsTheRecord()
    {
        AuditLog log(m_dir.filePath(u"fill.jsonl"_s));
        AuditRecord r = action(1);
        QVERIFY(log.append(r).ok());
        QCOMPARE(r.seq, 1);
        QCOMPARE(r.hash.size(), 64);
        AuditRecord r2 = action(2);
        QVERIFY(log.append(r2).ok());
        QCOMPARE(r2.prev, r.hash);
    }

    void secretsAreRedacted()
    {
        Raize::Redactor::registerSecret(u"super-secret-token-xyz"_s);
        AuditLog log(m_dir.filePath(u"secret.jsonl"_s));
        AuditRecord r = action(1);
        r.reason = u"pasted super-secret-token-xyz by mistake"_s;
        r.after = {{"header", "Authorization: Bearer abcdefghijklmnop"}};
        QVERIFY(log.append(r).ok());
        const QByteArray bytes = readAll(log.path());
        QVERIFY(!bytes.contains("super-secret-token-xyz"));
        QVERIFY(!bytes.contains("abcdefghijklmnop"));
        QVERIFY(AuditVerifier::verify(log.path()).intact());
    }

    void twoWritersKeepOneChain()
    {
        const QString path = m_dir.filePath(u"shared.jsonl"_s);
        AuditLog a(path), b(path);
        for (int i = 0; i < 20; ++i) {
            AuditRecord r = action(i);
            QVERIFY((i % 2 ? a : b).append(r).ok());
        }
        const VerifyReport rep = AuditVerifier::verify(path);
        QVERIFY2(rep.intact(), qPrintable(rep.summary()));
        QCOMPARE(rep.records, 20);
    }

    void tamper_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<int>("expectedLine");
        QTest::addColumn<int>("expectedKind");
        using K = VerifyProblem::Kind;
        QTest::newRow("one edited byte in record 4") << u"edit:4"_s << 4 << int(K::HashMismatch);
        QTest::newRow("one edited byte in the first record") << u"edit:1"_s << 1 << int(K::HashMismatch);
        QTest::newRow("one edited byte in the last record") << u"edit:10"_s << 10 << int(K::HashMismatch);
        QTest::newRow("edited hash field") << u"edithash:6"_s << 6 << int(K::HashMismatch);
        QTest::newRow("deleted line 5") << u"delete:5"_s << 5 << int(K::PrevMismatch);
        QTest::newRow("deleted first line") << u"delete:1"_s << 1 << int(K::PrevMismatch);
        QTest::newRow("deleted last line") << u"delete:10"_s << 10 << int(K::Truncated);
        QTest::newRow("swapped lines 3 and 4") << u"swap:3"_s << 3 << int(K::PrevMismatch);
        QTest::newRow("truncated to 7 records") << u"truncate:7"_s << 8 << int(K::Truncated);
        QTest::newRow("duplicated line 2") << u"dup:2"_s << 3 << int(K::PrevMismatch);
        QTest::newRow("garbage line inserted") << u"garbage:6"_s << 6 << int(K::Malformed);
        QTest::newRow("empty line inserted") << u"empty:3"_s << 3 << int(K::Malformed);
        QTest::newRow("hash not hex") << u"nonhexhash:5"_s << 5 << int(K::Malformed);
        QTest::newRow("hash in upper case") << u"upperhash:2"_s << 2 << int(K::Malformed);
        QTest::newRow("prev not hex") << u"nonhexprev:7"_s << 7 << int(K::Malformed);
    }

    void tamper()
    {
        QFETCH(QString, how);
        QFETCH(int, expectedLine);
        QFETCH(int, expectedKind);
        const QString path = makeLog(u"t.jsonl"_s, 10);
        QList<QByteArray> lines = linesOf(readAll(path));
        applyTamper(lines, how);
        writeAll(path, joinLines(lines));
        const VerifyReport r = AuditVerifier::verify(path);
        QVERIFY2(!r.intact(), qPrintable(r.summary()));
        QVERIFY(r.firstBad.has_value());
        QCOMPARE(int(r.firstBad->line), expectedLine);
        QCOMPARE(int(r.firstBad->kind), expectedKind);
        QVERIFY(!r.firstBad->message.isEmpty());
        QCOMPARE(r.records, qint64(expectedLine - 1));
    }

    // A large log is cut into slices, one per core, each checked on its own
    // and then joined (auditverifier.cpp). The verdict must not depend on
    // where the cuts fall: every tampering at every line of a 30-record log,
    // with and without a head checkpoint and a torn tail, verified whole and
    // in 2, 3, 5 and 9 slices (so that a slice starts, ends or is empty at
    // every line), gives the same report, field by field.
    void slicingNeverChangesTheVerdict_data()
    {
        QTest::addColumn<QString>("op");
        for (const char *op : {"none", "edit", "edithash", "nonhexhash", "upperhash", "nonhexprev", "delete", "swap", "dup",
                               "garbage", "empty", "truncate"})
            QTest::newRow(op) << QString::fromLatin1(op);
    }

    void slicingNeverChangesTheVerdict()
    {
        QFETCH(QString, op);
        constexpr int records = 30;
        // Chained in memory the way AuditLog::append chains them (no fsync per record).
        QList<QByteArray> original;
        QString prev = AuditRecord::genesisHash();
        for (int i = 1; i <= records; ++i) {
            AuditRecord r = action(i);
            r.seq = i;
            r.time = QDateTime::fromSecsSinceEpoch(1'790'000'000 + i, Qt::UTC);
            r.prev = prev;
            r.hash = prev = AuditRecord::sha256Hex(AuditRecord::contentFor(r));
            original << r.toLine();
        }
        QCOMPARE(original.size(), records);
        const auto hashOf = [&](int seq) { return QString::fromLatin1(original[seq - 1].right(66).left(64)); };
        const std::optional<QPair<qint64, QString>> heads[] = {
            std::nullopt,
            qMakePair(qint64(records), hashOf(records)),       // the head names the last record
            qMakePair(qint64(12), hashOf(12)),                 // behind: a crash between append and checkpoint
            qMakePair(qint64(12), hashOf(13)),                 // names a record that is not there: rewritten
        };
        int checked = 0, tampered = 0;
        for (int n = 1; n <= records; ++n) {
            if (op == u"swap"_s && n == records)
                continue;
            QList<QByteArray> lines = original;
            applyTamper(lines, u"%1:%2"_s.arg(op).arg(n));
            QByteArray bytes = joinLines(lines);
            if (n % 2)
                bytes += original[n - 1].left(20 + n); // a torn tail: half a record, no newline
            for (const auto &head : heads) {
                const VerifyReport whole = AuditVerifier::verifyBytes(bytes, head, Raize::Sha256::preferredBackend(), 1);
                if (whole.firstBad)
                    ++tampered;
                for (int slices : {2, 3, 5, 9}) {
                    const VerifyReport cut = AuditVerifier::verifyBytes(bytes, head, Raize::Sha256::preferredBackend(), slices);
                    const QByteArray where = u"%1:%2 in %3 slices, head %4"_s.arg(op).arg(n).arg(slices)
                                                 .arg(head ? head->first : -1).toUtf8();
                    const QByteArray why = where + "\n whole: " + describe(whole).toUtf8() + "\n   cut: " + describe(cut).toUtf8();
                    QVERIFY2(describe(cut) == describe(whole), why.constData());
                    ++checked;
                }
            }
        }
        QVERIFY(checked >= 4 * 4 * (records - 1));
        // The rows do what they say: every tampering is found (the head that
        // names a missing record makes even the untouched log fail; without a
        // head, or with one that is behind, a deleted last record cannot be seen).
        if (op == u"none"_s)
            QCOMPARE(tampered, records);
        else if (op != u"truncate"_s)
            QCOMPARE(tampered, 4 * records - (op == u"swap"_s ? 4 : 0) - (op == u"delete"_s ? 2 : 0));
    }

    void headReplacedLastRecord()
    {
        // Rewriting the last record with a fresh, self-consistent hash still
        // breaks agreement with the head checkpoint.
        const QString path = makeLog(u"h.jsonl"_s, 3);
        QList<QByteArray> lines = linesOf(readAll(path));
        AuditRecord last;
        QVERIFY(AuditRecord::fromLine(lines[2], &last));
        last.reason = u"a different story"_s;
        last.hash = AuditRecord::sha256Hex(AuditRecord::contentFor(last));
        lines[2] = last.toLine();
        writeAll(path, joinLines(lines));
        const VerifyReport r = AuditVerifier::verify(path);
        QVERIFY(r.firstBad.has_value());
        QCOMPARE(int(r.firstBad->kind), int(VerifyProblem::Kind::HashMismatch));
        QCOMPARE(r.firstBad->line, 3);
    }

    void crashAfterAppendBeforeHead()
    {
        const QString path = makeLog(u"c.jsonl"_s, 4);
        // The head checkpoint from when there were 3 records.
        const QList<QByteArray> lines = linesOf(readAll(path));
        AuditRecord third;
        QVERIFY(AuditRecord::fromLine(lines[2], &third));
        writeAll(path + u".head"_s, QByteArray("{\"hash\":\"") + third.hash.toLatin1() + "\",\"seq\":3}\n");
        const VerifyReport r = AuditVerifier::verify(path);
        QVERIFY2(r.intact(), qPrintable(r.summary()));
        QVERIFY(r.note.contains(u"behind"_s));
    }

    // A crash can cut the file anywhere. Cut a log at 1,000 random offsets:
    // each time verify reports the torn tail (or, at a line boundary, the
    // missing records), and every complete record before the cut verifies.
    void crashAtRandomOffsets()
    {
        const QString path = makeLog(u"r.jsonl"_s, 40);
        const QByteArray full = readAll(path);
        const QByteArray head = readAll(path + u".head"_s);
        QList<qsizetype> lineEnds;
        for (qsizetype i = 0; i < full.size(); ++i) {
            if (full[i] == '\n')
                lineEnds << i + 1;
        }
        QRandomGenerator rng(20261124);
        int torn = 0, boundary = 0;
        for (int trial = 0; trial < 1000; ++trial) {
            const qsizetype cut = 1 + rng.bounded(int(full.size() - 1));
            const VerifyReport r = AuditVerifier::verifyBytes(full.left(cut), qMakePair(qint64(40), QString()));
            const qint64 complete = std::count_if(lineEnds.cbegin(), lineEnds.cend(), [&](qsizetype e) { return e <= cut; });
            QCOMPARE(r.records, complete);
            if (lineEnds.contains(cut)) {
                ++boundary;
                QVERIFY(!r.tornTail);
                QVERIFY(r.firstBad && r.firstBad->kind == VerifyProblem::Kind::Truncated);
            } else {
                ++torn;
                QVERIFY2(r.tornTail.has_value(), qPrintable(u"cut at %1"_s.arg(cut)));
                QCOMPARE(r.tornTail->byteOffset, complete ? lineEnds[complete - 1] : 0);
                // The only problem is the cut: the head names records that are gone.
                QVERIFY(!r.firstBad || r.firstBad->kind == VerifyProblem::Kind::Truncated);
            }
        }
        QVERIFY(torn > 900);
        Q_UNUSED(head);
        qInfo("1000 cuts: %d torn tails, %d at a record boundary", torn, boundary);
    }

    void tornTailBlocksAppendUntilRepaired()
    {
        const QString path = makeLog(u"torn.jsonl"_s, 5);
        QByteArray bytes = readAll(path);
        // A crash mid-append: half a record, no newline (the head still names 5).
        bytes += linesOf(bytes).last().left(40);
        writeAll(path, bytes);
        const VerifyReport before = AuditVerifier::verify(path);
        QVERIFY(before.tornTail.has_value());
        QVERIFY(!before.firstBad);
        QCOMPARE(before.records, 5);

        AuditLog log(path);
        AuditRecord r = action(6);
        const Raize::Status refused = log.append(r);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"torn"_s), qPrintable(refused.error().toString()));
        QVERIFY(refused.error().remedy.contains(u"audit repair"_s));

        const auto backup = log.repairTornTail();
        QVERIFY2(backup.ok(), qPrintable(backup.error().toString()));
        QVERIFY(QFile::exists(*backup));
        QCOMPARE(readAll(*backup), bytes); // nothing lost: the torn bytes are kept
        QVERIFY(AuditVerifier::verify(path).intact());
        QVERIFY(log.append(r).ok());
        QCOMPARE(r.seq, 6);
        QVERIFY(AuditVerifier::verify(path).intact());
        // Nothing to repair now.
        QVERIFY(!log.repairTornTail().ok());
    }

    void unwritableLogIsAClearError()
    {
        const QString dirAsFile = m_dir.filePath(u"blocker"_s);
        writeAll(dirAsFile, "x");
        AuditLog log(dirAsFile + u"/audit.jsonl"_s);
        AuditRecord r = action(1);
        const Raize::Status s = log.append(r);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().kind, Raize::Error::Kind::Io);
        QVERIFY(s.error().remedy.contains(u"nothing was recorded"_s));
    }

    void emptyAndMissingLogs()
    {
        writeAll(m_dir.filePath(u"empty.jsonl"_s), {});
        const VerifyReport empty = AuditVerifier::verify(m_dir.filePath(u"empty.jsonl"_s));
        QVERIFY(empty.intact());
        QCOMPARE(empty.records, 0);
        const VerifyReport missing = AuditVerifier::verify(m_dir.filePath(u"missing.jsonl"_s));
        QVERIFY(!missing.readable);
        QVERIFY(!missing.intact());
    }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "tst_audit.moc"
