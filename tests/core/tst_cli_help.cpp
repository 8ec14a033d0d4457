// `--help` for every subcommand and sub-subcommand (issue #14), enumerated from
// the CLI's table so a new one is covered without touching this test. --help
// first, last, in the middle and after each usage's own example arguments:
// exit 0, the most specific usage on stdout, nothing on stderr, and no request
// to any service the profile points at (every service URL is a local
// recording server), no file written in the working folder and no audit log.

#include "cli/cli.h"
#include "core/settings.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "testutil.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

// The arguments of a usage text's "Example: raize-console ..." line.
QStringList exampleArgs(const QString &usage)
{
    static const QRegularExpression line(u"^Example: raize-console (.*)$"_s, QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = line.match(usage);
    return m.hasMatch() ? QProcess::splitCommand(m.captured(1)) : QStringList();
}

QString rowName(const QStringList &args)
{
    return args.join(u' ');
}

} // namespace

class TestCliHelp : public QObject
{
    Q_OBJECT

    Sandbox::RequestLog m_log;
    Sandbox::FaultInjector m_faults;
    std::unique_ptr<Sandbox::HttpServer> m_recorder;
    QTemporaryDir m_work; // the working folder of every run: must stay empty
    QTemporaryDir m_data;

    QString auditLogPath() const { return m_data.path() + u"/audit.jsonl"_s; }

    // Waits with the event loop running, so the recorder answers (and logs) whatever the child sends.
    Run run(const QStringList &args, const QProcessEnvironment &extra = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // No keyring: a subcommand that reached the keychain would fail and say so on stderr.
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/raize-cli-help"_s);
        for (const QString &k : extra.keys())
            env.insert(k, extra.value(k));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(m_work.path());
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(RaizeTest::consoleBinary(), args);
        if (!p.waitForStarted(30000))
            return {};
        if (finished.isEmpty() && !finished.wait(60000)) {
            p.kill();
            p.waitForFinished(5000);
            return {};
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    static void addRow(const QStringList &args, const QString &command, const QString &sub)
    {
        QTest::newRow(qPrintable(rowName(args))) << args << command << sub;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QVERIFY(m_data.isValid());
        m_recorder = std::make_unique<Sandbox::HttpServer>(u"recorder"_s, &m_faults, &m_log);
        QVERIFY(m_recorder->listen());
        // The default profile points every service at the recorder.
        Settings settings;
        const QString url = m_recorder->baseUrl();
        settings.setValue(SettingKey::VercelBaseUrl, url);
        settings.setValue(SettingKey::VercelProjectId, u"prj_help"_s);
        settings.setValue(SettingKey::GitHubApiUrl, url);
        settings.setValue(SettingKey::GitHubOwner, u"raize"_s);
        settings.setValue(SettingKey::GitHubRepo, u"platform"_s);
        settings.setValue(SettingKey::FlagsUrl, url);
        settings.setValue(SettingKey::PrometheusUrl, url);
        settings.setValue(SettingKey::NetTimeoutMs, 5000);
        settings.setValue(SettingKey::AuditLogPath, auditLogPath());
        QVERIFY(settings.sync());
    }

    // The proof that the recorder would see a request: a subcommand run without --help reaches it.
    void withoutHelpASubcommandReachesTheRecorder()
    {
        QProcessEnvironment tokens;
        tokens.insert(u"RAIZE_VERCEL_TOKEN"_s, u"vercel-test-token"_s);
        tokens.insert(u"RAIZE_GITHUB_TOKEN"_s, u"github-test-token"_s);
        tokens.insert(u"RAIZE_FLAGS_TOKEN"_s, u"flags-test-token"_s);
        const Run r = run({u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_help"_s, u"--changelog"_s, m_work.path() + u"/none.md"_s},
                          tokens);
        QCOMPARE(r.code, 2); // the recorder knows no deployment
        QVERIFY2(!m_log.entries().isEmpty(), qPrintable(r.err));
        const QList<Sandbox::LoggedRequest> seen = m_log.entries();
        QVERIFY(std::any_of(seen.cbegin(), seen.cend(), [](const Sandbox::LoggedRequest &e) { return e.path.contains(u"dpl_help"_s); }));
        m_log.clear();
    }

    void help_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("sub");
        for (const Cli::Command &c : Cli::commands()) {
            const QString name(c.name);
            addRow({name, u"--help"_s}, name, {});
            addRow({name, u"-h"_s}, name, {});
            addRow({u"help"_s, name}, name, {});
            const Cli::CommandHelp &help = c.help();
            if (help.subcommands.isEmpty()) {
                const QStringList example = exampleArgs(help.usage);
                if (example.value(0) == name) {
                    addRow(QStringList(example) << u"--help"_s, name, {});
                    addRow(QStringList(example) << u"-h"_s, name, {});
                }
            }
            for (const Cli::SubcommandHelp &s : help.subcommands) {
                const QString sub(s.name);
                addRow({name, sub, u"--help"_s}, name, sub);
                addRow({name, u"--help"_s, sub}, name, sub);
                addRow({name, sub, u"-h"_s}, name, sub);
                addRow({u"help"_s, name, sub}, name, sub);
                const QStringList example = exampleArgs(s.usage);
                if (example.size() >= 2 && example[0] == name && example[1] == sub) {
                    addRow(QStringList(example) << u"--help"_s, name, sub);
                    if (example.size() > 3) // in the middle of the other arguments
                        addRow(QStringList(example.mid(0, 3)) << u"--help"_s << example.mid(3), name, sub);
                }
            }
        }
        // The lines from the issue.
        addRow({u"kill-switch"_s, u"--scope"_s, u"global"_s, u"--help"_s}, u"kill-switch"_s, {});
        addRow({u"rollback"_s, u"execute"_s, u"--trigger"_s, u"wrong-account"_s, u"--help"_s}, u"rollback"_s, u"execute"_s);
        addRow({u"audit"_s, u"verify"_s, u"--help"_s, u"--profile"_s, u"other"_s}, u"audit"_s, u"verify"_s);
        addRow({u"gates"_s, u"check"_s, u"--profile"_s, u"NOT a valid profile"_s, u"--help"_s}, u"gates"_s, u"check"_s);
    }

    void help()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, command);
        QFETCH(QString, sub);
        const Cli::Command *c = Cli::findCommand(command);
        QVERIFY(c);
        const QString expected = Cli::helpText(*c, sub);
        QVERIFY(expected.startsWith(u"usage: raize-console %1"_s.arg(sub.isEmpty() ? command : command + u' ' + sub)));

        const Run r = run(args);
        // Nothing touched first: a request, a file in the working folder, an audit record.
        const QList<Sandbox::LoggedRequest> requests = m_log.entries();
        m_log.clear();
        QVERIFY2(requests.isEmpty(), qPrintable(u"%1 request(s) reached the services, first: %2 %3"_s.arg(requests.size())
                                                    .arg(requests.value(0).method, requests.value(0).path)));
        QCOMPARE(QDir(m_work.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
        QVERIFY(!QFile::exists(auditLogPath()));
        QCOMPARE(r.err, QString());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, expected);
    }

    // Every usage text names the exit codes and gives an example of its own command line.
    void usageTexts_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("sub");
        for (const Cli::Command &c : Cli::commands()) {
            QTest::newRow(c.name.data()) << QString(c.name) << QString();
            for (const Cli::SubcommandHelp &s : c.help().subcommands)
                QTest::newRow(qPrintable(QString(c.name) + u' ' + QString(s.name))) << QString(c.name) << QString(s.name);
        }
    }

