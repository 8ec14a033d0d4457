// console_core links only Qt6::Core, Qt6::Network, nlohmann_json and
// Qt6Keychain (STYLE.md §1). The configure step already refuses a Widgets
// dependency on a core library; this checks the linked result.

#include <QProcess>
#include <QTest>

class TestCoreLinks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noWidgetsNoGui()
    {
        const QString probe = qEnvironmentVariable("RAIZE_CORE_PROBE");
        QVERIFY2(!probe.isEmpty(), "RAIZE_CORE_PROBE is not set");
        QProcess readelf;
        readelf.start(QStringLiteral("readelf"), {QStringLiteral("-d"), probe});
        QVERIFY(readelf.waitForFinished(30000));
        QCOMPARE(readelf.exitCode(), 0);
        const QString out = QString::fromLocal8Bit(readelf.readAllStandardOutput());
        QVERIFY2(out.contains(QStringLiteral("libQt6Core.so")), "the probe should link QtCore");
        for (const char *forbidden : {"libQt6Widgets", "libQt6Gui", "libQt6Charts", "libQt6OpenGL"})
            QVERIFY2(!out.contains(QLatin1StringView(forbidden)), forbidden);
    }
};

QTEST_GUILESS_MAIN(TestCoreLinks)
#include "tst_core_links.moc"
