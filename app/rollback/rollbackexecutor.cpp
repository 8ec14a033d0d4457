#include "rollback/rollbackexecutor.h"

#include "core/jsonutil.h"
#include "core/logging.h"
#include "net/httpclient.h"
#include "policy/policybundle.h"
#include "records/auditlog.h"
#include "records/journal.h"
#include "release/effectiveconfirmer.h"
#include "release/servingprobe.h"
#include "services/flags/flagservice.h"
#include "services/github/githubclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include <QDateTime>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Rollback {

namespace {

std::string s(const QString &v)
{
    return v.toStdString();
}

// A string member, or empty (also for null: a journal record that is not there).
QString q(const json &j, const char *key)
{
    return Policy::stringField(j, key);
}

QString stepKindId(Step::Kind k)
{
    switch (k) {
    case Step::Kind::DisableFlag: return u"flag.disable"_s;
    case Step::Kind::ConfirmFlagsOff: return u"flags.confirm-off"_s;
    case Step::Kind::InstantRollback: return u"vercel.instant-rollback"_s;
    case Step::Kind::ConfirmProduction: return u"vercel.confirm-production"_s;
    case Step::Kind::PostCheck: return u"rollback.post-check"_s;
    case Step::Kind::OpenIncident: return u"github.incident"_s;
    case Step::Kind::JournalEntry: return u"journal.entry"_s;
    case Step::Kind::MigrationGuide: return u"migration.guide"_s;
    case Step::Kind::OpenPostmortem: return u"github.postmortem"_s;
    case Step::Kind::IncidentMilestone: return u"github.milestone"_s;
    }
    return {};
}

// Records never hold the rollback (§0.3). A milestone comment that fails is reported (its step
// failed, with the reason) and the run goes on; the incident, when it fails, waits for the operator
// only once the rollback's own steps are done (holdDeferredFailure). Everything else stops the run
// at the failed step for a decision (retry, skip, abort).
enum class OnFailure { Hold, Defer, GoOn };
OnFailure onFailure(const Step &st)
{
    switch (st.kind) {
    case Step::Kind::IncidentMilestone: return OnFailure::GoOn;
    case Step::Kind::OpenIncident: return OnFailure::Defer;
    default: return OnFailure::Hold;
    }
}

// "2026-12-06T19:50:01.123Z" → "19:50:01.123 UTC"; the seconds from `from` to `to` ("4.2 s"), both journal times.
QString clockTime(const QString &iso)
{
    const QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC().toString(u"HH:mm:ss.zzz"_s) + u" UTC"_s : iso;
}
QString secondsBetween(const QString &from, const QString &to)
{
    const QDateTime a = QDateTime::fromString(from, Qt::ISODateWithMs), b = QDateTime::fromString(to, Qt::ISODateWithMs);
    if (!a.isValid() || !b.isValid())
        return u"?"_s;
    return u"%1 s"_s.arg(double(a.msecsTo(b)) / 1000.0, 0, 'f', 1);
}

// Which service a step's intent talks to (audit records).
QString intentService(const Intent &intent)
{
    const QString type = intentType(intent);
    return type.startsWith(u"flag."_s) ? u"flags"_s : type.section(u'.', 0, 0);
}

// The run a marker's description names ("raize-rollback run=ID digest=…"); empty for other deployments.
QString markerRun(const QString &description)
{
    static const QString prefix = u"raize-rollback run="_s;
    return description.startsWith(prefix) ? description.mid(prefix.size()).section(u' ', 0, 0) : QString();
}

Error consoleError(Error::Kind kind, const QString &message, const QString &remedy)
{
    return Error::make(kind, u"console"_s, message, remedy);
}

// A global flag off is idempotent: sent again after a power cut, it asks for
// the same thing. Its journal records need no fsync of their own before the
// call and before its answer is shown (ADR 0025): the kill-switch parent's off
// costs one call, not one call and three fsyncs. Scoped edits stay synced:
// Restore undoes exactly what the journal holds.
RunJournal::Durability durabilityOf(const Step &st)
{
    if (st.kind == Step::Kind::DisableFlag) {
        if (const auto *change = st.as<Services::ServeChange>(); change && change->scope.global() && !change->on)
            return RunJournal::Durability::Buffered;
    }
    return RunJournal::Durability::Synced;
}

} // namespace

QString Executor::statusName(StepStatus st)
{
    switch (st) {
    case StepStatus::Pending: return u"pending"_s;
    case StepStatus::Running: return u"running"_s;
    case StepStatus::Done: return u"done"_s;
    case StepStatus::Failed: return u"failed"_s;
    case StepStatus::Skipped: return u"skipped"_s;
    }
    return {};
}

Executor::Executor(RunJournal journal, Plan plan, Clients clients, ExecOptions options, QObject *parent)
    : QObject(parent)
    , m_journal(std::move(journal))
    , m_plan(std::move(plan))
    , m_c(std::move(clients))
    , m_o(std::move(options))
{
    for (const Step &st : m_plan.steps) {
        if (!m_groups.contains(st.group))
            m_groups << st.group;
    }
    std::sort(m_groups.begin(), m_groups.end());
    // What the journal already says (a resumed run).
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        const StepPhase ph = m_journal.phase(i);
        const json last = m_journal.last(i);
        switch (ph) {
        case StepPhase::Done:
            m_status[i] = StepStatus::Done;
            m_detail[i] = q(last, "summary");
            break;
        case StepPhase::Skipped:
            m_status[i] = StepStatus::Skipped;
            m_detail[i] = u"skipped: "_s + q(last, "reason");
            break;
        case StepPhase::Intent:
            m_detail[i] = u"interrupted: re-checked before anything is sent again"_s;
            break;
        case StepPhase::Failed:
            m_detail[i] = u"failed before: "_s + q(last, "error");
            break;
        case StepPhase::Pending:
            break;
        }
    }
    if (const json marker = m_journal.lastOf("marker"); marker.is_object())
        m_markerId = marker.value("deploymentId", qint64(0));
    if (const json inc = m_journal.lastOf("incident"); inc.is_object())
        m_incidentUrl = q(inc, "url");
}

Executor::~Executor()
{
    *m_alive = false;
}

void Executor::start()
{
    if (m_running)
        return;
    m_running = true;
    m_clock.start();
    if (!m_plan.executable()) {
        m_lastError = consoleError(Error::Kind::Refused, u"the plan cannot execute: "_s + m_plan.refusals.join(u"; "_s),
                                   u"Answer what the plan refuses on (target, migration plan) and build it again."_s);
        m_running = false;
        Q_EMIT refused(m_lastError);
        return;
    }
    if (m_markerId > 0) {
        runFrom(m_groups.value(0));
        return;
    }
    claimMarker();
}

// ---- the marker every console sees ----

void Executor::claimMarker()
{
    if (!m_c.github) {
        // Without GitHub nothing else can see the run; say so and go on:
        // stopping the harm comes first.
        m_journal.append({{"event", "marker"}, {"deploymentId", 0}, {"note", "no GitHub client: no marker"}}, RunJournal::Durability::Buffered);
        runFrom(m_groups.value(0));
        return;
    }
    const QString description = u"raize-rollback run=%1 digest=%2"_s.arg(runId(), m_plan.digest.left(12));
    const json pending = m_journal.lastOf("marker-intent");
    auto alive = m_alive;
    const auto create = [this, alive, description] {
        m_journal.append({{"event", "marker-intent"}, {"description", s(description)}});
        m_c.github->createDeployment(
            m_o.markerRef, m_o.markerEnvironment, description,
            [this, alive](const Result<Services::GitHubDeployment> &d) {
                if (!*alive)
                    return;
                if (!d) {
                    m_lastError = d.error();
                    m_running = false;
                    // Not a refusal: the run stays open and `resume` claims the marker again
                    // (looking first for the one this attempt may have created).
                    m_journal.append({{"event", "marker-failed"}, {"error", s(d.error().toString())}});
                    Q_EMIT refused(d.error());
                    return;
                }
                decideMarker(d->id);
            },
            u"rollback"_s, false);
    };
    if (!pending.is_object()) {
        create();
        return;
    }
    // Interrupted while creating the marker: look for it before creating another.
    m_c.github->deployments(m_o.markerEnvironment, {}, [this, alive, description, create](const Result<QList<Services::GitHubDeployment>> &list) {
        if (!*alive)
            return;
        if (list) {
            for (const auto &d : list.value()) {
                if (d.description == description) {
                    decideMarker(d.id);
                    return;
                }
            }
        }
        create();
    });
}

