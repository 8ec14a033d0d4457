// The simulated Vercel's Rolling Releases (issue #20, item 1), kept apart from
// the rest of the fake so the two grow without touching each other.
//
// As the description (tests/contract/specs/vercel.trimmed.json) has them: the
// project's configuration (GET/PATCH/DELETE …/rolling-release/config), its
// billing status, the rolling release (GET …/rolling-release), approve-stage
// guarded by the stage index it expects and the canary it names, complete;
// aborting is Vercel's Instant Rollback, which also ends an active rolling
// release (VercelFake's rollback route calls abortRollingRelease()).
// `POST …/rolling-release/start` is not in the pinned description; it follows
// Vercel's CLI (packages/cli/src/commands/rolling-release/start-rolling-release.ts:
// body {canaryDeploymentId}, answer {rollingRelease}) and its answers are checked
// against tests/fakes/vercel/rolling-release.schema.json (docs/contracts.md).

#include "vercelfake.h"

#include "http/httpserver.h"

#include <QDateTime>
#include <QTimer>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
std::string s(const QString &q) { return q.toStdString(); }

// One configured stage as the config route shows it: targetPercentage, requireApproval, duration (minutes).
json normaliseStage(const json &in, bool last)
{
    json st = {{"targetPercentage", in.value("targetPercentage", last ? 100.0 : 0.0)}, {"requireApproval", in.value("requireApproval", !last)}};
    if (in.contains("duration") && in["duration"].is_number())
        st["duration"] = in["duration"];
    if (in.contains("linearShift") && in["linearShift"].is_boolean())
        st["linearShift"] = in["linearShift"];
    return st;
}

// The config's stages, checked as Vercel checks them: percentages rising in (0, 100], the last one 100.
QString checkStages(const json &stages)
{
    if (!stages.is_array() || stages.size() < 2)
        return u"stages must be a list of at least two stages, the last with targetPercentage 100"_s;
    double last = 0;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const json &st = stages[i];
        if (!st.is_object() || !st.contains("targetPercentage") || !st["targetPercentage"].is_number())
            return u"stages[%1].targetPercentage is required"_s.arg(i);
        const double p = st["targetPercentage"].get<double>();
        if (p <= last || p > 100)
            return u"stages[%1].targetPercentage must rise and stay within 1–100"_s.arg(i);
        last = p;
    }
    if (last != 100)
        return u"the final stage must have targetPercentage 100"_s;
    return {};
}
} // namespace

void VercelFake::loadRollingRelease(const json &scenario)
{
    // The scenario's "rollingRelease": {"billing": "available_slots"|"plan_not_supported"|"no_available_slots",
    //   "config": {"stages": [{"targetPercentage", "requireApproval", "duration"}]}}; absent: billing allows it, nothing configured.
    const json rr = scenario.value("rollingRelease", json::object());
    m_rrBilling = QString::fromStdString(rr.value("billing", std::string("available_slots")));
    m_rrConfig = nullptr;
    if (rr.contains("config") && rr["config"].is_object()) {
        const json stages = rr["config"].value("stages", json::array());
        json normal = json::array();
        for (std::size_t i = 0; i < stages.size(); ++i)
            normal.push_back(normaliseStage(stages[i], i + 1 == stages.size()));
        m_rrConfig = {{"target", "production"}, {"stages", normal}, {"canaryResponseHeader", false}};
    }
    m_rr = RollingRelease{};
}

VercelFake::TrafficSplit VercelFake::trafficSplit() const
{
    TrafficSplit split{m_production, QString(), 0};
    if (m_rr.state != u"ACTIVE"_s)
        return split;
    split.current = m_rr.current;
    split.canary = m_rr.canary;
    split.canaryPercent = m_rr.stages.at(m_rr.activeIndex).value("targetPercentage", 0.0);
    return split;
}

