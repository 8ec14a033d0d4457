// Every change from its source and "what changed" when a page fires (issue
// #19 items 1, 2), as tables: the ranking (the bad-L3 scenario with its
// distractors), merging a change two sources recorded, the audit log's and the
// flag services' records as changes, "stale since", and the setting that maps
// services to Vercel projects.

#include "records/auditrecord.h"
#include "release/change.h"
#include "release/staleness.h"
#include "release/whatchanged.h"
#include "services/flags/flageventlog.h"
#include "services/github/githubclient.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Raize;
using Release::Change;

Q_DECLARE_METATYPE(Raize::Release::Change)
Q_DECLARE_METATYPE(Raize::Records::AuditRecord)

namespace {

constexpr qint64 Second = 1000, Minute = 60 * Second;
const qint64 Onset = QDateTime(QDate(2026, 11, 25), QTime(10, 0), Qt::UTC).toMSecsSinceEpoch();
constexpr qint64 Window = 60 * Minute;

Change flagChange(qint64 t, const QString &flag, const QStringList &cohorts, const QString &title, const QString &environment = u"production"_s)
{
    Change c;
    c.timeMs = t;
    c.kind = Change::Kind::FlagChange;
    c.origin = Change::Origin::FlagService;
    c.actor = u"admin-token"_s;
    c.flag = flag;
    c.environment = environment;
    c.before = u"off"_s;
    c.after = u"on"_s;
    c.cohorts = cohorts;
    c.title = title;
    return c;
}

Change deployment(qint64 t, const QString &service, const QString &id, Change::Kind kind = Change::Kind::Deployment)
{
    Change c;
    c.timeMs = t;
    c.kind = kind;
    c.origin = Change::Origin::Vercel;
    c.environment = u"Production"_s;
    c.service = service;
    c.deploymentId = id;
    c.title = u"%1 %2"_s.arg(service, id);
    return c;
}

Release::PageScope housePage()
{
    Release::PageScope s;
    s.cohorts = {u"house"_s};
    s.clients = {u"client-house"_s, u"acct-house-ig"_s};
    s.flags = {u"publishing.v2"_s};
    s.service = u"runner"_s;
    s.deploymentId = u"dpl_live"_s;
    return s;
}

QString describe(const QList<Change> &changes)
{
    QStringList lines;
    for (const Change &c : changes) {
        lines << u"%1 %2 %3 by %4: %5 %6 %7→%8 %9 [%10]"_s.arg(QDateTime::fromMSecsSinceEpoch(c.timeMs, Qt::UTC).toString(u"HH:mm:ss.zzz"_s),
                                                               Change::originName(c.origin), Change::kindName(c.kind), c.actor,
                                                               c.flag.isEmpty() ? c.deploymentId : c.flag, c.environment, c.before, c.after,
                                                               c.url)
                     .arg((c.cohorts + c.clients).join(u','));
    }
    return lines.join(u'\n');
}

QString describe(const QList<Services::FlagEvent> &events)
{
    QStringList lines;
    for (const Services::FlagEvent &e : events) {
        lines << u"%1 #%2 %3 by %4: %5@%6 %7 → %8 [%9] %10"_s.arg(QDateTime::fromMSecsSinceEpoch(e.timeMs, Qt::UTC).toString(Qt::ISODate), e.id,
                                                                  e.type, e.actor, e.flag, e.environment, e.before, e.after)
                     .arg((e.cohorts + e.clients).join(u','), e.url);
    }
    return lines.join(u'\n');
}

Records::AuditRecord record(const QString &action, const QString &target, const nlohmann::json &before, const nlohmann::json &after)
{
    Records::AuditRecord r;
    r.time = QDateTime::fromMSecsSinceEpoch(Onset, Qt::UTC);
    r.actor = u"ana@raize.example"_s;
    r.action = action;
    r.target = target;
    r.service = u"unleash"_s;
    r.before = before;
    r.after = after;
    return r;
}

} // namespace

