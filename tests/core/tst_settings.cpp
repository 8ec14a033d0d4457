#include "core/settings.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Raize::Service;
using Raize::SettingKey;
using Raize::Settings;

class TestSettings : public QObject
{
    Q_OBJECT

private:
    static void writeFile(const QString &path, const QByteArray &content)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
    }

private Q_SLOTS:
    void everyKeyHasAUniqueNameAndLabel()
    {
        QSet<QString> names;
        for (const Raize::SettingSpec &s : Settings::specs()) {
            QVERIFY2(!names.contains(QString(s.name)), s.name.data());
            names.insert(QString(s.name));
            QVERIFY(!s.label.isEmpty());
            QVERIFY2(!QString(s.name).contains(u"token"_s, Qt::CaseInsensitive), "tokens are not settings");
        }
    }

    void defaults()
    {
        QTemporaryDir dir;
        Settings s(u"default"_s, dir.path());
        QCOMPARE(s.string(SettingKey::VercelBaseUrl), u"https://api.vercel.com"_s);
        QCOMPARE(s.string(SettingKey::GitHubApiUrl), u"https://api.github.com"_s);
        QCOMPARE(s.string(SettingKey::FlagsKind), u"unleash"_s);
        QCOMPARE(s.integer(SettingKey::NetTimeoutMs), 15000);
        QCOMPARE(s.boolean(SettingKey::ProfileIsSandbox), false);
        QCOMPARE(s.lastMigration().steps.size(), 0);
    }

    void roundTripKeepsTypes()
    {
        QTemporaryDir dir;
        {
            Settings s(u"ops"_s, dir.path());
            s.setValue(SettingKey::GitHubOwner, u"raize"_s);
            s.setValue(SettingKey::NetTimeoutMs, 2500);
            s.setValue(SettingKey::ProfileIsSandbox, true);
            QVERIFY(s.sync().ok());
        }
        Settings s(u"ops"_s, dir.path());
        QCOMPARE(s.string(SettingKey::GitHubOwner), u"raize"_s);
        QCOMPARE(s.value(SettingKey::NetTimeoutMs).metaType(), QMetaType::fromType<int>());
        QCOMPARE(s.integer(SettingKey::NetTimeoutMs), 2500);
        QCOMPARE(s.boolean(SettingKey::ProfileIsSandbox), true);
        QCOMPARE(s.storedSchemaVersion(), Settings::SchemaVersion);
        QCOMPARE(QFile(s.filePath()).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
    }

    void profilesAreSeparate()
    {
        QTemporaryDir dir;
        {
            Settings a(u"sandbox"_s, dir.path());
            a.setValue(SettingKey::ProfileIsSandbox, true);
            QVERIFY(a.sync().ok());
        }
        Settings b(u"default"_s, dir.path());
        QCOMPARE(b.boolean(SettingKey::ProfileIsSandbox), false);
    }

    void profileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("default") << u"default"_s << true;
        QTest::newRow("sandbox-2") << u"sandbox-2"_s << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("upper") << u"Prod"_s << false;
        QTest::newRow("path") << u"../etc"_s << false;
        QTest::newRow("slash") << u"a/b"_s << false;
        QTest::newRow("too long") << QString(41, u'a') << false;
    }

    void profileNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(Settings::isValidProfileName(name), valid);
    }

    void migratesSchema1AndTakesTokensOut()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + u"/legacy.ini"_s;
        writeFile(path,
                  "[vercel]\nurl=https://vercel.example\nteam=team_1\nproject=web\ntoken=vercel-plaintext-123\n"
                  "[github]\nurl=https://ghe.example/api/v3\ntoken=ghp_legacylegacylegacylegacy\n"
                  "[unleash]\nurl=https://flags.example\nproject=platform\nenv=production\ntoken=*:*.legacyunleash\n"
                  "[prometheus]\nurl=https://prom.example\n");
        Settings s(u"legacy"_s, dir.path());
        const auto &m = s.lastMigration();
        QCOMPARE(m.fromVersion, 1);
        QCOMPARE(s.string(SettingKey::VercelBaseUrl), u"https://vercel.example"_s);
        QCOMPARE(s.string(SettingKey::VercelTeamId), u"team_1"_s);
        QCOMPARE(s.string(SettingKey::VercelProjectId), u"web"_s);
        QCOMPARE(s.string(SettingKey::GitHubApiUrl), u"https://ghe.example/api/v3"_s);
        QCOMPARE(s.string(SettingKey::FlagsKind), u"unleash"_s);
        QCOMPARE(s.string(SettingKey::FlagsUrl), u"https://flags.example"_s);
        QCOMPARE(s.string(SettingKey::FlagsProject), u"platform"_s);
        QCOMPARE(s.string(SettingKey::PrometheusUrl), u"https://prom.example"_s);
        QCOMPARE(m.legacyTokens.size(), 3);
        QCOMPARE(m.legacyTokens[0].first, Service::Vercel);
        QCOMPARE(m.legacyTokens[0].second, u"vercel-plaintext-123"_s);

        // The file on disk no longer holds any token or old key.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray onDisk = f.readAll();
        QVERIFY2(!onDisk.contains("plaintext"), onDisk.constData());
        QVERIFY(!onDisk.contains("ghp_legacy"));
        QVERIFY(!onDisk.contains("legacyunleash"));
        QVERIFY(!onDisk.contains("token"));
        QVERIFY(onDisk.contains("version=2"));

        // A second open has nothing left to migrate.
        Settings again(u"legacy"_s, dir.path());
        QCOMPARE(again.lastMigration().steps.size(), 0);
        QCOMPARE(again.string(SettingKey::VercelBaseUrl), u"https://vercel.example"_s);
    }

    void migrationKeepsNewerValue()
    {
        QTemporaryDir dir;
        writeFile(dir.path() + u"/mixed.ini"_s, "[vercel]\nurl=https://old.example\nbaseUrl=https://new.example\n");
        Settings s(u"mixed"_s, dir.path());
        QCOMPARE(s.string(SettingKey::VercelBaseUrl), u"https://new.example"_s);
    }

    void newerSchemaIsReadAsIs()
    {
        QTemporaryDir dir;
        writeFile(dir.path() + u"/future.ini"_s, "[schema]\nversion=9\n[vercel]\nbaseUrl=https://future.example\nurl=keep-me\n");
        Settings s(u"future"_s, dir.path());
        QCOMPARE(s.string(SettingKey::VercelBaseUrl), u"https://future.example"_s);
        QCOMPARE(s.lastMigration().steps.size(), 1);
        QSettings raw(dir.path() + u"/future.ini"_s, QSettings::IniFormat);
        QCOMPARE(raw.value(u"vercel/url"_s).toString(), u"keep-me"_s);
    }

    void unwritableFileIsAnError()
    {
        QTemporaryDir dir;
        // A directory where the file should be: writing fails even as root.
        QVERIFY(QDir(dir.path()).mkdir(u"blocked.ini"_s));
        Settings s(u"blocked"_s, dir.path());
        s.setValue(SettingKey::GitHubOwner, u"x"_s);
        const Raize::Status st = s.sync();
        QVERIFY(!st.ok());
        QCOMPARE(st.error().kind, Raize::Error::Kind::Io);
        QVERIFY(!st.error().remedy.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
