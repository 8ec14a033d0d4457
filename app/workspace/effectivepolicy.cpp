#include "workspace/effectivepolicy.h"

#include "core/settings.h"
#include "policy/jsonpositions.h"
#include "release/rolloutmonitor.h"
#include "slo/slopolicy.h"

#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize {

namespace {

const QString OverrideSource = u"the profile's settings (canary/cohorts)"_s;
const QString Remedy = u"Fix the policy bundle (raize-console policy check FILE shows every problem at once), or clear "
                       u"policy/bundlePath to use the playbook's. Until then the profile is read-only."_s;

// RFC 7386 (JSON merge patch): objects merge key by key, null removes, anything else replaces.
void mergePatch(json &target, const json &patch)
{
    if (!patch.is_object()) {
        target = patch;
        return;
    }
    if (!target.is_object())
        target = json::object();
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it->is_null())
            target.erase(it.key());
        else
            mergePatch(target[it.key()], *it);
    }
}

QString fileName(const QString &path)
{
    return path.startsWith(u':') ? path : QFileInfo(path).fileName();
}

// "tenant.json:12: slos[0].objective: must …", with the field path kept.
Error tenantError(const EffectivePolicy::TenantLayer &tenant, const Policy::JsonPositions &positions, const QString &field,
                  const QString &reason)
{
    const int line = field.isEmpty() ? 0 : positions.line(field);
    QString where = fileName(tenant.path);
    if (line > 0)
        where += u':' + QString::number(line);
    Error e = Error::make(Error::Kind::Config, u"policy"_s,
                          field.isEmpty() ? u"%1: %2"_s.arg(where, reason) : u"%1: %2: %3"_s.arg(where, field, reason), Remedy);
    e.fieldPath = field;
    return e;
}

// The reason of a section reader's error without its "bundle: field: " or "bundle: " prefix.
QString reasonOf(const Error &e)
{
    const QString m = e.message;
    if (!e.fieldPath.isEmpty()) {
        const QString marker = e.fieldPath + u": "_s;
        if (const qsizetype at = m.indexOf(marker); at >= 0)
            return m.mid(at + marker.size());
    }
    const qsizetype colon = m.indexOf(u": "_s);
    return colon > 0 && !m.left(colon).contains(u' ') ? m.mid(colon + 2) : m;
}

