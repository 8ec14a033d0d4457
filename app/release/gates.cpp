#include "release/gates.h"

#include <QRegularExpression>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

using Status = GateResult::Status;

bool CheckFact::passed() const
{
    static const QStringList ok = {u"success"_s, u"succeeded"_s, u"neutral"_s, u"skipped"_s};
    return status.compare(u"completed"_s, Qt::CaseInsensitive) == 0 && ok.contains(conclusion.toLower());
}

bool CheckFact::running() const
{
    return status.compare(u"completed"_s, Qt::CaseInsensitive) != 0;
}

QString ChangelogOrigin::where() const
{
    return commit.isEmpty() ? file : u"%1@%2"_s.arg(file, commit.left(7));
}

QString GateResult::statusName(Status s)
{
    switch (s) {
    case Status::Pass:
        return u"pass"_s;
    case Status::Fail:
        return u"fail"_s;
    case Status::Unknown:
        return u"unknown"_s;
    }
    return {};
}

bool GateVerdict::blocked() const
{
    return std::any_of(results.cbegin(), results.cend(), [](const GateResult &r) { return r.status != Status::Pass; });
}

QStringList GateVerdict::blockingReasons() const
{
    QStringList out;
    for (const GateResult &r : results) {
        if (r.status != Status::Pass)
            out << u"%1 (%2): %3"_s.arg(r.id, GateResult::statusName(r.status), r.reason);
    }
    return out;
}

const GateResult *GateVerdict::result(const QString &id) const
{
    for (const GateResult &r : results) {
        if (r.id == id)
            return &r;
    }
    return nullptr;
}

json GateVerdict::toJson() const
{
    json gates = json::array();
    for (const GateResult &r : results)
        gates.push_back({{"id", r.id.toStdString()},
                         {"title", r.title.toStdString()},
                         {"status", GateResult::statusName(r.status).toStdString()},
                         {"reason", r.reason.toStdString()},
                         {"evidence", r.evidence.toStdString()},
                         {"overridable", r.overridable},
                         {"unmappedCommits", r.unmappedCommits}});
    json flags = json::array();
    for (const TouchedFlag &f : scope.flags)
        flags.push_back({{"key", f.key.toStdString()}, {"new", f.isNew}, {"sideEffect", f.sideEffect}, {"source", f.source.toStdString()}});
    const auto list = [](const QStringList &l) {
        json a = json::array();
        for (const QString &s : l)
            a.push_back(s.toStdString());
        return a;
    };
    return {{"verdict", blocked() ? "blocked" : "pass"},
            {"level", scope.level ? levelName(*scope.level).toStdString() : "unknown"},
            {"levelReasons", list(scope.levelReasons)},
            {"unmappedCommits", list(scope.unmappedCommits)},
            {"migrations", list(scope.migrations)},
            {"runbooks", list(scope.runbooks)},
            {"flags", flags},
            {"gates", gates},
            {"reasons", list(blockingReasons())}};
}

std::optional<Level> pathLevel(const GatePolicy &policy, const QString &path)
{
    std::optional<Level> level;
    for (const PathRule &rule : policy.pathRules) {
        if (rule.matches(path) && (!level || rule.level > *level))
            level = rule.level;
    }
    return level;
}

