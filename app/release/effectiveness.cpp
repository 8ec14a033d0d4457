#include "release/effectiveness.h"

#include <QDateTime>
#include <QHash>

#include <cmath>

namespace Raize::Release {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
std::string s(const QString &q)
{
    return q.toStdString();
}

Result<int> whole(const Policy::Bundle &b, const json &o, const char *key, int fallback, int lo, int hi)
{
    if (!o.contains(key))
        return fallback;
    const QString path = u"effective."_s + QLatin1StringView(key);
    if (!o[key].is_number_integer() || o[key].get<qint64>() < lo || o[key].get<qint64>() > hi)
        return Policy::fieldError(b, path, u"must be a whole number from %1 to %2"_s.arg(lo).arg(hi));
    return o[key].get<int>();
}
} // namespace

Result<EffectiveRules> effectiveRulesFromBundle(const Policy::Bundle &b)
{
    EffectiveRules r;
    const json &section = b.section("effective");
    if (section.is_null())
        return r;
    if (!section.is_object())
        return Policy::fieldError(b, u"effective"_s, u"must be an object"_s);
    for (auto it = section.begin(); it != section.end(); ++it) {
        const std::string &k = it.key();
        if (k != "deadlineSeconds" && k != "samples" && k != "minShare" && k != "pollSeconds")
            return Policy::fieldError(b, u"effective."_s + QString::fromStdString(k),
                                      u"unknown key (deadlineSeconds, samples, minShare, pollSeconds)"_s);
    }
    const Result<int> deadline = whole(b, section, "deadlineSeconds", r.deadlineSeconds, 5, 3600);
    if (!deadline)
        return deadline.error();
    const Result<int> samples = whole(b, section, "samples", r.samples, 1, 50);
    if (!samples)
        return samples.error();
    const Result<int> poll = whole(b, section, "pollSeconds", r.pollSeconds, 1, 60);
    if (!poll)
        return poll.error();
    if (section.contains("minShare")) {
        const json &share = section["minShare"];
        if (!share.is_number() || share.get<double>() <= 0.0 || share.get<double>() > 1.0)
            return Policy::fieldError(b, u"effective.minShare"_s, u"must be a number above 0 and at most 1 (the share of probe samples on the expected deployment)"_s);
        r.minShare = share.get<double>();
    }
    r.deadlineSeconds = *deadline;
    r.samples = *samples;
    r.pollSeconds = *poll;
    if (r.pollSeconds >= r.deadlineSeconds)
        return Policy::fieldError(b, u"effective.pollSeconds"_s, u"must be shorter than deadlineSeconds (%1)"_s.arg(r.deadlineSeconds));
    return r;
}

QString changeKindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Promote: return u"promote"_s;
    case ChangeKind::Rollback: return u"rollback"_s;
    case ChangeKind::Abort: return u"abort"_s;
    }
    return {};
}

QString stateName(EffectiveVerdict::State state)
{
    switch (state) {
    case EffectiveVerdict::State::Effective: return u"effective"_s;
    case EffectiveVerdict::State::Pending: return u"pending"_s;
    case EffectiveVerdict::State::Failed: return u"failed"_s;
    }
    return {};
}

QString isoMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

