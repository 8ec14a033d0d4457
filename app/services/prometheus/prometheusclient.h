#pragma once

#include "core/result.h"
#include "net/httpclient.h"
#include "net/requestpreview.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Raize::Services {

using PromLabels = QHash<QString, QString>;

struct PromSample
{
    PromLabels labels;
    QDateTime time; // UTC
    double value = 0; // NaN and ±Inf as Prometheus sends them
};

struct PromSeries
{
    PromLabels labels;
    QList<QPair<QDateTime, double>> points;
};

// One answer of /api/v1/query or /api/v1/query_range, typed by resultType.
struct PromResult
{
    enum class Type { Vector, Matrix, Scalar, String };
    Type type = Type::Vector;
    QList<PromSample> vector;  // Vector, and Scalar/String as one sample without labels
    QList<PromSeries> matrix;  // Matrix
    QString text;              // String
    QStringList warnings;      // the API's "warnings"

    // The sample whose label `label` equals `value` (e.g. cohort="house").
    std::optional<double> valueWhere(const QString &label, const QString &value) const;
};

// Prometheus' HTTP API (instant and range queries). Errors carry the API's
// errorType (bad_data, execution, timeout, ...) as Error::serviceCode.
class PrometheusClient
{
public:
    PrometheusClient(Net::HttpClient &http, QUrl baseUrl);

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;

    void query(const QString &promql, std::optional<QDateTime> at, Callback<PromResult> done);
    void queryRange(const QString &promql, const QDateTime &start, const QDateTime &end, int stepSeconds,
                    Callback<PromResult> done);

    // GET /api/v1/status/buildinfo: the server's version. The console's
    // health ping (the status bar), and what "Test connection" reads.
    void buildInfo(Callback<QString> done);
    // The exact request query(promql, nullopt) sends, for a plan's preview (no network).
    Net::RequestPreview previewQuery(const QString &promql) const;

    static Result<PromResult> parse(const QByteArray &body);

    // GET /api/v1/label/{name}/values?start=…: every value the label had in
    // series since `start` (the blast radius's known clients and accounts).
    void labelValues(const QString &label, const QDateTime &start, Callback<QStringList> done);
    Net::RequestPreview previewLabelValues(const QString &label, const QDateTime &start) const;
    static Result<QStringList> parseLabelValues(const QByteArray &body);

private:
    Net::Request formRequest(const QString &path, const QList<QPair<QString, QString>> &params) const;
    Net::Request labelValuesRequest(const QString &label, const QDateTime &start) const;
    void run(const QString &path, const QList<QPair<QString, QString>> &params, Callback<PromResult> done);

    Net::HttpClient &m_http;
    QUrl m_base;
};

} // namespace Raize::Services
