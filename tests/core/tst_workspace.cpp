// The workspace (issue #14, item 1; ADR 0014), without the sandbox: one HTTP
// client shared by every caller (GitHub's serial queue and the monitor's
// budget), the one flag-backend factory, what a rollback session needs from
// it, and a reopen that leaves a running rollback its clients.
//
// The services are a small loopback server that holds every answer until the
// test releases it, so "the second GitHub request waits for the first" is
// seen on the wire, not inferred from timing.

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "net/httpclient.h"
#include "rollback/rollbacksession.h"
#include "services/flags/flagbackend.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"
#include "workspace/workspace.h"

#include "github/githubfake.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

// Answers nothing until released; records what arrived, in order.
class HoldingServer : public QObject
{
public:
    struct Held
    {
        QByteArray method, path, authorization;
        QPointer<QTcpSocket> socket;
    };

    HoldingServer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s, buffer] {
                    buffer->append(s->readAll());
                    while (true) {
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0)
                            return;
                        const QByteArray head = buffer->left(end);
                        qsizetype length = 0;
                        const QList<QByteArray> lines = head.split('\n');
                        Held h;
                        const QList<QByteArray> first = lines.first().trimmed().split(' ');
                        h.method = first.value(0);
                        h.path = first.value(1);
                        for (const QByteArray &line : lines.mid(1)) {
                            const qsizetype colon = line.indexOf(':');
                            const QByteArray name = line.left(colon).trimmed().toLower();
                            if (name == "content-length")
                                length = line.mid(colon + 1).trimmed().toLongLong();
                            else if (name == "authorization")
                                h.authorization = line.mid(colon + 1).trimmed();
                        }
                        if (buffer->size() < end + 4 + length)
                            return;
                        buffer->remove(0, end + 4 + length);
                        h.socket = s;
                        arrived.append(h);
                    }
                });
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString url() const { return u"http://127.0.0.1:%1"_s.arg(m_server.serverPort()); }

    int count(const QByteArray &pathPrefix) const
    {
        return int(std::count_if(arrived.cbegin(), arrived.cend(), [&](const Held &h) { return h.path.startsWith(pathPrefix); }));
    }

    // Answers the i-th request that arrived with a JSON body and GitHub's budget headers.
    void release(int i, const QByteArray &body, int remaining)
    {
        QTcpSocket *s = arrived.at(i).socket;
        QVERIFY(s);
        s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\nx-ratelimit-limit: 5000\r\nx-ratelimit-remaining: " + QByteArray::number(remaining)
                 + "\r\nx-ratelimit-reset: 4102444800\r\nx-ratelimit-resource: core\r\n\r\n" + body);
        s->flush();
    }

    QList<Held> arrived;

private:
    QTcpServer m_server;
};

const QByteArray kRateLimit = "{\"resources\":{\"core\":{\"limit\":5000,\"remaining\":4000,\"reset\":4102444800,\"used\":1000}},"
                              "\"rate\":{\"limit\":5000,\"remaining\":4000,\"reset\":4102444800,\"used\":1000}}";

void configure(Settings &s, const QString &url, const QString &flagsKind = u"unleash"_s)
{
    s.setValue(SettingKey::VercelBaseUrl, url);
    s.setValue(SettingKey::VercelProjectId, u"prj_ws"_s);
    s.setValue(SettingKey::GitHubApiUrl, url);
    s.setValue(SettingKey::GitHubOwner, u"raize"_s);
    s.setValue(SettingKey::GitHubRepo, u"platform"_s);
    s.setValue(SettingKey::FlagsKind, flagsKind);
    s.setValue(SettingKey::FlagsUrl, url);
    s.setValue(SettingKey::FlagsProject, u"default"_s);
    s.setValue(SettingKey::FlagsEnvironment, u"production"_s);
    s.setValue(SettingKey::PrometheusUrl, url);
}