EffectiveVerdict judgeEffective(const EffectiveFacts &f, const EffectiveRules &rules)
{
    EffectiveVerdict v;
    QStringList waiting; // what is not there yet
    bool fatal = false;
    const QString expected = f.expected;
    const bool rollbackLike = f.kind != ChangeKind::Promote;

    // 1. The project: production target, the alias job, autoAssignCustomDomains.
    if (!f.project) {
        waiting << u"the project was not read"_s;
    } else if (!*f.project) {
        waiting << u"the project could not be read"_s;
        v.evidence << u"project: %1"_s.arg(f.project->error().toString());
    } else {
        const Services::VercelProject &p = f.project->value();
        const QString target = p.production ? p.production->id : QString();
        v.evidence << u"production target: %1"_s.arg(target.isEmpty() ? u"none"_s : target);
        if (target != expected)
            waiting << u"the production target is %1, not %2"_s.arg(target.isEmpty() ? u"none"_s : target, expected);
        if (p.lastAliasRequest) {
            const Services::VercelAliasJob &job = *p.lastAliasRequest;
            v.evidence << u"alias job (%1 %2 → %3): %4, requested at %5"_s.arg(job.type.isEmpty() ? u"change"_s : job.type, job.fromDeploymentId,
                                                                                 job.toDeploymentId, job.jobStatus, isoMs(job.requestedAt));
            if (job.toDeploymentId != expected) {
                waiting << u"the last alias job moves the domains to %1, not %2"_s.arg(job.toDeploymentId, expected);
            } else if (job.jobStatus == u"failed"_s || job.jobStatus == u"skipped"_s) {
                fatal = true;
                v.evidence << u"Vercel's alias job %1: the domains were not moved"_s.arg(job.jobStatus);
            } else if (job.jobStatus != u"succeeded"_s) {
                waiting << u"the alias job is %1"_s.arg(job.jobStatus);
            }
        } else {
            v.evidence << u"alias job: the project reports none (lastAliasRequest is null)"_s;
        }
        const auto onOff = [](std::optional<bool> b) { return !b ? u"not reported"_s : *b ? u"on"_s : u"off"_s; };
        v.evidence << u"autoAssignCustomDomains: %1"_s.arg(onOff(p.autoAssignCustomDomains));
        if (rollbackLike && p.autoAssignCustomDomains.value_or(false))
            waiting << u"autoAssignCustomDomains is on: the next production deployment would take the domains back from %1"_s.arg(expected);
        if (!rollbackLike && f.autoAssignBefore == false && p.autoAssignCustomDomains == true)
            v.warnings << u"the promote turned autoAssignCustomDomains back on (Vercel does, vercel/vercel#15095): new production "
                          u"deployments take the custom domains again; turn it off in the project's settings if you assign them by hand"_s;
    }

    // 2. The production domain's alias.
    if (!f.aliases) {
        waiting << u"the deployment's aliases were not read"_s;
    } else if (!*f.aliases) {
        waiting << u"the deployment's aliases could not be read"_s;
        v.evidence << u"aliases of %1: %2"_s.arg(expected, f.aliases->error().toString());
    } else {
        QStringList names;
        for (const Services::VercelAlias &a : f.aliases->value())
            names << a.alias;
        if (f.productionDomain.isEmpty()) {
            // No production domain known (no probe, or another service's project, which may have no domain at all):
            // the aliases are evidence, the production target and the alias job decide.
            v.evidence << u"aliases of %1: %2"_s.arg(expected, names.isEmpty() ? u"none"_s : names.join(u", "_s));
        } else if (names.contains(f.productionDomain, Qt::CaseInsensitive)) {
            v.evidence << u"%1 → %2"_s.arg(f.productionDomain, expected);
        } else {
            v.evidence << u"%1 does not point at %2 (its aliases: %3)"_s.arg(f.productionDomain, expected, names.isEmpty() ? u"none"_s : names.join(u", "_s));
            waiting << u"%1 does not point at %2 yet"_s.arg(f.productionDomain, expected);
        }
    }

    // 3. The probe: N of M samples on the expected deployment.
    if (f.probe) {
        v.probed = true;
        if (!*f.probe) {
            waiting << u"the production domain could not be probed"_s;
            v.evidence << u"probe: %1"_s.arg(f.probe->error().toString());
        } else {
            QHash<QString, int> seen;
            QStringList order;
            QStringList errors;
            int failed = 0;
            for (const ServingSample &sample : f.probe->value()) {
                ++v.sampled;
                if (sample.error.isError()) {
                    ++failed;
                    // Compact: the status and the message (the remedy goes with the verdict, not with each sample).
                    errors << (sample.error.httpStatus > 0 ? u"HTTP %1 — "_s.arg(sample.error.httpStatus) : QString()) + sample.error.message;
                    // Refused by Deployment Protection: waiting will not change that, the secret will.
                    if (sample.httpStatus == 401 || sample.httpStatus == 403)
                        fatal = true;
                    continue;
                }
                if (!seen.contains(sample.deploymentId))
                    order << sample.deploymentId;
                ++seen[sample.deploymentId];
            }
            v.onExpected = seen.value(expected);
            QStringList others;
            for (const QString &id : std::as_const(order)) {
                if (id != expected)
                    others << u"%1 on %2"_s.arg(seen.value(id)).arg(id);
            }
            if (!errors.isEmpty()) {
                errors.removeDuplicates();
                others << u"%1 failed: %2"_s.arg(failed).arg(errors.join(u"; "_s));
            }
            const int needed = qMax(1, int(std::ceil(rules.minShare * v.sampled - 1e-9)));
            v.evidence << u"probe: %1 of %2 samples on %3%4 (the policy needs %5)"_s.arg(v.onExpected)
                              .arg(v.sampled)
                              .arg(expected, others.isEmpty() ? QString() : u"; "_s + others.join(u"; "_s))
                              .arg(needed);
            if (v.sampled == 0 || v.onExpected < needed)
                waiting << u"%1 of %2 probe samples on %3 (%4 needed)"_s.arg(v.onExpected).arg(v.sampled).arg(expected).arg(needed);
        }
    } else {
        v.evidence << u"probe: no production probe URL is set (vercel/productionProbeUrl), so no request was sent to the domain"_s;
    }

    // 4. An abort: Vercel's rolling release must say ABORTED. Until then the split may still send a share of
    // production to the canary, whatever the production target says (it names the current deployment throughout).
    if (f.kind == ChangeKind::Abort) {
        if (!f.rollingRelease) {
            waiting << u"the rolling release was not read"_s;
        } else if (!*f.rollingRelease) {
            const Error &e = f.rollingRelease->error();
            v.evidence << u"rolling release: %1"_s.arg(e.toString());
            if (e.kind == Error::Kind::Config)
                fatal = true; // nothing to read it with: waiting will not change that
            else
                waiting << u"the rolling release could not be read"_s;
        } else if (!f.rollingRelease->value()) {
            v.evidence << u"rolling release: Vercel reports none on the project"_s;
            waiting << u"Vercel reports no rolling release, so nothing says the split ended (ABORTED expected)"_s;
        } else {
            const Services::RollingRelease &rr = *f.rollingRelease->value();
            const QString state = Services::RollingRelease::stateName(rr.state);
            const QString at = rr.updatedAtMs > 0 ? u", updated at %1"_s.arg(isoMs(rr.updatedAtMs)) : QString();
            switch (rr.state) {
            case Services::RollingRelease::State::Aborted:
                v.evidence << u"rolling release of %1: %2%3 (all traffic to %4)"_s.arg(rr.canaryDeployment, state, at,
                                                                                       rr.currentDeployment.isEmpty() ? expected : rr.currentDeployment);
                break;
            case Services::RollingRelease::State::Active:
                v.evidence << u"rolling release of %1: still %2 at %3 % (stage %4 of %5)%6"_s.arg(rr.canaryDeployment, state)
                                  .arg(rr.canaryPercent())
                                  .arg(rr.activeStage ? rr.activeStage->index + 1 : 0)
                                  .arg(rr.stages.size())
                                  .arg(at);
                waiting << u"the rolling release of %1 is still %2 at %3 %"_s.arg(rr.canaryDeployment, state).arg(rr.canaryPercent());
                break;
            case Services::RollingRelease::State::Complete:
                // The canary took all the traffic: the abort did not end the split, and waiting will not undo it.
                fatal = true;
                v.evidence << u"rolling release of %1: %2%3 — the canary serves all production traffic; the abort did not end it"_s.arg(
                    rr.canaryDeployment, state, at);
                break;
            }
        }
    }

    if (fatal) {
        v.state = EffectiveVerdict::State::Failed;
        v.summary = u"accepted, but it cannot become effective: %1"_s.arg(waiting.isEmpty() ? v.evidence.last() : waiting.join(u"; "_s));
    } else if (waiting.isEmpty()) {
        v.state = EffectiveVerdict::State::Effective;
        v.summary = v.probed ? u"effective: %1 of %2 samples on %3"_s.arg(v.onExpected).arg(v.sampled).arg(expected)
                             : u"effective by Vercel's answers (not probed): %1"_s.arg(expected);
    } else {
        v.state = EffectiveVerdict::State::Pending;
        v.summary = u"accepted, not yet effective: %1"_s.arg(waiting.join(u"; "_s));
    }
    return v;
}

