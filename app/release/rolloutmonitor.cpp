#include "release/rolloutmonitor.h"

#include "core/writeguard.h"

#include "core/sha256.h"
#include "release/flagchangerunner.h"
#include "slo/slopolicy.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

namespace {

QString utcText(qint64 ms, const QString &format = u"yyyy-MM-dd HH:mm:ss"_s)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(format) + u" UTC"_s;
}

QString isoText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

json number(double v)
{
    return std::isfinite(v) ? json(v) : json(std::isinf(v) ? "inf" : "nan");
}

std::string s(const QString &text)
{
    return text.toStdString();
}

json strings(const QStringList &list)
{
    json a = json::array();
    for (const QString &x : list)
        a.push_back(s(x));
    return a;
}

} // namespace

Result<RolloutMonitorPolicy> rolloutMonitorPolicy(const Policy::Bundle &bundle, const QList<Cohort> &cohorts)
{
    RolloutMonitorPolicy p;
    const auto slos = Slo::slosFromPolicy(bundle);
    if (!slos)
        return slos.error();
    const auto rules = Slo::burnRulesFromPolicy(bundle);
    if (!rules)
        return rules.error();
    const auto rollout = rolloutFromPolicy(bundle, cohorts);
    if (!rollout)
        return rollout.error();
    p.slos = *slos;
    p.rules = *rules;
    p.cohorts = cohorts;
    p.rollout = *rollout;
    const json &overrides = bundle.section("overrides");
    if (overrides.is_object() && overrides.contains("rolloutAdvance")) {
        const json &v = overrides["rolloutAdvance"];
        if (!v.is_string() || (v != "allowed" && v != "forbidden"))
            return Policy::fieldError(bundle, u"overrides.rolloutAdvance"_s, u"must be \"allowed\" or \"forbidden\""_s);
        p.advanceOverrideAllowed = v == "allowed";
    }
    if (overrides.is_object() && overrides.contains("minReasonChars")) {
        if (!overrides["minReasonChars"].is_number_integer() || overrides["minReasonChars"].get<int>() < 0)
            return Policy::fieldError(bundle, u"overrides.minReasonChars"_s, u"must be a whole number of at least 0"_s);
        p.minReasonChars = overrides["minReasonChars"].get<int>();
    }
    // What auto-pacing was armed under: a change to any of it stops it.
    p.fingerprint = QString::fromStdString(bundle.source.toStdString() + '\n' + bundle.section("slos").dump() + '\n' +
                                           bundle.section("burnAlerts").dump() + '\n' + bundle.section("rollout").dump() + '\n' +
                                           bundle.section("canary").dump() + '\n' + cohortsToJson(cohorts).dump());
    return p;
}

RolloutMonitor::RolloutMonitor(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
    replan();
}

RolloutMonitor::~RolloutMonitor() = default;

void RolloutMonitor::setMaxAges(qint64 flagsMs, qint64 seriesMs)
{
    m_flagsMaxAgeMs = flagsMs;
    m_seriesMaxAgeMs = seriesMs;
    evaluate();
}

void RolloutMonitor::setPolicy(const RolloutMonitorPolicy &policy)
{
    m_policy = policy;
    if (m_pacer && m_pacer->armed()) {
        if (!m_policy.rollout.autoPacing)
            m_pacer->stop(u"the policy no longer allows auto-pacing (canary.autoPacing is off)"_s, u"console"_s);
        else if (m_policy.fingerprint != m_armedFingerprint)
            m_pacer->stop(u"the policy or the cohorts changed since auto-pacing was armed"_s, u"console"_s);
    }
    replan();
    evaluate();
}

void RolloutMonitor::setSeries(const SloSeriesByCohort &series)
{
    m_series = series;
    evaluate();
}

void RolloutMonitor::setFlags(const FlagSnapshot &flags)
{
    m_flags = flags;
    evaluate();
}

void RolloutMonitor::setLevel(const QString &level)
{
    m_level = level;
    replan();
    evaluate();
}

void RolloutMonitor::setStage(int stage, qint64 flagsOnSinceMs)
{
    const bool moved = stage != m_stage || flagsOnSinceMs != m_stageSinceMs;
    if (stage != m_stage)
        m_confirmed.clear(); // the new stage's confirmations start unticked: auto-pacing waits for the operator again
    m_stage = stage;
    m_stageSinceMs = flagsOnSinceMs;
    if (moved)
        Q_EMIT stageChanged(stage, flagsOnSinceMs);
    evaluate();
}