void Executor::decideMarker(qint64 mine)
{
    auto alive = m_alive;
    m_c.github->deployments(m_o.markerEnvironment, {}, [this, alive, mine](const Result<QList<Services::GitHubDeployment>> &list) {
        if (!*alive)
            return;
        if (!list) {
            m_lastError = list.error();
            m_running = false;
            Q_EMIT refused(list.error());
            return;
        }
        // Markers of rollbacks still in flight: no final status yet.
        // Markers of this run (a retried creation may have made two) are all ours; the first is the one.
        const QString ours = u"raize-rollback run=%1 "_s.arg(runId());
        auto candidates = std::make_shared<QList<Services::GitHubDeployment>>();
        qint64 own = mine;
        for (const auto &d : list.value()) {
            if (d.description.startsWith(ours))
                own = qMin(own, d.id);
        }
        for (const auto &d : list.value()) {
            if (d.id < own && !d.description.startsWith(ours))
                *candidates << d;
        }
        const qint64 mineFirst = own;
        // This run's other markers (a creation retried after a timeout, or re-created on resume
        // while the first one was still landing): stood down once the run holds its first, or
        // they would look in flight to every later console forever.
        auto duplicates = std::make_shared<QList<qint64>>();
        for (const auto &d : list.value()) {
            if (d.description.startsWith(ours) && d.id != own)
                *duplicates << d.id;
        }
        if (mine != own && !duplicates->contains(mine))
            *duplicates << mine;
        auto active = std::make_shared<QList<Services::GitHubDeployment>>();
        // Runs with a marker that has a status: their markers without one are
        // duplicates that landed late (see below), not a console in flight.
        auto runsWithStatus = std::make_shared<QSet<QString>>();
        auto noStatus = std::make_shared<QHash<qint64, QString>>(); // marker → its run
        auto left = std::make_shared<int>(int(candidates->size()));
        const auto decide = [this, alive, mine = mineFirst, active, duplicates, runsWithStatus, noStatus] {
            if (!*alive)
                return;
            active->removeIf([&](const Services::GitHubDeployment &d) {
                const QString run = noStatus->value(d.id);
                return !run.isEmpty() && runsWithStatus->contains(run);
            });
            qint64 first = mine;
            QString holder;
            for (const auto &d : *active) {
                if (d.id < first) {
                    first = d.id;
                    holder = d.description;
                }
            }
            if (first != mine && m_o.takeOver) {
                for (const auto &d : *active) {
                    if (d.id < mine)
                        m_c.github->createDeploymentStatus(d.id, u"inactive"_s, u"taken over by run %1"_s.arg(runId()), {},
                                                           [](const Result<Services::GitHubDeploymentStatus> &) {});
                }
                audit(u"rollback.take-over"_s, QString::number(first), u"github"_s, {{"holder", first}, {"mine", mine}});
                m_journal.append({{"event", "take-over"}, {"holder", first}});
                first = mine;
            }
            if (first != mine) {
                const QString why = u"another console is already rolling back (GitHub deployment %1 in %2: %3)"_s.arg(first).arg(
                    m_o.markerEnvironment, holder);
                m_journal.append({{"event", "refused"}, {"error", s(why)}, {"holder", first}});
                m_markerId = mine;
                m_lastError = consoleError(Error::Kind::Conflict, why,
                                           u"Follow that rollback in its console or with `raize-console rollback status`; nothing was executed here. "
                                           u"If that console is known to be dead, run again with --take-over."_s);
                m_running = false;
                audit(u"rollback.stood-down"_s, QString::number(first), u"github"_s, {{"holder", first}, {"mine", mine}});
                for (const qint64 extra : std::as_const(*duplicates))
                    m_c.github->createDeploymentStatus(extra, u"inactive"_s, u"stood down: deployment %1 holds this rollback"_s.arg(first), {},
                                                       [](const Result<Services::GitHubDeploymentStatus> &) {});
                setMarkerStatus(u"inactive"_s, u"stood down: deployment %1 holds this rollback"_s.arg(first), {},
                                [this] { Q_EMIT refused(m_lastError); });
                return;
            }
            m_markerId = mine;
            m_journal.append({{"event", "marker"}, {"deploymentId", mine}});
            audit(u"rollback.start"_s, runId(), u"console"_s,
                  {{"digest", s(m_plan.digest)}, {"priority", s(priorityName(m_plan.priority))}, {"marker", mine}});
            for (const qint64 extra : std::as_const(*duplicates)) {
                m_stoodDown.insert(extra);
                m_c.github->createDeploymentStatus(extra, u"inactive"_s, u"duplicate marker of run %1: deployment %2 holds it"_s.arg(runId()).arg(mine),
                                                   {}, [](const Result<Services::GitHubDeploymentStatus> &) {});
            }
            setMarkerStatus(u"in_progress"_s, u"run %1 executing"_s.arg(runId()));
            runFrom(m_groups.value(0));
        };
        if (candidates->isEmpty())
            return decide();
        for (const auto &d : *candidates) {
            m_c.github->deploymentStatuses(d.id, [alive, d, active, runsWithStatus, noStatus, left, decide](const Result<QList<Services::GitHubDeploymentStatus>> &st) {
                if (!*alive)
                    return;
                // The newest status decides; no status yet means just created: in flight.
                // Unless another marker of the same run has a status: a creation whose
                // first attempt timed out can land after the run's retry, even after the
                // run finished (and its console exited), and stays without a status.
                QString state;
                qint64 newest = -1;
                for (const auto &one : st ? st.value() : QList<Services::GitHubDeploymentStatus>()) {
                    if (one.id > newest) {
                        newest = one.id;
                        state = one.state;
                    }
                }
                const QString run = markerRun(d.description);
                if (st && !state.isEmpty() && !run.isEmpty())
                    runsWithStatus->insert(run);
                if (st && state.isEmpty())
                    noStatus->insert(d.id, run);
                if (!st || state.isEmpty() || state == u"in_progress"_s || state == u"queued"_s || state == u"pending"_s)
                    *active << d;
                if (--*left == 0)
                    decide();
            });
        }
    });
}

void Executor::setMarkerStatus(const QString &state, const QString &description, const QString &logUrl, std::function<void()> then)
{
    if (!m_c.github || m_markerId <= 0) {
        if (then)
            then();
        return;
    }
    auto alive = m_alive;
    m_c.github->createDeploymentStatus(m_markerId, state, description, logUrl,
                                       [alive, then](const Result<Services::GitHubDeploymentStatus> &r) {
                                           if (!r)
                                               qCWarning(lcRollback, "could not update the rollback marker: %s", qUtf8Printable(r.error().toString()));
                                           if (then && *alive)
                                               then();
                                       });
}

// ---- groups and steps ----

void Executor::runFrom(int group)
{
    for (int g : std::as_const(m_groups)) {
        if (g < group)
            continue;
        bool allDone = true;
        for (int i = 0; i < m_plan.steps.size(); ++i) {
            if (m_plan.steps[i].group == g && status(i) != StepStatus::Done && status(i) != StepStatus::Skipped)
                allDone = false;
        }
        if (!allDone) {
            const bool postmortem = std::any_of(m_plan.steps.cbegin(), m_plan.steps.cend(),
                                                [g](const Step &st) { return st.group == g && st.kind == Step::Kind::OpenPostmortem; });
            if (postmortem && holdDeferredFailure(g))
                return;
            runGroup(g);
            return;
        }
    }
    if (holdDeferredFailure(std::numeric_limits<int>::max()))
        return;
    finish();
}

QStringList Executor::recordFailures() const
{
    QStringList out;
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        if (status(i) == StepStatus::Failed && onFailure(m_plan.steps[i]) != OnFailure::Hold)
            out << m_plan.steps[i].title + u": "_s + m_detail.value(i);
    }
    return out;
}

bool Executor::holdDeferredFailure(int beforeGroup)
{
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        const Step &st = m_plan.steps[i];
        if (st.group < beforeGroup && onFailure(st) == OnFailure::Defer && status(i) == StepStatus::Failed) {
            m_failedGroup = st.group;
            m_failedStep = i;
            m_lastError = m_recordErrors.value(
                i, consoleError(Error::Kind::Conflict, m_detail.value(i), u"Retry the step, or skip it with a reason."_s));
            Q_EMIT stepFailed(i, m_lastError);
            return true;
        }
    }
    return false;
}

void Executor::runGroup(int group)
{
    m_failedGroup = -1;
    QList<int> todo;
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        if (m_plan.steps[i].group == group && status(i) != StepStatus::Done && status(i) != StepStatus::Skipped)
            todo << i;
    }
    m_pendingInGroup = int(todo.size());
    for (int i : std::as_const(todo)) {
        // In flight when the console stopped, or failed without knowing whether the service applied it.
        const bool resumed = m_journal.phase(i) == StepPhase::Intent
                             || (m_journal.phase(i) == StepPhase::Failed && m_journal.last(i).value("unclear", false));
        if (resumed)
            m_unclear.insert(i);
        m_journal.append({{"event", "intent"}, {"step", i}, {"kind", s(stepKindId(m_plan.steps[i].kind))}, {"target", s(m_plan.steps[i].target)},
                          {"resumed", resumed}, {"intent", intentToJson(m_plan.steps[i].intent)}},
                         durabilityOf(m_plan.steps[i]));
        m_status[i] = StepStatus::Running;
        m_detail[i] = resumed ? u"re-checking after an interruption…"_s : u"running…"_s;
        Q_EMIT stepChanged(i);
        auto alive = m_alive;
        const auto done = [this, alive, group, i](const Result<json> &r) {
            if (*alive)
                stepFinished(group, i, r);
        };
        const Step &st = m_plan.steps[i];
        switch (st.kind) {
        case Step::Kind::InstantRollback:
            instantRollback(st, resumed, done);
            break;
        case Step::Kind::OpenIncident:
            openIncident(st, resumed, done);
            break;
        case Step::Kind::OpenPostmortem:
            openPostmortem(st, resumed, done);
            break;
        case Step::Kind::IncidentMilestone:
            incidentMilestone(st, resumed, done);
            break;
        default:
            runStep(i, done);
            break;
        }
    }
}

