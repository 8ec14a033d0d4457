// Read-only until armed (issue #21 item 3, ADR 0028), without a sandbox: a
// profile not marked sandbox starts read-only; every use case that changes
// something (a flag toggle, a cohort save, an approval and a promotion, a
// gate override) is refused while it is disarmed, allowed while armed and
// refused again once the window has passed on a ManualClock; arming needs a
// reason and an audit record (actor, reason, until), its end is audited;
// the rollback and the kill switch run unarmed.

#include "core/clock.h"
#include "core/settings.h"
#include "fakes/fakepromotionservices.h"
#include "fakes/memoryflagservice.h"
#include "records/auditexport.h"
#include "release/cohortoverride.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "release/promotion.h"
#include "rollback/rollbackexecutor.h"
#include "rollback/rollbackfacts.h"
#include "rollback/rollbackplan.h"
#include "rollback/rollbackreport.h"
#include "rollback/runjournal.h"
#include "workspace/workspace.h"

#include "testutil.h"

#include <QSignalSpy>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

const QString Flag = u"publishing.scheduler-v2"_s;

Services::FlagState flagState(const QString &key, bool on)
{
    Services::FlagState f;
    f.key = key;
    f.environment = u"production"_s;
    f.enabled = on;
    f.type = u"release"_s;
    return f;
}

int nextProfile = 0;

// One profile per rig (settings persist in the test's own XDG folder), its audit log in a temporary folder.
struct Rig
{
    QTemporaryDir dir;
    ManualClock clock;
    std::unique_ptr<Workspace> ws;
    QString profile = u"arming-%1"_s.arg(++nextProfile);

