#include "trafficmodel.h"

#include <QByteArray>
#include <QDateTime>
#include <QFile>

#include <cmath>
#include <limits>
#include <functional>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;

namespace {
constexpr double Day = 86400.0;
constexpr double TwoPi = 6.283185307179586;

QByteArray num(double v)
{
    return QByteArray::number(v, 'f', 3);
}
} // namespace

const QList<TrafficModel::Cohort> &TrafficModel::cohorts()
{
    static const QList<Cohort> list = {
        {u"house"_s, {u"house"_s}, {u"acct-house-ig"_s, u"acct-house-x"_s}, 2.0, 0.3},
        {u"lowrisk"_s, {u"client-bloom"_s, u"client-fjord"_s}, {u"acct-bloom-ig"_s, u"acct-fjord-li"_s}, 5.0, 0.6},
        {u"broad"_s, {u"client-atlas"_s, u"client-koru"_s, u"client-vela"_s}, {u"acct-atlas-ig"_s, u"acct-koru-x"_s, u"acct-vela-tt"_s}, 40.0, 4.0},
    };
    return list;
}

double TrafficModel::cumulative(double rate, double t)
{
    const double x = t - double(Origin);
    return rate * (x + DailyAmplitude * Day / TwoPi * (1.0 - std::cos(TwoPi * x / Day)));
}

double TrafficModel::rateAt(double rate, double t)
{
    return rate * (1.0 + DailyAmplitude * std::sin(TwoPi * (t - double(Origin)) / Day));
}

bool TrafficModel::writeBackfill(const QString &directory, qint64 end, int days, const QList<Incident> &incidents, QString *error,
                                 const std::function<bool(const QString &day)> &skipPlain, QStringList *manifest)
{
    const qint64 start = end - qint64(days) * 86400;
    double firstIncident = std::numeric_limits<double>::infinity();
    for (const Incident &i : incidents)
        firstIncident = std::min(firstIncident, i.since);
    for (qint64 day = start - start % 86400; day <= end; day += 86400) {
        const qint64 from = qMax(start, day);
        const qint64 to = qMin(end, day + 86400 - 60);
        if (from > to)
            continue;
        const QString name = QDateTime::fromSecsSinceEpoch(day, Qt::UTC).toString(u"yyyyMMdd"_s);
        // incidentExtra counts only samples after an incident's start.
        const bool plain = from == day && to == day + 86400 - 60 && double(to) <= firstIncident;
        if (plain && skipPlain && skipPlain(name)) {
            if (manifest)
                manifest->append(u"cached "_s + name);
            continue;
        }
        const QString file = u"history-%1.om"_s.arg(name);
        if (manifest)
            manifest->append(plain ? u"plain %1 %2"_s.arg(file, name) : u"scenario "_s + file);
        QFile f(directory + u'/' + file);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            if (error)
                *error = f.fileName() + u": "_s + f.errorString();
            return false;
        }
        if (!writeBackfillRange(f, from - from % 60, to, incidents, error))
            return false;
    }
    return true;
}

double TrafficModel::baseRate(PlatformFault::Kind kind, const Cohort &cohort, const QString &lane, const QString &service)
{
    using K = PlatformFault::Kind;
    const double w = laneWeight(lane);
    const bool runner = service == u"runner"_s;
    switch (kind) {
    case K::HttpErrors:
        return service == u"web"_s ? cohort.httpRate * w : 0.0;
    case K::MissedHeartbeat:
        return runner ? HeartbeatRate : 0.0;
    case K::BrowserDrift:
        return runner && lane == u"browser"_s ? BrowserCheckRate : 0.0;
    default:
        return runner ? cohort.publishRate * w : 0.0;
    }
}

double TrafficModel::baselineBadRatio(PlatformFault::Kind kind)
{
    using K = PlatformFault::Kind;
    switch (kind) {
    case K::HttpErrors:
        return HttpErrorRatio;
    case K::PublishFailure:
        return PublishFailureRatio;
    case K::SlowVerification:
        return SlowVerificationRatio;
    case K::SlowQueue:
        return SlowQueueRatio;
    case K::MissedHeartbeat:
        return MissedHeartbeatRatio;
    case K::BrowserDrift:
        return DriftRatio;
    default:
        return 0.0;
    }
}

TrafficModel::Extra TrafficModel::incidentExtra(const QList<Incident> &incidents, PlatformFault::Kind kind, const Cohort &cohort,
                                                const QString &lane, const QString &service, double t)
{
    Extra e;
    const double rate = baseRate(kind, cohort, lane, service);
    for (const Incident &i : incidents) {
        if (i.kind != kind || i.cohort != cohort.id || i.lane != lane || i.service != service || t <= i.since)
            continue;
        e.converted += i.ratio * (cumulative(rate, t) - cumulative(rate, i.since));
        e.extra += i.extraRate * (t - i.since);
    }
    return e;
}

