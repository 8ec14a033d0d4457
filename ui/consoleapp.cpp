#include "consoleapp.h"

#include "audit/auditview.h"
#include "canary/canarymatrix.h"
#include "canary/cohortspanel.h"
#include "canary/flagsmodel.h"
#include "canary/flagspane.h"
#include "livedata.h"
#include "slo/sloview.h"
#include "mainwindow.h"
#include "ui/rollback/rollbackdialog.h"
#include "ui/rollback/rollbackhistory.h"
#include "settingsdialog.h"
#include "promotion/promotionview.h"
#include "timeline/timelinecanvas.h"
#include "timeline/timelineview.h"
#include "timeline/timerangelink.h"

#include "core/logging.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "policy/policybundle.h"
#include "workspace/effectivepolicy.h"
#include "records/auditlog.h"
#include "rollback/runjournal.h"
#include "release/cohortoverride.h"
#include "release/rollout.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImageWriter>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <QGroupBox>
#include <QPixmap>
#include <QSplitter>
#include <QVBoxLayout>
#include <QTimer>

#include <cstdio>

// The resources live in a static library; pull them in explicitly.
static void initResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace Raize::Ui {

using namespace Qt::StringLiterals;

namespace {
QString keychainServiceName()
{
    // Tests and the sandbox use their own keychain service, apart from real profiles.
    const QString fromEnv = qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE");
    return fromEnv.isEmpty() ? u"raize-console"_s : fromEnv;
}
} // namespace

ConsoleApp::ConsoleApp(const QString &profile, QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<Settings>(profile))
    , m_tokens(std::make_unique<TokenStore>(profile, keychainServiceName()))
    , m_monitor(std::make_unique<ServiceMonitor>())
    , m_policy(std::make_unique<EffectivePolicy>(EffectivePolicy::load(*m_settings)))
    , m_profile(profile)
{
    initResources();
    // Tokens a migration took out of an old settings file go to the keychain.
    for (const auto &[service, token] : m_settings->lastMigration().legacyTokens) {
        m_tokens->write(service, token, [service](const Status &s) {
            if (!s)
                qCWarning(lcSettings, "moving the %s token to the keychain failed: %s",
                          qUtf8Printable(serviceDisplayName(service)), qUtf8Printable(s.error().toString()));
        });
    }
    if (!m_settings->lastMigration().steps.isEmpty())
        m_settings->sync();
    m_window = std::make_unique<MainWindow>(*m_settings, *m_tokens, *m_monitor);
    m_window->setViewWidget(u"audit"_s, new AuditView(Records::AuditLog::defaultPath(profile, m_settings->string(SettingKey::AuditLogPath))));
    auto *flagsPane = new FlagsPane;
    // The Canary view: the flags as served, and below them the cohorts and the toggle matrix.
    m_audit = std::make_unique<Records::AuditLog>(Records::AuditLog::defaultPath(profile, m_settings->string(SettingKey::AuditLogPath)));
    // The profile's effective policy, once: built-in → tenant bundle → cohort override (ADR 0012).
    const Policy::Bundle &policy = m_policy->bundle();
    flagsPane->model()->setSideEffectFlags(m_policy->sideEffectFlags());
    auto *matrix = new CanaryMatrix;
    m_cohorts = new CohortsPanel(*m_settings, policy, m_audit.get());
    auto *canary = new QSplitter(Qt::Vertical);
    canary->setObjectName(u"canaryView"_s);
    canary->addWidget(flagsPane);
    auto *matrixBox = new QGroupBox(u"Toggle matrix — flags × scopes (playbook §4.2)"_s);
    auto *matrixLayout = new QVBoxLayout(matrixBox);
    matrixLayout->addWidget(m_cohorts);
    matrixLayout->addWidget(matrix, 1);
    canary->addWidget(matrixBox);
    canary->setStretchFactor(0, 2);
    canary->setStretchFactor(1, 3);
    m_window->setViewWidget(u"canary"_s, canary);
    m_live = std::make_unique<LiveData>(*m_settings, *m_tokens, *m_monitor, *m_window, flagsPane);
    auto *timeline = new TimelineView;
    m_window->setViewWidget(u"timeline"_s, timeline);
    m_live->setTimelineView(timeline);
    // The promotion gates read the effective policy; a refused bundle makes the profile read-only.
    auto *promotion = new PromotionView(m_policy->gates());
    // CI and operators run the console from the repository checkout: its CHANGELOG.md is the draft (§6.1).
    const QString changelog = qEnvironmentVariable("RAIZE_CHANGELOG", QDir::current().filePath(u"CHANGELOG.md"_s));
    promotion->setChangelogPath(changelog);
    m_window->setViewWidget(u"promotion"_s, promotion);
    m_live->setPromotionView(promotion);
    promotion->setPolicyNote(m_policy->readOnly() ? m_policy->error()->toString() : QString());
    m_live->setCanaryMatrix(matrix, m_audit.get());
    auto *sloView = new SloView;
    m_window->setViewWidget(u"slos"_s, sloView);
    m_live->setSlos(m_policy->slos());
    m_live->setSloView(sloView);
    // Auto-pacing changes flags only through the toggle matrix's path (audited, pending until read back).
    sloView->setChangePath(matrix->changeRunner(), m_audit.get());
    // The SLO charts show the time the timeline shows, and the other way round.
    new TimeRangeLink(timeline->canvas(), sloView, this);
    // Cohorts: the profile's (edited in the console) or the policy's, for every view that shows them.
    linkCohorts(m_cohorts, *m_policy, matrix, sloView);
    if (m_policy->readOnly()) {
        // Read-only (ADR 0012): what changes flags or settings is off; the rollback stays (§0.3).
        matrix->setEnabled(false);
        m_cohorts->setEnabled(false);
    }
    // The page alert offers the rollback plan, filled with its cohort and flags.
    connect(sloView, &SloView::rollbackPlanRequested, this, [this](const Rollback::Scope &scope, const QStringList &flagKeys) {
        openRollback(Rollback::Trigger::PublishFailureBreach, scope,
                     u"page-level SLO burn in %1; canary flags on: %2"_s.arg(scope.describe(), flagKeys.join(u", "_s)));
    });
    connect(m_window.get(), &MainWindow::settingsChanged, m_live.get(), &LiveData::start);

    // The big red button, always in the header (playbook §7).
    QWidget *slot = m_window->rollbackSlot();
    m_rollbackButton = new QPushButton(u"ROLLBACK"_s, slot);
    m_rollbackButton->setObjectName(u"rollbackButton"_s);
    m_rollbackButton->setToolTip(u"Stop harm now: side-effect flags off first, then Instant Rollback to a safe target (playbook §7)"_s);
    m_rollbackButton->setMinimumHeight(44);
    m_rollbackButton->setStyleSheet(u"QPushButton { background: #c62828; color: white; font-weight: bold; font-size: 15px;"
                                    u" border: 2px solid #8e0000; border-radius: 6px; padding: 6px 14px; }"
                                    u"QPushButton:hover { background: #b71c1c; } QPushButton:pressed { background: #8e0000; }"_s);
    m_rollbackState = new QLabel(slot);
    m_rollbackState->setObjectName(u"rollbackState"_s);
    m_rollbackState->setWordWrap(true);
    m_rollbackState->setAlignment(Qt::AlignCenter);
    m_rollbackState->setStyleSheet(u"color: #b71c1c; font-weight: bold;"_s);
    slot->layout()->addWidget(m_rollbackButton);
    slot->layout()->addWidget(m_rollbackState);
    auto *policyState = new QLabel(slot);
    policyState->setObjectName(u"policyReadOnly"_s);
    policyState->setWordWrap(true);
    policyState->setStyleSheet(u"color: #b71c1c; font-weight: bold;"_s);
    policyState->setText(m_policy->readOnly() ? u"READ-ONLY: policy bundle refused"_s : QString());
    policyState->setToolTip(m_policy->describe());
    policyState->setVisible(m_policy->readOnly());
    slot->layout()->addWidget(policyState);
    connect(m_rollbackButton, &QPushButton::clicked, this, [this] { openRollback(); });
    m_history = new RollbackHistory(Rollback::RunJournal::defaultDirectory(profile));
    m_window->setViewWidget(u"rollback"_s, m_history);
    connect(m_history, &RollbackHistory::openRequested, this, [this] { openRollback(); });
    refreshRollbackState();
    m_live->start();
}

void ConsoleApp::applyPolicy(const EffectivePolicy &policy, CanaryMatrix *matrix, SloView *slo)
{
    if (matrix)
        matrix->setRules(policy.toggleRules(), policy.cohorts());
    if (slo)
        slo->setPolicy(policy);
}

void ConsoleApp::linkCohorts(CohortsPanel *panel, EffectivePolicy &policy, CanaryMatrix *matrix, SloView *slo)
{
    const auto apply = [&policy, matrix = QPointer(matrix), slo = QPointer(slo)](const QList<Release::Cohort> &cohorts) {
        if (cohorts != policy.cohorts()) {
            Result<EffectivePolicy> updated = policy.withCohorts(cohorts);
            if (!updated) {
                qCWarning(lcSettings, "the cohorts do not fit the policy: %s", qUtf8Printable(updated.error().toString()));
                return;
            }
            policy = std::move(updated).value();
        }
        applyPolicy(policy, matrix, slo);
    };
    apply(panel->current().cohorts);
    connect(panel, &CohortsPanel::cohortsChanged, panel, apply);
}

void ConsoleApp::refreshRollbackState()
{
    const QString open = Rollback::RunJournal::unfinished(Rollback::RunJournal::defaultDirectory(m_profile));
    const bool active = m_rollbackDialog && m_rollbackDialog->executor() && m_rollbackDialog->executor()->running();
    if (!open.isEmpty()) {
        m_rollbackButton->setText(active ? u"ROLLBACK RUNNING"_s : u"RESUME ROLLBACK"_s);
        m_rollbackState->setText(active ? u"rollback in progress"_s : u"rollback in progress — interrupted; press to resume"_s);
    } else {
        m_rollbackButton->setText(u"ROLLBACK"_s);
        m_rollbackState->clear();
    }
    m_rollbackState->setVisible(!m_rollbackState->text().isEmpty());
}

RollbackDialog *ConsoleApp::rollbackDialog() const
{
    return m_rollbackDialog;
}

RollbackDialog *ConsoleApp::openRollback()
{
    if (m_rollbackDialog && !m_rollbackDialog->executor())
        m_rollbackDialog->setPolicy(*m_policy); // the cohorts may have been edited since
    if (m_rollbackDialog) {
        m_rollbackDialog->show();
        m_rollbackDialog->raise();
        return m_rollbackDialog;
    }
    m_rollbackDialog = new RollbackDialog(*m_settings, *m_tokens, m_profile, m_window.get());
    m_rollbackDialog->setAttribute(Qt::WA_DeleteOnClose, false);
    m_rollbackDialog->setPolicy(*m_policy);
    connect(m_rollbackDialog, &RollbackDialog::runFinished, this, &ConsoleApp::refreshRollbackState);
    connect(m_rollbackDialog, &RollbackDialog::runFinished, m_history, &RollbackHistory::refresh);
    connect(m_rollbackDialog, &RollbackDialog::planReady, this, &ConsoleApp::refreshRollbackState);
    connect(m_rollbackDialog, &RollbackDialog::runStarted, this, &ConsoleApp::refreshRollbackState);
    m_rollbackDialog->show();
    const QString open = Rollback::RunJournal::unfinished(Rollback::RunJournal::defaultDirectory(m_profile));
    if (!open.isEmpty())
        m_rollbackDialog->resume(open);
    refreshRollbackState();
    return m_rollbackDialog;
}

RollbackDialog *ConsoleApp::openRollback(Rollback::Trigger trigger, const Rollback::Scope &scope, const QString &reason)
{
    RollbackDialog *d = openRollback();
    if (!d->executor()) {
        d->prefill(trigger, scope, reason);
        d->buildPlan();
    }
    return d;
}

ConsoleApp::~ConsoleApp() = default;

QStringList ConsoleApp::viewNames()
{
    // "settings" renders the settings dialog (for --screenshot).
    return MainWindow::viewNames() << u"settings"_s;
}

void ConsoleApp::show(const QString &view, bool exitAfterShow)
{
    if (!view.isEmpty())
        m_window->showView(view);
    m_window->show();
    if (exitAfterShow) {
        // Printed once the first frame is queued; the benchmark times process start → this line.
        QTimer::singleShot(0, this, [] {
            std::fputs("raize-console: main window shown\n", stdout);
            std::fflush(stdout);
            QApplication::quit();
        });
    }
}

int ConsoleApp::screenshot(const QString &file, const QString &view, QSize size)
{
    if (!view.isEmpty() && view != u"settings"_s)
        m_window->showView(view);
    m_window->resize(size);
    m_window->show();
    std::unique_ptr<SettingsDialog> dialog;
    if (view == u"settings"_s) {
        dialog = std::make_unique<SettingsDialog>(*m_settings, *m_tokens, m_window.get());
        dialog->show();
    }
    // Let layouts, fonts, keychain answers, the first answers of the services
    // (up to 20 s: the SLOs view reads 30 days of counters) and queued updates settle before grabbing.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 300 || (!m_live->settled() && settle.elapsed() < 20000))
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    const QPixmap pixmap = dialog ? dialog->grab() : m_window->grab();
    QDir().mkpath(QFileInfo(file).absolutePath());
    QImageWriter writer(file, "png");
    if (!writer.write(pixmap.toImage())) {
        qCCritical(lcUi, "cannot write screenshot %s: %s", qUtf8Printable(file), qUtf8Printable(writer.errorString()));
        return 2;
    }
    qCInfo(lcUi, "wrote %s (%dx%d, view %s)", qUtf8Printable(file), pixmap.width(), pixmap.height(),
           qUtf8Printable(dialog ? u"settings"_s : m_window->currentView()));
    return 0;
}

} // namespace Raize::Ui
