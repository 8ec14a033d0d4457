#pragma once

#include "core/settings.h"

#include <QDateTime>
#include <QHash>
#include <QObject>

namespace Raize {

// The connection state of each service, as the status bar shows it. The HTTP
// layer reports into it; views read it to mark data stale.
struct ServiceStatus
{
    enum class State {
        NotConfigured, // no URL (or no token) set
        Unchecked,     // configured, nothing asked yet
        Connected,     // the last request succeeded
        RateLimited,   // waiting for the budget to reset
        Down,          // the last request failed: network, 5xx, timeout
        AuthFailed,    // 401/403: the token is wrong or lacks a permission
    };

    State state = State::NotConfigured;
    QString detail;        // e.g. "connection refused", "4,812/5,000 left"
    QDateTime since;       // when this state began (UTC)
    int budgetRemaining = -1;
    int budgetLimit = -1;
    QDateTime budgetReset;

    static QString stateName(State state);
};

class ServiceMonitor : public QObject
{
    Q_OBJECT

public:
    explicit ServiceMonitor(QObject *parent = nullptr);

    ServiceStatus status(Service service) const;
    void setState(Service service, ServiceStatus::State state, const QString &detail = {},
                  const QDateTime &now = QDateTime::currentDateTimeUtc());
    void setBudget(Service service, int remaining, int limit, const QDateTime &reset);

    // Marks each service NotConfigured or Unchecked from the settings.
    void initFrom(const Settings &settings);

Q_SIGNALS:
    void changed(Raize::Service service);

private:
    QHash<Service, ServiceStatus> m_status;
};

} // namespace Raize
