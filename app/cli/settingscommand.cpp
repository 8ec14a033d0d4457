// `raize-console settings list|get|set|reset|path [KEY [VALUE]] [--profile P]`
// The same table of keys the Settings dialog edits; tokens are not settings
// (see `raize-console token`).

#include "cli/cli.h"

#include "core/settings.h"
#include "records/settingsaudit.h"
#include "workspace/workspace.h"

#include <nlohmann/json.hpp>

namespace Raize::Cli {

using namespace Qt::StringLiterals;

namespace {

const QString usage = u"raize-console settings list|get KEY|set KEY VALUE|reset KEY|path [--profile P] [--json]"_s;

const SettingSpec *findSpec(const QString &name)
{
    for (const SettingSpec &s : Settings::specs()) {
        if (name == s.name)
            return &s;
    }
    return nullptr;
}

// Who changes the settings: the GitHub login of the profile's token when GitHub is configured and answers
// (GET /user, at most Workspace::IdentityWaitMs), else unknown with why. A settings change is recorded either
// way: refusing it would leave no way to configure GitHub in the first place.
Identity settingsActor(const Context &ctx, const Settings &settings)
{
    if (settings.string(SettingKey::GitHubApiUrl).isEmpty() || settings.string(SettingKey::GitHubOwner).isEmpty()
        || settings.string(SettingKey::GitHubRepo).isEmpty())
        return Identity{{}, u"GitHub is not configured in this profile"_s};
    const std::unique_ptr<Workspace> ws =
        Workspace::forProfile(ctx.profile, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    return ws->identity();
}

QString knownKeys()
{
    QStringList names;
    for (const SettingSpec &s : Settings::specs())
        names << QString(s.name);
    return names.join(u", "_s);
}

} // namespace

const CommandHelp &settingsHelp()
{
    static const QString exits = u"Exit codes: 0 done; 2 unknown key, a value of the wrong type, or the settings file or its audit "
                                 u"record cannot be written.\n"_s;
    static const CommandHelp help{
        u"usage: raize-console settings list|get KEY|set KEY VALUE|reset KEY|path [--json]\n"
        u"The profile's settings, the same keys the Settings dialog edits. Tokens are not settings (see\n"
        u"`raize-console token`); the canary cohorts are set with `raize-console cohorts set` (checked and audited).\n"
        u"\n"
        u"Exit codes: 0 done; 2 could not run (unknown key, wrong type, unwritable file).\n"
        u"Example: raize-console settings set vercel/projectId raize-web --profile sandbox\n"_s,
        {{"list"_L1, "every key with its value"_L1,
          u"usage: raize-console settings list [--json]\n"
          u"Prints every key and its value in the profile (defaults included).\n"
          u"\n"
          u"Options:\n"
          u"  --json    one JSON object {\"key\": \"value\", ...}\n"
          u"\n"_s + exits + u"Example: raize-console settings list --json\n"_s},
         {"get"_L1, "print one key's value"_L1,
          u"usage: raize-console settings get KEY\n"
          u"Prints the value of KEY (its default when it is not set).\n"
          u"\n"_s + exits + u"Example: raize-console settings get flags/url\n"_s},
         {"set"_L1, "set one key"_L1,
          u"usage: raize-console settings set KEY VALUE [--reason TEXT]\n"
          u"Sets KEY to VALUE (converted to the key's type). canary/cohorts is refused here: use `raize-console cohorts set`.\n"
          u"profile/sandbox is written to the audit log (who, before, after): a profile not marked sandbox is read-only\n"
          u"until armed (mutating subcommands need --arm REASON; ADR 0028), a sandbox profile needs no arming.\n"
          u"The change is recorded first (settings.change: actor, before, after, reason) in the profile's audit log; when\n"
          u"the record cannot be written nothing is stored. Changing audit/logPath carries the chain on: the new log's\n"
          u"first record (audit.continued) names the old log's head. The actor is the GitHub login of the profile's token\n"
          u"when GitHub is configured, else \"unknown\".\n"
          u"\n"
          u"Options:\n"
          u"  --reason TEXT   why (recorded; default: \"raize-console settings set\")\n"
          u"\n"_s + exits + u"Example: raize-console settings set net/timeoutMs 20000\n"_s},
         {"reset"_L1, "put one key back to its default"_L1,
          u"usage: raize-console settings reset KEY [--reason TEXT]\n"
          u"Removes KEY from the profile so its default applies, recorded as `settings set` is. canary/cohorts: use\n"
          u"`raize-console cohorts reset`.\n"
          u"\n"
          u"Options:\n"
          u"  --reason TEXT   why (recorded; default: \"raize-console settings reset\")\n"
          u"\n"_s + exits + u"Example: raize-console settings reset net/timeoutMs\n"_s},
         {"path"_L1, "print the profile's settings file"_L1,
          u"usage: raize-console settings path\n"
          u"Prints the path of the profile's settings file.\n"
          u"\n"_s + exits + u"Example: raize-console settings path --profile sandbox\n"_s}}};
    return help;
}

int settingsCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    const QString reason = ctx.takeOption(u"--reason"_s);
    if (ctx.args.isEmpty()) {
        ctx.err << u"usage: "_s << usage << u'\n';
        return Failure;
    }
    const QString verb = ctx.args.takeFirst();
    Settings settings(ctx.profile);