void VercelFake::abortRollingRelease()
{
    if (m_rr.state != u"ACTIVE"_s)
        return;
    const auto abort = [this] {
        m_rr.state = u"ABORTED"_s;
        m_rr.updatedAt = QDateTime::currentMSecsSinceEpoch();
    };
    if (m_abortDelayMs == 0)
        return abort();
    if (m_abortDelayMs < 0)
        return; // Vercel accepted the rollback and left the rolling release running
    // Vercel ends the rolling release a little after it accepted the rollback: the split goes on meanwhile.
    const int generation = ++m_abortGeneration;
    const QString canary = m_rr.canary;
    QTimer::singleShot(m_abortDelayMs, this, [this, generation, canary, abort] {
        if (generation == m_abortGeneration && m_rr.state == u"ACTIVE"_s && m_rr.canary == canary)
            abort();
    });
}

json VercelFake::deploymentRef(const QString &id) const
{
    for (const Deployment &d : m_deployments) {
        if (d.uid != id)
            continue;
        const json item = listItem(d);
        // The rolling release's view of a deployment: the fields the description lists (target only staging/production/null).
        json ref = {{"id", s(d.uid)}, {"name", item["name"]}, {"url", item["url"]}, {"source", "git"}, {"createdAt", d.created},
                    {"readyState", s(d.state)}, {"readyStateAt", d.created + 60000}};
        ref["target"] = d.target == u"production"_s || d.target == u"staging"_s ? json(s(d.target)) : json(nullptr);
        return ref;
    }
    return nullptr;
}

json VercelFake::stageJson(int index) const
{
    if (index < 0 || index >= int(m_rr.stages.size()))
        return nullptr;
    const json &st = m_rr.stages[std::size_t(index)];
    const bool final = index + 1 == int(m_rr.stages.size());
    const bool approval = st.value("requireApproval", !final);
    // The rolling release gives durations in seconds (the config in minutes), null for manual and final stages.
    const json duration = !final && !approval && st.contains("duration") ? json(st["duration"].get<double>() * 60) : json(nullptr);
    return {{"index", index}, {"isFinalStage", final}, {"targetPercentage", st.value("targetPercentage", 0.0)},
            {"requireApproval", final ? false : approval}, {"duration", duration}, {"linearShift", st.value("linearShift", false)}};
}

json VercelFake::rollingReleaseJson() const
{
    if (m_rr.state.isEmpty())
        return nullptr;
    json stages = json::array();
    for (int i = 0; i < int(m_rr.stages.size()); ++i)
        stages.push_back(stageJson(i));
    const bool active = m_rr.state == u"ACTIVE"_s;
    bool manual = false;
    for (const json &st : m_rr.stages)
        manual = manual || st.value("requireApproval", false);
    return {{"state", s(m_rr.state)},
            {"currentDeployment", deploymentRef(m_rr.current)},
            {"canaryDeployment", deploymentRef(m_rr.canary)},
            {"queuedDeploymentId", nullptr},
            {"advancementType", manual ? "manual-approval" : "automatic"},
            {"stages", stages},
            {"activeStage", active ? stageJson(m_rr.activeIndex) : json(nullptr)},
            {"nextStage", active ? stageJson(m_rr.activeIndex + 1) : json(nullptr)},
            {"startedAt", m_rr.startedAt},
            {"updatedAt", m_rr.updatedAt}};
}

json VercelFake::rollingReleaseState() const
{
    const TrafficSplit split = trafficSplit();
    return {{"billing", s(m_rrBilling)}, {"config", m_rrConfig}, {"rollingRelease", rollingReleaseJson()},
            {"split", {{"current", s(split.current)}, {"canary", s(split.canary)}, {"canaryPercent", split.canaryPercent}}}};
}

