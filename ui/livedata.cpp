#include "livedata.h"

#include "promotion/promotionview.h"
#include "timeline/timelinefeed.h"
#include "release/staleness.h"
#include "services/flags/flageventlog.h"
#include "timeline/timelineview.h"

#include "mainwindow.h"

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "canary/canarymatrix.h"
#include "canary/flagspane.h"
#include "slo/sloview.h"
#include "release/environmentpoller.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/prometheus/slometrics.h"
#include "workspace/workspace.h"

#include <QPointer>
#include <QTimer>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

LiveData::LiveData(Workspace &workspace, MainWindow &window, FlagsPane *flagsPane, QObject *parent)
    : QObject(parent)
    , m_workspace(workspace)
    , m_window(window)
    , m_flagsPane(flagsPane)
{
    m_githubTimer.setInterval(60000);
    connect(&m_githubTimer, &QTimer::timeout, this, &LiveData::pingGitHub);
    connect(&m_githubTimer, &QTimer::timeout, this, &LiveData::pingHealth);
    m_sloTimer.setInterval(60000);
    connect(&m_sloTimer, &QTimer::timeout, this, &LiveData::loadSlos);
    // Data older than twice its poll interval is stale even when no poll failed (a hung request).
    m_staleTimer.setInterval(5000);
    connect(&m_staleTimer, &QTimer::timeout, this, &LiveData::updateStale);
    // The workspace's pollers and feeds go away when it reopens: the views let go of them first.
    connect(&m_workspace, &Workspace::aboutToReopen, this, &LiveData::detach);
    connect(&m_workspace, &Workspace::ready, this, &LiveData::workspaceReady);
}

LiveData::~LiveData() = default;

Slo::SloFeed *LiveData::recentSloFeed() const
{
    return m_workspace.sloRecent();
}

void LiveData::detach()
{
    m_githubTimer.stop();
    m_sloTimer.stop();
    m_staleTimer.stop();
    m_sloFreshness = {};
    if (m_flagsPane)
        m_flagsPane->setPoller(nullptr);
    if (m_sloView)
        m_sloView->setSources(nullptr, nullptr, nullptr);
    if (m_matrix) {
        m_matrix->setService(nullptr, nullptr, {}, nullptr);
        m_matrix->changeRunner()->setEventLog(nullptr);
    }
    m_timelineFeed.reset();
    m_sloRounds = 0;
    m_sloHistoryRounds = 0;
    m_started = false;
    m_healthPending = 0;
    m_githubAnswered = false;
}

void LiveData::start()
{
    detach();
    // The workspace reads the tokens from the keychain (only there: the settings file never holds one) and emits ready().
    m_workspace.open();
}

void LiveData::workspaceReady()
{
    if (Release::EnvironmentPoller *poller = m_workspace.environmentPoller()) {
        connect(poller, &Release::EnvironmentPoller::updated, this, [this, poller] {
            m_window.showEnvironments(poller->snapshot());
            if (settled())
                Q_EMIT firstRoundDone();
        });
        poller->start();
    }
    if (m_timeline) {
        // The audit log is read even without Vercel: promotions, rollbacks and flag changes the console made.
        m_timeline->model()->clear();
        m_timelineFeed = std::make_unique<TimelineFeed>(m_timeline->model(), m_workspace.vercel(), m_workspace.auditLogPath(), QString(),
                                                         m_timelineIntervalMs);
        // Every change from its source: the other services' Vercel projects, the flag service's event log, GitHub's merges.
        const std::shared_ptr<const WorkspaceClients> clients = m_workspace.clients();
        for (const auto &[service, client] : clients->serviceVercel)
            m_timelineFeed->addServiceProject(service, client.get());
        if (clients->flagEvents)
            m_timelineFeed->setFlagEventLog(clients->flagEvents.get(), clients->flagEvents->kind());
        if (m_workspace.github())
            m_timelineFeed->setGitHub(m_workspace.github(), clients->githubHtml);
        connect(m_timelineFeed.get(), &TimelineFeed::polled, m_timeline, &TimelineView::setSourceStatus);
        connect(m_timelineFeed.get(), &TimelineFeed::staleChanged, m_timeline, &TimelineView::setStaleSince);
        connect(m_timelineFeed.get(), &TimelineFeed::changesAdded, this, &LiveData::changesAdded);
        connect(m_timelineFeed.get(), &TimelineFeed::polled, this, [this] {
            if (m_timelineFeed->rounds() == 1 && settled())
                Q_EMIT firstRoundDone();
        });
        m_timelineFeed->start();
    }
    if (m_workspace.github()) {
        pingGitHub();
        m_githubTimer.start();
    }
    pingHealth();
    startFlags();
    if (m_promotion) {
        PromotionView::Sources sources;
        sources.vercel = m_workspace.vercel();
        sources.github = m_workspace.github();
        sources.flags = m_workspace.flags();
        sources.githubHtml = m_workspace.clients()->githubHtml;
        sources.auditLogPath = m_workspace.auditLogPath();
        sources.sloHistory = m_workspace.sloHistory();
        sources.servingProbe = m_workspace.clients()->servingProbe.get();
        sources.effective = m_workspace.policy().effective();
        sources.guard = &m_workspace.writeGuard(); // read-only until armed (ADR 0028)
        m_promotion->setSources(sources);
        // The view opens on the current candidate: one review now, the operator refreshes after that.
        m_promotion->refresh();
    }
    startSlos();
    if (Release::FlagPoller *flags = m_workspace.flagPoller())
        connect(flags, &Release::FlagPoller::updated, this, &LiveData::updateStale);
    if (Release::EnvironmentPoller *environments = m_workspace.environmentPoller())
        connect(environments, &Release::EnvironmentPoller::updated, this, &LiveData::updateStale);
    m_staleTimer.start();
    m_started = true;
    if (settled())
        Q_EMIT firstRoundDone();
}

