#include "mainwindow.h"

#include "armingbar.h"
#include "environmentcard.h"
#include "notconnectedpane.h"
#include "alerts/desktopnotifier.h"
#include "alerts/pagebanner.h"
#include "release/alertcenter.h"
#include "palette/commandcollector.h"
#include "palette/commandpalette.h"
#include "palette/dialogkeys.h"
#include "palette/shortcuttable.h"
#include "palette/shortcutsheet.h"
#include "settingsdialog.h"

#include "core/servicemonitor.h"
#include "core/tokenstore.h"
#include "core/version.h"
#include "release/environmentpoller.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QShortcut>
#include <QTreeWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

namespace {

struct ViewInfo
{
    QString name;
    QString title;
    QString purpose;
    QString reason;
};

const QList<ViewInfo> &viewInfos()
{
    static const QList<ViewInfo> list = {
        {u"timeline"_s, u"Timeline"_s,
         u"What is live where: deployments, promotions, rollbacks, flag changes, canary steps and incidents per environment and service."_s,
         u"The timeline opens with the console (ConsoleApp installs it with the profile's Vercel project and audit log)."_s},
        {u"canary"_s, u"Canary"_s,
         u"Canary cohorts (house accounts, low-risk clients, broad) and the flag × scope toggle matrix."_s,
         u"Cohort toggles need the flag service client (issues #6 and #8)."_s},
        {u"slos"_s, u"SLOs"_s,
         u"Burn rate per cohort and lane against the policy's SLOs, with multi-window page and ticket thresholds."_s,
         u"The SLOs view opens with the console (ConsoleApp installs it with the profile's Prometheus)."_s},
        {u"promotion"_s, u"Promotion"_s,
         u"Staging → Production review: included PRs, release level, the playbook's gates with evidence, and approval."_s,
         u"The promotion review opens with the console (ConsoleApp installs it with the profile's policy bundle)."_s},
        {u"rollback"_s, u"Rollback"_s,
         u"The guarded rollback: flags first, then Vercel Instant Rollback to a safe target, then post-rollback checks and an incident."_s,
         u"The rollback history opens with the console (ConsoleApp installs it with the profile's run journals)."_s},
        {u"audit"_s, u"Audit"_s,
         u"Every action the console takes, in a tamper-evident, hash-chained log: filter, search, verify and export."_s,
         u"The audit viewer opens with the console (ConsoleApp installs it with the profile's audit log)."_s},
        {u"metrics"_s, u"Metrics"_s,
         u"DORA's five delivery metrics from the release's records: deployment frequency, lead time, change fail rate, recovery time, rework."_s,
         u"The Metrics view opens with the console (ConsoleApp installs it with the profile's Vercel project, GitHub and run journals)."_s},
    };
    return list;
}

QString dotFor(ServiceStatus::State state)
{
    switch (state) {
    case ServiceStatus::State::Connected: return u"#2e9d5b"_s;
    case ServiceStatus::State::Unchecked: return u"#7a8793"_s;
    case ServiceStatus::State::NotConfigured: return u"#a0a8b0"_s;
    case ServiceStatus::State::RateLimited: return u"#c98a00"_s;
    case ServiceStatus::State::Down: return u"#c62828"_s;
    case ServiceStatus::State::AuthFailed: return u"#c62828"_s;
    }
    return u"#7a8793"_s;
}

} // namespace