namespace {

std::optional<Level> labelLevel(const GatePolicy &policy, const QStringList &labels)
{
    std::optional<Level> level;
    for (const QString &l : labels) {
        if (!l.startsWith(policy.labelPrefix, Qt::CaseInsensitive))
            continue;
        const auto v = levelFromName(l.mid(policy.labelPrefix.size()));
        if (v && (!level || *v > *level))
            level = v;
    }
    return level;
}

// `publishing.x` (new, OFF in production), `engagement.y` → keys and whether each is new.
QList<TouchedFlag> flagsFromField(const QString &value, int line)
{
    static const QRegularExpression flag(uR"re(`([A-Za-z0-9_.:\-]+)`\s*(?:\(([^)]*)\))?)re"_s);
    QList<TouchedFlag> out;
    auto it = flag.globalMatch(value);
    while (it.hasNext()) {
        const auto m = it.next();
        TouchedFlag f;
        f.key = m.captured(1);
        f.isNew = m.captured(2).contains(u"new"_s, Qt::CaseInsensitive);
        f.source = u"changelog line %1"_s.arg(line);
        out << f;
    }
    return out;
}

GateResult make(const GatePolicy &policy, const QString &id, const QString &title)
{
    GateResult r;
    r.id = id;
    r.title = title;
    r.overridable = policy.overridable(id);
    return r;
}

void set(GateResult &r, Status s, const QString &reason, const QString &evidence = {})
{
    r.status = s;
    r.reason = reason;
    if (!evidence.isEmpty())
        r.evidence = evidence;
}

// Required checks against what ran: every name must have completed successfully.
void checkNamed(GateResult &r, const QStringList &required, const Known<QList<CheckFact>> &checks, const QString &what)
{
    if (!checks.known()) {
        set(r, Status::Unknown, u"%1 could not be read: %2"_s.arg(what, checks.error), checks.evidence);
        return;
    }
    QStringList missing, running, failed;
    QString firstBad;
    for (const QString &name : required) {
        const auto it = std::find_if(checks->cbegin(), checks->cend(),
                                     [&](const CheckFact &c) { return c.name.compare(name, Qt::CaseInsensitive) == 0; });
        if (it == checks->cend()) {
            missing << name;
        } else if (it->running()) {
            running << name;
            if (firstBad.isEmpty())
                firstBad = it->url;
        } else if (!it->passed()) {
            failed << u"%1 (%2)"_s.arg(name, it->conclusion.isEmpty() ? u"no conclusion"_s : it->conclusion);
            if (firstBad.isEmpty())
                firstBad = it->url;
        }
    }
    QStringList problems;
    if (!failed.isEmpty())
        problems << u"failed: "_s + failed.join(u", "_s);
    if (!running.isEmpty())
        problems << u"still running: "_s + running.join(u", "_s);
    if (!missing.isEmpty())
        problems << u"never reported: "_s + missing.join(u", "_s);
    if (problems.isEmpty())
        set(r, Status::Pass, u"all %1 required %2 passed"_s.arg(required.size()).arg(what), checks.evidence);
    else
        set(r, Status::Fail, problems.join(u"; "_s), firstBad.isEmpty() ? checks.evidence : firstBad);
}

} // namespace

ReleaseScope scopeOf(const GatePolicy &policy, const ReleaseFacts &facts)
{
    ReleaseScope s;
    std::optional<Level> fromPulls, fromFiles;
    if (facts.pulls.known()) {
        for (const PullFact &p : *facts.pulls) {
            const auto l = labelLevel(policy, p.labels);
            const Level level = l.value_or(policy.unlabelled);
            s.pullLevels.insert(p.number, level);
            s.pullLevelWhy.insert(p.number, l ? u"label %1%2"_s.arg(policy.labelPrefix, levelName(*l))
                                              : u"no %1 label: policy default %2"_s.arg(policy.labelPrefix, levelName(level)));
            if (!fromPulls || level > *fromPulls)
                fromPulls = level;
            if (level == Level::L3)
                s.levelReasons << u"#%1 is L3 (%2)"_s.arg(p.number).arg(s.pullLevelWhy.value(p.number));
            for (const QString &label : p.labels) {
                if (label.startsWith(policy.flagLabelPrefix) && label.size() > policy.flagLabelPrefix.size()) {
                    TouchedFlag f;
                    f.key = label.mid(policy.flagLabelPrefix.size());
                    f.source = u"label on #%1"_s.arg(p.number);
                    s.flags << f;
                }
            }
        }
    }
    if (facts.changedFiles.known()) {
        for (const QString &file : *facts.changedFiles) {
            for (const PathRule &rule : policy.pathRules) {
                if (!rule.matches(file))
                    continue;
                if (rule.kind == PathRule::Kind::Migration && !s.migrations.contains(file))
                    s.migrations << file;
                if (rule.kind == PathRule::Kind::Alert && !s.alertFiles.contains(file))
                    s.alertFiles << file;
                if (rule.kind == PathRule::Kind::Runbook && !s.runbooks.contains(file))
                    s.runbooks << file;
            }
            const auto l = pathLevel(policy, file);
            if (l && (!fromFiles || *l > *fromFiles))
                fromFiles = l;
            if (l == Level::L3)
                s.levelReasons << u"%1 is L3 (path rule)"_s.arg(file);
        }
    }
    if (facts.pulls.known()) {
        for (const CommitFact &c : facts.unmappedCommits)
            s.unmappedCommits << (c.message.isEmpty() ? c.sha.left(7) : u"%1 \"%2\""_s.arg(c.sha.left(7), c.message));
    }
    if (fromPulls == Level::L3 || fromFiles == Level::L3)
        s.level = Level::L3; // nothing unknown can make it riskier
    else if (facts.pulls.known() && facts.changedFiles.known() && s.unmappedCommits.isEmpty())
        s.level = std::max(fromPulls.value_or(Level::L0), fromFiles.value_or(Level::L0));
    if (s.level && s.levelReasons.isEmpty())
        s.levelReasons << u"highest level of the pull requests and path rules: %1"_s.arg(levelName(*s.level));
    // A direct push has no label and no review: the level cannot be read from pull requests it is not in.
    if (!s.unmappedCommits.isEmpty())
        s.levelReasons << u"%1 commit(s) map to no merged pull request: %2"_s.arg(s.unmappedCommits.size()).arg(s.unmappedCommits.join(u", "_s));

    if (facts.changelog.known()) {
        for (const ChangelogFact &e : *facts.changelog) {
            for (const TouchedFlag &f : flagsFromField(e.fields.value(u"Flags"_s), e.line)) {
                auto it = std::find_if(s.flags.begin(), s.flags.end(), [&](const TouchedFlag &o) { return o.key == f.key; });
                if (it == s.flags.end()) {
                    s.flags << f;
                } else if (f.isNew) {
                    it->isNew = true;
                    it->source = f.source;
                }
            }
        }
    }
    for (TouchedFlag &f : s.flags) {
        f.sideEffect = policy.sideEffects.matches(f.key);
    }
    return s;
}

