// raize-console-crashtest: the console's headless subcommands (the same core
// libraries and the same Cli::run as raize-console), plus the crash seam that
// the shipped binary does not have (issue #15, item 5). Built with the tests,
// never installed, never packaged. The rollback crash tests
// (tests/core/tst_rollback_sandbox.cpp) and `tools/dev.sh soak` run it.
//
//   RAIZE_ROLLBACK_TEST_KILL_AFTER=N
//       SIGKILL right after the Nth journal record this process wrote is on
//       disk: a power cut between two records.
//   RAIZE_ROLLBACK_TEST_KILL_AT_CALL=sent|answered:N[:METHOD PATH-REGEX]
//       SIGKILL when the Nth HTTP request (of those whose method and path
//       match, when given) has left the process (sent) or its answer has
//       arrived, before any caller sees it (answered): the service applied
//       the call and the journal does not know.
// A malformed value is refused at start (exit 2): a seam that silently does
// nothing would let a crash test pass without crashing anything.

#include "cli/cli.h"
#include "core/logging.h"
#include "core/version.h"
#include "net/httpclient.h"
#include "rollback/runjournal.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

[[noreturn]] void die()
{
    std::fflush(stderr);
    std::raise(SIGKILL);
    std::abort(); // not reached
}

bool installRecordKill(QString *problem)
{
    const QByteArray spec = qgetenv("RAIZE_ROLLBACK_TEST_KILL_AFTER");
    if (spec.isEmpty())
        return true;
    bool ok = false;
    const int n = spec.toInt(&ok);
    if (!ok || n <= 0) {
        *problem = u"RAIZE_ROLLBACK_TEST_KILL_AFTER=%1: want a record number from 1"_s.arg(QString::fromLocal8Bit(spec));
        return false;
    }
    auto left = std::make_shared<int>(n);
    Raize::Rollback::RunJournal::setAppendHook([left](const Raize::Rollback::RunJournal &journal, const nlohmann::json &record) {
        if (--*left == 0) {
            std::fprintf(stderr, "[crashtest] SIGKILL after journal record %d (%s)\n", int(journal.records().size()),
                         record.value("event", "").c_str());
            die();
        }
    });
    return true;
}

bool installCallKill(QString *problem)
{
    const QString spec = qEnvironmentVariable("RAIZE_ROLLBACK_TEST_KILL_AT_CALL");
    if (spec.isEmpty())
        return true;
    const QString point = spec.section(u':', 0, 0);
    bool ok = false;
    const int n = spec.section(u':', 1, 1).toInt(&ok);
    const QString filter = spec.section(u':', 2);
    const QString method = filter.section(u' ', 0, 0);
    const QRegularExpression path(filter.section(u' ', 1));
    if ((point != u"sent"_s && point != u"answered"_s) || !ok || n <= 0 || !path.isValid()
        || (!filter.isEmpty() && (method.isEmpty() || filter.section(u' ', 1).isEmpty()))) {
        *problem = u"RAIZE_ROLLBACK_TEST_KILL_AT_CALL=%1: want sent|answered:N[:METHOD PATH-REGEX]"_s.arg(spec);
        return false;
    }
    using Raize::Net::HttpClient;
    const HttpClient::TestPoint want = point == u"sent"_s ? HttpClient::TestPoint::Sent : HttpClient::TestPoint::Answered;
    auto left = std::make_shared<int>(n);
    HttpClient::setTestHook([=](HttpClient::TestPoint at, const Raize::Net::Request &r) {
        if (at != want)
            return;
        if (!filter.isEmpty() && (r.method != method.toLatin1() || !path.match(r.url.path()).hasMatch()))
            return;
        if (--*left == 0) {
            std::fprintf(stderr, "[crashtest] SIGKILL with %s %s %s\n", r.method.constData(), qPrintable(r.url.path()),
                         at == HttpClient::TestPoint::Sent ? "sent" : "answered");
            die();
        }
    });
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The same identity as raize-console: the same profiles, tokens and journals.
    QCoreApplication::setApplicationName(u"raize-console"_s);
    QCoreApplication::setApplicationVersion(Raize::versionString());
    QString problem;
    if (!installRecordKill(&problem) || !installCallKill(&problem)) {
        std::fprintf(stderr, "raize-console-crashtest: %s\n", qPrintable(problem));
        return 2;
    }
    const QStringList args = app.arguments();
    if (args.size() < 2 || !Raize::Cli::isSubcommand(args.at(1))) {
        std::fprintf(stderr, "raize-console-crashtest runs subcommands only: raize-console-crashtest rollback execute ...\n");
        return 2;
    }
    Raize::Logging::install();
    return Raize::Cli::run(args);
}
