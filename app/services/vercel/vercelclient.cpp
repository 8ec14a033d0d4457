#include "services/vercel/vercelclient.h"

#include <algorithm>
#include <utility>

#include <QTimer>

#include "core/jsonutil.h"
#include "net/endpoint.h"
#include "net/jsonreader.h"

#include <QEventLoop>
#include <QUrlQuery>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;

namespace {
VercelCheck readCheck(const JsonReader::Node &c)
{
    return {c["id"].str(), c["name"].str(), c["status"].str(), c["conclusion"].optStr(), c["blocking"].optBoolean(true)};
}


VercelDeployment readDeployment(const JsonReader::Node &d)
{
    VercelDeployment out;
    out.id = d["uid"].exists() ? d["uid"].str() : d["id"].str();
    out.url = d["url"].optStr();
    out.state = d["readyState"].exists() ? d["readyState"].optStr() : d["state"].optStr();
    out.target = d["target"].optStr();
    out.created = QDateTime::fromMSecsSinceEpoch(d["created"].exists() ? d["created"].integer() : d["createdAt"].integer(), Qt::UTC);
    const auto meta = d["meta"];
    out.sha = meta["githubCommitSha"].optStr();
    out.ref = meta["githubCommitRef"].optStr();
    out.prNumber = meta["githubPrId"].optStr();
    out.rollbackCandidate = d["isRollbackCandidate"].optBoolean(false);
    return out;
}

} // namespace

VercelClient::VercelClient(Net::HttpClient &http, QUrl baseUrl, QString projectId, QString teamId)
    : m_http(http)
    , m_base(std::move(baseUrl))
    , m_projectId(std::move(projectId))
    , m_teamId(std::move(teamId))
{
}

QUrl VercelClient::url(const QString &path, QList<QPair<QString, QString>> query) const
{
    if (!m_teamId.isEmpty())
        query.append({u"teamId"_s, m_teamId});
    return Net::endpoint(m_base, path, query);
}

Result<VercelProject> VercelClient::parseProject(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const auto root = reader.root();
    VercelProject p;
    p.id = root["id"].str();
    p.name = root["name"].str();
    const auto prod = root["targets"]["production"];
    if (!prod.isNull())
        p.production = readDeployment(prod);
    const auto rb = root["lastRollbackTarget"];
    if (!rb.isNull()) {
        p.pinned = true;
        p.rollbackFrom = rb["fromDeploymentId"].optStr();
        p.rollbackTo = rb["toDeploymentId"].optStr();
    }
    if (!root["rollbackDescription"].isNull())
        p.rollbackDescription = root["rollbackDescription"]["description"].optStr();
    if (!root["autoAssignCustomDomains"].isNull())
        p.autoAssignCustomDomains = root["autoAssignCustomDomains"].boolean();
    if (const auto job = root["lastAliasRequest"]; !job.isNull()) {
        VercelAliasJob j;
        j.fromDeploymentId = job["fromDeploymentId"].str();
        j.toDeploymentId = job["toDeploymentId"].str();
        j.jobStatus = job["jobStatus"].str();
        j.type = job["type"].optStr();
        j.requestedAt = qint64(job["requestedAt"].number());
        p.lastAliasRequest = j;
    }
    // Each protection method is null when off, else {deploymentType, ...}.
    for (const auto &[key, out] : {std::pair{"ssoProtection", &p.ssoProtection}, std::pair{"passwordProtection", &p.passwordProtection},
                                   std::pair{"trustedIps", &p.trustedIps}}) {
        const auto node = root[key];
        if (!node.isNull())
            *out = node["deploymentType"].str();
    }
    const auto expiration = root["deploymentExpiration"];
    if (!expiration.isNull()) {
        p.retentionSet = true;
        if (!expiration["expirationDaysProduction"].isNull())
            p.expirationDaysProduction = int(expiration["expirationDaysProduction"].number());
        if (!expiration["deploymentsToKeep"].isNull())
            p.deploymentsToKeep = int(expiration["deploymentsToKeep"].number());
    }
    if (!reader.ok())
        return reader.error();
    return p;
}

Result<QList<VercelDeployment>> VercelClient::parseDeployments(const QByteArray &body, std::optional<qint64> *next)
{
    JsonReader reader(u"vercel"_s, body);
    const auto root = reader.root();
    const auto items = root["deployments"];
    QList<VercelDeployment> out;
    const std::size_t n = items.size();
    for (std::size_t i = 0; i < n && reader.ok(); ++i)
        out.append(readDeployment(items.at(i)));
    const auto nx = root["pagination"]["next"];
    if (next)
        *next = nx.isNull() ? std::nullopt : std::optional<qint64>(nx.integer());
    if (!root["pagination"].exists())
        root["pagination"].str(); // records "pagination: expected text, found nothing"
    if (!reader.ok())
        return reader.error();
    return out;
}