Result<QStringList> strings(const Policy::Bundle &b, const json &o, const char *key, const QString &path)
{
    QStringList out;
    if (!o.is_object() || !o.contains(key))
        return out;
    if (!o[key].is_array())
        return Policy::fieldError(b, path, u"must be a list of strings"_s);
    for (std::size_t i = 0; i < o[key].size(); ++i) {
        const json &v = o[key][i];
        if (!v.is_string() || v.get<std::string>().empty())
            return Policy::fieldError(b, u"%1[%2]"_s.arg(path).arg(i), u"must be a non-empty string"_s);
        out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}

Result<int> seconds(const Policy::Bundle &b, const json &o, const char *key, const QString &path, int fallback)
{
    if (!o.is_object() || !o.contains(key))
        return fallback;
    if (!o[key].is_number_integer() || o[key].get<qint64>() < 1 || o[key].get<qint64>() > 86400)
        return Policy::fieldError(b, path, u"must be a whole number of seconds from 1 to 86400"_s);
    return o[key].get<int>();
}

Result<Rollback::RollbackRules> rollbackRules(const Policy::Bundle &b, const Policy::SideEffectFlags &sideEffects)
{
    Rollback::RollbackRules r;
    r.sideEffects = sideEffects;
    const json &section = b.section("rollback");
    if (!section.is_object())
        return Policy::fieldError(b, u"rollback"_s, section.is_null() ? u"missing (an object)"_s : u"must be an object"_s);
    const json &post = section.value("postChecks", json::object());
    if (!post.is_object())
        return Policy::fieldError(b, u"rollback.postChecks"_s, u"must be an object"_s);
    const Result<QStringList> queues = strings(b, post, "sideEffectQueues", u"rollback.postChecks.sideEffectQueues"_s);
    if (!queues)
        return queues.error();
    r.sideEffectQueues = *queues;
    const Result<int> drain = seconds(b, post, "queueDrainSeconds", u"rollback.postChecks.queueDrainSeconds"_s, r.queueDrainSeconds);
    if (!drain)
        return drain.error();
    r.queueDrainSeconds = *drain;
    const Result<int> checks = seconds(b, post, "deploymentChecksTimeoutSeconds", u"rollback.postChecks.deploymentChecksTimeoutSeconds"_s,
                                       r.deploymentChecksTimeoutSeconds);
    if (!checks)
        return checks.error();
    r.deploymentChecksTimeoutSeconds = *checks;
    const Result<int> verification = seconds(b, post, "verificationWindowSeconds", u"rollback.postChecks.verificationWindowSeconds"_s,
                                             r.verificationWindowSeconds);
    if (!verification)
        return verification.error();
    r.verificationWindowSeconds = *verification;
    const Result<int> stable = seconds(b, post, "stableWindowSeconds", u"rollback.postChecks.stableWindowSeconds"_s, r.stableWindowSeconds);
    if (!stable)
        return stable.error();
    r.stableWindowSeconds = *stable;
    const json &incident = section.value("incident", json::object());
    if (!incident.is_object())
        return Policy::fieldError(b, u"rollback.incident"_s, u"must be an object"_s);
    const Result<QStringList> labels = strings(b, incident, "labels", u"rollback.incident.labels"_s);
    if (!labels)
        return labels.error();
    r.incidentLabels = *labels;
    // The kill-switch parent (issue #16 item 3): a flag key, optional.
    if (section.contains("killSwitchParent") && !section["killSwitchParent"].is_null()) {
        const json &parent = section["killSwitchParent"];
        if (!parent.is_string() || parent.get<std::string>().empty())
            return Policy::fieldError(b, u"rollback.killSwitchParent"_s, u"must be a flag key (a non-empty string)"_s);
        r.killSwitchParent = QString::fromStdString(parent.get<std::string>());
        if (sideEffects.matches(r.killSwitchParent))
            return Policy::fieldError(b, u"rollback.killSwitchParent"_s,
                                      u"%1 is itself a side-effect flag: the parent must be a flag of its own that the side-effect flags depend on"_s.arg(
                                          r.killSwitchParent));
    }
    // The way back through the canary (issue #16 item 10): may it start before production has the fix?
    const json &restore = section.value("restore", json::object());
    if (!restore.is_object())
        return Policy::fieldError(b, u"rollback.restore"_s, u"must be an object"_s);
    for (auto it = restore.begin(); it != restore.end(); ++it) {
        if (it.key() != "withoutFix")
            return Policy::fieldError(b, u"rollback.restore."_s + QString::fromStdString(it.key()), u"unknown key (withoutFix)"_s);
        if (!it.value().is_string() || (it.value() != "allowed" && it.value() != "forbidden"))
            return Policy::fieldError(b, u"rollback.restore.withoutFix"_s, u"must be \"allowed\" or \"forbidden\""_s);
        r.restoreWithoutFixAllowed = it.value() == "allowed";
    }
    for (auto it = section.begin(); it != section.end(); ++it) {
        if (it.key() != "postChecks" && it.key() != "incident" && it.key() != "killSwitchParent" && it.key() != "restore")
            return Policy::fieldError(b, u"rollback."_s + QString::fromStdString(it.key()),
                                      u"unknown key (the side-effect list is sideEffectFlags, ADR 0017)"_s);
    }
    return r;
}

// The first production stage's cohort is the first canary (§4.4): the toggle matrix's §4.3 rule.
Release::ToggleRules makeToggleRules(const Release::RolloutPolicy &rollout, const QList<Release::Cohort> &cohorts,
                                 const Policy::SideEffectFlags &sideEffects)
{
    Release::ToggleRules rules;
    rules.sideEffects = sideEffects;
    rules.cohorts = cohorts;
    for (const Release::RolloutStage &stage : rollout.stages) {
        if (stage.environment == u"production"_s && !stage.cohortId.isEmpty()) {
            for (const Release::Cohort &c : cohorts) {
                if (c.id == stage.cohortId) {
                    rules.firstCanary = c.scope();
                    rules.firstCanaryCohort = c.id;
                }
            }
            break;
        }
    }
    return rules;
}

QString levelsText(const QStringList &missing)
{
    return u"\"%1\""_s.arg(missing.join(u"\", \""_s));
}

QStringList missingFrom(const QStringList &floor, const QStringList &candidate)
{
    QStringList out;
    for (const QString &s : floor) {
        if (!candidate.contains(s))
            out << s;
    }
    return out;
}

} // namespace

