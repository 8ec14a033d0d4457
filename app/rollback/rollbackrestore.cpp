#include "rollback/rollbackrestore.h"

#include "records/auditlog.h"
#include "rollback/rollbackplan.h"

#include <QDateTime>
#include <QRegularExpression>

#include <memory>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

std::string s(const QString &v)
{
    return v.toStdString();
}

void audit(const Clients &c, const QString &action, const QString &target, const json &after, const QString &reason = {})
{
    if (!c.audit)
        return;
    Records::AuditRecord r;
    r.actor = c.actor;
    r.action = action;
    r.target = target;
    r.service = c.flags ? c.flags->backendName() : u"flags"_s;
    r.after = after;
    r.reason = reason;
    (void)c.audit->append(r); // a failed audit write does not undo a restore that happened: the run journal holds it too
}

} // namespace

QString RestorePlan::describe() const
{
    QString out = u"Restore of run %1 (scope %2)\n"_s.arg(runId, scope);
    for (int i = 0; i < steps.size(); ++i) {
        const RestoreStep &st = steps[i];
        out += st.edits ? u"  %1. %2 — undo %3 strategy edit(s) for %4, each re-read first\n"_s.arg(i + 1)
                              .arg(st.flag)
                              .arg(st.edits->edits.size())
                              .arg(st.edits->change.scope.describe())
                        : u"  %1. %2 — turn it back on in %3 (the run turned it off for the whole environment)\n"_s.arg(i + 1).arg(
                              st.flag, st.on.environment);
    }
    for (const QString &n : notes)
        out += u"  note: "_s + n + u'\n';
    for (const QString &r : refusals)
        out += u"  REFUSED: "_s + r + u'\n';
    return out;
}

json RestorePlan::toJson() const
{
    json list = json::array();
    for (const RestoreStep &st : steps) {
        json one = {{"flag", s(st.flag)}};
        if (st.edits)
            one["edits"] = st.edits->toJson();
        else
            one["on"] = st.on.toJson();
        list.push_back(one);
    }
    json r = json::array(), n = json::array();
    for (const QString &x : refusals)
        r.push_back(s(x));
    for (const QString &x : notes)
        n.push_back(s(x));
    return {{"run", s(runId)}, {"scope", s(scope)}, {"steps", list}, {"refusals", r}, {"notes", n}, {"executable", executable()}};
}

RestorePlan restorePlan(const RunJournal &journal)
{
    RestorePlan out;
    out.runId = journal.runId();
    out.scope = QString::fromStdString(journal.begin().value("scope", ""));
    const auto plan = Plan::fromJson(journal.begin().value("plan", json()));
    if (!plan) {
        out.refusals << u"the run's plan cannot be read: "_s + plan.error().message;
        return out;
    }
    if (!journal.finished())
        out.refusals << u"run %1 is still in progress: finish it (`raize-console rollback resume`) or abort it first"_s.arg(out.runId);
    for (int i = 0; i < plan->steps.size(); ++i) {
        const Step &st = plan->steps[i];
        const auto *change = st.as<Services::ServeChange>();
        if (st.kind != Step::Kind::DisableFlag || !change)
            continue;
        const StepPhase phase = journal.phase(i);
        const json edits = journal.editsFor(i);
        if (phase == StepPhase::Pending || phase == StepPhase::Skipped) {
            if (edits.is_null())
                continue; // never sent: nothing to restore
        }
        RestoreStep r;
        r.flag = change->flag;
        if (!change->scope.global()) {
            if (edits.is_null()) {
                if (phase != StepPhase::Done)
                    continue; // failed before any edit was written ahead: nothing was changed
                out.refusals << u"%1: the journal holds no strategy edits for its scoped change, so the console cannot undo it exactly; restore it in the flag service by hand"_s.arg(change->flag);
                continue;
            }
            const auto parsed = Services::ServeEdits::fromJson(edits);
            if (!parsed) {
                out.refusals << u"%1: the journal's strategy edits cannot be read"_s.arg(change->flag);
                continue;
            }
            if (parsed->edits.isEmpty())
                continue; // the flag was already off for the scope: nothing was changed
            r.edits = *parsed;
        } else {
            r.on = *change;
            r.on.on = true;
        }
        out.steps << r;
    }
    for (const json &rec : journal.records()) {
        if (rec.value("event", "") == "restored")
            out.notes << u"this run was restored before (%1): restoring again re-checks every flag and changes nothing already restored"_s.arg(
                QString::fromStdString(rec.value("at", "")));
    }
    if (plan->option != Plan::Option::A_Flags && !plan->rollbackTarget.isEmpty())
        out.notes << u"the run also rolled production back to %1: the flags come back on that code; the fix reaches production through a promotion"_s.arg(plan->rollbackTarget);
    if (out.steps.isEmpty() && out.refusals.isEmpty())
        out.refusals << u"run %1 turned no flag off: nothing to restore"_s.arg(out.runId);
    return out;
}

