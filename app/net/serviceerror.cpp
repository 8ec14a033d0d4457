#include "net/serviceerror.h"

#include "core/jsonutil.h"
#include "core/redactor.h"

namespace Raize::Net {

using namespace Qt::StringLiterals;

namespace {
QString str(const nlohmann::json &j, const char *key)
{
    if (j.is_object() && j.contains(key) && j[key].is_string())
        return QString::fromStdString(j[key].get<std::string>());
    return {};
}
} // namespace

Error errorFromResponse(Service service, int status, const QByteArray &body, const QHash<QByteArray, QByteArray> &headers,
                        const QString &requestId)
{
    Error e;
    e.service = serviceId(service);
    e.httpStatus = status;
    e.requestId = requestId;
    const nlohmann::json j = Json::parse(body);
    QString message, code;
    switch (service) {
    case Service::Vercel:
        if (j.is_object() && j.contains("error")) {
            message = str(j["error"], "message");
            code = str(j["error"], "code");
        }
        break;
    case Service::GitHub:
        message = str(j, "message");
        if (const QString doc = str(j, "documentation_url"); !doc.isEmpty())
            e.remedy = u"see "_s + doc;
        break;
    case Service::Flags:
    case Service::FlagsClient:
        message = str(j, "message");
        code = str(j, "code").isEmpty() ? str(j, "name") : str(j, "code");
        if (j.is_object() && j.contains("details") && j["details"].is_array() && !j["details"].empty()) {
            // Unleash often repeats the message in details; add it only when it says more.
            const QString detail = str(j["details"][0], "message");
            if (!detail.isEmpty() && detail != message)
                message += u" ("_s + detail + u')';
        }
        break;
    case Service::Prometheus:
        message = str(j, "error");
        code = str(j, "errorType");
        break;
    }
    if (message.isEmpty())
        message = j.is_discarded() ? u"HTTP %1 with a body that is not JSON"_s.arg(status) : u"HTTP %1"_s.arg(status);
    e.message = Redactor::redact(message);
    e.serviceCode = code;
    const bool secondaryLimit = status == 403 && message.contains(u"secondary rate limit"_s, Qt::CaseInsensitive);
    if (status == 429 || code == u"rate_limited"_s || secondaryLimit
        || (status == 403 && headers.value("x-ratelimit-remaining") == "0")) {
        e.kind = Error::Kind::RateLimited;
        const QByteArray retry = headers.value("retry-after");
        e.remedy = retry.isEmpty() ? u"wait for the rate limit to reset, then try again"_s
                                   : u"wait %1 s (Retry-After), then try again"_s.arg(QString::fromLatin1(retry));
    } else if (status == 401) {
        e.kind = Error::Kind::Auth;
        e.remedy = u"the %1 token is missing or wrong: set it in Settings or with `raize-console token set %2 --stdin`"_s
                       .arg(serviceDisplayName(service), serviceId(service));
    } else if (status == 403) {
        e.kind = Error::Kind::Auth;
        if (e.remedy.isEmpty())
            e.remedy = u"the %1 token lacks a permission for this call: grant it, or use a token that has it"_s.arg(serviceDisplayName(service));
    } else if (status == 409) {
        e.kind = Error::Kind::Conflict;
        e.remedy = u"the remote state changed: reload and review before trying again"_s;
    } else {
        e.kind = Error::Kind::Http;
        if (e.remedy.isEmpty())
            e.remedy = status >= 500 ? u"the service is failing: try again shortly, or check its status page"_s
                                     : u"check the request's settings (project, repository, environment)"_s;
    }
    return e;
}

} // namespace Raize::Net
