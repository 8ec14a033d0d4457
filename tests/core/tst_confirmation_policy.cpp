// The policy's confirmations table (issue #14, item 5): the parser, the
// playbook's floor, and the exact-text rule every confirmation uses (the
// console's dialog and the CLI's --confirm).
#include "policy/confirmations.h"
#include "policy/policybundle.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using Policy::ConfirmAction;
using Policy::ConfirmRequirement;
using Policy::ConfirmRule;
using json = nlohmann::json;

Q_DECLARE_METATYPE(Policy::ConfirmRule)

namespace {

// A tenant bundle: the envelope plus the given confirmations section.
QByteArray tenantBundle(const json &confirmations)
{
    json doc = {{"schema", "raize.policy"}, {"version", 1}, {"id", "acme-v1"}, {"tenant", "acme"}};
    if (!confirmations.is_null())
        doc["confirmations"] = confirmations;
    return QByteArray::fromStdString(doc.dump(2));
}

ConfirmRule rule(ConfirmRequirement requirement, const QString &word = {})
{
    ConfirmRule r;
    r.requirement = requirement;
    r.word = word;
    return r;
}

} // namespace

class TestConfirmationPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinTable()
    {
        const Result<Policy::Confirmations> parsed = Policy::confirmationsFromBundle(Policy::builtinBundle());
        QVERIFY2(parsed, qPrintable(parsed.error().toString()));
        const Policy::Confirmations &t = Policy::builtinConfirmations();
        QCOMPARE(t.toJson().dump(), parsed->toJson().dump());
        QCOMPARE(int(t.rules.size()), int(Policy::allConfirmActions().size()));
        QCOMPARE(t.rule(ConfirmAction::Promote), rule(ConfirmRequirement::EnvironmentName));
        QCOMPARE(t.rule(ConfirmAction::Rollback), rule(ConfirmRequirement::EnvironmentName));
        QCOMPARE(t.rule(ConfirmAction::KillSwitch), rule(ConfirmRequirement::EnvironmentName));
        QCOMPARE(t.rule(ConfirmAction::ProductionToggle), rule(ConfirmRequirement::EnvironmentName));
        QCOMPARE(t.rule(ConfirmAction::CohortSave), rule(ConfirmRequirement::None));
        QCOMPARE(t.rule(ConfirmAction::AutoPacing), rule(ConfirmRequirement::Word, u"auto-pace"_s));
        QCOMPARE(t.rule(ConfirmAction::Arm), rule(ConfirmRequirement::EnvironmentName));
    }

    void floor()
    {
        // §7.2: what stops harm in production is never confirmed by a click alone.
        QCOMPARE(Policy::typedConfirmationFloor(), (QList<ConfirmAction>{ConfirmAction::Rollback, ConfirmAction::KillSwitch, ConfirmAction::Arm}));
    }

    void actionKeysRoundTrip()
    {
        for (ConfirmAction a : Policy::allConfirmActions())
            QCOMPARE(Policy::confirmActionFromKey(Policy::confirmActionKey(a)), std::optional<ConfirmAction>(a));
        QCOMPARE(Policy::confirmActionFromKey(u"Promote"_s), std::nullopt);
    }

    void tenantTable_data()
    {
        QTest::addColumn<QByteArray>("section"); // JSON; "null" for none
        QTest::addColumn<QString>("field");      // empty: accepted
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("action");     // accepted: the action to look at
        QTest::addColumn<ConfirmRule>("expected");

        const ConfirmRule none = rule(ConfirmRequirement::None), env = rule(ConfirmRequirement::EnvironmentName);
        QTest::newRow("no section: the built-in table") << QByteArray("null") << QString() << QString() << u"cohortSave"_s << none;
        QTest::newRow("empty section: the built-in table") << QByteArray("{}") << QString() << QString() << u"promote"_s << env;
        QTest::newRow("tighten cohort save to the environment")
            << QByteArray(R"({"cohortSave": {"require": "environment"}})") << QString() << QString() << u"cohortSave"_s << env;
        QTest::newRow("tighten cohort save to a word")
            << QByteArray(R"({"cohortSave": {"require": "word", "word": "COHORTS"}})") << QString() << QString() << u"cohortSave"_s
            << rule(ConfirmRequirement::Word, u"COHORTS"_s);
        QTest::newRow("rollback by a word is still typed")
            << QByteArray(R"({"rollback": {"require": "word", "word": "ROLLBACK"}})") << QString() << QString() << u"rollback"_s
            << rule(ConfirmRequirement::Word, u"ROLLBACK"_s);
        // Production toggles are not in the playbook's floor: a tenant may confirm them with a click.
        QTest::newRow("production toggles: none is allowed")
            << QByteArray(R"({"productionToggle": {"require": "none"}})") << QString() << QString() << u"productionToggle"_s << none;
        QTest::newRow("rollback: none loosens the floor")
            << QByteArray(R"({"rollback": {"require": "none"}})") << u"confirmations.rollback.require"_s << u"loosens the playbook's floor"_s
            << QString() << none;
        QTest::newRow("kill switch: none loosens the floor")
            << QByteArray(R"({"productionToggle": {"require": "none"}, "killSwitch": {"require": "none"}})")
            << u"confirmations.killSwitch.require"_s << u"§7.2"_s << QString() << none;
        QTest::newRow("unknown action") << QByteArray(R"({"deploy": {"require": "environment"}})") << u"confirmations.deploy"_s
                                        << u"unknown action (known: promote, rollback, killSwitch"_s << QString() << none;
        QTest::newRow("action key is case-sensitive") << QByteArray(R"({"Promote": {"require": "environment"}})")
                                                      << u"confirmations.Promote"_s << u"unknown action"_s << QString() << none;
        QTest::newRow("unknown requirement") << QByteArray(R"({"promote": {"require": "maybe"}})") << u"confirmations.promote.require"_s
                                             << u"unknown requirement \"maybe\""_s << QString() << none;
        QTest::newRow("requirement missing") << QByteArray(R"({"promote": {}})") << u"confirmations.promote.require"_s << u"missing"_s
                                             << QString() << none;
        QTest::newRow("requirement not a string") << QByteArray(R"({"promote": {"require": true}})")
                                                  << u"confirmations.promote.require"_s << u"missing"_s << QString() << none;
        QTest::newRow("word missing") << QByteArray(R"({"autoPacing": {"require": "word"}})") << u"confirmations.autoPacing.word"_s
                                      << u"needs the word"_s << QString() << none;
        QTest::newRow("word empty") << QByteArray(R"({"autoPacing": {"require": "word", "word": ""}})")
                                    << u"confirmations.autoPacing.word"_s << u"one word without spaces"_s << QString() << none;
        QTest::newRow("word with a space") << QByteArray(R"({"autoPacing": {"require": "word", "word": "go ahead"}})")
                                           << u"confirmations.autoPacing.word"_s << u"one word without spaces"_s << QString() << none;
        QTest::newRow("word without require word") << QByteArray(R"({"promote": {"require": "environment", "word": "x"}})")
                                                   << u"confirmations.promote.word"_s << u"only goes with"_s << QString() << none;
        QTest::newRow("unknown member") << QByteArray(R"({"promote": {"require": "environment", "typo": 1}})")
                                        << u"confirmations.promote.typo"_s << u"unknown member"_s << QString() << none;
        QTest::newRow("entry not an object") << QByteArray(R"({"promote": "environment"})") << u"confirmations.promote"_s
                                             << u"must be an object"_s << QString() << none;
        QTest::newRow("section not an object") << QByteArray(R"(["promote"])") << u"confirmations"_s << u"must be an object"_s
                                               << QString() << none;
    }

    void tenantTable()
    {
        QFETCH(QByteArray, section);
        QFETCH(QString, field);
        QFETCH(QString, message);
        QFETCH(QString, action);
        QFETCH(ConfirmRule, expected);
        const Result<Policy::Bundle> bundle = Policy::parseBundle(tenantBundle(json::parse(section.toStdString())), u"/etc/acme/tenant.json"_s);
        QVERIFY2(bundle, qPrintable(bundle.error().toString()));
        const Result<Policy::Confirmations> table = Policy::confirmationsFromBundle(bundle.value());
        if (field.isEmpty()) {
            QVERIFY2(table, qPrintable(table.error().toString()));
            QCOMPARE(table->rule(*Policy::confirmActionFromKey(action)), expected);
            // Whatever the tenant says, every action has a rule and the floor holds.
            QCOMPARE(int(table->rules.size()), int(Policy::allConfirmActions().size()));
            for (ConfirmAction a : Policy::typedConfirmationFloor())
                QVERIFY(table->rule(a).typed());
            return;
        }
        QVERIFY(!table);
        QCOMPARE(table.error().kind, Error::Kind::Config);
        QCOMPARE(table.error().fieldPath, field);
        // The operator sees the file and the field, then the reason.
        QVERIFY2(table.error().message.startsWith(u"tenant.json: "_s + field + u": "_s), qPrintable(table.error().message));
        QVERIFY2(table.error().message.contains(message), qPrintable(table.error().message));
        QVERIFY(!table.error().remedy.isEmpty());
    }

    void builtinMustNameEveryAction()
    {
        // The built-in table is the base of every other: it may not leave an action out.
        json section = Policy::builtinBundle().section("confirmations");
        section.erase("autoPacing");
        const Result<Policy::Confirmations> table = Policy::parseConfirmations(section);
        QVERIFY(!table);
        QCOMPARE(table.error().fieldPath, u"confirmations.autoPacing"_s);
    }

    void accepts_data()
    {
        QTest::addColumn<ConfirmRule>("rule");
        QTest::addColumn<QString>("environment");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("accepted");

        const ConfirmRule env = rule(ConfirmRequirement::EnvironmentName), word = rule(ConfirmRequirement::Word, u"auto-pace"_s),
                          none = rule(ConfirmRequirement::None);
        QTest::newRow("environment: exact") << env << u"production"_s << u"production"_s << true;
        QTest::newRow("environment: capitalised") << env << u"production"_s << u"Production"_s << false;
        QTest::newRow("environment: upper case") << env << u"production"_s << u"PRODUCTION"_s << false;
        QTest::newRow("environment: trailing space") << env << u"production"_s << u"production "_s << false;
        QTest::newRow("environment: leading space") << env << u"production"_s << u" production"_s << false;
        QTest::newRow("environment: a prefix") << env << u"production"_s << u"prod"_s << false;
        QTest::newRow("environment: the other environment") << env << u"production"_s << u"staging"_s << false;
        QTest::newRow("environment: staging's own name") << env << u"staging"_s << u"staging"_s << true;
        QTest::newRow("environment: production typed for staging") << env << u"staging"_s << u"production"_s << false;
        QTest::newRow("environment: nothing typed") << env << u"production"_s << QString() << false;
        QTest::newRow("environment: unknown environment") << env << QString() << QString() << false;
        QTest::newRow("word: exact") << word << u"production"_s << u"auto-pace"_s << true;
        QTest::newRow("word: case") << word << u"production"_s << u"Auto-Pace"_s << false;
        QTest::newRow("word: trailing newline") << word << u"production"_s << u"auto-pace\n"_s << false;
        QTest::newRow("word: the environment instead") << word << u"production"_s << u"production"_s << false;
        QTest::newRow("none: nothing typed") << none << u"production"_s << QString() << true;
        QTest::newRow("none: anything typed") << none << u"production"_s << u"whatever"_s << true;
    }

    void accepts()
    {
        QFETCH(ConfirmRule, rule);
        QFETCH(QString, environment);
        QFETCH(QString, typed);
        QFETCH(bool, accepted);
        QCOMPARE(rule.accepts(environment, typed), accepted);
        // The CLI's guard judges by the same rule, and says what to type when it refuses.
        const Status guard = Policy::checkTypedConfirmation(ConfirmAction::Rollback, rule, environment, typed);
        QCOMPARE(guard.ok(), accepted);
        if (!accepted) {
            QCOMPARE(guard.error().kind, Error::Kind::Refused);
            if (!rule.expected(environment).isEmpty())
                QVERIFY2(guard.error().remedy.contains(u"--confirm "_s + rule.expected(environment)), qPrintable(guard.error().remedy));
            else
                QVERIFY2(guard.error().message.contains(u"not known"_s), qPrintable(guard.error().message));
        }
    }

    void loadFromProfilePath()
    {
        QCOMPARE(Policy::loadConfirmations({})->toJson().dump(), Policy::builtinConfirmations().toJson().dump());
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tenant.json"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tenantBundle(json{{"promote", {{"require", "word"}, {"word", "SHIP"}}}}));
        f.close();
        const Result<Policy::Confirmations> t = Policy::loadConfirmations(path);
        QVERIFY2(t, qPrintable(t.error().toString()));
        QCOMPARE(t->rule(ConfirmAction::Promote), rule(ConfirmRequirement::Word, u"SHIP"_s));
        QCOMPARE(t->rule(ConfirmAction::Rollback), rule(ConfirmRequirement::EnvironmentName));
        // A half-written bundle is refused, never replaced by the built-in table.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(tenantBundle(json{{"promote", {{"require", "word"}, {"word", "SHIP"}}}}).left(60));
        f.close();
        const Result<Policy::Confirmations> torn = Policy::loadConfirmations(path);
        QVERIFY(!torn);
        QVERIFY2(torn.error().message.startsWith(u"tenant.json:"_s), qPrintable(torn.error().message));
        QVERIFY(!Policy::loadConfirmations(dir.filePath(u"missing.json"_s)));
    }
};

QTEST_GUILESS_MAIN(TestConfirmationPolicy)
#include "tst_confirmation_policy.moc"
