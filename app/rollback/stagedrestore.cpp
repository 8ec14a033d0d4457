#include "rollback/stagedrestore.h"

#include "records/auditlog.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QDateTime>
#include <QRegularExpression>

#include <algorithm>
#include <memory>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

std::string s(const QString &v)
{
    return v.toStdString();
}

QString q(const json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? QString::fromStdString(j[key].get<std::string>()) : QString();
}

json strings(const QStringList &list)
{
    json out = json::array();
    for (const QString &x : list)
        out.push_back(s(x));
    return out;
}

QStringList stringsOf(const json &j)
{
    QStringList out;
    if (j.is_array()) {
        for (const json &x : j) {
            if (x.is_string())
                out << QString::fromStdString(x.get<std::string>());
        }
    }
    return out;
}

json stepToJson(const RestoreStep &st)
{
    json one = {{"flag", s(st.flag)}};
    if (st.edits) {
        one["edits"] = st.edits->toJson();
        one["forward"] = st.forward;
    } else {
        one["on"] = st.on.toJson();
    }
    return one;
}

std::optional<RestoreStep> stepFromJson(const json &j)
{
    if (!j.is_object())
        return std::nullopt;
    RestoreStep st;
    st.flag = q(j, "flag");
    if (j.contains("edits")) {
        const auto e = Services::ServeEdits::fromJson(j["edits"]);
        if (!e)
            return std::nullopt;
        st.edits = *e;
        st.forward = j.value("forward", false);
    } else {
        const auto on = Services::ServeChange::fromJson(j.value("on", json()));
        if (!on)
            return std::nullopt;
        st.on = *on;
    }
    return st;
}

// Which stage serves a value of a context field again: the stage whose cohort
// holds it; a client or account no cohort lists belongs to the "*" cohort;
// a lane (or any field the cohorts do not split) to the last stage.
int stageOf(const QString &field, const QString &value, const QList<Release::RolloutStage> &stages, const QList<Release::Cohort> &cohorts)
{
    const int last = int(stages.size()) - 1;
    const auto cohortById = [&](const QString &id) -> const Release::Cohort * {
        for (const Release::Cohort &c : cohorts) {
            if (c.id == id)
                return &c;
        }
        return nullptr;
    };
    if (field == u"cohort"_s) {
        for (int i = 0; i < stages.size(); ++i) {
            if (stages[i].cohortId == value)
                return i;
        }
        return last;
    }
    QStringList Release::Cohort::*list = nullptr;
    if (field == u"clientId"_s)
        list = &Release::Cohort::clientIds;
    else if (field == u"platformAccount"_s)
        list = &Release::Cohort::platformAccountIds;
    else
        return last;
    int wildcard = -1;
    for (int i = 0; i < stages.size(); ++i) {
        const Release::Cohort *c = cohortById(stages[i].cohortId);
        if (!c)
            continue;
        if ((c->*list).contains(value))
            return i;
        if (wildcard < 0 && (c->*list) == QStringList{u"*"_s})
            wildcard = i;
    }
    return wildcard >= 0 ? wildcard : last;
}

QString memberText(const QString &field, const QString &value)
{
    if (field == u"clientId"_s)
        return u"client "_s + value;
    if (field == u"platformAccount"_s)
        return u"account "_s + value;
    if (field == u"cohort"_s)
        return u"cohort "_s + value;
    if (field == u"lane"_s)
        return u"lane "_s + value;
    return field + u' ' + value;
}

// The exclusions a rollback edit added: its `after` constraints that `before` does not hold.
QList<json> addedConstraints(const Services::ServeEdit &e)
{
    QList<json> out;
    if (!e.before.is_object() || !e.after.is_object())
        return out;
    const json &had = e.before.value("constraints", json::array());
    for (const json &c : e.after.value("constraints", json::array())) {
        if (std::find(had.begin(), had.end(), c) == had.end())
            out << c;
    }
    return out;
}