const QHash<Service, QString> kTokens = {{Service::Vercel, u"vercel-ws-token"_s},
                                         {Service::GitHub, u"ghp_workspacetoken000"_s},
                                         {Service::Flags, u"*:*.ws-admin"_s}};

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The rollback's GitHub call and the console's budget ping go through one
    // serial queue, and the rollback's answer reaches the service monitor.
    void callersShareOneQueueAndBudget()
    {
        HoldingServer server;
        QVERIFY(server.listen());
        Settings settings(u"ws-share"_s);
        configure(settings, server.url());
        TokenStore tokens(u"ws-share"_s, u"raize-console-wstest"_s);
        ServiceMonitor monitor;
        Workspace ws(settings, tokens, &monitor);
        QSignalSpy ready(&ws, &Workspace::ready);
        ws.openWithTokens(kTokens);
        QCOMPARE(ready.count(), 1);

        Result<std::unique_ptr<Rollback::Session>> session = Rollback::Session::fromWorkspace(ws);
        QVERIFY2(session, qPrintable(session ? QString() : session.error().toString()));
        // The same objects, not look-alikes.
        QCOMPARE((*session)->clients().github, ws.github());
        QCOMPARE((*session)->clients().vercel, ws.vercel());
        QCOMPARE((*session)->clients().flags, ws.flags());
        QCOMPARE((*session)->clients().audit, &ws.audit());

        // A: the rollback's marker lookup. B: the status bar's budget ping. C: Vercel, not serial.
        bool aDone = false, bDone = false;
        (*session)->clients().github->deployments(u"production-rollback"_s, {}, [&](const auto &) { aDone = true; });
        ws.github()->rateLimit([&](const Result<Services::GitHubRateLimit> &) { bDone = true; });
        ws.vercel()->project([](const Result<Services::VercelProject> &) {});
        QTRY_COMPARE(server.count("/repos/raize/platform/deployments"), 1);
        // C was sent after B: once C is on the wire, B would be too if it did not wait for A.
        QTRY_COMPARE(server.count("/v9/projects/"), 1);
        QCOMPARE(server.count("/rate_limit"), 0);
        QVERIFY(server.arrived.first().authorization.contains("ghp_workspacetoken000"));

        server.release(0, "[]", 4999);
        QTRY_VERIFY(aDone);
        // The rollback's GitHub answer is in the monitor's budget (its client used to report to none).
        QCOMPARE(monitor.status(Service::GitHub).budgetRemaining, 4999);
        QTRY_COMPARE(server.count("/rate_limit"), 1);
        server.release(int(server.arrived.size()) - 1, kRateLimit, 4998);
        QTRY_VERIFY(bDone);
        QCOMPARE(monitor.status(Service::GitHub).budgetRemaining, 4998);
    }

    // The negative control of the test above: two HTTP clients (what the
    // console had before the workspace) do not queue behind each other.
    void separateClientsDoNotQueue()
    {
        HoldingServer server;
        QVERIFY(server.listen());
        Net::HttpClient one, two;
        Services::GitHubClient a(one, QUrl(server.url()), u"raize"_s, u"platform"_s);
        Services::GitHubClient b(two, QUrl(server.url()), u"raize"_s, u"platform"_s);
        a.deployments(u"production-rollback"_s, {}, [](const auto &) {});
        b.rateLimit([](const Result<Services::GitHubRateLimit> &) {});
        QTRY_COMPARE(server.arrived.size(), qsizetype(2));
        for (int i = 0; i < 2; ++i)
            server.release(i, i == 0 ? QByteArray("[]") : kRateLimit, 4990);
    }

    void oneFactoryPicksTheBackend_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("backend"); // empty: refused
        QTest::addColumn<QString>("message");
        QTest::newRow("unleash") << u"unleash"_s << u"http://127.0.0.1:4242"_s << u"unleash"_s << QString();
        QTest::newRow("launchdarkly") << u"launchdarkly"_s << u"http://127.0.0.1:4243"_s << u"launchdarkly"_s << QString();
        QTest::newRow("no kind: unleash") << QString() << u"http://127.0.0.1:4242"_s << u"unleash"_s << QString();
        QTest::newRow("unknown kind") << u"flagsmith"_s << u"http://127.0.0.1:4242"_s << QString() << u"unknown flag-service kind \"flagsmith\""_s;
        QTest::newRow("no URL") << u"unleash"_s << QString() << QString() << u"no valid flag-service URL"_s;
    }

    void oneFactoryPicksTheBackend()
    {
        QFETCH(QString, kind);
        QFETCH(QString, url);
        QFETCH(QString, backend);
        QFETCH(QString, message);
        Net::HttpClient http;
        const Result<std::unique_ptr<Services::FlagService>> made =
            Services::makeFlagService(http, {kind, QUrl(url), u"default"_s, u"production"_s});
        if (backend.isEmpty()) {
            QVERIFY(!made);
            QCOMPARE(made.error().kind, Error::Kind::Config);
            QVERIFY2(made.error().message.contains(message), qPrintable(made.error().message));
            QVERIFY2(!made.error().remedy.isEmpty(), "a refusal says what to do");
            return;
        }
        QVERIFY2(made, qPrintable(made ? QString() : made.error().toString()));
        QCOMPARE((*made)->backendName(), backend);
        QCOMPARE((*made)->project(), u"default"_s);
        QCOMPARE((*made)->defaultEnvironment(), u"production"_s);
    }

    // The workspace builds its flag service with the factory, and says why it could not.
    // GitHub asks for a second between mutations: a real profile never goes below it, whatever the setting says;
    // only a profile marked as the sandbox's (whose GitHub has no secondary limit) may write faster.
    void gitHubSpacingKeepsASecondOffTheSandbox_data()
    {
        QTest::addColumn<bool>("sandbox");
        QTest::addColumn<QVariant>("setting");
        QTest::addColumn<int>("spacing");
        QTest::newRow("real profile, default") << false << QVariant() << 1000;
        QTest::newRow("real profile asks for 100 ms") << false << QVariant(100) << 1000;
        QTest::newRow("real profile asks for 0") << false << QVariant(0) << 1000;
        QTest::newRow("real profile asks for 2 s") << false << QVariant(2000) << 2000;
        QTest::newRow("sandbox, default") << true << QVariant() << 1000;
        QTest::newRow("sandbox asks for 100 ms") << true << QVariant(100) << 100;
        QTest::newRow("sandbox asks for 0") << true << QVariant(0) << 0;
        QTest::newRow("sandbox asks for less than 0") << true << QVariant(-5) << 0;
    }

    void gitHubSpacingKeepsASecondOffTheSandbox()
    {
        QFETCH(bool, sandbox);
        QFETCH(QVariant, setting);
        QFETCH(int, spacing);
        const QString profile = u"ws-spacing-"_s + QString::fromLatin1(QTest::currentDataTag()).remove(u' ');
        Settings settings(profile);
        configure(settings, u"http://127.0.0.1:9"_s);
        settings.setValue(SettingKey::ProfileIsSandbox, sandbox);
        if (setting.isValid())
            settings.setValue(SettingKey::GitHubMutationSpacingMs, setting);
        TokenStore tokens(profile, u"raize-console-wstest"_s);
        Workspace ws(settings, tokens);
        ws.openWithTokens(kTokens);
        QCOMPARE(ws.http().gitHubMutationSpacing(), spacing);
    }

    void workspaceFlagsFollowTheSettings_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("backend");
        QTest::newRow("unleash") << u"unleash"_s << u"unleash"_s;
        QTest::newRow("launchdarkly") << u"launchdarkly"_s << u"launchdarkly"_s;
        QTest::newRow("unknown") << u"flagsmith"_s << QString();
    }

    void workspaceFlagsFollowTheSettings()
    {
        QFETCH(QString, kind);
        QFETCH(QString, backend);
        const QString profile = u"ws-flags-"_s + QString::fromLatin1(QTest::currentDataTag()).remove(u' ');
        Settings settings(profile);
        configure(settings, u"http://127.0.0.1:9"_s, kind);
        TokenStore tokens(profile, u"raize-console-wstest"_s);
        Workspace ws(settings, tokens);
        ws.openWithTokens(kTokens);
        if (backend.isEmpty()) {
            QVERIFY(!ws.flags());
            QVERIFY(!ws.flagPoller());
            QVERIFY(ws.clients()->flagsError);
            // The rollback refuses with the same reason rather than guessing a backend.
            const auto session = Rollback::Session::fromWorkspace(ws);
            QVERIFY(!session);
            QVERIFY2(session.error().message.contains(u"flagsmith"_s), qPrintable(session.error().toString()));
            return;
        }
        QVERIFY(ws.flags());
        QCOMPARE(ws.flags()->backendName(), backend);
        QVERIFY(ws.flagPoller());
    }

    // What a rollback needs from the workspace, and what it says when it is missing.
    void sessionNeedsTokensAndServices_data()
    {
        QTest::addColumn<QList<int>>("missingTokens");
        QTest::addColumn<QString>("unsetUrl");
        QTest::addColumn<int>("kind"); // Error::Kind, or -1: the session opens
        QTest::addColumn<QString>("says");
        QTest::newRow("all there") << QList<int>() << QString() << -1 << QString();
        QTest::newRow("no GitHub token: no marker, still a session") << QList<int>{int(Service::GitHub)} << QString() << -1 << QString();
        QTest::newRow("no Vercel token") << QList<int>{int(Service::Vercel)} << QString() << int(Error::Kind::Auth)
                                         << u"raize-console token set vercel"_s;
        QTest::newRow("no flags token") << QList<int>{int(Service::Flags)} << QString() << int(Error::Kind::Auth)
                                        << u"raize-console token set flags"_s;
        QTest::newRow("no Vercel URL") << QList<int>() << u"vercel"_s << int(Error::Kind::Config) << u"vercel/baseUrl"_s;
        QTest::newRow("no flags URL") << QList<int>() << u"flags"_s << int(Error::Kind::Config) << u"flags/url"_s;
    }

    void sessionNeedsTokensAndServices()
    {
        QFETCH(QList<int>, missingTokens);
        QFETCH(QString, unsetUrl);
        QFETCH(int, kind);
        QFETCH(QString, says);
        const QString profile = u"ws-session"_s;
        Settings settings(profile);
        configure(settings, u"http://127.0.0.1:9"_s);
        if (unsetUrl == u"vercel"_s)
            settings.setValue(SettingKey::VercelBaseUrl, QString());
        if (unsetUrl == u"flags"_s)
            settings.setValue(SettingKey::FlagsUrl, QString());
        TokenStore tokens(profile, u"raize-console-wstest"_s);
        Workspace ws(settings, tokens);
        QHash<Service, QString> given = kTokens;
        QHash<Service, Error> errors;
        for (int s : missingTokens) {
            given.remove(Service(s));
            errors.insert(Service(s), Error::make(Error::Kind::Auth, serviceId(Service(s)), u"no token is stored"_s));
        }
        ws.openWithTokens(given, errors);
        const auto session = Rollback::Session::fromWorkspace(ws);
        if (kind < 0) {
            QVERIFY2(session, qPrintable(session ? QString() : session.error().toString()));
            QCOMPARE((*session)->clients().github, missingTokens.contains(int(Service::GitHub)) ? nullptr : ws.github());
            QCOMPARE((*session)->clients().actor, ws.actor());
            return;
        }
        QVERIFY(!session);
        QCOMPARE(int(session.error().kind), kind);
        QVERIFY2(QString(session.error().message + session.error().remedy).contains(says), qPrintable(session.error().toString()));
    }

    // Saving settings reopens the workspace: the views drop its pollers, and a
    // rollback that is running keeps the clients it started with.
    void reopenLeavesARunningRollbackItsClients()
    {
        Settings settings(u"ws-reopen"_s);
        configure(settings, u"http://127.0.0.1:9"_s);
        TokenStore tokens(u"ws-reopen"_s, u"raize-console-wstest"_s);
        Workspace ws(settings, tokens);
        ws.openWithTokens(kTokens);
        const auto session = Rollback::Session::fromWorkspace(ws);
        QVERIFY(session);
        Services::VercelClient *before = ws.vercel();
        QCOMPARE((*session)->clients().vercel, before);
        Net::HttpClient *http = &ws.http();
        const std::weak_ptr<const WorkspaceClients> generation = ws.clients();

        QSignalSpy closing(&ws, &Workspace::aboutToReopen);
        settings.setValue(SettingKey::VercelProjectId, u"prj_other"_s);
        ws.openWithTokens(kTokens);
        QCOMPARE(closing.count(), 1);
        QVERIFY(ws.vercel() != before);
        QCOMPARE((*session)->clients().vercel, before);
        QVERIFY(!generation.expired()); // the clients the session points at are still alive
        QCOMPARE(&ws.http(), http);                      // and still the one HTTP client
        QVERIFY(ws.isReady());
    }

    // The audit actor is who the GitHub token belongs to (GET /user), asked on request, never before (it would sit
    // in GitHub's serial queue ahead of a rollback's calls), "unknown" until then and when GitHub cannot say.
    void actorIsTheTokensUser_data()
    {
        QTest::addColumn<QString>("token"); // empty: no GitHub token
        QTest::addColumn<QString>("actor");
        QTest::addColumn<QString>("error");
        QTest::newRow("the token's user") << u"oncall-lead-token"_s << u"oncall-lead"_s << QString();
        QTest::newRow("another person's token") << u"sre-sam-token"_s << u"sre-sam"_s << QString();
        QTest::newRow("a token GitHub refuses") << u"ghp_revoked"_s << u"unknown"_s << u"Bad credentials"_s;
        QTest::newRow("no token") << QString() << u"unknown"_s << u"no token is stored"_s;
    }
    void actorIsTheTokensUser()
    {
        QFETCH(QString, token);
        QFETCH(QString, actor);
        QFETCH(QString, error);
        Sandbox::RequestLog log;
        Sandbox::HttpServer server(u"github"_s, nullptr, &log);
        Sandbox::GitHubFake github(&server, u"ghp_bot"_s);
        QVERIFY(server.listen(0));
        Settings settings(u"ws-identity"_s);
        configure(settings, server.baseUrl());
        TokenStore tokens(u"ws-identity"_s, u"raize-console-wstest"_s);
        Workspace ws(settings, tokens);
        QHash<Service, QString> given = kTokens;
        QHash<Service, Error> errors;
        if (token.isEmpty()) {
            given.remove(Service::GitHub);
            errors.insert(Service::GitHub, Error::make(Error::Kind::Auth, u"github"_s, u"no token is stored"_s));
        } else {
            given[Service::GitHub] = token;
        }
        ws.openWithTokens(given, errors);
        QCOMPARE(ws.actor(), u"unknown"_s); // not asked yet: nothing is sent on open
        QVERIFY(ws.identityError());
        QSignalSpy changed(&ws, &Workspace::identityChanged);
        ws.resolveIdentity();
        QTRY_VERIFY(changed.count() >= 1);
        QCOMPARE(ws.actor(), actor);
        QCOMPARE(ws.identityKnown(), error.isEmpty());
        if (!error.isEmpty())
            QVERIFY2(ws.identityError() && ws.identityError()->toString().contains(error),
                     qPrintable(ws.identityError() ? ws.identityError()->toString() : QString()));
        // The rollback session records who its workspace says.
        const auto session = Rollback::Session::fromWorkspace(ws);
        QVERIFY(session);
        QCOMPARE((*session)->clients().actor, actor);
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
