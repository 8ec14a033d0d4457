// `raize-console audit verify|export|repair|publish` (issue #10, #17): the hash-chained audit log and its published heads.

#include "cli/cli.h"

#include "core/jsonutil.h"
#include "core/settings.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "records/auditheadqueue.h"
#include "records/auditpublication.h"
#include "records/auditverifier.h"
#include "services/github/auditheadpublisher.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QFile>
#include <QTimer>

namespace Raize::Cli {

using namespace Qt::StringLiterals;
using namespace Raize::Records;

const CommandHelp &auditHelp()
{
    static const QString file = u"  FILE    the audit log (default: the profile's, audit/logPath or its data folder)\n"_s;
    static const CommandHelp help{
        u"usage: raize-console audit verify|export|repair|publish [FILE] [OPTIONS]\n"
        u"The hash-chained, append-only audit log of every action the console takes.\n"
        u"\n"
        u"Exit codes: 0 done (verify: intact); 1 the check said no (verify: tampered or broken); 2 could not run.\n"
        u"Example: raize-console audit verify --json\n"_s,
        {{"verify"_L1, "check the hash chain and the head checkpoint"_L1,
          u"usage: raize-console audit verify [FILE] [--published] [--json]\n"
          u"Checks every record's hash chain and the head checkpoint (records cut off the end), and reports the\n"
          u"first bad record and a torn last line. With --published, also compares the log with every chain head this\n"
          u"profile's GitHub login published on the repository's audit issue (comments edited after they were posted\n"
          u"and other logins' comments are not trusted): a truncated, rewritten or replaced log is named with the first\n"
          u"sequence it no longer holds. GitHub token: $RAIZE_GITHUB_TOKEN, else the profile's keychain entry.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --published  compare with the published chain heads (needs GitHub)\n"
                u"  --json  {\"file\", \"readable\", \"intact\", \"records\", \"lastSeq\", \"summary\", \"firstBad\"?, \"tornTail\"?,\n"
                u"          \"published\"?: {\"login\", \"issue\", \"passed\", \"headsChecked\", \"lastMatchedSeq\", \"firstMissingSeq\",\n"
                u"          \"summary\", \"ignored\"}}\n"
                u"\n"
                u"Exit codes: 0 intact (and every published head is in it); 1 tampered, broken, cut or not what was published;\n"
                u"2 the file cannot be read, or (--published) GitHub cannot be asked or cannot name the token's user.\n"
                u"Example: raize-console audit verify --published --json\n"_s},
         {"publish"_L1, "publish the queued chain heads on the audit issue"_L1,
          u"usage: raize-console audit publish [FILE] [--json]\n"
          u"Posts the chain heads queued by promotions, rollbacks and every 100th record (FILE.publish) as comments on\n"
          u"the repository's audit issue (the policy's audit.issue number, else the issue of its title, default \"Audit\n"
          u"chain heads (raize-console)\", labelled raize-audit, filed when missing). The console does this by itself;\n"
          u"this is for CI and after an outage.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --json  {\"file\", \"published\", \"pending\", \"error\"?}\n"
                u"\n"
                u"Exit codes: 0 every queued head is published; 2 could not run (GitHub not configured or did not take them:\n"
                u"they stay queued).\n"
                u"Example: raize-console audit publish\n"_s},
         {"export"_L1, "export records as JSON or CSV, filtered"_L1,
          u"usage: raize-console audit export [FILE] [--format json|csv] [--action PREFIX] [--actor A] [--since T] [--until T]\n"
          u"Prints the records that match every filter given; warns on standard error when the log is not intact.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --format json|csv   the output format (default: json)\n"
                u"  --action PREFIX     records whose action starts with PREFIX (e.g. rollback.)\n"
                u"  --actor A           records by actor A\n"
                u"  --since T           records at or after T (ISO 8601)\n"
                u"  --until T           records at or before T (ISO 8601)\n"
                u"\n"
                u"Exit codes: 0 exported; 2 could not run (unreadable file, bad --format).\n"
                u"Example: raize-console audit export --format csv --action cohorts. --since 2026-12-01T00:00:00Z\n"_s},
         {"repair"_L1, "cut a torn last line (keeps the original)"_L1,
          u"usage: raize-console audit repair [FILE] --truncate-torn-tail\n"
          u"Cuts a torn (half-written) last line off the log and keeps the original next to it. Nothing else is repaired.\n"
          u"\n"
          u"Options:\n"_s + file
              + u"  --truncate-torn-tail   required: confirms the cut\n"
                u"\n"
                u"Exit codes: 0 cut; 1 nothing to cut or the log cannot be repaired this way; 2 bad usage.\n"
                u"Example: raize-console audit repair --truncate-torn-tail\n"_s}}};
    return help;
}

namespace {


struct PublisherContext
{
    std::unique_ptr<Workspace> ws;
    std::unique_ptr<Services::AuditHeadPublisher> publisher;
    QString error;
};

// The profile's GitHub (from its workspace: the one place clients are built) and a publisher for `file`.
PublisherContext openPublisher(Context &ctx, const QString &file)
{
    PublisherContext p;
    p.ws = Workspace::forProfile(ctx.profile, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
    p.ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    if (!p.ws->github()) {
        p.error = u"GitHub is not configured for profile %1: raize-console settings set github/owner OWNER (and github/repo, "
                  u"github/apiUrl) --profile %1"_s.arg(ctx.profile);
        return p;
    }
    p.publisher = p.ws->makeAuditPublisher(file);
    return p;
}

constexpr int GitHubWaitMs = 120'000;

} // namespace

void publishAuditHeads(Context &ctx, Workspace &workspace, int waitMs)
{
    Services::AuditHeadPublisher *publisher = workspace.auditPublisher();
    if (!publisher)
        return; // no GitHub: the heads stay queued until a profile with GitHub publishes them
    std::optional<Result<int>> result;
    publisher->publishPending([&](const Result<int> &r) { result = r; });
    waitUntil([&] { return result.has_value(); }, waitMs);
    if (!result || !*result)
        ctx.err << u"note: the audit chain head is not published yet (%1); it stays queued: raize-console audit publish\n"_s.arg(
            result ? result->error().message : u"GitHub did not answer in time"_s);
}

namespace {

int publish(Context &ctx, const QString &file, bool json)
{
    PublisherContext p = openPublisher(ctx, file);
    std::optional<Result<int>> result;
    if (p.publisher)
        p.publisher->publishPending([&](const Result<int> &r) { result = r; });
    else
        result = Error::make(Error::Kind::Config, u"github"_s, p.error);
    waitUntil([&] { return result.has_value(); }, GitHubWaitMs);
    if (!result)
        result = Error::make(Error::Kind::Timeout, u"github"_s, u"GitHub did not take the heads within %1 s"_s.arg(GitHubWaitMs / 1000),
                             u"try again later; the heads stay queued"_s);
    const Result<QList<AuditHeadQueue::Entry>> left = AuditHeadQueue(file).pending();
    const qsizetype pending = left ? left->size() : -1;
    if (json) {
        nlohmann::json j = {{"file", file.toStdString()}, {"published", *result ? result->value() : 0}, {"pending", pending}};
        if (!*result)
            j["error"] = result->error().toString().toStdString();
        ctx.printJson(j);
    } else if (*result) {
        ctx.out << u"published %1 chain head(s) of %2; %3 queued\n"_s.arg(result->value()).arg(file).arg(pending);
    } else {
        ctx.err << u"the chain heads of %1 were not all published (%2 still queued): %3\n"_s.arg(file).arg(pending).arg(
            result->error().toString());
    }
    return *result ? Ok : Failure;
}

// `audit verify --published`: the published heads of this profile's login against the local log.
std::optional<int> comparePublished(Context &ctx, const QString &file, nlohmann::json *out, bool json)
{
    PublisherContext p = openPublisher(ctx, file);
    const auto fail = [&](const QString &message) {
        if (json)
            (*out)["published"] = {{"error", message.toStdString()}};
        else
            ctx.err << message << u'\n';
        return std::optional<int>(Failure);
    };
    if (!p.publisher)
        return fail(p.error);
    const Identity who = p.ws->identity();
    if (!who.known())
        return fail(u"cannot compare with the published heads: GitHub cannot say who this profile's token belongs to (%1); "
                    u"the heads of that login are the ones compared"_s.arg(who.whyUnknown));
    std::optional<Result<QList<PublishedHead>>> heads;
    QStringList ignored;
    p.publisher->publishedHeads(who.login, [&](const Result<QList<PublishedHead>> &h, const QStringList &skipped) {
        heads = h;
        ignored = skipped;
    });
    waitUntil([&] { return heads.has_value(); }, GitHubWaitMs);
    if (!heads)
        return fail(u"GitHub did not list the audit issue's comments within %1 s; try again later"_s.arg(GitHubWaitMs / 1000));
    if (!*heads)
        return fail(u"cannot read the published heads: "_s + heads->error().toString());
    QFile f(file);
    QByteArray bytes;
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return fail(u"cannot read %1: %2"_s.arg(file, f.errorString()));
        bytes = f.readAll();
    }
    const PublishedCheck check = AuditPublication::check(bytes, heads->value());
    if (json) {
        nlohmann::json skipped = nlohmann::json::array();
        for (const QString &i : ignored)
            skipped.push_back(i.toStdString());
        (*out)["published"] = {{"login", who.login.toStdString()},
                               {"passed", check.passed},
                               {"headsChecked", check.headsChecked},
                               {"lastMatchedSeq", check.lastMatchedSeq},
                               {"firstMissingSeq", check.firstMissingSeq},
                               {"summary", check.summary.toStdString()},
                               {"ignored", skipped}};
    } else {
        ctx.out << u"published heads of %1: "_s.arg(who.login) << (check.passed ? u""_s : u"NOT INTACT: "_s) << check.summary << u'\n';
        if (!ignored.isEmpty())
            ctx.out << u"not trusted (%1 comment(s)): "_s.arg(ignored.size()) << ignored.join(u"; "_s) << u'\n';
    }
    return check.passed ? Ok : Negative;
}

} // namespace

int auditCommand(Context &ctx)
{
    const bool json = ctx.takeFlag(u"--json"_s);
    const bool published = ctx.takeFlag(u"--published"_s);
    if (ctx.args.isEmpty()) {
        ctx.err << u"usage: raize-console audit verify|export|repair|publish [FILE] ...\n"_s;
        return Failure;
    }
    const QString verb = ctx.args.takeFirst();
    QString file;
    if (!ctx.args.isEmpty() && !ctx.args.first().startsWith(u"--"_s))
        file = ctx.args.takeFirst();
    if (file.isEmpty()) {
        Settings settings(ctx.profile);
        file = AuditLog::defaultPath(ctx.profile, settings.string(SettingKey::AuditLogPath));
    }

    if (verb == u"verify"_s) {
        if (!ctx.noneLeft(u"raize-console audit verify [FILE] [--published] [--json]"_s))
            return Failure;
        const VerifyReport r = AuditVerifier::verify(file);
        nlohmann::json j;
        std::optional<int> publishedCode;
        if (!json)
            ctx.out << file << u": "_s << r.summary() << u'\n';
        if (published && r.readable)
            publishedCode = comparePublished(ctx, file, &j, json);
        if (json) {
            j.update({{"file", file.toStdString()}, {"readable", r.readable}, {"intact", r.intact()},
                                {"records", r.records}, {"lastSeq", r.lastSeq}, {"summary", r.summary().toStdString()}});
            if (r.firstBad)
                j["firstBad"] = {{"line", r.firstBad->line}, {"seq", r.firstBad->seq}, {"byteOffset", r.firstBad->byteOffset},
                                 {"kind", VerifyProblem::kindName(r.firstBad->kind).toStdString()},
                                 {"message", r.firstBad->message.toStdString()}};
            if (r.tornTail)
                j["tornTail"] = {{"line", r.tornTail->line}, {"byteOffset", r.tornTail->byteOffset}, {"bytes", r.tornTail->bytes}};
            ctx.printJson(j);
        }
        if (!r.readable)
            return Failure;
        if (publishedCode == Failure)
            return Failure;
        return r.intact() && publishedCode.value_or(Ok) == Ok ? Ok : Negative;
    }
    if (verb == u"repair"_s) {
        if (!ctx.takeFlag(u"--truncate-torn-tail"_s)) {
            ctx.err << u"audit repair only cuts a torn last line: pass --truncate-torn-tail to confirm\n"_s;
            return Failure;
        }
        if (!ctx.noneLeft(u"raize-console audit repair [FILE] --truncate-torn-tail"_s))
            return Failure;
        const auto backup = AuditLog(file).repairTornTail();
        if (!backup) {
            ctx.err << backup.error().toString() << u'\n';
            return Negative;
        }
        ctx.out << u"cut the torn tail off %1; the original is kept as %2\n"_s.arg(file, *backup);
        return Ok;
    }
    if (verb == u"export"_s) {
        const QString format = ctx.takeOption(u"--format"_s, u"json"_s);
        const QString action = ctx.takeOption(u"--action"_s);
        const QString actor = ctx.takeOption(u"--actor"_s);
        const QDateTime since = QDateTime::fromString(ctx.takeOption(u"--since"_s), Qt::ISODate);
        const QDateTime until = QDateTime::fromString(ctx.takeOption(u"--until"_s), Qt::ISODate);
        if (!ctx.noneLeft(u"raize-console audit export [FILE] [--format json|csv] [--action A] [--actor A] [--since T] [--until T]"_s))
            return Failure;
        if (format != u"json"_s && format != u"csv"_s) {
            ctx.err << u"--format takes json or csv\n"_s;
            return Failure;
        }
        QString error;
        const QList<AuditRecord> all = AuditExport::readAll(file, &error);
        if (!error.isEmpty()) {
            ctx.err << u"cannot read %1: %2\n"_s.arg(file, error);
            return Failure;
        }
        const VerifyReport report = AuditVerifier::verify(file);
        if (!report.intact())
            ctx.err << u"warning: "_s << report.summary() << u'\n';
        AuditFilter filter;
        filter.actionPrefix = action;
        filter.actor = actor;
        filter.since = since;
        filter.until = until;
        QList<AuditRecord> selected;
        for (const AuditRecord &r : all) {
            if (filter.matches(r))
                selected.append(r);
        }
        ctx.out << QString::fromUtf8(AuditExport::render(selected, format == u"csv"_s ? AuditExport::Format::Csv : AuditExport::Format::Json));
        return Ok;
    }
    if (verb == u"publish"_s) {
        if (!ctx.noneLeft(u"raize-console audit publish [FILE] [--json]"_s))
            return Failure;
        return publish(ctx, file, json);
    }
    ctx.err << u"unknown action: %1 (verify, export, repair or publish)\n"_s.arg(verb);
    return Failure;
}

} // namespace Raize::Cli
