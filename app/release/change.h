#pragma once

#include "release/gatepolicy.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Records {
struct AuditRecord;
}
namespace Raize::Services {
struct FlagEvent;
struct GitHubIssue;
struct GitHubRelease;
}

namespace Raize::Release {

// One change to what production serves, from the source that recorded it
// (issue #19 item 1): the flag service's event log, GitHub, Vercel, the
// rollout monitor, or this console's audit log. The timeline draws these;
// "what changed" ranks them against a page.
struct Change
{
    enum class Kind { FlagChange, Deployment, Promotion, Rollback, Merge, Release, Incident, CanaryStage };
    enum class Origin { FlagService, GitHub, Vercel, RolloutMonitor, AuditLog };

    qint64 timeMs = 0; // UTC
    Kind kind = Kind::FlagChange;
    Origin origin = Origin::AuditLog;
    QString actor;     // who; "outside the console" when the source does not say
    QString title;     // one line
    QString detail;    // more, for the tooltip
    QString url;       // where the change lives (the flag service, GitHub, Vercel)
    QString environment; // "Production", "Staging", "Preview"; a flag service's own name for flag changes
    QString service;     // "web", "runner", "tools" (empty: none)
    QString flag;
    QString before, after; // flag changes: "off" → "on", or scopes in words
    QStringList cohorts;   // the cohorts the change reaches (empty: all, or unknown)
    QStringList clients;   // the client and platform account ids it reaches (empty: all, or unknown)
    QString lane;          // "api", "browser" (empty: all)
    QString deploymentId;
    std::optional<Level> level;
    QString state;         // READY, ERROR, ...

    static QString kindName(Kind kind);
    static QString originName(Origin origin);

    // A flag change the flag service recorded (origin FlagService). `backend`: "unleash", "launchdarkly".
    static Change fromFlagEvent(const Services::FlagEvent &event, const QString &backend);
    // The console's own flag changes and rollback steps as changes (origin AuditLog); nullopt for
    // records that changed nothing (requested, failed, skipped, gate records).
    static std::optional<Change> fromAudit(const Records::AuditRecord &record);
    // A published GitHub release (origin GitHub, at its publication); nullopt for a draft.
    static std::optional<Change> fromRelease(const Services::GitHubRelease &release);
    // An incident issue: its opening, and its closing when closed (origin GitHub).
    static QList<Change> fromIncident(const Services::GitHubIssue &issue);
};

// Two records of one flag change (issue #19): the same flag and environment,
// the same before → after, within `toleranceMs`. Environment names compare
// without case ("production" and "Production" are one).
bool sameFlagChange(const Change &a, const Change &b, qint64 toleranceMs);
// The same, and for promotions and rollbacks: the same kind of change to the same deployment within `toleranceMs`.
bool sameChange(const Change &a, const Change &b, qint64 toleranceMs);

// The sources' changes as one list in time order, without duplicates: a
// change that both a service (the flag service, Vercel) and the audit log
// recorded appears once, as the audit log's record (its actor wins: the flag
// service names the shared admin token, Vercel names nobody) with the
// service's link when it has none.
QList<Change> mergeChanges(QList<Change> changes, qint64 toleranceMs = 5000);

} // namespace Raize::Release
