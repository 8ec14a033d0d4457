// console_core links only Qt6::Core, Qt6::Network, nlohmann_json,
// Qt6Keychain and libcrypto (STYLE.md §1, ADR 0010). QtKeychain talks to the
// Secret Service over D-Bus and names Qt6::DBus in its link interface; the
// ci build's linker drops it from the probe, the sanitizer build's keeps it
// (seen on 2026-12-06). Either way it is QtKeychain's, not a GUI. The configure step
// already refuses a Widgets dependency on a core library; this checks the
// linked result against an allow-list of shared libraries.

#include <QProcess>
#include <QRegularExpression>
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
        // Everything it needs is on the allow-list.
        static const QRegularExpression needed(QStringLiteral(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])"));
        static const QRegularExpression allowed(QStringLiteral(
            R"(^(libQt6Core|libQt6Network|libQt6DBus|libqt6keychain|libcrypto|libstdc\+\+|libm|libgcc_s|libc|libasan|libubsan|ld-linux[-a-z0-9_]*)\.so)"));
        QStringList libs;
        for (auto it = needed.globalMatch(out); it.hasNext();) {
            const QString lib = it.next().captured(1);
            libs << lib;
            QVERIFY2(allowed.match(lib).hasMatch(), qPrintable(QStringLiteral("console_core links %1, which is not allowed").arg(lib)));
        }
        QVERIFY2(libs.join(u' ').contains(QStringLiteral("libcrypto.so")), "the audit chain's SHA-256 comes from libcrypto");
    }
};

QTEST_GUILESS_MAIN(TestCoreLinks)
#include "tst_core_links.moc"
