#pragma once

// CanaryServices for the workspace's canary session without the sandbox
// (issue #20, ADR 0033): the rolling release through a real
// RollingReleaseClient (the in-process Vercel fake), the request counts
// scripted (what the stage's window saw on each axis), the flag cohorts
// recorded, the stage evidence (ADR 0032) scripted: the built-in policy's
// smoke checks passed on the canary's commit and no enforcement friction,
// unless a test says otherwise. Header only; used by test_canary_session and
// test_canary_slo_view.

#include "release/canaryservices.h"

#include <QTimer>

namespace RaizeTest {

class ScriptedCanaryServices final : public Raize::Release::CanaryServices
{
public:
    explicit ScriptedCanaryServices(Raize::Services::RollingReleaseClient &rr) : m_rr(rr) {}

    // What counts() answers: requests and errors on each axis (every cohort alike).
    double canaryRequests = 5000, canaryErrors = 2, baselineRequests = 95000, baselineErrors = 40, cohortRequests = 2000, cohortErrors = 1;
    QStringList served; // "flag,flag → cohort, cohort" per serveCohorts call
    // What smokeChecks() answers: these names passed on the canary's commit; `smokeError` set: GitHub did not answer.
    QStringList smokePassed = {QStringLiteral("smoke/plan-create-schedule"), QStringLiteral("smoke/dry-run-publish"),
                               QStringLiteral("smoke/verification-job")};
    QString smokeError;
    // What friction() answers: no rate limit or checkpoint in any cohort; `frictionError` set: Prometheus did not answer.
    QString frictionError;

    void rollingRelease(Callback<std::optional<Raize::Services::RollingRelease>> done) override { m_rr.rollingRelease(std::move(done)); }
    void start(const QString &canary, Callback<Raize::Services::RollingRelease> done) override { m_rr.start(canary, std::move(done)); }
    void approveStage(const QString &canary, int next, Callback<Raize::Services::RollingRelease> done) override
    {
        m_rr.approveStage(canary, next, std::move(done));
    }
    void counts(const QString &canary, const QString &baseline, const QStringList &cohorts, double, Callback<Raize::Release::StageCounts> done) override
    {
        Raize::Release::StageCounts out;
        out.canary = {QStringLiteral("canary ") + canary, canaryRequests, canaryErrors};
        out.baseline = {QStringLiteral("baseline ") + baseline, baselineRequests, baselineErrors};
        for (const QString &c : cohorts)
            out.cohorts.append({QStringLiteral("cohort ") + c, cohortRequests, cohortErrors});
        QTimer::singleShot(0, [done, out] { done(out); });
    }
    void serveCohorts(const QStringList &flags, const QStringList &cohorts, std::function<void(const Raize::Status &)> done) override
    {
        served << flags.join(u',') + QStringLiteral(" → ") + cohorts.join(QStringLiteral(", "));
        QTimer::singleShot(0, [done] { done(Raize::okStatus()); });
    }

    void friction(const QStringList &cohorts, double, qint64 sinceMs, Callback<Raize::Release::FrictionFacts> done) override
    {
        Raize::Release::FrictionFacts out;
        out.sinceMs = sinceMs;
        out.queries = {QStringLiteral("scripted friction")};
        out.error = frictionError;
        if (frictionError.isEmpty()) {
            for (const QString &c : cohorts)
                for (const QString &kind : {QStringLiteral("rate limit"), QStringLiteral("checkpoint")})
                    out.counts.append({c, kind, 0, {}});
        }
        QTimer::singleShot(0, [done, out] { done(out); });
    }
    void smokeChecks(const QString &canaryDeploymentId, Callback<Raize::Release::SmokeFacts> done) override
    {
        Raize::Release::SmokeFacts out;
        out.deployment = canaryDeploymentId;
        out.commit = QStringLiteral("c0ffee00112233445566778899aabbccddeeff00");
        out.error = smokeError;
        if (smokeError.isEmpty()) {
            for (const QString &name : smokePassed)
                out.checks.append({name, QStringLiteral("success"), QStringLiteral("success"),
                                   QStringLiteral("https://github.com/raize/platform/runs/") + name.section(u'/', 1)});
        }
        QTimer::singleShot(0, [done, out] { done(out); });
    }

private:
    Raize::Services::RollingReleaseClient &m_rr;
};

} // namespace RaizeTest
