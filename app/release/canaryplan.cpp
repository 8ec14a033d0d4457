#include "release/canaryplan.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <tuple>

namespace Raize::Release {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

QString percent(double v)
{
    return QString::number(v, 'g', 4) + u" %"_s;
}

QString window(double minutes)
{
    if (minutes < 1)
        return u"%1 s"_s.arg(QString::number(minutes * 60, 'g', 4));
    return u"%1 min"_s.arg(QString::number(minutes, 'g', 4));
}

std::optional<double> number(const json &o, const char *key)
{
    if (!o.contains(key))
        return std::nullopt;
    return o[key].is_number() ? std::optional<double>(o[key].get<double>()) : std::optional<double>(std::nan(""));
}

} // namespace

Result<DeploymentAxisPolicy> deploymentAxisFromPolicy(const Policy::Bundle &bundle, const QMap<QString, double> &objectives,
                                                      const QList<Cohort> &cohorts)
{
    DeploymentAxisPolicy p;
    const json &rollout = bundle.section("rollout");
    if (!rollout.is_object() || !rollout.contains("deploymentAxis"))
        return p;
    const json &s = rollout["deploymentAxis"];
    const QString at = u"rollout.deploymentAxis"_s;
    if (!s.is_object())
        return Policy::fieldError(bundle, at, u"must be an object"_s);
    static const QStringList known = {u"enabled"_s, u"slo"_s, u"cohortSlo"_s, u"maxBurnRate"_s, u"maxCanaryToBaseline"_s, u"pageBurnRate"_s,
                                      u"minRequests"_s, u"autoAdvance"_s, u"stages"_s, u"friction"_s, u"smokeChecks"_s};
    for (const auto &[key, value] : s.items()) {
        if (!known.contains(QString::fromStdString(key)))
            return Policy::fieldError(bundle, at + u'.' + QString::fromStdString(key), u"unknown key (known: %1)"_s.arg(known.join(u", "_s)));
    }
    for (const auto &[key, out] : {std::pair{"enabled", &p.enabled}, std::pair{"autoAdvance", &p.autoAdvance}}) {
        if (s.contains(key) && !s[key].is_boolean())
            return Policy::fieldError(bundle, at + u'.' + QLatin1StringView(key), u"must be true or false"_s);
        if (s.contains(key))
            *out = s[key].get<bool>();
    }
    // The SLOs must exist where the axis is used; while it is off, a bundle that drops one is judged by the
    // SLO floors (which name the dropped SLO) rather than refused here.
    p.slo = s.contains("slo") ? Policy::stringField(s, "slo") : u"http_errors"_s;
    p.cohortSlo = s.contains("cohortSlo") ? Policy::stringField(s, "cohortSlo") : u"publish_success"_s;
    for (const auto &[key, id, objective] : {std::tuple{"slo", p.slo, &p.objective}, std::tuple{"cohortSlo", p.cohortSlo, &p.cohortObjective}}) {
        if (objectives.contains(id))
            *objective = objectives.value(id);
        else if (p.enabled)
            return Policy::fieldError(bundle, at + u'.' + QLatin1StringView(key), u"\"%1\" is not an SLO of the policy"_s.arg(id));
    }
    for (const auto &[key, out, minimum] : {std::tuple{"maxBurnRate", &p.maxBurnRate, 0.0}, std::tuple{"maxCanaryToBaseline", &p.maxCanaryToBaseline, 1.0},
                                            std::tuple{"pageBurnRate", &p.pageBurnRate, 1.0}, std::tuple{"minRequests", &p.minRequests, 1.0}}) {
        const std::optional<double> v = number(s, key);
        if (!v)
            continue;
        if (std::isnan(*v) || *v < minimum)
            return Policy::fieldError(bundle, at + u'.' + QLatin1StringView(key), u"must be a number of at least %1"_s.arg(minimum));
        *out = *v;
    }
    // Enforcement friction (§6.2 Phase C): {maxRatio, minCount}.
    if (s.contains("friction")) {
        const json &f = s["friction"];
        if (!f.is_object())
            return Policy::fieldError(bundle, at + u".friction"_s, u"must be an object {maxRatio, minCount}"_s);
        for (const auto &[key, value] : f.items()) {
            if (key != "maxRatio" && key != "minCount")
                return Policy::fieldError(bundle, at + u".friction."_s + QString::fromStdString(key), u"unknown key (known: maxRatio, minCount)"_s);
        }
        if (const std::optional<double> v = number(f, "maxRatio")) {
            if (std::isnan(*v) || *v < 0 || *v >= 1)
                return Policy::fieldError(bundle, at + u".friction.maxRatio"_s, u"must be a ratio from 0 to under 1 (friction events per publish attempt)"_s);
            p.friction.maxRatio = *v;
        }
        if (const std::optional<double> v = number(f, "minCount")) {
            if (std::isnan(*v) || *v < 1 || *v != std::floor(*v))
                return Policy::fieldError(bundle, at + u".friction.minCount"_s, u"must be a whole number of at least 1"_s);
            p.friction.minCount = *v;
        }
    }
    // The staging smoke tests (§6.2 Phase A) as GitHub reports them on the staging commit.
    if (s.contains("smokeChecks")) {
        const json &list = s["smokeChecks"];
        if (!list.is_array())
            return Policy::fieldError(bundle, at + u".smokeChecks"_s, u"must be a list of check names"_s);
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string() || list[i].get<std::string>().empty())
                return Policy::fieldError(bundle, u"%1.smokeChecks[%2]"_s.arg(at).arg(i), u"must be the name of a check run or commit status"_s);
            p.smokeChecks << QString::fromStdString(list[i].get<std::string>());
        }
    }
    const json &stages = s.value("stages", json::object());
    if (!stages.is_object())
        return Policy::fieldError(bundle, at + u".stages"_s, u"must map release levels to lists of stages"_s);
    for (const auto &[level, list] : stages.items()) {
        const QString lat = at + u".stages."_s + QString::fromStdString(level);
        if (level != "L0" && level != "L1" && level != "L2" && level != "L3")
            return Policy::fieldError(bundle, lat, u"is not a release level (L0–L3)"_s);
        if (!list.is_array() || list.empty())
            return Policy::fieldError(bundle, lat, u"must be a non-empty list of {trafficPercent, cohorts, windowMinutes}"_s);
        QList<CanaryStage> plan;
        double last = 0;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const QString sat = u"%1[%2]"_s.arg(lat).arg(i);
            const json &o = list[i];
            if (!o.is_object() || !o.contains("trafficPercent") || !o["trafficPercent"].is_number())
                return Policy::fieldError(bundle, sat + u".trafficPercent"_s, u"must be a number"_s);
            CanaryStage st;
            st.trafficPercent = o["trafficPercent"].get<double>();
            if (st.trafficPercent <= last || st.trafficPercent > 100)
                return Policy::fieldError(bundle, sat + u".trafficPercent"_s,
                                          u"must rise from stage to stage within 1–100 (the last one 100)"_s);
            last = st.trafficPercent;
            const std::optional<double> w = number(o, "windowMinutes");
            if (!w || std::isnan(*w) || *w < 0)
                return Policy::fieldError(bundle, sat + u".windowMinutes"_s, u"must be a number of minutes (0 or more)"_s);
            st.windowMinutes = *w;
            const json &cs = o.value("cohorts", json::array());
            if (!cs.is_array())
                return Policy::fieldError(bundle, sat + u".cohorts"_s, u"must be a list of cohort ids"_s);
            for (const json &c : cs) {
                const QString id = c.is_string() ? QString::fromStdString(c.get<std::string>()) : QString();
                if (std::none_of(cohorts.cbegin(), cohorts.cend(), [&](const Cohort &k) { return k.id == id; }))
                    return Policy::fieldError(bundle, sat + u".cohorts"_s, u"\"%1\" is not a cohort of the policy"_s.arg(id));
                st.cohorts << id;
            }
            // Cohorts only widen: a later stage keeps every cohort of the one before.
            if (!plan.isEmpty()) {
                for (const QString &c : std::as_const(plan.last().cohorts)) {
                    if (!st.cohorts.contains(c))
                        return Policy::fieldError(bundle, sat + u".cohorts"_s, u"drops the cohort \"%1\" of the stage before"_s.arg(c));
                }
            }
            plan.append(st);
        }
        if (last != 100)
            return Policy::fieldError(bundle, lat, u"the last stage must send 100 % of the traffic to the canary"_s);
        p.stages.insert(QString::fromStdString(level), plan);
    }
    return p;
}

