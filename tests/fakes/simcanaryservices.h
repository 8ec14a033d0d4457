#pragma once

// CanaryServices on the in-process fakes (issue #20): the rolling release over
// HTTP through the real RollingReleaseClient, the request counts from the
// platform simulator's history (as Prometheus' increase() reads them), the
// flag cohorts through ClientCanaryServices' serveCohorts. Header only; used
// by test_canary_run and bench_canary_hold.

#include "platform/platformsim.h"
#include "release/canaryservices.h"
#include "release/clientcanaryservices.h"

#include "core/clock.h"

#include <QHash>
#include <QRegularExpression>
#include <QTimer>

#include <cmath>
#include <optional>

namespace RaizeTest {

// What the simulator has counted at one moment: requests by deployment, publishes by cohort.
struct Snapshot
{
    qint64 ms = 0;
    nlohmann::json deployments;
    QHash<QString, double> attempts, success;
    // Enforcement friction by "kind/cohort/account/lane" (kind: "rate limit", "checkpoint").
    QHash<QString, double> friction;
};

// CanaryServices on the in-process fakes: the rolling release over HTTP, the counts from the
// simulator's history (as Prometheus' increase() would read them), the cohorts through the
// production adapter's serveCohorts.
class SimCanaryServices final : public Raize::Release::CanaryServices
{
public:
    SimCanaryServices(Raize::Services::RollingReleaseClient &rr, Raize::Release::ClientCanaryServices &flags, const Raize::Clock &clock)
        : m_rr(rr), m_flags(flags), m_clock(clock) {}

    QList<Snapshot> history;
    // What smokeChecks() answers when a test sets it; unset: the production adapter reads them
    // (ClientCanaryServices::smokeChecks, over the sources the test gave it).
    std::optional<Raize::Release::SmokeFacts> smoke;
    int smokeReads = 0;
    // friction() answers this error instead of the history when set (Prometheus down).
    QString frictionError;

    void rollingRelease(Callback<std::optional<Raize::Services::RollingRelease>> done) override { m_rr.rollingRelease(std::move(done)); }
    void start(const QString &canary, Callback<Raize::Services::RollingRelease> done) override { m_rr.start(canary, std::move(done)); }
    void approveStage(const QString &canary, int next, Callback<Raize::Services::RollingRelease> done) override
    {
        m_rr.approveStage(canary, next, std::move(done));
    }
    void serveCohorts(const QStringList &flags, const QStringList &cohorts, std::function<void(const Raize::Status &)> done) override
    {
        m_flags.serveCohorts(flags, cohorts, std::move(done));
    }
    void counts(const QString &canary, const QString &baseline, const QStringList &cohorts, double seconds, Callback<Raize::Release::StageCounts> done) override
    {
        const qint64 from = m_clock.nowMs() - qint64(seconds * 1000);
        const Snapshot &last = history.last();
        Snapshot first = history.first();
        for (const Snapshot &s : std::as_const(history)) {
            if (s.ms <= from)
                first = s;
        }
        const auto dep = [&](const QString &name, const QString &id) {
            const std::string k = id.toStdString();
            const auto get = [&](const nlohmann::json &j, const char *field) { return j.contains(k) ? j[k].value(field, 0.0) : 0.0; };
            return Raize::Release::AxisCount{name + u' ' + id, get(last.deployments, "requests") - get(first.deployments, "requests"),
                             get(last.deployments, "errors") - get(first.deployments, "errors")};
        };
        Raize::Release::StageCounts out;
        out.canary = dep(QStringLiteral("canary"), canary);
        out.baseline = dep(QStringLiteral("baseline"), baseline);
        for (const QString &c : cohorts) {
            const double all = last.attempts.value(c) - first.attempts.value(c);
            const double ok = last.success.value(c) - first.success.value(c);
            out.cohorts.append({QStringLiteral("cohort ") + c, all, std::max(0.0, all - ok)});
        }
        QTimer::singleShot(0, [done, out] { done(out); });
    }

