// The .deb, the desktop entry and the AppStream metainfo pass Debian's own
// validators, and lintian reports no errors.

#include "testutil.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestPackaging : public QObject
{
    Q_OBJECT

    struct Run
    {
        int code = -1;
        QString out;
    };

    static Run run(const QString &program, const QStringList &args, const QString &workDir = {}, int timeoutMs = 240000)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        if (!workDir.isEmpty())
            p.setWorkingDirectory(workDir);
        p.start(program, args);
        if (!p.waitForStarted(10000))
            return {-1, u"could not start "_s + program};
        p.waitForFinished(timeoutMs);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromLocal8Bit(p.readAll())};
    }

    QTemporaryDir m_out;
    QString m_deb;

private Q_SLOTS:
    void desktopFileValidates()
    {
        const Run r = run(u"desktop-file-validate"_s, {RaizeTest::sourceDir() + u"/packaging/raize-console.desktop"_s});
        QVERIFY2(r.code == 0 && r.out.trimmed().isEmpty(), qPrintable(r.out));
    }

    void metainfoValidates()
    {
        const Run r = run(u"appstreamcli"_s, {u"validate"_s, u"--no-net"_s, u"--pedantic"_s,
                                              RaizeTest::sourceDir() + u"/packaging/io.raize.Console.metainfo.xml"_s});
        QVERIFY2(r.code == 0, qPrintable(r.out));
        QVERIFY2(!r.out.contains(u"E: "_s) && !r.out.contains(u"W: "_s), qPrintable(r.out));
    }

    void debBuilds()
    {
        QVERIFY(m_out.isValid());
        const Run r = run(u"cpack"_s, {u"-G"_s, u"DEB"_s, u"-B"_s, m_out.path(),
                                       u"--config"_s, RaizeTest::binaryDir() + u"/CPackConfig.cmake"_s},
                          RaizeTest::binaryDir(), 480000);
        QVERIFY2(r.code == 0, qPrintable(r.out));
        const QStringList debs = QDir(m_out.path()).entryList({u"*.deb"_s});
        QCOMPARE(debs.size(), 1);
        m_deb = m_out.path() + u'/' + debs.first();

        const Run info = run(u"dpkg-deb"_s, {u"-I"_s, m_deb});
        QVERIFY2(info.code == 0, qPrintable(info.out));
        // Dependencies come from dpkg-shlibdeps.
        QVERIFY2(info.out.contains(u"libqt6core6"_s), qPrintable(info.out));
        QVERIFY2(info.out.contains(u"libqt6keychain1"_s), qPrintable(info.out));
        const Run contents = run(u"dpkg-deb"_s, {u"-c"_s, m_deb});
        for (const QString &path : {u"./usr/bin/raize-console"_s, u"./usr/share/applications/raize-console.desktop"_s,
                                    u"./usr/share/metainfo/io.raize.Console.metainfo.xml"_s,
                                    u"./usr/share/icons/hicolor/scalable/apps/raize-console.svg"_s,
                                    u"./usr/share/doc/raize-console/copyright"_s, u"./usr/share/man/man1/raize-console.1.gz"_s})
            QVERIFY2(contents.out.contains(path), qPrintable(path));
    }

    void lintianReportsNoErrors()
    {
        QVERIFY2(!m_deb.isEmpty(), "debBuilds must run first");
        const Run r = run(u"lintian"_s, {u"--fail-on"_s, u"error"_s, m_deb});
        QVERIFY2(r.code == 0, qPrintable(r.out));
        QVERIFY2(!r.out.contains(u"\nE: "_s) && !r.out.startsWith(u"E: "_s), qPrintable(r.out));
    }

    void aptCanInstallIt()
    {
        QVERIFY2(!m_deb.isEmpty(), "debBuilds must run first");
        // --simulate resolves every dependency against this machine's
        // package lists without changing the system.
        const Run r = run(u"apt-get"_s, {u"install"_s, u"--simulate"_s, u"-q"_s, m_deb});
        QVERIFY2(r.code == 0, qPrintable(r.out));
        QVERIFY2(r.out.contains(u"Inst raize-console"_s), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
