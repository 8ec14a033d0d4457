// The effective policy (issue #14, item 1; ADR 0017): the built-in bundle,
// the tenant's bundle over it and the profile's cohort override, parsed once.
// A tenant bundle that turns auto-pacing on, tightens an SLO objective,
// renames a cohort and adds a side-effect flag is honoured by the core
// consumers (gates, toggle rules, auto-pacing, rollback planner); an invalid
// bundle (bad JSON, a loosened floor, a changed cohort id) is refused as a
// whole with its line and reason, and the profile opens read-only.

#include "workspace/effectivepolicy.h"

#include "core/settings.h"
#include "policy/jsonpositions.h"
#include "release/autopacing.h"
#include "release/gates.h"
#include "release/togglematrix.h"
#include "rollback/rollbackplan.h"

#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;

namespace {

const QString TenantName = u"tenant-acme.json"_s;
const QString CliProfile = u"effectivepolicycli"_s;

struct Run
{
    int code = -1;
    QString out, err;
};

Run cli(QStringList args)
{
    QProcess p;
    p.start(RaizeTest::consoleBinary(), args << u"--profile"_s << CliProfile);
    if (!p.waitForFinished(60000))
        p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QByteArray acmeText()
{
    QFile f(RaizeTest::dataDir() + u"/policy/"_s + TenantName);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read the test bundle %s", qPrintable(f.fileName()));
    return f.readAll();
}

Result<EffectivePolicy> withTenant(const QByteArray &text, const QString &cohortOverride = {})
{
    return EffectivePolicy::build(Policy::builtinBundle(), EffectivePolicy::TenantLayer{u"/etc/raize/"_s + TenantName, text},
                                  cohortOverride);
}

EffectivePolicy acme()
{
    Result<EffectivePolicy> p = withTenant(acmeText());
    if (!p)
        qFatal("the acme bundle is refused: %s", qPrintable(p.error().toString()));
    return std::move(p).value();
}

Services::FlagState flag(const QString &key, bool enabled)
{
    Services::FlagState f;
    f.key = key;
    f.environment = u"production"_s;
    f.enabled = enabled;
    return f;
}

} // namespace

class TestEffectivePolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinIsItsOwnFloor()
    {
        const EffectivePolicy &p = EffectivePolicy::builtin();
        QVERIFY(!p.readOnly());
        QVERIFY(p.readOnlyReason().isEmpty());
        QVERIFY(EffectivePolicy::floorViolations(p, p).isEmpty());
        // One side-effect list, and §1 puts token refresh in L3: tokens.* is a side effect everywhere.
        for (const QString &key : {u"publishing.x"_s, u"engagement.x"_s, u"browser-lane.x"_s, u"tokens.refresh-v2"_s}) {
            QVERIFY2(p.sideEffectFlags().matches(key), qPrintable(key));
            QVERIFY2(p.gates().sideEffects.matches(key), qPrintable(key));
            QVERIFY2(p.toggleRules().sideEffects.matches(key), qPrintable(key));
            QVERIFY2(p.rollback().sideEffects.matches(key), qPrintable(key));
        }
        QVERIFY(!p.sideEffectFlags().matches(u"ui.new-calendar"_s));
        QVERIFY(!p.autoPacing());
        QCOMPARE(p.rollback().sideEffectQueues, QStringList{u"runner"_s});
        QCOMPARE(p.rollback().incidentLabels, QStringList({u"incident"_s, u"rollback"_s}));
        QCOMPARE(p.rollback().queueDrainSeconds, 120);
        QCOMPARE(p.toggleRules().firstCanaryCohort, u"house"_s);
        // The confirmation table with its defaults.
        QCOMPARE(qsizetype(p.confirmations().rules.size()), Policy::allConfirmActions().size());
        QCOMPARE(p.confirmations().rule(Policy::ConfirmAction::Rollback).requirement, Policy::ConfirmRequirement::EnvironmentName);
        QCOMPARE(p.confirmations().rule(Policy::ConfirmAction::Promote).requirement, Policy::ConfirmRequirement::EnvironmentName);
        QCOMPARE(p.confirmations().rule(Policy::ConfirmAction::CohortSave).requirement, Policy::ConfirmRequirement::None);
        QVERIFY(p.confirmations().rules == Policy::builtinConfirmations().rules);
        QCOMPARE(p.layers(), QStringList{u"built-in playbook-v1"_s});
    }

