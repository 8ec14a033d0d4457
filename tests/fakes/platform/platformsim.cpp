#include "platformsim.h"

#include "http/httpserver.h"
#include "vercel/vercelfake.h"

#include "core/jsonutil.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
double nowSec()
{
    return QDateTime::currentMSecsSinceEpoch() / 1000.0;
}
QString key(const QString &cohort, const QString &lane)
{
    return cohort + u'/' + lane;
}
} // namespace

PlatformSim::PlatformSim(HttpServer *metricsServer, VercelFake *vercel, json scenario, QObject *parent)
    : QObject(parent)
    , m_server(metricsServer)
    , m_vercel(vercel)
    , m_scenario(std::move(scenario))
{
    m_server->route("GET", u"/metrics"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
        tick(nowSec());
        HttpResponse r;
        r.body = metricsText(nowSec());
        r.setHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        return r;
    });
    m_server->route("GET", u"/health"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
        return HttpResponse::json(200, status());
    });
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes())
            m_lanes.insert(key(c.id, lane), Lane{});
    }
}

QList<TrafficModel::Incident> PlatformSim::incidentsInProgress(const json &scenario, double now)
{
    QList<TrafficModel::Incident> out;
    const json p = scenario.value("inProgress", json::object());
    if (!p.is_object() || !p.contains("cohort"))
        return out;
    const json effect = scenario.value("effect", json::object());
    const QString cohort = QString::fromStdString(p.value("cohort", ""));
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        if (cohort != u"*"_s && cohort != c.id)
            continue;
        TrafficModel::Incident i;
        i.cohort = c.id;
        i.since = now - 60.0 * p.value("minutesAgo", 0.0);
        i.publishFailureRatio = effect.value("publishFailure", 0.0);
        i.httpErrorRatio = effect.value("httpErrors", 0.0);
        out.append(i);
    }
    return out;
}

void PlatformSim::setUnleash(const QUrl &url, const QString &clientToken, int pollMs)
{
    m_unleash = url;
    m_clientToken = clientToken;
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    if (!m_pollTimer) {
        m_pollTimer = new QTimer(this);
        connect(m_pollTimer, &QTimer::timeout, this, &PlatformSim::poll);
    }
    m_pollTimer->setInterval(pollMs);
}

void PlatformSim::start(double now)
{
    m_last = now;
    // An incident already in progress carries its bad events into the live counters.
    for (const TrafficModel::Incident &i : incidentsInProgress(m_scenario, now)) {
        for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
            if (c.id != i.cohort)
                continue;
            for (const QString &lane : TrafficModel::lanes()) {
                Lane &l = m_lanes[key(c.id, lane)];
                const double w = TrafficModel::laneWeight(lane);
                l.extraPublishFail += i.publishFailureRatio
                    * (TrafficModel::cumulative(c.publishRate * w, now) - TrafficModel::cumulative(c.publishRate * w, i.since));
                l.extraHttpErrors += i.httpErrorRatio
                    * (TrafficModel::cumulative(c.httpRate * w, now) - TrafficModel::cumulative(c.httpRate * w, i.since));
            }
        }
    }
    for (Lane &l : m_lanes)
        l.queueDepth = 3;
    if (m_pollTimer) {
        poll();
        m_pollTimer->start();
    }
    m_tickTimer = new QTimer(this);
    m_tickTimer->setInterval(1000);
    connect(m_tickTimer, &QTimer::timeout, this, [this] { tick(nowSec()); });
    m_tickTimer->start();
}

void PlatformSim::poll()
{
    QNetworkRequest req(m_unleash.resolved(QUrl(u"api/client/features"_s)));
    req.setRawHeader("Authorization", m_clientToken.toUtf8());
    req.setRawHeader("UNLEASH-APPNAME", "raize-platform-sandbox");
    req.setTransferTimeout(5000);
    QNetworkReply *reply = m_nam->get(req);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        ++m_polls;
        if (reply->error() != QNetworkReply::NoError) {
            ++m_pollFailures;
            m_lastPollError = reply->errorString();
            return; // keep the last known flags, as an SDK does
        }
        if (!m_flags.load(Json::parse(reply->readAll()))) {
            ++m_pollFailures;
            m_lastPollError = u"unexpected client API body"_s;
        }
    });
}

