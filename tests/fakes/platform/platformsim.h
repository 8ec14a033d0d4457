#pragma once

#include "flagevaluator.h"
#include "trafficmodel.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <nlohmann/json.hpp>

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
    //   "inProgress": {"cohort", "minutesAgo"}}
    PlatformSim(HttpServer *metricsServer, VercelFake *vercel, nlohmann::json scenario, QObject *parent = nullptr);

    void setUnleash(const QUrl &url, const QString &clientToken, int pollMs);
    void start(double nowSeconds);
    // Advances the model to `nowSeconds` (the tick timer calls it every second).
    void tick(double nowSeconds);
    QByteArray metricsText(double nowSeconds) const;
    nlohmann::json status() const;

    // Incidents the scenario says were in progress before the sandbox started (for the backfill).
    static QList<TrafficModel::Incident> incidentsInProgress(const nlohmann::json &scenario, double now);

    const FlagEvaluator &flags() const { return m_flags; }

private:
    struct Lane
    {
        double pausedPublish = 0;
        double extraPublishFail = 0;
        double extraHttpErrors = 0;
        double wrongAccount = 0;
        double queueDepth = 0;
        bool publishing = true;
        bool canaryOn = false;
        bool effectActive = false;
    };
    void poll();
    bool effectActive(const TrafficModel::Cohort &c, const QString &lane, const FlagContext &ctx) const;

    HttpServer *m_server;
    VercelFake *m_vercel;
    nlohmann::json m_scenario;
    FlagEvaluator m_flags;
    QNetworkAccessManager *m_nam = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_tickTimer = nullptr;
    QUrl m_unleash;
    QString m_clientToken;
    QHash<QString, Lane> m_lanes; // cohort/lane
    double m_last = 0;
    int m_polls = 0;
    int m_pollFailures = 0;
    QString m_lastPollError;
};

} // namespace Raize::Sandbox