Result<EffectivePolicy> EffectivePolicy::parse(std::shared_ptr<const Policy::Bundle> bundle, const QString &cohortOverride)
{
    const Policy::Bundle &b = *bundle;
    EffectivePolicy p;
    p.m_bundle = bundle;
    const Result<Release::GatePolicy> gates = Release::GatePolicy::fromBundle(b);
    if (!gates)
        return gates.error();
    p.m_gates = *gates;
    const Result<QList<Slo::SloSpec>> slos = Slo::slosFromPolicy(b);
    if (!slos)
        return slos.error();
    p.m_slos = *slos;
    const Result<QList<Slo::BurnRule>> burn = Slo::burnRulesFromPolicy(b);
    if (!burn)
        return burn.error();
    p.m_burnRules = *burn;
    const Result<QList<Release::Cohort>> cohorts = Release::cohortsFromPolicy(b);
    if (!cohorts)
        return cohorts.error();
    p.m_cohorts.cohorts = *cohorts;
    p.m_cohorts.source = b.source;
    const Result<Release::RolloutPolicy> rollout = Release::rolloutFromPolicy(b, *cohorts);
    if (!rollout)
        return rollout.error();
    p.m_rollout = *rollout;
    for (const QString &id : std::as_const(p.m_rollout.verificationSlos)) {
        if (std::none_of(p.m_slos.cbegin(), p.m_slos.cend(), [&](const Slo::SloSpec &s) { return s.id == id; }))
            return Policy::fieldError(b, u"rollout.verificationSlos"_s, u"\"%1\" is not an SLO of the policy"_s.arg(id));
    }
    QMap<QString, double> objectives;
    for (const Slo::SloSpec &spec : std::as_const(p.m_slos))
        objectives.insert(spec.id, spec.objective);
    const Result<Release::DeploymentAxisPolicy> axis = Release::deploymentAxisFromPolicy(b, objectives, *cohorts);
    if (!axis)
        return axis.error();
    p.m_deploymentAxis = *axis;
    const json &canary = b.section("canary");
    p.m_newL3FlagsDefault = canary.is_object() ? Policy::stringField(canary, "newL3FlagsDefault") : QString();
    if (p.m_newL3FlagsDefault != u"off"_s && p.m_newL3FlagsDefault != u"on"_s)
        return Policy::fieldError(b, u"canary.newL3FlagsDefault"_s, u"must be \"off\" (playbook §4.3)"_s);
    // Read-only until armed (ADR 0028): how long an arming lasts. No section: the playbook's 15 minutes.
    p.m_armingWindowMinutes = DefaultArmingWindowMinutes;
    if (const json &arming = b.section("arming"); !arming.is_null()) {
        const auto window = arming.is_object() ? arming.find("windowMinutes") : arming.end();
        if (!arming.is_object() || window == arming.end() || !window->is_number_integer())
            return Policy::fieldError(b, u"arming.windowMinutes"_s, u"must be a whole number of minutes (the playbook's is 15)"_s);
        const qint64 minutes = window->get<qint64>();
        if (minutes < 1 || minutes > MaxArmingWindowMinutes)
            return Policy::fieldError(b, u"arming.windowMinutes"_s,
                                      u"%1 is outside 1–%2 minutes (the playbook's is 15)"_s.arg(minutes).arg(MaxArmingWindowMinutes));
        p.m_armingWindowMinutes = int(minutes);
    }
    // The confirmations table is main's schema and parser (issue #14, item 5); it refuses a loosened floor itself.
    const Result<Policy::Confirmations> confirmations = Policy::confirmationsFromBundle(b);
    if (!confirmations)
        return confirmations.error();
    p.m_confirmations = *confirmations;
    // The rollout monitor's own reads of the bundle (overrides.rolloutAdvance, minReasonChars): refused whole as well.
    if (const auto monitor = Release::rolloutMonitorPolicy(b, p.m_cohorts.cohorts); !monitor)
        return monitor.error();
    const Result<Rollback::RollbackRules> rules = rollbackRules(b, p.m_gates.sideEffects);
    if (!rules)
        return rules.error();
    p.m_rollback = *rules;
    const Result<Rollback::TriggerRules> triggers = Rollback::triggerRulesFromBundle(b);
    if (!triggers)
        return triggers.error();
    p.m_triggers = *triggers;
    const Result<Release::MigrationPolicy> migrations = Release::migrationPolicyFromBundle(b, p.m_gates);
    if (!migrations)
        return migrations.error();
    p.m_migrations = *migrations;
    const Result<Release::EffectiveRules> effective = Release::effectiveRulesFromBundle(b);
    if (!effective)
        return effective.error();
    p.m_effective = *effective;
    const Result<Records::RecordsPolicy> records = Records::recordsPolicyFromBundle(b);
    if (!records)
        return records.error();
    p.m_records = *records;

    // The profile's cohort override (ADR 0006): used when it fits, else said why.
    if (const QString stored = cohortOverride.trimmed(); !stored.isEmpty()) {
        const json doc = json::parse(stored.toStdString(), nullptr, false);
        if (doc.is_discarded()) {
            p.m_cohorts.overrideError = Error::make(Error::Kind::Config, u"settings"_s, u"%1 is not valid JSON"_s.arg(OverrideSource),
                                                    u"Edit the cohorts in the console (Canary → Edit cohorts…) or reset them to the policy's."_s);
        } else if (const Result<QList<Release::Cohort>> own = Release::cohortsFromOverride(doc, b, OverrideSource); !own) {
            p.m_cohorts.overrideError = own.error();
        } else {
            const Result<Release::RolloutPolicy> withOwn = Release::rolloutFromPolicy(b, *own);
            if (!withOwn)
                return withOwn.error(); // cohortsFromOverride checked exactly this
            p.m_cohorts.cohorts = *own;
            p.m_cohorts.fromSettings = true;
            p.m_cohorts.source = OverrideSource;
            p.m_rollout = *withOwn;
        }
    }
    p.m_toggleRules = makeToggleRules(p.m_rollout, p.m_cohorts.cohorts, p.sideEffectFlags());
    return p;
}