void Executor::runStep(int step, Done done)
{
    const Step &st = m_plan.steps[step];
    switch (st.kind) {
    case Step::Kind::DisableFlag:
        return disableFlag(step, st, std::move(done));
    case Step::Kind::ConfirmFlagsOff:
        return confirmFlagsOff(st, std::move(done));
    case Step::Kind::ConfirmProduction:
        return confirmProduction(step, st, std::move(done));
    case Step::Kind::PostCheck:
        return postCheck(st, std::move(done));
    case Step::Kind::JournalEntry:
        return journalEntry(std::move(done));
    case Step::Kind::MigrationGuide:
        // The console records and guides Option C; it never runs migrations.
    {
        const auto *record = st.as<RecordIntent>();
        const QString link = record ? record->link : QString();
        return done(json{{"summary", s(u"recorded: the migration rollback plan %1 is run by people"_s.arg(link))}, {"plan", s(link)}});
    }
    case Step::Kind::InstantRollback:
    case Step::Kind::OpenIncident:
    case Step::Kind::OpenPostmortem:
    case Step::Kind::IncidentMilestone:
        break; // dispatched in runGroup (they need to know about resumption)
    }
    done(consoleError(Error::Kind::Config, u"unknown step"_s, {}));
}

void Executor::stepFinished(int group, int step, const Result<json> &r)
{
    const Step &st = m_plan.steps[step];
    if (r) {
        json rec = r.value();
        rec["event"] = "done";
        rec["step"] = step;
        m_journal.append(rec, durabilityOf(st));
        m_status[step] = StepStatus::Done;
        m_unclear.remove(step);
        m_detail[step] = q(rec, "summary");
        // The answer is shown first; its audit record follows (it fsyncs too), with the step's "before" and the
        // service's request id lifted out of its answer (issue #17: the console's correlation id when none).
        Q_EMIT stepChanged(step);
        json after = r.value();
        const json before = after.contains("before") ? after["before"] : json();
        const QString requestId = q(after, "requestId");
        after.erase("before");
        audit(stepKindId(st.kind), st.target.isEmpty() ? st.title : st.target, intentService(st.intent), after, {}, before, requestId);
    } else {
        // Did the service apply it? A timeout, a dropped connection or a 5xx cannot tell.
        // And an attempt that re-checked an earlier unclear one leaves that one unclear whatever it says itself.
        const bool unclear = m_unclear.contains(step) || r.error().kind == Error::Kind::Timeout || r.error().kind == Error::Kind::Network
                             || (r.error().kind == Error::Kind::Http && r.error().httpStatus >= 500);
        m_journal.append({{"event", "failed"}, {"step", step}, {"error", s(r.error().toString())}, {"unclear", unclear}});
        m_status[step] = StepStatus::Failed;
        m_detail[step] = r.error().toString();
        if (onFailure(st) == OnFailure::Hold) {
            if (m_failedStep < 0 || m_failedGroup != group)
                m_failedStep = step;
            m_failedGroup = group;
            m_lastError = r.error();
        } else {
            m_recordErrors.insert(step, r.error()); // the run goes on (§0.3)
        }
        audit(stepKindId(st.kind) + u".failed"_s, st.target.isEmpty() ? st.title : st.target, intentService(st.intent),
              {{"error", s(r.error().toString())}});
        Q_EMIT stepChanged(step);
    }
    if (--m_pendingInGroup > 0)
        return;
    if (m_failedGroup == group) {
        Q_EMIT stepFailed(m_failedStep, m_lastError);
        return;
    }
    m_failedStep = -1;
    // Flags confirmed off: the number the on-call cares most about.
    if (st.kind == Step::Kind::ConfirmFlagsOff && m_flagsOffMs < 0)
        m_flagsOffMs = m_clock.elapsed();
    const int next = m_groups.indexOf(group) + 1;
    if (next < m_groups.size())
        runFrom(m_groups[next]);
    else
        finish();
}

void Executor::retry()
{
    if (m_failedGroup < 0) {
        // Stopped before the first step (the marker could not be claimed): claim it again.
        if (!m_running && !m_aborted && !m_journal.finished())
            start();
        return;
    }
    const int g = m_failedGroup;
    m_failedStep = -1;
    runGroup(g);
}

void Executor::skip(const QString &reason)
{
    if (m_failedGroup < 0)
        return;
    const int g = m_failedGroup;
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        if (m_plan.steps[i].group == g && status(i) == StepStatus::Failed) {
            m_journal.append({{"event", "skipped"}, {"step", i}, {"reason", s(reason)}});
            m_status[i] = StepStatus::Skipped;
            m_detail[i] = u"skipped: "_s + reason;
            audit(stepKindId(m_plan.steps[i].kind) + u".skipped"_s, m_plan.steps[i].target, intentService(m_plan.steps[i].intent), nullptr, reason);
            Q_EMIT stepChanged(i);
        }
    }
    m_failedGroup = -1;
    m_failedStep = -1;
    const int next = m_groups.indexOf(g) + 1;
    if (next < m_groups.size())
        runFrom(m_groups[next]);
    else
        finish();
}

void Executor::abort(const QString &reason)
{
    m_aborted = true;
    m_journal.append({{"event", "aborted"}, {"reason", s(reason)}});
    audit(u"rollback.aborted"_s, runId(), u"console"_s, {{"failedStep", m_failedStep}}, reason);
    m_running = false;
    m_failedGroup = -1;
    auto alive = m_alive;
    standDownLateDuplicates([this, alive, reason] {
        if (*alive)
            setMarkerStatus(u"error"_s, u"run %1 aborted: %2"_s.arg(runId(), reason), {}, [this] { Q_EMIT finished(false); });
    });
}

void Executor::finish()
{
    m_running = false;
    auto alive = m_alive;
    // The marker is the lock every console sees: release it before the journal says
    // "complete". Journalled first, a console killed before GitHub had the final status
    // left the marker in_progress for good (the run read as finished, so nothing resumed
    // it, and every later console refused; found by tools/dev.sh soak). Now a kill in
    // between leaves the run open, and resume comes back here and posts it again.
    standDownLateDuplicates([this, alive] {
        if (!*alive)
            return;
        setMarkerStatus(u"success"_s, u"run %1 completed"_s.arg(runId()), m_incidentUrl, [this] {
            m_journal.append({{"event", "complete"}, {"flagsOffMs", m_flagsOffMs}, {"incident", s(m_incidentUrl)}});
            audit(u"rollback.complete"_s, runId(), u"console"_s,
                  {{"digest", s(m_plan.digest)}, {"incident", s(m_incidentUrl)}, {"journal", s(m_journal.path())}, {"marker", m_markerId}});
            Q_EMIT finished(true);
        });
    });
}

void Executor::standDownLateDuplicates(std::function<void()> then)
{
    if (!m_c.github || m_markerId <= 0)
        return then();
    // A creation whose first attempt timed out can land after the retry was
    // answered (and after the marker was decided): stand such a marker of
    // this run down too, or it stays "in flight" to every later console.
    auto alive = m_alive;
    m_c.github->deployments(m_o.markerEnvironment, {}, [this, alive, then](const Result<QList<Services::GitHubDeployment>> &list) {
        if (!*alive)
            return;
        const QString ours = u"raize-rollback run=%1 "_s.arg(runId());
        for (const auto &d : list ? list.value() : QList<Services::GitHubDeployment>()) {
            if (d.description.startsWith(ours) && d.id != m_markerId && !m_stoodDown.contains(d.id)) {
                m_stoodDown.insert(d.id);
                m_c.github->createDeploymentStatus(d.id, u"inactive"_s,
                                                   u"duplicate marker of run %1: deployment %2 holds it"_s.arg(runId()).arg(m_markerId), {},
                                                   [](const Result<Services::GitHubDeploymentStatus> &) {});
            }
        }
        then(); // the statuses queue ahead of the final one, which the caller waits for
    });
}

// ---- the steps ----

