#pragma once

// Effective, not just accepted (issue #20 item 6, ADR 0027). Vercel answers a
// promote or an Instant Rollback once it has accepted it; the domains move
// afterwards. A change counts as effective only when the project's production
// target, its alias job (lastAliasRequest), the production domain's alias and a
// probe of that domain all name the expected deployment. These are the pure
// parts: the policy's rules, what one round read, and the verdict on it.

#include "core/result.h"
#include "policy/policybundle.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Release {

// The policy's `effective` section.
struct EffectiveRules
{
    int deadlineSeconds = 120; // accepted but not effective after this long: a failed step with the evidence
    int samples = 5;           // probe requests per round
    // The share of a round's samples that must come from the expected deployment ("N of M"). Below 1 only
    // where the policy accepts stray samples (a CDN edge still draining, a traffic split's baseline).
    double minShare = 1.0;
    int pollSeconds = 2; // between rounds
    bool operator==(const EffectiveRules &) const = default;
};
// Reads the bundle's `effective` section; a missing section gives the defaults above.
Result<EffectiveRules> effectiveRulesFromBundle(const Policy::Bundle &bundle);

enum class ChangeKind { Promote, Rollback, Abort };
QString changeKindName(ChangeKind kind); // "promote", "rollback", "abort"

// One probe request: the deployment it named, or why it named none.
struct ServingSample
{
    QString deploymentId; // empty: no answer naming a deployment
    int httpStatus = 0;
    Error error; // isError(): the request failed or the answer did not name a deployment
};

// What one round read. A part that was not read is nullopt; one that failed holds the error.
struct EffectiveFacts
{
    ChangeKind kind = ChangeKind::Promote;
    QString expected;            // the deployment that must serve
    QString productionDomain;    // the domain whose alias must point at it (the probe URL's host); empty: any alias
    std::optional<bool> autoAssignBefore; // the project's setting before the change (a promote may turn it on)
    std::optional<Result<Services::VercelProject>> project;
    std::optional<Result<QList<Services::VercelAlias>>> aliases; // the expected deployment's aliases
    std::optional<Result<QList<ServingSample>>> probe;            // nullopt: no probe URL configured
    // An abort only (ChangeKind::Abort): the project's rolling release read back. Effective requires
    // Vercel's own word that the split ended, state ABORTED (issue #20 item 6); nullopt: not read.
    std::optional<Result<std::optional<Services::RollingRelease>>> rollingRelease;
};

struct EffectiveVerdict
{
    enum class State { Effective, Pending, Failed };
    State state = State::Pending;
    QString summary;       // one line: "effective: 5 of 5 samples on dpl_b" / "accepted, not yet effective: …"
    QStringList evidence;  // which alias points where, what the probe saw, the job's status
    QStringList warnings;  // true but worth saying (autoAssignCustomDomains turned back on by a promote)
    int onExpected = 0, sampled = 0;
    bool probed = false;
};
EffectiveVerdict judgeEffective(const EffectiveFacts &facts, const EffectiveRules &rules);
QString stateName(EffectiveVerdict::State state); // "effective", "pending", "failed"

// The outcome of a confirmation: both times and the last round's evidence.
struct EffectiveReport
{
    ChangeKind kind = ChangeKind::Promote;
    QString expected;
    qint64 acceptedAtMs = 0;
    qint64 effectiveAtMs = 0; // 0: not effective
    int rounds = 0;
    EffectiveVerdict last;
    bool effective() const { return effectiveAtMs > 0; }
    nlohmann::json toJson() const;
    // "accepted at 12:00:01Z, effective at 12:00:04Z (3.0 s; 5 of 5 samples on dpl_b)"
    QString describe() const;
};

// The failed step: accepted, not effective within the deadline, with the evidence.
Error notEffectiveError(const EffectiveReport &report, const EffectiveRules &rules);

QString isoMs(qint64 ms); // "2026-12-06T17:03:04.123Z"

} // namespace Raize::Release