// The body of a rollback-edited strategy once the values of stages up to `upTo` are served again.
json bodyAtStage(const Services::ServeEdit &e, int upTo, const QList<Release::RolloutStage> &stages, const QList<Release::Cohort> &cohorts)
{
    const QList<json> added = addedConstraints(e);
    json body = e.before;
    json constraints = e.before.value("constraints", json::array());
    for (const json &c : added) {
        const QString field = q(c, "contextName");
        json kept = json::array();
        for (const json &v : c.value("values", json::array())) {
            if (!v.is_string() || stageOf(field, QString::fromStdString(v.get<std::string>()), stages, cohorts) > upTo)
                kept.push_back(v);
        }
        if (kept.empty())
            continue;
        json one = c;
        one["values"] = kept;
        constraints.push_back(one);
    }
    body["constraints"] = constraints;
    return body;
}

void audit(const Clients &c, const QString &action, const QString &target, const json &after, const QString &reason)
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
    (void)c.audit->append(r); // the run journal holds the restore too
}

} // namespace

int StagedRestorePlan::lastStageWithSteps() const
{
    for (int i = int(stages.size()) - 1; i >= 0; --i) {
        if (!stages[i].empty())
            return i;
    }
    return -1;
}

QStringList StagedRestorePlan::servedCohorts(int stage) const
{
    QStringList out;
    for (int i = 0; i <= stage && i < stages.size(); ++i) {
        if (!stages[i].empty() && !stages[i].cohortId.isEmpty() && !out.contains(stages[i].cohortId))
            out << stages[i].cohortId;
    }
    return out;
}

QString StagedRestorePlan::describe() const
{
    QString out = u"Restore of run %1 (scope %2) through %3 canary stage(s)\n"_s.arg(runId, scope).arg(stages.size());
    for (int i = 0; i < stages.size(); ++i) {
        const RestoreStage &st = stages[i];
        out += u"  stage %1 %2 (%3): %4\n"_s.arg(i + 1).arg(st.id, st.name,
                                                         st.empty() ? u"nothing to serve again"_s : st.members.join(u", "_s));
        for (const RestoreStep &r : st.steps) {
            if (!r.edits)
                out += u"    %1 — on again in %2 (as before the rollback)\n"_s.arg(r.flag, r.on.environment);
            else if (!r.forward)
                out += u"    %1 — undo %2 rule edit(s) whole\n"_s.arg(r.flag).arg(r.edits->edits.size());
            else
                out += u"    %1 — %2 strategy edit(s)\n"_s.arg(r.flag).arg(r.edits->edits.size());
        }
    }
    for (const QString &n : notes)
        out += u"  note: "_s + n + u'\n';
    for (const QString &r : refusals)
        out += u"  REFUSED: "_s + r + u'\n';
    return out;
}

json StagedRestorePlan::toJson() const
{
    json list = json::array();
    for (const RestoreStage &st : stages) {
        json steps = json::array();
        for (const RestoreStep &r : st.steps)
            steps.push_back(stepToJson(r));
        list.push_back({{"id", s(st.id)}, {"name", s(st.name)}, {"cohort", s(st.cohortId)}, {"members", strings(st.members)}, {"steps", steps}});
    }
    return {{"run", s(runId)},         {"scope", s(scope)},          {"environment", s(environment)}, {"stages", list},
            {"refusals", strings(refusals)}, {"notes", strings(notes)}, {"executable", executable()}};
}

std::optional<StagedRestorePlan> StagedRestorePlan::fromJson(const json &j)
{
    if (!j.is_object() || !j.contains("stages") || !j["stages"].is_array())
        return std::nullopt;
    StagedRestorePlan p;
    p.runId = q(j, "run");
    p.scope = q(j, "scope");
    p.environment = q(j, "environment");
    p.refusals = stringsOf(j.value("refusals", json()));
    p.notes = stringsOf(j.value("notes", json()));
    for (const json &st : j["stages"]) {
        RestoreStage r;
        r.id = q(st, "id");
        r.name = q(st, "name");
        r.cohortId = q(st, "cohort");
        r.members = stringsOf(st.value("members", json()));
        for (const json &step : st.value("steps", json::array())) {
            const auto one = stepFromJson(step);
            if (!one)
                return std::nullopt;
            r.steps << *one;
        }
        p.stages << r;
    }
    return p;
}