void Executor::disableFlag(int step, const Step &st, Done done)
{
    if (!m_c.flags)
        return done(consoleError(Error::Kind::Config, u"no flag service configured"_s, u"Set the flag service in Settings."_s));
    const auto *change = st.as<Services::ServeChange>();
    if (!change)
        return done(consoleError(Error::Kind::Config, u"the step has no flag change"_s, u"Build the plan again."_s));
    QElapsedTimer t;
    t.start();
    auto alive = m_alive;
    if (!change->scope.global()) {
        // Scoped (issue #16): the edits are written ahead, so a resumed run
        // applies the same ones (each is skipped when already written) and
        // Restore undoes exactly them.
        const auto apply = [this, alive, t, key = change->flag, done](const Services::ServeEdits &edits) {
            m_c.flags->applyEdits(edits, false, [this, alive, t, key, edits, done](const Status &r) {
                if (!*alive)
                    return;
                if (!r)
                    return done(r.error());
                m_lastDisableAtMs = m_clock.elapsed();
                done(json{{"summary", s(u"%1 off for %2 (%3 strategies edited, %4 ms)"_s.arg(key, edits.change.scope.describe())
                                            .arg(edits.edits.size())
                                            .arg(t.elapsed()))},
                          {"elapsedMs", t.elapsed()},
                          {"edits", edits.toJson()}});
            });
        };
        if (const json journaled = m_journal.editsFor(step); !journaled.is_null()) {
            const auto edits = Services::ServeEdits::fromJson(journaled);
            if (!edits || edits->change.flag != change->flag || edits->change.scope != change->scope)
                return done(consoleError(Error::Kind::Parse, u"the journal's flag edits for %1 cannot be read"_s.arg(change->flag),
                                         u"Compare the flag in the flag service with the journal and finish the step by hand."_s));
            return apply(*edits);
        }
        return m_c.flags->prepareServe(*change, [this, alive, step, apply, done](const Result<Services::ServeEdits> &edits) {
            if (!*alive)
                return;
            if (!edits)
                return done(edits.error());
            if (const Status w = m_journal.append({{"event", "edits"}, {"forStep", step}, {"edits", edits->toJson()}}); !w)
                return done(w.error()); // never write what the journal cannot undo
            apply(edits.value());
        });
    }
    m_c.flags->serve(*change, [this, alive, t, key = change->flag, done](const Status &r) {
        if (!*alive)
            return;
        if (!r)
            return done(r.error());
        m_lastDisableAtMs = m_clock.elapsed();
        // Before: on, as the plan read it (a flag the plan turns off was served when it was built).
        done(json{{"summary", s(u"%1 off (%2 ms)"_s.arg(key).arg(t.elapsed()))}, {"elapsedMs", t.elapsed()},
                  {"before", {{"flag", s(key)}, {"on", true}, {"as", "read by the plan"}}}});
    });
}

void Executor::confirmFlagsOff(const Step &st, Done done)
{
    if (!m_c.flags)
        return done(consoleError(Error::Kind::Config, u"no flag service configured"_s, u"Set the flag service in Settings."_s));
    const auto *query = st.as<Services::ServedQuery>();
    if (!query)
        return done(consoleError(Error::Kind::Config, u"the step has no read-back"_s, u"Build the plan again."_s));
    const Services::ServedQuery q = *query;
    const qint64 startedAt = m_clock.elapsed();
    auto alive = m_alive;
    auto adminOffAt = std::make_shared<qint64>(-1);
    auto lastSeen = std::make_shared<QString>();
    poll(m_o.confirmTimeoutMs,
         [this, alive, q, adminOffAt, lastSeen](std::function<void(std::optional<Result<json>>)> answer) {
             m_c.flags->served(q, [this, alive, adminOffAt, lastSeen, answer](const Result<QList<Services::ServedState>> &states) {
                 if (!*alive)
                     return;
                 if (!states)
                     return answer(Result<json>(states.error()));
                 QStringList stillOn, servedOn;
                 json readBack = json::array();
                 for (const Services::ServedState &st : states.value()) {
                     if (st.on)
                         stillOn << st.flag;
                     else if (st.servedToClients.value_or(false))
                         servedOn << st.flag;
                     json one = {{"flag", s(st.flag)}, {"environment", s(st.environment)}, {"on", st.on}};
                     if (st.servedToClients)
                         one["servedToClients"] = *st.servedToClients;
                     readBack.push_back(one);
                 }
                 if (stillOn.isEmpty() && *adminOffAt < 0)
                     *adminOffAt = m_clock.elapsed();
                 if (!stillOn.isEmpty() || !servedOn.isEmpty()) {
                     *lastSeen = !stillOn.isEmpty() ? u"still on in the flag service: "_s + stillOn.join(u", "_s)
                                                    : u"off, but still served to clients: "_s + servedOn.join(u", "_s);
                     return answer(std::nullopt); // not yet: poll again
                 }
                 answer(Result<json>(json{{"readBack", readBack}}));
             });
         },
         [this, alive, q, startedAt, adminOffAt, lastSeen, done](const Result<json> &r) {
             if (!*alive)
                 return;
             if (!r) {
                 if (r.error().kind == Error::Kind::Timeout && !lastSeen->isEmpty())
                     return done(Error::make(Error::Kind::Conflict, m_c.flags->backendName(), *lastSeen,
                                             u"Look at the flag in the flag service (an approval, a schedule or another writer?); retry, or skip with a reason."_s));
                 return done(r.error());
             }
             const qint64 now = m_clock.elapsed();
             const qint64 base = m_lastDisableAtMs >= 0 ? m_lastDisableAtMs : startedAt;
             m_propagationMs = qMax<qint64>(0, now - base);
             json out = r.value();
             out["summary"] = s(u"%1 flag(s) read back off from %2; propagation %3 ms"_s.arg(q.flags.size()).arg(m_c.flags->backendName()).arg(m_propagationMs));
             out["flags"] = q.flags.join(u',').toStdString();
             out["backend"] = s(m_c.flags->backendName());
             out["adminOffAfterMs"] = *adminOffAt >= 0 ? *adminOffAt - base : -1;
             out["propagationMs"] = m_propagationMs;
             done(out);
         });
}

void Executor::instantRollback(const Step &st, bool resumed, Done done)
{
    if (!m_c.vercel)
        return done(consoleError(Error::Kind::Config, u"no Vercel project configured"_s, u"Set Vercel in Settings."_s));
    const auto *rb = st.as<InstantRollbackIntent>();
    if (!rb)
        return done(consoleError(Error::Kind::Config, u"the step has no rollback target"_s, u"Build the plan again."_s));
    auto alive = m_alive;
    const QString target = rb->deploymentId;
    const QString description = rb->description;
    // `before`: what production served when the call was sent (the audit record's before), null when unread.
    const auto send = [this, alive, target, description, done](const json &before) {
        m_c.vercel->requestRollback(target, description, [this, alive, target, before, done](const Result<Receipt> &r) {
            if (!*alive)
                return;
            if (!r)
                return done(r.error());
            // Accepted is not effective (ADR 0027): the next step confirms the domain serves it, from this time.
            const qint64 accepted = (m_o.clock ? *m_o.clock : Clock::system()).nowMs();
            json out{{"summary", s(u"Instant Rollback to %1 accepted at %2"_s.arg(target, Release::isoMs(accepted)))}, {"target", s(target)},
                     {"acceptedAt", s(Release::isoMs(accepted))}, {"acceptedAtMs", accepted}, {"before", before}};
            if (!r->requestId.isEmpty())
                out["requestId"] = s(r->requestId); // Vercel's x-vercel-id of the accepted call
            done(out);
        });
    };
    const auto productionOf = [](const Result<Services::VercelProject> &p) {
        if (!p)
            return json{{"production", nullptr}, {"unread", s(p.error().toString())}};
        return json{{"production", p->production ? json(s(p->production->id)) : json(nullptr)}, {"pinned", p->pinned}};
    };
    if (!resumed) {
        // What production serves now, for the record's before (one read; the call does not wait on its outcome).
        return m_c.vercel->project([alive, send, productionOf](const Result<Services::VercelProject> &p) {
            if (*alive)
                send(productionOf(p));
        });
    }
    // Interrupted: did it happen? Read production before ever sending it again.
    m_c.vercel->project([this, alive, target, send, productionOf, done](const Result<Services::VercelProject> &p) {
        if (!*alive)
            return;
        if (!p)
            return done(p.error());
        if (p->production && p->production->id == target) {
            // Found accepted after an interruption: Vercel's own request time is the acceptance, when it says.
            const qint64 accepted = p->lastAliasRequest && p->lastAliasRequest->toDeploymentId == target && p->lastAliasRequest->requestedAt > 0
                                        ? p->lastAliasRequest->requestedAt
                                        : (m_o.clock ? *m_o.clock : Clock::system()).nowMs();
            return done(json{{"summary", s(u"production already serves %1 (found after the interruption)"_s.arg(target))},
                             {"target", s(target)}, {"readBack", true}, {"acceptedAt", s(Release::isoMs(accepted))}, {"acceptedAtMs", accepted},
                             {"before", {{"production", p->lastAliasRequest && p->lastAliasRequest->toDeploymentId == target
                                                            ? json(s(p->lastAliasRequest->fromDeploymentId)) : json(nullptr)}}}});
        }
        send(productionOf(p));
    });
}

qint64 Executor::acceptedAtMs(const QString &target) const
{
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        const auto *rb = m_plan.steps[i].as<InstantRollbackIntent>();
        if (rb && rb->deploymentId == target && m_journal.phase(i) == StepPhase::Done)
            return m_journal.last(i).value("acceptedAtMs", qint64(0));
    }
    return 0;
}

