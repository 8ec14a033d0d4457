// The Promotion view without a sandbox (issue #14, item 2): it displays a
// Release::Promotion session fed by fake services and forwards the
// operator's input — the verdict and its reasons, the approvals line, a
// lapse, stuck states as the session's clock moves, what may be overridden,
// a refused approval, the promote confirmation and a failing Vercel promote.
// The rules are test_promotion_session's; the sandbox run is
// test_promotion_review.

#include "core/clock.h"
#include "fakes/fakepromotionservices.h"
#include "fakes/memoryflagservice.h"
#include "promotion/gatetablemodel.h"
#include "promotion/promotionview.h"
#include "promotion/releasenotesdialog.h"
#include "policy/policybundle.h"
#include "release/releaseevidence.h"
#include "release/promotion.h"
#include "testutil.h"
#include "widgets/confirmation.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Release;
using namespace RaizeTest::PromotionFakes;
using Raize::Ui::GateTableModel;
using Raize::Ui::PromotionView;

class TestPromotionView : public QObject
{
    Q_OBJECT

    struct Rig
    {
        Rig()
            : session(policy())
        {
            Raize::Release::Promotion::Dependencies deps;
            deps.services = &services;
            deps.audit = &audit;
            deps.records = [this] { return audit.records; };
            deps.clock = &clock;
            session.setDependencies(deps);
            view = std::make_unique<PromotionView>(&session);
            tester = std::make_unique<QAbstractItemModelTester>(view->gateModel(),
                                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
            view->resize(1200, 800);
            view->show();
        }
        FakeServices services;
        RaizeTest::MemoryAudit audit;
        ManualClock clock;
        Raize::Release::Promotion session;
        std::unique_ptr<PromotionView> view;
        std::unique_ptr<QAbstractItemModelTester> tester;

        QString text(const char *name) const { return view->findChild<QLabel *>(QString::fromLatin1(name))->text(); }
        QPushButton *button(const char *name) const { return view->findChild<QPushButton *>(QString::fromLatin1(name)); }
        bool review()
        {
            const int before = view->reviews();
            QTest::mouseClick(button("promotionRefresh"), Qt::LeftButton);
            return QTest::qWaitFor([&] { return view->reviews() > before && !view->busy(); }, 5000);
        }
        // `login` approves with their own token: GitHub names them; the reviewer field only shows who that is.
        void approveAs(const QString &login)
        {
            services.login = login;
            QTest::mouseClick(button("promotionApprove"), Qt::LeftButton);
        }
    };

private Q_SLOTS:
    void blockedThenAllowed()
    {
        Rig rig;
        QVERIFY(!rig.button("promotionApprove")->isEnabled());
        failDeploymentCheck(rig.services.collected.facts);
        QVERIFY(rig.review());
        QCOMPARE(rig.services.calls, (QStringList{u"newestStaging"_s, u"collect dpl_stage"_s, u"reviewState 5e6f708"_s, u"identity"_s}));
        // The reviewer is who the token belongs to, shown, not typed.
        auto *reviewer = rig.view->findChild<QLineEdit *>(u"promotionReviewer"_s);
        QVERIFY(reviewer->isReadOnly());
        QCOMPARE(reviewer->text(), u"oncall-lead"_s);
        QCOMPARE(rig.view->gateModel()->rowCount(), int(Release::gateIds().size()));
        QVERIFY2(rig.text("promotionVerdict").contains(u"Promotion blocked"_s), qPrintable(rig.text("promotionVerdict")));
        QVERIFY(rig.text("promotionSummary").contains(u"Review digest %1"_s.arg(rig.session.digest().left(12))));
        QVERIFY(!rig.button("promotionPromote")->isEnabled());
        // A refusal of the session is what the screen says.
        rig.approveAs(u"dev-ana"_s);
        QTRY_VERIFY2(rig.text("promotionMessage").contains(u"dev-ana authored #501 and cannot approve"_s),
                     qPrintable(rig.text("promotionMessage")));
        QTRY_VERIFY(!rig.view->busy());
        rig.approveAs(u"oncall-lead"_s);
        QTRY_VERIFY(rig.text("promotionApprovals").startsWith(u"Approvals: 1 of 1 (oncall-lead)"_s));
        // The check passes: the approval was for other gate results, and the screen says why.
        rig.services.collected.facts = goodFacts();
        QVERIFY(rig.review());
        QVERIFY2(rig.text("promotionLapse").contains(u"the gate results changed (deployment-checks fail → pass)"_s),
                 qPrintable(rig.text("promotionLapse")));
        QVERIFY(!rig.button("promotionPromote")->isEnabled());
        rig.approveAs(u"oncall-lead"_s);
        QTRY_VERIFY(rig.button("promotionPromote")->isEnabled());
        QVERIFY(rig.text("promotionVerdict").contains(u"Promotion allowed"_s));
    }

