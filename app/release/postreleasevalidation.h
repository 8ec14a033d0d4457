#pragma once

// Post-release validation (playbook §6.3, issue #19 item 4): after a production promotion, the
// SLOs the policy names are watched over the level's window, and the journal entry says what
// shipped, what was observed and the anomalies. The decisions are pure; the run is a state file
// so that the console or `raize-console validate` resumes it after the console was closed.

#include "core/result.h"
#include "records/journal.h"
#include "slo/counterseries.h"
#include "slo/slospec.h"

#include <QDateTime>
#include <QHash>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace Raize::Release {

struct ValidationCheck
{
    QString id, title;
    QString verdict; // "pass", "fail", "not-enough-data"
    double objective = 0;
    double events = 0, bad = 0;   // summed over the cohorts
    double worstRatio = 0;        // the highest bad ratio of a cohort with enough data
    QString worstCohort;
    QStringList failingCohorts;   // "house 2.10 % bad of 412"
    QStringList cohortsWithoutData;

    QString line() const; // "publish_success (Publish success): pass — 0.10 % bad of 1 204 events, objective 99.50 %"
};

struct ValidationReport
{
    qint64 fromMs = 0, toMs = 0;
    QList<ValidationCheck> checks;
    bool passed() const;          // every check passes
    QStringList observed() const; // one line per check
    QStringList anomalies() const; // failing checks and checks without enough data
};

// Each check over [fromMs, toMs]: a cohort fails when its bad ratio exceeds the SLO's error
// budget (1 − objective) with at least minEvents events in the window; the check fails when a
// cohort fails, passes when some cohort had enough data and none failed, and has not enough data
// otherwise (never read as a pass). A check naming no SLO of `slos` is "not-enough-data" and says so.
ValidationReport evaluateValidation(const QList<Slo::SloSpec> &slos, const QStringList &checks,
                                    const QHash<QString, QHash<QString, Slo::CounterSeries>> &byCohort, qint64 fromMs, qint64 toMs);

// One validation, as stored in <state dir>/<id>.json.
struct ValidationRun
{
    enum class Phase { Watching, Observed, Written };

    QString id;           // the production deployment's id (one validation per deployment)
    QString deploymentId, url, sha, tag, level, actor, project;
    QStringList shipped;  // what shipped, in words (the candidate, its pull requests)
    QStringList checks;   // SLO ids
    QDateTime promotedAt; // UTC; the window starts here
    qint64 windowSecs = 0;
    Phase phase = Phase::Watching;
    bool passed = false;
    QStringList observed, anomalies;
    QString journalFile, journalBranch, journalCommitUrl, pullUrl;
    QString lastError; // the last failure to write the entry (resume retries it)

    QDateTime endsAt() const { return promotedAt.addSecs(windowSecs); }
    static QString phaseName(Phase phase); // "watching", "observed", "written"

    nlohmann::json toJson() const;
    // `source` names the file in errors.
    static Result<ValidationRun> fromJson(const nlohmann::json &j, const QString &source);
};

// The journal entry of a run that was observed: what shipped, what was observed, the anomalies;
// its id ("validation/<deployment>") makes a second write of it a no-op.
Records::JournalEntry journalEntryFor(const ValidationRun &run);

// The runs of a profile, one JSON file each, written whole (QSaveFile) so a crash leaves the old
// file or the new one, never half of one.
class ValidationStore
{
public:
    explicit ValidationStore(QString directory);
    static QString defaultDirectory(const QString &profile);

    QString directory() const { return m_dir; }
    QString fileFor(const QString &id) const;
    Status save(const ValidationRun &run) const;
    Result<ValidationRun> load(const QString &id) const;
    // Every run not yet written, oldest promotion first; files that cannot be read are in `errors`.
    QList<ValidationRun> unfinished(QStringList *errors = nullptr) const;
    QList<ValidationRun> all(QStringList *errors = nullptr) const;

private:
    QString m_dir;
};

} // namespace Raize::Release
