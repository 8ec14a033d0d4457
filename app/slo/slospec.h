#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Raize::Slo {

inline constexpr qint64 MinuteMs = 60'000;
inline constexpr qint64 HourMs = 60 * MinuteMs;
inline constexpr qint64 DayMs = 24 * HourMs;

// One service level objective: a ratio of good events to all events over a
// rolling window (docs/contracts.md, policy bundle section `slos`).
struct SloSpec
{
    QString id;    // "publish_success"
    QString title; // "Publish success"
    double objective = 0.99; // fraction of events that must be good
    int windowDays = 30;     // the error budget's rolling window

    // Where the counters come from. Exactly one of goodMetric/badMetric is
    // set; a metrics adapter turns either into CounterSample{good, total}.
    QString totalMetric;
    QString goodMetric;
    QString badMetric;
    // Latency SLOs (time-to-visible, queue delay): an event is good when it
    // took at most this long, i.e. the histogram bucket le="thresholdSeconds".
    // 0 for SLOs that are not about latency.
    double thresholdSeconds = 0;

    // Below this many events in a window the engine answers "not enough
    // data" for that window instead of a ratio (SRE Workbook, "Low-Traffic
    // Services"). minEventsByWindowMs overrides it per window length, as the
    // policy bundle does ({"5m": 20, "1h": 100, ...}).
    int minEvents = 1;

    // The SLO table (policy `slos[].series`, docs/slo-labels.md): the labels
    // its series carry, the services and lanes that export it, and the
    // sandbox fault kind that makes it burn. Empty services: any service.
    QStringList labels;
    QStringList services;
    QStringList lanes;
    QString fault;
    QMap<qint64, int> minEventsByWindowMs;

    qint64 windowMs() const { return qint64(windowDays) * DayMs; }
    double errorBudget() const { return 1.0 - objective; }
    int minEventsFor(qint64 windowMs) const { return minEventsByWindowMs.value(windowMs, minEvents); }
};

// The SLOs of the built-in policy bundle (resources/policy/playbook-v1.json,
// section `slos`; slosFromPolicy in slopolicy.h). A tenant bundle's SLOs
// come from slosFromPolicy(bundle).
QList<SloSpec> defaultSlos();

} // namespace Raize::Slo