MainWindow::MainWindow(Workspace &workspace, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(workspace.settings())
    , m_tokens(workspace.tokens())
    , m_monitor(workspace.monitor())
    , m_workspace(workspace)
{
    setObjectName(u"mainWindow"_s);
    setWindowIcon(QIcon(u":/icons/raize-console.svg"_s));
    resize(1280, 800);

    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);
    outer->addWidget(buildHeader());
    m_outer = outer; // the alert banner goes right under the header, above every view

    auto *body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    m_nav = new QListWidget(central);
    m_nav->setObjectName(u"navigation"_s);
    m_nav->setFixedWidth(170);
    m_nav->setUniformItemSizes(true);
    m_nav->setSpacing(2);
    m_stack = new QStackedWidget(central);
    m_stack->setObjectName(u"viewStack"_s);
    for (const ViewInfo &v : viewInfos()) {
        auto *item = new QListWidgetItem(v.title, m_nav);
        item->setData(Qt::UserRole, v.name);
        item->setSizeHint(QSize(150, 34));
        auto *pane = new NotConnectedPane(v.title, v.purpose, v.reason, m_stack);
        pane->setObjectName(u"view_"_s + v.name);
        m_stack->addWidget(pane);
        m_views.insert(v.name, pane);
    }
    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0)
            m_stack->setCurrentWidget(m_views.value(viewNames().value(row)));
    });
    body->addWidget(m_nav);
    body->addWidget(m_stack, 1);
    outer->addLayout(body, 1);
    setCentralWidget(central);

    auto *fileMenu = menuBar()->addMenu(u"&Console"_s);
    auto *settingsAction = fileMenu->addAction(u"&Settings…"_s, this, &MainWindow::openSettings);
    settingsAction->setObjectName(u"actionSettings"_s);
    // Standard keys where the platform has them (Preferences has none on X11 and offscreen: Ctrl+, then).
    settingsAction->setShortcut(QKeySequence(QKeySequence::Preferences).isEmpty() ? QKeySequence(Qt::CTRL | Qt::Key_Comma)
                                                                                   : QKeySequence(QKeySequence::Preferences));
    // Read-only until armed (ADR 0028): Ctrl+Shift+A opens the typed confirmation.
    fileMenu->addSeparator();
    fileMenu->addAction(m_armingBar->armAction());
    fileMenu->addAction(m_armingBar->disarmAction());
    connect(m_armingBar, &ArmingBar::message, this, [this](const QString &text) { statusBar()->showMessage(text, 15000); });
    fileMenu->addSeparator();
    auto *quit = fileMenu->addAction(u"&Quit"_s, qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence(QKeySequence::Quit).isEmpty() ? QKeySequence(Qt::CTRL | Qt::Key_Q) : QKeySequence(QKeySequence::Quit));
    quit->setObjectName(u"actionQuit"_s);

    // Go: every view on Ctrl+1…Ctrl+7 (Alt+digit is the browser's and the
    // terminal's tab convention, taken by mnemonics here), and the palette.
    auto *goMenu = menuBar()->addMenu(u"&Go"_s);
    const QStringList names = viewNames(), titles = viewTitles();
    for (int i = 0; i < names.size(); ++i) {
        const QString name = names.at(i);
        auto *go = goMenu->addAction(titles.at(i), this, [this, name] {
            showView(name);
            focusCurrentView();
        });
        go->setObjectName(u"actionView_"_s + name);
        go->setProperty("raize.view", name);
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        go->setToolTip(u"Show the %1 view"_s.arg(titles.at(i)));
    }
    goMenu->addSeparator();
    auto *palette = goMenu->addAction(u"&Command palette…"_s, this, &MainWindow::openCommandPalette);
    palette->setObjectName(u"actionCommandPalette"_s);
    palette->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));

    auto *helpMenu = menuBar()->addMenu(u"&Help"_s);
    auto *sheet = helpMenu->addAction(u"&Keyboard shortcuts"_s, this, &MainWindow::openShortcutSheet);
    sheet->setObjectName(u"actionShortcuts"_s);
    sheet->setShortcut(QKeySequence::HelpContents);
    // "?" too, but not while typing: a text field takes printable keys before shortcuts (ShortcutOverride).
    // Layouts differ in whether "?" arrives with Shift; take both.
    for (const QKeySequence &keys : {QKeySequence(Qt::Key_Question), QKeySequence(Qt::SHIFT | Qt::Key_Question)}) {
        auto *question = new QShortcut(keys, this, this, &MainWindow::openShortcutSheet);
        question->setObjectName(u"shortcutQuestionMark"_s);
        question->setContext(Qt::WindowShortcut);
    }

    m_dialogKeys = new DialogKeys(this);
    m_nav->setAccessibleName(u"Views"_s);
    m_stack->setAccessibleName(u"Current view"_s);

    buildStatusBar();
    m_monitor.initFrom(m_settings);
    refreshProfileBadge();
    refreshEnvironmentCards();
    m_nav->setCurrentRow(0);
}

