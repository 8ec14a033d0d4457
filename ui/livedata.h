#pragma once

#include "release/freshness.h"
#include "slo/slospec.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace Raize {
class Workspace;
namespace Records {
class AuditSink;
}
namespace Slo {
class SloFeed;
}
} // namespace Raize

namespace Raize::Ui {

class CanaryMatrix;
class FlagsPane;
class MainWindow;
class PromotionView;
class TimelineFeed;
class TimelineView;
class SloView;

// Connects the window to the profile's workspace (issue #14): opens it (the
// workspace reads the tokens and builds the clients, pollers and feeds),
// hands what it built to the views, starts the polling and keeps the header
// and the status bar current. No client is built here. Nothing is shown that
// was not read from a service.
class LiveData : public QObject
{
    Q_OBJECT

public:
    LiveData(Workspace &workspace, MainWindow &window, FlagsPane *flagsPane, QObject *parent = nullptr);
    ~LiveData() override;

    // (Re)opens the workspace from the settings and starts polling once it is ready.
    void start();
    // True once every configured service answered (or failed) once.
    bool settled() const;
    // The timeline view the feed fills (set before start()).
    void setTimelineView(TimelineView *view) { m_timeline = view; }
    // How often the timeline polls its sources (15 s; tests shorten it). Set before start().
    void setTimelineIntervalMs(int ms) { m_timelineIntervalMs = ms; }
    // The promotion review, given the clients once they exist (set before start()).
    void setPromotionView(PromotionView *view);

    // The SLOs view reads the SLO counters through this object (not owned).
    void setSloView(SloView *view);
    // The Canary view's toggle matrix changes flags through the flag service (not owned).
    void setCanaryMatrix(CanaryMatrix *matrix, Records::AuditSink *audit);
    Slo::SloFeed *recentSloFeed() const;
    // The timeline's feed (null until the workspace is ready): its changes() feed "what changed".
    TimelineFeed *timelineFeed() const { return m_timelineFeed.get(); }

Q_SIGNALS:
    void firstRoundDone();
    // The timeline learnt of new changes (TimelineFeed::changesAdded).
    void changesAdded();

private:
    void detach();
    void workspaceReady();
    void pingGitHub();
    void pingHealth();
    void startFlags();
    void startSlos();
    void loadSlos();
    // "Stale since" on the SLOs and Promotion views (the timeline's feed marks its own).
    void updateStale();

    Workspace &m_workspace;
    MainWindow &m_window;
    FlagsPane *m_flagsPane = nullptr;
    TimelineView *m_timeline = nullptr;
    PromotionView *m_promotion = nullptr;
    std::unique_ptr<TimelineFeed> m_timelineFeed;
    SloView *m_sloView = nullptr;
    CanaryMatrix *m_matrix = nullptr;
    Records::AuditSink *m_audit = nullptr;
    QTimer m_sloTimer;
    int m_sloRounds = 0;
    int m_timelineIntervalMs = 15000;
    int m_sloHistoryRounds = 0;
    QTimer m_githubTimer;
    QTimer m_staleTimer;
    Release::Freshness m_sloFreshness;
    int m_healthPending = 0;
    bool m_githubAnswered = false;
    bool m_started = false;
};

} // namespace Raize::Ui
