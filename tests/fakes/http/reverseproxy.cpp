#include "reverseproxy.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace Raize::Sandbox {

namespace {
// Qt opens at most six HTTP/1.1 connections per host and manager.
constexpr int ConnectionsPerManager = 6;
const QByteArray kForwarded[] = {"authorization", "content-type", "accept", "if-none-match", "unleash-appname",
                                 "unleash-instanceid", "user-agent"};
const QByteArray kReturned[] = {"content-type", "etag", "cache-control"};
} // namespace

ReverseProxy::ReverseProxy(HttpServer *server, QUrl upstream, int parallel, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_upstream(std::move(upstream))
{
    for (int i = 0; i < qMax(1, (parallel + ConnectionsPerManager - 1) / ConnectionsPerManager); ++i) {
        auto *nam = new QNetworkAccessManager(this);
        nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_pool << nam;
    }
    server->routeAsync({}, u".*"_s, [this](const HttpRequest &r, const QRegularExpressionMatch &, HttpServer::Reply reply) {
        forward(r, std::move(reply));
    });
}

void ReverseProxy::forward(const HttpRequest &request, HttpServer::Reply reply)
{
    QUrl url = m_upstream;
    QString base = url.path();
    if (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + request.path);
    url.setQuery(request.query);
    QNetworkRequest out(url);
    for (const QByteArray &h : kForwarded) {
        if (request.headers.contains(h))
            out.setRawHeader(h, request.headers.value(h));
    }
    out.setTransferTimeout(30000);
    QNetworkAccessManager *nam = m_pool.at(m_next++ % m_pool.size());
    QNetworkReply *r = request.body.isEmpty() ? nam->sendCustomRequest(out, request.method)
                                              : nam->sendCustomRequest(out, request.method, request.body);
    connect(r, &QNetworkReply::finished, this, [this, r, reply = std::move(reply)] {
        r->deleteLater();
        const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0) {
            reply(m_server->error(502, u"upstream_unreachable"_s, u"the flag service did not answer: %1"_s.arg(r->errorString())));
            return;
        }
        HttpResponse response;
        response.status = status;
        response.body = r->readAll();
        for (const QByteArray &h : kReturned) {
            if (r->hasRawHeader(h))
                response.setHeader(h == "content-type" ? QByteArray("Content-Type") : h == "etag" ? QByteArray("ETag") : QByteArray("Cache-Control"),
                                   r->rawHeader(h));
        }
        reply(std::move(response));
    });
}

} // namespace Raize::Sandbox
