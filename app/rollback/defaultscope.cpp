#include "rollback/defaultscope.h"

#include <algorithm>
#include <limits>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;

QString ScopeDecision::whyId(Why why)
{
    switch (why) {
    case Why::P0:
        return u"p0"_s;
    case Why::Isolated:
        return u"isolated"_s;
    case Why::NotEnoughData:
        return u"not-enough-data"_s;
    case Why::OthersBurning:
        return u"others-burning"_s;
    case Why::NoPagingScope:
        return u"no-paging-scope"_s;
    }
    return {};
}

ScopeDecision defaultScope(Trigger trigger, const ScopeSignals &in)
{
    ScopeDecision d; // global unless narrowed below
    const auto global = [&](ScopeDecision::Why why, const QString &reason) {
        d.scope = Scope{};
        d.why = why;
        d.reason = u"global: "_s + reason;
        return d;
    };
    if (priorityOf(trigger) == Priority::P0)
        return global(ScopeDecision::Why::P0, u"a P0 (%1) stops harm everywhere (playbook §7.2)"_s.arg(triggerName(trigger)));

    QList<const ScopeHealth *> paging, burning, thin;
    for (const ScopeHealth &s : in.scopes) {
        if (s.paging)
            paging << &s;
        if (s.paging || s.burnRate >= in.healthyBelow)
            burning << &s;
        if (s.events < in.minEvents)
            thin << &s;
    }
    if (paging.isEmpty())
        return global(ScopeDecision::Why::NoPagingScope, u"no single scope paged"_s);
    if (burning.size() > 1) {
        QStringList names;
        for (const ScopeHealth *s : std::as_const(burning))
            names << u"%1 (%2×)"_s.arg(s->id).arg(s->burnRate, 0, 'f', 1);
        return global(ScopeDecision::Why::OthersBurning, u"more than one scope burns: "_s + names.join(u", "_s));
    }
    const ScopeHealth &page = *paging.first();
    if (page.scope.kind == Scope::Kind::Global)
        return global(ScopeDecision::Why::NoPagingScope, u"the scope that paged (%1) is everyone"_s.arg(page.id));
    if (in.scopes.size() < 2)
        return global(ScopeDecision::Why::NotEnoughData, u"no other scope to compare %1 with"_s.arg(page.id));
    if (!thin.isEmpty()) {
        QStringList names;
        for (const ScopeHealth *s : std::as_const(thin))
            names << u"%1 (%2 events, %3 needed)"_s.arg(s->id).arg(s->events).arg(in.minEvents);
        return global(ScopeDecision::Why::NotEnoughData, u"not enough data to call the failure isolated: "_s + names.join(u", "_s));
    }
    d.scope = page.scope;
    d.why = ScopeDecision::Why::Isolated;
    d.reason = u"%1 only: %1 burns (%2×), every other scope is under %3× with enough data"_s.arg(page.id)
                   .arg(page.burnRate, 0, 'f', 1)
                   .arg(in.healthyBelow, 0, 'f', 1);
    return d;
}

Scope scopeOfCohort(const Release::Cohort &cohort)
{
    Scope s;
    if (cohort.everyone())
        return s;
    s.kind = Scope::Kind::Tenant;
    s.clientIds = cohort.clientIds;
    s.platformAccountIds = cohort.platformAccountIds;
    s.cohorts = {cohort.id};
    return s;
}

ScopeSignals scopeSignalsFrom(const QList<Release::Cohort> &cohorts, const QHash<QString, QList<Slo::AlertVerdict>> &verdictsByCohort,
                              const QStringList &pagingCohorts)
{
    // Data is judged on the fastest page rule (the shortest long window, e.g.
    // 14.4× over 1 h): the window that pages first; burn on every page rule.
    qint64 fastest = std::numeric_limits<qint64>::max();
    for (auto it = verdictsByCohort.cbegin(); it != verdictsByCohort.cend(); ++it) {
        for (const Slo::AlertVerdict &v : it.value()) {
            for (const Slo::RuleVerdict &r : v.rules) {
                if (r.rule.severity == Slo::Severity::Page)
                    fastest = std::min(fastest, r.rule.longWindowMs);
            }
        }
    }
    ScopeSignals out;
    qint64 minEvents = 0;
    for (const Release::Cohort &c : cohorts) {
        ScopeHealth h;
        h.id = c.id;
        h.scope = scopeOfCohort(c);
        h.paging = pagingCohorts.contains(c.id);
        bool any = false;
        qint64 thinnest = std::numeric_limits<qint64>::max();
        for (const Slo::AlertVerdict &v : verdictsByCohort.value(c.id)) {
            for (const Slo::RuleVerdict &r : v.rules) {
                if (r.rule.severity != Slo::Severity::Page)
                    continue; // isolation is judged on the rules that page
                h.burnRate = std::max(h.burnRate, r.longBurn);
                if (r.rule.longWindowMs != fastest)
                    continue;
                any = true;
                thinnest = std::min(thinnest, qint64(r.longWindow.events)); // the SLO with the least traffic
                minEvents = std::max<qint64>(minEvents, r.longWindow.minEvents);
            }
        }
        h.events = any ? thinnest : 0; // no verdict: no data
        out.scopes << h;
    }
    if (minEvents > 0)
        out.minEvents = minEvents;
    return out;
}

} // namespace Raize::Rollback
