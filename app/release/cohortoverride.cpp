#include "release/cohortoverride.h"

#include "core/writeguard.h"

#include "release/rollout.h"

#include "core/settings.h"
#include "records/auditlog.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

namespace {

const QString SettingsSource = u"the profile's settings (canary/cohorts)"_s;

json auditState(const EffectiveCohorts &e)
{
    return {{"source", e.fromSettings ? "settings" : "policy"}, {"cohorts", cohortsToJson(e.cohorts)}};
}

} // namespace

QString EffectiveCohorts::describe() const
{
    QString text = fromSettings ? u"Cohorts from %1."_s.arg(source) : u"Cohorts from the policy bundle (%1)."_s.arg(source);
    if (overrideError)
        text += u" The cohorts stored in the profile's settings are not used: %1"_s.arg(overrideError->message);
    return text;
}

Status checkCohortsAgainstPolicy(const QList<Cohort> &cohorts, const Policy::Bundle &bundle)
{
    const Result<RolloutPolicy> rollout = rolloutFromPolicy(bundle, cohorts);
    if (!rollout)
        return rollout.error();
    for (auto it = rollout->observationMinutes.cbegin(); it != rollout->observationMinutes.cend(); ++it) {
        const Result<RolloutPlan> plan = planRelease(*rollout, cohorts, it.key(), {});
        if (!plan)
            return plan.error();
    }
    return okStatus();
}

Result<QList<Cohort>> cohortsFromOverride(const json &array, const Policy::Bundle &bundle, const QString &where)
{
    Result<QList<Cohort>> cohorts = cohortsFromJson(array, where);
    if (!cohorts)
        return cohorts;
    if (const Status fits = checkCohortsAgainstPolicy(*cohorts, bundle); !fits) {
        Error e = fits.error();
        e.message = u"%1: these cohorts do not fit the policy's rollout: %2"_s.arg(where, e.message);
        e.remedy = u"Keep the cohorts the rollout stages name, within each stage's limits."_s;
        return e;
    }
    return cohorts;
}

Result<EffectiveCohorts> effectiveCohorts(const Settings &settings, const Policy::Bundle &bundle)
{
    EffectiveCohorts out;
    const QString stored = settings.string(SettingKey::CanaryCohorts).trimmed();
    if (!stored.isEmpty()) {
        const json doc = json::parse(stored.toStdString(), nullptr, false);
        if (doc.is_discarded()) {
            out.overrideError = Error::make(Error::Kind::Config, u"settings"_s,
                                            u"%1 is not valid JSON"_s.arg(SettingsSource),
                                            u"Edit the cohorts in the console (Canary → Edit cohorts…) or reset them to the policy's."_s);
        } else if (Result<QList<Cohort>> cohorts = cohortsFromOverride(doc, bundle, SettingsSource); !cohorts) {
            out.overrideError = cohorts.error();
        } else {
            out.cohorts = *cohorts;
            out.fromSettings = true;
            out.source = SettingsSource;
            return out;
        }
    }
    const Result<QList<Cohort>> policy = cohortsFromPolicy(bundle);
    if (!policy) {
        Error e = policy.error();
        if (out.overrideError)
            e.message += u" (and %1)"_s.arg(out.overrideError->message);
        return e;
    }
    out.cohorts = *policy;
    out.source = bundle.source;
    return out;
}

Result<EffectiveCohorts> saveCohorts(Settings &settings, const Policy::Bundle &bundle, const QList<Cohort> &cohorts,
                                     Records::AuditSink &audit, const QString &actor, const QString &reason, WriteGuard *guard)
{
    const Result<QList<Cohort>> checked = cohortsFromOverride(cohortsToJson(cohorts), bundle, u"the edited cohorts"_s);
    if (!checked)
        return checked.error();
    const Result<EffectiveCohorts> before = effectiveCohorts(settings, bundle);
    const Result<QList<Cohort>> policy = cohortsFromPolicy(bundle);
    const bool reset = policy && *policy == *checked;

    EffectiveCohorts after;
    after.cohorts = *checked;
    after.fromSettings = !reset;
    after.source = reset ? bundle.source : SettingsSource;
    const QString storedBefore = settings.string(SettingKey::CanaryCohorts);
    if (before && !before->overrideError && before->fromSettings == after.fromSettings && before->cohorts == after.cohorts)
        return *before; // nothing changes
    if (guard) {
        if (const Status armed = guard->mayChange(reset ? u"resetting the canary cohorts"_s : u"saving the canary cohorts"_s); !armed)
            return armed.error();
    }

    Records::AuditRecord r;
    r.actor = actor;
    r.action = reset ? u"cohorts.reset"_s : u"cohorts.edit"_s;
    r.target = u"cohorts@"_s + settings.profile();
    r.service = u"console"_s;
    // The stored text as it was, also when it could not be read: the log keeps it.
    r.before = before ? auditState(*before) : json::object();
    r.before["stored"] = storedBefore.toStdString();
    r.after = auditState(after);
    r.reason = !reason.isEmpty() ? reason : reset ? u"cohorts reset to the policy bundle's"_s : u"cohorts edited in the console"_s;
    if (const Status s = audit.append(r); !s) {
        Error e = s.error();
        e.message = u"the cohorts were not saved: the audit log refused the record: %1"_s.arg(e.message);
        return e;
    }

    if (reset)
        settings.reset(SettingKey::CanaryCohorts);
    else
        settings.setValue(SettingKey::CanaryCohorts, QString::fromStdString(cohortsToJson(after.cohorts).dump()));
    if (const Status s = settings.sync(); !s) {
        if (storedBefore.isEmpty())
            settings.reset(SettingKey::CanaryCohorts);
        else
            settings.setValue(SettingKey::CanaryCohorts, storedBefore);
        Records::AuditRecord failed = r;
        failed.action = r.action + u".failed"_s;
        failed.seq = 0;
        failed.time = {};
        failed.prev.clear();
        failed.hash.clear();
        failed.after = {{"error", s.error().message.toStdString()}};
        (void)audit.append(failed);
        Error e = s.error();
        e.message = u"the cohorts were not saved: %1"_s.arg(e.message);
        return e;
    }
    return after;
}

} // namespace Raize::Release
