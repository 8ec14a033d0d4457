#pragma once

#include "core/clock.h"
#include "release/freshness.h"
#include "services/vercel/vercelclient.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>

#include <optional>

namespace Raize::Release {

// What is live in Preview, Staging and Production, as last read from Vercel.
struct EnvironmentSnapshot : Freshness
{
    struct Environment
    {
        QString name; // "Preview", "Staging", "Production"
        std::optional<Services::VercelDeployment> deployment;
    };

    QList<Environment> environments; // in header order
    QString projectName;
    bool pinned = false;              // production pinned after an Instant Rollback
    QString rollbackFrom, rollbackDescription;
    const Environment *find(const QString &name) const;
};

// Polls the Vercel project and its deployments; keeps the last good answer
// when Vercel is slow, down or rate-limited (issue #6, degraded mode).
class EnvironmentPoller : public QObject
{
    Q_OBJECT

public:
    EnvironmentPoller(Services::VercelClient &client, int intervalMs = 15000, QObject *parent = nullptr);

    void start();
    void refresh();
    const EnvironmentSnapshot &snapshot() const { return m_snapshot; }
    bool busy() const { return m_busy; }
    int rounds() const { return m_rounds; } // completed rounds, good or bad
    int intervalMs() const { return m_timer.interval(); }
    // Where the snapshot's times come from (Clock::system() unless set; not owned).
    void setClock(const Clock &clock) { m_clock = &clock; }

Q_SIGNALS:
    void updated();

private:
    void fail(const Error &error);

    Services::VercelClient &m_client;
    const Clock *m_clock = &Clock::system();
    QTimer m_timer;
    EnvironmentSnapshot m_snapshot;
    bool m_busy = false;
    int m_rounds = 0;
};

} // namespace Raize::Release
