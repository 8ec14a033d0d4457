#pragma once

#include "core/clock.h"
#include "slo/slospec.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

class QTimer;

namespace Raize::Services {
class PrometheusClient;
}

namespace Raize::Rollback {

// §7.5 "system is stable" (issue #16, item 8): after a rollback, every burn
// rate of the rollback's scope stays under 1× for the policy's window
// (rollback.postChecks.stableWindowSeconds). Not an executor step: it runs
// after the run (the dialog starts it when the run completes, the CLI's
// `rollback stable`), so a resumed or crashed run never waits a window again
// (ADR 0025).

// One SLO's burn rate in the scope, over the events since the window began:
// "${since}" in the query stands for the window's seconds so far.
struct BurnQuery
{
    QString sloId;
    QString title;
    QString promql;
};
// The SLOs' burn-rate queries, each narrowed to the scope's label matchers
// (`cohort=~"house"`, `lane="browser"`; none: everything).
QList<BurnQuery> stabilityQueries(const QList<Slo::SloSpec> &slos, const QStringList &scopeMatchers);

struct BurnReading
{
    QString sloId;
    QString title;
    std::optional<double> burn; // nullopt: no event in the scope since the window began
    QString error;              // the query failed: the signal is unknown
};

struct StabilityVerdict
{
    enum class Kind {
        Watching,      // the window is not over yet
        Stable,        // every burn rate of the scope under 1× over a whole window: passes
        NotEnoughData, // some SLO had no event in the scope (or Prometheus did not answer): not a pass
        Burning,       // still burning at 1× or more when the check gave up (3 windows): fails
    };
    Kind kind = Kind::Watching;
    QString summary;
    qint64 windowStartMs = 0; // a window that ends burning starts again at its end
    bool final() const { return kind != Kind::Watching; }
    bool passed() const { return kind == Kind::Stable; }
};
QString stabilityKindName(StabilityVerdict::Kind kind); // "watching", "stable", "not-enough-data", "burning"

// Pure: what the readings over the window so far mean at `nowMs`. The
// window is judged whole when it is over (a burn rate over a few seconds of
// events is noise); one that ends with a burn rate at 1× or more starts
// again, until `maxWaitSeconds` after the check began.
StabilityVerdict judgeStability(const QList<BurnReading> &readings, qint64 windowStartMs, qint64 checkStartMs, qint64 nowMs,
                                int windowSeconds, int maxWaitSeconds);

// Asks Prometheus every pollMs (all the queries of a round at once) and
// judges each round, on the given clock (tests move a ManualClock and call
// evaluate()).
class StabilityCheck : public QObject
{
    Q_OBJECT

public:
    // Not owned; both outlive the check.
    StabilityCheck(Services::PrometheusClient &prometheus, QList<BurnQuery> queries, int windowSeconds, const Clock &clock = Clock::system(),
                   QObject *parent = nullptr);
    ~StabilityCheck() override;

    void setPollMs(int ms) { m_pollMs = ms; }
    int windowSeconds() const { return m_windowSeconds; }
    int maxWaitSeconds() const { return 3 * m_windowSeconds; }

    // The window starts now; rounds follow every pollMs until a final verdict.
    void start();
    void stop();
    // One round now (the timer's, or a test's).
    void evaluate();

    const StabilityVerdict &verdict() const { return m_verdict; }
    const QList<BurnReading> &readings() const { return m_readings; }
    const QList<BurnQuery> &queries() const { return m_queries; }

Q_SIGNALS:
    void progressed();
    void finished(bool passed);

private:
    Services::PrometheusClient &m_prometheus;
    QList<BurnQuery> m_queries;
    int m_windowSeconds;
    const Clock &m_clock;
    int m_pollMs = 5000;
    QTimer *m_timer = nullptr;
    qint64 m_checkStartMs = 0;
    StabilityVerdict m_verdict;
    QList<BurnReading> m_readings;
    int m_pending = 0;
    int m_generation = 0;
};

} // namespace Raize::Rollback