Result<EffectivePolicy> EffectivePolicy::build(const Policy::Bundle &builtinBundle, const std::optional<TenantLayer> &tenant,
                                               const QString &cohortOverride)
{
    if (!tenant) {
        Result<EffectivePolicy> p = parse(std::make_shared<const Policy::Bundle>(builtinBundle), cohortOverride);
        if (p)
            p.value().m_layers << u"built-in %1"_s.arg(builtinBundle.id);
        return p;
    }
    // The base must itself be valid: the floors are read from it.
    const Result<EffectivePolicy> floor = parse(std::make_shared<const Policy::Bundle>(builtinBundle), QString());
    if (!floor)
        return floor.error();

    const Policy::JsonPositions positions = Policy::JsonPositions::scan(tenant->text);
    Result<Policy::Bundle> own = Policy::parseBundle(tenant->text, tenant->path);
    if (!own) {
        if (!own.error().fieldPath.isEmpty()) // the envelope: name its line too
            return tenantError(*tenant, positions, own.error().fieldPath, reasonOf(own.error()));
        Error e = own.error(); // a syntax error: parseBundle names the line and column
        e.remedy = Remedy;
        return e;
    }
    const json &t = own->doc;

    // The side-effect list of a bundle written before the effective policy's ADR is read from
    // the tenant's own text, so its old lists are compared with each other, not with the base's new one.
    json merged = builtinBundle.doc;
    mergePatch(merged, t);
    // A tenant's `slos` list replaces the base's whole (RFC 7386); an SLO it keeps by id keeps its
    // series table (labels, services, lanes: docs/slo-labels.md) unless it writes its own.
    if (t.contains("slos") && merged["slos"].is_array() && builtinBundle.doc.contains("slos") && builtinBundle.doc["slos"].is_array()) {
        for (json &slo : merged["slos"]) {
            if (!slo.is_object() || slo.contains("series") || !slo.contains("id"))
                continue;
            for (const json &base : builtinBundle.doc["slos"]) {
                if (base.is_object() && base.value("id", json()) == slo["id"] && base.contains("series"))
                    slo["series"] = base["series"];
            }
        }
    }
    // The envelope is the tenant's own, as written ("tenant": null stays a value, not a removal).
    for (const char *key : {"schema", "version", "id", "title", "tenant", "playbook"}) {
        if (t.contains(key))
            merged[key] = t[key];
    }
    const bool ownsSideEffects = t.contains("sideEffectFlags") || (t.contains("levels") && t["levels"].is_object() && t["levels"].contains("sideEffectFlagPrefixes"))
                                 || (t.contains("rollback") && t["rollback"].is_object() && t["rollback"].contains("sideEffectFlagPrefixes"));
    if (ownsSideEffects) {
        const Result<Policy::SideEffectFlags> se = Policy::sideEffectFlagsFromBundle(*own);
        if (!se)
            return tenantError(*tenant, positions, se.error().fieldPath, reasonOf(se.error()));
        json prefixes = json::array(), keys = json::array();
        for (const QString &s : se->prefixes)
            prefixes.push_back(s.toStdString());
        for (const QString &s : se->keys)
            keys.push_back(s.toStdString());
        merged["sideEffectFlags"] = {{"prefixes", prefixes}, {"flags", keys}};
    }
    for (const char *section : {"levels", "rollback"}) {
        if (merged.contains(section) && merged[section].is_object())
            merged[section].erase("sideEffectFlagPrefixes");
    }

    auto bundle = std::make_shared<Policy::Bundle>(*own);
    bundle->doc = std::move(merged);
    // A cohort's id is its metric label (`cohort="house"`): renaming and new members are fine, a new id for an old cohort is not.
    const Result<QList<Release::Cohort>> mineOrError = Release::cohortsFromPolicy(*bundle);
    if (!mineOrError)
        return tenantError(*tenant, positions, mineOrError.error().fieldPath, reasonOf(mineOrError.error()));
    const QList<Release::Cohort> &base = floor->cohorts();
    const QList<Release::Cohort> &mine = *mineOrError;
    for (qsizetype i = 0; i < base.size(); ++i) {
        const auto kept = std::find_if(mine.cbegin(), mine.cend(), [&](const Release::Cohort &c) { return c.id == base[i].id; });
        if (kept != mine.cend())
            continue;
        const bool replaced = i < mine.size()
                              && std::none_of(base.cbegin(), base.cend(), [&](const Release::Cohort &c) { return c.id == mine[i].id; });
        if (replaced)
            return tenantError(*tenant, positions, u"cohorts[%1].id"_s.arg(i),
                               u"changes the id of cohort \"%1\" to \"%2\": a cohort's id is its metric label (cohort=\"%1\"); "
                               u"rename it with \"name\" and keep the id"_s.arg(base[i].id, mine[i].id));
        return tenantError(*tenant, positions, u"cohorts"_s,
                           u"drops cohort \"%1\": a cohort's id is its metric label (cohort=\"%1\"); keep it (its name and members may change)"_s
                               .arg(base[i].id));
    }

    Result<EffectivePolicy> candidate = parse(bundle, QString());
    if (!candidate)
        return tenantError(*tenant, positions, candidate.error().fieldPath, reasonOf(candidate.error()));

    const QList<Violation> violations = floorViolations(*floor, *candidate);
    if (!violations.isEmpty()) {
        Error e = tenantError(*tenant, positions, violations.first().field, violations.first().reason);
        if (violations.size() > 1)
            e.message += u" (and %1 more: %2)"_s.arg(violations.size() - 1).arg([&] {
                QStringList rest;
                for (qsizetype i = 1; i < violations.size(); ++i)
                    rest << violations[i].field;
                return rest.join(u", "_s);
            }());
        return e;
    }

    Result<EffectivePolicy> out = parse(bundle, cohortOverride);
    if (!out)
        return tenantError(*tenant, positions, out.error().fieldPath, reasonOf(out.error()));
    out.value().m_layers << u"built-in %1"_s.arg(builtinBundle.id)
                         << u"tenant bundle %1 (%2%3)"_s.arg(tenant->path, own->id, own->tenant.isEmpty() ? QString() : u", tenant "_s + own->tenant);
    if (out->m_cohorts.fromSettings)
        out.value().m_layers << OverrideSource;
    return out;
}

