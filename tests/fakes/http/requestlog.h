#pragma once

#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Sandbox {

struct HttpRequest;

struct LoggedRequest
{
    qint64 id = 0;
    QDateTime time;        // when the request arrived (UTC)
    qint64 monotonicMs = 0;
    QString service;
    QString method;
    QString path;
    QString query;
    nlohmann::json headers; // sensitive ones redacted
    QString body;           // first 64 KiB
    int status = 0;         // 0: no answer (reset)
    qint64 durationMs = 0;
    QString fault;          // the fault mode that fired, if any

    nlohmann::json toJson() const;
};

// Every request every simulated service received, for tests and the control surface.
class RequestLog
{
public:
    qint64 begin(const HttpRequest &request);
    void finish(qint64 id, int status, qint64 durationMs, const QString &fault);

    QList<LoggedRequest> entries(const QString &service = {}) const;
    nlohmann::json toJson(const QString &service = {}, qint64 sinceId = 0) const;
    void clear();

private:
    mutable QMutex m_mutex;
    QList<LoggedRequest> m_entries;
    qint64 m_nextId = 1;
};

} // namespace Raize::Sandbox
