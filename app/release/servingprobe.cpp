#include "release/servingprobe.h"

#include "core/jsonutil.h"
#include "net/httpclient.h"

#include <memory>

namespace Raize::Release {

using namespace Qt::StringLiterals;

HttpServingProbe::HttpServingProbe(Net::HttpClient &http, QUrl url, QString domain)
    : m_http(http)
    , m_url(std::move(url))
    , m_domain(std::move(domain))
{
}

ServingSample HttpServingProbe::readAnswer(int httpStatus, const QByteArray &deploymentHeader, const QByteArray &body)
{
    ServingSample out;
    out.httpStatus = httpStatus;
    if (!deploymentHeader.trimmed().isEmpty()) {
        out.deploymentId = QString::fromUtf8(deploymentHeader.trimmed());
        return out;
    }
    const nlohmann::json j = Json::parse(body);
    if (j.is_object() && j.contains("deploymentId") && j["deploymentId"].is_string() && !j["deploymentId"].get<std::string>().empty()) {
        out.deploymentId = QString::fromStdString(j["deploymentId"].get<std::string>());
        return out;
    }
    out.error = Error::make(Error::Kind::Parse, u"vercel-bypass"_s,
                            j.is_discarded() ? u"the probe's answer (HTTP %1, %2 bytes) is not JSON and has no X-Raize-Deployment header: "
                                               u"a cut-off answer, or the URL is not the deployment probe"_s.arg(httpStatus).arg(body.size())
                                             : u"the probe's answer (HTTP %1) names no deployment (no X-Raize-Deployment header, no "
                                               u"\"deploymentId\")"_s.arg(httpStatus),
                            u"point vercel/productionProbeUrl at the app's deployment probe (e.g. https://DOMAIN/__deployment)"_s);
    out.error.fieldPath = u"deploymentId"_s;
    return out;
}

void HttpServingProbe::sample(int count, std::function<void(const Result<QList<ServingSample>> &)> done)
{
    if (!m_url.isValid() || m_url.host().isEmpty())
        return done(Error::make(Error::Kind::Config, u"vercel-bypass"_s, u"the production probe URL is not set or not a URL"_s,
                                u"set vercel/productionProbeUrl in Settings → Vercel"_s));
    struct State
    {
        QList<ServingSample> samples;
        int pending = 0;
    };
    auto st = std::make_shared<State>();
    st->pending = count;
    st->samples.resize(count);
    for (int i = 0; i < count; ++i) {
        Net::Request r;
        r.service = Service::VercelBypass;
        r.url = m_url;
        // One request, one observation: a retry would hide what the domain served.
        r.idempotent = false;
        r.timeoutMs = m_timeoutMs;
        m_http.send(r, [st, i, done](const Net::Response &resp) {
            if (!resp.ok()) {
                ServingSample failed;
                failed.httpStatus = resp.status;
                failed.error = resp.error;
                st->samples[i] = failed;
            } else {
                st->samples[i] = readAnswer(resp.status, resp.header("x-raize-deployment"), resp.body);
            }
            if (--st->pending == 0)
                done(st->samples);
        });
    }
    if (count <= 0)
        done(QList<ServingSample>{});
}

} // namespace Raize::Release
