// Issue #8, part 3: the canary toggle matrix against the release sandbox's
// real Unleash (bad-l3-release flags, production). Widening in production
// asks first and shows exactly what changes; cancelling sends nothing; a
// change is "pending…" until the flag service's read-back shows it; every
// request and outcome is an audit record; §4.3 refuses a new L3 flag outside
// the house canary; narrowing needs no confirmation.

#include "canary/canarymatrix.h"
#include "widgets/confirmation.h"

#include "core/servicemonitor.h"
#include "net/httpclient.h"
#include "policy/policybundle.h"
#include "records/auditlog.h"
#include "release/flagpoller.h"
#include "services/flags/unleashclient.h"

#include "sandboxfixture.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

// Records in memory, as the audit log would take them.
class MemoryAudit : public Records::AuditSink
{
public:
    Status append(Records::AuditRecord &record) override
    {
        record.seq = records.size() + 1;
        records.append(record);
        return okStatus();
    }
    QList<Records::AuditRecord> records;
    QStringList actions() const
    {
        QStringList out;
        for (const auto &r : records)
            out << r.action + u' ' + r.target;
        return out;
    }
};

} // namespace

class TestCanaryMatrix : public QObject
{
    Q_OBJECT

    RaizeTest::SandboxFixture m_sandbox;

    static void select(Ui::CanaryMatrix &m, const QString &flag, const Release::MatrixColumn &column)
    {
        m.table()->setCurrentIndex(m.model()->index(m.model()->rowOf(flag), m.model()->columnOf(column)));
    }

