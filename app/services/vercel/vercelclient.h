#pragma once

#include "core/receipt.h"
#include "core/result.h"
#include "net/httpclient.h"
#include "net/requestpreview.h"

#include <QDateTime>
#include <QList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Raize::Services {

struct VercelDeployment
{
    QString id;
    QString url;
    QString state;   // READY, BUILDING, QUEUED, ERROR, CANCELED, ...
    QString target;  // "production", "staging", or empty for preview
    QString sha;
    QString ref;
    QString prNumber;
    QDateTime created;
    bool rollbackCandidate = false;
};

// The project's last promote or rollback alias job (`lastAliasRequest`): Vercel answers the call when it has
// accepted it; the job moves the domains afterwards (ADR 0027).
struct VercelAliasJob
{
    QString fromDeploymentId, toDeploymentId;
    QString jobStatus; // succeeded, failed, skipped, pending, in-progress
    QString type;      // promote, rollback
    qint64 requestedAt = 0;
};

// One domain of a deployment (GET /v2/deployments/{id}/aliases).
struct VercelAlias
{
    QString uid, alias;
};

// A domain assigned to a deployment (POST /v2/deployments/{id}/aliases, assignAlias): the manual Preview → Staging
// promote (playbook §2.2).
struct VercelAliasAssignment
{
    QString uid, alias;
    // The deployment the alias pointed at before (Vercel's oldDeploymentId); empty when it pointed at none, or when
    // it pointed at this deployment already (alreadyAssigned).
    QString oldDeploymentId;
    bool alreadyAssigned = false; // Vercel answered 409 "already assigned to the given deployment", or a lost answer read back
    Receipt receipt;              // x-vercel-id of the answer
};

// One alias of the ongoing promote or rollback (GET /v1/projects/{id}/promote/aliases).
struct VercelPromoteAlias
{
    QString id, alias, status;
};

struct VercelProject
{
    QString id;
    QString name;
    std::optional<VercelDeployment> production;
    // After an Instant Rollback production is pinned: new production
    // deployments are not assigned to the domains until a promotion.
    bool pinned = false;
    QString rollbackFrom, rollbackTo, rollbackDescription;
    // Whether new production deployments get the custom domains (Vercel turns it off on an Instant
    // Rollback and back on with a promotion). nullopt: the answer did not say.
    std::optional<bool> autoAssignCustomDomains;
    // The alias job of the last promote or rollback; nullopt: the answer has none.
    std::optional<VercelAliasJob> lastAliasRequest;
    // Deployment Protection (playbook §5.2): each method's deploymentType, empty when the method is off.
    QString ssoProtection, passwordProtection, trustedIps;
    // Deployment retention (deploymentExpiration, playbook §5.3); retentionSet false: the project has none.
    bool retentionSet = false;
    std::optional<int> expirationDaysProduction, deploymentsToKeep;
};

struct VercelCheck
{
    QString id, name, status, conclusion;
    bool blocking = true;
    // Completed with a conclusion that lets the deployment through.
    bool passed() const
    {
        return status == QStringLiteral("completed")
               && (conclusion == QStringLiteral("succeeded") || conclusion == QStringLiteral("skipped") || conclusion == QStringLiteral("neutral"));
    }
};

// The Vercel REST endpoints the console uses (shared/api-specs/ENDPOINTS.md).
class VercelClient
{
public:
    VercelClient(Net::HttpClient &http, QUrl baseUrl, QString projectId, QString teamId = {});

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;

    void project(Callback<VercelProject> done);
    // Newest first, following pagination.next → until up to `limit` items.
    void deployments(const QString &target, int limit, Callback<QList<VercelDeployment>> done);
    void deployment(const QString &id, Callback<VercelDeployment> done);
    void checks(const QString &deploymentId, Callback<QList<VercelCheck>> done);
    // Checks the console itself runs (e.g. "console: SLO burn"). Creating one is
    // not idempotent: after an unclear outcome the client looks for a check of
    // that name before trying again. Updating sets absolute values, so it is.
    void createCheck(const QString &deploymentId, const QString &name, bool blocking, Callback<VercelCheck> done);
    void updateCheck(const QString &deploymentId, const QString &checkId, const QString &status, const QString &conclusion,
                     Callback<VercelCheck> done);
    // The domains pointing at a deployment, and the per-alias status of the ongoing promote or rollback.
    void deploymentAliases(const QString &deploymentId, Callback<QList<VercelAlias>> done);
    void promoteAliases(Callback<QList<VercelPromoteAlias>> done);
    // Mutations: never retried blindly; after an unclear outcome the client
    // reads the project back and retries only if production did not change.
    // The receipt holds Vercel's x-vercel-id of the accepted call (requestPromote, requestRollback: the
    // operationIds); promote/instantRollback are the same calls for callers that need only the outcome.
    void requestPromote(const QString &deploymentId, Callback<Receipt> done);
    // Points `alias` (a domain of the project, e.g. the staging domain) at the deployment (assignAlias). Vercel moves
    // it away from any other deployment. Not retried blindly: after an unclear outcome, and after a 409 "already
    // assigned", the deployment's aliases are read back; an alias that points at it is the answer.
    void assignAlias(const QString &deploymentId, const QString &alias, Callback<VercelAliasAssignment> done);
    // Whether `alias` points at the deployment now (its aliases read back).
    void aliasPointsAt(const QString &deploymentId, const QString &alias, Callback<bool> done);
    void requestRollback(const QString &deploymentId, const QString &description, Callback<Receipt> done);
    void promote(const QString &deploymentId, std::function<void(const Status &)> done);
    void instantRollback(const QString &deploymentId, const QString &description, std::function<void(const Status &)> done);
    // The exact requests the calls above send, for a plan's preview (no network).
    Net::RequestPreview previewInstantRollback(const QString &deploymentId, const QString &description) const;
    Net::RequestPreview previewProject() const;
    Net::RequestPreview previewChecks(const QString &deploymentId) const;
    Net::RequestPreview previewDeploymentAliases(const QString &deploymentId) const;
    Net::RequestPreview previewAssignAlias(const QString &deploymentId, const QString &alias) const;
    // How long a read-back waits before it believes "not applied" (a timed-out call may still land).
    void setReadBackSettle(int ms) { m_readBackSettleMs = ms; }

    static Result<VercelProject> parseProject(const QByteArray &body);
    static Result<QList<VercelDeployment>> parseDeployments(const QByteArray &body, std::optional<qint64> *next);
    static Result<VercelDeployment> parseDeployment(const QByteArray &body);
    static Result<VercelCheck> parseCheck(const QByteArray &body);
    static Result<QList<VercelAlias>> parseDeploymentAliases(const QByteArray &body);
    static Result<QList<VercelPromoteAlias>> parsePromoteAliases(const QByteArray &body);
    static Result<VercelAliasAssignment> parseAliasAssignment(const QByteArray &body);

private:
    QUrl url(const QString &path, QList<QPair<QString, QString>> query = {}) const;
    void fetchPage(const QString &target, int limit, std::optional<qint64> until, QList<VercelDeployment> acc,
                   Callback<QList<VercelDeployment>> done);
    void mutate(const QString &path, const QString &expectProduction, Callback<Receipt> done);

    Net::HttpClient &m_http;
    QUrl m_base;
    QString m_projectId;
    QString m_teamId;
    int m_readBackSettleMs = 5000;
};

} // namespace Raize::Services