void RolloutMonitor::setConfirmed(const QSet<QString> &confirmed)
{
    m_confirmed = confirmed;
    evaluate();
}

void RolloutMonitor::setReleaseFlags(const QStringList &flags)
{
    m_releaseFlags = flags;
    evaluate();
}

void RolloutMonitor::setChangePath(FlagChangeRunner *runner, Records::AuditSink *audit)
{
    if (m_pacer && m_pacer->armed())
        m_pacer->stop(u"the flag service or the audit log was reconfigured"_s, u"console"_s);
    delete m_pacer;
    m_pacer = nullptr;
    m_runner = runner;
    m_audit = audit;
    if (m_runner) {
        m_pacer = new AutoPacer(m_runner, this);
        m_pacer->setAudit(m_audit);
        connect(m_pacer, &AutoPacer::stateChanged, this, &RolloutMonitor::autoPacingChanged);
        // The observation window of the new stage starts when the monitor learns of the read-back, by its clock.
        connect(m_pacer, &AutoPacer::stageAdvanced, this, [this](int stage, qint64) { setStage(stage, m_clock.nowMs()); });
    }
    Q_EMIT autoPacingChanged();
}

void RolloutMonitor::replan()
{
    const auto plan = planRelease(m_policy.rollout, m_policy.cohorts, m_level, {});
    m_plan = plan ? *plan : RolloutPlan{};
    m_planError = plan ? QString() : plan.error().message;
}

void RolloutMonitor::evaluate()
{
    if (m_evaluating) {
        m_again = true; // auto-pacing's own read-back re-enters through setStage: the outer call evaluates once more
        return;
    }
    m_evaluating = true;
    do {
        m_again = false;
        computeVerdicts();
        computePages();
        computeRecommendation();
        stepPacing();
    } while (m_again);
    m_evaluating = false;
    Q_EMIT evaluated();
}

void RolloutMonitor::computeVerdicts()
{
    m_verdicts.clear();
    if (m_series.isEmpty())
        return;
    // At the clock's time: a series whose newest sample is older than a gap has empty short windows ("not enough data").
    const qint64 now = m_clock.nowMs();
    for (const Cohort &c : std::as_const(m_policy.cohorts)) {
        QList<Slo::AlertVerdict> list;
        for (const Slo::SloSpec &spec : std::as_const(m_policy.slos)) {
            const auto it = m_series.byCohort.constFind(spec.id);
            if (it == m_series.byCohort.cend() || !it->contains(c.id))
                continue; // no counters: the recommendation says "no data was read"
            list.append(Slo::evaluate(spec, it->value(c.id), now, m_policy.rules));
        }
        m_verdicts.insert(c.id, list);
    }
}

void RolloutMonitor::computePages()
{
    const QList<Services::FlagState> flags = m_flags.hasData() ? m_flags.flags : QList<Services::FlagState>{};
    const QList<PageAlert> now = pageAlerts(m_policy.cohorts, m_verdicts, m_policy.slos, flags);
    QList<RaisedPage> next;
    QList<PageAlert> raised;
    for (const PageAlert &a : now) {
        const auto was =
            std::find_if(m_pages.cbegin(), m_pages.cend(), [&](const RaisedPage &p) { return p.alert.cohort.id == a.cohort.id; });
        if (was == m_pages.cend()) {
            next.append({a, m_clock.nowMs()});
            raised << a;
        } else {
            next.append({a, was->sinceMs});
        }
    }
    QStringList cleared;
    for (const RaisedPage &p : std::as_const(m_pages)) {
        if (std::none_of(now.cbegin(), now.cend(), [&](const PageAlert &a) { return a.cohort.id == p.alert.cohort.id; }))
            cleared << p.alert.cohort.id;
    }
    m_pages = next;
    for (const PageAlert &a : std::as_const(raised))
        Q_EMIT pageRaised(a);
    for (const QString &id : std::as_const(cleared))
        Q_EMIT pageCleared(id);
}

QList<PageAlert> RolloutMonitor::alerts() const
{
    QList<PageAlert> out;
    for (const RaisedPage &p : m_pages)
        out << p.alert;
    return out;
}

