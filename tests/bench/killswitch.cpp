// Kill-switch fan-out (issue #9): 30 side-effect flags turned off against the
// real Unleash behind the sandbox's proxy, with 100 ms of latency injected
// on every flag-service call, compared with one such call. Goal: the 30 finish
// within 1.5× the single call (they go out in parallel). Also prints the
// whole kill switch as the CLI runs it (fan-out + read-back that clients are
// served the flags off). Prints its figures; never fails on time.
//
// The kill-switch parent (issue #16 item 3): every flag (the 30, and the
// scenario's publishing/engagement/browser-lane switches the platform
// simulator obeys) depends on one parent; from the typed confirmation (the
// executor's start) it prints the parent-off answer against one call (goal
// <= 1.1x), when the client API (/api/client/features with the client
// token) shows every child off, and the platform simulator's own timestamp
// of its last side effect after the parent-off (goal <= 1 s), p50 and p95,
// next to the simulator's SDK refresh interval (250 ms here unless RAIZE_BENCH_SDK_REFRESH_MS says otherwise, through
// the simulator's POST /sdk; the sandbox starts it at 1 s). The executor
// writes its audit records as the CLI's does, and the bench prints where the
// parent-off time goes: the flag service's answer to the one call, and the
// executor's own work around it (journal, audit, event loop).
//
//   build/ci/bench/bench_killswitch [runs=5] [parent]   ("parent": the kill-switch parent section only)

#include "net/httpclient.h"
#include "records/auditlog.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackreport.h"
#include "services/flags/unleashclient.h"

#include <QDateTime>
#include <QTimer>

#include "sandboxfixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
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

