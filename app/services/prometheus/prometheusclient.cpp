#include "services/prometheus/prometheusclient.h"

#include "net/endpoint.h"
#include "net/jsonreader.h"


#include <cmath>
#include <limits>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;

namespace {

QString epoch(const QDateTime &t)
{
    return QString::number(double(t.toMSecsSinceEpoch()) / 1000.0, 'f', 3);
}

PromLabels readLabels(const JsonReader::Node &metric)
{
    PromLabels out;
    const nlohmann::json &raw = metric.raw();
    if (!raw.is_object())
        return out;
    for (const auto &[key, value] : raw.items())
        out.insert(QString::fromStdString(key), value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString());
    return out;
}

// [ <unix time>, "<value>" ]; Prometheus sends values as strings ("NaN", "+Inf").
bool readPoint(const JsonReader::Node &pair, QDateTime *time, double *value)
{
    if (pair.size() != 2)
        return false;
    const double t = pair.at(0).number();
    const QString v = pair.at(1).str();
    *time = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(t * 1000.0)), Qt::UTC);
    if (v == u"NaN"_s)
        *value = std::numeric_limits<double>::quiet_NaN();
    else if (v == u"+Inf"_s)
        *value = std::numeric_limits<double>::infinity();
    else if (v == u"-Inf"_s)
        *value = -std::numeric_limits<double>::infinity();
    else {
        bool ok = false;
        *value = v.toDouble(&ok);
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

std::optional<double> PromResult::valueWhere(const QString &label, const QString &value) const
{
    for (const PromSample &s : vector) {
        if (s.labels.value(label) == value)
            return s.value;
    }
    return std::nullopt;
}

PrometheusClient::PrometheusClient(Net::HttpClient &http, QUrl baseUrl)
    : m_http(http)
    , m_base(std::move(baseUrl))
{
}

Result<PromResult> PrometheusClient::parse(const QByteArray &body)
{
    JsonReader reader(u"prometheus"_s, body);
    const auto root = reader.root();
    const QString status = root["status"].str();
    if (reader.ok() && status != u"success"_s) {
        return Error::make(Error::Kind::Parse, u"prometheus"_s, u"the answer's status is \"%1\", not \"success\""_s.arg(status),
                           u"check the Prometheus URL in Settings"_s);
    }
    PromResult out;
    const auto data = root["data"];
    const QString type = data["resultType"].str();
    const auto result = data["result"];
    if (root["warnings"].exists() && !root["warnings"].isNull()) {
        const std::size_t n = root["warnings"].size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i)
            out.warnings << root["warnings"].at(i).str();
    }
    const auto badPoint = [](const JsonReader::Node &n) { n.reject(u"expected [time, \"value\"]"_s); };
    if (type == u"vector"_s) {
        out.type = PromResult::Type::Vector;
        const std::size_t n = result.size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i) {
            PromSample s;
            s.labels = readLabels(result.at(i)["metric"]);
            if (!readPoint(result.at(i)["value"], &s.time, &s.value))
                badPoint(result.at(i)["value"]);
            out.vector.append(s);
        }
    } else if (type == u"matrix"_s) {
        out.type = PromResult::Type::Matrix;
        const std::size_t n = result.size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i) {
            PromSeries series;
            series.labels = readLabels(result.at(i)["metric"]);
            const auto values = result.at(i)["values"];
            const std::size_t m = values.size();
            for (std::size_t j = 0; j < m && reader.ok(); ++j) {
                QDateTime t;
                double v = 0;
                if (!readPoint(values.at(j), &t, &v))
                    badPoint(values.at(j));
                series.points.append({t, v});
            }
            out.matrix.append(series);
        }
    } else if (type == u"scalar"_s || type == u"string"_s) {
        out.type = type == u"scalar"_s ? PromResult::Type::Scalar : PromResult::Type::String;
        PromSample s;
        if (type == u"string"_s) {
            s.time = QDateTime::fromMSecsSinceEpoch(qint64(result.at(0).number() * 1000.0), Qt::UTC);
            out.text = result.at(1).str();
        } else if (!readPoint(result, &s.time, &s.value)) {
            badPoint(result);
        }
        out.vector.append(s);
    } else if (reader.ok()) {
        return Error::make(Error::Kind::Parse, u"prometheus"_s, u"unknown resultType \"%1\""_s.arg(type),
                           u"the console knows vector, matrix, scalar and string"_s);
    }
    if (!reader.ok())
        return reader.error();
    return out;
}