StagedRestorePlan stagedRestorePlan(const RestorePlan &plan, const QList<Release::RolloutStage> &allStages,
                                    const QList<Release::Cohort> &cohorts, const QList<Services::FlagState> &flagsNow)
{
    StagedRestorePlan out;
    out.runId = plan.runId;
    out.scope = plan.scope;
    out.refusals = plan.refusals;
    out.notes = plan.notes;
    QList<Release::RolloutStage> stages;
    for (const Release::RolloutStage &st : allStages) {
        if (!st.cohortId.isEmpty())
            stages << st;
    }
    if (stages.isEmpty()) {
        out.refusals << u"the policy's rollout has no canary stage with a cohort: the way back has no stages to follow"_s;
        return out;
    }
    for (const Release::RolloutStage &st : stages)
        out.stages << RestoreStage{st.id, st.name, st.cohortId, {}, {}};
    const int last = int(stages.size()) - 1;
    const auto addMember = [&](int stage, const QString &text) {
        if (!out.stages[stage].members.contains(text))
            out.stages[stage].members << text;
    };
    QList<QPair<RestoreStep, int>> globals; // placed last: a parent moves to its first child's stage
    QHash<QString, int> firstStage;         // flag → the first stage that serves it again

    for (const RestoreStep &step : plan.steps) {
        if (out.environment.isEmpty())
            out.environment = step.edits ? step.edits->change.environment : step.on.environment;
        if (!step.edits) {
            // Off for the whole environment: the strategies are as they were; it comes back on where they all reach.
            const auto f = std::find_if(flagsNow.cbegin(), flagsNow.cend(), [&](const Services::FlagState &x) { return x.key == step.flag; });
            int at = -1;
            QString why;
            if (f == flagsNow.cend()) {
                at = last;
                out.notes << u"%1: its strategies could not be read, so it comes back on at the last stage"_s.arg(step.flag);
            } else {
                for (const Services::FlagStrategy &st : f->strategies) {
                    if (st.disabled)
                        continue;
                    const bool restricted = !st.scope.clientIds.isEmpty() || !st.scope.platformAccountIds.isEmpty() || !st.scope.cohorts.isEmpty();
                    if (!restricted || !st.scope.other.isEmpty()) {
                        at = last; // everyone, or constraints the console does not split by cohort
                        continue;
                    }
                    for (int i = 0; i < stages.size(); ++i) {
                        const auto c = std::find_if(cohorts.cbegin(), cohorts.cend(), [&](const Release::Cohort &x) { return x.id == stages[i].cohortId; });
                        if (c != cohorts.cend() && Release::scopeReaches(st.scope, *c, cohorts))
                            at = std::max(at, i);
                    }
                }
                if (at < 0)
                    at = last; // no strategy reaches a cohort: served to no cohort, on again at the end
            }
            globals << qMakePair(step, at);
            firstStage[step.flag] = at;
            continue;
        }
        const Services::ServeEdits &edits = *step.edits;
        // Which stage serves each value again, per field.
        int lastOfStep = -1;
        bool splittable = edits.backend == u"unleash"_s;
        for (const Services::ServeEdit &e : edits.edits) {
            if (!e.before.is_object() || !e.after.is_object())
                splittable = false;
            for (const json &c : addedConstraints(e)) {
                if (q(c, "operator") != u"NOT_IN"_s)
                    splittable = false;
                const QString field = q(c, "contextName");
                for (const json &v : c.value("values", json::array())) {
                    const QString value = v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString();
                    const int at = stageOf(field, value, stages, cohorts);
                    lastOfStep = std::max(lastOfStep, at);
                    addMember(at, memberText(field, value));
                }
            }
        }
        if (!splittable) {
            // Rules the console cannot narrow value by value: undone whole where the last member is served again.
            const Services::FlagScope &sc = edits.change.scope;
            int at = -1;
            for (const QString &c : sc.clientIds)
                at = std::max(at, stageOf(u"clientId"_s, c, stages, cohorts));
            for (const QString &a : sc.platformAccountIds)
                at = std::max(at, stageOf(u"platformAccount"_s, a, stages, cohorts));
            for (const QString &c : sc.cohorts)
                at = std::max(at, stageOf(u"cohort"_s, c, stages, cohorts));
            if (!sc.lane.isEmpty() || at < 0)
                at = last;
            RestoreStep whole = step;
            whole.forward = false;
            out.stages[at].steps << whole;
            firstStage[step.flag] = at;
            addMember(at, u"%1: %2 whole"_s.arg(step.flag, sc.describe()));
            continue;
        }
        if (lastOfStep < 0)
            continue; // the edits added nothing: nothing to serve again
        // Forward edits stage by stage: before is what the previous stage left, after what this one serves.
        for (int k = 0; k <= lastOfStep; ++k) {
            Services::ServeEdits forward;
            forward.change = edits.change;
            forward.change.on = true;
            forward.backend = edits.backend;
            for (const Services::ServeEdit &e : edits.edits) {
                const json from = k == 0 ? e.after : bodyAtStage(e, k - 1, stages, cohorts);
                // The stage of the strategy's last value ends exactly at its body before the rollback.
                const json to = k >= lastOfStep ? e.before : bodyAtStage(e, k, stages, cohorts);
                if (from != to)
                    forward.edits << Services::ServeEdit{e.target, from, to};
            }
            if (forward.edits.isEmpty())
                continue;
            if (!firstStage.contains(step.flag))
                firstStage[step.flag] = k;
            RestoreStep r;
            r.flag = step.flag;
            r.edits = forward;
            r.forward = true;
            r.on = step.on;
            out.stages[k].steps << r;
        }
    }
    // A flag other restored flags depend on (the kill-switch parent, Unleash dependencies, LaunchDarkly
    // prerequisites) comes back at its first dependant's stage: on alone it serves nothing, and its
    // dependants the rollback stopped are off themselves until their own stage.
    for (auto [step, at] : globals) {
        for (const Services::FlagState &f : flagsNow) {
            if (!firstStage.contains(f.key) || f.key == step.flag)
                continue;
            for (const Services::FlagDependency &d : f.dependencies) {
                if (d.feature == step.flag && d.enabled && firstStage.value(f.key) < at) {
                    at = firstStage.value(f.key);
                    out.notes << u"%1 comes back at stage %2 with %3, which depends on it"_s.arg(step.flag).arg(at + 1).arg(f.key);
                }
            }
        }
        out.stages[at].steps << step;
        addMember(at, u"%1 on as before"_s.arg(step.flag));
    }
    if (out.executable() && out.lastStageWithSteps() < 0)
        out.refusals << u"run %1 turned nothing off that a canary stage serves again: nothing to restore"_s.arg(out.runId);
    for (int i = 0; i < out.stages.size(); ++i) {
        if (out.stages[i].empty() && i < out.lastStageWithSteps())
            out.notes << u"stage %1 (%2) has no member of the rollback's scope: it is passed through once the stage before is judged"_s.arg(i + 1).arg(out.stages[i].name);
    }
    return out;
}