AxisChoice chooseAxes(const DeploymentAxisPolicy &policy, const QString &level, const std::optional<BillingFacts> &billing,
                      const QString &billingError)
{
    if (!policy.enabled)
        return {false, u"flag-only canary: the policy keeps the deployment axis off (rollout.deploymentAxis.enabled)"_s};
    if (!policy.stages.contains(level))
        return {false, u"flag-only canary: the policy has no deployment stages for %1 (rollout.deploymentAxis.stages.%1)"_s.arg(level)};
    if (!billing)
        return {false, u"flag-only canary: Vercel's rolling-release billing could not be read (%1); the deployment axis needs a yes"_s.arg(
                           billingError.isEmpty() ? u"no answer"_s : billingError)};
    if (!billing->allowed)
        return {false, u"flag-only canary: Vercel's rolling-release billing says no (%1: %2)"_s.arg(billing->reason, billing->message)};
    return {true, u"deployment and flag axes: Vercel rolling release of web traffic, flag cohorts for side effects"_s};
}

double burnRate(const AxisCount &axis, double objective)
{
    const double budget = 1.0 - objective;
    return budget > 0 ? axis.ratio() / budget : 0.0;
}

QString StageVerdict::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Advance:
        return u"advance"_s;
    case Kind::Wait:
        return u"wait"_s;
    case Kind::NotEnoughData:
        return u"not enough data"_s;
    case Kind::Hold:
        return u"hold"_s;
    case Kind::Done:
        return u"done"_s;
    }
    return {};
}

