#include "platformsim.h"

#include "http/httpserver.h"
#include "vercel/vercelfake.h"

#include "core/jsonutil.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <tuple>

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
QString streamKey(PlatformFault::Kind kind, const QString &service)
{
    return PlatformFault::kindName(kind) + u'/' + service;
}
const QStringList &services()
{
    static const QStringList list = {u"web"_s, u"runner"_s};
    return list;
}
} // namespace

PlatformSim::PlatformSim(HttpServer *metricsServer, VercelFake *vercel, json scenario, QObject *parent)
    : QObject(parent)
    , m_server(metricsServer)
    , m_vercel(vercel)
    , m_scenario(std::move(scenario))
{
    m_faults = PlatformFault::listFromScenario(m_scenario, nullptr).value_or(QList<PlatformFault>{});
    m_server->route("GET", u"/metrics"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
        // One instant for both: a counter computed a moment after the model advanced
        // would run ahead of it, and fall back at the next tick (a counter reset to Prometheus).
        const double now = simNow();
        tick(now);
        HttpResponse r;
        r.body = metricsText(now);
        r.setHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        return r;
    });
    m_server->route("GET", u"/health"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
        return HttpResponse::json(200, status());
    });
    m_server->route("GET", u"/side-effects"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
        tick(simNow());
        return HttpResponse::json(200, sideEffects());
    });
    // The SDK's refresh interval, changed at run time (bench_killswitch: an SDK
    // polling every 0.5 s, printed next to its figures; real SDKs poll every 15 s).
    m_server->route("POST", u"/sdk"_s, [this](const HttpRequest &req, const QRegularExpressionMatch &) {
        const json body = json::parse(req.body.toStdString(), nullptr, false);
        const int ms = body.is_object() && body.contains("refreshMs") && body["refreshMs"].is_number_integer() ? body["refreshMs"].get<int>() : 0;
        if (ms < 50 || ms > 60000)
            return HttpResponse::json(400, {{"error", "refreshMs: an integer from 50 to 60000 (milliseconds)"}});
        if (!m_pollTimer)
            return HttpResponse::json(409, {{"error", "the simulator does not poll Unleash (started without --unleash-url)"}});
        m_pollMs = ms;
        m_pollTimer->setInterval(ms);
        return HttpResponse::json(200, sideEffects());
    });
    m_server->route("GET", u"/served-by"_s, [this](const HttpRequest &, const QRegularExpressionMatch &) {
        tick(simNow());
        const json who = servedBy();
        HttpResponse r = HttpResponse::json(200, who);
        r.setHeader("X-Raize-Deployment", QByteArray::fromStdString(who.value("deployment", std::string())));
        return r;
    });
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes())
            m_lanes.insert(key(c.id, lane), Lane{});
    }
    deploymentRoute();
}

void PlatformSim::deploymentRoute()
{
    m_server->route("GET", u"/__deployment"_s, [this](const HttpRequest &r, const QRegularExpressionMatch &) {
        if (!m_protectionBypass.isEmpty() && r.header("x-vercel-protection-bypass") != m_protectionBypass.toUtf8()) {
            // What a protected Vercel domain answers without the bypass: an authentication page, not JSON.
            HttpResponse refused;
            refused.status = 401;
            refused.body = "<!doctype html><title>Authentication Required</title><p>Vercel Authentication</p>";
            refused.setHeader("Content-Type", "text/html; charset=utf-8");
            return refused;
        }
        const quint64 n = m_servingRequests++;
        const QString id = m_servingPicker ? m_servingPicker(n) : m_vercel ? m_vercel->servingDeploymentId() : QString();
        HttpResponse resp = HttpResponse::json(200, {{"deploymentId", id.toStdString()}});
        resp.setHeader("X-Raize-Deployment", id.toUtf8());
        return resp;
    });
}

