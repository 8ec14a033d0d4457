// The records subcommands, run as an operator or CI would: exit codes and --json.

#include "testutil.h"

#include "records/auditlog.h"

#include <QFile>
#include <QJsonDocument>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Records;

class TestRecordsCli : public QObject
{
    Q_OBJECT

    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };

    static Run run(const QStringList &args, const QString &cwd = {})
    {
        QProcess p;
        if (!cwd.isEmpty())
            p.setWorkingDirectory(cwd);
        p.start(RaizeTest::consoleBinary(), args);
        p.waitForFinished(60000);
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void lintExitCodes()
    {
        const QString data = RaizeTest::dataDir() + u"/changelogs/"_s;
        QCOMPARE(run({u"changelog"_s, u"lint"_s, data + u"valid-playbook.md"_s}).code, 0);
        const Run bad = run({u"changelog"_s, u"lint"_s, data + u"invalid-missing-fields.md"_s});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.out.contains("invalid-missing-fields.md:7:3: error: the entry has no Migration field"), bad.out.constData());
        QCOMPARE(run({u"changelog"_s, u"lint"_s, data + u"valid-kac-plain.md"_s, u"--rules"_s, u"keepachangelog"_s}).code, 0);
        QCOMPARE(run({u"changelog"_s, u"lint"_s, data + u"nope.md"_s}).code, 2);
        QCOMPARE(run({u"changelog"_s, u"lint"_s, data + u"valid-playbook.md"_s, u"--rules"_s, u"strict"_s}).code, 2);
        const Run json = run({u"changelog"_s, u"lint"_s, data + u"invalid-format.md"_s, u"--json"_s});
        QCOMPARE(json.code, 1);
        const QJsonObject o = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(o.value(u"ok"_s).toBool(true), false);
        QVERIFY(o.value(u"diagnostics"_s).toArray().size() >= 8);
    }

    // CI lints this project's own CHANGELOG.md with the same command.
    void ownChangelogPasses()
    {
        const Run r = run({u"changelog"_s, u"lint"_s, u"CHANGELOG.md"_s}, RaizeTest::sourceDir());
        QVERIFY2(r.code == 0, QByteArray(r.out + r.err).constData());
    }

    void appendOnlyAgainstPreviousCopy()
    {
        const QString data = RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s;
        QFile in(data);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray text = in.readAll();
        text.replace("half the time", "a third of the time");
        const QString edited = m_dir.filePath(u"edited.md"_s);
        QFile out(edited);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text);
        out.close();
        const Run r = run({u"changelog"_s, u"lint"_s, edited, u"--previous"_s, data});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains("AO002"), r.out.constData());
    }

    void nextVersionAndCut()
    {
        const QString data = RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s;
        const Run next = run({u"changelog"_s, u"next-version"_s, data});
        QCOMPARE(next.code, 0);
        QVERIFY2(next.out.startsWith("1.3.0\t"), next.out.constData());
        const QString copy = m_dir.filePath(u"CHANGELOG.md"_s);
        QVERIFY(QFile::copy(data, copy));
        QCOMPARE(run({u"changelog"_s, u"cut"_s, copy, u"--date"_s, u"2026-11-24"_s, u"--write"_s}).code, 0);
        QCOMPARE(run({u"changelog"_s, u"lint"_s, copy, u"--previous"_s, data}).code, 0);
        // Nothing left to cut.
        QCOMPARE(run({u"changelog"_s, u"cut"_s, copy}).code, 1);
        QCOMPARE(run({u"changelog"_s, u"cut"_s, copy, u"--version"_s, u"banana"_s}).code, 2);
    }

    void releaseNotes()
    {
        const QString data = RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s;
        const QString input = m_dir.filePath(u"input.json"_s);
        QFile f(input);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"canary":["house 120 min","client-bloom 120 min"],"rollback":{"deployment":"Instant Rollback to dpl_prev"}})");
        f.close();
        const QString journal = m_dir.filePath(u"journal"_s);
        const Run r = run({u"release-notes"_s, u"--version"_s, u"1.2.0"_s, u"--changelog"_s, data, u"--input"_s, input,
                           u"--mirror-journal"_s, journal});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("**Title:** v1.2.0"));
        QVERIFY(r.out.contains("- Canary plan: house 120 min; client-bloom 120 min"));
        QCOMPARE(QDir(journal).entryList({u"*.md"_s}).size(), 1);
        QFile bad(input);
        QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
        bad.write("{not json");
        bad.close();
        QCOMPARE(run({u"release-notes"_s, u"--version"_s, u"1.2.0"_s, u"--changelog"_s, data, u"--input"_s, input}).code, 2);
        QCOMPARE(run({u"release-notes"_s, u"--changelog"_s, data}).code, 2);
    }

    void journalAdd()
    {
        const QString dir = m_dir.filePath(u"j"_s);
        const Run r = run({u"journal"_s, u"add"_s, u"--dir"_s, dir, u"--title"_s, u"Canary house accounts"_s,
                           u"--shipped"_s, u"v1.4.0"_s, u"--observed"_s, u"burn 0.3x"_s, u"--anomaly"_s, u"none seen"_s});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(run({u"journal"_s, u"add"_s, u"--dir"_s, dir}).code, 2);
    }

    void auditVerifyExportRepair()
    {
        const QString path = m_dir.filePath(u"audit.jsonl"_s);
        AuditLog log(path);
        for (int i = 0; i < 3; ++i) {
            AuditRecord rec;
            rec.actor = u"ops"_s;
            rec.action = i == 1 ? u"vercel.rollback"_s : u"flag.disable"_s;
            rec.target = u"t%1"_s.arg(i);
            QVERIFY(log.append(rec).ok());
        }
        QCOMPARE(run({u"audit"_s, u"verify"_s, path}).code, 0);
        const Run json = run({u"audit"_s, u"export"_s, path, u"--action"_s, u"flag."_s});
        QCOMPARE(json.code, 0);
        QCOMPARE(QJsonDocument::fromJson(json.out).array().size(), 2);
        const Run csv = run({u"audit"_s, u"export"_s, path, u"--format"_s, u"csv"_s});
        QCOMPARE(csv.out.count('\n'), 4);

        // Tamper: verify says no, with the first bad record.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        bytes.replace("\"t1\"", "\"t9\"");
        f.seek(0);
        f.write(bytes);
        f.close();
        const Run tampered = run({u"audit"_s, u"verify"_s, path, u"--json"_s});
        QCOMPARE(tampered.code, 1);
        QCOMPARE(QJsonDocument::fromJson(tampered.out).object().value(u"firstBad"_s).toObject().value(u"line"_s).toInt(), 2);

        // Torn tail: verify reports it; repair needs the explicit flag.
        const QString torn = m_dir.filePath(u"torn.jsonl"_s);
        AuditLog t(torn);
        AuditRecord rec;
        rec.actor = u"ops"_s;
        rec.action = u"flag.disable"_s;
        QVERIFY(t.append(rec).ok());
        QFile tf(torn);
        QVERIFY(tf.open(QIODevice::Append));
        tf.write("{\"prev\":\"abc");
        tf.close();
        const Run v = run({u"audit"_s, u"verify"_s, torn});
        QCOMPARE(v.code, 1);
        QVERIFY(v.out.contains("TORN TAIL"));
        QCOMPARE(run({u"audit"_s, u"repair"_s, torn}).code, 2);
        QCOMPARE(run({u"audit"_s, u"repair"_s, torn, u"--truncate-torn-tail"_s}).code, 0);
        QCOMPARE(run({u"audit"_s, u"verify"_s, torn}).code, 0);
        QCOMPARE(run({u"audit"_s, u"verify"_s, m_dir.filePath(u"missing.jsonl"_s)}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TestRecordsCli)
#include "tst_records_cli.moc"
