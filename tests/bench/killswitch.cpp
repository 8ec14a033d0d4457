// Kill-switch fan-out (issue #9): 30 side-effect flags turned off against the
// real Unleash behind the sandbox's proxy, with 100 ms of latency injected
// on every flag-service call, compared with one such call. Goal: the 30 finish
// within 1.5× the single call (they go out in parallel). Also prints the
// whole kill switch as the CLI runs it (fan-out + read-back that clients are
// served the flags off). Prints its figures; never fails on time.
//
//   build/ci/bench/bench_killswitch [runs=5]

#include "net/httpclient.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackreport.h"
#include "services/flags/unleashclient.h"

#include "sandboxfixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    constexpr int Flags = 30;
    constexpr int LatencyMs = 100;

    RaizeTest::SandboxFixture sandbox;
    if (const QString err = sandbox.start(u"good-release"_s); !err.isEmpty()) {
        std::fprintf(stderr, "sandbox: %s\n", qPrintable(err));
        return 1;
    }
    const QString unleash = sandbox.url(u"unleash"_s);
    const QByteArray admin = sandbox.token(u"unleashAdmin"_s).toUtf8();
    QStringList keys;
    for (int i = 0; i < Flags; ++i) {
        const QString key = u"publishing.bench-%1"_s.arg(i, 2, 10, QLatin1Char('0'));
        keys << key;
        RaizeTest::httpCall("POST", QUrl(unleash + u"/api/admin/projects/default/features"_s), admin,
                            QByteArray::fromStdString(json{{"name", key.toStdString()}, {"type", "kill-switch"}}.dump()));
        RaizeTest::httpCall("POST", QUrl(unleash + u"/api/admin/projects/default/features/%1/environments/production/strategies"_s.arg(key)), admin,
                            R"({"name":"flexibleRollout","parameters":{"rollout":"100","stickiness":"default","groupId":"bench"}})");
    }
    const auto allOn = [&] {
        for (const QString &k : keys)
            RaizeTest::httpCall("POST", QUrl(unleash + u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(k)), admin);
    };
    // 100 ms on every call to the flag service, as a far-away region would add.
    RaizeTest::httpCall("POST", QUrl(sandbox.url(u"control"_s) + u"/__sandbox/faults"_s), {},
                        QByteArray::fromStdString(json{{"service", "flags"}, {"mode", "latency"}, {"latencyMs", LatencyMs}}.dump()));

    Net::HttpClient http;
    http.setParallelConnections(48);
    http.setToken(Service::Flags, sandbox.token(u"unleashAdmin"_s));
    Services::UnleashClient flags(http, QUrl(sandbox.url(u"flags"_s) + u'/'), u"default"_s, u"production"_s);
    Net::HttpClient clientHttp;
    clientHttp.setToken(Service::FlagsClient, sandbox.token(u"unleashClient"_s));
    flags.setClientApi(&clientHttp);

    QList<double> single, fanout, whole, spread, bare, bulk;
    const auto clearLog = [&] { RaizeTest::httpCall("DELETE", QUrl(sandbox.url(u"control"_s) + u"/__sandbox/requests"_s)); };
    // How far apart the 30 requests reached the flag service (the client's fan-out).
    const auto arrivalSpread = [&] {
        const auto a = RaizeTest::httpCall("GET", QUrl(sandbox.url(u"control"_s) + u"/__sandbox/requests?service=flags"_s));
        qint64 lo = std::numeric_limits<qint64>::max(), hi = 0;
        for (const json &r : json::parse(a.body.toStdString(), nullptr, false)) {
            if (r.value("method", "") == "POST") {
                lo = std::min<qint64>(lo, r.value("monotonicMs", qint64(0)));
                hi = std::max<qint64>(hi, r.value("monotonicMs", qint64(0)));
            }
        }
        return hi >= lo ? double(hi - lo) : 0.0;
    };
    const auto fanOut = [&] {
        QEventLoop loop;
        int left = Flags;
        QElapsedTimer t;
        t.start();
        for (const QString &k : keys) {
            flags.setEnabled(k, {}, false, [&](const Status &s) {
                if (!s)
                    std::fprintf(stderr, "fan-out: %s\n", qPrintable(s.error().toString()));
                if (--left == 0)
                    loop.quit();
            });
        }
        loop.exec();
        return double(t.nsecsElapsed()) / 1e6;
    };
    for (int r = 0; r < runs; ++r) {
        allOn();
        // One call.
        {
            QEventLoop loop;
            QElapsedTimer t;
            t.start();
            flags.setEnabled(keys[0], {}, false, [&](const Status &s) {
                if (!s)
                    std::fprintf(stderr, "single: %s\n", qPrintable(s.error().toString()));
                loop.quit();
            });
            loop.exec();
            single << double(t.nsecsElapsed()) / 1e6;
        }
        allOn();
        // Thirty at once, as the plan's first group sends them.
        clearLog();
        fanout << fanOut();
        spread << arrivalSpread();
        allOn();
        // For comparison: Unleash's own bulk endpoint (5.1+), one call for all 30 (the server still toggles them one by one).
        {
            json names = json::array();
            for (const QString &k : keys)
                names.push_back(k.toStdString());
            QElapsedTimer t;
            t.start();
            const auto a = RaizeTest::httpCall("POST", QUrl(sandbox.url(u"flags"_s) + u"/api/admin/projects/default/bulk_features/environments/production/off"_s),
                                               admin, QByteArray::fromStdString(json{{"features", names}}.dump()));
            bulk << double(t.nsecsElapsed()) / 1e6;
            if (a.status != 200)
                std::fprintf(stderr, "bulk toggle: HTTP %d %s\n", a.status, a.body.constData());
        }
        allOn();
        // The whole kill switch: fan-out, then the read-back (admin API and client API).
        {
            Rollback::Plan plan;
            plan.immediate = true;
            for (const QString &k : keys) {
                Rollback::Step s;
                s.kind = Rollback::Step::Kind::DisableFlag;
                s.title = k;
                s.target = k;
                Services::ServeChange off;
                off.flag = k;
                off.environment = u"production"_s;
                s.intent = off;
                s.group = 1;
                plan.steps << s;
            }
            Rollback::Step confirm;
            confirm.kind = Rollback::Step::Kind::ConfirmFlagsOff;
            confirm.target = keys.join(u',');
            Services::ServedQuery readBack;
            readBack.flags = keys;
            readBack.environment = u"production"_s;
            confirm.intent = readBack;
            confirm.group = 2;
            plan.steps << confirm;
            plan.digest = plan.computeDigest();
            QTemporaryDir dir;
            Result<Rollback::RunJournal> journal = Rollback::RunJournal::create(dir.path(), {{"kind", "kill-switch"}});
            Rollback::Clients clients;
            clients.flags = &flags;
            Rollback::ExecOptions options;
            options.pollMs = 50;
            Rollback::Executor ex(std::move(journal).value(), plan, clients, options);
            QEventLoop loop;
            QObject::connect(&ex, &Rollback::Executor::finished, &loop, &QEventLoop::quit);
            QObject::connect(&ex, &Rollback::Executor::stepFailed, &loop, [&](int, const Error &e) {
                std::fprintf(stderr, "kill switch: %s\n", qPrintable(e.toString()));
                loop.quit();
            });
            ex.start();
            loop.exec();
            whole << double(ex.flagsOffMs());
        }
    }
    // The same fan-out without the injected latency: the flag service's own work for 30 toggles.
    RaizeTest::httpCall("DELETE", QUrl(sandbox.url(u"control"_s) + u"/__sandbox/faults"_s));
    for (int r = 0; r < runs; ++r) {
        allOn();
        bare << fanOut();
    }
    const double s = median(single), f = median(fanout), w = median(whole);
    std::printf("kill switch, %d flags, %d ms injected latency per call, real Unleash 8.2 behind the sandbox proxy, median of %d runs\n",
                Flags, LatencyMs, runs);
    std::printf("  one call:                         %8.1f ms\n", s);
    std::printf("  %d calls in parallel (fan-out):   %8.1f ms   ratio %.2fx (goal <= 1.5x)\n", Flags, f, f / s);
    std::printf("  for comparison, Unleash's bulk toggle of the 30 (one call): %8.1f ms   ratio %.2fx\n", median(bulk), median(bulk) / s);
    std::printf("  whole kill switch incl. read-back: %8.1f ms   (admin API + client API show all %d off)\n", w, Flags);
    std::printf("  the 30 requests reached the service within %.1f ms of each other (client fan-out)\n", median(spread));
    std::printf("  the same 30 without injected latency:   %8.1f ms   (the flag service's own work for 30 toggles)\n", median(bare));
    return 0;
}
