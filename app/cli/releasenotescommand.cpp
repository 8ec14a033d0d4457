// `raize-console release-notes --version X.Y.Z [--changelog FILE] [--input FILE]
//      [--mirror-journal DIR] [--publish] [--json]`
// Fills the playbook §9.2 template from the changelog; --publish creates a
// GitHub Release draft with the profile's GitHub settings and keychain token.

#include "cli/cli.h"

#include "core/jsonutil.h"
#include "core/settings.h"
#include "records/auditlog.h"
#include "records/journal.h"
#include "records/evidencenotes.h"
#include "records/releasenotes.h"
#include "services/github/githubclient.h"
#include "services/github/githubreleasepublisher.h"
#include "workspace/validationwiring.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QFile>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Records;

const CommandHelp &releaseNotesHelp()
{
    static const CommandHelp help{
        u"usage: raize-console release-notes --version X.Y.Z [--changelog FILE] [--input FILE] [--mirror-journal DIR]\n"
        u"                                   [--publish] [--keychain-service S] [--json]\n"
        u"       raize-console release-notes --from-promotion [--deployment ID] [--audience operator|client|both] [--json]\n"
        u"Fills the playbook's release-notes template (§9.2) from a version's changelog section, or (--from-promotion)\n"
        u"from the evidence the console recorded at a production promote: the review's gates, the canary plan, the\n"
        u"rollback plan, new checks, runbooks and migrations of the candidate, and the open incidents (read now).\n"
        u"\n"
        u"Options:\n"
        u"  --from-promotion        notes of the last promote (or --deployment ID's), no input file\n"
        u"  --deployment ID         the promoted deployment (default: the last promote of the profile)\n"
        u"  --audience A            operator (every section), client (the policy's records.releaseNotes.clientSections,\n"
        u"                          no flag names) or both (default: operator)\n"
        u"  --version X.Y.Z         the changelog section to write notes for (required)\n"
        u"  --changelog FILE        the changelog (default: CHANGELOG.md)\n"
        u"  --input FILE            JSON with what the changelog does not say (incidents, metrics, links)\n"
        u"  --mirror-journal DIR    also append a journal entry in DIR\n"
        u"  --publish               create a GitHub Release draft with the profile's GitHub settings (audited)\n"
        u"  --keychain-service S    the keychain's service name for the GitHub token (default: raize-console,\n"
        u"                          or $RAIZE_KEYCHAIN_SERVICE)\n"
        u"  --json                  {\"tag\", \"title\", \"releaseLevel\", \"body\", \"draftUrl\"?}\n"
        u"\n"
        u"Exit codes: 0 written (and published); 2 could not run (no such version, unreadable file, no promote recorded,\n"
        u"GitHub refused).\n"
        u"Example: raize-console release-notes --version 1.4.0 --changelog CHANGELOG.md --json\n"
        u"Example: raize-console release-notes --from-promotion --audience both\n"_s,
        {}};
    return help;
}

namespace {

// --from-promotion: the notes of a promoted release from its recorded evidence and today's open incidents.
int notesFromPromotion(Context &ctx, bool json, const QString &keychainService)
{
    const QString deployment = ctx.takeOption(u"--deployment"_s);
    const QString audience = ctx.takeOption(u"--audience"_s, u"operator"_s);
    if (!ctx.noneLeft(u"raize-console release-notes --from-promotion [--deployment ID] [--audience operator|client|both] [--json]"_s))
        return Failure;
    if (audience != u"operator"_s && audience != u"client"_s && audience != u"both"_s) {
        ctx.err << u"--audience must be operator, client or both\n"_s;
        return Failure;
    }
    const Result<ReleaseEvidence> evidence = EvidenceStore(EvidenceStore::defaultDirectory(ctx.profile)).load(deployment);
    if (!evidence) {
        ctx.err << evidence.error().toString() << u"\n"_s << evidence.error().remedy << u'\n';
        return Failure;
    }
    const std::unique_ptr<Workspace> ws = Workspace::forProfile(ctx.profile, keychainService);
    if (!ws->settings().string(SettingKey::GitHubApiUrl).isEmpty())
        ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    std::optional<ReleaseEvidence> full;
    QEventLoop loop;
    withOpenIncidents(*ws, *evidence, [&](const ReleaseEvidence &e) {
        full = e;
        loop.quit();
    });
    if (!full)
        loop.exec();
    const RecordsPolicy &policy = ws->policy().records();
    nlohmann::json out = {{"deployment", full->deploymentId.toStdString()}, {"level", full->level.toStdString()}};
    for (const auto &[name, who] : {std::pair{u"operator"_s, NotesAudience::Operator}, std::pair{u"client"_s, NotesAudience::Client}}) {
        if (audience != u"both"_s && audience != name)
            continue;
        const ReleaseNotes notes = EvidenceNotes::build(*full, policy, who);
        out[name.toStdString()] = {{"title", notes.title.toStdString()}, {"body", notes.body.toStdString()}};
        if (!json) {
            if (audience == u"both"_s)
                ctx.out << u"===== %1 version =====\n"_s.arg(name);
            ctx.out << notes.body << u'\n';
        }
    }
    if (json)
        ctx.printJson(out);
    return Ok;
}

} // namespace

int releaseNotesCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    if (ctx.takeFlag(u"--from-promotion"_s))
        return notesFromPromotion(ctx, json, ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s)));
    const bool publish = ctx.takeFlag(u"--publish"_s);
    const QString file = ctx.takeOption(u"--changelog"_s, u"CHANGELOG.md"_s);
    const QString version = ctx.takeOption(u"--version"_s);
    const QString inputFile = ctx.takeOption(u"--input"_s);
    const QString journalDir = ctx.takeOption(u"--mirror-journal"_s);
    const QString keychainService = ctx.takeOption(u"--keychain-service"_s, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    if (!ctx.noneLeft(u"raize-console release-notes --version X.Y.Z [--changelog FILE] [--input FILE] [--mirror-journal DIR] [--publish] [--json]"_s))
        return Failure;
    if (version.isEmpty()) {
        ctx.err << u"--version is required (the changelog section to write notes for)\n"_s;
        return Failure;
    }
    const auto text = ctx.readText(file);
    if (!text)
        return Failure;
    ReleaseNotesInput input;
    if (!inputFile.isEmpty()) {
        const auto raw = ctx.readText(inputFile);
        if (!raw)
            return Failure;
        QString err;
        const nlohmann::json j = Json::parse(raw->toUtf8(), &err);
        if (j.is_discarded()) {
            ctx.err << u"%1 is not valid JSON: %2\n"_s.arg(inputFile, err);
            return Failure;
        }
        const auto parsed = ReleaseNotesInput::fromJson(j);
        if (!parsed) {
            ctx.err << inputFile << u": "_s << parsed.error().toString() << u'\n';
            return Failure;
        }
        input = parsed.value();
    }
    const auto notes = ReleaseNotesBuilder::build(ChangelogDocument::parse(*text), version, input);
    if (!notes) {
        ctx.err << notes.error().toString() << u'\n';
        return Failure;
    }
    QString draftUrl;
    if (publish) {
        // The profile's workspace: its one HTTP client, its GitHub client and its audit sink (issue #14).
        const std::unique_ptr<Workspace> ws = Workspace::forProfile(ctx.profile, keychainService);
        const Settings &settings = ws->settings();
        const QString owner = settings.string(SettingKey::GitHubOwner);
        const QString repo = settings.string(SettingKey::GitHubRepo);
        if (owner.isEmpty() || repo.isEmpty() || settings.string(SettingKey::GitHubApiUrl).isEmpty()) {
            ctx.err << u"--publish needs the GitHub API URL, owner and repository: raize-console settings set github/owner ... (profile %1)\n"_s.arg(ctx.profile);
            return Failure;
        }
        ws->openSync();
        if (const std::optional<Error> why = ws->tokenError(Service::GitHub)) {
            ctx.err << why->toString() << u'\n';
            return Failure;
        }
        Services::GitHubClient &github = *ws->github();
        Services::GitHubReleasePublisher publisher(github);
        const Result<QString> draft = publisher.createDraft(notes.value());
        // Every action the console takes is in the audit log, failed ones too.
        Records::AuditRecord record;
        record.actor = ws->actor();
        record.action = u"github.release.draft"_s;
        record.target = u"%1/%2@%3"_s.arg(owner, repo, notes->tag);
        record.service = u"github"_s;
        record.after = draft ? nlohmann::json{{"draft", true}, {"url", draft->toStdString()}}
                             : nlohmann::json{{"error", draft.error().message.toStdString()}};
        record.reason = u"raize-console release-notes --publish"_s;
        const Status logged = ws->audit().append(record);
        if (!logged)
            ctx.err << u"warning: could not write the audit record: "_s << logged.error().toString() << u'\n';
        if (!draft) {
            ctx.err << u"creating the GitHub Release draft failed: "_s << draft.error().toString() << u'\n';
            return Failure;
        }
        draftUrl = draft.value();
    }
    if (!journalDir.isEmpty()) {
        JournalEntry e;
        e.title = u"Release notes "_s + notes->title;
        e.shipped = {notes->title};
        e.observed = {u"release notes generated from CHANGELOG.md"_s};
        if (!draftUrl.isEmpty())
            e.links = {draftUrl};
        const auto written = Journal(journalDir).append(e);
        if (!written) {
            ctx.err << written.error().toString() << u'\n';
            return Failure;
        }
    }
    if (json) {
        nlohmann::json out = {{"tag", notes->tag.toStdString()}, {"title", notes->title.toStdString()},
                              {"releaseLevel", notes->releaseLevel.toStdString()}, {"body", notes->body.toStdString()}};
        if (!draftUrl.isEmpty())
            out["draftUrl"] = draftUrl.toStdString();
        ctx.printJson(out);
    } else {
        ctx.out << notes->body;
        if (!draftUrl.isEmpty())
            ctx.out << u"\nGitHub Release draft: "_s << draftUrl << u'\n';
    }
    return Ok;
}

} // namespace Raize::Cli