QStringList MainWindow::viewTitles()
{
    QStringList titles;
    for (const ViewInfo &v : viewInfos())
        titles << v.title;
    return titles;
}

void MainWindow::openCommandPalette()
{
    if (!m_palette) {
        m_palette = new CommandPalette(
            [this] {
                QList<PaletteEntry> entries = collectCommands(*this);
                entries.removeIf([](const PaletteEntry &e) { return e.id == u"action:actionCommandPalette"_s; });
                return entries;
            },
            this);
        // A dialog the entry opened keeps its focus; otherwise the focus goes to the view it showed.
        connect(m_palette, &CommandPalette::entryRun, this, [this] {
            QWidget *focus = QApplication::focusWidget();
            if (!focus || focus->window() == this)
                focusCurrentView();
        });
        // Escape: back to where the operator was.
        connect(m_palette, &QDialog::rejected, this, [this] { activateWindow(); });
    }
    m_palette->open();
}

void MainWindow::focusCurrentView()
{
    QWidget *view = m_stack->currentWidget();
    if (!view)
        return;
    activateWindow();
    QWidget *focus = QApplication::focusWidget();
    if (focus && view->isAncestorOf(focus))
        return;
    for (QWidget *w : view->findChildren<QWidget *>()) {
        if (w->isVisibleTo(this) && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus)) {
            w->setFocus(Qt::ShortcutFocusReason);
            return;
        }
    }
    m_nav->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::openShortcutSheet()
{
    if (!m_shortcutSheet) {
        m_shortcutSheet = new ShortcutSheet(this);
        connect(m_shortcutSheet, &QDialog::finished, this, [this] { activateWindow(); });
    }
    m_shortcutSheet->setEntries(collectCommands(*this));
    m_shortcutSheet->show();
    m_shortcutSheet->raise();
    m_shortcutSheet->activateWindow();
    m_shortcutSheet->table()->setFocus(Qt::ShortcutFocusReason);
}

QStringList MainWindow::viewNames()
{
    QStringList names;
    for (const ViewInfo &v : viewInfos())
        names << v.name;
    return names;
}

bool MainWindow::showView(const QString &name)
{
    const int row = int(viewNames().indexOf(name));
    if (row < 0)
        return false;
    m_nav->setCurrentRow(row);
    return true;
}

QString MainWindow::currentView() const
{
    return viewNames().value(m_nav->currentRow());
}

void MainWindow::setViewWidget(const QString &name, QWidget *widget)
{
    QWidget *old = m_views.value(name);
    if (!old || !widget)
        return;
    widget->setObjectName(u"view_"_s + name);
    const int index = m_stack->indexOf(old);
    const bool wasCurrent = m_stack->currentWidget() == old;
    m_stack->insertWidget(index, widget);
    m_stack->removeWidget(old);
    old->deleteLater();
    m_views.insert(name, widget);
    if (wasCurrent)
        m_stack->setCurrentWidget(widget);
}

QWidget *MainWindow::viewWidget(const QString &name) const
{
    return m_views.value(name);
}

EnvironmentCard *MainWindow::environmentCard(const QString &environment) const
{
    return m_envCards.value(environment);
}

