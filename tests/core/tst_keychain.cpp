// Runs inside a private D-Bus session with a fresh gnome-keyring
// (tests/with-keyring.sh): a real Secret Service, never the developer's own.

#include "core/redactor.h"
#include "core/tokenstore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using Raize::Service;
using Raize::TokenStore;

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"), "run through tests/with-keyring.sh");
    }

    void storeReadDelete()
    {
        TokenStore store(u"default"_s, u"raize-console-test"_s);
        QSignalSpy unavailable(&store, &TokenStore::keychainUnavailable);
        const QString token = u"vercel-test-token-%1"_s.arg(QCoreApplication::applicationPid());

        QVERIFY2(store.writeSync(Service::Vercel, token).ok(), "write");
        QVERIFY2(!store.usingSessionFallback(), qPrintable(store.fallbackReason()));
        QCOMPARE(unavailable.count(), 0);

        const auto read = store.readSync(Service::Vercel);
        QVERIFY2(read.ok(), qPrintable(read.error().toString()));
        QCOMPARE(read.value(), token);
        // Anything read from the keychain is masked in logs from then on.
        QVERIFY(!Raize::Redactor::redact(u"x "_s + token).contains(token));

        QVERIFY(store.removeSync(Service::Vercel).ok());
        const auto gone = store.readSync(Service::Vercel);
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().kind, Raize::Error::Kind::Config);
        QVERIFY(gone.error().remedy.contains(u"token set vercel"_s));
        // Deleting what is not there is fine.
        QVERIFY(store.removeSync(Service::Vercel).ok());
    }

    void profilesAndServicesAreSeparate()
    {
        TokenStore prod(u"default"_s, u"raize-console-test"_s);
        TokenStore sandbox(u"sandbox"_s, u"raize-console-test"_s);
        TokenStore otherApp(u"default"_s, u"raize-console-test-other"_s);
        QVERIFY(prod.writeSync(Service::GitHub, u"ghp_prodprodprodprodprod"_s).ok());
        QVERIFY(!sandbox.readSync(Service::GitHub).ok());
        QVERIFY(!otherApp.readSync(Service::GitHub).ok());
        QVERIFY(sandbox.writeSync(Service::GitHub, u"ghp_sandboxsandboxsandbox"_s).ok());
        QCOMPARE(prod.readSync(Service::GitHub).value(), u"ghp_prodprodprodprodprod"_s);
        QCOMPARE(sandbox.readSync(Service::GitHub).value(), u"ghp_sandboxsandboxsandbox"_s);
        QVERIFY(prod.removeSync(Service::GitHub).ok());
        QVERIFY(sandbox.removeSync(Service::GitHub).ok());
    }

    void overwrite()
    {
        TokenStore store(u"default"_s, u"raize-console-test"_s);
        QVERIFY(store.writeSync(Service::Flags, u"first-token-aaaa"_s).ok());
        QVERIFY(store.writeSync(Service::Flags, u"second-token-bbbb"_s).ok());
        QCOMPARE(store.readSync(Service::Flags).value(), u"second-token-bbbb"_s);
        QVERIFY(store.removeSync(Service::Flags).ok());
    }

    void asyncCallbackOrder()
    {
        TokenStore store(u"default"_s, u"raize-console-test"_s);
        bool written = false;
        store.write(Service::Prometheus, u"prom-token-123456"_s, [&](const Raize::Status &s) { written = s.ok(); });
        QTRY_VERIFY(written);
        QString got;
        store.read(Service::Prometheus, [&](const Raize::Result<QString> &r) { got = r ? r.value() : QString(); });
        QTRY_COMPARE(got, u"prom-token-123456"_s);
        QVERIFY(store.removeSync(Service::Prometheus).ok());
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
