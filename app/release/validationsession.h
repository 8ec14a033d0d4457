#pragma once

#include "core/clock.h"
#include "release/postreleasevalidation.h"
#include "records/recordspolicy.h"

#include <QObject>

#include <functional>

namespace Raize::Release {

// Where a validation's entry landed (the platform repository's journal).
struct JournalWritten
{
    QString file, branch, commitUrl, pullUrl;
    bool alreadyThere = false; // the entry was in the file already (nothing written)
};

// What a validation needs from the outside, as plain functions (the console and the CLI bind them
// to the workspace's Prometheus and GitHub; tests to data).
struct ValidationServices
{
    using SloData = QHash<QString, QHash<QString, Slo::CounterSeries>>; // slo id → cohort → series
    // The SLO counters over [fromMs, toMs].
    std::function<void(qint64 fromMs, qint64 toMs, std::function<void(const Result<SloData> &)>)> readSlos;
    // Appends the entry to the platform repository's journal (GitHubJournalPublisher).
    std::function<void(const Records::JournalEntry &, std::function<void(const Result<JournalWritten> &)>)> writeJournal;
};

// The post-release validation of production deployments as a core session (issue #19 item 4):
// start() after a production promotion, step() whenever it is time (the console every minute, the
// CLI in a loop): a run watches until its window ends, is then observed (the SLOs over the whole
// window, saved before anything is written) and its entry written (saved with where it landed).
// Every phase is in the run's state file, so a closed console resumes where it was; the entry's id
// makes a second write a no-op.
class ValidationSession : public QObject
{
    Q_OBJECT

public:
    ValidationSession(ValidationStore store, const Clock &clock, Records::RecordsPolicy policy, QList<Slo::SloSpec> slos,
                      ValidationServices services, QObject *parent = nullptr);

    // A new run for a production deployment: window and checks from the policy for its level.
    // A deployment already under validation keeps its run (returned as it is).
    Result<ValidationRun> start(ValidationRun seed);
    // Moves one run on as far as it can now; `done` gets the run as saved (an error: what failed,
    // the run keeps its phase and says why in lastError).
    void step(const QString &id, std::function<void(const Result<ValidationRun> &)> done);
    // step() for every unfinished run, one after the other.
    void stepAll(std::function<void()> done = {});

    const ValidationStore &store() const { return m_store; }
    const Records::RecordsPolicy &policy() const { return m_policy; }

Q_SIGNALS:
    void changed(const Raize::Release::ValidationRun &run);
    void failed(const QString &id, const Raize::Error &error);

private:
    void observe(ValidationRun run, std::function<void(const Result<ValidationRun> &)> done);
    void write(ValidationRun run, std::function<void(const Result<ValidationRun> &)> done);
    Result<ValidationRun> saved(const ValidationRun &run);
    void stepFrom(const QStringList &ids, int i, std::function<void()> done);

    ValidationStore m_store;
    const Clock &m_clock;
    Records::RecordsPolicy m_policy;
    QList<Slo::SloSpec> m_slos;
    ValidationServices m_services;
};

} // namespace Raize::Release