void RolloutMonitor::computeRecommendation()
{
    const qint64 now = m_clock.nowMs();
    // The stale-flags rule: a stage's flag change is planned from a current read-back only.
    if (!m_flags.hasData())
        m_staleFlags = u"the flags have not been read from the flag service yet"_s;
    else if (m_flags.stale)
        m_staleFlags = u"the flag read-back is stale since %1 (%2)"_s.arg(
            utcText(m_flags.staleSince.toMSecsSinceEpoch()),
            m_flags.lastError.message.isEmpty() ? u"the flag service did not answer"_s : m_flags.lastError.message);
    else if (const qint64 age = now - m_flags.fetchedAt.toMSecsSinceEpoch(); age > m_flagsMaxAgeMs)
        m_staleFlags = u"the flag read-back is %1 s old (read at %2; at most %3 s)"_s.arg(age / 1000)
                           .arg(utcText(m_flags.fetchedAt.toMSecsSinceEpoch()))
                           .arg(m_flagsMaxAgeMs / 1000);
    else
        m_staleFlags.clear();

    Recommendation r;
    if (!m_planError.isEmpty()) {
        r.headline = u"blocked because the policy has no plan for this release: "_s + m_planError;
        m_recommendation = r;
        return;
    }
    if (m_series.isEmpty()) {
        r.headline = u"blocked because no SLO data has been read yet"_s;
        m_recommendation = r;
        return;
    }
    StageObservation obs;
    obs.stage = m_stage;
    obs.nowMs = now;
    // Unknown since when the flags are on: the whole window is still ahead.
    obs.stageStartedMs = m_stageSinceMs > 0 ? m_stageSinceMs : now;
    obs.slos = m_policy.slos;
    if (m_stage >= 0 && m_stage < m_plan.stages.size())
        obs.verdicts = m_verdicts.value(m_plan.stages[m_stage].stage.cohortId);
    obs.confirmed = m_confirmed;
    r = recommend(m_plan, obs);
    if (m_stageSinceMs <= 0)
        r.evidence << u"since when the stage's flags are on is unknown: the observation window counts from now"_s;

    if (r.kind == Recommendation::Kind::ExpandAllowed) {
        const qint64 seriesAge = now - m_series.toMs;
        if (seriesAge > m_seriesMaxAgeMs) {
            r.kind = Recommendation::Kind::Blocked;
            r.headline = u"blocked because the SLO data is %1 min old (newest sample %2): read it again before expanding"_s
                             .arg(seriesAge / Slo::MinuteMs)
                             .arg(utcText(m_series.toMs, u"yyyy-MM-dd HH:mm"_s));
        } else if (!m_staleFlags.isEmpty()) {
            r.kind = Recommendation::Kind::Blocked;
            r.headline =
                u"blocked because %1: a stage's flag change is planned from a current read-back only"_s.arg(m_staleFlags);
        }
    }
    if (m_flags.hasData())
        r.evidence << u"flags of %1 read at %2%3"_s.arg(m_flags.environment, utcText(m_flags.fetchedAt.toMSecsSinceEpoch()),
                                                        m_staleFlags.isEmpty() ? QString() : u" — "_s + m_staleFlags);
    m_recommendation = r;
}

void RolloutMonitor::stepPacing()
{
    if (!m_pacer || !m_pacer->armed())
        return;
    if (m_guard) {
        // The profile's arming ended (or it was disarmed): auto-pacing stands down and must be armed again;
        // a stage already sent finishes through the runner's read-back.
        if (const Status armed = m_guard->mayChange(u"auto-pacing's next step"_s); !armed) {
            m_pacer->stop(u"the profile is no longer armed: auto-pacing stopped and must be armed again after the profile is"_s, u"console"_s);
            return;
        }
    }
    AutoPacingInputs in;
    in.policyAllows = m_policy.rollout.autoPacing;
    in.policyChanged = m_policy.fingerprint != m_armedFingerprint;
    for (const RaisedPage &p : std::as_const(m_pages))
        in.pageAlerts << u"%1: %2"_s.arg(p.alert.cohort.name, p.alert.evidence.value(0));
    in.recommendation = m_recommendation;
    m_pacer->step(in, m_flags.flags);
}