QWidget *MainWindow::buildHeader()
{
    auto *header = new QFrame(this);
    header->setObjectName(u"headerBar"_s);
    header->setFrameShape(QFrame::NoFrame);
    header->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(header);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(10);

    auto *titleBox = new QVBoxLayout;
    auto *title = new QLabel(u"Raize Release Console"_s, header);
    QFont f = title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.25);
    title->setFont(f);
    m_profileBadge = new QLabel(header);
    m_profileBadge->setObjectName(u"profileBadge"_s);
    titleBox->addWidget(title);
    titleBox->addWidget(m_profileBadge);
    m_armingBar = new ArmingBar(m_workspace, header);
    titleBox->addWidget(m_armingBar);
    layout->addLayout(titleBox);
    layout->addSpacing(12);

    for (const QString &env : {u"Preview"_s, u"Staging"_s, u"Production"_s}) {
        auto *card = new EnvironmentCard(env, header);
        m_envCards.insert(env, card);
        layout->addWidget(card, 1);
    }

    m_rollbackSlot = new QWidget(header);
    m_rollbackSlot->setObjectName(u"rollbackSlot"_s);
    m_rollbackSlot->setMinimumWidth(170);
    auto *slotLayout = new QVBoxLayout(m_rollbackSlot);
    slotLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_rollbackSlot);
    return header;
}

void MainWindow::setAlertCenter(Release::AlertCenter *alerts)
{
    m_alerts = alerts;
    if (!m_alerts)
        return;
    m_banner = new PageBanner(*m_alerts, this);
    m_outer->insertWidget(1, m_banner);
    m_notifier = new DesktopNotifier(this);
    connect(m_alerts, &Release::AlertCenter::changed, this, &MainWindow::refreshAlerts);
    connect(m_alerts, &Release::AlertCenter::raised, this, [this](const Release::Alert &a) {
        m_notifier->notify(a.id, u"%1: %2"_s.arg(a.severity.toUpper(), a.trigger), u"Scope: %1\n%2"_s.arg(a.scope, a.evidence.join(u'\n')),
                           true);
    });
    connect(m_alerts, &Release::AlertCenter::cleared, m_notifier, &DesktopNotifier::withdraw);
    connect(m_banner, &PageBanner::acknowledgeFailed, this, [this](const QString &reason) {
        statusBar()->showMessage(u"Not acknowledged: %1"_s.arg(reason), 15000);
    });
    refreshAlerts();
}

void MainWindow::refreshAlerts()
{
    const Release::AlertCenter::State *top = m_alerts ? m_alerts->top() : nullptr;
    setWindowTitle(top ? u"⚠ %1: %2 — %3"_s.arg(top->alert.severity.toUpper(), top->alert.trigger, m_baseTitle) : m_baseTitle);
    if (m_alertStatus) {
        const qsizetype n = m_alerts ? m_alerts->active().size() : 0;
        m_alertStatus->setVisible(n > 0);
        m_alertStatus->setText(n == 1 ? u"<b style='color:#b71c1c'>⚠ 1 active alert</b>"_s
                                      : u"<b style='color:#b71c1c'>⚠ %1 active alerts</b>"_s.arg(n));
    }
}

void MainWindow::buildStatusBar()
{
    m_alertStatus = new QLabel(statusBar());
    m_alertStatus->setObjectName(u"statusAlerts"_s);
    m_alertStatus->setTextFormat(Qt::RichText);
    m_alertStatus->setVisible(false);
    statusBar()->addPermanentWidget(m_alertStatus);
    for (Service s : allServices()) {
        auto *label = new QLabel(statusBar());
        label->setObjectName(u"status_"_s + serviceId(s));
        label->setTextFormat(Qt::RichText);
        statusBar()->addPermanentWidget(label);
        m_serviceLabels.insert(s, label);
        refreshServiceStatus(s);
    }
    connect(&m_monitor, &ServiceMonitor::changed, this, &MainWindow::refreshServiceStatus);
}

