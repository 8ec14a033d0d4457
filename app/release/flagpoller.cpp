#include "release/flagpoller.h"

#include <QPointer>

namespace Raize::Release {

FlagPoller::FlagPoller(Services::FlagService &service, QString environment, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
    m_snapshot.environment = std::move(environment);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &FlagPoller::refresh);
}

void FlagPoller::start()
{
    m_timer.start();
    refresh();
}

void FlagPoller::refresh()
{
    if (m_busy)
        return; // a slow flag service must not pile up requests
    m_busy = true;
    QPointer<FlagPoller> self(this);
    m_service.listFlags(m_snapshot.environment, [self](const Result<QList<Services::FlagState>> &flags) {
        if (!self)
            return;
        FlagSnapshot &s = self->m_snapshot;
        if (flags) {
            s.flags = flags.value();
            s.markFresh(self->m_clock->nowUtc());
        } else {
            s.markFailed(flags.error(), self->m_clock->nowUtc());
        }
        self->m_busy = false;
        ++self->m_rounds;
        Q_EMIT self->updated();
    });
}

} // namespace Raize::Release