    void friction(const QStringList &cohorts, double seconds, qint64 sinceMs, Callback<Raize::Release::FrictionFacts> done) override
    {
        Raize::Release::FrictionFacts out;
        out.sinceMs = sinceMs;
        out.queries = {Raize::Release::ClientCanaryServices::frictionQuery(QStringLiteral("raize_platform_rate_limits_total"), cohorts, seconds),
                       Raize::Release::ClientCanaryServices::frictionQuery(QStringLiteral("raize_platform_checkpoints_total"), cohorts, seconds)};
        if (!frictionError.isEmpty()) {
            out.error = frictionError;
            QTimer::singleShot(0, [done, out] { done(out); });
            return;
        }
        const qint64 from = m_clock.nowMs() - qint64(seconds * 1000);
        const Snapshot &last = history.last();
        Snapshot first = history.first();
        for (const Snapshot &s : std::as_const(history)) {
            if (s.ms <= from)
                first = s;
        }
        for (const QString &c : cohorts) {
            for (const QString &kind : {QStringLiteral("rate limit"), QStringLiteral("checkpoint")}) {
                Raize::Release::FrictionCount count{c, kind, 0, {}};
                double most = 0;
                for (auto it = last.friction.cbegin(); it != last.friction.cend(); ++it) {
                    const QStringList key = it.key().split(QLatin1Char('/'));
                    if (key.value(0) != kind || key.value(1) != c)
                        continue;
                    const double events = it.value() - first.friction.value(it.key());
                    count.events += events;
                    if (events > most) {
                        most = events;
                        count.worst = QStringLiteral("%1 (%2 lane): %3").arg(key.value(2), key.value(3)).arg(qint64(std::llround(events)));
                    }
                }
                out.counts << count;
            }
        }
        QTimer::singleShot(0, [done, out] { done(out); });
    }
    void smokeChecks(const QString &canary, Callback<Raize::Release::SmokeFacts> done) override
    {
        ++smokeReads;
        if (smoke)
            return QTimer::singleShot(0, [done, s = *smoke] { done(s); });
        m_flags.smokeChecks(canary, std::move(done)); // the production adapter: Vercel's commit, GitHub's checks
    }

private:
    Raize::Services::RollingReleaseClient &m_rr;
    Raize::Release::ClientCanaryServices &m_flags;
    const Raize::Clock &m_clock;
};


// The simulator at `ms` (its clock), recorded as a scrape would: requests by deployment, publishes by cohort.
inline Snapshot snapshotOf(Raize::Sandbox::PlatformSim &sim, qint64 ms)
{
    const double t = ms / 1000.0;
    sim.tick(t);
    Snapshot s;
    s.ms = ms;
    s.deployments = sim.deploymentCounters();
    static const QRegularExpression line(QString::fromUtf8(R"re(^raize_publish_(attempts|success)_total\{cohort="([^"]+)"[^}]*\} ([0-9.]+)$)re"),
                                         QRegularExpression::MultilineOption);
    const QString text = QString::fromUtf8(sim.metricsText(t));
    for (auto it = line.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        (m.captured(1) == QLatin1StringView("attempts") ? s.attempts : s.success)[m.captured(2)] += m.captured(3).toDouble();
    }
    static const QRegularExpression friction(
        QString::fromUtf8(R"re(^raize_platform_(rate_limits|checkpoints)_total\{cohort="([^"]+)",lane="([^"]+)",service="runner",account="([^"]+)"\} ([0-9.]+)$)re"),
        QRegularExpression::MultilineOption);
    for (auto it = friction.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        const QString kind = m.captured(1) == QLatin1StringView("rate_limits") ? QStringLiteral("rate limit") : QStringLiteral("checkpoint");
        s.friction[kind + QLatin1Char('/') + m.captured(2) + QLatin1Char('/') + m.captured(4) + QLatin1Char('/') + m.captured(3)] = m.captured(5).toDouble();
    }
    return s;
}

} // namespace RaizeTest
