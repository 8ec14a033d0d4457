// "Test connection" in Settings (issue #6): for each service, with the values
// as typed, who the token is, what it allows and what is missing — against
// the sandbox's fakes in-process (Vercel, GitHub) and recorded Unleash and
// Prometheus answers on loopback. Reads only.

#include "settingsdialog.h"

#include "core/settings.h"
#include "core/tokenstore.h"
#include "workspace/workspace.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "vercel/vercelfake.h"

#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

class TestTestConnection : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults;
    Sandbox::RequestLog m_log;

    static void type(Ui::SettingsDialog &d, const QString &name, const QString &text)
    {
        auto *e = d.findChild<QLineEdit *>(name);
        QVERIFY2(e, qPrintable(name));
        e->setText(text);
    }

    static QString press(Ui::SettingsDialog &d, Service s)
    {
        auto *button = d.findChild<QPushButton *>(serviceId(s) + u"TestConnection"_s);
        auto *label = d.findChild<QLabel *>(serviceId(s) + u"TestResult"_s);
        if (!button || !label)
            return u"(no button)"_s;
        button->click();
        if (!QTest::qWaitFor([&] { return label->text() != u"Testing…"_s && !label->text().isEmpty(); }, 10000))
            return u"(no answer within 10 s)"_s;
        return label->text();
    }

