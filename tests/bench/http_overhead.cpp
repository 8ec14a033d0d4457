// The HTTP core's overhead per request over raw QNetworkAccessManager
// (issue #6), against a local loopback server, measured in the same run.
// Prints p50/p90 of both and their difference and ratio; never fails on time.
//
// The server is the sandbox's own HttpServer with one trivial route, so the
// difference is the client side: request building, auth, logging with
// redaction, the retry/timeout machinery and response bookkeeping.

#include "core/servicemonitor.h"
#include "net/httpclient.h"

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

double percentile(QList<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[qMin(v.size() - 1, qsizetype(p * double(v.size())))];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? std::atoi(argv[1]) : 2000;

    Sandbox::FaultInjector faults;
    Sandbox::RequestLog log;
    Sandbox::HttpServer server(u"vercel"_s, &faults, &log);
    server.route("GET", u"/v9/projects/prj_bench"_s, [](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) {
        return Sandbox::HttpResponse::json(200, {{"id", "prj_bench"}, {"name", "web"}});
    });
    if (!server.listen(0)) {
        std::fprintf(stderr, "cannot listen\n");
        return 1;
    }
    const QUrl url(server.baseUrl() + u"/v9/projects/prj_bench"_s);

    QNetworkAccessManager nam;
    ServiceMonitor monitor;
    Net::HttpClient http(&monitor);
    http.setToken(Service::Vercel, u"bench-token-0123456789"_s);

    const auto rawOnce = [&] {
        QNetworkRequest req(url);
        req.setRawHeader("Authorization", "Bearer bench-token-0123456789");
        QElapsedTimer t;
        t.start();
        QNetworkReply *reply = nam.get(req);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->readAll();
        reply->deleteLater();
        return double(t.nsecsElapsed()) / 1e6;
    };
    const auto coreOnce = [&] {
        Net::Request r;
        r.service = Service::Vercel;
        r.url = url;
        QElapsedTimer t;
        t.start();
        const Net::Response resp = http.sendSync(r);
        return resp.ok() ? double(t.nsecsElapsed()) / 1e6 : -1.0;
    };

    for (int i = 0; i < 100; ++i) { // warm-up: connections, caches
        rawOnce();
        coreOnce();
    }
    QList<double> raw, core;
    raw.reserve(n);
    core.reserve(n);
    for (int i = 0; i < n; ++i) { // interleaved, so drift hits both alike
        raw << rawOnce();
        const double c = coreOnce();
        if (c < 0) {
            std::fprintf(stderr, "a request through the HTTP core failed\n");
            return 1;
        }
        core << c;
    }
    const double r50 = percentile(raw, 0.5), c50 = percentile(core, 0.5);
    std::printf("HTTP core overhead over raw QNetworkAccessManager, %d GETs each, loopback\n", n);
    std::printf("  raw QNAM     p50 %.3f ms  p90 %.3f ms\n", r50, percentile(raw, 0.9));
    std::printf("  HttpClient   p50 %.3f ms  p90 %.3f ms\n", c50, percentile(core, 0.9));
    std::printf("  overhead p50 %.3f ms per request (goal < 1 ms); ratio %.2fx\n", c50 - r50, r50 > 0 ? c50 / r50 : 0.0);
    return 0;
}