Result<VercelDeployment> VercelClient::parseDeployment(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const VercelDeployment d = readDeployment(reader.root());
    if (!reader.ok())
        return reader.error();
    return d;
}

void VercelClient::project(Callback<VercelProject> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v9/projects/"_s + m_projectId);
    r.cacheKey = u"vercel:project:"_s + m_projectId;
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseProject(resp.body));
    });
}

void VercelClient::deployments(const QString &target, int limit, Callback<QList<VercelDeployment>> done)
{
    fetchPage(target, limit, std::nullopt, {}, std::move(done));
}

void VercelClient::fetchPage(const QString &target, int limit, std::optional<qint64> until, QList<VercelDeployment> acc,
                             Callback<QList<VercelDeployment>> done)
{
    QList<QPair<QString, QString>> q = {{u"projectId"_s, m_projectId}, {u"limit"_s, QString::number(qMin(100, limit - int(acc.size())))}};
    if (!target.isEmpty())
        q.append({u"target"_s, target});
    if (until)
        q.append({u"until"_s, QString::number(*until)});
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v6/deployments"_s, q);
    // Pollers (environments, timeline) ask for the first page again and again: a conditional request.
    if (!until)
        r.cacheKey = u"vercel:deployments:%1:%2:%3"_s.arg(m_projectId, target).arg(limit);
    m_http.send(r, [this, target, limit, until, acc, done](const Net::Response &resp) mutable {
        if (!resp.ok())
            return done(resp.error);
        std::optional<qint64> next;
        const auto page = parseDeployments(resp.body, &next);
        if (!page) {
            Error e = page.error();
            // A cursor that cannot be read ends the list where it is: say so, never return it as if whole.
            if (e.fieldPath.startsWith(u"pagination"_s)) {
                e.message = u"the list is incomplete: %1 deployment(s) read, then pagination.next could not be read (%2)"_s.arg(acc.size()).arg(
                    e.message);
                e.remedy = u"nothing after those deployments was read; refresh, and if it stays, report Vercel's answer"_s;
            }
            return done(e);
        }
        acc.append(page.value());
        if (next && until && *next >= *until && acc.size() < limit && !page->isEmpty()) {
            // Vercel pages backwards in time (`until`): a cursor that does not move would repeat this page forever.
            return done(Error::make(Error::Kind::Parse, u"vercel"_s,
                                    u"the list is incomplete: %1 deployment(s) read, then pagination.next (%2) did not move past the previous page (%3)"_s
                                        .arg(acc.size())
                                        .arg(*next)
                                        .arg(*until),
                                    u"nothing after those deployments was read; refresh, and if it stays, report Vercel's answer"_s));
        }
        if (next && acc.size() < limit && !page->isEmpty())
            return fetchPage(target, limit, next, acc, done);
        done(acc);
    });
}

void VercelClient::deployment(const QString &id, Callback<VercelDeployment> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v13/deployments/"_s + id);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseDeployment(resp.body));
    });
}

void VercelClient::checks(const QString &deploymentId, Callback<QList<VercelCheck>> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v1/deployments/%1/checks"_s.arg(deploymentId));
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        JsonReader reader(u"vercel"_s, resp.body);
        const auto items = reader.root()["checks"];
        QList<VercelCheck> out;
        const std::size_t n = items.size();
        for (std::size_t i = 0; i < n && reader.ok(); ++i)
            out.append(readCheck(items.at(i)));
        if (!reader.ok())
            return done(reader.error());
        done(out);
    });
}

Result<VercelCheck> VercelClient::parseCheck(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const VercelCheck c = readCheck(reader.root());
    if (!reader.ok())
        return reader.error();
    return c;
}

void VercelClient::createCheck(const QString &deploymentId, const QString &name, bool blocking, Callback<VercelCheck> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST";
    r.url = url(u"/v1/deployments/%1/checks"_s.arg(deploymentId));
    r.body = Json::dump({{"name", name.toStdString()}, {"blocking", blocking}});
    const auto findByName = [this, deploymentId, name](std::function<void(const Result<std::optional<VercelCheck>> &)> answer) {
        checks(deploymentId, [answer, name](const Result<QList<VercelCheck>> &list) {
            if (!list)
                return answer(list.error());
            for (const VercelCheck &c : list.value()) {
                if (c.name == name)
                    return answer(std::optional<VercelCheck>(c));
            }
            answer(std::optional<VercelCheck>());
        });
    };
    r.readBack = [findByName](std::function<void(std::optional<bool>)> answer) {
        findByName([answer](const Result<std::optional<VercelCheck>> &found) {
            answer(found ? std::optional<bool>(found->has_value()) : std::nullopt);
        });
    };
    m_http.send(r, [done, findByName](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        if (!resp.appliedByReadBack)
            return done(parseCheck(resp.body));
        findByName([done](const Result<std::optional<VercelCheck>> &found) {
            if (!found)
                return done(found.error());
            if (!found->has_value())
                return done(Error::make(Error::Kind::Conflict, u"vercel"_s, u"the check vanished after it was created"_s));
            done(**found);
        });
    });
}

