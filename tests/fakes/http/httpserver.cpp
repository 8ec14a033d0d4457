#include "httpserver.h"

#include "faultinjector.h"
#include "requestlog.h"

#include "core/jsonutil.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    }
    return "Status";
}

void dropKey(nlohmann::json &j, const std::string &field)
{
    if (j.is_object()) {
        if (!field.empty() && j.contains(field)) {
            j.erase(field);
            return;
        }
        if (field.empty() && !j.empty()) {
            j.erase(j.begin());
            return;
        }
        for (auto &[k, v] : j.items()) {
            if (v.is_array() || v.is_object()) {
                const auto before = v.dump();
                dropKey(v, field);
                if (v.dump() != before)
                    return;
            }
        }
    } else if (j.is_array() && !j.empty()) {
        dropKey(j[0], field);
    }
}

} // namespace

QString HttpRequest::queryValue(const QString &key, const QString &fallback) const
{
    return query.hasQueryItem(key) ? query.queryItemValue(key, QUrl::FullyDecoded) : fallback;
}

nlohmann::json HttpRequest::json() const
{
    return Json::parse(body);
}

HttpResponse HttpResponse::json(int status, const nlohmann::json &body)
{
    HttpResponse r;
    r.status = status;
    r.body = Json::dump(body);
    r.isJson = true;
    r.setHeader("Content-Type", "application/json; charset=utf-8");
    return r;
}

HttpResponse HttpResponse::empty(int status)
{
    HttpResponse r;
    r.status = status;
    return r;
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}

QByteArray HttpResponse::headerValue(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

struct HttpServer::Connection
{
    QByteArray buffer;
    bool busy = false; // a response (possibly delayed) is pending
};

HttpServer::HttpServer(QString service, FaultInjector *faults, RequestLog *log, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
    , m_faults(faults)
    , m_log(log)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
    m_errorBody = [](int, const QString &code, const QString &message) {
        return nlohmann::json{{"error", {{"code", code.toStdString()}, {"message", message.toStdString()}}}};
    };
}

HttpServer::~HttpServer()
{
    qDeleteAll(m_connections);
}

bool HttpServer::listen(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

void HttpServer::close()
{
    m_server->close();
    const auto sockets = m_connections.keys();
    for (QTcpSocket *socket : sockets)
        socket->abort();
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

QString HttpServer::baseUrl() const
{
    return u"http://127.0.0.1:%1"_s.arg(port());
}

void HttpServer::route(const QByteArray &method, const QString &pathPattern, Handler handler)
{
    m_routes.append({method, QRegularExpression(QRegularExpression::anchoredPattern(pathPattern)), std::move(handler), {}});
}

void HttpServer::routeAsync(const QByteArray &method, const QString &pathPattern, AsyncHandler handler)
{
    m_routes.append({method, QRegularExpression(QRegularExpression::anchoredPattern(pathPattern)), {}, std::move(handler)});
}

HttpResponse HttpServer::error(int status, const QString &code, const QString &message) const
{
    return HttpResponse::json(status, m_errorBody(status, code, message));
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_connections.insert(socket, new Connection);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            delete m_connections.take(socket);
            socket->deleteLater();
        });
    }
}

bool HttpServer::parseOne(Connection &c, HttpRequest *out)
{
    const qsizetype end = c.buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = c.buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() < 2)
        return false;
    HttpRequest r;
    r.service = m_service;
    r.method = requestLine[0].toUpper();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray l = lines[i].trimmed();
        const qsizetype colon = l.indexOf(':');
        if (colon > 0)
            r.headers.insert(l.left(colon).trimmed().toLower(), l.mid(colon + 1).trimmed());
    }
    const qsizetype length = r.headers.value("content-length", "0").toLongLong();
    if (c.buffer.size() < end + 4 + length)
        return false;
    r.body = c.buffer.mid(end + 4, length);
    c.buffer.remove(0, end + 4 + length);
    const QUrl url = QUrl::fromEncoded(requestLine[1]);
    r.path = url.path(QUrl::FullyDecoded);
    r.query = QUrlQuery(url.query(QUrl::FullyEncoded));
    *out = std::move(r);
    return true;
}

