// Start-up benchmark: the time from starting the process until the console
// reports its main window shown (`--exit-after-show`), offscreen, with every
// real view built: once on a fresh profile, once on a configured one (every
// service set, pointing at a loopback port where nothing listens, so the views
// start their clients and pollers and get refusals, not a network wait).
// Medians after one warm-up; never fails on time.
//
//   build/<preset>/bench/bench_startup [runs] [--console PATH]
//
// --console runs another build's binary (the before/after comparison in
// docs/benchmarks.md).

#include "bench/benchutil.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

QProcessEnvironment environmentFor(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"HOME"_s, home);
    env.insert(u"XDG_CONFIG_HOME"_s, home + u"/config"_s);
    env.insert(u"XDG_STATE_HOME"_s, home + u"/state"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s);
    // No keyring in the benchmark: the console must not wait on one to show its window.
    env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent"_s);
    return env;
}

bool configure(const QString &console, const QProcessEnvironment &env)
{
    const QString nobody = u"http://127.0.0.1:9"_s; // discard port: nothing listens, the connection is refused
    const QList<QStringList> settings = {
        {u"vercel/baseUrl"_s, nobody},     {u"vercel/projectId"_s, u"prj_bench"_s}, {u"vercel/teamId"_s, u"team_bench"_s},
        {u"github/apiUrl"_s, nobody},      {u"github/owner"_s, u"raize"_s},         {u"github/repo"_s, u"platform"_s},
        {u"flags/kind"_s, u"unleash"_s},   {u"flags/url"_s, nobody},                {u"flags/project"_s, u"default"_s},
        {u"flags/environment"_s, u"production"_s}, {u"prometheus/url"_s, nobody},
    };
    for (const QStringList &kv : settings) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(console, {u"settings"_s, u"set"_s, kv[0], kv[1], u"--profile"_s, u"bench"_s});
        if (!p.waitForFinished(20000) || p.exitCode() != 0) {
            std::fprintf(stderr, "settings set %s failed: %s\n", qUtf8Printable(kv[0]), p.readAllStandardError().constData());
            return false;
        }
    }
    return true;
}

// Median time to "main window shown" over `runs` (after one warm-up), or -1.
double timeToShown(const QString &console, const QProcessEnvironment &env, const QStringList &args, int runs, double *spread)
{
    QList<double> ms;
    for (int i = 0; i <= runs; ++i) {
        QProcess p;
        p.setProcessEnvironment(env);
        QElapsedTimer t;
        t.start();
        p.start(console, args + QStringList{u"--exit-after-show"_s});
        bool shown = false;
        while (p.waitForReadyRead(20000)) {
            if (p.readAllStandardOutput().contains("main window shown")) {
                shown = true;
                break;
            }
        }
        const double elapsed = double(t.nsecsElapsed()) / 1e6;
        p.waitForFinished(10000);
        if (!shown) {
            std::fprintf(stderr, "run %d: the console never reported its window: %s\n", i, p.readAllStandardError().constData());
            return -1;
        }
        if (i > 0) // the first run warms the page cache
            ms.push_back(elapsed);
    }
    std::sort(ms.begin(), ms.end());
    if (spread)
        *spread = ms.back() - ms.front();
    return RaizeBench::median(ms);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    QString console = QStringLiteral(RAIZE_CONSOLE_PATH);
    if (const qsizetype i = args.indexOf(u"--console"_s); i >= 0 && i + 1 < args.size()) {
        console = args.at(i + 1);
        args.remove(i, 2);
    }
    const int runs = args.isEmpty() ? 10 : std::max(1, args.first().toInt());

    QTemporaryDir freshHome, configuredHome;
    const QProcessEnvironment fresh = environmentFor(freshHome.path());
    const QProcessEnvironment configured = environmentFor(configuredHome.path());
    if (!configure(console, configured))
        return 2;

    double freshSpread = 0, configuredSpread = 0;
    const double freshMs = timeToShown(console, fresh, {}, runs, &freshSpread);
    const double configuredMs = timeToShown(console, configured, {u"--profile"_s, u"bench"_s}, runs, &configuredSpread);
    if (freshMs < 0 || configuredMs < 0)
        return 2;
    std::printf("startup: process start -> main window shown, median of %d runs after a warm-up (offscreen), %s\n", runs,
                qUtf8Printable(console));
    std::printf("  fresh profile:      %7.1f ms (max-min %.1f ms)\n", freshMs, freshSpread);
    std::printf("  configured profile: %7.1f ms (max-min %.1f ms), every view with its clients and pollers\n", configuredMs,
                configuredSpread);
    std::printf("  configured / fresh: %.2fx   goal < 300 ms: %s\n", configuredMs / freshMs,
                std::max(freshMs, configuredMs) < 300 ? "met" : "NOT met");
    return 0;
}