bool TrafficModel::writeBackfillRange(QIODevice &out, qint64 start, qint64 end, const QList<Incident> &incidents, QString *error)
{
    using K = PlatformFault::Kind;
    const qint64 step = 60;
    // One metric family at a time, each series in time order (promtool drops out-of-order samples).
    // The same counters PlatformSim::metricsText exports live, by the SLO table (docs/slo-labels.md).
    struct Series
    {
        QByteArray family, labels;
        std::function<double(double)> value;
    };
    QList<Series> series;
    for (const Cohort &c : cohorts()) {
        for (const QString &lane : lanes()) {
            const auto labels = [&](const char *service) {
                return QByteArray("cohort=\"" + c.id.toUtf8() + "\",lane=\"" + lane.toUtf8() + "\",service=\"" + service + '"');
            };
            const auto extra = [=, &incidents](K kind, const QString &service) {
                return [=, &incidents](double t) { return incidentExtra(incidents, kind, c, lane, service, t); };
            };
            for (const char *service : {"web"}) { // the services of the SLO table's http_errors
                const double http = baseRate(K::HttpErrors, c, lane, QString::fromLatin1(service));
                const auto ex = extra(K::HttpErrors, QString::fromLatin1(service));
                series.append({"raize_http_requests_total", "code=\"200\"," + labels(service), [=](double t) {
                                   const double all = cumulative(http, t);
                                   return all - HttpErrorRatio * all - ex(t).converted;
                               }});
                series.append({"raize_http_requests_total", "code=\"500\"," + labels(service), [=](double t) {
                                   const Extra e = ex(t);
                                   return HttpErrorRatio * cumulative(http, t) + e.converted + e.extra;
                               }});
            }
            const QByteArray runner = labels("runner");
            const double pub = baseRate(K::PublishFailure, c, lane, u"runner"_s);
            const auto pubEx = extra(K::PublishFailure, u"runner"_s);
            series.append({"raize_publish_attempts_total", runner, [=](double t) { return cumulative(pub, t) + pubEx(t).extra; }});
            series.append({"raize_publish_success_total", runner, [=](double t) {
                               return (1 - PublishFailureRatio) * cumulative(pub, t) - pubEx(t).converted;
                           }});
            const auto latency = [&](const QByteArray &name, const QByteArray &le, K kind, double slowRatio) {
                const auto ex = extra(kind, u"runner"_s);
                series.append({name + "_count", runner, [=](double t) { return cumulative(pub, t) + ex(t).extra; }});
                series.append({name + "_bucket", runner + ",le=\"" + le + '"', [=](double t) {
                                   return (1 - slowRatio) * (cumulative(pub, t) - ex(t).converted);
                               }});
            };
            latency("raize_verification_seconds", "60", K::SlowVerification, SlowVerificationRatio);
            latency("raize_queue_delay_seconds", "30", K::SlowQueue, SlowQueueRatio);
            const auto beatEx = extra(K::MissedHeartbeat, u"runner"_s);
            series.append({"raize_runner_heartbeat_expected_total", runner, [=](double t) { return cumulative(HeartbeatRate, t); }});
            series.append({"raize_runner_heartbeat_received_total", runner, [=](double t) {
                               return (1 - MissedHeartbeatRatio) * cumulative(HeartbeatRate, t) - beatEx(t).converted;
                           }});
            if (lane == u"browser"_s) {
                const auto driftEx = extra(K::BrowserDrift, u"runner"_s);
                series.append({"raize_browser_checks_total", runner, [=](double t) { return cumulative(BrowserCheckRate, t) + driftEx(t).extra; }});
                series.append({"raize_browser_drift_total", runner, [=](double t) {
                                   const Extra e = driftEx(t);
                                   return DriftRatio * cumulative(BrowserCheckRate, t) + e.converted + e.extra;
                               }});
            }
        }
    }
    QByteArray buf;
    buf.reserve(8 << 20);
    const auto flush = [&]() {
        if (out.write(buf) != buf.size())
            return false;
        buf.clear();
        return true;
    };
    // Every sample name is its own family of type "unknown": the TSDB keeps
    // no types, and this keeps promtool's OpenMetrics parser from insisting
    // on complete histograms in the history.
    QList<QByteArray> names;
    for (const Series &s : std::as_const(series)) {
        if (!names.contains(s.family))
            names.append(s.family);
    }
    for (const QByteArray &family : std::as_const(names)) {
        buf += "# TYPE " + family + " unknown\n";
        for (const Series &s : std::as_const(series)) {
            if (s.family != family)
                continue;
            for (qint64 t = start; t <= end; t += step) {
                // job/instance as Prometheus attaches them to the live scrape (sandbox.sh relabels instance).
                buf += s.family + '{' + s.labels + ",instance=\"platform-sim\",job=\"platform\"} " + num(s.value(double(t))) + ' '
                       + QByteArray::number(t) + '\n';
                if (buf.size() > (8 << 20) && !flush()) {
                    if (error)
                        *error = out.errorString();
                    return false;
                }
            }
        }
    }
    buf += "# EOF\n";
    if (!flush()) {
        if (error)
            *error = out.errorString();
        return false;
    }
    return true;
}

} // namespace Raize::Sandbox
