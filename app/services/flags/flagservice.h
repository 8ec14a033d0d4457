#pragma once

// The flag service the console drives (issue #6, part 2c): list flags with
// their state and scope per environment, flip the kill switch, change a
// flag's scope (playbook §4.2: global, per client, per platform account,
// per lane) and tell what an SDK would see for one context. Backends:
// UnleashClient (app/services/flags/unleashclient.h).

#include "core/result.h"
#include "services/flags/contextevaluation.h"
#include "net/requestpreview.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

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

// A variant as the service serves it (feature variants, strategy variants).
struct FlagVariant
{
    struct Override
    {
        QString contextName;
        QStringList values;
    };
    QString name;
    int weight = 0;
    QString stickiness;           // empty: the strategy's (strategy variants) or "default"
    QString payloadType, payloadValue; // payloadType empty: no payload
    QList<Override> overrides;
};

// "This flag is only on when `feature` is on (or off, enabled=false), and
// then only for one of `variants` (when listed)." Flag dependencies (Unleash 5.7+).
struct FlagDependency
{
    QString feature;
    bool enabled = true;
    QStringList variants;
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
    QList<FlagVariant> variants; // strategy variants: chosen when this strategy decides
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
    QList<FlagVariant> variants; // feature (environment) variants
    // The parents this flag depends on. A flag read from a listing that only
    // says "this is a child" (dependenciesKnown false) cannot be evaluated alone.
    QList<FlagDependency> dependencies;
    bool dependenciesKnown = true;

    // Whether the answer for this flag needs other flags (or is unknowable without them).
    bool needsOtherFlags() const { return !dependencies.isEmpty() || !dependenciesKnown; }
};

// What the local evaluator needs when flags depend on each other: the
// features an SDK sees and the segment definitions.
struct FlagSet
{
    QList<FlagState> features;
    QHash<qint64, QList<FlagConstraint>> segments;
    // True when `features` is everything an SDK sees (a /api/client/features
    // payload): a parent that is not listed is missing, and SDKs answer off.
    // False for one project's admin listing: the parent may live elsewhere.
    bool complete = false;
    // True when `segments` holds every segment the strategies name.
    bool segmentsKnown = false;

    const FlagState *find(const QString &key) const
    {
        for (const FlagState &f : features) {
            if (f.key == key)
                return &f;
        }
        return nullptr;
    }
};

// What an SDK passes when it evaluates a flag.
struct FlagContext
{
    QString clientId, platformAccountId, lane;
    QString userId;
    QString cohort, sessionId;
    // Fields the SDK usually fills in itself; the console only knows them when set here.
    QString appName, environment, remoteAddress;
    QString currentTime; // ISO 8601; empty: now
    QHash<QString, QString> properties; // any other field, as the SDK's context.properties
    // True when this context is all an SDK is given (a conformance case, a
    // playground question): a field not set is unset, not unknown.
    bool complete = false;

    // The value the SDK resolves for a context field name; empty when unset.
    QString value(const QString &field) const;
    // Whether the field has a value here (properties count, an empty string does not).
    bool has(const QString &field) const;
    // Whether the console knows what the SDK passes for this field: one the
    // console models, one set here, or any field of a complete context.
    bool knows(const QString &field) const;
    // The fields the console models (the sandbox platform's SDK context).
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
    // What getVariant answers: "disabled" when the flag is off or has no
    // variants; empty when it cannot be known (the verdict is not On, or the
    // variant sticks to something random or unknown).
    QString variant;
    QString payloadType, payloadValue;

    static QString verdictName(Verdict v); // "on", "off", "partial", "unknown"
};

// A rollback's flag step as a typed intent (issue #14 item 3): change what
// `scope` is served in `environment`. Today the console sends "off for the
// whole environment" (a global scope); the scope is part of the intent so
// scoped changes (issue #16: a client, account or lane stops being served,
// everyone else keeps it) need no new shape, only a backend that can send them.
struct ServeChange
{
    QString flag;
    QString environment; // empty: the service's default environment
    FlagScope scope;     // global: the whole environment
    bool on = false;     // false: stop serving the flag to the scope

    bool operator==(const ServeChange &o) const { return flag == o.flag && environment == o.environment && scope == o.scope && on == o.on; }
    nlohmann::json toJson() const;
    static std::optional<ServeChange> fromJson(const nlohmann::json &j);
};

// A scoped change as the strategies (rules) it edits (issue #16 item 1): each
// with its body before and after, so the change can be written ahead into
// the run journal, re-applied idempotently after an interruption and undone
// exactly (Restore). Made by FlagService::prepareServe from one read.
struct ServeEdit
{
    QString target;        // Unleash: the strategy id; LaunchDarkly: the rule's ref
    nlohmann::json before; // the body as read (null: the change adds it)
    nlohmann::json after;  // the body the change writes (null: the change removes it)
    bool operator==(const ServeEdit &) const = default;
};