StageVerdict judgeStage(const DeploymentAxisPolicy &policy, const QList<CanaryStage> &plan, const StageFacts &facts)
{
    StageVerdict v;
    v.canaryBurn = burnRate(facts.canary, policy.objective);
    v.baselineBurn = burnRate(facts.baseline, policy.objective);
    if (facts.stageIndex < 0 || facts.stageIndex >= plan.size()) {
        v.kind = StageVerdict::Kind::Hold;
        v.reasons << u"stage %1 is not in the plan (%2 stages)"_s.arg(facts.stageIndex + 1).arg(plan.size());
        return v;
    }
    const CanaryStage &stage = plan.at(facts.stageIndex);
    const auto enough = [&](const AxisCount &a) { return a.requests >= policy.minRequests; };

    // 1. A burn holds whatever the window: judged as soon as the axis has the requests to judge it.
    QList<AxisCount> axes = {facts.canary};
    axes += facts.cohorts;
    double worst = 0;
    for (qsizetype i = 0; i < axes.size(); ++i) {
        const AxisCount &a = axes.at(i);
        const double burn = burnRate(a, i == 0 ? policy.objective : policy.cohortObjective);
        if (enough(a) && burn > policy.maxBurnRate) {
            v.reasons << u"%1 burns %2× the error budget (policy: at most %3×, %4 requests)"_s.arg(a.name, QString::number(burn, 'f', 1),
                                                                                                QString::number(policy.maxBurnRate, 'g', 3))
                             .arg(qint64(a.requests));
            worst = std::max(worst, burn);
        }
    }
    if (enough(facts.canary) && enough(facts.baseline) && facts.baseline.requests > 0) {
        // Against the current deployment: a floor of the baseline's ratio at a tenth of the budget, so a
        // perfect baseline does not turn every single error of the canary into an infinite ratio.
        const double floor = (1.0 - policy.objective) * 0.1;
        const double limit = policy.maxCanaryToBaseline * std::max(facts.baseline.ratio(), floor);
        if (facts.canary.ratio() > limit)
            v.reasons << u"%1 fails %2 % of its requests, over %3× %4's %5 %"_s.arg(facts.canary.name, QString::number(facts.canary.ratio() * 100, 'f', 2),
                                                                                   QString::number(policy.maxCanaryToBaseline, 'g', 3), facts.baseline.name,
                                                                                   QString::number(facts.baseline.ratio() * 100, 'f', 2));
    }
    // Enforcement friction since the stage began, against the cohorts' publish attempts; the staging smoke checks.
    QHash<QString, double> attempts;
    for (const AxisCount &c : facts.cohorts)
        attempts.insert(c.name.startsWith(u"cohort "_s) ? c.name.mid(7) : c.name, c.requests);
    v.evidence = judgeFriction(policy.friction, stage.cohorts, attempts, facts.friction);
    v.evidence += judgeSmoke(policy.smokeChecks, facts.smoke);
    QStringList unknown;
    for (const StageEvidence &e : std::as_const(v.evidence)) {
        if (e.state == StageEvidence::State::Hold)
            v.reasons << u"%1 — %2"_s.arg(e.subject, e.detail);
        else if (e.state == StageEvidence::State::Unknown)
            unknown << u"%1 — %2"_s.arg(e.subject, e.detail);
    }
    if (!v.reasons.isEmpty()) {
        v.kind = StageVerdict::Kind::Hold;
        v.page = worst >= policy.pageBurnRate;
        return v;
    }
    // 2. Every axis needs enough requests to judge, and the evidence must have been read.
    v.reasons = unknown;
    QList<AxisCount> needed = axes;
    if (stage.trafficPercent < 100)
        needed.append(facts.baseline);
    for (const AxisCount &a : std::as_const(needed)) {
        if (!enough(a))
            v.reasons << u"%1: %2 of %3 requests needed"_s.arg(a.name).arg(qint64(a.requests)).arg(qint64(policy.minRequests));
    }
    if (!v.reasons.isEmpty()) {
        v.kind = StageVerdict::Kind::NotEnoughData;
        return v;
    }
    // 3. The last stage is the end; otherwise advance once the window is over.
    if (facts.stageIndex + 1 >= plan.size()) {
        v.kind = StageVerdict::Kind::Done;
        v.reasons << u"stage %1 of %2 (100 %) reached inside the policy"_s.arg(facts.stageIndex + 1).arg(plan.size());
        return v;
    }
    const double windowSeconds = stage.windowMinutes * 60.0;
    if (facts.elapsedSeconds < windowSeconds) {
        v.kind = StageVerdict::Kind::Wait;
        v.reasons << u"inside the policy; %1 s of the stage's %2 left"_s.arg(qint64(std::ceil(windowSeconds - facts.elapsedSeconds))).arg(window(stage.windowMinutes));
        return v;
    }
    v.kind = StageVerdict::Kind::Advance;
    v.nextStage = facts.stageIndex + 1;
    v.reasons << u"inside the policy for the stage's %1: canary burn %2×, baseline %3×"_s.arg(window(stage.windowMinutes),
                                                                                             QString::number(v.canaryBurn, 'f', 2),
                                                                                             QString::number(v.baselineBurn, 'f', 2));
    return v;
}

QStringList describePlan(const QList<CanaryStage> &plan)
{
    QStringList out;
    for (int i = 0; i < plan.size(); ++i) {
        const CanaryStage &s = plan.at(i);
        out << u"stage %1: %2 traffic, cohorts %3, %4"_s.arg(i + 1).arg(percent(s.trafficPercent),
                                                             s.cohorts.isEmpty() ? u"none"_s : s.cohorts.join(u", "_s), window(s.windowMinutes));
    }
    return out;
}

} // namespace Raize::Release