// The nearest-rank percentile (p95 of 5 runs is the largest).
double percentile(QList<double> v, double p)
{
    std::sort(v.begin(), v.end());
    if (v.isEmpty())
        return 0;
    const int rank = std::max(1, int(std::ceil(p / 100.0 * v.size())));
    return v[std::min<int>(rank, int(v.size())) - 1];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const bool parentOnly = argc > 2 && qstrcmp(argv[2], "parent") == 0;
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
    for (int r = 0; r < (parentOnly ? 0 : runs); ++r) {
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
    for (int r = 0; r < (parentOnly ? 0 : runs); ++r) {
        allOn();
        bare << fanOut();
    }
    // ---- the kill-switch parent (issue #16 item 3), without injected latency ----
    const QString parent = u"side-effects.kill"_s;
    const auto admin_ = [&](const QByteArray &method, const QString &path, const json &body = nullptr) {
        return RaizeTest::httpCall(method, QUrl(unleash + path), admin, body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump()));
    };
    admin_("POST", u"/api/admin/projects/default/features"_s, {{"name", parent.toStdString()}, {"type", "kill-switch"}});
    admin_("POST", u"/api/admin/projects/default/features/%1/environments/production/strategies"_s.arg(parent),
           {{"name", "flexibleRollout"}, {"parameters", {{"rollout", "100"}, {"stickiness", "default"}, {"groupId", "kill"}}}});
    QStringList children = keys;
    children << u"publishing.enabled"_s << u"engagement.enabled"_s << u"browser-lane.enabled"_s; // what the simulator obeys
    for (const QString &c : std::as_const(children))
        admin_("POST", u"/api/admin/projects/default/features/%1/dependencies"_s.arg(c), {{"feature", parent.toStdString()}, {"enabled", true}});
    const QByteArray clientToken = sandbox.token(u"unleashClient"_s).toUtf8();
    // What SDKs are served: the parent off makes every child off for them (dependencies are evaluated first).
    const auto clientSet = [&]() -> std::optional<Services::FlagSet> {
        const auto a = RaizeTest::httpCall("GET", QUrl(unleash + u"/api/client/features"_s), clientToken);
        const auto set = Services::UnleashClient::parseClientFeatures(a.body);
        if (!set)
            return std::nullopt;
        return set.value();
    };
    Services::FlagContext sdk;
    sdk.clientId = u"client-bloom"_s;
    sdk.platformAccountId = u"acct-bloom-ig"_s;
    sdk.lane = u"api"_s;
    sdk.cohort = u"lowrisk"_s;
    const auto allChildrenOff = [&](const Services::FlagSet &set) {
        return std::all_of(children.cbegin(), children.cend(), [&](const QString &c) {
            return Services::UnleashClient::evaluate(c, set, sdk).verdict == Services::FlagEvaluation::Verdict::Off;
        });
    };
    const auto childrenWired = [&](const Services::FlagSet &set) {
        return std::all_of(children.cbegin(), children.cend(), [&](const QString &c) {
            const Services::FlagState *f = set.find(c);
            return f && std::any_of(f->dependencies.cbegin(), f->dependencies.cend(), [&](const auto &d) { return d.feature == parent; });
        });
    };
    const auto waitMs = [](int ms) {
        QEventLoop l;
        QTimer::singleShot(ms, &l, &QEventLoop::quit);
        l.exec();
    };
    // The client API's cache shows the dependencies only after its refresh (shared/notes): wait for them.
    for (int i = 0; i < 100; ++i) {
        const auto set = clientSet();
        if (set && childrenWired(*set))
            break;
        waitMs(100);
    }
    // The simulator's SDK poll (printed next to the figures; real SDKs poll every 15 s by default):
    // RAIZE_BENCH_SDK_REFRESH_MS, 250 ms unless set. Unleash's client API itself changes at most once a
    // second (its updateMaxRevisionId job), so the last side effect is that plus up to one SDK poll.
    const int SdkRefreshMs = qEnvironmentVariableIsSet("RAIZE_BENCH_SDK_REFRESH_MS")
        ? std::max(50, qEnvironmentVariableIntValue("RAIZE_BENCH_SDK_REFRESH_MS"))
        : 250;
    if (const auto a = RaizeTest::httpCall("POST", QUrl(sandbox.url(u"platform"_s) + u"/sdk"_s), {},
                                           QByteArray::fromStdString(json{{"refreshMs", SdkRefreshMs}}.dump()));
        a.status != 200)
        std::fprintf(stderr, "simulator SDK refresh: HTTP %d %s (the figures below use its own interval)\n", a.status, a.body.constData());
    // What one synced journal record costs on this disk (the executor wrote three before the parent-off answer until ADR 0025).
    QList<double> fsyncCost;
    {
        QTemporaryDir dir;
        Result<Rollback::RunJournal> created = Rollback::RunJournal::create(dir.path(), {{"kind", "bench"}});
        std::optional<Rollback::RunJournal> j;
        if (created)
            j = std::move(created).value();
        for (int i = 0; i < 20 && j; ++i) {
            QElapsedTimer t;
            t.start();
            j->append({{"event", "probe"}, {"i", i}});
            fsyncCost << double(t.nsecsElapsed()) / 1e6;
        }
    }
    const QUrl sideEffectsUrl(sandbox.url(u"platform"_s) + u"/side-effects"_s);
    const auto simulator = [&] { return json::parse(RaizeTest::httpCall("GET", sideEffectsUrl).body.toStdString(), nullptr, false); };
    QList<double> parentOff, parentRatio, clientApiOff, lastSideEffect, parentCall, overhead, singleCall;
    int sdkRefreshMs = 0;
    const auto plainCall = [&](const QString &key) {
        QEventLoop loop;
        QElapsedTimer t;
        t.start();
        flags.setEnabled(key, {}, false, [&](const Status &st) {
            if (!st)
                std::fprintf(stderr, "plain call: %s\n", qPrintable(st.error().toString()));
            loop.quit();
        });
        loop.exec();
        return double(t.nsecsElapsed()) / 1e6;
    };
    QList<double> plainParent;
    for (int r = 0; r < runs; ++r) {
        // The same write as the executor's first, sent plainly: the parent's off (Unleash does more for a parent of 33).
        admin_("POST", u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(parent));
        const double parentPlain = plainCall(parent);
        admin_("POST", u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(parent));
        allOn();
        for (const QString &c : {u"publishing.enabled"_s, u"engagement.enabled"_s, u"browser-lane.enabled"_s})
            admin_("POST", u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(c));
        // The simulator publishing again: its last side effect is newer than two of its polls from now.
        const double onAt = QDateTime::currentMSecsSinceEpoch() / 1000.0;
        for (int i = 0; i < 100; ++i) {
            const json st = simulator();
            sdkRefreshMs = st.value("sdkRefreshMs", 0);
            if (st.value("lastSideEffectAt", 0.0) > onAt + 2.0 * sdkRefreshMs / 1000.0 + 0.5)
                break;
            waitMs(100);
        }
        // One call, for the ratio.
        double one = 0;
        {
            admin_("POST", u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(keys[0]));
            QEventLoop loop;
            QElapsedTimer t;
            t.start();
            flags.setEnabled(keys[0], {}, false, [&](const Status &) { loop.quit(); });
            loop.exec();
            one = double(t.nsecsElapsed()) / 1e6;
            admin_("POST", u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(keys[0]));
        }
        // From the typed confirmation: the executor's start. The parent first, alone; then the 33 for the record.
        Rollback::Plan plan;
        plan.immediate = true;
        const auto offStep = [&](const QString &k, int group) {
            Rollback::Step s;
            s.kind = Rollback::Step::Kind::DisableFlag;
            s.title = k;
            s.target = k;
            Services::ServeChange off;
            off.flag = k;
            off.environment = u"production"_s;
            s.intent = off;
            s.group = group;
            return s;
        };
        plan.steps << offStep(parent, 1);
        for (const QString &k : std::as_const(children))
            plan.steps << offStep(k, 2);
        plan.digest = plan.computeDigest();
        QTemporaryDir dir;
        Result<Rollback::RunJournal> journal = Rollback::RunJournal::create(dir.path(), {{"kind", "kill-switch"}});
        Records::AuditLog audit(dir.filePath(u"audit.jsonl"_s)); // as the CLI's profile log: every step audited
        Rollback::Clients clients;
        clients.flags = &flags;
        clients.audit = &audit;
        clients.actor = u"bench"_s;
        Rollback::Executor ex(std::move(journal).value(), plan, clients, Rollback::ExecOptions());
        QElapsedTimer t;
        double parentAnswered = -1, parentWall = 0, clientOff = -1;
        QObject::connect(&ex, &Rollback::Executor::stepChanged, &ex, [&](int step) {
            if (step == 0 && ex.status(0) == Rollback::Executor::StepStatus::Done && parentAnswered < 0) {
                parentAnswered = double(t.nsecsElapsed()) / 1e6;
                parentWall = QDateTime::currentMSecsSinceEpoch() / 1000.0;
            }
        });
        QEventLoop loop;
        QObject::connect(&ex, &Rollback::Executor::finished, &loop, &QEventLoop::quit);
        QObject::connect(&ex, &Rollback::Executor::stepFailed, &loop, [&](int, const Error &e) {
            std::fprintf(stderr, "parent kill switch: %s\n", qPrintable(e.toString()));
            loop.quit();
        });
        t.start();
        ex.start();
        loop.exec();
        // The client API, polled from the start until every child is off for an SDK.
        for (int i = 0; i < 500 && clientOff < 0; ++i) {
            const auto set = clientSet();
            if (set && allChildrenOff(*set))
                clientOff = double(t.nsecsElapsed()) / 1e6;
            else
                waitMs(10);
        }
        // The simulator's own last side effect, once it has certainly polled again (two refreshes).
        waitMs(2 * sdkRefreshMs + 500);
        const double last = simulator().value("lastSideEffectAt", 0.0);
        parentOff << parentAnswered;
        parentRatio << (parentPlain > 0 ? parentAnswered / parentPlain : 0);
        plainParent << parentPlain;
        singleCall << one;
        // The parent's call as the executor timed it (send → answer), and everything else before the answer was shown.
        const double call = ex.journal().last(0).value("elapsedMs", -1.0);
        parentCall << call;
        overhead << (call >= 0 ? parentAnswered - call : -1);
        std::printf("  run %d: parent off plainly %.1f ms, through the executor %.1f ms (its call %.0f ms), another flag's off %.1f ms, "
                    "client API off %.0f ms, last side effect %+.0f ms\n",
                    r + 1, parentPlain, parentAnswered, call, one, clientOff, (last - parentWall) * 1000.0);
        clientApiOff << clientOff;
        lastSideEffect << (last - parentWall) * 1000.0;
    }
    std::printf("kill-switch parent %s (33 children: the 30, and the 3 switches the platform simulator obeys), no injected latency, %d runs\n",
                qPrintable(parent), runs);
    std::printf("  from the typed confirmation to the parent-off answer: p50 %7.1f ms  p95 %7.1f ms; the same off as one plain call: p50 %7.1f ms  p95 %7.1f ms\n"
                "  ratio per run (executor / plain call of the same write): p50 %.2fx  p95 %.2fx  (goal <= 1.1x); of the p50s: %.2fx; of the p95s: %.2fx\n",
                percentile(parentOff, 50), percentile(parentOff, 95), percentile(plainParent, 50), percentile(plainParent, 95),
                percentile(parentRatio, 50), percentile(parentRatio, 95), percentile(parentOff, 50) / std::max(0.001, percentile(plainParent, 50)),
                percentile(parentOff, 95) / std::max(0.001, percentile(plainParent, 95)));
    std::printf("  where it goes: another flag's off as one plain call p50 %7.1f ms; the parent's call inside the executor p50 %7.1f ms (ms resolution); "
                "the executor's own work before the answer p50 %5.1f ms  p95 %5.1f ms (a synced journal record costs p50 %.1f ms on this disk)\n",
                percentile(singleCall, 50), percentile(parentCall, 50), percentile(overhead, 50), percentile(overhead, 95), percentile(fsyncCost, 50));
    std::printf("  client API (/api/client/features, client token) shows every child off: p50 %7.1f ms  p95 %7.1f ms\n",
                percentile(clientApiOff, 50), percentile(clientApiOff, 95));
    std::printf("  the simulator's last side effect after the parent-off answer: p50 %7.1f ms  p95 %7.1f ms   (goal <= 1000 ms; "
                "its SDK refreshes every %d ms; real SDKs poll every 15 s by default)\n",
                percentile(lastSideEffect, 50), percentile(lastSideEffect, 95), sdkRefreshMs);

    if (parentOnly)
        return 0;
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