void Executor::confirmProduction(int step, const Step &st, Done done)
{
    if (!m_c.vercel)
        return done(consoleError(Error::Kind::Config, u"no Vercel project configured"_s, u"Set Vercel in Settings."_s));
    const auto *prod = st.as<ProductionServesIntent>();
    if (!prod)
        return done(consoleError(Error::Kind::Config, u"the step names no deployment"_s, u"Build the plan again."_s));
    auto alive = m_alive;
    const QString target = prod->deploymentId;
    const Clock &clock = m_o.clock ? *m_o.clock : Clock::system();
    // A plan without an Instant Rollback of its own (or one accepted before a journal recorded the time)
    // counts from now: the report says when it was accepted as far as this run knows.
    const qint64 recorded = acceptedAtMs(target);
    const qint64 accepted = recorded > 0 ? recorded : clock.nowMs();
    m_confirmer = std::make_unique<Release::EffectiveConfirmer>(m_c.vercel, m_c.probe, m_c.effective, &clock);
    m_confirmer->setRollingReleases(m_c.rollingRelease);
    if (m_o.effectivePollMs >= 0)
        m_confirmer->setPollIntervalMs(m_o.effectivePollMs);
    const Release::EffectiveRules rules = m_c.effective;
    // A canary abort is confirmed by Vercel's rolling release as well (ABORTED), not only by production.
    const bool abort = !prod->abortsCanary.isEmpty();
    m_confirmer->confirm(
        abort ? Release::ChangeKind::Abort : Release::ChangeKind::Rollback, target, accepted, std::nullopt,
        [this, alive, step](const Release::EffectiveVerdict &v) {
            if (!*alive)
                return;
            m_detail[step] = v.summary;
            Q_EMIT stepChanged(step);
        },
        [this, alive, target, rules, recorded, done](const Release::EffectiveReport &report) {
            if (!*alive)
                return;
            m_effective = report;
            if (!report.effective())
                return done(Release::notEffectiveError(report, rules));
            json out = report.toJson();
            out["summary"] = s(u"production serves %1: %2"_s.arg(target, report.describe()));
            out["production"] = s(target);
            out["acceptedRecorded"] = recorded > 0;
            done(out);
        });
}