    if (verb == u"path"_s && ctx.noneLeft(usage)) {
        ctx.out << settings.filePath() << u'\n';
        return Ok;
    }
    if (verb == u"list"_s && ctx.noneLeft(usage)) {
        nlohmann::json out = nlohmann::json::object();
        for (const SettingSpec &s : Settings::specs()) {
            const QString value = settings.value(s.key).toString();
            if (json)
                out[QString(s.name).toStdString()] = value.toStdString();
            else
                ctx.out << QString(s.name).leftJustified(22) << u' ' << value << u'\n';
        }
        if (json)
            ctx.printJson(out);
        return Ok;
    }
    if (verb == u"get"_s || verb == u"set"_s || verb == u"reset"_s) {
        const qsizetype want = verb == u"set"_s ? 2 : 1;
        if (ctx.args.size() != want) {
            ctx.err << u"usage: "_s << usage << u'\n';
            return Failure;
        }
        const SettingSpec *spec = findSpec(ctx.args[0]);
        if (!spec) {
            ctx.err << u"unknown setting: %1\nknown settings: %2\n"_s.arg(ctx.args[0], knownKeys());
            if (ctx.args[0].contains(u"token"_s, Qt::CaseInsensitive))
                ctx.err << u"tokens are not settings: use `raize-console token set SERVICE --stdin`\n"_s;
            return Failure;
        }
        if (verb == u"get"_s) {
            ctx.out << settings.value(spec->key).toString() << u'\n';
            return Ok;
        }
        if (spec->key == SettingKey::CanaryCohorts) {
            // Cohorts decide who a canary reaches: they are checked against the policy and audited on save.
            ctx.err << u"%1 is not set here: cohorts are checked against the policy and written to the audit log when saved. "
                       u"Use `raize-console cohorts set --file FILE` (or `cohorts reset`), or the console's Canary view (Edit cohorts…).\n"_s
                           .arg(QString(spec->name));
            return Failure;
        }
        if (spec->key == SettingKey::ProfileIsSandbox) {
            // A sandbox profile needs no arming (ADR 0028): the marker changes with an audit record (who, before, after).
            bool sandbox = spec->defaultValue.toBool();
            if (verb == u"set"_s) {
                // Strictly true or false: a typo must not turn arming off for a profile.
                const QString value = ctx.args[1].trimmed().toLower();
                if (value != u"true"_s && value != u"false"_s && value != u"1"_s && value != u"0"_s) {
                    ctx.err << u"%1 takes true or false, not \"%2\"\n"_s.arg(QString(spec->name), ctx.args[1]);
                    return Failure;
                }
                sandbox = value == u"true"_s || value == u"1"_s;
            }
            const std::unique_ptr<Workspace> ws =
                Workspace::forProfile(ctx.profile, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
            // Who: the GitHub token's user when the profile names a repository; else "unknown" (said in the record).
            if (!ws->settings().string(SettingKey::GitHubOwner).isEmpty() && !ws->settings().string(SettingKey::GitHubRepo).isEmpty())
                ws->openSync(Workspace::TokenSource::EnvironmentFirst);
            if (const Status s = ws->setSandboxMarker(sandbox); !s) {
                ctx.err << s.error().toString() << u'\n';
                return Failure;
            }
            return Ok;
        }
        QVariant value; // invalid: back to the default
        if (verb == u"set"_s) {
            value = ctx.args[1];
            if (!value.convert(spec->defaultValue.metaType())) {
                ctx.err << u"%1 takes a value of type %2, not \"%3\"\n"_s.arg(QString(spec->name), QString::fromLatin1(spec->defaultValue.typeName()), ctx.args[1]);
                return Failure;
            }
        }
        // Recorded before it is stored; no record, no change (issue #17 item 6).
        const Identity who = settingsActor(ctx, settings);
        const Result<Records::SettingsAudit::Outcome> done = Records::SettingsAudit::apply(
            settings, {{spec->key, value}}, who.actor(),
            reason.isEmpty() ? u"raize-console settings %1"_s.arg(verb) : reason);
        if (!done) {
            ctx.err << done.error().toString() << u'\n';
            return Failure;
        }
        if (!done->newLogPath.isEmpty())
            ctx.out << u"the audit log is now %1; its first record carries the chain on from record #%2 of the old log\n"_s.arg(
                done->newLogPath).arg(done->seq);
        return Ok;
    }
    if (ctx.args.isEmpty())
        ctx.err << u"unknown action: %1\nusage: %2\n"_s.arg(verb, usage);
    return Failure;
}

} // namespace Raize::Cli
