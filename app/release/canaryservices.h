#pragma once

// What a two-axis canary run (CanaryRun) talks to, as one narrow interface
// (issue #20, item 4): Vercel's rolling release, the request counts of both
// axes, and the flag cohorts. ClientCanaryServices implements it on the
// profile's clients; tests implement it on the in-process fakes.

#include "core/result.h"
#include "release/canaryplan.h"
#include "services/vercel/rollingreleaseclient.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Raize::Release {

// Requests and errors since the stage began, by deployment and by cohort.
struct StageCounts
{
    AxisCount canary, baseline;
    QList<AxisCount> cohorts;
};

class CanaryServices
{
public:
    virtual ~CanaryServices() = default;

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;

    virtual void rollingRelease(Callback<std::optional<Services::RollingRelease>> done) = 0;
    virtual void start(const QString &canaryDeploymentId, Callback<Services::RollingRelease> done) = 0;
    virtual void approveStage(const QString &canaryDeploymentId, int nextStageIndex, Callback<Services::RollingRelease> done) = 0;
    // The web requests each deployment served and the requests of each cohort over the last `seconds`.
    virtual void counts(const QString &canary, const QString &baseline, const QStringList &cohorts, double seconds,
                        Callback<StageCounts> done) = 0;
    // Serves `flags` to exactly `cohorts` in production (a cohort whose clients are "*" means everyone).
    virtual void serveCohorts(const QStringList &flags, const QStringList &cohorts, std::function<void(const Status &)> done) = 0;

    // ---- evidence (stageevidence.h), read rather than ticked by hand ----
    // The platform's rate-limit and checkpoint counters of `cohorts` over the last `seconds` (since the stage
    // began at `sinceMs`), by cohort and kind, with the queries asked. A read that fails answers a
    // FrictionFacts with `error` set (unknown friction), never an empty list. The default reads nothing and
    // says so: a service that cannot read friction never lets a stage advance.
    virtual void friction(const QStringList &cohorts, double seconds, qint64 sinceMs, Callback<FrictionFacts> done)
    {
        Q_UNUSED(cohorts);
        Q_UNUSED(seconds);
        FrictionFacts none;
        none.sinceMs = sinceMs;
        none.error = QStringLiteral("this console's canary services do not read the platform's friction counters");
        done(none);
    }
    // The check runs and commit statuses on the commit `canaryDeploymentId` was built from (the commit staging
    // ran), newest first. A read that fails answers SmokeFacts with `error` set (unknown, never a pass). The
    // default reads nothing and says so.
    virtual void smokeChecks(const QString &canaryDeploymentId, Callback<SmokeFacts> done)
    {
        SmokeFacts none;
        none.deployment = canaryDeploymentId;
        none.error = QStringLiteral("this console's canary services do not read GitHub's checks");
        done(none);
    }
};

} // namespace Raize::Release
