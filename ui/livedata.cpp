#include "livedata.h"

#include "promotion/promotionview.h"
#include "timeline/timelinefeed.h"
#include "timeline/timelineview.h"
#include "records/auditlog.h"

#include "mainwindow.h"

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "net/endpoint.h"
#include "net/httpclient.h"
#include "canary/canarymatrix.h"
#include "canary/flagspane.h"
#include "slo/sloview.h"
#include "slo/slometrics.h"
#include "services/prometheus/prometheusclient.h"
#include "release/environmentpoller.h"
#include "release/flagpoller.h"
#include "services/flags/unleashclient.h"
#include "services/launchdarkly/launchdarklyclient.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QPointer>
#include <QTimer>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

LiveData::LiveData(Settings &settings, TokenStore &tokens, ServiceMonitor &monitor, MainWindow &window, FlagsPane *flagsPane,
                   QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_tokens(tokens)
    , m_monitor(monitor)
    , m_window(window)
    , m_flagsPane(flagsPane)
{
    m_githubTimer.setInterval(60000);
    connect(&m_githubTimer, &QTimer::timeout, this, &LiveData::pingGitHub);
    connect(&m_githubTimer, &QTimer::timeout, this, &LiveData::pingHealth);
    m_sloTimer.setInterval(60000);
    connect(&m_sloTimer, &QTimer::timeout, this, &LiveData::loadSlos);
}

LiveData::~LiveData() = default;

void LiveData::start()
{
    m_githubTimer.stop();
    m_sloTimer.stop();
    if (m_flagsPane)
        m_flagsPane->setPoller(nullptr);
    if (m_sloView)
        m_sloView->setSources(nullptr, nullptr, nullptr);
    if (m_matrix)
        m_matrix->setService(nullptr, nullptr, {}, nullptr);
    m_sloRecent.reset();
    m_sloHistory.reset();
    m_prometheus.reset();
    m_sloRounds = 0;
    m_sloHistoryRounds = 0;
    m_flagPoller.reset();
    m_timelineFeed.reset();
    m_flags.reset();
    m_poller.reset();
    m_vercel.reset();
    m_github.reset();
    m_http = std::make_unique<Net::HttpClient>(&m_monitor);
    m_http->setDefaultTimeout(m_settings.integer(SettingKey::NetTimeoutMs));
    m_monitor.initFrom(m_settings);
    m_started = false;
    m_healthPending = 0;
    m_githubAnswered = false;

    // Tokens come only from the keychain; the settings file never holds one.
    const QList<Service> wanted = {Service::Vercel, Service::GitHub, Service::Flags};
    m_tokensPending = int(wanted.size());
    QPointer<LiveData> self(this);
    for (Service s : wanted) {
        m_tokens.read(s, [self, s](const Result<QString> &token) {
            if (!self)
                return;
            if (token && !token->isEmpty())
                self->m_http->setToken(s, *token);
            if (--self->m_tokensPending == 0)
                self->tokensRead();
        });
    }
}

void LiveData::tokensRead()
{
    const QString vercelUrl = m_settings.string(SettingKey::VercelBaseUrl);
    const QString project = m_settings.string(SettingKey::VercelProjectId);
    if (!vercelUrl.isEmpty() && !project.isEmpty()) {
        m_vercel = std::make_unique<Services::VercelClient>(*m_http, QUrl(vercelUrl), project, m_settings.string(SettingKey::VercelTeamId));
        m_poller = std::make_unique<Release::EnvironmentPoller>(*m_vercel, 15000);
        connect(m_poller.get(), &Release::EnvironmentPoller::updated, this, [this] {
            m_window.showEnvironments(m_poller->snapshot());
            if (settled())
                Q_EMIT firstRoundDone();
        });
        m_poller->start();
    }
    if (m_timeline) {
        // The audit log is read even without Vercel: promotions, rollbacks and flag changes the console made.
        m_timeline->model()->clear();
        const QString audit = Records::AuditLog::defaultPath(m_settings.profile(), m_settings.string(SettingKey::AuditLogPath));
        m_timelineFeed = std::make_unique<TimelineFeed>(m_timeline->model(), m_vercel.get(), audit, QString(), 15000);
        connect(m_timelineFeed.get(), &TimelineFeed::polled, m_timeline, &TimelineView::setSourceStatus);
        connect(m_timelineFeed.get(), &TimelineFeed::polled, this, [this] {
            if (m_timelineFeed->rounds() == 1 && settled())
                Q_EMIT firstRoundDone();
        });
        m_timelineFeed->start();
    }
    const QString githubUrl = m_settings.string(SettingKey::GitHubApiUrl);
    if (!githubUrl.isEmpty()) {
        m_github = std::make_unique<Services::GitHubClient>(*m_http, QUrl(githubUrl), m_settings.string(SettingKey::GitHubOwner),
                                                            m_settings.string(SettingKey::GitHubRepo));
        pingGitHub();
        m_githubTimer.start();
    }
    pingHealth();
    startFlags();
    if (m_promotion) {
        PromotionView::Sources sources;
        sources.vercel = m_vercel.get();
        sources.github = m_github.get();
        sources.flags = m_flags.get();
        if (m_github) {
            const QUrl api(githubUrl);
            const QString owner = m_settings.string(SettingKey::GitHubOwner), repo = m_settings.string(SettingKey::GitHubRepo);
            sources.githubHtml = api.host() == u"api.github.com"_s ? u"https://github.com/%1/%2"_s.arg(owner, repo)
                                                                   : api.toString(QUrl::StripTrailingSlash) + u'/' + owner + u'/' + repo;
        }
        sources.auditLogPath = Records::AuditLog::defaultPath(m_settings.profile(), m_settings.string(SettingKey::AuditLogPath));
        m_promotion->setSources(sources);
        // The view opens on the current candidate: one review now, the operator refreshes after that.
        m_promotion->refresh();
    }
    startSlos();
    m_started = true;
    if (settled())
        Q_EMIT firstRoundDone();
}

void LiveData::startFlags()
{
    const QString url = m_settings.string(SettingKey::FlagsUrl);
    if (url.isEmpty())
        return;
    const QString kind = m_settings.string(SettingKey::FlagsKind);
    const QString project = m_settings.string(SettingKey::FlagsProject);
    const QString environment = m_settings.string(SettingKey::FlagsEnvironment);
    if (kind == u"launchdarkly"_s)
        m_flags = std::make_unique<Services::LaunchDarklyClient>(*m_http, QUrl(url), project, environment);
    else
        m_flags = std::make_unique<Services::UnleashClient>(*m_http, QUrl(url), project, environment);
    m_flagPoller = std::make_unique<Release::FlagPoller>(*m_flags, environment, 10000);
    connect(m_flagPoller.get(), &Release::FlagPoller::updated, this, [this] {
        if (m_flagPoller->rounds() == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    if (m_flagsPane)
        m_flagsPane->setPoller(m_flagPoller.get());
    if (m_matrix)
        m_matrix->setService(m_flags.get(), m_flagPoller.get(), environment, m_audit);
    m_flagPoller->start();
}

void LiveData::setSloView(SloView *view)
{
    m_sloView = view;
    if (m_sloView)
        m_sloView->setSources(m_sloRecent.get(), m_sloHistory.get(), m_flagPoller.get());
}

void LiveData::setCanaryMatrix(CanaryMatrix *matrix, Records::AuditSink *audit)
{
    m_matrix = matrix;
    m_audit = audit;
    if (m_matrix && m_flags)
        m_matrix->setService(m_flags.get(), m_flagPoller.get(), m_settings.string(SettingKey::FlagsEnvironment), m_audit);
}

void LiveData::startSlos()
{
    const QString base = m_settings.string(SettingKey::PrometheusUrl);
    if (base.isEmpty() || m_slos.isEmpty())
        return;
    m_prometheus = std::make_unique<Services::PrometheusClient>(*m_http, QUrl(base));
    const QList<Slo::SloSpec> slos = m_slos;
    m_sloRecent = std::make_unique<Slo::SloFeed>(*m_prometheus, slos);
    m_sloHistory = std::make_unique<Slo::SloFeed>(*m_prometheus, slos);
    connect(m_sloRecent.get(), &Slo::SloFeed::loaded, this, [this] {
        if (++m_sloRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    connect(m_sloRecent.get(), &Slo::SloFeed::failed, this, [this] {
        if (++m_sloRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    connect(m_sloHistory.get(), &Slo::SloFeed::loaded, this, [this] {
        if (++m_sloHistoryRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    connect(m_sloHistory.get(), &Slo::SloFeed::failed, this, [this] {
        if (++m_sloHistoryRounds == 1 && settled())
            Q_EMIT firstRoundDone();
    });
    if (m_sloView)
        m_sloView->setSources(m_sloRecent.get(), m_sloHistory.get(), m_flagPoller.get());
    loadSlos();
    m_sloTimer.start();
}

void LiveData::loadSlos()
{
    if (!m_sloRecent)
        return;
    // On the minute, so that the windows end on a sample: 3 days and 7 hours
    // at 1-minute steps (every burn rule, the 6-hour window of the ticket
    // rule included, and the charts up to 3 days), and 30 days at 10 minutes
    // for the error budget and the 30-day chart.
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs;
    m_sloRecent->load(now, 3 * Slo::DayMs + 7 * Slo::HourMs, Slo::MinuteMs);
    if (m_sloTimer.isActive() && m_sloRounds % 10 != 0 && m_sloHistoryRounds > 0)
        return; // the 30-day history every 10 minutes
    m_sloHistory->load(now, 30 * Slo::DayMs, 10 * Slo::MinuteMs);
}

void LiveData::pingHealth()
{
    // Prometheus: health only, until the SLO view reads it. (The flag service
    // needs no ping: the Canary view's poller reports its state.)
    const QString base = m_settings.string(SettingKey::PrometheusUrl);
    if (base.isEmpty())
        return;
    Net::Request r;
    r.service = Service::Prometheus;
    r.url = Net::endpoint(QUrl(base), u"/api/v1/status/buildinfo"_s);
    ++m_healthPending;
    QPointer<LiveData> self(this);
    m_http->send(r, [self](const Net::Response &) {
        if (!self)
            return;
        --self->m_healthPending;
        if (self->settled())
            Q_EMIT self->firstRoundDone();
    });
}

void LiveData::pingGitHub()
{
    if (!m_github)
        return;
    // /rate_limit does not use up the core budget and shows it in the status bar.
    QPointer<LiveData> self(this);
    m_github->rateLimit([self](const Result<Services::GitHubRateLimit> &limit) {
        if (!self)
            return;
        if (limit)
            self->m_monitor.setBudget(Service::GitHub, limit->remaining, limit->limit, limit->reset);
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
    const bool vercelDone = !m_poller || m_poller->rounds() > 0;
    const bool githubDone = !m_github || m_githubAnswered;
    const bool flagsDone = !m_flagPoller || m_flagPoller->rounds() > 0;
    const bool timelineDone = !m_timelineFeed || m_timelineFeed->rounds() > 0;
    const bool promotionDone = !m_promotion || !m_promotion->busy();
    const bool slosDone = !m_sloRecent || (m_sloRounds > 0 && m_sloHistoryRounds > 0);
    return vercelDone && githubDone && flagsDone && timelineDone && promotionDone && slosDone && m_healthPending == 0;
}

} // namespace Raize::Ui