bool PlatformSim::effectActive(const TrafficModel::Cohort &, const QString &, const FlagContext &ctx) const
{
    const QString bad = QString::fromStdString(m_scenario.value("badDeployment", ""));
    if (bad.isEmpty() || !m_vercel || m_vercel->productionDeploymentId() != bad)
        return false;
    if (!m_scenario.value("requiresFlag", true))
        return true;
    for (const auto &f : m_scenario.value("canaryFlags", json::array())) {
        if (m_flags.isEnabled(QString::fromStdString(f.get<std::string>()), ctx))
            return true;
    }
    return false;
}

void PlatformSim::tick(double now)
{
    const double dt = qBound(0.0, now - m_last, 5.0);
    m_last = now;
    if (dt <= 0)
        return;
    const json effect = m_scenario.value("effect", json::object());
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes()) {
            Lane &l = m_lanes[key(c.id, lane)];
            const FlagContext ctx{c.clientIds.first(), c.accounts.first(), lane, c.id};
            // Kill switches default on while Unleash has never answered (SDK bootstrap).
            const bool known = m_flags.featureCount() > 0;
            l.publishing = !known || (m_flags.isEnabled(u"publishing.enabled"_s, ctx)
                                      && (lane != u"browser"_s || m_flags.isEnabled(u"browser-lane.enabled"_s, ctx)));
            l.canaryOn = false;
            for (const auto &f : m_scenario.value("canaryFlags", json::array()))
                l.canaryOn = l.canaryOn || m_flags.isEnabled(QString::fromStdString(f.get<std::string>()), ctx);
            l.effectActive = effectActive(c, lane, ctx);
            const double w = TrafficModel::laneWeight(lane);
            const double pubRate = TrafficModel::rateAt(c.publishRate * w, now);
            const double httpRate = TrafficModel::rateAt(c.httpRate * w, now);
            if (!l.publishing) {
                l.pausedPublish += pubRate * dt;
                l.queueDepth *= std::pow(0.5, dt); // the queue drains, nothing new is enqueued
                if (l.queueDepth < 0.05)
                    l.queueDepth = 0;
            } else {
                l.queueDepth += (3.0 - l.queueDepth) * qMin(1.0, dt / 5.0);
                if (l.effectActive) {
                    l.extraPublishFail += effect.value("publishFailure", 0.0) * pubRate * dt;
                    l.wrongAccount += effect.value("wrongAccount", 0.0) * pubRate * dt;
                }
            }
            if (l.effectActive)
                l.extraHttpErrors += effect.value("httpErrors", 0.0) * httpRate * dt;
        }
    }
}

