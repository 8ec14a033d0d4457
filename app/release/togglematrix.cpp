#include "release/togglematrix.h"

using namespace Qt::StringLiterals;

namespace Raize::Release {

namespace {

QStringList without(QStringList list, const QString &v)
{
    list.removeAll(v);
    return list;
}

bool subset(const QStringList &a, const QStringList &b) // a ⊆ b
{
    for (const QString &s : a) {
        if (!b.contains(s))
            return false;
    }
    return true;
}

// Whether `narrow` reaches no one that `wide` does not (empty dimension: everyone).
bool within(const Services::FlagScope &narrow, const Services::FlagScope &wide)
{
    const auto dim = [](const QStringList &n, const QStringList &w) { return w.isEmpty() || (!n.isEmpty() && subset(n, w)); };
    return dim(narrow.clientIds, wide.clientIds) && dim(narrow.platformAccountIds, wide.platformAccountIds)
           && (wide.lane.isEmpty() || narrow.lane == wide.lane) && dim(narrow.cohorts, wide.cohorts);
}

// Whether a scope reaches only subjects of the first canary: every
// who-dimension it restricts lies inside the canary's (a house account, the
// house client, cohort "house"), and it restricts at least one.
bool insideCanary(const Services::FlagScope &s, const ToggleRules &rules)
{
    if (s.clientIds.isEmpty() && s.platformAccountIds.isEmpty() && s.cohorts.isEmpty())
        return false;
    if (!s.clientIds.isEmpty() && !subset(s.clientIds, rules.firstCanary.clientIds))
        return false;
    if (!s.platformAccountIds.isEmpty() && !subset(s.platformAccountIds, rules.firstCanary.platformAccountIds))
        return false;
    if (!s.cohorts.isEmpty() && s.cohorts != QStringList{rules.firstCanaryCohort})
        return false;
    return true;
}

bool sideEffect(const QString &flag, const ToggleRules &rules)
{
    return rules.sideEffects.matches(flag);
}

QString state(bool enabled, const Services::FlagScope &scope)
{
    return enabled ? u"ON for "_s + scope.describe() : u"OFF"_s;
}

} // namespace

QString MatrixColumn::label() const
{
    switch (kind) {
    case Kind::Global:
        return u"global"_s;
    case Kind::Client:
        return u"client "_s + value;
    case Kind::Account:
        return u"account "_s + value;
    case Kind::Lane:
        return u"lane "_s + value;
    }
    return {};
}

QList<MatrixColumn> matrixColumns(const QList<Cohort> &cohorts)
{
    QList<MatrixColumn> out{{MatrixColumn::Kind::Global, {}}};
    for (const Cohort &c : cohorts) {
        for (const QString &id : c.clientIds) {
            if (id != u"*"_s && !out.contains(MatrixColumn{MatrixColumn::Kind::Client, id}))
                out.append({MatrixColumn::Kind::Client, id});
        }
    }
    for (const Cohort &c : cohorts) {
        for (const QString &id : c.platformAccountIds) {
            if (id != u"*"_s && !out.contains(MatrixColumn{MatrixColumn::Kind::Account, id}))
                out.append({MatrixColumn::Kind::Account, id});
        }
    }
    out.append({MatrixColumn::Kind::Lane, u"api"_s});
    out.append({MatrixColumn::Kind::Lane, u"browser"_s});
    return out;
}

QString cellStateName(CellState state)
{
    switch (state) {
    case CellState::Off:
        return u"off"_s;
    case CellState::On:
        return u"ON"_s;
    case CellState::Partial:
        return u"partial"_s;
    case CellState::Unknown:
        return u"unknown"_s;
    }
    return {};
}

std::optional<Services::FlagScope> editableScope(const Services::FlagState &flag)
{
    QList<Services::FlagStrategy> active;
    for (const Services::FlagStrategy &s : flag.strategies) {
        if (!s.disabled)
            active << s;
    }
    if (active.isEmpty())
        return Services::FlagScope{};
    if (active.size() != 1 || active.first().rolloutPercent != 100 || !active.first().scope.other.isEmpty()
        || !active.first().segments.isEmpty())
        return std::nullopt;
    return active.first().scope;
}

namespace {

// The cohort a client or an account belongs to (a listed one; else the "*" cohort, if any).
const Cohort *cohortOf(const MatrixColumn &column, const QList<Cohort> &cohorts)
{
    const Cohort *everyone = nullptr;
    for (const Cohort &c : cohorts) {
        if (c.everyone())
            everyone = &c;
        else if ((column.kind == MatrixColumn::Kind::Client && c.clientIds.contains(column.value))
                 || (column.kind == MatrixColumn::Kind::Account && c.platformAccountIds.contains(column.value)))
            return &c;
    }
    return everyone;
}

bool overlaps(const QStringList &a, const QStringList &b)
{
    for (const QString &s : a) {
        if (b.contains(s))
            return true;
    }
    return false;
}

} // namespace

namespace {
CellState ownCellState(const Services::FlagState &flag, const MatrixColumn &column, const QList<Cohort> &cohorts);
} // namespace

CellState cellState(const Services::FlagState &flag, const MatrixColumn &column, const QList<Cohort> &cohorts,
                    const QList<Services::FlagState> &all)
{
    const CellState own = ownCellState(flag, column, cohorts);
    if (own == CellState::Off || !flag.needsOtherFlags())
        return own;
    if (!flag.dependenciesKnown)
        return CellState::Unknown;
    bool unknown = false;
    for (const Services::FlagDependency &d : flag.dependencies) {
        const auto it = std::find_if(all.cbegin(), all.cend(), [&](const Services::FlagState &f) { return f.key == d.feature; });
        if (it == all.cend() || !it->dependenciesKnown) {
            unknown = true; // not listed with it: another project, archived, or not read
            continue;
        }
        if (!it->dependencies.isEmpty())
            return CellState::Off; // SDKs follow one level: a parent with parents (a chain, a cycle) makes the child off
        const CellState parent = ownCellState(*it, column, cohorts);
        if (d.enabled ? parent == CellState::Off : parent == CellState::On)
            return CellState::Off;
        if (parent != (d.enabled ? CellState::On : CellState::Off) || !d.variants.isEmpty())
            unknown = true; // partly on, unknown, or the variant it serves decides
    }
    return unknown ? CellState::Unknown : own;
}

namespace {
CellState ownCellState(const Services::FlagState &flag, const MatrixColumn &column, const QList<Cohort> &cohorts)
{
    if (!flag.enabled)
        return CellState::Off;
    QList<Services::FlagStrategy> active;
    for (const Services::FlagStrategy &s : flag.strategies) {
        if (!s.disabled)
            active << s;
    }
    if (active.isEmpty())
        return CellState::On; // enabled without strategies: everyone
    const Cohort *cohort = cohortOf(column, cohorts);
    CellState best = CellState::Off;
    for (const Services::FlagStrategy &s : active) {
        if (!s.scope.other.isEmpty() || !s.segments.isEmpty())
            return CellState::Unknown;
        if (s.rolloutPercent == 0)
            continue;
        const Services::FlagScope &sc = s.scope;
        // Per who-dimension the strategy restricts: does it take in all of the column (full), some of it, or none?
        enum class Fit { Full, Some, None };
        QList<Fit> fits;
        const bool person = column.kind == MatrixColumn::Kind::Client || column.kind == MatrixColumn::Kind::Account;
        if (!sc.clientIds.isEmpty()) {
            if (column.kind == MatrixColumn::Kind::Client)
                fits << (sc.clientIds.contains(column.value) ? Fit::Full : Fit::None);
            else if (column.kind == MatrixColumn::Kind::Account)
                fits << (cohort && !cohort->everyone() && overlaps(sc.clientIds, cohort->clientIds) ? Fit::Some
                         : cohort && cohort->everyone()                                            ? Fit::Some
                                                                                                   : Fit::None);
            else
                fits << Fit::Some;
        }
        if (!sc.platformAccountIds.isEmpty()) {
            if (column.kind == MatrixColumn::Kind::Account)
                fits << (sc.platformAccountIds.contains(column.value) ? Fit::Full : Fit::None);
            else if (column.kind == MatrixColumn::Kind::Client)
                fits << (cohort && !cohort->everyone() && overlaps(sc.platformAccountIds, cohort->platformAccountIds) ? Fit::Some
                         : cohort && cohort->everyone()                                                             ? Fit::Some
                                                                                                                    : Fit::None);
            else
                fits << Fit::Some;
        }
        if (!sc.cohorts.isEmpty()) {
            if (person && cohort)
                fits << (sc.cohorts.contains(cohort->id) ? Fit::Full : Fit::None);
            else
                fits << Fit::Some;
        }
        if (!sc.lane.isEmpty()) {
            if (column.kind == MatrixColumn::Kind::Lane)
                fits << (sc.lane == column.value ? Fit::Full : Fit::None);
            else
                fits << Fit::Some; // one lane of these subjects
        }
        if (fits.contains(Fit::None))
            continue;
        if (!fits.contains(Fit::Some) && s.rolloutPercent >= 100)
            return CellState::On;
        best = CellState::Partial;
    }
    return best;
}
} // namespace

ToggleChange beginChange(const Services::FlagState &flag, const QString &environment, const QString &otherwise)
{
    ToggleChange c;
    c.flag = flag.key;
    c.environment = environment;
    c.enabledBefore = flag.enabled;
    if (const std::optional<Services::FlagScope> scope = editableScope(flag))
        c.scopeBefore = *scope;
    else
        c.refusal = u"%1 has several strategies, a partial rollout or constraints the console does not edit; %2"_s.arg(flag.key, otherwise);
    return c;
}

ToggleChange planToggle(const Services::FlagState &flag, const MatrixColumn &column, bool turnOn, const QString &environment,
                        const ToggleRules &rules)
{
    ToggleChange c = beginChange(flag, environment, u"change it in the flag service"_s);
    if (!c.refusal.isEmpty())
        return c;
    Services::FlagScope after = c.scopeBefore;
    bool enabled = flag.enabled;
    const QString what = column.label();

    if (turnOn) {
        if (column.kind == MatrixColumn::Kind::Global) {
            after = {};
        } else if (!flag.enabled) {
            after = {}; // a flag that is off starts from exactly this column
            if (column.kind == MatrixColumn::Kind::Client)
                after.clientIds = {column.value};
            else if (column.kind == MatrixColumn::Kind::Account)
                after.platformAccountIds = {column.value};
            else
                after.lane = column.value;
        } else if (cellState(flag, column, rules.cohorts) == CellState::On) {
            c.refusal = u"%1 is already on for %2"_s.arg(flag.key, what);
            return c;
        } else {
            // Add the column to the scope's own dimension; a scope restricted in another dimension cannot take it.
            const bool onlyClients = after.platformAccountIds.isEmpty() && after.lane.isEmpty() && after.cohorts.isEmpty();
            const bool onlyAccounts = after.clientIds.isEmpty() && after.lane.isEmpty() && after.cohorts.isEmpty();
            const bool onlyLane = after.clientIds.isEmpty() && after.platformAccountIds.isEmpty() && after.cohorts.isEmpty();
            if (column.kind == MatrixColumn::Kind::Client && onlyClients)
                after.clientIds << column.value;
            else if (column.kind == MatrixColumn::Kind::Account && onlyAccounts)
                after.platformAccountIds << column.value;
            else if (column.kind == MatrixColumn::Kind::Lane && onlyLane)
                after.lane.clear(); // the other lane was on: both lanes
            else {
                c.refusal = u"%1 is scoped to %2; adding %3 would need a second strategy — change the scope in the flag service"_s.arg(
                    flag.key, c.scopeBefore.describe(), what);
                return c;
            }
        }
        enabled = true;
    } else {
        if (!flag.enabled || (column.kind != MatrixColumn::Kind::Global && cellState(flag, column, rules.cohorts) == CellState::Off)) {
            c.refusal = u"%1 is already off for %2"_s.arg(flag.key, what);
            return c;
        }
        if (column.kind == MatrixColumn::Kind::Global) {
            enabled = false; // the kill switch; the scope stays for when it comes back
        } else if (column.kind == MatrixColumn::Kind::Client && after.clientIds.contains(column.value)) {
            after.clientIds = without(after.clientIds, column.value);
            if (after.clientIds.isEmpty()) {
                after = c.scopeBefore;
                enabled = false;
            }
        } else if (column.kind == MatrixColumn::Kind::Account && after.platformAccountIds.contains(column.value)) {
            after.platformAccountIds = without(after.platformAccountIds, column.value);
            if (after.platformAccountIds.isEmpty()) {
                after = c.scopeBefore;
                enabled = false;
            }
        } else if (column.kind == MatrixColumn::Kind::Lane && after.lane == column.value) {
            after = c.scopeBefore;
            enabled = false;
        } else if (column.kind == MatrixColumn::Kind::Lane && after.lane.isEmpty() && after.clientIds.isEmpty()
                   && after.platformAccountIds.isEmpty() && after.cohorts.isEmpty()) {
            after.lane = column.value == u"api"_s ? u"browser"_s : u"api"_s;
        } else {
            c.refusal = u"%1 reaches %2 through its scope (%3); turning just %2 off needs an exclusion the console does not write — narrow the scope or turn the flag off (global)"_s
                            .arg(flag.key, what, c.scopeBefore.describe());
            return c;
        }
    }

    c.enabledAfter = enabled;
    c.scopeAfter = after;
    c.scopeChanges = after != c.scopeBefore;
    // Widening: on now and off before, or the new scope reaches someone the old one did not.
    c.widens = c.enabledAfter && (!c.enabledBefore || !within(c.scopeAfter, c.scopeBefore));
    if (rules.production && c.enabledAfter && !c.enabledBefore && sideEffect(flag.key, rules) && !insideCanary(c.scopeAfter, rules)) {
        c.refusal = u"%1 is a side-effect flag that is off in production: it starts in the house-accounts canary (%2), not %3 (playbook §4.3, §4.4)"_s
                        .arg(flag.key, rules.firstCanary.describe(), c.scopeAfter.describe());
        return c;
    }
    c.summary = u"%1 in %2: %3 → %4"_s.arg(flag.key, environment, state(c.enabledBefore, c.scopeBefore), state(c.enabledAfter, c.scopeAfter));
    return c;
}

bool readBackShows(const Services::FlagState &readBack, const ToggleChange &change)
{
    if (readBack.enabled != change.enabledAfter)
        return false;
    if (!change.scopeChanges)
        return true;
    const std::optional<Services::FlagScope> scope = editableScope(readBack);
    return scope && *scope == change.scopeAfter;
}

} // namespace Raize::Release
