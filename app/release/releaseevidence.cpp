#include "release/releaseevidence.h"

#include "release/gatepolicy.h"
#include "release/migrationcheck.h"

namespace Raize::Release {

using namespace Qt::StringLiterals;
using Records::EvidencePart;

namespace {

template<typename T>
QString whyUnknown(const Known<T> &k, const QString &what)
{
    return k.error.isEmpty() ? what + u" could not be read"_s : k.error;
}

} // namespace

Records::ReleaseEvidence releaseEvidenceFrom(const EvidenceSources &s)
{
    Records::ReleaseEvidence e;
    const ReleaseFacts &f = s.facts;
    const ReleaseScope &scope = s.verdict.scope;
    if (f.deployment.known()) {
        e.deploymentId = f.deployment->id;
        e.sha = f.deployment->sha;
    }
    const QString section = f.changelogOrigin.section;
    if (section.startsWith(u'[') && section != u"[Unreleased]"_s)
        e.version = section.mid(1, section.size() - 2);
    if (scope.level)
        e.level = levelName(*scope.level);
    e.digest = s.digest;

    // Highlights: the release's changelog entries; without a changelog, its pull requests.
    if (f.changelog.known() && !f.changelog->isEmpty()) {
        QStringList h;
        for (const ChangelogFact &c : *f.changelog)
            h << c.title;
        e.highlights = EvidencePart::of(h);
    } else if (f.pulls.known()) {
        QStringList h;
        for (const PullFact &p : *f.pulls)
            h << u"%1 (#%2)"_s.arg(p.title).arg(p.number);
        e.highlights = EvidencePart::of(h);
    } else {
        e.highlights = EvidencePart::unknown(whyUnknown(f.pulls, u"the pull requests"_s));
    }

    for (const TouchedFlag &t : scope.flags) {
        if (!e.flags.contains(t.key))
            e.flags << t.key;
    }

    QStringList gates;
    for (const GateResult &r : s.verdict.results)
        gates << u"%1: %2"_s.arg(r.id, GateResult::statusName(r.status));
    e.gates = s.verdict.results.isEmpty() ? EvidencePart::unknown(u"the candidate was not reviewed"_s) : EvidencePart::of(gates);

    // Files by the policy's path rules; unknown when the changed files could not be read.
    if (f.changedFiles.known()) {
        e.newChecks = EvidencePart::of(scope.alertFiles);
        e.runbooks = EvidencePart::of(scope.runbooks);
    } else {
        e.newChecks = e.runbooks = EvidencePart::unknown(whyUnknown(f.changedFiles, u"the changed files"_s));
    }
    if (f.migrationReport.known()) {
        QStringList m;
        for (const MigrationFile &file : f.migrationReport->files)
            m << u"%1 (%2, %3)"_s.arg(file.path, file.status, compatibilityName(file.compatibility));
        if (!f.migrationReport->listComplete)
            m << u"GitHub may have left files out of the comparison (over 300 files)"_s;
        e.migrations = EvidencePart::of(m);
    } else if (f.changedFiles.known()) {
        e.migrations = EvidencePart::of(scope.migrations);
    } else {
        e.migrations = EvidencePart::unknown(whyUnknown(f.migrationReport, u"the migrations"_s));
    }

    // The canary plan the policy makes for this level and these flags.
    if (e.level.isEmpty()) {
        e.canaryPlan = EvidencePart::unknown(u"the release level is unknown, so is its canary plan"_s);
    } else if (const Result<RolloutPlan> plan = planRelease(s.rollout, s.cohorts, e.level, e.flags); !plan) {
        e.canaryPlan = EvidencePart::unknown(plan.error().message);
    } else {
        QStringList stages;
        for (const PlannedStage &st : plan->stages)
            stages << u"%1 (%2, watched %3 min)"_s.arg(st.stage.name, st.environment).arg(st.observeMinutes);
        e.canaryPlan = EvidencePart::of(stages);
    }

    e.flagRollback = EvidencePart::of(e.flags.isEmpty() ? QStringList() : QStringList{u"turn off "_s + e.flags.join(u", "_s)});
    if (f.productionDeploymentId.isEmpty())
        e.deploymentRollback = EvidencePart::unknown(u"what production served before the promote is not known"_s);
    else
        e.deploymentRollback = EvidencePart::of({u"Instant Rollback to %1%2 (what production served before the promote)"_s.arg(
            f.productionDeploymentId, f.productionSha.isEmpty() ? QString() : u" at "_s + f.productionSha.left(12))});

    if (s.openIncidents) {
        QStringList k;
        for (const OpenIncident &i : *s.openIncidents)
            k << u"#%1 %2%3"_s.arg(i.number).arg(i.title, i.url.isEmpty() ? QString() : u" (%1)"_s.arg(i.url));
        e.knownIssues = EvidencePart::of(k);
    } else {
        e.knownIssues = EvidencePart::unknown(s.incidentsError.isEmpty() ? u"the open incidents could not be read"_s : s.incidentsError);
    }
    return e;
}

} // namespace Raize::Release
