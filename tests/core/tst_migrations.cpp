// Migrations from a real source (issue #16 item 7, #17 item 3): which
// migration files changed between two commits (GitHub's comparison), what
// each says about itself (a marker comment read at the head commit through
// the contents API) and what its pull request's labels say; the file wins
// when they disagree; whatever cannot be read is Unknown with the reason.

#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "waitfor.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "policy/policybundle.h"
#include "release/gatepolicy.h"
#include "release/migrationcheck.h"
#include "release/migrationsource.h"
#include "services/github/githubclient.h"

#include <QRegularExpression>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

Q_DECLARE_METATYPE(Raize::Release::Compatibility)

namespace {

MigrationPolicy builtinPolicy()
{
    const Result<GatePolicy> gates = GatePolicy::fromBundle(Policy::builtinBundle());
    Q_ASSERT(gates);
    const Result<MigrationPolicy> p = migrationPolicyFromBundle(Policy::builtinBundle(), gates.value());
    Q_ASSERT(p);
    return p.value();
}

QByteArray wrapped64(const QByteArray &bytes)
{
    // As GitHub sends it: base64 wrapped at 60 columns.
    const QByteArray b64 = bytes.toBase64();
    QByteArray out;
    for (qsizetype i = 0; i < b64.size(); i += 60)
        out += b64.mid(i, 60) + '\n';
    return out;
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinPolicyReadsTheGatesRules()
    {
        const MigrationPolicy p = builtinPolicy();
        QVERIFY(p.isMigration(u"migrations/0042_add_column.sql"_s));
        QVERIFY(p.isMigration(u"db/schema/foo.sql"_s)); // **/*.sql
        QVERIFY(!p.isMigration(u"src/publish/run.ts"_s));
        QCOMPARE(p.compatibleLabel, u"migration:backward-compatible"_s);
        QCOMPARE(p.incompatibleMarker, u"raize:incompatible"_s);
    }

    void policySection_data()
    {
        QTest::addColumn<QByteArray>("section");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("defaults") << QByteArray("{}") << QString();
        QTest::newRow("own markers") << QByteArray(R"({"compatibleMarker":"safe-migration","incompatibleMarker":"breaking-migration"})")
                                     << QString();
        QTest::newRow("unknown field") << QByteArray(R"({"incompatible":"x"})") << u"migrations.incompatible"_s;
        QTest::newRow("empty marker") << QByteArray(R"({"compatibleMarker":""})") << u"migrations.compatibleMarker"_s;
        QTest::newRow("same markers") << QByteArray(R"({"compatibleMarker":"x","incompatibleMarker":"X"})")
                                      << u"migrations.incompatibleMarker"_s;
        QTest::newRow("lines 0") << QByteArray(R"({"markerLines":0})") << u"migrations.markerLines"_s;
        QTest::newRow("files 301") << QByteArray(R"({"maxFilesRead":301})") << u"migrations.maxFilesRead"_s;
        QTest::newRow("not an object") << QByteArray("[]") << u"migrations"_s;
    }

    void policySection()
    {
        QFETCH(QByteArray, section);
        QFETCH(QString, error);
        json doc = Policy::builtinBundle().doc;
        doc["migrations"] = json::parse(section.toStdString());
        const Result<Policy::Bundle> bundle = Policy::parseBundle(QByteArray::fromStdString(doc.dump()), u"tenant.json"_s);
        QVERIFY2(bundle, qPrintable(bundle.error().toString()));
        const Result<GatePolicy> gates = GatePolicy::fromBundle(bundle.value());
        QVERIFY(gates);
        const Result<MigrationPolicy> p = migrationPolicyFromBundle(bundle.value(), gates.value());
        if (error.isEmpty()) {
            QVERIFY2(p, qPrintable(p.error().toString()));
        } else {
            QVERIFY(!p);
            QVERIFY2(p.error().toString().contains(error), qPrintable(p.error().toString()));
        }
    }

    void classify_data()
    {
        QTest::addColumn<QByteArray>("content"); // empty with unreadable: could not be read
        QTest::addColumn<bool>("unreadable");
        QTest::addColumn<QStringList>("labels");
        QTest::addColumn<QString>("status");
        QTest::addColumn<Compatibility>("expected");
        QTest::addColumn<QString>("reason");
        const QStringList none;
        const QStringList compatibleLabel = {u"migration:backward-compatible"_s, u"risk:L2"_s};
        QTest::newRow("marked incompatible") << QByteArray("-- raize:incompatible\nALTER TABLE posts DROP COLUMN account;\n") << false
                                             << none << u"added"_s << Compatibility::Incompatible << u"line 1"_s;
        QTest::newRow("marker with spaces and case") << QByteArray("-- Raize: Incompatible (drops account)\nDROP TABLE x;\n") << false
                                                     << none << u"added"_s << Compatibility::Incompatible << u"marked incompatible"_s;
        QTest::newRow("marked compatible") << QByteArray("/* raize:backward-compatible */\nALTER TABLE posts ADD COLUMN x int;\n")
                                           << false << none << u"added"_s << Compatibility::Compatible << u"line 1"_s;
        QTest::newRow("label only") << QByteArray("ALTER TABLE posts ADD COLUMN x int;\n") << false << compatibleLabel << u"added"_s
                                    << Compatibility::Compatible << u"labelled migration:backward-compatible"_s;
        QTest::newRow("file beats label") << QByteArray("-- raize:incompatible\nDROP TABLE x;\n") << false << compatibleLabel
                                          << u"added"_s << Compatibility::Incompatible << u"the file's own marker wins"_s;
        QTest::newRow("maintenance window label") << QByteArray("DROP TABLE x;\n") << false
                                                  << QStringList{u"maintenance-window:2026-12-07T02:00Z"_s} << u"added"_s
                                                  << Compatibility::Incompatible << u"maintenance window"_s;
        QTest::newRow("not marked") << QByteArray("ALTER TABLE posts ADD COLUMN x int;\n") << false << none << u"added"_s
                                    << Compatibility::Unknown << u"not marked"_s;
        QTest::newRow("marker not in a comment") << QByteArray("SELECT 'raize:incompatible';\n") << false << none << u"added"_s
                                                 << Compatibility::Unknown << u"not marked"_s;
        QString late;
        for (int i = 0; i < 25; ++i)
            late += u"-- line %1\n"_s.arg(i);
        QTest::newRow("marker after line 20") << (late + u"-- raize:incompatible\n"_s).toUtf8() << false << none << u"added"_s
                                              << Compatibility::Unknown << u"not marked"_s;
        QTest::newRow("unreadable") << QByteArray() << true << compatibleLabel << u"modified"_s << Compatibility::Unknown
                                    << u"the file was not checked"_s;
        QTest::newRow("removed") << QByteArray() << true << none << u"removed"_s << Compatibility::Unknown
                                 << u"removed between the two commits"_s;
    }

    void classify()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, unreadable);
        QFETCH(QStringList, labels);
        QFETCH(QString, status);
        QFETCH(Compatibility, expected);
        QFETCH(QString, reason);
        const QString file = u"migrations/0042_change.sql"_s;
        MigrationInputs in;
        in.base = u"aaaaaaaaaaaaaaaa"_s;
        in.head = u"bbbbbbbbbbbbbbbb"_s;
        in.changedFiles = {u"src/app.ts"_s, file, u"README.md"_s};
        in.fileStatus = {{file, status}};
        if (unreadable) {
            in.contents.insert(file, std::nullopt);
            in.readErrors.insert(file, u"HTTP 404"_s);
        } else {
            in.contents.insert(file, content);
        }
        in.labels.insert(file, labels);
        in.pullRequest.insert(file, 431);
        const MigrationReport r = classifyMigrations(in, builtinPolicy());
        QCOMPARE(r.files.size(), 1); // only the migration file
        QCOMPARE(r.files[0].compatibility, expected);
        QVERIFY2(r.files[0].reason.contains(reason), qPrintable(r.files[0].reason));
        QCOMPARE(r.overall(), expected);
        QCOMPARE(r.incompatible().isEmpty(), expected != Compatibility::Incompatible);
        QVERIFY(r.summary().contains(file));
    }

    void overallAndLimits()
    {
        MigrationPolicy p = builtinPolicy();
        MigrationInputs none;
        none.changedFiles = {u"src/a.ts"_s};
        QVERIFY(classifyMigrations(none, p).none());
        QCOMPARE(classifyMigrations(none, p).overall(), Compatibility::Compatible);
        QVERIFY(classifyMigrations(none, p).summary().contains(u"no migration changed"_s));

        // An incomplete list (GitHub's 300-file limit) is never "no migrations".
        none.listComplete = false;
        QVERIFY(!classifyMigrations(none, p).none());
        QCOMPARE(classifyMigrations(none, p).overall(), Compatibility::Unknown);

        // One incompatible among compatible ones decides; beyond maxFilesRead the rest are Unknown.
        p.maxFilesRead = 2;
        MigrationInputs in;
        for (int i = 1; i <= 3; ++i) {
            const QString f = u"migrations/%1.sql"_s.arg(i);
            in.changedFiles << f;
            in.contents.insert(f, i == 2 ? QByteArray("-- raize:incompatible\n") : QByteArray("-- raize:backward-compatible\n"));
        }
        const MigrationReport r = classifyMigrations(in, p);
        QCOMPARE(r.files.size(), 3);
        QCOMPARE(r.files[2].compatibility, Compatibility::Unknown);
        QVERIFY(r.files[2].reason.contains(u"maxFilesRead"_s));
        QCOMPARE(r.overall(), Compatibility::Incompatible);
        QCOMPARE(r.incompatible(), QStringList{u"migrations/2.sql"_s});
    }

    // The whole read against an HTTP server answering as GitHub does (its
    // documented shapes: base64 wrapped at 60 columns, a folder as an array,
    // encoding "none" over 1 MB, 404, and a failing comparison).
    void sourceReadsGitHub()
    {
        Sandbox::FaultInjector faults{3};
        Sandbox::RequestLog log;
        Sandbox::HttpServer server(u"github"_s, &faults, &log);
        bool compareFails = false;
        server.route("GET", u"/repos/raize/platform/compare/(.+)"_s, [&](const Sandbox::HttpRequest &, const QRegularExpressionMatch &m) {
            if (compareFails)
                return Sandbox::HttpResponse::json(502, {{"message", "Server Error"}});
            if (m.captured(1) != u"target1...prod2"_s)
                return Sandbox::HttpResponse::json(404, {{"message", "Not Found"}});
            json files = json::array();
            for (const char *f : {"migrations/0040_add_index.sql", "migrations/0041_drop_account.sql", "migrations/0042_big.sql",
                                  "migrations/0043_gone.sql", "migrations/0044_folder.sql", "src/publish/run.ts"})
                files.push_back({{"filename", f}, {"status", "added"}});
            files.push_back({{"filename", "migrations/0039_old.sql"}, {"status", "removed"}});
            return Sandbox::HttpResponse::json(200, {{"status", "ahead"}, {"ahead_by", 2}, {"behind_by", 0}, {"total_commits", 2},
                                                     {"commits", json::array()}, {"files", files}});
        });
        server.route("GET", u"/repos/raize/platform/contents/(.+)"_s, [&](const Sandbox::HttpRequest &req, const QRegularExpressionMatch &m) {
            if (req.query.queryItemValue(u"ref"_s) != u"prod2"_s)
                return Sandbox::HttpResponse::json(404, {{"message", "No commit found for the ref"}});
            const QString path = m.captured(1);
            const auto file = [&](const QByteArray &content) {
                return Sandbox::HttpResponse::json(200, {{"type", "file"}, {"path", path.toStdString()}, {"sha", "abc"},
                                                         {"size", content.size()}, {"encoding", "base64"},
                                                         {"content", wrapped64(content).toStdString()}});
            };
            if (path.endsWith(u"0040_add_index.sql"_s))
                return file("-- raize:backward-compatible\nCREATE INDEX CONCURRENTLY posts_account ON posts(account_id);\n"
                            "-- a long comment to make the base64 wrap over several lines of sixty columns each\n");
            if (path.endsWith(u"0041_drop_account.sql"_s))
                return file("-- raize:incompatible: drops posts.account\nALTER TABLE posts DROP COLUMN account;\n");
            if (path.endsWith(u"0042_big.sql"_s))
                return Sandbox::HttpResponse::json(200, {{"type", "file"}, {"path", path.toStdString()}, {"sha", "def"},
                                                         {"size", 2'000'000}, {"encoding", "none"}, {"content", ""}});
            if (path.endsWith(u"0044_folder.sql"_s))
                return Sandbox::HttpResponse::json(200, json::array({{{"type", "file"}, {"name", "up.sql"}}}));
            return Sandbox::HttpResponse::json(404, {{"message", "Not Found"}});
        });
        QVERIFY(server.listen(0));
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::GitHub, u"ghp_testtokentesttokentesttoken"_s);
        http.setRetryPolicy({1, 10, 50, 1000});
        Services::GitHubClient github(http, QUrl(server.baseUrl()), u"raize"_s, u"platform"_s);
        MigrationSource source(github, builtinPolicy());

        const Result<MigrationReport> r = RaizeTest::wait<MigrationReport>([&](auto cb) { source.check(u"target1"_s, u"prod2"_s, cb); });
        QVERIFY2(r, qPrintable(r.error().toString()));
        QCOMPARE(r->files.size(), 6); // five added migrations and the removed one; not the .ts
        QHash<QString, MigrationFile> byPath;
        for (const MigrationFile &f : r->files)
            byPath.insert(f.path.section(u'/', -1), f);
        QCOMPARE(byPath[u"0040_add_index.sql"_s].compatibility, Compatibility::Compatible);
        QCOMPARE(byPath[u"0041_drop_account.sql"_s].compatibility, Compatibility::Incompatible);
        QVERIFY(byPath[u"0041_drop_account.sql"_s].reason.contains(u"drops posts.account"_s));
        QCOMPARE(byPath[u"0042_big.sql"_s].compatibility, Compatibility::Unknown);
        QVERIFY(byPath[u"0042_big.sql"_s].reason.contains(u"over 1 MB"_s));
        QCOMPARE(byPath[u"0043_gone.sql"_s].compatibility, Compatibility::Unknown);
        QVERIFY2(byPath[u"0043_gone.sql"_s].reason.contains(u"404"_s), qPrintable(byPath[u"0043_gone.sql"_s].reason));
        QVERIFY2(byPath[u"0044_folder.sql"_s].reason.contains(u"folder"_s), qPrintable(byPath[u"0044_folder.sql"_s].reason));
        QCOMPARE(byPath[u"0039_old.sql"_s].compatibility, Compatibility::Unknown);
        QCOMPARE(r->overall(), Compatibility::Incompatible);
        QCOMPARE(r->incompatible(), QStringList{u"migrations/0041_drop_account.sql"_s});
        // The removed file is not read; each of the others once, at the head commit.
        int contentReads = 0;
        for (const Sandbox::LoggedRequest &e : log.entries()) {
            if (e.path.contains(u"/contents/"_s))
                ++contentReads;
        }
        QCOMPARE(contentReads, 5);

        // A failing comparison is an error that names both commits, never "no migrations".
        compareFails = true;
        const Result<MigrationReport> failed = RaizeTest::wait<MigrationReport>([&](auto cb) { source.check(u"target1"_s, u"prod2"_s, cb); });
        QVERIFY(!failed);
        QVERIFY2(failed.error().toString().contains(u"target1"_s) && failed.error().toString().contains(u"prod2"_s),
                 qPrintable(failed.error().toString()));

        // Without both commits there is nothing to compare.
        const Result<MigrationReport> missing = RaizeTest::wait<MigrationReport>([&](auto cb) { source.check({}, u"prod2"_s, cb); });
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::Config);
    }

    void parseContentShapes()
    {
        using Services::GitHubClient;
        QVERIFY(!GitHubClient::parseContent("{\"type\":\"file\",\"encoding\":\"base64\",\"content\":\"@@@\",\"size\":3}", u"a.sql"_s));
        QVERIFY(!GitHubClient::parseContent("{\"type\":\"symlink\",\"target\":\"b\",\"size\":1}", u"a.sql"_s));
        QVERIFY(!GitHubClient::parseContent("{\"type\":\"file\",\"encoding\":\"utf-16\",\"content\":\"x\",\"size\":1}", u"a.sql"_s));
        QVERIFY(!GitHubClient::parseContent("not json", u"a.sql"_s));
        const auto empty = GitHubClient::parseContent("{\"type\":\"file\",\"encoding\":\"base64\",\"content\":\"\",\"size\":0}", u"a.sql"_s);
        QVERIFY(empty);
        QVERIFY(empty->content.isEmpty());
        QVERIFY(!empty->tooLarge);
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
