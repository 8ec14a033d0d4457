#include "slospec.h"

using namespace Qt::StringLiterals;

namespace Raize::Slo {

namespace {

// Minimum events for the windows the engine asks about: the six alert
// windows and the 30-day budget window. Longer windows need more events so
// that a handful of failures cannot, on their own, look like a burn.
QMap<qint64, int> minimums(int m5, int m30, int h1, int h6, int d3, int d30)
{
    return {{5 * MinuteMs, m5}, {30 * MinuteMs, m30}, {HourMs, h1},
            {6 * HourMs, h6},   {3 * DayMs, d3},      {30 * DayMs, d30}};
}

SloSpec make(QString id, QString title, double objective, QString total, QString good, QString bad,
             double thresholdSeconds, QMap<qint64, int> minEvents)
{
    SloSpec s;
    s.id = std::move(id);
    s.title = std::move(title);
    s.objective = objective;
    s.totalMetric = std::move(total);
    s.goodMetric = std::move(good);
    s.badMetric = std::move(bad);
    s.thresholdSeconds = thresholdSeconds;
    s.minEvents = minEvents.value(5 * MinuteMs); // any other window: the smallest minimum
    s.minEventsByWindowMs = std::move(minEvents);
    return s;
}

} // namespace

QList<SloSpec> defaultSlos()
{
    return {
        make(u"publish_success"_s, u"Publish success"_s, 0.99, u"raize_publish_attempts_total"_s,
             u"raize_publish_success_total"_s, {}, 0, minimums(20, 60, 100, 300, 1000, 3000)),
        make(u"verification_ttv"_s, u"Verification time-to-visible ≤ 60 s"_s, 0.98,
             u"raize_verification_seconds_count"_s, u"raize_verification_seconds_bucket{le=\"60\"}"_s, {}, 60,
             minimums(20, 60, 100, 300, 1000, 3000)),
        make(u"queue_delay"_s, u"Queue delay ≤ 30 s"_s, 0.99, u"raize_queue_delay_seconds_count"_s,
             u"raize_queue_delay_seconds_bucket{le=\"30\"}"_s, {}, 30, minimums(20, 60, 100, 300, 1000, 3000)),
        make(u"runner_availability"_s, u"Runner availability"_s, 0.995, u"raize_runner_heartbeat_expected_total"_s,
             u"raize_runner_heartbeat_received_total"_s, {}, 0, minimums(60, 300, 600, 3000, 10000, 50000)),
        make(u"browser_drift"_s, u"Browser-lane drift"_s, 0.98, u"raize_browser_checks_total"_s, {},
             u"raize_browser_drift_total"_s, 0, minimums(20, 60, 100, 300, 1000, 3000)),
        make(u"http_errors"_s, u"HTTP error ratio"_s, 0.995, u"raize_http_requests_total"_s, {},
             u"raize_http_requests_total{code=~\"5..\"}"_s, 0, minimums(100, 300, 500, 1000, 5000, 20000)),
    };
}

} // namespace Raize::Slo
