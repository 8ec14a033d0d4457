#pragma once

#include "net/httpclient.h"
#include "services/flags/flagservice.h"

#include <QSet>
#include <QUrl>

#include <memory>

namespace Raize::Services {

// FlagService over Unleash's Admin API (unleash-server 8.2.0 OSS,
// shared/api-specs/ENDPOINTS.md, tests/contract/specs/unleash.trimmed.json).
// Needs an admin token (Service::Flags; sent as the raw Authorization value).
//
// Scopes are strategy constraints with the operator IN on the context
// fields clientId, platformAccount, lane and cohort (the fields the sandbox
// seeds and the platform's SDK passes); global is no constraint.
class UnleashClient : public FlagService
{
public:
    UnleashClient(Net::HttpClient &http, QUrl baseUrl, QString project, QString defaultEnvironment);

    QString backendName() const override;
    QString project() const override { return m_project; }
    QString defaultEnvironment() const override { return m_defaultEnvironment; }

    // GET /api/admin/projects/{p}/features, then per flag GET …/features/{name}
    // (the enabled state, strategies and variants in one environment, and the
    // flag's dependencies), 4 at a time.
    void listFlags(const QString &environment, Callback<QList<FlagState>> done) override;
    // GET …/features/{name}: type, stale and the environment's state and strategies.
    void flag(const QString &flag, const QString &environment, Callback<FlagState> done) override;
    // POST …/environments/{env}/on|off: idempotent; 8.2.0 answers 200 with an empty body.
    void setEnabled(const QString &flag, const QString &environment, bool on, StatusCallback done) override;
    // Keeps the first flexibleRollout strategy (its stickiness and groupId, so
    // nobody is reshuffled): deletes the others, then PUTs it. Without one it
    // POSTs a new strategy (not idempotent: after an unclear outcome the
    // read-back looks for a new strategy with these constraints) and then
    // deletes the old ones. The stored strategy is compared with the request.
    void setScope(const QString &flag, const QString &environment, const FlagScope &scope, int rolloutPercent,
                  Callback<FlagStrategy> done) override;
    // Reads the flag and, when it depends on others, its parents (same
    // project: the server refuses others), then evaluates locally.
    void effectiveState(const QString &flag, const QString &environment, const FlagContext &context,
                        Callback<FlagEvaluation> done) override;
    // GET /health (no token needed).
    void health(Callback<FlagHealth> done) override;

    // Global: POST …/environments/{env}/off|on (the same request setEnabled sends).
    // Scoped (off only; issue #16): strategies are OR'ed, so every strategy of
    // the environment gets NOT_IN constraints excluding what the scope names
    // (its clients, platform accounts, lane and cohorts: anyone it names
    // stops); everything outside keeps being served as before. That is
    // prepareServe + applyEdits without a journal: the executor journals the
    // edits between the two.
    QList<Net::RequestPreview> previewServe(const ServeChange &change) const override;
    void serve(const ServeChange &change, StatusCallback done) override;
    // GET …/features/{name}, then excludeScope() on every strategy of the environment.
    void prepareServe(const ServeChange &change, Callback<ServeEdits> done) override;
    // Per strategy: GET …/features/{name} (the re-read), then PUT …/strategies/{id}.
    void applyEdits(const ServeEdits &edits, bool undo, StatusCallback done) override;
    QList<Net::RequestPreview> previewEdits(const ServeEdits &edits, bool undo) const override;
    // Global: GET …/features/{name} per flag (the admin API), then one GET
    // /api/client/features with the client token: what SDKs are served.
    // Without a client API (setClientApi) it fails, saying which token is missing.
    // Scoped: POST /api/admin/playground/advanced once per field the scope
    // names (evaluateContexts over scopeGrids: the server's own evaluation,
    // `on`, for each client, account, lane and cohort), then GET /api/client/features
    // evaluated locally for the same contexts (`servedToClients`).
    QList<Net::RequestPreview> previewServed(const ServedQuery &query) const override;
    void served(const ServedQuery &query, Callback<QList<ServedState>> done) override;
    // The client API (what SDKs read), sent with the client token
    // (Service::FlagsClient) that `clientHttp` holds; it must outlive this
    // client. Null: the read-back stops at the admin API.
    void setClientApi(Net::HttpClient *clientHttp) { m_clientHttp = clientHttp; }
    // POST /api/admin/playground/advanced, one per grid: the server's own
    // evaluation of every combination (8.2.0: at most 15000 flag × context
    // evaluations per call), for the current state.
    QList<Net::RequestPreview> previewEvaluateContexts(const EvaluationQuery &query) const override;
    void evaluateContexts(const EvaluationQuery &query, Callback<QList<ContextAnswer>> done) override;

    // ---- pure parts, public for tests ----

    // GET /api/admin/projects/{p}/features → key, type, stale, description and
    // the enabled state in `environment` (no strategies).
    static Result<QList<FlagState>> parseFeatures(const QByteArray &body, const QString &project, const QString &environment);
    // GET …/features/{name}/environments/{env} → key, environment, enabled,
    // strategies, variants (dependencies are not in this answer: dependenciesKnown is false).
    static Result<FlagState> parseFeatureEnvironment(const QByteArray &body);
    // GET …/features/{name} → everything, with the state, strategies and variants in
    // `environment`, and the dependencies.
    static Result<FlagState> parseFeature(const QByteArray &body, const QString &environment);
    // The advanced playground's request body for one grid (values joined by
    // commas, as the server splits them); an error when a value has a comma.
    static Result<nlohmann::json> playgroundBody(const ContextGrid &grid, const QString &project, const QString &environment);
    // Its answer → one ContextAnswer per context of `grid` (expand() order),
    // the flags of `flags` only; fails when a context is missing from it.
    static Result<QList<ContextAnswer>> parsePlayground(const QByteArray &body, const ContextGrid &grid, const QStringList &flags,
                                                        const QString &environment);
    // GET /api/client/features (what SDKs read; also the client specification's
    // `state`) → every feature with its dependencies, and the segments.
    static Result<FlagSet> parseClientFeatures(const QByteArray &body);
    // One strategy (PUT/POST answer).
    static Result<FlagStrategy> parseStrategy(const QByteArray &body);
    static Result<FlagHealth> parseHealth(const QByteArray &body);