QList<TrafficModel::Incident> PlatformSim::incidentsInProgress(const json &scenario, double now)
{
    using K = PlatformFault::Kind;
    QList<TrafficModel::Incident> out;
    const auto add = [&](const PlatformFault &f, double since) {
        for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
            for (const QString &lane : TrafficModel::lanes()) {
                for (const QString &service : services()) {
                    if (!f.covers(c.id, lane, service) || TrafficModel::baseRate(f.kind, c, lane, service) <= 0)
                        continue;
                    out.append({c.id, lane, service, f.kind, since, f.ratio, f.extraRate});
                }
            }
        }
    };
    // The legacy effect: publish failures on the runner, HTTP errors on the web tier.
    const json p = scenario.value("inProgress", json::object());
    if (p.is_object() && p.contains("cohort")) {
        const json effect = scenario.value("effect", json::object());
        const double since = now - 60.0 * p.value("minutesAgo", 0.0);
        PlatformFault f;
        f.cohort = QString::fromStdString(p.value("cohort", ""));
        for (const auto &[kind, name, service] : {std::tuple{K::PublishFailure, "publishFailure", "runner"}, {K::HttpErrors, "httpErrors", "web"}}) {
            f.kind = kind;
            f.ratio = effect.value(name, 0.0);
            f.service = QString::fromLatin1(service);
            if (f.ratio > 0)
                add(f, since);
        }
    }
    for (const PlatformFault &f : PlatformFault::listFromScenario(scenario, nullptr).value_or(QList<PlatformFault>{})) {
        if (f.minutesAgo > 0)
            add(f, now - 60.0 * f.minutesAgo);
    }
    return out;
}

bool PlatformSim::setFlags(const json &clientFeatures)
{
    return m_flags.load(clientFeatures);
}

TrafficModel::Extra PlatformSim::extra(const Lane &l, PlatformFault::Kind kind, const QString &service) const
{
    return l.extras.value(streamKey(kind, service));
}

bool PlatformSim::faultActive(const PlatformFault &f, const FlagContext &ctx) const
{
    if (!f.deployment.isEmpty() && (!m_vercel || m_vercel->productionDeploymentId() != f.deployment))
        return false;
    if (f.whenFlags.isEmpty())
        return true;
    for (const QString &flag : f.whenFlags) {
        if (m_flags.isEnabled(flag, ctx))
            return true;
    }
    return false;
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
    m_pollMs = pollMs;
}

void PlatformSim::start(double now, bool realTime)
{
    m_last = now;
    // An incident already in progress carries its bad events into the live counters.
    const QList<TrafficModel::Incident> incidents = incidentsInProgress(m_scenario, now);
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes()) {
            Lane &l = m_lanes[key(c.id, lane)];
            for (const TrafficModel::Incident &i : incidents) {
                if (i.cohort != c.id || i.lane != lane)
                    continue;
                const TrafficModel::Extra e = TrafficModel::incidentExtra({i}, i.kind, c, lane, i.service, now);
                TrafficModel::Extra &mine = l.extras[streamKey(i.kind, i.service)];
                mine.converted += e.converted;
                mine.extra += e.extra;
            }
        }
    }
    for (Lane &l : m_lanes)
        l.queueDepth = 3;
    if (!realTime)
        return;
    if (m_pollTimer) {
        poll();
        m_pollTimer->start();
    }
    m_tickTimer = new QTimer(this);
    m_tickTimer->setInterval(1000);
    connect(m_tickTimer, &QTimer::timeout, this, [this] { tick(simNow()); });
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
        // Close the interval with the flags the SDK had until now: side effects ran until this moment.
        tick(simNow());
        m_lastPollAt = nowSec();
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

double PlatformSim::simNow() const
{
    return m_simOrigin + (nowSec() - m_realOrigin) * m_scale;
}

bool PlatformSim::setTimeScale(double factor)
{
    if (!(factor >= 1 && factor <= 1000))
        return false;
    const double real = nowSec();
    const double sim = std::max(m_last, m_simOrigin + (real - m_realOrigin) * m_scale);
    tick(sim); // the counters up to now at the old pace
    m_simOrigin = sim;
    m_realOrigin = real;
    m_scale = factor;
    return true;
}

bool PlatformSim::setDeploymentEffects(const json &effects)
{
    if (!effects.is_object())
        return false;
    for (const auto &[id, effect] : effects.items()) {
        if (!effect.is_object())
            return false;
    }
    tick(simNow()); // what was served until now keeps the old effects
    m_scenario["deploymentEffects"] = effects;
    return true;
}

