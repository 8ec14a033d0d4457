// Post-release validation's decisions (playbook §6.3, issue #19 item 4): the checks over the
// window, the run's state file, the journal text appended to a file kept elsewhere, and the
// policy's records section. Pure: no network, no clock.

#include "testutil.h"

#include "policy/policybundle.h"
#include "release/postreleasevalidation.h"
#include "records/journal.h"
#include "records/recordspolicy.h"
#include "slo/slospec.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

constexpr qint64 T0 = 1'765'000'000'000; // a minute boundary

Slo::SloSpec spec(const QString &id, double objective, int minEvents)
{
    Slo::SloSpec s;
    s.id = id;
    s.title = id;
    s.objective = objective;
    s.minEvents = minEvents;
    return s;
}

// One sample a minute over `minutes`, `perMinute` events of which `badPerMinute` bad.
Slo::CounterSeries series(int minutes, double perMinute, double badPerMinute)
{
    QList<Slo::CounterSample> out;
    for (int i = 0; i <= minutes; ++i)
        out << Slo::CounterSample{T0 + i * Slo::MinuteMs, (perMinute - badPerMinute) * i, perMinute * i};
    return Slo::CounterSeries(out);
}

} // namespace

class TestPostReleaseValidation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Each row: one SLO (objective 99 %, at least 50 events per cohort) and two cohorts' traffic.
    void checkVerdicts_data()
    {
        QTest::addColumn<double>("houseBad");  // bad per minute of 10 events
        QTest::addColumn<double>("clientsBad");
        QTest::addColumn<int>("minutes");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("worst");
        QTest::newRow("both clean") << 0.0 << 0.0 << 60 << u"pass"_s << u"clients"_s;
        QTest::newRow("exactly on the budget passes") << 0.1 << 0.0 << 60 << u"pass"_s << u"house"_s;
        QTest::newRow("one cohort over the budget fails") << 0.0 << 0.5 << 60 << u"fail"_s << u"clients"_s;
        QTest::newRow("too few events is not a pass") << 5.0 << 5.0 << 4 << u"not-enough-data"_s << QString();
    }
    void checkVerdicts()
    {
        QFETCH(double, houseBad);
        QFETCH(double, clientsBad);
        QFETCH(int, minutes);
        QFETCH(QString, verdict);
        QFETCH(QString, worst);
        const QList<Slo::SloSpec> slos = {spec(u"publish_success"_s, 0.99, 50)};
        QHash<QString, QHash<QString, Slo::CounterSeries>> data;
        data[u"publish_success"_s][u"house"_s] = series(minutes, 10, houseBad);
        data[u"publish_success"_s][u"clients"_s] = series(minutes, 10, clientsBad);
        const ValidationReport r = evaluateValidation(slos, {u"publish_success"_s}, data, T0, T0 + minutes * Slo::MinuteMs);
        QCOMPARE(r.checks.size(), 1);
        QCOMPARE(r.checks[0].verdict, verdict);
        QCOMPARE(r.checks[0].worstCohort, worst);
        QCOMPARE(r.passed(), verdict == u"pass"_s);
        QCOMPARE(r.anomalies().size(), verdict == u"pass"_s ? 0 : 1);
        if (verdict == u"fail"_s)
            QVERIFY2(r.anomalies().first().contains(u"clients 5.00 % bad of 600"_s), qPrintable(r.anomalies().first()));
    }

    // Only the window counts: a burn before the promotion is not this release's.
    void onlyTheWindowCounts()
    {
        QList<Slo::CounterSample> s;
        for (int i = 0; i <= 120; ++i) {
            const double bad = i <= 60 ? 5.0 * i : 300.0; // half the events bad for the first hour, none after
            s << Slo::CounterSample{T0 + i * Slo::MinuteMs, 10.0 * i - bad, 10.0 * i};
        }
        QHash<QString, QHash<QString, Slo::CounterSeries>> data;
        data[u"queue_delay"_s][u"all"_s] = Slo::CounterSeries(s);
        const QList<Slo::SloSpec> slos = {spec(u"queue_delay"_s, 0.99, 10)};
        QCOMPARE(evaluateValidation(slos, {u"queue_delay"_s}, data, T0 + 60 * Slo::MinuteMs, T0 + 120 * Slo::MinuteMs).checks[0].verdict,
                 u"pass"_s);
        QCOMPARE(evaluateValidation(slos, {u"queue_delay"_s}, data, T0, T0 + 120 * Slo::MinuteMs).checks[0].verdict, u"fail"_s);
    }

    void unknownCheckOrMissingSeriesIsNeverAPass()
    {
        const QList<Slo::SloSpec> slos = {spec(u"publish_success"_s, 0.99, 1)};
        const ValidationReport r = evaluateValidation(slos, {u"publish_success"_s, u"nope"_s}, {}, T0, T0 + 60 * Slo::MinuteMs);
        QCOMPARE(r.checks[0].verdict, u"not-enough-data"_s);
        QCOMPARE(r.checks[1].verdict, u"not-enough-data"_s);
        QVERIFY(r.checks[1].line().contains(u"not an SLO of the policy"_s));
        QVERIFY(!r.passed());
        QCOMPARE(r.anomalies().size(), 2);
    }

    void runRoundTripsAndDamagedFilesSayWhatToDo()
    {
        QTemporaryDir dir;
        const ValidationStore store(dir.path());
        ValidationRun run;
        run.id = run.deploymentId = u"dpl_cand"_s;
        run.level = u"L3"_s;
        run.checks = {u"publish_success"_s};
        run.promotedAt = QDateTime::fromMSecsSinceEpoch(T0, Qt::UTC);
        run.windowSecs = 7200;
        run.phase = ValidationRun::Phase::Observed;
        run.observed = {u"publish_success: pass"_s};
        QVERIFY(store.save(run).ok());
        const Result<ValidationRun> back = store.load(u"dpl_cand"_s);
        QVERIFY2(back.ok(), qPrintable(back.error().toString()));
        QCOMPARE(QString::fromStdString(back->toJson().dump()), QString::fromStdString(run.toJson().dump()));
        QCOMPARE(store.unfinished().size(), 1);

        // A half-written file (a crash of something that did not write it whole).
        QFile f(store.fileFor(u"dpl_half"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"schema\": 1, \"id\": \"dpl_half\", \"phase\": \"watch");
        f.close();
        const Result<ValidationRun> half = store.load(u"dpl_half"_s);
        QVERIFY(!half.ok());
        QVERIFY2(half.error().remedy.contains(u"validate start"_s), qPrintable(half.error().toString()));
        QStringList errors;
        QCOMPARE(store.unfinished(&errors).size(), 1);
        QCOMPARE(errors.size(), 1);
    }

    void entrySaysWhatShippedObservedAndAnomalies()
    {
        ValidationRun run;
        run.id = run.deploymentId = u"dpl_cand"_s;
        run.tag = u"v1.4.0"_s;
        run.level = u"L3"_s;
        run.promotedAt = QDateTime(QDate(2026, 12, 6), QTime(23, 30), Qt::UTC);
        run.windowSecs = 7200;
        run.observed = {u"publish_success: pass"_s, u"queue_delay: FAIL"_s};
        run.anomalies = {u"queue_delay: FAIL"_s};
        const Records::JournalEntry e = journalEntryFor(run);
        QCOMPARE(e.time.date(), QDate(2026, 12, 7)); // the window's end, UTC: the next day's file
        QCOMPARE(e.id, u"validation/dpl_cand"_s);
        QVERIFY(e.title.contains(u"v1.4.0"_s) && e.title.contains(u"anomalies"_s));
        QCOMPARE(e.anomalies, run.anomalies);
        const QString text = Records::Journal::render(e);
        QVERIFY(Records::Journal::containsEntry(text, e.id));
        QVERIFY(!Records::Journal::containsEntry(text, u"validation/dpl_other"_s));
    }

    void appendedTextKeepsWhatWasThere_data()
    {
        QTest::addColumn<QString>("existing");
        QTest::newRow("new file") << QString();
        QTest::newRow("ends with a newline") << u"# Journal — 2026-12-06\n\n## 10:00 UTC — earlier\n"_s;
        QTest::newRow("no final newline") << u"# Journal — 2026-12-06\n\nsomeone's note"_s;
    }
    void appendedTextKeepsWhatWasThere()
    {
        QFETCH(QString, existing);
        Records::JournalEntry e;
        e.title = u"Post-release validation"_s;
        e.time = QDateTime(QDate(2026, 12, 6), QTime(12, 0), Qt::UTC);
        e.id = u"validation/x"_s;
        const QString out = Records::Journal::appendedText(existing, e.time.date(), e);
        QVERIFY(out.startsWith(existing));
        if (existing.isEmpty())
            QVERIFY(out.startsWith(u"# Journal — 2026-12-06\n"_s));
        QVERIFY(out.endsWith(Records::Journal::marker(e.id) + u'\n'));
        QCOMPARE(out.count(u"## 12:00 UTC — Post-release validation"_s), 1);
    }

    void recordsPolicyRefusesWhatCannotWork_data()
    {
        QTest::addColumn<QString>("section");
        QTest::addColumn<QString>("path");
        QTest::newRow("journal on main") << u"{\"journal\": {\"branch\": \"main\"}}"_s << u"records.journal.branch"_s;
        QTest::newRow("zero window") << u"{\"validation\": {\"windowMinutes\": {\"L3\": 0}}}"_s << u"records.validation.windowMinutes.L3"_s;
        QTest::newRow("unknown check") << u"{\"validation\": {\"checks\": [\"nope\"]}}"_s << u"records.validation.checks"_s;
        QTest::newRow("unknown client section") << u"{\"releaseNotes\": {\"clientSections\": [\"flags\"]}}"_s
                                                << u"records.releaseNotes.clientSections"_s;
        QTest::newRow("not an object") << u"[]"_s << u"records."_s;
    }
    void recordsPolicyRefusesWhatCannotWork()
    {
        QFETCH(QString, section);
        QFETCH(QString, path);
        Policy::Bundle b = Policy::builtinBundle();
        QVERIFY(Records::recordsPolicyFromBundle(b).ok());
        b.doc["records"] = json::parse(section.toStdString());
        const auto p = Records::recordsPolicyFromBundle(b);
        QVERIFY(!p.ok());
        QVERIFY2(p.error().message.startsWith(path), qPrintable(p.error().message));
    }

    void builtinPolicyWatchesTheFiveChecksForTwoHoursAtL3()
    {
        const auto p = Records::recordsPolicyFromBundle(Policy::builtinBundle());
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QCOMPARE(p->validationChecks, (QStringList{u"publish_success"_s, u"verification_ttv"_s, u"queue_delay"_s,
                                                   u"runner_availability"_s, u"browser_drift"_s}));
        QCOMPARE(p->windowSecsFor(u"L3"_s), 7200);
        QCOMPARE(p->windowSecsFor(u"L1"_s), 1800);
        QCOMPARE(p->windowSecsFor(u"unlabelled"_s), 7200); // the longest: the stricter reading
        QCOMPARE(p->journalBranch, u"raize/journal"_s);
        QCOMPARE(p->clientSections, (QStringList{u"highlights"_s, u"knownIssues"_s}));
    }
};

QTEST_GUILESS_MAIN(TestPostReleaseValidation)
#include "tst_post_release_validation.moc"
