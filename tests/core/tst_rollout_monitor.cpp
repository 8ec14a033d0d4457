// The rollout monitor (issue #14, item 2) without a sandbox: SLO counter
// series fed directly, time on a ManualClock. One row per rule: burn over and
// under each burn rule of the policy, not enough data, the observation
// window, a missing confirmation, stale/old/unread flags, the last stage;
// page onset and clear; and auto-pacing on an in-memory flag service that
// advances a stage after the observation window only when the clock has
// moved past it, and disarms on a page.

#include "core/clock.h"
#include "core/writeguard.h"
#include "fakes/memoryflagservice.h"
#include "policy/policybundle.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "release/rolloutmonitor.h"

#include <QSignalSpy>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString Flag = u"publishing.scheduler-v2"_s;
const QString Friction = u"no enforcement friction (platform rate limits, checkpoints, restrictions)"_s;
constexpr qint64 Span = 3 * Slo::DayMs + 7 * Slo::HourMs; // what the console reads: every rule's long window

RolloutMonitorPolicy policy(bool autoPacing = false)
{
    Policy::Bundle b = Policy::builtinBundle();
    b.doc["canary"]["autoPacing"] = autoPacing;
    const auto cohorts = cohortsFromPolicy(b);
    const auto p = rolloutMonitorPolicy(b, *cohorts);
    return *p;
}

// Cumulative counters on the minute up to endMs: `perMinute` events a minute,
// a share `badBase` of them bad, `badBurst` in `burstMinutes` that ended `endedAgo` minutes before endMs.
QList<Slo::CounterSample> samples(qint64 endMs, double perMinute, double badBase, double badBurst = 0, int burstMinutes = 0,
                                  int endedAgo = 0)
{
    QList<Slo::CounterSample> out;
    double good = 0, total = 0;
    const qint64 start = endMs - Span;
    for (qint64 t = start; t <= endMs; t += Slo::MinuteMs) {
        if (t > start) {
            const qint64 burstEnd = endMs - qint64(endedAgo) * Slo::MinuteMs;
            const bool burst = t > burstEnd - qint64(burstMinutes) * Slo::MinuteMs && t <= burstEnd;
            const double bad = perMinute * (burst ? badBurst : badBase);
            total += perMinute;
            good += perMinute - bad;
        }
        out.append({t, good, total});
    }
    return out;
}

struct HouseLoad
{
    double perMinute = 200;
    double badBase = 0.001; // publish success: burn 0.2×
    double badBurst = 0;
    int burstMinutes = 0;
    int burstEndedAgo = 0; // minutes
};

// Every SLO × cohort healthy at 200 events a minute, except publish success on house accounts.
SloSeriesByCohort series(const RolloutMonitorPolicy &p, qint64 endMs, const HouseLoad &house)
{
    SloSeriesByCohort s;
    s.toMs = endMs;
    for (const Slo::SloSpec &spec : p.slos) {
        for (const Cohort &c : p.cohorts) {
            const bool target = spec.id == u"publish_success"_s && c.id == u"house"_s;
            s.byCohort[spec.id][c.id] = Slo::CounterSeries(
                target ? samples(endMs, house.perMinute, house.badBase, house.badBurst, house.burstMinutes, house.burstEndedAgo)
                       : samples(endMs, 200, 0.001));
        }
    }
    return s;
}

Services::FlagState flagOn(const QString &key, const Services::FlagScope &scope)
{
    Services::FlagState f;
    f.key = key;
    f.environment = u"production"_s;
    f.enabled = true;
    Services::FlagStrategy s;
    s.id = u"s1"_s;
    s.scope = scope;
    f.strategies = {s};
    return f;
}

Services::FlagScope houseScope()
{
    Services::FlagScope s;
    s.cohorts = {u"house"_s};
    return s;
}

FlagSnapshot snapshot(const QList<Services::FlagState> &flags, const QDateTime &readAt)
{
    FlagSnapshot snap;
    snap.environment = u"production"_s;
    snap.flags = flags;
    snap.markFresh(readAt);
    return snap;
}

enum class FlagsAre { Fresh, Stale, Old, Unread };

const Slo::AlertVerdict *verdict(const RolloutMonitor &m, const QString &cohort, const QString &slo)
{
    // Into the monitor's own list: a copy (value()) would be detached by the loop and gone on return (found by ASan).
    const auto it = m.verdicts().constFind(cohort);
    if (it == m.verdicts().cend())
        return nullptr;
    for (const Slo::AlertVerdict &v : *it) {
        if (v.sloId == slo)
            return &v;
    }
    return nullptr;
}

} // namespace

