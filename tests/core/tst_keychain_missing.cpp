// No D-Bus session bus at all (ctest points DBUS_SESSION_BUS_ADDRESS at a
// socket that does not exist): the store must say so plainly, keep the token
// for this run only, and never write it to disk.

#include "core/tokenstore.h"

#include <QDirIterator>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using Raize::Service;
using Raize::TokenStore;

class TestKeychainMissing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fallsBackToMemoryOnly()
    {
        const QString token = u"no-keyring-token-%1"_s.arg(QCoreApplication::applicationPid());
        TokenStore store(u"default"_s, u"raize-console-test"_s);
        QSignalSpy unavailable(&store, &TokenStore::keychainUnavailable);

        const Raize::Status written = store.writeSync(Service::GitHub, token);
        QVERIFY2(written.ok(), qPrintable(written.error().toString()));
        QVERIFY(store.usingSessionFallback());
        QCOMPARE(unavailable.count(), 1);
        const QString reason = store.fallbackReason();
        QVERIFY2(reason.contains(u"No keyring is available"_s), qPrintable(reason));
        QVERIFY2(reason.contains(u"gnome-keyring"_s), qPrintable(reason));
        QVERIFY2(reason.contains(u"never written to disk"_s), qPrintable(reason));

        QCOMPARE(store.readSync(Service::GitHub).value(), token);
        // Another service was never entered: a clear error, not an empty token.
        const auto other = store.readSync(Service::Vercel);
        QVERIFY(!other.ok());
        QVERIFY(other.error().remedy.contains(u"Settings"_s));

        // A new store (a new run) has nothing: the token was memory-only.
        TokenStore nextRun(u"default"_s, u"raize-console-test"_s);
        QVERIFY(!nextRun.readSync(Service::GitHub).ok());

        // And no file anywhere under HOME holds it.
        const QString home = qEnvironmentVariable("HOME");
        QVERIFY(!home.isEmpty());
        QDirIterator it(home, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly))
                QVERIFY2(!f.readAll().contains(token.toUtf8()), qPrintable(f.fileName()));
        }
    }
};

QTEST_GUILESS_MAIN(TestKeychainMissing)
#include "tst_keychain_missing.moc"
