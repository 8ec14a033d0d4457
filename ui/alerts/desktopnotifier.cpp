#include "alerts/desktopnotifier.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QHash>
#include <QVariantMap>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

namespace {
const QString Service = u"org.freedesktop.Notifications"_s;
const QString Path = u"/org/freedesktop/Notifications"_s;
const QString Interface = u"org.freedesktop.Notifications"_s;
} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent)
    : QObject(parent)
{
}

bool DesktopNotifier::available() const
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface() && bus.interface()->isServiceRegistered(Service).value();
}

void DesktopNotifier::notify(const QString &key, const QString &summary, const QString &body, bool critical)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        m_lastError = u"no D-Bus session bus"_s;
        if (!m_warned)
            qCWarning(lcUi, "desktop notifications are off: %s (the banner still shows every alert)", qUtf8Printable(m_lastError));
        m_warned = true;
        Q_EMIT failed(key, m_lastError);
        return;
    }
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    QDBusMessage call = QDBusMessage::createMethodCall(Service, Path, Interface, u"Notify"_s);
    QVariantMap hints;
    hints.insert(u"urgency"_s, QVariant::fromValue(uchar(critical ? 2 : 1))); // 2: critical, stays until dismissed
    hints.insert(u"desktop-entry"_s, u"raize-console"_s);
    hints.insert(u"category"_s, u"im.error"_s);
    const QString app = QCoreApplication::applicationName().isEmpty() ? u"raize-console"_s : QCoreApplication::applicationName();
    call << app;
    call << QVariant::fromValue(uint(m_ids.value(key))) << u"dialog-warning"_s << summary << body << QStringList() << hints
         << int(critical ? 0 : -1); // 0: never expires
    // Asynchronous: a slow or absent service never blocks the console.
    m_pending.insert(key);
    m_withdrawn.remove(key);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, key](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        m_pending.remove(key);
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            m_withdrawn.remove(key);
            m_lastError = reply.error().message().isEmpty() ? reply.error().name() : reply.error().message();
            if (!m_warned)
                qCWarning(lcUi, "desktop notification not shown: %s (the banner still shows every alert)", qUtf8Printable(m_lastError));
            m_warned = true;
            Q_EMIT failed(key, m_lastError);
            return;
        }
        Q_EMIT delivered(key, reply.value());
        if (m_withdrawn.remove(key)) {
            close(reply.value()); // the alert cleared while the service was still answering
            return;
        }
        m_ids.insert(key, reply.value());
    });
}

void DesktopNotifier::withdraw(const QString &key)
{
    if (m_pending.contains(key)) {
        m_withdrawn.insert(key);
        return;
    }
    close(m_ids.take(key));
}

void DesktopNotifier::close(uint id)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (id == 0 || !bus.isConnected())
        return;
    QDBusMessage call = QDBusMessage::createMethodCall(Service, Path, Interface, u"CloseNotification"_s);
    call << id;
    bus.asyncCall(call, 5000);
}

} // namespace Raize::Ui
