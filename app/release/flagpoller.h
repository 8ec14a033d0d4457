#pragma once

#include "core/clock.h"
#include "release/freshness.h"
#include "services/flags/flagservice.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>

namespace Raize::Release {

// The flags of one environment as last read from the flag service.
struct FlagSnapshot : Freshness
{
    QString environment;
    QList<Services::FlagState> flags;
};

// Polls FlagService::listFlags; keeps the last good answer when the flag
// service is down or slow, and recovers by itself (issue #6, degraded mode).
class FlagPoller : public QObject
{
    Q_OBJECT

public:
    FlagPoller(Services::FlagService &service, QString environment, int intervalMs = 10000, QObject *parent = nullptr);

    void start();
    void refresh();
    // Where the snapshot's times come from (Clock::system() unless set; not owned).
    void setClock(const Clock &clock) { m_clock = &clock; }
    const FlagSnapshot &snapshot() const { return m_snapshot; }
    int rounds() const { return m_rounds; }
    int intervalMs() const { return m_timer.interval(); }

Q_SIGNALS:
    void updated();

private:
    Services::FlagService &m_service;
    const Clock *m_clock = &Clock::system();
    QTimer m_timer;
    FlagSnapshot m_snapshot;
    bool m_busy = false;
    int m_rounds = 0;
};

} // namespace Raize::Release
