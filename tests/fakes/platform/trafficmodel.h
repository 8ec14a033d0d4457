#pragma once

#include "platformfault.h"

#include <QIODevice>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Raize::Sandbox {

// The platform's traffic as a fluid (expected-value) model: every counter is
// a closed-form function of time, with a daily cycle, so 30 days of history
// and the live process agree to the sample and tests are deterministic.
// Incidents add to the "bad" counters on top (PlatformSim).
struct TrafficModel
{
    struct Cohort
    {
        QString id;
        QStringList clientIds;
        QStringList accounts;
        double httpRate;    // requests/s on the api lane
        double publishRate; // publish attempts/s on the api lane
    };

    static constexpr qint64 Origin = 1767225600; // 2026-01-01T00:00:00Z
    static constexpr double DailyAmplitude = 0.3;

    // Baseline bad-event ratios (healthy: burn well under 1).
    static constexpr double HttpErrorRatio = 0.0005;
    static constexpr double PublishFailureRatio = 0.001;
    static constexpr double SlowVerificationRatio = 0.005; // > 60 s
    static constexpr double SlowQueueRatio = 0.002;        // > 30 s
    static constexpr double MissedHeartbeatRatio = 0.0005;
    static constexpr double DriftRatio = 0.002;
    // Enforcement friction of a healthy day (per publish attempt, spread over a cohort's accounts): a rate
    // limit now and then, a checkpoint rarely — under the policy's friction ratio (0.2 %).
    static constexpr double RateLimitRatio = 0.0002;
    static constexpr double CheckpointRatio = 0.00005;

    static const QList<Cohort> &cohorts();
    static QStringList lanes() { return {QStringLiteral("api"), QStringLiteral("browser")}; }
    static double laneWeight(const QString &lane) { return lane == QLatin1StringView("browser") ? 0.5 : 1.0; }

    // Events of a stream with base rate r (per second) from Origin to t.
    static double cumulative(double rate, double t);
    static double rateAt(double rate, double t);

    static constexpr double HeartbeatRate = 1.0;     // per cohort × lane
    static constexpr double BrowserCheckRate = 0.5;  // per cohort, browser lane only

    // The base rate (events/s before the daily cycle) of the events an SLO
    // fault kind counts, for one cohort × lane × service; 0 where that
    // service or lane does not export the SLO (docs/slo-labels.md).
    static double baseRate(PlatformFault::Kind kind, const Cohort &cohort, const QString &lane, const QString &service);
    static double baselineBadRatio(PlatformFault::Kind kind);

    // A fault already in progress when the sandbox starts (the demo's
    // "release in progress"): since `since`, `ratio` of the kind's events of
    // one cohort × lane × service went bad and `extraRate` bad events per
    // second came on top.
    struct Incident
    {
        QString cohort;
        QString lane;
        QString service;
        PlatformFault::Kind kind = PlatformFault::Kind::PublishFailure;
        double since = 0; // unix seconds
        double ratio = 0;
        double extraRate = 0;
    };
    // What incidents added to one stream up to t: events turned bad, and extra (bad) events.
    struct Extra
    {
        double converted = 0;
        double extra = 0;
    };
    static Extra incidentExtra(const QList<Incident> &incidents, PlatformFault::Kind kind, const Cohort &cohort, const QString &lane,
                               const QString &service, double t);

    // OpenMetrics text of the SLO counters at 1-minute steps for `days` days
    // ending at `end`, ready for `promtool tsdb create-blocks-from openmetrics`:
    // one file per UTC day in `directory` (promtool reads a file once per
    // block, so day files with 24 h blocks are read about once each).
    //
    // A whole day that ends before every incident began is "plain": its
    // samples depend on nothing but the day and this model, so the same day
    // is the same from one sandbox start to the next. `skipPlain(day)`
    // (yyyyMMdd) says whether one is not needed (its blocks are kept
    // elsewhere); `manifest` gets one line per day, in order:
    //   "cached <yyyyMMdd>" (plain, skipped), "plain <file> <yyyyMMdd>",
    //   "scenario <file>" (partial, or touched by an incident).
    static bool writeBackfill(const QString &directory, qint64 end, int days, const QList<Incident> &incidents, QString *error,
                              const std::function<bool(const QString &day)> &skipPlain = {}, QStringList *manifest = nullptr);
    static bool writeBackfillRange(QIODevice &out, qint64 from, qint64 to, const QList<Incident> &incidents, QString *error);
};

} // namespace Raize::Sandbox
