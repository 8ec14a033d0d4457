// `audit verify` of 1,000,000 records (goal: under 2 s). The log is built in
// memory with the same record code the console uses (appending a million
// records one fsync at a time would measure the disk, not the verifier).
//
//   build/release/bench/bench_audit_verify [records]

#include "records/auditrecord.h"
#include "records/auditverifier.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>

using namespace Raize::Records;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 n = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));

    QElapsedTimer build;
    build.start();
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return 2;
    AuditRecord r;
    r.actor = QStringLiteral("oncall@raize");
    r.service = QStringLiteral("unleash");
    r.time = QDateTime::fromSecsSinceEpoch(1'790'000'000, Qt::UTC);
    r.prev = AuditRecord::genesisHash();
    QByteArray buffer;
    for (qint64 i = 1; i <= n; ++i) {
        r.seq = i;
        r.action = i % 3 ? QStringLiteral("flag.disable") : QStringLiteral("vercel.rollback");
        r.target = QStringLiteral("publishing.canary-%1").arg(i % 97);
        r.before = {{"enabled", true}};
        r.after = {{"enabled", false}};
        r.reason = QStringLiteral("P1 publish failure breach");
        r.requestId = QStringLiteral("req-%1").arg(i);
        r.hash = AuditRecord::sha256Hex(AuditRecord::contentFor(r));
        buffer += r.toLine() + '\n';
        r.prev = r.hash;
        r.time = r.time.addMSecs(250);
        if (buffer.size() > (4 << 20)) {
            out.write(buffer);
            buffer.clear();
        }
    }
    out.write(buffer);
    out.close();
    const double buildS = build.elapsed() / 1000.0;

    double best = 1e9;
    VerifyReport report;
    for (int run = 0; run < 3; ++run) {
        QElapsedTimer t;
        t.start();
        report = AuditVerifier::verify(path);
        best = std::min(best, t.nsecsElapsed() / 1e9);
    }
    std::printf("audit verify: %lld records, %.1f MB (built in %.1f s)\n", qlonglong(n), QFile(path).size() / 1e6, buildS);
    std::printf("  best of 3: %.3f s  (%.0f records/s)   goal < 2 s: %s\n", best, n / best, best < 2.0 ? "met" : "NOT met");
    std::printf("  verdict: %s\n", qPrintable(report.summary()));
    return report.intact() && report.records == n ? 0 : 1;
}
