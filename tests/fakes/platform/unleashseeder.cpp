#include "unleashseeder.h"

#include "core/jsonutil.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

QString seedUnleash(const QUrl &url, const QString &adminToken, const json &flags)
{
    QNetworkAccessManager nam;
    const auto post = [&](const QString &path, const json &body, QString *error) {
        QNetworkRequest req(url.resolved(QUrl(path)));
        req.setRawHeader("Authorization", adminToken.toUtf8());
        req.setRawHeader("Content-Type", "application/json");
        req.setTransferTimeout(10000);
        QNetworkReply *reply = nam.post(req, body.is_null() ? QByteArray() : Json::dump(body));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        reply->deleteLater();
        if (status >= 200 && status < 300)
            return true;
        if (status == 409) // already there: seeding is idempotent
            return true;
        *error = u"POST %1 → HTTP %2: %3"_s.arg(path).arg(status).arg(QString::fromUtf8(answer.left(300)));
        return false;
    };
    QString error;
    for (const char *field : {"clientId", "platformAccount", "lane", "cohort"}) {
        if (!post(u"api/admin/context"_s, {{"name", field}, {"stickiness", false}}, &error))
            return error;
    }
    for (const json &f : flags) {
        const std::string name = f.value("name", "");
        const QString base = u"api/admin/projects/default/features"_s;
        if (!post(base, {{"name", name}, {"type", f.value("type", "release")}, {"description", f.value("description", "")}}, &error))
            return error;
        const json scope = f.value("scope", json{{"kind", "global"}});
        const std::string kind = scope.value("kind", "global");
        json constraints = json::array();
        const std::string field = kind == "client" ? "clientId" : kind == "account" ? "platformAccount" : kind == "lane" ? "lane" : kind == "cohort" ? "cohort" : "";
        if (!field.empty())
            constraints.push_back({{"contextName", field}, {"operator", "IN"}, {"values", scope.value("values", json::array())}});
        const QString env = base + u'/' + QString::fromStdString(name) + u"/environments/production"_s;
        if (!post(env + u"/strategies"_s,
                  {{"name", "flexibleRollout"},
                   {"parameters", {{"rollout", "100"}, {"stickiness", "default"}, {"groupId", name}}},
                   {"constraints", constraints}},
                  &error))
            return error;
        if (f.value("enabled", false) && !post(env + u"/on"_s, nullptr, &error))
            return error;
    }
    // Flag dependencies (issue #16 item 3): "dependsOn": the kill-switch parent, once every flag exists.
    for (const json &f : flags) {
        const std::string parent = f.value("dependsOn", "");
        if (parent.empty())
            continue;
        const QString path = u"api/admin/projects/default/features/%1/dependencies"_s.arg(QString::fromStdString(f.value("name", "")));
        if (!post(path, {{"feature", parent}, {"enabled", true}}, &error))
            return error;
    }
    return {};
}

} // namespace Raize::Sandbox
