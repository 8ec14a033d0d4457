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

    // Issue #18: two modes. A file without the playbook's fields is read as
    // another project's (Keep a Changelog only); --rules forces either.
    void lintModes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("rules");
        QTest::addColumn<bool>("anyRz"); // a playbook RZ code in the summary
        const QString data = RaizeTest::dataDir() + u"/changelogs/"_s;
        QTest::newRow("foreign file, auto") << QStringList{data + u"valid-kac-plain.md"_s} << 0 << u"keepachangelog"_s << false;
        QTest::newRow("foreign file, forced playbook") << QStringList{data + u"valid-kac-plain.md"_s, u"--rules"_s, u"playbook"_s} << 1 << u"playbook"_s << true;
        QTest::newRow("playbook file, auto") << QStringList{data + u"invalid-missing-fields.md"_s} << 1 << u"playbook"_s << true;
        QTest::newRow("playbook file, told foreign") << QStringList{data + u"invalid-missing-fields.md"_s, u"--rules=keepachangelog"_s} << 0 << u"keepachangelog"_s << false;
        QTest::newRow("real file, auto") << QStringList{data + u"structlog/CHANGELOG.md"_s} << 0 << u"keepachangelog"_s << false;
        QTest::newRow("real file with errors") << QStringList{data + u"vu64/CHANGELOG.md"_s} << 1 << u"keepachangelog"_s << false;
    }

    void lintModes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, rules);
        QFETCH(bool, anyRz);
        const Run r = run(QStringList{u"changelog"_s, u"lint"_s} + args + QStringList{u"--json"_s});
        QVERIFY2(r.code == code, QByteArray(r.out + r.err).constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(u"rules"_s).toString(), rules);
        QVERIFY(!o.value(u"rulesReason"_s).toString().isEmpty());
        const QJsonObject summary = o.value(u"summary"_s).toObject();
        const QJsonArray diags = o.value(u"diagnostics"_s).toArray();
        int total = 0;
        bool rz = false;
        for (auto it = summary.begin(); it != summary.end(); ++it) {
            total += it.value().toInt();
            rz = rz || it.key().startsWith(u"RZ"_s);
        }
        QCOMPARE(total, int(diags.size()));
        QCOMPARE(o.value(u"errors"_s).toInt() + o.value(u"warnings"_s).toInt(), int(diags.size()));
        QCOMPARE(rz, anyRz);
        for (const QJsonValue &d : diags)
            QVERIFY(summary.value(d.toObject().value(u"code"_s).toString()).toInt() >= 1);

        // The text output says the same: the rules, and the count per code.
        const Run text = run(QStringList{u"changelog"_s, u"lint"_s} + args);
        QCOMPARE(text.code, code);
        QVERIFY2(text.out.contains(QByteArray(": rules " + rules.toUtf8() + " (")), text.out.constData());
        for (auto it = summary.begin(); it != summary.end(); ++it)
            QVERIFY2(text.out.contains(u"%1 ×%2"_s.arg(it.key()).arg(it.value().toInt()).toUtf8()), text.out.constData());
    }

    void lintSummaryCountsByCode()
    {
        const Run r = run({u"changelog"_s, u"lint"_s, RaizeTest::dataDir() + u"/changelogs/vu64/CHANGELOG.md"_s, u"--rules"_s, u"keepachangelog"_s});
        QCOMPARE(r.code, 1);
        // vu64's compare links use two dots: one KAC023 per link (see its expected.txt).
        QVERIFY2(r.out.contains("summary: ") && r.out.contains("KAC023 ×"), r.out.constData());
        QVERIFY2(r.out.contains("changelog lint FAILED ("), r.out.constData());
    }

    void helpExitsZero_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("changelog --help") << QStringList{u"changelog"_s, u"--help"_s} << QByteArray("--rules auto|playbook|keepachangelog");
        QTest::newRow("changelog lint --help") << QStringList{u"changelog"_s, u"lint"_s, u"--help"_s} << QByteArray("--rules keepachangelog");
        QTest::newRow("changelog lint FILE -h") << QStringList{u"changelog"_s, u"lint"_s, u"CHANGELOG.md"_s, u"-h"_s} << QByteArray("another project's file");
        QTest::newRow("changelog next-version --help") << QStringList{u"changelog"_s, u"next-version"_s, u"--help"_s} << QByteArray("Placeholder");
        QTest::newRow("changelog cut --help") << QStringList{u"changelog"_s, u"cut"_s, u"--help"_s} << QByteArray("--write");
    }

    void helpExitsZero()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, mentions);
        const Run r = run(args);
        QVERIFY2(r.code == 0, QByteArray(r.out + r.err).constData());
        QVERIFY2(r.out.contains(mentions), r.out.constData());
    }

    void nextVersionRefusesUnreadableVersions()
    {
        const QString file = m_dir.filePath(u"unreadable.md"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- A fix.\n\n## Release one - 2025-01-01\n");
        f.close();
        const Run r = run({u"changelog"_s, u"next-version"_s, file});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no released version could be read (line 9"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    // CI lints this project's own CHANGELOG.md with the same command.
    void ownChangelogPasses()
    {
        const Run r = run({u"changelog"_s, u"lint"_s, u"CHANGELOG.md"_s}, RaizeTest::sourceDir());
        QVERIFY2(r.code == 0, QByteArray(r.out + r.err).constData());
        QVERIFY2(r.out.contains("CHANGELOG.md: rules playbook ("), r.out.constData());
        // And with the playbook's rules asked for explicitly, as the promotion gate reads it.
        const Run forced = run({u"changelog"_s, u"lint"_s, u"CHANGELOG.md"_s, u"--rules"_s, u"playbook"_s}, RaizeTest::sourceDir());
        QVERIFY2(forced.code == 0, QByteArray(forced.out + forced.err).constData());
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