    void tenantBundleIsLaidOverTheBuiltin()
    {
        const EffectivePolicy p = acme();
        QVERIFY(!p.readOnly());
        QCOMPARE(p.bundle().id, u"acme-v3"_s);
        QCOMPARE(p.layers().size(), 2);
        QVERIFY(p.layers().last().contains(u"acme-v3"_s));
        QVERIFY(p.autoPacing());
        QCOMPARE(p.slos().first().id, u"publish_success"_s);
        QCOMPARE(p.slos().first().objective, 0.999);
        // The SLO table (slos[].series) survives a tenant's list that does not write it.
        QCOMPARE(p.slos().first().labels, EffectivePolicy::builtin().slos().first().labels);
        QVERIFY(!p.slos().first().labels.isEmpty());
        QCOMPARE(p.slos().first().services, QStringList{u"runner"_s});
        QCOMPARE(p.cohorts().at(1).id, u"lowrisk"_s);
        QCOMPARE(p.cohorts().at(1).name, u"Pilot clients"_s);
        QVERIFY(p.sideEffectFlags().matches(u"crm.sync-contacts"_s));
        QVERIFY(!EffectivePolicy::builtin().sideEffectFlags().matches(u"crm.sync-contacts"_s));
        // What the tenant does not write is the playbook's.
        QCOMPARE(p.gates().minReviewsL3, 2);
        QCOMPARE(p.burnRules().size(), EffectivePolicy::builtin().burnRules().size());
        QCOMPARE(p.rollback().sideEffectQueues, QStringList{u"runner"_s});
    }

    void cohortOverrideIsTheLastLayer()
    {
        QList<Release::Cohort> edited = acme().cohorts();
        edited[0].platformAccountIds << u"acct-house-li"_s;
        const QString text = QString::fromStdString(Release::cohortsToJson(edited).dump());
        const Result<EffectivePolicy> p = withTenant(acmeText(), text);
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QVERIFY(p->cohortSource().fromSettings);
        QCOMPARE(p->cohorts(), edited);
        QVERIFY(p->toggleRules().firstCanary.platformAccountIds.contains(u"acct-house-li"_s));
        QCOMPARE(p->layers().size(), 3);
        // An override that does not fit is not used, and says why (ADR 0006).
        const Result<EffectivePolicy> bad = withTenant(acmeText(), u"[{\"id\": \"house\"}]"_s);
        QVERIFY(bad.ok());
        QVERIFY(!bad->cohortSource().fromSettings);
        QVERIFY(bad->cohortSource().overrideError.has_value());
        QCOMPARE(bad->cohorts(), acme().cohorts());
    }