Q_DECLARE_METATYPE(FlagsAre)
Q_DECLARE_METATYPE(HouseLoad)

class TestRolloutMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recommendation_data()
    {
        QTest::addColumn<HouseLoad>("load");
        QTest::addColumn<int>("stage");
        QTest::addColumn<int>("observedMinutes");
        QTest::addColumn<bool>("confirmed");
        QTest::addColumn<FlagsAre>("flags");
        QTest::addColumn<int>("seriesAgeMinutes");
        QTest::addColumn<QString>("severity"); // publish success on house accounts
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("headline"); // the start of the headline
        QTest::addColumn<int>("pages");

        const QString expand = u"expand allowed to Production: low-risk clients"_s;
        const QString burns =
            u"blocked because the error budget burns too fast in Production: house accounts: Publish success: "_s;
        // Publish success: objective 99.5 %, so a bad share of 0.072 burns at 14.4×.
        QTest::newRow("healthy: expand") << HouseLoad{} << 1 << 130 << true << FlagsAre::Fresh << 0 << u"none"_s
                                         << u"expand-allowed"_s << expand << 0;
        QTest::newRow("page 14.4× 1h/5m: over")
            << HouseLoad{200, 0.001, 0.10, 70} << 1 << 130 << true << FlagsAre::Fresh << 0 << u"page"_s << u"blocked"_s
            << burns + u"page 14.4× 1h/5m fired — 20.0× over 1h, 20.0× over 5m"_s << 1;
        QTest::newRow("page 14.4× 1h/5m: under (12×)") << HouseLoad{200, 0.001, 0.06, 70} << 1 << 130 << true << FlagsAre::Fresh
                                                       << 0 << u"none"_s << u"expand-allowed"_s << expand << 0;
        QTest::newRow("page 6× 6h/30m: over (8×)")
            << HouseLoad{200, 0.001, 0.04, 420} << 1 << 130 << true << FlagsAre::Fresh << 0 << u"page"_s << u"blocked"_s
            << burns + u"page 6× 6h/30m fired — 8.00× over 6h, 8.00× over 30m"_s << 1;
        QTest::newRow("page 6× 6h/30m: under (5×)") << HouseLoad{200, 0.001, 0.025, 420} << 1 << 130 << true << FlagsAre::Fresh
                                                    << 0 << u"none"_s << u"expand-allowed"_s << expand << 0;
        QTest::newRow("ticket 1× 3d/6h: over (1.4×)")
            << HouseLoad{200, 0.007} << 1 << 130 << true << FlagsAre::Fresh << 0 << u"ticket"_s << u"blocked"_s
            << burns + u"ticket 1× 3d/6h fired — 1.40× over 3d, 1.40× over 6h"_s << 0;
        QTest::newRow("ticket 1× 3d/6h: under (0.8×)") << HouseLoad{200, 0.004} << 1 << 130 << true << FlagsAre::Fresh << 0
                                                       << u"none"_s << u"expand-allowed"_s << expand << 0;
        QTest::newRow("not enough data")
            << HouseLoad{1, 0} << 1 << 130 << true << FlagsAre::Fresh << 0 << u"not-enough-data"_s << u"blocked"_s
            << u"blocked because there is not enough data to call Production: house accounts healthy: "
               u"Publish success: 60 events over 1h, the policy needs 100"_s
            << 0;
        QTest::newRow("observation window: wait") << HouseLoad{} << 1 << 30 << true << FlagsAre::Fresh << 0 << u"none"_s
                                                  << u"wait"_s << u"wait 90 min before Production: low-risk clients"_s << 0;
        QTest::newRow("a burn blocks inside the window") << HouseLoad{200, 0.001, 0.10, 70} << 1 << 30 << true << FlagsAre::Fresh
                                                         << 0 << u"page"_s << u"blocked"_s << burns << 1;
        QTest::newRow("missing confirmation")
            << HouseLoad{} << 1 << 130 << false << FlagsAre::Fresh << 0 << u"none"_s << u"blocked"_s
            << u"blocked because the operator has not confirmed: "_s + Friction << 0;
        QTest::newRow("stale flags (poller failing)")
            << HouseLoad{} << 1 << 130 << true << FlagsAre::Stale << 0 << u"none"_s << u"blocked"_s
            << u"blocked because the flag read-back is stale since "_s << 0;
        QTest::newRow("old flags (2 min)") << HouseLoad{} << 1 << 130 << true << FlagsAre::Old << 0 << u"none"_s << u"blocked"_s
                                           << u"blocked because the flag read-back is 120 s old"_s << 0;
        QTest::newRow("flags never read") << HouseLoad{} << 1 << 130 << true << FlagsAre::Unread << 0 << u"none"_s << u"blocked"_s
                                          << u"blocked because the flags have not been read from the flag service yet"_s << 0;
        QTest::newRow("stale flags do not hide a wait")
            << HouseLoad{} << 1 << 30 << true << FlagsAre::Stale << 0 << u"none"_s << u"wait"_s << u"wait 90 min"_s << 0;
        QTest::newRow("SLO data 10 min old") << HouseLoad{} << 1 << 130 << true << FlagsAre::Fresh << 10 << u"not-enough-data"_s
                                             << u"blocked"_s << u"blocked because there is not enough data"_s << 0;
        QTest::newRow("last stage") << HouseLoad{} << 3 << 130 << true << FlagsAre::Fresh << 0 << u"none"_s << u"blocked"_s
                                    << u"blocked because Production: broad rollout is the last stage"_s << 0;
    }

    void recommendation()
    {
        QFETCH(HouseLoad, load);
        QFETCH(int, stage);
        QFETCH(int, observedMinutes);
        QFETCH(bool, confirmed);
        QFETCH(FlagsAre, flags);
        QFETCH(int, seriesAgeMinutes);
        QFETCH(QString, severity);
        QFETCH(QString, kind);
        QFETCH(QString, headline);
        QFETCH(int, pages);

        ManualClock clock;
        RolloutMonitor m(clock);
        const RolloutMonitorPolicy p = policy();
        m.setPolicy(p);
        m.setStage(stage, clock.nowMs() - qint64(observedMinutes) * Slo::MinuteMs);
        if (confirmed && stage < p.rollout.stages.size())
            m.setConfirmed({p.rollout.stages[stage].confirmations.begin(), p.rollout.stages[stage].confirmations.end()});
        m.setSeries(series(p, clock.nowMs() - qint64(seriesAgeMinutes) * Slo::MinuteMs, load));
        const QList<Services::FlagState> states{flagOn(Flag, houseScope())};
        switch (flags) {
        case FlagsAre::Fresh:
            m.setFlags(snapshot(states, clock.nowUtc()));
            break;
        case FlagsAre::Old:
            m.setFlags(snapshot(states, clock.nowUtc().addSecs(-120)));
            break;
        case FlagsAre::Stale: {
            FlagSnapshot snap = snapshot(states, clock.nowUtc().addSecs(-30));
            snap.markFailed(Error::make(Error::Kind::Http, u"unleash"_s, u"HTTP 503"_s), clock.nowUtc().addSecs(-20));
            m.setFlags(snap);
            break;
        }
        case FlagsAre::Unread:
            break;
        }

        const Slo::AlertVerdict *v = verdict(m, u"house"_s, u"publish_success"_s);
        QVERIFY(v);
        QCOMPARE(Slo::severityName(v->severity), severity);
        // The other cohorts stay healthy: the verdicts are per cohort.
        QCOMPARE(Slo::severityName(verdict(m, u"lowrisk"_s, u"publish_success"_s)->severity),
                 seriesAgeMinutes ? u"not-enough-data"_s : u"none"_s);
        QCOMPARE(m.verdicts().value(u"broad"_s).size(), p.slos.size());
        QCOMPARE(Recommendation::kindName(m.recommendation().kind), kind);
        QVERIFY2(m.recommendation().headline.startsWith(headline), qPrintable(m.recommendation().headline));
        QCOMPARE(m.pages().size(), pages);
        QCOMPARE(m.staleFlags().isEmpty(), flags == FlagsAre::Fresh);
        if (kind == u"expand-allowed"_s)
            QCOMPARE(m.recommendation().nextStage, stage + 1);
    }

    void pageOnsetAndClear()
    {
        ManualClock clock;
        RolloutMonitor m(clock);
        const RolloutMonitorPolicy p = policy();
        m.setPolicy(p);
        m.setStage(1, clock.nowMs() - 30 * Slo::MinuteMs);
        QSignalSpy raised(&m, &RolloutMonitor::pageRaised);
        QSignalSpy cleared(&m, &RolloutMonitor::pageCleared);
        m.setFlags(snapshot({flagOn(Flag, houseScope())}, clock.nowUtc()));
        m.setSeries(series(p, clock.nowMs(), {200, 0.001, 0.10, 70}));
        QCOMPARE(raised.size(), 1);
        const qint64 onset = clock.nowMs();
        QCOMPARE(m.pages().first().sinceMs, onset);
        QCOMPARE(m.pages().first().alert.cohort.id, u"house"_s);
        QCOMPARE(m.pages().first().alert.flags, QStringList{Flag});
        QVERIFY2(m.pages().first().alert.evidence.first().startsWith(u"Publish success: page 14.4× 1h/5m fired"_s),
                 qPrintable(m.pages().first().alert.evidence.first()));

        // Still burning five minutes later: the same page, with its first onset.
        clock.advanceMs(5 * Slo::MinuteMs);
        m.setSeries(series(p, clock.nowMs(), {200, 0.001, 0.10, 75}));
        QCOMPARE(raised.size(), 1);
        QCOMPARE(m.pages().first().sinceMs, onset);

        // The burn stopped 10 minutes ago: the 5-minute window is clean, the page clears.
        clock.advanceMs(10 * Slo::MinuteMs);
        m.setSeries(series(p, clock.nowMs(), {200, 0.001, 0.10, 75, 10}));
        QCOMPARE(cleared.size(), 1);
        QCOMPARE(cleared.first().first().toString(), u"house"_s);
        QVERIFY(m.pages().isEmpty());
        QCOMPARE(raised.size(), 1);
        // The 1-hour window alone (16.7×) fires no rule: back to waiting for the observation window.
        QCOMPARE(Slo::severityName(verdict(m, u"house"_s, u"publish_success"_s)->severity), u"none"_s);
        QCOMPARE(Recommendation::kindName(m.recommendation().kind), u"wait"_s);
    }

    void noPageWithoutCanaryFlags()
    {
        ManualClock clock;
        RolloutMonitor m(clock);
        const RolloutMonitorPolicy p = policy();
        m.setPolicy(p);
        QSignalSpy raised(&m, &RolloutMonitor::pageRaised);
        Services::FlagState off = flagOn(Flag, houseScope());
        off.enabled = false;
        m.setFlags(snapshot({off}, clock.nowUtc()));
        m.setSeries(series(p, clock.nowMs(), {200, 0.001, 0.10, 70}));
        QCOMPARE(Slo::severityName(verdict(m, u"house"_s, u"publish_success"_s)->severity), u"page"_s);
        QVERIFY(m.pages().isEmpty());
        QCOMPARE(raised.size(), 0);
    }

    void statusJsonAndDigest()
    {
        ManualClock clock;
        RolloutMonitor m(clock);
        const RolloutMonitorPolicy p = policy();
        m.setPolicy(p);
        m.setStage(1, clock.nowMs() - 130 * Slo::MinuteMs);
        m.setConfirmed({Friction});
        m.setFlags(snapshot({flagOn(Flag, houseScope())}, clock.nowUtc()));
        m.setSeries(series(p, clock.nowMs(), {}));
        const json j = m.toJson();
        QVERIFY(j["recommendation"]["kind"] == "expand-allowed");
        QCOMPARE(j["verdicts"].size(), std::size_t(p.slos.size() * p.cohorts.size()));
        QVERIFY(j["stage"]["id"] == "house" && j["nextStage"]["id"] == "lowrisk");
        QVERIFY(j["releaseFlags"] == json::array({Flag.toStdString()}));
        QCOMPARE(j["changes"].size(), std::size_t(1));
        QVERIFY2(j["changes"][0]["summary"] ==
                     "publishing.scheduler-v2 in production: ON for cohorts house → ON for cohorts house, lowrisk",
                 j["changes"][0]["summary"].dump().c_str());
        QVERIFY(j["flags"]["stale"].is_null());
        QVERIFY(j["pages"].empty());
        const QString digest = m.advanceDigest();
        QCOMPARE(QString::fromStdString(j["digest"].get<std::string>()), digest);
        QCOMPARE(digest.size(), 64);

        // Same plan later: same digest. The flag's scope changed under it: another digest.
        clock.advanceMs(Slo::MinuteMs);
        m.setFlags(snapshot({flagOn(Flag, houseScope())}, clock.nowUtc()));
        QCOMPARE(m.advanceDigest(), digest);
        Services::FlagScope wider = houseScope();
        wider.cohorts << u"lowrisk"_s;
        m.setFlags(snapshot({flagOn(Flag, wider)}, clock.nowUtc()));
        QVERIFY(m.advanceDigest() != digest);
        m.setFlags(snapshot({flagOn(Flag, houseScope())}, clock.nowUtc()));
        m.setLevel(u"L2"_s);
        QVERIFY(m.advanceDigest() != digest);
    }

    void overrideIsOffUnlessTheBundleAllowsIt()
    {
        QVERIFY(!policy().advanceOverrideAllowed);
        Policy::Bundle b = Policy::builtinBundle();
        b.doc["overrides"]["rolloutAdvance"] = "allowed";
        const auto cohorts = cohortsFromPolicy(b);
        QVERIFY(rolloutMonitorPolicy(b, *cohorts)->advanceOverrideAllowed);
        b.doc["overrides"]["rolloutAdvance"] = "sometimes";
        const auto bad = rolloutMonitorPolicy(b, *cohorts);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.contains(u"overrides.rolloutAdvance"_s) ||
                     bad.error().fieldPath.contains(u"overrides.rolloutAdvance"_s),
                 qPrintable(bad.error().toString()));
    }

    // Auto-pacing on an in-memory flag service, on the test's clock.
    void autoPacingAdvancesAfterTheWindow()
    {
        Pacing f;
        QVERIFY2(f.monitor.arm(u"ada"_s).ok(), qPrintable(f.monitor.autoPacingStatus()));
        QCOMPARE(f.audit.actions(), QStringList{u"autopacing.armed"_s});
        QCOMPARE(Recommendation::kindName(f.monitor.recommendation().kind), u"wait"_s);

        // One minute short of the L3 window: nothing is sent.
        f.moveTo(119);
        QCOMPARE(Recommendation::kindName(f.monitor.recommendation().kind), u"wait"_s);
        QCOMPARE(f.monitor.recommendation().headline, u"wait 1 min before Production: low-risk clients"_s);
        QTest::qWait(20);
        QVERIFY(f.service.calls.isEmpty());

        // Past it: exactly the next stage, through the runner, audited, read back.
        QSignalSpy moved(&f.monitor, &RolloutMonitor::stageChanged);
        f.moveTo(121);
        QTRY_COMPARE(f.monitor.stage(), 2);
        QCOMPARE(f.monitor.stageSinceMs(), f.clock.nowMs()); // the new window starts on the monitor's clock
        QCOMPARE(moved.size(), 1);
        QCOMPARE(f.service.calls.size(), 1);
        QVERIFY2(f.service.calls.first().startsWith(u"setScope publishing.scheduler-v2 production "_s),
                 qPrintable(f.service.calls.first()));
        QCOMPARE(f.audit.actions(),
                 (QStringList{u"autopacing.armed"_s, u"autopacing.expand"_s, u"flag.toggle.requested"_s,
                              u"flag.toggle.confirmed"_s, u"autopacing.stage-confirmed"_s}));
        QVERIFY(f.monitor.pacer()->armed());
        // The new stage waits for its own window and the operator's confirmation.
        QCOMPARE(Recommendation::kindName(f.monitor.recommendation().kind), u"wait"_s);
        f.moveTo(121 + 125);
        QVERIFY2(f.monitor.recommendation().headline.startsWith(u"blocked because the operator has not confirmed"_s),
                 qPrintable(f.monitor.recommendation().headline));
        QTest::qWait(20);
        QCOMPARE(f.service.calls.size(), 1);
    }

    void autoPacingDisarmsOnAPage()
    {
        Pacing f;
        QVERIFY(f.monitor.arm(u"ada"_s).ok());
        f.moveTo(121, {200, 0.001, 0.10, 70});
        QVERIFY(!f.monitor.pacer()->armed());
        QCOMPARE(f.audit.actions().last(), u"autopacing.stopped"_s);
        QVERIFY2(f.audit.records.last().reason.startsWith(u"page-level burn alert: House accounts"_s),
                 qPrintable(f.audit.records.last().reason));
        QTest::qWait(20);
        QVERIFY(f.service.calls.isEmpty());
        QCOMPARE(f.monitor.stage(), 1);
    }

    void autoPacingRefusedWhenOffOrStale()
    {
        ManualClock clock;
        RolloutMonitor off(clock);
        off.setPolicy(policy(false));
        QVERIFY(!off.arm(u"ada"_s).ok());

        Pacing f;
        FlagSnapshot snap = f.poller.snapshot();
        snap.markFailed(Error::make(Error::Kind::Http, u"unleash"_s, u"HTTP 503"_s), f.clock.nowUtc());
        f.monitor.setFlags(snap);
        const Status s = f.monitor.arm(u"ada"_s);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(u"stale"_s), qPrintable(s.error().message));
        QVERIFY(f.audit.records.isEmpty());
    }

    void autoPacingStopsOnAPolicyChange()
    {
        Pacing f;
        QVERIFY(f.monitor.arm(u"ada"_s).ok());
        f.monitor.setPolicy(policy(false));
        QVERIFY(!f.monitor.pacer()->armed());
        QCOMPARE(f.audit.records.last().reason, u"the policy no longer allows auto-pacing (canary.autoPacing is off)"_s);
    }

    // Read-only until armed (ADR 0028): arming auto-pacing asks the profile's guard, and an armed auto-pacing
    // stops at its next step once the guard refuses (the profile's window ended): nothing is sent, it must be armed again.
    void autoPacingNeedsTheProfileArmed()
    {
        struct Guard final : WriteGuard
        {
            bool armed = false;
            QStringList asked;
            Status mayChange(const QString &action) override
            {
                asked << action;
                return armed ? okStatus() : Status(Error::make(Error::Kind::Refused, u"console"_s, u"read-only until armed: %1"_s.arg(action)));
            }
        } guard;
        Pacing f;
        f.monitor.setWriteGuard(&guard);
        const Status refused = f.monitor.arm(u"ada"_s);
        QVERIFY(!refused);
        QCOMPARE(refused.error().message, u"read-only until armed: arming auto-pacing"_s);
        QVERIFY(f.audit.records.isEmpty());

        guard.armed = true;
        QVERIFY2(f.monitor.arm(u"ada"_s).ok(), qPrintable(f.monitor.autoPacingStatus()));
        f.moveTo(60);
        QVERIFY(f.monitor.pacer()->armed());

        guard.armed = false; // the window ended
        f.moveTo(121);       // past the L3 window: it would expand now
        QVERIFY(!f.monitor.pacer()->armed());
        QCOMPARE(f.audit.actions(), (QStringList{u"autopacing.armed"_s, u"autopacing.stopped"_s}));
        QVERIFY2(f.audit.records.last().reason.contains(u"must be armed again"_s), qPrintable(f.audit.records.last().reason));
        QTest::qWait(20);
        QVERIFY(f.service.calls.isEmpty());
        QCOMPARE(f.monitor.stage(), 1);
    }