void prepareStagedRestore(const RestorePlan &plan, const QList<Release::RolloutStage> &stages, const QList<Release::Cohort> &cohorts,
                          const Clients &clients, std::function<void(const StagedRestorePlan &)> done)
{
    struct State
    {
        QList<RestoreStep> pending;
        QList<Services::FlagState> read;
        std::function<void()> next;
    };
    auto st = std::make_shared<State>();
    for (const RestoreStep &r : plan.steps)
        st->pending << r; // global steps: their strategies; every step: what it depends on
    Services::FlagService *flags = clients.flags;
    st->next = [weak = std::weak_ptr<State>(st), flags, plan, stages, cohorts, done] {
        const std::shared_ptr<State> self = weak.lock();
        if (!self)
            return;
        if (self->pending.isEmpty() || !flags)
            return done(stagedRestorePlan(plan, stages, cohorts, self->read));
        const RestoreStep r = self->pending.takeFirst();
        flags->flag(r.flag, r.edits ? r.edits->change.environment : r.on.environment, [self](const Result<Services::FlagState> &f) {
            if (f)
                self->read << *f;
            self->next();
        });
    };
    st->next();
}

QString StageJudgement::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Advance:
        return u"advance"_s;
    case Kind::Hold:
        return u"hold"_s;
    case Kind::NotEnoughData:
        return u"not-enough-data"_s;
    }
    return {};
}