    void overrideOffersWhatThePolicyAllows()
    {
        Rig rig;
        rig.services.collected.facts.changelog.value->clear();
        failDeploymentCheck(rig.services.collected.facts);
        QVERIFY(rig.review());
        auto *gate = rig.view->findChild<QComboBox *>(u"promotionOverrideGate"_s);
        QCOMPARE(gate->count(), 1); // the changelog; the Deployment Checks are forbidden by the policy
        QCOMPARE(gate->itemData(0).toString(), u"changelog"_s);
        auto *reason = rig.view->findChild<QLineEdit *>(u"promotionOverrideReason"_s);
        reason->setText(u"too short"_s);
        QTest::mouseClick(rig.button("promotionOverride"), Qt::LeftButton);
        QVERIFY2(rig.text("promotionMessage").contains(u"at least 20 characters"_s), qPrintable(rig.text("promotionMessage")));
        QCOMPARE(reason->text(), u"too short"_s); // kept, to be lengthened
        reason->setText(u"rollback notes land with the hotfix PR today"_s);
        QTest::mouseClick(rig.button("promotionOverride"), Qt::LeftButton);
        QVERIFY(rig.text("promotionMessage").contains(u"Override of changelog recorded"_s));
        QCOMPARE(gate->count(), 0);
        QVERIFY(!gate->isEnabled());
        QCOMPARE(rig.audit.actions(), QStringList{u"gate.override"_s});
    }

    void stuckFollowsTheClock()
    {
        Rig rig;
        rig.services.collected.facts.deployment.value->state = u"BUILDING"_s;
        rig.services.collected.facts.deployment.value->createdMs = rig.clock.nowMs() - 30 * 60000;
        QVERIFY(rig.review());
        QVERIFY(rig.view->findChild<QLabel *>(u"promotionStuck"_s)->isHidden());
        rig.clock.advanceMs(60000);
        rig.session.setDependencies(rig.session.dependencies()); // any change of the session repaints
        QVERIFY(rig.view->findChild<QLabel *>(u"promotionStuck"_s)->isVisible());
        QVERIFY2(rig.text("promotionStuck").contains(u"dpl_stage has been building for 31 min (policy allows 30)"_s),
                 qPrintable(rig.text("promotionStuck")));
    }

    // Accepted, then effective (ADR 0027): the view shows both times; while a round does not agree yet it says
    // "not yet" with what the round saw.
    void promoteShowsAcceptedAndEffective()
    {
        Rig rig;
        EffectiveVerdict pending;
        pending.state = EffectiveVerdict::State::Pending;
        pending.summary = u"accepted, not yet effective: the alias job is in-progress"_s;
        rig.services.effectiveRounds = {pending, FakeServices::effectiveVerdict()};
        QVERIFY(rig.review());
        rig.approveAs(u"oncall-lead"_s);
        QTRY_VERIFY(rig.button("promotionPromote")->isEnabled());
        rig.view->setPromoteConfirmation([](PromotionView *, const QString &, const QString &) { return true; });
        auto *label = rig.view->findChild<QLabel *>(u"promotionEffective"_s);
        QVERIFY(label);
        QVERIFY(label->isHidden());
        QStringList shown;
        connect(&rig.session, &Promotion::changed, label, [&] { shown << label->text(); });
        QSignalSpy promoted(rig.view.get(), &PromotionView::promoted);
        QTest::mouseClick(rig.button("promotionPromote"), Qt::LeftButton);
        QVERIFY(promoted.wait(5000));
        QVERIFY(promoted.first().at(0).toBool());
        QVERIFY2(shown.contains(u"Accepted at 2023-11-14T22:13:20.000Z · Effective at not yet\naccepted, not yet effective: the alias job is in-progress"_s),
                 qPrintable(shown.join(u"\n--\n"_s)));
        QVERIFY(label->isVisible());
        QVERIFY2(label->text().startsWith(u"Accepted at 2023-11-14T22:13:20.000Z · Effective at 2023-11-14T22:13:21.500Z (1.5 s later)\n"
                                          u"effective: 5 of 5 samples on dpl_stage"_s),
                 qPrintable(label->text()));
        QVERIFY(label->styleSheet().contains(u"#2e7d32"_s));
    }

