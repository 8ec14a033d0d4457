#include "services/connection/connectioncheck.h"

#include "net/endpoint.h"
#include "net/httpclient.h"
#include "net/jsonreader.h"
#include "services/flags/flagbackend.h"
#include "services/vercel/vercelclient.h"

#include <memory>

namespace Raize::Services {

using namespace Qt::StringLiterals;

QString ConnectionReport::summary() const
{
    QStringList lines;
    if (error.isError())
        lines << u"✗ "_s + error.message + (error.remedy.isEmpty() ? QString() : u" — "_s + error.remedy);
    else
        lines << (ok ? u"✓ "_s : u"⚠ "_s) + identity;
    if (!granted.isEmpty())
        lines << u"Allows: "_s + granted.join(u", "_s);
    for (const QString &m : missing)
        lines << u"Missing: "_s + m;
    lines << notes;
    return lines.join(u'\n');
}

namespace {

void vercel(Net::HttpClient &http, const ConnectionTarget &t, std::function<void(const ConnectionReport &)> done)
{
    auto client = std::make_shared<VercelClient>(http, t.url, t.project, t.team);
    client->project([client, t, done](const Result<VercelProject> &p) {
        ConnectionReport r;
        if (!p) {
            r.error = p.error();
            if (p.error().kind == Error::Kind::Auth)
                r.missing << u"access to project %1: create the token with the scope of the team that owns it "
                             u"(Vercel → Account Settings → Tokens → Scope)"_s.arg(t.project);
            return done(r);
        }
        r.identity = u"token reads project %1 (%2)%3"_s.arg(p->name, p->id, t.team.isEmpty() ? QString() : u" in team "_s + t.team);
        r.granted << u"read project and deployments"_s;
        if (!p->production) {
            r.ok = true;
            r.notes << u"the project has no production deployment yet"_s;
            return done(r);
        }
        client->checks(p->production->id, [client, r, done](const Result<QList<VercelCheck>> &checks) mutable {
            if (checks)
                r.granted << u"read deployment checks"_s;
            else
                r.missing << u"read deployment checks (%1): the token's team scope must include the project"_s.arg(checks.error().message);
            r.ok = r.missing.isEmpty();
            r.notes << u"Vercel tokens have no finer permissions: promote and Instant Rollback need the token's owner to be a "
                       u"Developer (or higher) in the team"_s;
            done(r);
        });
    });
}

void whoAmI(Net::HttpClient &http, const ConnectionTarget &t, ConnectionReport rep, std::function<void(const ConnectionReport &)> done);

void github(Net::HttpClient &http, const ConnectionTarget &t, std::function<void(const ConnectionReport &)> done)
{
    Net::Request r;
    r.service = Service::GitHub;
    r.url = Net::endpoint(t.url, u"/repos/%1/%2/environments"_s.arg(t.owner, t.repo));
    http.send(r, [&http, t, done](const Net::Response &resp) {
        ConnectionReport rep;
        if (!resp.ok()) {
            rep.error = resp.error;
            if (resp.status == 404)
                rep.missing << u"access to %1/%2: GitHub answers 404 when the token cannot see a private repository — "
                               u"grant the token access to it (fine-grained: Repository access; classic: the repo scope)"_s.arg(t.owner, t.repo);
            return done(rep);
        }
        const QByteArray scopesHeader = resp.header("x-oauth-scopes");
        QStringList scopes;
        for (const QByteArray &s : scopesHeader.split(','))
            if (!s.trimmed().isEmpty())
                scopes << QString::fromLatin1(s.trimmed());
        const QString budget = resp.header("x-ratelimit-limit").isEmpty()
                                   ? QString()
                                   : u", %1/%2 requests left this hour"_s.arg(QString::fromLatin1(resp.header("x-ratelimit-remaining")),
                                                                           QString::fromLatin1(resp.header("x-ratelimit-limit")));
        if (resp.headers.contains("x-oauth-scopes")) {
            rep.identity = u"classic token for %1/%2%3"_s.arg(t.owner, t.repo, budget);
            rep.granted = scopes;
            if (!scopes.contains(u"repo"_s))
                rep.missing << u"the “repo” scope: the console creates deployments, deployment statuses, releases and incident issues "
                               u"and reviews pending deployments — GitHub → Settings → Developer settings → Personal access tokens "
                               u"(classic) → edit the token → tick “repo”"_s;
        } else {
            rep.identity = u"fine-grained or app token for %1/%2%3"_s.arg(t.owner, t.repo, budget);
            rep.granted << u"read environments"_s;
            rep.notes << u"GitHub does not report a fine-grained token's permissions. The console needs, on this repository: "
                         u"Contents read & write (releases), Deployments read & write, Issues read & write, Actions read & write "
                         u"(pending deployment reviews), Checks read, Commit statuses read, Pull requests read, "
                         u"Administration read (branch protection)"_s;
        }
        whoAmI(http, t, rep, done);
    });
}

// Who the token belongs to (GET /user) and what they may do on the repository: the reviewer and the audit actor.
void whoAmI(Net::HttpClient &http, const ConnectionTarget &t, ConnectionReport rep, std::function<void(const ConnectionReport &)> done)
{
    Net::Request u;
    u.service = Service::GitHub;
    u.url = Net::endpoint(t.url, u"/user"_s);
    http.send(u, [&http, t, rep, done](const Net::Response &resp) mutable {
        QString login;
        if (resp.ok()) {
            Net::JsonReader reader(u"github"_s, resp.body);
            login = reader.root()["login"].optStr();
        }
        if (login.isEmpty()) {
            rep.identity = u"as unknown — GitHub did not name the token's user (%1); approvals and audit records need it · "_s.arg(
                               resp.ok() ? u"no login in the answer"_s : resp.error.message) +
                           rep.identity;
            rep.missing << u"the token's user (GET /user): a fine-grained token needs no extra permission for it; check that the "
                           u"token is valid and not expired"_s;
            rep.ok = false;
            return done(rep);
        }
        rep.identity = u"as %1 · "_s.arg(login) + rep.identity;
        Net::Request p;
        p.service = Service::GitHub;
        p.url = Net::endpoint(t.url, u"/repos/%1/%2/collaborators/%3/permission"_s.arg(t.owner, t.repo, login));
        http.send(p, [t, rep, login, done](const Net::Response &presp) mutable {
            QString role;
            if (presp.status == 404) {
                role = u"none"_s;
            } else if (presp.ok()) {
                Net::JsonReader reader(u"github"_s, presp.body);
                const QString roleName = reader.root()["role_name"].optStr();
                role = QStringList{u"admin"_s, u"maintain"_s, u"write"_s, u"triage"_s, u"read"_s}.contains(roleName)
                           ? roleName
                           : reader.root()["permission"].optStr();
            }
            if (role.isEmpty())
                rep.notes << u"%1's permission on %2/%3 could not be read (%4)"_s.arg(login, t.owner, t.repo, presp.error.message);
            else if (role == u"admin"_s || role == u"maintain"_s || role == u"write"_s)
                rep.granted << u"%1 holds %2 (may approve promotions)"_s.arg(login, role);
            else
                rep.notes << u"%1 holds %2 on %3/%4: approving a promotion needs write, maintain or admin"_s.arg(
                    login, role == u"none"_s ? u"no access"_s : role, t.owner, t.repo);
            rep.ok = rep.missing.isEmpty();
            done(rep);
        });
    });
}

void flags(Net::HttpClient &http, const ConnectionTarget &t, std::function<void(const ConnectionReport &)> done)
{
    Result<std::unique_ptr<FlagService>> made = makeFlagService(http, {t.flagsKind, t.url, t.project, t.environment});
    if (!made) {
        ConnectionReport r;
        r.error = made.error();
        return done(r);
    }
    std::shared_ptr<FlagService> service = std::move(made).value();
    service->listFlags(t.environment, [service, t, done](const Result<QList<FlagState>> &list) {
        ConnectionReport r;
        if (!list) {
            r.error = list.error();
            if (list.error().kind == Error::Kind::Auth) {
                r.missing << (t.flagsKind == u"launchdarkly"_s
                                  ? u"an API access token with the Writer role (or a custom role that may update flags) in project %1 — "
                                    u"LaunchDarkly → Organization settings → Authorization → Create token"_s.arg(t.project)
                                  : u"an admin API token (not a client or frontend token) for project %1 — "
                                    u"Unleash → Admin → API access → New API token → Admin"_s.arg(t.project));
            }
            return done(r);
        }
        int on = 0;
        for (const FlagState &f : list.value())
            on += f.enabled ? 1 : 0;
        r.identity = u"%1 token reads project %2: %3 flags in %4, %5 on"_s.arg(service->backendName(), t.project)
                         .arg(list->size()).arg(t.environment).arg(on);
        r.granted << u"read flags and strategies"_s;
        r.notes << u"switching a flag is not tried here (it would change production); the rollback's first step shows "
                   u"at once if the token may not"_s;
        r.ok = true;
        done(r);
    });
}

void prometheus(Net::HttpClient &http, const ConnectionTarget &t, std::function<void(const ConnectionReport &)> done)
{
    Net::Request r;
    r.service = Service::Prometheus;
    r.url = Net::endpoint(t.url, u"/api/v1/status/buildinfo"_s);
    http.send(r, [done](const Net::Response &resp) {
        ConnectionReport rep;
        if (!resp.ok()) {
            rep.error = resp.error;
            return done(rep);
        }
        Net::JsonReader reader(u"prometheus"_s, resp.body);
        const QString version = reader.root()["data"]["version"].str();
        if (!reader.ok()) {
            rep.error = reader.error();
            return done(rep);
        }
        rep.identity = u"Prometheus %1"_s.arg(version);
        rep.granted << u"query"_s;
        rep.ok = true;
        done(rep);
    });
}

} // namespace

void checkConnection(Net::HttpClient &http, const ConnectionTarget &target, std::function<void(const ConnectionReport &)> done)
{
    if (target.url.isEmpty() || !target.url.isValid()) {
        ConnectionReport r;
        r.error = Error::make(Error::Kind::Config, serviceId(target.service), u"no URL is set"_s, u"enter the service's base URL"_s);
        return done(r);
    }
    http.setToken(target.service, target.token);
    switch (target.service) {
    case Service::Vercel:
        return vercel(http, target, std::move(done));
    case Service::GitHub:
        return github(http, target, std::move(done));
    case Service::Flags:
    case Service::FlagsClient:
        return flags(http, target, std::move(done));
    case Service::Prometheus:
        return prometheus(http, target, std::move(done));
    case Service::VercelBypass:
        break; // checked by the effectiveness probe, not here
    }
    ConnectionReport r;
    r.error = Error::make(Error::Kind::Config, serviceId(target.service), u"the bypass secret has no connection test of its own"_s,
                          u"a promote or rollback probes the production domain with it"_s);
    done(r);
}

} // namespace Raize::Services