GateVerdict evaluate(const GatePolicy &policy, const ReleaseFacts &facts)
{
    GateVerdict v;
    v.scope = scopeOf(policy, facts);
    const ReleaseScope &scope = v.scope;
    const std::optional<Level> level = scope.level;
    // Commits no merged pull request covers (direct pushes): nothing says what they risk or who reviewed them.
    const bool unmapped = facts.pulls.known() && !scope.unmappedCommits.isEmpty();
    const QString unmappedText =
        u"%1 commit(s) between production and the candidate map to no merged pull request (direct pushes): %2"_s.arg(scope.unmappedCommits.size())
            .arg(scope.unmappedCommits.join(u", "_s));
    const QString acceptHint = policy.unmappedCommits == Override::Allowed
                                   ? u"; review them, then a reviewer may accept them with a reason"_s
                                   : u"; the policy (%1) does not let them be accepted: land them through a pull request"_s.arg(policy.bundleId);
    const QString levelUnknown = !facts.pulls.known()         ? u"the release level is unknown (pull requests: %1)"_s.arg(facts.pulls.error)
                                 : !facts.changedFiles.known() ? u"the release level is unknown (changed files: %1)"_s.arg(facts.changedFiles.error)
                                                               : u"the release level is unknown: "_s + unmappedText + acceptHint;
    const auto markUnmapped = [&](GateResult &r) {
        r.unmappedCommits = true;
        r.overridable = policy.unmappedCommits == Override::Allowed;
    };

    // The candidate itself.
    GateResult ready = make(policy, u"deployment-ready"_s, u"Candidate deployment is READY"_s);
    if (!facts.deployment.known())
        set(ready, Status::Unknown, u"the deployment could not be read: "_s + facts.deployment.error, facts.deployment.evidence);
    else if (facts.deployment->state.compare(u"READY"_s, Qt::CaseInsensitive) != 0)
        set(ready, Status::Fail, u"%1 is %2, not READY"_s.arg(facts.deployment->id, facts.deployment->state), facts.deployment.evidence);
    else
        set(ready, Status::Pass, u"%1 is READY (commit %2)"_s.arg(facts.deployment->id, facts.deployment->sha.left(7)),
            facts.deployment.evidence);
    v.results << ready;

    // §3.3 baseline checks.
    GateResult checks = make(policy, u"status-checks"_s, u"Required status checks (§3.3)"_s);
    checkNamed(checks, policy.requiredChecks, facts.checks, u"status checks"_s);
    v.results << checks;

    // §3.2: main is protected and requires those checks and an up-to-date branch.
    GateResult prot = make(policy, u"branch-protection"_s, u"Branch protection of %1 (§3.2)"_s.arg(policy.branch));
    if (!facts.protection.known()) {
        set(prot, Status::Unknown, u"branch protection could not be read: "_s + facts.protection.error, facts.protection.evidence);
    } else if (facts.protection->unprotected) {
        set(prot, Status::Fail, u"%1 is not protected"_s.arg(policy.branch), facts.protection.evidence);
    } else {
        QStringList want = policy.requiredChecks;
        if (level == Level::L3)
            want += policy.l3Checks;
        QStringList notRequired;
        for (const QString &c : want) {
            if (!facts.protection->contexts.contains(c, Qt::CaseInsensitive))
                notRequired << c;
        }
        QStringList problems;
        if (!notRequired.isEmpty())
            problems << u"does not require %1"_s.arg(notRequired.join(u", "_s));
        if (policy.requireUpToDate && !facts.protection->strict)
            problems << u"does not require the branch to be up to date"_s;
        if (policy.forbidForcePushes && facts.protection->allowForcePushes.value_or(false))
            problems << u"allows force pushes"_s;
        if (problems.isEmpty() && policy.forbidForcePushes && !facts.protection->allowForcePushes)
            set(prot, Status::Unknown, u"GitHub's answer does not say whether %1 allows force pushes (allow_force_pushes)"_s.arg(policy.branch),
                facts.protection.evidence);
        else if (problems.isEmpty())
            set(prot, Status::Pass,
                u"%1 requires the %2 checks%3%4"_s.arg(policy.branch)
                    .arg(want.size())
                    .arg(policy.requireUpToDate ? u" and an up-to-date branch"_s : QString(),
                         policy.forbidForcePushes ? u", and forbids force pushes"_s : QString()),
                facts.protection.evidence);
        else
            set(prot, Status::Fail, u"%1 %2"_s.arg(policy.branch, problems.join(u" and "_s)), facts.protection.evidence);
    }
    v.results << prot;

    // §3.3 L3 extra checks.
    GateResult l3 = make(policy, u"l3-checks"_s, u"L3 extra checks (§3.3)"_s);
    if (!level) {
        set(l3, Status::Unknown, levelUnknown, facts.pulls.evidence);
        if (unmapped && facts.changedFiles.known())
            markUnmapped(l3);
    } else if (*level != Level::L3) {
        set(l3, Status::Pass, u"not required: the release is %1"_s.arg(levelName(*level)));
    } else {
        checkNamed(l3, policy.l3Checks, facts.checks, u"L3 checks"_s);
    }
    v.results << l3;

    // §3.2: minimum reviews, 1 or 2 for L3.
    GateResult reviews = make(policy, u"reviews"_s, u"Pull request reviews (§3.2)"_s);
    if (!level && !unmapped) {
        set(reviews, Status::Unknown, levelUnknown);
    } else if (!facts.pulls.known()) {
        set(reviews, Status::Unknown, u"pull requests could not be read: "_s + facts.pulls.error, facts.pulls.evidence);
    } else {
        // An unknown level asks for the strictest count until it is known.
        const Level reviewLevel = level.value_or(Level::L3);
        const int need = policy.requiredReviews(reviewLevel);
        QStringList short_, unread;
        QString evidence;
        for (const PullFact &p : *facts.pulls) {
            if (!p.approvals) {
                unread << u"#%1"_s.arg(p.number);
            } else if (*p.approvals < need) {
                short_ << u"#%1 has %2 of %3"_s.arg(p.number).arg(*p.approvals).arg(need);
                if (evidence.isEmpty())
                    evidence = p.url;
            }
        }
        // Reviews the API did not report were enforced by branch protection when it requires enough of them.
        const bool enforced = facts.protection.known() && !facts.protection->unprotected && facts.protection->requiredApprovals >= need;
        if (!short_.isEmpty()) {
            // A definite "too few" wins over the unmapped commits: it cannot be accepted away with them.
            set(reviews, Status::Fail,
                u"too few approving reviews: %1"_s.arg(short_.join(u", "_s)) + (unmapped ? u"; and "_s + unmappedText : QString()), evidence);
        } else if (unmapped) {
            set(reviews, Status::Unknown, u"no review is known for "_s + unmappedText + acceptHint, facts.pulls.evidence);
            markUnmapped(reviews);
        } else if (facts.pulls->isEmpty()) {
            // Every commit maps to a pull request and there are none: the range is empty (a redeploy of what production serves).
            set(reviews, Status::Pass, u"no commits between production and the candidate: nothing to review"_s, facts.pulls.evidence);
        } else if (!unread.isEmpty() && !facts.protection.known()) {
            set(reviews, Status::Unknown,
                u"reviews of %1 not reported and branch protection could not be read: %2"_s.arg(unread.join(u", "_s), facts.protection.error),
                facts.protection.evidence);
        } else if (!unread.isEmpty() && !enforced) {
            set(reviews, Status::Fail,
                u"%1 needs %2 approving review(s) per pull request; %3 requires %4 and the reviews of %5 were not reported"_s.arg(levelName(reviewLevel))
                    .arg(need)
                    .arg(policy.branch)
                    .arg(facts.protection->unprotected ? 0 : facts.protection->requiredApprovals)
                    .arg(unread.join(u", "_s)),
                facts.protection.evidence);
        } else if (!unread.isEmpty()) {
            set(reviews, Status::Pass,
                u"%1 requires %2 approving review(s) before merging (needed for %3: %4)"_s.arg(policy.branch)
                    .arg(facts.protection->requiredApprovals)
                    .arg(levelName(reviewLevel))
                    .arg(need),
                facts.protection.evidence);
        } else {
            set(reviews, Status::Pass, u"every pull request has at least %1 approving review(s)"_s.arg(need), facts.pulls.evidence);
        }
    }
    v.results << reviews;

    // §5.1 Vercel Deployment Checks, and any other blocking check that failed.
    GateResult dchecks = make(policy, u"deployment-checks"_s, u"Vercel Deployment Checks (§5.1)"_s);
    checkNamed(dchecks, policy.deploymentChecks, facts.deploymentChecks, u"deployment checks"_s);
    if (dchecks.status == Status::Pass) {
        QStringList other;
        for (const CheckFact &c : *facts.deploymentChecks) {
            if (!c.running() && !c.passed() && !policy.deploymentChecks.contains(c.name, Qt::CaseInsensitive))
                other << u"%1 (%2)"_s.arg(c.name, c.conclusion);
        }
        if (!other.isEmpty())
            set(dchecks, Status::Fail, u"failed: "_s + other.join(u", "_s));
    }
    v.results << dchecks;

    // §4.3: new L3 features default OFF in production.
    GateResult flags = make(policy, u"l3-flags-off"_s, u"New L3 flags OFF in %1 (§4.3)"_s.arg(policy.flagEnvironment));
    QList<TouchedFlag> newL3;
    for (const TouchedFlag &f : scope.flags) {
        if (f.isNew && (f.sideEffect || !level || *level == Level::L3))
            newL3 << f;
    }
    if (!facts.changelog.known()) {
        set(flags, Status::Unknown, u"the changelog could not be read, so the new flags are not known: "_s + facts.changelog.error);
    } else if (newL3.isEmpty()) {
        set(flags, Status::Pass, u"the release adds no new L3 flag"_s);
    } else if (!facts.productionFlags.known()) {
        set(flags, Status::Unknown, u"flags in %1 could not be read: %2"_s.arg(policy.flagEnvironment, facts.productionFlags.error),
            facts.productionFlags.evidence);
    } else {
        QStringList on, off;
        for (const TouchedFlag &f : newL3) {
            if (facts.productionFlags->value(f.key, false))
                on << f.key;
            else
                off << f.key + (facts.productionFlags->contains(f.key) ? QString() : u" (not created yet)"_s);
        }
        if (!on.isEmpty())
            set(flags, Status::Fail, u"ON in %1: %2; new L3 features must start OFF"_s.arg(policy.flagEnvironment, on.join(u", "_s)),
                facts.productionFlags.evidence);
        else
            set(flags, Status::Pass, u"OFF in %1: %2"_s.arg(policy.flagEnvironment, off.join(u", "_s)), facts.productionFlags.evidence);
    }
    v.results << flags;

    // §8.6 changelog entry fields (and §6.1: the draft exists before release), read at the candidate commit.
    GateResult cl = make(policy, u"changelog"_s, u"Changelog entry with the §8.6 fields"_s);
    const ChangelogOrigin &origin = facts.changelogOrigin;
    const QString clWhere = origin.file.isEmpty() ? u"the changelog"_s : origin.where();
    const QString clSection = origin.section.isEmpty() ? u"[Unreleased]"_s : origin.section;
    if (!facts.changelog.known()) {
        set(cl, Status::Unknown, u"the changelog could not be read: "_s + facts.changelog.error, facts.changelog.evidence);
    } else if (facts.changelog->isEmpty()) {
        set(cl, Status::Fail,
            u"%1 has no entry under %2: the changelog draft must exist before the release (§6.1)"_s.arg(clWhere, clSection),
            facts.changelog.evidence);
    } else {
        QStringList problems;
        std::optional<Level> highest;
        const auto lineOf = [&](int line) { return origin.file.isEmpty() ? u"line %1"_s.arg(line) : u"%1:%2"_s.arg(clWhere).arg(line); };
        for (const ChangelogFact &e : *facts.changelog) {
            const QString where = lineOf(e.line);
            if (e.title.trimmed().isEmpty())
                problems << where + u": no operator-facing description"_s;
            for (const QString &field : policy.changelogFields) {
                if (e.fields.value(field).trimmed().isEmpty())
                    problems << u"%1: no %2"_s.arg(where, field);
            }
            const QString risk = e.fields.value(u"Risk"_s).trimmed();
            if (!risk.isEmpty()) {
                const auto l = levelFromName(risk.left(2));
                if (!l)
                    problems << u"%1: Risk \"%2\" is not L0–L3"_s.arg(where, risk);
                else if (!highest || *l > *highest)
                    highest = l;
            }
        }
        // The playbook lint of the candidate's file, inside the section being released.
        for (const QString &p : origin.problems) {
            if (!problems.contains(p))
                problems << p;
        }
        if (problems.isEmpty() && level && highest && *highest < *level)
            problems << u"the entries say %1 at most but the release is %2 (%3)"_s.arg(levelName(*highest), levelName(*level),
                                                                                      scope.levelReasons.value(0));
        if (problems.isEmpty())
            set(cl, Status::Pass,
                u"%1 %2: %3 entr%4 with %5"_s.arg(clWhere, clSection)
                    .arg(facts.changelog->size())
                    .arg(facts.changelog->size() == 1 ? u"y"_s : u"ies"_s)
                    .arg(policy.changelogFields.join(u", "_s)),
                facts.changelog.evidence);
        else
            set(cl, Status::Fail, problems.join(u"; "_s), facts.changelog.evidence);
    }
    v.results << cl;

    // §6.1: any new alert type has a runbook.
    GateResult rb = make(policy, u"runbooks"_s, u"Runbooks for new alert types (§6.1)"_s);
    if (!facts.changedFiles.known())
        set(rb, Status::Unknown, u"changed files could not be read: "_s + facts.changedFiles.error, facts.changedFiles.evidence);
    else if (scope.alertFiles.isEmpty())
        set(rb, Status::Pass, u"no alert definitions changed"_s, facts.changedFiles.evidence);
    else if (scope.runbooks.isEmpty())
        set(rb, Status::Fail, u"%1 change alert types but no runbook changed"_s.arg(scope.alertFiles.join(u", "_s)),
            facts.changedFiles.evidence);
    else
        set(rb, Status::Pass, u"alerts %1 with runbooks %2"_s.arg(scope.alertFiles.join(u", "_s), scope.runbooks.join(u", "_s)),
            facts.changedFiles.evidence);
    v.results << rb;

    // §6.1: migrations backward-compatible, or a maintenance window.
    GateResult mig = make(policy, u"migrations"_s, u"Migrations: compatible or windowed (§6.1)"_s);
    if (!facts.changedFiles.known()) {
        set(mig, Status::Unknown, u"changed files could not be read: "_s + facts.changedFiles.error, facts.changedFiles.evidence);
    } else if (scope.migrations.isEmpty()) {
        set(mig, Status::Pass, u"no migrations"_s, facts.changedFiles.evidence);
    } else {
        QString compatible, window = facts.maintenanceWindow.trimmed();
        if (facts.pulls.known()) {
            for (const PullFact &p : *facts.pulls) {
                for (const QString &l : p.labels) {
                    if (!policy.backwardCompatibleLabel.isEmpty() && l == policy.backwardCompatibleLabel && compatible.isEmpty())
                        compatible = u"label %1 on #%2"_s.arg(l).arg(p.number);
                    if (!policy.maintenanceWindowLabelPrefix.isEmpty() && l.startsWith(policy.maintenanceWindowLabelPrefix)
                        && l.size() > policy.maintenanceWindowLabelPrefix.size() && window.isEmpty())
                        window = u"%1 (label on #%2)"_s.arg(l.mid(policy.maintenanceWindowLabelPrefix.size())).arg(p.number);
                }
            }
        }
        const QString files = scope.migrations.join(u", "_s);
        const Known<MigrationReport> &report = facts.migrationReport;
        const QString at = facts.deployment.known() ? facts.deployment->sha.left(7) : u"the candidate"_s;
        if (report.known() && report->overall() == Compatibility::Incompatible) {
            // A file marked incompatible at the candidate commit: only a maintenance window lets it through (§6.1).
            if (!window.isEmpty())
                set(mig, Status::Pass, u"%1 (read at %2): maintenance window %3"_s.arg(report->summary(), at, window), report.evidence);
            else
                set(mig, Status::Fail,
                    u"%1 (read at %2): breaking, and no maintenance window is recorded (label %3<when>)"_s.arg(report->summary(), at,
                                                                                                          policy.maintenanceWindowLabelPrefix),
                    report.evidence);
        } else if (report.known() && report->overall() == Compatibility::Compatible) {
            set(mig, Status::Pass, u"%1 (read at %2)"_s.arg(report->summary(), at), report.evidence);
        } else if (!compatible.isEmpty() && !report.known() && !report.error.isEmpty() && facts.deployment.known()) {
            // The files could not be read at the candidate: a label alone does not outweigh a marker nobody saw.
            set(mig, Status::Unknown,
                u"%1: labelled backward-compatible (%2) but the files could not be read at %3 to check their markers: %4"_s.arg(files, compatible, at,
                                                                                                                              report.error),
                report.evidence);
        } else if (!compatible.isEmpty())
            set(mig, Status::Pass, u"%1: backward-compatible (%2)"_s.arg(files, compatible), facts.pulls.evidence);
        else if (!window.isEmpty())
            set(mig, Status::Pass, u"%1: maintenance window %2"_s.arg(files, window));
        else if (!facts.pulls.known())
            set(mig, Status::Unknown, u"%1: pull request labels could not be read: %2"_s.arg(files, facts.pulls.error));
        else
            set(mig, Status::Fail,
                u"%1: neither marked backward-compatible (label %2) nor a maintenance window recorded (label %3<when>)"_s.arg(
                    files, policy.backwardCompatibleLabel, policy.maintenanceWindowLabelPrefix),
                facts.changedFiles.evidence);
    }
    v.results << mig;

    // §2.2 Preview → Staging: the candidate is the automatic staging deployment of the branch (after a merge), or was
    // promoted to staging by hand (its own, lighter gate set: evaluateStaging).
    GateResult stg = make(policy, u"staging-deployment"_s, u"Candidate came through staging (§2.2)"_s);
    if (!facts.deployment.known()) {
        set(stg, Status::Unknown, u"the deployment could not be read: "_s + facts.deployment.error, facts.deployment.evidence);
    } else if (facts.deployment->target != policy.stagingTarget) {
        set(stg, Status::Fail,
            u"%1 is a %2 deployment, not %3: promote it to staging first (promote staging), then review it there"_s.arg(
                facts.deployment->id, facts.deployment->target.isEmpty() ? u"preview"_s : facts.deployment->target, policy.stagingTarget),
            facts.deployment.evidence);
    } else if (facts.deployment->ref.isEmpty()) {
        set(stg, Status::Unknown, u"%1 does not say which branch it was built from (Vercel git meta)"_s.arg(facts.deployment->id),
            facts.deployment.evidence);
    } else if (facts.deployment->ref != policy.branch) {
        set(stg, Status::Fail,
            u"%1 was built from %2, not %3: only %3 deploys to staging automatically; merge first"_s.arg(facts.deployment->id,
                                                                                                        facts.deployment->ref, policy.branch),
            facts.deployment.evidence);
    } else {
        set(stg, Status::Pass,
            u"%1 is the automatic %2 deployment of %3 (commit %4)"_s.arg(facts.deployment->id, policy.stagingTarget, policy.branch,
                                                                        facts.deployment->sha.left(7)),
            facts.deployment.evidence);
    }
    v.results << stg;

    // §5.2: production deployment URLs and previews protected (the project's Deployment Protection).
    GateResult dp = make(policy, u"deployment-protection"_s, u"Deployment Protection (§5.2)"_s);
    if (!facts.deploymentProtection.known()) {
        set(dp, Status::Unknown, u"the project's protection settings could not be read: "_s + facts.deploymentProtection.error,
            facts.deploymentProtection.evidence);
    } else {
        const DeploymentProtectionFact &p = *facts.deploymentProtection;
        QStringList on, passing;
        for (const auto &[name, type] : {std::pair{u"Vercel Authentication"_s, p.sso}, std::pair{u"Password Protection"_s, p.password},
                                         std::pair{u"Trusted IPs"_s, p.trustedIps}}) {
            if (type.isEmpty())
                continue;
            on << u"%1: %2"_s.arg(name, type);
            if (policy.protectionTypes.contains(type))
                passing << u"%1 (%2)"_s.arg(name, type);
        }
        if (!passing.isEmpty())
            set(dp, Status::Pass, u"production deployment URLs and previews are protected by "_s + passing.join(u", "_s),
                facts.deploymentProtection.evidence);
        else if (on.isEmpty())
            set(dp, Status::Fail, u"no Deployment Protection is on: production deployment URLs and previews are public"_s,
                facts.deploymentProtection.evidence);
        else
            set(dp, Status::Fail,
                u"%1 does not cover production deployment URLs and every preview (the policy passes: %2)"_s.arg(on.join(u", "_s),
                                                                                                              policy.protectionTypes.join(u", "_s)),
                facts.deploymentProtection.evidence);
    }
    v.results << dp;

    // §5.3: do not delete production deployments that might be rollback targets.
    GateResult keep = make(policy, u"rollback-targets"_s, u"Rollback targets kept (§5.3)"_s);
    const int n = policy.keepProductionDeployments;
    if (!facts.retention.known()) {
        set(keep, Status::Unknown, u"the project's deployment retention could not be read: "_s + facts.retention.error,
            facts.retention.evidence);
    } else if (!facts.retention->policySet || !facts.retention->expirationDaysProduction) {
        set(keep, Status::Pass, u"production deployments are not expired by age (no production retention period on the project)"_s,
            facts.retention.evidence);
    } else if (facts.retention->deploymentsToKeep && *facts.retention->deploymentsToKeep >= n) {
        set(keep, Status::Pass,
            u"production deployments expire after %1 days but the last %2 are kept (the policy needs %3)"_s.arg(*facts.retention->expirationDaysProduction)
                .arg(*facts.retention->deploymentsToKeep)
                .arg(n),
            facts.retention.evidence);
    } else {
        set(keep, Status::Fail,
            u"production deployments expire after %1 days and only %2 are kept whatever their age; the policy needs the last %3 kept "
            u"(set \"Production deployments to keep\" in the project's Deployment Retention)"_s.arg(*facts.retention->expirationDaysProduction)
                .arg(facts.retention->deploymentsToKeep.value_or(0))
                .arg(n),
            facts.retention.evidence);
    }
    v.results << keep;

    // The error budget: an L3 promotion waits while an affected SLO has spent its 30-day budget below the floor.
    GateResult eb = make(policy, u"error-budget"_s, u"Error budget of affected SLOs (L3)"_s);
    const QMap<QString, QString> affected = affectedSlos(policy, scope, facts);
    if (!level) {
        set(eb, Status::Unknown, levelUnknown, facts.pulls.evidence);
        if (unmapped && facts.changedFiles.known())
            markUnmapped(eb);
    } else if (*level != Level::L3) {
        set(eb, Status::Pass, u"not required: the release is %1"_s.arg(levelName(*level)));
    } else if (affected.isEmpty()) {
        set(eb, Status::Pass, u"the release touches no flag or path the policy maps to an SLO"_s);
    } else if (!facts.sloBudgets.known()) {
        set(eb, Status::Unknown, u"the error budgets of %1 could not be read: %2"_s.arg(affected.keys().join(u", "_s), facts.sloBudgets.error),
            facts.sloBudgets.evidence);
    } else {
        QStringList low, ok, missing;
        for (auto it = affected.cbegin(); it != affected.cend(); ++it) {
            if (!facts.sloBudgets->contains(it.key())) {
                missing << it.key();
                continue;
            }
            const double left = facts.sloBudgets->value(it.key());
            const QString text = u"%1 %2 % left (%3)"_s.arg(it.key()).arg(left * 100.0, 0, 'f', 1).arg(it.value());
            (left < policy.errorBudgetFloor ? low : ok) << text;
        }
        const QString floor = u"%1 %"_s.arg(policy.errorBudgetFloor * 100.0, 0, 'f', 0);
        if (!low.isEmpty())
            set(eb, Status::Fail,
                u"under the floor of %1: %2; wait for the budget to recover, or two reviewers override"_s.arg(floor, low.join(u", "_s)),
                facts.sloBudgets.evidence);
        else if (!missing.isEmpty())
            set(eb, Status::Unknown, u"no budget known for %1 (not enough data in the 30-day window)"_s.arg(missing.join(u", "_s)),
                facts.sloBudgets.evidence);
        else
            set(eb, Status::Pass, u"at or above the floor of %1: %2"_s.arg(floor, ok.join(u", "_s)), facts.sloBudgets.evidence);
    }
    v.results << eb;
    return v;
}

