// Release notes from evidence (playbook §9.2, §11.2; issue #19 item 5): every section from the
// promoted release's facts, "none" only where a source said none and "unknown" where it could not
// be read; the client version shows the policy's sections only and never a flag name.

#include "policy/policybundle.h"
#include "records/evidencenotes.h"
#include "records/recordspolicy.h"
#include "release/cohorts.h"
#include "release/releaseevidence.h"
#include "release/rollout.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using Records::EvidenceNotes;
using Records::EvidencePart;
using Records::NotesAudience;

namespace {

const QStringList kFlags = {u"publishing.scheduler-v2"_s, u"publishing.house-accounts"_s};

// A promoted L3 release as the review saw it: changelog entries that name their flags, a migration,
// a runbook and an alert rule among the changed files, two gates, one open incident.
EvidenceSources sources()
{
    EvidenceSources s;
    CandidateDeployment d;
    d.id = u"dpl_cand"_s;
    d.sha = u"4f9c2e1d0b7a99"_s;
    s.facts.deployment = Known<CandidateDeployment>::of(d);
    s.facts.productionDeploymentId = u"dpl_prev"_s;
    s.facts.productionSha = u"1a2b3c4d5e6f77"_s;
    s.facts.changelogOrigin.section = u"[1.4.0]"_s;
    s.facts.changelog = Known<QList<ChangelogFact>>::of({{u"Scheduler v2 behind `publishing.scheduler-v2`"_s, {}, 12},
                                                        {u"House accounts through publishing.house-accounts"_s, {}, 18}});
    s.facts.changedFiles = Known<QStringList>::of({u"db/migrations/0042_add_schedule.sql"_s, u"docs/runbooks/scheduler.md"_s,
                                                   u"alerts/scheduler.rules.yml"_s});
    MigrationReport m;
    m.files = {{u"db/migrations/0042_add_schedule.sql"_s, u"added"_s, Compatibility::Compatible, u"marker"_s}};
    s.facts.migrationReport = Known<MigrationReport>::of(m);
    s.verdict.scope.level = Level::L3;
    s.verdict.scope.migrations = {u"db/migrations/0042_add_schedule.sql"_s};
    s.verdict.scope.runbooks = {u"docs/runbooks/scheduler.md"_s};
    s.verdict.scope.alertFiles = {u"alerts/scheduler.rules.yml"_s};
    for (const QString &f : kFlags)
        s.verdict.scope.flags << TouchedFlag{f, true, true, u"changelog"_s};
    GateResult checks;
    checks.id = u"status-checks"_s;
    checks.status = GateResult::Status::Pass;
    GateResult budget;
    budget.id = u"error-budget"_s;
    budget.status = GateResult::Status::Unknown;
    s.verdict.results = {checks, budget};
    s.digest = u"9f8e7d6c5b4a3210"_s;
    const Policy::Bundle &b = Policy::builtinBundle();
    s.cohorts = *cohortsFromPolicy(b);
    s.rollout = *rolloutFromPolicy(b, s.cohorts);
    s.openIncidents = QList<OpenIncident>{{431, u"P1: publish failures for house accounts"_s, u"https://github.com/raize/platform/issues/431"_s}};
    return s;
}

Records::RecordsPolicy builtinRecords()
{
    return *Records::recordsPolicyFromBundle(Policy::builtinBundle());
}

} // namespace

