#pragma once

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <random>

namespace Raize::Sandbox {

struct HttpRequest;

// A rule that makes matching requests misbehave (docs/HACKING.md, "Sandbox
// fault injection").
struct FaultRule
{
    enum class Mode {
        Latency,           // answer normally after latencyMs
        Error,             // answer `status` with the service's error body
        RateLimit,         // 429 (or GitHub's secondary-limit 403) with Retry-After
        Reset,             // drop the connection without answering (afterHandler: after the change was made)
        Stall,             // send the headers and half the body, then nothing for latencyMs
        MalformedJson,     // 200 with a body that is not JSON
        TruncatedJson,     // the real body cut in half
        WrongContentType,  // the real status with an HTML page
        SchemaBreak,       // the real body with `field` removed (contract tests)
    };

    QString id;
    QString service;          // vercel, github, control, platform; empty: any
    QByteArray method;        // empty: any
    QRegularExpression path;  // must match somewhere in the path; empty pattern: any
    Mode mode = Mode::Error;
    double probability = 1.0;
    int remaining = -1;       // fire this many times, then stop; -1: forever
    int latencyMs = 0;
    int status = 500;
    int retryAfterSeconds = 1;
    // RateLimit: "retryAfter" given as text is sent as is (an HTTP date, garbage); null or "" sends none.
    std::optional<QByteArray> retryAfterText;
    bool secondary = false;   // RateLimit on GitHub: a secondary limit (403 unless `status` says 429)
    QString wording;          // secondary: "secondary" (default) or "abuse" (GitHub's older abuse-detection message)
    bool statusGiven = false;
    bool afterHandler = false;
    QString field;            // SchemaBreak: which key to drop

    static std::optional<FaultRule> fromJson(const nlohmann::json &j, QString *error);
    nlohmann::json toJson() const;
    static QString modeName(Mode mode);
};

class FaultInjector
{
public:
    explicit FaultInjector(quint32 seed = 1);

    QString add(FaultRule rule); // returns its id
    bool remove(const QString &id);
    void clear();
    QList<FaultRule> rules() const { return m_rules; }

    // The rule that fires for this request, if any (counts it down).
    std::optional<FaultRule> take(const HttpRequest &request);

private:
    QList<FaultRule> m_rules;
    std::mt19937 m_rng;
    int m_nextId = 1;
};

} // namespace Raize::Sandbox
