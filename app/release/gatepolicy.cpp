#include "release/gatepolicy.h"

#include <algorithm>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

QString levelName(Level level)
{
    return u"L%1"_s.arg(int(level));
}

std::optional<Level> levelFromName(const QString &name)
{
    const QString n = name.trimmed().toUpper();
    if (n.size() == 2 && n[0] == u'L' && n[1] >= u'0' && n[1] <= u'3')
        return Level(n[1].unicode() - u'0');
    return std::nullopt;
}

QRegularExpression globToRegex(const QString &glob)
{
    QString re = u"^"_s;
    for (qsizetype i = 0; i < glob.size(); ++i) {
        const QChar c = glob[i];
        if (c == u'*' && i + 1 < glob.size() && glob[i + 1] == u'*') {
            const bool slash = i + 2 < glob.size() && glob[i + 2] == u'/';
            re += slash ? u"(?:.*/)?"_s : u".*"_s;
            i += slash ? 2 : 1;
        } else if (c == u'*') {
            re += u"[^/]*"_s;
        } else if (c == u'?') {
            re += u"[^/]"_s;
        } else {
            re += QRegularExpression::escape(QString(c));
        }
    }
    re += u'$';
    return QRegularExpression(re);
}

bool PathRule::matches(const QString &path) const
{
    return regex.match(path).hasMatch();
}

bool SloMapping::matchesFlag(const QString &key) const
{
    return std::any_of(flagRegex.cbegin(), flagRegex.cend(), [&](const QRegularExpression &re) { return re.match(key).hasMatch(); });
}

bool SloMapping::matchesPath(const QString &path) const
{
    return std::any_of(pathRegex.cbegin(), pathRegex.cend(), [&](const QRegularExpression &re) { return re.match(path).hasMatch(); });
}

const QStringList &gateIds()
{
    static const QStringList ids = {u"deployment-ready"_s, u"status-checks"_s, u"branch-protection"_s, u"l3-checks"_s,
                                    u"reviews"_s,          u"deployment-checks"_s, u"l3-flags-off"_s, u"changelog"_s,
                                    u"runbooks"_s,         u"migrations"_s,       u"staging-deployment"_s, u"deployment-protection"_s,
                                    u"rollback-targets"_s, u"error-budget"_s};
    return ids;
}

namespace {

// Reads typed values out of the sections and remembers the first problem
// with its field path; the caller returns nothing when there was one.
class Reader
{
public:
    explicit Reader(const Policy::Bundle &b) : m_bundle(b) {}

    bool failed() const { return !m_field.isEmpty(); }
    Error error() const
    {
        return Policy::fieldError(m_bundle, m_field, m_message);
    }
    void fail(const QString &field, const QString &message)
    {
        if (!failed()) {
            m_field = field;
            m_message = message;
        }
    }

    const json *object(const json &parent, const char *key, const QString &path, bool required = true)
    {
        if (!parent.is_object() || !parent.contains(key)) {
            if (required)
                fail(path, u"missing (an object)"_s);
            return nullptr;
        }
        if (!parent[key].is_object()) {
            fail(path, u"must be an object"_s);
            return nullptr;
        }
        return &parent[key];
    }

    QString string(const json &parent, const char *key, const QString &path, const QString &fallback, bool required = false)
    {
        if (!parent.is_object() || !parent.contains(key)) {
            if (required)
                fail(path, u"missing (a string)"_s);
            return fallback;
        }
        if (!parent[key].is_string()) {
            fail(path, u"must be a string"_s);
            return fallback;
        }
        return QString::fromStdString(parent[key].get<std::string>());
    }

    int integer(const json &parent, const char *key, const QString &path, int fallback, int min, int max)
    {
        if (!parent.is_object() || !parent.contains(key))
            return fallback;
        const json &v = parent[key];
        if (!v.is_number_integer() || v.get<qint64>() < min || v.get<qint64>() > max) {
            fail(path, u"must be an integer from %1 to %2"_s.arg(min).arg(max));
            return fallback;
        }
        return v.get<int>();
    }

