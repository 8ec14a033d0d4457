// raize-console: thin entry point. Subcommands run headless on the core;
// everything else opens the console window (or renders it to a PNG).

#include "cli/cli.h"
#include "core/logging.h"
#include "core/settings.h"
#include "core/version.h"

#include "consoleapp.h"

#include <QApplication>
#include <QCommandLineParser>

using namespace Qt::StringLiterals;

namespace {

struct Options
{
    QCommandLineOption profile{u"profile"_s, u"Settings profile to use (default: default)."_s, u"name"_s, u"default"_s};
    QCommandLineOption screenshot{u"screenshot"_s, u"Render the console offscreen to a PNG file and exit."_s, u"file"_s};
    QCommandLineOption view{u"view"_s, u"View to show first: "_s + Raize::Ui::ConsoleApp::viewNames().join(u", "_s) + u'.', u"name"_s};
    QCommandLineOption size{u"size"_s, u"Window size for --screenshot (default 1280x800)."_s, u"WxH"_s, u"1280x800"_s};
    QCommandLineOption exitAfterShow{u"exit-after-show"_s, u"Print a line when the main window is shown, then exit (start-up benchmark)."_s};
    QCommandLineOption exitAfterFirstData{u"exit-after-first-data"_s,
                                          u"Print a line when every view has its first live data, then exit after MS (benchmark)."_s,
                                          u"ms"_s, u"0"_s};
};

void setUpParser(QCommandLineParser &parser, const Options &o)
{
    parser.setApplicationDescription(
        u"Operator console to ship and roll back the Raize platform on Vercel safely.\n\n"_s + Raize::Cli::usageSummary()
        + u"\nTokens are read from the keychain, never from the command line."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({o.profile, o.screenshot, o.view, o.size, o.exitAfterShow, o.exitAfterFirstData});
}

void setIdentity()
{
    QCoreApplication::setApplicationName(u"raize-console"_s);
    QCoreApplication::setApplicationVersion(Raize::versionString());
}

bool wantsOnlyText(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "-h" || a == "--help" || a == "-?" || a == "-v" || a == "--version" || a == "--help-all")
            return true;
    }
    return false;
}

bool wantsScreenshot(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (QByteArray(argv[i]).startsWith("--screenshot"))
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && Raize::Cli::isSubcommand(QString::fromLocal8Bit(argv[1]))) {
        QCoreApplication app(argc, argv);
        setIdentity();
        Raize::Logging::install();
        return Raize::Cli::run(app.arguments());
    }

    Options o;
    if (wantsOnlyText(argc, argv)) {
        // --help and --version work without a display.
        QCoreApplication app(argc, argv);
        setIdentity();
        QCommandLineParser parser;
        setUpParser(parser, o);
        parser.process(app);
        return 0;
    }
    if (wantsScreenshot(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // a screenshot needs no display

    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(u"Raize Release Console"_s);
    QApplication::setDesktopFileName(u"raize-console"_s);
    QCommandLineParser parser;
    setUpParser(parser, o);
    parser.process(app);

    const QString profile = parser.value(o.profile);
    if (!Raize::Settings::isValidProfileName(profile)) {
        qCritical("invalid profile name \"%s\": use lower-case letters, digits, - and _", qUtf8Printable(profile));
        return 2;
    }
    const QString view = parser.value(o.view);
    if (!view.isEmpty() && !Raize::Ui::ConsoleApp::viewNames().contains(view)) {
        qCritical("unknown view \"%s\"; views: %s", qUtf8Printable(view),
                  qUtf8Printable(Raize::Ui::ConsoleApp::viewNames().join(u", "_s)));
        return 2;
    }
    Raize::Logging::install(Raize::Settings::stateDirectory() + u'/' + profile + u".log"_s);

    Raize::Ui::ConsoleApp console(profile);
    if (parser.isSet(o.screenshot)) {
        const QStringList wh = parser.value(o.size).split(u'x');
        const QSize size(wh.value(0).toInt(), wh.value(1).toInt());
        return console.screenshot(parser.value(o.screenshot), view, size.isValid() ? size : QSize(1280, 800));
    }
    console.show(view, parser.isSet(o.exitAfterShow));
    if (parser.isSet(o.exitAfterFirstData))
        console.exitAfterFirstData(parser.value(o.exitAfterFirstData).toInt());
    return app.exec();
}
