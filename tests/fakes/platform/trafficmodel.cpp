#include "trafficmodel.h"

#include <QByteArray>
#include <QDateTime>
#include <QFile>

#include <cmath>

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

bool TrafficModel::writeBackfill(const QString &directory, qint64 end, int days, const QList<Incident> &incidents, QString *error)
{
    const qint64 start = end - qint64(days) * 86400;
    for (qint64 day = start - start % 86400; day <= end; day += 86400) {
        const qint64 from = qMax(start, day);
        const qint64 to = qMin(end, day + 86400 - 60);
        if (from > to)
            continue;
        QFile f(directory + u"/history-%1.om"_s.arg(QDateTime::fromSecsSinceEpoch(day, Qt::UTC).toString(u"yyyyMMdd"_s)));
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

bool TrafficModel::writeBackfillRange(QIODevice &out, qint64 start, qint64 end, const QList<Incident> &incidents, QString *error)
{
    const qint64 step = 60;
    // The extra bad events an incident added up to time t.
    const auto incidentExtra = [&](const QString &cohort, double rate, double t, bool http) {
        double extra = 0;
        for (const Incident &i : incidents) {
            const double ratio = http ? i.httpErrorRatio : i.publishFailureRatio;
            if (i.cohort == cohort && ratio > 0 && t > i.since)
                extra += ratio * (cumulative(rate, t) - cumulative(rate, i.since));
        }
        return extra;
    };
    // One metric family at a time, each series in time order (promtool drops out-of-order samples).
    struct Series
    {
        QByteArray family, labels;
        std::function<double(double)> value;
    };
    QList<Series> series;
    for (const Cohort &c : cohorts()) {
        for (const QString &lane : lanes()) {
            const double w = laneWeight(lane);
            const double http = c.httpRate * w, pub = c.publishRate * w;
            const QByteArray web = "cohort=\"" + c.id.toUtf8() + "\",lane=\"" + lane.toUtf8() + "\",service=\"web\"";
            const QByteArray runner = "cohort=\"" + c.id.toUtf8() + "\",lane=\"" + lane.toUtf8() + "\",service=\"runner\"";
            const QString cid = c.id;
            series.append({"raize_http_requests_total", "code=\"200\"," + web, [=](double t) {
                               const double all = cumulative(http, t);
                               return all - HttpErrorRatio * all - incidentExtra(cid, http, t, true);
                           }});
            series.append({"raize_http_requests_total", "code=\"500\"," + web, [=](double t) {
                               return HttpErrorRatio * cumulative(http, t) + incidentExtra(cid, http, t, true);
                           }});
            series.append({"raize_publish_attempts_total", runner, [=](double t) { return cumulative(pub, t); }});
            series.append({"raize_publish_success_total", runner, [=](double t) {
                               return (1 - PublishFailureRatio) * cumulative(pub, t) - incidentExtra(cid, pub, t, false);
                           }});
            series.append({"raize_verification_seconds_count", runner, [=](double t) { return cumulative(pub, t); }});
            series.append({"raize_verification_seconds_bucket", runner + ",le=\"60\"", [=](double t) {
                               return (1 - SlowVerificationRatio) * cumulative(pub, t);
                           }});
            series.append({"raize_queue_delay_seconds_count", runner, [=](double t) { return cumulative(pub, t); }});
            series.append({"raize_queue_delay_seconds_bucket", runner + ",le=\"30\"", [=](double t) {
                               return (1 - SlowQueueRatio) * cumulative(pub, t);
                           }});
            series.append({"raize_runner_heartbeat_expected_total", runner, [=](double t) { return cumulative(1.0, t) - cumulative(1.0, double(Origin)); }});
            series.append({"raize_runner_heartbeat_received_total", runner, [=](double t) {
                               return (1 - MissedHeartbeatRatio) * (cumulative(1.0, t) - cumulative(1.0, double(Origin)));
                           }});
            if (lane == u"browser"_s) {
                series.append({"raize_browser_checks_total", runner, [=](double t) { return cumulative(0.5, t); }});
                series.append({"raize_browser_drift_total", runner, [=](double t) { return DriftRatio * cumulative(0.5, t); }});
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
