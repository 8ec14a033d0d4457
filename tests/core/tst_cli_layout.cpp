// Where subcommands live (issue #14): every handler in app/cli/, one file per
// subcommand, and no code outside app/cli/ (and app/main.cpp, which hands the
// command line over) that speaks the CLI's types. The other half of the rule,
// "no core library links core_cli", is a configure-time check
// (raize_check_cli_layer in cmake/RaizeCommon.cmake).

#include "cli/cli.h"
#include "testutil.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCliLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noSubcommandOutsideAppCli()
    {
        // What only a subcommand (or the code that runs one) writes.
        static const QRegularExpression cliCode(u"#include\\s+\"cli/|namespace\\s+Raize::Cli\\b|\\bCli::Context\\b|\\bContext\\s*&\\s*ctx\\b"_s);
        const QString root = RaizeTest::sourceDir();
        QStringList offenders;
        int scanned = 0;
        for (const QString &layer : {u"app"_s, u"ui"_s}) {
            QDirIterator it(root + u'/' + layer, {u"*.cpp"_s, u"*.h"_s}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                const QString relative = path.mid(root.size() + 1);
                if (relative.startsWith(u"app/cli/"_s) || relative == u"app/main.cpp"_s)
                    continue;
                QFile f(path);
                QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
                ++scanned;
                const QRegularExpressionMatch m = cliCode.match(QString::fromUtf8(f.readAll()));
                if (m.hasMatch())
                    offenders << u"%1 (\"%2\")"_s.arg(relative, m.captured());
            }
        }
        QVERIFY2(scanned > 100, "the source tree was not found");
        QVERIFY2(offenders.isEmpty(),
                 qPrintable(u"CLI code outside app/cli/ (move it there, see docs/HACKING.md \"Headless subcommands\"):\n  "_s
                            + offenders.join(u"\n  "_s)));
    }

    // Each row of the table has its own file, app/cli/<name without dashes>command.cpp, with its handler and help.
    void oneFilePerSubcommand_data()
    {
        QTest::addColumn<QString>("name");
        for (const Raize::Cli::Command &c : Raize::Cli::commands()) {
            if (c.name != "help"_L1) // help is the table's own, in cli.cpp
                QTest::newRow(c.name.data()) << QString(c.name);
        }
    }

    void oneFilePerSubcommand()
    {
        QFETCH(QString, name);
        const QString file = RaizeTest::sourceDir() + u"/app/cli/"_s + QString(name).remove(u'-') + u"command.cpp"_s;
        QFile f(file);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(file + u" does not exist"_s));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY2(QRegularExpression(u"\\nint \\w+Command\\(Context &ctx\\)\\n\\{"_s).match(text).hasMatch(), qPrintable(file));
        QVERIFY2(QRegularExpression(u"\\nconst CommandHelp &\\w+Help\\(\\)\\n\\{"_s).match(text).hasMatch(), qPrintable(file));
        // And the build compiles it into core_cli.
        QFile cmake(RaizeTest::sourceDir() + u"/app/cli/cli.cmake"_s);
        QVERIFY(cmake.open(QIODevice::ReadOnly));
        QVERIFY2(cmake.readAll().contains(QByteArray(QString(name).remove(u'-').toUtf8() + "command.cpp")), qPrintable(name));
    }
};

QTEST_GUILESS_MAIN(TestCliLayout)
#include "tst_cli_layout.moc"