json EffectiveReport::toJson() const
{
    json evidence = json::array();
    for (const QString &e : last.evidence)
        evidence.push_back(s(e));
    json warnings = json::array();
    for (const QString &w : last.warnings)
        warnings.push_back(s(w));
    return {{"change", s(changeKindName(kind))},
            {"expected", s(expected)},
            {"acceptedAt", s(isoMs(acceptedAtMs))},
            {"effectiveAt", effective() ? json(s(isoMs(effectiveAtMs))) : json(nullptr)},
            {"effectiveAfterMs", effective() ? json(effectiveAtMs - acceptedAtMs) : json(nullptr)},
            {"state", s(stateName(last.state))},
            {"summary", s(last.summary)},
            {"samples", {{"onExpected", last.onExpected}, {"total", last.sampled}, {"probed", last.probed}}},
            {"rounds", rounds},
            {"evidence", evidence},
            {"warnings", warnings}};
}

QString EffectiveReport::describe() const
{
    if (!effective())
        return u"accepted at %1, not effective: %2"_s.arg(isoMs(acceptedAtMs), last.summary);
    return u"accepted at %1, effective at %2 (%3 s later; %4)"_s.arg(isoMs(acceptedAtMs), isoMs(effectiveAtMs))
        .arg(QString::number((effectiveAtMs - acceptedAtMs) / 1000.0, 'f', 1), last.summary);
}

