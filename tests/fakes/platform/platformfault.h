#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Sandbox {

// One fault a scenario declares in `platform.faults` (docs/slo-labels.md):
// what goes wrong, where (cohort, lane, service), and when (while a
// deployment serves production, while one of some flags is on, already in
// progress for some minutes when the sandbox starts). The SLO kinds are the
// `fault` of the policy's SLO table (resources/policy/playbook-v1.json,
// `slos[].series.fault`); the others are the P0/P1 stories of playbook §7.1.
struct PlatformFault
{
    enum class Kind {
        // An SLO's bad events (burn): the fault turns `ratio` of its events bad
        // and may add `extraRate` events per second that are all bad (a retry storm).
        PublishFailure,
        HttpErrors,
        SlowVerification,
        SlowQueue,
        MissedHeartbeat,
        BrowserDrift,
        // Stories without an SLO of their own.
        WrongAccount,      // `ratio` of side effects posted from the wrong platform account (P0)
        Duplicate,         // `ratio` of side effects done twice: duplicate posts/DMs (P0)
        IgnoresKillSwitch, // side effects go on while publishing.enabled is off for the lane (P0)
        QueueStuck,        // nothing is dequeued: the queue grows and waits exceed every bucket (P1)
        // Enforcement friction (playbook §6.2 Phase C): `ratio` of the publish attempts hit by the platform's
        // rate limit, or by a checkpoint (the account must verify itself), on the cohort's first account.
        RateLimited,
        Checkpoint,
    };

    Kind kind = Kind::PublishFailure;
    double ratio = 0;
    double extraRate = 0;
    QString cohort = QStringLiteral("*");
    QString lane = QStringLiteral("*");
    QString service = QStringLiteral("*");
    QString deployment;    // only while this deployment serves production (empty: whatever serves it)
    QStringList whenFlags; // only while one of these flags is on for the lane's context (empty: always)
    double minutesAgo = 0; // > 0: already going on for this long when the sandbox starts (in the backfilled history)

    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(const QString &name);
    static QStringList kindNames();
    // The kinds an SLO can burn from (the SLO table's `fault`).
    bool isSloKind() const { return kind <= Kind::BrowserDrift; }
    // The services that export the kind's metrics (the SLO table's `services`).
    static QStringList servicesOf(Kind kind);

    bool covers(const QString &cohortId, const QString &laneId, const QString &serviceId) const;

    // The scenario's `platform.faults`, checked: an unknown kind or key, a
    // ratio outside [0, 1], a cohort, lane or service that does not exist is
    // refused with the fault's index and the reason ("faults[2].kind: unknown
    // fault kind \"latency\" (known: ...)"). Missing `faults`: an empty list.
    static std::optional<QList<PlatformFault>> listFromScenario(const nlohmann::json &platform, QString *error);
};

} // namespace Raize::Sandbox
