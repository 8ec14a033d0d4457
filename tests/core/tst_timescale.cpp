// The timeline's time→pixel mapping (issue #7, part 1).

#include "release/timescale.h"

#include <QDateTime>
#include <QTest>

using namespace Qt::StringLiterals;
using Raize::Timeline::TimeScale;

namespace {
constexpr qint64 Minute = 60'000, Hour = 60 * Minute, Day = 24 * Hour;
const qint64 T0 = QDateTime(QDate(2026, 11, 25), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch();
} // namespace

class TestTimeScale : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapsBothWays()
    {
        const TimeScale s{T0, 1000.0}; // one second per pixel
        QCOMPARE(s.toX(T0), 0.0);
        QCOMPARE(s.toX(T0 + Minute), 60.0);
        QCOMPARE(s.toX(T0 - Minute), -60.0);
        QCOMPARE(s.toTime(60.0), T0 + Minute);
        QCOMPARE(s.endMs(800), T0 + 800 * 1000);
        QCOMPARE(s.spanMs(800), qint64(800'000));
        for (qint64 t : {T0, T0 + 1234567, T0 - 98765})
            QVERIFY(std::abs(s.toTime(s.toX(t)) - t) <= 1);
    }

    void fit_data()
    {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::addColumn<int>("width");
        QTest::addColumn<double>("msPerPixel");
        QTest::newRow("a day over 960 px") << T0 << T0 + Day << 960 << double(Day) / 960;
        QTest::newRow("10 seconds clamps to the minute zoom") << T0 << T0 + 10'000 << 1000 << TimeScale::MinMsPerPixel;
        QTest::newRow("ten years clamps to the month zoom") << T0 << T0 + 3650 * Day << 800 << TimeScale::MaxMsPerPixel;
        QTest::newRow("empty range") << T0 << T0 << 500 << TimeScale::MinMsPerPixel;
        QTest::newRow("zero width") << T0 << T0 + Hour << 0 << double(Hour);
    }

    void fit()
    {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        QFETCH(int, width);
        QFETCH(double, msPerPixel);
        const TimeScale s = TimeScale::fit(from, to, width);
        QCOMPARE(s.msPerPixel, msPerPixel);
        // Centred on the range.
        const double mid = s.toX(from + (to - from) / 2);
        QVERIFY2(std::abs(mid - std::max(1, width) / 2.0) <= 1.0, qPrintable(QString::number(mid)));
    }

    void zoomKeepsTheTimeUnderTheMouse_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("factor");
        QTest::newRow("in at the left edge") << 0.0 << 2.0;
        QTest::newRow("in at 300 px") << 300.0 << 1.25;
        QTest::newRow("out at 799 px") << 799.0 << 0.5;
        QTest::newRow("in a lot") << 400.0 << 1000.0; // clamped: the anchor still holds
    }

    void zoomKeepsTheTimeUnderTheMouse()
    {
        QFETCH(double, x);
        QFETCH(double, factor);
        const TimeScale s{T0, 30'000.0};
        const TimeScale z = s.zoomedAt(x, factor);
        QVERIFY(std::abs(z.toTime(x) - s.toTime(x)) <= qint64(z.msPerPixel) + 1);
        QVERIFY(z.msPerPixel >= TimeScale::MinMsPerPixel && z.msPerPixel <= TimeScale::MaxMsPerPixel);
        if (factor < 1000)
            QCOMPARE(z.msPerPixel, s.msPerPixel / factor);
        else
            QCOMPARE(z.msPerPixel, TimeScale::MinMsPerPixel);
    }

    void zoomLimits()
    {
        TimeScale s{T0, 60'000.0};
        for (int i = 0; i < 100; ++i)
            s = s.zoomedAt(100, 2.0);
        QCOMPARE(s.msPerPixel, TimeScale::MinMsPerPixel); // minutes: 1 minute is 240 px
        QCOMPARE(s.toX(s.toTime(100) + Minute) - 100, 240.0);
        for (int i = 0; i < 100; ++i)
            s = s.zoomedAt(100, 0.5);
        QCOMPARE(s.msPerPixel, TimeScale::MaxMsPerPixel); // months: a year is 800 px
        QCOMPARE(s.zoomedAt(10, 0.0), s);                 // nonsense factors change nothing
        QCOMPARE(s.zoomedAt(10, -2.0), s);
        QCOMPARE(s.zoomedAt(10, std::numeric_limits<double>::infinity()), s);
    }

    void pan()
    {
        const TimeScale s{T0, 1000.0};
        QCOMPARE(s.panned(100).startMs, T0 - 100'000); // dragging right shows earlier time
        QCOMPARE(s.panned(-50).startMs, T0 + 50'000);
        QCOMPARE(s.panned(100).panned(-100), s);
        QCOMPARE(s.panned(0), s);
        QCOMPARE(s.panned(100).msPerPixel, s.msPerPixel);
    }

    void ticks_data()
    {
        QTest::addColumn<double>("msPerPixel");
        QTest::addColumn<qint64>("step");
        QTest::addColumn<QString>("firstLabel");
        QTest::newRow("minutes") << TimeScale::MinMsPerPixel << Minute << u"12:01"_s;
        QTest::newRow("5 minutes") << 2000.0 << 5 * Minute << u"12:05"_s;
        QTest::newRow("hours") << 40'000.0 << Hour << u"13:00"_s;
        QTest::newRow("days") << double(Day) / 100 << Day << u"26 Nov"_s;
        QTest::newRow("weeks start on Monday") << double(Day) / 20 << 7 * Day << u"30 Nov"_s;
        QTest::newRow("months follow the calendar") << double(Day) / 4 << 28 * Day << u"Dec 2026"_s;
        QTest::newRow("quarters at the month zoom") << TimeScale::MaxMsPerPixel << 3 * 28 * Day << u"Jan 2027"_s;
    }

    void ticks()
    {
        QFETCH(double, msPerPixel);
        QFETCH(qint64, step);
        QFETCH(QString, firstLabel);
        const TimeScale s{T0 + 1, msPerPixel}; // just after 12:00: the first tick is the next whole step
        QCOMPARE(s.tickStepMs(), step);
        const auto ticks = s.ticks(4000);
        QVERIFY(!ticks.isEmpty());
        QCOMPARE(ticks.first().label, firstLabel);
        for (qsizetype i = 0; i < ticks.size(); ++i) {
            QVERIFY(ticks[i].timeMs >= s.startMs && ticks[i].timeMs <= s.endMs(4000));
            QCOMPARE(ticks[i].x, s.toX(ticks[i].timeMs));
            if (i > 0)
                QVERIFY2(ticks[i].x - ticks[i - 1].x >= 90 - 1e-9, qPrintable(ticks[i].label)); // labels never overlap
        }
    }
};

QTEST_GUILESS_MAIN(TestTimeScale)
#include "tst_timescale.moc"