    bool boolean(const json &parent, const char *key, const QString &path, bool fallback)
    {
        if (!parent.is_object() || !parent.contains(key))
            return fallback;
        if (!parent[key].is_boolean()) {
            fail(path, u"must be true or false"_s);
            return fallback;
        }
        return parent[key].get<bool>();
    }

    QStringList strings(const json &parent, const char *key, const QString &path, bool required, bool nonEmpty = false)
    {
        QStringList out;
        if (!parent.is_object() || !parent.contains(key)) {
            if (required)
                fail(path, u"missing (a list of strings)"_s);
            return out;
        }
        const json &v = parent[key];
        if (!v.is_array()) {
            fail(path, u"must be a list of strings"_s);
            return out;
        }
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string() || v[i].get<std::string>().empty()) {
                fail(u"%1[%2]"_s.arg(path).arg(i), u"must be a non-empty string"_s);
                return {};
            }
            out << QString::fromStdString(v[i].get<std::string>());
        }
        if (nonEmpty && out.isEmpty())
            fail(path, u"must not be empty"_s);
        if (out.removeDuplicates() > 0)
            fail(path, u"lists a name twice"_s);
        return out;
    }

    Level level(const json &parent, const char *key, const QString &path, Level fallback, bool required = false)
    {
        const QString s = string(parent, key, path, {}, required);
        if (s.isEmpty())
            return fallback;
        const auto l = levelFromName(s);
        if (!l) {
            fail(path, u"\"%1\" is not a release level (L0, L1, L2 or L3)"_s.arg(s));
            return fallback;
        }
        return *l;
    }

    // {"default": n, "L3": m}
    std::pair<int, int> perLevel(const json &parent, const char *key, const QString &path, std::pair<int, int> fallback)
    {
        const json *o = object(parent, key, path, false);
        if (!o)
            return fallback;
        for (auto it = o->begin(); it != o->end(); ++it) {
            if (it.key() != "default" && it.key() != "L3")
                fail(path + u'.' + QString::fromStdString(it.key()), u"unknown key (use \"default\" and \"L3\")"_s);
        }
        const int d = integer(*o, "default", path + u".default"_s, fallback.first, 0, 10);
        const int l3 = integer(*o, "L3", path + u".L3"_s, fallback.second, 0, 10);
        if (!failed() && l3 < d)
            fail(path + u".L3"_s, u"must not be lower than \"default\" (%1): L3 needs the strictest gates (playbook §1)"_s.arg(d));
        return {d, l3};
    }

private:
    const Policy::Bundle &m_bundle;
    QString m_field, m_message;
};

} // namespace

