#pragma once

#include "slo/slospec.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace Raize {
class ServiceMonitor;
class Settings;
class TokenStore;
namespace Net {
class HttpClient;
}
namespace Services {
class FlagService;
class PrometheusClient;
class GitHubClient;
class VercelClient;
}
namespace Release {
class EnvironmentPoller;
class FlagPoller;
}
namespace Slo {
class SloFeed;
}
namespace Records {
class AuditSink;
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

// Connects the window to the services of the profile: reads the tokens from
// the keychain, builds the clients on one HTTP core and keeps the header and
// the status bar current. Nothing is shown that was not read from a service.
class LiveData : public QObject
{
    Q_OBJECT

public:
    LiveData(Settings &settings, TokenStore &tokens, ServiceMonitor &monitor, MainWindow &window, FlagsPane *flagsPane,
             QObject *parent = nullptr);
    ~LiveData() override;

    // (Re)builds the clients from the settings and starts polling.
    void start();
    // True once every configured service answered (or failed) once.
    bool settled() const;
    // The timeline view the feed fills (set before start()).
    void setTimelineView(TimelineView *view) { m_timeline = view; }
    // The promotion review, given the clients once they exist (set before start()).
    void setPromotionView(PromotionView *view);

    // The SLOs view reads the SLO counters through this object (not owned).
    void setSloView(SloView *view);
    // The SLOs the feeds read (the effective policy's); set before start().
    void setSlos(const QList<Slo::SloSpec> &slos) { m_slos = slos; }
    // The Canary view's toggle matrix changes flags through the flag service (not owned).
    void setCanaryMatrix(CanaryMatrix *matrix, Records::AuditSink *audit);
    Slo::SloFeed *recentSloFeed() const { return m_sloRecent.get(); }

Q_SIGNALS:
    void firstRoundDone();

private:
    void tokensRead();
    void pingGitHub();
    void pingHealth();
    void startFlags();
    void startSlos();
    void loadSlos();

    Settings &m_settings;
    TokenStore &m_tokens;
    ServiceMonitor &m_monitor;
    MainWindow &m_window;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::VercelClient> m_vercel;
    std::unique_ptr<Services::GitHubClient> m_github;
    std::unique_ptr<Release::EnvironmentPoller> m_poller;
    std::unique_ptr<Services::FlagService> m_flags;
    std::unique_ptr<Release::FlagPoller> m_flagPoller;
    FlagsPane *m_flagsPane = nullptr;
    TimelineView *m_timeline = nullptr;
    PromotionView *m_promotion = nullptr;
    std::unique_ptr<TimelineFeed> m_timelineFeed;
    std::unique_ptr<Services::PrometheusClient> m_prometheus;
    std::unique_ptr<Slo::SloFeed> m_sloRecent;
    QList<Slo::SloSpec> m_slos;
    std::unique_ptr<Slo::SloFeed> m_sloHistory;
    SloView *m_sloView = nullptr;
    CanaryMatrix *m_matrix = nullptr;
    Records::AuditSink *m_audit = nullptr;
    QTimer m_sloTimer;
    int m_sloRounds = 0;
    int m_sloHistoryRounds = 0;
    QTimer m_githubTimer;
    int m_tokensPending = 0;
    int m_healthPending = 0;
    bool m_githubAnswered = false;
    bool m_started = false;
};

} // namespace Raize::Ui
