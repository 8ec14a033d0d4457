#include "core/servicemonitor.h"

namespace Raize {

using namespace Qt::StringLiterals;

QString ServiceStatus::stateName(State state)
{
    switch (state) {
    case State::NotConfigured: return u"not configured"_s;
    case State::Unchecked: return u"configured, not checked yet"_s;
    case State::Connected: return u"connected"_s;
    case State::RateLimited: return u"rate-limited"_s;
    case State::Down: return u"down"_s;
    case State::AuthFailed: return u"token rejected"_s;
    }
    return {};
}

ServiceMonitor::ServiceMonitor(QObject *parent)
    : QObject(parent)
{
    for (Service s : allServices())
        m_status.insert(s, ServiceStatus{});
}

ServiceStatus ServiceMonitor::status(Service service) const
{
    return m_status.value(service);
}

void ServiceMonitor::setState(Service service, ServiceStatus::State state, const QString &detail, const QDateTime &now)
{
    ServiceStatus &s = m_status[service];
    if (s.state == state && s.detail == detail)
        return;
    if (s.state != state)
        s.since = now;
    s.state = state;
    s.detail = detail;
    Q_EMIT changed(service);
}

void ServiceMonitor::setBudget(Service service, int remaining, int limit, const QDateTime &reset)
{
    ServiceStatus &s = m_status[service];
    s.budgetRemaining = remaining;
    s.budgetLimit = limit;
    s.budgetReset = reset;
    Q_EMIT changed(service);
}

void ServiceMonitor::initFrom(const Settings &settings)
{
    const auto configured = [&](Service s) {
        switch (s) {
        case Service::Vercel: return !settings.string(SettingKey::VercelBaseUrl).isEmpty() && !settings.string(SettingKey::VercelProjectId).isEmpty();
        case Service::GitHub: return !settings.string(SettingKey::GitHubApiUrl).isEmpty() && !settings.string(SettingKey::GitHubOwner).isEmpty() && !settings.string(SettingKey::GitHubRepo).isEmpty();
        case Service::Flags:
        case Service::FlagsClient: return !settings.string(SettingKey::FlagsUrl).isEmpty();
        case Service::Prometheus: return !settings.string(SettingKey::PrometheusUrl).isEmpty();
        case Service::VercelBypass: return !settings.string(SettingKey::VercelProductionProbeUrl).isEmpty();
        }
        return false;
    };
    for (Service s : allServices()) {
        if (configured(s))
            setState(s, ServiceStatus::State::Unchecked);
        else
            setState(s, ServiceStatus::State::NotConfigured, u"set it up in Settings"_s);
    }
}

} // namespace Raize