QStringList RolloutMonitor::canaryFlagsOfStage(int stage) const
{
    if (!m_flags.hasData() || stage < 0 || stage >= m_plan.stages.size())
        return {};
    const QString cohortId = m_plan.stages[stage].stage.cohortId;
    for (const Cohort &c : m_policy.cohorts) {
        if (c.id == cohortId)
            return canaryFlagsOn(m_flags.flags, c, m_policy.cohorts);
    }
    return {};
}

QStringList RolloutMonitor::releaseFlags() const
{
    return m_releaseFlags.isEmpty() ? canaryFlagsOfStage(m_stage) : m_releaseFlags;
}

QList<ToggleChange> RolloutMonitor::nextStageChanges() const
{
    QList<ToggleChange> out;
    const int next = m_stage + 1;
    if (m_stage < 0 || next >= m_plan.stages.size())
        return out;
    for (const QString &key : releaseFlags()) {
        const auto it = std::find_if(m_flags.flags.cbegin(), m_flags.flags.cend(),
                                     [&](const Services::FlagState &f) { return f.key == key; });
        if (it == m_flags.flags.cend()) {
            ToggleChange missing;
            missing.flag = key;
            missing.environment = m_flags.environment;
            missing.refusal = u"flag %1 is not in the flag service's read-back of %2"_s.arg(key, m_flags.environment);
            out << missing;
            continue;
        }
        out << planStageChange(*it, m_plan.stages[next], m_flags.environment);
    }
    return out;
}

QString RolloutMonitor::advanceDigest() const
{
    // What the advance does, one line each: if any of it changes, an earlier digest no longer matches.
    QStringList lines{u"rollout-advance v1"_s, u"level "_s + m_level, u"environment "_s + m_flags.environment};
    const int next = m_stage + 1;
    lines << u"stage %1 %2"_s.arg(m_stage).arg(m_stage >= 0 && m_stage < m_plan.stages.size() ? m_plan.stages[m_stage].stage.id
                                                                                              : QString());
    lines << u"next %1 %2"_s.arg(next).arg(next >= 0 && next < m_plan.stages.size() ? m_plan.stages[next].stage.id : QString());
    for (const ToggleChange &c : nextStageChanges())
        lines << u"change "_s + c.flag + u" | "_s + (c.refusal.isEmpty() ? c.summary : u"refused: "_s + c.refusal);
    return Sha256::hexString(lines.join(u'\n').toUtf8());
}