private:
    struct Pacing
    {
        ManualClock clock{QDateTime::currentDateTimeUtc()};
        RaizeTest::MemoryFlagService service;
        RaizeTest::MemoryAudit audit;
        FlagPoller poller{service, u"production"_s, 60000};
        FlagChangeRunner runner;
        RolloutMonitor monitor{clock};
        RolloutMonitorPolicy p = policy(true);
        qint64 start = clock.nowMs();

        Pacing()
        {
            service.flags = {flagOn(Flag, houseScope())};
            runner.setService(&service, &poller, &audit);
            monitor.setPolicy(p);
            monitor.setChangePath(&runner, &audit);
            // The poller stamps the wall clock; on the test's clock a read-back is "now".
            QObject::connect(&poller, &FlagPoller::updated, &monitor, [this] {
                FlagSnapshot snap = poller.snapshot();
                snap.fetchedAt = clock.nowUtc();
                monitor.setFlags(snap);
            });
            QSignalSpy first(&poller, &FlagPoller::updated);
            poller.refresh();
            first.wait(2000);
            monitor.setStage(1, start);
            monitor.setConfirmed({Friction});
            monitor.setSeries(series(p, clock.nowMs(), {}));
        }
        // The clock `minutes` after the stage started, with fresh SLO data and flags read then.
        void moveTo(int minutes, const HouseLoad &house = {})
        {
            clock.set(QDateTime::fromMSecsSinceEpoch(start + qint64(minutes) * Slo::MinuteMs, Qt::UTC));
            FlagSnapshot snap = poller.snapshot();
            snap.fetchedAt = clock.nowUtc();
            monitor.setFlags(snap);
            monitor.setSeries(series(p, clock.nowMs(), house));
        }
    };
};

QTEST_GUILESS_MAIN(TestRolloutMonitor)
#include "tst_rollout_monitor.moc"
