// `raize-console rollout status|advance` (issue #14, item 4): the SLOs view's
// "next rollout stage" without a screen. Both read the flags and the SLO
// counters once and hand them to the same RolloutMonitor the view displays;
// `advance` turns on the next stage's flags through the same checked,
// audited FlagChangeRunner as the toggle matrix and auto-pacing.

#include "cli/cli.h"
#include "core/clock.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "policy/policybundle.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "release/canaryplan.h"
#include "release/cohortoverride.h"
#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "release/rolloutmonitor.h"
#include "rollback/defaultscope.h"
#include "rollback/rollbackfacts.h"
#include "services/flags/flagservice.h"
#include "services/prometheus/prometheusclient.h"
#include "services/prometheus/slometrics.h"
#include "services/vercel/rollingreleaseclient.h"
#include "workspace/effectivepolicy.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QEventLoop>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <memory>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Release;
using json = nlohmann::json;

namespace {

const QString kStatusUsage =
    u"raize-console rollout status [--level L0|L1|L2|L3] [--flag KEY]... [--current STAGE] [--since TIME]\n"
    u"    [--confirm TEXT|N]... [--policy FILE] [--keychain-service S] [--json]"_s;
const QString kAxesUsage = u"raize-console rollout axes [--level L0|L1|L2|L3] [--keychain-service S] [--json]"_s;
const QString kAdvanceUsage = u"raize-console rollout advance --plan-digest D [--stage ID] [--override REASON] [--level L]\n"
                              u"    [--flag KEY]... [--current STAGE] [--since TIME] [--confirm TEXT|N]... [--policy FILE]\n"
                              u"    [--keychain-service S] [--arm REASON] [--json]"_s;

// The SLO counters the monitor judges with: every rule's long window (3 days) and the 6-hour short window, at 1-minute steps.
constexpr qint64 SeriesRangeMs = 3 * Slo::DayMs + 7 * Slo::HourMs;
constexpr int ServiceWaitMs = 120'000;

// The connections of one run: the profile's workspace (issue #14: the one
// place clients are built), its flag service and Prometheus.
struct Connections
{
    std::unique_ptr<Workspace> ws;
    std::shared_ptr<const WorkspaceClients> clients;
    Services::FlagService *flags = nullptr;
    Services::PrometheusClient *prometheus = nullptr;
    QString environment;
};

std::optional<Connections> openConnections(Context &ctx, const Settings &settings, const QString &keychainService)
{
    const QString flagsUrl = settings.string(SettingKey::FlagsUrl);
    const QString promUrl = settings.string(SettingKey::PrometheusUrl);
    if (flagsUrl.isEmpty()) {
        ctx.err << u"The flag service is not configured for profile %1: raize-console settings set flags/url URL --profile %1\n"_s
                       .arg(ctx.profile);
        return std::nullopt;
    }
    if (promUrl.isEmpty()) {
        ctx.err << u"Prometheus is not configured for profile %1: raize-console settings set prometheus/url URL --profile %1\n"_s
                       .arg(ctx.profile);
        return std::nullopt;
    }
    Connections c;
    c.ws = Workspace::forProfile(ctx.profile, keychainService);
    // CI has no keyring: RAIZE_<SERVICE>_TOKEN wins, else the profile's keychain entry.
    c.ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    if (const std::optional<Error> why = c.ws->tokenError(Service::Flags))
        ctx.err << u"note: no %1 token (RAIZE_%2_TOKEN or the keychain): %3\n"_s.arg(serviceDisplayName(Service::Flags),
                                                                                     serviceId(Service::Flags).toUpper(), why->message);
    c.clients = c.ws->clients();
    if (!c.clients || !c.clients->flags) {
        ctx.err << u"The flag service cannot be used: %1\n"_s.arg(c.clients && c.clients->flagsError ? c.clients->flagsError->toString()
                                                                                                       : u"not configured"_s);
        return std::nullopt;
    }
    c.flags = c.clients->flags.get();
    c.prometheus = c.clients->prometheus.get();
    c.environment = c.clients->flagEnvironment;
    return c;
}


struct Options
{
    bool json = false;
    QString level, current, since, policyFile, keychain;
    QStringList flags, confirms;
};

// Every occurrence of "--name VALUE" (and comma lists in each).
QStringList takeAll(Context &ctx, const QString &name, bool commaList)
{
    QStringList out;
    for (QString v = ctx.takeOption(name); !v.isEmpty(); v = ctx.takeOption(name))
        out << (commaList ? v.split(u',', Qt::SkipEmptyParts) : QStringList{v});
    return out;
}

void readOptions(Context &ctx, Options *o)
{
    o->json = ctx.takeFlag(u"--json"_s);
    o->level = ctx.takeOption(u"--level"_s, u"L3"_s);
    o->current = ctx.takeOption(u"--current"_s);
    o->since = ctx.takeOption(u"--since"_s);
    o->policyFile = ctx.takeOption(u"--policy"_s);
    o->keychain = ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    o->flags = takeAll(ctx, u"--flag"_s, true);
    o->confirms = takeAll(ctx, u"--confirm"_s, false);
}

// What a run has read: the monitor fed with it, and where each input came from.
struct Loaded
{
    Connections conn;
    std::unique_ptr<FlagPoller> poller;
    std::unique_ptr<RolloutMonitor> monitor;
    QString policyId, auditPath, stageSource, sinceSource;
};

// The stage the flags show: the last stage whose cohort every release flag is canaried on (or, for a global stage, on
// for everyone); with no release flags given, the last stage whose cohort has any canary flag on (those become the
// release's flags). -1 when none.
int stageFromFlags(const RolloutPlan &plan, const QList<Cohort> &cohorts, const QList<Services::FlagState> &flags,
                   const QString &environment, QStringList *releaseFlags)
{
    for (int i = int(plan.stages.size()) - 1; i >= 0; --i) {
        const PlannedStage &s = plan.stages[i];
        if (s.environment != environment)
            continue;
        if (s.scope.global() && s.stage.scopeKind == u"global"_s) {
            if (releaseFlags->isEmpty())
                continue; // a global flag is a full rollout, not this release's canary, unless named
            const bool allGlobal = std::all_of(releaseFlags->cbegin(), releaseFlags->cend(), [&](const QString &key) {
                return std::any_of(flags.cbegin(), flags.cend(), [&](const Services::FlagState &f) {
                    return f.key == key && f.enabled &&
                        std::any_of(f.strategies.cbegin(), f.strategies.cend(),
                                    [](const Services::FlagStrategy &st) { return st.scope.global(); });
                });
            });
            if (allGlobal)
                return i;
            continue;
        }
        const auto cohort =
            std::find_if(cohorts.cbegin(), cohorts.cend(), [&](const Cohort &c) { return c.id == s.stage.cohortId; });
        if (cohort == cohorts.cend())
            continue;
        const QStringList on = canaryFlagsOn(flags, *cohort, cohorts);
        if (releaseFlags->isEmpty()) {
            if (!on.isEmpty()) {
                *releaseFlags = on;
                return i;
            }
        } else if (std::all_of(releaseFlags->cbegin(), releaseFlags->cend(), [&](const QString &k) { return on.contains(k); })) {
            return i;
        }
    }
    return -1;
}

// When the stage's flags were last confirmed on, from the audit log: a confirmed toggle of a release flag, or a
// confirmed stage (auto-pacing's or `rollout advance`'s). 0 when the log has none.
qint64 sinceFromAudit(const QString &path, const QStringList &flags, const QString &stageId, const QString &environment)
{
    QString error;
    const QList<Records::AuditRecord> records = Records::AuditExport::readAll(path, &error);
    qint64 since = 0;
    for (const Records::AuditRecord &r : records) {
        const bool flag = r.action == u"flag.toggle.confirmed"_s && r.target.endsWith(u'@' + environment) &&
            flags.contains(r.target.section(u'@', 0, 0));
        const bool stage = (r.action == u"autopacing.stage-confirmed"_s || r.action == u"rollout.advance.confirmed"_s) &&
            r.target == stageId + u'@' + environment;
        if ((flag || stage) && r.time.isValid())
            since = std::max(since, r.time.toMSecsSinceEpoch());
    }
    return since;
}

// Reads the policy, the flags and the SLO counters, and feeds the monitor. Returns an exit code on failure.
std::optional<int> load(Context &ctx, const Options &o, Loaded *l)
{
    Settings settings(ctx.profile);
    // The effective policy (ADR 0017): --policy laid over the built-in playbook, else the profile's (its bundle and
    // cohort override, what its workspace reads). A refused bundle makes the profile read-only: no recommendation is
    // given on rules it did not mean, and nothing is advanced.
    const EffectivePolicy effective = EffectivePolicy::load(settings, o.policyFile);
    if (effective.readOnly()) {
        ctx.err << u"the profile is read-only: its policy bundle is refused: "_s << effective.error()->toString() << u'\n';
        return Failure;
    }
    if (effective.cohortSource().overrideError)
        ctx.err << u"note: "_s << effective.cohortSource().describe() << u'\n';
    const RolloutMonitorPolicy policy = effective.rolloutMonitor();
    // Input that needs no service is checked before any is asked.
    qint64 givenSince = 0;
    if (!o.since.isEmpty()) {
        const QDateTime t = QDateTime::fromString(o.since, Qt::ISODateWithMs);
        if (!t.isValid() || t.timeSpec() == Qt::LocalTime) {
            ctx.err << u"--since takes an ISO 8601 time with its zone, e.g. 2026-12-06T09:30:00Z (got \"%1\")\n"_s.arg(o.since);
            return Failure;
        }
        givenSince = t.toMSecsSinceEpoch();
    }
    l->policyId = effective.bundle().id;
    l->auditPath = Records::AuditLog::defaultPath(ctx.profile, settings.string(SettingKey::AuditLogPath));

    std::optional<Connections> conn = openConnections(ctx, settings, o.keychain);
    if (!conn)
        return Failure;
    l->conn = std::move(*conn);
    l->monitor = std::make_unique<RolloutMonitor>(Clock::system());
    RolloutMonitor &m = *l->monitor;
    m.setPolicy(policy);
    m.setLevel(o.level);
    if (!m.planError().isEmpty()) {
        ctx.err << m.planError() << u" (--level takes L0, L1, L2 or L3)\n"_s;
        return Failure;
    }

    // The flags and the counters, read at the same time.
    l->poller = std::make_unique<FlagPoller>(*l->conn.flags, l->conn.environment, 60'000);
    Slo::SloFeed feed(*l->conn.prometheus, policy.slos);
    bool feedDone = false;
    Error feedError;
    QObject::connect(&feed, &Slo::SloFeed::loaded, &feed, [&] { feedDone = true; });
    QObject::connect(&feed, &Slo::SloFeed::failed, &feed, [&](const Error &e) {
        feedDone = true;
        feedError = e;
    });
    l->poller->refresh();
    feed.load(QDateTime::currentMSecsSinceEpoch() / Slo::MinuteMs * Slo::MinuteMs, SeriesRangeMs, Slo::MinuteMs);
    // Both answers, or the first failure: an unreadable service ends the run without waiting for the other.
    const auto flagsFailed = [&] { return l->poller->rounds() > 0 && !l->poller->snapshot().hasData(); };
    const auto feedFailed = [&] { return feedDone && feed.data().isEmpty(); };
    if (!waitUntil([&] { return (feedDone && l->poller->rounds() > 0) || flagsFailed() || feedFailed(); }, ServiceWaitMs)) {
        ctx.err
            << u"The flag service or Prometheus did not answer within %1 s; check them (raize-console settings list) and try again.\n"_s
                   .arg(ServiceWaitMs / 1000);
        return Failure;
    }
    const FlagSnapshot &snap = l->poller->snapshot();
    if (!snap.hasData()) {
        ctx.err << u"Cannot read the flags of %1: %2 %3\n"_s.arg(l->conn.environment, snap.lastError.toString(),
                                                                 snap.lastError.remedy);
        return Failure;
    }
    if (feed.data().isEmpty()) {
        ctx.err << u"Cannot read the SLO counters from Prometheus: %1 %2\n"_s.arg(feedError.toString(), feedError.remedy);
        return Failure;
    }
    m.setFlags(snap);
    m.setSeries({feed.data().byCohort, feed.data().toMs});

    // Which stage, with which flags, since when.
    QStringList releaseFlags = o.flags;
    int stage = -1;
    if (!o.current.isEmpty()) {
        for (int i = 0; i < m.plan().stages.size(); ++i) {
            if (m.plan().stages[i].stage.id == o.current || QString::number(i + 1) == o.current)
                stage = i;
        }
        if (stage < 0) {
            QStringList ids;
            for (const PlannedStage &s : m.plan().stages)
                ids << s.stage.id;
            ctx.err << u"--current: \"%1\" is not a stage of the policy (%2)\n"_s.arg(o.current, ids.join(u", "_s));
            return Failure;
        }
        l->stageSource = u"--current"_s;
    } else {
        stage = stageFromFlags(m.plan(), m.policy().cohorts, snap.flags, snap.environment, &releaseFlags);
        l->stageSource = u"the flags of %1"_s.arg(snap.environment);
        if (stage < 0) {
            ctx.err << (o.flags.isEmpty()
                            ? u"No canary flag is on for any cohort of the rollout plan in %1: there is no rollout to watch. "
                              u"Name the release's flags (--flag KEY) and its stage (--current STAGE).\n"_s.arg(snap.environment)
                            : u"The flags %1 are not on for any stage's cohort in %2: name the stage with --current STAGE.\n"_s
                                  .arg(o.flags.join(u", "_s), snap.environment));
            return Negative;
        }
    }
    m.setReleaseFlags(releaseFlags);
    qint64 since = givenSince;
    if (since > 0) {
        l->sinceSource = u"--since"_s;
    } else {
        since = sinceFromAudit(l->auditPath, m.releaseFlags(), m.plan().stages[stage].stage.id, snap.environment);
        l->sinceSource = since > 0 ? u"the audit log"_s : QString();
    }
    m.setStage(stage, since);

    // The operator's confirmations, by text or by number.
    const QStringList wanted = m.plan().stages[stage].stage.confirmations;
    QSet<QString> confirmed;
    for (const QString &c : o.confirms) {
        bool isNumber = false;
        const int n = c.toInt(&isNumber);
        if (isNumber && n >= 1 && n <= wanted.size())
            confirmed.insert(wanted[n - 1]);
        else if (wanted.contains(c))
            confirmed.insert(c);
        else {
            ctx.err << u"--confirm: \"%1\" is not a confirmation of %2; it has: %3\n"_s.arg(
                c, m.plan().stages[stage].stage.name, wanted.isEmpty() ? u"none"_s : u"1. "_s + wanted.join(u"; 2. "_s));
            return Failure;
        }
    }
    m.setConfirmed(confirmed);
    return std::nullopt;
}

// The scope the rollback plan of the pages opens with (issue #16 item 1): the
// paging cohort when the signals show the failure isolated to it, else global.
std::optional<Rollback::ScopeDecision> pageScope(const RolloutMonitor &m)
{
    if (m.pages().isEmpty())
        return std::nullopt;
    QStringList paging;
    for (const RaisedPage &p : m.pages())
        paging << p.alert.cohort.id;
    return Rollback::defaultScope(Rollback::Trigger::PublishFailureBreach, Rollback::scopeSignalsFrom(m.policy().cohorts, m.verdicts(), paging));
}

json statusJson(Context &ctx, const Loaded &l)
{
    json j = l.monitor->toJson();
    if (const auto d = pageScope(*l.monitor))
        j["rollbackScope"] = {{"scope", Rollback::scopeText(d->scope).toStdString()},
                              {"why", Rollback::ScopeDecision::whyId(d->why).toStdString()},
                              {"reason", d->reason.toStdString()}};
    j["profile"] = ctx.profile.toStdString();
    j["policy"] = l.policyId.toStdString();
    j["stageFrom"] = l.stageSource.toStdString();
    j["sinceFrom"] = l.sinceSource.isEmpty() ? json(nullptr) : json(l.sinceSource.toStdString());
    return j;
}

QString burnText(double b)
{
    return std::isfinite(b) ? QString::number(b, 'f', b < 10 ? 2 : 1) + u"×"_s : u"∞"_s;
}

void printStatus(Context &ctx, const Loaded &l)
{
    const RolloutMonitor &m = *l.monitor;
    const int stage = m.stage();
    const PlannedStage &s = m.plan().stages[stage];
    ctx.out << u"Rollout of %1 (%2, policy %3, profile %4)\n"_s.arg(m.releaseFlags().join(u", "_s), m.level(), l.policyId,
                                                                    ctx.profile);
    ctx.out << u"Stage %1 of %2: %3 (%4), from %5; flags on since %6\n"_s.arg(stage + 1)
                   .arg(m.plan().stages.size())
                   .arg(s.stage.name, s.scope.describe(), l.stageSource,
                        m.stageSinceMs() > 0
                            ? QDateTime::fromMSecsSinceEpoch(m.stageSinceMs(), Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s) +
                                u" ("_s + l.sinceSource + u')'
                            : u"an unknown time (no confirmed change in the audit log; --since TIME)"_s);
    ctx.out << u"\nSLO verdicts (cohort × SLO; burn over the first rule's long / short window):\n"_s;
    for (const Cohort &c : m.policy().cohorts) {
        const QList<Slo::AlertVerdict> list = m.verdicts().value(c.id);
        for (const Slo::SloSpec &spec : m.policy().slos) {
            const auto v =
                std::find_if(list.cbegin(), list.cend(), [&](const Slo::AlertVerdict &x) { return x.sloId == spec.id; });
            QString state = u"no data"_s, detail;
            if (v != list.cend()) {
                state = Slo::severityName(v->severity);
                QStringList fired;
                for (const Slo::RuleVerdict &r : v->rules) {
                    if (r.state == Slo::RuleState::Fired)
                        fired << r.rule.name() + u" fired"_s;
                }
                if (!v->rules.isEmpty())
                    detail = burnText(v->rules.first().longBurn) + u" / "_s + burnText(v->rules.first().shortBurn);
                if (!fired.isEmpty())
                    detail += u"  "_s + fired.join(u", "_s);
            }
            ctx.out << u"  %1 %2 %3 %4\n"_s.arg(c.id.leftJustified(10), spec.title.leftJustified(40), state.leftJustified(16),
                                                detail);
        }
    }
    for (const RaisedPage &p : m.pages()) {
        ctx.out << u"\nPAGE — %1: the error budget burns at page level while canary flags are on (%2), since %3\n"_s.arg(
            p.alert.cohort.name, p.alert.flags.join(u", "_s),
            QDateTime::fromMSecsSinceEpoch(p.sinceMs, Qt::UTC).toString(u"HH:mm 'UTC'"_s));
        for (const QString &e : p.alert.evidence)
            ctx.out << u"    "_s << e << u'\n';
    }
    if (const auto d = pageScope(m)) {
        ctx.out << u"\nRollback plan (playbook §7.2): raize-console rollback plan --trigger publish-failures --scope %1\n"_s.arg(
            Rollback::scopeText(d->scope));
        ctx.out << u"    scope "_s << d->reason << u'\n';
    }
    if (!m.staleFlags().isEmpty())
        ctx.out << u"\nStale flags: "_s << m.staleFlags() << u'\n';
    ctx.out << u"\nRecommendation: "_s << m.recommendation().headline << u'\n';
    for (const QString &e : m.recommendation().evidence)
        ctx.out << u"  - "_s << e << u'\n';
    const QList<ToggleChange> changes = m.nextStageChanges();
    if (!changes.isEmpty()) {
        ctx.out << u"\nAdvancing to %1 changes:\n"_s.arg(m.plan().stages[stage + 1].stage.name);
        for (const ToggleChange &c : changes)
            ctx.out << u"  "_s << (c.refusal.isEmpty() ? c.summary : u"REFUSED: "_s + c.refusal) << u'\n';
    }
    ctx.out << u"\nPlan digest: %1\n"_s.arg(m.advanceDigest());
}

int exitFor(const RolloutMonitor &m)
{
    return m.recommendation().kind == Recommendation::Kind::ExpandAllowed ? Ok : Negative;
}

int status(Context &ctx)
{
    Options o;
    readOptions(ctx, &o);
    if (!ctx.noneLeft(kStatusUsage))
        return Failure;
    Loaded l;
    if (const std::optional<int> code = load(ctx, o, &l))
        return *code;
    const int code = exitFor(*l.monitor);
    if (o.json) {
        json j = statusJson(ctx, l);
        j["exitCode"] = code;
        ctx.printJson(j);
    } else {
        printStatus(ctx, l);
    }
    return code;
}

bool audit(Records::AuditSink &sink, const QString &actor, const QString &action, const QString &target, const json &after,
           const QString &reason)
{
    Records::AuditRecord r;
    r.actor = actor;
    r.action = action;
    r.target = target;
    r.service = u"console"_s;
    r.after = after;
    r.reason = reason;
    return sink.append(r).ok();
}

int advance(Context &ctx)
{
    Options o;
    readOptions(ctx, &o);
    const QString digest = ctx.takeOption(u"--plan-digest"_s);
    const QString target = ctx.takeOption(u"--stage"_s);
    const QString overrideReason = ctx.takeOption(u"--override"_s);
    const std::optional<QString> arm = ctx.takeArm();
    if (!ctx.noneLeft(kAdvanceUsage))
        return Failure;
    if (digest.isEmpty()) {
        ctx.err << u"--plan-digest is required: run raize-console rollout status, check what it will change, and pass its plan "
                   u"digest\n"
                   u"usage: "_s
                << kAdvanceUsage << u'\n';
        return Failure;
    }
    Loaded l;
    if (const std::optional<int> code = load(ctx, o, &l))
        return *code;
    RolloutMonitor &m = *l.monitor;
    const int stage = m.stage();
    const int next = stage + 1;
    json out = statusJson(ctx, l);
    const auto finish = [&](int code, const QString &message) {
        out["exitCode"] = code;
        out["message"] = message.toStdString();
        if (o.json)
            ctx.printJson(out);
        else
            (code == Ok ? ctx.out : ctx.err) << message << u'\n';
        return code;
    };

    // Refusals change nothing (exit 1).
    if (next >= m.plan().stages.size())
        return finish(Negative,
                      u"refused: %1 is the last stage; there is nothing to advance to"_s.arg(m.plan().stages[stage].stage.name));
    const PlannedStage &to = m.plan().stages[next];
    if (!target.isEmpty() && target != to.stage.id)
        return finish(Negative,
                      u"refused: the release is in %1, so the next stage is %2 (%3), not \"%4\"; nothing was changed"_s.arg(
                          m.plan().stages[stage].stage.name, to.stage.id, to.stage.name, target));
    if (digest != m.advanceDigest())
        return finish(
            Negative,
            u"refused: the plan changed since it was reviewed (digest %1, now %2): run raize-console rollout status "
            u"again and check what it will change; nothing was changed"_s.arg(digest.left(12), m.advanceDigest().left(12)));
    if (to.environment != l.conn.environment)
        return finish(Negative,
                      u"refused: %1 is in %2; this profile's flag service changes %3 (flags/environment)"_s.arg(
                          to.stage.name, to.environment, l.conn.environment));
    const QList<ToggleChange> changes = m.nextStageChanges();
    if (changes.isEmpty())
        return finish(Negative, u"refused: the release has no flags to turn on (--flag KEY)"_s);
    for (const ToggleChange &c : changes) {
        if (!c.refusal.isEmpty())
            return finish(Negative, u"refused: "_s + c.refusal);
    }
    const Recommendation &rec = m.recommendation();
    bool overridden = false;
    if (rec.kind != Recommendation::Kind::ExpandAllowed) {
        if (overrideReason.isEmpty())
            return finish(Negative, u"refused: the recommendation is not \"expand\": %1"_s.arg(rec.headline));
        if (!m.policy().advanceOverrideAllowed)
            return finish(
                Negative,
                u"refused: the policy does not allow overriding the recommendation (overrides.rolloutAdvance); it says: %1"_s.arg(
                    rec.headline));
        // Never past a burn: a fired rule or a page is what the rollout exists to catch.
        bool burning = !m.pages().isEmpty();
        for (const Slo::AlertVerdict &v : m.verdicts().value(m.plan().stages[stage].stage.cohortId)) {
            for (const Slo::RuleVerdict &r : v.rules)
                burning = burning || r.state == Slo::RuleState::Fired;
        }
        if (burning)
            return finish(Negative, u"refused: no override past a fired burn alert: %1"_s.arg(rec.headline));
        if (!m.staleFlags().isEmpty())
            return finish(Negative, u"refused: %1"_s.arg(m.staleFlags()));
        if (overrideReason.trimmed().size() < m.policy().minReasonChars)
            return finish(Negative,
                          u"refused: an override needs a reason of at least %1 characters (--override REASON)"_s.arg(
                              m.policy().minReasonChars));
        overridden = true;
    }

    // Who acts is who the profile's GitHub token belongs to (GET /user), never $USER: unknown, nothing is sent.
    const Identity who = l.conn.ws->identity();
    if (!who.known())
        return finish(Negative, u"refused: "_s + who.refusal(u"Advancing the rollout"_s) + u" Nothing was changed."_s);
    const QString actor = who.login;

    // Read-only until armed (ADR 0028): after every other refusal, so --arm is recorded only for a change that goes ahead.
    if (const int armed = armForCommand(ctx, *l.conn.ws, arm, u"rollout advance"_s); armed != Ok) {
        out["exitCode"] = armed;
        out["message"] = armed == Negative ? "refused: the profile is read-only until armed; pass --arm REASON; nothing was changed"
                                           : "not armed: the arming was refused (see standard error); nothing was changed";
        if (o.json)
            ctx.printJson(out);
        return armed;
    }

    // The toggle matrix's path: audited before anything is sent, each change pending until read back.
    Records::AuditLog auditLog(l.auditPath);
    json planned = {{"from", stage + 1},
                    {"to", next + 1},
                    {"stage", to.stage.id.toStdString()},
                    {"digest", digest.toStdString()},
                    {"recommendation", Recommendation::kindName(rec.kind).toStdString()},
                    {"changes", json::array()}};
    for (const ToggleChange &c : changes)
        planned["changes"].push_back(c.summary.toStdString());
    const QString stageTarget = to.stage.id + u'@' + l.conn.environment;
    if (!audit(auditLog, actor, overridden ? u"rollout.advance.override"_s : u"rollout.advance"_s, stageTarget, planned,
               overridden ? overrideReason : rec.headline))
        return finish(Failure, u"the audit log %1 refused the record: nothing was changed"_s.arg(l.auditPath));

    FlagChangeRunner runner;
    runner.setService(l.conn.flags, l.poller.get(), &auditLog);
    runner.setWriteGuard(&l.conn.ws->writeGuard());
    runner.setEventLog(l.conn.clients->flagEvents.get()); // each confirmed record names the service's event id
    QHash<QString, QPair<QString, QString>> outcome; // flag → (action, message)
    QObject::connect(&runner, &FlagChangeRunner::finished, &runner,
                     [&](const QString &flag, const QString &action, const QString &message) {
        outcome.insert(flag, {action, message});
    });
    QStringList sent;
    for (const ToggleChange &c : changes) {
        if (c.enabledAfter == c.enabledBefore && !c.scopeChanges)
            continue; // already in the stage's state
        if (const Status s = runner.start(c, actor, u"rollout advance"_s); !s) {
            outcome.insert(c.flag, {u"flag.toggle.failed"_s, s.error().message});
            break; // no further flag once one could not be sent
        }
        sent << c.flag;
    }
    waitUntil([&] { return !runner.busy(); }, FlagChangeRunner::ReadBackTimeoutMs + 10'000);

    json results = json::array();
    bool allConfirmed = true;
    for (const ToggleChange &c : changes) {
        const auto it = outcome.constFind(c.flag);
        const QString action = it != outcome.cend() ? it->first
            : sent.contains(c.flag)                 ? u"flag.toggle.unconfirmed"_s
                                                    : u"unchanged"_s;
        const QString message = it != outcome.cend() ? it->second
            : sent.contains(c.flag)                  ? u"no read-back"_s
                                                     : u"already in the stage's state"_s;
        allConfirmed = allConfirmed && (action == u"flag.toggle.confirmed"_s || action == u"unchanged"_s);
        results.push_back({{"flag", c.flag.toStdString()},
                           {"summary", c.summary.toStdString()},
                           {"outcome", action.toStdString()},
                           {"message", message.toStdString()}});
    }
    out["results"] = results;
    out["auditLog"] = l.auditPath.toStdString();
    out["overridden"] = overridden;
    if (!allConfirmed) {
        audit(auditLog, actor, u"rollout.advance.failed"_s, stageTarget, {{"to", next + 1}, {"results", results}},
              u"not every flag of the stage was confirmed by read-back"_s);
        return finish(
            Failure,
            u"%1 was not reached: not every flag change was confirmed by read-back (see \"results\"); check the flags in "
            u"the toggle matrix or with raize-console rollout status before trying again"_s.arg(to.stage.name));
    }
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    if (!audit(auditLog, actor, u"rollout.advance.confirmed"_s, stageTarget, {{"to", next + 1}, {"confirmedAt", at.toStdString()}},
               u"the flag service's read-back shows stage %1's flags on; its observation window starts now"_s.arg(next + 1)))
        return finish(
            Failure,
            u"%1 is reached, but the audit log refused its record; its observation window starts %2"_s.arg(to.stage.name, at));
    return finish(Ok,
                  u"advanced to stage %1 of %2: %3 (%4); its observation window starts now (%5)"_s.arg(next + 1)
                      .arg(m.plan().stages.size())
                      .arg(to.stage.name, to.scope.describe(), at));
}

// Which axes a release's canary runs on (issue #20, ADR 0029): the policy's deployment axis and Vercel's billing.
int axes(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString level = ctx.takeOption(u"--level"_s, u"L3"_s);
    const QString keychain = ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    if (!ctx.noneLeft(kAxesUsage))
        return Failure;
    if (!QStringList{u"L0"_s, u"L1"_s, u"L2"_s, u"L3"_s}.contains(level)) {
        ctx.err << u"--level must be L0, L1, L2 or L3\nusage: "_s << kAxesUsage << u'\n';
        return Failure;
    }
    auto ws = Workspace::forProfile(ctx.profile, keychain);
    ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    const Release::DeploymentAxisPolicy policy = ws->policy().deploymentAxis();
    std::optional<Release::BillingFacts> billing;
    QString billingError;
    const auto clients = ws->clients();
    if (policy.enabled && policy.stages.contains(level)) {
        if (!clients || !clients->rollingRelease) {
            billingError = u"Vercel is not configured for profile %1 (vercel/baseUrl, vercel/projectId)"_s.arg(ctx.profile);
        } else {
            QEventLoop loop;
            std::optional<Result<Services::RollingReleaseBilling>> answer;
            clients->rollingRelease->billing([&](const Result<Services::RollingReleaseBilling> &b) {
                answer = b;
                loop.quit();
            });
            if (!answer)
                loop.exec();
            if (answer->ok())
                billing = Release::BillingFacts{(*answer)->allowed, (*answer)->reason, (*answer)->message};
            else
                billingError = answer->error().toString();
        }
    }
    const Release::AxisChoice choice = Release::chooseAxes(policy, level, billing, billingError);
    const int code = choice.deploymentAxis ? Ok : Negative;
    if (asJson) {
        json stages = json::array();
        for (const QString &line : Release::describePlan(policy.stages.value(level)))
            stages.push_back(line.toStdString());
        ctx.printJson({{"level", level.toStdString()}, {"deploymentAxis", choice.deploymentAxis}, {"reason", choice.reason.toStdString()},
                       {"billing", billing ? json{{"allowed", billing->allowed}, {"reason", billing->reason.toStdString()},
                                                  {"message", billing->message.toStdString()}}
                                           : json(nullptr)},
                       {"stages", choice.deploymentAxis ? stages : json::array()}, {"exitCode", code}});
        return code;
    }
    ctx.out << (choice.deploymentAxis ? u"Two axes"_s : u"Flag axis only"_s) << u" ("_s << level << u"): "_s << choice.reason << u'\n';
    if (choice.deploymentAxis) {
        for (const QString &line : Release::describePlan(policy.stages.value(level)))
            ctx.out << u"  "_s << line << u'\n';
    }
    return code;
}

} // namespace

const CommandHelp &rolloutHelp()
{
    static const QString exits =
        u"Exit codes: 0 expand allowed (status) / advanced and read back (advance); 1 wait or blocked, or the\n"
        u"advance was refused (nothing changed); 2 could not run (configuration, a service did not answer, a flag\n"
        u"change failed or was not read back).\n"_s;
    static const QString common =
        u"  --level L            the release level, for its observation window (default: L3, the strictest)\n"
        u"  --flag KEY           the release's flag (repeatable, or comma-separated); default: the canary flags on\n"
        u"                       for the current stage's cohort\n"
        u"  --current STAGE      the stage the release is in (id or number); default: the last stage its flags reach\n"
        u"  --since TIME         since when the stage's flags are on (ISO 8601 with zone); default: the last confirmed\n"
        u"                       change of its flags in the audit log, else unknown (the window counts from now)\n"
        u"  --confirm TEXT|N     a confirmation of the stage the operator gives (what no metric shows; repeatable)\n"
        u"  --policy FILE        a policy bundle (default: the profile's, else the built-in playbook-v1)\n"
        u"  --keychain-service S the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"_s;
    static const CommandHelp help{
        u"usage: raize-console rollout status|advance|axes [OPTIONS]\n"
        u"The SLOs view's rollout monitor without a screen (playbook §4.4, §6.2): every cohort × SLO burn verdict,\n"
        u"page alerts, the expand / wait / blocked recommendation with its reasons and the stale-flags rule; and the\n"
        u"advance to the next stage through the same checked, audited flag change as the console.\n"
        u"Tokens: $RAIZE_FLAGS_TOKEN, else the profile's keychain entry (Prometheus is read without one, as the console does).\n"
        u"The actor of `advance` is the GitHub login of $RAIZE_GITHUB_TOKEN or the profile's GitHub token (GET /user); when\n"
        u"GitHub cannot name it, `advance` is refused (exit 1).\n"
        u"\n"_s +
            exits + u"Example: raize-console rollout status --json\n"_s,
        {{"status"_L1, "every cohort and SLO verdict, pages, the recommendation with reasons, stale flags, the plan digest"_L1,
          u"usage: "_s + kStatusUsage +
              u"\n"
              u"Reads the flags and the SLO counters (3 days and 7 hours at 1-minute steps) once and prints the verdicts,\n"
              u"the page alerts, the recommendation for the next stage with its reasons, what advancing would change, and\n"
              u"the plan digest `rollout advance` needs.\n"
              u"\n"
              u"Options:\n"_s +
              common +
              u"  --json               {level, stage, nextStage, recommendation{kind, headline, reasons}, verdicts, pages,\n"
              u"                       flags{stale}, releaseFlags, changes, digest, autoPacing, exitCode}\n"
              u"\n"_s +
              exits + u"Example: raize-console rollout status --flag publishing.scheduler-v2 --level L3 --json\n"_s},
         {"advance"_L1, "turn on the next stage's flags (checked against the digest, audited, read back)"_L1,
          u"usage: "_s + kAdvanceUsage +
              u"\n"
              u"Advances the release to the next stage: refused (exit 1, nothing changed) when the recommendation is not\n"
              u"\"expand\" (unless the policy's overrides.rolloutAdvance is \"allowed\", --override gives a reason, and no burn\n"
              u"alert fired), when --plan-digest no longer matches `rollout status`'s, or when --stage names another stage.\n"
              u"The audit log gets rollout.advance before anything is sent, each flag change is audited and read back\n"
              u"(flag.toggle.*), then rollout.advance.confirmed starts the next stage's observation window.\n"
              u"\n"
              u"Options:\n"
              u"  --plan-digest D      the digest `rollout status` printed (required)\n"
              u"  --stage ID           the stage to advance to; refused unless it is the next one\n"
              u"  --override REASON    advance although the recommendation says wait/blocked (policy permitting)\n"_s +
              common +
              u"  --json               the status fields and results[{flag, outcome, message}], message, exitCode\n"_s +
              armHelp() + u"\n"_s + exits +
              u"Example: raize-console rollout advance --stage lowrisk --plan-digest 3f9a… --confirm 1 --arm \"expand to lowrisk, CHG-88\"\n"_s},
         {"axes"_L1, "which axes a release's canary runs on: Vercel rolling release and flag cohorts, or flags only, and why"_L1,
          u"usage: "_s + kAxesUsage +
              u"\n"
              u"The two-axis canary (ADR 0029): the deployment axis (a Vercel rolling release of web traffic) needs the\n"
              u"policy's rollout.deploymentAxis on, stages for the level, and the project's rolling-release billing saying\n"
              u"yes (GET /v1/projects/{id}/rolling-release/billing); otherwise the canary runs on the flag axis only and\n"
              u"this says why. Publishing and DMs stay on the flag axis either way.\n"
              u"\n"
              u"Options:\n"
              u"  --level L            the release level (default: L3)\n"
              u"  --keychain-service S the keychain's service name (default: raize-console, or $RAIZE_KEYCHAIN_SERVICE)\n"
              u"  --json               {level, deploymentAxis, reason, billing{allowed, reason, message}|null, stages, exitCode}\n"
              u"\n"
              u"Exit codes: 0 both axes; 1 flag axis only (the reason says why); 2 could not run.\n"
              u"Example: raize-console rollout axes --level L3 --json\n"_s}}};
    return help;
}

int rolloutCommand(Context &ctx)
{
    const QString sub = ctx.args.isEmpty() ? QString() : ctx.args.takeFirst();
    if (sub == u"status"_s)
        return status(ctx);
    if (sub == u"advance"_s)
        return advance(ctx);
    if (sub == u"axes"_s)
        return axes(ctx);
    ctx.err << u"usage: "_s << kStatusUsage << u"\n       "_s << kAdvanceUsage << u"\n       "_s << kAxesUsage << u'\n';
    return Failure;
}

} // namespace Raize::Cli
