#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

namespace Raize::Ui {

// Desktop notifications through the freedesktop notification service
// (org.freedesktop.Notifications on the session bus). Without a session bus
// or a notification service nothing is shown and the console says so once in
// its log: the banner, the window title and the status bar still carry the alert.
class DesktopNotifier : public QObject
{
    Q_OBJECT

public:
    explicit DesktopNotifier(QObject *parent = nullptr);

    // Replaces the notification of the same key (the same alert) instead of stacking them.
    void notify(const QString &key, const QString &summary, const QString &body, bool critical);
    void withdraw(const QString &key);

    bool available() const;
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    // The service answered (its notification id) or failed (the reason), for tests and the log.
    void delivered(const QString &key, uint id);
    void failed(const QString &key, const QString &reason);

private:
    void close(uint id);

    QHash<QString, uint> m_ids; // key → the service's notification id, for replaces_id and CloseNotification
    QSet<QString> m_pending;    // sent, no answer yet
    QSet<QString> m_withdrawn;  // withdrawn before the service answered: closed as soon as it does
    QString m_lastError;
    bool m_warned = false;
};

} // namespace Raize::Ui
