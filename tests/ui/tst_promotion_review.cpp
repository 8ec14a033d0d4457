// The promotion review on the release sandbox (issue #7, acceptance), as the
// operator sees it: a candidate with a failing check is blocked with the
// reason; once the check passes the early approval lapses and the screen says
// why; an override is typed in and shown; the candidate is approved and
// promoted (after the promote confirmation), which changes what the sandbox's
// production serves, and the timeline shows it. The rules themselves (author,
// L3 two-person rule, every lapse, override lengths, Vercel failures, stuck
// states) are the Promotion session's, tested without a sandbox in
// test_promotion_session; this test checks that the view shows the session
// and forwards the operator's input.

#include "sandboxfixture.h"
#include "testutil.h"

#include "promotion/gatetablemodel.h"
#include "promotion/promotionview.h"
#include "timeline/timelinefeed.h"
#include "widgets/confirmation.h"

#include "net/httpclient.h"
#include "records/auditexport.h"
#include "services/flags/unleashclient.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;
using json = nlohmann::json;
using RaizeTest::httpCall;

class TestPromotionReview : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;
    QTemporaryDir m_dir;
    std::unique_ptr<Net::HttpClient> m_http;
    std::unique_ptr<Services::VercelClient> m_vercel;
    std::unique_ptr<Services::GitHubClient> m_github;
    std::unique_ptr<Services::UnleashClient> m_flags;
    std::unique_ptr<PromotionView> m_view;

    json control(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        const auto a = httpCall(method, QUrl(m_sandbox.url(u"control"_s) + path), {}, body);
        if (a.status < 200 || a.status >= 300)
            qWarning("control %s %s: %d %s", method.constData(), qPrintable(path), a.status, a.body.constData());
        return json::parse(a.body.toStdString(), nullptr, false);
    }

    QString text(const char *name) const { return m_view->findChild<QLabel *>(QString::fromLatin1(name))->text(); }
    QPushButton *button(const char *name) const { return m_view->findChild<QPushButton *>(QString::fromLatin1(name)); }

    bool review()
    {
        const int before = m_view->reviews();
        QTest::mouseClick(button("promotionRefresh"), Qt::LeftButton);
        return QTest::qWaitFor([&] { return m_view->reviews() > before; }, 60000);
    }

    // The view approves as the token's user; `login` is who the test expects that to be.
    void approveAs(const QString &login)
    {
        auto *reviewer = m_view->findChild<QLineEdit *>(u"promotionReviewer"_s);
        QCOMPARE(reviewer->text(), login);
        QTest::mouseClick(button("promotionApprove"), Qt::LeftButton);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString error = m_sandbox.start(u"promotion-review"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_http = std::make_unique<Net::HttpClient>();
        m_http->setDefaultTimeout(5000);
        m_http->setToken(Service::Vercel, m_sandbox.token(u"vercel"_s));
        // The reviewer's own token: the sandbox's GitHub names its user (oncall-lead) for every approval.
        m_http->setToken(Service::GitHub, u"oncall-lead-token"_s);
        m_http->setToken(Service::Flags, m_sandbox.token(u"unleashAdmin"_s));
        const QJsonObject ready = m_sandbox.ready();
        m_vercel = std::make_unique<Services::VercelClient>(*m_http, QUrl(m_sandbox.url(u"vercel"_s)),
                                                            ready[u"vercel"_s][u"projectId"_s].toString(), ready[u"vercel"_s][u"teamId"_s].toString());
        m_github = std::make_unique<Services::GitHubClient>(*m_http, QUrl(m_sandbox.url(u"github"_s)), u"raize"_s, u"platform"_s);
        m_flags = std::make_unique<Services::UnleashClient>(*m_http, QUrl(m_sandbox.url(u"unleash"_s)), u"default"_s, u"production"_s);
        m_view = std::make_unique<PromotionView>(Release::GatePolicy::builtin());
        PromotionView::Sources sources;
        sources.vercel = m_vercel.get();
        sources.github = m_github.get();
        sources.flags = m_flags.get();
        sources.githubHtml = m_sandbox.url(u"github"_s) + u"/raize/platform"_s;
        sources.auditLogPath = m_dir.filePath(u"audit.jsonl"_s);
        m_view->setSources(sources);
        m_view->resize(1200, 800);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }

    void step1_failingCheckBlocks()
    {
        QAbstractItemModelTester tester(m_view->gateModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(review());
        QCOMPARE(m_view->facts().facts.deployment->id, u"dpl_rc"_s); // the newest staging deployment
        QVERIFY2(text("promotionVerdict").contains(u"Promotion blocked"_s), qPrintable(text("promotionVerdict")));
        QVERIFY2(text("promotionVerdict").contains(u"basic UI navigation smoke (failed)"_s), qPrintable(text("promotionVerdict")));
        QVERIFY(!button("promotionPromote")->isEnabled());
        QCOMPARE(m_view->gateModel()->rowCount(), int(Release::gateIds().size()));
        // The candidate's own changelog, named file@commit (issue #17 item 3).
        QVERIFY2(text("promotionSummary").contains(u"Changelog: CHANGELOG.md@5e6f708 [Unreleased]"_s), qPrintable(text("promotionSummary")));
        QVERIFY(text("promotionSummary").contains(u"#431"_s) && text("promotionSummary").contains(u"#432"_s));
        QVERIFY(text("promotionSummary").contains(u"Release level: <b>L2</b>"_s));

        // A reviewer approves on GitHub (the pending environment review) while the check still fails.
        approveAs(u"oncall-lead"_s);
        QTRY_VERIFY_WITH_TIMEOUT(text("promotionMessage").contains(u"Approved on GitHub as oncall-lead"_s), 30000);
        QVERIFY(text("promotionApprovals").startsWith(u"Approvals: 1 of 1"_s));
        QVERIFY(!button("promotionPromote")->isEnabled()); // still blocked by the check
        const json state = control("GET", u"/__sandbox/state"_s);
        bool pending = false;
        for (const json &r : state["github"]["runs"])
            pending = pending || (r["id"] == 9102 && !r["pending"].empty());
        QVERIFY(!pending); // GitHub's environment gate was approved with the reviewer's token
    }

    void step2_checkPassesThenAllowed()
    {
        control("POST", u"/__sandbox/vercel/checks/dpl_rc/basic%20UI%20navigation%20smoke"_s, R"({"status":"completed","conclusion":"succeeded"})");
        QVERIFY(review());
        // The early approval was for other gate results: it lapsed, and the screen says why.
        QVERIFY2(text("promotionLapse").contains(u"oncall-lead's approval lapsed: the gate results changed (deployment-checks fail → pass)"_s),
                 qPrintable(text("promotionLapse")));
        QVERIFY2(text("promotionVerdict").contains(u"0 of 1 approval(s)"_s), qPrintable(text("promotionVerdict")));
        QVERIFY(!button("promotionPromote")->isEnabled());
    }

    // CI runs the same gates: `gates check` on the same deployment gives the same verdict, gate by gate, and the same review digest.
    void step2b_gatesCheckAgreesWithTheView()
    {
        const QJsonObject ready = m_sandbox.ready();
        const auto cli = [&](QStringList args) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"RAIZE_VERCEL_TOKEN"_s, m_sandbox.token(u"vercel"_s));
            env.insert(u"RAIZE_GITHUB_TOKEN"_s, m_sandbox.token(u"github"_s));
            env.insert(u"RAIZE_FLAGS_TOKEN"_s, m_sandbox.token(u"unleashAdmin"_s));
            p.setProcessEnvironment(env);
            p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << u"promotiongui"_s);
            p.waitForFinished(120000);
            // stdout alone: --json is parsed from it; notes ("no flags token …") go to stderr.
            const QByteArray out = p.readAllStandardOutput(), err = p.readAllStandardError();
            if (!err.isEmpty())
                qInfo("raize-console %s: stderr: %s", qUtf8Printable(args.join(u' ')), err.constData());
            return std::pair{p.exitCode(), QString::fromUtf8(out)};
        };
        for (const auto &[key, value] : QList<std::pair<QString, QString>>{
                 {u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s)},
                 {u"vercel/projectId"_s, ready[u"vercel"_s][u"projectId"_s].toString()},
                 {u"vercel/teamId"_s, ready[u"vercel"_s][u"teamId"_s].toString()},
                 {u"github/apiUrl"_s, m_sandbox.url(u"github"_s)},
                 {u"github/owner"_s, u"raize"_s},
                 {u"github/repo"_s, u"platform"_s},
                 {u"flags/url"_s, m_sandbox.url(u"unleash"_s)}})
            QCOMPARE(cli({u"settings"_s, u"set"_s, key, value}).first, 0);
        QVERIFY(review());
        const auto [code, out] = cli({u"gates"_s, u"check"_s, u"--deployment"_s, m_view->facts().facts.deployment->id, u"--json"_s});
        const json j = json::parse(out.toStdString(), nullptr, false);
        QVERIFY2(j.is_object(), qPrintable(out));
        QCOMPARE(code, m_view->verdict().blocked() ? 1 : 0);
        QVERIFY(j["verdict"] == (m_view->verdict().blocked() ? "blocked" : "pass"));
        QCOMPARE(j["gates"].size(), std::size_t(m_view->verdict().results.size()));
        for (std::size_t i = 0; i < j["gates"].size(); ++i) {
            const Release::GateResult &g = m_view->verdict().results[qsizetype(i)];
            QVERIFY(j["gates"][i]["id"] == g.id.toStdString());
            QVERIFY2(j["gates"][i]["status"] == Release::GateResult::statusName(g.status).toStdString(), qPrintable(g.id));
        }
        QCOMPARE(QString::fromStdString(j["digest"]), Release::ReviewBinding::of(m_view->facts().facts, m_view->verdict()).digest());
    }

    // An override typed into the view: only gates the policy allows are offered; the session records it and the table shows it.
    void step3_overrideThroughTheView()
    {
        // Another changelog path of the repository, read at the candidate commit: an entry there has no Rollback field.
        m_view->setChangelogPath(u"docs/changelog-incomplete.md"_s);
        QVERIFY(review());
        QVERIFY2(text("promotionSummary").contains(u"Changelog: docs/changelog-incomplete.md@5e6f708 [Unreleased]"_s),
                 qPrintable(text("promotionSummary")));
        auto *gate = m_view->findChild<QComboBox *>(u"promotionOverrideGate"_s);
        QStringList offered;
        for (int i = 0; i < gate->count(); ++i)
            offered << gate->itemData(i).toString();
        QCOMPARE(offered, QStringList{u"changelog"_s});
        auto *reason = m_view->findChild<QLineEdit *>(u"promotionOverrideReason"_s);
        reason->setText(u"rollback notes land with the hotfix PR today"_s);
        QTest::mouseClick(button("promotionOverride"), Qt::LeftButton);
        QVERIFY2(this->text("promotionMessage").contains(u"Override of changelog recorded"_s), qPrintable(this->text("promotionMessage")));
        QVERIFY(reason->text().isEmpty());
        bool shown = false;
        for (int row = 0; row < m_view->gateModel()->rowCount(); ++row) {
            if (m_view->gateModel()->results()[row].id == u"changelog"_s)
                shown = m_view->gateModel()->index(row, GateTableModel::Status).data().toString().contains(u"overridden"_s);
        }
        QVERIFY(shown);
        QVERIFY(!this->text("promotionVerdict").contains(u"Changelog entry"_s)); // no longer a reason to block
        QCOMPARE(gate->count(), 0);
        // The first approval lapsed and GitHub released that gate: the deploy workflow is run again, and its new gate approved.
        control("POST", u"/__sandbox/github/runs"_s,
                R"({"name":"Deploy","headSha":"5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081","pending":["production"]})");
        QVERIFY(review());
        approveAs(u"oncall-lead"_s);
        QTRY_VERIFY(button("promotionPromote")->isEnabled());
        QVERIFY2(this->text("promotionVerdict").contains(u"Promotion allowed"_s), qPrintable(this->text("promotionVerdict")));
    }

    void step4_promoteChangesProductionAndTheTimelineShowsIt()
    {
        QVERIFY(control("GET", u"/__sandbox/state"_s)["vercel"]["production"] == "dpl_prod");
        QSignalSpy promoted(m_view.get(), &PromotionView::promoted);
        // Promote to production goes through the one confirmation: the exact plan, and the environment's name typed exactly.
        Confirmation::resetHook();
        Confirmation::setNextAnswer(false, u"production"_s);
        Confirmation::setNextAnswer(true, u"Production"_s);
        for (int i = 0; i < 2; ++i) {
            QTest::mouseClick(button("promotionPromote"), Qt::LeftButton);
            QVERIFY2(text("promotionMessage").startsWith(u"Not promoted: the confirmation was cancelled"_s), qPrintable(text("promotionMessage")));
            QVERIFY(button("promotionPromote")->isEnabled());
        }
        QCOMPARE(Confirmation::asked().size(), 2);
        const ConfirmationRequest &asked = Confirmation::asked().last();
        QCOMPARE(asked.action, Policy::ConfirmAction::Promote);
        QCOMPARE(asked.environment, u"production"_s);
        QVERIFY2(asked.plan.startsWith(u"Deployment:   dpl_rc (commit "_s), qPrintable(asked.plan));
        QVERIFY2(asked.plan.contains(u"Target:       production, which serves dpl_prod"_s), qPrintable(asked.plan));
        QVERIFY2(asked.plan.contains(u"Approved by:  oncall-lead (1 needed)"_s), qPrintable(asked.plan));
        QVERIFY2(asked.plan.contains(u"2. Vercel: POST /v10/projects/{project}/promote/dpl_rc"_s), qPrintable(asked.plan));
        QCOMPARE(promoted.count(), 0);
        QVERIFY(control("GET", u"/__sandbox/state"_s)["vercel"]["production"] == "dpl_prod");
        Confirmation::setNextAnswer(true, u"production"_s);
        QTest::mouseClick(button("promotionPromote"), Qt::LeftButton);
        QVERIFY(promoted.wait(60000));
        QCOMPARE(Confirmation::asked().size(), 3);
        QVERIFY2(promoted.first().at(0).toBool(), qPrintable(promoted.first().at(1).toString()));
        QVERIFY(control("GET", u"/__sandbox/state"_s)["vercel"]["production"] == "dpl_rc");

        // The timeline's feed reads the promotion from the audit log and the deployments from Vercel.
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TimelineFeed feed(&model, m_vercel.get(), m_dir.filePath(u"audit.jsonl"_s), {}, 60000);
        feed.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(feed.rounds() >= 1, 30000);
        bool promotion = false, deployment = false;
        for (const TimelineEvent &e : model.events()) {
            promotion = promotion || (e.kind == TimelineEvent::Kind::Promotion && e.title.contains(u"dpl_rc"_s) && e.environment == u"Production"_s);
            deployment = deployment || (e.kind == TimelineEvent::Kind::Deployment && e.title.startsWith(u"dpl_rc "_s));
        }
        QVERIFY(promotion);
        QVERIFY(deployment);
        // Every action is in the audit log.
        QStringList actions;
        for (const auto &r : Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s)))
            actions << r.action;
        // Approvals and the promotion are recorded before they are sent, then with their outcome.
        QCOMPARE(actions, (QStringList{u"promotion.approve.requested"_s, u"promotion.approve"_s, u"gate.override"_s,
                                       u"promotion.approve.requested"_s, u"promotion.approve"_s, u"promotion.promote.requested"_s,
                                       u"promotion.promote"_s, u"promotion.promote.effective"_s})); // accepted, then effective (ADR 0027)
        for (const auto &r : Records::AuditExport::readAll(m_dir.filePath(u"audit.jsonl"_s)))
            QCOMPARE(r.actor, u"oncall-lead"_s); // the token's user, for every record
    }

    void cleanupTestCase()
    {
        m_view.reset();
        m_sandbox.stop();
    }
};

RAIZE_GUI_TEST_MAIN(TestPromotionReview)
#include "tst_promotion_review.moc"