StageJudgement judgeRestoreStage(const QStringList &servedCohorts, const QHash<QString, QList<Slo::AlertVerdict>> &verdicts,
                                 const QList<Slo::SloSpec> &slos)
{
    StageJudgement j;
    if (servedCohorts.isEmpty()) {
        j.kind = StageJudgement::Kind::Advance;
        j.headline = u"nothing is served again yet: the first stage needs no burn verdict"_s;
        return j;
    }
    if (slos.isEmpty()) {
        j.kind = StageJudgement::Kind::NotEnoughData;
        j.headline = u"hold: not enough data — no SLO verdict is available to judge %1 by (the rollout monitor has none)"_s.arg(servedCohorts.join(u", "_s));
        return j;
    }
    QStringList fired, lacking, healthy;
    for (const QString &cohort : servedCohorts) {
        const QList<Slo::AlertVerdict> list = verdicts.value(cohort);
        for (const Slo::SloSpec &spec : slos) {
            const QString title = spec.title.isEmpty() ? spec.id : spec.title;
            const auto v = std::find_if(list.cbegin(), list.cend(), [&](const Slo::AlertVerdict &x) { return x.sloId == spec.id; });
            if (v == list.cend()) {
                lacking << u"%1 · %2: no data was read"_s.arg(cohort, title);
                continue;
            }
            bool anyFired = false;
            for (const Slo::RuleVerdict &r : v->rules) {
                if (r.state == Slo::RuleState::Fired) {
                    anyFired = true;
                    fired << u"%1 · %2: %3 fired — %4× over the long window, %5× over the short"_s.arg(cohort, title, r.rule.name())
                                 .arg(r.longBurn, 0, 'f', 1)
                                 .arg(r.shortBurn, 0, 'f', 1);
                }
            }
            if (anyFired || v->severity == Slo::Severity::Page || v->severity == Slo::Severity::Ticket) {
                if (!anyFired)
                    fired << u"%1 · %2: %3"_s.arg(cohort, title, Slo::severityName(v->severity));
            } else if (v->severity == Slo::Severity::NotEnoughData) {
                lacking << u"%1 · %2: not enough events to judge"_s.arg(cohort, title);
            } else {
                healthy << u"%1 · %2: inside the policy"_s.arg(cohort, title);
            }
        }
    }
    j.evidence << fired << lacking << healthy;
    if (!fired.isEmpty()) {
        j.kind = StageJudgement::Kind::Hold;
        j.headline = u"hold: the error budget burns too fast where the flags are served again (%1)"_s.arg(fired.first());
    } else if (!lacking.isEmpty()) {
        j.kind = StageJudgement::Kind::NotEnoughData;
        j.headline = u"hold: not enough data to call %1 healthy (%2)"_s.arg(servedCohorts.join(u", "_s), lacking.first());
    } else {
        j.kind = StageJudgement::Kind::Advance;
        j.headline = u"advance: every burn rate of %1 is inside the policy"_s.arg(servedCohorts.join(u", "_s));
    }
    return j;
}

QString FixForward::url() const
{
    return repo.isEmpty() || number <= 0 ? QString() : u"https://github.com/%1/pull/%2"_s.arg(repo).arg(number);
}

json FixForward::toJson() const
{
    return {{"number", number},  {"repo", s(repo)},         {"url", s(url())},   {"title", s(title)},
            {"read", read},      {"missing", missing}, {"merged", merged},        {"mergeSha", s(mergeSha)},
            {"productionDeployment", s(productionDeployment)}, {"productionSha", s(productionSha)},
            {"comparison", s(comparison)}, {"deployed", deployed()}, {"error", s(error)}};
}

