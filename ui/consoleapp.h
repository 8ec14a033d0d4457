#pragma once

#include "release/whatchanged.h"

#include "release/cohorts.h"
#include "rollback/rollbackplan.h"

#include <QObject>
#include <QPointer>
#include <QSize>
#include <QStringList>

#include <memory>

class QLabel;
class QPushButton;

class QDialog;

namespace Raize {
class EffectivePolicy;
class ServiceMonitor;
namespace Release {
class AlertCenter;
class DoraCollector;
class ValidationSession;
}
namespace Rollback {
class TriggerDetector;
}
class Settings;
class TokenStore;
class Workspace;
}

namespace Raize::Ui {

class ArmedControls;
class CanaryMatrix;
class CohortsPanel;
class LiveData;
class MainWindow;
class SloView;
class RollbackDialog;
class RollbackHistory;
class DoraView;

// Owns what one console window runs on: the profile's settings, its token
// store, the service monitor, the profile's workspace (its connections,
// audit sink and policy) and the main window.
class ConsoleApp : public QObject
{
    Q_OBJECT

public:
    explicit ConsoleApp(const QString &profile, QObject *parent = nullptr);
    ~ConsoleApp() override;

    static QStringList viewNames();

    MainWindow *window() const { return m_window.get(); }
    Settings &settings() const { return *m_settings; }
    TokenStore &tokens() const { return *m_tokens; }
    Workspace &workspace() const { return *m_workspace; }
    // Keeps the controls that change something disabled while the profile is read-only (ADR 0028).
    ArmedControls *armedControls() const { return m_armedControls; }

    void show(const QString &view, bool exitAfterShow);
    // For the first-data benchmark: once every view has its first answer from
    // the services (or its first failure), prints "raize-console: first live
    // data" with the process's memory and exits after `lingerMs` (so a
    // benchmark can read /proc while the data is still loaded).
    void exitAfterFirstData(int lingerMs);
    // Renders the window offscreen to a PNG; returns a process exit code.
    int screenshot(const QString &file, const QString &view, QSize size);
    // The last promote's release notes, operator and client versions side by side (view "releasenotes").
    int screenshotReleaseNotes(const QString &file, QSize size);

    // The big red button: opens the rollback dialog (resuming an unfinished
    // run if there is one). The SLO page alert passes its cohort and trigger.
    RollbackDialog *openRollback();
    RollbackDialog *openRollback(Rollback::Trigger trigger, const Rollback::Scope &scope, const QString &reason,
                                 const Rollback::Checklist &implied = {});
    // The plan an active alert offers: its trigger, scope and the §7.3 answers its signal implies.
    RollbackDialog *openRollbackFor(const QString &alertId);
    // A burn-rate page's plan: `trigger` (what its SLO means) with the default
    // scope (Rollback::defaultScope over the SLO view's signals), its cohort and canary flags in the reason.
    RollbackDialog *openPagePlan(Rollback::Trigger trigger, const Rollback::Scope &pageScope, const QStringList &flagKeys);
    // The two-axis canary's abort (ADR 0033): the rollback dialog on Rollback::canaryAbortPlan of the active
    // canary (flags off where its stage serves them, all traffic back to the current deployment), journalled
    // like any plan. Null (and a status-bar message) without an active canary.
    RollbackDialog *openCanaryAbort();
    // §7.1 "security incident suspicion": the operator's P0 (the header button, so also the palette).
    void raiseSecuritySuspicion(const QString &reason);
    // The §7.1 trigger detector on the workspace's Prometheus (null until the workspace is ready with one).
    Rollback::TriggerDetector *triggerDetector() const { return m_detector.get(); }
    RollbackDialog *rollbackDialog() const;
    // Shows "rollback in progress" in the header when a run is unfinished.
    void refreshRollbackState();

    // Hands the effective policy to the views that read it: the toggle
    // matrix (columns, §4.3 rule, side-effect list) and the SLO view (SLOs,
    // burn rules, cohorts, rollout, auto-pacing).
    static void applyPolicy(const EffectivePolicy &policy, CanaryMatrix *matrix, SloView *slo);
    // applyPolicy now with the panel's cohorts, and again (policy updated)
    // after every save in its editor. The policy must outlive the panel.
    static void linkCohorts(CohortsPanel *panel, EffectivePolicy &policy, CanaryMatrix *matrix, SloView *slo);
    CohortsPanel *cohortsPanel() const { return m_cohorts; }
    // The profile's effective policy, built once by its workspace (ADR 0015).
    const EffectivePolicy &policy() const;
    // Every active alert, shown in every view (issue #16, item 5).
    Release::AlertCenter *alerts() const { return m_alerts.get(); }
    // "What changed" before an alert's onset (issue #19 item 2), as a dialog; null for an unknown alert.
    QDialog *openWhatChanged(const QString &alertId);
    // How far before a page's onset "what changed" looks: the longest observation window (L3, §5).
    static constexpr qint64 WhatChangedWindowMs = 2 * 3600 * 1000;
    // The two-axis canary's poll: Prometheus scrapes every 5 s in the sandbox, 15 s is the SLO views' pace.
    static constexpr int CanaryPollMs = 15'000;

private:
    // The SLOs view's "what changed" for its first page alert.
    void updateWhatChanged(SloView *slo);
    qint64 onsetOf(const QString &alertId) const;

    std::unique_ptr<Settings> m_settings;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<LiveData> m_live;
    std::unique_ptr<Release::AlertCenter> m_alerts;
    std::unique_ptr<Rollback::TriggerDetector> m_detector;
    std::unique_ptr<Release::ValidationSession> m_validation;
    QPushButton *m_securityButton = nullptr;
    // The rollback plan each page alert offers: its scope and canary flags.
    QHash<QString, std::pair<Rollback::Scope, QStringList>> m_alertPlans;
    // What each page alert is about, for "what changed".
    QHash<QString, Release::PageScope> m_alertScopes;
    QHash<QString, Rollback::Trigger> m_alertPageTriggers;
    QPointer<SloView> m_sloView; // the page alerts' signals for the default scope
    QString m_profile;
    QPointer<RollbackDialog> m_rollbackDialog;
    QPushButton *m_rollbackButton = nullptr;
    QLabel *m_rollbackState = nullptr;
    RollbackHistory *m_history = nullptr;
    ArmedControls *m_armedControls = nullptr;
    Release::DoraCollector *m_dora = nullptr;
    DoraView *m_doraView = nullptr;
    CohortsPanel *m_cohorts = nullptr;
};

} // namespace Raize::Ui
