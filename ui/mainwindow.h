#pragma once

#include "core/settings.h"

#include "palette/paletteentry.h"

#include <QHash>
#include <QMainWindow>

#include <functional>

class QLabel;
class QVBoxLayout;
class QListWidget;
class QStackedWidget;

namespace Raize {
class ServiceMonitor;
class TokenStore;
class Workspace;
}

namespace Raize::Release {
class AlertCenter;
struct EnvironmentSnapshot;
}

namespace Raize::Ui {

class ArmingBar;
class CommandPalette;
class DesktopNotifier;
class DialogKeys;
class EnvironmentCard;
class PageBanner;
class ShortcutSheet;

// The console's shell: header (environments, sandbox badge, rollback slot),
// navigation, the view stack and the per-service status bar.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // The profile's settings, token store and service monitor are the workspace's.
    explicit MainWindow(Workspace &workspace, QWidget *parent = nullptr);

    // View names, in navigation order: timeline, canary, slos, promotion, rollback, audit.
    static QStringList viewNames();
    static QStringList viewTitles(); // "Timeline", "Canary", … in the same order
    bool showView(const QString &name);
    QString currentView() const;
    // Replaces a view's pane (later features install their real views here).
    void setViewWidget(const QString &name, QWidget *widget);
    QWidget *viewWidget(const QString &name) const;

    // The header's slot for the always-visible rollback button.
    QWidget *rollbackSlot() const { return m_rollbackSlot; }
    EnvironmentCard *environmentCard(const QString &environment) const;
    // Fills the header from Vercel; stale data stays, marked with its age.
    void showEnvironments(const Release::EnvironmentSnapshot &snapshot);

    // Recent targets for the command palette (deployments, flags, cohorts, incidents).
    using PaletteSource = std::function<QList<PaletteEntry>()>;
    void addPaletteSource(PaletteSource source) { m_paletteSources << std::move(source); }
    const QList<PaletteSource> &paletteSources() const { return m_paletteSources; }
    CommandPalette *commandPalette() const { return m_palette; }
    // Alerts nobody can miss (issue #16, item 5): a banner above every view,
    // the window title, the status bar and a desktop notification. Not owned.
    void setAlertCenter(Release::AlertCenter *alerts);
    PageBanner *pageBanner() const { return m_banner; }
    DesktopNotifier *notifier() const { return m_notifier; }
    // Gives the keyboard focus to the first control of the current view (after
    // the palette or a Go shortcut switched views), unless a control of that view has it already.
    void focusCurrentView();
    ShortcutSheet *shortcutSheet() const { return m_shortcutSheet; }
    // Keys, Ctrl+K and the focus on return in every dialog of the window.
    DialogKeys *dialogKeys() const { return m_dialogKeys; }
    // The header's arming state and its Arm/Disarm actions (ADR 0028).
    ArmingBar *armingBar() const { return m_armingBar; }

public Q_SLOTS:
    void openSettings();
    // Ctrl+K.
    void openCommandPalette();
    // F1, or "?" outside a text field.
    void openShortcutSheet();

Q_SIGNALS:
    void settingsChanged();

private:
    QWidget *buildHeader();
    void buildStatusBar();
    void refreshServiceStatus(Raize::Service service);
    void refreshProfileBadge();
    void refreshEnvironmentCards();

    Settings &m_settings;
    TokenStore &m_tokens;
    ServiceMonitor &m_monitor;
    Workspace &m_workspace;
    QListWidget *m_nav = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_profileBadge = nullptr;
    QWidget *m_rollbackSlot = nullptr;
    QHash<QString, EnvironmentCard *> m_envCards;
    QHash<Service, QLabel *> m_serviceLabels;
    QHash<QString, QWidget *> m_views;
    QList<PaletteSource> m_paletteSources;
    Release::AlertCenter *m_alerts = nullptr;
    PageBanner *m_banner = nullptr;
    DesktopNotifier *m_notifier = nullptr;
    QLabel *m_alertStatus = nullptr;
    QVBoxLayout *m_outer = nullptr;
    QString m_baseTitle;
    void refreshAlerts();
    CommandPalette *m_palette = nullptr;
    ShortcutSheet *m_shortcutSheet = nullptr;
    DialogKeys *m_dialogKeys = nullptr;
    ArmingBar *m_armingBar = nullptr;
};

} // namespace Raize::Ui
