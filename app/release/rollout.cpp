#include "release/rollout.h"

#include <cmath>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

namespace {

QString burnText(double burn)
{
    if (std::isinf(burn))
        return u"∞"_s;
    return QString::number(burn, 'f', burn < 10 ? 2 : 1) + u"×"_s;
}

QString windowText(qint64 ms)
{
    if (ms % Slo::DayMs == 0)
        return u"%1d"_s.arg(ms / Slo::DayMs);
    if (ms % Slo::HourMs == 0)
        return u"%1h"_s.arg(ms / Slo::HourMs);
    return u"%1m"_s.arg(ms / Slo::MinuteMs);
}

QString sloTitle(const QList<Slo::SloSpec> &slos, const QString &id)
{
    for (const Slo::SloSpec &s : slos) {
        if (s.id == id)
            return s.title;
    }
    return id;
}

const Slo::AlertVerdict *verdictFor(const QList<Slo::AlertVerdict> &verdicts, const QString &id)
{
    for (const Slo::AlertVerdict &v : verdicts) {
        if (v.sloId == id)
            return &v;
    }
    return nullptr;
}

// "Publish success: page 14.4× 1h/5m fired — 16.2× over 1h, 16.3× over 5m"
QString firedText(const QString &title, const Slo::RuleVerdict &r)
{
    return u"%1: %2 fired — %3 over %4, %5 over %6"_s.arg(title, r.rule.name(), burnText(r.longBurn), windowText(r.rule.longWindowMs),
                                                           burnText(r.shortBurn), windowText(r.rule.shortWindowMs));
}

// The first rule's windows, as the short summary of an SLO's state.
QString stateText(const QString &title, const Slo::AlertVerdict &v)
{
    if (v.rules.isEmpty())
        return title + u": no burn rules"_s;
    const Slo::RuleVerdict &r = v.rules.first();
    return u"%1: %2 over %3, %4 over %5 (%6)"_s.arg(title, burnText(r.longBurn), windowText(r.rule.longWindowMs), burnText(r.shortBurn),
                                                    windowText(r.rule.shortWindowMs), Slo::severityName(v.severity));
}

QString lackingText(const QString &title, const Slo::AlertVerdict &v)
{
    for (const Slo::RuleVerdict &r : v.rules) {
        for (const Slo::WindowStats *w : {&r.longWindow, &r.shortWindow}) {
            if (!w->enoughData)
                return u"%1: %2 events over %3, the policy needs %4"_s.arg(title).arg(std::floor(w->events), 0, 'f', 0)
                    .arg(windowText(w->windowMs())).arg(w->minEvents);
        }
    }
    return title + u": not enough data"_s;
}

} // namespace

QString Recommendation::kindName(Kind kind)
{
    switch (kind) {
    case Kind::ExpandAllowed:
        return u"expand-allowed"_s;
    case Kind::Wait:
        return u"wait"_s;
    case Kind::Blocked:
        return u"blocked"_s;
    }
    return {};
}