Net::RequestPreview PrometheusClient::previewQuery(const QString &promql) const
{
    return Net::RequestPreview::from(formRequest(u"/api/v1/query"_s, {{u"query"_s, promql}}), m_base, u"prometheus"_s);
}

Net::Request PrometheusClient::formRequest(const QString &path, const QList<QPair<QString, QString>> &params) const
{
    Net::Request r;
    r.service = Service::Prometheus;
    // POST with a form body: long PromQL does not hit URL length limits; a query changes nothing.
    r.method = "POST";
    r.idempotent = true;
    r.url = Net::endpoint(m_base, path);
    QByteArrayList form;
    for (const auto &[k, v] : params)
        form << k.toUtf8() + '=' + QUrl::toPercentEncoding(v);
    r.body = form.join('&');
    r.contentType = "application/x-www-form-urlencoded";
    return r;
}

void PrometheusClient::run(const QString &path, const QList<QPair<QString, QString>> &params, Callback<PromResult> done)
{
    m_http.send(formRequest(path, params), [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parse(resp.body));
    });
}

void PrometheusClient::buildInfo(Callback<QString> done)
{
    Net::Request r;
    r.service = Service::Prometheus;
    r.url = Net::endpoint(m_base, u"/api/v1/status/buildinfo"_s);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        Net::JsonReader reader(u"prometheus"_s, resp.body);
        const QString version = reader.root()["data"]["version"].str();
        if (!reader.ok())
            return done(reader.error());
        done(version);
    });
}

void PrometheusClient::query(const QString &promql, std::optional<QDateTime> at, Callback<PromResult> done)
{
    QList<QPair<QString, QString>> params = {{u"query"_s, promql}};
    if (at)
        params.append({u"time"_s, epoch(*at)});
    run(u"/api/v1/query"_s, params, std::move(done));
}

void PrometheusClient::queryRange(const QString &promql, const QDateTime &start, const QDateTime &end, int stepSeconds,
                                  Callback<PromResult> done)
{
    run(u"/api/v1/query_range"_s,
        {{u"query"_s, promql}, {u"start"_s, epoch(start)}, {u"end"_s, epoch(end)}, {u"step"_s, QString::number(qMax(1, stepSeconds))}},
        std::move(done));
}

Net::Request PrometheusClient::labelValuesRequest(const QString &label, const QDateTime &start) const
{
    Net::Request r;
    r.service = Service::Prometheus;
    r.url = Net::endpoint(m_base, u"/api/v1/label/%1/values"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(label))),
                          {{u"start"_s, epoch(start)}});
    return r;
}

Net::RequestPreview PrometheusClient::previewLabelValues(const QString &label, const QDateTime &start) const
{
    return Net::RequestPreview::from(labelValuesRequest(label, start), m_base, u"prometheus"_s);
}

Result<QStringList> PrometheusClient::parseLabelValues(const QByteArray &body)
{
    JsonReader reader(u"prometheus"_s, body);
    const auto root = reader.root();
    if (root["status"].optStr() == u"error"_s)
        return Error::make(Error::Kind::Http, u"prometheus"_s, root["error"].optStr(u"the label values query failed"_s),
                           u"Check the Prometheus URL in Settings."_s);
    const auto data = root["data"];
    QStringList out;
    const std::size_t n = data.size();
    for (std::size_t i = 0; i < n && reader.ok(); ++i)
        out << data.at(i).str();
    if (!reader.ok())
        return reader.error();
    return out;
}

void PrometheusClient::labelValues(const QString &label, const QDateTime &start, Callback<QStringList> done)
{
    m_http.send(labelValuesRequest(label, start), [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseLabelValues(resp.body));
    });
}

} // namespace Raize::Services
