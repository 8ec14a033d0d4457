#include "consoleapp.h"

#include "audit/auditview.h"
#include "canary/canarymatrix.h"
#include "canary/cohortspanel.h"
#include "canary/flagsmodel.h"
#include "canary/flagspane.h"
#include "livedata.h"
#include "metrics/doraview.h"
#include "release/doracollector.h"
#include "slo/autopacingpanel.h"
#include "slo/sloview.h"
#include "mainwindow.h"
#include "alerts/pagebanner.h"
#include "release/alertcenter.h"
#include "palette/commandpalette.h"
#include "palette/palettesources.h"
#include "palette/shortcutsheet.h"
#include "palette/shortcuttable.h"
#include "ui/rollback/rollbackdialog.h"
#include "ui/rollback/rollbackhistory.h"
#include "settingsdialog.h"
#include "promotion/promotionview.h"
#include "timeline/timelinecanvas.h"
#include "timeline/timelineview.h"
#include "timeline/timerangelink.h"
#include "timeline/timelinefeed.h"
#include "timeline/whatchangedpanel.h"
#include "release/environmentpoller.h"
#include "widgets/armedcontrols.h"
#include "widgets/confirmation.h"

#include "core/logging.h"
#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "policy/confirmations.h"
#include "policy/policybundle.h"
#include "records/auditlog.h"
#include "services/github/auditheadpublisher.h"
#include "rollback/defaultscope.h"
#include "rollback/runjournal.h"
#include "rollback/rollbackfacts.h"
#include "rollback/triggerdetector.h"
#include "core/clock.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "promotion/releasenotesdialog.h"
#include "rollback/canaryabort.h"
#include "workspace/canarysession.h"
#include "workspace/validationwiring.h"
#include "workspace/workspace.h"
#include "release/cohortoverride.h"
#include "release/rollout.h"

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QVBoxLayout>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImageWriter>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QTabWidget>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QHeaderView>
#include <QVBoxLayout>
#include <QTimer>
#include <QStatusBar>

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
    , m_workspace(std::make_unique<Workspace>(*m_settings, *m_tokens, m_monitor.get()))
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
    m_window = std::make_unique<MainWindow>(*m_workspace);
    m_window->setViewWidget(u"audit"_s, new AuditView(m_workspace->auditLogPath()));
    // DORA's metrics from the records: the workspace's Vercel and GitHub clients as they are when a read starts.
    m_dora = new Release::DoraCollector(
        [ws = m_workspace.get(), profile] {
            Release::DoraCollector::Sources s;
            s.vercel = ws->vercel();
            s.github = ws->github();
            s.journalDirectory = Rollback::RunJournal::defaultDirectory(profile);
            s.service = u"web"_s;
            return s;
        },
        this);
    connect(m_workspace.get(), &Workspace::aboutToReopen, m_dora, &Release::DoraCollector::invalidate);
    m_doraView = new DoraView(m_dora);
    m_doraView->setChangeFailWindowSecs(m_workspace->policy().records().changeFailWindowSecs); // the policy's, as the CLI's
    m_window->setViewWidget(u"metrics"_s, m_doraView);
    connect(m_workspace.get(), &Workspace::ready, m_doraView, &DoraView::sourcesChanged);
    auto *flagsPane = new FlagsPane;
    // The Canary view: the flags as served, and below them the cohorts and the toggle matrix.
    Records::AuditSink *audit = &m_workspace->audit();
    // The profile's effective policy, once, in its workspace: built-in → tenant bundle → cohort override (ADR 0017).
    const EffectivePolicy &effective = m_workspace->policy();
    const Policy::Bundle &policy = effective.bundle();
    flagsPane->model()->setSideEffectFlags(effective.sideEffectFlags());
    flagsPane->setKillSwitchParent(effective.rollback().killSwitchParent, effective.sideEffectFlags());
    auto *matrix = new CanaryMatrix;
    m_cohorts = new CohortsPanel(*m_settings, policy, audit);
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
    m_live = std::make_unique<LiveData>(*m_workspace, *m_window, flagsPane);
    auto *timeline = new TimelineView;
    m_window->setViewWidget(u"timeline"_s, timeline);
    m_live->setTimelineView(timeline);
    // The promotion gates read the effective policy; a refused bundle makes the profile read-only.
    // Dangerous actions confirm by the effective policy's table (a read-only profile keeps the playbook's).
    Confirmation::setTable(effective.confirmations());
    // The changelog gate reads the policy's gates.changelogPath at the candidate commit, never this folder's file.
    auto *promotion = new PromotionView(effective.gates());
    m_window->setViewWidget(u"promotion"_s, promotion);
    m_live->setPromotionView(promotion);
    promotion->setPolicyNote(effective.readOnly() ? effective.error()->toString() : QString());
    m_live->setCanaryMatrix(matrix, audit);
    auto *sloView = new SloView;
    m_sloView = sloView;
    m_window->setViewWidget(u"slos"_s, sloView);
    m_live->setSloView(sloView);
    // Auto-pacing changes flags only through the toggle matrix's path (audited, pending until read back).
    sloView->setChangePath(matrix->changeRunner(), audit);
    // The SLO charts show the time the timeline shows, and the other way round.
    new TimeRangeLink(timeline->canvas(), sloView, this);
    // Cohorts: the profile's (edited in the console) or the policy's, for every view that shows them.
    linkCohorts(m_cohorts, m_workspace->editablePolicy(), matrix, sloView);
    if (effective.readOnly()) {
        // Read-only (ADR 0017): what changes flags or settings is off; the rollback stays (§0.3).
        matrix->setEnabled(false);
        m_cohorts->setEnabled(false);
    }
    // Page alerts reach every view: the banner above them, the title, the status bar, a desktop notification.
    m_alerts = std::make_unique<Release::AlertCenter>();
    m_alerts->setAuditSink(&m_workspace->audit(), m_workspace->actor());
    // Who acts is who the GitHub token belongs to: asked each time the workspace (re)opens, "unknown" meanwhile, never a guess.
    // The views that change flags or cohorts act as that login, and refuse while it is unknown.
    const auto applyIdentity = [this, matrix, sloView] {
        m_alerts->setAuditSink(&m_workspace->audit(), m_workspace->actor());
        const Identity who = m_workspace->identity();
        matrix->setIdentity(who);
        m_cohorts->setIdentity(who);
        sloView->autoPacing()->setIdentity(who);
    };
    applyIdentity();
    connect(m_workspace.get(), &Workspace::identityChanged, this, applyIdentity);
    connect(m_workspace.get(), &Workspace::ready, this, [this] { m_workspace->resolveIdentity(); });
    // The chain heads queued by promotions, rollbacks and every 100th record go to the repository's audit issue
    // (ADR 0031): after each open and every minute, never while a rollback runs (GitHub's serial queue is its too).
    const auto publishHeads = [this] {
        if (m_rollbackDialog && m_rollbackDialog->executor() && m_rollbackDialog->executor()->running())
            return;
        if (Services::AuditHeadPublisher *publisher = m_workspace->auditPublisher(); publisher && !publisher->busy()) {
            publisher->publishPending([](const Result<int> &r) {
                if (!r)
                    qCWarning(lcAudit, "audit chain heads not published (they stay queued): %s", qUtf8Printable(r.error().toString()));
            });
        }
    };
    connect(m_workspace.get(), &Workspace::ready, this, publishHeads);
    auto *publishTimer = new QTimer(this);
    publishTimer->setObjectName(u"auditPublishTimer"_s);
    connect(publishTimer, &QTimer::timeout, this, publishHeads);
    publishTimer->start(60'000);
    m_window->setAlertCenter(m_alerts.get());
    // The two-axis canary (issue #20, ADR 0033): the workspace's session, shown in the SLOs view, its pages in every
    // view; resumed from Vercel's active rolling release at each open and polled at the SLO counters' cadence.
    CanarySession &canaryRun = m_workspace->canary();
    canaryRun.setAlertCenter(m_alerts.get());
    sloView->setCanary(&canaryRun);
    connect(sloView, &SloView::canaryAbortRequested, this, [this] { openCanaryAbort(); });
    const auto startCanary = [this] {
        CanarySession &c = m_workspace->canary();
        c.chooseAxes(c.run() ? c.target().level : u"L3"_s, {});
        c.resume([this](const Status &st) {
            if (!st)
                m_window->statusBar()->showMessage(u"The canary could not be read: %1 %2"_s.arg(st.error().toString(), st.error().remedy), 30000);
        });
        c.setPollInterval(CanaryPollMs);
    };
    connect(m_workspace.get(), &Workspace::ready, this, startCanary);
    if (m_workspace->isReady())
        startCanary();
    connect(sloView, &SloView::alertsChanged, this, [this, sloView] {
        QList<Release::Alert> active;
        m_alertPlans.clear();
        m_alertPageTriggers.clear();
        for (const Release::PageAlert &p : sloView->alerts()) {
            Release::Alert a;
            a.id = u"page:"_s + p.cohort.id;
            a.severity = u"page"_s;
            a.trigger = u"error budget burning at page level with canary flags on (%1)"_s.arg(p.flags.join(u", "_s));
            const Rollback::Scope scope = SloView::rollbackScope(p.cohort);
            a.scope = u"cohort %1 — %2"_s.arg(p.cohort.name, scope.describe());
            a.evidence = p.evidence;
            active << a;
            m_alertPlans.insert(a.id, {scope, p.flags});
            Release::PageScope page = SloView::pageScope(p);
            if (const Release::EnvironmentPoller *environments = m_workspace->environmentPoller()) {
                const auto *production = environments->snapshot().find(u"Production"_s);
                if (production && production->deployment)
                    page.deploymentId = production->deployment->id;
            }
            m_alertScopes.insert(a.id, page);
            // §7.1: the breach the page means, by the SLO that burns (policy `triggers.pages`).
            QString slo;
            for (const Slo::SloSpec &spec : m_workspace->policy().slos()) {
                if (slo.isEmpty() && !p.evidence.isEmpty() && p.evidence.first().startsWith(spec.title + u':'))
                    slo = spec.id;
            }
            m_alertPageTriggers.insert(a.id, m_workspace->policy().triggers().pageTrigger(slo));
        }
        m_alerts->update(u"slo"_s, active);
        updateWhatChanged(sloView);
    });
    // New changes re-rank the page's candidates (a change recorded late, a poll that caught up).
    connect(m_live.get(), &LiveData::changesAdded, this, [this, sloView] { updateWhatChanged(sloView); });
    connect(m_window->pageBanner(), &PageBanner::whatChangedRequested, this, [this](const QString &id) { openWhatChanged(id); });
    // The banner opens the plan its alert offers: a detected trigger's, or a page's with the default scope.
    connect(m_window->pageBanner(), &PageBanner::rollbackPlanRequested, this, &ConsoleApp::openRollbackFor);
    // §7.1 triggers from the platform's signals (issue #16, item 4), on the workspace's Prometheus, into the same alerts.
    const auto startDetector = [this] {
        m_detector.reset();
        if (!m_workspace->prometheus())
            return;
        m_detector = std::make_unique<Rollback::TriggerDetector>(*m_workspace->prometheus(), *m_alerts);
        m_detector->setRules(m_workspace->policy().triggers(), m_workspace->policy().cohorts());
        if (Release::FlagPoller *poller = m_workspace->flagPoller()) {
            connect(poller, &Release::FlagPoller::updated, m_detector.get(), [this, poller] {
                if (m_detector)
                    m_detector->setFlags(poller->snapshot());
            });
        }
        m_detector->start();
    };
    connect(m_workspace.get(), &Workspace::aboutToReopen, this, [this] { m_detector.reset(); });
    connect(m_workspace.get(), &Workspace::ready, this, startDetector);
    if (m_workspace->isReady())
        startDetector();
    // Post-release validation (playbook §6.3, issue #19 item 4): started by a promote, moved on every minute,
    // and resumed at start for the runs a closed console left; on the workspace's clients as they are now.
    const auto startValidation = [this] {
        m_validation = validationSessionFor(*m_workspace);
        connect(m_validation.get(), &Release::ValidationSession::changed, this, [this](const Release::ValidationRun &run) {
            const QString where = run.pullUrl.isEmpty() ? QString() : u" — journal entry in %1"_s.arg(run.pullUrl);
            m_window->statusBar()->showMessage(u"Post-release validation of %1: %2%3"_s.arg(run.id, Release::ValidationRun::phaseName(run.phase), where),
                                               30000);
        });
        connect(m_validation.get(), &Release::ValidationSession::failed, this, [this](const QString &id, const Error &e) {
            m_window->statusBar()->showMessage(u"Post-release validation of %1 could not go on: %2 %3 (it resumes in a minute)"_s.arg(id, e.message, e.remedy),
                                               60000);
        });
        m_validation->stepAll();
    };
    connect(m_workspace.get(), &Workspace::aboutToReopen, this, [this] { m_validation.reset(); });
    connect(m_workspace.get(), &Workspace::ready, this, startValidation);
    if (m_workspace->isReady())
        startValidation();
    // "Draft release notes": the last promote's evidence (kept across restarts) with today's open incidents.
    if (const auto last = Records::EvidenceStore(Records::EvidenceStore::defaultDirectory(m_workspace->profile())).load(); last)
        promotion->setDraftableRelease(last->deploymentId);
    connect(promotion, &PromotionView::draftNotesRequested, this, [this](const QString &deploymentId) {
        const auto evidence = Records::EvidenceStore(Records::EvidenceStore::defaultDirectory(m_workspace->profile())).load(deploymentId);
        if (!evidence) {
            m_window->statusBar()->showMessage(evidence.error().toString() + u' ' + evidence.error().remedy, 30000);
            return;
        }
        QPointer<ConsoleApp> self(this);
        withOpenIncidents(*m_workspace, *evidence, [self](const Records::ReleaseEvidence &full) {
            if (!self)
                return;
            auto *dialog = new ReleaseNotesDialog(full, self->m_workspace->policy().records(), self->m_window.get());
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->show();
        });
    });
    auto *validationTick = new QTimer(this);
    connect(validationTick, &QTimer::timeout, this, [this] {
        if (m_validation)
            m_validation->stepAll();
    });
    validationTick->start(60 * 1000);
    connect(promotion, &PromotionView::promoted, this, [this, promotion](bool ok, const QString &) {
        if (!ok || !m_validation)
            return;
        m_window->statusBar()->showMessage(recordPromotion(*promotion->session(), *m_workspace, *m_validation), 30000);
        const Release::ReleaseFacts &facts = promotion->session()->facts().facts;
        if (facts.deployment.known())
            promotion->setDraftableRelease(facts.deployment->id);
    });
    // The page alert offers the rollback plan, filled with its cohort and flags (the trigger its SLO means).
    connect(sloView, &SloView::rollbackPlanRequested, this, [this](const Rollback::Scope &scope, const QStringList &flagKeys) {
        Rollback::Trigger trigger = Rollback::Trigger::PublishFailureBreach;
        for (auto it = m_alertPlans.cbegin(); it != m_alertPlans.cend(); ++it) {
            if (it->first.describe() == scope.describe())
                trigger = m_alertPageTriggers.value(it.key(), trigger);
        }
        openPagePlan(trigger, scope, flagKeys);
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
    policyState->setText(m_workspace->policy().readOnly() ? u"READ-ONLY: policy bundle refused"_s : QString());
    policyState->setToolTip(m_workspace->policy().describe());
    policyState->setVisible(m_workspace->policy().readOnly());
    slot->layout()->addWidget(policyState);
    connect(m_rollbackButton, &QPushButton::clicked, this, [this] { openRollback(); });
    // §7.1 "security incident suspicion" is a P0 only a person can raise; the palette lists this button too.
    m_securityButton = new QPushButton(u"Raise security P0"_s, slot);
    m_securityButton->setObjectName(u"raiseSecuritySuspicion"_s);
    m_securityButton->setToolTip(u"Security incident suspicion (playbook §7.1, P0): raises the alert in every view and opens the P0 plan "
                                 u"(side-effect flags off everywhere first). Audited."_s);
    slot->layout()->addWidget(m_securityButton);
    connect(m_securityButton, &QPushButton::clicked, this, [this] {
        if (m_alerts && m_alerts->find(u"trigger:security:manual"_s)) {
            if (m_detector)
                m_detector->clearSecuritySuspicion();
            else
                m_alerts->update(u"manual"_s, {});
            m_securityButton->setText(u"Raise security P0"_s);
            return;
        }
        raiseSecuritySuspicion(u"raised from the console's header"_s);
    });
    m_history = new RollbackHistory(Rollback::RunJournal::defaultDirectory(profile));
    m_history->setWorkspace(m_workspace.get()); // Restore (issue #16 item 10) sends through the profile's clients
    m_window->setViewWidget(u"rollback"_s, m_history);
    connect(m_history, &RollbackHistory::openRequested, this, [this] { openRollback(); });
    refreshRollbackState();
    // Read-only until armed (ADR 0028): every use case that changes something asks the workspace's arming;
    // the rollback and the kill switch do not. Disarming or the window's end stops an armed auto-pacing.
    WriteGuard *guard = &m_workspace->writeGuard();
    matrix->changeRunner()->setWriteGuard(guard);
    sloView->monitor()->setWriteGuard(guard);
    m_history->setMonitor(sloView->monitor()); // the way back judges its stages by the same burn verdicts (ADR 0034)
    m_cohorts->setWriteGuard(guard);
    connect(&m_workspace->arming(), &Arming::changed, sloView->monitor(), &Release::RolloutMonitor::evaluate);
    m_armedControls = new ArmedControls(m_workspace->arming(), m_window.get(), this);
    if (const QStringList missing = m_armedControls->missing(); !missing.isEmpty())
        qCWarning(lcUi, "controls that change something were not found for arming: %s", qUtf8Printable(missing.join(u", "_s)));
    // The command palette (Ctrl+K) and the shortcut sheet (F1) mark what changes production and list recent targets.
    if (const QStringList missing = markProductionControls(*m_window); !missing.isEmpty())
        qCWarning(lcUi, "controls that change production were not found: %s", qUtf8Printable(missing.join(u", "_s)));
    // Every control of the shortcut table gets its key and shows it in its tooltip (dialogs when they open).
    applyShortcuts(m_window.get());
    m_window->addPaletteSource(timelineTargets(*m_window, timeline));
    m_window->addPaletteSource(flagTargets(*m_window, flagsPane));
    m_live->start();
}

qint64 ConsoleApp::onsetOf(const QString &alertId) const
{
    const Release::AlertCenter::State *state = m_alerts ? m_alerts->find(alertId) : nullptr;
    if (!state)
        return QDateTime::currentMSecsSinceEpoch();
    return state->alert.sinceMs > 0 ? state->alert.sinceMs : state->raisedMs;
}

void ConsoleApp::updateWhatChanged(SloView *slo)
{
    WhatChangedPanel *panel = slo->whatChanged();
    const QList<Release::PageAlert> pages = slo->alerts();
    const TimelineFeed *feed = m_live ? m_live->timelineFeed() : nullptr;
    if (pages.isEmpty() || !feed) {
        panel->clear();
        panel->hide();
        return;
    }
    const Release::PageAlert &page = pages.first();
    const QString id = u"page:"_s + page.cohort.id;
    panel->rank(feed->changes(), m_alertScopes.value(id, SloView::pageScope(page)), onsetOf(id), WhatChangedWindowMs,
                tr("the page for %1").arg(page.cohort.name));
    panel->show();
}

QDialog *ConsoleApp::openWhatChanged(const QString &alertId)
{
    const Release::AlertCenter::State *state = m_alerts ? m_alerts->find(alertId) : nullptr;
    if (!state)
        return nullptr;
    auto *dialog = new QDialog(m_window.get());
    dialog->setObjectName(u"whatChangedDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("What changed — %1").arg(state->alert.trigger));
    auto *panel = new WhatChangedPanel(dialog);
    const TimelineFeed *feed = m_live ? m_live->timelineFeed() : nullptr;
    // An alert of another detector (P0/P1 triggers) has no cohort: production as a whole.
    panel->rank(feed ? feed->changes() : QList<Release::Change>(), m_alertScopes.value(alertId), onsetOf(alertId), WhatChangedWindowMs,
                state->alert.scope.isEmpty() ? state->alert.trigger : state->alert.scope);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    buttons->button(QDialogButtonBox::Close)->setObjectName(u"whatChangedClose"_s);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(panel, 1);
    layout->addWidget(buttons);
    dialog->resize(1000, 420);
    panel->table()->setFocus(Qt::OtherFocusReason); // the ranking, to read it with the arrow keys
    dialog->show();
    return dialog;
}

const EffectivePolicy &ConsoleApp::policy() const
{
    return m_workspace->policy();
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
        m_rollbackDialog->setPolicy(m_workspace->policy()); // the cohorts may have been edited since
    if (m_rollbackDialog) {
        m_rollbackDialog->show();
        m_rollbackDialog->raise();
        return m_rollbackDialog;
    }
    m_rollbackDialog = new RollbackDialog(*m_workspace, m_window.get());
    m_rollbackDialog->setAttribute(Qt::WA_DeleteOnClose, false);
    m_rollbackDialog->setPolicy(m_workspace->policy());
    connect(m_rollbackDialog, &RollbackDialog::runFinished, this, &ConsoleApp::refreshRollbackState);
    connect(m_rollbackDialog, &RollbackDialog::runFinished, m_history, &RollbackHistory::refresh);
    connect(m_rollbackDialog, &RollbackDialog::planReady, this, &ConsoleApp::refreshRollbackState);
    connect(m_rollbackDialog, &RollbackDialog::runStarted, this, &ConsoleApp::refreshRollbackState);
    // §0.3: a rollback whose audit records cannot be written runs anyway; the banner says so until the log is fixed.
    connect(m_rollbackDialog, &RollbackDialog::runStarted, this, [this] {
        Rollback::Executor *ex = m_rollbackDialog ? m_rollbackDialog->executor() : nullptr;
        if (!ex)
            return;
        connect(ex, &Rollback::Executor::auditFailed, this, [this, ex](const Error &error) {
            Release::Alert a;
            a.id = u"audit:unwritable"_s;
            a.severity = u"P1"_s;
            a.trigger = u"The audit log cannot be written: %1"_s.arg(error.message);
            a.scope = u"rollback run %1 — it went on (§0.3); its journal %2 and the incident hold the %3 missed record(s)"_s
                          .arg(ex->runId(), ex->journal().path())
                          .arg(ex->auditFailures().size());
            a.evidence = ex->auditFailures();
            if (!error.remedy.isEmpty())
                a.evidence << u"What to do: "_s + error.remedy;
            m_alerts->update(u"audit"_s, {a});
        });
    });
    m_rollbackDialog->show();
    const QString open = Rollback::RunJournal::unfinished(Rollback::RunJournal::defaultDirectory(m_profile));
    if (!open.isEmpty())
        m_rollbackDialog->resume(open);
    refreshRollbackState();
    return m_rollbackDialog;
}

RollbackDialog *ConsoleApp::openRollback(Rollback::Trigger trigger, const Rollback::Scope &scope, const QString &reason,
                                         const Rollback::Checklist &implied)
{
    RollbackDialog *d = openRollback();
    if (!d->executor()) {
        d->prefill(trigger, scope, reason, implied);
        d->buildPlan();
    }
    return d;
}

RollbackDialog *ConsoleApp::openRollbackFor(const QString &alertId)
{
    if (alertId.startsWith(u"canary:"_s))
        return openCanaryAbort(); // a canary's page: its abort plan

    const Release::AlertCenter::State *state = m_alerts ? m_alerts->find(alertId) : nullptr;
    if (state && !state->alert.triggerId.isEmpty()) {
        // A detected trigger: the plan opens with it, its scope and what its signal already answers.
        const Release::Alert &a = state->alert;
        const auto trigger = Rollback::triggerFromId(a.triggerId);
        const Result<Rollback::Scope> scope = Rollback::parseScope(a.planScope);
        return openRollback(trigger.value_or(Rollback::Trigger::ElevatedErrors), scope ? scope.value() : Rollback::Scope{},
                            u"%1 — %2 (%3)"_s.arg(a.severity, a.trigger, a.scope), Rollback::impliedChecklist(a.implies));
    }
    // A burn-rate page: the trigger its SLO means (policy `triggers.pages`), its cohort and canary flags.
    const auto plan = m_alertPlans.value(alertId);
    return openPagePlan(m_alertPageTriggers.value(alertId, Rollback::Trigger::PublishFailureBreach), plan.first, plan.second);
}

RollbackDialog *ConsoleApp::openCanaryAbort()
{
    const Result<Rollback::CanaryAbortInputs> in = m_workspace->canary().abortInputs({});
    if (!in) {
        m_window->statusBar()->showMessage(u"%1: %2"_s.arg(in.error().message, in.error().remedy), 30000);
        return nullptr;
    }
    RollbackDialog *dialog = openRollback();
    if (dialog && !dialog->executor())
        dialog->showPrepared(Rollback::canaryAbortPlan(*in), Rollback::Scope{},
                             u"abort the canary of %1 at %2 %: %3"_s.arg(in->canaryDeployment).arg(in->canaryPercent).arg(in->reason));
    return dialog;
}

RollbackDialog *ConsoleApp::openPagePlan(Rollback::Trigger trigger, const Rollback::Scope &pageScope, const QStringList &flagKeys)
{
    // The plan opens with the default scope (issue #16 item 1): the paging cohort
    // only when the signals show the failure isolated to it, else global (a P0: always global).
    Rollback::ScopeSignals scopeSignals;
    if (m_sloView) {
        QStringList paging;
        for (const Release::PageAlert &p : m_sloView->alerts())
            paging << p.cohort.id;
        scopeSignals = Rollback::scopeSignalsFrom(m_sloView->cohorts(), m_sloView->verdicts(), paging);
    }
    const Rollback::ScopeDecision d = Rollback::defaultScope(trigger, scopeSignals);
    return openRollback(trigger, d.scope,
                        u"page-level SLO burn in %1; canary flags on: %2; scope %3"_s.arg(pageScope.describe(), flagKeys.join(u", "_s), d.reason));
}

void ConsoleApp::raiseSecuritySuspicion(const QString &reason)
{
    const Release::Alert a = Rollback::securitySuspicionAlert(m_workspace->actor(), reason, Clock::system().nowMs());
    // Audited before it shows: who raised a P0, when and why.
    Records::AuditRecord r;
    r.actor = m_workspace->actor();
    r.action = u"alert.raise"_s;
    r.target = a.id;
    r.service = u"console"_s;
    r.reason = reason;
    r.before = {{"active", false}};
    r.after = {{"active", true}, {"severity", a.severity.toStdString()}, {"trigger", a.trigger.toStdString()}};
    if (const Status s = m_workspace->audit().append(r); !s)
        qCWarning(lcUi, "the security P0 is raised, but its audit record could not be written: %s", qUtf8Printable(s.error().toString()));
    if (m_detector)
        m_detector->raiseSecuritySuspicion(m_workspace->actor(), reason);
    else
        m_alerts->update(u"manual"_s, {a});
    if (m_securityButton)
        m_securityButton->setText(u"Clear security P0"_s);
    openRollbackFor(a.id);
}

ConsoleApp::~ConsoleApp() = default;

QStringList ConsoleApp::viewNames()
{
    // "settings", "palette" and "shortcuts" render the settings dialog, the
    // command palette and the shortcut sheet over the window; "armed" the Canary
    // view of the profile armed (audited as such) with the header's countdown; "releasenotes": the last
    // promote's release notes (both versions side by side) (for --screenshot).
    return MainWindow::viewNames() << u"settings"_s << u"palette"_s << u"shortcuts"_s << u"armed"_s << u"releasenotes"_s;
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

void ConsoleApp::exitAfterFirstData(int lingerMs)
{
    const auto report = [lingerMs] {
        std::fputs("raize-console: first live data\n", stdout);
        std::fflush(stdout);
        QTimer::singleShot(lingerMs, qApp, &QApplication::quit);
    };
    if (m_live->settled()) {
        QTimer::singleShot(0, this, report);
        return;
    }
    connect(m_live.get(), &LiveData::firstRoundDone, this, report, Qt::SingleShotConnection);
}

int ConsoleApp::screenshotReleaseNotes(const QString &file, QSize size)
{
    const auto evidence = Records::EvidenceStore(Records::EvidenceStore::defaultDirectory(m_workspace->profile())).load();
    if (!evidence) {
        qCCritical(lcUi, "no release notes to show: %s", qUtf8Printable(evidence.error().toString()));
        return 2;
    }
    m_workspace->waitUntilReady();
    std::optional<Records::ReleaseEvidence> full;
    withOpenIncidents(*m_workspace, *evidence, [&](const Records::ReleaseEvidence &e) { full = e; });
    QElapsedTimer settle;
    settle.start();
    while (!full && settle.elapsed() < 20000)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    if (!full)
        full = *evidence;
    // Both versions side by side: the operator's and what a client may read.
    QWidget sheet;
    auto *layout = new QHBoxLayout(&sheet);
    ReleaseNotesDialog notes(*full, m_workspace->policy().records());
    auto *operatorTab = notes.tabs()->widget(0);
    auto *clientTab = notes.tabs()->widget(1);
    for (auto [title, w] : {std::pair{tr("Operator version"), operatorTab}, std::pair{tr("Client version (%1)").arg(m_workspace->policy().records().clientSections.join(u", "_s)), clientTab}}) {
        auto *box = new QGroupBox(title, &sheet);
        auto *inner = new QVBoxLayout(box);
        w->setParent(box);
        inner->addWidget(w);
        w->show(); // taken out of the dialog's tabs: a reparented widget starts hidden
        layout->addWidget(box);
    }
    sheet.resize(size);
    sheet.show();
    for (int i = 0; i < 10; ++i)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    QDir().mkpath(QFileInfo(file).absolutePath());
    QImageWriter writer(file, "png");
    if (!writer.write(sheet.grab().toImage())) {
        qCCritical(lcUi, "cannot write screenshot %s: %s", qUtf8Printable(file), qUtf8Printable(writer.errorString()));
        return 2;
    }
    return 0;
}

int ConsoleApp::screenshot(const QString &file, const QString &view, QSize size)
{
    const bool overlay = view == u"palette"_s || view == u"shortcuts"_s;
    if (view == u"armed"_s) {
        // The armed header as the operator sees it: a real arming, with its audit record.
        if (!m_workspace->arming().required()) {
            qCCritical(lcUi, "profile %s is marked sandbox: it is never armed (use a profile without profile/sandbox)", qUtf8Printable(m_profile));
            return 2;
        }
        if (const Status s = m_workspace->arm(u"screenshot of the armed header"_s); !s) {
            qCCritical(lcUi, "cannot arm for the screenshot: %s", qUtf8Printable(s.error().toString()));
            return 2;
        }
        m_window->showView(u"canary"_s);
    } else if (!view.isEmpty() && view != u"settings"_s && !overlay) {
        m_window->showView(view);
    }
    m_window->resize(size);
    m_window->show();
    if (view == u"releasenotes"_s)
        return screenshotReleaseNotes(file, size);
    std::unique_ptr<SettingsDialog> dialog;
    if (view == u"settings"_s) {
        dialog = std::make_unique<SettingsDialog>(*m_settings, *m_tokens, *m_workspace, m_window.get());
        dialog->show();
    }
    // Let layouts, fonts, keychain answers, the first answers of the services
    // (up to 20 s: the SLOs view reads 30 days of counters) and queued updates settle before grabbing.
    QElapsedTimer settle;
    settle.start();
    const auto viewSettled = [&] { return view != u"metrics"_s || !m_doraView || m_doraView->settled(); };
    while (settle.elapsed() < 300 || ((!m_live->settled() || !viewSettled()) && settle.elapsed() < 20000))
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    QPixmap pixmap = dialog ? dialog->grab() : m_window->grab();
    if (overlay) {
        // The palette (with a search typed) or the sheet, drawn over the window as the operator sees it.
        QWidget *top = nullptr;
        if (view == u"palette"_s) {
            m_window->openCommandPalette();
            m_window->commandPalette()->searchField()->setText(u"pro"_s);
            top = m_window->commandPalette();
        } else {
            m_window->openShortcutSheet();
            top = m_window->shortcutSheet();
            // Tall enough for every row when the window is (no scroll bar in the picture).
            const QTreeWidget *table = m_window->shortcutSheet()->table();
            const int rows = table->topLevelItemCount() * (table->sizeHintForRow(0) + 1) + table->header()->height();
            top->resize(top->width(), std::min(top->height() - table->height() + rows + 8, pixmap.height() - 110));
        }
        for (int i = 0; i < 10; ++i)
            QApplication::processEvents(QEventLoop::AllEvents, 20);
        const QPixmap over = top->grab();
        QPainter painter(&pixmap);
        painter.fillRect(pixmap.rect(), QColor(0, 0, 0, 70));
        painter.drawPixmap((pixmap.width() - over.width()) / 2, 90, over);
    }
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