struct ServeEdits
{
    ServeChange change;
    QString backend; // "unleash", "launchdarkly": edits are only applied by the backend that made them
    QList<ServeEdit> edits;
    bool operator==(const ServeEdits &) const = default;

    nlohmann::json toJson() const;
    static std::optional<ServeEdits> fromJson(const nlohmann::json &j);
};

// "What do these flags serve now?" — the read-back after a change.
struct ServedQuery
{
    QStringList flags;
    QString environment; // empty: the service's default environment
    FlagScope scope;     // whose answer counts (global: the environment as a whole)

    bool operator==(const ServedQuery &o) const { return flags == o.flags && environment == o.environment && scope == o.scope; }

    nlohmann::json toJson() const;
    static std::optional<ServedQuery> fromJson(const nlohmann::json &j);
};

// What one flag serves in one environment, as the service says.
struct ServedState
{
    QString flag, environment;
    // Global query: the environment's switch, as the management API stores it.
    // Scoped query: whether any context the scope names is served, as the
    // service's own evaluator answers (Unleash's playground).
    bool on = false;
    // What SDKs are served, when the backend reads a client-facing API too
    // (Unleash's /api/client/features); nullopt: the management API is the answer.
    std::optional<bool> servedToClients;

    // Off for SDKs: the switch is off and no client API says otherwise.
    bool off() const { return !on && !servedToClients.value_or(false); }
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

    // ---- a rollback's intents (issue #14 item 3) ----
    // The previews are the exact requests serve()/served() send (method, path,
    // content type, body), rendered by the client that sends them, so a plan
    // shows this backend's calls and no other's. No network.
    virtual QList<Net::RequestPreview> previewServe(const ServeChange &change) const = 0;
    // Applies the change; repeating it is harmless. Refuses (Error::Kind::Refused)
    // a scope it cannot change yet: everything but global until issue #16.
    virtual void serve(const ServeChange &change, StatusCallback done) = 0;
    virtual QList<Net::RequestPreview> previewServed(const ServedQuery &query) const = 0;
    // One ServedState per flag of the query, in its order. Fails when the
    // backend cannot see what clients are served (Unleash without its client token).
    virtual void served(const ServedQuery &query, Callback<QList<ServedState>> done) = 0;

    // ---- the service's own evaluator (issue #16 item 2: the blast radius) ----
    // What the service serves each context of the query, as its evaluator
    // answers (strategies, constraints, segments and dependencies included),
    // for the flags' current state. One ContextAnswer per context, grid by
    // grid in expand() order. Unleash: one advanced-playground call per grid;
    // LaunchDarkly: one evaluate call per context, one at a time (its rate
    // limits). Fails, saying what to do, when the service cannot answer.
    virtual QList<Net::RequestPreview> previewEvaluateContexts(const EvaluationQuery &query) const = 0;
    virtual void evaluateContexts(const EvaluationQuery &query, Callback<QList<ContextAnswer>> done) = 0;

    // ---- scoped changes (issue #16 item 1) ----
    // Reads the flag once and answers the edits that stop serving it to
    // `change.scope` while everything outside keeps being served. Refuses
    // (Error::Kind::Refused, "cannot scope") what it cannot scope safely,
    // saying why and offering the global change instead.
    virtual void prepareServe(const ServeChange &change, Callback<ServeEdits> done);
    // Writes the edits one by one, re-reading each target before its write:
    // one that already shows `after` is skipped (a resumed run), one that
    // shows `before` is written, anything else stops with Error::Kind::Conflict
    // naming what changed. undo: the other way round (Restore).
    virtual void applyEdits(const ServeEdits &edits, bool undo, StatusCallback done);
    // The requests applyEdits sends per edit (the re-read, then the write).
    virtual QList<Net::RequestPreview> previewEdits(const ServeEdits &edits, bool undo) const;

protected:
    // A scoped serve() of any backend: prepare the edits from one read, then apply them.
    void serveThroughEdits(const ServeChange &change, StatusCallback done)
    {
        prepareServe(change, [this, done](const Result<ServeEdits> &edits) {
            if (!edits)
                return done(edits.error());
            applyEdits(edits.value(), false, done);
        });
    }
};

inline void FlagService::prepareServe(const ServeChange &change, Callback<ServeEdits> done)
{
    using namespace Qt::StringLiterals;
    done(Error::make(Error::Kind::Refused, backendName(), u"%1 cannot change what %2 serves to %3 only"_s.arg(backendName(), change.flag, change.scope.describe()),
                     u"Use the global scope (the whole environment)."_s));
}

inline void FlagService::applyEdits(const ServeEdits &edits, bool, StatusCallback done)
{
    using namespace Qt::StringLiterals;
    done(Error::make(Error::Kind::Refused, backendName(), u"%1 cannot apply scoped edits of %2"_s.arg(backendName(), edits.change.flag),
                     u"Change the flag in the flag service by hand."_s));
}

inline QList<Net::RequestPreview> FlagService::previewEdits(const ServeEdits &, bool) const
{
    return {};
}