Result<int> parsePullRequestRef(const QString &text, const QString &repo)
{
    static const QRegularExpression number(u"^#?([1-9][0-9]{0,8})$"_s);
    static const QRegularExpression link(u"^https://github\\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/pull/([1-9][0-9]{0,8})/?$"_s);
    const QString t = text.trimmed();
    if (const auto m = number.match(t); m.hasMatch())
        return m.captured(1).toInt();
    if (const auto m = link.match(t); m.hasMatch()) {
        if (!repo.isEmpty() && m.captured(1).compare(repo, Qt::CaseInsensitive) != 0)
            return Error::make(Error::Kind::Config, u"console"_s, u"%1 is a pull request of %2, not of %3"_s.arg(t, m.captured(1), repo),
                               u"Link the fix-forward pull request of the profile's repository (%1), by number or link."_s.arg(repo));
        return m.captured(2).toInt();
    }
    return Error::make(Error::Kind::Config, u"console"_s,
                       t.isEmpty() ? u"no fix-forward pull request was given"_s : u"“%1” is not a pull request number or link"_s.arg(t),
                       u"Give the fix-forward pull request as its number (431) or link (https://github.com/OWNER/REPO/pull/431)."_s);
}

FixForwardVerdict judgeFixForward(const FixForward &fix, bool overrideAllowed, const QString &overrideReason, int minReasonChars)
{
    FixForwardVerdict v;
    const QString pr = fix.number > 0 ? u"#%1"_s.arg(fix.number) : u"the pull request"_s;
    if (fix.missing) {
        v.reason = u"%1 has no pull request %2"_s.arg(fix.repo.isEmpty() ? u"the repository"_s : fix.repo, pr);
        v.remedy = u"Link the fix-forward pull request that exists (its number or link); no override links a restore to nothing."_s;
        return v;
    }
    if (!fix.error.isEmpty() && !fix.read)
        v.reason = u"%1 could not be read: %2"_s.arg(pr, fix.error);
    else if (!fix.merged)
        v.reason = u"%1 (%2) is not merged: its fix is in no deployment"_s.arg(pr, fix.title);
    else if (fix.comparison.isEmpty())
        v.reason = u"whether production's deployment %1 contains %2's merge commit %3 is unknown: %4"_s.arg(
            fix.productionDeployment.isEmpty() ? u"(unread)"_s : fix.productionDeployment, pr, fix.mergeSha.left(7),
            fix.error.isEmpty() ? u"not compared"_s : fix.error);
    else if (!fix.deployed())
        v.reason = u"production's deployment %1 (%2) does not contain %3's merge commit %4 (GitHub compares it as %5)"_s.arg(
            fix.productionDeployment, fix.productionSha.left(7), pr, fix.mergeSha.left(7), fix.comparison);
    else {
        v.ok = true;
        v.reason = u"%1 is merged (%2) and production's deployment %3 contains it"_s.arg(pr, fix.mergeSha.left(7), fix.productionDeployment);
        return v;
    }
    if (!overrideAllowed) {
        v.remedy = u"Deploy the fix to production first (promote it), then restore. The policy (rollback.restore.withoutFix) allows no override."_s;
        return v;
    }
    if (overrideReason.trimmed().size() >= minReasonChars) {
        v.ok = true;
        v.overridden = true;
        v.reason = u"overridden (%1): %2"_s.arg(overrideReason.trimmed(), v.reason);
        return v;
    }
    v.remedy = u"Deploy the fix to production first, or override with a reason of at least %1 characters (the policy allows it)."_s.arg(minReasonChars);
    return v;
}

