// Issue #15, item 4: no ctest entry runs over RAIZE_TEST_TIMEOUT_MAX (180 s).
// raize_add_test refuses a larger TIMEOUT at configure time; this test reads
// what ctest itself will run (`ctest --show-only=json-v1` in the build tree),
// so an entry registered with a bare add_test (ctest's default is 1500 s), or
// a TIMEOUT raised later with set_tests_properties, fails here too. The same
// check runs on hand-made listings first, so a checker that accepts anything
// fails its own rows.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Every entry over the limit, without a TIMEOUT, or whose Qt Test function
// timeout is not below its TIMEOUT (the watchdog must name the hung function
// before ctest kills the process). `scale`: the sanitizer presets' factor.
QStringList problems(const QJsonObject &listing, int maxSeconds, int scale)
{
    QStringList out;
    for (const QJsonValue &t : listing.value(u"tests"_s).toArray()) {
        const QString name = t[u"name"_s].toString();
        double timeout = -1;
        double functionTimeoutMs = -1;
        for (const QJsonValue &p : t[u"properties"_s].toArray()) {
            if (p[u"name"_s].toString() == u"TIMEOUT"_s)
                timeout = p[u"value"_s].toDouble();
            if (p[u"name"_s].toString() == u"ENVIRONMENT"_s) {
                for (const QJsonValue &e : p[u"value"_s].toArray()) {
                    if (e.toString().startsWith(u"QTEST_FUNCTION_TIMEOUT="_s))
                        functionTimeoutMs = e.toString().section(u'=', 1).toDouble();
                }
            }
        }
        if (timeout <= 0)
            out << u"%1: no TIMEOUT (ctest would allow 1500 s): register it with raize_add_test"_s.arg(name);
        else if (timeout > double(maxSeconds) * scale)
            out << u"%1: TIMEOUT %2 s is over the suite's limit of %3 s (x%4): split it or make it cheaper"_s.arg(name).arg(timeout).arg(maxSeconds).arg(scale);
        if (timeout > 0 && functionTimeoutMs >= timeout * 1000)
            out << u"%1: QTEST_FUNCTION_TIMEOUT %2 ms is not below its TIMEOUT of %3 s"_s.arg(name).arg(functionTimeoutMs).arg(timeout);
    }
    return out;
}

QJsonObject entry(const QString &name, const QJsonArray &properties)
{
    return QJsonObject{{u"name"_s, name}, {u"properties"_s, properties}};
}

QJsonObject ctestProperty(const QString &name, const QJsonValue &value)
{
    return QJsonObject{{u"name"_s, name}, {u"value"_s, value}};
}

} // namespace

class TestSuiteLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checker_data()
    {
        QTest::addColumn<QJsonObject>("test");
        QTest::addColumn<int>("scale");
        QTest::addColumn<QString>("problem"); // empty: none
        const auto env = [](int functionMs) { return ctestProperty(u"ENVIRONMENT"_s, QJsonArray{u"HOME=/x"_s, u"QTEST_FUNCTION_TIMEOUT=%1"_s.arg(functionMs)}); };
        QTest::newRow("at the limit") << entry(u"a"_s, {ctestProperty(u"TIMEOUT"_s, 180), env(162000)}) << 1 << QString();
        QTest::newRow("over the limit") << entry(u"b"_s, {ctestProperty(u"TIMEOUT"_s, 181), env(162000)}) << 1 << u"over the suite's limit"_s;
        QTest::newRow("no TIMEOUT (bare add_test)") << entry(u"c"_s, {}) << 1 << u"no TIMEOUT"_s;
        QTest::newRow("function timeout not below") << entry(u"d"_s, {ctestProperty(u"TIMEOUT"_s, 60), env(60000)}) << 1 << u"not below its TIMEOUT"_s;
        QTest::newRow("sanitizer scale") << entry(u"e"_s, {ctestProperty(u"TIMEOUT"_s, 720), env(648000)}) << 4 << QString();
        QTest::newRow("over the scaled limit") << entry(u"f"_s, {ctestProperty(u"TIMEOUT"_s, 721), env(648000)}) << 4 << u"over the suite's limit"_s;
    }
    void checker()
    {
        QFETCH(QJsonObject, test);
        QFETCH(int, scale);
        QFETCH(QString, problem);
        const QStringList found = problems(QJsonObject{{u"tests"_s, QJsonArray{test}}}, 180, scale);
        if (problem.isEmpty())
            QVERIFY2(found.isEmpty(), qPrintable(found.join(u'\n')));
        else
            QVERIFY2(found.size() == 1 && found.first().contains(problem), qPrintable(found.join(u'\n')));
    }

    // The suite as ctest will run it, this build's.
    void everyEntryWithinTheLimit()
    {
        const int maxSeconds = qEnvironmentVariableIntValue("RAIZE_TEST_TIMEOUT_MAX");
        QVERIFY2(maxSeconds > 0, "RAIZE_TEST_TIMEOUT_MAX is not set (tests/core/foundation.cmake sets it)");
        const int scale = qMax(1, qEnvironmentVariableIntValue("RAIZE_TEST_TIME_SCALE"));
        QProcess ctest;
        ctest.setWorkingDirectory(QStringLiteral(RAIZE_BINARY_DIR));
        ctest.start(u"ctest"_s, {u"--show-only=json-v1"_s});
        QVERIFY2(ctest.waitForFinished(60000), qPrintable(ctest.errorString()));
        QVERIFY2(ctest.exitCode() == 0, ctest.readAllStandardError().constData());
        QJsonParseError error;
        const QJsonObject listing = QJsonDocument::fromJson(ctest.readAllStandardOutput(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonArray tests = listing.value(u"tests"_s).toArray();
        QStringList names;
        for (const QJsonValue &t : tests)
            names << t[u"name"_s].toString();
        // Not vacuous: the listing is the whole suite, this entry and the rollback crash entries with it.
        QVERIFY2(tests.size() > 50 && names.contains(u"test_suite_limits"_s) && names.contains(u"test_rollback_crash_checks"_s),
                 qPrintable(names.join(u", "_s)));
        const QStringList found = problems(listing, maxSeconds, scale);
        QVERIFY2(found.isEmpty(), qPrintable(found.join(u'\n')));
        qInfo("%lld ctest entries, each TIMEOUT at most %d s", qlonglong(tests.size()), maxSeconds * scale);
    }
};

QTEST_GUILESS_MAIN(TestSuiteLimits)
#include "tst_suite_limits.moc"