QList<EffectivePolicy::Violation> EffectivePolicy::floorViolations(const EffectivePolicy &floor, const EffectivePolicy &p)
{
    QList<Violation> out;
    const auto add = [&](const QString &field, const QString &reason) { out.append({field, reason}); };

    // §0.2, §1, §7.2: every side effect of the playbook stays a side effect.
    if (const QStringList m = missingFrom(floor.sideEffectFlags().prefixes, p.sideEffectFlags().prefixes); !m.isEmpty())
        add(u"sideEffectFlags.prefixes"_s, u"drops %1: the playbook's side effects stay side effects (§0.2, §1; a tenant may only add)"_s.arg(levelsText(m)));
    if (const QStringList m = missingFrom(floor.sideEffectFlags().keys, p.sideEffectFlags().keys); !m.isEmpty())
        add(u"sideEffectFlags.flags"_s, u"drops %1: the playbook's side effects stay side effects (§0.2)"_s.arg(levelsText(m)));

    // §7.1: a P0 trigger the playbook detects from signals stays detected (issue #16, item 4).
    for (const Rollback::TriggerRule &r : floor.triggers().rules) {
        if (Rollback::priorityOf(r.trigger) != Rollback::Priority::P0)
            continue;
        const auto &mine = p.triggers().rules;
        if (std::none_of(mine.cbegin(), mine.cend(), [&](const Rollback::TriggerRule &m) { return m.trigger == r.trigger; }))
            add(u"triggers.rules"_s, u"drops the %1 rule: a P0 trigger of the playbook stays detected (§7.1)"_s.arg(r.id()));
    }

    // §3.2 and §1: reviews, and the L3 two-person rule.
    const Release::GatePolicy &fg = floor.gates(), &g = p.gates();
    if (g.minReviews < fg.minReviews)
        add(u"gates.minReviews.default"_s, u"%1 is below the playbook's %2 (§3.2)"_s.arg(g.minReviews).arg(fg.minReviews));
    if (g.minReviewsL3 < fg.minReviewsL3)
        add(u"gates.minReviews.L3"_s, u"%1 is below the playbook's %2: L3 needs two people (§1, §3.2)"_s.arg(g.minReviewsL3).arg(fg.minReviewsL3));
    if (g.approvals < fg.approvals)
        add(u"promotion.approvals.default"_s, u"%1 is below the playbook's %2 (§2.2)"_s.arg(g.approvals).arg(fg.approvals));
    if (g.approvalsL3 < fg.approvalsL3)
        add(u"promotion.approvals.L3"_s, u"%1 is below the playbook's %2: L3 needs two people (§1)"_s.arg(g.approvalsL3).arg(fg.approvalsL3));
    if (fg.distinctApprovers && !g.distinctApprovers)
        add(u"promotion.distinctApprovers"_s, u"must stay true: two approvals by one person are one (L3 two-person rule)"_s);
    if (!fg.authorsMayApprove && g.authorsMayApprove)
        add(u"promotion.authorsMayApprove"_s, u"must stay false: an author approving their own release is not a second person"_s);

    // §3.3, §5.1, §8.6: the baseline checks and fields stay required.
    const struct
    {
        const char *field;
        const QStringList &floor, &mine;
        const char *why;
    } lists[] = {{"gates.requiredChecks", fg.requiredChecks, g.requiredChecks, "the baseline status checks (§3.3)"},
                 {"gates.l3Checks", fg.l3Checks, g.l3Checks, "the L3 extra checks (§3.3)"},
                 {"gates.deploymentChecks", fg.deploymentChecks, g.deploymentChecks, "the minimum Deployment Checks (§5.1)"},
                 {"gates.changelogFields", fg.changelogFields, g.changelogFields, "the changelog entry fields (§8.6)"}};
    for (const auto &l : lists) {
        if (const QStringList m = missingFrom(l.floor, l.mine); !m.isEmpty())
            add(QString::fromLatin1(l.field), u"drops %1, one of %2"_s.arg(levelsText(m), QString::fromLatin1(l.why)));
    }

    // Gates the playbook says may not be overridden stay forbidden; new L3 flags stay OFF (§4.3).
    for (const QString &id : Release::gateIds()) {
        if (!fg.overridable(id) && g.overridable(id))
            add(u"overrides.gates."_s + id, u"the playbook forbids overriding the %1 gate; a tenant cannot allow it"_s.arg(id));
    }
    if (g.minOverrideReasonChars < fg.minOverrideReasonChars)
        add(u"overrides.minReasonChars"_s, u"%1 is below the playbook's %2"_s.arg(g.minOverrideReasonChars).arg(fg.minOverrideReasonChars));
    if (p.m_armingWindowMinutes > floor.m_armingWindowMinutes)
        add(u"arming.windowMinutes"_s, u"%1 is longer than the playbook's %2: a tenant may shorten the arming window, never lengthen it (ADR 0028)"_s
                                           .arg(p.m_armingWindowMinutes)
                                           .arg(floor.m_armingWindowMinutes));
    if (p.m_newL3FlagsDefault != floor.m_newL3FlagsDefault)
        add(u"canary.newL3FlagsDefault"_s, u"must stay \"%1\": production defaults to OFF for new L3 features (§4.3)"_s.arg(floor.m_newL3FlagsDefault));

    // §1: what the playbook calls L3 stays L3, and an unlabelled release is not assumed safer.
    if (int(g.unlabelled) < int(fg.unlabelled))
        add(u"levels.unlabelled"_s, u"%1 is below the playbook's %2"_s.arg(Release::levelName(g.unlabelled), Release::levelName(fg.unlabelled)));
    for (const Release::PathRule &r : fg.pathRules) {
        if (r.level != Release::Level::L3)
            continue;
        const bool kept = std::any_of(g.pathRules.cbegin(), g.pathRules.cend(),
                                      [&](const Release::PathRule &o) { return o.glob == r.glob && o.level == Release::Level::L3; });
        if (!kept)
            add(u"pathRules"_s, u"drops the L3 rule for %1: external side effects are L3 (§1)"_s.arg(r.glob));
    }

    // SLOs: every objective stays, and may only get stricter; alerts may only fire sooner.
    for (const Slo::SloSpec &s : floor.slos()) {
        qsizetype at = -1;
        for (qsizetype i = 0; i < p.slos().size(); ++i)
            at = p.slos()[i].id == s.id ? i : at;
        if (at < 0) {
            add(u"slos"_s, u"drops the SLO \"%1\": every behaviour keeps its telemetry (§0.1, §6.3)"_s.arg(s.id));
            continue;
        }
        const Slo::SloSpec &o = p.slos()[at];
        if (o.objective < s.objective)
            add(u"slos[%1].objective"_s.arg(at), u"%1 is looser than the playbook's %2 for %3: objectives may only get stricter"_s.arg(o.objective).arg(s.objective).arg(s.id));
        if (s.thresholdSeconds > 0 && (o.thresholdSeconds <= 0 || o.thresholdSeconds > s.thresholdSeconds))
            add(u"slos[%1].thresholdSeconds"_s.arg(at), u"%1 s is looser than the playbook's %2 s for %3"_s.arg(o.thresholdSeconds).arg(s.thresholdSeconds).arg(s.id));
    }
    for (const Slo::BurnRule &r : floor.burnRules()) {
        const bool kept = std::any_of(p.burnRules().cbegin(), p.burnRules().cend(), [&](const Slo::BurnRule &o) {
            return o.severity == r.severity && o.longWindowMs == r.longWindowMs && o.shortWindowMs == r.shortWindowMs && o.burnRate <= r.burnRate;
        });
        if (!kept)
            add(u"burnAlerts"_s, u"has no %1 rule at or below the playbook's (%2): alerts may only fire sooner"_s.arg(Slo::severityName(r.severity), r.name()));
    }

    // §4.4, §6.2: the canary order, its limits and the observation windows.
    const Release::RolloutPolicy &fr = floor.rollout(), &r = p.rollout();
    for (auto it = fr.observationMinutes.cbegin(); it != fr.observationMinutes.cend(); ++it) {
        if (r.observationMinutes.value(it.key()) < it.value())
            add(u"rollout.observationMinutes."_s + it.key(),
                u"%1 min is shorter than the playbook's %2 min (§6.2)"_s.arg(r.observationMinutes.value(it.key())).arg(it.value()));
    }
    qsizetype next = 0;
    for (const Release::RolloutStage &s : fr.stages) {
        qsizetype found = -1;
        for (qsizetype i = next; i < r.stages.size() && found < 0; ++i)
            found = r.stages[i].id == s.id ? i : -1;
        if (found < 0) {
            add(u"rollout.stages"_s, u"drops or reorders the stage \"%1\": the canary goes staging → house → low-risk → broad (§4.4)"_s.arg(s.id));
            break;
        }
        const Release::RolloutStage &o = r.stages[found];
        if (o.environment != s.environment || o.cohortId != s.cohortId)
            add(u"rollout.stages[%1]"_s.arg(found), u"the stage \"%1\" must stay in %2 on cohort \"%3\" (§4.4)"_s.arg(s.id, s.environment, s.cohortId));
        if (s.maxClients > 0 && (o.maxClients == 0 || o.maxClients > s.maxClients))
            add(u"rollout.stages[%1].maxClients"_s.arg(found), u"the stage \"%1\" exposes at most %2 clients (§4.4)"_s.arg(s.id).arg(s.maxClients));
        if (const QStringList m = missingFrom(s.confirmations, o.confirmations); !m.isEmpty())
            add(u"rollout.stages[%1].confirm"_s.arg(found), u"drops the confirmation %1 (§6.2)"_s.arg(levelsText(m)));
        next = found + 1;
    }
    // The two-axis canary (ADR 0029): a tenant may turn it on and tighten it, never judge a canary more loosely.
    const Release::DeploymentAxisPolicy &fa = floor.m_deploymentAxis, &a = p.m_deploymentAxis;
    for (const auto &[key, mine, theirs] : {std::tuple{"maxBurnRate", a.maxBurnRate, fa.maxBurnRate},
                                            std::tuple{"maxCanaryToBaseline", a.maxCanaryToBaseline, fa.maxCanaryToBaseline},
                                            std::tuple{"pageBurnRate", a.pageBurnRate, fa.pageBurnRate}}) {
        if (mine > theirs)
            add(u"rollout.deploymentAxis."_s + QLatin1StringView(key), u"%1 is looser than the playbook's %2"_s.arg(mine).arg(theirs));
    }
    if (a.minRequests < fa.minRequests)
        add(u"rollout.deploymentAxis.minRequests"_s,
            u"%1 requests are fewer than the playbook's %2: a stage is judged on enough data"_s.arg(a.minRequests).arg(fa.minRequests));
    // Enforcement friction holds sooner, never later; the staging smoke checks may be added to, never dropped (§6.2).
    if (a.friction.maxRatio > fa.friction.maxRatio)
        add(u"rollout.deploymentAxis.friction.maxRatio"_s,
            u"%1 is looser than the playbook's %2: expand only with no enforcement friction (§6.2 Phase C)"_s.arg(a.friction.maxRatio).arg(fa.friction.maxRatio));
    if (a.friction.minCount > fa.friction.minCount)
        add(u"rollout.deploymentAxis.friction.minCount"_s,
            u"%1 events before a hold is looser than the playbook's %2 (§6.2 Phase C)"_s.arg(a.friction.minCount).arg(fa.friction.minCount));
    if (const QStringList m = missingFrom(fa.smokeChecks, a.smokeChecks); !m.isEmpty())
        add(u"rollout.deploymentAxis.smokeChecks"_s, u"drops %1: a canary starts only after the staging smoke tests passed (§6.2 Phase A)"_s.arg(levelsText(m)));
    if (const QStringList m = missingFrom(fr.verificationSlos, r.verificationSlos); !m.isEmpty())
        add(u"rollout.verificationSlos"_s, u"drops %1: expanding needs publish verification healthy (§6.2 Phase C)"_s.arg(levelsText(m)));

    // Confirmations may get stricter; the playbook's typed ones never drop to none. The rollback's checks and records stay.
    for (const Policy::ConfirmAction action : Policy::typedConfirmationFloor()) {
        if (floor.confirmations().rule(action).typed() && !p.confirmations().rule(action).typed())
            add(u"confirmations."_s + Policy::confirmActionKey(action) + u".require"_s,
                u"\"none\" is looser than the playbook's typed confirmation for %1 (§7.2, §0)"_s.arg(Policy::confirmActionKey(action)));
    }
    if (const QStringList m = missingFrom(floor.rollback().sideEffectQueues, p.rollback().sideEffectQueues); !m.isEmpty())
        add(u"rollback.postChecks.sideEffectQueues"_s, u"drops %1: no pending side effects in queues is a post-rollback check (§7.5)"_s.arg(levelsText(m)));
    if (const QStringList m = missingFrom(floor.rollback().incidentLabels, p.rollback().incidentLabels); !m.isEmpty())
        add(u"rollback.incident.labels"_s, u"drops %1 (§7.5 opens an incident)"_s.arg(levelsText(m)));
    // A change is confirmed by no fewer samples, and no smaller share of them on the expected deployment (ADR 0027).
    if (p.effective().samples < floor.effective().samples)
        add(u"effective.samples"_s, u"%1 is fewer probe samples than the playbook's %2"_s.arg(p.effective().samples).arg(floor.effective().samples));
    if (p.effective().minShare < floor.effective().minShare)
        add(u"effective.minShare"_s, u"%1 accepts a smaller share of samples on the expected deployment than the playbook's %2"_s
                                         .arg(p.effective().minShare)
                                         .arg(floor.effective().minShare));
    return out;
}