void MainWindow::refreshServiceStatus(Service service)
{
    QLabel *label = m_serviceLabels.value(service);
    if (!label)
        return;
    const ServiceStatus st = m_monitor.status(service);
    QString text = u"<span style='color:%1'>●</span> %2: %3"_s.arg(dotFor(st.state), serviceDisplayName(service),
                                                                       ServiceStatus::stateName(st.state));
    if ((st.state == ServiceStatus::State::Down || st.state == ServiceStatus::State::RateLimited) && st.since.isValid())
        text += u" since %1"_s.arg(st.since.toLocalTime().toString(u"HH:mm"_s));
    if (st.budgetLimit > 0)
        text += u" · %1/%2 left"_s.arg(st.budgetRemaining).arg(st.budgetLimit);
    label->setText(text);
    label->setToolTip(st.detail.toHtmlEscaped());
}

void MainWindow::refreshProfileBadge()
{
    const bool sandbox = m_settings.boolean(SettingKey::ProfileIsSandbox);
    if (sandbox) {
        m_profileBadge->setText(u"SANDBOX — profile “%1”, not production"_s.arg(m_settings.profile()));
        m_profileBadge->setStyleSheet(u"background:#ffb300; color:#1a1a1a; font-weight:bold; padding:2px 6px; border-radius:3px;"_s);
        m_baseTitle = u"[SANDBOX] Raize Release Console — %1"_s.arg(m_settings.profile());
    } else {
        m_profileBadge->setText(u"Profile “%1”"_s.arg(m_settings.profile()));
        m_profileBadge->setStyleSheet({});
        m_baseTitle = u"Raize Release Console — %1"_s.arg(m_settings.profile());
    }
    refreshAlerts();
}

void MainWindow::refreshEnvironmentCards()
{
    const bool vercelConfigured = m_monitor.status(Service::Vercel).state != ServiceStatus::State::NotConfigured;
    for (EnvironmentCard *card : std::as_const(m_envCards)) {
        if (vercelConfigured)
            card->setUnavailable(u"reading Vercel…"_s);
        else
            card->setUnavailable(u"Set up Vercel in Settings"_s);
    }
}

void MainWindow::showEnvironments(const Release::EnvironmentSnapshot &snapshot)
{
    if (!snapshot.hasData()) {
        const QString why = snapshot.lastError.isError() ? snapshot.lastError.message + u" — "_s + snapshot.lastError.remedy
                                                        : u"reading Vercel…"_s;
        for (EnvironmentCard *card : std::as_const(m_envCards))
            card->setUnavailable(why);
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const auto &env : snapshot.environments) {
        EnvironmentCard *card = m_envCards.value(env.name);
        if (!card)
            continue;
        if (!env.deployment) {
            card->setLive(u"nothing deployed"_s, env.name == u"Production"_s ? u"no production deployment"_s : QString());
            continue;
        }
        const auto &d = *env.deployment;
        QString live = d.id;
        if (!d.sha.isEmpty())
            live += u" · "_s + d.sha.left(7);
        live += u" · "_s + d.state;
        QStringList detail;
        if (!d.ref.isEmpty())
            detail << d.ref;
        if (d.created.isValid()) {
            const qint64 minutes = d.created.secsTo(now) / 60;
            detail << (minutes < 120 ? u"%1 min ago"_s.arg(minutes) : u"%1 h ago"_s.arg(minutes / 60));
        }
        if (env.name == u"Production"_s && snapshot.pinned)
            detail << u"PINNED after rollback from %1 — new deploys wait for a promotion"_s.arg(snapshot.rollbackFrom);
        if (snapshot.stale)
            detail << u"stale since %1"_s.arg(snapshot.staleSince.toLocalTime().toString(u"HH:mm"_s));
        card->setLive(live, detail.join(u" · "_s));
        card->setStale(snapshot.stale);
    }
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings, m_tokens, m_workspace, this);
    if (dialog.exec() == QDialog::Accepted) {
        m_monitor.initFrom(m_settings);
        refreshProfileBadge();
        refreshEnvironmentCards();
        Q_EMIT settingsChanged();
    }
}

} // namespace Raize::Ui