void HttpServer::onReadyRead(QTcpSocket *socket)
{
    Connection *c = m_connections.value(socket);
    if (!c)
        return;
    c->buffer += socket->readAll();
    if (c->busy)
        return;
    HttpRequest request;
    if (parseOne(*c, &request))
        dispatch(socket, std::move(request));
}

HttpResponse HttpServer::handle(const HttpRequest &request)
{
    bool pathMatched = false;
    for (const Route &r : std::as_const(m_routes)) {
        const QRegularExpressionMatch m = r.pattern.match(request.path);
        if (!m.hasMatch())
            continue;
        pathMatched = true;
        if (!r.method.isEmpty() && r.method != request.method)
            continue;
        if (r.asyncHandler)
            return error(500, u"internal_error"_s, u"asynchronous route used synchronously"_s);
        try {
            return r.handler(request, m);
        } catch (const std::exception &e) {
            return error(500, u"internal_error"_s, u"sandbox handler failed: "_s + QString::fromUtf8(e.what()));
        }
    }
    return pathMatched ? error(405, u"method_not_allowed"_s, u"method not allowed"_s)
                       : error(404, u"not_found"_s, u"no such endpoint in the sandbox: %1"_s.arg(request.path));
}

void HttpServer::handleAsync(const HttpRequest &request, Reply done)
{
    for (const Route &r : std::as_const(m_routes)) {
        if (!r.asyncHandler || (!r.method.isEmpty() && r.method != request.method))
            continue;
        const QRegularExpressionMatch m = r.pattern.match(request.path);
        if (m.hasMatch()) {
            r.asyncHandler(request, m, std::move(done));
            return;
        }
    }
    done(handle(request));
}

void HttpServer::dispatch(QTcpSocket *socket, HttpRequest request)
{
    Connection *c = m_connections.value(socket);
    c->busy = true;
    request.id = m_log->begin(request);
    const qint64 started = nowMs();
    const std::optional<FaultRule> fault = m_faults ? m_faults->take(request) : std::nullopt;
    const bool closeAfter = request.header("connection").toLower() == "close";
    QPointer<QTcpSocket> guard(socket);

    // Answers through handleAsync, unless the connection went away meanwhile.
    const auto answer = [this, guard, request, started, closeAfter](const QString &fault, std::function<void(HttpResponse &)> change) {
        handleAsync(request, [this, guard, request, started, closeAfter, fault, change](HttpResponse r) {
            if (!guard)
                return;
            if (change)
                change(r);
            send(guard, request, std::move(r), started, fault, closeAfter);
        });
    };
    if (!fault) {
        answer({}, {});
        return;
    }
    const QString faultName = FaultRule::modeName(fault->mode);
    switch (fault->mode) {
    case FaultRule::Mode::Latency:
        QTimer::singleShot(fault->latencyMs, this, [answer, faultName] { answer(faultName, {}); });
        return;
    case FaultRule::Mode::Error:
        send(socket, request, error(fault->status, u"sandbox_fault"_s, u"injected error %1"_s.arg(fault->status)), started, faultName, closeAfter);
        return;
    case FaultRule::Mode::RateLimit: {
        const bool secondary = fault->secondary;
        // GitHub's two wordings of a secondary limit: today's, and the older "abuse detection" one.
        const QString secondaryMessage =
            fault->wording == u"abuse"_s
                ? u"You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."_s
                : u"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."_s;
        HttpResponse r = secondary ? error(fault->statusGiven ? fault->status : 403, u"rate_limited"_s, secondaryMessage)
                                   : error(429, u"rate_limited"_s, u"Too many requests: retry in %1 s"_s.arg(fault->retryAfterSeconds));
        if (!fault->retryAfterText)
            r.setHeader("Retry-After", QByteArray::number(fault->retryAfterSeconds));
        else if (!fault->retryAfterText->isEmpty())
            r.setHeader("Retry-After", *fault->retryAfterText);
        if (!secondary) {
            // A secondary limit leaves the hourly budget alone; a primary one has used it up.
            r.setHeader("X-RateLimit-Remaining", "0");
            r.setHeader("X-RateLimit-Reset", QByteArray::number(QDateTime::currentSecsSinceEpoch() + fault->retryAfterSeconds));
        }
        send(socket, request, r, started, faultName, closeAfter);
        return;
    }
    case FaultRule::Mode::Reset:
        m_log->finish(request.id, 0, nowMs() - started, faultName);
        if (fault->afterHandler) {
            // The change happens; the client never hears of it.
            handleAsync(request, [guard](const HttpResponse &) {
                if (guard)
                    guard->abort();
            });
            return;
        }
        socket->abort();
        return;
    case FaultRule::Mode::Stall: {
        handleAsync(request, [this, guard, request, started, faultName, latency = fault->latencyMs](const HttpResponse &r) {
            if (!guard)
                return;
            QTcpSocket *socket = guard;
            QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + reason(r.status) + "\r\n";
            for (const auto &h : r.headers)
                head += h.first + ": " + h.second + "\r\n";
            head += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n\r\n";
            socket->write(head + r.body.left(r.body.size() / 2));
            m_log->finish(request.id, r.status, nowMs() - started, faultName);
            QTimer::singleShot(latency, this, [guard] {
                if (guard)
                    guard->abort();
            });
        });
        return;
    }
    case FaultRule::Mode::MalformedJson:
        answer(faultName, [](HttpResponse &r) { r.body = "{\"sandbox\": this is not json ]"; });
        return;
    case FaultRule::Mode::TruncatedJson:
        answer(faultName, [](HttpResponse &r) { r.body = r.body.left(qMax<qsizetype>(1, r.body.size() / 2)); });
        return;
    case FaultRule::Mode::WrongContentType:
        answer(faultName, [](HttpResponse &r) {
            r.setHeader("Content-Type", "text/html; charset=utf-8");
            r.body = "<html><body><h1>502 Bad Gateway</h1><p>cloudfront</p></body></html>";
            r.isJson = false;
        });
        return;
    case FaultRule::Mode::SchemaBreak:
        answer(faultName, [field = fault->field.toStdString()](HttpResponse &r) {
            nlohmann::json j = Json::parse(r.body);
            if (!j.is_discarded()) {
                dropKey(j, field);
                r.body = Json::dump(j);
            }
        });
        return;
    }
}

