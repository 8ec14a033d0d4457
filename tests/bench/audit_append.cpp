// Audit append rate (issue #15): records appended one at a time through
// AuditLog::append — lock file, tail re-read, one O_APPEND write, fsync, head
// checkpoint written and renamed — in the profile's data folder, where the
// console really writes (goal: at least 1,000 records/s). Prints the file
// system, since fsync cost is mostly the disk's.
//
//   build/ci/bench/bench_audit_append [records] [folder]

#include "core/settings.h"
#include "records/auditlog.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QStorageInfo>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Raize::Records;
using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? QByteArray(argv[1]).toInt() : 2000;
    // A throwaway profile beside the real ones (same file system), removed at the end.
    const QString folder = argc > 2 ? QString::fromLocal8Bit(argv[2])
                                    : Raize::Settings::dataDirectory() + u"/bench-audit-%1"_s.arg(QCoreApplication::applicationPid());
    QDir().mkpath(folder);
    const QString path = folder + u"/audit.jsonl"_s;
    QFile::remove(path);
    QFile::remove(path + u".head"_s);
    AuditLog log(path);

    const QStorageInfo storage(folder);
    std::vector<double> perRecordMs;
    perRecordMs.reserve(size_t(n));
    QElapsedTimer total;
    total.start();
    for (int i = 1; i <= n; ++i) {
        AuditRecord r;
        r.actor = u"oncall@raize"_s;
        r.service = u"unleash"_s;
        r.action = u"flag.disable"_s;
        r.target = u"publishing.canary-%1"_s.arg(i % 31);
        r.before = {{"enabled", true}};
        r.after = {{"enabled", false}};
        r.reason = u"P1 publish failure breach"_s;
        r.requestId = u"req-%1"_s.arg(i);
        QElapsedTimer t;
        t.start();
        const Raize::Status s = log.append(r);
        perRecordMs.push_back(t.nsecsElapsed() / 1e6);
        if (!s) {
            std::fprintf(stderr, "append %d failed: %s\n", i, qPrintable(s.error().message));
            return 2;
        }
    }
    const double seconds = total.nsecsElapsed() / 1e9;
    std::sort(perRecordMs.begin(), perRecordMs.end());
    const auto pct = [&](double p) { return perRecordMs[size_t(p * double(perRecordMs.size() - 1))]; };
    const double rate = n / seconds;
    std::printf("audit append: %d records, fsync per record, into %s\n", n, qPrintable(folder));
    std::printf("  file system: %s on %s (%s)\n", storage.fileSystemType().constData(), storage.device().constData(),
                qPrintable(storage.rootPath()));
    std::printf("  %.0f records/s   per record p50 %.3f ms  p95 %.3f ms  max %.3f ms   goal >= 1000/s: %s\n", rate, pct(0.5),
                pct(0.95), perRecordMs.back(), rate >= 1000 ? "met" : "NOT met");
    if (argc <= 2)
        QDir(folder).removeRecursively();
    return 0;
}
