#pragma once

#include "flagevaluator.h"
#include "trafficmodel.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QTimer;

namespace Raize::Sandbox {

class HttpServer;
class VercelFake;

// The platform's runner and web tier as production would run them: flags
// come from Unleash's client API (polled like an SDK), behaviour from the
// scenario and from which deployment serves production, metrics go to
// GET /metrics for Prometheus (docs/contracts.md).
class PlatformSim : public QObject
{
    Q_OBJECT

public:
    // scenario: the "platform" part: {"badDeployment", "canaryFlags": [...],
    //   "effect": {"publishFailure"|"wrongAccount"|"httpErrors": ratio}, "requiresFlag": bool,
    //   "inProgress": {"cohort", "minutesAgo"}, "faults": [PlatformFault]}
    // The faults must have been checked (PlatformFault::listFromScenario); a
    // scenario whose faults do not parse runs without them.
    PlatformSim(HttpServer *metricsServer, VercelFake *vercel, nlohmann::json scenario, QObject *parent = nullptr);

    void setUnleash(const QUrl &url, const QString &clientToken, int pollMs);
    // realTime false: no timers; the caller moves time with tick() (in-process tests on a fake clock).
    void start(double nowSeconds, bool realTime = true);
    // Advances the model to `nowSeconds` (the tick timer calls it every second).
    void tick(double nowSeconds);
    QByteArray metricsText(double nowSeconds) const;
    nlohmann::json status() const;
    // GET /side-effects on the metrics server (issue #16 item 3): the wall-clock
    // time of the simulator's last side effect (a publish run while the flags
    // said publish), its SDK refresh interval, and when it last read the flags.
    nlohmann::json sideEffects() const;

    // Incidents the scenario says were in progress before the sandbox started (for the backfill).
    static QList<TrafficModel::Incident> incidentsInProgress(const nlohmann::json &scenario, double now);

    const FlagEvaluator &flags() const { return m_flags; }
    // The flags as Unleash's client API would serve them, for in-process use without Unleash.
    bool setFlags(const nlohmann::json &clientFeatures);
    const QList<PlatformFault> &faults() const { return m_faults; }

    // ---- which deployment serves the production domain (ADR 0027) ----
    // GET /__deployment answers {"deploymentId"} and the X-Raize-Deployment header with the deployment a
    // request lands on. The picker decides it per request (its argument counts the requests); the default
    // is the deployment the Vercel fake's production alias points at. A traffic split plugs its own in.
    using ServingPicker = std::function<QString(quint64 request)>;
    void setServingPicker(ServingPicker picker) { m_servingPicker = std::move(picker); }
    // Deployment Protection on the domain: a request without this x-vercel-protection-bypass value gets
    // 401 (empty: unprotected).
    void setProtectionBypass(const QString &secret) { m_protectionBypass = secret; }
    // The web tier behind a Vercel rolling release (issue #20; platformsplit.cpp): each web request is
    // served by the current or the canary deployment in the proportion of the active stage, counted by the
    // deployment that served it (raize_http_requests_by_deployment_total), and the scenario's
    // "deploymentEffects" ({"dpl_x": {"httpErrors": ratio}}) fail that share of the requests the named
    // deployment serves (on the SLO's own series too). GET /served-by names the deployment that served it.
    nlohmann::json servedBy();
    nlohmann::json deploymentCounters() const;
    // Replaces the scenario's "deploymentEffects" (POST /__sandbox/platform/deployment-effects): a test turns a
    // bad canary good, or the other way round, without a second sandbox. False: not an object of objects.
    bool setDeploymentEffects(const nlohmann::json &effects);

    // ---- time compression (issue #20: the good canary end to end within the suite's limits) ----
    // The traffic model's clock runs `factor` times as fast as the wall clock from now on (1: real time),
    // continuing from where it is, so every counter keeps rising and never jumps back; Prometheus then
    // scrapes `factor` seconds of traffic every second. POST /__sandbox/platform/time-scale {"factor": N}.
    // The model's times (side effects, fault windows) are its own clock's, not the wall clock's, while N > 1.
    bool setTimeScale(double factor);
    double timeScale() const { return m_scale; }
    // The model's time now (Unix seconds): the wall clock through the time scale.
    double simNow() const;

private:
    struct Lane
    {
        double pausedPublish = 0;
        std::optional<double> heldAttempts; // set while the lane runs nothing: its attempts counter, frozen
        double wrongAccount = 0;
        double duplicates = 0;
        double rateLimited = 0; // friction faults' events, on the cohort's first account
        double checkpoints = 0;
        double sideEffectsWhileOff = 0; // side effects done while publishing.enabled was off for the lane
        // The simulator's own time (Unix seconds) of the first wrong-account and duplicate event (0: none yet),
        // what a detection delay is measured from (issue #16: "onset").
        double firstWrongAccountAt = 0;
        double firstDuplicateAt = 0;
        double queueDepth = 0;
        double stuckSince = 0;          // > 0: nothing dequeued since then
        // "kind/service" → what faults and the legacy effect added to the stream.
        QHash<QString, TrafficModel::Extra> extras;
        bool publishing = true;
        bool killSwitchIgnored = false;
        bool canaryOn = false;
        bool effectActive = false;
        QStringList activeFaults;
    };
    void poll();
    void deploymentRoute();
    bool effectActive(const TrafficModel::Cohort &c, const QString &lane, const FlagContext &ctx) const;
    bool faultActive(const PlatformFault &f, const FlagContext &ctx) const;
    TrafficModel::Extra extra(const Lane &l, PlatformFault::Kind kind, const QString &service) const;
    // platformsplit.cpp: the split's part of a tick, and its metric family.
    void tickDeploymentSplit(double now, double dt);
    QByteArray deploymentMetricsText() const;
    struct DeploymentCounter
    {
        double requests = 0;
        double errors = 0;
    };
    QHash<QString, DeploymentCounter> m_byDeployment;
    quint64 m_servedBy = 0;

    HttpServer *m_server;
    VercelFake *m_vercel;
    nlohmann::json m_scenario;
    QList<PlatformFault> m_faults;
    FlagEvaluator m_flags;
    QNetworkAccessManager *m_nam = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_tickTimer = nullptr;
    QUrl m_unleash;
    QString m_clientToken;
    QHash<QString, Lane> m_lanes; // cohort/lane
    double m_last = 0;
    double m_scale = 1, m_realOrigin = 0, m_simOrigin = 0; // simNow() = simOrigin + (wall − realOrigin) × scale
    double m_lastSideEffectAt = 0; // unix seconds; 0: none yet
    double m_lastPollAt = 0;
    int m_pollMs = 0;
    int m_polls = 0;
    int m_pollFailures = 0;
    QString m_lastPollError;
    ServingPicker m_servingPicker;
    quint64 m_servingRequests = 0;
    QString m_protectionBypass;
};

} // namespace Raize::Sandbox
