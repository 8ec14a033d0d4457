// The sandbox and the console on it (issue #15, item 8):
//  1. sandbox start → all healthy (tools/sandbox/sandbox.sh's READY line,
//     PostgreSQL, Unleash, the fakes, Prometheus scraping), `starts` times;
//  2. console start → every view has its first live data on the sandbox
//     (`--exit-after-first-data`: header, timeline, flags, promotion review,
//     SLOs with 3 days at 1 minute and 30 days at 10 minutes);
//  3. the console's memory then (VmRSS / VmHWM read from /proc while the data
//     is loaded), with an empty audit log and with 100,000 events in it (the
//     timeline shows every one), 30 days of SLO history in both.
// Medians; never fails on time. Needs a keyring for the tokens: without a
// D-Bus session it re-runs itself inside tests/with-keyring.sh.
//
//   build/<preset>/bench/bench_sandbox [--starts N] [--runs N (0: only the starts)] [--console PATH]

#include "bench/benchutil.h"
#include "sandboxfixture.h"

#include "records/auditlog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

struct ConsoleRun
{
    double firstDataMs = -1;
    double rssMb = -1;
    double peakMb = -1;
    double anonMb = -1; // the heap: what the console holds
    double fileMb = -1; // mapped files: the binary, Qt, the audit log the audit view maps
};

int runCli(const QString &console, const QProcessEnvironment &env, const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(console, args + QStringList{u"--profile"_s, u"bench"_s});
    if (!input.isEmpty()) {
        p.write(input);
        p.closeWriteChannel();
    }
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        std::fprintf(stderr, "raize-console %s failed: %s\n", qUtf8Printable(args.join(u' ')), p.readAllStandardError().constData());
        return 2;
    }
    return 0;
}

