#pragma once

#include "core/clock.h"
#include "release/effectiveness.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace Raize::Services {
class RollingReleaseClient;
class VercelClient;
} // namespace Raize::Services

namespace Raize::Release {

class ServingProbe;

// Confirms that an accepted promote, Instant Rollback or abort became effective
// (ADR 0027): reads the project (production target, lastAliasRequest,
// autoAssignCustomDomains), the expected deployment's aliases and a round of
// probe samples every pollSeconds, until judgeEffective() says effective, says
// it cannot become so, or the policy's deadline passes (counted from the
// acceptance, by the Clock). Each round that is not yet effective is reported
// through `progress` ("accepted, not yet effective: …").
class EffectiveConfirmer : public QObject
{
    Q_OBJECT

public:
    // `vercel` must outlive the confirmer; `probe` may be null (no probe URL: confirmed from Vercel's answers,
    // and the report says it was not probed). `clock` null: Clock::system().
    EffectiveConfirmer(Services::VercelClient *vercel, ServingProbe *probe, EffectiveRules rules, const Clock *clock = nullptr,
                       QObject *parent = nullptr);
    ~EffectiveConfirmer() override;

    using Progress = std::function<void(const EffectiveVerdict &)>;
    using Done = std::function<void(const EffectiveReport &)>;

    // `acceptedAtMs`: when Vercel answered the call. One confirmation at a time per confirmer.
    void confirm(ChangeKind kind, const QString &expected, qint64 acceptedAtMs, std::optional<bool> autoAssignBefore, Progress progress,
                 Done done);
    // An abort (ChangeKind::Abort) also reads the project's rolling release each round and is effective only
    // once Vercel says ABORTED. Without this client an abort cannot be confirmed and fails at once, saying so.
    // Must outlive the confirmer.
    void setRollingReleases(Services::RollingReleaseClient *rollingReleases) { m_rollingReleases = rollingReleases; }
    // Tests: the pause between rounds in place of the policy's pollSeconds.
    void setPollIntervalMs(int ms) { m_pollOverrideMs = ms; }
    const EffectiveRules &rules() const { return m_rules; }

private:
    struct Run;
    void round(const std::shared_ptr<Run> &run);
    void judge(const std::shared_ptr<Run> &run);

    Services::VercelClient *m_vercel;
    ServingProbe *m_probe;
    Services::RollingReleaseClient *m_rollingReleases = nullptr;
    EffectiveRules m_rules;
    const Clock *m_clock;
    int m_pollOverrideMs = -1;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace Raize::Release
