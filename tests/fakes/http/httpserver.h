#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QRegularExpression>
#include <QString>
#include <QUrlQuery>

#include <nlohmann/json.hpp>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace Raize::Sandbox {

class FaultInjector;
class RequestLog;

struct HttpRequest
{
    qint64 id = 0;
    QString service;
    QByteArray method;
    QString path;                         // decoded path without the query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QString queryValue(const QString &key, const QString &fallback = {}) const;
    // Parses the body; a discarded value when it is not JSON.
    nlohmann::json json() const;
};

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool isJson = false;

    static HttpResponse json(int status, const nlohmann::json &body);
    static HttpResponse empty(int status);
    void setHeader(const QByteArray &name, const QByteArray &value);
    QByteArray headerValue(const QByteArray &name) const;
};

// One HTTP/1.1 server per simulated service, on 127.0.0.1 only. Every
// request goes through the fault injector and into the request log.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<HttpResponse(const HttpRequest &, const QRegularExpressionMatch &)>;
    // A handler that answers later (a proxy): it calls `reply` exactly once.
    using Reply = std::function<void(HttpResponse)>;
    using AsyncHandler = std::function<void(const HttpRequest &, const QRegularExpressionMatch &, Reply reply)>;
    // The body of an error in the service's own shape (Vercel's {"error":{...}}, GitHub's {"message":...}).
    using ErrorBody = std::function<nlohmann::json(int status, const QString &code, const QString &message)>;

    HttpServer(QString service, FaultInjector *faults, RequestLog *log, QObject *parent = nullptr);
    ~HttpServer() override;

    bool listen(quint16 port = 0);
    // As if the process stopped: no more connections, open ones dropped. listen() again to come back.
    void close();
    quint16 port() const;
    QString baseUrl() const;
    QString service() const { return m_service; }

    // Routes are tried in the order they were added; the pattern must match the whole path.
    void route(const QByteArray &method, const QString &pathPattern, Handler handler);
    // Every request whose path matches, whatever its method (empty method: any).
    void routeAsync(const QByteArray &method, const QString &pathPattern, AsyncHandler handler);
    void setErrorBody(ErrorBody body) { m_errorBody = std::move(body); }
    HttpResponse error(int status, const QString &code, const QString &message) const;

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    bool parseOne(Connection &c, HttpRequest *out);
    void dispatch(QTcpSocket *socket, HttpRequest request);
    HttpResponse handle(const HttpRequest &request);
    // Runs the request's route and answers through `done` (now, or later for async routes).
    void handleAsync(const HttpRequest &request, Reply done);
    void send(QTcpSocket *socket, const HttpRequest &request, HttpResponse response, qint64 startedMs, const QString &fault,
              bool closeAfter);

    QString m_service;
    FaultInjector *m_faults;
    RequestLog *m_log;
    QTcpServer *m_server;
    struct Route
    {
        QByteArray method;
        QRegularExpression pattern;
        Handler handler;
        AsyncHandler asyncHandler;
    };
    QList<Route> m_routes;
    QHash<QTcpSocket *, Connection *> m_connections;
    ErrorBody m_errorBody;
};

} // namespace Raize::Sandbox