void VercelClient::updateCheck(const QString &deploymentId, const QString &checkId, const QString &status, const QString &conclusion,
                               Callback<VercelCheck> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "PATCH";
    r.idempotent = true; // absolute values: sending it twice leaves the same state
    r.url = url(u"/v1/deployments/%1/checks/%2"_s.arg(deploymentId, checkId));
    nlohmann::json body = {{"status", status.toStdString()}};
    if (!conclusion.isEmpty())
        body["conclusion"] = conclusion.toStdString();
    r.body = Json::dump(body);
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseCheck(resp.body));
    });
}

Result<QList<VercelAlias>> VercelClient::parseDeploymentAliases(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const auto items = reader.root()["aliases"];
    QList<VercelAlias> out;
    const std::size_t n = items.size();
    for (std::size_t i = 0; i < n && reader.ok(); ++i)
        out.append({items.at(i)["uid"].str(), items.at(i)["alias"].str()});
    if (!reader.ok())
        return reader.error();
    return out;
}

Result<QList<VercelPromoteAlias>> VercelClient::parsePromoteAliases(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const auto root = reader.root();
    QList<VercelPromoteAlias> out;
    // The description allows an empty object: no promote or rollback is going on.
    if (!root["aliases"].exists() && reader.ok())
        return out;
    const auto items = root["aliases"];
    const std::size_t n = items.size();
    for (std::size_t i = 0; i < n && reader.ok(); ++i)
        out.append({items.at(i)["id"].str(), items.at(i)["alias"].str(), items.at(i)["status"].str()});
    if (!reader.ok())
        return reader.error();
    return out;
}

void VercelClient::deploymentAliases(const QString &deploymentId, Callback<QList<VercelAlias>> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v2/deployments/%1/aliases"_s.arg(deploymentId));
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parseDeploymentAliases(resp.body));
    });
}

void VercelClient::promoteAliases(Callback<QList<VercelPromoteAlias>> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v1/projects/%1/promote/aliases"_s.arg(m_projectId), {{u"limit"_s, u"100"_s}});
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(parsePromoteAliases(resp.body));
    });
}

Result<VercelAliasAssignment> VercelClient::parseAliasAssignment(const QByteArray &body)
{
    JsonReader reader(u"vercel"_s, body);
    const auto root = reader.root();
    VercelAliasAssignment a;
    a.uid = root["uid"].str();
    a.alias = root["alias"].str();
    root["created"].str();
    a.oldDeploymentId = root["oldDeploymentId"].optStr();
    if (!reader.ok())
        return reader.error();
    return a;
}

void VercelClient::aliasPointsAt(const QString &deploymentId, const QString &alias, Callback<bool> done)
{
    deploymentAliases(deploymentId, [alias, done](const Result<QList<VercelAlias>> &list) {
        if (!list)
            return done(list.error());
        done(std::any_of(list->cbegin(), list->cend(), [&](const VercelAlias &a) { return a.alias.compare(alias, Qt::CaseInsensitive) == 0; }));
    });
}

Net::RequestPreview VercelClient::previewAssignAlias(const QString &deploymentId, const QString &alias) const
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST";
    r.url = url(u"/v2/deployments/%1/aliases"_s.arg(deploymentId));
    r.body = Json::dump({{"alias", alias.toStdString()}});
    return Net::RequestPreview::from(r, m_base, u"vercel"_s);
}