private Q_SLOTS:
    void everyServiceSaysWhoAndWhat()
    {
        Sandbox::HttpServer vercelServer(u"vercel"_s, &m_faults, &m_log), githubServer(u"github"_s, &m_faults, &m_log),
            misc(u"misc"_s, &m_faults, &m_log);
        Sandbox::VercelFake vercel(&vercelServer, u"vercel-test-token-123"_s);
        vercel.load({{"project", {{"id", "prj_t"}, {"name", "raize-web"}}}, {"production", "dpl_p"},
                     {"deployments", {{{"uid", "dpl_p"}, {"target", "production"}, {"state", "READY"}, {"minutesAgo", 5}}}}});
        Sandbox::GitHubFake github(&githubServer, u"ghp_testconnectiontoken000"_s);
        QFile f(QStringLiteral(RAIZE_TEST_DATA_DIR) + u"/bodies/unleash-features.json"_s);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const json features = json::parse(f.readAll().toStdString());
        misc.route("GET", u"/api/admin/projects/default/features"_s, [&](const Sandbox::HttpRequest &r, const QRegularExpressionMatch &) {
            return r.header("authorization") == "*:*.admin-token" ? Sandbox::HttpResponse::json(200, features)
                                                                  : Sandbox::HttpResponse::json(401, {{"name", "AuthenticationRequired"}, {"message", "You must log in"}});
        });
        misc.route("GET", u"/api/admin/projects/default/features/([^/]+)"_s, [&](const Sandbox::HttpRequest &, const QRegularExpressionMatch &m) {
            const json production = {{"name", "production"}, {"enabled", false}, {"strategies", json::array()}};
            return Sandbox::HttpResponse::json(200, {{"name", m.captured(1).toStdString()}, {"project", "default"},
                                                     {"environments", json::array({production})}, {"dependencies", json::array()}});
        });
        misc.route("GET", u"/api/v1/status/buildinfo"_s, [](const Sandbox::HttpRequest &, const QRegularExpressionMatch &) {
            return Sandbox::HttpResponse::json(200, {{"status", "success"}, {"data", {{"version", "2.42.0"}, {"revision", "x"}}}});
        });
        QVERIFY(vercelServer.listen(0) && githubServer.listen(0) && misc.listen(0));

        Settings settings(u"testconn"_s);
        TokenStore tokens(u"testconn"_s, u"raize-console-testconn"_s);
        Workspace workspace(settings, tokens);
        Ui::SettingsDialog d(settings, tokens, workspace);
        d.show();
        type(d, u"vercelBaseUrl"_s, vercelServer.baseUrl());
        type(d, u"vercelProjectId"_s, u"prj_t"_s);
        type(d, u"vercelToken"_s, u"vercel-test-token-123"_s);
        type(d, u"githubApiUrl"_s, githubServer.baseUrl());
        type(d, u"githubOwner"_s, u"raize"_s);
        type(d, u"githubRepo"_s, u"platform"_s);
        type(d, u"githubToken"_s, u"ghp_testconnectiontoken000"_s);
        type(d, u"flagsUrl"_s, misc.baseUrl());
        type(d, u"flagsProject"_s, u"default"_s);
        type(d, u"flagsEnvironment"_s, u"production"_s);
        type(d, u"flagsToken"_s, u"*:*.admin-token"_s);
        type(d, u"prometheusUrl"_s, misc.baseUrl());

        QString v = press(d, Service::Vercel);
        QVERIFY2(v.startsWith(u"✓ token reads project raize-web (prj_t)"_s), qPrintable(v));
        QVERIFY2(v.contains(u"read deployment checks"_s), qPrintable(v));

        QString g = press(d, Service::GitHub);
        // Who the token belongs to (GET /user) comes first: the reviewer and the audit actor.
        QVERIFY2(g.startsWith(u"✓ as release-bot · classic token for raize/platform"_s), qPrintable(g));
        QVERIFY2(g.contains(u"Allows: repo, workflow, release-bot holds admin (may approve promotions)"_s), qPrintable(g));
        // Another person's token names that person, and says why a read-only collaborator may not approve.
        type(d, u"githubToken"_s, u"viewer-vic-token"_s);
        g = press(d, Service::GitHub);
        QVERIFY2(g.startsWith(u"✓ as viewer-vic · "_s), qPrintable(g));
        QVERIFY2(g.contains(u"viewer-vic holds read on raize/platform: approving a promotion needs write, maintain or admin"_s), qPrintable(g));
        type(d, u"githubToken"_s, u"ghp_testconnectiontoken000"_s);
        // A classic token without "repo": the permission is named, with how to grant it.
        github.setScopes({u"read:org"_s});
        g = press(d, Service::GitHub);
        QVERIFY2(g.startsWith(u"⚠ "_s) && g.contains(u"Missing: the “repo” scope"_s) && g.contains(u"tick “repo”"_s), qPrintable(g));
        // A fine-grained token: GitHub does not say, so the needed permissions are listed.
        github.setScopes({});
        g = press(d, Service::GitHub);
        QVERIFY2(g.contains(u"fine-grained"_s) && g.contains(u"Deployments read & write"_s), qPrintable(g));

        QString fl = press(d, Service::Flags);
        QVERIFY2(fl.startsWith(u"✓ unleash token reads project default: %1 flags in production"_s.arg(features["features"].size())), qPrintable(fl));
        type(d, u"flagsToken"_s, u"default:production.client-token"_s);
        fl = press(d, Service::Flags);
        QVERIFY2(fl.startsWith(u"✗ "_s) && fl.contains(u"Missing: an admin API token (not a client or frontend token)"_s), qPrintable(fl));

        const QString p = press(d, Service::Prometheus);
        QVERIFY2(p.startsWith(u"✓ Prometheus 2.42.0"_s), qPrintable(p));

        // A wrong Vercel token: the service's own message and what to do, and never the token.
        type(d, u"vercelToken"_s, u"wrong-vercel-token-999"_s);
        v = press(d, Service::Vercel);
        QVERIFY2(v.startsWith(u"✗ "_s) && v.contains(u"Missing: access to project prj_t"_s), qPrintable(v));
        QVERIFY(!v.contains(u"wrong-vercel-token-999"_s));
        // Only reads went out.
        for (const auto &e : m_log.entries())
            QVERIFY2(e.method == u"GET"_s, qPrintable(e.method + u' ' + e.path));
    }
};

QTEST_MAIN(TestTestConnection)
#include "tst_test_connection.moc"