void readFixForward(const Clients &clients, int number, std::function<void(const FixForward &)> done)
{
    auto fix = std::make_shared<FixForward>();
    fix->number = number;
    if (!clients.github) {
        fix->error = u"GitHub is not configured for this profile"_s;
        return done(*fix);
    }
    fix->repo = clients.github->fullName();
    Services::GitHubClient *github = clients.github;
    Services::VercelClient *vercel = clients.vercel;
    github->pullRequest(number, [fix, github, vercel, done](const Result<Services::GitHubPullRequest> &pr) {
        if (!pr) {
            fix->error = pr.error().toString();
            fix->missing = pr.error().httpStatus == 404;
            return done(*fix);
        }
        fix->read = true;
        fix->title = pr->title;
        fix->merged = pr->merged();
        fix->mergeSha = pr->mergeCommitSha;
        if (!fix->merged || !vercel)
            return done(*fix);
        vercel->project([fix, github, done](const Result<Services::VercelProject> &p) {
            if (!p || !p->production) {
                fix->error = p ? u"Vercel names no production deployment"_s : p.error().toString();
                return done(*fix);
            }
            fix->productionDeployment = p->production->id;
            fix->productionSha = p->production->sha;
            if (fix->productionSha.isEmpty()) {
                fix->error = u"production's deployment %1 names no commit"_s.arg(fix->productionDeployment);
                return done(*fix);
            }
            github->compare(fix->mergeSha, fix->productionSha, [fix, done](const Result<Services::GitHubComparison> &c) {
                if (!c)
                    fix->error = c.error().toString();
                else
                    fix->comparison = c->status;
                done(*fix);
            });
        });
    });
}

RestoreProgress restoreProgress(const RunJournal &journal)
{
    RestoreProgress p;
    for (const json &rec : journal.records()) {
        const std::string event = rec.value("event", "");
        if (event == "restore-plan") {
            p.plan = StagedRestorePlan::fromJson(rec.value("plan", json()));
            p.pullRequest = rec.value("pr", 0);
            p.done.clear();
            p.complete = p.aborted = false;
        } else if (event == "restore-stage" && p.plan) {
            p.done.insert(rec.value("stage", -1));
        } else if (event == "restored") {
            p.complete = true; // staged, or (without a plan) restored in one go by an earlier console
        } else if (event == "restore-aborted" && p.plan) {
            p.aborted = true;
        }
    }
    if (p.plan && !p.complete && !p.aborted) {
        for (int i = 0; i < p.plan->stages.size(); ++i) {
            if (!p.done.contains(i)) {
                p.next = i;
                break;
            }
        }
        if (p.next > p.plan->lastStageWithSteps())
            p.next = -1;
    }
    return p;
}

