#pragma once

#include "http/httpserver.h"

#include <QMap>
#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Sandbox {

class HttpServer;

// A stateful simulation of the Vercel REST endpoints the console uses
// (shared/api-specs/ENDPOINTS.md): one project whose deployments carry the
// targets preview (null), staging and production. Deployments added with a
// "project" of their own belong to another service's project (runner, tools:
// the timeline's lanes), which lists them and serves its newest production one.
class VercelFake : public QObject
{
    Q_OBJECT

public:
    VercelFake(HttpServer *server, QString token, QObject *parent = nullptr);

    // The scenario's "vercel" part: {"project": {"id","name","teamId", and the settings the gates read, each optional:
    //  "autoAssignCustomDomains", "ssoProtection", "passwordProtection", "trustedIps" (null or {"deploymentType"}),
    //  "deploymentExpiration" (null or {"expirationDays", "expirationDaysProduction", "deploymentsToKeep", ...})}, "production": id,
    //  "deployments": [{"uid","target","state","sha","ref","pr","minutesAgo","checks":[{"name","status","conclusion"}]}]}
    void load(const nlohmann::json &scenario);

    QString productionDeploymentId() const { return m_production; }
    // The deployment the production domain's alias points at (ADR 0027): production's, except while an
    // alias move is delayed (setAliasDelay), when it still names the one before.
    QString servingDeploymentId() const { return m_serving; }
    // Control surface: Vercel answers a promote or rollback at once, then moves the domains this much later
    // (0: at once). The alias job (lastAliasRequest) is in-progress meanwhile.
    void setAliasDelay(int ms) { m_aliasDelayMs = qMax(0, ms); }
    // Control surface: an Instant Rollback during a rolling release leaves it ACTIVE (the split going on) this
    // long before it turns ABORTED (0: at once; -1: never, a rolling release Vercel did not end).
    void setAbortDelay(int ms) { m_abortDelayMs = qMax(-1, ms); }
    bool productionPinned() const { return m_pinned; }
    QString projectId() const { return m_projectId; }
    nlohmann::json state() const;
    // Control surface: a new deployment (production ones are assigned only when not pinned).
    nlohmann::json addDeployment(const nlohmann::json &spec);
    bool setCheck(const QString &deploymentId, const QString &name, const QString &status, const QString &conclusion);
    // Control surface: a fresh rate-limit window (120 requests a minute), so a test that runs many
    // rollbacks on one sandbox starts each case with the budget a new sandbox would have.
    void resetBudget();

    // Rolling Releases (issue #20; vercelfakerollingrelease.cpp): the production traffic split while a
    // rolling release is ACTIVE (canary empty and 0 % otherwise). The platform simulator reads it.
    struct TrafficSplit
    {
        QString current;
        QString canary;
        double canaryPercent = 0;
    };
    TrafficSplit trafficSplit() const;
    nlohmann::json rollingReleaseState() const;

Q_SIGNALS:
    void productionChanged(const QString &deploymentId);
    // The production domain moved to another deployment (after the alias delay).
    void servingChanged(const QString &deploymentId);

private:
    struct Check
    {
        QString id, name, status, conclusion;
        bool blocking = true;
        qint64 createdAt = 0, updatedAt = 0;
    };
    struct Deployment
    {
        QString uid, target, state, sha, ref;
        QString project; // empty: the main project
        int pr = 0;
        qint64 created = 0;
        QList<Check> checks;
    };

    void routes();
    HttpServer::Handler guard(HttpServer::Handler h);
    // The rolling-release routes, their scenario part and what a rollback does to them (vercelfakerollingrelease.cpp).
    void rollingReleaseRoutes();
    void loadRollingRelease(const nlohmann::json &scenario);
    void abortRollingRelease();
    nlohmann::json rollingReleaseJson() const;
    nlohmann::json deploymentRef(const QString &id) const;
    nlohmann::json stageJson(int index) const;
    Deployment *find(const QString &idOrUrl);
    nlohmann::json listItem(const Deployment &d) const;
    nlohmann::json detail(const Deployment &d) const;
    nlohmann::json checkJson(const QString &deploymentId, const Check &c) const;
    // A Deployment Check as a scenario or the control route writes it.
    Check checkFromSpec(const nlohmann::json &spec, qint64 created);
    nlohmann::json projectJson() const;
    // Another service's project: its id and its newest READY production deployment.
    nlohmann::json otherProjectJson(const QString &id) const;
    QString projectOf(const QString &idOrName) const; // empty: the main project
    void setProduction(const QString &id);
    // ---- the alias job (effective, not just accepted; ADR 0027) ----
    // A promote or rollback Vercel accepted: records lastAliasRequest and moves the domains now or after the delay.
    void startAliasJob(const QString &type, const QString &from, const QString &to);
    void moveDomains(const QString &to);
    void aliasRoutes();
    static QString aliasUid(const QString &alias);

    HttpServer *m_server;
    QString m_token;
    QString m_projectId = QStringLiteral("prj_raize_web");
    QString m_projectName = QStringLiteral("raize-web");
    QString m_teamId = QStringLiteral("team_raize");
    QList<Deployment> m_deployments;
    QString m_production;
    QString m_serving; // what the production domain serves
    int m_aliasDelayMs = 0;
    int m_abortDelayMs = 0;
    int m_abortGeneration = 0; // a reload or a new rolling release overtakes a delayed abort
    // Domains other than production's (POST /v2/deployments/{id}/aliases; the manual Preview → Staging promote):
    // domain → deployment, from the scenario's "aliases" ({domain: uid}, e.g. the staging domain on the automatic
    // staging deployment); none without one.
    QMap<QString, QString> m_customAliases;
    int m_aliasJobGeneration = 0; // a newer job overtakes a delayed one
    nlohmann::json m_aliasJob;    // lastAliasRequest; null: none yet
    bool m_pinned = false;
    // The project's settings as the API shows them (Deployment Protection, retention); autoAssignCustomDomains
    // goes off with an Instant Rollback and on again with a promotion, as on Vercel.
    nlohmann::json m_settings = nlohmann::json::object();
    nlohmann::json m_lastRollback;
    QString m_rollbackDescription;
    qint64 m_rollbackAt = 0;
    int m_nextCheck = 1;
    int m_requestsThisWindow = 0;
    qint64 m_windowStart = 0;

    // Rolling Releases: the project's configuration (null: not configured), what its billing says, and the
    // rolling release itself (the last one, whatever its state; empty state: none yet).
    nlohmann::json m_rrConfig;
    QString m_rrBilling = QStringLiteral("available_slots");
    struct RollingRelease
    {
        QString state; // ACTIVE, COMPLETE, ABORTED; empty: none
        QString current, canary;
        nlohmann::json stages = nlohmann::json::array(); // [{targetPercentage, requireApproval, duration}], copied at start
        int activeIndex = 0;
        qint64 startedAt = 0, updatedAt = 0;
    } m_rr;
};

} // namespace Raize::Sandbox
