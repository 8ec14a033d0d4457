#pragma once

// DORA's five software delivery metrics (issue #19, part 3), computed exactly
// from the release's records — production deployments with the pull requests
// they first shipped, rollbacks with the deployment they rolled away from,
// incidents with the deployments they link — never guessed from labels. The
// definitions are in docs/dora.md; this is a pure function of its input so
// that the view, `raize-console metrics dora` and the tests agree.

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Release::Dora {

// A deployment that became production (Vercel target=production, READY), once
// per deployment id: a promotion of a deployment that was production before
// (undoing a pin) or an Instant Rollback to it is not a new deployment.
struct Deployment
{
    QString id;
    QString service;      // web, runner, tools ("" when the settings do not map it)
    QString sha;          // the commit it was built from
    QDateTime productionAt; // when it started serving production
    QList<int> pullRequests; // the pull requests this deployment shipped first
    // A direct push (no pull request): when its commit was made. Lead time
    // starts here; merge-to-production does not apply.
    QDateTime commitAt;
};

struct PullRequest
{
    int number = 0;
    QDateTime firstCommitAt;
    QDateTime mergedAt;
    QStringList linkedIncidents; // incident ids the pull request says it fixes or refers to
};

struct Rollback
{
    QString id;            // the console's run id, or Vercel's alias request
    QString fromDeployment; // the production deployment rolled away from
    QString toDeployment;   // the target
    QDateTime requestedAt;
    QDateTime effectiveAt;  // invalid: never confirmed effective
    QString incident;       // the incident the rollback answered, if linked
};

struct Incident
{
    QString id;
    QDateTime openedAt;
    QDateTime closedAt;       // invalid: still open
    QStringList deployments;  // the production deployments it links
};

struct Records
{
    QList<Deployment> deployments;
    QList<PullRequest> pullRequests;
    QList<Rollback> rollbacks;
    QList<Incident> incidents;

    // The records file `raize-console metrics dora --records FILE` reads and
    // `--dump-records` writes: {"deployments":[…], "pullRequests":[…], …}.
    nlohmann::json toJson() const;
    static Result<Records> fromJson(const nlohmann::json &j);
};

struct Options
{
    QDateTime from; // inclusive
    QDateTime to;   // exclusive
    // A production deployment followed within this many seconds by a rollback
    // away from it, or by an incident that links it, failed (the policy's
    // `dora.changeFailWindowHours`; 24 h by default).
    qint64 changeFailWindowSecs = 24 * 3600;
    // Trend buckets (seconds); a week by default.
    qint64 bucketSecs = 7 * 24 * 3600;
};

// Seconds; median is the mean of the two middle values for an even count.
struct Durations
{
    QList<qint64> samples; // sorted ascending
    std::optional<double> median() const;
    std::optional<double> p90() const; // nearest rank
};

struct Bucket
{
    QDateTime from;
    int deployments = 0;
    int failed = 0;
    std::optional<double> leadTimeMedianSecs;
};

struct Report
{
    Options window;
    int deployments = 0;
    double deploymentsPerDay = 0;
    Durations leadTime;          // first commit (or a direct push's commit) → production
    Durations mergeToProduction; // pull requests only
    int failedDeployments = 0;
    std::optional<double> changeFailRate; // none: no deployment in the window
    QStringList failed;                   // ids, with the reason, e.g. "dpl_3: rolled back by run-7"
    Durations recoveryTime;               // incident opened → rollback effective
    QStringList unrecovered;              // incidents opened in the window with no effective rollback
    int reworkDeployments = 0;
    std::optional<double> reworkRate;
    QStringList rework;                   // ids, with the reason
    QList<Bucket> trend;
    QStringList notes;                    // what the figures leave out, in words

    nlohmann::json toJson() const;
    QString toText() const;
};

Report compute(const Records &records, const Options &options);

// "3 d 4 h", "2 h 05 min", "45 s": for the view and the CLI.
QString formatDuration(double secs);

} // namespace Raize::Release::Dora