void runRestoreStage(RunJournal &journal, const StagedRestorePlan &plan, int stage, const Clients &clients, const FixForward &fix,
                     const QString &overrideReason, std::function<void(const Result<json> &)> done)
{
    if (!plan.executable())
        return done(Error::make(Error::Kind::Refused, u"console"_s, plan.refusals.join(u"; "_s), u"Nothing was changed."_s));
    if (stage < 0 || stage >= plan.stages.size())
        return done(Error::make(Error::Kind::Config, u"console"_s, u"stage %1 is not a stage of the restore"_s.arg(stage + 1),
                                u"Pick one of the %1 stages."_s.arg(plan.stages.size())));
    if (!clients.flags)
        return done(Error::make(Error::Kind::Config, u"console"_s, u"no flag service configured"_s, u"Set the flag service in Settings."_s));
    const RestoreProgress progress = restoreProgress(journal);
    if (!progress.plan) {
        if (stage != 0)
            return done(Error::make(Error::Kind::Refused, u"console"_s, u"the way back starts at stage 1"_s, u"Restore stage 1 first."_s));
        if (const Status w = journal.append({{"event", "restore-plan"},
                                             {"pr", fix.number},
                                             {"fix", fix.toJson()},
                                             {"override", s(overrideReason)},
                                             {"plan", plan.toJson()}});
            !w)
            return done(w.error());
    } else if (progress.complete || progress.aborted) {
        return done(Error::make(Error::Kind::Refused, u"console"_s,
                                progress.complete ? u"run %1's way back is complete"_s.arg(plan.runId) : u"run %1's way back was aborted"_s.arg(plan.runId),
                                u"Nothing was changed."_s));
    } else if (stage != progress.next) {
        return done(Error::make(Error::Kind::Refused, u"console"_s,
                                u"stage %1 is not the next stage of the way back (stage %2 is)"_s.arg(stage + 1).arg(progress.next + 1),
                                u"Restore the stages in order."_s));
    }
    const QString pr = fix.url().isEmpty() ? u"#%1"_s.arg(fix.number) : fix.url();
    const QString reason = u"patch forward: "_s + pr;
    const RestoreStage &st = plan.stages[stage];
    if (const Status w = journal.append({{"event", "restore-stage-intent"}, {"stage", stage}, {"id", s(st.id)}, {"pr", fix.number}}); !w)
        return done(w.error());
    struct State
    {
        int next = 0;
        json restored = json::array();
        std::function<void()> step;
    };
    auto state = std::make_shared<State>();
    RunJournal *j = &journal;
    const auto fail = [j, clients, plan, stage, pr, reason, done](const QString &flag, const Error &e) {
        j->append({{"event", "restore-failed"}, {"stage", stage}, {"flag", s(flag)}, {"error", s(e.toString())}});
        audit(clients, u"rollback.restore.failed"_s, plan.runId,
              {{"stage", stage + 1}, {"flag", s(flag)}, {"error", s(e.toString())}, {"pr", s(pr)}}, reason);
        done(e);
    };
    state->step = [weak = std::weak_ptr<State>(state), j, clients, plan, stage, pr, reason, done, fail] {
        const std::shared_ptr<State> self = weak.lock();
        if (!self)
            return;
        const RestoreStage &st = plan.stages[stage];
        if (self->next >= st.steps.size()) {
            const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
            j->append({{"event", "restore-stage"}, {"stage", stage}, {"id", s(st.id)}, {"at", s(at)}, {"flags", self->restored}});
            audit(clients, u"rollback.restore.stage"_s, plan.runId,
                  {{"stage", stage + 1}, {"id", s(st.id)}, {"members", strings(st.members)}, {"flags", self->restored}, {"pr", s(pr)}}, reason);
            const bool last = stage >= plan.lastStageWithSteps();
            if (last) {
                j->append({{"event", "restored"}, {"at", s(at)}, {"pr", s(pr)}, {"staged", true}});
                audit(clients, u"rollback.restore"_s, plan.runId, {{"stages", plan.stages.size()}, {"pr", s(pr)}, {"scope", s(plan.scope)}}, reason);
            }
            return done(json{{"run", s(plan.runId)}, {"stage", stage + 1}, {"id", s(st.id)}, {"flags", self->restored},
                             {"complete", last}, {"pr", s(pr)}, {"at", s(at)}});
        }
        const RestoreStep &r = st.steps[self->next];
        const auto after = [self, r, clients, pr, reason, stage, fail](const Status &result) {
            if (!result)
                return fail(r.flag, result.error());
            self->restored.push_back(r.flag.toStdString());
            audit(clients, u"flag.restore"_s, r.flag,
                  {{"stage", stage + 1}, {"pr", s(pr)}, {r.edits ? "edits" : "on", r.edits ? r.edits->toJson() : r.on.toJson()}}, reason);
            ++self->next;
            self->step();
        };
        if (r.edits)
            clients.flags->applyEdits(*r.edits, !r.forward, after);
        else
            clients.flags->serve(r.on, after);
    };
    state->step();
}

Status abortRestore(RunJournal &journal, const Clients &clients, int pullRequest, const QString &reason)
{
    const RestoreProgress p = restoreProgress(journal);
    if (!p.plan || p.complete || p.aborted)
        return Error::make(Error::Kind::Refused, u"console"_s, u"run %1 has no way back in progress"_s.arg(journal.runId()), u"Nothing was changed."_s);
    if (const Status w = journal.append({{"event", "restore-aborted"}, {"pr", pullRequest}, {"reason", s(reason)}, {"stagesDone", p.done.size()}}); !w)
        return w;
    audit(clients, u"rollback.restore.aborted"_s, journal.runId(), {{"pr", pullRequest}, {"stagesDone", p.done.size()}},
          reason.isEmpty() ? u"the operator stopped the way back"_s : reason);
    return okStatus();
}

} // namespace Raize::Rollback
