#pragma once

#include "core/error.h"
#include "core/settings.h"
#include "net/ratelimit.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QQueue>
#include <QUrl>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace Raize {
class Clock;
class ServiceMonitor;
}

namespace Raize::Net {

// What a caller wants (STYLE.md §2: a request says what it wants).
struct Request
{
    Service service = Service::Vercel;
    QByteArray method = "GET";
    QUrl url;
    QByteArray body;          // JSON unless contentType says otherwise
    QByteArray contentType = "application/json";
    QList<QPair<QByteArray, QByteArray>> headers;
    int timeoutMs = 0;        // 0: the client's default
    // GET/HEAD/PUT/DELETE are retried after transient failures; POST/PATCH
    // only when `readBack` says the change did not happen.
    std::optional<bool> idempotent;
    // For a mutation whose outcome is unclear (timeout, reset, 5xx): reads the
    // remote state and answers true (applied), false (not applied) or nullopt
    // (cannot tell). Without it an unclear mutation is reported, never retried.
    std::function<void(std::function<void(std::optional<bool>)>)> readBack;
    // Conditional GET: remembers the ETag and body per key; a 304 returns the cached body.
    QString cacheKey;

    bool isIdempotent() const;
};

// What happened (and a result never is a bare bool).
struct Response
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QString requestId;
    qint64 elapsedMs = 0;
    int attempts = 0;
    bool notModified = false; // a 304 answered from the ETag cache
    bool appliedByReadBack = false; // an unclear mutation that the read-back found applied
    Error error;

    bool ok() const { return !error.isError(); }
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

struct RetryPolicy
{
    int maxAttempts = 4;      // including the first
    int baseDelayMs = 250;    // exponential backoff with full jitter
    int maxDelayMs = 8000;
    int maxRetryAfterMs = 120000; // longer waits are reported, not slept
    // GitHub's secondary limit without Retry-After: at least a minute, doubled
    // for each further hit of the same request (tests may shorten it).
    int secondaryLimitWaitMs = 60000;
};

// The one HTTP layer (issue #6): timeouts, retries with backoff and jitter
// for idempotent requests, Retry-After and rate-limit headers, GitHub's
// serial-per-token and 1 s spacing between mutations, ETag conditional
// requests, typed service errors, redacted logging. TLS verification is
// never switched off; the system proxy is honoured.
class HttpClient : public QObject
{
    Q_OBJECT

public:
    explicit HttpClient(ServiceMonitor *monitor = nullptr, QObject *parent = nullptr);
    ~HttpClient() override;

    void setToken(Service service, const QString &token);
    void setDefaultTimeout(int ms) { m_defaultTimeoutMs = ms; }
    void setRetryPolicy(const RetryPolicy &policy) { m_retry = policy; }
    const RetryPolicy &retryPolicy() const { return m_retry; }
    // Drops the ETag cache entries whose key starts with `keyPrefix`: for a
    // caller that found a cached body unusable, so the next poll is unconditional.
    void forgetCached(const QString &keyPrefix);
    // Qt opens at most six connections per host; a fan-out (the rollback's
    // kill switch) needs more. Spreads requests over enough managers for
    // `connections` requests in flight at once (GitHub stays serial).
    void setParallelConnections(int connections);

    // GitHub's published practice; tests may shorten it.
    void setGitHubMutationSpacing(int ms) { m_githubSpacingMs = ms; }
    int gitHubMutationSpacing() const { return m_githubSpacingMs; }
    // What "now" is for Retry-After dates and x-ratelimit-reset (tests: a ManualClock).
    void setClock(const Clock &clock) { m_clock = &clock; }

    using Callback = std::function<void(const Response &)>;
    void send(Request request, Callback done);
    // Blocks in a local event loop (CLI, tests).
    Response sendSync(Request request);

    // The authorization header a service expects for a token.
    static QByteArray authorization(Service service, const QString &token);

    // A test seam, not a feature: raize-console-crashtest (tests/crashtest/)
    // installs a hook that SIGKILLs the process when a chosen request has
    // left (Sent) or its answer has arrived (Answered: the service applied
    // it, the caller has not heard of it, so nothing is journalled yet).
    // The shipped binary installs none (issue #15, item 5).
    enum class TestPoint { Sent, Answered };
    using TestHook = std::function<void(TestPoint point, const Request &request)>;
    static void setTestHook(TestHook hook);

Q_SIGNALS:
    // A request met a rate limit and waits (retrying at `until`), or gives up
    // because the wait is longer than the retry policy allows (`retrying` false).
    // `message`: "GitHub asks us to wait until 08:50:37 UTC (secondary rate limit; Retry-After)".
    // Only that service's requests wait: GitHub's serial queue holds GitHub alone.
    void waitingForRateLimit(Raize::Service service, const QDateTime &until, const QString &message, bool retrying);

private:
    struct Pending;
    void start(const std::shared_ptr<Pending> &p);
    void finished(const std::shared_ptr<Pending> &p, QNetworkReply *reply, bool timedOut);
    void retryLater(const std::shared_ptr<Pending> &p, int delayMs, const QString &why);
    void complete(const std::shared_ptr<Pending> &p);
    void recordBudget(Service service, const Response &r);
    int backoffMs(int attempt) const;
    void pumpGitHub();

    QNetworkAccessManager *nextManager();

    const Clock *m_clock;
    QNetworkAccessManager *m_nam;
    QList<QNetworkAccessManager *> m_extraNams;
    int m_nextNam = 0;
    ServiceMonitor *m_monitor;
    QHash<Service, QString> m_tokens;
    int m_defaultTimeoutMs = 15000;
    RetryPolicy m_retry;
    int m_githubSpacingMs = 1000;
    struct CacheEntry
    {
        QByteArray etag, body;
        QHash<QByteArray, QByteArray> headers;
    };
    QHash<QString, CacheEntry> m_etagCache;
    // GitHub: one request at a time per token (best practices), mutations spaced.
    QQueue<std::shared_ptr<Pending>> m_githubQueue;
    bool m_githubBusy = false;
    std::shared_ptr<Pending> m_githubHeld; // a GitHub mutation waiting for its read-back
    int m_readBackDepth = 0;
    QElapsedTimer m_sinceGithubMutation;
    quint64 m_nextId = 1;
};

} // namespace Raize::Net