EffectivePolicy EffectivePolicy::load(const Settings &settings, const QString &policyFile)
{
    const QString path = !policyFile.isEmpty() ? policyFile : settings.string(SettingKey::PolicyBundlePath);
    const QString override = settings.string(SettingKey::CanaryCohorts);
    std::optional<TenantLayer> tenant;
    std::optional<Error> failure;
    if (!path.isEmpty()) {
        QFile f(path);
        if (f.open(QIODevice::ReadOnly)) {
            tenant = TenantLayer{path, f.readAll()};
        } else {
            failure = Error::make(Error::Kind::Io, u"policy"_s, u"cannot read the policy bundle %1: %2"_s.arg(path, f.errorString()),
                                  u"Check the path (policy/bundlePath) and its permissions. Until then the profile is read-only."_s);
        }
    }
    if (!failure) {
        Result<EffectivePolicy> built = build(Policy::builtinBundle(), tenant, override);
        if (built)
            return std::move(built).value();
        failure = built.error();
    }
    // Refused: the playbook's parts (the floors), read-only, and why.
    Result<EffectivePolicy> floor = build(Policy::builtinBundle(), std::nullopt, QString());
    EffectivePolicy out = floor ? std::move(floor).value() : EffectivePolicy{};
    out.m_error = failure;
    out.m_layers = QStringList{u"built-in %1 (read-only: the profile's bundle is refused)"_s.arg(Policy::builtinBundle().id)};
    return out;
}