class TestChanges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // GitHub's releases and incident issues on the timeline (issue #19 item 1): published releases only, an
    // incident's opening and its closing, each linked to GitHub.
    void githubReleasesAndIncidents()
    {
        Services::GitHubRelease draft{1, u"v1.5.0"_s, u"v1.5.0"_s, u"https://github.com/raize/platform/releases/1"_s, true, {}};
        QVERIFY(!Release::Change::fromRelease(draft));
        Services::GitHubRelease published{2, u"v1.4.0"_s, u"Idempotent retries"_s, u"https://github.com/raize/platform/releases/tag/v1.4.0"_s,
                                          false, QDateTime(QDate(2026, 11, 20), QTime(10, 0), Qt::UTC)};
        const auto r = Release::Change::fromRelease(published);
        QVERIFY(r);
        QCOMPARE(r->kind, Release::Change::Kind::Release);
        QCOMPARE(r->origin, Release::Change::Origin::GitHub);
        QCOMPARE(r->title, u"Release v1.4.0 published: Idempotent retries"_s);
        QCOMPARE(r->url, published.htmlUrl);
        QCOMPARE(r->timeMs, published.publishedAt.toMSecsSinceEpoch());

        Services::GitHubIssue incident;
        incident.number = 431;
        incident.title = u"P1: publish failures"_s;
        incident.htmlUrl = u"https://github.com/raize/platform/issues/431"_s;
        incident.labels = {u"incident"_s, u"P1"_s};
        incident.createdAt = QDateTime(QDate(2026, 12, 6), QTime(14, 5), Qt::UTC);
        QCOMPARE(Release::Change::fromIncident(incident).size(), 1);
        incident.closedAt = incident.createdAt.addSecs(3600);
        const QList<Release::Change> both = Release::Change::fromIncident(incident);
        QCOMPARE(both.size(), 2);
        QCOMPARE(both[0].title, u"Incident #431 opened: P1: publish failures"_s);
        QCOMPARE(both[1].title, u"Incident #431 closed: P1: publish failures"_s);
        QCOMPARE(both[1].timeMs - both[0].timeMs, 3600 * 1000);
        QCOMPARE(both[0].kind, Release::Change::Kind::Incident);
        QCOMPARE(both[0].url, incident.htmlUrl);
    }

    // Playbook §7.5 and issue #19 item 2: the changes in the window before
    // the burn's onset, best match to the paging scope first, each with its reasons.
    void whatChangedRanks_data()
    {
        QTest::addColumn<QList<Change>>("changes");
        QTest::addColumn<QString>("expected");

        // The bad L3 release: publishing.v2 turned on for the house cohort starts the burn.
        const Change culprit = flagChange(Onset - 20 * Minute, u"publishing.v2"_s, {u"house"_s}, u"publishing.v2 on for house"_s);
        QTest::newRow("bad L3: the flag change that started the burn first, distractors after")
            << QList<Change>{
                   // A later flag change, for another cohort.
                   flagChange(Onset - 5 * Minute, u"editor.autosave"_s, {u"lowrisk"_s}, u"editor.autosave on for lowrisk"_s),
                   // A deployment of another service, right before the onset.
                   deployment(Onset - 2 * Minute, u"tools"_s, u"dpl_tools_9"_s),
                   culprit,
                   // A matching change just outside the window, and one just after the onset: neither is shown.
                   flagChange(Onset - Window - Second, u"publishing.v2"_s, {u"house"_s}, u"publishing.v2 on for house (too early)"_s),
                   flagChange(Onset + 30 * Second, u"publishing.v2"_s, {u"house"_s}, u"publishing.v2 on for house (after the onset)"_s),
               }
            << u"1. [87] publishing.v2 on for house — same flag publishing.v2 · same cohort house · 20 min before the onset\n"
               "2. [-5] tools dpl_tools_9 — another service (tools) · 2 min before the onset\n"
               "3. [-11] editor.autosave on for lowrisk — another cohort (lowrisk) · 5 min before the onset"_s;
        QTest::newRow("the same flag later for another cohort ranks below the paging cohort's")
            << QList<Change>{flagChange(Onset - 5 * Minute, u"publishing.v2"_s, {u"lowrisk"_s}, u"publishing.v2 on for lowrisk"_s), culprit}
            << u"1. [87] publishing.v2 on for house — same flag publishing.v2 · same cohort house · 20 min before the onset\n"
               "2. [29] publishing.v2 on for lowrisk — same flag publishing.v2 · another cohort (lowrisk) · 5 min before the onset"_s;
        Change byClient = flagChange(Onset - 30 * Minute, u"publishing.v2"_s, {}, u"publishing.v2 on for client-house"_s);
        byClient.clients = {u"client-house"_s};
        QTest::newRow("a scope by client reaches the paging cohort; a global change reaches everyone")
            << QList<Change>{flagChange(Onset - Minute, u"search.beta"_s, {}, u"search.beta on for everyone"_s), byClient}
            << u"1. [85] publishing.v2 on for client-house — same flag publishing.v2 · reaches the paging cohort's client-house · 30 min before the onset\n"
               "2. [30] search.beta on for everyone — reaches every cohort · 1 min before the onset"_s;
        QTest::newRow("the deployment serving at the onset; another environment counts against")
            << QList<Change>{flagChange(Onset - 10 * Minute, u"publishing.v2"_s, {u"house"_s}, u"publishing.v2 on in staging"_s, u"staging"_s),
                             deployment(Onset - 40 * Minute, u"runner"_s, u"dpl_live"_s, Change::Kind::Promotion)}
            << u"1. [78] runner dpl_live — the deployment serving at the onset (dpl_live) · same service runner · 40 min before the onset\n"
               "2. [48] publishing.v2 on in staging — another environment (staging) · same flag publishing.v2 · same cohort house · 10 min before the onset"_s;
        Change merge;
        merge.timeMs = Onset;
        merge.kind = Change::Kind::Merge;
        merge.origin = Change::Origin::GitHub;
        merge.title = u"PR #431 merged"_s;
        QTest::newRow("the window's edges are inside it")
            << QList<Change>{merge, flagChange(Onset - Window, u"publishing.v2"_s, {u"house"_s}, u"publishing.v2 on, an hour before"_s)}
            << u"1. [80] publishing.v2 on, an hour before — same flag publishing.v2 · same cohort house · 60 min before the onset\n"
               "2. [13] PR #431 merged — a merge (serves nothing until deployed) · 0 s before the onset"_s;
        QTest::newRow("nothing in the window")
            << QList<Change>{flagChange(Onset - 2 * Window, u"publishing.v2"_s, {u"house"_s}, u"long ago"_s)} << QString();
    }
    void whatChangedRanks()
    {
        QFETCH(QList<Change>, changes);
        QFETCH(QString, expected);
        const QList<Release::RankedChange> ranked = Release::whatChanged(changes, housePage(), Onset, Window);
        QCOMPARE(Release::describeRanking(ranked), expected);
        // The order of the input does not matter.
        std::reverse(changes.begin(), changes.end());
        QCOMPARE(Release::describeRanking(Release::whatChanged(changes, housePage(), Onset, Window)), expected);
    }

    // One change two sources recorded is shown once, with the audit log's actor (issue #19 item 1).
    void mergeWithoutDuplicates_data()
    {
        QTest::addColumn<QList<Change>>("changes");
        QTest::addColumn<QString>("expected");

        Change audit = flagChange(Onset, u"publishing.v2"_s, {}, u"audit"_s);
        audit.origin = Change::Origin::AuditLog;
        audit.actor = u"ana@raize.example"_s;
        Change service = flagChange(Onset + 1200, u"publishing.v2"_s, {u"house"_s}, u"service"_s);
        service.url = u"http://unleash.test/projects/default/features/publishing.v2"_s;
        QTest::newRow("twins within 5 s: one, the audit log's actor, the service's link and cohort")
            << QList<Change>{service, audit}
            << u"10:00:00.000 this console flag change by ana@raize.example: publishing.v2 production off→on "
               "http://unleash.test/projects/default/features/publishing.v2 [house]"_s;
        Change late = service;
        late.timeMs = Onset + 6 * Second;
        QTest::newRow("6 s apart: two changes")
            << QList<Change>{audit, late}
            << u"10:00:00.000 this console flag change by ana@raize.example: publishing.v2 production off→on  []\n"
               "10:00:06.000 flag service flag change by admin-token: publishing.v2 production off→on "
               "http://unleash.test/projects/default/features/publishing.v2 [house]"_s;
        Change other = service;
        other.before = u"on"_s;
        other.after = u"off"_s;
        QTest::newRow("a different before→after: two changes")
            << QList<Change>{audit, other}
            << u"10:00:00.000 this console flag change by ana@raize.example: publishing.v2 production off→on  []\n"
               "10:00:01.200 flag service flag change by admin-token: publishing.v2 production on→off "
               "http://unleash.test/projects/default/features/publishing.v2 [house]"_s;
        Change otherEnvironment = service;
        otherEnvironment.environment = u"Production"_s;
        QTest::newRow("environment names compare without case")
            << QList<Change>{audit, otherEnvironment}
            << u"10:00:00.000 this console flag change by ana@raize.example: publishing.v2 production off→on "
               "http://unleash.test/projects/default/features/publishing.v2 [house]"_s;
        QTest::newRow("two records of the flag service alone stay two (no audit record)")
            << QList<Change>{service, service}
            << u"10:00:01.200 flag service flag change by admin-token: publishing.v2 production off→on "
               "http://unleash.test/projects/default/features/publishing.v2 [house]\n"
               "10:00:01.200 flag service flag change by admin-token: publishing.v2 production off→on "
               "http://unleash.test/projects/default/features/publishing.v2 [house]"_s;
        Change vercel = deployment(Onset, u"web"_s, u"dpl_9"_s, Change::Kind::Promotion);
        vercel.actor = u"outside the console"_s;
        Change promoted = vercel;
        promoted.origin = Change::Origin::AuditLog;
        promoted.timeMs = Onset - 3 * Second;
        promoted.actor = u"ana@raize.example"_s;
        QTest::newRow("a promotion Vercel showed is the console's own")
            << QList<Change>{vercel, promoted} << u"09:59:57.000 this console promotion by ana@raize.example: dpl_9 Production →  []"_s;
    }
    void mergeWithoutDuplicates()
    {
        QFETCH(QList<Change>, changes);
        QFETCH(QString, expected);
        QCOMPARE(describe(Release::mergeChanges(changes)), expected);
    }

    // The console's own records as changes: only those that changed something.
    void auditRecordsAsChanges_data()
    {
        QTest::addColumn<Records::AuditRecord>("record");
        QTest::addColumn<QString>("expected");
        QTest::newRow("toggle confirmed, cohort scope")
            << record(u"flag.toggle.confirmed"_s, u"publishing.v2@production"_s, {{"enabled", false}, {"scope", "global"}},
                      {{"enabled", true}, {"scope", "cohorts house"}})
            << u"10:00:00.000 this console flag change by ana@raize.example: publishing.v2 production off→on  [house]"_s;
        QTest::newRow("toggle confirmed, clients and a lane")
            << record(u"flag.toggle.confirmed"_s, u"publishing.v2@production"_s, {{"enabled", true}},
                      {{"enabled", true}, {"scope", "clients client-house · platform accounts acct-house-ig · lane browser"}})
            << u"10:00:00.000 this console flag change by ana@raize.example: publishing.v2 production on→on  [client-house,acct-house-ig]"_s;
        QTest::newRow("a rollback's flag step") << record(u"flag.disable"_s, u"publishing.enabled"_s, nullptr, {{"summary", "off"}})
                                                << u"10:00:00.000 this console flag change by ana@raize.example: publishing.enabled production on→off  []"_s;
        QTest::newRow("a rollback's Instant Rollback") << record(u"vercel.instant-rollback"_s, u"dpl_prev"_s, nullptr, {{"summary", "accepted"}})
                                                       << u"10:00:00.000 this console rollback by ana@raize.example: dpl_prev Production →  []"_s;
        QTest::newRow("requested is not a change")
            << record(u"flag.toggle.requested"_s, u"publishing.v2@production"_s, {{"enabled", false}}, {{"enabled", true}}) << QString();
        QTest::newRow("confirmed without its state is not a change")
            << record(u"flag.toggle.confirmed"_s, u"publishing.v2@production"_s, nullptr, {{"outcome", "?"}}) << QString();
        QTest::newRow("a gate override is not a change") << record(u"gate.override"_s, u"ci"_s, nullptr, {{"gate", "ci"}}) << QString();
    }
    void auditRecordsAsChanges()
    {
        QFETCH(Records::AuditRecord, record);
        QFETCH(QString, expected);
        const std::optional<Change> c = Change::fromAudit(record);
        QCOMPARE(c ? describe(QList<Change>{*c}) : QString(), expected);
    }

    // Unleash's event search: who, before, after; other events skipped; a malformed answer names the field.
    void unleashEventLog_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("errorPath");
        const QByteArray events = R"({"events":[
            {"id":44,"type":"feature-tagged","createdBy":"ana","createdAt":"2026-11-25T09:42:00.000Z","featureName":"publishing.v2"},
            {"id":43,"type":"feature-strategy-update","createdBy":"ana@raize.example","createdAt":"2026-11-25T09:41:00.000Z",
             "featureName":"publishing.v2","project":"default","environment":"production",
             "preData":{"id":"s1","name":"flexibleRollout","constraints":[{"contextName":"cohort","operator":"IN","values":["house"]}],
                        "parameters":{"rollout":"100","stickiness":"default","groupId":"publishing.v2"}},
             "data":{"id":"s1","name":"flexibleRollout","constraints":[{"contextName":"cohort","operator":"IN","values":["house","lowrisk"]},
                                                                        {"contextName":"clientId","operator":"IN","values":["client-bloom"]}],
                     "parameters":{"rollout":"50","stickiness":"default","groupId":"publishing.v2"}}},
            {"id":42,"type":"feature-environment-enabled","createdBy":"admin-token","createdAt":"2026-11-25T09:40:00.000Z",
             "featureName":"publishing.v2","project":"default","environment":"production","data":null,"preData":null},
            {"id":41,"type":"feature-environment-disabled","createdBy":"admin-token","createdAt":"2026-11-25T09:39:00Z",
             "featureName":"publishing.v2","project":"default","environment":"production"}],"total":4})";
        QTest::newRow("toggles and a strategy change, oldest first")
            << events
            << u"2026-11-25T09:39:00Z #41 feature-environment-disabled by admin-token: publishing.v2@production on → off [] "
               "http://unleash.test/projects/default/features/publishing.v2\n"
               "2026-11-25T09:40:00Z #42 feature-environment-enabled by admin-token: publishing.v2@production off → on [] "
               "http://unleash.test/projects/default/features/publishing.v2\n"
               "2026-11-25T09:41:00Z #43 feature-strategy-update by ana@raize.example: publishing.v2@production cohorts house → "
               "clients client-bloom · cohorts house, lowrisk at 50% [house,lowrisk,client-bloom] "
               "http://unleash.test/projects/default/features/publishing.v2"_s
            << QString();
        QTest::newRow("an empty log") << QByteArray(R"({"events":[],"total":0})") << QString() << QString();
        QTest::newRow("not JSON") << QByteArray("<html>502 Bad Gateway</html>") << QString() << u"(not JSON)"_s;
        QTest::newRow("events is not a list") << QByteArray(R"({"events":3})") << QString() << u"events"_s;
        QTest::newRow("a time that is not RFC 3339")
            << QByteArray(R"({"events":[{"id":1,"type":"feature-environment-enabled","createdBy":"a","createdAt":"yesterday","featureName":"f"}]})")
            << QString() << u"events[0].createdAt"_s;
        QTest::newRow("a flag change without its flag")
            << QByteArray(R"({"events":[{"id":1,"type":"feature-environment-enabled","createdBy":"a","createdAt":"2026-11-25T09:40:00Z"}]})")
            << QString() << u"events[0].featureName"_s;
        QTest::newRow("an event without its type")
            << QByteArray(R"({"events":[{"id":1,"createdBy":"a","createdAt":"2026-11-25T09:40:00Z","featureName":"f"}]})") << QString()
            << u"events[0].type"_s;
    }
    void unleashEventLog()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        QFETCH(QString, errorPath);
        const auto parsed = Services::FlagEventLog::parseUnleash(body, QUrl(u"http://unleash.test"_s), u"default"_s);
        if (!errorPath.isEmpty()) {
            QVERIFY(!parsed);
            QCOMPARE(parsed.error().kind, Error::Kind::Parse);
            if (errorPath != u"(not JSON)"_s)
                QCOMPARE(parsed.error().fieldPath, errorPath);
            QVERIFY2(!parsed.error().remedy.isEmpty(), "a parse error says what to do");
            return;
        }
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
        QCOMPARE(describe(*parsed), expected);
    }

    // LaunchDarkly's audit log: the same facts from its entries.
    void launchDarklyAuditLog_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("errorPath");
        QTest::newRow("turned on, rules updated by a token, a member change skipped")
            << QByteArray(R"({"items":[
                {"_id":"a3","date":1764063720000,"kind":"member","name":"Ana","member":{"email":"admin@raize.example"}},
                {"_id":"a2","date":1764063660000,"kind":"flag","name":"Publishing v2","titleVerb":"updated the targeting rules of",
                 "member":null,"target":{"name":"Publishing v2"},
                 "accesses":[{"action":"updateRules","resource":"proj/default:env/production:flag/publishing.v2"}]},
                {"_id":"a1","date":1764063600000,"kind":"flag","name":"Publishing v2","titleVerb":"turned on the flag",
                 "member":{"email":"ana@raize.example"},"target":{"name":"Publishing v2"},
                 "accesses":[{"action":"updateOn","resource":"proj/default:env/production:flag/publishing.v2"}],
                 "_links":{"site":{"href":"/default/production/features/publishing.v2"}}}]})")
            << u"2025-11-25T09:40:00Z #a1 updateOn by ana@raize.example: publishing.v2@production off → on [] "
               "https://app.launchdarkly.test/default/production/features/publishing.v2\n"
               "2025-11-25T09:41:00Z #a2 updateRules by (API token): publishing.v2@production  → updated the targeting rules of [] "_s
            << QString();
        QTest::newRow("turned off")
            << QByteArray(R"({"items":[{"_id":"b1","date":1764063600000,"kind":"flag","titleVerb":"turned off the flag",
                 "member":{"email":"ana@raize.example"},"accesses":[{"action":"updateOn","resource":"proj/default:env/staging:flag/editor.autosave"}]}]})")
            << u"2025-11-25T09:40:00Z #b1 updateOn by ana@raize.example: editor.autosave@staging on → off [] "_s << QString();
        QTest::newRow("items is not a list") << QByteArray(R"({"items":{}})") << QString() << u"items"_s;
        QTest::newRow("an entry without its date")
            << QByteArray(R"({"items":[{"_id":"c1","kind":"flag","accesses":[]}]})") << QString() << u"items[0].date"_s;
    }
    void launchDarklyAuditLog()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        QFETCH(QString, errorPath);
        const auto parsed = Services::FlagEventLog::parseLaunchDarkly(body, QUrl(u"https://app.launchdarkly.test"_s));
        if (!errorPath.isEmpty()) {
            QVERIFY(!parsed);
            QCOMPARE(parsed.error().kind, Error::Kind::Parse);
            QCOMPARE(parsed.error().fieldPath, errorPath);
            return;
        }
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
        QCOMPARE(describe(*parsed), expected);
    }

    // A flag service's event as a change: who, before and after in its title and detail.
    void flagEventAsChange()
    {
        Services::FlagEvent e;
        e.id = u"42"_s;
        e.timeMs = Onset;
        e.type = u"feature-environment-enabled"_s;
        e.flag = u"publishing.v2"_s;
        e.environment = u"production"_s;
        e.before = u"off"_s;
        e.after = u"on"_s;
        const Change c = Change::fromFlagEvent(e, u"unleash"_s);
        QCOMPARE(c.title, u"publishing.v2: off → on (production)"_s);
        QCOMPARE(c.actor, u"unknown (unleash did not say)"_s);
        e.actor = u"admin-token"_s;
        QCOMPARE(Change::fromFlagEvent(e, u"unleash"_s).detail, u"by admin-token · unleash event 42 (feature-environment-enabled)"_s);
    }

    // "Stale since": after a failed poll, or when the last good answer is older than twice the interval.
    void staleSince_data()
    {
        QTest::addColumn<int>("fetchedSecondsAgo"); // -1: never
        QTest::addColumn<int>("failedSecondsAgo");  // -1: no failure since
        QTest::addColumn<int>("expectedSecondsAgo"); // -1: current
        QTest::newRow("never asked") << -1 << -1 << -1;
        QTest::newRow("fresh") << 5 << -1 << -1;
        QTest::newRow("exactly twice the interval is still current") << 20 << -1 << -1;
        QTest::newRow("older than twice the interval") << 21 << -1 << 1;
        QTest::newRow("failed poll") << 12 << 2 << 2;
        QTest::newRow("never answered, failed") << -1 << 7 << 7;
    }
    void staleSince()
    {
        QFETCH(int, fetchedSecondsAgo);
        QFETCH(int, failedSecondsAgo);
        QFETCH(int, expectedSecondsAgo);
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(Onset, Qt::UTC);
        Release::Freshness f;
        if (fetchedSecondsAgo >= 0)
            f.markFresh(now.addSecs(-fetchedSecondsAgo));
        if (failedSecondsAgo >= 0) {
            f.markFailed(Error::make(Error::Kind::Network, u"unleash"_s, u"refused"_s), now.addSecs(-failedSecondsAgo));
            f.markFailed(Error::make(Error::Kind::Network, u"unleash"_s, u"refused again"_s), now); // the first failure counts
        }
        const QDateTime since = Release::staleSince(f, now, 10 * Second);
        QCOMPARE(since, expectedSecondsAgo < 0 ? QDateTime() : now.addSecs(-expectedSecondsAgo));
        f.markFresh(now);
        QVERIFY(!Release::staleSince(f, now, 10 * Second).isValid());
    }

    void staleSinceText_data()
    {
        QTest::addColumn<QDateTime>("since");
        QTest::addColumn<QByteArray>("zone");
        QTest::addColumn<QString>("expected");
        QTest::newRow("winter in Berlin") << QDateTime(QDate(2026, 1, 15), QTime(14, 3), Qt::UTC) << QByteArray("Europe/Berlin")
                                          << u"Stale since 15:03 CET"_s;
        QTest::newRow("summer in Berlin") << QDateTime(QDate(2026, 7, 15), QTime(14, 3), Qt::UTC) << QByteArray("Europe/Berlin")
                                          << u"Stale since 16:03 CEST"_s;
        QTest::newRow("UTC") << QDateTime(QDate(2026, 7, 15), QTime(14, 3), Qt::UTC) << QByteArray("UTC") << u"Stale since 14:03 UTC"_s;
        QTest::newRow("current") << QDateTime() << QByteArray("UTC") << QString();
    }
    void staleSinceText()
    {
        QFETCH(QDateTime, since);
        QFETCH(QByteArray, zone);
        QFETCH(QString, expected);
        QCOMPARE(Release::staleSinceText(since, QTimeZone(zone)), expected);
    }

    // vercel/serviceProjects: each service in its lane; a malformed value says how to write it.
    void serviceProjects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // "service=project;..." or "error: …"
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("two services") << u"runner=prj_runner, tools = prj_tools"_s << u"runner=prj_runner;tools=prj_tools"_s;
        QTest::newRow("trailing comma") << u"runner=prj_runner,"_s << u"runner=prj_runner"_s;
        QTest::newRow("no project") << u"runner="_s << u"error: vercel/serviceProjects: “runner=” is not service=project"_s;
        QTest::newRow("no pair") << u"prj_runner"_s << u"error: vercel/serviceProjects: “prj_runner” is not service=project"_s;
        QTest::newRow("twice") << u"runner=a, runner=b"_s << u"error: vercel/serviceProjects: runner is named twice"_s;
    }
    void serviceProjects()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto parsed = Workspace::parseServiceProjects(text);
        if (!parsed) {
            QCOMPARE(u"error: "_s + parsed.error().message, expected);
            QVERIFY(parsed.error().remedy.contains(u"runner=prj_runner"_s));
            return;
        }
        QStringList pairs;
        for (const auto &[service, project] : *parsed)
            pairs << service + u'=' + project;
        QCOMPARE(pairs.join(u';'), expected);
    }
};

QTEST_GUILESS_MAIN(TestChanges)
#include "tst_changes.moc"
