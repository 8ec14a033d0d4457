#pragma once

// The flag service the console drives (issue #6, part 2c): list flags with
// their state and scope per environment, flip the kill switch, change a
// flag's scope (playbook §4.2: global, per client, per platform account,
// per lane) and tell what an SDK would see for one context. Backends:
// UnleashClient (app/services/flags/unleashclient.h).

#include "core/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>

namespace Raize::Services {

// Who a strategy reaches. Each non-empty part is one constraint with the
// operator IN; all parts must hold (AND). Nothing set means everyone.
struct FlagScope
{
    QStringList clientIds;          // context field "clientId"
    QStringList platformAccountIds; // context field "platformAccount" (the sandbox platform's name)
    QString lane;                   // "", "api" or "browser" (context field "lane")
    QStringList cohorts;            // context field "cohort": house, lowrisk, broad (playbook §4.4 canary)
    // Read only: constraints (and segments) that are none of the above, in
    // words, e.g. "appName NOT_IN [web]". setScope refuses a scope with these.
    QStringList other;

    bool global() const;
    // "global", "clients a, b · lane browser", ...
    QString describe() const;
    // Order of the values does not matter.
    bool operator==(const FlagScope &o) const;
    bool operator!=(const FlagScope &o) const { return !(*this == o); }
};

// One constraint as the service stores it (for local evaluation).
struct FlagConstraint
{
    QString contextName;
    QString op; // IN, NOT_IN, STR_CONTAINS, ...
    QStringList values;
    QString value; // single-value operators (NUM_*, DATE_*, SEMVER_*)
    bool inverted = false;
    bool caseInsensitive = false;
};

struct FlagStrategy
{
    QString id, name;     // name: "flexibleRollout", "default", ...
    int rolloutPercent = 100; // -1 when the strategy has no percentage (e.g. userWithId)
    FlagScope scope;
    bool disabled = false; // a disabled strategy is not served to SDKs
    QString stickiness, groupId;
    QList<FlagConstraint> constraints;
    QList<qint64> segments;
    nlohmann::json raw; // the service's own object
};

struct FlagState
{
    QString key, project, environment;
    bool enabled = false;
    QList<FlagStrategy> strategies;
    QString type; // release, kill-switch, experiment, operational, permission
    bool stale = false;
    QString description;
};

// What an SDK passes when it evaluates a flag.
struct FlagContext
{
    QString clientId, platformAccountId, lane;
    QString userId;
    QString cohort, sessionId;

    // The value the SDK resolves for a context field name; empty when unset.
    QString value(const QString &field) const;
    // Whether the console knows what the SDK passes for this field.
    static bool knownField(const QString &field);
};

// What an SDK would see for one context.
struct FlagEvaluation
{
    enum class Verdict {
        Off,
        Unknown, // depends on something the console cannot evaluate (a segment, an operator or field it does not model)
        Partial, // a partial rollout without a stable stickiness value: on for rolloutPercent % of calls
        On,
    };
    Verdict verdict = Verdict::Off;
    int rolloutPercent = -1;    // for Partial: the percentage
    QString strategyId;         // the strategy that decided (On, Partial), if any
    QString reason;             // in words, e.g. "partial rollout 40%: no userId or sessionId to stick to"

    static QString verdictName(Verdict v); // "on", "off", "partial", "unknown"
};

struct FlagHealth
{
    bool healthy = false;
    QString state; // the service's word, e.g. "GOOD"
    qint64 elapsedMs = 0;
};

class FlagService
{
public:
    virtual ~FlagService() = default;

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;
    using StatusCallback = std::function<void(const Status &)>;

    virtual QString backendName() const = 0; // "unleash"
    virtual QString project() const = 0;
    virtual QString defaultEnvironment() const = 0;

    // An empty environment means defaultEnvironment().
    // All flags of the project with their enabled state and strategies there.
    virtual void listFlags(const QString &environment, Callback<QList<FlagState>> done) = 0;
    // One flag in one environment.
    virtual void flag(const QString &flag, const QString &environment, Callback<FlagState> done) = 0;
    // The kill switch; repeating it is harmless.
    virtual void setEnabled(const QString &flag, const QString &environment, bool on, StatusCallback done) = 0;
    // Replaces the flag's strategies in that environment with one that
    // reaches `scope` at rolloutPercent (0..100). Answers the stored strategy.
    virtual void setScope(const QString &flag, const QString &environment, const FlagScope &scope, int rolloutPercent,
                          Callback<FlagStrategy> done) = 0;
    // Reads the flag and evaluates it locally, as an SDK would for `context`.
    virtual void effectiveState(const QString &flag, const QString &environment, const FlagContext &context,
                                Callback<FlagEvaluation> done) = 0;
    virtual void health(Callback<FlagHealth> done) = 0;
};

// ---- inline definitions of the value types ----

inline bool FlagScope::global() const
{
    return clientIds.isEmpty() && platformAccountIds.isEmpty() && lane.isEmpty() && cohorts.isEmpty() && other.isEmpty();
}

inline QString FlagScope::describe() const
{
    using namespace Qt::StringLiterals;
    if (global())
        return u"global"_s;
    QStringList parts;
    if (!clientIds.isEmpty())
        parts << u"clients "_s + clientIds.join(u", "_s);
    if (!platformAccountIds.isEmpty())
        parts << u"platform accounts "_s + platformAccountIds.join(u", "_s);
    if (!lane.isEmpty())
        parts << u"lane "_s + lane;
    if (!cohorts.isEmpty())
        parts << u"cohorts "_s + cohorts.join(u", "_s);
    parts << other;
    return parts.join(u" · "_s);
}

inline bool FlagScope::operator==(const FlagScope &o) const
{
    const auto sorted = [](QStringList l) {
        l.sort();
        return l;
    };
    return sorted(clientIds) == sorted(o.clientIds) && sorted(platformAccountIds) == sorted(o.platformAccountIds) && lane == o.lane
           && sorted(cohorts) == sorted(o.cohorts) && sorted(other) == sorted(o.other);
}

inline QString FlagContext::value(const QString &field) const
{
    using namespace Qt::StringLiterals;
    if (field == u"clientId"_s)
        return clientId;
    if (field == u"platformAccount"_s || field == u"platformAccountId"_s)
        return platformAccountId;
    if (field == u"lane"_s)
        return lane;
    if (field == u"userId"_s)
        return userId;
    if (field == u"cohort"_s)
        return cohort;
    if (field == u"sessionId"_s)
        return sessionId;
    return {};
}

inline bool FlagContext::knownField(const QString &field)
{
    using namespace Qt::StringLiterals;
    static const QStringList known = {u"clientId"_s, u"platformAccount"_s, u"platformAccountId"_s, u"lane"_s,
                                      u"userId"_s,   u"cohort"_s,          u"sessionId"_s};
    return known.contains(field);
}

inline QString FlagEvaluation::verdictName(Verdict v)
{
    using namespace Qt::StringLiterals;
    switch (v) {
    case Verdict::Off:
        return u"off"_s;
    case Verdict::Unknown:
        return u"unknown"_s;
    case Verdict::Partial:
        return u"partial"_s;
    case Verdict::On:
        return u"on"_s;
    }
    return {};
}

} // namespace Raize::Services
