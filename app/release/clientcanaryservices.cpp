#include "release/clientcanaryservices.h"

#include "services/flags/flagservice.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace Raize::Release {

using namespace Qt::StringLiterals;

namespace {
QString window(double seconds)
{
    return u"%1s"_s.arg(qMax<qint64>(1, qint64(std::ceil(seconds))));
}
QString alternatives(const QStringList &values)
{
    QStringList quoted;
    for (const QString &v : values)
        quoted << QRegularExpression::escape(v);
    return quoted.join(u'|');
}
double valueOf(const Services::PromResult &r, const QString &label, const QString &value, const QString &label2 = {},
               const QString &value2 = {})
{
    double sum = 0;
    for (const Services::PromSample &s : r.vector) {
        if (s.labels.value(label) == value && (label2.isEmpty() || s.labels.value(label2) == value2) && std::isfinite(s.value))
            sum += s.value;
    }
    return sum;
}
} // namespace

ClientCanaryServices::ClientCanaryServices(Services::RollingReleaseClient &rollingReleases, Services::FlagService &flags,
                                           Services::PrometheusClient &prometheus, QList<Cohort> cohorts, QString environment)
    : m_rr(rollingReleases)
    , m_flags(flags)
    , m_prom(prometheus)
    , m_cohorts(std::move(cohorts))
    , m_environment(std::move(environment))
{
}

void ClientCanaryServices::rollingRelease(Callback<std::optional<Services::RollingRelease>> done)
{
    m_rr.rollingRelease(std::move(done));
}

void ClientCanaryServices::start(const QString &canaryDeploymentId, Callback<Services::RollingRelease> done)
{
    m_rr.start(canaryDeploymentId, std::move(done));
}

void ClientCanaryServices::approveStage(const QString &canaryDeploymentId, int nextStageIndex, Callback<Services::RollingRelease> done)
{
    m_rr.approveStage(canaryDeploymentId, nextStageIndex, std::move(done));
}

QString ClientCanaryServices::deploymentQuery(const QStringList &deployments, double seconds)
{
    return u"sum by (deployment, code) (increase(raize_http_requests_by_deployment_total{service=\"web\",deployment=~\"%1\"}[%2]))"_s.arg(
        alternatives(deployments), window(seconds));
}

QString ClientCanaryServices::cohortQuery(const QString &metric, const QStringList &cohorts, double seconds)
{
    return u"sum by (cohort) (increase(%1{service=\"runner\",cohort=~\"%2\"}[%3]))"_s.arg(metric, alternatives(cohorts), window(seconds));
}

void ClientCanaryServices::counts(const QString &canary, const QString &baseline, const QStringList &cohorts, double seconds,
                                  Callback<StageCounts> done)
{
    m_prom.query(deploymentQuery({canary, baseline}, seconds), std::nullopt, [this, canary, baseline, cohorts, seconds, done](
                                                                                   const Result<Services::PromResult> &byDeployment) {
        if (!byDeployment)
            return done(byDeployment.error());
        StageCounts out;
        const auto axis = [&](const QString &name, const QString &id) {
            AxisCount a{name + u' ' + id, 0, 0};
            for (const Services::PromSample &s : byDeployment->vector) {
                if (s.labels.value(u"deployment"_s) != id || !std::isfinite(s.value))
                    continue;
                a.requests += s.value;
                if (s.labels.value(u"code"_s).startsWith(u'5'))
                    a.errors += s.value;
            }
            return a;
        };
        out.canary = axis(u"canary"_s, canary);
        out.baseline = axis(u"baseline"_s, baseline);
        if (cohorts.isEmpty())
            return done(out);
        // The flag axis: the cohorts' side effects (publish attempts and successes).
        m_prom.query(cohortQuery(u"raize_publish_attempts_total"_s, cohorts, seconds), std::nullopt,
                     [this, out, cohorts, seconds, done](const Result<Services::PromResult> &attempts) mutable {
                         if (!attempts)
                             return done(attempts.error());
                         m_prom.query(cohortQuery(u"raize_publish_success_total"_s, cohorts, seconds), std::nullopt,
                                      [out, cohorts, attempts, done](const Result<Services::PromResult> &success) mutable {
                                          if (!success)
                                              return done(success.error());
                                          for (const QString &c : cohorts) {
                                              const double all = valueOf(*attempts, u"cohort"_s, c);
                                              const double ok = valueOf(*success, u"cohort"_s, c);
                                              out.cohorts.append({u"cohort "_s + c, all, std::max(0.0, all - ok)});
                                          }
                                          done(out);
                                      });
                     });
    });
}

QString ClientCanaryServices::frictionQuery(const QString &metric, const QStringList &cohorts, double seconds)
{
    return u"sum by (cohort, account, lane) (increase(%1{service=\"runner\",cohort=~\"%2\"}[%3]))"_s.arg(metric, alternatives(cohorts), window(seconds));
}

