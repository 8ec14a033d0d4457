#pragma once

#include "net/endpoint.h"
#include "net/httpclient.h"
#include "services/flags/flagservice.h"

#include <QUrl>

namespace Raize::Services {

// FlagService over LaunchDarkly's REST API v2 (LD-API-Version 20240415;
// tests/contract/specs/launchdarkly.trimmed.json). The token is an API
// access token, sent as the raw Authorization value.
//
// Model: a boolean flag has variations [true, false]. A scope is one
// targeting rule whose clauses say `attribute in [values]` (clientId,
// platformAccount, lane, cohort); the fallthrough serves "off" then. Global
// is no rule and a fallthrough that serves "on" (or a percentage rollout).
class LaunchDarklyClient : public FlagService
{
public:
    LaunchDarklyClient(Net::HttpClient &http, QUrl baseUrl, QString projectKey, QString defaultEnvironment);

    QString backendName() const override { return QStringLiteral("launchdarkly"); }
    QString project() const override { return m_project; }
    QString defaultEnvironment() const override { return m_environment; }

    // GET /api/v2/flags/{project}?env=…&summary=false (rules included), following offset/limit pages.
    void listFlags(const QString &environment, Callback<QList<FlagState>> done) override;
    void flag(const QString &flag, const QString &environment, Callback<FlagState> done) override;
    // JSON Patch `replace /environments/{env}/on`: absolute, so safe to repeat.
    void setEnabled(const QString &flag, const QString &environment, bool on, StatusCallback done) override;
    // Semantic patch (replaceRules + updateFallthroughVariationOrRollout): applied
    // whole or not at all, so a retry after an unclear outcome is safe.
    void setScope(const QString &flag, const QString &environment, const FlagScope &scope, int rolloutPercent,
                  Callback<FlagStrategy> done) override;
    void effectiveState(const QString &flag, const QString &environment, const FlagContext &context,
                        Callback<FlagEvaluation> done) override;
    // GET /api/v2/flags/{project}?limit=1: the API answers and the token reads the project.
    void health(Callback<FlagHealth> done) override;

    // A semantic patch (`turnFlagOff` / `turnFlagOn` for the environment),
    // content type `application/json; domain-model=launchdarkly.semanticpatch`:
    // absolute, so safe to repeat. Scoped off: prepareServe + applyEdits.
    QList<Net::RequestPreview> previewServe(const ServeChange &change) const override;
    void serve(const ServeChange &change, StatusCallback done) override;
    // Global: GET /api/v2/flags/{project}/{key}?env=… per flag: the environment's `on`.
    // Scoped: the same read, evaluated for every context the scope names.
    QList<Net::RequestPreview> previewServed(const ServedQuery &query) const override;
    void served(const ServedQuery &query, Callback<QList<ServedState>> done) override;
    // POST /api/v2/projects/{project}/environments/{env}/flags/evaluate, one
    // context per call and one call at a time, so a blast radius stays inside
    // LaunchDarkly's rate limits (the HTTP client waits out a 429's Retry-After).
    QList<Net::RequestPreview> previewEvaluateContexts(const EvaluationQuery &query) const override;
    void evaluateContexts(const EvaluationQuery &query, Callback<QList<ContextAnswer>> done) override;

    // Scoped off (issue #16): rules are evaluated in order, first match wins,
    // so one rule per part of the scope (clients, accounts, lane, cohorts),
    // each serving the off variation, is added before every existing rule
    // (semantic patch `addRule` with `beforeRuleId`), each with a `ref`
    // ("raize-rollback:clientId", …) so it is found and removed exactly
    // (`removeRule`) by Restore. The edits' `before` holds the environment's
    // version as read: the write stops when it moved.
    void prepareServe(const ServeChange &change, Callback<ServeEdits> done) override;
    void applyEdits(const ServeEdits &edits, bool undo, StatusCallback done) override;
    QList<Net::RequestPreview> previewEdits(const ServeEdits &edits, bool undo) const override;
    // The rules that stop serving `scope` (the addRule bodies, without beforeRuleId).
    static QList<nlohmann::json> scopeOffRules(const FlagScope &scope, const QString &offVariationId);
    // The semantic patch that adds (undo false) or removes (undo true: `ruleIds`) them.
    static nlohmann::json editsPatch(const ServeEdits &edits, bool undo, const QString &environment, const QString &beforeRuleId,
                                     const QStringList &ruleIds);

    // ---- pure parts, public for tests ----
    static Result<FlagState> parseFlag(const QByteArray &body, const QString &project, const QString &environment);
    static Result<QList<FlagState>> parseFlags(const QByteArray &body, const QString &project, const QString &environment,
                                               int *totalCount = nullptr);
    // The semantic-patch body for setScope (needs the flag's variation ids).
    static nlohmann::json scopePatch(const QString &environment, const FlagScope &scope, int rolloutPercent, const QString &onVariationId,
                                     const QString &offVariationId);
    static FlagEvaluation evaluate(const FlagState &flag, const FlagContext &context);
    // The semantic-patch body serve() sends.
    static nlohmann::json servePatch(const ServeChange &change, const QString &environment);
    // The context LaunchDarkly evaluates: kind "user", a key made of the
    // fields, and each field as an attribute.
    static nlohmann::json evaluationContext(const ContextFields &context);
    // The evaluate answer → the flags of `flags` that are served `true`.
    static Result<ContextAnswer> parseEvaluation(const QByteArray &body, const ContextFields &context, const QStringList &flags);

private:
    Net::Request request(const QByteArray &method, const QString &path, const Net::QueryItems &query = {}) const;
    Result<Net::Request> serveRequest(const ServeChange &change) const;
    Net::Request flagRequest(const QString &flag, const QString &environment) const;
    Net::Request evaluateRequest(const ContextFields &context, const QString &environment) const;
    void evaluateNext(std::shared_ptr<QList<ContextFields>> contexts, QStringList flags, QString environment,
                      std::shared_ptr<QList<ContextAnswer>> acc, Callback<QList<ContextAnswer>> done);
    void fetchPage(const QString &environment, int offset, QList<FlagState> acc, Callback<QList<FlagState>> done);

    Net::HttpClient &m_http;
    QUrl m_base;
    QString m_project;
    QString m_environment;
};

} // namespace Raize::Services
