// Post-release validation writes its journal entry to the platform repository (issue #19 item 4):
// through the GitHub fake behind Prism's validating proxy (`prism proxy --errors`, so a request or
// an answer that breaks the description fails the call), on the policy's branch with a pull
// request, never to main; a second run appends without losing the first; a file that moved on is
// re-read and re-appended; a resumed run never appends twice; failures keep the run resumable and
// say what to do. Time is a ManualClock; the SLO counters are data.

#include "prism.h"
#include "testutil.h"
#include "waitfor.h"

#include "core/jsonutil.h"
#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "release/validationsession.h"
#include "services/github/githubclient.h"
#include "services/github/githubjournalpublisher.h"

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString kSpecs = RaizeTest::sourceDir() + u"/tests/contract/specs"_s;
const QString kToken = u"ghp_validationjournaltoken0123456789"_s;
const QString kBranch = u"raize/journal"_s;
const QDateTime kPromoted = QDateTime(QDate(2026, 12, 6), QTime(14, 0), Qt::UTC);

// Clean traffic for every SLO of the policy over [from, to]: the checks pass.
ValidationServices::SloData cleanSlos(const QList<Slo::SloSpec> &slos, qint64 fromMs, qint64 toMs, const QString &failing = {})
{
    ValidationServices::SloData out;
    for (const Slo::SloSpec &s : slos) {
        QList<Slo::CounterSample> samples;
        int i = 0;
        for (qint64 t = fromMs; t <= toMs; t += Slo::MinuteMs, ++i) {
            const double bad = s.id == failing ? 5.0 * i : 0.0; // 5 of 100 a minute: over every objective's budget
            samples << Slo::CounterSample{t, 100.0 * i - bad, 100.0 * i};
        }
        out[s.id][u"house"_s] = Slo::CounterSeries(samples);
    }
    return out;
}

} // namespace

class TestValidationJournal : public QObject
{
    Q_OBJECT

    Sandbox::FaultInjector m_faults{19};
    Sandbox::RequestLog m_log;
    std::unique_ptr<Sandbox::HttpServer> m_server;
    std::unique_ptr<Sandbox::GitHubFake> m_github;
    RaizeTest::Prism m_proxy;
    std::unique_ptr<ServiceMonitor> m_monitor;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::GitHubClient> m_gh;
    QTemporaryDir m_state;
    ManualClock m_clock{kPromoted};
    Records::RecordsPolicy m_policy;
    QList<Slo::SloSpec> m_slos = Slo::defaultSlos();
    QString m_failing; // an SLO that burns in the next run's data
    bool m_prometheusDown = false;

    QString file() const { return u"docs/journal/2026-12-06.md"_s; }
    QString branchText() const
    {
        const json f = m_github->branchFile(kBranch, file());
        return f.is_string() ? QString::fromStdString(f.get<std::string>()) : QString();
    }
    int requests(const QByteArray &method, const QString &pathPart) const
    {
        int n = 0;
        for (const auto &e : m_log.entries())
            n += e.method == QString::fromLatin1(method) && e.path.contains(pathPart);
        return n;
    }

    std::unique_ptr<ValidationSession> session()
    {
        ValidationServices s;
        s.readSlos = [this](qint64 from, qint64 to, std::function<void(const Result<ValidationServices::SloData> &)> done) {
            if (m_prometheusDown)
                return done(Error::make(Error::Kind::Network, u"prometheus"_s, u"connection refused"_s, u"start Prometheus"_s));
            done(cleanSlos(m_slos, from, to, m_failing));
        };
        s.writeJournal = [this](const Records::JournalEntry &e, std::function<void(const Result<JournalWritten> &)> done) {
            const Services::JournalTarget target{m_policy.journalBranch, m_policy.journalBase, m_policy.journalDirectory};
            Services::GitHubJournalPublisher(*m_gh, target).append(e, [done](const Result<Services::JournalPublication> &p) {
                if (!p)
                    return done(p.error());
                done(JournalWritten{p->file, p->branch, p->commitUrl, p->pull.htmlUrl, p->alreadyThere});
            });
        };
        return std::make_unique<ValidationSession>(ValidationStore(m_state.path()), m_clock, m_policy, m_slos, s);
    }