void VercelFake::rollingReleaseRoutes()
{
    using M = QRegularExpressionMatch;
    const QString base = u"/v1/projects/([^/]+)/rolling-release"_s;
    // Every route names the project; another project has no rolling release.
    const auto project = [this](HttpServer::Handler h) {
        return guard([this, h](const HttpRequest &r, const M &m) {
            if (m.captured(1) != m_projectId && m.captured(1) != m_projectName)
                return m_server->error(404, u"not_found"_s, u"Project not found"_s);
            return h(r, m);
        });
    };
    const auto answer = [this] { return HttpResponse::json(200, {{"rollingRelease", rollingReleaseJson()}}); };
    const auto canaryOf = [](const json &body) {
        return body.is_object() && body.contains("canaryDeploymentId") && body["canaryDeploymentId"].is_string()
            ? QString::fromStdString(body["canaryDeploymentId"].get<std::string>())
            : QString();
    };

    m_server->route("GET", base, project([this](const HttpRequest &r, const M &) {
        const QString state = r.queryValue(u"state"_s);
        const json rr = state.isEmpty() || state == m_rr.state ? rollingReleaseJson() : json(nullptr);
        return HttpResponse::json(200, {{"rollingRelease", rr}});
    }));

    m_server->route("GET", base + u"/config"_s, project([this](const HttpRequest &, const M &) {
        return HttpResponse::json(200, {{"rollingRelease", m_rrConfig}});
    }));

    m_server->route("PATCH", base + u"/config"_s, project([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object())
            return m_server->error(400, u"bad_request"_s, u"Invalid request: the body must be a JSON object"_s);
        // {"enabled": false} or "stages": null turns rolling releases off for the next deployment.
        if (body.value("enabled", true) == false || (body.contains("stages") && body["stages"].is_null())) {
            m_rrConfig = nullptr;
            return HttpResponse::json(200, {{"rollingRelease", nullptr}});
        }
        if (m_rrBilling != u"available_slots"_s && m_rrBilling != u"unlimited_slots"_s)
            return m_server->error(402, u"payment_required"_s, u"Rolling Releases are not available on this plan"_s);
        const json stages = body.value("stages", json());
        if (const QString problem = checkStages(stages); !problem.isEmpty())
            return m_server->error(400, u"bad_request"_s, u"Invalid request: "_s + problem);
        json normal = json::array();
        for (std::size_t i = 0; i < stages.size(); ++i)
            normal.push_back(normaliseStage(stages[i], i + 1 == stages.size()));
        m_rrConfig = {{"target", "production"}, {"stages", normal}, {"canaryResponseHeader", body.value("canaryResponseHeader", false)}};
        return HttpResponse::json(200, {{"rollingRelease", {{"stages", normal}}}});
    }));

    m_server->route("DELETE", base + u"/config"_s, project([this](const HttpRequest &, const M &) {
        m_rrConfig = nullptr;
        return HttpResponse::json(200, {{"rollingRelease", nullptr}});
    }));

    m_server->route("GET", base + u"/billing"_s, project([this](const HttpRequest &, const M &) {
        if (m_rrBilling == u"plan_not_supported"_s)
            return HttpResponse::json(200, {{"availableSlots", 0}, {"reason", "plan_not_supported"},
                                            {"message", "Rolling Releases are available on Pro and Enterprise plans."}});
        if (m_rrBilling == u"no_available_slots"_s)
            return HttpResponse::json(200, {{"availableSlots", 0}, {"reason", "no_available_slots"},
                                            {"message", "Every Rolling Releases slot of the team is in use."},
                                            {"enabledProjects", json::array({"prj_raize_tools"})}});
        if (m_rrBilling == u"unlimited_slots"_s)
            return HttpResponse::json(200, {{"availableSlots", "unlimited"}, {"reason", "unlimited_slots"}, {"message", "Unlimited."}});
        return HttpResponse::json(200, {{"availableSlots", 2}, {"reason", "available_slots"}, {"message", "2 slots available."}});
    }));

    m_server->route("POST", base + u"/start"_s, project([this, answer, canaryOf](const HttpRequest &r, const M &) {
        const QString canary = canaryOf(r.json());
        if (canary.isEmpty())
            return m_server->error(400, u"bad_request"_s, u"Invalid request: missing required property `canaryDeploymentId`"_s);
        if (m_rrBilling != u"available_slots"_s && m_rrBilling != u"unlimited_slots"_s)
            return m_server->error(402, u"payment_required"_s, u"Rolling Releases are not available on this plan"_s);
        if (m_rrConfig.is_null())
            return m_server->error(400, u"rolling_release_not_configured"_s, u"Rolling Releases are not configured for this project"_s);
        if (m_rr.state == u"ACTIVE"_s)
            return m_server->error(409, u"rolling_release_active"_s,
                                   u"A rolling release of %1 is already active; complete or abort it first"_s.arg(m_rr.canary));
        const Deployment *d = find(canary);
        if (!d)
            return m_server->error(404, u"not_found"_s, u"The deployment was not found"_s);
        if (d->state != u"READY"_s)
            return m_server->error(422, u"deployment_not_ready"_s, u"Deployment %1 is %2, not READY"_s.arg(d->uid, d->state));
        if (d->uid == m_production)
            return m_server->error(409, u"already_current"_s, u"Deployment %1 already serves production"_s.arg(d->uid));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_rr = RollingRelease{u"ACTIVE"_s, m_production, d->uid, m_rrConfig["stages"], 0, now, now};
        return answer();
    }));

    m_server->route("POST", base + u"/approve-stage"_s, project([this, answer, canaryOf](const HttpRequest &r, const M &) {
        const json body = r.json();
        const QString canary = canaryOf(body);
        if (canary.isEmpty() || !body.contains("nextStageIndex") || !body["nextStageIndex"].is_number())
            return m_server->error(400, u"bad_request"_s,
                                   u"Invalid request: missing required property `nextStageIndex` or `canaryDeploymentId`"_s);
        if (m_rr.state != u"ACTIVE"_s)
            return m_server->error(404, u"not_found"_s, u"No active rolling release for this project"_s);
        if (canary != m_rr.canary)
            return m_server->error(400, u"canary_mismatch"_s, u"%1 is not the canary of the active rolling release (%2)"_s.arg(canary, m_rr.canary));
        const int next = body["nextStageIndex"].get<int>();
        // The guard against a double advance: only the stage right after the active one.
        if (next != m_rr.activeIndex + 1 || next >= int(m_rr.stages.size()))
            return m_server->error(400, u"invalid_stage_index"_s,
                                   u"nextStageIndex %1 does not follow the active stage %2"_s.arg(next).arg(m_rr.activeIndex));
        m_rr.activeIndex = next;
        m_rr.updatedAt = QDateTime::currentMSecsSinceEpoch();
        if (next + 1 == int(m_rr.stages.size())) {
            // The final stage is 100 %: the canary is production now.
            m_rr.state = u"COMPLETE"_s;
            setProduction(m_rr.canary);
        }
        return answer();
    }));

    m_server->route("POST", base + u"/complete"_s, project([this, answer, canaryOf](const HttpRequest &r, const M &) {
        const QString canary = canaryOf(r.json());
        if (canary.isEmpty())
            return m_server->error(400, u"bad_request"_s, u"Invalid request: missing required property `canaryDeploymentId`"_s);
        if (m_rr.state != u"ACTIVE"_s)
            return m_server->error(404, u"not_found"_s, u"No active rolling release for this project"_s);
        if (canary != m_rr.canary)
            return m_server->error(400, u"canary_mismatch"_s, u"%1 is not the canary of the active rolling release (%2)"_s.arg(canary, m_rr.canary));
        m_rr.state = u"COMPLETE"_s;
        m_rr.activeIndex = int(m_rr.stages.size()) - 1;
        m_rr.updatedAt = QDateTime::currentMSecsSinceEpoch();
        setProduction(m_rr.canary);
        return answer();
    }));
}

} // namespace Raize::Sandbox
