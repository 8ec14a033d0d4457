// `raize-console cohorts list|set|reset` (issue #14): the canary cohorts in
// effect, and the profile's own cohorts set or reset headless through the same
// checked, audited save as the console's cohort editor (saveCohorts).

#include "cli/cli.h"

#include "core/identity.h"
#include "core/jsonutil.h"
#include "core/settings.h"
#include "policy/confirmations.h"
#include "policy/policybundle.h"
#include "release/cohortoverride.h"
#include "workspace/workspace.h"

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

const QString kListUsage = u"raize-console cohorts list [--json]"_s;
const QString kSetUsage = u"raize-console cohorts set --file FILE [--reason TEXT] [--confirm TEXT] [--arm REASON] [--json]"_s;
const QString kResetUsage = u"raize-console cohorts reset [--reason TEXT] [--confirm TEXT] [--arm REASON] [--json]"_s;

// The profile's workspace: its effective policy (ADR 0017), the one the
// console's cohort editor, the Canary view and the rollback check cohorts
// against, and the audit sink. No token is read: cohorts need no service.
std::unique_ptr<Workspace> workspace(const Context &ctx)
{
    return Workspace::forProfile(ctx.profile, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
}

// The GitHub login of the profile's token (GET /user, at most Workspace::IdentityWaitMs), else unknown with why:
// GitHub not configured, no token, or no answer. The tokens come from $RAIZE_<SERVICE>_TOKEN first (CI has no keyring).
Identity actorOf(Workspace &ws)
{
    const Settings &settings = ws.settings();
    if (settings.string(SettingKey::GitHubApiUrl).isEmpty() || settings.string(SettingKey::GitHubOwner).isEmpty()
        || settings.string(SettingKey::GitHubRepo).isEmpty())
        return Identity{{}, u"GitHub is not configured in this profile"_s};
    ws.openSync(Workspace::TokenSource::EnvironmentFirst);
    return ws.identity();
}

json report(const QString &profile, const Release::EffectiveCohorts &e)
{
    json j = {{"profile", profile.toStdString()},
              {"source", e.fromSettings ? "settings" : "policy"},
              {"from", e.source.toStdString()},
              {"cohorts", Release::cohortsToJson(e.cohorts)}};
    j["overrideError"] = e.overrideError ? json(e.overrideError->message.toStdString()) : json(nullptr);
    return j;
}

QString members(const QStringList &ids)
{
    return ids.isEmpty() ? u"-"_s : ids.join(u","_s);
}

void printText(Context &ctx, const Release::EffectiveCohorts &e)
{
    ctx.out << e.describe() << u'\n';
    for (const Release::Cohort &c : e.cohorts)
        ctx.out << u"  %1  %2  clients: %3  accounts: %4\n"_s.arg(c.id.leftJustified(10), c.name, members(c.clientIds),
                                                                    members(c.platformAccountIds));
}

int list(Context &ctx, bool asJson)
{
    if (!ctx.noneLeft(kListUsage))
        return Failure;
    const std::unique_ptr<Workspace> ws = workspace(ctx);
    const Result<Release::EffectiveCohorts> e = ws->cohorts();
    if (!e) {
        ctx.err << u"no cohorts can be used: "_s << e.error().toString() << u'\n';
        return Failure;
    }
    if (const EffectivePolicy &p = ws->policy(); p.readOnly())
        ctx.err << u"warning: the profile is read-only, these are the playbook's cohorts: its policy bundle is refused: "_s
                << p.error()->toString() << u'\n';
    if (e->overrideError)
        ctx.err << u"warning: the profile's own cohorts are not used: "_s << e->overrideError->toString()
                << u"\n  `raize-console cohorts reset` removes them; `cohorts set --file FILE` replaces them.\n"_s;
    if (asJson)
        ctx.printJson(report(ctx.profile, *e));
    else
        printText(ctx, *e);
    return Ok;
}

// Reads a `cohorts` array, or an object that has one (what `cohorts list --json` prints).
// Sets *code to Failure when the file cannot be used at all, Negative when the cohorts do not fit.
std::optional<QList<Release::Cohort>> readCohorts(Context &ctx, const Policy::Bundle &bundle, const QString &path, int *code)
{
    *code = Failure;
    const std::optional<QString> text = ctx.readText(path);
    if (!text)
        return std::nullopt;
    QString why;
    const json doc = Json::parse(text->toUtf8(), &why);
    if (doc.is_discarded()) {
        ctx.err << u"%1 is not valid JSON: %2\n"_s.arg(path, why);
        return std::nullopt;
    }
    const json array = doc.is_object() && doc.contains("cohorts") ? doc.at("cohorts") : doc;
    if (!array.is_array()) {
        ctx.err << u"%1 holds no cohorts: expected a JSON array of cohorts, or an object with a \"cohorts\" array "
                   u"(what `raize-console cohorts list --json` prints)\n"_s.arg(path);
        return std::nullopt;
    }
    const Result<QList<Release::Cohort>> cohorts = Release::cohortsFromOverride(array, bundle, path);
    if (!cohorts) {
        *code = Negative;
        ctx.err << u"refused, nothing was saved: "_s << cohorts.error().toString() << u'\n';
        return std::nullopt;
    }
    return *cohorts;
}

int save(Context &ctx, bool asJson, bool reset)
{
    const QString file = reset ? QString() : ctx.takeOption(u"--file"_s);
    const QString reason = ctx.takeOption(u"--reason"_s);
    const QString confirm = ctx.takeOption(u"--confirm"_s);
    const std::optional<QString> arm = ctx.takeArm();
    if (!ctx.noneLeft(reset ? kResetUsage : kSetUsage))
        return Failure;
    if (!reset && file.isEmpty()) {
        ctx.err << u"--file is required (a JSON array of cohorts; `raize-console cohorts list --json` prints one to start from)\n"
                   u"usage: "_s
                << kSetUsage << u'\n';
        return Failure;
    }
    const std::unique_ptr<Workspace> ws = workspace(ctx);
    if (ws->readOnly()) {
        ctx.err << u"refused, nothing was saved: the profile is read-only: its policy bundle is refused: "_s << ws->policy().error()->toString() << u'\n';
        return Failure;
    }
    const Policy::Bundle &bundle = ws->policyBundle();
    QList<Release::Cohort> wanted;
    if (reset) {
        const Result<QList<Release::Cohort>> policy = Release::cohortsFromPolicy(bundle);
        if (!policy) {
            ctx.err << u"the policy's own cohorts cannot be used: "_s << policy.error().toString() << u'\n';
            return Failure;
        }
        wanted = *policy;
    } else {
        int code = Failure;
        const std::optional<QList<Release::Cohort>> read = readCohorts(ctx, bundle, file, &code);
        if (!read)
            return code;
        wanted = *read;
    }

    const Result<Release::EffectiveCohorts> before = ws->cohorts();
    const Settings &settings = ws->settings();
    // The editor's confirmation, headless: what the effective policy's confirmations table asks for a cohort save.
    const Policy::ConfirmRule rule = ws->policy().confirmations().rule(Policy::ConfirmAction::CohortSave);
    const bool unchanged = before && !before->overrideError && before->cohorts == wanted;
    if (const Status guard = Policy::checkTypedConfirmation(Policy::ConfirmAction::CohortSave, rule,
                                                            settings.string(SettingKey::FlagsEnvironment), confirm);
        !guard && !unchanged) {
        ctx.err << guard.error().message << u'\n' << guard.error().remedy << u'\n';
        return Failure;
    }
    // Read-only until armed (ADR 0028); saving what is in effect changes nothing, needs no arming and writes no record.
    Identity who;
    if (!unchanged) {
        // Who saves: the login of the profile's GitHub token (GET /user), as in the console's cohort editor, never $USER.
        who = actorOf(*ws);
        if (!who.known())
            ctx.err << u"warning: the audit record names the actor \"unknown\": GitHub did not say who this profile's token belongs to ("_s
                    << (who.whyUnknown.isEmpty() ? u"no answer"_s : who.whyUnknown)
                    << u"). Store your own GitHub token (raize-console token set github --stdin, or RAIZE_GITHUB_TOKEN) and check it "
                       u"with Settings → Test connection.\n"_s;
        if (const int armed = armForCommand(ctx, *ws, arm, reset ? u"cohorts reset"_s : u"cohorts set"_s); armed != Ok)
            return armed;
    }
    const QString why = !reason.isEmpty() ? reason
        : reset                          ? u"cohorts reset to the policy bundle's with raize-console cohorts reset"_s
                                         : u"cohorts set with raize-console cohorts set --file %1"_s.arg(file);
    // The editor's path: checked against the policy, audited before the settings change, never half-applied.
    const Result<Release::EffectiveCohorts> saved =
        Release::saveCohorts(ws->settings(), bundle, wanted, ws->audit(), who.actor(), why, &ws->writeGuard());
    if (!saved) {
        ctx.err << saved.error().toString() << u'\n';
        return saved.error().kind == Error::Kind::Refused ? Negative : Failure;
    }
    const bool changed = !(before && !before->overrideError && before->fromSettings == saved->fromSettings && before->cohorts == saved->cohorts);
    if (asJson) {
        json j = report(ctx.profile, *saved);
        j["changed"] = changed;
        j["auditLog"] = ws->auditLogPath().toStdString();
        ctx.printJson(j);
    } else {
        ctx.out << (changed ? u"saved (audit log %1): "_s.arg(ws->auditLogPath()) : u"nothing changed: "_s);
        printText(ctx, *saved);
    }
    return Ok;
}

} // namespace