Status checkPullRequestUrl(const QString &url)
{
    static const QRegularExpression pr(u"^https://github\\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/pull/[0-9]+/?$"_s);
    if (url.isEmpty() || pr.match(url).hasMatch())
        return okStatus();
    return Error::make(Error::Kind::Config, u"console"_s, u"“%1” is not a GitHub pull request link"_s.arg(url),
                       u"Give the fix-forward pull request as https://github.com/OWNER/REPO/pull/NUMBER."_s);
}

void runRestore(RunJournal &journal, const RestorePlan &plan, const Clients &clients, const QString &pullRequest,
                std::function<void(const Result<json> &)> done)
{
    if (!plan.executable())
        return done(Error::make(Error::Kind::Refused, u"console"_s, plan.refusals.join(u"; "_s), u"Nothing was changed."_s));
    if (const Status ok = checkPullRequestUrl(pullRequest); !ok)
        return done(ok.error());
    if (!clients.flags)
        return done(Error::make(Error::Kind::Config, u"console"_s, u"no flag service configured"_s, u"Set the flag service in Settings."_s));
    if (const Status w = journal.append({{"event", "restore-intent"}, {"pr", s(pullRequest)}, {"plan", plan.toJson()}}); !w)
        return done(w.error());
    struct State
    {
        int next = 0;
        json restored = json::array();
        std::function<void()> step;
    };
    auto st = std::make_shared<State>();
    RunJournal *j = &journal;
    const auto fail = [j, clients, plan, pullRequest, done](const QString &flag, const Error &e) {
        j->append({{"event", "restore-failed"}, {"flag", s(flag)}, {"error", s(e.toString())}});
        audit(clients, u"rollback.restore.failed"_s, plan.runId, {{"flag", s(flag)}, {"error", s(e.toString())}, {"pr", s(pullRequest)}});
        done(e);
    };
    // The step holds its state weakly (no cycle); the pending flag call holds it strongly.
    st->step = [weak = std::weak_ptr<State>(st), j, clients, plan, pullRequest, done, fail] {
        const std::shared_ptr<State> st = weak.lock();
        if (!st)
            return;
        if (st->next >= plan.steps.size()) {
            const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
            j->append({{"event", "restored"}, {"at", s(at)}, {"pr", s(pullRequest)}, {"flags", st->restored}});
            audit(clients, u"rollback.restore"_s, plan.runId, {{"flags", st->restored}, {"pr", s(pullRequest)}, {"scope", s(plan.scope)}},
                  pullRequest.isEmpty() ? u"patch forward"_s : u"patch forward: "_s + pullRequest);
            return done(json{{"run", s(plan.runId)}, {"flags", st->restored}, {"pr", s(pullRequest)}, {"at", s(at)}});
        }
        const RestoreStep &r = plan.steps[st->next];
        const auto after = [st, r, clients, fail](const Status &result) {
            if (!result)
                return fail(r.flag, result.error());
            st->restored.push_back(r.flag.toStdString());
            audit(clients, u"flag.restore"_s, r.flag,
                  r.edits ? json{{"edits", r.edits->toJson()}} : json{{"on", r.on.toJson()}});
            ++st->next;
            st->step();
        };
        if (r.edits)
            clients.flags->applyEdits(*r.edits, true, after);
        else
            clients.flags->serve(r.on, after);
    };
    st->step();
}

} // namespace Raize::Rollback