nlohmann::json RolloutMonitor::toJson() const
{
    json out;
    out["level"] = s(m_level);
    const auto stageJson = [this](int i) -> json {
        if (i < 0 || i >= m_plan.stages.size())
            return nullptr;
        const PlannedStage &p = m_plan.stages[i];
        return {{"index", i + 1},
                {"id", s(p.stage.id)},
                {"name", s(p.stage.name)},
                {"environment", s(p.environment)},
                {"scope", s(p.scope.describe())},
                {"observeMinutes", p.observeMinutes},
                {"confirmations", strings(p.stage.confirmations)}};
    };
    out["stage"] = stageJson(m_stage);
    if (out["stage"].is_object())
        out["stage"]["since"] = m_stageSinceMs > 0 ? json(s(isoText(m_stageSinceMs))) : json(nullptr);
    out["nextStage"] = stageJson(m_stage + 1);
    out["planError"] = m_planError.isEmpty() ? json(nullptr) : json(s(m_planError));
    out["recommendation"] = {{"kind", s(Recommendation::kindName(m_recommendation.kind))},
                             {"headline", s(m_recommendation.headline)},
                             {"waitMinutes", m_recommendation.waitMinutes},
                             {"reasons", strings(m_recommendation.evidence)}};
    json verdicts = json::array();
    for (const Cohort &c : m_policy.cohorts) {
        for (const Slo::SloSpec &spec : m_policy.slos) {
            const QList<Slo::AlertVerdict> list = m_verdicts.value(c.id);
            const auto v =
                std::find_if(list.cbegin(), list.cend(), [&](const Slo::AlertVerdict &x) { return x.sloId == spec.id; });
            json row = {{"cohort", s(c.id)}, {"slo", s(spec.id)}, {"title", s(spec.title)}, {"objective", spec.objective}};
            if (v == list.cend()) {
                row["severity"] = "no-data";
                row["rules"] = json::array();
            } else {
                row["severity"] = s(Slo::severityName(v->severity));
                row["evaluatedAt"] = s(isoText(v->evaluatedAtMs));
                json rules = json::array();
                for (const Slo::RuleVerdict &r : v->rules)
                    rules.push_back({{"rule", s(r.rule.name())},
                                     {"state", s(Slo::ruleStateName(r.state))},
                                     {"longBurn", number(r.longBurn)},
                                     {"shortBurn", number(r.shortBurn)},
                                     {"longEvents", r.longWindow.events},
                                     {"shortEvents", r.shortWindow.events}});
                row["rules"] = rules;
            }
            verdicts.push_back(row);
        }
    }
    out["verdicts"] = verdicts;
    json pages = json::array();
    for (const RaisedPage &p : m_pages)
        pages.push_back({{"cohort", s(p.alert.cohort.id)},
                         {"name", s(p.alert.cohort.name)},
                         {"flags", strings(p.alert.flags)},
                         {"evidence", strings(p.alert.evidence)},
                         {"since", s(isoText(p.sinceMs))}});
    out["pages"] = pages;
    out["flags"] = {{"environment", s(m_flags.environment)},
                    {"readAt", m_flags.hasData() ? json(s(m_flags.fetchedAt.toString(Qt::ISODateWithMs))) : json(nullptr)},
                    {"stale", m_staleFlags.isEmpty() ? json(nullptr) : json(s(m_staleFlags))}};
    out["releaseFlags"] = strings(releaseFlags());
    json changes = json::array();
    for (const ToggleChange &c : nextStageChanges())
        changes.push_back({{"flag", s(c.flag)},
                           {"summary", s(c.summary)},
                           {"refusal", c.refusal.isEmpty() ? json(nullptr) : json(s(c.refusal))},
                           {"sends", c.refusal.isEmpty() && (c.enabledAfter != c.enabledBefore || c.scopeChanges)}});
    out["changes"] = changes;
    out["digest"] = s(advanceDigest());
    out["autoPacing"] = {
        {"allowed", m_policy.rollout.autoPacing}, {"armed", m_pacer && m_pacer->armed()}, {"status", s(autoPacingStatus())}};
    out["overrideAllowed"] = m_policy.advanceOverrideAllowed;
    return out;
}

QStringList RolloutMonitor::armingPlan() const
{
    const QStringList flags = releaseFlags();
    QList<Services::FlagState> states;
    for (const Services::FlagState &f : m_flags.flags) {
        if (flags.contains(f.key))
            states << f;
    }
    return AutoPacer::armingPlan(m_plan, m_stage, states, m_flags.environment);
}

Status RolloutMonitor::arm(const QString &actor)
{
    const auto refused = [](const QString &why) { return Status(Error::make(Error::Kind::Refused, u"console"_s, why)); };
    if (!m_policy.rollout.autoPacing)
        return refused(u"Auto-pacing is off in the policy (canary.autoPacing): the console never expands a rollout by itself."_s);
    if (m_guard) {
        if (const Status armed = m_guard->mayChange(u"arming auto-pacing"_s); !armed)
            return armed;
    }
    if (!m_pacer)
        return refused(u"Auto-pacing needs the flag service (Settings → Flags) and an audit log."_s);
    if (!m_staleFlags.isEmpty())
        return refused(u"Auto-pacing needs a current read-back of the flags: %1."_s.arg(m_staleFlags));
    const Status s =
        m_pacer->arm(m_plan, true, m_stage, releaseFlags(), armingPlan(), m_flags.environment, actor, m_clock.nowMs());
    if (!s)
        return s;
    m_armedFingerprint = m_policy.fingerprint;
    evaluate();
    return okStatus();
}

void RolloutMonitor::stop(const QString &actor)
{
    if (m_pacer && m_pacer->armed())
        m_pacer->stop(u"stopped by %1"_s.arg(actor), actor);
}

QString RolloutMonitor::autoPacingStatus() const
{
    if (!m_pacer)
        return u"Auto-pacing: not armed (the flag service is not configured)."_s;
    QString text = m_pacer->statusText();
    if (!m_pacer->lastReport().isEmpty())
        text += u"\nLast flag change: "_s + m_pacer->lastReport();
    return text;
}

} // namespace Raize::Release
