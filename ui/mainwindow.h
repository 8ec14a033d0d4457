#pragma once

#include "core/settings.h"

#include <QHash>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace Raize {
class ServiceMonitor;
class TokenStore;
class Workspace;
}

namespace Raize::Release {
struct EnvironmentSnapshot;
}

namespace Raize::Ui {

class EnvironmentCard;

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

public Q_SLOTS:
    void openSettings();

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
};

} // namespace Raize::Ui
