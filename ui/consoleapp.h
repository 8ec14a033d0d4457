#pragma once

#include <QObject>
#include <QSize>
#include <QStringList>

#include <memory>

namespace Raize {
class ServiceMonitor;
namespace Records {
class AuditLog;
}
class Settings;
class TokenStore;
}

namespace Raize::Ui {

class LiveData;
class MainWindow;

// Owns what one console window runs on: the profile's settings, its token
// store, the service monitor and the main window.
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

    void show(const QString &view, bool exitAfterShow);
    // Renders the window offscreen to a PNG; returns a process exit code.
    int screenshot(const QString &file, const QString &view, QSize size);

private:
    std::unique_ptr<Settings> m_settings;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<Records::AuditLog> m_audit; // the canary matrix's changes
    std::unique_ptr<LiveData> m_live;
};

} // namespace Raize::Ui
