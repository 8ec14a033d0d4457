#pragma once

#include "httpserver.h"

#include <QList>
#include <QObject>
#include <QUrl>

class QNetworkAccessManager;

namespace Raize::Sandbox {

// Forwards every request of an HttpServer to a real service (the sandbox
// puts one in front of Unleash), so that the fault injector and the request
// log see the flag service's calls as they see Vercel's and GitHub's.
// Requests go out in parallel (a pool of connections, not Qt's six per
// host), so the proxy adds no queueing of its own.
class ReverseProxy : public QObject
{
    Q_OBJECT

public:
    ReverseProxy(HttpServer *server, QUrl upstream, int parallel = 48, QObject *parent = nullptr);

private:
    void forward(const HttpRequest &request, HttpServer::Reply reply);

    HttpServer *m_server;
    QUrl m_upstream;
    QList<QNetworkAccessManager *> m_pool;
    int m_next = 0;
};

} // namespace Raize::Sandbox