Result<RolloutPolicy> rolloutFromPolicy(const Policy::Bundle &bundle, const QList<Cohort> &cohorts)
{
    const json &section = bundle.section("rollout");
    if (!section.is_object())
        return Policy::fieldError(bundle, u"rollout"_s, u"must be an object"_s);
    RolloutPolicy policy;
    const json &observe = section.value("observationMinutes", json());
    if (!observe.is_object())
        return Policy::fieldError(bundle, u"rollout.observationMinutes"_s, u"must map release levels to minutes"_s);
    for (const char *level : {"L0", "L1", "L2", "L3"}) {
        const QString field = u"rollout.observationMinutes."_s + QLatin1StringView(level);
        if (!observe.contains(level) || !observe[level].is_number_integer() || observe[level].get<int>() < 0)
            return Policy::fieldError(bundle, field, u"must be a whole number of minutes"_s);
        policy.observationMinutes.insert(QLatin1StringView(level), observe[level].get<int>());
    }
    const json &stages = section.value("stages", json());
    if (!stages.is_array() || stages.empty())
        return Policy::fieldError(bundle, u"rollout.stages"_s, u"must be a non-empty array"_s);
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const QString at = u"rollout.stages[%1]"_s.arg(i);
        const json &o = stages[i];
        if (!o.is_object())
            return Policy::fieldError(bundle, at, u"must be an object"_s);
        RolloutStage s;
        s.id = Policy::stringField(o, "id");
        s.name = Policy::stringField(o, "name");
        s.environment = Policy::stringField(o, "environment");
        s.cohortId = Policy::stringField(o, "cohort");
        s.scopeKind = Policy::stringField(o, "scope");
        if (s.id.isEmpty() || s.environment.isEmpty())
            return Policy::fieldError(bundle, at, u"needs an id and an environment"_s);
        if (s.name.isEmpty())
            s.name = s.id;
        if (s.scopeKind != u"global"_s && s.scopeKind != u"cohort"_s)
            return Policy::fieldError(bundle, at + u".scope"_s, u"must be \"global\" or \"cohort\""_s);
        if (!s.cohortId.isEmpty()) {
            bool known = false;
            for (const Cohort &c : cohorts)
                known = known || c.id == s.cohortId;
            if (!known)
                return Policy::fieldError(bundle, at + u".cohort"_s, u"\"%1\" is not a cohort of the policy"_s.arg(s.cohortId));
        } else if (s.scopeKind == u"cohort"_s) {
            return Policy::fieldError(bundle, at + u".cohort"_s, u"a cohort-scoped stage names its cohort"_s);
        }
        if (o.contains("maxClients")) {
            if (!o["maxClients"].is_number_integer() || o["maxClients"].get<int>() < 1)
                return Policy::fieldError(bundle, at + u".maxClients"_s, u"must be a whole number of at least 1"_s);
            s.maxClients = o["maxClients"].get<int>();
        }
        for (const json &c : o.value("confirm", json::array())) {
            if (!c.is_string())
                return Policy::fieldError(bundle, at + u".confirm"_s, u"must be an array of strings"_s);
            s.confirmations << QString::fromStdString(c.get<std::string>());
        }
        policy.stages.append(s);
    }
    for (const json &id : section.value("verificationSlos", json::array())) {
        if (id.is_string())
            policy.verificationSlos << QString::fromStdString(id.get<std::string>());
    }
    const json &canary = bundle.section("canary");
    if (canary.is_object() && canary.contains("autoPacing")) {
        if (!canary["autoPacing"].is_boolean())
            return Policy::fieldError(bundle, u"canary.autoPacing"_s, u"must be true or false"_s);
        policy.autoPacing = canary["autoPacing"].get<bool>();
    }
    return policy;
}

Result<RolloutPlan> planRelease(const RolloutPolicy &policy, const QList<Cohort> &cohorts, const QString &level,
                                const QStringList &flags)
{
    if (!policy.observationMinutes.contains(level))
        return Error::make(Error::Kind::Config, u"policy"_s, u"\"%1\" is not a release level (L0–L3)"_s.arg(level));
    RolloutPlan plan;
    plan.level = level;
    plan.flags = flags;
    plan.verificationSlos = policy.verificationSlos;
    for (const RolloutStage &s : policy.stages) {
        PlannedStage p;
        p.stage = s;
        p.environment = s.environment;
        p.flags = flags;
        p.observeMinutes = policy.observationMinutes.value(level);
        if (s.scopeKind == u"cohort"_s) {
            for (const Cohort &c : cohorts) {
                if (c.id == s.cohortId)
                    p.scope = c.scope();
            }
            if (s.maxClients > 0 && p.scope.clientIds.size() > s.maxClients)
                return Error::make(Error::Kind::Config, u"policy"_s,
                                   u"stage \"%1\" allows %2 clients, cohort \"%3\" lists %4"_s.arg(s.name).arg(s.maxClients).arg(s.cohortId)
                                       .arg(p.scope.clientIds.size()),
                                   u"Edit the cohort or the stage."_s);
        }
        plan.stages.append(p);
    }
    return plan;
}