    void promoteAsksAndShowsAVercelFailure()
    {
        Rig rig;
        rig.services.promoteAnswer = Error::make(Error::Kind::Http, u"vercel"_s, u"HTTP 500"_s);
        QVERIFY(rig.review());
        rig.approveAs(u"oncall-lead"_s);
        QTRY_VERIFY(rig.button("promotionPromote")->isEnabled());
        int asked = 0;
        rig.view->setPromoteConfirmation([&](PromotionView *, const QString &id, const QString &digest) {
            ++asked;
            return id == u"dpl_stage"_s && digest == rig.session.digest() && asked > 1; // declines the first time
        });
        QSignalSpy promoted(rig.view.get(), &PromotionView::promoted);
        QTest::mouseClick(rig.button("promotionPromote"), Qt::LeftButton);
        QCOMPARE(asked, 1);
        QCOMPARE(rig.services.count(u"promote"_s), 0);
        QTest::mouseClick(rig.button("promotionPromote"), Qt::LeftButton);
        QVERIFY(promoted.wait(5000));
        QVERIFY(!promoted.first().at(0).toBool());
        QCOMPARE(rig.services.count(u"promote dpl_stage"_s), 1);
        QVERIFY2(rig.text("promotionMessage").contains(u"Vercel did not promote dpl_stage: vercel: HTTP 500"_s),
                 qPrintable(rig.text("promotionMessage")));
        QVERIFY(rig.view->findChild<QLabel *>(u"promotionMessage"_s)->styleSheet().contains(u"#c62828"_s));
        QVERIFY(rig.button("promotionPromote")->isEnabled()); // the approvals still hold: promote again once Vercel answers
    }

