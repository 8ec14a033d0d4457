#include "release/validationsession.h"

#include "core/logging.h"

#include <QPointer>

namespace Raize::Release {

using namespace Qt::StringLiterals;

ValidationSession::ValidationSession(ValidationStore store, const Clock &clock, Records::RecordsPolicy policy, QList<Slo::SloSpec> slos,
                                     ValidationServices services, QObject *parent)
    : QObject(parent)
    , m_store(std::move(store))
    , m_clock(clock)
    , m_policy(std::move(policy))
    , m_slos(std::move(slos))
    , m_services(std::move(services))
{
}

Result<ValidationRun> ValidationSession::saved(const ValidationRun &run)
{
    if (const Status s = m_store.save(run); !s)
        return s.error();
    Q_EMIT changed(run);
    return run;
}

Result<ValidationRun> ValidationSession::start(ValidationRun seed)
{
    if (seed.deploymentId.isEmpty())
        return Error::make(Error::Kind::Config, u"validation"_s, u"a validation needs the production deployment's id"_s,
                           u"name it: raize-console validate start --deployment dpl_..."_s);
    if (seed.id.isEmpty())
        seed.id = seed.deploymentId;
    if (const Result<ValidationRun> existing = m_store.load(seed.id); existing)
        return existing;
    if (!seed.promotedAt.isValid())
        seed.promotedAt = m_clock.nowUtc();
    seed.promotedAt = seed.promotedAt.toUTC();
    if (seed.windowSecs <= 0)
        seed.windowSecs = m_policy.windowSecsFor(seed.level);
    if (seed.checks.isEmpty())
        seed.checks = m_policy.validationChecks;
    seed.journalBranch = m_policy.journalBranch;
    seed.phase = ValidationRun::Phase::Watching;
    qCInfo(lcRecords) << "post-release validation of" << seed.id << "until" << seed.endsAt().toString(Qt::ISODate);
    return saved(seed);
}

void ValidationSession::step(const QString &id, std::function<void(const Result<ValidationRun> &)> done)
{
    const Result<ValidationRun> run = m_store.load(id);
    if (!run)
        return done(run.error());
    switch (run->phase) {
    case ValidationRun::Phase::Written:
        return done(run);
    case ValidationRun::Phase::Observed:
        return write(*run, std::move(done));
    case ValidationRun::Phase::Watching:
        if (m_clock.nowUtc() < run->endsAt())
            return done(run); // still watching: nothing to do yet
        return observe(*run, std::move(done));
    }
}

void ValidationSession::observe(ValidationRun run, std::function<void(const Result<ValidationRun> &)> done)
{
    if (!m_services.readSlos)
        return done(Error::make(Error::Kind::Config, u"validation"_s, u"no SLO source: the profile has no Prometheus URL"_s,
                                u"raize-console settings set prometheus/url ..."_s));
    const qint64 from = run.promotedAt.toMSecsSinceEpoch(), to = run.endsAt().toMSecsSinceEpoch();
    QPointer<ValidationSession> self(this);
    m_services.readSlos(from, to, [self, run, from, to, done](const Result<ValidationServices::SloData> &data) mutable {
        if (!self)
            return;
        if (!data) {
            Error e = data.error();
            e.message = u"reading the SLOs for the validation of %1: "_s.arg(run.id) + e.message;
            Q_EMIT self->failed(run.id, e);
            return done(e);
        }
        const ValidationReport report = evaluateValidation(self->m_slos, run.checks, *data, from, to);
        run.observed = report.observed();
        run.anomalies = report.anomalies();
        run.passed = report.passed();
        run.phase = ValidationRun::Phase::Observed;
        // Saved before the entry is written: a crash from here on resumes with the same observations.
        const Result<ValidationRun> stored = self->saved(run);
        if (!stored)
            return done(stored);
        self->write(*stored, std::move(done));
    });
}

void ValidationSession::write(ValidationRun run, std::function<void(const Result<ValidationRun> &)> done)
{
    if (!m_services.writeJournal)
        return done(Error::make(Error::Kind::Config, u"validation"_s, u"no journal writer: the profile has no GitHub repository"_s,
                                u"raize-console settings set github/owner ... and github/repo ..."_s));
    QPointer<ValidationSession> self(this);
    m_services.writeJournal(journalEntryFor(run), [self, run, done](const Result<JournalWritten> &written) mutable {
        if (!self)
            return;
        if (!written) {
            run.lastError = written.error().toString();
            (void)self->saved(run);
            Q_EMIT self->failed(run.id, written.error());
            return done(written.error());
        }
        run.phase = ValidationRun::Phase::Written;
        run.lastError.clear();
        run.journalFile = written->file;
        run.journalBranch = written->branch;
        if (!written->commitUrl.isEmpty())
            run.journalCommitUrl = written->commitUrl;
        run.pullUrl = written->pullUrl;
        done(self->saved(run));
    });
}

void ValidationSession::stepAll(std::function<void()> done)
{
    QStringList ids;
    for (const ValidationRun &r : m_store.unfinished())
        ids << r.id;
    stepFrom(ids, 0, std::move(done));
}

void ValidationSession::stepFrom(const QStringList &ids, int i, std::function<void()> done)
{
    if (i >= ids.size()) {
        if (done)
            done();
        return;
    }
    QPointer<ValidationSession> self(this);
    step(ids.at(i), [self, ids, i, done](const Result<ValidationRun> &) {
        if (self)
            self->stepFrom(ids, i + 1, done);
    });
}

} // namespace Raize::Release