    // The constraints for a scope (IN on clientId, platformAccount, lane, cohort).
    static nlohmann::json scopeConstraints(const FlagScope &scope);
    // The body of a flexibleRollout strategy reaching `scope` at `rolloutPercent`.
    static nlohmann::json strategyBody(const FlagScope &scope, int rolloutPercent, const QString &stickiness, const QString &groupId);
    // Empty when the request is valid; else what is wrong, in words.
    static QString validateScope(const FlagScope &scope, int rolloutPercent);
    // The NOT_IN constraints that exclude what `scope` names.
    static nlohmann::json exclusionConstraints(const FlagScope &scope);
    // The strategy's PUT body with the scope excluded, or Refused ("cannot
    // scope") for a strategy the console cannot scope safely: a segment, an
    // operator or a strategy type it does not model, or a scope with parts
    // it does not write (FlagScope::other).
    static Result<nlohmann::json> excludeScope(const FlagStrategy &strategy, const FlagScope &scope, const QString &flag);
    // The parts of a strategy a PUT writes, in one shape (for comparing what
    // was read with what was written): name, title, parameters (as strings),
    // constraints, segments, variants, disabled.
    static nlohmann::json canonicalStrategy(const nlohmann::json &raw);
    // The playground grids a scope names: one per field (client, account,
    // lane, cohort), so one context per value; and those contexts for the
    // console's own evaluator.
    static QList<ContextGrid> scopeGrids(const FlagScope &scope);
    static QList<FlagContext> scopeContexts(const FlagScope &scope);
    // A scoped read-back's playground question (scopeGrids, the query's flags).
    static EvaluationQuery scopeQuery(const ServedQuery &query);
    // Unleash names (project, flag, environment) are URL-friendly; empty when valid.
    static QString validateName(const QString &what, const QString &name);

    // What an SDK sees (the client specification, as unleash-client-node and the
    // server's playground evaluate): parents, strategies, constraints, segments
    // and variants. Never On when the answer depends on something the console
    // cannot see: then Unknown (or Partial for a random draw).
    static FlagEvaluation evaluate(const QString &flag, const FlagSet &set, const FlagContext &context);
    // One flag alone: Unknown when it is on and depends on other flags (use the
    // set above), and segments are unknown.
    static FlagEvaluation evaluate(const FlagState &flag, const FlagContext &context);
    // MurmurHash3 x86_32 as unleash-client-node computes it (each UTF-16 code unit & 0xff).
    static quint32 murmur3(const QString &key, quint32 seed = 0);
    // The same hash over the UTF-8 bytes (the other SDKs); equal for ASCII.
    static quint32 murmur3Utf8(const QByteArray &key, quint32 seed = 0);
    // (murmur3("groupId:id", 0) % 100) + 1, in 1..100.
    static int normalizedValue(const QString &id, const QString &groupId);

    // Whether `after` holds a strategy, not among `before`, that reaches `scope` at `rolloutPercent`.
    static const FlagStrategy *findNewStrategy(const FlagState &after, const QSet<QString> &before, const FlagScope &scope,
                                               int rolloutPercent);

private:
    QUrl url(const QString &path) const;
    // The requests serve()/served() send, also what their previews show.
    Result<Net::Request> serveRequest(const ServeChange &change) const;
    Net::Request featureRequest(const QString &flag) const;
    Net::Request clientFeaturesRequest() const;
    Result<Net::Request> playgroundRequest(const ContextGrid &grid, const QString &environment) const;
    void evaluateGrids(EvaluationQuery query, int index, std::shared_ptr<QList<ContextAnswer>> acc, Callback<QList<ContextAnswer>> done);
    QString featurePath(const QString &flag) const;
    QString envPath(const QString &flag, const QString &environment) const;
    QString env(const QString &environment) const;
    // The project, environment and (unless null) flag names are URL-friendly.
    Status checkNames(const QString &flag, const QString &environment) const;
    Error notFound(Error e, const QString &flag, const QString &environment) const;
    // Adds `parents` (read one by one) to `set`.
    void readParents(std::shared_ptr<FlagSet> set, QStringList parents, const QString &environment, StatusCallback done);
    void deleteStrategies(const QString &flag, const QString &environment, QStringList ids, StatusCallback done);
    Net::Request editRequest(const ServeEdits &edits, const ServeEdit &edit, bool undo) const;
    void applyEdit(std::shared_ptr<ServeEdits> edits, int index, bool undo, StatusCallback done);
    void servedInScope(const ServedQuery &query, Callback<QList<ServedState>> done);
    void putStrategy(const QString &flag, const QString &environment, const FlagStrategy &keep, const FlagScope &scope,
                     int rolloutPercent, Callback<FlagStrategy> done);
    void addStrategy(const QString &flag, const QString &environment, const FlagState &before, const FlagScope &scope,
                     int rolloutPercent, Callback<FlagStrategy> done);

    Net::HttpClient &m_http;
    Net::HttpClient *m_clientHttp = nullptr;
    QUrl m_base;
    QString m_project;
    QString m_defaultEnvironment;
};

} // namespace Raize::Services