const CommandHelp &cohortsHelp()
{
    static const QString jsonOption =
        u"  --json          {\"profile\", \"source\": \"settings\"|\"policy\", \"from\", \"overrideError\": null|TEXT,\n"
        u"                   \"cohorts\": [{\"id\", \"name\", \"clientIds\": [..], \"platformAccounts\": [..]}]}\n"_s;
    static const CommandHelp help{
        u"usage: raize-console cohorts list|set|reset [OPTIONS]\n"
        u"The canary cohorts (who each rollout stage reaches): the profile's own, else the policy bundle's. set and\n"
        u"reset go through the same path as the console's cohort editor: checked against the policy's rollout\n"
        u"stages, written to the audit log (cohorts.edit / cohorts.reset) before the settings change.\n"
        u"\n"
        u"Exit codes: 0 done; 1 refused (the cohorts do not fit the policy, or the profile is read-only: pass --arm); 2 could not run (unreadable or\n"
        u"malformed file, the audit log or the settings cannot be written).\n"
        u"Example: raize-console cohorts list --json\n"_s,
        {{"list"_L1, "the cohorts in effect and where they come from"_L1,
          u"usage: raize-console cohorts list [--json]\n"
          u"Prints the cohorts in effect: id, name, members (client ids, platform accounts) and their source (the\n"
          u"profile's settings or the policy bundle). Stored cohorts that cannot be used are named on standard error.\n"
          u"\n"
          u"Options:\n"_s + jsonOption
              + u"\n"
                u"Exit codes: 0 listed; 2 no cohorts can be used (the policy's are malformed).\n"
                u"Example: raize-console cohorts list --json --profile sandbox\n"_s},
         {"set"_L1, "make FILE's cohorts the profile's (checked, audited)"_L1,
          u"usage: raize-console cohorts set --file FILE [--reason TEXT] [--confirm TEXT] [--arm REASON] [--json]\n"
          u"Replaces the profile's cohorts with FILE's after checking them against the policy (every stage finds its\n"
          u"cohort, within its limits). The audit record holds before and after in full. Cohorts equal to the policy's\n"
          u"remove the override (cohorts.reset); cohorts equal to those in effect change nothing and write no record.\n"
          u"The record's actor is the GitHub login of the profile's token (GET /user; RAIZE_GITHUB_TOKEN first); when\n"
          u"GitHub cannot answer it is \"unknown\" and standard error says why.\n"
          u"\n"
          u"Options:\n"
          u"  --file FILE     a JSON array of cohorts, or the object `cohorts list --json` prints (required)\n"
          u"  --reason TEXT   the audit record's reason (default: names the command and FILE)\n"
          u"  --confirm TEXT  what the policy's confirmations table asks for \"cohortSave\" (default: nothing; a\n"
          u"                  tenant bundle may ask for the environment's name or a word), typed exactly\n"_s
              + armHelp() + jsonOption
              + u"                  and \"changed\": true|false, \"auditLog\": the log written to\n"
                u"\n"
                u"Exit codes: 0 saved (or nothing to change); 1 refused: they do not fit the policy, or the profile is\n"
                u"read-only and --arm was not given (the reason is on standard error, nothing is saved); 2 could not run (unreadable or malformed FILE, audit log or settings\n"
                u"not writable, the policy asks for --confirm and it is missing or not exact).\n"
                u"Example: raize-console cohorts set --file cohorts.json --reason \"add client-north to lowrisk\"\n"_s},
         {"reset"_L1, "go back to the policy bundle's cohorts (audited)"_L1,
          u"usage: raize-console cohorts reset [--reason TEXT] [--confirm TEXT] [--arm REASON] [--json]\n"
          u"Removes the profile's own cohorts (also unusable ones) so the policy bundle's apply; audited as cohorts.reset,\n"
          u"with the GitHub login of the profile's token as the actor (\"unknown\" when GitHub cannot answer, said on stderr).\n"
          u"\n"
          u"Options:\n"
          u"  --reason TEXT   the audit record's reason\n"
          u"  --confirm TEXT  what the policy's confirmations table asks for \"cohortSave\", typed exactly\n"_s
              + armHelp() + jsonOption
              + u"                  and \"changed\": true|false, \"auditLog\": the log written to\n"
                u"\n"
                u"Exit codes: 0 reset (or nothing to change); 1 refused: the profile is read-only and --arm was not given;\n"
                u"2 could not run (audit log or settings not writable, the\n"
                u"policy asks for --confirm and it is missing or not exact).\n"
                u"Example: raize-console cohorts reset --reason \"back to the playbook's cohorts\"\n"_s}}};
    return help;
}

int cohortsCommand(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString verb = ctx.args.isEmpty() ? QString() : ctx.args.takeFirst();
    if (verb == u"list"_s)
        return list(ctx, asJson);
    if (verb == u"set"_s)
        return save(ctx, asJson, false);
    if (verb == u"reset"_s)
        return save(ctx, asJson, true);
    ctx.err << (verb.isEmpty() ? u"a sub-subcommand is required\n"_s : u"unknown action: %1 (list, set or reset)\n"_s.arg(verb))
            << u"usage: "_s << kListUsage << u"\n       "_s << kSetUsage << u"\n       "_s << kResetUsage << u'\n';
    return Failure;
}

} // namespace Raize::Cli
