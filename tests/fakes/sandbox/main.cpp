// raize-sandbox-service: the release sandbox's simulated production —
// Vercel, GitHub and the platform's traffic — on 127.0.0.1, plus a loopback
// control surface for tests (docs/HACKING.md, "The release sandbox").

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "platform/platformfault.h"
#include "platform/platformsim.h"
#include "platform/trafficmodel.h"
#include "platform/unleashseeder.h"
#include "http/reverseproxy.h"

#include <memory>
#include "github/githubfake.h"
#include "launchdarkly/launchdarklyfake.h"
#include "vercel/vercelfake.h"

#include "core/jsonutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Raize::Sandbox;
using json = nlohmann::json;

namespace {

int g_signalFd[2];

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

void out(const json &j)
{
    const std::string s = j.dump() + "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(u"The release sandbox's simulated production service."_s);
    p.addHelpOption();
    const QCommandLineOption scenarioOpt(u"scenario"_s, u"Scenario JSON file."_s, u"file"_s);
    const QCommandLineOption vercelPort(u"vercel-port"_s, u"Port for Vercel (0: free)."_s, u"port"_s, u"0"_s);
    const QCommandLineOption githubPort(u"github-port"_s, u"Port for GitHub (0: free)."_s, u"port"_s, u"0"_s);
    const QCommandLineOption controlPort(u"control-port"_s, u"Port for the control surface (0: free)."_s, u"port"_s, u"0"_s);
    const QCommandLineOption platformPort(u"platform-port"_s, u"Port for /metrics (0: free)."_s, u"port"_s, u"0"_s);
    const QCommandLineOption flagsPort(u"flags-port"_s, u"Port for the proxy in front of Unleash (0: free)."_s, u"port"_s, u"0"_s);
    const QCommandLineOption launchDarklyPort(u"launchdarkly-port"_s, u"Port for the LaunchDarkly fake (0: free)."_s, u"port"_s, u"0"_s);
    const QCommandLineOption launchDarklyToken(u"launchdarkly-token"_s, u"Access token the LaunchDarkly fake accepts."_s, u"token"_s,
                                               u"sandbox-launchdarkly-token"_s);
    const QCommandLineOption vercelToken(u"vercel-token"_s, u"Token Vercel accepts."_s, u"token"_s, u"sandbox-vercel-token"_s);
    const QCommandLineOption githubToken(u"github-token"_s, u"Token GitHub accepts."_s, u"token"_s, u"sandbox-github-token"_s);
    const QCommandLineOption unleashUrl(u"unleash-url"_s, u"Unleash base URL."_s, u"url"_s);
    const QCommandLineOption unleashAdmin(u"unleash-admin-token"_s, u"Unleash admin token (for --seed-unleash)."_s, u"token"_s);
    const QCommandLineOption unleashClient(u"unleash-client-token"_s, u"Unleash client (backend) token."_s, u"token"_s);
    const QCommandLineOption pollMs(u"poll-ms"_s, u"Unleash client API poll interval."_s, u"ms"_s, u"1000"_s);
    const QCommandLineOption seedUnleashOpt(u"seed-unleash"_s, u"Create the scenario's context fields and flags in Unleash first."_s);
    const QCommandLineOption backfill(u"write-backfill"_s, u"Write OpenMetrics history (one file per day) into DIR and exit."_s, u"dir"_s);
    const QCommandLineOption days(u"days"_s, u"Days of history for --write-backfill."_s, u"n"_s, u"30"_s);
    const QCommandLineOption endTime(u"end-time"_s, u"Unix seconds the history ends at (default: now)."_s, u"s"_s);
    const QCommandLineOption backfillCached(u"backfill-cached"_s,
                                            u"With --write-backfill: skip a plain day (whole, before every incident) when the folder "
                                            "PREFIXyyyyMMdd exists, and print one line per day (cached/plain/scenario) on stdout."_s,
                                            u"prefix"_s);
    const QCommandLineOption seedOpt(u"seed"_s, u"Seed for fault probabilities."_s, u"n"_s, u"1"_s);
    p.addOptions({scenarioOpt, vercelPort, githubPort, controlPort, platformPort, flagsPort, launchDarklyPort, launchDarklyToken, vercelToken, githubToken, unleashUrl,
                  unleashAdmin, unleashClient, pollMs, seedUnleashOpt, backfill, days, endTime, backfillCached, seedOpt});
    p.process(app);

    json scenario = json::object();
    if (p.isSet(scenarioOpt)) {
        QFile f(p.value(scenarioOpt));
        QString err;
        if (!f.open(QIODevice::ReadOnly) || (scenario = Raize::Json::parse(f.readAll(), &err)).is_discarded() || !scenario.is_object()) {
            std::fprintf(stderr, "cannot read scenario %s: %s\n", qPrintable(p.value(scenarioOpt)),
                         qPrintable(err.isEmpty() ? f.errorString() : err));
            return 2;
        }
    }
    const json platform = scenario.value("platform", json::object());
    {
        // The scenario's platform faults are checked before anything starts: a typo is an error, not a quiet sandbox.
        QString err;
        if (!PlatformFault::listFromScenario(platform, &err)) {
            std::fprintf(stderr, "scenario %s: platform.%s\n", qPrintable(p.value(scenarioOpt)), qPrintable(err));
            return 2;
        }
    }

    if (p.isSet(backfill)) {
        const qint64 end = p.isSet(endTime) ? p.value(endTime).toLongLong() : QDateTime::currentSecsSinceEpoch();
        QString err;
        QStringList manifest;
        const QString cachedPrefix = p.value(backfillCached);
        const auto skipPlain = [&](const QString &day) { return !cachedPrefix.isEmpty() && QFileInfo(cachedPrefix + day).isDir(); };
        if (!TrafficModel::writeBackfill(p.value(backfill), end, p.value(days).toInt(),
                                         PlatformSim::incidentsInProgress(platform, double(end)), &err, skipPlain, &manifest)) {
            std::fprintf(stderr, "cannot write the backfill into %s: %s\n", qPrintable(p.value(backfill)), qPrintable(err));
            return 2;
        }
        if (p.isSet(backfillCached)) {
            for (const QString &line : std::as_const(manifest))
                std::printf("%s\n", qPrintable(line));
        }
        return 0;
    }

    if (p.isSet(seedUnleashOpt)) {
        const QString err = seedUnleash(QUrl(p.value(unleashUrl) + u'/'), p.value(unleashAdmin), scenario.value("flags", json::array()));
        if (!err.isEmpty()) {
            std::fprintf(stderr, "seeding Unleash failed: %s\n", qPrintable(err));
            return 2;
        }
    }

    FaultInjector faults(p.value(seedOpt).toUInt());
    RequestLog log;
    for (const json &rule : scenario.value("faults", json::array())) {
        QString err;
        const auto r = FaultRule::fromJson(rule, &err);
        if (!r) {
            std::fprintf(stderr, "bad fault rule in the scenario: %s\n", qPrintable(err));
            return 2;
        }
        faults.add(*r);
    }

    HttpServer vercelServer(u"vercel"_s, &faults, &log);
    HttpServer githubServer(u"github"_s, &faults, &log);
    HttpServer controlServer(u"control"_s, nullptr, &log);
    HttpServer platformServer(u"platform"_s, &faults, &log);
    // The flag service's front door for the console: a proxy to the real
    // Unleash, so faults and the request log cover flag calls too.
    HttpServer flagsServer(u"flags"_s, &faults, &log);
    flagsServer.setErrorBody([](int, const QString &code, const QString &message) {
        return json{{"id", "sandbox-fault"}, {"name", code.toStdString()}, {"message", message.toStdString()},
                    {"details", json::array({{{"message", message.toStdString()}}})}};
    });
    // The same flags in a stateful LaunchDarkly (a LaunchDarkly profile's flag
    // service; the platform simulator keeps reading Unleash).
    HttpServer launchDarklyServer(u"launchdarkly"_s, &faults, &log);
    LaunchDarklyFake launchDarkly(&launchDarklyServer, p.value(launchDarklyToken));
    launchDarkly.load(scenario.value("flags", json::array()));
    std::unique_ptr<ReverseProxy> flagsProxy;
    if (p.isSet(unleashUrl))
        flagsProxy = std::make_unique<ReverseProxy>(&flagsServer, QUrl(p.value(unleashUrl)));
    VercelFake vercel(&vercelServer, p.value(vercelToken));
    vercel.load(scenario.value("vercel", json::object()));
    GitHubFake github(&githubServer, p.value(githubToken));
    github.load(scenario.value("github", json::object()));
    PlatformSim sim(&platformServer, &vercel, platform);
    if (p.isSet(unleashUrl))
        sim.setUnleash(QUrl(p.value(unleashUrl) + u'/'), p.value(unleashClient), p.value(pollMs).toInt());

    // The control surface: loopback only, for tests and operators rehearsing.
    using M = QRegularExpressionMatch;
    controlServer.route("GET", u"/__sandbox/health"_s, [](const HttpRequest &, const M &) { return HttpResponse::json(200, {{"status", "ok"}}); });
    controlServer.route("GET", u"/__sandbox/faults"_s, [&](const HttpRequest &, const M &) {
        json arr = json::array();
        for (const FaultRule &r : faults.rules())
            arr.push_back(r.toJson());
        return HttpResponse::json(200, arr);
    });
    controlServer.route("POST", u"/__sandbox/faults"_s, [&](const HttpRequest &r, const M &) {
        QString err;
        const auto rule = FaultRule::fromJson(r.json(), &err);
        if (!rule)
            return controlServer.error(400, u"bad_fault"_s, err);
        return HttpResponse::json(201, {{"id", faults.add(*rule).toStdString()}});
    });
    controlServer.route("DELETE", u"/__sandbox/faults"_s, [&](const HttpRequest &, const M &) {
        faults.clear();
        return HttpResponse::empty(204);
    });
    controlServer.route("DELETE", u"/__sandbox/faults/([^/]+)"_s, [&](const HttpRequest &, const M &m) {
        return faults.remove(m.captured(1)) ? HttpResponse::empty(204) : controlServer.error(404, u"not_found"_s, u"no such fault"_s);
    });
    controlServer.route("GET", u"/__sandbox/requests"_s, [&](const HttpRequest &r, const M &) {
        return HttpResponse::json(200, log.toJson(r.queryValue(u"service"_s), r.queryValue(u"since"_s, u"0"_s).toLongLong()));
    });
    controlServer.route("DELETE", u"/__sandbox/requests"_s, [&](const HttpRequest &, const M &) {
        log.clear();
        return HttpResponse::empty(204);
    });
    controlServer.route("GET", u"/__sandbox/state"_s, [&](const HttpRequest &, const M &) {
        return HttpResponse::json(200, {{"vercel", vercel.state()}, {"github", github.state()}, {"platform", sim.status()},
                                        {"launchdarkly", launchDarkly.state()}});
    });
    // Effective, not just accepted (ADR 0027): Vercel moves the domains this long after it accepts a promote or
    // rollback ({"ms": N}; 0: at once), and the production domain may be protected ({"bypass": SECRET}; "": not).
    controlServer.route("POST", u"/__sandbox/vercel/alias-delay"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("ms") || !body["ms"].is_number_integer() || body["ms"].get<int>() < 0)
            return HttpResponse::json(400, {{"error", "expected {\"ms\": a whole number ≥ 0}"}});
        vercel.setAliasDelay(body["ms"].get<int>());
        return HttpResponse::json(200, {{"aliasDelayMs", body["ms"]}});
    });
    // A canary abort (issue #20): Vercel's rolling release turns ABORTED this long after the rollback it ended
    // was accepted ({"ms": N}; 0: at once; -1: never, it stays ACTIVE).
    controlServer.route("POST", u"/__sandbox/vercel/abort-delay"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("ms") || !body["ms"].is_number_integer() || body["ms"].get<int>() < -1)
            return HttpResponse::json(400, {{"error", "expected {\"ms\": a whole number ≥ -1 (-1: never ABORTED)}"}});
        vercel.setAbortDelay(body["ms"].get<int>());
        return HttpResponse::json(200, {{"abortDelayMs", body["ms"]}});
    });
    controlServer.route("POST", u"/__sandbox/platform/protection"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("bypass") || !body["bypass"].is_string())
            return HttpResponse::json(400, {{"error", "expected {\"bypass\": \"secret\"} (\"\": unprotected)"}});
        sim.setProtectionBypass(QString::fromStdString(body["bypass"].get<std::string>()));
        return HttpResponse::json(200, {{"protected", !body["bypass"].get<std::string>().empty()}});
    });
    // Time compression (issue #20): the traffic model runs N times as fast as the wall clock ({"factor": N}, 1–1000;
    // 1: real time again); the counters continue from where they are. And a deployment's effects replaced
    // ({"dpl_canary": {"httpErrors": 0}}): a bad canary made good without a second sandbox.
    controlServer.route("POST", u"/__sandbox/platform/time-scale"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("factor") || !body["factor"].is_number() || !sim.setTimeScale(body["factor"].get<double>()))
            return HttpResponse::json(400, {{"error", "expected {\"factor\": a number from 1 to 1000}"}});
        return HttpResponse::json(200, {{"timeScale", sim.timeScale()}});
    });
    controlServer.route("POST", u"/__sandbox/platform/deployment-effects"_s, [&](const HttpRequest &r, const M &) {
        if (!sim.setDeploymentEffects(r.json()))
            return HttpResponse::json(400, {{"error", "expected {\"dpl_x\": {\"httpErrors\": ratio}, ...}"}});
        return HttpResponse::json(200, {{"deploymentEffects", r.json()}});
    });
    controlServer.route("DELETE", u"/__sandbox/vercel/budget"_s, [&](const HttpRequest &, const M &) {
        vercel.resetBudget();
        return HttpResponse::empty(204);
    });
    controlServer.route("DELETE", u"/__sandbox/github/budget"_s, [&](const HttpRequest &, const M &) {
        github.resetBudget();
        return HttpResponse::empty(204);
    });
    controlServer.route("POST", u"/__sandbox/vercel/deployments"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object())
            return controlServer.error(400, u"bad_request"_s, u"expected a JSON object"_s);
        return HttpResponse::json(201, vercel.addDeployment(body));
    });
    controlServer.route("POST", u"/__sandbox/github/commits"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object())
            return controlServer.error(400, u"bad_request"_s, u"expected a JSON object"_s);
        return HttpResponse::json(201, github.addCommit(body));
    });
    controlServer.route("POST", u"/__sandbox/github/runs"_s, [&](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object())
            return controlServer.error(400, u"bad_request"_s, u"expected a JSON object"_s);
        return HttpResponse::json(201, github.addRun(body));
    });
    controlServer.route("DELETE", u"/__sandbox/github/deployments"_s, [&](const HttpRequest &r, const M &) {
        const QString environment = r.queryValue(u"environment"_s);
        if (environment.isEmpty())
            return controlServer.error(400, u"bad_request"_s, u"name the environment: ?environment=production-rollback"_s);
        return HttpResponse::json(200, {{"forgotten", github.forgetDeployments(environment)}});
    });
    controlServer.route("POST", u"/__sandbox/vercel/checks/([^/]+)/([^/]+)"_s, [&](const HttpRequest &r, const M &m) {
        const json body = r.json();
        const QString status = QString::fromStdString(body.is_object() ? body.value("status", "completed") : "completed");
        const QString conclusion = QString::fromStdString(body.is_object() ? body.value("conclusion", "succeeded") : "succeeded");
        return vercel.setCheck(m.captured(1), m.captured(2), status, conclusion)
            ? HttpResponse::json(200, {{"ok", true}})
            : controlServer.error(404, u"not_found"_s, u"no such deployment"_s);
    });

    for (auto [server, opt] : {std::pair{&vercelServer, &vercelPort}, {&githubServer, &githubPort}, {&controlServer, &controlPort},
                               {&platformServer, &platformPort}, {&flagsServer, &flagsPort}, {&launchDarklyServer, &launchDarklyPort}}) {
        if (!server->listen(quint16(p.value(*opt).toUInt()))) {
            std::fprintf(stderr, "cannot listen for %s on 127.0.0.1:%s\n", qPrintable(server->service()), qPrintable(p.value(*opt)));
            return 2;
        }
    }
    sim.start(QDateTime::currentMSecsSinceEpoch() / 1000.0);

    // SIGTERM/SIGINT end the event loop cleanly (self-pipe).
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return 2;
    auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);

    out({{"event", "listening"}, {"vercel", vercelServer.port()}, {"github", githubServer.port()},
         {"control", controlServer.port()}, {"platform", platformServer.port()}, {"flags", flagsServer.port()},
         {"launchdarkly", launchDarklyServer.port()}});
    return app.exec();
}