    // Every refusal names the tenant file, the line and the field, and nothing of the bundle is used.
    void invalidBundleIsRefusedWhole_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("reason");
        const QByteArray canary = "  \"canary\": { \"autoPacing\": true, \"newL3FlagsDefault\": \"off\" },";
        const auto onCanaryLine = [&](const char *extra) -> QByteArray { return canary + " " + QByteArray(extra); };
        QTest::newRow("bad JSON: a missing comma") << QByteArray("\"id\": \"acme-v3\",") << QByteArray("\"id\": \"acme-v3\"") << 5
                                                   << QString() << u"syntax error"_s;
        QTest::newRow("bad JSON: a trailing comma") << QByteArray("\"flags\": [\"crm.sync-contacts\"]")
                                                    << QByteArray("\"flags\": [\"crm.sync-contacts\"],") << 13 << QString() << u"syntax error"_s;
        QTest::newRow("envelope: wrong schema") << QByteArray("\"schema\": \"raize.policy\"") << QByteArray("\"schema\": \"other\"") << 2
                                                << u"schema"_s << u"must be \"raize.policy\""_s;
        QTest::newRow("section: objective out of range") << QByteArray("\"objective\": 0.999") << QByteArray("\"objective\": 1.5") << 22
                                                         << u"slos[0].objective"_s << u"strictly between 0 and 1"_s;
        QTest::newRow("floor: looser objective") << QByteArray("\"objective\": 0.999") << QByteArray("\"objective\": 0.99") << 22
                                                 << u"slos[0].objective"_s << u"objectives may only get stricter"_s;
        QTest::newRow("floor: looser latency threshold") << QByteArray("\"thresholdSeconds\": 60,") << QByteArray("\"thresholdSeconds\": 90,") << 23
                                                         << u"slos[1].thresholdSeconds"_s << u"looser than the playbook's 60 s"_s;
        QTest::newRow("floor: drops an SLO") << QByteArray(",\n    {\"id\": \"http_errors\"") << QByteArray("]}\n    ,{\"id\": \"x\"") << 21
                                             << u"slos"_s << u"drops the SLO"_s;
        QTest::newRow("floor: tokens. is no side effect") << QByteArray("\"browser-lane.\", \"tokens.\"]") << QByteArray("\"browser-lane.\"]")
                                                          << 11 << u"sideEffectFlags.prefixes"_s << u"drops \"tokens.\""_s;
        QTest::newRow("floor: L3 by one person") << canary << onCanaryLine("\"gates\": { \"minReviews\": { \"default\": 1, \"L3\": 1 } },") << 8
                                                 << u"gates.minReviews.L3"_s << u"L3 needs two people"_s;
        QTest::newRow("floor: one L3 approval") << canary << onCanaryLine("\"promotion\": { \"approvals\": { \"default\": 1, \"L3\": 1 } },") << 8
                                                << u"promotion.approvals.L3"_s << u"two people"_s;
        QTest::newRow("floor: authors approve") << canary << onCanaryLine("\"promotion\": { \"authorsMayApprove\": true },") << 8
                                                << u"promotion.authorsMayApprove"_s << u"must stay false"_s;
        QTest::newRow("floor: new L3 flags on") << QByteArray("\"newL3FlagsDefault\": \"off\"") << QByteArray("\"newL3FlagsDefault\": \"on\"") << 8
                                                << u"canary.newL3FlagsDefault"_s << u"must stay \"off\""_s;
        QTest::newRow("floor: override a forbidden gate") << canary << onCanaryLine("\"overrides\": { \"gates\": { \"l3-flags-off\": \"allowed\" } },")
                                                          << 8 << u"overrides.gates.l3-flags-off"_s << u"forbids overriding"_s;
        QTest::newRow("floor: drops a required check") << canary << onCanaryLine("\"gates\": { \"requiredChecks\": [\"lint\", \"unit\"] },") << 8
                                                       << u"gates.requiredChecks"_s << u"drops \"typecheck\""_s;
        QTest::newRow("floor: shorter L3 observation")
            << canary << onCanaryLine("\"rollout\": { \"observationMinutes\": { \"L0\": 0, \"L1\": 30, \"L2\": 60, \"L3\": 45 } },") << 8
            << u"rollout.observationMinutes.L3"_s << u"shorter than the playbook's 120 min"_s;
        QTest::newRow("floor: rollback without confirmation") << canary << onCanaryLine("\"confirmations\": { \"rollback\": { \"require\": \"none\" } },")
                                                              << 8 << u"confirmations.rollback.require"_s << u"loosens the playbook's floor"_s;
        QTest::newRow("floor: arming without confirmation") << canary << onCanaryLine("\"confirmations\": { \"arm\": { \"require\": \"none\" } },")
                                                            << 8 << u"confirmations.arm.require"_s << u"arming opens a read-only profile"_s;
        QTest::newRow("floor: longer arming window") << canary << onCanaryLine("\"arming\": { \"windowMinutes\": 60 },") << 8
                                                     << u"arming.windowMinutes"_s << u"60 is longer than the playbook's 15"_s;
        QTest::newRow("section: arming window not a number") << canary << onCanaryLine("\"arming\": { \"windowMinutes\": \"15\" },") << 8
                                                             << u"arming.windowMinutes"_s << u"must be a whole number of minutes"_s;
        QTest::newRow("section: arming window of none") << canary << onCanaryLine("\"arming\": { \"windowMinutes\": 0 },") << 8
                                                        << u"arming.windowMinutes"_s << u"0 is outside 1–240 minutes"_s;
        QTest::newRow("floor: slower page alert") << canary
                                                  << onCanaryLine("\"burnAlerts\": [{ \"severity\": \"page\", \"burnRate\": 20, \"longWindow\": \"1h\", \"shortWindow\": \"5m\" }],")
                                                  << 8 << u"burnAlerts"_s << u"alerts may only fire sooner"_s;
        QTest::newRow("cohort id changed") << QByteArray("{\"id\": \"lowrisk\", \"name\": \"Pilot clients\"")
                                           << QByteArray("{\"id\": \"pilot\", \"name\": \"Pilot clients\"") << 17 << u"cohorts[1].id"_s
                                           << u"changes the id of cohort \"lowrisk\" to \"pilot\""_s;
        QTest::newRow("cohort dropped") << QByteArray(",\n    {\"id\": \"broad\"") << QByteArray("]}\n    ,{\"id\": \"broad\"") << 15
                                        << u"cohorts"_s << u"drops cohort \"broad\""_s;
        QTest::newRow("old side-effect lists disagree")
            << canary << onCanaryLine("\"rollback\": { \"sideEffectFlagPrefixes\": [\"publishing.\", \"engagement.\", \"browser-lane.\"] },") << 8
            << u"rollback.sideEffectFlagPrefixes"_s << u"tokens. only in sideEffectFlags.prefixes"_s;
        // The rollback's own guard is gone: the confirmations table is the one place (ADR 0015).
        QTest::newRow("old rollback guard") << canary << onCanaryLine("\"rollback\": { \"guard\": \"click\" },") << 8 << u"rollback.guard"_s
                                            << u"unknown key"_s;
        // The way back through the canary (ADR 0034): allowed or forbidden, nothing else.
        QTest::newRow("restore without the fix: unknown value") << canary
                                                                << onCanaryLine("\"rollback\": { \"restore\": { \"withoutFix\": \"sometimes\" } },") << 8
                                                                << u"rollback.restore.withoutFix"_s << u"\"allowed\" or \"forbidden\""_s;
    }

    void invalidBundleIsRefusedWhole()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(int, line);
        QFETCH(QString, field);
        QFETCH(QString, reason);
        QByteArray text = acmeText();
        QVERIFY2(text.contains(from), from.constData());
        text.replace(text.indexOf(from), from.size(), to);
        // The "drops" rows cut the list short and leave the rest as a key the bundle does not read.
        if (text.contains("]}\n    ,{")) {
            const qsizetype cut = text.indexOf("]}\n    ,{");
            const qsizetype end = text.indexOf("\n  ]", cut);
            text.remove(cut, end + 4 - cut);
            text.insert(cut, "\n  ]");
        }
        const Result<EffectivePolicy> p = withTenant(text);
        QVERIFY2(!p.ok(), text.constData());
        const Error &e = p.error();
        QCOMPARE(e.kind, Error::Kind::Config);
        QVERIFY2(e.message.startsWith(TenantName + u':' + QString::number(line) + u':'), qPrintable(e.message));
        QVERIFY2(e.message.contains(reason), qPrintable(e.message));
        QCOMPARE(e.fieldPath, field);
        if (!field.isEmpty())
            QVERIFY2(e.message.contains(field), qPrintable(e.message));
        QVERIFY(!e.remedy.isEmpty());
    }

    void loadRefusesAndOpensReadOnly_data()
    {
        QTest::addColumn<QByteArray>("text"); // empty: the file does not exist
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing file") << QByteArray() << u"cannot read the policy bundle"_s;
        QTest::newRow("loosened floor") << acmeText().replace("\"objective\": 0.999", "\"objective\": 0.9")
                                        << TenantName + u":22: slos[0].objective"_s;
        QTest::newRow("bad JSON") << acmeText().replace("\"id\": \"acme-v3\",", "\"id\": \"acme-v3\"") << TenantName + u":5:"_s;
    }

    void loadRefusesAndOpensReadOnly()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath(TenantName);
        if (!text.isEmpty()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        }
        Settings settings(u"tenant"_s, dir.path());
        settings.setValue(SettingKey::PolicyBundlePath, path);
        const EffectivePolicy p = EffectivePolicy::load(settings);
        QVERIFY(p.readOnly());
        QVERIFY2(p.readOnlyReason().contains(reason), qPrintable(p.readOnlyReason()));
        QVERIFY2(p.describe().startsWith(u"Read-only"_s), qPrintable(p.describe()));
        QVERIFY(p.layers().first().contains(u"read-only"_s));
        // Nothing of the refused bundle is used: the parts are the playbook's floors.
        QVERIFY(!p.autoPacing());
        QVERIFY(!p.sideEffectFlags().matches(u"crm.sync-contacts"_s));
        QCOMPARE(p.bundle().id, u"playbook-v1"_s);

        // The same file, fixed: read-write, the tenant's parts. --policy wins over the setting.
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(acmeText());
        f.close();
        const EffectivePolicy fixed = EffectivePolicy::load(settings);
        QVERIFY2(!fixed.readOnly(), qPrintable(fixed.readOnlyReason()));
        QVERIFY(fixed.autoPacing());
        const EffectivePolicy viaOption = EffectivePolicy::load(settings, dir.filePath(u"other.json"_s));
        QVERIFY(viaOption.readOnly());
        QVERIFY(viaOption.readOnlyReason().contains(u"other.json"_s));
    }

    void positionsFollowPaths()
    {
        const Policy::JsonPositions pos = Policy::JsonPositions::scan(acmeText());
        QCOMPARE(pos.line(u"id"_s), 4);
        QCOMPARE(pos.line(u"sideEffectFlags.flags"_s), 12);
        QCOMPARE(pos.line(u"sideEffectFlags.flags[0]"_s), 12);
        QCOMPARE(pos.line(u"cohorts[2].name"_s), 18);
        QCOMPARE(pos.line(u"slos[0].objective"_s), 22);
        QCOMPARE(pos.line(u"slos[5]"_s), 27);
        QCOMPARE(pos.line(u"gates.minReviews.L3"_s), 0); // not in the tenant's text
        QCOMPARE(pos.line(u"slos[0].nosuch"_s), 22);      // the nearest ancestor it has
    }

    // The CLI shows the refusal with the line and the reason, and a read-only profile changes nothing.
    void cliShowsTheRefusal_data()
    {
        QTest::addColumn<QStringList>("args");   // "BAD" stands for the refused bundle, "COHORTS" for a cohort file
        QTest::addColumn<bool>("profileBundle"); // the profile's policy/bundlePath points at the refused bundle
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("stderr");
        const QString where = TenantName + u":17: cohorts[1].id: changes the id of cohort \"lowrisk\" to \"pilot\""_s;
        QTest::newRow("policy check") << QStringList{u"policy"_s, u"check"_s, u"BAD"_s} << false << 2 << where;
        QTest::newRow("policy diff") << QStringList{u"policy"_s, u"diff"_s, u"builtin"_s, u"BAD"_s} << false << 2 << where;
        QTest::newRow("gates check --policy") << QStringList{u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_x"_s, u"--policy"_s, u"BAD"_s}
                                              << false << 2 << u"the profile is read-only: its policy bundle is refused: policy: "_s + where;
        QTest::newRow("gates check, profile bundle") << QStringList{u"gates"_s, u"check"_s, u"--deployment"_s, u"dpl_x"_s} << true << 2
                                                     << u"read-only"_s;
        QTest::newRow("cohorts set") << QStringList{u"cohorts"_s, u"set"_s, u"--file"_s, u"COHORTS"_s} << true << 2
                                     << u"refused, nothing was saved: the profile is read-only"_s;
        QTest::newRow("policy show, profile bundle") << QStringList{u"policy"_s, u"show"_s} << true << 2
                                                     << u"the profile is read-only: its policy bundle is refused: policy: "_s + where;
        QTest::newRow("cohorts list warns") << QStringList{u"cohorts"_s, u"list"_s} << true << 0 << u"warning: the profile is read-only"_s;
    }

    void cliShowsTheRefusal()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, profileBundle);
        QFETCH(int, code);
        QFETCH(QString, stderr);
        QTemporaryDir dir;
        const QString bad = dir.filePath(TenantName), cohorts = dir.filePath(u"cohorts.json"_s);
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(acmeText().replace("{\"id\": \"lowrisk\"", "{\"id\": \"pilot\""));
        f.close();
        QFile c(cohorts);
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write(QByteArray::fromStdString(Release::cohortsToJson(EffectivePolicy::builtin().cohorts()).dump()));
        c.close();
        {
            Settings settings(CliProfile);
            settings.reset(SettingKey::CanaryCohorts);
            if (profileBundle)
                settings.setValue(SettingKey::PolicyBundlePath, bad);
            else
                settings.reset(SettingKey::PolicyBundlePath);
            QVERIFY(settings.sync());
        }
        args.replaceInStrings(u"BAD"_s, bad);
        args.replaceInStrings(u"COHORTS"_s, cohorts);
        const Run r = cli(args);
        {
            Settings settings(CliProfile);
            QVERIFY(settings.string(SettingKey::CanaryCohorts).isEmpty()); // nothing was saved
            settings.reset(SettingKey::PolicyBundlePath);
            QVERIFY(settings.sync());
        }
        QVERIFY2(r.code == code, qPrintable(r.out + r.err));
        QVERIFY2(r.err.contains(stderr), qPrintable(r.err));
    }

    // `policy diff` shows the effective values: what the tenant's bundle really changes over the playbook.
    void cliDiffShowsEffectiveValues()
    {
        QTemporaryDir dir;
        const QString good = dir.filePath(TenantName);
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(acmeText());
        f.close();
        const Run r = cli({u"policy"_s, u"diff"_s, u"builtin"_s, good});
        QCOMPARE(r.code, 1);
        for (const QString &line : {u"changed canary.autoPacing: false → true"_s, u"added sideEffectFlags.flags[0]: \"crm.sync-contacts\""_s,
                                    u"changed cohorts[id=lowrisk].name: \"Low-risk clients\" → \"Pilot clients\""_s,
                                    u"changed slos[id=publish_success].objective: 0.995 → 0.999"_s})
            QVERIFY2(r.out.contains(line), qPrintable(r.out));
        QVERIFY2(!r.out.contains(u"removed gates"_s), qPrintable(r.out)); // what the tenant does not write is the playbook's, not gone

        // `policy show` prints the effective values.
        const Run shown = cli({u"policy"_s, u"show"_s, u"--policy"_s, good, u"--json"_s});
        QVERIFY2(shown.code == 0, qPrintable(shown.err));
        const nlohmann::json j = nlohmann::json::parse(shown.out.toStdString(), nullptr, false);
        QVERIFY2(j.is_object(), qPrintable(shown.out));
        QVERIFY(j["readOnly"] == false);
        QVERIFY(j["autoPacing"] == true);
        QVERIFY(j["sideEffectFlags"]["flags"] == nlohmann::json::array({"crm.sync-contacts"}));
        QVERIFY(j["cohorts"][1]["name"] == "Pilot clients");
        QVERIFY(j["slos"][0]["objective"] == 0.999);
        QVERIFY(j["confirmations"]["rollback"]["require"] == "environment");
        QVERIFY2(j["rollback"]["postChecks"]["stableWindowSeconds"] == 300, j["rollback"].dump().c_str()); // "system is stable" (§7.5)
        QVERIFY(cli({u"policy"_s, u"show"_s, u"--policy"_s, good}).out.contains(u"under 1× for 300 s"_s));
    }

    // Consumer: the gates (GUI review and `gates check` both evaluate GatePolicy).
    void gatesHonourTheTenant()
    {
        Release::ReleaseFacts facts;
        facts.pulls = Release::Known<QList<Release::PullFact>>::of({});
        facts.changedFiles = Release::Known<QStringList>::of({u"docs/x.md"_s});
        Release::ChangelogFact entry;
        entry.title = u"Contact sync"_s;
        entry.fields.insert(u"Flags"_s, u"`crm.sync-contacts` (new, OFF in production)"_s);
        entry.line = 9;
        facts.changelog = Release::Known<QList<Release::ChangelogFact>>::of({entry});
        facts.productionFlags = Release::Known<QMap<QString, bool>>::of({{u"crm.sync-contacts"_s, true}});
        const Release::GateVerdict builtin = Release::evaluate(EffectivePolicy::builtin().gates(), facts);
        const Release::GateVerdict tenant = Release::evaluate(acme().gates(), facts);
        QCOMPARE(builtin.result(u"l3-flags-off"_s)->status, Release::GateResult::Status::Pass);
        QCOMPARE(tenant.result(u"l3-flags-off"_s)->status, Release::GateResult::Status::Fail);
        QVERIFY(tenant.scope.flags.first().sideEffect);
    }

    // Consumer: the toggle matrix's §4.3 rule (the view takes toggleRules()).
    void toggleRulesHonourTheTenant()
    {
        const Release::MatrixColumn global{Release::MatrixColumn::Kind::Global, {}};
        const Release::ToggleChange builtin =
            Release::planToggle(flag(u"crm.sync-contacts"_s, false), global, true, u"production"_s, EffectivePolicy::builtin().toggleRules());
        const Release::ToggleChange tenant =
            Release::planToggle(flag(u"crm.sync-contacts"_s, false), global, true, u"production"_s, acme().toggleRules());
        QVERIFY2(builtin.refusal.isEmpty(), qPrintable(builtin.refusal));
        QVERIFY(tenant.refusal.contains(u"§4.3"_s));
    }

    // Consumer: auto-pacing's decision reads canary.autoPacing of the effective policy.
    void autoPacingHonoursTheTenant()
    {
        Release::AutoPacingState armed;
        armed.armed = true;
        armed.flags = {u"publishing.scheduler-v2"_s};
        Release::AutoPacingInputs in;
        in.recommendation.kind = Release::Recommendation::Kind::ExpandAllowed;
        in.recommendation.nextStage = 2;
        armed.stage = 1;
        in.policyAllows = EffectivePolicy::builtin().autoPacing();
        QCOMPARE(Release::decideAutoPacing(armed, in, 4).kind, Release::AutoPacingAction::Kind::Stop);
        in.policyAllows = acme().autoPacing();
        const Release::AutoPacingAction a = Release::decideAutoPacing(armed, in, 4);
        QCOMPARE(a.kind, Release::AutoPacingAction::Kind::Expand);
        QCOMPARE(a.stage, 2);
    }

    // Consumer: the rollback planner takes the side-effect list and the rollback section.
    // The built-in lets an operator start the way back before production has the fix (typed reason); a tenant may forbid it.
    void restoreWithoutFixHonoursTheTenant()
    {
        QVERIFY(EffectivePolicy::builtin().rollback().restoreWithoutFixAllowed);
        QVERIFY(acme().rollback().restoreWithoutFixAllowed);
        QByteArray text = acmeText();
        const QByteArray canary = "  \"canary\": { \"autoPacing\": true, \"newL3FlagsDefault\": \"off\" },";
        QVERIFY(text.contains(canary));
        text.replace(canary, QByteArray(canary + " \"rollback\": { \"restore\": { \"withoutFix\": \"forbidden\" } },"));
        const Result<EffectivePolicy> p = withTenant(text);
        QVERIFY2(p.ok(), qPrintable(p.ok() ? QString() : p.error().toString()));
        QVERIFY(!p->rollback().restoreWithoutFixAllowed);
    }

    void rollbackPlannerHonoursTheTenant()
    {
        Rollback::Inputs in;
        in.trigger = Rollback::Trigger::ElevatedErrors;
        in.checklist.flagsAloneStopHarm = true;
        in.flags = {{u"crm.sync-contacts"_s, true, {}, {}, {}}, {u"tokens.refresh-v2"_s, true, {}, {}, {}}, {u"ui.calendar"_s, true, {}, {}, {}}};
        const auto disabled = [](const Rollback::Plan &plan) {
            QStringList out;
            for (const Rollback::Step &s : plan.steps) {
                if (s.kind == Rollback::Step::Kind::DisableFlag)
                    out << s.target;
            }
            return out;
        };
        in.policy = EffectivePolicy::builtin().rollback();
        const Rollback::Plan builtin = Rollback::buildPlan(in);
        QCOMPARE(disabled(builtin), QStringList{u"tokens.refresh-v2"_s});
        in.policy = acme().rollback();
        const Rollback::Plan tenant = Rollback::buildPlan(in);
        QCOMPARE(disabled(tenant), QStringList({u"crm.sync-contacts"_s, u"tokens.refresh-v2"_s}));
        for (const Rollback::Step &s : tenant.steps) {
            // The steps' typed intents (ADR 0016, rollback intents) carry what the policy says.
            if (s.kind == Rollback::Step::Kind::OpenIncident) {
                QVERIFY(std::holds_alternative<Rollback::IncidentIntent>(s.intent));
                QCOMPARE(std::get<Rollback::IncidentIntent>(s.intent).labels, QStringList({u"incident"_s, u"rollback"_s, u"p2"_s}));
            }
            if (s.kind == Rollback::Step::Kind::PostCheck && s.title.contains(u"queues"_s)) {
                QVERIFY(std::holds_alternative<Rollback::PromCheckIntent>(s.intent));
                QVERIFY(std::get<Rollback::PromCheckIntent>(s.intent).promql.contains(u"service=\"runner\""_s));
            }
        }
        // Without a list the planner refuses instead of turning nothing off.
        in.policy = {};
        QVERIFY(!Rollback::buildPlan(in).executable());
    }
};

QTEST_GUILESS_MAIN(TestEffectivePolicy)
#include "tst_effective_policy.moc"