    // marker: "" leaves profile/sandbox unset, else its text ("true", "false").
    explicit Rig(const QString &marker = {})
    {
        {
            Settings s(profile);
            // The test's config folder outlives a run: start each profile from nothing.
            for (const SettingSpec &spec : Settings::specs())
                s.reset(spec.key);
            s.setValue(SettingKey::AuditLogPath, dir.filePath(u"audit.jsonl"_s));
            if (!marker.isEmpty())
                s.setValue(SettingKey::ProfileIsSandbox, marker);
            s.sync();
        }
        ws = Workspace::forProfile(profile, u"raize-console-test"_s);
        ws->setClock(clock);
    }
    QList<Records::AuditRecord> records() const { return Records::AuditExport::readAll(ws->auditLogPath()); }
    QStringList actions() const
    {
        QStringList out;
        for (const Records::AuditRecord &r : records())
            out << r.action;
        return out;
    }
    void passWindow() { clock.advanceMs(qint64(ws->policy().armingWindowMinutes()) * 60'000 + 1000); }
};

// One use case that changes something, driven on a rig: returns what it answered.
using Attempt = std::function<Status(Rig &)>;

// The matrix's path: FlagChangeRunner on an in-memory flag service, the workspace's arming as its guard.
struct FlagRig
{
    RaizeTest::MemoryFlagService service;
    RaizeTest::MemoryAudit audit;
    Release::FlagPoller poller{service, u"production"_s, 60000};
    Release::FlagChangeRunner runner;
    bool on = false;
};

Status toggle(Rig &rig, FlagRig &f)
{
    if (f.service.flags.isEmpty()) {
        f.service.flags = {flagState(Flag, false)};
        f.runner.setService(&f.service, &f.poller, &f.audit);
        f.runner.setWriteGuard(&rig.ws->writeGuard());
    }
    Release::ToggleChange c;
    c.flag = Flag;
    c.environment = u"production"_s;
    c.enabledBefore = f.on;
    c.enabledAfter = !f.on;
    c.summary = u"%1 in production: %2"_s.arg(Flag, f.on ? u"ON → off"_s : u"off → ON"_s);
    const Status s = f.runner.start(c, u"ada"_s, u"matrix"_s);
    if (!s)
        return s;
    // The write reaches the service before the next attempt (one change at a time per flag).
    if (!QTest::qWaitFor([&] { return !f.runner.busy(); }, 5000))
        return Error::make(Error::Kind::Timeout, u"test"_s, u"the change was not read back"_s);
    f.on = !f.on;
    return s;
}

// The cohort editor's save; its cohorts.edit records go to a log of their own, so the rig's holds the arming's only.
struct CohortRig
{
    int edits = 0;
    RaizeTest::MemoryAudit audit;
};

Status saveCohorts(Rig &rig, CohortRig &c)
{
    const Policy::Bundle &bundle = rig.ws->policyBundle();
    QList<Release::Cohort> cohorts = *Release::cohortsFromPolicy(bundle);
    cohorts[0].name = u"House accounts (edit %1)"_s.arg(++c.edits);
    const Result<Release::EffectiveCohorts> saved =
        Release::saveCohorts(rig.ws->settings(), bundle, cohorts, c.audit, u"ada"_s, u"test"_s, &rig.ws->writeGuard());
    if (!saved)
        return saved.error();
    return okStatus();
}

// The promotion as the console drives it: review, approve (gated), promote (gated).
struct PromotionRig
{
    RaizeTest::PromotionFakes::FakeServices services;
    RaizeTest::MemoryAudit audit;
    std::unique_ptr<Release::Promotion> session;
};

std::pair<bool, QString> await(QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(5000))
        return {false, u"(no signal)"_s};
    return {spy.first().at(0).toBool(), spy.first().at(1).toString()};
}

Status promote(Rig &rig, PromotionRig &p)
{
    if (!p.session) {
        p.session = std::make_unique<Release::Promotion>(RaizeTest::PromotionFakes::policy());
        Release::Promotion::Dependencies deps;
        deps.services = &p.services;
        deps.audit = &p.audit;
        deps.records = [&p] { return p.audit.records; };
        deps.clock = &rig.clock;
        deps.guard = &rig.ws->writeGuard();
        p.session->setDependencies(deps);
    }
    Release::Promotion &s = *p.session;
    p.services.login = u"oncall-lead"_s;
    QSignalSpy reviewed(&s, &Release::Promotion::reviewed);
    s.review();
    if (const auto [ok, why] = await(reviewed); !ok)
        return Error::make(Error::Kind::Http, u"test"_s, why);
    QSignalSpy approved(&s, &Release::Promotion::approved);
    s.approve({}, {}, s.digest());
    if (const auto [ok, why] = await(approved); !ok)
        return Error::make(s.failureKind(), u"console"_s, why);
    QSignalSpy promoted(&s, &Release::Promotion::promoted);
    s.promote({}, s.digest());
    if (const auto [ok, why] = await(promoted); !ok)
        return Error::make(s.failureKind(), u"console"_s, why);
    return okStatus();
}

Status override(Rig &rig, PromotionRig &p)
{
    if (!p.session) {
        p.session = std::make_unique<Release::Promotion>(RaizeTest::PromotionFakes::policy());
        Release::Promotion::Dependencies deps;
        deps.services = &p.services;
        deps.audit = &p.audit;
        deps.records = [&p] { return p.audit.records; };
        deps.clock = &rig.clock;
        deps.guard = &rig.ws->writeGuard();
        p.session->setDependencies(deps);
        // A changelog gate that fails, which the policy allows a reviewer to override.
        p.services.collected.facts.changelog.value->clear();
    }
    Release::Promotion &s = *p.session;
    p.services.login = u"oncall-lead"_s;
    QSignalSpy reviewed(&s, &Release::Promotion::reviewed);
    s.review();
    if (const auto [ok, why] = await(reviewed); !ok)
        return Error::make(Error::Kind::Http, u"test"_s, why);
    return s.applyOverride(u"changelog"_s, u"the rollback notes land with the hotfix today"_s, u"oncall-lead"_s);
}

} // namespace

Q_DECLARE_METATYPE(Attempt)

