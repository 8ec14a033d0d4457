// `raize-console release-notes --publish` (issue #10): the §9.2 release notes
// of a sandbox release become a GitHub Release draft on the sandbox's GitHub,
// with the token from the keychain (real gnome-keyring), and the action is in
// the audit log. A wrong token gets a message that says what to do, and the
// token is never printed.

#include "testutil.h"

#include "records/auditlog.h"
#include "records/auditverifier.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
const QString kToken = u"ghp_publishtestpublishtest0123456789"_s;
const QString kProfile = u"publishtest"_s;
const QString kKeychain = u"raize-console-publishtest"_s;
} // namespace

class TestPublishCli : public QObject
{
    Q_OBJECT

    Raize::Sandbox::FaultInjector m_faults{11};
    Raize::Sandbox::RequestLog m_log;
    std::unique_ptr<Raize::Sandbox::HttpServer> m_server;
    std::unique_ptr<Raize::Sandbox::GitHubFake> m_github;
    QTemporaryDir m_dir;

    struct Run
    {
        int code = -1;
        QString out, err;
    };

    // The fake answers in this process, so the event loop must run while the CLI works.
    Run run(const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RAIZE_KEYCHAIN_SERVICE"_s, kKeychain);
        p.setProcessEnvironment(env);
        QSignalSpy done(&p, &QProcess::finished);
        p.start(RaizeTest::consoleBinary(), QStringList{args} << u"--profile"_s << kProfile);
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!done.wait(60000))
            p.kill();
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<Raize::Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_github = std::make_unique<Raize::Sandbox::GitHubFake>(m_server.get(), kToken);
        QVERIFY(m_server->listen(0));
        for (const auto &[key, value] : {std::pair{u"github/apiUrl"_s, m_server->baseUrl()}, std::pair{u"github/owner"_s, u"raize"_s},
                                         std::pair{u"github/repo"_s, u"platform"_s}, std::pair{u"profile/sandbox"_s, u"true"_s}}) {
            const Run r = run({u"settings"_s, u"set"_s, key, value});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        const Run stored = run({u"token"_s, u"set"_s, u"github"_s, u"--stdin"_s, u"--keychain-service"_s, kKeychain}, kToken.toUtf8());
        QVERIFY2(stored.code == 0, qPrintable(stored.err));
    }

    void publishesADraft()
    {
        const QString changelog = RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s;
        const Run r = run({u"release-notes"_s, u"--version"_s, u"1.2.0"_s, u"--changelog"_s, changelog, u"--publish"_s, u"--json"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json out = json::parse(r.out.toStdString());
        QVERIFY2(QString::fromStdString(out.value("draftUrl", "")).contains(u"/releases/untagged-"_s), qPrintable(r.out));

        const json state = m_github->state();
        QCOMPARE(state["releases"].size(), std::size_t(1));
        const json &rel = state["releases"][0];
        QVERIFY(rel["draft"] == true);
        QVERIFY(rel["tag_name"] == "v1.2.0");
        const QString body = QString::fromStdString(rel["body"]);
        // The §9.2 template, as the team fills it.
        for (const QString &part : {u"**Title:** v1.2.0"_s, u"Release level"_s, u"Rollback"_s})
            QVERIFY2(body.contains(part), qPrintable(part + u" missing from:\n"_s + body));
        QVERIFY(out["body"] == rel["body"]);

        // One POST, with the keychain's token; the action is in a verifying audit log.
        int posts = 0;
        for (const auto &e : m_log.entries())
            posts += (e.method == u"POST"_s && e.path.endsWith(u"/releases"_s)) ? 1 : 0;
        QCOMPARE(posts, 1);
        const Run verify = run({u"audit"_s, u"verify"_s, u"--json"_s});
        QVERIFY2(verify.code == 0, qPrintable(verify.out + verify.err));
        const Run shown = run({u"audit"_s, u"export"_s, u"--format"_s, u"json"_s});
        QVERIFY2(shown.out.contains(u"github.release.draft"_s) && shown.out.contains(u"raize/platform@v1.2.0"_s), qPrintable(shown.out + shown.err));
        QVERIFY(!QString(r.out + r.err + shown.out).contains(kToken));
    }

    void wrongTokenSaysWhatToDo()
    {
        const Run stored = run({u"token"_s, u"set"_s, u"github"_s, u"--stdin"_s, u"--keychain-service"_s, kKeychain}, "ghp_wrongwrongwrongwrong0000");
        QVERIFY2(stored.code == 0, qPrintable(stored.err));
        const QString changelog = RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s;
        const Run r = run({u"release-notes"_s, u"--version"_s, u"1.2.0"_s, u"--changelog"_s, changelog, u"--publish"_s});
        QCOMPARE(r.code, 2); // Cli::Failure: a service error
        QVERIFY2(r.err.contains(u"Bad credentials"_s), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"token"_s, Qt::CaseInsensitive), qPrintable(r.err));
        QVERIFY(!r.err.contains(u"ghp_wrongwrongwrongwrong0000"_s));
        QCOMPARE(m_github->state()["releases"].size(), std::size_t(1)); // nothing new
    }

    void gitHubDownIsReportedNotRetriedBlindly()
    {
        const Run stored = run({u"token"_s, u"set"_s, u"github"_s, u"--stdin"_s, u"--keychain-service"_s, kKeychain}, kToken.toUtf8());
        QVERIFY2(stored.code == 0, qPrintable(stored.err));
        m_log.clear();
        QString err;
        m_faults.add(*Raize::Sandbox::FaultRule::fromJson({{"mode", "error"}, {"status", 502}, {"method", "POST"}}, &err));
        const QString changelog = RaizeTest::dataDir() + u"/changelogs/valid-playbook.md"_s;
        const Run r = run({u"release-notes"_s, u"--version"_s, u"1.2.0"_s, u"--changelog"_s, changelog, u"--publish"_s});
        m_faults.clear();
        QCOMPARE(r.code, 2); // Cli::Failure: a service error
        QVERIFY2(r.err.contains(u"502"_s), qPrintable(r.err));
        int posts = 0;
        for (const auto &e : m_log.entries())
            posts += e.method == u"POST"_s ? 1 : 0;
        QCOMPARE(posts, 1); // a failed creation is not repeated without looking
    }
};

QTEST_GUILESS_MAIN(TestPublishCli)
#include "tst_publish_cli.moc"