    // "Promote to staging…" (§2.2, issue #17 item 5): the deployment named in the candidate field, the confirmation
    // table's stagingPromote (the environment's name, typed), then the staging session over the same services and log.
    void promoteToStagingAsksThenAssigns_data()
    {
        QTest::addColumn<bool>("confirm");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<int>("assigned");
        QTest::addColumn<QString>("message");
        QTest::newRow("confirmed") << true << u"staging"_s << 1 << u"staging.raize.app now serves dpl_preview (before: dpl_stage_auto)."_s;
        QTest::newRow("a near miss is refused") << true << u"Staging"_s << 0 << u"the confirmation was cancelled; nothing was sent"_s;
        QTest::newRow("cancelled") << false << QString() << 0 << u"the confirmation was cancelled; nothing was sent"_s;
    }
    void promoteToStagingAsksThenAssigns()
    {
        QFETCH(bool, confirm);
        QFETCH(QString, typed);
        QFETCH(int, assigned);
        QFETCH(QString, message);
        Raize::Ui::Confirmation::resetHook();
        Rig rig;
        rig.services.collected.facts.deployment.value->id = u"dpl_preview"_s;
        rig.services.collected.facts.deployment.value->target.clear();
        rig.view->setCandidate(u"dpl_preview"_s);
        Raize::Ui::Confirmation::setNextAnswer(confirm, typed);
        QPushButton *button = rig.button("promotionStagingPromote");
        QVERIFY(button && button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(Raize::Ui::Confirmation::asked().size(), 1);
        const Raize::Ui::ConfirmationRequest &asked = Raize::Ui::Confirmation::asked().first();
        QCOMPARE(asked.action, Raize::Policy::ConfirmAction::StagingPromote);
        QCOMPARE(asked.environment, u"staging"_s);
        QVERIFY2(asked.plan.contains(u"POST /v2/deployments/dpl_preview/aliases {\"alias\": \"staging.raize.app\"}"_s), qPrintable(asked.plan));
        if (assigned)
            QTRY_VERIFY(!rig.view->stagingSession()->busy() && rig.services.count(u"domainPointsAt"_s) == 1);
        QCOMPARE(rig.services.count(u"assignDomain dpl_preview staging.raize.app"_s), assigned);
        QTRY_VERIFY2(rig.text("promotionMessage").contains(message), qPrintable(rig.text("promotionMessage")));
        QCOMPARE(rig.audit.actions().contains(u"promotion.staging"_s), assigned == 1);
        Raize::Ui::Confirmation::resetHook();
    }

    // After a promote (issue #19 item 5): listeners read the session as it was at the promote, before the
    // view reviews again; "Draft release notes" asks for that release, and the dialog shows both versions.
    void promoteLeavesItsEvidenceAndDraftsNotes()
    {
        Rig rig;
        QVERIFY(rig.review());
        rig.approveAs(u"oncall-lead"_s);
        QTRY_VERIFY(rig.button("promotionPromote")->isEnabled());
        rig.view->setPromoteConfirmation([](PromotionView *, const QString &, const QString &) { return true; });
        QVERIFY(!rig.button("promotionDraftNotes")->isEnabled());
        std::optional<Records::ReleaseEvidence> evidence;
        connect(rig.view.get(), &PromotionView::promoted, this, [&](bool ok, const QString &) {
            QVERIFY(ok);
            QCOMPARE(rig.view->busy(), false); // not reviewing again yet
            Release::EvidenceSources sources;
            sources.facts = rig.session.facts().facts;
            sources.verdict = rig.session.verdict();
            sources.digest = rig.session.digest();
            sources.openIncidents = QList<Release::OpenIncident>{};
            evidence = Release::releaseEvidenceFrom(sources);
            rig.view->setDraftableRelease(evidence->deploymentId);
        });
        QTest::mouseClick(rig.button("promotionPromote"), Qt::LeftButton);
        QTRY_VERIFY(evidence.has_value());
        QCOMPARE(evidence->deploymentId, u"dpl_stage"_s);
        QVERIFY(evidence->gates.lines && !evidence->gates.lines->isEmpty());
        QTRY_VERIFY(rig.button("promotionDraftNotes")->isEnabled());
        QSignalSpy asked(rig.view.get(), &PromotionView::draftNotesRequested);
        QTest::mouseClick(rig.button("promotionDraftNotes"), Qt::LeftButton);
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.first().at(0).toString(), u"dpl_stage"_s);

        evidence->flags = {u"publishing.scheduler-v2"_s};
        evidence->highlights = Records::EvidencePart::of({u"Scheduler v2 behind publishing.scheduler-v2"_s});
        const auto policy = Records::recordsPolicyFromBundle(Policy::builtinBundle());
        QVERIFY(policy.ok());
        Ui::ReleaseNotesDialog dialog(*evidence, *policy);
        QCOMPARE(dialog.tabs()->count(), 2);
        QVERIFY(dialog.findChild<QPlainTextEdit *>(u"releaseNotesOperator"_s));
        QVERIFY2(dialog.operatorText().contains(u"- Gates: "_s) && dialog.operatorText().contains(u"publishing.scheduler-v2"_s),
                 qPrintable(dialog.operatorText()));
        QVERIFY2(!dialog.clientText().contains(u"publishing.scheduler-v2"_s), qPrintable(dialog.clientText()));
        QVERIFY(dialog.clientText().contains(u"**Known issues**"_s));
        QVERIFY(!dialog.clientText().contains(u"**Rollback plan**"_s));
    }
};

RAIZE_GUI_TEST_MAIN(TestPromotionView)
#include "tst_promotion_view.moc"
