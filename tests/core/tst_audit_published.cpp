// The published chain head (issue #17 item 7, ADR 0031): heads queued by the
// audit log at promotions, rollbacks and every 100th record, published as
// comments on the platform repository's audit issue by the token's login, and
// `audit verify --published`: a log truncated, edited, rewritten or replaced
// after its head was published fails with the first missing sequence; an
// untouched one passes; other logins' comments and edited comments are not
// trusted. Against an in-process GitHub fake (the sandbox's own GitHubFake on
// a loopback server in this process): 0 s of sandbox time.

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "records/auditheadqueue.h"
#include "records/auditlog.h"
#include "records/auditpublication.h"
#include "services/github/auditheadpublisher.h"
#include "services/github/githubclient.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Records;
using json = nlohmann::json;

namespace {

const QString kBotToken = u"gh-release-bot-token"_s;

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

// `count` records; the promotion at 120 and the rollback at 230 earn heads, and so do 100 and 200.
void fill(AuditLog &log, int from, int count, const QString &flavour = u"toggle"_s)
{
    for (int i = from; i < from + count; ++i) {
        AuditRecord r;
        r.actor = u"release-bot"_s;
        r.action = i == 120 ? u"promotion.promoted"_s : i == 230 ? u"rollback.complete"_s : u"flag.toggle.confirmed"_s;
        r.target = u"publishing.scheduler-v2@production"_s;
        r.service = u"unleash"_s;
        r.before = {{"enabled", i % 2 == 0}};
        r.after = {{"enabled", i % 2 != 0}};
        r.reason = u"%1 %2"_s.arg(flavour).arg(i);
        QVERIFY2(log.append(r).ok(), "append");
    }
}

// A log's lines, each with its newline.
QList<QByteArray> lines(const QByteArray &bytes)
{
    QList<QByteArray> out;
    qsizetype start = 0;
    while (start < bytes.size()) {
        const qsizetype nl = bytes.indexOf('\n', start);
        out << bytes.mid(start, nl - start + 1);
        start = nl + 1;
    }
    return out;
}

// Rewrites records from `from` on with another reason and re-hashes the chain from there: a consistent forgery.
QByteArray rewriteFrom(const QByteArray &bytes, int from)
{
    const QList<QByteArray> all = lines(bytes);
    QByteArray out;
    QString prev = AuditRecord::genesisHash();
    for (int i = 0; i < all.size(); ++i) {
        AuditRecord r;
        AuditRecord::fromLine(all[i].chopped(1), &r);
        if (i + 1 >= from)
            r.reason = u"rewritten "_s + r.reason;
        r.prev = prev;
        r.hash = AuditRecord::sha256Hex(AuditRecord::contentFor(r));
        prev = r.hash;
        out += r.toLine() + '\n';
    }
    return out;
}

} // namespace

class TestAuditPublished : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{17};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::GitHubClient> m_client;
    std::unique_ptr<QTemporaryDir> m_dir;
    QList<QByteArray> m_template; // publishedChain's log, checkpoint and queue after 250 appends

    QString logPath() const { return m_dir->filePath(u"audit.jsonl"_s); }

    Result<int> publish(Services::AuditHeadPublisher &publisher)
    {
        std::optional<Result<int>> result;
        publisher.publishPending([&](const Result<int> &r) { result = r; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 20000))
            return Error::make(Error::Kind::Timeout, u"test"_s, u"no answer"_s);
        return *result;
    }

    QList<PublishedHead> heads(const QString &login, QStringList *ignored = nullptr)
    {
        Services::AuditHeadPublisher publisher(*m_client, logPath(), u"qa"_s);
        std::optional<Result<QList<PublishedHead>>> got;
        publisher.publishedHeads(login, [&](const Result<QList<PublishedHead>> &h, const QStringList &skipped) {
            got = h;
            if (ignored)
                *ignored = skipped;
        });
        if (!QTest::qWaitFor([&] { return got.has_value(); }, 20000) || !*got)
            return {};
        return got->value();
    }

    // Posts a comment (or edits one) with another login's token, as that person would.
    json githubAs(const QString &login, const QByteArray &method, const QString &path, const json &body)
    {
        Net::HttpClient http(m_monitor.get());
        http.setToken(Service::GitHub, m_github->tokenOf(login));
        http.setGitHubMutationSpacing(0);
        Net::Request r;
        r.service = Service::GitHub;
        r.method = method;
        r.url = QUrl(m_server->baseUrl() + path);
        r.body = QByteArray::fromStdString(body.dump());
        std::optional<Net::Response> resp;
        http.send(r, [&](const Net::Response &answer) { resp = answer; });
        if (!QTest::qWaitFor([&] { return resp.has_value(); }, 20000) || !resp->ok())
            return {};
        return json::parse(resp->body.toStdString(), nullptr, false);
    }

    json comments() const
    {
        return m_github->state()["issueComments"];
    }