void HttpServer::send(QTcpSocket *socket, const HttpRequest &request, HttpResponse response, qint64 startedMs,
                      const QString &fault, bool closeAfter)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reason(response.status) + "\r\n";
    // Each service's own request id header, as the real one sends it on every answer (ENDPOINTS.md, docs): Vercel's
    // x-vercel-id ("<edge>::<region>::<id>"), GitHub's X-GitHub-Request-Id (hex fields); the other fakes a generic one.
    if (m_service == u"vercel"_s)
        response.setHeader("x-vercel-id", "sbx1::sbx1::sandbox-" + QByteArray::number(request.id) + '-' + QByteArray::number(startedMs));
    else if (m_service == u"github"_s)
        response.setHeader("X-GitHub-Request-Id", QStringLiteral("5A5B:0000:%1:%2:%3")
                                                      .arg(request.id, 6, 16, QLatin1Char('0'))
                                                      .arg(startedMs % 0xFFFFFF, 6, 16, QLatin1Char('0'))
                                                      .arg(startedMs / 1000 % 0xFFFFFFFF, 8, 16, QLatin1Char('0'))
                                                      .toUpper()
                                                      .toLatin1());
    else
        response.setHeader("X-Request-Id", "sandbox-" + QByteArray::number(request.id));
    if (response.status != 204 && response.status != 304 && response.headerValue("Content-Type").isEmpty() && !response.body.isEmpty())
        response.setHeader("Content-Type", "application/json; charset=utf-8");
    for (const auto &h : std::as_const(response.headers))
        out += h.first + ": " + h.second + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    if (closeAfter)
        out += "Connection: close\r\n";
    out += "\r\n" + response.body;
    socket->write(out);
    m_log->finish(request.id, response.status, nowMs() - startedMs, fault);
    if (closeAfter) {
        socket->disconnectFromHost();
        return;
    }
    if (Connection *c = m_connections.value(socket)) {
        c->busy = false;
        HttpRequest next;
        if (parseOne(*c, &next)) {
            QPointer<QTcpSocket> guard(socket);
            QTimer::singleShot(0, this, [this, guard, next] {
                if (guard)
                    dispatch(guard, next);
            });
        }
    }
}

} // namespace Raize::Sandbox