void LiveData::startFlags()
{
    Release::FlagPoller *poller = m_workspace.flagPoller();
    if (!poller)
        return;
    connect(poller, &Release::FlagPoller::updated, this, [this, poller] {
        if (poller->rounds() == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    if (m_flagsPane)
        m_flagsPane->setPoller(poller);
    if (m_matrix) {
        m_matrix->setService(m_workspace.flags(), poller, m_workspace.clients()->flagEnvironment, m_audit);
        // A confirmed change's record names the flag service's own event for it (issue #17 item 6).
        m_matrix->changeRunner()->setEventLog(m_workspace.clients()->flagEvents.get());
    }
    poller->start();
}

void LiveData::setSloView(SloView *view)
{
    m_sloView = view;
    if (m_sloView)
        m_sloView->setSources(m_workspace.sloRecent(), m_workspace.sloHistory(), m_workspace.flagPoller());
}

void LiveData::setCanaryMatrix(CanaryMatrix *matrix, Records::AuditSink *audit)
{
    m_matrix = matrix;
    m_audit = audit;
    if (m_matrix && m_workspace.flags()) {
        m_matrix->setService(m_workspace.flags(), m_workspace.flagPoller(), m_workspace.clients()->flagEnvironment, m_audit);
        m_matrix->changeRunner()->setEventLog(m_workspace.clients()->flagEvents.get());
    }
}

void LiveData::startSlos()
{
    Slo::SloFeed *recent = m_workspace.sloRecent();
    Slo::SloFeed *history = m_workspace.sloHistory();
    if (!recent || !history)
        return;
    connect(recent, &Slo::SloFeed::loaded, this, [this] {
        m_sloFreshness.markFresh(QDateTime::currentDateTimeUtc());
        updateStale();
        if (++m_sloRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    connect(recent, &Slo::SloFeed::failed, this, [this](const Error &error) {
        m_sloFreshness.markFailed(error, QDateTime::currentDateTimeUtc());
        updateStale();
        if (++m_sloRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    connect(history, &Slo::SloFeed::loaded, this, [this] {
        if (++m_sloHistoryRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    connect(history, &Slo::SloFeed::failed, this, [this] {
        if (++m_sloHistoryRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    if (m_sloView)
        m_sloView->setSources(recent, history, m_workspace.flagPoller());
    loadSlos();
    m_sloTimer.start();
}

void LiveData::loadSlos()
{
    Slo::SloFeed *recent = m_workspace.sloRecent();
    Slo::SloFeed *history = m_workspace.sloHistory();
    if (!recent || !history)
        return;
    // On the minute, so that the windows end on a sample: 3 days and 7 hours
    // at 1-minute steps (every burn rule, the 6-hour window of the ticket
    // rule included, and the charts up to 3 days), and 30 days at 10 minutes
    // for the error budget and the 30-day chart.
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs;
    recent->load(now, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs);
    if (m_sloTimer.isActive() && m_sloRounds % 10 != 0 && m_sloHistoryRounds > 0)
        return; // the 30-day history every 10 minutes
    history->load(now, 30 * Slo::DayMs, 10 * Slo::MinuteMs);
}

void LiveData::updateStale()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // The earliest of the sources a view shows is when the view went stale.
    const auto earliest = [&now](QDateTime &since, QString &reason, const Release::Freshness &f, qint64 intervalMs, const QString &source) {
        const QDateTime s = Release::staleSince(f, now, intervalMs);
        if (!s.isValid() || (since.isValid() && since <= s))
            return;
        since = s;
        reason = f.stale ? u"%1: %2"_s.arg(source, f.lastError.message) : u"%1: no answer for over %2 s"_s.arg(source).arg(2 * intervalMs / 1000);
    };
    if (m_sloView) {
        QDateTime since;
        QString reason;
        if (m_workspace.sloRecent())
            earliest(since, reason, m_sloFreshness, m_sloTimer.interval(), u"Prometheus"_s);
        if (const Release::FlagPoller *flags = m_workspace.flagPoller())
            earliest(since, reason, flags->snapshot(), flags->intervalMs(), u"flag service"_s);
        m_sloView->setStaleSince(since, reason);
    }
    if (m_promotion) {
        QDateTime since;
        QString reason;
        if (const Release::EnvironmentPoller *environments = m_workspace.environmentPoller())
            earliest(since, reason, environments->snapshot(), environments->intervalMs(), u"Vercel"_s);
        if (const Release::FlagPoller *flags = m_workspace.flagPoller())
            earliest(since, reason, flags->snapshot(), flags->intervalMs(), u"flag service"_s);
        m_promotion->setStaleSince(since, reason);
    }
}

void LiveData::pingHealth()
{
    // Prometheus: health only, until the SLO view reads it. (The flag service
    // needs no ping: the Canary view's poller reports its state.)
    Services::PrometheusClient *prometheus = m_workspace.prometheus();
    if (!prometheus)
        return;
    ++m_healthPending;
    QPointer<LiveData> self(this);
    prometheus->buildInfo([self](const Result<QString> &) {
        if (!self)
            return;
        --self->m_healthPending;
        if (self->settled())
            Q_EMIT self->firstRoundDone();
    });
}

void LiveData::pingGitHub()
{
    Services::GitHubClient *github = m_workspace.github();
    if (!github)
        return;
    // /rate_limit does not use up the core budget and shows it in the status bar.
    QPointer<LiveData> self(this);
    github->rateLimit([self](const Result<Services::GitHubRateLimit> &limit) {
        if (!self)
            return;
        if (limit)
            self->m_workspace.monitor().setBudget(Service::GitHub, limit->remaining, limit->limit, limit->reset);
        const bool first = !self->m_githubAnswered;
        self->m_githubAnswered = true;
        if (first && self->settled())
            Q_EMIT self->firstRoundDone();
    });
}

void LiveData::setPromotionView(PromotionView *view)
{
    m_promotion = view;
    connect(view, &PromotionView::reviewed, this, [this] {
        if (m_promotion->reviews() == 1 && settled())
            Q_EMIT firstRoundDone();
    });
}

bool LiveData::settled() const
{
    if (!m_started)
        return false;
    const Release::EnvironmentPoller *poller = m_workspace.environmentPoller();
    const Release::FlagPoller *flagPoller = m_workspace.flagPoller();
    const bool vercelDone = !poller || poller->rounds() > 0;
    const bool githubDone = !m_workspace.github() || m_githubAnswered;
    const bool flagsDone = !flagPoller || flagPoller->rounds() > 0;
    const bool timelineDone = !m_timelineFeed || m_timelineFeed->rounds() > 0;
    const bool promotionDone = !m_promotion || !m_promotion->busy();
    const bool slosDone = !m_workspace.sloRecent() || (m_sloRounds > 0 && m_sloHistoryRounds > 0);
    return vercelDone && githubDone && flagsDone && timelineDone && promotionDone && slosDone && m_healthPending == 0;
}

} // namespace Raize::Ui
