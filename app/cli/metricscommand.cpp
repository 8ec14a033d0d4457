// `raize-console metrics dora --since DATE [--until DATE] [--records FILE]
// [--dump-records FILE] [--change-fail-window HOURS] [--bucket day|week]
// [--json]` (issue #19, part 3): DORA's five metrics, computed by the same
// function and from the same collector as the console's Metrics view
// (release/dora.h, release/doracollector.h), so the two agree. Without
// --records the profile's services are read. Exit 0 with figures, 2 when the
// records, the dates or Vercel cannot be read.

#include "cli/cli.h"

#include "core/settings.h"
#include "release/dora.h"
#include "release/doracollector.h"
#include "rollback/runjournal.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <nlohmann/json.hpp>

namespace Raize::Cli {

using namespace Qt::StringLiterals;

namespace {

const QString kDoraUsage = u"raize-console metrics dora --since DATE [--until DATE] [--records FILE] [--dump-records FILE] "
                           u"[--change-fail-window HOURS] [--bucket day|week] [--json]"_s;

constexpr int CollectWaitMs = 120'000;

// The records, read from the profile's services: Vercel, GitHub and the run journals.
std::optional<Release::Dora::Records> collectLive(Context &ctx, const QDateTime &from, const QDateTime &to)
{
    const QString keychainService = qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s);
    const std::unique_ptr<Workspace> ws = Workspace::forProfile(ctx.profile, keychainService);
    // CI has no keyring: RAIZE_<SERVICE>_TOKEN wins, else the profile's keychain entry.
    ws->openSync(Workspace::TokenSource::EnvironmentFirst);
    for (const Service s : {Service::Vercel, Service::GitHub}) {
        if (const std::optional<Error> why = ws->tokenError(s))
            ctx.err << u"note: no %1 token (RAIZE_%2_TOKEN or the keychain): %3\n"_s.arg(serviceDisplayName(s), serviceId(s).toUpper(), why->message);
    }
    if (!ws->vercel()) {
        ctx.err << u"Vercel is not configured for profile %1 (raize-console settings set vercel/project ID --profile %1), "
                   u"or give the records with --records FILE\n"_s.arg(ctx.profile);
        return std::nullopt;
    }
    Release::DoraCollector::Sources sources;
    sources.vercel = ws->vercel();
    sources.github = ws->github();
    sources.journalDirectory = Rollback::RunJournal::defaultDirectory(ctx.profile);
    sources.service = u"web"_s;
    Release::DoraCollector collector(sources);
    std::optional<Result<Release::DoraCollector::Collected>> got;
    collector.collect(from, to, [&got](const Result<Release::DoraCollector::Collected> &r) { got = r; });
    if (!waitUntil([&] { return got.has_value(); }, CollectWaitMs)) {
        ctx.err << u"the services did not answer within %1 s; try again, or give the records with --records FILE\n"_s.arg(CollectWaitMs / 1000);
        return std::nullopt;
    }
    if (!*got) {
        ctx.err << got->error().toString() << u'\n';
        return std::nullopt;
    }
    for (const QString &w : got->value().warnings)
        ctx.err << u"note: "_s << w << u'\n';
    return got->value().records;
}

// "2026-11-01", "2026-11-01T12:00:00Z" or "7d" (that many days before --until).
std::optional<QDateTime> parseWhen(const QString &s, const QDateTime &relativeTo)
{
    if (s.endsWith(u'd')) {
        bool ok = false;
        const int days = s.chopped(1).toInt(&ok);
        if (ok && days > 0)
            return relativeTo.addDays(-days);
        return std::nullopt;
    }
    QDateTime t = QDateTime::fromString(s, Qt::ISODate);
    if (!t.isValid()) {
        const QDate d = QDate::fromString(s, Qt::ISODate);
        if (!d.isValid())
            return std::nullopt;
        t = QDateTime(d, QTime(0, 0), Qt::UTC);
    }
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeSpec(Qt::UTC);
    return t.toUTC();
}

int dora(Context &ctx)
{
    const bool asJson = ctx.takeFlag(u"--json"_s);
    const QString since = ctx.takeOption(u"--since"_s);
    const QString until = ctx.takeOption(u"--until"_s);
    const QString recordsPath = ctx.takeOption(u"--records"_s);
    const QString dumpPath = ctx.takeOption(u"--dump-records"_s);
    // The policy's records.dora.changeFailWindowHours unless given.
    QString window = ctx.takeOption(u"--change-fail-window"_s);
    const QString bucket = ctx.takeOption(u"--bucket"_s, u"week"_s);
    if (!ctx.noneLeft(kDoraUsage))
        return Failure;
    if (since.isEmpty()) {
        ctx.err << u"metrics dora needs --since (a date, or e.g. 30d)\nusage: "_s << kDoraUsage << u'\n';
        return Failure;
    }
    Release::Dora::Options o;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto to = until.isEmpty() ? std::optional<QDateTime>(now) : parseWhen(until, now);
    if (!to) {
        ctx.err << u"--until \"%1\" is not a date (2026-11-01, 2026-11-01T12:00:00Z)\n"_s.arg(until);
        return Failure;
    }
    const auto from = parseWhen(since, *to);
    if (!from || *from >= *to) {
        ctx.err << u"--since \"%1\" is not a date before --until (2026-11-01, 2026-11-01T12:00:00Z or 30d)\n"_s.arg(since);
        return Failure;
    }
    if (window.isEmpty()) {
        const std::unique_ptr<Workspace> policyOf = Workspace::forProfile(ctx.profile, qEnvironmentVariable("RAIZE_KEYCHAIN_SERVICE", u"raize-console"_s));
        window = QString::number(double(policyOf->policy().records().changeFailWindowSecs) / 3600.0);
    }
    bool ok = false;
    const double hours = window.toDouble(&ok);
    if (!ok || hours <= 0) {
        ctx.err << u"--change-fail-window \"%1\" is not a positive number of hours\n"_s.arg(window);
        return Failure;
    }
    if (bucket != u"day"_s && bucket != u"week"_s) {
        ctx.err << u"--bucket must be day or week, not \"%1\"\n"_s.arg(bucket);
        return Failure;
    }
    o.from = *from;
    o.to = *to;
    o.changeFailWindowSecs = qint64(hours * 3600.0);
    o.bucketSecs = bucket == u"day"_s ? 86400 : 7 * 86400;

    std::optional<Release::Dora::Records> records;
    if (recordsPath.isEmpty()) {
        records = collectLive(ctx, o.from, o.to);
    } else {
        const std::optional<QString> text = ctx.readText(recordsPath);
        if (!text)
            return Failure;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text->toStdString());
        } catch (const nlohmann::json::exception &e) {
            ctx.err << u"%1 is not JSON: %2\nFix the file, or collect the records again (--dump-records).\n"_s.arg(recordsPath, QString::fromUtf8(e.what()));
            return Failure;
        }
        const auto read = Release::Dora::Records::fromJson(j);
        if (!read) {
            ctx.err << recordsPath << u": "_s << read.error().toString() << u'\n';
            return Failure;
        }
        records = read.value();
    }
    if (!records)
        return Failure;
    if (!dumpPath.isEmpty()) {
        QFile f(dumpPath);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(QByteArray::fromStdString(records->toJson().dump(2)) + '\n') < 0) {
            ctx.err << u"cannot write %1: %2\n"_s.arg(dumpPath, f.errorString());
            return Failure;
        }
    }
    const Release::Dora::Report report = Release::Dora::compute(*records, o);
    if (asJson)
        ctx.printJson(report.toJson());
    else
        ctx.out << report.toText();
    return Ok;
}

} // namespace