Result<GatePolicy> GatePolicy::fromBundle(const Policy::Bundle &bundle)
{
    Reader r(bundle);
    GatePolicy p;
    p.bundleId = bundle.id;
    const json &doc = bundle.doc;

    if (const json *levels = r.object(doc, "levels", u"levels"_s)) {
        p.labelPrefix = r.string(*levels, "labelPrefix", u"levels.labelPrefix"_s, p.labelPrefix);
        p.unlabelled = r.level(*levels, "unlabelled", u"levels.unlabelled"_s, p.unlabelled);
        p.flagLabelPrefix = r.string(*levels, "flagLabelPrefix", u"levels.flagLabelPrefix"_s, p.flagLabelPrefix);
    }

    if (!r.failed()) {
        if (const Result<Policy::SideEffectFlags> se = Policy::sideEffectFlagsFromBundle(bundle))
            p.sideEffects = *se;
        else
            return se.error();
    }

    const json &rules = bundle.section("pathRules");
    if (!rules.is_array()) {
        r.fail(u"pathRules"_s, rules.is_null() ? u"missing (a list of {glob, level, kind?})"_s : u"must be a list"_s);
    } else {
        for (std::size_t i = 0; i < rules.size() && !r.failed(); ++i) {
            const QString at = u"pathRules[%1]"_s.arg(i);
            if (!rules[i].is_object()) {
                r.fail(at, u"must be an object {glob, level, kind?}"_s);
                break;
            }
            PathRule rule;
            rule.glob = r.string(rules[i], "glob", at + u".glob"_s, {}, true);
            rule.level = r.level(rules[i], "level", at + u".level"_s, Level::L2, true);
            const QString kind = r.string(rules[i], "kind", at + u".kind"_s, u"code"_s);
            static const QMap<QString, PathRule::Kind> kinds = {{u"code"_s, PathRule::Kind::Code},
                                                                {u"migration"_s, PathRule::Kind::Migration},
                                                                {u"alert"_s, PathRule::Kind::Alert},
                                                                {u"runbook"_s, PathRule::Kind::Runbook}};
            if (!kinds.contains(kind))
                r.fail(at + u".kind"_s, u"\"%1\" is not one of code, migration, alert, runbook"_s.arg(kind));
            rule.kind = kinds.value(kind);
            if (!r.failed() && rule.glob.isEmpty())
                r.fail(at + u".glob"_s, u"must not be empty"_s);
            rule.regex = globToRegex(rule.glob);
            if (!r.failed() && !rule.regex.isValid())
                r.fail(at + u".glob"_s, u"cannot be used as a pattern: %1"_s.arg(rule.regex.errorString()));
            p.pathRules << rule;
        }
    }

    if (const json *gates = r.object(doc, "gates", u"gates"_s)) {
        p.branch = r.string(*gates, "branch", u"gates.branch"_s, p.branch);
        p.requiredChecks = r.strings(*gates, "requiredChecks", u"gates.requiredChecks"_s, true, true);
        p.l3Checks = r.strings(*gates, "l3Checks", u"gates.l3Checks"_s, true, true);
        std::tie(p.minReviews, p.minReviewsL3) = r.perLevel(*gates, "minReviews", u"gates.minReviews"_s, {1, 2});
        if (!r.failed() && p.minReviews < 1)
            r.fail(u"gates.minReviews.default"_s, u"must be at least 1 (playbook §3.2)"_s);
        p.deploymentChecks = r.strings(*gates, "deploymentChecks", u"gates.deploymentChecks"_s, true, true);
        p.changelogFields = r.strings(*gates, "changelogFields", u"gates.changelogFields"_s, true, true);
        p.flagEnvironment = r.string(*gates, "flagEnvironment", u"gates.flagEnvironment"_s, p.flagEnvironment);
        if (const json *labels = r.object(*gates, "migrationLabels", u"gates.migrationLabels"_s)) {
            p.backwardCompatibleLabel = r.string(*labels, "backwardCompatible", u"gates.migrationLabels.backwardCompatible"_s, {}, true);
            p.maintenanceWindowLabelPrefix = r.string(*labels, "maintenanceWindow", u"gates.migrationLabels.maintenanceWindow"_s, {}, true);
        }
        p.changelogPath = r.string(*gates, "changelogPath", u"gates.changelogPath"_s, p.changelogPath);
        if (!r.failed() && (p.changelogPath.isEmpty() || p.changelogPath.startsWith(u'/')))
            r.fail(u"gates.changelogPath"_s, u"must be a path inside the repository, e.g. CHANGELOG.md"_s);
        if (const json *bp = r.object(*gates, "branchProtection", u"gates.branchProtection"_s, false)) {
            p.forbidForcePushes = r.boolean(*bp, "forbidForcePushes", u"gates.branchProtection.forbidForcePushes"_s, p.forbidForcePushes);
            p.requireUpToDate = r.boolean(*bp, "requireUpToDate", u"gates.branchProtection.requireUpToDate"_s, p.requireUpToDate);
        }
        if (const json *st = r.object(*gates, "staging", u"gates.staging"_s, false))
            p.stagingTarget = r.string(*st, "target", u"gates.staging.target"_s, p.stagingTarget);
        if (const json *dp = r.object(*gates, "deploymentProtection", u"gates.deploymentProtection"_s, false)) {
            static const QStringList types = {u"preview"_s, u"production"_s, u"all"_s, u"prod_deployment_urls_and_all_previews"_s,
                                              u"all_except_custom_domains"_s};
            p.protectionTypes = r.strings(*dp, "passing", u"gates.deploymentProtection.passing"_s, true, true);
            for (qsizetype i = 0; i < p.protectionTypes.size() && !r.failed(); ++i) {
                if (!types.contains(p.protectionTypes[i]))
                    r.fail(u"gates.deploymentProtection.passing[%1]"_s.arg(i),
                           u"\"%1\" is not a Vercel deploymentType (%2)"_s.arg(p.protectionTypes[i], types.join(u", "_s)));
            }
        }
        if (const json *rt = r.object(*gates, "rollbackTargets", u"gates.rollbackTargets"_s, false))
            p.keepProductionDeployments =
                r.integer(*rt, "keepProduction", u"gates.rollbackTargets.keepProduction"_s, p.keepProductionDeployments, 1, 1000);
        if (const json *eb = r.object(*gates, "errorBudget", u"gates.errorBudget"_s, false)) {
            if (eb->contains("floor")) {
                const json &f = (*eb)["floor"];
                if (!f.is_number() || f.get<double>() < 0.0 || f.get<double>() > 1.0)
                    r.fail(u"gates.errorBudget.floor"_s, u"must be a number from 0 to 1 (the share of the 30-day budget left)"_s);
                else
                    p.errorBudgetFloor = f.get<double>();
            }
            const json &slos = eb->contains("slos") ? (*eb)["slos"] : json();
            if (!slos.is_null() && !slos.is_array())
                r.fail(u"gates.errorBudget.slos"_s, u"must be a list of {slo, flags?, paths?}"_s);
            for (std::size_t i = 0; slos.is_array() && i < slos.size() && !r.failed(); ++i) {
                const QString at = u"gates.errorBudget.slos[%1]"_s.arg(i);
                if (!slos[i].is_object()) {
                    r.fail(at, u"must be an object {slo, flags?, paths?}"_s);
                    break;
                }
                SloMapping m;
                m.slo = r.string(slos[i], "slo", at + u".slo"_s, {}, true);
                m.flags = r.strings(slos[i], "flags", at + u".flags"_s, false);
                m.paths = r.strings(slos[i], "paths", at + u".paths"_s, false);
                if (!r.failed() && m.flags.isEmpty() && m.paths.isEmpty())
                    r.fail(at, u"names no flags and no paths: it would never apply"_s);
                for (const QString &g : std::as_const(m.flags))
                    m.flagRegex << globToRegex(g);
                for (const QString &g : std::as_const(m.paths))
                    m.pathRegex << globToRegex(g);
                p.sloMappings << m;
            }
        }
    }

    if (const json *ov = r.object(doc, "overrides", u"overrides"_s)) {
        p.minOverrideReasonChars = r.integer(*ov, "minReasonChars", u"overrides.minReasonChars"_s, p.minOverrideReasonChars, 1, 1000);
        if (const json *g = r.object(*ov, "gates", u"overrides.gates"_s)) {
            for (auto it = g->begin(); it != g->end(); ++it) {
                const QString id = QString::fromStdString(it.key());
                const QString at = u"overrides.gates."_s + id;
                if (!gateIds().contains(id)) {
                    r.fail(at, u"no such gate (gates: %1)"_s.arg(gateIds().join(u", "_s)));
                    break;
                }
                if (!it->is_string() || (*it != "allowed" && *it != "forbidden" && *it != "two-reviewers")) {
                    r.fail(at, u"must be \"allowed\", \"forbidden\" or \"two-reviewers\""_s);
                    break;
                }
                p.overrides.insert(id, *it == "allowed"         ? Override::Allowed
                                       : *it == "two-reviewers" ? Override::TwoReviewers
                                                                : Override::Forbidden);
            }
        }
        if (ov->contains("unmappedCommits")) {
            const json &u = (*ov)["unmappedCommits"];
            if (!u.is_string() || (u != "allowed" && u != "forbidden"))
                r.fail(u"overrides.unmappedCommits"_s, u"must be \"allowed\" or \"forbidden\""_s);
            else
                p.unmappedCommits = u == "allowed" ? Override::Allowed : Override::Forbidden;
        }
    }

    if (const json *pr = r.object(doc, "promotion", u"promotion"_s)) {
        const QStringList via = r.strings(*pr, "via", u"promotion.via"_s, true, true);
        for (qsizetype i = 0; i < via.size(); ++i) {
            if (via[i] != u"github-environment"_s && via[i] != u"vercel"_s)
                r.fail(u"promotion.via[%1]"_s.arg(i), u"\"%1\" is not one of github-environment, vercel"_s.arg(via[i]));
        }
        p.viaGitHubEnvironment = via.contains(u"github-environment"_s);
        p.viaVercel = via.contains(u"vercel"_s);
        p.promotionEnvironment = r.string(*pr, "environment", u"promotion.environment"_s, p.promotionEnvironment);
        p.secondApprovalEnvironment =
            r.string(*pr, "secondApprovalEnvironment", u"promotion.secondApprovalEnvironment"_s, p.secondApprovalEnvironment);
        if (!r.failed() && p.secondApprovalEnvironment == p.promotionEnvironment)
            r.fail(u"promotion.secondApprovalEnvironment"_s,
                   u"must differ from promotion.environment: the second approval of an L3 release is a second environment's review"_s);
        std::tie(p.approvals, p.approvalsL3) = r.perLevel(*pr, "approvals", u"promotion.approvals"_s, {1, 2});
        if (!r.failed() && p.approvals < 1)
            r.fail(u"promotion.approvals.default"_s, u"must be at least 1: staging → production needs a human review (playbook §2.2)"_s);
        p.distinctApprovers = r.boolean(*pr, "distinctApprovers", u"promotion.distinctApprovers"_s, p.distinctApprovers);
        p.authorsMayApprove = r.boolean(*pr, "authorsMayApprove", u"promotion.authorsMayApprove"_s, p.authorsMayApprove);
        if (const json *st = r.object(*pr, "staging", u"promotion.staging"_s, false)) {
            p.stagingDomain = r.string(*st, "domain", u"promotion.staging.domain"_s, {}, true);
            p.stagingGates = r.strings(*st, "gates", u"promotion.staging.gates"_s, true, true);
            for (qsizetype i = 0; i < p.stagingGates.size() && !r.failed(); ++i) {
                if (!gateIds().contains(p.stagingGates[i]))
                    r.fail(u"promotion.staging.gates[%1]"_s.arg(i), u"no such gate (gates: %1)"_s.arg(gateIds().join(u", "_s)));
            }
        }
        if (const json *s = r.object(*pr, "stuckMinutes", u"promotion.stuckMinutes"_s, false)) {
            p.stuckBuildingMinutes = r.integer(*s, "building", u"promotion.stuckMinutes.building"_s, p.stuckBuildingMinutes, 1, 100000);
            p.stuckQueuedMinutes = r.integer(*s, "queued", u"promotion.stuckMinutes.queued"_s, p.stuckQueuedMinutes, 1, 100000);
            p.stuckPendingReviewMinutes =
                r.integer(*s, "pendingReview", u"promotion.stuckMinutes.pendingReview"_s, p.stuckPendingReviewMinutes, 1, 100000);
            p.stuckCheckRunningMinutes =
                r.integer(*s, "checkRunning", u"promotion.stuckMinutes.checkRunning"_s, p.stuckCheckRunningMinutes, 1, 100000);
        }
    }

    if (r.failed())
        return r.error();
    return p;
}

const GatePolicy &GatePolicy::builtin()
{
    static const GatePolicy policy = [] {
        const Result<GatePolicy> r = fromBundle(Policy::builtinBundle());
        Q_ASSERT_X(r.ok(), "GatePolicy::builtin", qPrintable(r.error().toString()));
        return r.ok() ? r.value() : GatePolicy{};
    }();
    return policy;
}

} // namespace Raize::Release