void Executor::postCheck(const Step &st, Done done)
{
    auto alive = m_alive;
    if (const auto *blast = st.as<BlastCheckIntent>()) {
        // Ask the flag service's evaluator again: what it serves now must be what the blast radius predicted.
        if (!m_c.flags)
            return done(consoleError(Error::Kind::Config, u"no flag service configured"_s, u"Set the flag service in Settings."_s));
        const BlastCheckIntent check = *blast;
        const QString backend = m_c.flags->backendName();
        m_c.flags->evaluateContexts(check.query, [alive, check, backend, done](const Result<QList<Services::ContextAnswer>> &answers) {
            if (!*alive)
                return;
            if (!answers)
                return done(answers.error());
            const QStringList differences = compareWithPrediction(check.stillOn, answers.value(), check.query.flags);
            if (!differences.isEmpty())
                return done(Error::make(Error::Kind::Conflict, backend,
                                        u"the flag service serves other than the blast radius predicted: "_s + differences.join(u"; "_s),
                                        u"Look at these flags in the flag service (another writer, a strategy the console did not expect?); "
                                        u"turn off what is still served by hand, then retry this step or skip it with a reason."_s));
            done(json{{"summary", s(u"%1 served as predicted for %2 context(s)"_s.arg(check.query.flags.size() == 1 ? check.query.flags.first()
                                                                                                       : u"%1 flags"_s.arg(check.query.flags.size()))
                                        .arg(answers->size()))},
                      {"contexts", answers->size()},
                      {"stillOn", check.stillOn.size()}});
        });
        return;
    }
    if (const auto *deploymentChecks = st.as<DeploymentChecksIntent>()) {
        if (!m_c.vercel)
            return done(consoleError(Error::Kind::Config, u"no Vercel project configured"_s, u"Set Vercel in Settings."_s));
        const QString target = deploymentChecks->deploymentId;
        m_c.vercel->checks(target, [alive, target, done](const Result<QList<Services::VercelCheck>> &checks) {
            if (!*alive)
                return;
            if (!checks)
                return done(checks.error());
            QStringList bad;
            for (const auto &c : checks.value()) {
                if (!c.passed())
                    bad << u"%1 (%2 %3)"_s.arg(c.name, c.status, c.conclusion);
            }
            if (!bad.isEmpty())
                return done(Error::make(Error::Kind::Conflict, u"vercel"_s, u"deployment checks of %1 not green: %2"_s.arg(target, bad.join(u", "_s)),
                                        u"Open the deployment's checks in Vercel; retry when they pass, or skip with a reason."_s));
            done(json{{"summary", s(u"%1 deployment check(s) of %2 passed"_s.arg(checks->size()).arg(target))}, {"checks", checks->size()}});
        });
        return;
    }
    if (!m_c.prometheus)
        return done(consoleError(Error::Kind::Config, u"no Prometheus configured"_s, u"Set Prometheus in Settings."_s));
    const auto *check = st.as<PromCheckIntent>();
    if (!check)
        return done(consoleError(Error::Kind::Config, u"the step has no check"_s, u"Build the plan again."_s));
    const QString promql = check->promql;
    const bool queue = check->expect == PromCheckIntent::Expect::QueuesEmpty;
    const double objective = m_o.verificationObjective;
    const int windowSeconds = check->windowSeconds;
    const QString served = check->scopeServed;
    const Clock *clock = m_o.clock ? m_o.clock : &Clock::system();
    const qint64 began = clock->nowMs();
    auto lastSeen = std::make_shared<QString>();
    // A windowed check must see its whole window after the rollback first.
    const int timeoutMs = queue ? m_o.queueDrainTimeoutMs : std::max(m_o.verificationTimeoutMs, windowSeconds * 1000 + 30'000);
    poll(timeoutMs,
         [this, alive, promql, queue, objective, lastSeen, windowSeconds, served, clock, began](std::function<void(std::optional<Result<json>>)> answer) {
             // "${since}": only the events after the check began (after the flags went off and production was confirmed).
             const qint64 elapsedS = std::max<qint64>(1, (clock->nowMs() - began + 999) / 1000);
             if (!queue && windowSeconds > 0 && elapsedS < windowSeconds) {
                 *lastSeen = u"waiting for %1 s of verification events after the rollback (%2 s so far)"_s.arg(windowSeconds).arg(elapsedS);
                 return answer(std::nullopt);
             }
             QString query = promql;
             query.replace(u"${since}"_s, QString::number(elapsedS));
             m_c.prometheus->query(query, std::nullopt, [alive, queue, objective, lastSeen, served, query, answer](const Result<Services::PromResult> &r) {
                 if (!*alive)
                     return;
                 if (!r)
                     return answer(Result<json>(r.error()));
                 if (queue) {
                     double total = 0;
                     QStringList busy;
                     for (const auto &smp : r->vector) {
                         total += smp.value;
                         if (smp.value > 0)
                             busy << u"%1/%2: %3"_s.arg(smp.labels.value(u"cohort"_s), smp.labels.value(u"lane"_s)).arg(smp.value);
                     }
                     if (r->vector.isEmpty()) {
                         *lastSeen = u"no queue-depth series (is the runner scraped?)"_s;
                         return answer(std::nullopt);
                     }
                     if (total > 0) {
                         *lastSeen = u"still queued: "_s + busy.join(u", "_s);
                         return answer(std::nullopt);
                     }
                     return answer(Result<json>(json{{"summary", "side-effect queues are empty"}, {"queued", 0}}));
                 }
                 if (r->vector.isEmpty() || std::isnan(r->vector.front().value)) {
                     // §7.5: no verification event after the rollback is not a pass (issue #16, item 8).
                     const QString where = served.isEmpty() ? u"nothing in the rollback's scope is still served"_s
                                                            : u"no verification event %1 since the rollback"_s.arg(served);
                     return answer(Result<json>(json{{"summary", s(u"NOT ENOUGH DATA — not a pass: %1; verify once publishing resumes"_s.arg(where))},
                                                     {"verdict", "not-enough-data"}, {"ratio", nullptr}, {"query", s(query)}}));
                 }
                 const double ratio = r->vector.front().value;
                 if (ratio > 1.0) {
                     // Series that appeared inside the window make Prometheus extrapolate them apart.
                     *lastSeen = u"verification ratio not computable yet (%1)"_s.arg(ratio);
                     return answer(std::nullopt);
                 }
                 if (ratio < objective) {
                     *lastSeen = u"verification ratio %1 below the objective %2 %3"_s.arg(ratio, 0, 'f', 4).arg(objective).arg(served);
                     return answer(std::nullopt);
                 }
                 answer(Result<json>(json{{"summary", s(u"verification passes %1: %2 of posts visible within 60 s"_s.arg(served).arg(ratio, 0, 'f', 4))},
                                          {"verdict", "pass"}, {"ratio", ratio}, {"query", s(query)}}));
             });
         },
         [lastSeen, done, queue](const Result<json> &r) {
             if (!r && r.error().kind == Error::Kind::Timeout && !lastSeen->isEmpty())
                 return done(Error::make(Error::Kind::Conflict, u"prometheus"_s, *lastSeen,
                                         queue ? u"Find what still runs in the queue (runner logs); retry when it drains, or skip with a reason."_s
                                               : u"Check verification in the platform; retry, or skip with a reason."_s));
             done(r);
         });
}

void Executor::openIncident(const Step &st, bool resumed, Done done)
{
    if (!m_c.github)
        return done(consoleError(Error::Kind::Config, u"no GitHub repository configured"_s, u"Set GitHub in Settings."_s));
    const auto *issue = st.as<IncidentIntent>();
    if (!issue)
        return done(consoleError(Error::Kind::Config, u"the step has no incident"_s, u"Build the plan again."_s));
    const QString title = issue->title;
    if (const json filed = m_journal.lastOf("incident"); resumed && filed.is_object() && filed.value("number", 0) > 0) {
        // Filed and numbered before the interruption: the journal says so.
        return done(json{{"summary", s(u"incident #%1 (filed before the interruption)"_s.arg(filed.value("number", 0)))},
                         {"number", filed.value("number", 0)}, {"url", filed.value("url", "")}});
    }
    if (resumed && !m_incidentLookedUp) {
        // Ask GitHub first: an incident of this run names the run in its body. Found, it is the
        // incident; not found (a request of the stopped console may still land) or not askable,
        // the operator decides as before.
        m_incidentLookedUp = true;
        auto alive = m_alive;
        const QString label = issue->labels.value(0, u"incident"_s);
        return findFiledIssue(label, [this, alive, st, done](const Result<std::optional<Services::GitHubIssue>> &found) {
            if (!*alive)
                return;
            if (found && found->has_value()) {
                const Services::GitHubIssue &i = **found;
                m_incidentUrl = i.htmlUrl;
                m_journal.append({{"event", "incident"}, {"number", i.number}, {"url", s(i.htmlUrl)}, {"source", "github"}});
                return done(json{{"summary", s(u"incident #%1 (filed before the interruption; found on GitHub)"_s.arg(i.number))},
                                 {"number", i.number},
                                 {"url", s(i.htmlUrl)}});
            }
            if (!found)
                qCWarning(lcRollback).noquote() << "cannot ask GitHub for the run's incident:" << found.error().toString();
            openIncident(st, true, done);
        });
    }
    if (resumed) {
        // GitHub lists no incident of this run (or could not be asked): a repeat needs the operator.
        const QString answer = m_o.incidentAnswer;
        bool isNumber = false;
        const int number = answer.toInt(&isNumber);
        if (isNumber && number > 0) {
            m_incidentUrl = u"#%1"_s.arg(number);
            m_journal.append({{"event", "incident"}, {"number", number}, {"url", s(m_incidentUrl)}, {"source", "operator"}});
            return done(json{{"summary", s(u"incident #%1 (named by the operator after the interruption)"_s.arg(number))}, {"number", number}});
        }
        if (answer != u"new"_s)
            return done(consoleError(Error::Kind::Conflict,
                                     u"the console stopped while filing the incident \"%1\": it may already exist"_s.arg(title),
                                     u"Look for it in the repository's issues; resume with --incident NUMBER if it is there, or --incident new to file it."_s));
    }
    const QStringList labels = issue->labels;
    auto alive = m_alive;
    m_c.github->createIssue(title, incidentBody(), labels, [this, alive, done](const Result<Services::GitHubIssue> &issue) {
        if (!*alive)
            return;
        if (!issue)
            return done(issue.error());
        m_incidentUrl = issue->htmlUrl;
        m_journal.append({{"event", "incident"}, {"number", issue->number}, {"url", s(issue->htmlUrl)}});
        done(json{{"summary", s(u"incident #%1 opened"_s.arg(issue->number))}, {"number", issue->number}, {"url", s(issue->htmlUrl)},
                  {"before", {{"incident", nullptr}}}, {"requestId", s(issue->requestId)}});
    });
}

void Executor::openPostmortem(const Step &st, bool resumed, Done done)
{
    if (!m_c.github)
        return done(consoleError(Error::Kind::Config, u"no GitHub repository configured"_s, u"Set GitHub in Settings."_s));
    const auto *issue = st.as<IncidentIntent>();
    if (!issue)
        return done(consoleError(Error::Kind::Config, u"the step has no postmortem issue"_s, u"Build the plan again."_s));
    if (const json filed = m_journal.lastOf("postmortem"); filed.is_object() && filed.value("number", 0) > 0) {
        m_postmortemUrl = q(filed, "url");
        return done(json{{"summary", s(u"postmortem #%1 (filed before the interruption)"_s.arg(filed.value("number", 0)))},
                         {"number", filed.value("number", 0)}, {"url", filed.value("url", "")}});
    }
    if (resumed && !m_postmortemLookedUp) {
        // Resumed without a record: it may have been filed as the console stopped. GitHub knows.
        m_postmortemLookedUp = true;
        auto alive = m_alive;
        const QString label = issue->labels.value(0, u"postmortem"_s);
        return findFiledIssue(label, [this, alive, st, done](const Result<std::optional<Services::GitHubIssue>> &found) {
            if (!*alive)
                return;
            if (found && found->has_value()) {
                const Services::GitHubIssue &i = **found;
                m_postmortemUrl = i.htmlUrl;
                m_journal.append({{"event", "postmortem"}, {"number", i.number}, {"url", s(i.htmlUrl)}, {"source", "github"}});
                return done(json{{"summary", s(u"postmortem #%1 (filed before the interruption; found on GitHub)"_s.arg(i.number))},
                                 {"number", i.number},
                                 {"url", s(i.htmlUrl)}});
            }
            if (!found)
                qCWarning(lcRollback).noquote() << "cannot ask GitHub for the run's postmortem:" << found.error().toString();
            openPostmortem(st, true, done);
        });
    }
    // Not on GitHub (or GitHub could not be asked): filing it (again) is cheaper than having none;
    // the body says so, and the incident (filed once) stays the one record.
    Result<QString> body = postmortemBody();
    if (body && resumed)
        body = QString(u"_Filed after an interruption of the console: if an earlier postmortem of run `%1` exists, close this one as a duplicate._\n\n"_s.arg(
                           runId())
                       + *body);
    if (!body)
        return done(body.error());
    auto alive = m_alive;
    m_c.github->createIssue(issue->title, *body, issue->labels, [this, alive, done](const Result<Services::GitHubIssue> &filed) {
        if (!*alive)
            return;
        if (!filed)
            return done(filed.error());
        m_postmortemUrl = filed->htmlUrl;
        m_journal.append({{"event", "postmortem"}, {"number", filed->number}, {"url", s(filed->htmlUrl)}});
        done(json{{"summary", s(u"postmortem #%1 opened, linked to the incident %2"_s.arg(filed->number).arg(m_incidentUrl))},
                  {"number", filed->number}, {"url", s(filed->htmlUrl)}, {"before", {{"postmortem", nullptr}}}, {"requestId", s(filed->requestId)}});
    });
}

void Executor::incidentMilestone(const Step &st, bool resumed, Done done)
{
    if (!m_c.github)
        return done(consoleError(Error::Kind::Config, u"no GitHub repository configured: the milestone is not posted"_s,
                                 u"Set GitHub in Settings; the times stay in the run journal."_s));
    const auto *intent = st.as<MilestoneIntent>();
    if (!intent)
        return done(consoleError(Error::Kind::Config, u"the step has no milestone"_s, u"Build the plan again."_s));
    const json incident = m_journal.lastOf("incident");
    const int number = incident.is_object() ? incident.value("number", 0) : 0;
    if (number <= 0) {
        // No incident to comment on: say why, from the incident step.
        QString why = u"the incident issue was not filed"_s;
        for (int i = 0; i < m_plan.steps.size(); ++i) {
            if (m_plan.steps[i].kind == Step::Kind::OpenIncident && (status(i) == StepStatus::Failed || status(i) == StepStatus::Skipped))
                why = u"the incident step %1 (%2)"_s.arg(status(i) == StepStatus::Failed ? u"failed"_s : u"was skipped"_s, m_detail.value(i));
        }
        return done(consoleError(Error::Kind::Conflict, u"no incident issue to post the milestone on: "_s + why,
                                 u"The rollback goes on. Once the incident is filed (retry its step, or `raize-console rollback resume`), "
                                 u"the milestone is posted with the times from the run journal."_s));
    }
    const MilestoneIntent m = *intent;
    const QString mark = milestoneMark(m);
    const QString text = milestoneText(m) + u"\n\n"_s + mark + u'\n';
    auto alive = m_alive;
    const auto post = [this, alive, number, text, m, done] {
        m_c.github->createIssueComment(number, text, [alive, number, m, done](const Result<Services::GitHubIssueComment> &c) {
            if (!*alive)
                return;
            if (!c)
                return done(c.error());
            done(json{{"summary", s(u"milestone \"%1\" posted on incident #%2"_s.arg(milestoneId(m.milestone)).arg(number))},
                      {"milestone", s(milestoneId(m.milestone))},
                      {"incident", number},
                      {"commentId", c->id},
                      {"url", s(c->htmlUrl)},
                      {"requestId", s(c->requestId)}});
        });
    };
    if (!resumed)
        return post();
    // In flight when the console stopped, or failed unclearly: GitHub's comments say whether it was posted.
    m_c.github->issueComments(number, [this, alive, number, mark, m, post, done](const Result<QList<Services::GitHubIssueComment>> &comments) {
        if (!*alive)
            return;
        if (!comments)
            return done(comments.error()); // still unclear: asked again on the next attempt, never posted blind
        for (const Services::GitHubIssueComment &c : comments.value()) {
            if (c.body.contains(mark))
                return done(json{{"summary", s(u"milestone \"%1\" was posted on incident #%2 before the interruption (found on GitHub)"_s.arg(
                                     milestoneId(m.milestone)).arg(number))},
                                 {"milestone", s(milestoneId(m.milestone))},
                                 {"incident", number},
                                 {"commentId", c.id},
                                 {"url", s(c.htmlUrl)},
                                 {"source", "github"}});
        }
        post();
    });
}

QString Executor::milestoneMark(const MilestoneIntent &m) const
{
    // Invisible in the rendered comment; what a resumed run looks for.
    return u"<!-- raize-milestone run=%1 milestone=%2 -->"_s.arg(runId(), milestoneId(m.milestone));
}

QString Executor::milestoneText(const MilestoneIntent &m) const
{
    // Every time below is a journal record's: nothing is typed by hand.
    const json &b = m_journal.begin();
    const QString confirmedAt = q(b, "at");
    QString out;
    const auto line = [&out](const QString &l) { out += u"- "_s + l + u'\n'; };
    const auto doneRecord = [this](int i) { return m_journal.phase(i) == StepPhase::Done ? m_journal.last(i) : json(); };
    switch (m.milestone) {
    case MilestoneIntent::Milestone::FlagsOff: {
        QStringList flags;
        QString readBackAt, backend;
        qint64 propagation = -1;
        for (int i = 0; i < m_plan.steps.size(); ++i) {
            const Step &st = m_plan.steps[i];
            if (st.kind == Step::Kind::DisableFlag && status(i) == StepStatus::Done)
                flags << st.target;
            if (st.kind == Step::Kind::ConfirmFlagsOff) {
                const json d = doneRecord(i);
                readBackAt = q(d, "at");
                backend = q(d, "backend");
                propagation = d.is_object() ? d.value("propagationMs", qint64(-1)) : -1;
            }
        }
        out += u"### Milestone: flags off\n\n"_s;
        line(u"%1 side-effect flag(s) off: %2"_s.arg(flags.size()).arg(flags.isEmpty() ? u"none"_s : u"`"_s + flags.join(u"`, `"_s) + u"`"_s));
        if (!readBackAt.isEmpty())
            line(u"Read back off from %1 at %2, **%3 after the rollback was confirmed** (%4 by %5)"_s.arg(
                backend.isEmpty() ? u"the flag service"_s : backend, clockTime(readBackAt), secondsBetween(confirmedAt, readBackAt),
                clockTime(confirmedAt), q(b, "actor")));
        if (propagation >= 0)
            line(u"Flag-service propagation (last off answered → clients served off): %1 ms"_s.arg(propagation));
        break;
    }
    case MilestoneIntent::Milestone::Effective: {
        for (int i = 0; i < m_plan.steps.size(); ++i) {
            if (m_plan.steps[i].kind != Step::Kind::ConfirmProduction)
                continue;
            const json d = doneRecord(i);
            out += d.is_object() ? u"### Milestone: rollback effective\n\n"_s : u"### Milestone: rollback NOT confirmed effective\n\n"_s;
            if (!d.is_object()) {
                line(u"%1: %2"_s.arg(m_plan.steps[i].title, statusName(status(i)) + (m_detail.value(i).isEmpty() ? QString() : u" — "_s + m_detail.value(i))));
                continue;
            }
            const QString accepted = q(d, "acceptedAt"), effective = q(d, "effectiveAt");
            line(u"Production serves `%1`"_s.arg(q(d, "production")));
            if (!accepted.isEmpty())
                line(u"Instant Rollback accepted by Vercel at %1, %2 after the rollback was confirmed"_s.arg(clockTime(accepted),
                                                                                                             secondsBetween(confirmedAt, accepted)));
            if (!effective.isEmpty())
                line(u"Effective at %1, **%2 after the rollback was confirmed** (%3 after acceptance)"_s.arg(
                    clockTime(effective), secondsBetween(confirmedAt, effective), secondsBetween(accepted, effective)));
            if (!q(d, "summary").isEmpty())
                line(u"Evidence: "_s + q(d, "summary"));
        }
        break;
    }
    case MilestoneIntent::Milestone::ChecksDone: {
        int green = 0, total = 0;
        QString lastAt;
        QString lines;
        for (int i = 0; i < m_plan.steps.size(); ++i) {
            const Step &st = m_plan.steps[i];
            if (st.kind != Step::Kind::PostCheck)
                continue;
            ++total;
            const json d = doneRecord(i);
            const bool notEnough = d.is_object() && d.value("verdict", "") == "not-enough-data";
            const bool ok = d.is_object() && !notEnough;
            green += ok ? 1 : 0;
            const QString at = d.is_object() ? q(d, "at") : q(m_journal.last(i), "at");
            if (at > lastAt)
                lastAt = at;
            lines += u"- %1 %2: %3%4\n"_s.arg(ok ? u"✅"_s : notEnough ? u"⚠️"_s : u"❌"_s, st.title,
                                               ok || notEnough ? q(d, "summary") : statusName(status(i)) + u" — "_s + m_detail.value(i),
                                               at.isEmpty() ? QString() : u" (%1)"_s.arg(clockTime(at)));
        }
        out += green == total ? u"### Milestone: post-checks green\n\n"_s
                              : u"### Milestone: post-checks over — %1 of %2 green\n\n"_s.arg(green).arg(total);
        out += lines;
        if (!lastAt.isEmpty())
            line(u"Checks over at %1, **%2 after the rollback was confirmed**"_s.arg(clockTime(lastAt), secondsBetween(confirmedAt, lastAt)));
        break;
    }
    }
    line(u"Console run `%1` (%2); times from its journal"_s.arg(runId(), describeRun()));
    return out;
}

void Executor::findFiledIssue(const QString &label, FoundIssue then)
{
    // The run's issues were filed after its begin record; `since` (updated at or after) keeps the
    // listing short, with a margin for clocks that disagree.
    const QDateTime began = QDateTime::fromString(q(m_journal.begin(), "at"), Qt::ISODateWithMs);
    const QString mark = u"`"_s + runId() + u"`"_s;
    m_c.github->issues({label}, u"all"_s, began.isValid() ? began.addSecs(-300) : QDateTime(),
                       [mark, then](const Result<QList<Services::GitHubIssue>> &issues) {
                           if (!issues)
                               return then(issues.error());
                           for (const Services::GitHubIssue &i : *issues) {
                               if (i.body.contains(mark))
                                   return then(std::optional<Services::GitHubIssue>(i));
                           }
                           then(std::optional<Services::GitHubIssue>());
                       });
}

void Executor::journalEntry(Done done)
{
    if (m_c.journalDirectory.isEmpty())
        return done(json{{"summary", "no journal folder configured: the audit log holds the record"}});
    Records::JournalEntry e;
    e.title = u"Rollback %1 — %2"_s.arg(runId(), priorityName(m_plan.priority));
    e.author = m_c.actor;
    e.shipped = {u"rolled back: "_s + Plan::optionName(m_plan.option)
                 + (m_plan.rollbackTarget.isEmpty() ? QString() : u", production → "_s + m_plan.rollbackTarget)};
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        if (m_plan.steps[i].kind != Step::Kind::JournalEntry)
            e.observed << m_plan.steps[i].title + u": "_s + statusName(status(i)) + (detail(i).isEmpty() ? QString() : u" — "_s + detail(i));
    }
    if (m_propagationMs >= 0)
        e.observed << u"flag-service propagation: %1 ms"_s.arg(m_propagationMs);
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        if (status(i) == StepStatus::Skipped)
            e.anomalies << m_plan.steps[i].title + u" was "_s + detail(i);
    }
    if (!m_incidentUrl.isEmpty())
        e.links << m_incidentUrl;
    if (!m_postmortemUrl.isEmpty())
        e.links << m_postmortemUrl;
    e.links << m_journal.path();
    const Result<QString> file = Records::Journal(m_c.journalDirectory).append(e);
    if (!file)
        return done(file.error());
    done(json{{"summary", s(u"journal entry appended to "_s + file.value())}, {"file", s(file.value())}});
}