Recommendation recommend(const RolloutPlan &plan, const StageObservation &obs)
{
    Recommendation r;
    if (obs.stage < 0 || obs.stage >= plan.stages.size()) {
        r.headline = u"blocked because the release is in no stage of its plan"_s;
        return r;
    }
    const PlannedStage &current = plan.stages[obs.stage];
    r.evidence << u"stage %1 of %2: %3 (%4)"_s.arg(obs.stage + 1).arg(plan.stages.size()).arg(current.stage.name, current.scope.describe());
    if (obs.stage + 1 >= plan.stages.size()) {
        r.headline = u"blocked because %1 is the last stage: there is nothing to expand to"_s.arg(current.stage.name);
        return r;
    }
    r.nextStage = obs.stage + 1;
    const PlannedStage &next = plan.stages[r.nextStage];

    // 1. Burn: a fired rule blocks, observation window or not.
    QStringList fired, lacking, healthy;
    if (!current.stage.cohortId.isEmpty()) {
        for (const Slo::SloSpec &spec : obs.slos) {
            const QString title = sloTitle(obs.slos, spec.id);
            const Slo::AlertVerdict *v = verdictFor(obs.verdicts, spec.id);
            if (!v) {
                lacking << title + u": no data was read"_s;
                continue;
            }
            for (const Slo::RuleVerdict &rule : v->rules) {
                if (rule.state == Slo::RuleState::Fired)
                    fired << firedText(title, rule);
            }
            if (v->severity == Slo::Severity::NotEnoughData)
                lacking << lackingText(title, *v);
            else if (v->severity == Slo::Severity::None)
                healthy << stateText(title, *v);
        }
    }
    if (!fired.isEmpty()) {
        r.kind = Recommendation::Kind::Blocked;
        r.headline = u"blocked because the error budget burns too fast in %1: %2"_s.arg(current.stage.name, fired.first());
        r.evidence << fired << lacking << healthy;
        return r;
    }

    // 2. The minimum observation window of the release's level.
    const qint64 observedMs = obs.nowMs - obs.stageStartedMs;
    const qint64 neededMs = qint64(current.observeMinutes) * Slo::MinuteMs;
    r.evidence << u"observed %1 of the %2 min an %3 release needs"_s.arg(std::max<qint64>(0, observedMs) / Slo::MinuteMs)
                      .arg(current.observeMinutes)
                      .arg(plan.level);
    if (observedMs < neededMs) {
        r.kind = Recommendation::Kind::Wait;
        r.waitMinutes = int((neededMs - observedMs + Slo::MinuteMs - 1) / Slo::MinuteMs);
        r.headline = u"wait %1 min before %2"_s.arg(r.waitMinutes).arg(next.stage.name);
        r.evidence << lacking << healthy;
        return r;
    }

    // 3. Low traffic is never healthy.
    if (!lacking.isEmpty()) {
        r.kind = Recommendation::Kind::Blocked;
        r.headline = u"blocked because there is not enough data to call %1 healthy: %2"_s.arg(current.stage.name, lacking.first());
        r.evidence << lacking << healthy;
        return r;
    }
    r.evidence << healthy;
    for (const QString &id : plan.verificationSlos) {
        if (!current.stage.cohortId.isEmpty() && verdictFor(obs.verdicts, id))
            r.evidence << u"publish verification healthy: %1 has no burn alert"_s.arg(sloTitle(obs.slos, id));
    }

    // 4. What only the operator can see.
    QStringList missing;
    for (const QString &c : current.stage.confirmations) {
        if (!obs.confirmed.contains(c))
            missing << c;
        else
            r.evidence << u"confirmed: "_s + c;
    }
    if (!missing.isEmpty()) {
        r.kind = Recommendation::Kind::Blocked;
        r.headline = u"blocked because the operator has not confirmed: %1"_s.arg(missing.join(u"; "_s));
        return r;
    }

    r.kind = Recommendation::Kind::ExpandAllowed;
    r.headline = u"expand allowed to %1 (%2)"_s.arg(next.stage.name, next.scope.describe());
    return r;
}

QList<PageAlert> pageAlerts(const QList<Cohort> &cohorts, const QHash<QString, QList<Slo::AlertVerdict>> &verdictsByCohort,
                            const QList<Slo::SloSpec> &slos, const QList<Services::FlagState> &flags)
{
    QList<PageAlert> out;
    for (const Cohort &c : cohorts) {
        QStringList evidence;
        for (const Slo::AlertVerdict &v : verdictsByCohort.value(c.id)) {
            for (const Slo::RuleVerdict &r : v.rules) {
                if (r.state == Slo::RuleState::Fired && r.rule.severity == Slo::Severity::Page)
                    evidence << firedText(sloTitle(slos, v.sloId), r);
            }
        }
        if (evidence.isEmpty())
            continue;
        const QStringList canaries = canaryFlagsOn(flags, c, cohorts);
        if (canaries.isEmpty())
            continue;
        out.append({c, canaries, evidence});
    }
    return out;
}

} // namespace Raize::Release
