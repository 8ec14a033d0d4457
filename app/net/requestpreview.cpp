#include "net/requestpreview.h"

#include "net/httpclient.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Net {

namespace {

QString str(const json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? QString::fromStdString(j[key].get<std::string>()) : QString();
}

} // namespace

RequestPreview RequestPreview::from(const Request &request, const QUrl &base, const QString &service)
{
    RequestPreview p;
    p.service = service;
    p.method = QString::fromLatin1(request.method);
    QString basePath = base.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    QString path = request.url.path(QUrl::FullyEncoded);
    if (!basePath.isEmpty() && path.startsWith(basePath))
        path = path.mid(basePath.size());
    if (request.url.hasQuery())
        path += u'?' + request.url.query(QUrl::FullyEncoded);
    p.path = path;
    if (!request.body.isEmpty()) {
        p.contentType = QString::fromLatin1(request.contentType);
        json body = json::parse(request.body.constData(), request.body.constData() + request.body.size(), nullptr, false);
        p.body = body.is_discarded() ? json(request.body.toStdString()) : body;
    }
    return p;
}

QString RequestPreview::describe() const
{
    QString out = service + u' ' + method + u' ' + path;
    if (!contentType.isEmpty() && contentType != u"application/json"_s)
        out += u" ("_s + contentType + u')';
    if (!body.is_null())
        out += u' ' + QString::fromStdString(body.dump());
    return out;
}

json RequestPreview::toJson() const
{
    json j = {{"service", service.toStdString()}, {"method", method.toStdString()}, {"path", path.toStdString()}, {"body", body}};
    if (!contentType.isEmpty())
        j["contentType"] = contentType.toStdString();
    return j;
}

RequestPreview RequestPreview::fromJson(const json &j)
{
    RequestPreview p;
    p.service = str(j, "service");
    p.method = str(j, "method");
    p.path = str(j, "path");
    p.contentType = str(j, "contentType");
    p.body = j.is_object() ? j.value("body", json()) : json();
    return p;
}

} // namespace Raize::Net