class TestEvidenceNotes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every §9.2 section of the operator version names the release's own facts.
    void operatorVersionNamesRealFacts()
    {
        const Records::ReleaseEvidence e = releaseEvidenceFrom(sources());
        const Records::ReleaseNotes n = EvidenceNotes::build(e, builtinRecords(), NotesAudience::Operator);
        QCOMPARE(n.tag, u"v1.4.0"_s);
        QCOMPARE(n.releaseLevel, u"L3"_s);
        for (const QString &fact : {u"Scheduler v2 behind `publishing.scheduler-v2`"_s, u"Flags: publishing.scheduler-v2, publishing.house-accounts"_s,
                                    u"New checks: alerts/scheduler.rules.yml"_s, u"Migrations: db/migrations/0042_add_schedule.sql (added, compatible)"_s,
                                    u"Runbooks updated: docs/runbooks/scheduler.md"_s, u"Gates: status-checks: pass; error-budget: unknown"_s,
                                    u"Flag rollback: turn off publishing.scheduler-v2, publishing.house-accounts"_s,
                                    u"Instant Rollback to dpl_prev at 1a2b3c4d5e6f"_s, u"#431 P1: publish failures for house accounts"_s,
                                    u"digest 9f8e7d6c5b4a"_s})
            QVERIFY2(n.body.contains(fact), qPrintable(fact + u"\n---\n"_s + n.body));
        // The canary plan is the policy's for L3: its stages, where and how long.
        QVERIFY2(n.body.contains(u"- Canary plan: "_s) && n.body.contains(u"watched 120 min"_s), qPrintable(n.body));
        QVERIFY(!n.body.contains(u"unknown ("_s));
    }

    // The client version: the policy's sections only, and no flag name anywhere (also not in a
    // highlight that names one).
    void clientVersionNeverNamesAFlag_data()
    {
        QTest::addColumn<QStringList>("clientSections");
        QTest::newRow("default: highlights and known issues") << QStringList{u"highlights"_s, u"knownIssues"_s};
        QTest::newRow("a tenant that shows everything") << Records::releaseNoteSections();
    }
    void clientVersionNeverNamesAFlag()
    {
        QFETCH(QStringList, clientSections);
        Records::RecordsPolicy policy = builtinRecords();
        policy.clientSections = clientSections;
        const Records::ReleaseEvidence e = releaseEvidenceFrom(sources());
        const Records::ReleaseNotes n = EvidenceNotes::build(e, policy, NotesAudience::Client);
        for (const QString &flag : kFlags) {
            QVERIFY2(!n.body.contains(flag), qPrintable(flag + u" leaks:\n"_s + n.body));
            QVERIFY2(!n.title.contains(flag), qPrintable(n.title));
        }
        QVERIFY(!n.body.contains(u"publishing."_s));
        QVERIFY(n.body.contains(u"Scheduler v2 behind a feature flag"_s));
        QVERIFY(n.body.contains(u"**Known issues**"_s));
        QCOMPARE(n.body.contains(u"**Rollback plan**"_s), clientSections.contains(u"rollbackPlan"_s));
        QCOMPARE(n.body.contains(u"**Operator impact**"_s), clientSections.contains(u"operatorImpact"_s));
        QVERIFY(!n.body.contains(u"digest"_s));
    }

    // "none" only where the source said none; a source that could not be read says so.
    void noneOnlyWhereTheSourcesSayNone_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no open incident") << u"incidents none"_s << u"- none known (no open incident)"_s;
        QTest::newRow("incidents unreadable") << u"incidents unknown"_s << u"- unknown: github: HTTP 502"_s;
        QTest::newRow("files unreadable") << u"files unknown"_s << u"- New checks: unknown (github: compare failed)"_s;
        QTest::newRow("no flags") << u"no flags"_s << u"- Flag rollback: no flags involved"_s;
        QTest::newRow("level unknown") << u"no level"_s << u"- Canary plan: unknown (the release level is unknown"_s;
        QTest::newRow("production unknown") << u"no production"_s << u"- Deployment rollback: unknown (what production served"_s;
    }
    void noneOnlyWhereTheSourcesSayNone()
    {
        QFETCH(QString, what);
        QFETCH(QString, expected);
        EvidenceSources s = sources();
        if (what == u"incidents none"_s)
            s.openIncidents = QList<OpenIncident>{};
        if (what == u"incidents unknown"_s) {
            s.openIncidents.reset();
            s.incidentsError = u"github: HTTP 502"_s;
        }
        if (what == u"files unknown"_s) {
            s.facts.changedFiles = Known<QStringList>::missing(u"github: compare failed"_s);
            s.facts.migrationReport = Known<MigrationReport>::missing(u"github: compare failed"_s);
        }
        if (what == u"no flags"_s)
            s.verdict.scope.flags.clear();
        if (what == u"no level"_s)
            s.verdict.scope.level.reset();
        if (what == u"no production"_s)
            s.facts.productionDeploymentId.clear();
        const Records::ReleaseNotes n = EvidenceNotes::build(releaseEvidenceFrom(s), builtinRecords(), NotesAudience::Operator);
        QVERIFY2(n.body.contains(expected), qPrintable(expected + u"\n---\n"_s + n.body));
    }

    // Recorded at the promote, read back for notes drafted later (another process, a restart).
    void evidenceRoundTripsThroughItsStore()
    {
        QTemporaryDir dir;
        const Records::EvidenceStore store(dir.path());
        Records::ReleaseEvidence e = releaseEvidenceFrom(sources());
        e.promotedAt = QDateTime(QDate(2026, 12, 6), QTime(14, 0), Qt::UTC);
        QVERIFY(store.save(e).ok());
        const auto back = store.load();
        QVERIFY2(back.ok(), qPrintable(back.error().toString()));
        QCOMPARE(QString::fromStdString(back->toJson().dump()), QString::fromStdString(e.toJson().dump()));
        QCOMPARE(EvidenceNotes::build(*back, builtinRecords(), NotesAudience::Operator).body,
                 EvidenceNotes::build(e, builtinRecords(), NotesAudience::Operator).body);
        const auto missing = store.load(u"dpl_nope"_s);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().remedy.contains(u"--from-promotion"_s), qPrintable(missing.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestEvidenceNotes)
#include "tst_evidence_notes.moc"
