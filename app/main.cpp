// raize-console: thin entry point. Subcommands run headless on the core;
// everything else opens the console window (or renders it to a PNG).

#include "cli/cli.h"
#include "core/logging.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "core/version.h"

#include "consoleapp.h"

#include <QApplication>
#include <QCommandLineParser>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    if (argc > 1 && Raize::Cli::isSubcommand(QString::fromLocal8Bit(argv[1]))) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(u"raize-console"_s);
        QCoreApplication::setApplicationVersion(Raize::versionString());
        Raize::Logging::install();
        return Raize::Cli::run(app.arguments());
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(u"raize-console"_s);
    QApplication::setApplicationDisplayName(u"Raize Release Console"_s);
    QApplication::setApplicationVersion(Raize::versionString());
    QApplication::setDesktopFileName(u"raize-console"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Operator console to ship and roll back the Raize platform on Vercel safely.\n\n"_s + Raize::Cli::usageSummary()
        + u"\nRun `raize-console <subcommand> --help` for a subcommand's options."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profileOpt(u"profile"_s, u"Settings profile to use (default: default)."_s, u"name"_s, u"default"_s);
    const QCommandLineOption screenshotOpt(u"screenshot"_s, u"Render the console offscreen to a PNG file and exit."_s, u"file"_s);
    const QCommandLineOption viewOpt(u"view"_s, u"View to show first: "_s + Raize::Ui::ConsoleApp::viewNames().join(u", "_s) + u'.', u"name"_s);
    const QCommandLineOption sizeOpt(u"size"_s, u"Window size for --screenshot (default 1280x800)."_s, u"WxH"_s, u"1280x800"_s);
    const QCommandLineOption benchOpt(u"exit-after-show"_s, u"Print a line when the main window is shown, then exit (start-up benchmark)."_s);
    parser.addOptions({profileOpt, screenshotOpt, viewOpt, sizeOpt, benchOpt});
    parser.process(app);

    const QString profile = parser.value(profileOpt);
    if (!Raize::Settings::isValidProfileName(profile)) {
        qCritical("invalid profile name \"%s\": use lower-case letters, digits, - and _", qUtf8Printable(profile));
        return 2;
    }
    Raize::Logging::install(Raize::Settings::stateDirectory() + u'/' + profile + u".log"_s);

    Raize::Ui::ConsoleApp console(profile);
    if (parser.isSet(viewOpt) && !Raize::Ui::ConsoleApp::viewNames().contains(parser.value(viewOpt))) {
        qCritical("unknown view \"%s\"; views: %s", qUtf8Printable(parser.value(viewOpt)),
                  qUtf8Printable(Raize::Ui::ConsoleApp::viewNames().join(u", "_s)));
        return 2;
    }
    if (parser.isSet(screenshotOpt)) {
        const QStringList wh = parser.value(sizeOpt).split(u'x');
        const QSize size(wh.value(0).toInt(), wh.value(1).toInt());
        return console.screenshot(parser.value(screenshotOpt), parser.value(viewOpt), size.isValid() ? size : QSize(1280, 800));
    }
    console.show(parser.value(viewOpt), parser.isSet(benchOpt));
    return app.exec();
}