GateVerdict evaluateStaging(const GatePolicy &policy, const ReleaseFacts &facts)
{
    const GateVerdict all = evaluate(policy, facts);
    GateVerdict v;
    v.scope = all.scope;
    for (const QString &id : policy.stagingGates) {
        if (const GateResult *r = all.result(id))
            v.results << *r;
    }
    return v;
}

QMap<QString, QString> affectedSlos(const GatePolicy &policy, const ReleaseScope &scope, const ReleaseFacts &facts)
{
    QMap<QString, QString> out;
    for (const SloMapping &m : policy.sloMappings) {
        for (const TouchedFlag &f : scope.flags) {
            if (!out.contains(m.slo) && m.matchesFlag(f.key))
                out.insert(m.slo, u"flag "_s + f.key);
        }
        if (facts.changedFiles.known()) {
            for (const QString &file : *facts.changedFiles) {
                if (!out.contains(m.slo) && m.matchesPath(file))
                    out.insert(m.slo, file);
            }
        }
    }
    return out;
}

QStringList stuckStates(const GatePolicy &policy, const ReleaseFacts &facts, qint64 pendingSinceMs, qint64 nowMs)
{
    QStringList out;
    const auto minutes = [nowMs](qint64 sinceMs) { return int((nowMs - sinceMs) / 60000); };
    if (facts.deployment.known() && facts.deployment->createdMs > 0) {
        const QString state = facts.deployment->state.toUpper();
        const int limit = state == u"BUILDING"_s ? policy.stuckBuildingMinutes : state == u"QUEUED"_s ? policy.stuckQueuedMinutes : 0;
        const int age = minutes(facts.deployment->createdMs);
        if (limit > 0 && age > limit)
            out << u"%1 has been %2 for %3 min (policy allows %4)"_s.arg(facts.deployment->id, state.toLower()).arg(age).arg(limit);
    }
    if (pendingSinceMs > 0 && minutes(pendingSinceMs) > policy.stuckPendingReviewMinutes)
        out << u"the %1 deployment has waited for review for %2 min (policy allows %3)"_s.arg(policy.promotionEnvironment)
                   .arg(minutes(pendingSinceMs))
                   .arg(policy.stuckPendingReviewMinutes);
    for (const Known<QList<CheckFact>> *list : {&facts.checks, &facts.deploymentChecks}) {
        if (!list->known())
            continue;
        for (const CheckFact &c : **list) {
            if (c.running() && c.startedMs > 0 && minutes(c.startedMs) > policy.stuckCheckRunningMinutes)
                out << u"check %1 has been %2 for %3 min (policy allows %4)"_s.arg(c.name, c.status).arg(minutes(c.startedMs))
                           .arg(policy.stuckCheckRunningMinutes);
        }
    }
    return out;
}

} // namespace Raize::Release