class TestArming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void profileStartsReadOnly_data()
    {
        QTest::addColumn<QString>("marker");
        QTest::addColumn<bool>("readOnly");
        QTest::newRow("no marker: production") << QString() << true;
        QTest::newRow("marked not sandbox") << u"false"_s << true;
        QTest::newRow("marked sandbox") << u"true"_s << false;
    }

    void profileStartsReadOnly()
    {
        QFETCH(QString, marker);
        QFETCH(bool, readOnly);
        Rig rig(marker);
        QCOMPARE(rig.ws->writable(), !readOnly);
        QCOMPARE(rig.ws->armed(), false);
        QCOMPARE(rig.ws->armedUntil(), QDateTime());
        const Status s = rig.ws->mayChange(u"promoting to production"_s);
        QCOMPARE(s.ok(), !readOnly);
        QCOMPARE(rig.ws->arming().readOnlyReason().isEmpty(), !readOnly);
        if (readOnly) {
            QCOMPARE(s.error().kind, Error::Kind::Refused);
            QCOMPARE(s.error().message,
                     u"Profile “%1” is read-only until armed: promoting to production was refused."_s.arg(rig.profile));
            // It says how to arm, in the console and headless, and what stays usable.
            QVERIFY2(s.error().remedy.contains(u"Ctrl+Shift+A"_s) && s.error().remedy.contains(u"--arm REASON"_s) &&
                         s.error().remedy.contains(u"The rollback and the kill switch need no arming."_s),
                     qPrintable(s.error().remedy));
        }
        QVERIFY(rig.records().isEmpty()); // asking records nothing
    }

    // Every use case: refused disarmed (nothing done), allowed armed, refused again after the window; the arming and its end audited.
    void refusedArmedRefusedAgain_data()
    {
        QTest::addColumn<Attempt>("attempt");
        QTest::addColumn<QString>("action");
        auto flags = std::make_shared<FlagRig>();
        QTest::newRow("flag toggle") << Attempt([flags](Rig &rig) { return toggle(rig, *flags); })
                                     << u"%1 in production: off → ON (matrix)"_s.arg(Flag);
        auto cohorts = std::make_shared<CohortRig>();
        QTest::newRow("cohort save") << Attempt([cohorts](Rig &rig) { return saveCohorts(rig, *cohorts); })
                                     << u"saving the canary cohorts"_s;
        auto promotion = std::make_shared<PromotionRig>();
        QTest::newRow("approve and promote")
            << Attempt([promotion](Rig &rig) { return promote(rig, *promotion); }) << u"approving the production deployment"_s;
        auto overrides = std::make_shared<PromotionRig>();
        QTest::newRow("gate override") << Attempt([overrides](Rig &rig) { return override(rig, *overrides); })
                                       << u"overriding the changelog gate"_s;
    }

    void refusedArmedRefusedAgain()
    {
        QFETCH(Attempt, attempt);
        QFETCH(QString, action);
        Rig rig;
        QVERIFY(!rig.ws->writable());

        const Status disarmed = attempt(rig);
        QVERIFY(!disarmed);
        QCOMPARE(disarmed.error().kind, Error::Kind::Refused);
        QVERIFY2(disarmed.error().message.contains(u"is read-only until armed: %1 was refused"_s.arg(action)),
                 qPrintable(disarmed.error().message));

        const QDateTime armedAt = rig.clock.nowUtc();
        QVERIFY(rig.ws->arm(u"promote release 4.2, CHG-1234"_s, u"ada"_s));
        QVERIFY(rig.ws->armed());
        QCOMPARE(rig.ws->armedUntil(), armedAt.addSecs(15 * 60)); // the playbook's window
        const Status armed = attempt(rig);
        QVERIFY2(armed, qPrintable(armed ? QString() : armed.error().toString()));

        // One second short of the end: still armed; past it: refused again, and the end is on record once.
        rig.clock.advanceMs(15 * 60'000 - 1000);
        QVERIFY(rig.ws->armed());
        QCOMPARE(rig.ws->arming().secondsLeft(), 1);
        QSignalSpy expired(&rig.ws->arming(), &Arming::expired);
        rig.clock.advanceMs(1000);
        QVERIFY(!rig.ws->armed());
        const Status again = attempt(rig);
        QVERIFY(!again);
        QCOMPARE(again.error().kind, Error::Kind::Refused);
        QCOMPARE(expired.size(), 1);
        rig.ws->arming().poll();
        QCOMPARE(expired.size(), 1);

        const QList<Records::AuditRecord> records = rig.records();
        QCOMPARE(rig.actions(), (QStringList{u"arming.arm"_s, u"arming.expire"_s}));
        const Records::AuditRecord &arm = records[0];
        QCOMPARE(arm.actor, u"ada"_s);
        QCOMPARE(arm.target, rig.profile);
        QCOMPARE(arm.reason, u"promote release 4.2, CHG-1234"_s);
        QCOMPARE(arm.before["armed"].get<bool>(), false);
        QCOMPARE(arm.after["armed"].get<bool>(), true);
        QCOMPARE(QString::fromStdString(arm.after["until"].get<std::string>()),
                 armedAt.addSecs(15 * 60).toString(Qt::ISODateWithMs));
        QCOMPARE(arm.after["windowMinutes"].get<int>(), 15);
        QCOMPARE(QString::fromStdString(arm.after["scope"].get<std::string>()), u"console"_s);
        const Records::AuditRecord &end = records[1];
        QCOMPARE(end.actor, u"console"_s);
        QCOMPARE(end.after["armed"].get<bool>(), false);
        QVERIFY2(end.reason.contains(u"the arming window of 15 minutes that ada opened ended"_s), qPrintable(end.reason));
    }

    // The window is the policy's: a tenant bundle may shorten it (a longer one is refused: test_effective_policy).
    void windowComesFromThePolicy()
    {
        Rig rig;
        QFile acme(RaizeTest::dataDir() + u"/policy/tenant-acme.json"_s);
        QVERIFY(acme.open(QIODevice::ReadOnly));
        nlohmann::json tenant = nlohmann::json::parse(acme.readAll().toStdString());
        tenant["arming"] = {{"windowMinutes", 5}};
        const QString path = rig.dir.filePath(u"tenant.json"_s);
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray::fromStdString(tenant.dump()));
        out.close();
        rig.ws->settings().setValue(SettingKey::PolicyBundlePath, path);
        rig.ws->reloadPolicy();
        QVERIFY2(!rig.ws->readOnly(), qPrintable(rig.ws->policy().readOnlyReason()));
        QCOMPARE(rig.ws->policy().armingWindowMinutes(), 5);
        const QDateTime armedAt = rig.clock.nowUtc();
        QVERIFY(rig.ws->arm(u"hotfix 4.2.1"_s, u"ada"_s));
        QCOMPARE(rig.ws->armedUntil(), armedAt.addSecs(5 * 60));
        rig.clock.advanceMs(5 * 60'000);
        QVERIFY(!rig.ws->mayChange(u"x"_s));
        QCOMPARE(rig.actions(), (QStringList{u"arming.arm"_s, u"arming.expire"_s}));
        QCOMPARE(rig.records().first().after["windowMinutes"].get<int>(), 5);

        // A refused bundle leaves the profile read-only: it cannot be armed either.
        tenant["arming"] = {{"windowMinutes", 60}};
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(QByteArray::fromStdString(tenant.dump()));
        out.close();
        rig.ws->reloadPolicy();
        QVERIFY(rig.ws->readOnly());
        const Status refused = rig.ws->arm(u"hotfix 4.2.1"_s, u"ada"_s);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(u"policy bundle is refused"_s), qPrintable(refused.error().message));
    }

    void armingNeedsAReasonAndItsRecord_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("logWritable");
        QTest::addColumn<QString>("message");
        QTest::newRow("no reason") << QString() << true << u"Arming needs a reason"_s;
        QTest::newRow("blank reason") << u"   "_s << true << u"Arming needs a reason"_s;
        QTest::newRow("the audit log refuses") << u"hotfix"_s << false << u"The audit log refused the arming record"_s;
    }

    void armingNeedsAReasonAndItsRecord()
    {
        QFETCH(QString, reason);
        QFETCH(bool, logWritable);
        QFETCH(QString, message);
        Rig rig;
        if (!logWritable) {
            // A folder where the log file should be: no record can be written.
            QVERIFY(QDir().mkpath(rig.ws->auditLogPath()));
        }
        const Status s = rig.ws->arm(reason, u"ada"_s);
        QVERIFY(!s);
        QVERIFY2(s.error().message.contains(message), qPrintable(s.error().toString()));
        QVERIFY(!rig.ws->armed());
        QVERIFY(!rig.ws->mayChange(u"anything"_s));
        if (logWritable)
            QVERIFY(rig.records().isEmpty());
    }

    void disarmIsAuditedAndSandboxNeedsNone()
    {
        Rig rig;
        QVERIFY(rig.ws->arm(u"expand to lowrisk"_s, u"ada"_s));
        QVERIFY(rig.ws->mayChange(u"x"_s));
        QSignalSpy expired(&rig.ws->arming(), &Arming::expired);
        QVERIFY(rig.ws->disarm(u"ada"_s));
        QVERIFY(!rig.ws->armed());
        QVERIFY(!rig.ws->mayChange(u"x"_s));
        QCOMPARE(expired.size(), 0); // a disarm is not an expiry
        QCOMPARE(rig.actions(), (QStringList{u"arming.arm"_s, u"arming.disarm"_s}));
        QCOMPARE(rig.records().last().actor, u"ada"_s);
        QVERIFY(rig.ws->disarm(u"ada"_s)); // nothing armed: nothing recorded
        QCOMPARE(rig.records().size(), 2);

        // Marking the profile sandbox: audited with before and after, and changes need no arming.
        QVERIFY(rig.ws->setSandboxMarker(true, u"ada"_s));
        QVERIFY(rig.ws->writable());
        const Records::AuditRecord marker = rig.records().last();
        QCOMPARE(marker.action, u"settings.change"_s);
        QCOMPARE(marker.target, u"profile/sandbox"_s);
        QCOMPARE(marker.actor, u"ada"_s);
        QCOMPARE(marker.before["value"].get<bool>(), false);
        QCOMPARE(marker.after["value"].get<bool>(), true);
        QCOMPARE(Settings(rig.profile).boolean(SettingKey::ProfileIsSandbox), true);
        QVERIFY(rig.ws->setSandboxMarker(true, u"ada"_s)); // unchanged: no record
        QCOMPARE(rig.records().size(), 3);
        QVERIFY(rig.ws->setSandboxMarker(false, u"ada"_s));
        QVERIFY(!rig.ws->writable());
        QCOMPARE(rig.records().size(), 4);
    }

    // The playbook's exception: the kill switch and the rollback's flag steps run on a disarmed profile.
    void rollbackAndKillSwitchRunUnarmed_data()
    {
        QTest::addColumn<bool>("killSwitch");
        QTest::newRow("kill switch") << true;
        QTest::newRow("rollback") << false;
    }

    void rollbackAndKillSwitchRunUnarmed()
    {
        QFETCH(bool, killSwitch);
        Rig rig;
        QVERIFY(!rig.ws->writable());
        RaizeTest::MemoryFlagService service;
        service.flags = {flagState(u"publishing.enabled"_s, true)};
        Rollback::Inputs in;
        in.trigger = Rollback::Trigger::WrongAccountSideEffect;
        in.policy = rig.ws->policy().rollback();
        in.policy.killSwitchParent.clear();
        for (const Services::FlagState &f : service.flags) {
            Rollback::FlagFact fact;
            fact.key = f.key;
            fact.enabled = f.enabled;
            in.flags << fact;
        }
        in.flagEnvironment = u"production"_s;
        Rollback::Clients clients;
        clients.flags = &service;
        in.render = Rollback::renderWith(clients);
        Rollback::Plan plan = Rollback::buildPlan(in);
        if (killSwitch)
            plan = Rollback::killSwitchPlan(plan);
        QVERIFY(!plan.steps.isEmpty());
        QVERIFY(plan.steps.first().as<Services::ServeChange>());
        QTemporaryDir dir;
        Result<Rollback::RunJournal> journal =
            Rollback::RunJournal::create(dir.path(), {{"kind", killSwitch ? "kill-switch" : "rollback"}});
        QVERIFY(journal);
        Rollback::ExecOptions options;
        options.pollMs = 10;
        options.confirmTimeoutMs = 500;
        Rollback::Executor ex(std::move(journal).value(), plan, clients, options);
        QSignalSpy failed(&ex, &Rollback::Executor::stepFailed);
        ex.start();
        QTRY_VERIFY(!service.calls.isEmpty());
        QVERIFY2(service.calls.first().startsWith(u"serve publishing.enabled production"_s),
                 qPrintable(service.calls.join(u'\n')));
        QVERIFY(service.calls.first().endsWith(u" off"_s));
        QCOMPARE(service.flags.first().enabled, false);
        QVERIFY(!rig.ws->writable()); // still read-only: nothing was armed for it
        QVERIFY(rig.records().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestArming)
#include "tst_arming.moc"
