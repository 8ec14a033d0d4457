// The profile's cohorts in place of the policy bundle's (issue #8, part 1):
// load, override, reset; a malformed stored override falls back to the
// policy with a clear error and is kept as it was; a save is audited first
// and never half-applied.
#include "release/cohortoverride.h"

#include "core/settings.h"
#include "records/auditlog.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using json = nlohmann::json;

namespace {

class MemorySink : public Records::AuditSink
{
public:
    QList<Records::AuditRecord> records;
    bool refuse = false;
    Status append(Records::AuditRecord &r) override
    {
        if (refuse)
            return Error::make(Error::Kind::Io, u"audit"_s, u"disk full"_s);
        r.seq = records.size() + 1;
        records.append(r);
        return okStatus();
    }
};

QList<Release::Cohort> policyCohorts()
{
    return *Release::cohortsFromPolicy(Policy::builtinBundle());
}

QList<Release::Cohort> edited()
{
    QList<Release::Cohort> c = policyCohorts();
    c[0].platformAccountIds << u"acct-house-li"_s;
    c[1].name = u"Low-risk, \"quoted\", clients"_s;
    return c;
}

} // namespace

class TestCohortOverride : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Settings> settings() { return std::make_unique<Settings>(u"cohorts"_s, m_dir.path()); }

