#include "services/vercel/rollingreleaseclient.h"

#include "core/jsonutil.h"
#include "net/endpoint.h"
#include "net/jsonreader.h"

#include <QTimer>

#include <utility>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;

namespace {

RollingReleaseStage readStage(const JsonReader::Node &n)
{
    RollingReleaseStage st;
    st.index = int(n["index"].integer());
    st.targetPercent = n["targetPercentage"].number();
    st.requireApproval = n["requireApproval"].optBoolean(false);
    st.isFinal = n["isFinalStage"].optBoolean(st.targetPercent >= 100);
    if (!n["duration"].isNull())
        st.durationSeconds = n["duration"].number();
    return st;
}

std::optional<RollingRelease> readRollingRelease(const JsonReader::Node &root)
{
    const auto rr = root["rollingRelease"];
    if (!rr.exists()) {
        rr.reject(u"expected an object or null, found nothing"_s);
        return std::nullopt;
    }
    if (rr.isNull())
        return std::nullopt;
    RollingRelease out;
    const QString state = rr["state"].str();
    if (state == u"ACTIVE"_s)
        out.state = RollingRelease::State::Active;
    else if (state == u"COMPLETE"_s)
        out.state = RollingRelease::State::Complete;
    else if (state == u"ABORTED"_s)
        out.state = RollingRelease::State::Aborted;
    else if (!state.isEmpty())
        rr["state"].reject(u"\"%1\" is not ACTIVE, COMPLETE or ABORTED"_s.arg(state));
    if (!rr["currentDeployment"].isNull())
        out.currentDeployment = rr["currentDeployment"]["id"].str();
    if (!rr["canaryDeployment"].isNull())
        out.canaryDeployment = rr["canaryDeployment"]["id"].str();
    out.automatic = rr["advancementType"].optStr() == u"automatic"_s;
    const auto stages = rr["stages"];
    const std::size_t n = stages.size();
    for (std::size_t i = 0; i < n; ++i)
        out.stages.append(readStage(stages.at(i)));
    if (!rr["activeStage"].isNull())
        out.activeStage = readStage(rr["activeStage"]);
    if (!rr["nextStage"].isNull())
        out.nextStage = readStage(rr["nextStage"]);
    if (out.state == RollingRelease::State::Active && (!out.activeStage || out.canaryDeployment.isEmpty()))
        rr["activeStage"].reject(u"an ACTIVE rolling release without an active stage or a canary"_s);
    out.startedAtMs = rr["startedAt"].optInteger(0);
    out.updatedAtMs = rr["updatedAt"].optInteger(0);
    return out;
}

} // namespace

QString RollingRelease::stateName(State s)
{
    switch (s) {
    case State::Active:
        return u"ACTIVE"_s;
    case State::Complete:
        return u"COMPLETE"_s;
    case State::Aborted:
        return u"ABORTED"_s;
    }
    return {};
}

RollingReleaseClient::RollingReleaseClient(Net::HttpClient &http, QUrl baseUrl, QString projectId, QString teamId)
    : m_http(http)
    , m_base(std::move(baseUrl))
    , m_projectId(std::move(projectId))
    , m_teamId(std::move(teamId))
{
}

QUrl RollingReleaseClient::url(const QString &suffix) const
{
    QList<QPair<QString, QString>> query;
    if (!m_teamId.isEmpty())
        query.append({u"teamId"_s, m_teamId});
    return Net::endpoint(m_base, u"/v1/projects/%1/rolling-release%2"_s.arg(m_projectId, suffix), query);
}

Result<std::optional<RollingRelease>> RollingReleaseClient::parseRollingRelease(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const std::optional<RollingRelease> rr = readRollingRelease(reader.root());
    if (!reader.ok())
        return reader.error();
    return rr;
}

Result<RollingReleaseBilling> RollingReleaseClient::parseBilling(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const auto root = reader.root();
    RollingReleaseBilling b;
    b.reason = root["reason"].str();
    b.message = root["message"].optStr();
    const auto slots = root["availableSlots"];
    // availableSlots is a number, or the text "unlimited".
    const bool unlimited = slots.exists() && slots.raw().is_string() && slots.str() == u"unlimited"_s;
    const double count = unlimited || !slots.exists() || slots.raw().is_string() ? 0 : slots.number();
    if (!slots.exists())
        slots.reject(u"expected a number or \"unlimited\", found nothing"_s);
    b.allowed = (b.reason == u"available_slots"_s && count > 0) || (b.reason == u"unlimited_slots"_s && unlimited);
    if (!reader.ok())
        return reader.error();
    return b;
}

Result<RollingReleaseConfig> RollingReleaseClient::parseConfig(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const auto rr = reader.root()["rollingRelease"];
    RollingReleaseConfig c;
    if (!rr.exists())
        rr.reject(u"expected an object or null, found nothing"_s);
    if (rr.exists() && !rr.isNull() && !rr["stages"].isNull()) {
        const auto stages = rr["stages"];
        const std::size_t n = stages.size();
        for (std::size_t i = 0; i < n; ++i) {
            const auto st = stages.at(i);
            RollingReleaseConfig::Stage s;
            s.targetPercent = st["targetPercentage"].number();
            s.requireApproval = st["requireApproval"].optBoolean(i + 1 < n);
            if (!st["duration"].isNull())
                s.durationMinutes = st["duration"].number();
            c.stages.append(s);
        }
    }
    if (!reader.ok())
        return reader.error();
    return c;
}

