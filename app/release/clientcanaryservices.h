#pragma once

// CanaryServices on the profile's clients (issue #20, item 4): Vercel's
// rolling release through RollingReleaseClient, the request counts from
// Prometheus (docs/contracts.md: raize_http_requests_by_deployment_total for
// the deployment axis, the publish counters by cohort for the flag axis), and
// the flag cohorts through the profile's FlagService. Owns nothing.

#include "release/canaryservices.h"
#include "release/cohorts.h"
#include "services/flags/flagservice.h"

namespace Raize::Services {
class GitHubClient;
class PrometheusClient;
class VercelClient;
} // namespace Raize::Services

namespace Raize::Release {

class ClientCanaryServices final : public CanaryServices
{
public:
    ClientCanaryServices(Services::RollingReleaseClient &rollingReleases, Services::FlagService &flags,
                         Services::PrometheusClient &prometheus, QList<Cohort> cohorts, QString environment = QStringLiteral("production"));

    void rollingRelease(Callback<std::optional<Services::RollingRelease>> done) override;
    void start(const QString &canaryDeploymentId, Callback<Services::RollingRelease> done) override;
    void approveStage(const QString &canaryDeploymentId, int nextStageIndex, Callback<Services::RollingRelease> done) override;
    void counts(const QString &canary, const QString &baseline, const QStringList &cohorts, double seconds, Callback<StageCounts> done) override;
    void serveCohorts(const QStringList &flags, const QStringList &cohorts, std::function<void(const Status &)> done) override;
    // Prometheus: raize_platform_rate_limits_total and raize_platform_checkpoints_total by cohort, account and lane.
    void friction(const QStringList &cohorts, double seconds, qint64 sinceMs, Callback<FrictionFacts> done) override;
    // Vercel names the canary's commit (its githubCommitSha); GitHub its check runs and commit statuses.
    void smokeChecks(const QString &canaryDeploymentId, Callback<SmokeFacts> done) override;

    // Where the smoke checks are read (both must outlive this object). Unset: the smoke checks are unknown,
    // so a policy that names some never starts a canary (the console says GitHub is not configured).
    void setSmokeSources(Services::VercelClient *vercel, Services::GitHubClient *github)
    {
        m_vercel = vercel;
        m_github = github;
    }

    // The PromQL the counts are read with (for the plan's preview and tests).
    static QString deploymentQuery(const QStringList &deployments, double seconds);
    static QString cohortQuery(const QString &metric, const QStringList &cohorts, double seconds);
    // Friction of one counter by cohort, platform account and lane (docs/slo-labels.md, "Enforcement friction").
    static QString frictionQuery(const QString &metric, const QStringList &cohorts, double seconds);
    // The flag scope that reaches exactly `cohorts` (global when one of them is everyone).
    static Services::FlagScope scopeFor(const QStringList &cohorts, const QList<Cohort> &all);

private:
    void serveNext(QStringList remaining, const Services::FlagScope &scope, std::function<void(const Status &)> done);

    Services::RollingReleaseClient &m_rr;
    Services::FlagService &m_flags;
    Services::PrometheusClient &m_prom;
    Services::VercelClient *m_vercel = nullptr;
    Services::GitHubClient *m_github = nullptr;
    QList<Cohort> m_cohorts;
    QString m_environment;
};

} // namespace Raize::Release