void Executor::poll(int timeoutMs, std::function<void(std::function<void(std::optional<Result<json>>)>)> attempt, Done done)
{
    // The deadline is the options' Clock's: a test moves a ManualClock past it instead of waiting.
    const Clock &clock = m_o.clock ? *m_o.clock : Clock::system();
    const qint64 started = clock.nowMs();
    auto alive = m_alive;
    // The round holds itself only weakly: whoever waits to call it (the attempt's answer, the next poll's
    // timer) holds it strongly, so it is freed with the last of them, even when the executor goes first
    // (a strong self-capture broken by a timer on `this` leaked when the executor was destroyed; LeakSanitizer).
    auto again = std::make_shared<std::function<void()>>();
    const std::weak_ptr<std::function<void()>> weakAgain = again;
    auto lastError = std::make_shared<std::optional<Error>>();
    *again = [this, alive, &clock, started, timeoutMs, attempt, done, weakAgain, lastError] {
        const auto again = weakAgain.lock();
        attempt([this, alive, &clock, started, timeoutMs, done, again, lastError](std::optional<Result<json>> r) {
            if (!*alive)
                return;
            if (r && r->ok())
                return done(*r);
            if (r)
                *lastError = r->error();
            if (clock.nowMs() - started >= timeoutMs) {
                if (*lastError)
                    return done(**lastError);
                return done(Error::make(Error::Kind::Timeout, u"console"_s,
                                        u"not confirmed within %1 s"_s.arg(timeoutMs / 1000.0), u"Retry the step, or skip it with a reason."_s));
            }
            QTimer::singleShot(m_o.pollMs, this, [again] {
                if (again && *again)
                    (*again)();
            });
        });
    };
    (*again)();
}

