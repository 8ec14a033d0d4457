#pragma once

// CanaryServices for the workspace's canary session without the sandbox
// (issue #20, ADR 0033): the rolling release through a real
// RollingReleaseClient (the in-process Vercel fake), the request counts
// scripted (what the stage's window saw on each axis), the flag cohorts
// recorded. Header only; used by test_canary_session and test_canary_slo_view.

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

private:
    Raize::Services::RollingReleaseClient &m_rr;
};

} // namespace RaizeTest
