// Where connections are built (issue #14, acceptance line 1; ADR 0014): the
// workspace builds them, so
//  - no file in ui/ includes the HTTP layer (net/…), a flag backend's client
//    header or the flag-backend factory, and none constructs a client;
//  - exactly one flag-backend factory: no UnleashClient/LaunchDarklyClient is
//    constructed outside app/services/flags/flagbackend.cpp (tests excepted);
//  - app/slo/ includes no service client and no HTTP layer: the burn-rate
//    code is a pure function of series;
//  - an HTTP client is constructed only by the workspace (its one client and
//    the connection check's probe), nowhere else in app/ or ui/.
// Each rule is a regular expression over the sources; the _data rows of
// rulesCatchTheirOffence show each one catches the code it forbids, so a rule
// that matches nothing cannot pass by accident.

#include "testutil.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// What ui/ may not contain.
const QRegularExpression &uiRule()
{
    static const QRegularExpression re(
        u"#include\\s+\"net/"
        u"|#include\\s+\"services/(flags/unleashclient|launchdarkly/launchdarklyclient|flags/flagbackend)\\.h\""
        u"|\\bNet::HttpClient\\b"
        u"|make_(unique|shared)<\\s*(Services::)?\\w+Client\\s*>"
        u"|\\bnew\\s+(Services::)?\\w+Client\\b"
        u"|\\bServices::\\w+Client\\s+\\w+\\s*[({]"
        u"|\\bServices::checkConnection\\s*\\("
        u"|\\bmakeFlagService\\s*\\("_s);
    return re;
}

// A flag backend constructed (outside the factory).
const QRegularExpression &flagBackendRule()
{
    static const QRegularExpression re(u"make_(unique|shared)<\\s*(Services::)?(UnleashClient|LaunchDarklyClient)\\s*>"
                                       u"|\\bnew\\s+(Services::)?(UnleashClient|LaunchDarklyClient)\\b"
                                       u"|\\b(UnleashClient|LaunchDarklyClient)\\s+\\w+\\s*[({]"_s);
    return re;
}

// A service client or the HTTP layer, in app/slo/.
const QRegularExpression &sloRule()
{
    static const QRegularExpression re(u"#include\\s+\"(services|net)/|\\bServices::|\\bNet::"_s);
    return re;
}

// An HTTP client constructed.
const QRegularExpression &httpClientRule()
{
    static const QRegularExpression re(u"make_(unique|shared)<\\s*(Net::)?HttpClient\\s*>"
                                       u"|\\bnew\\s+(Net::)?HttpClient\\b"
                                       u"|\\b(Net::)?HttpClient\\s+\\w+\\s*[;({]"_s);
    return re;
}

struct Offence
{
    QString file;
    QString match;
};

// Every *.h/*.cpp under `folder` (relative to the source root) whose text matches `rule`.
QList<Offence> scan(const QString &folder, const QRegularExpression &rule, int *scanned)
{
    const QString root = RaizeTest::sourceDir();
    QList<Offence> found;
    QDirIterator it(root + u'/' + folder, {u"*.cpp"_s, u"*.h"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        ++*scanned;
        const QString text = QString::fromUtf8(f.readAll());
        for (auto m = rule.globalMatch(text); m.hasNext();)
            found.append({path.mid(root.size() + 1), m.next().captured()});
    }
    return found;
}

QString describe(const QList<Offence> &offences)
{
    QStringList lines;
    for (const Offence &o : offences)
        lines << u"%1 (\"%2\")"_s.arg(o.file, o.match);
    return lines.join(u"\n  "_s);
}

} // namespace

class TestWorkspaceLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rulesCatchTheirOffence_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("offends");
        QTest::newRow("ui: the HTTP layer") << u"ui"_s << u"#include \"net/httpclient.h\""_s << true;
        QTest::newRow("ui: an endpoint helper") << u"ui"_s << u"#include \"net/endpoint.h\""_s << true;
        QTest::newRow("ui: a backend header") << u"ui"_s << u"#include \"services/flags/unleashclient.h\""_s << true;
        QTest::newRow("ui: the factory") << u"ui"_s << u"auto f = Services::makeFlagService(http, c);"_s << true;
        QTest::newRow("ui: an HTTP client member") << u"ui"_s << u"std::unique_ptr<Net::HttpClient> m_http;"_s << true;
        QTest::newRow("ui: make_unique") << u"ui"_s << u"m_vercel = std::make_unique<Services::VercelClient>(http, url, p, t);"_s << true;
        QTest::newRow("ui: on the stack") << u"ui"_s << u"Services::GitHubClient github(http, url, o, r);"_s << true;
        QTest::newRow("ui: new") << u"ui"_s << u"auto *p = new Services::PrometheusClient(http, url);"_s << true;
        QTest::newRow("ui: its own connection check") << u"ui"_s << u"Services::checkConnection(http, t, done);"_s << true;
        QTest::newRow("ui: using a workspace client") << u"ui"_s << u"Services::VercelClient *vercel = m_workspace.vercel();"_s << false;
        QTest::newRow("ui: the workspace's check") << u"ui"_s << u"m_workspace.checkConnection(t, 0, done);"_s << false;
        QTest::newRow("flags: make_unique") << u"flags"_s << u"std::make_unique<Services::UnleashClient>(http, u, p, e)"_s << true;
        QTest::newRow("flags: make_shared") << u"flags"_s << u"std::make_shared<LaunchDarklyClient>(http, u, p, e)"_s << true;
        QTest::newRow("flags: on the stack") << u"flags"_s << u"Services::UnleashClient unleash(http, u, p, e);"_s << true;
        QTest::newRow("flags: new") << u"flags"_s << u"new LaunchDarklyClient(http, u, p, e)"_s << true;
        QTest::newRow("flags: its own constructor") << u"flags"_s << u"UnleashClient::UnleashClient(Net::HttpClient &http, QUrl u)"_s << false;
        QTest::newRow("flags: a pointer") << u"flags"_s << u"const auto *ld = dynamic_cast<const LaunchDarklyClient *>(s);"_s << false;
        QTest::newRow("slo: the Prometheus client") << u"slo"_s << u"#include \"services/prometheus/prometheusclient.h\""_s << true;
        QTest::newRow("slo: the HTTP layer") << u"slo"_s << u"#include \"net/httpclient.h\""_s << true;
        QTest::newRow("slo: a service type") << u"slo"_s << u"QList<Services::PromSeries> series;"_s << true;
        QTest::newRow("slo: its own series") << u"slo"_s << u"#include \"slo/counterseries.h\""_s << false;
        QTest::newRow("http: make_unique") << u"http"_s << u"m_http = std::make_unique<Net::HttpClient>(&m_monitor);"_s << true;
        QTest::newRow("http: on the stack") << u"http"_s << u"Net::HttpClient http;"_s << true;
        QTest::newRow("http: with arguments") << u"http"_s << u"Net::HttpClient http(&monitor);"_s << true;
        QTest::newRow("http: new") << u"http"_s << u"auto *h = new Net::HttpClient(this);"_s << true;
        QTest::newRow("http: a reference") << u"http"_s << u"explicit VercelClient(Net::HttpClient &http, QUrl base);"_s << false;
        QTest::newRow("http: its own constructor") << u"http"_s << u"HttpClient::HttpClient(ServiceMonitor *monitor, QObject *parent)"_s << false;
    }

    void rulesCatchTheirOffence()
    {
        QFETCH(QString, rule);
        QFETCH(QString, code);
        QFETCH(bool, offends);
        const QRegularExpression &re = rule == u"ui"_s      ? uiRule()
                                       : rule == u"flags"_s ? flagBackendRule()
                                       : rule == u"http"_s  ? httpClientRule()
                                                            : sloRule();
        QCOMPARE(re.match(code).hasMatch(), offends);
    }

    void uiBuildsNoClient()
    {
        int scanned = 0;
        const QList<Offence> found = scan(u"ui"_s, uiRule(), &scanned);
        QVERIFY2(scanned > 30, "ui/ was not found");
        QVERIFY2(found.isEmpty(), qPrintable(u"ui/ builds connections (take them from the Workspace, app/workspace/workspace.h):\n  "_s
                                             + describe(found)));
    }

    void oneFlagBackendFactory()
    {
        int scanned = 0;
        QList<Offence> found = scan(u"app"_s, flagBackendRule(), &scanned);
        found += scan(u"ui"_s, flagBackendRule(), &scanned);
        QVERIFY2(scanned > 100, "the source tree was not found");
        const QString factory = u"app/services/flags/flagbackend.cpp"_s;
        QStringList where;
        QList<Offence> elsewhere;
        for (const Offence &o : found) {
            if (o.file == factory)
                where << o.match;
            else
                elsewhere << o;
        }
        QVERIFY2(elsewhere.isEmpty(), qPrintable(u"a flag backend constructed outside %1 (use Services::makeFlagService):\n  "_s.arg(factory)
                                                 + describe(elsewhere)));
        // And the factory really builds both backends.
        QVERIFY2(where.join(u' ').contains(u"UnleashClient"_s), qPrintable(where.join(u", "_s)));
        QVERIFY2(where.join(u' ').contains(u"LaunchDarklyClient"_s), qPrintable(where.join(u", "_s)));
    }

    // One HTTP client per process (plus the connection check's probe, ADR 0014): only the workspace builds one.
    void onlyTheWorkspaceBuildsAnHttpClient()
    {
        int scanned = 0;
        QList<Offence> found = scan(u"app"_s, httpClientRule(), &scanned);
        found += scan(u"ui"_s, httpClientRule(), &scanned);
        QVERIFY2(scanned > 100, "the source tree was not found");
        const QString workspace = u"app/workspace/workspace.cpp"_s;
        int inWorkspace = 0;
        QList<Offence> elsewhere;
        for (const Offence &o : found) {
            if (o.file == workspace)
                ++inWorkspace;
            else
                elsewhere << o;
        }
        QVERIFY2(elsewhere.isEmpty(), qPrintable(u"an HTTP client constructed outside %1 (take the workspace's http()):\n  "_s.arg(workspace)
                                                 + describe(elsewhere)));
        QCOMPARE(inWorkspace, 2); // the shared client and the probe
    }

    void sloIncludesNoServiceClient()
    {
        int scanned = 0;
        const QList<Offence> found = scan(u"app/slo"_s, sloRule(), &scanned);
        QVERIFY2(scanned >= 8, "app/slo/ was not found");
        QVERIFY2(found.isEmpty(), qPrintable(u"app/slo/ reaches a service (the feed lives in app/services/prometheus/slometrics.h):\n  "_s
                                             + describe(found)));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceLayout)
#include "tst_workspace_layout.moc"
