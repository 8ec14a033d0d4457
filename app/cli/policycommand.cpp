// `raize-console policy check FILE` and `raize-console policy diff FROM TO [--json]`
// (issue #7, part 5). check: the bundle loads whole, or the first error with
// its line (syntax) or field path (a section), exit 2. diff: what a tenant
// bundle changes against another (FROM may be "builtin"); exit 0 when they
// are the same, 1 when they differ, 2 when one cannot be read.

#include "cli/cli.h"

#include "policy/policydiff.h"
#include "core/settings.h"
#include "workspace/effectivepolicy.h"

#include <cmath>

namespace Raize::Cli {

using namespace Qt::StringLiterals;

namespace {

// A bundle as the console applies it (ADR 0017): laid over the built-in
// playbook, every section typed, the floors checked; whole or not at all.
// The result is the effective document, so `diff builtin FILE` shows what
// the tenant really changes.
Result<Policy::Bundle> load(const QString &path)
{
    return EffectivePolicy::effectiveBundle(path);
}

nlohmann::json deploymentAxisJson(const Release::DeploymentAxisPolicy &axis)
{
    nlohmann::json stages = nlohmann::json::object();
    for (auto it = axis.stages.cbegin(); it != axis.stages.cend(); ++it) {
        nlohmann::json list = nlohmann::json::array();
        for (const Release::CanaryStage &s : it.value()) {
            nlohmann::json cohorts = nlohmann::json::array();
            for (const QString &c : s.cohorts)
                cohorts.push_back(c.toStdString());
            list.push_back({{"trafficPercent", s.trafficPercent}, {"cohorts", cohorts}, {"windowMinutes", s.windowMinutes}});
        }
        stages[it.key().toStdString()] = list;
    }
    nlohmann::json smoke = nlohmann::json::array();
    for (const QString &c : axis.smokeChecks)
        smoke.push_back(c.toStdString());
    return {{"enabled", axis.enabled}, {"slo", axis.slo.toStdString()}, {"cohortSlo", axis.cohortSlo.toStdString()}, {"maxBurnRate", axis.maxBurnRate},
            {"maxCanaryToBaseline", axis.maxCanaryToBaseline}, {"pageBurnRate", axis.pageBurnRate}, {"minRequests", axis.minRequests},
            {"autoAdvance", axis.autoAdvance}, {"stages", stages},
            {"friction", {{"maxRatio", axis.friction.maxRatio}, {"minCount", axis.friction.minCount}}},
            {"smokeChecks", smoke}};
}

int show(Context &ctx, const EffectivePolicy &p, bool asJson)
{
    const auto list = [](const QStringList &l) {
        nlohmann::json a = nlohmann::json::array();
        for (const QString &s : l)
            a.push_back(s.toStdString());
        return a;
    };
    nlohmann::json cohorts = nlohmann::json::array(), slos = nlohmann::json::array();
    for (const Release::Cohort &c : p.cohorts())
        cohorts.push_back({{"id", c.id.toStdString()}, {"name", c.name.toStdString()}});
    for (const Slo::SloSpec &s : p.slos())
        slos.push_back({{"id", s.id.toStdString()}, {"objective", s.objective}});
    if (asJson) {
        ctx.printJson({{"readOnly", p.readOnly()},
                       {"reason", p.readOnly() ? nlohmann::json(p.readOnlyReason().toStdString()) : nlohmann::json(nullptr)},
                       {"layers", list(p.layers())},
                       {"sideEffectFlags", {{"prefixes", list(p.sideEffectFlags().prefixes)}, {"flags", list(p.sideEffectFlags().keys)}}},
                       {"autoPacing", p.autoPacing()},
                       {"arming", {{"windowMinutes", p.armingWindowMinutes()}}},
                       {"cohorts", cohorts},
                       {"slos", slos},
                       {"confirmations", p.confirmations().toJson()},
                       {"rollback", {{"postChecks", {{"queueDrainSeconds", p.rollback().queueDrainSeconds},
                                                     {"verificationWindowSeconds", p.rollback().verificationWindowSeconds},
                                                     {"stableWindowSeconds", p.rollback().stableWindowSeconds}}}}},
                       {"effective",
                        {{"deadlineSeconds", p.effective().deadlineSeconds},
                         {"samples", p.effective().samples},
                         {"minShare", p.effective().minShare},
                         {"pollSeconds", p.effective().pollSeconds}}},
                       {"deploymentAxis", deploymentAxisJson(p.deploymentAxis())}});
    } else {
        ctx.out << p.describe() << u'\n';
        ctx.out << u"  side-effect flags: "_s << p.sideEffectFlags().describe() << u'\n';
        ctx.out << u"  auto-pacing: "_s << (p.autoPacing() ? u"allowed (an operator arms it per rollout)"_s : u"off"_s) << u'\n';
        ctx.out << u"  effective: a promote, rollback or abort must serve within %1 s of its acceptance (%2 of %3 probe samples, every %4 s)\n"_s
                       .arg(p.effective().deadlineSeconds)
                       .arg(qMax(1, int(std::ceil(p.effective().minShare * p.effective().samples - 1e-9))))
                       .arg(p.effective().samples)
                       .arg(p.effective().pollSeconds);
        ctx.out << u"  arming: a profile not marked sandbox is read-only until armed, then for %1 minutes\n"_s.arg(p.armingWindowMinutes());
        const Release::DeploymentAxisPolicy axis = p.deploymentAxis();
        ctx.out << u"  deployment axis: "_s
                << (axis.enabled ? u"on (Vercel rolling releases split web traffic; %1)"_s.arg(axis.autoAdvance ? u"automatic advance allowed, armed per rollout"_s
                                                                                                                 : u"each stage advanced by hand"_s)
                                 : u"off (flag-only canaries; rollout.deploymentAxis.enabled)"_s)
                << u'\n';
        for (auto it = axis.stages.cbegin(); it != axis.stages.cend(); ++it) {
            for (const QString &line : Release::describePlan(it.value()))
                ctx.out << u"    %1 %2\n"_s.arg(it.key(), line);
        }
        ctx.out << u"    a stage holds on enforcement friction over %1 % of publish attempts (at least %2 rate limits or checkpoints)\n"_s
                       .arg(axis.friction.maxRatio * 100)
                       .arg(axis.friction.minCount)
                << u"    smoke checks that must pass on the staging commit: %1\n"_s.arg(axis.smokeChecks.isEmpty() ? u"none"_s : axis.smokeChecks.join(u", "_s));
        for (const Release::Cohort &c : p.cohorts())
            ctx.out << u"  cohort %1: %2\n"_s.arg(c.id, c.name);
        for (const Slo::SloSpec &s : p.slos())
            ctx.out << u"  SLO %1: objective %2\n"_s.arg(s.id).arg(s.objective);
        ctx.out << u"  rollback checks: queues drain within %1 s; verification over %2 s after the rollback; "
                   u"\"system is stable\" when every burn rate of the scope stays under 1× for %3 s\n"_s.arg(p.rollback().queueDrainSeconds)
                       .arg(p.rollback().verificationWindowSeconds)
                       .arg(p.rollback().stableWindowSeconds);
        for (const Policy::ConfirmAction action : Policy::allConfirmActions()) {
            const Policy::ConfirmRule rule = p.confirmations().rule(action);
            ctx.out << u"  confirm %1: %2%3\n"_s.arg(Policy::confirmActionKey(action), Policy::confirmRequirementKey(rule.requirement),
                                                    rule.requirement == Policy::ConfirmRequirement::Word ? u" \"%1\""_s.arg(rule.word) : QString());
        }
    }
    if (p.readOnly()) {
        ctx.err << u"the profile is read-only: its policy bundle is refused: "_s << p.error()->toString() << u'\n';
        return Failure;
    }
    return Ok;
}

} // namespace

const CommandHelp &policyHelp()
{
    static const CommandHelp help{
        u"usage: raize-console policy show [--policy FILE] [--json] | policy check FILE | policy diff FROM TO [--json]\n"
        u"Policy bundles (the playbook as versioned data): the profile's effective policy, check one, or show what one\n"
        u"changes against another.\n"
        u"\n"
        u"Exit codes: 0 valid / the same; 1 (diff) they differ; 2 a bundle cannot be read or is invalid.\n"
        u"Example: raize-console policy diff builtin tenant-acme.json\n"_s,
        {{"show"_L1, "the profile's effective policy"_L1,
          u"usage: raize-console policy show [--policy FILE] [--json]\n"
          u"Prints the profile's effective policy (ADR 0017): its layers (built-in, tenant bundle, cohort override), the\n"
          u"side-effect flags, auto-pacing, the arming window (arming.windowMinutes), the cohorts, the SLO objectives and\n"
          u"the confirmations; or why it is read-only.\n"
          u"\n"
          u"Options:\n"
          u"  --policy FILE   a tenant bundle in place of the profile's policy/bundlePath\n"
          u"  --json          {\"readOnly\", \"reason\", \"layers\", \"sideEffectFlags\", \"autoPacing\", \"arming\", \"cohorts\", \"slos\",\n"
          u"                  \"confirmations\"}\n"
          u"\n"
          u"Exit codes: 0 the policy is in effect; 2 its bundle is refused (the profile is read-only).\n"
          u"Example: raize-console policy show --profile acme\n"_s},
         {"check"_L1, "check that a bundle loads whole"_L1,
          u"usage: raize-console policy check FILE\n"
          u"Loads FILE the way the console does: laid over the built-in playbook, whole or not at all, never looser\n"
          u"than the playbook's floors (ADR 0017). Prints the first error with its file, line and field.\n"
          u"\n"
          u"Options:\n"
          u"  FILE    the bundle, or \"builtin\" for the built-in playbook-v1\n"
          u"\n"
          u"Exit codes: 0 valid; 2 invalid or unreadable.\n"
          u"Example: raize-console policy check tenant-acme.json\n"_s},
         {"diff"_L1, "what one bundle changes against another"_L1,
          u"usage: raize-console policy diff FROM TO [--json]\n"
          u"Lists every field TO adds, removes or changes against FROM.\n"
          u"\n"
          u"Options:\n"
          u"  FROM, TO    bundles, or \"builtin\" for the built-in playbook-v1\n"
          u"  --json      {\"from\", \"to\", \"changes\": [{\"kind\", \"path\", \"before\", \"after\"}]}\n"
          u"\n"
          u"Exit codes: 0 the same; 1 they differ; 2 one cannot be read or is invalid.\n"
          u"Example: raize-console policy diff builtin tenant-acme.json --json\n"_s}}};
    return help;
}

int policyCommand(Context &ctx)
{
    const QString usage =
        u"raize-console policy show [--policy FILE] [--json] | policy check FILE | policy diff FROM TO [--json]   (FROM/TO may be \"builtin\")"_s;
    const QString sub = ctx.args.isEmpty() ? QString() : ctx.args.takeFirst();
    const bool json = ctx.takeFlag(u"--json"_s);
    if (sub == u"show"_s) {
        const QString file = ctx.takeOption(u"--policy"_s);
        if (!ctx.noneLeft(u"raize-console policy show [--policy FILE] [--json]"_s))
            return Failure;
        return show(ctx, EffectivePolicy::load(Settings(ctx.profile), file), json);
    }
    if (sub == u"check"_s && ctx.args.size() == 1) {
        const QString path = ctx.args.takeFirst();
        const Result<Policy::Bundle> b = load(path);
        if (!b) {
            ctx.err << b.error().toString() << u'\n';
            return Failure;
        }
        ctx.out << u"%1: policy bundle %2 (version %3%4) is valid\n"_s.arg(path, b->id).arg(b->version).arg(
            b->tenant.isEmpty() ? QString() : u", tenant "_s + b->tenant);
        return Ok;
    }
    if (sub == u"diff"_s && ctx.args.size() == 2) {
        const QString fromPath = ctx.args.takeFirst(), toPath = ctx.args.takeFirst();
        const Result<Policy::Bundle> from = load(fromPath), to = load(toPath);
        for (const Result<Policy::Bundle> *b : {&from, &to}) {
            if (!*b) {
                ctx.err << b->error().toString() << u'\n';
                return Failure;
            }
        }
        const QList<Policy::BundleChange> changes = Policy::diffBundles(from.value(), to.value());
        if (json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const Policy::BundleChange &c : changes)
                arr.push_back({{"kind", c.kind == Policy::BundleChange::Kind::Added ? "added" : c.kind == Policy::BundleChange::Kind::Removed ? "removed" : "changed"},
                               {"path", c.path.toStdString()},
                               {"before", c.before},
                               {"after", c.after}});
            ctx.printJson({{"from", from->id.toStdString()}, {"to", to->id.toStdString()}, {"changes", arr}});
        } else {
            ctx.out << u"%1 (%2) → %3 (%4): %5 difference(s)\n"_s.arg(from->id, fromPath, to->id, toPath).arg(changes.size());
            for (const Policy::BundleChange &c : changes)
                ctx.out << u"  "_s << c.describe() << u'\n';
        }
        return changes.isEmpty() ? Ok : Negative;
    }
    ctx.err << u"usage: "_s << usage << u'\n';
    return Failure;
}

} // namespace Raize::Cli
