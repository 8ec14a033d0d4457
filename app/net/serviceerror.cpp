#include "net/serviceerror.h"

#include "core/jsonutil.h"
#include "core/redactor.h"
#include "net/ratelimit.h"

#include <QStringList>

namespace Raize::Net {

using namespace Qt::StringLiterals;

namespace {
QString str(const nlohmann::json &j, const char *key)
{
    if (j.is_object() && j.contains(key) && j[key].is_string())
        return QString::fromStdString(j[key].get<std::string>());
    return {};
}

const nlohmann::json *object(const nlohmann::json &j, const char *key)
{
    if (j.is_object() && j.contains(key) && j[key].is_object())
        return &j[key];
    return nullptr;
}

// GitHub's 422 "errors": [{"resource","field","code","message"}] or plain strings:
// "Issue.title: missing_field", "Label.name: custom — name already exists", "text".
QStringList githubErrorDetails(const nlohmann::json &j)
{
    QStringList out;
    if (!j.is_object() || !j.contains("errors") || !j["errors"].is_array())
        return out;
    constexpr int MaxShown = 20;
    const auto &errors = j["errors"];
    for (const auto &e : errors) {
        if (out.size() == MaxShown) {
            out << u"and %1 more"_s.arg(qsizetype(errors.size()) - MaxShown);
            break;
        }
        if (e.is_string()) {
            out << QString::fromStdString(e.get<std::string>());
            continue;
        }
        if (!e.is_object())
            continue;
        const QString resource = str(e, "resource"), field = str(e, "field"), code = str(e, "code"), message = str(e, "message");
        QString where = resource;
        if (!field.isEmpty())
            where += (where.isEmpty() ? QString() : u"."_s) + field;
        QString what;
        if (!code.isEmpty() && code != u"custom"_s)
            what = code;
        if (!message.isEmpty())
            what += (what.isEmpty() ? QString() : u" — "_s) + message;
        if (what.isEmpty() && !code.isEmpty())
            what = code;
        const QString line = where.isEmpty() ? what : what.isEmpty() ? where : where + u": "_s + what;
        if (!line.isEmpty())
            out << line;
    }
    return out;
}

// The detail lines of Unleash's {"details":[{"message"|"description"}]}, without what the message already says.
QStringList unleashDetails(const nlohmann::json &j, const QString &message)
{
    QStringList out;
    if (!j.is_object() || !j.contains("details") || !j["details"].is_array())
        return out;
    for (const auto &d : j["details"]) {
        QString text = str(d, "message");
        if (text.isEmpty())
            text = str(d, "description");
        if (text.isEmpty() && d.is_string())
            text = QString::fromStdString(d.get<std::string>());
        if (text.isEmpty() || message.contains(text) || out.contains(text))
            continue;
        out << text;
        if (out.size() == 10)
            break;
    }
    return out;
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
    QString message, code, documentation;
    switch (service) {
    case Service::Vercel: {
        // {"error":{"code","message"}}, the older {"err":{...}} or {"err":"text"}, or a bare {"code","message"}.
        const nlohmann::json *envelope = object(j, "error");
        if (!envelope)
            envelope = object(j, "err");
        if (!envelope && j.is_object() && (j.contains("message") || j.contains("code")))
            envelope = &j;
        if (envelope) {
            message = str(*envelope, "message");
            code = str(*envelope, "code");
            documentation = str(*envelope, "link");
        }
        if (message.isEmpty())
            message = str(j, "error").isEmpty() ? str(j, "err") : str(j, "error");
        break;
    }
    case Service::GitHub: {
        message = str(j, "message");
        documentation = str(j, "documentation_url");
        const QStringList details = githubErrorDetails(j);
        if (!details.isEmpty())
            message = (message.isEmpty() ? u"HTTP %1"_s.arg(status) : message) + u": "_s + details.join(u"; "_s);
        break;
    }
    case Service::Flags:
    case Service::FlagsClient: {
        message = str(j, "message");
        code = str(j, "code").isEmpty() ? str(j, "name") : str(j, "code");
        // Unleash often repeats the message in details; add them only when they say more.
        const QStringList details = unleashDetails(j, message);
        if (!details.isEmpty())
            message = message.isEmpty() ? details.join(u"; "_s) : message + u" ("_s + details.join(u"; "_s) + u')';
        break;
    }
    case Service::Prometheus:
        message = str(j, "error");
        code = str(j, "errorType");
        break;
    case Service::VercelBypass:
        // The production domain is the app, not an API: its page is no error envelope.
        message = status == 401 || status == 403 ? u"the production domain refused the probe (Deployment Protection: is the bypass secret set?)"_s
                  : status == 429                ? u"the production domain rate-limited the probe"_s
                                                 : u"the production domain answered with an error"_s;
        break;
    }
    if (message.isEmpty())
        message = j.is_discarded() ? u"HTTP %1 with a body that is not JSON"_s.arg(status) : u"HTTP %1"_s.arg(status);
    e.message = Redactor::redact(message);
    e.serviceCode = code;
    const QString seeAlso = documentation.isEmpty() ? QString() : u" (see %1)"_s.arg(documentation);
    const RateLimitKind limit = rateLimitKind(service, status, message, code, headers);
    if (limit != RateLimitKind::None) {
        e.kind = Error::Kind::RateLimited;
        const QByteArray retry = headers.value("retry-after").trimmed();
        e.remedy = retry.isEmpty() ? u"wait for the rate limit to reset, then try again"_s + seeAlso
                                   : u"wait as the service asks (Retry-After: %1), then try again"_s.arg(QString::fromLatin1(retry)) + seeAlso;
    } else if (status == 401) {
        e.kind = Error::Kind::Auth;
        e.remedy = u"the %1 token is missing or wrong: set it in Settings or with `raize-console token set %2 --stdin`"_s
                       .arg(serviceDisplayName(service), serviceId(service));
    } else if (status == 403) {
        e.kind = Error::Kind::Auth;
        e.remedy = documentation.isEmpty()
                       ? u"the %1 token lacks a permission for this call: grant it, or use a token that has it"_s.arg(serviceDisplayName(service))
                       : u"see "_s + documentation;
    } else if (status == 409) {
        e.kind = Error::Kind::Conflict;
        e.remedy = u"the remote state changed: reload and review before trying again"_s + seeAlso;
    } else {
        e.kind = Error::Kind::Http;
        if (status == 422)
            e.remedy = u"the service refused the values sent: correct the fields named above"_s + seeAlso;
        else if (!documentation.isEmpty())
            e.remedy = u"see "_s + documentation;
        else
            e.remedy = status >= 500 ? u"the service is failing: try again shortly, or check its status page"_s
                                     : u"check the request's settings (project, repository, environment)"_s;
    }
    e.remedy = Redactor::redact(e.remedy);
    return e;
}

} // namespace Raize::Net
