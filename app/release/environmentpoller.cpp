#include "release/environmentpoller.h"

#include <QPointer>

namespace Raize::Release {

using namespace Qt::StringLiterals;
using Services::VercelDeployment;

const EnvironmentSnapshot::Environment *EnvironmentSnapshot::find(const QString &name) const
{
    for (const Environment &e : environments) {
        if (e.name == name)
            return &e;
    }
    return nullptr;
}

EnvironmentPoller::EnvironmentPoller(Services::VercelClient &client, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EnvironmentPoller::refresh);
}

void EnvironmentPoller::start()
{
    m_timer.start();
    refresh();
}

void EnvironmentPoller::fail(const Error &error)
{
    m_busy = false;
    ++m_rounds;
    m_snapshot.markFailed(error, m_clock->nowUtc());
    Q_EMIT updated();
}

void EnvironmentPoller::refresh()
{
    if (m_busy)
        return; // a slow Vercel must not pile up requests
    m_busy = true;
    QPointer<EnvironmentPoller> self(this);
    m_client.project([self](const Result<Services::VercelProject> &project) {
        if (!self)
            return;
        if (!project)
            return self->fail(project.error());
        // Newest first; preview deployments have no target.
        self->m_client.deployments(QString(), 40, [self, project = project.value()](const Result<QList<VercelDeployment>> &list) {
            if (!self)
                return;
            if (!list)
                return self->fail(list.error());
            EnvironmentSnapshot next;
            next.projectName = project.name;
            next.pinned = project.pinned;
            next.rollbackFrom = project.rollbackFrom;
            next.rollbackDescription = project.rollbackDescription;
            std::optional<VercelDeployment> preview, staging;
            for (const VercelDeployment &d : list.value()) {
                if (!preview && d.target.isEmpty())
                    preview = d;
                if (!staging && d.target == u"staging"_s)
                    staging = d;
            }
            next.environments = {{u"Preview"_s, preview}, {u"Staging"_s, staging}, {u"Production"_s, project.production}};
            next.markFresh(self->m_clock->nowUtc());
            self->m_snapshot = next;
            self->m_busy = false;
            ++self->m_rounds;
            Q_EMIT self->updated();
        });
    });
}

} // namespace Raize::Release