const EffectivePolicy &EffectivePolicy::builtin()
{
    static const EffectivePolicy policy = [] {
        Result<EffectivePolicy> r = build(Policy::builtinBundle(), std::nullopt, QString());
        // The built-in bundle is checked by test_effective_policy; failing here means the build is broken.
        if (!r)
            qFatal("built-in policy bundle: %s", qUtf8Printable(r.error().toString()));
        return std::move(r).value();
    }();
    return policy;
}

Result<Policy::Bundle> EffectivePolicy::effectiveBundle(const QString &path)
{
    if (path == u"builtin"_s)
        return builtin().bundle();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::make(Error::Kind::Io, u"policy"_s, u"cannot read %1: %2"_s.arg(path, f.errorString()),
                           u"Check the path and its permissions."_s);
    const Result<EffectivePolicy> p = build(builtin().bundle(), TenantLayer{path, f.readAll()});
    if (!p)
        return p.error();
    return p->bundle();
}

QString EffectivePolicy::readOnlyReason() const
{
    return m_error ? m_error->message : QString();
}

QStringList EffectivePolicy::layers() const
{
    return m_layers;
}

QString EffectivePolicy::describe() const
{
    if (m_error)
        return u"Read-only: the policy bundle is refused: %1. %2"_s.arg(m_error->message, m_error->remedy);
    return u"Policy: %1."_s.arg(m_layers.join(u" → "_s));
}

