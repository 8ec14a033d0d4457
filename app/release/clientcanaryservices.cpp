#include "release/clientcanaryservices.h"

#include "services/flags/flagservice.h"
#include "services/prometheus/prometheusclient.h"

#include <QRegularExpression>

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