void ClientCanaryServices::friction(const QStringList &cohorts, double seconds, qint64 sinceMs, Callback<FrictionFacts> done)
{
    FrictionFacts facts;
    facts.sinceMs = sinceMs;
    facts.queries = {frictionQuery(u"raize_platform_rate_limits_total"_s, cohorts, seconds),
                     frictionQuery(u"raize_platform_checkpoints_total"_s, cohorts, seconds)};
    if (cohorts.isEmpty())
        return done(facts); // the stage serves the flags to nobody: no side effects, no friction
    // Sums one answer by cohort, naming the account and lane with the most events.
    const auto add = [cohorts](FrictionFacts &out, const QString &kind, const Services::PromResult &r) {
        for (const QString &c : cohorts) {
            FrictionCount count{c, kind, 0, {}};
            double most = 0;
            for (const Services::PromSample &s : r.vector) {
                if (s.labels.value(u"cohort"_s) != c || !std::isfinite(s.value))
                    continue;
                count.events += s.value;
                if (s.value > most) {
                    most = s.value;
                    count.worst = u"%1 (%2 lane): %3"_s.arg(s.labels.value(u"account"_s), s.labels.value(u"lane"_s)).arg(qint64(std::llround(s.value)));
                }
            }
            out.counts << count;
        }
    };
    m_prom.query(facts.queries.at(0), std::nullopt, [this, facts, add, done](const Result<Services::PromResult> &limits) mutable {
        if (!limits) {
            facts.error = limits.error().toString();
            return done(facts);
        }
        add(facts, u"rate limit"_s, *limits);
        m_prom.query(facts.queries.at(1), std::nullopt, [facts, add, done](const Result<Services::PromResult> &checkpoints) mutable {
            if (!checkpoints) {
                facts.counts.clear(); // half an answer is not an answer
                facts.error = checkpoints.error().toString();
                return done(facts);
            }
            add(facts, u"checkpoint"_s, *checkpoints);
            done(facts);
        });
    });
}

void ClientCanaryServices::smokeChecks(const QString &canaryDeploymentId, Callback<SmokeFacts> done)
{
    SmokeFacts facts;
    facts.deployment = canaryDeploymentId;
    if (!m_vercel || !m_github) {
        facts.error = u"no GitHub repository is configured (Settings → GitHub), so the staging smoke checks cannot be read"_s;
        return done(facts);
    }
    Services::GitHubClient *github = m_github;
    m_vercel->deployment(canaryDeploymentId, [github, facts, done](const Result<Services::VercelDeployment> &d) mutable {
        if (!d) {
            facts.error = u"Vercel did not name the deployment's commit: %1"_s.arg(d.error().toString());
            return done(facts);
        }
        if (d->sha.isEmpty()) {
            facts.error = u"Vercel names no commit for %1 (not built from GitHub?)"_s.arg(facts.deployment);
            return done(facts);
        }
        facts.commit = d->sha;
        // Check runs first (newest first: the latest run of a name decides), then the commit statuses.
        github->checkRuns(facts.commit, [github, facts, done](const Result<QList<Services::GitHubCheckRun>> &runs) mutable {
            if (!runs) {
                facts.error = runs.error().toString();
                return done(facts);
            }
            QSet<QString> seen;
            for (const Services::GitHubCheckRun &c : *runs) {
                if (seen.contains(c.name.toLower()))
                    continue;
                seen.insert(c.name.toLower());
                facts.checks << SmokeCheck{c.name, smokeState(c.status, c.conclusion), c.conclusion.isEmpty() ? c.status : c.conclusion, c.htmlUrl};
            }
            github->combinedStatus(facts.commit, [facts, seen, done](const Result<Services::GitHubCombinedStatus> &status) mutable {
                if (!status) {
                    facts.checks.clear();
                    facts.error = status.error().toString();
                    return done(facts);
                }
                for (const Services::GitHubStatusContext &c : status->contexts) {
                    if (seen.contains(c.context.toLower()))
                        continue;
                    seen.insert(c.context.toLower());
                    facts.checks << SmokeCheck{c.context, smokeState({}, c.state), c.state, c.targetUrl};
                }
                done(facts);
            });
        });
    });
}

Services::FlagScope ClientCanaryServices::scopeFor(const QStringList &cohorts, const QList<Cohort> &all)
{
    Services::FlagScope scope;
    for (const Cohort &c : all) {
        if (cohorts.contains(c.id) && c.everyone())
            return {}; // everyone: the whole environment
    }
    scope.cohorts = cohorts;
    return scope;
}

void ClientCanaryServices::serveCohorts(const QStringList &flags, const QStringList &cohorts, std::function<void(const Status &)> done)
{
    serveNext(flags, scopeFor(cohorts, m_cohorts), std::move(done));
}

void ClientCanaryServices::serveNext(QStringList remaining, const Services::FlagScope &scope, std::function<void(const Status &)> done)
{
    // One flag after the other; the first failure stops and says which.
    if (remaining.isEmpty())
        return done(okStatus());
    const QString flag = remaining.takeFirst();
    m_flags.setScope(flag, m_environment, scope, 100, [this, flag, remaining, scope, done](const Result<Services::FlagStrategy> &set) {
        if (!set)
            return done(set.error());
        m_flags.setEnabled(flag, m_environment, true, [this, remaining, scope, done](const Status &on) {
            if (!on)
                return done(on);
            serveNext(remaining, scope, done);
        });
    });
}

} // namespace Raize::Release