    Result<ValidationRun> step(ValidationSession &s, const QString &id)
    {
        return RaizeTest::wait<ValidationRun>([&](auto cb) { s.step(id, cb); });
    }

    ValidationRun seed(const QString &deployment, const QString &level = u"L3"_s)
    {
        ValidationRun r;
        r.deploymentId = deployment;
        r.level = level;
        r.tag = u"v1.4.0"_s;
        r.sha = u"4f9c2e1d0b7a"_s;
        r.actor = u"release-bot"_s;
        r.shipped = {u"v1.4.0 (%1): #421 Route house accounts through the new publisher"_s.arg(deployment)};
        return r;
    }

    // The proxy's violations since the last call, as one failure message.
    QString violations() { return m_proxy.drainLog(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(RaizeTest::Prism::installed(),
                 "Prism is not installed in .cache/node/prism: run tools/dev.sh setup (tools/sandbox/install-deps.sh)");
        QVERIFY(m_state.isValid());
        m_server = std::make_unique<Sandbox::HttpServer>(u"github"_s, &m_faults, &m_log);
        m_github = std::make_unique<Sandbox::GitHubFake>(m_server.get(), kToken);
        m_github->load(json::object());
        QVERIFY(m_server->listen(0));
        QString err;
        QVERIFY2(m_proxy.startProxy(kSpecs + u"/github.trimmed.json"_s, m_server->baseUrl(), true, &err), qPrintable(err));
        m_monitor = std::make_unique<ServiceMonitor>();
        m_http = std::make_unique<Net::HttpClient>(m_monitor.get());
        m_http->setToken(Service::GitHub, kToken);
        m_http->setRetryPolicy({1, 50, 400, 120000}); // a violation must surface, not be retried away
        m_http->setGitHubMutationSpacing(0);
        m_http->setDefaultTimeout(20000);
        m_gh = std::make_unique<Services::GitHubClient>(*m_http, m_proxy.url(), u"raize"_s, u"platform"_s);
    }

    void cleanupTestCase() { m_proxy.stop(); }

    void init()
    {
        m_faults.clear();
        m_failing.clear();
        m_prometheusDown = false;
    }

    // The acceptance: the first run creates the branch, the file and the pull request; main is never written.
    void firstRunWritesTheEntryOnItsBranchWithAPullRequest()
    {
        m_clock.set(kPromoted);
        auto s = session();
        const Result<ValidationRun> started = s->start(seed(u"dpl_first"_s));
        QVERIFY2(started.ok(), qPrintable(started.error().toString()));
        QCOMPARE(started->windowSecs, 7200); // L3: the policy's two hours
        QCOMPARE(started->checks.size(), 5);

        // Inside the window: watching, nothing asked of GitHub.
        m_clock.advanceMs(3600 * 1000);
        const qsizetype before = m_log.entries().size();
        const Result<ValidationRun> watching = step(*s, u"dpl_first"_s);
        QVERIFY(watching.ok());
        QCOMPARE(watching->phase, ValidationRun::Phase::Watching);
        QCOMPARE(m_log.entries().size(), before);

        m_clock.advanceMs(3600 * 1000 + 1);
        const Result<ValidationRun> done = step(*s, u"dpl_first"_s);
        QVERIFY2(done.ok(), qPrintable(done.error().toString() + u'\n' + violations()));
        QCOMPARE(done->phase, ValidationRun::Phase::Written);
        QVERIFY(done->passed);
        QCOMPARE(done->journalFile, file());
        QCOMPARE(done->journalBranch, kBranch);
        QVERIFY2(done->pullUrl.contains(u"/pull/"_s), qPrintable(done->pullUrl));

        const QString text = branchText();
        QVERIFY2(text.startsWith(u"# Journal — 2026-12-06\n"_s), qPrintable(text));
        QVERIFY(text.contains(u"Post-release validation of v1.4.0 (dpl_first) — passed"_s));
        QVERIFY(text.contains(u"#421 Route house accounts"_s));
        QVERIFY(text.contains(u"publish_success (Publish success): pass"_s));
        QCOMPARE(text.count(Records::Journal::marker(u"validation/dpl_first"_s)), 1);
        QCOMPARE(requests("POST", u"/git/refs"_s), 1);
        QCOMPARE(requests("POST", u"/repos/raize/platform/pulls"_s), 1);
        QVERIFY(m_github->state()["branches"].contains("raize/journal"));
        // main's file was never written: the contents API on main has no journal.
        const auto onMain = RaizeTest::wait<Services::GitHubContent>([&](auto cb) { m_gh->contents(file(), u"main"_s, cb); });
        QCOMPARE(onMain.error().httpStatus, 404);
        QCOMPARE(m_proxy.drainViolations(200), QStringList());
    }

    // The acceptance: a second run appends, and the first entry is still there, byte for byte.
    void secondRunAppendsWithoutLosingTheFirst()
    {
        const QString first = branchText();
        QVERIFY(!first.isEmpty());
        m_clock.set(kPromoted.addSecs(1800));
        m_failing = u"queue_delay"_s;
        auto s = session();
        QVERIFY(s->start(seed(u"dpl_second"_s, u"L1"_s)).ok());
        m_clock.advanceMs(1800 * 1000);
        const Result<ValidationRun> done = step(*s, u"dpl_second"_s);
        QVERIFY2(done.ok(), qPrintable(done.error().toString() + u'\n' + violations()));
        QCOMPARE(done->phase, ValidationRun::Phase::Written);
        QVERIFY(!done->passed);
        QCOMPARE(done->anomalies.size(), 1);
        QVERIFY2(done->anomalies.first().startsWith(u"queue_delay ("_s)
                     && done->anomalies.first().contains(u": FAIL — house 5.00 % bad of 3000 over the error budget of 1.00 %"_s),
                 qPrintable(done->anomalies.first()));

        const QString text = branchText();
        QVERIFY(text.startsWith(first));
        QVERIFY(text.mid(first.size()).contains(u"— anomalies"_s));
        QCOMPARE(text.count(u"# Journal —"_s), 1);
        QCOMPARE(requests("POST", u"/repos/raize/platform/pulls"_s), 1); // the open pull request takes it
        QCOMPARE(requests("POST", u"/git/refs"_s), 1);
        QCOMPARE(m_proxy.drainViolations(200), QStringList());
    }

    // Someone appends between this run's read and its write: GitHub refuses the stale sha (409),
    // the run reads the file again and appends to what is there now.
    void movedFileIsReReadAndReAppended()
    {
        const QString before = branchText();
        const QString colleague = u"\n## 16:05 UTC — a colleague's note\n"_s;
        m_github->raceNextPut(file(), colleague);
        m_clock.set(kPromoted.addSecs(3600));
        auto s = session();
        QVERIFY(s->start(seed(u"dpl_third"_s, u"L0"_s)).ok());
        m_clock.advanceMs(900 * 1000);
        const int puts = requests("PUT", u"/contents/"_s);
        const Result<ValidationRun> done = step(*s, u"dpl_third"_s);
        QVERIFY2(done.ok(), qPrintable(done.error().toString() + u'\n' + violations()));
        QCOMPARE(requests("PUT", u"/contents/"_s) - puts, 2); // the refused one and the one on the new text
        const QString text = branchText();
        QVERIFY(text.startsWith(before + colleague));
        QCOMPARE(text.count(Records::Journal::marker(u"validation/dpl_third"_s)), 1);
        QCOMPARE(m_proxy.drainViolations(200), QStringList());
    }

    // A run that crashed after its entry landed but before it saved "written" (its state file says
    // observed) finds the entry on resume and does not append it again.
    void resumedRunNeverAppendsTwice()
    {
        const QString before = branchText();
        ValidationStore store(m_state.path());
        const Result<ValidationRun> loaded = store.load(u"dpl_third"_s);
        QVERIFY(loaded.ok());
        ValidationRun run = *loaded;
        run.phase = ValidationRun::Phase::Observed;
        run.pullUrl.clear();
        QVERIFY(store.save(run).ok());
        const int puts = requests("PUT", u"/contents/"_s);
        auto s = session(); // a new console: only the state file carries the run
        const Result<ValidationRun> done = step(*s, u"dpl_third"_s);
        QVERIFY2(done.ok(), qPrintable(done.error().toString()));
        QCOMPARE(done->phase, ValidationRun::Phase::Written);
        QVERIFY(!done->pullUrl.isEmpty());
        QCOMPARE(requests("PUT", u"/contents/"_s), puts);
        QCOMPARE(branchText(), before);
    }

    // What goes wrong keeps the run where it was, says what to do, and the next step finishes it.
    void failuresKeepTheRunResumable_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<json>("fault");
        QTest::addColumn<QString>("phase");
        QTest::addColumn<QString>("remedy");
        QTest::newRow("Prometheus down") << u"prometheus"_s << json() << u"watching"_s << u"start Prometheus"_s;
        QTest::newRow("GitHub 500 on every write")
            << u"github"_s << json{{"mode", "error"}, {"method", "PUT"}, {"path", "/contents/"}, {"status", 500}} << u"observed"_s
            << u"run raize-console validate again"_s;
        QTest::newRow("token without write access")
            << u"github"_s << json{{"mode", "error"}, {"method", "PUT"}, {"path", "/contents/"}, {"status", 403}} << u"observed"_s
            << u"Contents and Pull requests write access"_s;
        // The entry is written, then the pull request cannot be looked up: the next step finds the entry and only
        // does the pull request.
        QTest::newRow("pull requests unreadable after the write")
            << u"github"_s << json{{"mode", "error"}, {"method", "GET"}, {"path", "/pulls"}, {"status", 502}} << u"observed"_s
            << u"run raize-console validate again"_s;
    }
    void failuresKeepTheRunResumable()
    {
        QFETCH(QString, what);
        QFETCH(json, fault);
        QFETCH(QString, phase);
        QFETCH(QString, remedy);
        const QString id = u"dpl_fail_%1"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'_');
        m_clock.set(kPromoted.addSecs(4000));
        auto s = session();
        QVERIFY(s->start(seed(id, u"L0"_s)).ok());
        m_clock.advanceMs(900 * 1000);
        if (what == u"prometheus"_s) {
            m_prometheusDown = true;
        } else {
            fault["service"] = "github";
            QString err;
            const auto rule = Sandbox::FaultRule::fromJson(fault, &err);
            QVERIFY2(rule, qPrintable(err));
            m_faults.add(*rule);
        }
        QSignalSpy failed(s.get(), &ValidationSession::failed);
        const Result<ValidationRun> r = step(*s, id);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().remedy.contains(remedy), qPrintable(r.error().toString()));
        QCOMPARE(failed.size(), 1);
        const Result<ValidationRun> kept = ValidationStore(m_state.path()).load(id);
        QVERIFY(kept.ok());
        QCOMPARE(ValidationRun::phaseName(kept->phase), phase);

        // Fixed: the next step finishes it, and its entry is in the file once.
        m_faults.clear();
        m_prometheusDown = false;
        const Result<ValidationRun> done = step(*s, id);
        QVERIFY2(done.ok(), qPrintable(done.error().toString() + u'\n' + violations()));
        QCOMPARE(done->phase, ValidationRun::Phase::Written);
        QVERIFY(done->lastError.isEmpty());
        QCOMPARE(branchText().count(Records::Journal::marker(u"validation/"_s + id)), 1);
    }

    void aBranchEqualToItsBaseIsRefusedBeforeAnyRequest()
    {
        const qsizetype before = m_log.entries().size();
        const auto r = RaizeTest::wait<Services::JournalPublication>([&](auto cb) {
            Services::GitHubJournalPublisher(*m_gh, {u"main"_s, u"main"_s, u"docs/journal"_s}).append(Records::JournalEntry{}, cb);
        });
        QVERIFY(!r.ok());
        QVERIFY(r.error().remedy.contains(u"records.journal.branch"_s));
        QCOMPARE(m_log.entries().size(), before);
    }
};

QTEST_GUILESS_MAIN(TestValidationJournal)
#include "tst_validation_journal.moc"