void VercelClient::assignAlias(const QString &deploymentId, const QString &alias, Callback<VercelAliasAssignment> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST";
    r.url = url(u"/v2/deployments/%1/aliases"_s.arg(deploymentId));
    r.body = Json::dump({{"alias", alias.toStdString()}});
    // No idempotency key: after a reset or timeout, look at where the alias points before sending it again.
    r.readBack = [this, deploymentId, alias](std::function<void(std::optional<bool>)> answer) {
        aliasPointsAt(deploymentId, alias, [answer](const Result<bool> &points) {
            answer(points ? std::optional<bool>(*points) : std::nullopt);
        });
    };
    m_http.send(r, [this, deploymentId, alias, done](const Net::Response &resp) {
        const auto already = [alias, done](const Receipt &receipt) {
            VercelAliasAssignment a;
            a.alias = alias;
            a.alreadyAssigned = true;
            a.receipt = receipt;
            done(a);
        };
        if (resp.appliedByReadBack)
            return already(Receipt{{}, true});
        if (resp.status == 409) {
            // "The provided alias is already assigned to the given deployment", or "the domain is not allowed to be
            // used": only the alias itself can tell which.
            const Error conflict = resp.error;
            return aliasPointsAt(deploymentId, alias, [conflict, already, requestId = resp.requestId, done](const Result<bool> &points) {
                if (points && *points)
                    return already(Receipt{requestId, false});
                done(conflict);
            });
        }
        if (!resp.ok())
            return done(resp.error);
        Result<VercelAliasAssignment> a = parseAliasAssignment(resp.body);
        if (!a)
            return done(a.error());
        VercelAliasAssignment out = std::move(a).value();
        out.receipt = Receipt{resp.requestId, false};
        done(out);
    });
}

void VercelClient::mutate(const QString &path, const QString &expectProduction, Callback<Receipt> done)
{
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST";
    r.url = QUrl(path);
    // GitHub and Vercel offer no idempotency keys: after a reset or timeout,
    // look at what production serves before sending the call again.
    // A call that timed out may still be in Vercel's hands: "not applied" is
    // only believed after a second look a few seconds later.
    r.readBack = [this, expectProduction](std::function<void(std::optional<bool>)> answer) {
        project([this, answer, expectProduction](const Result<VercelProject> &p) {
            if (!p)
                return answer(std::nullopt);
            if (p->production && p->production->id == expectProduction)
                return answer(true);
            QTimer::singleShot(m_readBackSettleMs, &m_http, [this, answer, expectProduction] {
                project([answer, expectProduction](const Result<VercelProject> &again) {
                    if (!again)
                        return answer(std::nullopt);
                    answer(again->production && again->production->id == expectProduction);
                });
            });
        });
    };
    m_http.send(r, [done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        done(Receipt{resp.appliedByReadBack ? QString() : resp.requestId, resp.appliedByReadBack});
    });
}

void VercelClient::requestPromote(const QString &deploymentId, Callback<Receipt> done)
{
    mutate(url(u"/v10/projects/%1/promote/%2"_s.arg(m_projectId, deploymentId)).toString(), deploymentId, std::move(done));
}

void VercelClient::requestRollback(const QString &deploymentId, const QString &description, Callback<Receipt> done)
{
    QList<QPair<QString, QString>> q;
    if (!description.isEmpty())
        q.append({u"description"_s, description});
    mutate(url(u"/v1/projects/%1/rollback/%2"_s.arg(m_projectId, deploymentId), q).toString(), deploymentId, std::move(done));
}

void VercelClient::promote(const QString &deploymentId, std::function<void(const Status &)> done)
{
    requestPromote(deploymentId, [done](const Result<Receipt> &r) { done(r ? okStatus() : Status(r.error())); });
}

void VercelClient::instantRollback(const QString &deploymentId, const QString &description, std::function<void(const Status &)> done)
{
    requestRollback(deploymentId, description, [done](const Result<Receipt> &r) { done(r ? okStatus() : Status(r.error())); });
}

Net::RequestPreview VercelClient::previewInstantRollback(const QString &deploymentId, const QString &description) const
{
    QList<QPair<QString, QString>> q;
    if (!description.isEmpty())
        q.append({u"description"_s, description});
    Net::Request r;
    r.service = Service::Vercel;
    r.method = "POST"; // as mutate() sends it
    r.url = url(u"/v1/projects/%1/rollback/%2"_s.arg(m_projectId, deploymentId), q);
    return Net::RequestPreview::from(r, m_base, u"vercel"_s);
}

Net::RequestPreview VercelClient::previewProject() const
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v9/projects/"_s + m_projectId);
    return Net::RequestPreview::from(r, m_base, u"vercel"_s);
}

Net::RequestPreview VercelClient::previewDeploymentAliases(const QString &deploymentId) const
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v2/deployments/%1/aliases"_s.arg(deploymentId));
    return Net::RequestPreview::from(r, m_base, u"vercel"_s);
}

Net::RequestPreview VercelClient::previewChecks(const QString &deploymentId) const
{
    Net::Request r;
    r.service = Service::Vercel;
    r.url = url(u"/v1/deployments/%1/checks"_s.arg(deploymentId));
    return Net::RequestPreview::from(r, m_base, u"vercel"_s);
}

} // namespace Raize::Services
