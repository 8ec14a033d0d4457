#pragma once

#include "release/effectiveness.h"

#include <QString>
#include <QUrl>

#include <functional>

namespace Raize::Net {
class HttpClient;
}

namespace Raize::Release {

// "Which deployment serves the production domain" (ADR 0027), as an interface:
// the HTTP probe answers it for one production deployment, and a traffic split
// (rolling releases) plugs in behind the same call, its samples then landing
// on both deployments ("N of M samples on the expected deployment").
class ServingProbe
{
public:
    virtual ~ServingProbe() = default;
    // `count` requests; each sample names the deployment that answered or why none did.
    // Fails as a whole only when no request can be made at all (no URL).
    virtual void sample(int count, std::function<void(const Result<QList<ServingSample>> &)> done) = 0;
    // The domain the samples come from ("app.raize.example"), whose alias must point at the expected deployment.
    virtual QString domain() const = 0;
};

// GETs the production probe URL; the answer names its deployment in the
// X-Raize-Deployment header or as {"deploymentId": "…"}. A protected domain's
// bypass secret goes as x-vercel-protection-bypass (Service::VercelBypass: the
// HTTP client adds it from the keychain's token and the request log redacts it);
// never the Vercel API token.
class HttpServingProbe final : public ServingProbe
{
public:
    // `domain`: the production domain the probe stands for (empty: the URL's host), when the probe is reached
    // another way (an internal address, the sandbox's loopback port).
    HttpServingProbe(Net::HttpClient &http, QUrl url, QString domain = {});
    void sample(int count, std::function<void(const Result<QList<ServingSample>> &)> done) override;
    QString domain() const override { return m_domain.isEmpty() ? m_url.host() : m_domain; }
    // How long one probe request may take (default 5 s): a sample that takes longer is a failed sample.
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    // One answer read: the deployment it names, or an error that says what was wrong with it.
    static ServingSample readAnswer(int httpStatus, const QByteArray &deploymentHeader, const QByteArray &body);

private:
    Net::HttpClient &m_http;
    QUrl m_url;
    QString m_domain;
    int m_timeoutMs = 5000;
};

} // namespace Raize::Release
