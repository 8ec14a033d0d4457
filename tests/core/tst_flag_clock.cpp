// Time enters the flag path's decisions through Clock (issue #14, item 6):
// "no read-back within 30 s" (FlagChangeRunner) and the pollers' fresh/stale
// times are the injected clock's, so these tests move a ManualClock instead
// of waiting 30 s of wall time.

#include "core/clock.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"

#include "fakes/memoryflagservice.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

const QString Flag = u"publishing.scheduler-v2"_s;

Services::FlagState offFlag()
{
    Services::FlagState f;
    f.key = Flag;
    f.environment = u"production"_s;
    f.enabled = false;
    f.type = u"release"_s;
    return f;
}

Release::ToggleChange turnOn()
{
    Release::ToggleChange c;
    c.flag = Flag;
    c.environment = u"production"_s;
    c.enabledBefore = false;
    c.enabledAfter = true;
    c.summary = u"publishing.scheduler-v2 in production: off → ON"_s;
    return c;
}

struct Rig
{
    ManualClock clock;
    RaizeTest::MemoryFlagService service;
    RaizeTest::MemoryAudit audit;
    Release::FlagPoller poller{service, u"production"_s, 60000};
    Release::FlagChangeRunner runner;

    Rig()
    {
        service.flags = {offFlag()};
        service.visible = {offFlag()};
        poller.setClock(clock);
        runner.setClock(clock);
        runner.setService(&service, &poller, &audit);
    }

    // Starts the change and returns once the service has accepted it (no wall-clock deadline involved).
    bool startAndSend()
    {
        if (!runner.start(turnOn(), u"alice"_s, u"test"_s))
            return false;
        // Once accepted, the runner asks the poller for a read-back: that round is the sign.
        return QTest::qWaitFor([this] { return poller.rounds() > 0; }, 5000)
               && service.calls == QStringList{u"setEnabled %1 production on"_s.arg(Flag)};
    }
};

} // namespace

class TestFlagClock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unconfirmedAfterTheTimeoutOnTheClock_data()
    {
        QTest::addColumn<qint64>("advanceMs");
        QTest::addColumn<bool>("unconfirmed");
        QTest::newRow("no time passed") << qint64(0) << false;
        QTest::newRow("29.999 s") << qint64(29'999) << false;
        QTest::newRow("exactly 30 s") << qint64(30'000) << false;
        QTest::newRow("30.001 s") << qint64(30'001) << true;
        QTest::newRow("an hour") << qint64(3'600'000) << true;
    }

    void unconfirmedAfterTheTimeoutOnTheClock()
    {
        QFETCH(qint64, advanceMs);
        QFETCH(bool, unconfirmed);
        Rig rig;
        rig.service.hideWrites = true; // accepted, but no read-back ever shows it
        QSignalSpy finished(&rig.runner, &Release::FlagChangeRunner::finished);
        QVERIFY(rig.startAndSend());
        QVERIFY(rig.runner.pending(Flag));
        rig.clock.advanceMs(advanceMs);
        rig.runner.checkReadBacks();
        QCOMPARE(rig.runner.pending(Flag), !unconfirmed);
        if (!unconfirmed) {
            QCOMPARE(finished.count(), 0);
            QCOMPARE(rig.audit.actions(), QStringList{u"flag.toggle.requested"_s});
            return;
        }
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(1).toString(), u"flag.toggle.unconfirmed"_s);
        QVERIFY2(finished.first().at(2).toString().contains(u"no read-back has shown it for 30 s; check the flag before acting again"_s),
                 qPrintable(finished.first().at(2).toString()));
        QCOMPARE(rig.audit.actions(), (QStringList{u"flag.toggle.requested"_s, u"flag.toggle.unconfirmed"_s}));
    }

    void confirmedByReadBackWithoutTimePassing()
    {
        Rig rig;
        QSignalSpy finished(&rig.runner, &Release::FlagChangeRunner::finished);
        QVERIFY(rig.startAndSend());
        QTRY_COMPARE(finished.count(), 1); // the read-back the runner asks for right after sending
        QCOMPARE(finished.first().at(1).toString(), u"flag.toggle.confirmed"_s);
        // A late deadline check finds nothing left to end.
        rig.clock.advanceMs(60'000);
        rig.runner.checkReadBacks();
        QCOMPARE(finished.count(), 1);
    }

    void pollerTimesComeFromTheClock()
    {
        Rig rig;
        const QDateTime t0 = rig.clock.nowUtc();
        QSignalSpy updated(&rig.poller, &Release::FlagPoller::updated);
        rig.poller.refresh();
        QVERIFY(updated.wait(5000));
        QCOMPARE(rig.poller.snapshot().fetchedAt, t0);
        QVERIFY(!rig.poller.snapshot().stale);

        // Down: stale since the first failure, by the clock; later failures keep that time.
        rig.service.failReads = true;
        rig.clock.advanceMs(90'000);
        rig.poller.refresh();
        QVERIFY(updated.wait(5000));
        QVERIFY(rig.poller.snapshot().stale);
        QCOMPARE(rig.poller.snapshot().staleSince, t0.addMSecs(90'000));
        QCOMPARE(rig.poller.snapshot().fetchedAt, t0); // the last good data keeps its own time
        rig.clock.advanceMs(60'000);
        rig.poller.refresh();
        QVERIFY(updated.wait(5000));
        QCOMPARE(rig.poller.snapshot().staleSince, t0.addMSecs(90'000));
        QCOMPARE(rig.poller.snapshot().lastError.message, u"connection refused"_s);

        // Back: current again, at the clock's time.
        rig.service.failReads = false;
        rig.clock.advanceMs(5'000);
        rig.poller.refresh();
        QVERIFY(updated.wait(5000));
        QVERIFY(!rig.poller.snapshot().stale);
        QCOMPARE(rig.poller.snapshot().fetchedAt, t0.addMSecs(155'000));
        QVERIFY(!rig.poller.snapshot().staleSince.isValid());
    }
};

QTEST_GUILESS_MAIN(TestFlagClock)
#include "tst_flag_clock.moc"