QByteArray PlatformSim::metricsText(double now) const
{
    QByteArray out;
    const auto num = [](double v) { return QByteArray::number(v, 'f', 3); };
    const auto family = [&](const char *name, const char *type, const char *help) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    };
    struct Row
    {
        QByteArray labels;
        const TrafficModel::Cohort *cohort;
        QString lane;
        const Lane *state;
    };
    QList<Row> rows;
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes()) {
            rows.append({"cohort=\"" + c.id.toUtf8() + "\",lane=\"" + lane.toUtf8() + "\"", &c, lane, &*m_lanes.constFind(key(c.id, lane))});
        }
    }
    family("raize_http_requests_total", "counter", "Requests served by the web tier, by status code.");
    for (const Row &r : rows) {
        const double all = TrafficModel::cumulative(r.cohort->httpRate * TrafficModel::laneWeight(r.lane), now);
        const double bad = TrafficModel::HttpErrorRatio * all + r.state->extraHttpErrors;
        out += "raize_http_requests_total{code=\"200\"," + r.labels + ",service=\"web\"} " + num(all - bad) + '\n';
        out += "raize_http_requests_total{code=\"500\"," + r.labels + ",service=\"web\"} " + num(bad) + '\n';
    }
    const auto attempts = [&](const Row &r) {
        return TrafficModel::cumulative(r.cohort->publishRate * TrafficModel::laneWeight(r.lane), now) - r.state->pausedPublish;
    };
    family("raize_publish_attempts_total", "counter", "Publish attempts.");
    for (const Row &r : rows)
        out += "raize_publish_attempts_total{" + r.labels + ",service=\"runner\"} " + num(attempts(r)) + '\n';
    family("raize_publish_success_total", "counter", "Publishes that succeeded.");
    for (const Row &r : rows)
        out += "raize_publish_success_total{" + r.labels + ",service=\"runner\"} "
               + num((1 - TrafficModel::PublishFailureRatio) * attempts(r) - r.state->extraPublishFail) + '\n';
    const auto histogram = [&](const char *name, const char *help, const QList<QPair<const char *, double>> &cdf, double meanSeconds) {
        family(name, "histogram", help);
        for (const Row &r : rows) {
            const double count = attempts(r);
            for (const auto &[le, fraction] : cdf)
                out += QByteArray(name) + "_bucket{" + r.labels + ",service=\"runner\",le=\"" + le + "\"} " + num(fraction * count) + '\n';
            out += QByteArray(name) + "_bucket{" + r.labels + ",service=\"runner\",le=\"+Inf\"} " + num(count) + '\n';
            out += QByteArray(name) + "_sum{" + r.labels + ",service=\"runner\"} " + num(meanSeconds * count) + '\n';
            out += QByteArray(name) + "_count{" + r.labels + ",service=\"runner\"} " + num(count) + '\n';
        }
    };
    histogram("raize_verification_seconds", "Time until a published post is verified visible.",
              {{"5", 0.2}, {"15", 0.6}, {"30", 0.9}, {"60", 1 - TrafficModel::SlowVerificationRatio}, {"120", 0.998}, {"300", 0.9995}}, 18.0);
    histogram("raize_queue_delay_seconds", "Time a job waited in the queue.",
              {{"1", 0.3}, {"5", 0.8}, {"10", 0.95}, {"30", 1 - TrafficModel::SlowQueueRatio}, {"60", 0.9995}, {"300", 0.9999}}, 3.0);
    family("raize_queue_depth", "gauge", "Jobs waiting in the queue.");
    for (const Row &r : rows)
        out += "raize_queue_depth{" + r.labels + ",service=\"runner\"} " + num(r.state->queueDepth) + '\n';
    const double beats = TrafficModel::cumulative(1.0, now);
    family("raize_runner_heartbeat_expected_total", "counter", "Runner heartbeats due.");
    for (const Row &r : rows)
        out += "raize_runner_heartbeat_expected_total{" + r.labels + ",service=\"runner\"} " + num(beats) + '\n';
    family("raize_runner_heartbeat_received_total", "counter", "Runner heartbeats received.");
    for (const Row &r : rows)
        out += "raize_runner_heartbeat_received_total{" + r.labels + ",service=\"runner\"} " + num((1 - TrafficModel::MissedHeartbeatRatio) * beats) + '\n';
    family("raize_runner_last_heartbeat_timestamp_seconds", "gauge", "Unix time of the last runner heartbeat.");
    for (const Row &r : rows)
        out += "raize_runner_last_heartbeat_timestamp_seconds{" + r.labels + ",service=\"runner\"} " + num(std::floor(now)) + '\n';
    family("raize_browser_checks_total", "counter", "Browser-lane DOM/selector checks run.");
    family("raize_browser_drift_total", "counter", "Browser-lane checks that found drift.");
    for (const Row &r : rows) {
        if (r.lane != u"browser"_s)
            continue;
        const double checks = TrafficModel::cumulative(0.5, now);
        out += "raize_browser_checks_total{" + r.labels + ",service=\"runner\"} " + num(checks) + '\n';
        out += "raize_browser_drift_total{" + r.labels + ",service=\"runner\"} " + num(TrafficModel::DriftRatio * checks) + '\n';
    }
    family("raize_side_effects_total", "counter", "Side effects by platform account and outcome.");
    for (const Row &r : rows) {
        const double ok = (1 - TrafficModel::PublishFailureRatio) * attempts(r) - r.state->extraPublishFail - r.state->wrongAccount;
        const qsizetype n = r.cohort->accounts.size();
        for (const QString &account : r.cohort->accounts)
            out += "raize_side_effects_total{" + r.labels + ",service=\"runner\",account=\"" + account.toUtf8() + "\",outcome=\"ok\"} " + num(ok / n) + '\n';
        out += "raize_side_effects_total{" + r.labels + ",service=\"runner\",account=\"" + r.cohort->accounts.first().toUtf8()
               + "\",outcome=\"wrong_account\"} " + num(r.state->wrongAccount) + '\n';
    }
    return out;
}

json PlatformSim::status() const
{
    json lanes = json::object();
    for (auto it = m_lanes.cbegin(); it != m_lanes.cend(); ++it)
        lanes[it.key().toStdString()] = {{"publishing", it->publishing}, {"canaryOn", it->canaryOn}, {"effectActive", it->effectActive},
                                         {"queueDepth", it->queueDepth}};
    return {{"polls", m_polls}, {"pollFailures", m_pollFailures}, {"lastPollError", m_lastPollError.toStdString()},
            {"flagsKnown", m_flags.featureCount()}, {"lanes", lanes}};
}

} // namespace Raize::Sandbox
