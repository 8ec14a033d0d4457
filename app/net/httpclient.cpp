#include "net/httpclient.h"

#include "core/clock.h"
#include "core/logging.h"
#include "core/redactor.h"
#include "core/servicemonitor.h"
#include "core/version.h"
#include "net/serviceerror.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

namespace Raize::Net {

using namespace Qt::StringLiterals;

namespace {

// A body Qt cannot rewind: with DoNotBufferUploadDataAttribute this stops
// QNetworkAccessManager from silently re-sending a mutation whose connection
// dropped before the answer (test_fake_faults/qnamResendsAfterReset).
class OneShotBody : public QIODevice
{
public:
    OneShotBody(QByteArray data, QObject *parent) : QIODevice(parent), m_data(std::move(data)) { open(QIODevice::ReadOnly); }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return (m_data.size() - m_pos) + QIODevice::bytesAvailable(); }

protected:
    qint64 readData(char *out, qint64 max) override
    {
        const qint64 n = qMin(max, qint64(m_data.size() - m_pos));
        std::memcpy(out, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qsizetype m_pos = 0;
};

HttpClient::TestHook &testHook()
{
    static HttpClient::TestHook hook;
    return hook;
}

QString redactedUrl(const QUrl &url)
{
    return Redactor::redact(url.toString(QUrl::RemoveUserInfo));
}

} // namespace

bool Request::isIdempotent() const
{
    if (idempotent)
        return *idempotent;
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

struct HttpClient::Pending
{
    quint64 id = 0;
    Request request;
    Callback done;
    int attempt = 0;
    QElapsedTimer elapsed;
    Response response;
    int secondaryHits = 0; // secondary rate limits this request met
    bool readBack = false; // issued by another request's read-back: jumps GitHub's queue
    bool mutating() const { return !request.isIdempotent(); }
};

HttpClient::HttpClient(ServiceMonitor *monitor, QObject *parent)
    : QObject(parent)
    , m_clock(&Clock::system())
    , m_nam(new QNetworkAccessManager(this))
    , m_monitor(monitor)
{
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    m_nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

HttpClient::~HttpClient() = default;

void HttpClient::setTestHook(TestHook hook)
{
    testHook() = std::move(hook);
}

void HttpClient::setToken(Service service, const QString &token)
{
    Redactor::registerSecret(token);
    m_tokens.insert(service, token);
}

void HttpClient::setParallelConnections(int connections)
{
    constexpr int PerManager = 6; // Qt's HTTP/1.1 connections per host and manager
    const int managers = qMax(1, (connections + PerManager - 1) / PerManager);
    while (m_extraNams.size() + 1 < managers) {
        auto *nam = new QNetworkAccessManager(this);
        nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
        m_extraNams << nam;
    }
}

QNetworkAccessManager *HttpClient::nextManager()
{
    if (m_extraNams.isEmpty())
        return m_nam;
    const int i = m_nextNam++ % int(m_extraNams.size() + 1);
    return i == 0 ? m_nam : m_extraNams.at(i - 1);
}

void HttpClient::forgetCached(const QString &keyPrefix)
{
    m_etagCache.removeIf([&](const auto &entry) { return entry.key().startsWith(keyPrefix); });
}

QByteArray HttpClient::authorization(Service service, const QString &token)
{
    if (token.isEmpty())
        return {};
    switch (service) {
    case Service::Vercel:
    case Service::GitHub:
    case Service::Prometheus:
        return "Bearer " + token.toUtf8();
    case Service::Flags:
    case Service::FlagsClient:
        return token.toUtf8(); // Unleash and LaunchDarkly take the raw key
    case Service::VercelBypass:
        return {}; // never an Authorization header to the production domain: the secret goes in its own header
    }
    return {};
}

void HttpClient::send(Request request, Callback done)
{
    auto p = std::make_shared<Pending>();
    p->id = m_nextId++;
    p->request = std::move(request);
    p->done = std::move(done);
    p->elapsed.start();
    if (p->request.service == Service::GitHub) {
        if (m_readBackDepth > 0) {
            // A read-back runs while its mutation holds the token's turn.
            p->readBack = true;
            m_githubQueue.prepend(p);
        } else {
            m_githubQueue.enqueue(p);
        }
        pumpGitHub();
    } else {
        start(p);
    }
}

Response HttpClient::sendSync(Request request)
{
    QEventLoop loop;
    std::optional<Response> out;
    send(std::move(request), [&](const Response &r) {
        out = r;
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

void HttpClient::pumpGitHub()
{
    if (m_githubBusy || m_githubQueue.isEmpty())
        return;
    const auto &next = m_githubQueue.head();
    if (m_githubHeld && !next->readBack)
        return; // a mutation is looking at the remote state; nothing else goes first
    if (next->mutating() && m_sinceGithubMutation.isValid() && m_sinceGithubMutation.elapsed() < m_githubSpacingMs) {
        // GitHub's best practice: at least a second between mutating calls.
        QTimer::singleShot(int(m_githubSpacingMs - m_sinceGithubMutation.elapsed()), this, &HttpClient::pumpGitHub);
        return;
    }
    auto p = m_githubQueue.dequeue();
    m_githubBusy = true;
    start(p);
}

void HttpClient::start(const std::shared_ptr<Pending> &p)
{
    ++p->attempt;
    const Request &r = p->request;
    QNetworkRequest req(r.url);
    req.setRawHeader("User-Agent", "raize-console/" + versionString().toUtf8());
    if (r.service == Service::GitHub) {
        req.setRawHeader("Accept", "application/vnd.github+json");
        req.setRawHeader("X-GitHub-Api-Version", "2022-11-28");
    } else {
        req.setRawHeader("Accept", "application/json");
    }
    if (const QByteArray auth = authorization(r.service, m_tokens.value(r.service)); !auth.isEmpty())
        req.setRawHeader("Authorization", auth);
    if (r.service == Service::VercelBypass) {
        if (const QString secret = m_tokens.value(r.service); !secret.isEmpty())
            req.setRawHeader("x-vercel-protection-bypass", secret.toUtf8());
    }
    for (const auto &[name, value] : r.headers)
        req.setRawHeader(name, value);
    if (!r.cacheKey.isEmpty() && r.method == "GET") {
        if (const auto it = m_etagCache.constFind(r.cacheKey); it != m_etagCache.cend())
            req.setRawHeader("If-None-Match", it->etag);
    }
    const int timeout = r.timeoutMs > 0 ? r.timeoutMs : m_defaultTimeoutMs;
    req.setTransferTimeout(timeout);

    QNetworkReply *reply = nullptr;
    QNetworkAccessManager *nam = r.service == Service::GitHub ? m_nam : nextManager();
    if (p->mutating()) {
        req.setRawHeader("Content-Type", r.contentType);
        req.setHeader(QNetworkRequest::ContentLengthHeader, r.body.size());
        req.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        auto *body = new OneShotBody(r.body, nullptr);
        reply = nam->sendCustomRequest(req, r.method, body);
        body->setParent(reply);
    } else if (!r.body.isEmpty()) {
        req.setRawHeader("Content-Type", r.contentType);
        reply = nam->sendCustomRequest(req, r.method, r.body);
    } else {
        reply = nam->sendCustomRequest(req, r.method);
    }
    qCDebug(lcNet, "#%llu %s %s (attempt %d)", p->id, r.method.constData(), qUtf8Printable(redactedUrl(r.url)), p->attempt);

    // A hard bound on the whole exchange, on top of Qt's inactivity timeout.
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    auto timedOut = std::make_shared<bool>(false);
    connect(timer, &QTimer::timeout, reply, [reply, timedOut] {
        *timedOut = true;
        reply->abort();
    });
    timer->start(timeout);
    if (testHook())
        connect(reply, &QNetworkReply::requestSent, this, [p] {
            if (const TestHook &hook = testHook())
                hook(TestPoint::Sent, p->request);
        });
    connect(reply, &QNetworkReply::finished, this, [this, p, reply, timedOut] { finished(p, reply, *timedOut); });
}

int HttpClient::backoffMs(int attempt) const
{
    const qint64 ceiling = qMin<qint64>(m_retry.maxDelayMs, qint64(m_retry.baseDelayMs) << qMin(attempt, 16));
    return int(QRandomGenerator::global()->bounded(ceiling + 1)); // full jitter
}

void HttpClient::recordBudget(Service service, const Response &r)
{
    if (!m_monitor)
        return;
    const QByteArray remaining = r.header("x-ratelimit-remaining");
    const QByteArray limit = r.header("x-ratelimit-limit");
    if (remaining.isEmpty() || limit.isEmpty())
        return;
    const qint64 reset = r.header("x-ratelimit-reset").toLongLong();
    m_monitor->setBudget(service, remaining.toInt(), limit.toInt(), reset > 0 ? QDateTime::fromSecsSinceEpoch(reset, Qt::UTC) : QDateTime());
}

void HttpClient::retryLater(const std::shared_ptr<Pending> &p, int delayMs, const QString &why)
{
    qCInfo(lcNet, "#%llu %s %s: %s; retrying in %d ms (attempt %d of %d)", p->id, p->request.method.constData(),
           qUtf8Printable(redactedUrl(p->request.url)), qUtf8Printable(why), delayMs, p->attempt + 1, m_retry.maxAttempts);
    QTimer::singleShot(delayMs, this, [this, p] { start(p); });
}

void HttpClient::finished(const std::shared_ptr<Pending> &p, QNetworkReply *reply, bool timedOut)
{
    reply->deleteLater();
    const Request &req = p->request;
    Response &r = p->response;
    r = Response{};
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (r.status != 0) {
        if (const TestHook &hook = testHook())
            hook(TestPoint::Answered, req);
    }
    for (const auto &[name, value] : reply->rawHeaderPairs())
        r.headers.insert(name.toLower(), value);
    if (reply->isOpen())
        r.body = reply->readAll();
    for (const char *h : {"x-github-request-id", "x-vercel-id", "x-request-id"}) {
        if (r.requestId.isEmpty())
            r.requestId = QString::fromLatin1(r.header(h));
    }
    recordBudget(req.service, r);
    const QString service = serviceId(req.service);
    const bool canRetry = p->attempt < m_retry.maxAttempts;

    // No HTTP answer at all: timeout, reset, refused, DNS, TLS.
    if (r.status == 0) {
        const bool isTimeout = timedOut || reply->error() == QNetworkReply::OperationCanceledError
                               || reply->error() == QNetworkReply::TimeoutError;
        const QString what = isTimeout ? u"no answer within %1 ms"_s.arg(req.timeoutMs > 0 ? req.timeoutMs : m_defaultTimeoutMs)
                                       : reply->errorString();
        if (!p->mutating() && canRetry) {
            retryLater(p, backoffMs(p->attempt), what);
            return;
        }
        if (p->mutating() && req.readBack && canRetry) {
            // GitHub and Vercel have no idempotency keys: look before retrying.
            QPointer<HttpClient> self(this);
            const bool github = req.service == Service::GitHub;
            if (github) {
                // Keep GitHub serial: only the read-back may use the token now.
                m_githubHeld = p;
                m_githubBusy = false;
            }
            ++m_readBackDepth;
            req.readBack([self, p, what, github](std::optional<bool> applied) {
                if (!self)
                    return;
                if (github) {
                    self->m_githubHeld.reset();
                    self->m_githubBusy = true; // the mutation has the token's turn again
                }
                if (applied && *applied) {
                    p->response.appliedByReadBack = true;
                    p->response.status = 0;
                    self->complete(p);
                } else if (applied && !*applied) {
                    self->retryLater(p, self->backoffMs(p->attempt), what + u"; the read-back shows it was not applied"_s);
                } else {
                    p->response.error = Error::make(Error::Kind::Conflict, serviceId(p->request.service),
                                                    what + u": it is unknown whether the change was applied"_s,
                                                    u"check the current state before trying again"_s);
                    self->complete(p);
                }
            });
            --m_readBackDepth;
            return;
        }
        r.error = Error::make(isTimeout ? Error::Kind::Timeout : Error::Kind::Network, service, what,
                              p->mutating() ? u"the change may or may not have been applied: check the current state before trying again"_s
                                            : u"check the %1 URL in Settings and your network; the console retried %2 time(s)"_s
                                                  .arg(serviceDisplayName(req.service)).arg(p->attempt - 1));
        if (m_monitor)
            m_monitor->setState(req.service, ServiceStatus::State::Down, what);
        complete(p);
        return;
    }

    if (r.status == 304 && !req.cacheKey.isEmpty()) {
        const CacheEntry c = m_etagCache.value(req.cacheKey);
        r.body = c.body;
        // A 304 need not repeat every header (Link, for one): the cached ones, updated by the 304's.
        QHash<QByteArray, QByteArray> merged = c.headers;
        for (auto it = r.headers.cbegin(); it != r.headers.cend(); ++it)
            merged.insert(it.key(), it.value());
        r.headers = merged;
        r.notModified = true;
        if (m_monitor)
            m_monitor->setState(req.service, ServiceStatus::State::Connected);
        complete(p);
        return;
    }
    if (r.status >= 200 && r.status < 300) {
        if (!req.cacheKey.isEmpty() && !r.header("etag").isEmpty())
            m_etagCache.insert(req.cacheKey, CacheEntry{r.header("etag"), r.body, r.headers});
        if (m_monitor)
            m_monitor->setState(req.service, ServiceStatus::State::Connected);
        complete(p);
        return;
    }

    r.error = errorFromResponse(req.service, r.status, r.body, r.headers, r.requestId);
    if (r.error.kind == Error::Kind::RateLimited) {
        // A 429 (or a rate-limit 403) was not applied: waiting it out is safe for any method.
        const RateLimitKind kind = rateLimitKind(req.service, r.status, r.error.message, r.error.serviceCode, r.headers);
        if (kind == RateLimitKind::Secondary)
            ++p->secondaryHits;
        RateLimitRules rules;
        rules.secondaryMinimumMs = m_retry.secondaryLimitWaitMs;
        rules.backoffMs = backoffMs(p->attempt);
        const RateLimitWait wait = rateLimitWait(req.service, kind, r.headers, p->secondaryHits, rules, m_clock->nowUtc());
        const QString said = wait.describe(req.service);
        const bool retrying = canRetry && wait.waitMs <= m_retry.maxRetryAfterMs;
        if (m_monitor)
            m_monitor->setState(req.service, ServiceStatus::State::RateLimited, said + u": "_s + r.error.message, m_clock->nowUtc());
        Q_EMIT waitingForRateLimit(req.service, wait.until, said, retrying);
        if (retrying) {
            retryLater(p, int(wait.waitMs), said);
            return;
        }
        r.error.remedy = canRetry ? u"%1; that is longer than the console waits on its own (%2 s): try again after it"_s.arg(said).arg(
                                        m_retry.maxRetryAfterMs / 1000)
                                  : u"%1; the console tried %2 time(s): try again after it"_s.arg(said).arg(p->attempt);
    } else if (r.status >= 500) {
        if (!p->mutating() && canRetry) {
            retryLater(p, backoffMs(p->attempt), u"HTTP %1"_s.arg(r.status));
            return;
        }
        if (m_monitor)
            m_monitor->setState(req.service, ServiceStatus::State::Down, r.error.message);
    } else if (r.error.kind == Error::Kind::Auth && m_monitor) {
        m_monitor->setState(req.service, ServiceStatus::State::AuthFailed, r.error.message);
    }
    complete(p);
}

void HttpClient::complete(const std::shared_ptr<Pending> &p)
{
    Response &r = p->response;
    r.elapsedMs = p->elapsed.elapsed();
    r.attempts = p->attempt;
    qCDebug(lcNet, "#%llu %s %s → %d%s in %lld ms, %d attempt(s)%s", p->id, p->request.method.constData(),
            qUtf8Printable(redactedUrl(p->request.url)), r.status, r.notModified ? " (cached)" : "", r.elapsedMs, r.attempts,
            r.requestId.isEmpty() ? "" : qPrintable(u", request "_s + r.requestId));
    if (p->request.service == Service::GitHub) {
        // Spacing counts from the answer, so the service sees at least a second between mutations.
        if (p->mutating())
            m_sinceGithubMutation.start();
        m_githubBusy = false;
        QTimer::singleShot(0, this, &HttpClient::pumpGitHub);
    }
    if (p->done)
        p->done(r);
}

} // namespace Raize::Net