QString EffectivePolicy::fingerprint() const
{
    if (!m_bundle)
        return {};
    return QString::fromStdString(m_bundle->source.toStdString() + '\n' + m_bundle->section("rollout").dump() + '\n'
                                  + m_bundle->section("canary").dump() + '\n' + Release::cohortsToJson(cohorts()).dump());
}

Release::DeploymentAxisPolicy EffectivePolicy::deploymentAxis() const
{
    Release::DeploymentAxisPolicy out = m_deploymentAxis;
    if (readOnly()) {
        out.enabled = false;
        out.autoAdvance = false;
    }
    return out;
}

Release::RolloutMonitorPolicy EffectivePolicy::rolloutMonitor() const
{
    Release::RolloutMonitorPolicy out;
    if (m_bundle) {
        // Checked when the policy was parsed; what is read here is the overrides and the fingerprint.
        if (const auto parsed = Release::rolloutMonitorPolicy(*m_bundle, cohorts()))
            out = *parsed;
    }
    out.slos = m_slos;
    out.rules = m_burnRules;
    out.cohorts = cohorts();
    out.rollout = m_rollout;
    // Read-only (a refused bundle): auto-pacing cannot be armed.
    if (readOnly())
        out.rollout.autoPacing = false;
    return out;
}

Result<EffectivePolicy> EffectivePolicy::withCohorts(const QList<Release::Cohort> &cohorts) const
{
    if (!m_bundle)
        return Error::make(Error::Kind::Config, u"policy"_s, u"no policy is loaded"_s);
    const Result<Release::RolloutPolicy> rollout = Release::rolloutFromPolicy(*m_bundle, cohorts);
    if (!rollout)
        return rollout.error();
    EffectivePolicy p = *this;
    p.m_cohorts.cohorts = cohorts;
    const Result<QList<Release::Cohort>> own = Release::cohortsFromPolicy(*m_bundle);
    p.m_cohorts.fromSettings = !own || *own != cohorts;
    p.m_cohorts.source = p.m_cohorts.fromSettings ? OverrideSource : m_bundle->source;
    p.m_cohorts.overrideError.reset();
    p.m_rollout = *rollout;
    p.m_toggleRules = makeToggleRules(p.m_rollout, cohorts, sideEffectFlags());
    return p;
}

} // namespace Raize