void PlatformSim::tick(double now)
{
    using K = PlatformFault::Kind;
    // From the last tick (at most 5 s back): `from` is the very value the last tick's
    // counters were computed at, so a counter that holds still holds that value exactly.
    const double from = qMax(m_last, now - 5.0 * m_scale);
    const double dt = now - from;
    if (dt <= 0)
        return;
    m_last = now;
    const json effect = m_scenario.value("effect", json::object());
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes()) {
            Lane &l = m_lanes[key(c.id, lane)];
            const FlagContext ctx{c.clientIds.first(), c.accounts.first(), lane, c.id};
            // Kill switches default on while Unleash has never answered (SDK bootstrap).
            const bool known = m_flags.featureCount() > 0;
            const bool flagsSayPublish = !known || (m_flags.isEnabled(u"publishing.enabled"_s, ctx)
                                                    && (lane != u"browser"_s || m_flags.isEnabled(u"browser-lane.enabled"_s, ctx)));
            l.canaryOn = false;
            for (const auto &f : m_scenario.value("canaryFlags", json::array()))
                l.canaryOn = l.canaryOn || m_flags.isEnabled(QString::fromStdString(f.get<std::string>()), ctx);
            l.effectActive = effectActive(c, lane, ctx);
            QList<const PlatformFault *> active;
            l.activeFaults.clear();
            for (const PlatformFault &f : std::as_const(m_faults)) {
                if ((f.cohort == u"*"_s || f.cohort == c.id) && (f.lane == u"*"_s || f.lane == lane) && faultActive(f, ctx)) {
                    active.append(&f);
                    if (!l.activeFaults.contains(PlatformFault::kindName(f.kind)))
                        l.activeFaults << PlatformFault::kindName(f.kind);
                }
            }
            const auto has = [&](K kind) {
                return std::any_of(active.cbegin(), active.cend(), [&](const PlatformFault *f) { return f->kind == kind; });
            };
            l.killSwitchIgnored = !flagsSayPublish && has(K::IgnoresKillSwitch);
            l.publishing = flagsSayPublish || l.killSwitchIgnored;
            const bool stuck = l.publishing && has(K::QueueStuck);
            const double laneRate = c.publishRate * TrafficModel::laneWeight(lane);
            const double pubRate = TrafficModel::rateAt(laneRate, now);
            if (!l.publishing || stuck) {
                // Nothing is run: no attempts, no side effects, and every counter that follows
                // the attempts holds its value exactly. (A sum of rate × dt drifted off the
                // closed-form counter by ~1e-4 per tick, up while the daily rate falls and down
                // while it rises; rounded into /metrics, flat counters stepped and reset, and
                // the rollback's verification ratio read 0 or over 1 for as long as publishing
                // stayed off: issue #15, the crash test's post-check wait.)
                if (!l.heldAttempts)
                    l.heldAttempts = TrafficModel::cumulative(laneRate, from) - l.pausedPublish;
                l.pausedPublish += TrafficModel::cumulative(laneRate, now) - TrafficModel::cumulative(laneRate, from);
            } else {
                l.heldAttempts.reset();
            }
            if (!l.publishing) {
                // The queue drains, nothing new is enqueued: the few jobs in flight finish within a
                // tick (half-life 0.15 s; it was 1 s, and the rollback's "queues are empty" post-check
                // then waited ~6 s of drain plus a scrape in every run: issue #15, test time).
                l.queueDepth *= std::pow(0.5, dt / 0.15);
                if (l.queueDepth < 0.05)
                    l.queueDepth = 0;
            } else if (stuck) {
                l.queueDepth += pubRate * dt; // enqueued, never dequeued
                l.stuckSince = l.stuckSince > 0 ? l.stuckSince : now - dt;
            } else {
                l.stuckSince = 0;
                l.queueDepth += (3.0 - l.queueDepth) * qMin(1.0, dt / 5.0);
                if (l.killSwitchIgnored)
                    l.sideEffectsWhileOff += pubRate * dt;
                if (pubRate > 0)
                    m_lastSideEffectAt = now; // publishes ran up to now (the model is continuous between ticks)
                if (l.effectActive) {
                    l.extras[streamKey(K::PublishFailure, u"runner"_s)].converted += effect.value("publishFailure", 0.0) * pubRate * dt;
                    l.wrongAccount += effect.value("wrongAccount", 0.0) * pubRate * dt;
                }
                for (const PlatformFault *f : std::as_const(active)) {
                    if (f->kind == K::WrongAccount)
                        l.wrongAccount += f->ratio * pubRate * dt;
                    else if (f->kind == K::Duplicate)
                        l.duplicates += f->ratio * pubRate * dt;
                    else if (f->kind == K::RateLimited)
                        l.rateLimited += f->ratio * pubRate * dt;
                    else if (f->kind == K::Checkpoint)
                        l.checkpoints += f->ratio * pubRate * dt;
                }
                if (l.wrongAccount > 0 && l.firstWrongAccountAt == 0)
                    l.firstWrongAccountAt = now;
                if (l.duplicates > 0 && l.firstDuplicateAt == 0)
                    l.firstDuplicateAt = now;
            }
            if (l.effectActive)
                l.extras[streamKey(K::HttpErrors, u"web"_s)].converted += effect.value("httpErrors", 0.0)
                                                                         * TrafficModel::rateAt(c.httpRate * TrafficModel::laneWeight(lane), now) * dt;
            // The SLO faults, each on the streams of the services it covers.
            for (const PlatformFault *f : std::as_const(active)) {
                if (!f->isSloKind())
                    continue;
                const bool publishDriven = f->kind == K::PublishFailure || f->kind == K::SlowVerification || f->kind == K::SlowQueue;
                if (publishDriven && (!l.publishing || stuck))
                    continue; // no publishes, nothing to fail
                for (const QString &service : services()) {
                    const double base = TrafficModel::baseRate(f->kind, c, lane, service);
                    if (base <= 0 || !f->covers(c.id, lane, service))
                        continue;
                    TrafficModel::Extra &e = l.extras[streamKey(f->kind, service)];
                    e.converted += f->ratio * TrafficModel::rateAt(base, now) * dt;
                    e.extra += f->extraRate * dt;
                }
            }
        }
    }
    tickDeploymentSplit(now, dt);
}