    static QString cell(Ui::CanaryMatrix &m, const QString &flag, const Release::MatrixColumn &column)
    {
        return m.model()->index(m.model()->rowOf(flag), m.model()->columnOf(column)).data().toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_sandbox.start(u"bad-l3-release"_s);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void togglesWithConfirmationReadBackAndAudit()
    {
        ServiceMonitor monitor;
        Net::HttpClient http(&monitor);
        http.setToken(Service::Flags, m_sandbox.token(u"unleashAdmin"_s));
        http.setRetryPolicy({1, 10, 10, 10});
        Services::UnleashClient unleash(http, QUrl(m_sandbox.url(u"unleash"_s)), u"default"_s, u"production"_s);
        Release::FlagPoller poller(unleash, u"production"_s, 60000); // only the matrix's read-backs refresh it
        MemoryAudit audit;

        const auto cohorts = *Release::cohortsFromPolicy(Policy::builtinBundle());
        Release::ToggleRules rules;
        rules.sideEffects.prefixes = {u"publishing."_s, u"engagement."_s, u"browser-lane."_s};
        rules.firstCanary = cohorts[0].scope();
        rules.firstCanaryCohort = cohorts[0].id;

        Ui::CanaryMatrix matrix;
        QAbstractItemModelTester tester(matrix.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        matrix.setRules(rules, cohorts);
        matrix.setService(&unleash, &poller, u"production"_s, &audit);
        matrix.resize(1200, 500);
        matrix.show();
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(poller.snapshot().hasData(), 15000);
        QTRY_VERIFY(matrix.model()->rowCount() > 0);

        using K = Release::MatrixColumn::Kind;
        const QString beta = u"publishing.client-bloom-beta"_s;
        const Release::MatrixColumn bloom{K::Client, u"client-bloom"_s}, fjord{K::Client, u"client-fjord"_s}, global{K::Global, {}};
        QCOMPARE(cell(matrix, beta, bloom), u"ON"_s);
        QCOMPARE(cell(matrix, beta, fjord), u"off"_s);
        QCOMPARE(cell(matrix, u"publishing.scheduler-v2"_s, Release::MatrixColumn{K::Client, u"house"_s}), u"ON"_s); // cohort IN house
        QCOMPARE(cell(matrix, u"publishing.scheduler-v2"_s, bloom), u"off"_s);
        QCOMPARE(cell(matrix, u"publishing.scheduler-v2"_s, global), u"partial"_s);

        // 0. Nobody can be named (issue #17: the actor is the GitHub token's login, never $USER): refused with the
        // reason before any question; nothing is sent or recorded.
        Ui::Confirmation::resetHook();
        matrix.setIdentity(Identity{{}, u"GitHub is not configured"_s});
        select(matrix, beta, fjord);
        matrix.findChild<QPushButton *>(u"matrixTurnOnButton"_s)->click();
        QVERIFY(Ui::Confirmation::asked().isEmpty());
        QVERIFY(!matrix.pending());
        QVERIFY(audit.records.isEmpty());
        QVERIFY2(matrix.message().contains(u"who you are is unknown (GitHub is not configured)"_s), qPrintable(matrix.message()));
        matrix.setIdentity(Identity{u"oncall-lead"_s, {}});

        // 1. Widening, cancelled: the confirmation says exactly what changes; nothing is sent or recorded.
        Ui::Confirmation::resetHook();
        Ui::Confirmation::setNextAnswer(false, u"production"_s);
        select(matrix, beta, fjord);
        matrix.findChild<QPushButton *>(u"matrixTurnOnButton"_s)->click();
        QCOMPARE(Ui::Confirmation::asked().size(), 1);
        QCOMPARE(Ui::Confirmation::asked().last().action, Policy::ConfirmAction::ProductionToggle);
        const QString plan = Ui::Confirmation::asked().last().plan;
        QVERIFY2(plan.contains(u"Change:      publishing.client-bloom-beta in production: ON for clients client-bloom → ON for clients client-bloom, client-fjord"_s),
                 qPrintable(plan));
        QVERIFY(!matrix.pending());
        QVERIFY(audit.records.isEmpty());
        QVERIFY2(matrix.message().startsWith(u"Cancelled; nothing was sent"_s), qPrintable(matrix.message()));
        // A near miss (the name capitalised) is no confirmation either.
        Ui::Confirmation::setNextAnswer(true, u"Production"_s);
        matrix.findChild<QPushButton *>(u"matrixTurnOnButton"_s)->click();
        QVERIFY(!matrix.pending());
        QVERIFY(audit.records.isEmpty());

        // 2. Widening, confirmed with the environment's name: pending (never shown as on) until the read-back shows it.
        Ui::Confirmation::setNextAnswer(true, u"production"_s);
        matrix.findChild<QPushButton *>(u"matrixTurnOnButton"_s)->click();
        QCOMPARE(Ui::Confirmation::asked().size(), 3);
        QVERIFY(matrix.pending());
        QCOMPARE(cell(matrix, beta, fjord), u"pending…"_s);
        QCOMPARE(audit.actions(), QStringList{u"flag.toggle.requested publishing.client-bloom-beta@production"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!matrix.pending(), 20000);
        QVERIFY2(matrix.message().startsWith(u"Confirmed by read-back"_s), qPrintable(matrix.message()));
        QCOMPARE(cell(matrix, beta, fjord), u"ON"_s);
        QCOMPARE(audit.records.size(), 2);
        QCOMPARE(audit.records[1].action, u"flag.toggle.confirmed"_s);
        QCOMPARE(audit.records[0].actor, u"oncall-lead"_s);
        QCOMPARE(audit.records[1].actor, u"oncall-lead"_s);
        QVERIFY(audit.records[1].before == nlohmann::json({{"enabled", true}, {"scope", "clients client-bloom"}}));
        QCOMPARE(QString::fromStdString(audit.records[1].after.value("scope", "")), u"clients client-bloom, client-fjord"_s);
        // The flag service itself says so.
        bool done = false;
        Result<Services::FlagState> read = Error{};
        unleash.flag(beta, u"production"_s, [&](const Result<Services::FlagState> &r) {
            read = r;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY(read.ok());
        QCOMPARE(Release::editableScope(*read)->clientIds.size(), 2);

        // 3. Narrowing needs no confirmation, and is confirmed by read-back the same way.
        select(matrix, beta, fjord);
        matrix.findChild<QPushButton *>(u"matrixTurnOffButton"_s)->click();
        QVERIFY(matrix.pending());
        QTRY_VERIFY_WITH_TIMEOUT(!matrix.pending(), 20000);
        QCOMPARE(cell(matrix, beta, fjord), u"off"_s);
        QCOMPARE(cell(matrix, beta, bloom), u"ON"_s);
        QCOMPARE(audit.records.size(), 4);

        // 4. §4.3: the new L3 flag (off in production) may not start global; nothing is asked or sent.
        select(matrix, u"engagement.auto-reply"_s, global);
        matrix.findChild<QPushButton *>(u"matrixTurnOnButton"_s)->click();
        QVERIFY(!matrix.pending());
        QVERIFY2(matrix.message().contains(u"starts in the house-accounts canary"_s), qPrintable(matrix.message()));
        QCOMPARE(audit.records.size(), 4);
        QCOMPARE(cell(matrix, u"engagement.auto-reply"_s, global), u"off"_s);
        QCOMPARE(Ui::Confirmation::asked().size(), 3); // narrowing and the refusal asked nothing

        // 5. A failing flag service: the change is reported as not applied, and recorded so.
        select(matrix, beta, bloom);
        const quint16 wrongPort = 9;
        Services::UnleashClient down(http, QUrl(u"http://127.0.0.1:%1"_s.arg(wrongPort)), u"default"_s, u"production"_s);
        matrix.setService(&down, &poller, u"production"_s, &audit);
        select(matrix, beta, bloom);
        matrix.findChild<QPushButton *>(u"matrixTurnOffButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!matrix.pending(), 30000);
        QVERIFY2(matrix.message().startsWith(u"Not applied"_s), qPrintable(matrix.message()));
        QCOMPARE(audit.records.last().action, u"flag.toggle.failed"_s);
        QCOMPARE(cell(matrix, beta, bloom), u"ON"_s); // nothing shown that the service did not confirm
    }
};

QTEST_MAIN(TestCanaryMatrix)
#include "tst_canary_matrix.moc"