private Q_SLOTS:
    void init()
    {
        m_faults.clear();
        m_log.clear();
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_server = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_server.get(), kBotToken);
        m_github->load(json::object());
        QVERIFY(m_server->listen(0));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::GitHub, kBotToken);
        m_http->setRetryPolicy({1, 10, 10, 0});
        m_http->setGitHubMutationSpacing(0);
        m_client = std::make_unique<Services::GitHubClient>(*m_http, QUrl(m_server->baseUrl()), u"raize"_s, u"platform"_s);
    }
    void cleanup()
    {
        m_client.reset();
        m_http.reset();
        m_github.reset();
        m_server.reset();
        m_dir.reset();
    }

    // Which comments are trusted: this login's heads, never edited. Pure.
    void headsFromComments_data()
    {
        QTest::addColumn<QString>("author");
        QTest::addColumn<QString>("body");
        QTest::addColumn<int>("editedSecondsLater");
        QTest::addColumn<bool>("taken");
        QTest::addColumn<QString>("why");
        const QString hash(64, u'a');
        const QString body = AuditPublication::commentBody(100, hash, u"qa"_s, u"flag.toggle.confirmed"_s);
        QTest::newRow("own, never edited") << u"release-bot"_s << body << 0 << true << QString();
        QTest::newRow("own, login in other case") << u"Release-Bot"_s << body << 0 << true << QString();
        QTest::newRow("another login") << u"sre-sam"_s << body << 0 << false << u"posted by another login"_s;
        QTest::newRow("edited a second later") << u"release-bot"_s << body << 1 << false << u"edited after it was posted"_s;
        QTest::newRow("no head in it") << u"release-bot"_s << u"LGTM"_s << 0 << false << u"no chain head"_s;
        QTest::newRow("short hash") << u"release-bot"_s << u"<!-- raize-audit-head seq=100 hash=abc -->"_s << 0 << false
                                    << u"no chain head"_s;
        QTest::newRow("upper-case hash") << u"release-bot"_s << QString(body).replace(hash, hash.toUpper()) << 0 << false << u"no chain head"_s;
        QTest::newRow("sequence 0") << u"release-bot"_s << QString(u"<!-- raize-audit-head seq=0 hash="_s + hash + u" -->"_s) << 0
                                    << false << u"no chain head"_s;
    }
    void headsFromComments()
    {
        QFETCH(QString, author);
        QFETCH(QString, body);
        QFETCH(int, editedSecondsLater);
        QFETCH(bool, taken);
        QFETCH(QString, why);
        const QDateTime at = QDateTime::fromString(u"2026-12-06T10:00:00Z"_s, Qt::ISODate);
        QStringList ignored;
        const QList<PublishedHead> got =
            AuditPublication::headsBy({HeadComment{7, body, author, {}, at, at.addSecs(editedSecondsLater)}}, u"release-bot"_s, &ignored);
        QCOMPARE(got.size(), taken ? 1 : 0);
        QCOMPARE(ignored.size(), taken ? 0 : 1);
        if (taken) {
            QCOMPARE(got[0].seq, 100);
            QCOMPARE(got[0].commentId, 7);
        } else {
            QVERIFY2(ignored[0].contains(why), qPrintable(ignored[0]));
        }
    }

    // Which records queue a head: every 100th, and promotions and rollbacks.
    void wantsHead_data()
    {
        QTest::addColumn<qint64>("seq");
        QTest::addColumn<QString>("action");
        QTest::addColumn<bool>("wanted");
        QTest::newRow("99") << qint64(99) << u"flag.toggle.confirmed"_s << false;
        QTest::newRow("100") << qint64(100) << u"flag.toggle.confirmed"_s << true;
        QTest::newRow("101") << qint64(101) << u"flag.toggle.confirmed"_s << false;
        QTest::newRow("200") << qint64(200) << u"settings.change"_s << true;
        QTest::newRow("promote") << qint64(7) << u"promotion.promote"_s << true;
        QTest::newRow("promoted") << qint64(8) << u"promotion.promoted"_s << true;
        QTest::newRow("approve") << qint64(9) << u"promotion.approve"_s << false;
        QTest::newRow("rollback start") << qint64(10) << u"rollback.start"_s << true;
        QTest::newRow("rollback step") << qint64(11) << u"flag.disable"_s << false;
        QTest::newRow("rollback complete") << qint64(12) << u"rollback.complete"_s << true;
        QTest::newRow("rollback aborted") << qint64(13) << u"rollback.aborted"_s << true;
        QTest::newRow("restore") << qint64(14) << u"rollback.restore"_s << true;
    }
    void wantsHead()
    {
        QFETCH(qint64, seq);
        QFETCH(QString, action);
        QFETCH(bool, wanted);
        AuditRecord r;
        r.seq = seq;
        r.action = action;
        QCOMPARE(AuditPublication::wantsHead(r), wanted);
    }

    // Acceptance: a log truncated, edited or replaced after its head was published fails with the first missing
    // sequence; an untouched one passes.
    void publishedChain_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<bool>("passes");
        QTest::addColumn<qint64>("firstMissing");
        QTest::addColumn<QString>("says");
        QTest::newRow("untouched") << u"none"_s << true << qint64(0) << u"every published head (4, the last #230) is in the log"_s;
        QTest::newRow("more records since") << u"append"_s << true << qint64(0) << u"the last #230"_s;
        QTest::newRow("truncated to 180") << u"truncate:180"_s << false << qint64(181) << u"the log ends at record #180"_s;
        QTest::newRow("truncated to 230") << u"truncate:230"_s << true << qint64(0) << u"the last #230"_s;
        QTest::newRow("truncated to 229") << u"truncate:229"_s << false << qint64(230) << u"the log ends at record #229"_s;
        QTest::newRow("emptied") << u"truncate:0"_s << false << qint64(1) << u"the log ends at record #0"_s;
        QTest::newRow("deleted") << u"delete"_s << false << qint64(1) << u"the log ends at record #0"_s;
        QTest::newRow("record 42 edited") << u"edit:42"_s << false << qint64(42) << u"the log breaks at record #42"_s;
        QTest::newRow("record 230 edited") << u"edit:230"_s << false << qint64(230) << u"the log breaks at record #230"_s;
        QTest::newRow("rewritten from 150, chain re-hashed") << u"rewrite:150"_s << false << qint64(121)
                                                             << u"the records from #121 to #200 were rewritten"_s;
        QTest::newRow("rewritten from 1, chain re-hashed") << u"rewrite:1"_s << false << qint64(1)
                                                           << u"the records from #1 to #100 were rewritten"_s;
        QTest::newRow("replaced by another log") << u"replace"_s << false << qint64(1) << u"or the log was replaced"_s;
        QTest::newRow("another login's forged head is not trusted") << u"forge"_s << true << qint64(0) << u"the last #230"_s;
        QTest::newRow("an edited head is not trusted") << u"edit-comment"_s << true << qint64(0) << u"every published head (3"_s;
    }
    void publishedChain()
    {
        QFETCH(QString, change);
        QFETCH(bool, passes);
        QFETCH(qint64, firstMissing);
        QFETCH(QString, says);
        AuditLog log(logPath());
        if (m_template.isEmpty()) {
            // Once (250 fsync'ed appends); each row starts from a copy of the log, its checkpoint and its queue.
            fill(log, 1, 250);
            m_template = {readAll(logPath()), readAll(log.headPath()), readAll(logPath() + u".publish"_s)};
        } else {
            writeAll(logPath(), m_template[0]);
            writeAll(log.headPath(), m_template[1]);
            writeAll(logPath() + u".publish"_s, m_template[2]);
        }
        // The heads were queued by the appends themselves, with no request sent.
        QVERIFY(m_log.entries().isEmpty());
        const auto queued = AuditHeadQueue(logPath()).pending();
        QVERIFY(queued);
        QList<qint64> seqs;
        for (const auto &e : *queued)
            seqs << e.seq;
        QCOMPARE(seqs, (QList<qint64>{100, 120, 200, 230}));

        Services::AuditHeadPublisher publisher(*m_client, logPath(), u"qa"_s);
        const Result<int> posted = publish(publisher);
        QVERIFY2(posted, qPrintable(posted.error().toString()));
        QCOMPARE(posted.value(), 4);
        QVERIFY(AuditHeadQueue(logPath()).pending()->isEmpty());
        QCOMPARE(comments().size(), std::size_t(4));
        // Filed once, labelled, titled as the settings' default.
        const json issues = m_github->state()["issues"];
        QCOMPARE(issues.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(issues[0]["title"]), Services::AuditHeadPublisher::defaultIssueTitle());
        const int issue = issues[0]["number"];

        const QByteArray original = readAll(logPath());
        const QList<QByteArray> all = lines(original);
        const QString kind = change.section(u':', 0, 0);
        const int at = change.section(u':', 1).toInt();
        if (kind == u"append"_s) {
            fill(log, 251, 30);
        } else if (kind == u"truncate"_s) {
            QByteArray cut;
            for (int i = 0; i < at; ++i)
                cut += all[i];
            writeAll(logPath(), cut);
        } else if (kind == u"delete"_s) {
            QVERIFY(QFile::remove(logPath()));
        } else if (kind == u"edit"_s) {
            QByteArray bytes = original;
            const qsizetype lineStart = original.indexOf(all[at - 1]);
            const qsizetype pos = bytes.indexOf("toggle", lineStart);
            QVERIFY(pos > lineStart);
            bytes[pos] = 'T';
            writeAll(logPath(), bytes);
        } else if (kind == u"rewrite"_s) {
            writeAll(logPath(), rewriteFrom(original, at));
        } else if (kind == u"replace"_s) {
            QVERIFY(QFile::remove(logPath()));
            QFile::remove(logPath() + u".head"_s);
            AuditLog other(logPath());
            fill(other, 1, 260, u"other"_s);
        } else if (kind == u"forge"_s) {
            const json c = githubAs(u"sre-sam"_s, "POST", u"/repos/raize/platform/issues/%1/comments"_s.arg(issue),
                                    {{"body", AuditPublication::commentBody(240, QString(64, u'f'), u"qa"_s, u"x"_s).toStdString()}});
            QVERIFY(c.is_object());
        } else if (kind == u"edit-comment"_s) {
            // Someone with the bot's token edits its first head to a hash the log never had: not trusted.
            const qint64 id = comments()[0]["id"];
            const json c = githubAs(u"release-bot"_s, "PATCH", u"/repos/raize/platform/issues/comments/%1"_s.arg(id),
                                    {{"body", AuditPublication::commentBody(100, QString(64, u'e'), u"qa"_s, u"x"_s).toStdString()}});
            QVERIFY(c.is_object());
        }

        QStringList ignored;
        const QList<PublishedHead> published = heads(u"release-bot"_s, &ignored);
        const PublishedCheck check = AuditPublication::check(readAll(logPath()), published);
        QVERIFY2(check.passed == passes, qPrintable(check.summary));
        QCOMPARE(check.firstMissingSeq, firstMissing);
        QVERIFY2(check.summary.contains(says), qPrintable(check.summary));
        if (!passes)
            QVERIFY2(check.summary.startsWith(u"record #%1 is missing"_s.arg(firstMissing)), qPrintable(check.summary));
        if (kind == u"forge"_s || kind == u"edit-comment"_s) {
            QCOMPARE(ignored.size(), 1);
            QVERIFY2(ignored[0].contains(kind == u"forge"_s ? u"sre-sam: posted by another login"_s : u"edited after it was posted"_s),
                     qPrintable(ignored[0]));
        }
    }

    // The queue is on disk: a head queued before a restart (the publisher gone before it could post) is posted by the
    // next one; a GitHub that does not take it leaves it queued; the audit issue is filed once.
    void queueSurvivesRestartAndFailures()
    {
        {
            AuditLog log(logPath());
            AuditRecord r;
            r.actor = u"release-bot"_s;
            r.action = u"rollback.start"_s;
            QVERIFY(log.append(r).ok());
            auto gone = std::make_unique<Services::AuditHeadPublisher>(*m_client, logPath(), u"qa"_s);
            gone->publishPending([](const Result<int> &) {});
            gone.reset(); // the console quits before GitHub answers
        }
        // A GitHub that fails: the head stays queued, the error says so.
        QString error;
        const auto rule = Sandbox::FaultRule::fromJson({{"service", "github"}, {"method", "POST"}, {"path", "/comments$"}, {"mode", "error"},
                                                        {"status", 502}},
                                                       &error);
        QVERIFY2(rule, qPrintable(error));
        const QString ruleId = m_faults.add(*rule);
        Services::AuditHeadPublisher publisher(*m_client, logPath(), u"qa"_s);
        const Result<int> failed = publish(publisher);
        QVERIFY(!failed);
        QVERIFY2(failed.error().message.contains(u"unknown whether the comment was posted"_s), qPrintable(failed.error().toString()));
        QCOMPARE(AuditHeadQueue(logPath()).pending()->size(), 1);
        m_faults.remove(ruleId);
        // The next run posts it.
        Services::AuditHeadPublisher again(*m_client, logPath(), u"qa"_s);
        const Result<int> posted = publish(again);
        QVERIFY2(posted, qPrintable(posted.error().toString()));
        QCOMPARE(posted.value(), 1);
        QVERIFY(AuditHeadQueue(logPath()).pending()->isEmpty());
        QCOMPARE(m_github->state()["issues"].size(), std::size_t(1)); // filed once, whatever the abandoned run got to
        const QList<PublishedHead> published = heads(u"release-bot"_s);
        QCOMPARE(published.size(), 1);
        QCOMPARE(published[0].seq, 1);
        QVERIFY(AuditPublication::check(readAll(logPath()), published).passed);
    }

    // The CLI: `audit publish` and `audit verify --published` (text and JSON, exit codes) on the same fake.
    void cliVerifyPublished()
    {
        AuditLog log(logPath());
        fill(log, 1, 130);
        const QString profile = u"audit-published"_s;
        const auto run = [&](QStringList args) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"RAIZE_GITHUB_TOKEN"_s, kBotToken);
            p.setProcessEnvironment(env);
            // The fake answers from this process' event loop: wait with it running.
            QSignalSpy finished(&p, &QProcess::finished);
            p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << profile);
            finished.wait(60000 * RaizeTest::timeScale());
            return std::make_tuple(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()));
        };
        const QList<QPair<QString, QString>> settings{{u"github/apiUrl"_s, m_server->baseUrl()},
                                                      {u"github/owner"_s, u"raize"_s},
                                                      {u"github/repo"_s, u"platform"_s},
                                                      {u"audit/logPath"_s, logPath()}};
        for (const auto &[key, value] : settings) {
            const auto [code, out, err] = run({u"settings"_s, u"set"_s, key, value});
            QVERIFY2(code == 0, qPrintable(err));
        }
        // The log's path changed to this log: its next record (#131) carries the chain on from the profile's old log.
        const QList<QByteArray> carried = lines(readAll(logPath()));
        QCOMPARE(carried.size(), 131);
        AuditRecord link;
        QVERIFY(AuditRecord::fromLine(carried.last().chopped(1), &link));
        QCOMPARE(link.action, u"audit.continued"_s);
        QCOMPARE(link.actor, u"release-bot"_s); // GitHub was configured by then: the token's login
        const auto [pubCode, pubOut, pubErr] = run({u"audit"_s, u"publish"_s, u"--json"_s});
        QVERIFY2(pubCode == 0, qPrintable(pubOut + pubErr));
        const json pub = json::parse(pubOut.toStdString(), nullptr, false);
        QCOMPARE(pub.value("published", -1), 2); // heads #100 and #120
        QCOMPARE(pub.value("pending", -1), 0);

        const auto [okCode, okOut, okErr] = run({u"audit"_s, u"verify"_s, u"--published"_s});
        QVERIFY2(okCode == 0, qPrintable(okOut + okErr));
        QVERIFY2(okOut.contains(u"published heads of release-bot: every published head (2, the last #120) is in the log"_s), qPrintable(okOut));

        // Cut after the last head, the checkpoint too: the published heads name the first missing record.
        const QList<QByteArray> all = lines(readAll(logPath()));
        QByteArray cut;
        for (int i = 0; i < 110; ++i)
            cut += all[i];
        writeAll(logPath(), cut);
        QFile::remove(logPath() + u".head"_s);
        const auto [badCode, badOut, badErr] = run({u"audit"_s, u"verify"_s, u"--published"_s, u"--json"_s});
        QCOMPARE(badCode, 1);
        const json bad = json::parse(badOut.toStdString(), nullptr, false);
        QVERIFY2(bad.is_object(), qPrintable(badOut + badErr));
        QCOMPARE(bad.value("intact", true), true); // the local chain alone cannot see it
        QCOMPARE(bad["published"].value("passed", true), false);
        QCOMPARE(bad["published"].value("firstMissingSeq", 0), 111);

        // GitHub not configured: could not run (2), with what to do.
        const auto [code, out, err] = run({u"settings"_s, u"reset"_s, u"github/owner"_s});
        QVERIFY2(code == 0, qPrintable(err));
        const auto [noCode, noOut, noErr] = run({u"audit"_s, u"verify"_s, u"--published"_s});
        QCOMPARE(noCode, 2);
        QVERIFY2(noErr.contains(u"GitHub is not configured for profile audit-published"_s), qPrintable(noErr));
    }
};

QTEST_GUILESS_MAIN(TestAuditPublished)
#include "tst_audit_published.moc"