void RollingReleaseClient::rollingRelease(Callback<std::optional<RollingRelease>> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(QString());
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseRollingRelease(resp.body));
    });
}

void RollingReleaseClient::billing(Callback<RollingReleaseBilling> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/billing"_s);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseBilling(resp.body));
    });
}

void RollingReleaseClient::config(Callback<RollingReleaseConfig> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/config"_s);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseConfig(resp.body));
    });
}

void RollingReleaseClient::setConfig(const RollingReleaseConfig &config, Callback<RollingReleaseConfig> done)
{
    nlohmann::json stages = nlohmann::json::array();
    for (const RollingReleaseConfig::Stage &s : config.stages) {
        nlohmann::json st = {{"targetPercentage", s.targetPercent}, {"requireApproval", s.requireApproval}};
        if (s.durationMinutes)
            st["duration"] = *s.durationMinutes;
        stages.push_back(st);
    }
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "PATCH";
    r.idempotent = true; // absolute values
    r.url = url(u"/config"_s);
    r.body = Json::dump(config.stages.isEmpty() ? nlohmann::json{{"enabled", false}}
                                                : nlohmann::json{{"enabled", true}, {"target", "production"}, {"stages", stages}});
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseConfig(resp.body));
    });
}

void RollingReleaseClient::move(const QString &suffix, const nlohmann::json &body,
                                std::function<bool(const std::optional<RollingRelease> &)> applied, Callback<RollingRelease> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST";
    r.url = url(suffix);
    r.body = Json::dump(body);
    // Vercel offers no idempotency key: after an unclear outcome, read the rolling release back; "not applied"
    // is believed only after a second look (a timed-out call may still land).
    r.readBack = [this, applied](std::function<void(std::optional<bool>)> answer) {
        rollingRelease([this, answer, applied](const Result<std::optional<RollingRelease>> &rr) {
            if (!rr)
                return answer(std::nullopt);
            if (applied(*rr))
                return answer(true);
            QTimer::singleShot(m_readBackSettleMs, &m_http, [this, answer, applied] {
                rollingRelease([answer, applied](const Result<std::optional<RollingRelease>> &again) {
                    if (!again)
                        return answer(std::nullopt);
                    answer(applied(*again));
                });
            });
        });
    };
    m_http.send(r, [this, done, applied](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        if (resp.appliedByReadBack) {
            // The answer was lost; the read-back saw the change: report what the project shows now.
            return rollingRelease([done](const Result<std::optional<RollingRelease>> &rr) {
                if (!rr)
                    return done(rr.error());
                if (!rr->has_value())
                    return done(Error::make(Error::Kind::Conflict, u"vercel"_s, u"the rolling release vanished after the change"_s,
                                            u"Open the project's Rolling Releases page in Vercel and check what serves production."_s));
                done(**rr);
            });
        }
        const Result<std::optional<RollingRelease>> rr = parseRollingRelease(resp.body);
        if (!rr)
            return done(rr.error());
        if (!rr->has_value())
            return done(Error::make(Error::Kind::Parse, u"vercel"_s, u"Vercel accepted the call but answered no rolling release"_s,
                                    u"Refresh the rolling release; if it stays empty, report Vercel's answer."_s));
        done(**rr);
    });
}

void RollingReleaseClient::start(const QString &canaryDeploymentId, Callback<RollingRelease> done)
{
    move(u"/start"_s, {{"canaryDeploymentId", canaryDeploymentId.toStdString()}},
         [canaryDeploymentId](const std::optional<RollingRelease> &rr) {
             return rr && rr->canaryDeployment == canaryDeploymentId && rr->state != RollingRelease::State::Aborted;
         },
         std::move(done));
}

void RollingReleaseClient::approveStage(const QString &canaryDeploymentId, int nextStageIndex, Callback<RollingRelease> done)
{
    move(u"/approve-stage"_s, {{"nextStageIndex", nextStageIndex}, {"canaryDeploymentId", canaryDeploymentId.toStdString()}},
         [canaryDeploymentId, nextStageIndex](const std::optional<RollingRelease> &rr) {
             if (!rr || rr->canaryDeployment != canaryDeploymentId)
                 return false;
             // Applied: the stage it asked for is active, or the release completed on it (the final stage).
             return (rr->activeStage && rr->activeStage->index >= nextStageIndex) || rr->state == RollingRelease::State::Complete;
         },
         std::move(done));
}

void RollingReleaseClient::complete(const QString &canaryDeploymentId, Callback<RollingRelease> done)
{
    move(u"/complete"_s, {{"canaryDeploymentId", canaryDeploymentId.toStdString()}},
         [canaryDeploymentId](const std::optional<RollingRelease> &rr) {
             return rr && rr->canaryDeployment == canaryDeploymentId && rr->state == RollingRelease::State::Complete;
         },
         std::move(done));
}

Net::RequestPreview RollingReleaseClient::previewApproveStage(const QString &canaryDeploymentId, int nextStageIndex) const
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST";
    r.url = url(u"/approve-stage"_s);
    r.body = Json::dump({{"nextStageIndex", nextStageIndex}, {"canaryDeploymentId", canaryDeploymentId.toStdString()}});
    return Net::RequestPreview::from(r, m_base, u"vercel"_s);
}

} // namespace Raize::Services