QByteArray PlatformSim::metricsText(double now) const
{
    using K = PlatformFault::Kind;
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
    // The series follow the policy's SLO table (docs/slo-labels.md; test_slo_labels checks both).
    family("raize_http_requests_total", "counter", "Requests served by the web tier, by status code.");
    for (const Row &r : rows) {
        for (const QString &service : PlatformFault::servicesOf(K::HttpErrors)) {
            const double all = TrafficModel::cumulative(TrafficModel::baseRate(K::HttpErrors, *r.cohort, r.lane, service), now);
            const TrafficModel::Extra e = extra(*r.state, K::HttpErrors, service);
            const QByteArray labels = r.labels + ",service=\"" + service.toUtf8() + '"';
            out += "raize_http_requests_total{code=\"200\"," + labels + "} " + num(all - TrafficModel::HttpErrorRatio * all - e.converted) + '\n';
            out += "raize_http_requests_total{code=\"500\"," + labels + "} " + num(TrafficModel::HttpErrorRatio * all + e.converted + e.extra) + '\n';
        }
    }
    const auto attempts = [&](const Row &r) {
        if (r.state->heldAttempts)
            return *r.state->heldAttempts;
        return TrafficModel::cumulative(r.cohort->publishRate * TrafficModel::laneWeight(r.lane), now) - r.state->pausedPublish;
    };
    family("raize_publish_attempts_total", "counter", "Publish attempts.");
    for (const Row &r : rows)
        out += "raize_publish_attempts_total{" + r.labels + ",service=\"runner\"} "
               + num(attempts(r) + extra(*r.state, K::PublishFailure, u"runner"_s).extra) + '\n';
    family("raize_publish_success_total", "counter", "Publishes that succeeded.");
    for (const Row &r : rows)
        out += "raize_publish_success_total{" + r.labels + ",service=\"runner\"} "
               + num((1 - TrafficModel::PublishFailureRatio) * attempts(r) - extra(*r.state, K::PublishFailure, u"runner"_s).converted) + '\n';
    // A latency histogram: the base events follow the CDF; events a fault made slow land at 200 s
    // (over the SLO's threshold, under the last finite bucket); a fault's extra events are slow too.
    const auto histogram = [&](const char *name, const char *help, K kind, const QList<QPair<const char *, double>> &cdf,
                               double meanSeconds) {
        family(name, "histogram", help);
        for (const Row &r : rows) {
            const TrafficModel::Extra e = extra(*r.state, kind, u"runner"_s);
            const double base = attempts(r);
            const double normal = std::max(0.0, base - e.converted);
            const double count = base + e.extra;
            for (const auto &[le, fraction] : cdf) {
                const double bound = QByteArray(le).toDouble();
                const double v = fraction * normal + (bound >= 200 ? e.converted + e.extra : 0.0);
                out += QByteArray(name) + "_bucket{" + r.labels + ",service=\"runner\",le=\"" + le + "\"} " + num(v) + '\n';
            }
            out += QByteArray(name) + "_bucket{" + r.labels + ",service=\"runner\",le=\"+Inf\"} " + num(count) + '\n';
            out += QByteArray(name) + "_sum{" + r.labels + ",service=\"runner\"} " + num(meanSeconds * normal + 200.0 * (e.converted + e.extra)) + '\n';
            out += QByteArray(name) + "_count{" + r.labels + ",service=\"runner\"} " + num(count) + '\n';
        }
    };
    histogram("raize_verification_seconds", "Time until a published post is verified visible.", K::SlowVerification,
              {{"5", 0.2}, {"15", 0.6}, {"30", 0.9}, {"60", 1 - TrafficModel::SlowVerificationRatio}, {"120", 0.998}, {"300", 0.9995}}, 18.0);
    histogram("raize_queue_delay_seconds", "Time a job waited in the queue.", K::SlowQueue,
              {{"1", 0.3}, {"5", 0.8}, {"10", 0.95}, {"30", 1 - TrafficModel::SlowQueueRatio}, {"60", 0.9995}, {"300", 0.9999}}, 3.0);
    family("raize_queue_depth", "gauge", "Jobs waiting in the queue.");
    for (const Row &r : rows)
        out += "raize_queue_depth{" + r.labels + ",service=\"runner\"} " + num(r.state->queueDepth) + '\n';
    family("raize_queue_oldest_job_age_seconds", "gauge", "How long the oldest waiting job has waited.");
    for (const Row &r : rows) {
        const double age = r.state->stuckSince > 0 ? now - r.state->stuckSince : (r.state->queueDepth > 0 ? 3.0 : 0.0);
        out += "raize_queue_oldest_job_age_seconds{" + r.labels + ",service=\"runner\"} " + num(age) + '\n';
    }
    const double beats = TrafficModel::cumulative(TrafficModel::HeartbeatRate, now);
    family("raize_runner_heartbeat_expected_total", "counter", "Runner heartbeats due.");
    for (const Row &r : rows)
        out += "raize_runner_heartbeat_expected_total{" + r.labels + ",service=\"runner\"} " + num(beats) + '\n';
    family("raize_runner_heartbeat_received_total", "counter", "Runner heartbeats received.");
    for (const Row &r : rows)
        out += "raize_runner_heartbeat_received_total{" + r.labels + ",service=\"runner\"} "
               + num((1 - TrafficModel::MissedHeartbeatRatio) * beats - extra(*r.state, K::MissedHeartbeat, u"runner"_s).converted) + '\n';
    family("raize_runner_last_heartbeat_timestamp_seconds", "gauge", "Unix time of the last runner heartbeat.");
    for (const Row &r : rows)
        out += "raize_runner_last_heartbeat_timestamp_seconds{" + r.labels + ",service=\"runner\"} " + num(std::floor(now)) + '\n';
    family("raize_browser_checks_total", "counter", "Browser-lane DOM/selector checks run.");
    family("raize_browser_drift_total", "counter", "Browser-lane checks that found drift.");
    for (const Row &r : rows) {
        if (r.lane != u"browser"_s)
            continue;
        const double checks = TrafficModel::cumulative(TrafficModel::BrowserCheckRate, now);
        const TrafficModel::Extra e = extra(*r.state, K::BrowserDrift, u"runner"_s);
        out += "raize_browser_checks_total{" + r.labels + ",service=\"runner\"} " + num(checks + e.extra) + '\n';
        out += "raize_browser_drift_total{" + r.labels + ",service=\"runner\"} " + num(TrafficModel::DriftRatio * checks + e.converted + e.extra) + '\n';
    }
    family("raize_side_effects_total", "counter", "Side effects by platform account and outcome.");
    for (const Row &r : rows) {
        const double ok = (1 - TrafficModel::PublishFailureRatio) * attempts(r) - extra(*r.state, K::PublishFailure, u"runner"_s).converted
                          - r.state->wrongAccount;
        const qsizetype n = r.cohort->accounts.size();
        for (const QString &account : r.cohort->accounts)
            out += "raize_side_effects_total{" + r.labels + ",service=\"runner\",account=\"" + account.toUtf8() + "\",outcome=\"ok\"} " + num(ok / n) + '\n';
        const QByteArray first = r.labels + ",service=\"runner\",account=\"" + r.cohort->accounts.first().toUtf8() + '"';
        out += "raize_side_effects_total{" + first + ",outcome=\"wrong_account\"} " + num(r.state->wrongAccount) + '\n';
        out += "raize_side_effects_total{" + first + ",outcome=\"duplicate\"} " + num(r.state->duplicates) + '\n';
    }
    // Enforcement friction (docs/slo-labels.md, "Enforcement friction"): the platform's answers that slow a
    // release down, by cohort, platform account and lane. A healthy share follows the attempts (so the counters
    // hold still while nothing is published); a friction fault adds its events on the cohort's first account.
    for (const auto &[name, help, base, faulted] :
         {std::tuple{"raize_platform_rate_limits_total", "Publish attempts the platform answered with its rate limit.", TrafficModel::RateLimitRatio,
                     &Lane::rateLimited},
          std::tuple{"raize_platform_checkpoints_total", "Publish attempts stopped by a platform checkpoint (account verification).",
                     TrafficModel::CheckpointRatio, &Lane::checkpoints}}) {
        family(name, "counter", help);
        for (const Row &r : rows) {
            const qsizetype n = r.cohort->accounts.size();
            for (const QString &account : r.cohort->accounts) {
                const double own = base * attempts(r) / n + (account == r.cohort->accounts.first() ? r.state->*faulted : 0.0);
                out += QByteArray(name) + '{' + r.labels + ",service=\"runner\",account=\"" + account.toUtf8() + "\"} " + num(own) + '\n';
            }
        }
    }
    out += deploymentMetricsText();
    return out;
}

