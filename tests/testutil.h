#pragma once

// Shared helpers for the Qt Test suites (Hotspot's testutils).

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace RaizeTest {

// Tests run offscreen even when started by hand outside ctest.
inline void useOffscreenPlatform()
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
}

inline QString sourceDir() { return QStringLiteral(RAIZE_SOURCE_DIR); }
inline QString binaryDir() { return QStringLiteral(RAIZE_BINARY_DIR); }
inline QString dataDir() { return QStringLiteral(RAIZE_TEST_DATA_DIR); }

// How much slower than the normal suite this build runs (sanitizer presets set
// RAIZE_TEST_TIMEOUT_SCALE; tests/CMakeLists.txt): deadlines a test gives a
// child process are multiplied by it.
inline int timeScale()
{
    return qMax(1, qEnvironmentVariableIntValue("RAIZE_TEST_TIME_SCALE"));
}

// The console executable under test (set by ctest; falls back to the build tree).
inline QString consoleBinary()
{
    const QByteArray env = qgetenv("RAIZE_CONSOLE_BIN");
    return env.isEmpty() ? binaryDir() + QStringLiteral("/app/raize-console") : QString::fromLocal8Bit(env);
}

// The headless console with the crash seam (tests/crashtest/): what the crash
// tests kill on purpose. Never the shipped binary, which has no such seam.
inline QString crashTestBinary()
{
    const QByteArray env = qgetenv("RAIZE_CRASHTEST_BIN");
    return env.isEmpty() ? binaryDir() + QStringLiteral("/app/raize-console-crashtest") : QString::fromLocal8Bit(env);
}

} // namespace RaizeTest

// QTEST_MAIN that forces the offscreen platform first.
#define RAIZE_GUI_TEST_MAIN(TestClass)                                                             \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        RaizeTest::useOffscreenPlatform();                                                         \
        QApplication app(argc, argv);                                                              \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                   \
        TestClass tc;                                                                              \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