ConsoleRun firstData(const QString &console, const QProcessEnvironment &env)
{
    ConsoleRun run;
    QProcess p;
    p.setProcessEnvironment(env);
    QElapsedTimer t;
    t.start();
    p.start(console, {u"--profile"_s, u"bench"_s, u"--exit-after-first-data"_s, u"2000"_s});
    QByteArray out;
    while (p.waitForReadyRead(60000)) {
        out += p.readAllStandardOutput();
        if (out.contains("first live data")) {
            run.firstDataMs = double(t.nsecsElapsed()) / 1e6;
            // Let the views draw what they were given, then read the memory while it is all loaded.
            QElapsedTimer settle;
            settle.start();
            while (settle.elapsed() < 1000)
                p.waitForFinished(50);
            run.rssMb = RaizeBench::rssMb(p.processId());
            run.peakMb = RaizeBench::peakRssMb(p.processId());
            run.anonMb = RaizeBench::statusMb("RssAnon:", p.processId());
            run.fileMb = RaizeBench::statusMb("RssFile:", p.processId());
            break;
        }
    }
    if (!p.waitForFinished(15000))
        p.kill();
    if (run.firstDataMs < 0)
        std::fprintf(stderr, "the console never reported its first data: %s\n", p.readAllStandardError().right(2000).constData());
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    const auto option = [&args](const QString &name, const QString &fallback) {
        const qsizetype i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size())
            return fallback;
        const QString v = args.at(i + 1);
        args.remove(i, 2);
        return v;
    };
    const QString console = option(u"--console"_s, QStringLiteral(RAIZE_CONSOLE_PATH));
    const int starts = std::max(1, option(u"--starts"_s, u"3"_s).toInt());
    const int runs = std::max(0, option(u"--runs"_s, u"5"_s).toInt()); // 0: only the sandbox starts

    if (qEnvironmentVariable("RAIZE_IN_KEYRING_SESSION") != u"1"_s) {
        // A private D-Bus session with a throwaway keyring, in a throwaway home.
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, home.path());
        QProcess p;
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::ForwardedChannels);
        p.start(QStringLiteral(RAIZE_SOURCE_DIR "/tests/with-keyring.sh"), QStringList{app.applicationFilePath()} + app.arguments().mid(1));
        p.waitForFinished(-1);
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : 2;
    }

    // 1. Sandbox start.
    QList<double> wall, healthy;
    RaizeTest::SandboxFixture sandbox;
    for (int i = 0; i < starts; ++i) {
        sandbox.stop();
        QElapsedTimer t;
        t.start();
        const QString err = sandbox.start(u"bad-l3-release"_s);
        if (!err.isEmpty()) {
            std::fprintf(stderr, "the sandbox did not start: %s\n", qUtf8Printable(err));
            return 2;
        }
        wall.append(t.elapsed() / 1000.0);
        healthy.append(sandbox.healthySeconds());
    }
    std::printf("sandbox: start -> all healthy (scenario bad-l3-release), %d starts\n", starts);
    std::printf("  median %.1f s (sandbox.sh's own clock: %.1f s); each:", RaizeBench::median(wall), RaizeBench::median(healthy));
    for (double s : wall)
        std::printf(" %.1f", s);
    std::printf(" s   goal <= 15 s: %s\n", RaizeBench::median(wall) <= 15 ? "met" : "NOT met");
    std::printf("  load average after the starts: %s (2 cores shared: the figure grows with it)\n",
                qPrintable(RaizeBench::loadAverage()));
    if (runs == 0)
        return 0;

    // 2 and 3. The console on it: a profile of its own, the tokens in the keyring.
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"XDG_CONFIG_HOME"_s, home.path() + u"/config"_s);
    env.insert(u"XDG_STATE_HOME"_s, home.path() + u"/state"_s);
    env.insert(u"XDG_DATA_HOME"_s, home.path() + u"/data"_s);
    env.insert(u"RAIZE_KEYCHAIN_SERVICE"_s, u"raize-console-bench"_s);
    const QString audit = home.filePath(u"audit.jsonl"_s);
    const QList<QStringList> settings = {
        {u"profile/sandbox"_s, u"true"_s},
        {u"vercel/baseUrl"_s, sandbox.url(u"vercel"_s)},
        {u"vercel/projectId"_s, u"prj_raize_web"_s},
        {u"vercel/teamId"_s, u"team_raize"_s},
        {u"github/apiUrl"_s, sandbox.url(u"github"_s)},
        {u"github/owner"_s, u"raize"_s},
        {u"github/repo"_s, u"platform"_s},
        {u"flags/kind"_s, u"unleash"_s},
        {u"flags/url"_s, sandbox.url(u"flags"_s)},
        {u"flags/project"_s, u"default"_s},
        {u"flags/environment"_s, u"production"_s},
        {u"prometheus/url"_s, sandbox.url(u"prometheus"_s)},
        {u"audit/logPath"_s, audit},
    };
    for (const QStringList &kv : settings) {
        if (runCli(console, env, {u"settings"_s, u"set"_s, kv[0], kv[1]}) != 0)
            return 2;
    }
    for (const auto &[service, token] : {std::pair{u"vercel"_s, u"vercel"_s}, {u"github"_s, u"github"_s},
                                         {u"flags"_s, u"unleashAdmin"_s}, {u"flags-client"_s, u"unleashClient"_s}}) {
        if (runCli(console, env, {u"token"_s, u"set"_s, service, u"--stdin"_s}, sandbox.token(token).toUtf8()) != 0)
            return 2;
    }

    const auto measure = [&](const char *label) -> bool {
        QList<double> ms, rss, peak, anon, file;
        for (int i = 0; i <= runs; ++i) {
            const ConsoleRun r = firstData(console, env);
            if (r.firstDataMs < 0)
                return false;
            if (i == 0)
                continue; // warm-up: page cache, Prometheus's own caches
            ms.append(r.firstDataMs);
            rss.append(r.rssMb);
            peak.append(r.peakMb);
            anon.append(r.anonMb);
            file.append(r.fileMb);
        }
        std::printf("  %-32s first live data %7.0f ms   RSS %6.1f MB (heap %.1f, files %.1f)   peak %6.1f MB\n", label,
                    RaizeBench::median(ms), RaizeBench::median(rss), RaizeBench::median(anon), RaizeBench::median(file),
                    RaizeBench::median(peak));
        return true;
    };
    std::printf("console: process start -> every view has its first live data, median of %d runs after a warm-up, %s\n", runs,
                qUtf8Printable(console));
    QFile::remove(audit);
    if (!measure("empty audit log, 30 d of SLOs:"))
        return 2;
    if (RaizeBench::buildAuditLog(audit, 100'000, QDateTime::currentSecsSinceEpoch() - 100'000 / 4 - 3600).isEmpty()) {
        std::fprintf(stderr, "cannot write %s\n", qUtf8Printable(audit));
        return 2;
    }
    if (!measure("100,000 events, 30 d of SLOs:"))
        return 2;
    std::printf("  (goal: RSS < 150 MB with 100,000 timeline events and 30 days of SLO data)\n");
    sandbox.stop();
    return 0;
}