Error notEffectiveError(const EffectiveReport &report, const EffectiveRules &rules)
{
    const bool refused = report.last.state == EffectiveVerdict::State::Failed;
    Error e = Error::make(Error::Kind::Conflict, u"vercel"_s,
                          refused ? u"the %1 to %2 was accepted at %3 but cannot become effective. Evidence: %4"_s.arg(
                                        changeKindName(report.kind), report.expected, isoMs(report.acceptedAtMs), report.last.evidence.join(u"; "_s))
                                  : u"the %1 to %2 was accepted at %3 but is not effective after %4 s (the policy's effective.deadlineSeconds). "
                                    u"Evidence: %5"_s.arg(changeKindName(report.kind), report.expected, isoMs(report.acceptedAtMs))
                                        .arg(rules.deadlineSeconds)
                                        .arg(report.last.evidence.join(u"; "_s)),
                          refused && report.last.probed && report.last.sampled > report.last.onExpected
                              ? u"If the probe was refused (401/403), store the domain's protection bypass secret (Settings → Vercel, or "
                                u"`raize-console token set vercel-bypass --stdin`); otherwise look at the project's domains in Vercel, then retry "
                                u"this step or skip it with a reason."_s
                              : u"Look at the project's domains in Vercel (which deployment each points at, the alias job); when the domain "
                                u"serves the expected deployment, retry this step; else repeat the change or skip it with a reason."_s);
    return e;
}

} // namespace Raize::Release
