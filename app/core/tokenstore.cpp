#include "core/tokenstore.h"

#include "core/logging.h"
#include "core/redactor.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>
#include <QPointer>

namespace Raize {

using namespace Qt::StringLiterals;

namespace {

bool meansNoBackend(QKeychain::Error code, const QString &detail)
{
    if (code == QKeychain::NoBackendAvailable || code == QKeychain::NotImplemented)
        return true;
    // QtKeychain reports a missing D-Bus session or Secret Service as OtherError.
    if (code == QKeychain::OtherError) {
        const QString d = detail.toLower();
        return d.contains(u"dbus"_s) || d.contains(u"d-bus"_s) || d.contains(u"secret"_s)
            || d.contains(u"no such"_s) || d.contains(u"not provided"_s) || d.contains(u"kwallet"_s)
            || d.contains(u"unknown error"_s) || d.contains(u"was not provided"_s);
    }
    return false;
}

const QString noKeyringRemedy = u"start a Secret Service keyring (gnome-keyring or KWallet) in this desktop session "
                                 "and restart the console. Until then a token you enter is kept in memory for "
                                 "this run only and is never written to disk"_s;

template<typename Job>
void prepare(Job *job, const QString &key)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
}

} // namespace

TokenStore::TokenStore(QString profile, QString keychainService, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_keychainService(std::move(keychainService))
{
}

QString TokenStore::keyFor(Service service) const
{
    return m_profile + u'/' + serviceId(service);
}

void TokenStore::fallBack(const QString &reason)
{
    if (m_sessionOnly)
        return;
    m_sessionOnly = true;
    m_fallbackReason = u"No keyring is available (%1): "_s.arg(reason) + noKeyringRemedy + u'.';
    qCWarning(lcKeychain, "%s", qUtf8Printable(m_fallbackReason));
    Q_EMIT keychainUnavailable(m_fallbackReason);
}

Error TokenStore::keychainError(int code, const QString &detail, const QString &what)
{
    Error e = Error::make(Error::Kind::Keychain, u"keychain"_s, what + u": "_s + Redactor::redact(detail));
    e.serviceCode = QString::number(code);
    if (code == QKeychain::AccessDenied || code == QKeychain::AccessDeniedByUser)
        e.remedy = u"unlock the keyring when it asks, or allow raize-console access to it"_s;
    else
        e.remedy = u"check that the keyring is unlocked, then try again"_s;
    return e;
}

void TokenStore::read(Service service, Callback done)
{
    if (m_sessionOnly) {
        const auto it = m_session.constFind(service);
        if (it == m_session.cend())
            done(Error::make(Error::Kind::Config, serviceId(service),
                             u"no %1 token for this run"_s.arg(serviceDisplayName(service)),
                             u"enter it in Settings; "_s + m_fallbackReason));
        else
            done(*it);
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_keychainService);
    prepare(job, keyFor(service));
    QPointer<TokenStore> self(this);
    connect(job, &QKeychain::Job::finished, this, [self, service, done](QKeychain::Job *j) {
        if (!self)
            return;
        auto *rj = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (rj->error() == QKeychain::NoError) {
            const QString token = rj->textData();
            Redactor::registerSecret(token);
            done(token);
        } else if (rj->error() == QKeychain::EntryNotFound) {
            done(Error::make(Error::Kind::Config, serviceId(service),
                             u"no %1 token is stored for profile %2"_s.arg(serviceDisplayName(service), self->m_profile),
                             u"enter the token in Settings, or run: raize-console token set %1 --stdin"_s.arg(serviceId(service))));
        } else if (meansNoBackend(rj->error(), rj->errorString())) {
            self->fallBack(rj->errorString());
            self->read(service, done);
        } else {
            done(keychainError(rj->error(), rj->errorString(), u"reading the %1 token failed"_s.arg(serviceDisplayName(service))));
        }
    });
    job->start();
}

void TokenStore::write(Service service, const QString &token, StatusCallback done)
{
    Redactor::registerSecret(token);
    if (m_sessionOnly) {
        m_session.insert(service, token);
        done(okStatus());
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(m_keychainService);
    prepare(job, keyFor(service));
    job->setTextData(token);
    QPointer<TokenStore> self(this);
    connect(job, &QKeychain::Job::finished, this, [self, service, token, done](QKeychain::Job *j) {
        if (!self)
            return;
        if (j->error() == QKeychain::NoError) {
            done(okStatus());
        } else if (meansNoBackend(j->error(), j->errorString())) {
            self->fallBack(j->errorString());
            self->m_session.insert(service, token);
            done(okStatus());
        } else {
            done(keychainError(j->error(), j->errorString(), u"storing the %1 token failed"_s.arg(serviceDisplayName(service))));
        }
    });
    job->start();
}

void TokenStore::remove(Service service, StatusCallback done)
{
    m_session.remove(service);
    if (m_sessionOnly) {
        done(okStatus());
        return;
    }
    auto *job = new QKeychain::DeletePasswordJob(m_keychainService);
    prepare(job, keyFor(service));
    QPointer<TokenStore> self(this);
    connect(job, &QKeychain::Job::finished, this, [self, service, done](QKeychain::Job *j) {
        if (!self)
            return;
        if (j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound) {
            done(okStatus());
        } else if (meansNoBackend(j->error(), j->errorString())) {
            self->fallBack(j->errorString());
            done(okStatus());
        } else {
            done(keychainError(j->error(), j->errorString(), u"deleting the %1 token failed"_s.arg(serviceDisplayName(service))));
        }
    });
    job->start();
}

Result<QString> TokenStore::readSync(Service service)
{
    QEventLoop loop;
    std::optional<Result<QString>> out;
    read(service, [&](const Result<QString> &r) { out = r; loop.quit(); });
    if (!out)
        loop.exec();
    return *out;
}

Status TokenStore::writeSync(Service service, const QString &token)
{
    QEventLoop loop;
    std::optional<Status> out;
    write(service, token, [&](const Status &s) { out = s; loop.quit(); });
    if (!out)
        loop.exec();
    return *out;
}

Status TokenStore::removeSync(Service service)
{
    QEventLoop loop;
    std::optional<Status> out;
    remove(service, [&](const Status &s) { out = s; loop.quit(); });
    if (!out)
        loop.exec();
    return *out;
}

} // namespace Raize