private Q_SLOTS:
    void init()
    {
        QFile::remove(m_dir.path() + u"/cohorts.ini"_s);
    }

    void noOverrideUsesThePolicy()
    {
        const auto s = settings();
        const auto e = Release::effectiveCohorts(*s, Policy::builtinBundle());
        QVERIFY(e);
        QVERIFY(!e->fromSettings);
        QVERIFY(!e->overrideError);
        QCOMPARE(e->cohorts, policyCohorts());
        QCOMPARE(e->source, Policy::builtinBundle().source);
    }

    void saveStoresAuditsAndReloads()
    {
        MemorySink sink;
        {
            const auto s = settings();
            const auto saved = Release::saveCohorts(*s, Policy::builtinBundle(), edited(), sink, u"alice"_s);
            QVERIFY2(saved, saved ? "" : qPrintable(saved.error().message));
            QVERIFY(saved->fromSettings);
            QCOMPARE(saved->cohorts, edited());
        }
        // A fresh Settings on the same file: the override survived the INI round trip (commas, quotes).
        const auto s = settings();
        const auto e = Release::effectiveCohorts(*s, Policy::builtinBundle());
        QVERIFY(e);
        QVERIFY(e->fromSettings);
        QVERIFY(!e->overrideError);
        QCOMPARE(e->cohorts, edited());
        QCOMPARE(sink.records.size(), 1);
        const Records::AuditRecord &r = sink.records.first();
        QCOMPARE(r.action, u"cohorts.edit"_s);
        QCOMPARE(r.actor, u"alice"_s);
        QCOMPARE(r.target, u"cohorts@cohorts"_s);
        QCOMPARE(r.service, u"console"_s);
        QVERIFY(r.before["source"] == "policy");
        QVERIFY(r.before["cohorts"] == Release::cohortsToJson(policyCohorts()));
        QVERIFY(r.after["source"] == "settings");
        QVERIFY(r.after["cohorts"] == Release::cohortsToJson(edited()));
    }

    void resetToThePolicyClearsTheOverride()
    {
        MemorySink sink;
        const auto s = settings();
        QVERIFY(Release::saveCohorts(*s, Policy::builtinBundle(), edited(), sink, u"alice"_s));
        const auto reset = Release::saveCohorts(*s, Policy::builtinBundle(), policyCohorts(), sink, u"alice"_s);
        QVERIFY(reset);
        QVERIFY(!reset->fromSettings);
        QVERIFY(s->string(SettingKey::CanaryCohorts).isEmpty());
        QCOMPARE(sink.records.size(), 2);
        QCOMPARE(sink.records[1].action, u"cohorts.reset"_s);
        QVERIFY(sink.records[1].before["source"] == "settings");
        QVERIFY(sink.records[1].after["source"] == "policy");
        const auto e = Release::effectiveCohorts(*settings(), Policy::builtinBundle());
        QVERIFY(e && !e->fromSettings);
        QCOMPARE(e->cohorts, policyCohorts());
    }

    void savingWhatIsInEffectWritesNothing()
    {
        MemorySink sink;
        const auto s = settings();
        QVERIFY(Release::saveCohorts(*s, Policy::builtinBundle(), policyCohorts(), sink, u"alice"_s));
        QVERIFY(sink.records.isEmpty());
        QVERIFY(Release::saveCohorts(*s, Policy::builtinBundle(), edited(), sink, u"alice"_s));
        QVERIFY(Release::saveCohorts(*s, Policy::builtinBundle(), edited(), sink, u"alice"_s));
        QCOMPARE(sink.records.size(), 1);
    }

    void malformedStoredOverrideFallsBack_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << u"[{\"id\": \"house\","_s << u"is not valid JSON"_s;
        QTest::newRow("not an array") << u"{\"id\": \"house\"}"_s << u"must be a non-empty array"_s;
        QTest::newRow("empty") << u"[]"_s << u"must be a non-empty array"_s;
        QTest::newRow("no ids listed") << u"[{\"id\": \"house\"}]"_s << u"lists no client and no platform account"_s;
        QTest::newRow("duplicate id") << u"[{\"id\": \"a\", \"clientIds\": [\"x\"]}, {\"id\": \"a\", \"clientIds\": [\"y\"]}]"_s
                                      << u"\"a\" is given twice"_s;
        QTest::newRow("stage cohort missing")
            << QString::fromStdString(json::array({{{"id", "house"}, {"clientIds", {"house"}}}, {{"id", "broad"}, {"clientIds", {"*"}}}}).dump())
            << u"\"lowrisk\" is not a cohort of the policy"_s;
        QList<Release::Cohort> tooMany = policyCohorts();
        tooMany[1].clientIds << u"client-third"_s;
        QTest::newRow("stage limit") << QString::fromStdString(Release::cohortsToJson(tooMany).dump()) << u"allows 2 clients"_s;
    }

    void malformedStoredOverrideFallsBack()
    {
        QFETCH(QString, stored);
        QFETCH(QString, error);
        {
            const auto s = settings();
            s->setValue(SettingKey::CanaryCohorts, stored);
            QVERIFY(s->sync());
        }
        const auto s = settings();
        const auto e = Release::effectiveCohorts(*s, Policy::builtinBundle());
        QVERIFY(e);
        QVERIFY(!e->fromSettings);
        QCOMPARE(e->cohorts, policyCohorts());
        QVERIFY(e->overrideError);
        QVERIFY2(e->overrideError->message.contains(error), qPrintable(e->overrideError->message));
        QVERIFY(e->overrideError->message.contains(u"canary/cohorts"_s)); // says where
        QVERIFY(!e->overrideError->remedy.isEmpty());
        QVERIFY(e->describe().contains(u"not used"_s));
        // Nothing lost: the stored text is still there, as it was.
        QCOMPARE(s->string(SettingKey::CanaryCohorts), stored);
    }

    void aSaveOverAMalformedOverrideAuditsTheOldText()
    {
        {
            const auto s = settings();
            s->setValue(SettingKey::CanaryCohorts, u"[{broken"_s);
            QVERIFY(s->sync());
        }
        MemorySink sink;
        const auto s = settings();
        QVERIFY(Release::saveCohorts(*s, Policy::builtinBundle(), edited(), sink, u"alice"_s));
        QCOMPARE(sink.records.size(), 1);
        QVERIFY(sink.records[0].before["stored"] == "[{broken");
        QCOMPARE(Release::effectiveCohorts(*s, Policy::builtinBundle())->cohorts, edited());
    }

    void anInvalidSaveChangesNothing()
    {
        MemorySink sink;
        const auto s = settings();
        QList<Release::Cohort> bad = policyCohorts();
        bad[2].id = bad[0].id;
        const auto saved = Release::saveCohorts(*s, Policy::builtinBundle(), bad, sink, u"alice"_s);
        QVERIFY(!saved);
        QVERIFY(saved.error().message.contains(u"given twice"_s));
        QVERIFY(sink.records.isEmpty());
        QVERIFY(s->string(SettingKey::CanaryCohorts).isEmpty());
    }

    void anAuditRefusalChangesNothing()
    {
        MemorySink sink;
        const auto s = settings();
        QVERIFY(Release::saveCohorts(*s, Policy::builtinBundle(), edited(), sink, u"alice"_s));
        const QString before = s->string(SettingKey::CanaryCohorts);
        sink.refuse = true;
        const auto saved = Release::saveCohorts(*s, Policy::builtinBundle(), policyCohorts(), sink, u"alice"_s);
        QVERIFY(!saved);
        QVERIFY(saved.error().message.contains(u"audit log refused"_s));
        QCOMPARE(s->string(SettingKey::CanaryCohorts), before);
        QCOMPARE(Release::effectiveCohorts(*settings(), Policy::builtinBundle())->cohorts, edited());
    }
};

QTEST_GUILESS_MAIN(TestCohortOverride)
#include "tst_cohort_override.moc"
