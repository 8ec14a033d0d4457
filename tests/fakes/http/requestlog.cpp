#include "requestlog.h"

#include "httpserver.h"

#include "core/redactor.h"

#include <QElapsedTimer>

namespace Raize::Sandbox {

namespace {
qint64 monotonicNow()
{
    static QElapsedTimer timer = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return timer.elapsed();
}
} // namespace

nlohmann::json LoggedRequest::toJson() const
{
    return {{"id", id},
            {"time", time.toString(Qt::ISODateWithMs).toStdString()},
            {"monotonicMs", monotonicMs},
            {"service", service.toStdString()},
            {"method", method.toStdString()},
            {"path", path.toStdString()},
            {"query", query.toStdString()},
            {"headers", headers},
            {"body", body.toStdString()},
            {"status", status},
            {"durationMs", durationMs},
            {"fault", fault.toStdString()}};
}

qint64 RequestLog::begin(const HttpRequest &request)
{
    LoggedRequest e;
    e.time = QDateTime::currentDateTimeUtc();
    e.monotonicMs = monotonicNow();
    e.service = request.service;
    e.method = QString::fromLatin1(request.method);
    e.path = request.path;
    e.query = request.query.toString(QUrl::FullyDecoded);
    e.headers = nlohmann::json::object();
    for (auto it = request.headers.cbegin(); it != request.headers.cend(); ++it)
        e.headers[it.key().toStdString()] = Redactor::redactHeader(it.key(), it.value()).toStdString();
    e.body = QString::fromUtf8(request.body.left(64 * 1024));
    QMutexLocker lock(&m_mutex);
    e.id = m_nextId++;
    m_entries.append(e);
    return e.id;
}

void RequestLog::finish(qint64 id, int status, qint64 durationMs, const QString &fault)
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it) {
        if (it->id == id) {
            it->status = status;
            it->durationMs = durationMs;
            it->fault = fault;
            return;
        }
    }
}

QList<LoggedRequest> RequestLog::entries(const QString &service) const
{
    QMutexLocker lock(&m_mutex);
    if (service.isEmpty())
        return m_entries;
    QList<LoggedRequest> out;
    for (const LoggedRequest &e : m_entries) {
        if (e.service == service)
            out.append(e);
    }
    return out;
}

nlohmann::json RequestLog::toJson(const QString &service, qint64 sinceId) const
{
    nlohmann::json arr = nlohmann::json::array();
    for (const LoggedRequest &e : entries(service)) {
        if (e.id > sinceId)
            arr.push_back(e.toJson());
    }
    return arr;
}

void RequestLog::clear()
{
    QMutexLocker lock(&m_mutex);
    m_entries.clear();
}

} // namespace Raize::Sandbox
