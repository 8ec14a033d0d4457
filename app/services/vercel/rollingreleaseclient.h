#pragma once

// Vercel Rolling Releases (issue #20, item 2; ADR 0029): the project's
// rolling-release configuration and billing, the active rolling release, and
// the calls that move it (start, approve-stage, complete). Aborting a rolling
// release is Vercel's Instant Rollback (VercelClient::instantRollback), which
// ends an active rolling release too.
//
// Mutations are never retried blindly: after an unclear outcome (timeout,
// reset, 5xx) the client reads the rolling release back and retries only when
// the change did not happen. approve-stage carries the stage it expects
// (nextStageIndex) and the canary it names, so Vercel itself refuses a second
// advance; the read-back judges by the same two values.

#include "core/result.h"
#include "net/httpclient.h"
#include "net/requestpreview.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>

namespace Raize::Services {

struct RollingReleaseStage
{
    int index = 0;
    double targetPercent = 0;
    bool requireApproval = false;
    bool isFinal = false;
    std::optional<double> durationSeconds; // automatic stages only
};

struct RollingRelease
{
    enum class State { Active, Complete, Aborted };
    State state = State::Active;
    QString currentDeployment; // receives the rest of production traffic
    QString canaryDeployment;
    bool automatic = false; // advancementType "automatic" (else "manual-approval")
    QList<RollingReleaseStage> stages;
    std::optional<RollingReleaseStage> activeStage, nextStage;
    qint64 startedAtMs = 0, updatedAtMs = 0;

    // The canary's share of production traffic now (0 when not active).
    double canaryPercent() const { return state == State::Active && activeStage ? activeStage->targetPercent : 0.0; }
    static QString stateName(State s);
};

// What the project's billing says about rolling releases.
struct RollingReleaseBilling
{
    bool allowed = false;
    QString reason;  // available_slots, unlimited_slots, plan_not_supported, no_available_slots
    QString message; // Vercel's own sentence
};

// The project-level template for the next rolling release.
struct RollingReleaseConfig
{
    struct Stage
    {
        double targetPercent = 0;
        bool requireApproval = true;
        std::optional<double> durationMinutes;
    };
    QList<Stage> stages; // empty: rolling releases are off for the project
};

class RollingReleaseClient
{
public:
    RollingReleaseClient(Net::HttpClient &http, QUrl baseUrl, QString projectId, QString teamId = {});

    template<typename T>
    using Callback = std::function<void(const Result<T> &)>;

    // The project's rolling release, whatever its state; nullopt: none yet.
    void rollingRelease(Callback<std::optional<RollingRelease>> done);
    void billing(Callback<RollingReleaseBilling> done);
    void config(Callback<RollingReleaseConfig> done);
    // Sets the stages for the next rolling release (PATCH: absolute values, so it is idempotent).
    void setConfig(const RollingReleaseConfig &config, Callback<RollingReleaseConfig> done);
    // Starts a rolling release of `canaryDeploymentId` at the config's first stage.
    void start(const QString &canaryDeploymentId, Callback<RollingRelease> done);
    // Advances to `nextStageIndex`; Vercel refuses it unless the active stage is the one before.
    void approveStage(const QString &canaryDeploymentId, int nextStageIndex, Callback<RollingRelease> done);
    // Forces 100 % to the canary.
    void complete(const QString &canaryDeploymentId, Callback<RollingRelease> done);

    // The exact approve-stage request, for a plan's preview (no network).
    Net::RequestPreview previewApproveStage(const QString &canaryDeploymentId, int nextStageIndex) const;
    // How long a read-back waits before it believes "not applied" (a timed-out call may still land).
    void setReadBackSettle(int ms) { m_readBackSettleMs = ms; }

    static Result<std::optional<RollingRelease>> parseRollingRelease(const QByteArray &body);
    static Result<RollingReleaseBilling> parseBilling(const QByteArray &body);
    static Result<RollingReleaseConfig> parseConfig(const QByteArray &body);

private:
    QUrl url(const QString &suffix) const;
    // A POST that moves the rolling release; `applied` judges a read-back.
    void move(const QString &suffix, const nlohmann::json &body, std::function<bool(const std::optional<RollingRelease> &)> applied,
              Callback<RollingRelease> done);

    Net::HttpClient &m_http;
    QUrl m_base;
    QString m_projectId;
    QString m_teamId;
    int m_readBackSettleMs = 5000;
};

} // namespace Raize::Services