// ---- records ----

void Executor::audit(const QString &action, const QString &target, const QString &service, const json &after, const QString &reason,
                     const json &before, const QString &requestId)
{
    if (!m_c.audit)
        return;
    Records::AuditRecord r;
    r.actor = m_c.actor;
    r.action = action;
    r.target = target;
    r.service = service;
    r.before = before;
    r.requestId = requestId; // empty: the log gives it the console's own id, "console:<uuid>"
    r.after = after;
    if (r.after.is_object())
        r.after["run"] = s(runId());
    r.reason = reason;
    if (const Status st = m_c.audit->append(r); !st) {
        // §0.3: the kill switch and the rollback never wait on the audit log. What it missed goes to the run's journal
        // (no "step" key: the record says nothing about a step's phase) and to the incident; the window shows a banner.
        qCWarning(lcRollback, "audit record not written: %s", qUtf8Printable(st.error().toString()));
        m_auditFailures << u"%1 %2: %3"_s.arg(action, target, st.error().message);
        m_journal.append({{"event", "audit-failed"}, {"action", s(action)}, {"target", s(target)}, {"service", s(service)},
                          {"after", r.after}, {"reason", s(reason)}, {"error", s(st.error().toString())}});
        Q_EMIT auditFailed(st.error());
    }
}

QString Executor::describeRun() const
{
    const json &b = m_journal.begin();
    return u"%1 — %2, scope %3"_s.arg(priorityName(m_plan.priority), q(b, "trigger"), q(b, "scope"));
}

QString Executor::timelineLines() const
{
    QString out;
    for (const json &rec : m_journal.records()) {
        const std::string ev = rec.value("event", "");
        if (ev != "done" && ev != "failed" && ev != "skipped" && ev != "begin" && ev != "marker")
            continue;
        QString what;
        if (ev == "begin")
            what = u"rollback confirmed by %1"_s.arg(q(rec, "actor"));
        else if (ev == "marker")
            what = u"marker deployment %1 claimed"_s.arg(rec.value("deploymentId", qint64(0)));
        else {
            const int i = rec.value("step", -1);
            const QString title = i >= 0 && i < m_plan.steps.size() ? m_plan.steps[i].title : QString();
            what = title + u": "_s + QString::fromStdString(ev)
                   + (ev == "done" ? u" — "_s + q(rec, "summary") : ev == "failed" ? u" — "_s + q(rec, "error") : u" — "_s + q(rec, "reason"));
        }
        out += u"- `%1` %2\n"_s.arg(q(rec, "at"), what);
    }
    return out;
}

Result<QString> Executor::postmortemBody() const
{
    QFile f(u":/templates/postmortem.md"_s);
    if (!f.open(QIODevice::ReadOnly))
        return consoleError(Error::Kind::Io, u"the postmortem template is missing from this build (%1)"_s.arg(f.errorString()),
                            u"Open the postmortem by hand from resources/templates/postmortem.md; skip this step with that reason."_s);
    QString text = QString::fromUtf8(f.readAll());
    const json &b = m_journal.begin();
    QStringList stopped;
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        const Step &st = m_plan.steps[i];
        if ((st.kind == Step::Kind::DisableFlag || st.kind == Step::Kind::InstantRollback || st.kind == Step::Kind::MigrationGuide)
            && m_status.value(i) == StepStatus::Done)
            stopped << u"- %1 (%2)"_s.arg(st.title, m_detail.value(i));
    }
    for (const QString &w : m_plan.withheld)
        stopped << u"- withheld: "_s + w;
    const QList<QPair<QString, QString>> fill = {
        {u"title"_s, u"%1 — %2"_s.arg(priorityName(m_plan.priority), q(b, "trigger"))},
        {u"incident"_s, m_incidentUrl.isEmpty() ? u"(not filed)"_s : m_incidentUrl},
        {u"priority"_s, priorityName(m_plan.priority)},
        {u"trigger"_s, q(b, "trigger")},
        {u"scope"_s, q(b, "scope")},
        {u"option"_s, Plan::optionName(m_plan.option)},
        {u"digest"_s, m_plan.digest},
        {u"run"_s, runId()},
        {u"timeline"_s, timelineLines()},
        {u"trigger_evidence"_s, q(b, "reason").isEmpty() ? u"(the operator gave no reason)"_s : u"Operator: "_s + q(b, "reason")},
        {u"what_stopped_it"_s, stopped.isEmpty() ? u"(no step that stops harm completed)"_s : stopped.join(u'\n')},
    };
    for (const auto &[key, value] : fill)
        text.replace(u"{{"_s + key + u"}}"_s, value);
    return text;
}

QString Executor::incidentBody() const
{
    QString body;
    const json &b = m_journal.begin();
    body += u"## Trigger\n\n%1 (%2)\n\n"_s.arg(q(b, "trigger"), priorityName(m_plan.priority));
    if (!q(b, "reason").isEmpty())
        body += u"Operator: %1\n\n"_s.arg(q(b, "reason"));
    body += u"- Scope: %1\n- Plan: %2, digest `%3`\n"_s.arg(q(b, "scope"), Plan::optionName(m_plan.option), m_plan.digest);
    if (!m_plan.rollbackTarget.isEmpty()) {
        // Filed right after the flags went off (issue #19, item 6), the code rollback usually comes next.
        bool rolledBack = false;
        for (int i = 0; i < m_plan.steps.size(); ++i)
            rolledBack = rolledBack || (m_plan.steps[i].kind == Step::Kind::InstantRollback && status(i) == StepStatus::Done);
        body += rolledBack ? u"- Production rolled back to `%1` (pinned until a promotion)\n"_s.arg(m_plan.rollbackTarget)
                           : u"- Production is being rolled back to `%1` (Instant Rollback next; pinned until a promotion)\n"_s.arg(m_plan.rollbackTarget);
    }
    body += u"- Console run `%1`, marker deployment %2\n"_s.arg(runId()).arg(m_markerId);
    for (const Step &st : m_plan.steps) {
        if (const auto *record = st.as<RecordIntent>(); record && record->what == RecordIntent::What::MigrationPlan)
            body += u"- Option C: the migration rollback plan %1 is run by people (the console recorded it and never runs migrations)\n"_s.arg(record->link);
    }
    for (const QString &w : m_plan.withheld)
        body += u"- Withheld (the flags still went off): %1\n"_s.arg(w);
    if (!m_auditFailures.isEmpty())
        body += u"- Audit log: %1 record(s) could not be written; the run went on (§0.3) and its journal `%2` holds them "
                u"(\"audit-failed\"): %3\n"_s.arg(m_auditFailures.size())
                    .arg(m_journal.path(), m_auditFailures.join(u"; "_s));
    QStringList milestones;
    for (const Step &st : m_plan.steps) {
        if (const auto *m = st.as<MilestoneIntent>())
            milestones << milestoneId(m->milestone);
    }
    if (!milestones.isEmpty())
        body += u"- Milestones (%1) follow as comments on this issue as they happen, with the times from the run journal\n"_s.arg(
            milestones.join(u", "_s));
    body += u"- Postmortem: opened after the post-checks as its own issue from the console's template; it names this incident\n\n"
            u"## Timeline (UTC, when filed)\n\n"_s;
    body += timelineLines();
    body += u"\n## Next (playbook §7.5)\n\n- Capture evidence, fix forward, re-release through the gates.\n"_s;
    if (!m_plan.rollbackTarget.isEmpty())
        body += u"- Production is pinned: the next deploy reaches the domains only after a promotion.\n"_s;
    return body;
}

} // namespace Raize::Rollback