const CommandHelp &metricsHelp()
{
    static const CommandHelp help{
        u"usage: raize-console metrics dora ...\n"
        u"Delivery metrics computed from the release's records.\n"
        u"\n"
        u"Exit codes: 0 figures printed; 2 the records, the dates or the services cannot be read.\n"
        u"Example: raize-console metrics dora --since 30d --json"_s,
        {{"dora"_L1, "DORA's five metrics: deployment frequency, lead time, change fail rate, recovery time, rework rate"_L1,
          u"usage: "_s + kDoraUsage + u"\n"
          u"DORA's five metrics over [--since, --until) (UTC; --until defaults to now, --since may be \"30d\"):\n"
          u"deployment frequency, lead time for changes (first commit to production, with merge to production beside it),\n"
          u"change fail rate (production deployments followed within --change-fail-window hours, by default the policy's\n"
          u"records.dora.changeFailWindowHours (24 in the playbook), by a\n"
          u"rollback away from them or an incident that links them), failed deployment recovery time (incident opened, or\n"
          u"the rollback answering it if earlier, to the rollback effective) and deployment rework rate (production\n"
          u"deployments made while an incident was open or shipping a pull request that links one).\n"
          u"The records are read from the profile's services (Vercel's production deployments, GitHub's pull requests,\n"
          u"commits and issues labelled \"incident\", the profile's rollback run journals), or from a JSON file with\n"
          u"--records (docs/dora.md); --dump-records writes what was used. --bucket sets the trend's step.\n"
          u"\n"
          u"Exit codes: 0 figures printed; 2 the records, the dates or the services cannot be read.\n"
          u"Example: raize-console metrics dora --since 2026-11-01 --until 2026-11-08 --records records.json --json"_s}}};
    return help;
}

int metricsCommand(Context &ctx)
{
    const QString sub = ctx.args.isEmpty() ? QString() : ctx.args.takeFirst();
    if (sub == u"dora"_s)
        return dora(ctx);
    ctx.err << (sub.isEmpty() ? u"metrics needs a subcommand"_s : u"unknown metrics subcommand: %1"_s.arg(sub))
            << u"\nusage: raize-console metrics dora ...\n"_s;
    return Failure;
}

} // namespace Raize::Cli
