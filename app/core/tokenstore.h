#pragma once

#include "core/result.h"
#include "core/settings.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace Raize {

// Tokens live only in the system keychain (QtKeychain: Secret Service,
// KWallet, ...). When no keychain is reachable the store says so and keeps a
// token in memory for this run only; it never writes a token to disk.
// Every token it reads or is given is registered with the Redactor.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    // keychainService separates real profiles from the sandbox's and from tests.
    explicit TokenStore(QString profile, QString keychainService = QStringLiteral("raize-console"),
                        QObject *parent = nullptr);

    using Callback = std::function<void(const Result<QString> &)>;
    using StatusCallback = std::function<void(const Status &)>;

    void read(Service service, Callback done);
    void write(Service service, const QString &token, StatusCallback done);
    void remove(Service service, StatusCallback done);

    // Blocking variants for the CLI and tests: they spin a local event loop.
    Result<QString> readSync(Service service);
    Status writeSync(Service service, const QString &token);
    Status removeSync(Service service);

    // True after the keychain was found missing; tokens are then session-only.
    bool usingSessionFallback() const { return m_sessionOnly; }
    QString fallbackReason() const { return m_fallbackReason; }

    QString keyFor(Service service) const;

Q_SIGNALS:
    void keychainUnavailable(const QString &reason);

private:
    void fallBack(const QString &reason);
    static Error keychainError(int code, const QString &detail, const QString &what);

    QString m_profile;
    QString m_keychainService;
    bool m_sessionOnly = false;
    QString m_fallbackReason;
    QHash<Service, QString> m_session;
};

} // namespace Raize