inline nlohmann::json ServeChange::toJson() const
{
    const auto list = [](const QStringList &l) {
        nlohmann::json a = nlohmann::json::array();
        for (const QString &v : l)
            a.push_back(v.toStdString());
        return a;
    };
    return {{"flag", flag.toStdString()},
            {"environment", environment.toStdString()},
            {"on", on},
            {"scope",
             {{"clientIds", list(scope.clientIds)},
              {"platformAccountIds", list(scope.platformAccountIds)},
              {"lane", scope.lane.toStdString()},
              {"cohorts", list(scope.cohorts)}}}};
}

namespace Detail {
inline QString jsonString(const nlohmann::json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? QString::fromStdString(j[key].get<std::string>()) : QString();
}
inline std::optional<QStringList> jsonStrings(const nlohmann::json &j, const char *key)
{
    QStringList out;
    if (!j.is_object() || !j.contains(key))
        return out;
    if (!j[key].is_array())
        return std::nullopt;
    for (const auto &v : j[key]) {
        if (!v.is_string())
            return std::nullopt;
        out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}
inline std::optional<FlagScope> scopeFromJson(const nlohmann::json &j)
{
    FlagScope s;
    if (j.is_null())
        return s;
    if (!j.is_object())
        return std::nullopt;
    const auto clients = jsonStrings(j, "clientIds");
    const auto accounts = jsonStrings(j, "platformAccountIds");
    const auto cohorts = jsonStrings(j, "cohorts");
    if (!clients || !accounts || !cohorts)
        return std::nullopt;
    s.clientIds = *clients;
    s.platformAccountIds = *accounts;
    s.cohorts = *cohorts;
    s.lane = jsonString(j, "lane");
    return s;
}
} // namespace Detail

inline std::optional<ServeChange> ServeChange::fromJson(const nlohmann::json &j)
{
    if (!j.is_object() || !j.contains("flag") || !j["flag"].is_string() || (j.contains("on") && !j["on"].is_boolean()))
        return std::nullopt;
    const auto scope = Detail::scopeFromJson(j.value("scope", nlohmann::json()));
    if (!scope)
        return std::nullopt;
    ServeChange c;
    c.flag = Detail::jsonString(j, "flag");
    c.environment = Detail::jsonString(j, "environment");
    c.on = j.value("on", false);
    c.scope = *scope;
    return c;
}

inline nlohmann::json ServeEdits::toJson() const
{
    nlohmann::json list = nlohmann::json::array();
    for (const ServeEdit &e : edits)
        list.push_back({{"target", e.target.toStdString()}, {"before", e.before}, {"after", e.after}});
    return {{"change", change.toJson()}, {"backend", backend.toStdString()}, {"edits", list}};
}

inline std::optional<ServeEdits> ServeEdits::fromJson(const nlohmann::json &j)
{
    if (!j.is_object() || !j.contains("edits") || !j["edits"].is_array())
        return std::nullopt;
    const auto change = ServeChange::fromJson(j.value("change", nlohmann::json()));
    if (!change)
        return std::nullopt;
    ServeEdits out;
    out.change = *change;
    out.backend = Detail::jsonString(j, "backend");
    for (const auto &e : j["edits"]) {
        if (!e.is_object() || !e.contains("target") || !e["target"].is_string())
            return std::nullopt;
        out.edits << ServeEdit{Detail::jsonString(e, "target"), e.value("before", nlohmann::json()), e.value("after", nlohmann::json())};
    }
    return out;
}

inline nlohmann::json ServedQuery::toJson() const
{
    nlohmann::json keys = nlohmann::json::array();
    for (const QString &f : flags)
        keys.push_back(f.toStdString());
    ServeChange forScope;
    forScope.scope = scope;
    return {{"flags", keys}, {"environment", environment.toStdString()}, {"scope", forScope.toJson()["scope"]}};
}

inline std::optional<ServedQuery> ServedQuery::fromJson(const nlohmann::json &j)
{
    const auto flags = Detail::jsonStrings(j, "flags");
    if (!j.is_object() || !flags || flags->isEmpty())
        return std::nullopt;
    const auto scope = Detail::scopeFromJson(j.value("scope", nlohmann::json()));
    if (!scope)
        return std::nullopt;
    ServedQuery q;
    q.flags = *flags;
    q.environment = Detail::jsonString(j, "environment");
    q.scope = *scope;
    return q;
}

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
    const auto own = [&]() -> QString {
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
        if (field == u"appName"_s)
            return appName;
        if (field == u"environment"_s)
            return environment;
        if (field == u"remoteAddress"_s)
            return remoteAddress;
        if (field == u"currentTime"_s)
            return currentTime;
        return {};
    }();
    // As the SDKs resolve it: the context's own field, else its properties.
    return own.isEmpty() ? properties.value(field) : own;
}

inline bool FlagContext::has(const QString &field) const
{
    return !value(field).isEmpty();
}

inline bool FlagContext::knows(const QString &field) const
{
    return complete || knownField(field) || has(field);
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