json PlatformSim::sideEffects() const
{
    return {{"lastSideEffectAt", m_lastSideEffectAt}, {"lastPollAt", m_lastPollAt}, {"sdkRefreshMs", m_pollMs}, {"polls", m_polls}};
}

json PlatformSim::status() const
{
    json lanes = json::object();
    for (auto it = m_lanes.cbegin(); it != m_lanes.cend(); ++it)
    {
        json faults = json::array();
        for (const QString &f : it->activeFaults)
            faults.push_back(f.toStdString());
        lanes[it.key().toStdString()] = {{"publishing", it->publishing}, {"canaryOn", it->canaryOn}, {"effectActive", it->effectActive},
                                         {"queueDepth", it->queueDepth}, {"killSwitchIgnored", it->killSwitchIgnored},
                                         {"sideEffectsWhileKillSwitchOff", it->sideEffectsWhileOff}, {"activeFaults", faults},
                                         {"firstWrongAccountAt", it->firstWrongAccountAt}, {"firstDuplicateAt", it->firstDuplicateAt}};
    }
    return {{"polls", m_polls}, {"pollFailures", m_pollFailures}, {"lastPollError", m_lastPollError.toStdString()},
            {"flagsKnown", m_flags.featureCount()}, {"lanes", lanes}, {"deployments", deploymentCounters()}, {"timeScale", m_scale}};
}

} // namespace Raize::Sandbox
