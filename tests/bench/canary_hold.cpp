// The two-axis canary's reaction time (issue #20): from the bad canary's burn
// onset (the rolling release starts at 5 % and the canary fails 20 % of the
// web requests it serves) to the stage being held (the first "hold" verdict,
// which pages), for the policy's minRequests and the console's poll interval.
// In-process (the simulated Vercel over loopback HTTP, the platform simulator
// on a manual clock), so the figures are the decision's own latency in
// simulated seconds; a Prometheus scrape (5 s) and the rule's query add to it
// on a real deployment. Prints figures, never fails on time (docs/benchmarks.md).

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "release/canaryrun.h"
#include "services/prometheus/prometheusclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "memoryflagservice.h"
#include "simcanaryservices.h"
#include "vercel/vercelfake.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

struct Figure
{
    double simSeconds = -1; // onset → hold (simulated)
    qint64 wallMs = 0;
    double burn = 0;
};

Figure measure(const json &scenario, double minRequests, int pollSeconds)
{
    Sandbox::FaultInjector faults(1);
    Sandbox::RequestLog log;
    Sandbox::HttpServer server(u"vercel"_s, &faults, &log), platform(u"platform"_s, &faults, &log);
    Sandbox::VercelFake vercel(&server, u"bench-token"_s);
    vercel.load(scenario["vercel"]);
    if (!server.listen(0))
        return {};
    ManualClock clock(QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC));
    Sandbox::PlatformSim sim(&platform, &vercel, scenario["platform"]);
    sim.start(clock.nowMs() / 1000.0, false);
    ServiceMonitor monitor;
    Net::HttpClient http(&monitor);
    http.setToken(Service::Vercel, u"bench-token"_s);
    Services::RollingReleaseClient rr(http, QUrl(server.baseUrl()), u"prj_raize_web"_s);
    Services::PrometheusClient prom(http, QUrl(u"http://127.0.0.1:9"_s));
    RaizeTest::MemoryFlagService flags;
    Release::ClientCanaryServices client(rr, flags, prom, {});
    RaizeTest::SimCanaryServices services(rr, client, clock);
    services.history.append(RaizeTest::snapshotOf(sim, clock.nowMs()));

    Release::DeploymentAxisPolicy policy;
    policy.enabled = true;
    policy.autoAdvance = true;
    policy.minRequests = minRequests;
    const QList<Release::CanaryStage> plan = {{5, {}, 30}, {25, {}, 45}, {50, {}, 45}, {100, {}, 0}};
    Release::CanaryRun run(services, {policy, plan, {}, &clock});
    run.setArmed(true);
    const auto settle = [&] {
        QEventLoop loop;
        while (run.busy())
            loop.processEvents(QEventLoop::WaitForMoreEvents, 50);
    };
    QElapsedTimer wall;
    wall.start();
    run.start(u"dpl_canary"_s);
    settle();
    Figure f;
    for (int s = 1; s <= 3600; ++s) {
        clock.advanceMs(1000);
        services.history.append(RaizeTest::snapshotOf(sim, clock.nowMs()));
        if (s % pollSeconds != 0)
            continue;
        vercel.resetBudget(); // simulated minutes in wall-clock milliseconds: each poll gets the window it would have had
        run.poll();
        settle();
        if (run.verdict().kind == Release::StageVerdict::Kind::Hold) {
            f.simSeconds = s;
            f.burn = run.verdict().canaryBurn;
            break;
        }
    }
    f.wallMs = wall.elapsed();
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QFile file(QStringLiteral(RAIZE_SOURCE_DIR "/tests/fakes/scenarios/canary-deployment-bad.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read the scenario\n");
        return 2;
    }
    const json scenario = Json::parse(file.readAll());
    std::printf("bench_canary_hold: bad canary at 5 %% (20 %% of its web requests fail), onset → stage held\n");
    std::printf("%-12s %-10s %-22s %-12s %-10s\n", "minRequests", "poll (s)", "onset → hold (sim s)", "canary burn", "wall (ms)");
    for (const double minRequests : {100.0, 500.0}) {
        for (const int poll : {5, 15, 30}) {
            const Figure f = measure(scenario, minRequests, poll);
            std::printf("%-12.0f %-10d %-22.0f %-12.1f %-10lld\n", minRequests, poll, f.simSeconds, f.burn, qint64(f.wallMs));
        }
    }
    return 0;
}
