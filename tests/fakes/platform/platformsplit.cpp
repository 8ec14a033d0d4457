// The platform's web tier behind a Vercel rolling release (issue #20, item 1),
// kept apart from the rest of the simulator: the traffic split by the active
// stage, the requests counted by the deployment that served them, and the
// endpoint that names the deployment serving a request.
//
// Only web requests are split: publishing and DMs run in the runner and its
// queues, which no rolling release touches (ADR 0029), so the runner's series
// carry no deployment label.

#include "platformsim.h"

#include "vercel/vercelfake.h"

#include <cmath>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
// Who serves the web tier and with what share (0–1): the current deployment, and the canary while a rolling release is active.
QList<QPair<QString, double>> shares(const VercelFake *vercel)
{
    if (!vercel)
        return {};
    const VercelFake::TrafficSplit split = vercel->trafficSplit();
    const double canary = split.canary.isEmpty() ? 0.0 : qBound(0.0, split.canaryPercent / 100.0, 1.0);
    QList<QPair<QString, double>> out;
    if (!split.current.isEmpty() && canary < 1.0)
        out.append({split.current, 1.0 - canary});
    if (canary > 0)
        out.append({split.canary, canary});
    return out;
}
} // namespace

void PlatformSim::tickDeploymentSplit(double now, double dt)
{
    using K = PlatformFault::Kind;
    const json effects = m_scenario.value("deploymentEffects", json::object());
    const auto list = shares(m_vercel);
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts()) {
        for (const QString &lane : TrafficModel::lanes()) {
            const double rate = TrafficModel::rateAt(TrafficModel::baseRate(K::HttpErrors, c, lane, u"web"_s), now);
            for (const auto &[deployment, share] : list) {
                const double requests = rate * share * dt;
                const std::string id = deployment.toStdString();
                const double bad = effects.is_object() && effects.contains(id) && effects[id].is_object()
                    ? qBound(0.0, effects[id].value("httpErrors", 0.0), 1.0)
                    : 0.0;
                DeploymentCounter &counter = m_byDeployment[deployment + u'|' + c.id + u'|' + lane];
                counter.requests += requests;
                counter.errors += (TrafficModel::HttpErrorRatio + bad) * requests;
                // The deployment's failures are the web SLO's failures too (the page burns on them).
                if (bad > 0)
                    m_lanes[c.id + u'/' + lane].extras[PlatformFault::kindName(K::HttpErrors) + u"/web"_s].converted += bad * requests;
            }
        }
    }
}

QByteArray PlatformSim::deploymentMetricsText() const
{
    // Labelled like every platform series (service, cohort, lane) and with the deployment that served the requests.
    QByteArray out = "# HELP raize_http_requests_by_deployment_total Web requests by the deployment that served them (rolling releases).\n"
                     "# TYPE raize_http_requests_by_deployment_total counter\n";
    QStringList keys = m_byDeployment.keys();
    keys.sort();
    for (const QString &key : std::as_const(keys)) {
        const QStringList parts = key.split(u'|');
        const DeploymentCounter &c = m_byDeployment[key];
        const QByteArray labels = "cohort=\"" + parts.value(1).toUtf8() + "\",deployment=\"" + parts.value(0).toUtf8() + "\",lane=\""
                                  + parts.value(2).toUtf8() + "\",service=\"web\"";
        out += "raize_http_requests_by_deployment_total{code=\"200\"," + labels + "} " + QByteArray::number(c.requests - c.errors, 'f', 3) + '\n';
        out += "raize_http_requests_by_deployment_total{code=\"500\"," + labels + "} " + QByteArray::number(c.errors, 'f', 3) + '\n';
    }
    return out;
}

json PlatformSim::servedBy()
{
    // Deterministic: of every 100 requests, exactly the stage's percentage go to the canary, spread evenly.
    const VercelFake::TrafficSplit split = m_vercel ? m_vercel->trafficSplit() : VercelFake::TrafficSplit{};
    const double p = split.canary.isEmpty() ? 0.0 : qBound(0.0, split.canaryPercent, 100.0);
    const quint64 n = m_servedBy++;
    const bool canary = std::floor(double(n + 1) * p / 100.0) > std::floor(double(n) * p / 100.0);
    const QString who = canary ? split.canary : split.current;
    return {{"deployment", who.toStdString()},
            {"current", split.current.toStdString()},
            {"canary", split.canary.isEmpty() ? json(nullptr) : json(split.canary.toStdString())},
            {"canaryPercent", p}};
}

json PlatformSim::deploymentCounters() const
{
    // Summed over cohorts and lanes, by deployment.
    json out = json::object();
    for (auto it = m_byDeployment.cbegin(); it != m_byDeployment.cend(); ++it) {
        json &d = out[it.key().section(u'|', 0, 0).toStdString()];
        if (!d.is_object())
            d = {{"requests", 0.0}, {"errors", 0.0}};
        d["requests"] = d["requests"].get<double>() + it->requests;
        d["errors"] = d["errors"].get<double>() + it->errors;
    }
    return out;
}

} // namespace Raize::Sandbox