    void usageTexts()
    {
        QFETCH(QString, command);
        QFETCH(QString, sub);
        const Cli::Command *c = Cli::findCommand(command);
        QVERIFY(c);
        const QString text = Cli::helpText(*c, sub);
        const QString line = sub.isEmpty() ? command : command + u' ' + sub;
        QVERIFY2(text.startsWith(u"usage: raize-console "_s + line), qPrintable(text));
        QVERIFY2(text.contains(u"\nExit codes: 0 "_s), qPrintable(text));
        const QStringList example = exampleArgs(text);
        QVERIFY2(!example.isEmpty(), qPrintable(u"no \"Example: raize-console ...\" line in:\n"_s + text));
        QCOMPARE(example.value(0), command);
        if (!sub.isEmpty())
            QCOMPARE(example.value(1), sub);
        QVERIFY(text.contains(u"--profile P"_s));
        if (sub.isEmpty() && !c->help().subcommands.isEmpty()) {
            for (const Cli::SubcommandHelp &s : c->help().subcommands)
                QVERIFY2(text.contains(u"\n  "_s + QString(s.name) + u' '), qPrintable(text));
        }
    }

    // The options a usage names are the options its handler takes: an option the handler does not know is
    // refused, so each usage's example must get past argument parsing (a refusal says "unknown argument").
    void examplesParse_data()
    {
        QTest::addColumn<QStringList>("args");
        // Not run here: once parsed, these reach the keychain or a service (their exit codes are covered by
        // test_cli_token, test_publish_cli, test_rollback_sandbox and test_gates_cli).
        static const QList<QLatin1StringView> reachOut = {"token"_L1, "kill-switch"_L1, "rollback"_L1, "gates"_L1, "release-notes"_L1};
        for (const Cli::Command &c : Cli::commands()) {
            if (reachOut.contains(c.name))
                continue;
            if (c.help().subcommands.isEmpty()) {
                const QStringList example = exampleArgs(c.help().usage);
                QTest::newRow(qPrintable(rowName(example))) << example;
            }
            for (const Cli::SubcommandHelp &s : c.help().subcommands) {
                const QStringList example = exampleArgs(s.usage);
                QTest::newRow(qPrintable(rowName(example))) << example;
            }
        }
    }

    void examplesParse()
    {
        QFETCH(QStringList, args);
        QVERIFY(!args.isEmpty());
        QVERIFY(Cli::findCommand(args.first()));
        const Run r = run(args);
        m_log.clear();
        QVERIFY2(!r.err.contains(u"unknown argument"_s), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"usage:"_s), qPrintable(r.err));
        // Whatever the example wrote (a journal entry, an audit record) goes with the folder.
        for (const QString &e : QDir(m_work.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot))
            QVERIFY(QDir(m_work.path() + u'/' + e).removeRecursively() || QFile::remove(m_work.path() + u'/' + e));
        QFile::remove(auditLogPath());
    }

    void unknownSubcommandIsAnError()
    {
        const Run r = run({u"help"_s, u"no-such-command"_s});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(u"no subcommand no-such-command"_s));
        const Run sub = run({u"help"_s, u"rollback"_s, u"no-such-step"_s});
        QCOMPARE(sub.code, 2);
        QVERIFY(sub.err.contains(u"no sub-subcommand"_s));
    }

    void topLevelHelp()
    {
        for (const QStringList &args : {QStringList{u"--help"_s}, QStringList{u"help"_s}}) {
            const Run r = run(args);
            QCOMPARE(r.code, 0);
            for (const Cli::Command &c : Cli::commands())
                QVERIFY2(r.out.contains(u"\n  "_s + QString(c.name) + u' '), qPrintable(r.out));
            QVERIFY(r.out.contains(u"raize-console help SUBCOMMAND"_s));
        }
        QVERIFY(m_log.entries().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliHelp)
#include "tst_cli_help.moc"
