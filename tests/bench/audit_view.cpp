// Opening a 1,000,000-record audit log in the viewer (issue #15; goal: the
// first rows on screen within 200 ms). Measures AuditView's construction
// (which maps the file and finds the newest lines) plus the first paint,
// then the time until every line is a row and until the filter choices
// cover the whole log, and the process's resident memory.
//
//   build/ci/bench/bench_audit_view [records]

#include "audit/auditmodel.h"
#include "audit/auditview.h"
#include "bench/benchutil.h"
#include "records/auditrecord.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Raize::Records;
using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const qint64 n = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    QTemporaryDir dir;
    const QString path = RaizeBench::buildAuditLog(dir.filePath(u"audit.jsonl"_s), n);
    if (path.isEmpty())
        return 2;
    // Warm the page cache as a log the console just wrote would be.
    {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        while (!f.read(8 << 20).isEmpty()) {
        }
    }
    const double rssBefore = RaizeBench::rssMb();

    std::vector<double> firstRows, allRows, choices;
    for (int run = 0; run < 5; ++run) {
        QElapsedTimer t;
        t.start();
        Raize::Ui::AuditView view(path);
        view.resize(1280, 800);
        QSignalSpy loaded(view.model(), &Raize::Ui::AuditModel::loaded);
        QSignalSpy ready(view.model(), &Raize::Ui::AuditModel::choicesReady);
        view.show();
        // The first paint of the table, with rows in it.
        auto *table = view.findChild<QTableView *>(u"auditTable"_s);
        (void)QTest::qWaitForWindowExposed(&view);
        table->viewport()->repaint();
        const double first = t.nsecsElapsed() / 1e6;
        if (view.model()->rowCount() == 0) {
            std::fprintf(stderr, "no rows on screen\n");
            return 1;
        }
        if (loaded.isEmpty() && !loaded.wait(60000))
            return 1;
        const double all = t.nsecsElapsed() / 1e6;
        if (ready.isEmpty() && !ready.wait(120000))
            return 1;
        const double choice = t.nsecsElapsed() / 1e6;
        if (view.model()->rowCount() != n) {
            std::fprintf(stderr, "%d rows, expected %lld\n", view.model()->rowCount(), qlonglong(n));
            return 1;
        }
        firstRows.push_back(first);
        allRows.push_back(all);
        choices.push_back(choice);
        if (run == 4)
            std::printf("  resident memory with the log open: %.0f MB (%.0f MB before; the mapped log's pages count once touched)\n",
                        RaizeBench::rssMb(), rssBefore);
    }
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("audit view: %lld records, %.1f MB, median of 5\n", qlonglong(n), QFile(path).size() / 1e6);
    std::printf("  first rows on screen: %.1f ms   goal <= 200 ms: %s\n", median(firstRows), median(firstRows) <= 200 ? "met" : "NOT met");
    std::printf("  every line a row:     %.1f ms\n", median(allRows));
    std::printf("  filter choices ready: %.1f ms (every record parsed, in the background)\n", median(choices));
    return 0;
}
